"""Read planparse outputs back: as data frames for notebooks, or as ``DocumentResult`` objects.

``planparse.load("outputs/")`` gives every record type as a table, keyed by its Parquet file name::

    import planparse
    t = planparse.load("outputs/")            # pandas if installed, else pyarrow; engine="polars" too
    t.targets.merge(t.documents[["doc_id", "region", "title"]], on="doc_id")   # region of each target
    t.targets.merge(t.measures, on=["doc_id", "measure_id"], suffixes=("", "_measure"))
    t.responsibilities.merge(t.measures[["measure_id", "title"]], on="measure_id")

Joins: every table has ``doc_id`` (-> documents). targets, deadlines and responsibilities have
``measure_id`` (-> measures, null outside any measure); measures and tables have ``section_id``
(-> sections, whose ``parent_id`` is another section_id); targets from indicator tables have
``table_id`` (-> tables). The responsibilities rows of one assignment share ``assignment_id``; the
lead is ``role == "lead"``. ``agencies.canonical_name`` and ``responsibilities.canonical_name`` use the
same names, so they join too. Offsets: ``documents.text[char_start:char_end]`` is each record's quote.
"""

from __future__ import annotations

import importlib.util
import os
from collections.abc import Iterable
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq

from planparse.models import CONTENT_TYPES, RECORD_TYPES, ErrorRecord
from planparse.pipeline import DocumentResult
from planparse.write import parquet_file

ENGINES = ("pandas", "pyarrow", "polars")


class Tables(dict):
    """Record tables keyed by record type (``documents``, ``targets`` …), also readable as attributes."""

    engine: str = "pyarrow"

    def __getattr__(self, name: str):
        try:
            return self[name]
        except KeyError:
            raise AttributeError(name) from None

    def __dir__(self):
        return [*super().__dir__(), *self.keys()]

    def __repr__(self) -> str:
        sizes = ", ".join(f"{name}={len(table)}" for name, table in self.items())
        return f"Tables(engine={self.engine!r}: {sizes})"


class OutputsError(ValueError):
    """An outputs folder that cannot be read back: the message names the file and the problem."""


class MissingOutputs(OutputsError, FileNotFoundError):
    """A record type (or the whole folder) that an outputs folder lacks."""


def _read_file(file: Path, columns: list[str] | None = None) -> pa.Table:
    try:
        with parquet_file(file) as opened:
            return pq.read_table(opened, columns=columns)
    except (OSError, pa.ArrowException) as exc:
        raise OutputsError(f"{file}: not a readable Parquet file ({type(exc).__name__}: {_one_line(exc)})") from None


def _one_line(exc: BaseException) -> str:
    return " ".join(str(exc).split())[:300]


def _record(model, row: dict, file: Path, i: int):
    try:
        return model(**row)
    except (TypeError, ValueError) as exc:  # pydantic's ValidationError is a ValueError
        errors = getattr(exc, "errors", None)
        if callable(errors):
            first = errors()[0]
            where = ".".join(map(str, first.get("loc", ()))) or "?"
            what = "column missing" if first.get("type") == "missing" else first.get("msg", "")
            raise OutputsError(f"{file}: row {i + 1}: {where}: {what}") from None
        raise OutputsError(f"{file}: row {i + 1}: {_one_line(exc)}") from None


def record_files(folder: str | os.PathLike, name: str) -> list[Path]:
    """The Parquet files of one record type in an outputs folder, in row order: the part files of
    ``<name>/`` (file-name order is shard order), or a single ``<name>.parquet`` (older layout).
    Empty when the record type is missing."""
    folder = Path(folder)
    parts = folder / name
    if parts.is_dir():
        return sorted(p for p in parts.glob("part-*.parquet") if p.is_file())
    single = folder / f"{name}.parquet"
    return [single] if single.is_file() else []


def read_record_table(folder: str | os.PathLike, name: str, columns: list[str] | None = None) -> pa.Table:
    """One record type of an outputs folder as one Arrow table (part files concatenated in order).

    MissingOutputs naming the record type when it has no file in the folder; OutputsError naming
    the file when one does not read or lacks a column of the record type.
    """
    files = record_files(folder, name)
    if not files:
        raise MissingOutputs(f"{folder}: record type {name!r} is missing (no {name}/part-*.parquet or {name}.parquet)")
    wanted = columns or list(RECORD_TYPES[name].model_fields)
    tables = []
    for f in files:
        table = _read_file(f, columns)
        missing = [c for c in wanted if c not in table.column_names]
        if missing:
            raise OutputsError(f"{f}: {', '.join(missing)}: column missing (written by another planparse version?)")
        tables.append(table)
    return pa.concat_tables(tables) if len(tables) > 1 else tables[0]


