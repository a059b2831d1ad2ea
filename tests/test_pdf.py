"""The PDF reader (readers/pdf.py) on the PDFs of corpus/native and a LibreOffice export written for
the tests (tests/data/pdf/running_lines.pdf: running header, "— N —" footers, radical look-alikes)."""

from __future__ import annotations

import io

import pypdfium2 as pdfium
import pytest
import regex

from conftest import CORPUS, TEST_PLANS
from planparse.ingest import IngestError
from planparse.readers import READERS, ocr
from planparse.readers.pdf import normalise_cjk, read_pdf

NATIVE = CORPUS / "native"
PDFS = sorted(NATIVE.glob("*.pdf"))
SCANNED = NATIVE / "08_nongji_youji_youbu_youjin_youchu_yijian_scanned.pdf"
PICTURES = NATIVE / "01_wenwu_keji_14wu_guihua_gbf2021_43.pdf"  # 11 专栏 boxes printed as images
CNKI = NATIVE / "07_yunnan_10th_fyp_gangyao_2001_cnki.pdf"
RUNNING = TEST_PLANS / "pdf" / "running_lines.pdf"
RULED = TEST_PLANS / "pdf" / "ruled_table.pdf"

needs_ocr = pytest.mark.skipif(not ocr.installed(), reason="OCR extra not installed: pip install 'planparse[ocr]'")


@pytest.fixture
def with_ocr(monkeypatch):
    monkeypatch.delenv("PLANPARSE_OCR", raising=False)  # conftest switches OCR off for the rest of the suite


@pytest.fixture
def no_ocr(monkeypatch):
    monkeypatch.setattr(ocr, "available", lambda: False)


def _read(path, **_):
    return read_pdf(path.read_bytes(), str(path))


def _words(text: str) -> str:
    """Characters that carry words (Chinese, letters, digits) after the reader's normalisation."""
    return "".join(regex.findall(r"[\p{Han}A-Za-z0-9]", normalise_cjk(text)))


def _page_lines(path) -> list[list[str]]:
    """Each page's text-layer lines, read here independently of the reader."""
    pdf = pdfium.PdfDocument(str(path))
    try:
        return [[l for l in pdf[i].get_textpage().get_text_range().splitlines() if l.strip()] for i in range(len(pdf))]
    finally:
        pdf.close()


def _one_page_pdf(path, index: int) -> bytes:
    src = pdfium.PdfDocument(str(path))
    out = pdfium.PdfDocument.new()
    out.import_pages(src, [index])
    buf = io.BytesIO()
    out.save(buf)
    out.close()
    src.close()
    return buf.getvalue()


def test_pdf_reader_is_registered_and_sniffs_content():
    pdf = READERS["pdf"]
    assert ".pdf" in pdf.suffixes
    assert pdf.sniff(RUNNING.read_bytes(), "renamed.txt")
    assert not pdf.sniff("一、总体要求\n".encode("utf-8"), "plan.pdf")


@pytest.mark.parametrize("path", PDFS, ids=lambda p: p.name[:2])
def test_reads_every_native_pdf(path, no_ocr):
    if path == SCANNED:
        with pytest.raises(IngestError) as err:
            _read(path)
        assert err.value.error_type == "no_text_layer"
        assert err.value.message == "no text layer (scanned): install planparse[ocr]"
        return
    doc = _read(path)
    pages = _page_lines(path)
    assert doc.source_format == "pdf" and doc.n_pages == len(pages)
    assert len(doc.text) > 0.8 * sum(len(l) for p in pages for l in p)  # nothing lost but noise and spaces
    paragraphs = [b for b in doc.blocks if b.kind == "paragraph"]
    assert [b.page for b in doc.blocks if b.kind == "page_break"] == list(range(2, len(pages) + 1))
    for block in paragraphs:
        assert block.page == doc.page_of(block.start)
        assert block.bbox is not None and block.bbox[0] < block.bbox[2] and block.bbox[1] < block.bbox[3]
        assert not block.ocr
    # every page has paragraphs, but one whose lines were all web chrome (05's footer page)
    words = _words(doc.text)
    kept = {n for n, lines in enumerate(pages, 1) if any(len(w) >= 4 and w in words for w in map(_words, lines))}
    assert {b.page for b in paragraphs} == kept and len(kept) >= len(pages) - 1
    # no corpus PDF has a ruled table; the white background rectangles of 01 and 04 are none either
    assert not doc.table_blocks()


