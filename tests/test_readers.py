"""Readers: format chosen by content, DOCX / DOC / HTML structure kept, tables as the source has them.

Table fidelity is checked against the cells read independently here (python-docx's own merged-cell
handling, lxml with rowspan/colspan expanded by the test), format invariance by reading one plan in
two formats.
"""

from __future__ import annotations

import io
import shutil
import subprocess
import unicodedata
from collections import Counter
from pathlib import Path

import pytest

from conftest import CORPUS, GOLD, assert_grounded
from planparse.document import PlanDoc
from planparse.ingest import IngestError
from planparse.pipeline import process_bytes
from planparse.readers import read_document, registered, suffixes_for
from planparse.runner import list_inputs, run_batch

NATIVE = CORPUS / "native"
SCANNED = "08_nongji_youji_youbu_youjin_youchu_yijian_scanned.pdf"
HAS_PDF_READER = any(r.name == "pdf" for r in registered())
HAS_SOFFICE = shutil.which("soffice") is not None


def _squeeze(s: str) -> str:
    return "".join(unicodedata.normalize("NFKC", s).split())


def _read(path: Path):
    return process_bytes(path.read_bytes(), str(path))


@pytest.fixture(scope="module")
def native_batch():
    return run_batch([NATIVE], workers=2)


# ------------------------------------------------------------------ every native file reads


def test_every_native_file_except_the_scanned_pdf_extracts_without_error(native_batch):
    errors = {Path(e.source_path).name: e for e in native_batch.errors}
    assert set(errors) <= {SCANNED}, {k: e.message for k, e in errors.items()}
    if SCANNED in errors:
        assert "no text layer" in errors[SCANNED].message
    read = {Path(d.document.source_path).name for d in native_batch.documents}
    expected = {p.name for p in NATIVE.iterdir() if p.suffix in suffixes_for() and p.name != SCANNED}
    assert expected <= read
    assert {p.suffix for p in NATIVE.iterdir() if p.name in read} >= {".docx", ".doc", ".html"}


def test_native_records_are_grounded_and_table_cells_point_at_their_text(native_batch):
    n_cells = 0
    for result in native_batch.documents:
        assert_grounded(result)
        text = result.document.text
        for table in result.tables:
            for row, spans in zip(table.rows, table.cell_spans):
                assert len(row) == len(spans)
                for cell, (start, end) in zip(row, spans):
                    assert text[start:end] == cell
                    n_cells += 1
    assert n_cells > 500  # the DOCX and HTML tables of corpus/native


def test_source_format_and_pages_per_format(native_batch):
    by_suffix = {Path(d.document.source_path).suffix: d for d in native_batch.documents}
    assert by_suffix[".docx"].document.source_format == "docx"
    assert by_suffix[".doc"].document.source_format == "doc"
    assert by_suffix[".html"].document.source_format == "html"
    for suffix in (".docx", ".doc", ".html"):
        result = by_suffix[suffix]
        assert result.document.n_pages is None and result.document.page_starts == []
        assert all(s.page is None for s in result.sections + result.measures)


# ------------------------------------------------------------------ table fidelity


def _docx_grids(path: Path) -> list[list[list[str]]]:
    """Every table as python-docx reads it: merged cells repeated in each grid position they cover."""
    import docx

    return [[[_squeeze(c.text) for c in row.cells] for row in t.rows] for t in docx.Document(str(path)).tables]


def _html_grids(path: Path) -> list[list[list[str]]]:
    """Every data table of the page body (no nested table, more than one cell), spans expanded."""
    import lxml.html

    root = lxml.html.fromstring(path.read_bytes().decode("utf-8"))
    bodies = root.xpath('//*[@id="UCAP-CONTENT"] | //*[contains(concat(" ", @class, " "), " article-content ")]')
    body = max(bodies, key=lambda el: len(el.text_content()))
    grids = []
    for table in body.iter("table"):
        if table.xpath(".//table"):
            continue
        grid: dict[tuple[int, int], str] = {}
        for r, tr in enumerate(table.xpath("./tr | ./*/tr")):
            c = 0
            for cell in tr.xpath("./td | ./th"):
                while (r, c) in grid:
                    c += 1
                text = _squeeze(cell.text_content())
                for dr in range(int(cell.get("rowspan") or 1)):
                    for dc in range(int(cell.get("colspan") or 1)):
                        grid[(r + dr, c + dc)] = text
                c += int(cell.get("colspan") or 1)
        if len(grid) <= 1:
            continue
        n_rows, n_cols = max(r for r, _ in grid) + 1, max(c for _, c in grid) + 1
        grids.append([[grid.get((r, c), "") for c in range(n_cols)] for r in range(n_rows)])
    return grids


