"""planparse validate: the real corpus and its extracted outputs pass; each kind of failure is caught."""

from __future__ import annotations

import copy
import json
import shutil
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from typer.testing import CliRunner

from planparse.cli import app
from planparse.load import read_record_table
from planparse.models import RECORD_TYPES
from planparse.validate import Lines, check_document, result_rows, validate_outputs, validators
from planparse.write import arrow_schema, write_outputs

from conftest import CORPUS

cli = CliRunner()


def _validate(*args: str):
    return cli.invoke(app, ["validate", *map(str, args), "--workers", "1"])


@pytest.fixture(scope="session")
def small_outputs(tmp_path_factory, corpus_results) -> Path:
    """Outputs of one small corpus document with records of most types, to damage in tests."""
    doc = min(
        (r for r in corpus_results if r.measures and r.deadlines and r.agencies and r.sections),
        key=lambda r: len(r.document.text),
    )
    records = doc.records()
    records["errors"] = []
    return write_outputs(records, tmp_path_factory.mktemp("small") / "out")


@pytest.fixture
def outputs(tmp_path, small_outputs) -> Path:
    return Path(shutil.copytree(small_outputs, tmp_path / "out"))


def _rows(folder: Path, name: str) -> list[dict]:
    return pq.read_table(folder / name / "part-000000.parquet").to_pylist()


def _rewrite(folder: Path, name: str, rows: list[dict], schema: pa.Schema | None = None) -> None:
    pq.write_table(pa.Table.from_pylist(rows, schema=schema or arrow_schema(name)), folder / name / "part-000000.parquet")


def _issues(report, code: str):
    return [i for s in report.subjects for i in s.issues if i.code == code]


# ------------------------------------------------------------------ passing


def test_real_corpus_passes():
    # The plain-text plans: the annotated texts and corpus/wild (native formats: test_readers).
    texts = sorted(CORPUS.glob("*.txt")) + [CORPUS / "wild"]
    result = _validate(*texts)
    assert result.exit_code == 0, result.output
    lines = result.stdout.splitlines()
    n_texts = len(list(CORPUS.glob("*.txt"))) + len(list((CORPUS / "wild").glob("*.txt")))
    # one line per document, then the summary
    assert sum(line.startswith(("ok ", "warnings ")) for line in lines) == n_texts
    assert lines[-1].startswith(f"passed: {n_texts} document(s) checked")
    assert "cleaned text" in lines[-1]


def test_extracted_outputs_pass(extracted):
    result = _validate(extracted, "--format", "json")
    assert result.exit_code == 0, result.output
    report = json.loads(result.stdout)
    assert report["ok"] is True
    files = [s for s in report["subjects"] if s["kind"] == "file"]
    docs = [s for s in report["subjects"] if s["kind"] == "document"]
    assert sorted(Path(s["path"]).name for s in files) == sorted(RECORD_TYPES)
    assert all(s["status"] == "ok" for s in files), [s for s in files if s["status"] != "ok"]
    assert len(docs) == read_record_table(extracted, "documents").num_rows > 0
    assert report["summary"]["failed"] == 0


def test_json_report_for_texts(tmp_path, plan_text):
    (tmp_path / "plan.txt").write_text(plan_text, encoding="utf-8")
    result = _validate(tmp_path / "plan.txt", "--format", "json")
    report = json.loads(result.stdout)
    assert result.exit_code == 0 and report["ok"] is True
    (doc,) = report["subjects"]
    assert doc["kind"] == "document" and doc["doc_id"] and doc["counts"]["sections"] >= 1


# ------------------------------------------------------------------ plan texts that fail


def test_text_without_headings_fails(tmp_path, plan_text):
    (tmp_path / "good.txt").write_text(plan_text, encoding="utf-8")
    # Over 3,000 characters (rules/coverage.yaml headingless_min_chars) a plan must have headings.
    (tmp_path / "flat.txt").write_text(
        "各区要加强组织领导，认真落实各项工作任务。\n要强化督促检查，确保各项措施落到实处。\n" * 80, encoding="utf-8"
    )
    (tmp_path / "notice.txt").write_text("各区要加强组织领导，认真落实各项工作任务。\n", encoding="utf-8")
    result = _validate(tmp_path)
    assert result.exit_code == 1
    failed = [line for line in result.stdout.splitlines() if line.startswith("FAIL ")]
    assert len(failed) == 1 and "flat.txt" in failed[0]
    assert "no headings found" in result.stdout and "[no_heading]" in result.stdout
    assert any(line.startswith("ok") and "good.txt" in line for line in result.stdout.splitlines())
    # a short notice without headings is a warning, not a failure
    assert any(line.startswith("warnings") and "notice.txt" in line for line in result.stdout.splitlines())
    assert result.stdout.splitlines()[-1].startswith("FAILED: 3 document(s) checked: 1 ok")


