"""Parquet writer: schemas derived from the models, part files, round trips, metadata, atomic replacement."""

from __future__ import annotations

import datetime as dt
import json
import os

import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

import planparse
from planparse import write
from planparse.models import RECORD_TYPES, SCHEMA_VERSION
from planparse.load import read_record_table
from planparse.write import MANIFEST, arrow_schema, read_manifest, read_metadata, write_outputs
from robust_helpers import snapshot


def _part(out, name):
    return out / name / "part-000000.parquet"


def test_contract_column_types():
    targets = arrow_schema("targets")
    assert targets.field("baseline_value").type == pa.float64()
    assert targets.field("baseline_value").nullable
    assert targets.field("target_year").type == pa.int64()
    assert targets.field("comparator").type == pa.string()  # enum -> string
    assert targets.field("indicator").type == pa.string() and not targets.field("indicator").nullable
    assert targets.field("warnings").type == pa.list_(pa.string())
    tables = arrow_schema("tables")
    assert tables.field("rows").type == pa.list_(pa.list_(pa.string()))
    assert tables.field("header").type == pa.list_(pa.string())
    assert arrow_schema("deadlines").field("date").type == pa.date32()
    assert arrow_schema("sections").field("level").type == pa.int64()
    for name in ("documents", "errors"):  # the raw bytes of a name that is not UTF-8, null otherwise
        assert arrow_schema(name).field("source_path_bytes").type == pa.binary()
        assert arrow_schema(name).field("source_path_bytes").nullable
    # doc_id leads, the inherited offsets come last
    assert arrow_schema("measures").names[0] == "doc_id"
    assert arrow_schema("measures").names[-2:] == ["char_start", "char_end"]


def test_every_model_field_becomes_a_column():
    for name, model in RECORD_TYPES.items():
        assert set(arrow_schema(name).names) == set(model.model_fields), name


def test_unsupported_annotation_is_refused():
    with pytest.raises(TypeError):
        write.arrow_type(dict[str, int])
    with pytest.raises(TypeError):
        write.arrow_type(int | str)


def test_round_trip_every_record_type(tmp_path, sample_records):
    out = write_outputs(sample_records, tmp_path / "out")
    assert sorted(p.name for p in out.iterdir()) == sorted([*RECORD_TYPES, MANIFEST])
    assert read_manifest(out) == sorted(f"{n}/part-000000.parquet" for n in RECORD_TYPES)
    for name, records in sample_records.items():
        path = _part(out, name)
        table = pq.read_table(path)
        expected = arrow_schema(name)
        assert [(f.name, f.type) for f in table.schema] == [(f.name, f.type) for f in expected], name
        assert table.num_rows == len(records) > 0
        frame = pd.read_parquet(path)
        for row, record in zip(frame.to_dict("records"), records):
            dumped = record.model_dump()
            for column, value in dumped.items():
                got = row[column]
                if isinstance(value, list):
                    got = [list(x) if hasattr(x, "__len__") and not isinstance(x, str) else x for x in got]
                elif value is None:
                    assert got is None or pd.isna(got), (name, column)
                    continue
                assert got == value, (name, column)
    # provenance survives the round trip
    docs = pd.read_parquet(_part(out, "documents"))
    text = docs.loc[0, "text"]
    for _, row in pd.read_parquet(_part(out, "deadlines")).iterrows():
        assert text[row.char_start : row.char_end] == row.quote
    assert pd.read_parquet(_part(out, "deadlines")).loc[0, "date"] == dt.date(2024, 12, 31)


def test_metadata_names_schema_and_record_type(tmp_path, sample_records):
    out = write_outputs(sample_records, tmp_path / "out")
    for name in RECORD_TYPES:
        meta = read_metadata(_part(out, name))
        assert meta == {
            "schema_version": SCHEMA_VERSION,
            "planparse_version": planparse.__version__,
            "record_type": name,
        }


def test_all_nine_files_written_even_when_empty(tmp_path):
    out = write_outputs({}, tmp_path / "out")
    for name in RECORD_TYPES:
        table = pq.read_table(_part(out, name))
        assert table.num_rows == 0
        assert table.schema.names == arrow_schema(name).names
    # and the empty files load in DuckDB with their columns
    duckdb = pytest.importorskip("duckdb")
    cols = duckdb.sql(f"select * from read_parquet('{out / 'targets' / '*.parquet'}')").columns
    assert cols == arrow_schema("targets").names


def test_unknown_record_type_refused(tmp_path):
    with pytest.raises(ValueError):
        write_outputs({"nonsense": []}, tmp_path / "out")


def test_out_that_is_a_file_refused(tmp_path, sample_records):
    target = tmp_path / "out"
    target.write_text("not a folder")
    with pytest.raises(write.OutputFolderError, match="is a file"):
        write_outputs(sample_records, target)
    assert target.read_text() == "not a folder"