def _fidelity_files():
    return sorted(p for p in NATIVE.iterdir() if p.suffix in (".docx", ".html"))


@pytest.mark.parametrize("path", _fidelity_files(), ids=lambda p: p.name[:24])
def test_table_header_and_rows_equal_the_source_cells(path):
    expected = _docx_grids(path) if path.suffix == ".docx" else _html_grids(path)
    result = _read(path)
    tables = [t for t in result.tables if t.cell_spans]  # the tables the reader gave as cells
    assert len(tables) == len(expected)
    for table, grid in zip(tables, expected):
        grid = [row for row in grid if any(row)]
        got = ([table.header] if table.header else []) + table.rows
        got = [[_squeeze(c) for c in row] for row in got]
        if len(grid) == len(got) + 1:
            # a merged title row above the header is the table's caption
            assert len(set(grid[0])) == 1 and table.caption and grid[0][0].endswith(_squeeze(table.caption))
            grid = grid[1:]
        # a merged row naming a group of rows (一、… over them) is a heading of the document, not data
        headings = {_squeeze(s.label + s.title) for s in result.sections}
        groups = [row for row in grid[1:] if len(set(row)) == 1 and len(row) > 1 and row[0] in headings]
        assert got == [row for row in grid if row not in groups]
        assert len(got) + len(groups) == len(grid)
    if path.name.startswith("046_"):
        kinds = {t.kind for t in tables}
        assert kinds == {"indicator", "task"}
        assert any(len(set(row[0] for row in t.rows)) < t.n_rows for t in tables)  # a rowspan carried down


def test_docx_merged_cells_soft_breaks_and_numbering():
    import docx

    d = docx.Document()
    d.add_paragraph("一、总体要求", style="Heading 1")
    p = d.add_paragraph("第一段")
    p.add_run().add_break()
    p.add_run("第二段")
    d.add_paragraph("加强组织领导。", style="List Number")
    d.add_paragraph("强化督促检查。", style="List Number")
    t = d.add_table(rows=3, cols=3)
    for r, row in enumerate([["序号", "任务", "牵头单位"], ["1", "甲", "市卫生健康委"], ["2", "乙", ""]]):
        for c, value in enumerate(row):
            t.cell(r, c).text = value
    t.cell(1, 2).merge(t.cell(2, 2))  # vMerge: the lead agency carried down
    buf = io.BytesIO()
    d.save(buf)
    doc = read_document(buf.getvalue(), "plan.txt")  # chosen by content, not by the name
    assert doc.source_format == "docx"
    lines = doc.text.split("\n")
    assert "第一段" in lines and "第二段" in lines  # <w:br/> is a paragraph break
    assert "1.加强组织领导。" in lines and "2.强化督促检查。" in lines  # Word's numbering rendered
    heading = [b for b in doc.blocks if b.kind == "heading"]
    assert heading and heading[0].heading_level == 1 and doc.text[heading[0].start : heading[0].end] == "一、总体要求"
    (table,) = doc.table_blocks()
    assert [c.text for c in table.rows[2]] == ["2", "乙", "市卫生健康委"]
    carried = table.rows[2][2]
    assert carried.merged_from == (1, 2) and (carried.start, carried.end) == (table.rows[1][2].start, table.rows[1][2].end)
    result = process_bytes(buf.getvalue(), "plan.docx")
    (tab,) = result.tables
    assert tab.kind == "task" and tab.header == ["序号", "任务", "牵头单位"] and tab.rows[1] == ["2", "乙", "市卫生健康委"]


def _docx_bytes(paragraphs: list[tuple[str, str | None]]) -> bytes:
    import docx

    d = docx.Document()
    for text, style in paragraphs:
        d.add_paragraph(text, style=style)
    buf = io.BytesIO()
    d.save(buf)
    return buf.getvalue()