def test_undecodable_file_fails(tmp_path):
    (tmp_path / "scan.txt").write_bytes(b"%PDF-1.7\n\x00\x01binary")
    result = _validate(tmp_path)
    assert result.exit_code == 1
    assert "FAIL" in result.stdout and "not a readable plan text" in result.stdout and "PDF" in result.stdout


def test_usage_errors_exit_2(tmp_path):
    assert _validate(tmp_path / "missing").exit_code == 2
    (tmp_path / "notes.md").write_text("# notes\n", encoding="utf-8")
    result = _validate(tmp_path)
    assert result.exit_code == 2 and "no .txt files or Parquet outputs" in result.output
    assert _validate(CORPUS / "01_wufei_chengshi_shidian_fangan.txt", "--format", "xml").exit_code == 2


# ------------------------------------------------------------------ record-level checks


@pytest.fixture(scope="module")
def with_table(corpus_results):
    """A corpus document with an indicator table whose targets were parsed."""
    return next(r for r in corpus_results if any(t.kind == "indicator" for t in r.tables) and r.measures)


def test_clean_document_has_no_issues(with_table):
    doc, records = result_rows(with_table)
    assert [i for i in check_document(doc, records, validators()) if i.severity == "error"] == []


def test_table_with_missing_cell(with_table):
    doc, records = result_rows(with_table)
    table = next(t for t in records["tables"] if t["kind"] == "indicator")
    row = table["rows"][2]
    row.pop()  # drop the last cell of the third row
    (issue,) = [i for i in check_document(doc, records) if i.code == "table_not_rectangular"]
    assert issue.severity == "error" and issue.record_id == table["table_id"]
    assert f"row 3 has {len(row)} cells, the header has {len(table['header'])}" in issue.message
    # the line of the row's first cell in the cleaned text
    at = doc["text"].find(row[0], table["char_start"], table["char_end"])
    assert issue.line == doc["text"].count("\n", 0, at) + 1


def test_table_without_header(with_table):
    doc, records = result_rows(with_table)
    table = next(t for t in records["tables"] if t["kind"] == "indicator")
    table["header"] = []
    assert any(i.code == "table_no_header" for i in check_document(doc, records))


def test_offset_that_does_not_match_the_text(with_table):
    doc, records = result_rows(with_table)
    deadline = records["deadlines"][0]
    deadline["char_start"] += 1
    (issue,) = [i for i in check_document(doc, records) if i.code == "not_grounded"]
    assert issue.record_type == "deadlines" and "not its quote" in issue.message
    assert issue.line == doc["text"].count("\n", 0, deadline["char_start"]) + 1
    section = records["sections"][1]
    section["heading_end"] = section["char_start"]
    assert any(i.code == "not_grounded" and i.record_type == "sections" for i in check_document(doc, records))
    records["agencies"][0]["char_end"] = len(doc["text"]) + 5
    assert any(i.code == "offset_out_of_range" for i in check_document(doc, records))


def test_dangling_references_and_duplicate_ids(with_table):
    doc, records = result_rows(with_table)
    records["deadlines"][0]["measure_id"] = "nowhere-m99"
    records["sections"][-1]["parent_id"] = "nowhere-s99"
    records["measures"].append(copy.deepcopy(records["measures"][0]))
    issues = check_document(doc, records)
    dangling = [i.message for i in issues if i.code == "dangling_reference"]
    assert any("measure_id 'nowhere-m99' names no record in measures" in m for m in dangling)
    assert any("parent_id 'nowhere-s99' names no record in sections" in m for m in dangling)
    (dup,) = [i for i in issues if i.code == "duplicate_id"]
    assert dup.record_id == records["measures"][0]["measure_id"] and "used by 2 records" in dup.message


def test_indicator_row_needs_parsed_target_or_warning(with_table):
    doc, records = result_rows(with_table)
    target = next(g for g in records["targets"] if g["source"] == "table" and g["target_value"] is not None)
    target.update(target_text="争取明显好转", target_value=None, comparator=None, warnings=[])
    (issue,) = [i for i in check_document(doc, records) if i.code == "target_unparsed"]
    assert "'争取明显好转'" in issue.message and issue.severity == "error"
    target["warnings"] = ["target: no number"]
    assert not [i for i in check_document(doc, records) if i.code == "target_unparsed"]


def test_schema_violation_in_a_record(with_table):
    doc, records = result_rows(with_table)
    records["sections"][0]["level"] = 0
    records["tables"][0]["kind"] = "chart"
    messages = [i.message for i in check_document(doc, records, validators()) if i.code == "schema"]
    assert any("level" in m and "minimum" in m for m in messages)
    assert any("kind" in m and "'chart'" in m for m in messages)