def test_failure_midway_leaves_previous_outputs_intact(tmp_path, sample_records, monkeypatch):
    out = tmp_path / "out"
    write_outputs(sample_records, out)
    before = snapshot(out)

    calls = []
    real_write_table = pq.write_table

    def failing_write_table(table, path, *args, **kwargs):
        calls.append(path)
        if len(calls) == 5:  # some files are already written by then
            raise OSError("disk full")
        return real_write_table(table, path, *args, **kwargs)

    monkeypatch.setattr(write.pq, "write_table", failing_write_table)
    with pytest.raises(OSError, match="disk full"):
        write_outputs({"documents": []}, out)
    assert snapshot(out) == before
    assert sorted(os.listdir(tmp_path)) == ["out"]  # no temporary folder left behind


def test_record_failing_to_serialise_leaves_previous_outputs_intact(tmp_path, sample_records, sample_result, monkeypatch):
    out = tmp_path / "out"
    write_outputs(sample_records, out)
    before = snapshot(out)
    bad = sample_result.measures[0].model_copy()
    monkeypatch.setattr(type(bad), "model_dump", lambda self, **kw: (_ for _ in ()).throw(RuntimeError("boom")))
    with pytest.raises(RuntimeError, match="boom"):
        write_outputs({"measures": [bad]}, out)
    monkeypatch.undo()
    assert snapshot(out) == before
    assert sorted(os.listdir(tmp_path)) == ["out"]


def test_failed_swap_puts_old_outputs_back(tmp_path, sample_records, monkeypatch):
    # Where the atomic exchange is unsupported, the two-rename fallback restores the old folder.
    out = tmp_path / "out"
    write_outputs(sample_records, out)
    before = snapshot(out)
    real_replace = os.replace
    failed = []

    def flaky_replace(src, dst):
        if os.fspath(dst) == os.fspath(out) and not failed:  # old moved away, new one fails to move in
            failed.append(src)
            raise OSError("interrupted")
        return real_replace(src, dst)

    monkeypatch.setattr(write, "_exchange", lambda a, b: False)
    monkeypatch.setattr(write.os, "replace", flaky_replace)
    with pytest.raises(OSError, match="interrupted"):
        write_outputs({}, out)
    monkeypatch.undo()
    assert snapshot(out) == before
    assert sorted(os.listdir(tmp_path)) == ["out"]


def test_rewrite_refuses_foreign_files_and_force_keeps_them(tmp_path, sample_records):
    out = tmp_path / "out"
    write_outputs(sample_records, out)
    (out / "README.md").write_text("kept")
    with pytest.raises(write.OutputFolderError, match="README.md"):
        write_outputs({}, out)
    assert read_record_table(out, "documents").num_rows == 1
    write_outputs({}, out, force=True)
    assert (out / "README.md").read_text() == "kept"
    assert read_record_table(out, "documents").num_rows == 0
    assert json.loads(pq.read_schema(_part(out, "errors")).metadata[b"planparse"])["record_type"] == "errors"


def test_part_files_concatenate_in_shard_order(tmp_path, sample_records):
    work = tmp_path / "work"
    work.mkdir()
    docs = sample_records["documents"]
    second = docs[0].model_copy(update={"doc_id": "ffffffffffffffff", "source_path": "z.txt"})
    write.write_shard(work, 1, {"documents": [second]})
    write.write_shard(work, 0, {"documents": docs})
    write.write_shard(work, 1, {"documents": [second]})  # a retried shard replaces its part
    assert [r["source_path"] for r in read_record_table(work, "documents").to_pylist()] == ["plan.txt", "z.txt"]
    assert sorted(p.name for p in (work / "documents").iterdir()) == ["part-000000.parquet", "part-000001.parquet"]


def test_records_table_equals_arrow_from_pylist(corpus_results):
    """records_table builds tables through Arrow's JSON reader (no pandas import): the table must be
    the one pa.Table.from_pylist builds from the same rows, schema metadata included."""
    checked = set()
    for result in corpus_results:
        for name, records in result.records().items():
            rows = [r.model_dump() for r in records]
            expected = pa.Table.from_pylist(rows, schema=arrow_schema(name))
            assert write.records_table(name, records).equals(expected, check_metadata=True), name
            if rows:
                checked.add(name)
    assert {"documents", "targets", "deadlines", "tables"} <= checked  # dates, floats, nested lists


def test_records_table_keeps_values_json_cannot_carry(sample_records):
    target = sample_records["targets"][0].model_copy(update={"target_value": float("inf")})
    table = write.records_table("targets", [target])
    assert table.column("target_value").to_pylist() == [float("inf")]
    assert table.schema.equals(arrow_schema("targets"), check_metadata=True)
    document = sample_records["documents"][0].model_copy(update={"source_path": "plan_\\xff.txt", "source_path_bytes": b"plan_\xff.txt"})
    table = write.records_table("documents", [document, sample_records["documents"][0]])
    assert table.column("source_path_bytes").to_pylist() == [b"plan_\xff.txt", None]
    assert table.schema.equals(arrow_schema("documents"), check_metadata=True)