def test_heading_styles_are_evidence_for_headings_and_numbering_keeps_the_level_order():
    plan = [
        ("一、重点任务", "Heading 1"),
        ("（一）强化基层服务能力。", "Heading 2"),
        ("各区要配齐全科医生，落实乡村医生待遇。", None),
        ("（二）完善家庭医生签约服务。", "Heading 2"),
        ("推行签约服务包，提高重点人群签约率。", None),
        ("二、保障措施", "Heading 1"),
        ("（一）加强组织领导。各级要把工作列入重要议程。", None),
    ]
    styled = process_bytes(_docx_bytes(plan), "plan.docx")
    plain = process_bytes(_docx_bytes([(text, None) for text, _ in plan]), "plan.docx")
    # without styles, （一）title。 over a single body paragraph is a measure (a leaf of the deepest style)
    assert [(s.label, s.title) for s in plain.sections] == [("一、", "重点任务"), ("二、", "保障措施")]
    assert [(s.level, s.label, s.title) for s in styled.sections] == [
        (1, "一、", "重点任务"), (2, "（一）", "强化基层服务能力"), (2, "（二）", "完善家庭医生签约服务"), (1, "二、", "保障措施")
    ]
    assert [(m.label, m.title) for m in styled.measures] == [("（一）", "加强组织领导")]
    # the numbering style decides the level order, not the style's number
    swapped = [(text, {"Heading 1": "Heading 3", "Heading 2": "Heading 1"}.get(style)) for text, style in plan]
    result = process_bytes(_docx_bytes(swapped), "plan.docx")
    assert [(s.level, s.label) for s in result.sections] == [(1, "一、"), (2, "（一）"), (2, "（二）"), (1, "二、")]
    # <h3> on a web page is the same evidence
    page = "<html><body><div id='UCAP-CONTENT'><p>一、重点任务</p><h3>（一）强化基层服务能力。</h3><p>各区要配齐全科医生，落实乡村医生待遇，" + "完善激励机制。" * 30 + "</p></div></body></html>"
    result = process_bytes(page.encode("utf-8"), "page.html")
    assert [(s.level, s.label, s.title) for s in result.sections] == [(1, "一、", "重点任务"), (2, "（一）", "强化基层服务能力")]


@pytest.mark.parametrize("name", [p.name for p in sorted(NATIVE.glob("1*.docx"))], ids=lambda n: n[:24])
def test_restyling_a_plans_headings_as_word_headings_keeps_its_tree(name, tmp_path):
    """A real plan whose headings are set in Word heading styles (as many are) reads the same as
    the copy with plain paragraphs: the styles agree with what the numbering rules find."""
    import docx

    path = NATIVE / name
    plain = _read(path)
    levels = {_squeeze(s.label + s.title): s.level for s in plain.sections}
    d = docx.Document(str(path))
    restyled = 0
    for p in d.paragraphs:
        level = next((lvl for key, lvl in levels.items() if _squeeze(p.text).startswith(key)), None)
        if level:
            style = f"Heading {level}"
            try:
                p.style = d.styles[style]
            except KeyError:  # WPS files lack the built-in heading styles
                p.style = d.styles.add_style(style, 1)
            restyled += 1
    d.save(str(tmp_path / name))
    styled = _read(tmp_path / name)
    assert restyled == 0 or any(b.kind == "heading" for b in read_document((tmp_path / name).read_bytes(), name).blocks)
    assert [(s.level, s.label, s.title) for s in styled.sections] == [(s.level, s.label, s.title) for s in plain.sections]
    assert [(m.label, m.title) for m in styled.measures] == [(m.label, m.title) for m in plain.measures]


