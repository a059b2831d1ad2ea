"""What a new user trips over (issue 12) and the validate/show/review/eval defects (issue 13 §5),
each through the real CLI or API: exit code asserted, and no traceback on any error path."""

from __future__ import annotations

import csv
import datetime as dt
import json
import os
import re
import shutil
import subprocess
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import pytest
import yaml
from typer.testing import CliRunner

import planparse
from planparse.cli import app
from planparse.models import RECORD_TYPES
from planparse.rules_loader import RulesError, RuleSet, rules_dir, use_rules
from planparse.write import write_outputs

from conftest import make_result, run_cli
from robust_helpers import snapshot

cli = CliRunner()
DATA = Path(__file__).resolve().parent / "data"
TABLE_PLAN = DATA / "structure_pdf_plan.txt"  # an indicator table with 预期性 and 约束性 rows
# A plan with one assignment, so an alias in a rules copy shows in responsibilities.canonical_name.
ALIAS_PLAN = "某县卫生健康事业发展“十四五”规划\n第一章 主要任务\n一、加强建设\n1．推进基层医疗机构建设。（县卫生健康局负责）\n"
# A target and an assignment outside any measure (measure_id null), and a target inside one.
JOIN_PLAN = (
    "某县卫生健康事业发展“十四五”规划\n第一章 发展目标\n到2025年，每千人口床位数达到5.5张。（县卫生健康局负责）\n"
    "第二章 主要任务\n一、加强建设\n1．推进基层医疗机构建设，到2025年村卫生室覆盖率达到100%。（县医保局负责）\n"
)


def _no_traceback(result) -> None:
    assert "Traceback" not in result.output and "Traceback" not in (result.stderr or "")
    # CliRunner keeps an exception the command let escape (a traceback in a terminal) instead of printing it.
    assert result.exception is None or isinstance(result.exception, SystemExit), repr(result.exception)


def _error_lines(result) -> list[str]:
    return [line for line in result.stderr.splitlines() if line.startswith("error:")]


@pytest.fixture(scope="module")
def outputs(tmp_path_factory) -> Path:
    base = tmp_path_factory.mktemp("ux")
    src = base / "in"
    src.mkdir()
    shutil.copy(TABLE_PLAN, src / "table_plan.txt")
    (src / "join_plan.txt").write_text(JOIN_PLAN, encoding="utf-8")
    result = cli.invoke(app, ["extract", str(src), "--out", str(base / "out"), "--workers", "1", "--quiet"])
    assert result.exit_code == 0, result.output
    return base / "out"


def _record_file(folder: Path, name: str) -> Path:
    """A Parquet file of one record type, in either layout (``<name>/part-*.parquet`` or ``<name>.parquet``)."""
    parts = sorted((folder / name).glob("part-*.parquet")) if (folder / name).is_dir() else []
    return parts[0] if parts else folder / f"{name}.parquet"


def _rows(folder: Path, name: str) -> list[dict]:
    return planparse.load(folder, engine="pyarrow")[name].to_pylist()


def _copy(outputs: Path, dest: Path) -> Path:
    shutil.copytree(outputs, dest)
    return dest


# ---------------------------------------------------------------- --version, --debug


def test_version_and_debug_on_every_command():
    result = cli.invoke(app, ["--version"])
    assert result.exit_code == 0 and result.output.strip() == f"planparse {planparse.__version__}"
    commands = ["extract", "eval", "coverage", "schema", "validate", "show", "review", "export"]
    for command in commands:
        help_text = cli.invoke(app, [command, "--help"])
        assert help_text.exit_code == 0 and "--debug" in help_text.output, command


# ---------------------------------------------------------------- review / show errors


def test_review_out_existing_file(outputs, tmp_path):
    target = tmp_path / "pages.html"
    target.write_text("mine")
    result = cli.invoke(app, ["review", str(outputs), "--out", str(target)])
    assert result.exit_code == 2
    assert _error_lines(result) == [f"error: --out {target}: exists and is not a folder (name a folder for the review pages)"]
    assert target.read_text() == "mine"
    _no_traceback(result)