@pytest.mark.parametrize("path", [RUNNING] + [p for p in PDFS if p != SCANNED], ids=lambda p: p.stem[:8])
def test_page_starts_point_at_each_pages_first_words(path, no_ocr):
    doc = _read(path)
    first_lines = _page_lines(path)
    if path == RUNNING:  # the first line of every page is the running header
        first_lines = [p[1:] for p in first_lines]
    all_words = _words(doc.text)
    for page, (start, lines) in enumerate(zip(doc.page_starts, first_lines), 1):
        # the page's first line that the reader kept (clean_text drops web chrome such as 网站地图)
        expected = next((w for w in (_words(l)[:6] for l in lines) if w in all_words), None)
        if expected is None:  # nothing of the page kept (all web chrome): it starts where the next does
            assert start == (doc.page_starts[page] if page < len(doc.page_starts) else len(doc.text))
            continue
        assert _words(doc.text[start : start + 60]).startswith(expected), (page, expected, doc.text[start : start + 60])
        assert doc.page_of(start) == page


def test_running_headers_and_page_numbers_are_dropped(no_ocr):
    raw = [l for page in _page_lines(RUNNING) for l in page]
    assert raw.count("某县农业农村局文件") == 4 and "— 3 —" in raw  # the test can fail
    doc = _read(RUNNING)
    assert "某县农业农村局文件" not in doc.text
    assert not regex.search(r"—\s*\d+\s*—", doc.text)
    # a paragraph cut by the page break (and the footer and header inside it) is one paragraph again
    assert "提升生态保护数字化水平，围绕乡村治理第5个环节" in doc.text
    assert doc.text.startswith("某县数字乡村建设三年行动方案")  # the header above the title is gone


def test_radical_look_alikes_are_mapped(no_ocr):
    raw = "".join(l for page in _page_lines(RUNNING) for l in page)
    assert "⻓" in raw and "⻔" in raw and "⾏" in raw  # LibreOffice kept the radical code points
    text = _read(RUNNING).text
    assert "建立健全长效机制，统筹推进各部门数据共享" in text and "开展专项行动" in text
    assert not regex.search(r"[\u2e80-\u2eff\u2f00-\u2fdf]", text)


def test_letter_spaced_digits_and_punctuation_are_joined(no_ocr):
    raw = "\n".join(l for page in _page_lines(CNKI) for l in page)
    assert "2 0 0 5 年" in raw and "8 %" in raw  # CNKI's letter spacing, undone below
    text = _read(CNKI).text
    assert not regex.search(r"\d \d|\d %", text)
    assert "到2005年" in text and "人口自然增长率控制在10‰以下" in text
    assert "年均增长8%左右，" in text and "世纪之交，我省基本实现了" in text
    assert "第一章经济社会发展的指导思想" in text


def test_word_gaps_between_chinese_and_digits_are_dropped(no_ocr):
    # Word exports draw a gap (no space glyph) between Chinese and Latin text: 国办发〔2021〕43 号
    text = _read(PICTURES).text
    assert "国办发〔2021〕43号" in text and "2021年10月28日" in text


def test_pictures_of_text_are_reported_without_ocr(no_ocr):
    doc = _read(PICTURES)
    assert any("were not read: install planparse[ocr]" in w for w in doc.warnings)


def test_a_scanned_page_in_a_text_pdf_is_skipped_with_a_warning_without_ocr(no_ocr):
    src = [pdfium.PdfDocument(str(PICTURES)), pdfium.PdfDocument(str(SCANNED))]
    out = pdfium.PdfDocument.new()
    out.import_pages(src[0], [0])
    out.import_pages(src[1], [0])
    buf = io.BytesIO()
    out.save(buf)
    doc = read_pdf(buf.getvalue(), "mixed.pdf")
    assert doc.n_pages == 2 and doc.page_starts[1] == len(doc.text)
    assert "国务院办公厅关于印发" in doc.text and "扫描全能王" not in doc.text
    assert any("page(s) 2 have no text layer (scanned)" in w and "planparse[ocr]" in w for w in doc.warnings)