def test_document_without_title_or_heading(with_table):
    doc, records = result_rows(with_table)
    doc["title"] = None
    doc["n_chars"] = 5000
    records = {**records, "sections": [], "measures": [], "tables": [], "targets": [], "deadlines": [], "responsibilities": [], "agencies": []}
    codes = {i.code for i in check_document(doc, records)}
    assert {"no_title", "no_heading"} <= codes


def test_line_numbers():
    lines = Lines("a\nbc\n\nd")
    assert [lines(i) for i in (0, 1, 2, 4, 5, 6)] == [1, 1, 2, 2, 3, 4]  # offset 4 is the newline ending line 2


# ------------------------------------------------------------------ outputs that fail


def test_small_outputs_pass(outputs):
    report = validate_outputs(outputs)
    assert report.ok, [str(i) for s in report.subjects for i in s.errors]


def test_parquet_column_removed(outputs):
    rows = _rows(outputs, "measures")
    schema = arrow_schema("measures")
    schema = schema.remove(schema.get_field_index("title"))
    _rewrite(outputs, "measures", [{k: v for k, v in r.items() if k != "title"} for r in rows], schema)
    result = _validate(outputs)
    assert result.exit_code == 1
    assert "column 'title' (string) is missing [missing_column]" in result.stdout
    fail = next(line for line in result.stdout.splitlines() if line.startswith("FAIL "))
    assert fail.split()[1].endswith("measures:")


def test_parquet_wrong_type(outputs):
    rows = _rows(outputs, "deadlines")
    schema = arrow_schema("deadlines")
    schema = schema.set(schema.get_field_index("char_start"), pa.field("char_start", pa.string(), nullable=False))
    _rewrite(outputs, "deadlines", [{**r, "char_start": str(r["char_start"])} for r in rows], schema)
    report = validate_outputs(outputs)
    assert not report.ok
    (issue,) = _issues(report, "wrong_type")
    assert issue.message == "column 'char_start' is string, expected int64"


def test_parquet_dangling_measure_id(outputs):
    rows = _rows(outputs, "deadlines")
    rows[0]["measure_id"] = "0000000000000000-m999"
    _rewrite(outputs, "deadlines", rows)
    result = _validate(outputs)
    assert result.exit_code == 1
    assert "measure_id '0000000000000000-m999' names no record in measures" in result.stdout
    assert "[dangling_reference]" in result.stdout


def test_parquet_offset_not_matching_text(outputs):
    rows = _rows(outputs, "agencies")
    rows[0]["char_start"] += 1
    _rewrite(outputs, "agencies", rows)
    report = validate_outputs(outputs)
    (issue,) = _issues(report, "not_grounded")
    assert issue.record_type == "agencies" and issue.line is not None and "not its name" in issue.message


def test_parquet_bad_row_value(outputs):
    rows = _rows(outputs, "deadlines")
    rows[0]["granularity"] = "fortnight"
    _rewrite(outputs, "deadlines", rows)
    (issue,) = _issues(validate_outputs(outputs), "schema")
    assert "row 1" in issue.message and "'fortnight' is not one of" in issue.message


def test_parquet_doc_id_without_document(outputs):
    rows = _rows(outputs, "measures")
    rows[-1]["doc_id"] = "ffffffffffffffff"
    _rewrite(outputs, "measures", rows)
    messages = [i.message for i in _issues(validate_outputs(outputs), "dangling_reference")]
    assert any("doc_id 'ffffffffffffffff' names no document" in m for m in messages)


def test_parquet_metadata_and_missing_file(outputs):
    table = pq.read_table(outputs / "targets" / "part-000000.parquet")
    pq.write_table(table.replace_schema_metadata({}), outputs / "targets" / "part-000000.parquet")
    table = pq.read_table(outputs / "sections" / "part-000000.parquet")
    meta = {b"planparse": json.dumps({"schema_version": "0.9", "planparse_version": "0.0.1", "record_type": "sections"}).encode()}
    pq.write_table(table.replace_schema_metadata(meta), outputs / "sections" / "part-000000.parquet")
    shutil.rmtree(outputs / "errors")
    report = validate_outputs(outputs)
    messages = [str(i) for i in _issues(report, "metadata")]
    assert any("no 'planparse' key-value metadata" in m for m in messages)
    assert any("schema_version is '0.9'" in m for m in messages)
    assert [i.message for i in _issues(report, "missing_file")] == ["errors is missing: no errors/part-*.parquet (planparse writes all nine record types)"]
    assert not report.ok
