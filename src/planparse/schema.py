"""JSON Schemas of the record types, generated from the pydantic models (``planparse schema``).

The checked-in ``schemas/*.schema.json`` are exactly what :func:`record_schemas` returns (a test fails
on drift), so the models stay the single source of truth and the files are the published contract.
Each schema describes one row of ``<name>.parquet``: every column is required (nullable ones may be
null), properties are listed in the Parquet column order, and ``$id``/``version`` carry
``models.SCHEMA_VERSION``.
"""

from __future__ import annotations

import json
import os
from functools import lru_cache
from pathlib import Path

from planparse.models import RECORD_TYPES, SCHEMA_VERSION
from planparse.write import arrow_schema

JSON_SCHEMA_DIALECT = "https://json-schema.org/draft/2020-12/schema"
SUFFIX = ".schema.json"


def schema_id(name: str) -> str:
    """``$id`` of record type ``name``: a URN naming the record type and the schema version."""
    return f"urn:planparse:schema:{SCHEMA_VERSION}:{name}"


def record_schema(name: str) -> dict:
    """JSON Schema of one row of record type ``name`` (a key of models.RECORD_TYPES)."""
    return json.loads(json.dumps(_record_schemas()[name]))  # a copy: callers may edit it


def record_schemas() -> dict[str, dict]:
    """Every record type's JSON Schema, keyed by record type, in RECORD_TYPES order."""
    return {name: record_schema(name) for name in RECORD_TYPES}


@lru_cache(maxsize=1)
def _record_schemas() -> dict[str, dict]:
    return {name: _build(name) for name in RECORD_TYPES}


def _build(name: str) -> dict:
    model = RECORD_TYPES[name]
    generated = model.model_json_schema(mode="serialization")
    # Parquet column order (doc_id first, offsets last), so the schema reads like the file.
    columns = arrow_schema(name).names
    properties = {col: generated["properties"][col] for col in columns}
    for prop in properties.values():
        prop.pop("title", None)  # "Doc Id" etc. add nothing to the description
    schema = {
        "$schema": JSON_SCHEMA_DIALECT,
        "$id": schema_id(name),
        "title": f"planparse {name} record",
        "description": f"One row of {name}.parquet, as written by planparse (schema version {SCHEMA_VERSION}).",
        "version": SCHEMA_VERSION,
        "type": "object",
        "properties": properties,
        # Every column is present in every row; optional values are null, never absent.
        "required": list(columns),
        "additionalProperties": False,
    }
    if "$defs" in generated:
        schema["$defs"] = generated["$defs"]
    return schema


def dumps(schema: dict) -> str:
    """The exact text of a checked-in schema file."""
    return json.dumps(schema, ensure_ascii=False, indent=2) + "\n"


def schema_path(folder: str | os.PathLike, name: str) -> Path:
    return Path(folder) / f"{name}{SUFFIX}"


def write_schemas(out: str | os.PathLike) -> list[Path]:
    """Write every schema into ``out`` (created if needed); returns the paths written."""
    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    paths = []
    for name, schema in record_schemas().items():
        path = schema_path(out, name)
        path.write_text(dumps(schema), encoding="utf-8")
        paths.append(path)
    return paths


def stale_schemas(folder: str | os.PathLike) -> list[str]:
    """Record types whose file in ``folder`` is missing or differs from what the models generate."""
    stale = []
    for name, schema in record_schemas().items():
        path = schema_path(folder, name)
        if not path.is_file() or path.read_text(encoding="utf-8") != dumps(schema):
            stale.append(name)
    return stale


def load_schemas(folder: str | os.PathLike) -> dict[str, dict]:
    """Schemas read from ``folder`` (one ``<name>.schema.json`` per record type). Raises on a missing file."""
    schemas = {}
    for name in RECORD_TYPES:
        path = schema_path(folder, name)
        if not path.is_file():
            raise FileNotFoundError(f"{path}: no schema for record type {name!r}")
        schemas[name] = json.loads(path.read_text(encoding="utf-8"))
    return schemas