def test_html_spans_breaks_chrome_and_metadata():
    page = """<html><head><title>x</title><style>p{color:red}</style></head><body>
    <div class="nav"><a href="/">首页</a></div>
    <table><tr><td><b>发文机关：</b></td><td>某某市人民政府办公室</td><td><b>成文日期：</b></td><td>2023年10月19日</td></tr>
    <tr><td><b>发文字号：</b></td><td>某府办〔2023〕12号</td></tr></table>
    <div id="UCAP-CONTENT"><p>一、工作目标</p><p>到2025年，基本建成体系。<br>第二行。</p>
    <script>var a = "不是正文";</script>
    <table><tr><td>序号</td><td>任务</td><td>牵头单位</td></tr>
    <tr><td>1</td><td>甲</td><td rowspan="2">市卫生健康委</td></tr><tr><td colspan="2">乙</td></tr></table>
    <p>""" + "正文内容。" * 50 + """</p></div></body></html>"""
    doc = read_document(page.encode("utf-8"), "page.txt")
    assert doc.source_format == "html"
    assert "不是正文" not in doc.text and "首页" not in doc.text and "color" not in doc.text
    assert "到2025年，基本建成体系。\n第二行。" in doc.text
    assert doc.metadata == {"issuer": "某某市人民政府办公室", "doc_number": "某府办〔2023〕12号", "issue_date": __import__("datetime").date(2023, 10, 19)}
    (table,) = doc.table_blocks()
    assert [[c.text for c in row] for row in table.rows][2] == ["乙", "乙", "市卫生健康委"]
    result = process_bytes(page.encode("utf-8"), "page.html")
    assert result.document.issuer == "某某市人民政府办公室" and result.document.issue_date.year == 2023
    assert result.tables[0].rows == [["1", "甲", "市卫生健康委"], ["乙", "乙", "市卫生健康委"]]


def test_html_kept_in_a_text_file_is_read_by_the_html_reader_with_group_rows_as_headings():
    # a page body cut from a database dump, saved as .txt: it starts with <tbody>, not like a page
    body = """<tbody> <tr> <td id="UCAP-CONTENT"><p><span>某市关于加强基层治理的实施方案</span></p>
    <p>一、工作任务</p><p>（一）健全组织体系。完善网格，&ldquo;一网统管&rdquo;。</p><p>（二）强化队伍建设。</p>
    <p>附件</p><table><tr><td>序号</td><td>重点任务</td><td>牵头单位</td></tr>
    <tr><td colspan="3">一、组织体系方面</td></tr>
    <tr><td>1</td><td>完善网格</td><td>市委组织部</td></tr><tr><td>2</td><td>建好站点</td><td>市民政局</td></tr>
    <tr><td colspan="3">二、队伍建设方面</td></tr><tr><td>3</td><td>培训社工</td><td>市民政局</td></tr>
    </table></td></tr></tbody>"""
    doc = read_document(body.encode("gb18030"), "plan.txt")
    assert doc.source_format == "html"
    assert "<p>" not in doc.text and "<span>" not in doc.text and "“一网统管”" in doc.text
    result = process_bytes(body.encode("utf-8"), "plan.txt")
    (table,) = result.tables
    assert table.kind == "task" and [r[0] for r in table.rows] == ["1", "2", "3"]
    titles = [(s.label, s.title) for s in result.sections]
    assert ("一、", "组织体系方面") in titles and ("二、", "队伍建设方面") in titles
    # a text that only mentions a tag or two is still a text
    assert read_document("一、总则\n写入<p>标签的说明。<br>\n".encode("utf-8"), "plan.txt").source_format == "text"


def test_browser_print_of_a_web_page_keeps_its_metadata_table_out_of_the_text_and_in_documents():
    if not HAS_PDF_READER:
        pytest.skip("needs the PDF reader")
    result = _read(NATIVE / "05_hainan_jiankang_rongru_suoyou_zhengce_fangan_2025_webprint.pdf")
    doc = result.document
    assert (doc.issuer, doc.doc_number, str(doc.issue_date)) == ("海南省卫生健康委员会", "琼健爱卫〔2025〕7号", "2025-05-15")
    assert "发文机关" not in doc.text and "索引号" not in doc.text
    # two fields on one printed line are two fields
    from planparse.readers.html import metadata_lines

    assert metadata_lines(["发文机关：某县人民政府  成文日期：2024年01月05日", "文  号：某政〔2024〕1号"]) == {
        "issuer": "某县人民政府", "issue_date": __import__("datetime").date(2024, 1, 5), "doc_number": "某政〔2024〕1号"}


def test_reader_is_chosen_by_content_and_text_comes_last():
    assert registered()[-1].name == "text"
    assert read_document("一、总则\n".encode("gb18030"), "plan.html").source_format == "text"
    with pytest.raises(IngestError) as info:
        read_document(b"\x89PNG\r\n\x1a\n....", "plan.docx")
    assert info.value.error_type == "binary"