def is_outputs_folder(path: str | os.PathLike) -> bool:
    return bool(record_files(path, "documents"))


def _check_outputs(path: str | os.PathLike) -> Path:
    path = Path(path)
    if not is_outputs_folder(path):
        raise MissingOutputs(f"{path} is not a planparse outputs folder (no documents/part-*.parquet or documents.parquet in it)")
    return path


def _default_engine() -> str:
    # Probe without importing: pandas is only imported when a table is converted.
    return "pandas" if importlib.util.find_spec("pandas") is not None else "pyarrow"


def _convert(table: pa.Table, engine: str):
    if engine == "pyarrow":
        return table
    if engine == "polars":
        import polars as pl

        return pl.from_arrow(table)
    import pandas as pd

    # Nullable integers stay integers (2025, not 2025.0); dates become datetime64 so .dt works.
    return table.to_pandas(date_as_object=False, types_mapper={pa.int64(): pd.Int64Dtype()}.get)


def load(path: str | os.PathLike = "outputs", engine: str | None = None) -> Tables:
    """Every record table of a planparse outputs folder (see the module docstring for the joins).

    Reads the part-file layout (``<record_type>/part-*.parquet``) and single ``<record_type>.parquet``
    files; a record type missing from the folder is a FileNotFoundError naming it.

    ``engine``: ``"pandas"`` (default when pandas is installed), ``"pyarrow"`` or ``"polars"``.
    """
    engine = engine or _default_engine()
    if engine not in ENGINES:
        raise ValueError(f"engine must be one of {', '.join(ENGINES)}, not {engine!r}")
    folder = _check_outputs(path)
    tables = Tables()
    tables.engine = engine
    for name in RECORD_TYPES:
        tables[name] = _convert(read_record_table(folder, name), engine)
    return tables


def read_results(path: str | os.PathLike) -> tuple[list[DocumentResult], list[ErrorRecord]]:
    """An outputs folder back as one ``DocumentResult`` per document (in file order) and the errors."""
    folder = _check_outputs(path)
    rows = {name: read_record_table(folder, name).to_pylist() for name in RECORD_TYPES}
    where = {name: folder / name for name in RECORD_TYPES}  # named in a row's error
    results: dict[str, DocumentResult] = {}
    for i, row in enumerate(rows.pop("documents")):
        doc = _record(RECORD_TYPES["documents"], row, where["documents"], i)
        results[doc.doc_id] = DocumentResult(document=doc)
    errors = [_record(ErrorRecord, row, where["errors"], i) for i, row in enumerate(rows.pop("errors"))]
    for name in CONTENT_TYPES:
        model = RECORD_TYPES[name]
        for i, row in enumerate(rows[name]):
            result = results.get(row.get("doc_id"))
            if result is not None:
                getattr(result, name).append(_record(model, row, where[name], i))
    return list(results.values()), errors


def results_for(paths: Iterable[str | os.PathLike], workers: int | None = None) -> tuple[list[DocumentResult], list[ErrorRecord]]:
    """Results for a planparse outputs folder (read back) or for plan texts/folders (the pipeline is run)."""
    paths = list(paths)
    if len(paths) == 1 and is_outputs_folder(paths[0]):
        return read_results(paths[0])
    from planparse.runner import run_batch

    batch = run_batch(paths, workers=workers)
    return batch.documents, batch.errors


def find_document(results: list[DocumentResult], key: str) -> DocumentResult:
    """The document whose doc_id, source path, file name or file stem is ``key``."""
    for result in results:
        doc = result.document
        source = Path(doc.source_path)
        if key in (doc.doc_id, doc.source_path, source.name, source.stem):
            return result
    known = ", ".join(f"{r.document.doc_id} ({Path(r.document.source_path).name})" for r in results)
    raise LookupError(f"no document {key!r}; known: {known}")


from planparse import callable_module  # noqa: E402 - the module object exists only now

callable_module(__name__, "planparse.load:load")