def test_bad_pdf_is_a_clear_error():
    data = RUNNING.read_bytes()
    with pytest.raises(IngestError) as err:
        read_pdf(data[: len(data) // 3], "cut.pdf")
    assert err.value.error_type == "unreadable_pdf"


@needs_ocr
def test_scanned_page_is_read_by_ocr(with_ocr):
    doc = read_pdf(_one_page_pdf(SCANNED, 0), "scanned-p1.pdf")
    assert "农业农村部办公厅关于加力推进农机购置" in doc.text
    assert "优机优补" in doc.text and "结合新形势新要求和近年工作实践" in doc.text
    paragraphs = [b for b in doc.blocks if b.kind == "paragraph"]
    assert paragraphs and all(b.ocr and b.page == 1 for b in paragraphs)
    assert any("OCR" in w for w in doc.warnings)


@needs_ocr
def test_pictures_of_text_in_a_text_pdf_are_read_by_ocr(with_ocr):
    doc = read_pdf(_one_page_pdf(PICTURES, 2), "wenwu-p3.pdf")  # 专栏1, the indicator table
    by_ocr = "\n".join(doc.text[b.start : b.end] for b in doc.blocks if b.kind == "paragraph" and b.ocr)
    from_layer = "\n".join(doc.text[b.start : b.end] for b in doc.blocks if b.kind == "paragraph" and not b.ocr)
    assert "文物事业发展主要指标" in by_ocr and "5058" in by_ocr and "预期性" in by_ocr
    assert "两线" in from_layer  # the notes under the picture stay text-layer blocks, after it
    assert doc.text.index("预期性") < doc.text.index("两线")


def _generator(name: str):
    import importlib.util

    spec = importlib.util.spec_from_file_location(name, TEST_PLANS / "pdf" / f"{name}.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_ruled_table_is_one_table_block_with_merged_cells_expanded(no_ocr):
    source = _generator("make_ruled_table")  # the cells the PDF was written from
    expected = [list(source.HEADER)]
    for row in source.ROWS:
        expected.append([cell if cell is not None else expected[-1][c] for c, cell in enumerate(row)])
    doc = _read(RULED)
    [table] = doc.table_blocks()
    assert [[c.text for c in row] for row in table.rows] == expected
    merged = table.rows[3][2]
    assert merged.merged_from == (2, 2) and (merged.start, merged.end) == (table.rows[2][2].start, table.rows[2][2].end)
    assert table.page == 1 and table.bbox is not None
    # the cells are not also read as text lines, and the table stands between its paragraphs
    inside = [b for b in doc.blocks if b.kind == "paragraph" and table.start <= b.start < table.end]
    assert inside == []
    assert doc.text.index("重点任务分工表") < table.start < doc.text.index("各牵头单位要于每季度末报送任务进展情况。")
    assert doc.text[table.start : table.end].split("\n")[0] == "\t".join(source.HEADER)


def test_page_number_forms_in_the_margins_are_dropped_and_body_lines_kept():
    from planparse.readers.pdf import _drop_running_lines, _Line

    height = 842.0

    def page(no: int, footer: str) -> list[_Line]:
        return [
            _Line("关于印发某市养老服务体系建设规划的通知" if no == 1 else f"正文第{no}页的第一行", no, (90, 760, 500, 775)),
            _Line("3", no, (290, 400, 300, 412)),  # a lone digit in the body (a table cell) stays
            _Line(f"正文第{no}页的最后一行", no, (90, 120, 500, 135)),
            _Line(footer, no, (270, 40, 330, 52)),
        ]

    footers = ["第 1 页 共 4 页", "2/4", "- 3 -", "4"]
    pages = _drop_running_lines([page(n, f) for n, f in enumerate(footers, 1)], [height] * 4)
    kept = [l.text for p in pages for l in p]
    assert not set(footers) & set(kept)
    assert "关于印发某市养老服务体系建设规划的通知" in kept  # top of page 1 only: not a running header
    assert kept.count("3") == 4 and "正文第4页的最后一行" in kept


def _pipeline_reads_pdf() -> bool:
    import planparse.pipeline as pipeline

    return hasattr(pipeline, "read_document")


@pytest.mark.skipif(not _pipeline_reads_pdf(), reason="the pipeline does not read through planparse.readers yet")
@pytest.mark.parametrize("path", [RULED] + [p for p in PDFS if p != SCANNED], ids=lambda p: p.stem[:8])
def test_every_record_from_a_pdf_has_the_page_holding_its_quote(path, no_ocr):
    from planparse.pipeline import process_bytes

    result = process_bytes(path.read_bytes(), str(path))
    text = result.document.text
    pages = [_words("".join(lines)) for lines in _page_lines(path)]
    checked = 0
    for kind, records in result.records().items():
        for record in records:
            if not hasattr(record, "char_start") or record.char_end <= record.char_start:
                continue
            assert record.page is not None, (kind, record)
            prefix = _words(text[record.char_start : record.char_end])[:6]
            if not prefix:
                continue
            # the quote starts on its page (it may run on into the next one)
            here = pages[record.page - 1]
            following = pages[record.page] if record.page < len(pages) else ""
            at = (here + following).find(prefix)
            assert 0 <= at < len(here), (kind, record.page, prefix)
            checked += 1
    assert checked > 10
