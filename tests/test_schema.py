"""JSON Schemas: generated from the models, checked in without drift, consistent with the Parquet types."""

from __future__ import annotations

import json
from pathlib import Path

import pyarrow as pa
import pytest
from jsonschema import Draft202012Validator
from typer.testing import CliRunner

import planparse
from planparse.cli import app
from planparse.models import RECORD_TYPES, SCHEMA_VERSION
from planparse.schema import dumps, load_schemas, record_schemas, schema_path, stale_schemas, write_schemas
from planparse.write import arrow_schema, read_metadata, write_outputs

SCHEMAS = Path(__file__).resolve().parent.parent / "schemas"
cli = CliRunner()


def test_checked_in_schemas_match_the_models():
    stale = stale_schemas(SCHEMAS)
    assert not stale, f"schemas/ is out of date for {stale}: run `planparse schema --out schemas/`"
    assert sorted(p.name for p in SCHEMAS.glob("*.json")) == sorted(f"{n}.schema.json" for n in RECORD_TYPES)


def test_drift_is_detected(tmp_path):
    write_schemas(tmp_path)
    assert stale_schemas(tmp_path) == []
    path = schema_path(tmp_path, "targets")
    schema = json.loads(path.read_text(encoding="utf-8"))
    del schema["properties"]["quote"]  # as if a field had been added to the model but not to the file
    path.write_text(dumps(schema), encoding="utf-8")
    schema_path(tmp_path, "agencies").unlink()
    assert stale_schemas(tmp_path) == ["targets", "agencies"]
    result = cli.invoke(app, ["schema", "--out", str(tmp_path), "--check"])
    assert result.exit_code == 1
    assert "targets.schema.json" in result.output and "agencies.schema.json" in result.output
    assert cli.invoke(app, ["schema", "--out", str(tmp_path)]).exit_code == 0
    assert cli.invoke(app, ["schema", "--out", str(tmp_path), "--check"]).exit_code == 0


@pytest.mark.parametrize("name", list(RECORD_TYPES))
def test_schema_is_valid_and_versioned(name):
    schema = load_schemas(SCHEMAS)[name]
    Draft202012Validator.check_schema(schema)
    assert schema["version"] == SCHEMA_VERSION
    assert SCHEMA_VERSION in schema["$id"] and name in schema["$id"]
    # every Parquet column, in the file's order, required, nothing else allowed
    assert list(schema["properties"]) == arrow_schema(name).names == schema["required"]
    assert schema["additionalProperties"] is False
    for column, prop in schema["properties"].items():
        assert prop.get("description"), f"{name}.{column} has no description"


def _enum(schema: dict, column: str) -> list:
    prop = schema["properties"][column]
    ref = prop.get("$ref") or next(a["$ref"] for a in prop["anyOf"] if "$ref" in a)
    return schema["$defs"][ref.rsplit("/", 1)[-1]]["enum"]


def test_enums_for_kinds_roles_comparators():
    schemas = record_schemas()
    assert _enum(schemas["tables"], "kind") == ["indicator", "box", "task", "other"]
    assert _enum(schemas["responsibilities"], "role") == ["lead", "support", "responsible", "co_lead"]
    assert {">=", "<=", "~", "maintain", "qualitative"} <= set(_enum(schemas["targets"], "comparator"))
    assert _enum(schemas["targets"], "source") == ["table", "text"]
    assert "quarter" in _enum(schemas["deadlines"], "granularity")
    assert "provincial" in _enum(schemas["agencies"], "level")


# JSON Schema type of each Arrow type the writer uses.
_JSON_OF_ARROW = {pa.string(): "string", pa.int64(): "integer", pa.float64(): "number", pa.bool_(): "boolean", pa.date32(): "string", pa.binary(): "string"}


def _json_type(prop: dict, defs: dict) -> tuple[str, bool]:
    """(JSON type, nullable) of one property."""
    if "anyOf" in prop:
        (inner,) = [a for a in prop["anyOf"] if a.get("type") != "null"]
        return _json_type(inner, defs)[0], True
    if "$ref" in prop:
        return defs[prop["$ref"].rsplit("/", 1)[-1]]["type"], False
    return prop["type"], False


@pytest.mark.parametrize("name", list(RECORD_TYPES))
def test_arrow_types_and_schemas_come_from_the_same_models(name):
    schema = record_schemas()[name]
    for f in arrow_schema(name):
        prop = schema["properties"][f.name]
        json_type, nullable = _json_type(prop, schema.get("$defs", {}))
        assert nullable == f.nullable, (name, f.name)
        if pa.types.is_list(f.type):
            assert json_type == "array", (name, f.name)
        else:
            assert json_type == _JSON_OF_ARROW[f.type], (name, f.name)
        if f.type == pa.date32():
            inner = next((a for a in prop.get("anyOf", []) if a.get("type") != "null"), prop)  # nullable dates
            assert inner["format"] == "date"
        if f.type == pa.binary():  # raw bytes travel in JSON as base64 (export, validate)
            inner = next((a for a in prop.get("anyOf", []) if a.get("type") != "null"), prop)
            assert inner["contentEncoding"] == "base64"


def test_schema_rejects_what_the_model_rejects(sample_records):
    schemas = record_schemas()
    target = sample_records["targets"][0].model_dump(mode="json")
    validator = Draft202012Validator(schemas["targets"], format_checker=Draft202012Validator.FORMAT_CHECKER)
    assert validator.is_valid(target)
    assert not validator.is_valid({**target, "comparator": "at least"})
    assert not validator.is_valid({**target, "char_start": -1})
    assert not validator.is_valid({k: v for k, v in target.items() if k != "unit"})  # every column present
    assert not validator.is_valid({**target, "extra": 1})
    deadline = sample_records["deadlines"][0].model_dump(mode="json")
    dv = Draft202012Validator(schemas["deadlines"], format_checker=Draft202012Validator.FORMAT_CHECKER)
    assert dv.is_valid(deadline) and not dv.is_valid({**deadline, "date": "2024-13-45"})


def test_parquet_carries_schema_and_planparse_versions(tmp_path, sample_records):
    out = write_outputs(sample_records, tmp_path / "out")
    for name in RECORD_TYPES:
        meta = read_metadata(out / name / "part-000000.parquet")
        assert meta == {"schema_version": SCHEMA_VERSION, "planparse_version": planparse.__version__, "record_type": name}
