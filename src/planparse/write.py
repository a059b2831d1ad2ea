"""Write records to Parquet: one file per record type, Arrow schemas derived from the pydantic models.

The whole output folder is replaced atomically: everything is written into a temporary folder beside
``out`` first and swapped in only when every file is complete, so an interrupted run leaves the previous
outputs as they were.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import re
import shutil
import tempfile
import types
import typing
from collections.abc import Iterable, Mapping
from enum import Enum
from functools import lru_cache
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq

import planparse
from planparse.models import RECORD_TYPES, SCHEMA_VERSION, Record

METADATA_KEY = b"planparse"

_SCALARS: dict[type, pa.DataType] = {
    str: pa.string(),
    int: pa.int64(),
    float: pa.float64(),
    bool: pa.bool_(),
    dt.date: pa.date32(),
}


def arrow_type(annotation) -> tuple[pa.DataType, bool]:
    """Arrow type of a pydantic field annotation, and whether it is nullable."""
    origin = typing.get_origin(annotation)
    if origin in (typing.Union, types.UnionType):
        args = [a for a in typing.get_args(annotation) if a is not type(None)]
        if len(args) != 1:
            raise TypeError(f"unsupported union {annotation!r}: only Optional[X] maps to Arrow")
        return arrow_type(args[0])[0], True
    if origin is list:
        (item,) = typing.get_args(annotation)
        return pa.list_(arrow_type(item)[0]), False
    if isinstance(annotation, type) and issubclass(annotation, Enum):
        return pa.string(), False  # models use use_enum_values, so enums are dumped as their values
    if annotation in _SCALARS:
        return _SCALARS[annotation], False
    raise TypeError(f"no Arrow type for annotation {annotation!r}")


@lru_cache(maxsize=None)
def arrow_schema(name: str) -> pa.Schema:
    """Arrow schema of record type ``name`` (a key of models.RECORD_TYPES), with planparse metadata."""
    model = RECORD_TYPES[name]
    # Own fields first, inherited ones (char_start, char_end) last, so doc_id leads every file.
    inherited = {f for base in model.__mro__[1:] for f in getattr(base, "model_fields", {})}
    names = sorted(model.model_fields, key=lambda f: f in inherited)
    fields = []
    for field_name in names:
        info = model.model_fields[field_name]
        dtype, nullable = arrow_type(info.annotation)
        fields.append(pa.field(field_name, dtype, nullable=nullable))
    meta = {
        "schema_version": SCHEMA_VERSION,
        "planparse_version": planparse.__version__,
        "record_type": name,
    }
    return pa.schema(fields, metadata={METADATA_KEY: json.dumps(meta).encode()})


def records_table(name: str, records: Iterable[Record]) -> pa.Table:
    """Arrow table of one record type, rows in the order given."""
    schema = arrow_schema(name)
    rows = [r.model_dump() for r in records]
    return pa.Table.from_pylist(rows, schema=schema)


def write_outputs(records: Mapping[str, Iterable[Record]], out: str | os.PathLike) -> Path:
    """Write every record type to ``<out>/<name>.parquet`` (all nine, empty ones included), atomically.

    Files in an existing ``out`` that are not planparse outputs (a README, say) are carried over.
    """
    unknown = set(records) - set(RECORD_TYPES)
    if unknown:
        raise ValueError(f"unknown record types: {sorted(unknown)}")
    out = Path(out)
    if out.exists() and not out.is_dir():
        raise NotADirectoryError(f"{out} exists and is not a folder")
    out.parent.mkdir(parents=True, exist_ok=True)
    clean_stale(out)
    tmp = Path(tempfile.mkdtemp(prefix=_work_prefix(out, "tmp"), dir=out.parent))
    try:
        for name in RECORD_TYPES:
            table = records_table(name, records.get(name, ()))
            pq.write_table(table, tmp / f"{name}.parquet")
        if out.exists():
            _carry_over_foreign_files(out, tmp)
        _swap_in(tmp, out)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    return out


_OUTPUT_NAMES = {f"{name}.parquet" for name in RECORD_TYPES} | set(RECORD_TYPES)


def _carry_over_foreign_files(old: Path, new: Path) -> None:
    for entry in old.iterdir():
        if entry.name in _OUTPUT_NAMES:
            continue
        target = new / entry.name
        if entry.is_dir() and not entry.is_symlink():
            shutil.copytree(entry, target, symlinks=True)
        else:
            shutil.copy2(entry, target, follow_symlinks=False)


def _swap_in(tmp: Path, out: Path) -> None:
    """Rename the finished folder into place; the old one is removed only after the new one is there."""
    if not out.exists():
        os.replace(tmp, out)
        return
    old = Path(tempfile.mkdtemp(prefix=_work_prefix(out, "old"), dir=out.parent))
    os.rmdir(old)  # only the unique name is wanted: rename needs the target not to exist
    os.replace(out, old)
    try:
        os.replace(tmp, out)
    except BaseException:
        os.replace(old, out)  # put the previous outputs back
        raise
    shutil.rmtree(old, ignore_errors=True)


def _work_prefix(out: Path, kind: str) -> str:
    # The writer's pid in the name tells a later run whether the folder is still in use.
    return f".{out.name}.{kind}-{os.getpid()}-"


def _pid_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def clean_stale(out: str | os.PathLike) -> list[Path]:
    """Remove work folders beside ``out`` left by a killed run (SIGKILL skips every cleanup).

    A run killed between its two renames leaves no ``out`` but the previous outputs in ``.old-``: they
    are put back. Folders of a writer that is still running are left alone. Returns what was removed.
    """
    out = Path(out)
    pattern = re.compile(rf"\.{re.escape(out.name)}\.(tmp|old)-(\d+)-")
    removed = []
    if not out.parent.is_dir():
        return removed
    for entry in sorted(out.parent.iterdir()):
        m = pattern.match(entry.name)
        if not m or not entry.is_dir() or _pid_alive(int(m.group(2))):
            continue
        if m.group(1) == "old" and not out.exists():
            os.replace(entry, out)
            continue
        shutil.rmtree(entry, ignore_errors=True)
        removed.append(entry)
    return removed


def read_metadata(path: str | os.PathLike) -> dict:
    """The planparse key-value metadata of one written Parquet file."""
    return schema_metadata(pq.read_schema(path))


def schema_metadata(schema: pa.Schema) -> dict:
    """The planparse metadata of an Arrow schema (KeyError without it, ValueError when not a JSON object)."""
    meta = json.loads((schema.metadata or {})[METADATA_KEY])
    if not isinstance(meta, dict):
        raise ValueError("not a JSON object")
    return meta
