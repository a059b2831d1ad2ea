"""Write records to Parquet part files, Arrow schemas derived from the pydantic models.

Layout of an output folder ``OUT``: ``OUT/<record_type>/part-<shard>.parquet`` for each of the nine
record types (every shard writes all nine, empty ones included) and ``OUT/planparse-manifest.json``,
which lists every file planparse wrote there. Reading ``OUT/targets/*.parquet`` in file-name order
gives the rows sorted by source path, then position.

Ownership: planparse replaces only what its manifest lists. A folder holding anything else is
refused (:class:`OutputFolderError`) unless ``force``; even then only manifest entries are replaced.
Atomicity: shards are written into a work folder beside ``OUT`` (each part to a temporary name, then
renamed, so a retried shard overwrites and never duplicates) and the work folder is swapped in by one
atomic exchange of the two folders, keeping the mode of ``OUT`` (and a symlinked ``OUT`` stays a
symlink: its target is replaced). An interrupted run leaves the previous outputs as they were.
"""

from __future__ import annotations

import ctypes
import datetime as dt
import errno
import json
import os
import re
import secrets
import shutil
import stat
import sys
import types
import typing
from collections.abc import Iterable, Mapping
from contextlib import contextmanager
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
    bytes: pa.binary(),
    int: pa.int64(),
    float: pa.float64(),
    bool: pa.bool_(),
    dt.date: pa.date32(),
}


def arrow_type(annotation) -> tuple[pa.DataType, bool]:
    """Arrow type of a pydantic field annotation, and whether it is nullable."""
    origin = typing.get_origin(annotation)
    if origin is typing.Annotated:  # serialisers and JSON Schema notes (models.RawBytes): the type inside
        return arrow_type(typing.get_args(annotation)[0])
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


_EPOCH = dt.date(1970, 1, 1)


def _json_value(value):
    if isinstance(value, dt.date):
        return (value - _EPOCH).days  # Arrow's JSON reader takes date32 as days since the epoch
    if isinstance(value, bytes):
        raise ValueError("bytes: JSON has no form Arrow's reader takes as binary")  # -> from_pylist
    raise TypeError(f"no JSON form for {type(value).__name__}")


def records_table(name: str, records: Iterable[Record]) -> pa.Table:
    """Arrow table of one record type, rows in the order given.

    Built by Arrow's JSON reader from one JSON line per row, not by ``pa.Table.from_pylist``: every
    ``pa.array`` call imports pandas (0.27 s CPU, a quarter of a one-paragraph extract's start-up)
    to ask whether its input is a pandas object. Same table (tests compare both); values JSON cannot
    carry (NaN, infinity, raw bytes such as a non-UTF-8 ``source_path_bytes``) fall back to ``from_pylist``."""
    schema = arrow_schema(name)
    rows = [r.model_dump() for r in records]
    if not rows:
        return pa.Table.from_batches([], schema=schema)  # schema.empty_table() calls pa.array
    import pyarrow.json as pajson

    try:
        data = "\n".join(json.dumps(row, ensure_ascii=False, allow_nan=False, default=_json_value) for row in rows)
    except ValueError:
        return pa.Table.from_pylist(rows, schema=schema)
    blob = data.encode("utf-8")
    table = pajson.read_json(
        pa.BufferReader(blob),
        # one block for the whole input: a row (a document's text) may be larger than any default block
        read_options=pajson.ReadOptions(use_threads=False, block_size=max(len(blob) + 1, 1 << 16)),
        parse_options=pajson.ParseOptions(explicit_schema=schema, unexpected_field_behavior="error"),
    )
    # the reader's fields are all nullable: put the model's schema back (no cast: it loads pyarrow.compute)
    table = table.select(schema.names).combine_chunks()
    return pa.Table.from_arrays(table.columns, schema=schema)


@contextmanager
def parquet_file(path: str | os.PathLike, mode: str = "rb"):
    """``path`` as pyarrow can open it: pyarrow encodes a str path as strict UTF-8, so a path that is
    not UTF-8 (a folder name the OS keeps with surrogateescape) is opened here and handed over as a file."""
    path = os.fspath(path)
    try:
        path.encode("utf-8")
    except UnicodeEncodeError:
        with open(path, mode) as fh:
            yield fh
        return
    yield path


MANIFEST = "planparse-manifest.json"
PART_DIGITS = 6  # part-000000 … part-999999: file-name order is shard order


class OutputFolderError(Exception):
    """``--out`` cannot be used (a file, not writable, holding files that are not planparse's)."""


def part_name(shard: int) -> str:
    return f"part-{shard:0{PART_DIGITS}d}.parquet"


def write_part(folder: str | os.PathLike, name: str, shard: int, records: Iterable[Record]) -> Path:
    """Write one record type's rows of one shard to ``folder/<name>/part-<shard>.parquet``.

    Written to a temporary name, then renamed: a retried shard replaces its part, never duplicates it.
    """
    directory = Path(folder) / name
    directory.mkdir(exist_ok=True)
    final = directory / part_name(shard)
    tmp = directory / f".{final.name}.{os.getpid()}.tmp"
    try:
        with parquet_file(tmp, "wb") as opened:
            pq.write_table(records_table(name, records), opened)
        os.replace(tmp, final)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
    return final