def test_doc_without_libreoffice_is_an_error_with_the_install_hint(monkeypatch, tmp_path):
    from planparse.readers import doc as doc_reader

    monkeypatch.setattr(doc_reader, "soffice", lambda: None)
    path = NATIVE / "22_hainan_hiap_zhengce_jiedu.doc"
    (tmp_path / path.name).write_bytes(path.read_bytes())
    (tmp_path / "ok.txt").write_text("一、总则\n（一）加强领导。\n", encoding="utf-8")
    batch = run_batch([tmp_path], workers=1)
    (error,) = batch.errors
    assert error.error_type == "needs_libreoffice" and "apt-get install libreoffice-writer-nogui" in error.message
    assert len(batch.documents) == 1  # the rest of the batch goes on


def test_formats_narrow_the_walk():
    docx_only, _ = list_inputs([NATIVE], formats=["docx"])
    assert docx_only and all(f.endswith(".docx") for f in docx_only)
    web, _ = list_inputs([NATIVE], formats=["html"])
    assert web and all(f.endswith((".html", ".htm")) for f in web)
    every, _ = list_inputs([NATIVE])
    assert set(docx_only) | set(web) < set(every)
    with pytest.raises(ValueError, match="unknown format"):
        suffixes_for(["xlsx"])


def test_pages_are_set_from_the_readers_page_starts(monkeypatch):
    """The pipeline fills ``page`` on every grounded record from PlanDoc.page_of (one place)."""
    from planparse import pipeline

    path = CORPUS / "000_8a3dc5626016edf8.txt"
    plain = read_document(path.read_bytes(), str(path))
    cuts = [0, len(plain.text) // 3, 2 * len(plain.text) // 3]
    paged = PlanDoc(text=plain.text, encoding=plain.encoding, source_format="pdf", page_starts=cuts)
    monkeypatch.setattr(pipeline, "read_document", lambda data, source_path: paged)
    result = pipeline.process_bytes(path.read_bytes(), str(path))
    assert result.document.n_pages == 3 and result.document.page_starts == cuts
    seen = Counter()
    for name, records in result.records().items():
        for r in records:
            if hasattr(r, "char_start"):
                page = r.page
                assert cuts[page - 1] <= r.char_start < (cuts[page] if page < 3 else len(plain.text) + 1)
                seen[page] += 1
    assert set(seen) == {1, 2, 3}


# ------------------------------------------------------------------ format invariance


def _structure(result, other_text: str) -> dict[str, Counter]:
    """Sections, measures, responsibilities and agencies by label / title / name, from the text the
    other copy also has: a record counts when the line it starts on, from 8 characters before it to
    8 after its end (or the line's end), is written in one line of the other copy too (a web print adds the
    site's header and footer lines)."""
    text = result.document.text
    other = "\n".join(_squeeze(line) for line in other_text.split("\n"))  # a probe must lie within one line

    def shared(r) -> bool:
        line_start = text.rfind("\n", 0, r.char_start) + 1
        line_end = text.find("\n", r.char_start)
        line_end = len(text) if line_end < 0 else line_end
        return _squeeze(text[max(line_start, r.char_start - 8) : min(line_end, r.char_end + 8)]) in other

    return {
        "sections": Counter((_squeeze(s.label), _squeeze(s.title)) for s in result.sections if shared(s)),
        "measures": Counter((_squeeze(m.label), _squeeze(m.title)) for m in result.measures if shared(m)),
        "responsibilities": Counter((_squeeze(r.agency), r.role) for r in result.responsibilities if shared(r)),
        "agencies": Counter(_squeeze(a.name) for a in result.agencies if shared(a)),
    }


def _assert_same_records(a, b) -> None:
    ra, rb = _structure(a, b.document.text), _structure(b, a.document.text)
    assert ra == rb
    assert ra["sections"] and ra["measures"] and ra["responsibilities"] and ra["agencies"]
    # what only one copy has is a few lines of page chrome, not the plan
    for result, kept in ((a, ra), (b, rb)):
        assert len(result.sections) == sum(kept["sections"].values())
        assert len(result.measures) == sum(kept["measures"].values())
        assert len(result.agencies) - sum(kept["agencies"].values()) <= len(result.agencies) // 4


@pytest.mark.skipif(not HAS_SOFFICE, reason="LibreOffice (soffice) is not installed")
def test_same_plan_as_docx_and_as_doc_gives_the_same_records(tmp_path):
    source = NATIVE / "10_hainan_jiankang_rongru_suoyou_zhengce_fangan_2025.docx"
    shutil.copy(source, tmp_path / "plan.docx")
    subprocess.run(
        ["soffice", f"-env:UserInstallation={(tmp_path / 'profile').as_uri()}", "--headless",
         "--convert-to", "doc:MS Word 97", "--outdir", str(tmp_path), str(tmp_path / "plan.docx")],
        capture_output=True, timeout=180, check=True,
    )
    as_docx, as_doc = _read(source), _read(tmp_path / "plan.doc")
    assert as_doc.document.source_format == "doc"
    _assert_same_records(as_docx, as_doc)


@pytest.mark.parametrize(
    "first, second",
    [
        ("10_hainan_jiankang_rongru_suoyou_zhengce_fangan_2025.docx", "05_hainan_jiankang_rongru_suoyou_zhengce_fangan_2025_webprint.pdf"),
    ],
)
def test_same_plan_as_docx_and_as_pdf_print_gives_the_same_records(first, second):
    if not HAS_PDF_READER:
        pytest.xfail("needs the PDF reader (readers/pdf.py, the pdf helper's part of issue 10), not on main yet")
    _assert_same_records(_read(NATIVE / first), _read(NATIVE / second))


# ------------------------------------------------------------------ eval on the 广州 web page

_HTML_GOLD = "046_guangzhou_jiating_yisheng_qianyue_fuwu_shishi_fangan"
# Floors of the text documents (tests/test_quality.py). Metrics the page misses for reasons outside
# the reader are xfail, each with its reason.
_EXTRACTION_GAPS = {
    # 0.85: relative deadlines are read; the rest are gold calls the rules do not follow.
    "deadlines": "gold writes 2025年 for 力争2025年 (FORMAT.md and the other gold keep 力争) and takes the "
                 "2023年 of 2023年培训计划 (a programme's name) as a deadline, twice each",
}


@pytest.fixture(scope="module")
def html_report():
    import json

    from planparse.evaluate import evaluate_document

    gold = json.loads((GOLD / f"{_HTML_GOLD}.gold.json").read_text(encoding="utf-8"))
    return evaluate_document(gold, _read(NATIVE / f"{_HTML_GOLD}.html"))


@pytest.mark.parametrize(
    "metric, floor",
    [
        pytest.param(m, f, marks=[pytest.mark.xfail(reason=_EXTRACTION_GAPS[m], strict=True)] if m in _EXTRACTION_GAPS else [])
        for m, f in {
            "headings": 0.95, "measures": 0.95, "tables": 1.0, "table_kind": 1.0, "table_rows": 1.0,
            "indicator_rows": 0.95, "indicator_cells": 0.95, "deadlines": 0.90, "resp_agencies": 0.95,
            "resp_leads": 0.95, "text_targets": 0.80, "agency_names": 0.85,
        }.items()
    ],
)
def test_guangzhou_web_page_meets_the_text_floors(html_report, metric, floor):
    score = html_report.metrics[metric]["soft"]
    assert score.f1 >= floor, f"{metric}: F1 {score.f1:.3f} (tp {score.tp}, pred {score.n_pred}, gold {score.n_gold})"


def test_validate_checks_a_readers_cell_spans():
    from planparse.validate import check_document, result_rows

    result = _read(NATIVE / "11_hainan_hiap_fujian1_bumen_zhize_qingdan.docx")
    document, records = result_rows(result)
    assert not [i for i in check_document(document, records) if i.code == "not_grounded"]
    table = records["tables"][0]
    table["cell_spans"][3][1] = [table["cell_spans"][3][1][0] + 1, table["cell_spans"][3][1][1]]
    issues = [i for i in check_document(document, records) if i.code == "not_grounded"]
    assert len(issues) == 1 and "is not its cell" in issues[0].message


def test_damaged_spans_stay_bounded():
    page = """<div id="UCAP-CONTENT"><p>一、总则</p><table>
    <tr><td>序号</td><td colspan="50000">任务</td></tr>
    <tr><td rowspan="99999">1</td><td colspan="x">甲</td></tr><tr><td>乙</td></tr></table></div>"""
    (table,) = read_document(page.encode("utf-8"), "page.html").table_blocks()
    assert len(table.rows) == 3  # the rowspan stops at the last row
    assert all(len(row) == 1001 for row in table.rows)  # colspan capped at 1000 (HTML's own limit)
    assert [c.text for c in table.rows[2][:2]] == ["1", "乙"]