@pytest.mark.parametrize("damage", ["garbage", "truncated", "missing_column", "missing_file"])
@pytest.mark.parametrize("command", ["show", "review"])
def test_show_and_review_on_damaged_outputs(outputs, tmp_path, damage, command):
    folder = _copy(outputs, tmp_path / "out")
    victim = _record_file(folder, "targets")
    if damage == "garbage":
        victim.write_bytes(b"not parquet at all")
    elif damage == "truncated":
        victim.write_bytes(victim.read_bytes()[: victim.stat().st_size // 2])
    elif damage == "missing_column":
        table = pq.read_table(victim)
        pq.write_table(table.drop_columns(["indicator"]), victim)
    else:
        if victim.parent.name == "targets":  # the part-file layout: the record type's folder goes
            shutil.rmtree(victim.parent)
            victim = victim.parent
        else:
            victim.unlink()
    args = [command, str(folder)] + (["--out", str(tmp_path / "review")] if command == "review" else [])
    before = snapshot(folder)
    result = cli.invoke(app, args)
    assert result.exit_code == 1, result.output
    assert snapshot(folder) == before  # read, never mended or removed
    lines = _error_lines(result)
    assert len(lines) == 1, result.stderr
    if damage == "missing_file":  # named by its record type, in either layout
        assert str(folder) in lines[0] and "targets" in lines[0] and "missing" in lines[0]
    else:
        assert str(victim) in lines[0]
    if damage == "missing_column":
        assert "indicator" in lines[0] and "column missing" in lines[0]
    _no_traceback(result)


def test_show_neutralises_control_characters(tmp_path):
    plan = tmp_path / "evil.txt"
    plan.write_text("某市规划\x1b]0;pwned\x07\n第一章 总则\x1b[2J\n一、加强建设\x1b[31m红\n1．推进工作。\n", encoding="utf-8")
    before = plan.read_bytes()
    result = cli.invoke(app, ["show", str(plan)])
    assert result.exit_code == 0, result.output
    assert plan.read_bytes() == before
    _no_traceback(result)
    assert "\x1b" not in result.stdout and "\x07" not in result.stdout
    assert "\\x1b[2J" in result.stdout  # shown, not obeyed


# ---------------------------------------------------------------- eval


def _gold_corpus(tmp_path, gold: dict | str, with_doc: bool = True) -> Path:
    corpus = tmp_path / "corpus"
    (corpus / "gold").mkdir(parents=True)
    if with_doc:
        shutil.copy(TABLE_PLAN, corpus / "plan.txt")
    (corpus / "gold" / "plan.gold.json").write_text(gold if isinstance(gold, str) else json.dumps(gold, ensure_ascii=False), encoding="utf-8")
    return corpus


def test_eval_defaults_gold_and_scores(tmp_path):
    corpus = _gold_corpus(tmp_path, {"doc": "plan.txt", "region": "某县"})
    result = cli.invoke(app, ["eval", str(corpus), "--json"])  # --gold defaults to corpus/gold
    assert result.exit_code == 0, result.output
    assert [d["doc"] for d in json.loads(result.stdout)["documents"]] == ["plan.txt"]


@pytest.mark.parametrize(
    "gold, with_doc, message",
    [
        ({"doc": "plan.txt", "region": "某县"}, False, "no document for gold file"),
        ({"doc": "elsewhere.txt", "region": "某县"}, True, "no document for gold file"),
        ({}, True, "holds no annotations"),
        ("[1, 2]", True, "a gold file is a JSON object"),
        ("{not json", True, "cannot read gold file"),
        ({"doc": "plan.txt", "headings": [{"title": "no level or label"}, 3]}, True, "malformed annotation"),
    ],
)
def test_eval_unusable_gold_exits_1(tmp_path, gold, with_doc, message):
    corpus = _gold_corpus(tmp_path, gold, with_doc)
    before = snapshot(corpus)
    result = cli.invoke(app, ["eval", str(corpus)])
    assert result.exit_code == 1, result.output
    assert snapshot(corpus) == before
    lines = _error_lines(result)
    assert len(lines) == 1 and message in lines[0] and "plan.gold.json" in lines[0]
    assert "vanished" not in result.output
    _no_traceback(result)


# ---------------------------------------------------------------- extract: notes and counting


# Formats planparse has no reader for (PDF and DOCX have readers now, or soon: their files are read).
@pytest.mark.parametrize("name, what", [("plan.ofd", "an OFD document"), ("plan.xlsx", "a spreadsheet")])
def test_unreadable_format_named_on_the_command_line_gets_the_folder_note(tmp_path, name, what):
    folder = tmp_path / "in"
    folder.mkdir()
    pdf = folder / name
    pdf.write_bytes(b"PK\x03\x04")
    (folder / "plan.txt").write_text(ALIAS_PLAN, encoding="utf-8")
    alone = cli.invoke(app, ["extract", str(pdf), "--out", str(tmp_path / "o1")])
    assert alone.exit_code == 2
    inside = cli.invoke(app, ["extract", str(folder), "--out", str(tmp_path / "o2"), "--workers", "1"])
    assert inside.exit_code == 0
    note = f"note: {pdf}: skipped: {what}, a format planparse cannot read"
    assert any(line.startswith(note) for line in alone.stderr.splitlines())
    assert any(line.startswith(note) for line in inside.stdout.splitlines())
    assert "error: no plan files" in alone.stderr
    _no_traceback(alone)


def test_counting_one_way(tmp_path, plan_text):
    folder = tmp_path / "corpus"
    (folder / "gold").mkdir(parents=True)
    (folder / "a.txt").write_text(plan_text, encoding="utf-8")
    (folder / "b.txt").write_text(plan_text, encoding="utf-8")  # a duplicate of a.txt
    (folder / "empty.txt").write_bytes(b"")
    (folder / "gold" / "a.gold.json").write_text("{}")
    (folder / "SOURCES.tsv").write_text("x")
    (folder / "FORMAT.md").write_text("x")
    result = cli.invoke(app, ["extract", str(folder), "--out", str(tmp_path / "out"), "--workers", "1"])
    assert result.exit_code == 1
    progress = [line for line in result.stderr.splitlines() if line.startswith("[")]
    assert progress[-1].startswith("[3/3]")
    assert "3 file(s) read in " in result.stdout and "1 document(s) extracted, 1 failed, 1 duplicate(s) skipped" in result.stdout
    assert sum("b.txt" in line for line in result.output.splitlines() if "same text" in line) == 1  # reported once
    assert "no supported format" not in result.output and "gold" not in result.output and "SOURCES" not in result.output


def test_progress_rate_excludes_start_up(tmp_path, plan_text):
    folder = tmp_path / "in"
    folder.mkdir()
    for i in range(3):
        (folder / f"{i}.txt").write_text(plan_text + f"\n第三章 第{i}项\n", encoding="utf-8")
    result = cli.invoke(app, ["extract", str(folder), "--out", str(tmp_path / "out"), "--workers", "1"])
    progress = [line for line in result.stderr.splitlines() if line.startswith("[")]
    assert "chars/s" not in progress[0]  # the first document carries the start-up: no rate yet
    assert all("chars/s" in line for line in progress[1:])


def _summary_lines(results, width: int) -> list[str]:
    from io import StringIO

    from rich.console import Console

    from planparse import report
    from planparse.runner import BatchResult

    buffer = StringIO()
    original = report._console
    report._console = lambda file=None: Console(file=buffer, width=width, color_system=None)
    try:
        report.print_summary(BatchResult(documents=results))
    finally:
        report._console = original
    return buffer.getvalue().splitlines()


def test_summary_fits_80_columns_with_paths_cut_in_the_middle():
    long_path = "/data/plans/" + "province/" * 8 + "某市卫生健康事业发展十四五规划_final.txt"
    from rich.cells import cell_len

    lines = [line for line in _summary_lines([make_result(source_path=long_path)], 80) if not line.startswith("warning:")]
    assert max(cell_len(line) for line in lines) <= 80  # terminal cells: a CJK character takes two
    row = next(line for line in lines if "…" in line)
    assert "/data/" in row and "final.txt" in row  # both ends kept
    assert sum("final.txt" in line for line in lines) == 1  # not wrapped over several lines
    assert "targ" in lines[1 + 2] or "targ" in "".join(lines[:4])  # the high-value columns stay (short headers)


def test_summary_summarised_past_a_few_hundred_documents():
    from planparse.report import MAX_TABLE_ROWS, WORST_SHOWN

    results = [make_result(source_path=f"plans/{i:05d}.txt") for i in range(MAX_TABLE_ROWS + 50)]
    lines = _summary_lines(results, 120)
    assert lines[0].startswith(f"{MAX_TABLE_ROWS + 50} documents: ")
    assert sum(".txt" in line for line in lines) == WORST_SHOWN


# ---------------------------------------------------------------- joins, nature / measure_kind


def test_table_targets_join_to_sections_and_nature_split(outputs):
    t = planparse.load(outputs)
    table_targets = t.targets[t.targets.source == "table"]
    assert len(table_targets) > 0 and table_targets.section_id.notna().all()
    joined = table_targets.merge(t.tables[["table_id", "section_id"]], on="table_id", suffixes=("", "_table"))
    assert (joined.section_id == joined.section_id_table).all()
    assert set(t.targets.nature.dropna()) <= {"预期性", "约束性"} and "约束性" in set(t.targets.nature)
    assert set(t.targets.measure_kind.dropna()) <= {"定量", "定性"}


def test_readme_join_query_avoids_null_to_null(outputs):
    """The README's "which agency is responsible for this target" query, run on outputs."""
    import pandas as pd

    t = planparse.load(outputs)
    resp = t.responsibilities.dropna(subset=["measure_id"])[["measure_id", "canonical_name", "role"]]
    own = t.targets.dropna(subset=["measure_id"])[["target_id", "nature", "measure_id"]]
    in_section = (
        t.targets[t.targets.measure_id.isna()].dropna(subset=["section_id"])[["target_id", "nature", "section_id"]]
        .merge(t.measures.dropna(subset=["section_id"])[["section_id", "measure_id"]], on="section_id")
        .drop(columns="section_id")
    )
    answer = pd.concat([own, in_section]).merge(resp, on="measure_id")
    naive = t.targets.merge(t.responsibilities, on="measure_id")
    assert answer.measure_id.notna().all() and "县医疗保障局" in set(answer.canonical_name)
    assert naive.measure_id.isna().any()  # what the dropna calls avoid: null keys matched to each other
    assert len(answer) < len(naive)


# ---------------------------------------------------------------- timeline


def test_year_deadline_drawn_inside_its_year():
    from planparse.models import Deadline
    from planparse.review import chart_date, timeline

    year = Deadline(doc_id="d", deadline_id="d-1", text="到2025年", date=dt.date(2025, 12, 31), granularity="year", quote="到2025年", char_start=0, char_end=6)
    month = year.model_copy(update={"text": "2024年3月底前", "date": dt.date(2024, 3, 31), "granularity": "month"})
    assert chart_date(year) == dt.date(2025, 7, 2) and chart_date(month) == dt.date(2024, 3, 16)
    svg = str(timeline([("plan", "p.html", [(chart_date(year), "y"), (chart_date(month), "m")])], "t"))
    grid = {int(y): float(x) for x, y in re.findall(r'<line x1="([\d.]+)"[^>]*/><text x="[\d.]+" [^>]*>(\d{4})</text>', svg)}
    dot = [float(x) for x in re.findall(r'<circle cx="([\d.]+)"', svg)]
    assert grid[2025] < dot[0] < grid[2025] + (grid[2025] - grid[2024])
    label_x = float(re.search(r'<text x="([\d.]+)"[^>]*>2025</text>', svg).group(1))
    assert abs(label_x - dot[0]) < 5  # the dot sits under its year's label


# ---------------------------------------------------------------- export and API


@pytest.mark.parametrize("fmt", ["jsonl", "csv"])
def test_export(outputs, tmp_path, fmt):
    out = tmp_path / "export"
    out.mkdir()
    (out / "mine.txt").write_text("keep")
    result = cli.invoke(app, ["export", str(outputs), "--out", str(out), "--format", fmt])
    assert result.exit_code == 0, result.output
    assert {p.name for p in out.iterdir()} == {f"{n}.{fmt}" for n in RECORD_TYPES} | {"mine.txt"}
    for name in RECORD_TYPES:
        expected = _rows(outputs, name)
        if fmt == "jsonl":
            rows = [json.loads(line) for line in (out / f"{name}.jsonl").read_text(encoding="utf-8").splitlines()]
        else:
            with open(out / f"{name}.csv", encoding="utf-8-sig", newline="") as fh:
                rows = list(csv.DictReader(fh))
        assert len(rows) == len(expected), name
    deadline = json.loads((out / "deadlines.jsonl").read_text().splitlines()[0]) if fmt == "jsonl" else None
    if deadline:
        assert re.fullmatch(r"\d{4}-\d{2}-\d{2}", deadline["date"])
    if fmt == "csv":
        with open(out / "tables.csv", encoding="utf-8-sig", newline="") as fh:
            table = next(csv.DictReader(fh))
        assert json.loads(table["header"]) == _rows(outputs, "tables")[0]["header"]
    bad = cli.invoke(app, ["export", str(outputs), "--out", str(out), "--format", "xlsx"])
    assert bad.exit_code == 2 and "--format" in bad.stderr
    _no_traceback(bad)


def test_in_memory_api(outputs):
    text = TABLE_PLAN.read_text(encoding="utf-8")
    from_text = planparse.extract(text)
    from_path = planparse.extract(str(TABLE_PLAN))
    assert len(from_text.documents) == len(from_path.documents) == 1
    assert from_path.documents[0].document.source_path == str(TABLE_PLAN)
    targets = from_text.to_pandas("targets")
    on_disk = planparse.load(outputs).targets
    on_disk = on_disk[on_disk.doc_id == from_text.documents[0].document.doc_id].reset_index(drop=True)
    assert list(targets.columns) == list(on_disk.columns)
    assert targets.indicator.tolist() == on_disk.indicator.tolist()
    assert str(targets.target_year.dtype) == "Int64"
    assert set(from_text.to_pandas()) == set(RECORD_TYPES)
    page = from_text._repr_html_()
    assert page.startswith("<iframe srcdoc=") and "hl hl-target" in page and "<script" not in page  # escaped inside srcdoc
    with pytest.raises(FileNotFoundError):
        planparse.extract(Path("/nonexistent/plan.txt"))


# ---------------------------------------------------------------- --rules


@pytest.fixture
def rules_copy(tmp_path):
    folder = tmp_path / "rules"
    shutil.copytree(rules_dir(), folder)
    yield folder
    use_rules(None)  # back to the shipped rules for the other tests


def _add_alias(folder: Path, alias: str, canonical: str) -> None:
    path = folder / "agencies.yaml"
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    data["aliases"][alias] = canonical
    path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")


def _canonical_names(out: Path) -> set[str]:
    return {r["canonical_name"] for r in _rows(out, "responsibilities")}


def test_rules_option_and_env(tmp_path, rules_copy, monkeypatch):
    plan = tmp_path / "plan.txt"
    plan.write_text(ALIAS_PLAN, encoding="utf-8")
    shipped = cli.invoke(app, ["extract", str(plan), "--out", str(tmp_path / "a"), "--workers", "1", "-q"])
    assert shipped.exit_code == 0 and _canonical_names(tmp_path / "a") == {"县卫生健康局"}

    _add_alias(rules_copy, "县卫生健康局", "县卫生健康委员会")  # what this county calls it
    by_option = cli.invoke(app, ["extract", str(plan), "--out", str(tmp_path / "b"), "--workers", "1", "-q", "--rules", str(rules_copy)])
    assert by_option.exit_code == 0 and _canonical_names(tmp_path / "b") == {"县卫生健康委员会"}

    use_rules(None)
    monkeypatch.setenv("PLANPARSE_RULES", str(rules_copy))
    by_env = cli.invoke(app, ["extract", str(plan), "--out", str(tmp_path / "c"), "--workers", "2", "-q"])
    assert by_env.exit_code == 0 and _canonical_names(tmp_path / "c") == {"县卫生健康委员会"}


@pytest.mark.parametrize(
    "edit, message",
    [
        (lambda d: d.pop("aliases"), "key 'aliases' is missing"),
        (lambda d: d.update(alias={"a": "b"}), "key 'alias' is not a rule key"),
        (lambda d: d.update(aliases=["县卫生健康局"]), "key 'aliases': expected a mapping, got a list"),
        (lambda d: d["aliases"].update({"县卫生健康局": ["县卫生健康委员会"]}), "key 'aliases.县卫生健康局': expected text, got a list"),
    ],
)
def test_bad_rules_copy_named_file_and_key(tmp_path, rules_copy, edit, message):
    path = rules_copy / "agencies.yaml"
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    edit(data)
    path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    plan = tmp_path / "plan.txt"
    plan.write_text(ALIAS_PLAN, encoding="utf-8")
    result = cli.invoke(app, ["extract", str(plan), "--out", str(tmp_path / "o"), "--rules", str(rules_copy)])
    assert result.exit_code == 2
    lines = _error_lines(result)
    assert len(lines) == 1 and str(path) in lines[0] and message in lines[0], lines
    assert not (tmp_path / "o").exists()
    _no_traceback(result)


def test_bad_pattern_and_unknown_file(rules_copy):
    path = rules_copy / "deadlines.yaml"
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    data["year"] = "(?:\\d{4}"
    path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    with pytest.raises(RulesError, match=r"deadlines\.yaml: key 'year': pattern .* does not compile"):
        RuleSet.load(rules_copy)
    path.unlink()
    (rules_copy / "agencys.yaml").write_text("gazetteer: []\n")
    with pytest.raises(RulesError, match="agencys.yaml: not a planparse rule file"):
        RuleSet.load(rules_copy)


# ---------------------------------------------------------------- validate (issue 13 §5)


def _rewrite(path: Path, edit) -> None:
    table = pq.read_table(path)
    rows = edit(table.to_pylist())
    pq.write_table(pa.Table.from_pylist(rows, schema=table.schema), path)


def _sections(rows):
    """The sections of the first document, in text order."""
    return sorted((r for r in rows if r["doc_id"] == rows[0]["doc_id"]), key=lambda r: r["char_start"])


@pytest.mark.parametrize(
    "name, edit, code",
    [
        ("documents", lambda rows: rows + rows[:1], "duplicate_id"),
        ("sections", lambda rows: [dict(r, parent_id=_sections(rows)[1]["section_id"]) if r["section_id"] == _sections(rows)[0]["section_id"] else dict(r, parent_id=_sections(rows)[0]["section_id"]) if r["section_id"] == _sections(rows)[1]["section_id"] else r for r in rows], "section_cycle"),
        ("sections", lambda rows: [dict(r, parent_id=r["section_id"]) if r is rows[0] else r for r in rows], "section_cycle"),
        ("sections", lambda rows: [dict(r, level=1) if r["parent_id"] is not None and r is next(x for x in rows if x["parent_id"] is not None) else r for r in rows], "section_level"),
    ],
    ids=["duplicate_document", "two_section_cycle", "self_parent", "child_at_level_1"],
)
def test_validate_rejects_broken_outputs(outputs, tmp_path, name, edit, code):
    folder = _copy(outputs, tmp_path / "out")
    def error_codes(result) -> set[str]:
        return {i["code"] for s in json.loads(result.stdout)["subjects"] for i in s["issues"] if i["severity"] == "error"}

    assert code not in error_codes(cli.invoke(app, ["validate", str(folder), "--format", "json"]))
    _rewrite(_record_file(folder, name), edit)
    before = snapshot(folder)
    result = cli.invoke(app, ["validate", str(folder), "--format", "json"])
    assert result.exit_code == 1
    assert snapshot(folder) == before
    assert code in error_codes(result)
    text = cli.invoke(app, ["validate", str(folder)])
    assert text.exit_code == 1 and f"[{code}]" in text.output
    _no_traceback(text)


# ---------------------------------------------------------------- fonts


def _empty_fontconfig(tmp_path: Path) -> Path:
    fonts = tmp_path / "no-fonts"
    fonts.mkdir()
    conf = tmp_path / "fonts.conf"
    conf.write_text(f'<?xml version="1.0"?><!DOCTYPE fontconfig SYSTEM "fonts.dtd"><fontconfig><dir>{fonts}</dir><cachedir>{tmp_path / "cache"}</cachedir></fontconfig>')
    return conf


CHROMIUM = Path("/usr/bin/chromium")
# Draws two different characters with the page's font stack and says whether their pixels differ:
# with a CJK font they do; without one both are the same empty box (tofu).
_GLYPH_PAGE = """<!DOCTYPE html><html><body><script>
function px(ch){{const c=document.createElement('canvas');c.width=c.height=40;const g=c.getContext('2d');
g.font='32px {stack}';g.fillText(ch,2,34);return Array.from(g.getImageData(0,0,40,40).data).join(',');}}
document.body.setAttribute('data-glyphs', px('中')===px('国') ? 'tofu' : 'distinct');
</script></body></html>"""


@pytest.mark.skipif(shutil.which("fc-list") is None or not CHROMIUM.exists(), reason="needs fontconfig (fc-list) and Debian's chromium")
def test_review_warns_without_a_cjk_font_and_chromium_agrees(outputs, tmp_path):
    from planparse.review import FONT_STACK

    page = tmp_path / "glyphs.html"
    page.write_text(_GLYPH_PAGE.format(stack=FONT_STACK.replace('"', "")), encoding="utf-8")
    results = {}
    for case, env in (("fonts", {}), ("no_fonts", {"FONTCONFIG_FILE": str(_empty_fontconfig(tmp_path))})):
        review = run_cli("review", str(outputs), "--out", str(tmp_path / case), env={**os.environ, **env})
        assert review.returncode == 0, review.stderr
        assert "Traceback" not in review.stderr
        index = (tmp_path / case / "index.html").read_text(encoding="utf-8")
        assert '"Noto Sans CJK SC"' in index and "sans-serif" in index  # the font stack with its fallbacks
        dom = subprocess.run(
            [str(CHROMIUM), "--headless", "--no-sandbox", "--disable-gpu", f"--user-data-dir={tmp_path / ('p-' + case)}", "--dump-dom", page.as_uri()],
            capture_output=True, text=True, timeout=120, env={**os.environ, **env},
        )
        assert dom.returncode == 0
        results[case] = (review.stderr, re.search(r'data-glyphs="(\w+)"', dom.stdout).group(1))
    assert "no font for Chinese" not in results["fonts"][0] and results["fonts"][1] == "distinct"
    assert "warning: no font for Chinese found" in results["no_fonts"][0] and "fonts-noto-cjk" in results["no_fonts"][0]
    assert results["no_fonts"][1] == "tofu"  # the warning is right: Chromium draws empty boxes