def write_shard(folder: str | os.PathLike, shard: int, records: Mapping[str, Iterable[Record]]) -> list[Path]:
    """All nine part files of one shard (record types missing from ``records`` are written empty)."""
    unknown = set(records) - set(RECORD_TYPES)
    if unknown:
        raise ValueError(f"unknown record types: {sorted(unknown)}")
    return [write_part(folder, name, shard, records.get(name, ())) for name in RECORD_TYPES]


def write_outputs(records: Mapping[str, Iterable[Record]], out: str | os.PathLike, force: bool = False) -> Path:
    """Write in-memory records to ``out`` as one shard (all nine record types), atomically."""
    unknown = set(records) - set(RECORD_TYPES)
    if unknown:
        raise ValueError(f"unknown record types: {sorted(unknown)}")
    plan = check_out(out, force=force)
    try:
        work = plan.work_folder()
        write_shard(work, 0, records)
        plan.commit(work)
    except BaseException:
        plan.discard()
        raise
    return Path(out)


def _is_legacy_output(path: Path) -> bool:
    """``<record type>.parquet`` written by planparse before part files (read_metadata says so)."""
    if not path.is_file() or path.is_symlink() or path.suffix != ".parquet" or path.stem not in RECORD_TYPES:
        return False
    try:
        return read_metadata(path).get("record_type") == path.stem
    except Exception:  # noqa: BLE001 - unreadable or foreign: not ours
        return False


def read_manifest(folder: str | os.PathLike) -> list[str] | None:
    """Files listed in ``folder``'s manifest (paths relative to it), or None without a readable one."""
    try:
        data = json.loads((Path(folder) / MANIFEST).read_text(encoding="utf-8"))
        files = data["files"]
    except (OSError, ValueError, KeyError, TypeError):
        return None
    if not isinstance(files, list) or not all(isinstance(f, str) for f in files):
        return None
    return files


def _write_manifest(work: Path) -> None:
    files = sorted(str(p.relative_to(work)) for name in RECORD_TYPES for p in (work / name).glob("part-*.parquet"))
    _write_manifest_file(work, files)


def _write_manifest_file(folder: Path, files: list[str]) -> None:
    meta = {"planparse_version": planparse.__version__, "schema_version": SCHEMA_VERSION, "files": files}
    tmp = folder / f".{MANIFEST}.tmp"
    tmp.write_text(json.dumps(meta, indent=1) + "\n", encoding="utf-8")
    os.replace(tmp, folder / MANIFEST)


def _nearest_existing(path: Path) -> Path:
    while not os.path.lexists(path) and path != path.parent:
        path = path.parent
    return path


class OutputPlan:
    """Where and how one run writes: checked before any document is read (see :func:`check_out`)."""

    def __init__(self, target: Path, owned: list[Path], foreign: list[str], force: bool):
        self.target = target  # the real folder (a symlinked --out resolved)
        self.owned = owned  # planparse's entries now in the folder (manifest files, legacy outputs)
        self.foreign = foreign  # anything else (only with force)
        self.force = force

    def work_folder(self) -> Path:
        """A new, empty work folder beside the target, with normal modes (the umask's, not 0700)."""
        self.target.parent.mkdir(parents=True, exist_ok=True)
        clean_stale(self.target)
        for _ in range(100):
            work = self.target.parent / f"{_work_prefix(self.target, 'tmp')}{secrets.token_hex(4)}"
            try:
                os.mkdir(work)
                return work
            except FileExistsError:
                continue
        raise OSError(f"cannot create a work folder beside {self.target}")

    def discard(self) -> None:
        """Remove this process's work folders (also one whose creation a Ctrl-C interrupted)."""
        prefix = _work_prefix(self.target, "tmp")
        if self.target.parent.is_dir():
            for entry in self.target.parent.iterdir():
                if entry.name.startswith(prefix):
                    shutil.rmtree(entry, ignore_errors=True)
                    if entry.exists():  # a file appeared while removing: once more
                        shutil.rmtree(entry, ignore_errors=True)

    def commit(self, work: Path) -> None:
        """Make ``work`` (every shard written) the outputs: its manifest, then the swap."""
        _write_manifest(work)
        if self.foreign:
            self._replace_entries(work)
            shutil.rmtree(work, ignore_errors=True)
            return
        if not os.path.lexists(self.target):
            os.replace(work, self.target)
            return
        st = os.stat(self.target)
        os.chmod(work, stat.S_IMODE(st.st_mode))
        if os.geteuid() == 0 and (st.st_uid, st.st_gid) != (os.stat(work).st_uid, os.stat(work).st_gid):
            os.chown(work, st.st_uid, st.st_gid)
        _swap_in(work, self.target)

    def _replace_entries(self, work: Path) -> None:
        """--force with files that are not planparse's: replace only manifest entries, file by file."""
        new = {str(p.relative_to(work)) for name in RECORD_TYPES for p in (work / name).glob("part-*.parquet")}
        # First a manifest naming old and new files: a run killed midway leaves nothing unowned.
        both = sorted(new | {str(p.relative_to(self.target)) for p in self.owned if p.parent != self.target})
        _write_manifest_file(self.target, both)
        for path in self.owned:
            rel = str(path.relative_to(self.target))
            if rel not in new and rel != MANIFEST:
                path.unlink(missing_ok=True)
        for rel in sorted(new):
            (self.target / rel).parent.mkdir(exist_ok=True)
            os.replace(work / rel, self.target / rel)
        os.replace(work / MANIFEST, self.target / MANIFEST)


