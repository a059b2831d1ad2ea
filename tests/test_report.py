"""Extract feedback: quality grade inputs, progress lines off a terminal, the summary table and --json."""

from __future__ import annotations

import json

import pyarrow.parquet as pq
import pytest
from typer.testing import CliRunner

from planparse.cli import app
from planparse.models import Table, Target
from planparse.report import grade, structure_share, summarize, table_is_clean

from conftest import make_result

cli = CliRunner()


def test_structure_share_counts_solid_text_once():
    result = make_result()
    text = result.document.text
    m = result.measures[0]
    heading = result.sections[0]
    solid = lambda s: len("".join(s.split()))  # noqa: E731
    expected = (solid(text[heading.char_start : heading.heading_end]) + solid(text[m.char_start : m.char_end])) / solid(text)
    # The sample's table overlaps nothing else; drop it so the expectation is heading + measure.
    result.tables = []
    assert structure_share(result) == pytest.approx(expected)
    result.measures.append(m.model_copy())  # a duplicate span must not be counted twice
    assert structure_share(result) == pytest.approx(expected)
    result.sections, result.measures = [], []
    assert structure_share(result) == 0.0


def _table(header, rows, kind="indicator"):
    return Table(doc_id="d", table_id="d-t0", kind=kind, header=header, rows=rows, n_rows=len(rows), char_start=0, char_end=1)


def _target(text, value, comparator):
    return Target(doc_id="d", target_id="d-g0", source="table", table_id="d-t0", indicator="x", target_text=text,
                  target_value=value, comparator=comparator, quote="x", char_start=0, char_end=1)


def test_table_is_clean():
    header = ["指标", "目标"]
    assert table_is_clean(_table(header, [["a", "1"], ["b", "持续提升"]]), [_target("1", 1.0, "="), _target("持续提升", None, "qualitative")])
    assert not table_is_clean(_table(header, [["a", "1"], ["b"]]), [])  # ragged row
    assert not table_is_clean(_table(header, [["a", " "]]), [])  # blank cell
    assert not table_is_clean(_table(header, []), [])  # no rows
    assert not table_is_clean(_table(header, [["a", "约5"]]), [_target("约5", None, None)])  # value not parsed
    assert table_is_clean(_table([], [["专栏 text"]], kind="box"), [])


@pytest.mark.parametrize(
    ("structure", "clean", "total", "expected"),
    [(0.9, 0, 0, "good"), (0.9, 4, 5, "good"), (0.9, 3, 5, "fair"), (0.6, 1, 1, "fair"), (0.3, 1, 1, "poor"), (0.9, 1, 3, "poor")],
)
def test_grade_thresholds(structure, clean, total, expected):
    assert grade(structure, clean, total) == expected


def _inputs(tmp_path, plan_text):
    root = tmp_path / "in"
    root.mkdir()
    (root / "good.txt").write_text(plan_text, encoding="utf-8")
    (root / "second.txt").write_text(plan_text + "\n第三章 保障措施\n加强组织领导。\n", encoding="utf-8")
    (root / "empty.txt").write_bytes(b"")
    return root


def test_progress_lines_off_a_terminal(tmp_path, plan_text):
    result = cli.invoke(app, ["extract", str(_inputs(tmp_path, plan_text)), "--out", str(tmp_path / "out"), "--workers", "1"])
    assert result.exit_code == 1
    lines = [line for line in result.stderr.splitlines() if line.startswith("[")]
    assert [line.split("]")[0] for line in lines] == ["[1/3", "[2/3", "[3/3"]
    assert any("good.txt: " in line and "chars/s" in line for line in lines)
    assert any("empty.txt: failed (empty)" in line for line in lines)
    assert "\x1b[" not in result.stderr  # no terminal control codes in a log


def test_summary_table_matches_outputs(tmp_path, plan_text):
    out = tmp_path / "out"
    result = cli.invoke(app, ["extract", str(_inputs(tmp_path, plan_text)), "--out", str(out), "--workers", "1"])
    docs = pq.read_table(out / "documents.parquet").to_pylist()
    rows = [line for line in result.stdout.splitlines() if "good.txt" in line or "second.txt" in line]
    assert len(rows) == 2
    for doc in docs:
        name = doc["source_path"].rsplit("/", 1)[-1]
        row = next(line for line in rows if name in line)
        cells = [c.strip() for c in row.strip("│┃ ").split("│")]
        counts = [int(c) for c in cells[1:8]]
        expected = [
            sum(1 for r in pq.read_table(out / f"{n}.parquet").to_pylist() if r["doc_id"] == doc["doc_id"])
            for n in ("sections", "measures", "tables", "targets", "deadlines", "responsibilities", "agencies")
        ]
        assert counts == expected
        assert cells[-1] in ("good", "fair", "poor")
    assert "3 file(s) read in " in result.stdout and "2 document(s) extracted, 1 failed" in result.stdout


def test_quiet_has_no_progress_and_json_parses(tmp_path, plan_text):
    root = _inputs(tmp_path, plan_text)
    quiet = cli.invoke(app, ["extract", str(root), "--out", str(tmp_path / "q"), "--quiet", "--workers", "1"])
    assert quiet.stdout == "" and not any(line.startswith("[") for line in quiet.stderr.splitlines())

    result = cli.invoke(app, ["extract", str(root), "--out", str(tmp_path / "j"), "--json", "--workers", "1"])
    assert result.exit_code == 1
    report = json.loads(result.stdout)
    assert report["n_files"] == 3 and report["n_documents"] == 2 and report["n_errors"] == 1
    assert report["errors"][0]["error_type"] == "empty"
    targets = pq.read_table(tmp_path / "j" / "targets.parquet").num_rows
    assert report["totals"]["targets"] == targets == sum(d["counts"]["targets"] for d in report["documents"])
    assert sum(report["grades"].values()) == 2
    assert not any(line.startswith("[") for line in result.stderr.splitlines())


def test_corpus_summaries(corpus_results):
    # Every corpus document gets a grade from shares in [0, 1]; plans with numbered measures are not poor.
    for result in corpus_results:
        summary = summarize(result)
        assert 0.0 <= summary.structure_share <= 1.0
        assert summary.clean_tables <= summary.n_tables == len(result.tables)
        if len(result.measures) >= 10:
            assert summary.grade != "poor", result.document.source_path
