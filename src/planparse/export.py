"""``planparse export``: an outputs folder as JSON Lines or CSV, one file per record type.

Read through ``planparse.load`` (so it follows the outputs layout). JSON Lines: one JSON object per
row, UTF-8, dates as ``YYYY-MM-DD``, bytes as base64, nulls as ``null``, lists as JSON arrays. CSV: UTF-8 with a BOM
(Excel opens it as UTF-8), a header row, nulls as empty cells, lists (``warnings``, ``header``,
``rows``) as JSON text in one cell. Each file is written atomically; nothing else in the folder is
touched.
"""

from __future__ import annotations

import base64
import csv
import datetime as dt
import json
import os
from pathlib import Path

FORMATS = ("jsonl", "csv")


def jsonable(value):
    """A Parquet value as JSON carries it: dates as ISO strings, bytes (``source_path_bytes``) as
    standard base64, as the JSON Schemas say (``contentEncoding``); also what ``validate`` checks."""
    if isinstance(value, (dt.date, dt.datetime)):
        return value.isoformat()
    if isinstance(value, bytes):
        return base64.b64encode(value).decode("ascii")
    if isinstance(value, dict):
        return {k: jsonable(v) for k, v in value.items()}
    if isinstance(value, list):
        return [jsonable(v) for v in value]
    return value


def _cell(value) -> str:
    if value is None:
        return ""
    if isinstance(value, list):
        return json.dumps(jsonable(value), ensure_ascii=False)
    if isinstance(value, float) and value.is_integer():
        return str(value)
    return str(jsonable(value))


def write_rows(rows: list[dict], columns: list[str], path: Path, fmt: str) -> None:
    """Rows (dicts of Python values) to ``path`` as jsonl or csv, replacing it whole."""
    tmp = path.with_name(f".{path.name}.tmp-{os.getpid()}")
    try:
        if fmt == "jsonl":
            with open(tmp, "w", encoding="utf-8", newline="\n") as fh:
                for row in rows:
                    fh.write(json.dumps({k: jsonable(row[k]) for k in columns}, ensure_ascii=False) + "\n")
        elif fmt == "csv":
            with open(tmp, "w", encoding="utf-8-sig", newline="") as fh:
                writer = csv.writer(fh)
                writer.writerow(columns)
                for row in rows:
                    writer.writerow([_cell(row[k]) for k in columns])
        else:
            raise ValueError(f"format must be one of {', '.join(FORMATS)}, not {fmt!r}")
        os.replace(tmp, path)
    finally:
        tmp.unlink(missing_ok=True)


def export_outputs(outputs: str | os.PathLike, out: str | os.PathLike, fmt: str = "jsonl") -> list[tuple[Path, int]]:
    """Write ``out/<record type>.<fmt>`` for every record type of ``outputs``; returns (path, rows)."""
    from planparse.load import load

    if fmt not in FORMATS:
        raise ValueError(f"format must be one of {', '.join(FORMATS)}, not {fmt!r}")
    tables = load(outputs, engine="pyarrow")  # read everything before writing anything
    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    written = []
    for name, table in tables.items():
        path = out / f"{name}.{fmt}"
        write_rows(table.to_pylist(), table.column_names, path, fmt)
        written.append((path, table.num_rows))
    return written