def check_out(out: str | os.PathLike, force: bool = False) -> OutputPlan:
    """Check ``out`` before anything is read: a folder (or nothing yet), writable, holding only
    planparse's files (unless ``force``). Raises :class:`OutputFolderError` saying what is wrong."""
    given = Path(out)
    target = Path(os.path.realpath(given))
    if os.path.lexists(target) and not target.is_dir():
        what = "a file" if target.is_file() else "not a folder (a device, FIFO or socket)"
        raise OutputFolderError(f"{given} is {what}; --out must be a folder")
    base = target if target.is_dir() else _nearest_existing(target.parent)
    if not base.is_dir():
        raise OutputFolderError(f"{given}: {base} is not a folder")
    for folder in {base, target.parent if target.parent.is_dir() else base}:
        if not os.access(folder, os.W_OK | os.X_OK):
            raise OutputFolderError(f"{given}: {folder} is not writable")
    owned, foreign = [], []
    if target.is_dir():
        owned, foreign = _ownership(target)
    if foreign and not force:
        shown = ", ".join(foreign[:3]) + (f" and {len(foreign) - 3} more" if len(foreign) > 3 else "")
        raise OutputFolderError(
            f"{given} holds files planparse did not write ({shown}); choose an empty or new folder, "
            "or pass --force to replace only planparse's own files there"
        )
    for rel in foreign:  # even with --force, a foreign entry where planparse writes is not replaced
        top, _, inner = rel.partition("/")
        if rel == MANIFEST or (top in RECORD_TYPES and (not inner or inner.startswith("part-"))):
            raise OutputFolderError(f"{target / rel} is in the way of planparse's outputs and is not planparse's: move it away")
    return OutputPlan(target, owned, foreign, force)


_TEMP_PART = re.compile(r"\.part-\d+\.parquet\.(\d+\.tmp|rewrite)")


def _ownership(target: Path) -> tuple[list[Path], list[str]]:
    """planparse's entries of an existing folder (per its manifest) and everything else (relative names)."""
    listed = set(read_manifest(target) or ())
    owned, foreign = [], []
    for entry in sorted(target.iterdir()):
        if entry.name == MANIFEST and listed:
            owned.append(entry)
        elif entry.name in RECORD_TYPES and entry.is_dir() and not entry.is_symlink():
            for inner in sorted(entry.iterdir()):
                rel = f"{entry.name}/{inner.name}"
                ours = rel in listed or _TEMP_PART.fullmatch(inner.name)  # or a temp name a killed run left
                (owned.append(inner) if ours else foreign.append(rel))
        elif _is_legacy_output(entry) or entry.name == f".{MANIFEST}.tmp":
            owned.append(entry)
        else:
            foreign.append(entry.name)
    return owned, foreign


_RENAME_EXCHANGE = 2


def _exchange(a: Path, b: Path) -> bool:
    """Swap two paths atomically (Linux renameat2 RENAME_EXCHANGE); False where unsupported."""
    if sys.platform != "linux":
        return False
    try:
        libc = ctypes.CDLL(None, use_errno=True)
        renameat2 = libc.renameat2
    except (OSError, AttributeError):
        return False
    at_fdcwd = -100
    if renameat2(at_fdcwd, os.fsencode(a), at_fdcwd, os.fsencode(b), _RENAME_EXCHANGE) == 0:
        return True
    err = ctypes.get_errno()
    if err in (errno.EINVAL, errno.ENOSYS, errno.EOPNOTSUPP):
        return False
    raise OSError(err, os.strerror(err), str(b))


def _swap_in(tmp: Path, out: Path) -> None:
    """Put the finished folder in place of ``out``; the previous one is removed once the new one is there."""
    if _exchange(tmp, out):
        shutil.rmtree(tmp, ignore_errors=True)  # tmp now holds the previous outputs
        return
    old = out.parent / f"{_work_prefix(out, 'old')}{secrets.token_hex(4)}"
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

    A run killed between its two renames (where the atomic exchange is unsupported) leaves no ``out``
    but the previous outputs in ``.old-``: they are put back. Folders of a writer that is still running
    are left alone. Returns what was removed.
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
    with parquet_file(path) as opened:
        return schema_metadata(pq.read_schema(opened))


def schema_metadata(schema: pa.Schema) -> dict:
    """The planparse metadata of an Arrow schema (KeyError without it, ValueError when not a JSON object)."""
    meta = json.loads((schema.metadata or {})[METADATA_KEY])
    if not isinstance(meta, dict):
        raise ValueError("not a JSON object")
    return meta
