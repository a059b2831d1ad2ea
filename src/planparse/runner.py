"""Corpus runner: map ``pipeline.process_bytes`` over files, in parallel when asked.

Input rule: a folder is walked recursively and its files of a supported format (the readers'
suffixes: ``.txt``, ``.docx``, ``.doc``, ``.wps``, ``.html``, ``.htm``, ``.pdf`` when its reader is
installed; ``formats`` narrows them) are processed; every other file is skipped with a notice (notes
such as ``*.md`` and annotations such as ``*.json`` are not plan texts). Hidden files and folders are ignored.
A file named explicitly is processed whatever its extension, unless the extension says it is not
text. One bad file never stops the batch: each failure becomes an ``ErrorRecord``. Only regular files
are read (a FIFO or a device named ``*.txt`` is an error, not a hang), at most ``max_bytes`` each.

Two ways to run a batch: :func:`run_batch` keeps every result in memory (the library API, ``validate``
and ``review`` on texts); :func:`extract_to_folder` streams (what ``planparse extract`` does): the
sorted files are cut into shards, each worker writes its shard's part files itself, and this process
only keeps one small summary per document.
"""

from __future__ import annotations

import ctypes
import errno
import fnmatch
import gc
import math
import os
import signal
import stat
import sys
import traceback
from collections.abc import Callable
from concurrent.futures import ProcessPoolExecutor, as_completed
from dataclasses import dataclass, field
from pathlib import Path

from planparse.ingest import IngestError
from planparse.models import ErrorRecord, RECORD_TYPES
from planparse.pipeline import DocumentResult, process_bytes
from planparse.readers import suffixes_for

MAX_BYTES = 200_000_000  # default bound on one input file (--max-bytes): a 200 MB plan text is ~12 GB of RSS
PATH_MAX = 4096  # Linux: longer paths cannot be opened

# Formats people keep beside their plan texts that planparse cannot read: named in the notice.
NOT_TEXT_SUFFIXES = {
    ".pdf": "a PDF file",
    ".doc": "a Word document",
    ".docx": "a Word document",
    ".wps": "a WPS document",
    ".xls": "a spreadsheet",
    ".xlsx": "a spreadsheet",
    ".ofd": "an OFD document",
    ".zip": "an archive",
    ".rar": "an archive",
    ".7z": "an archive",
    ".gz": "an archive",
    ".png": "an image",
    ".jpg": "an image",
    ".jpeg": "an image",
    ".gif": "an image",
}


@dataclass(frozen=True)
class Notice:
    """A file that was not processed, and why (not an error: nothing went wrong)."""

    source_path: str
    kind: str  # "not_text" / "other_extension" / "duplicate"
    message: str


@dataclass
class BatchResult:
    # Every result in memory (run_batch); empty when streamed to a folder (extract_to_folder).
    documents: list[DocumentResult] = field(default_factory=list)
    errors: list[ErrorRecord] = field(default_factory=list)
    skipped: list[Notice] = field(default_factory=list)
    # source_path -> formatted traceback of unexpected failures (shown with --debug).
    tracebacks: dict[str, str] = field(default_factory=dict)
    # One report.DocumentSummary per kept document, in source-path order (filled by both runners).
    summaries: list = field(default_factory=list)

    @property
    def n_files(self) -> int:
        return len(self.summaries or self.documents) + len(self.errors)

    def records(self) -> dict[str, list]:
        """Every record type (all nine keys), rows ordered by source path then position."""
        merged: dict[str, list] = {name: [] for name in RECORD_TYPES}
        for doc in self.documents:
            for name, recs in doc.records().items():
                merged[name].extend(recs)
        # files that failed, and extractor components that failed inside a document, by source path
        merged["errors"] = sorted(self.errors + [e for doc in self.documents for e in doc.errors], key=lambda e: e.source_path)
        return merged


# Files that live beside plan texts and are known not to be plans (annotations, provenance, notes):
# skipped without a word, so a corpus folder with its gold files gives no notice on every run.
COMPANION_FILES = ("*.gold.json", "SOURCES.*", "FORMAT.md", "*.md", "README*", "LICENSE*")


def is_companion_file(path: str) -> bool:
    name = os.path.basename(path)
    return any(fnmatch.fnmatch(name, pattern) for pattern in COMPANION_FILES)


def skip_notes(skipped: list[Notice]) -> list[str]:
    """Notices as printed lines: each one named, except files of no plan format, which are only counted,
    and companion files (``COMPANION_FILES``), which are not mentioned. Duplicates are not printed
    here: the kept document's warning names them (one report per duplicate)."""
    others = [n for n in skipped if n.kind == "other_extension" and not is_companion_file(n.source_path)]
    notes = [f"{n.source_path}: {n.message}" for n in skipped if n.kind not in ("other_extension", "duplicate")]
    if others:
        notes.append(f"skipped {len(others)} file(s) of no supported format (e.g. {others[0].source_path})")
    return notes


def describe_error(error: ErrorRecord) -> str:
    return f"{error.source_path}: {error.message} [{error.stage}/{error.error_type}]"


@dataclass
class FileOutcome:
    """What processing one file gave: a result or an error (with a traceback for unexpected ones)."""

    source_path: str
    result: DocumentResult | None = None
    error: ErrorRecord | None = None
    traceback: str | None = None
    # The streaming runner sends back a summary instead of the records (they are in the part files).
    summary: object | None = None
    doc_id: str | None = None

    @property
    def n_chars(self) -> int:
        if self.result is not None:
            return self.result.document.n_chars
        return self.summary.n_chars if self.summary is not None else 0

    def light(self) -> "FileOutcome":
        """This outcome without its records: what a worker sends back to the parent."""
        if self.result is None:
            return self
        from planparse.report import summarize

        return FileOutcome(self.source_path, error=self.error, traceback=self.traceback, summary=summarize(self.result), doc_id=self.result.document.doc_id)


def display_path(path: str) -> str:
    """A path as it is shown and stored (``source_path``): bytes that are not UTF-8 (a name kept by
    the OS with surrogateescape) become ``\\xNN``, and control characters ``\\n``, ``\\x1b`` … are
    escaped, so a name cannot break a Parquet string, a log line or a terminal."""
    text = os.fsencode(path).decode("utf-8", "backslashreplace")
    if text.isprintable():
        return text
    return "".join(c if c.isprintable() or c == " " else c.encode("unicode_escape").decode("ascii") for c in text)


def source_fields(path: str) -> dict:
    """The ``source_path`` of a record naming this input (its :func:`display_path`) and
    ``source_path_bytes``: the raw name, set only when the shown form is not the name itself."""
    shown = display_path(path)
    return {"source_path": shown, "source_path_bytes": None if shown == path else os.fsencode(path)}


def list_inputs(paths: list[str | os.PathLike], formats=None) -> tuple[list[str], list[Notice]]:
    """Files to process (sorted, unique) and notices for the ones skipped (see :func:`walk_inputs`)."""
    files, skipped, _ = walk_inputs(paths, formats)
    return files, skipped


def walk_inputs(paths: list[str | os.PathLike], formats=None) -> tuple[list[str], list[Notice], list[ErrorRecord]]:
    """Files to process (sorted by shown path, unique), notices for the ones skipped, and an error for
    each folder that cannot be listed or path too long to open (the rest of the batch goes on).
    ``formats`` (reader names or suffixes, see ``readers.suffixes_for``) narrows what folders are
    walked for. The walk is iterative (any depth) and does not follow symlinked folders.
    """
    walked = suffixes_for(formats)
    files: set[str] = set()
    skipped: dict[str, Notice] = {}
    errors: dict[str, ErrorRecord] = {}

    def add_file(path: str) -> None:
        if len(os.fsencode(path)) >= PATH_MAX:
            errors[path] = _error(path, "read", "path_too_long", f"cannot read: the path is longer than {PATH_MAX - 1} bytes")
        else:
            files.add(path)

    for given in paths:
        root = os.fspath(given)
        if _is_dir(root) and _suffix(root) not in walked:
            stack = [root]
            while stack:
                folder = stack.pop()
                if len(os.fsencode(folder)) >= PATH_MAX:
                    errors[folder] = _error(folder, "read", "path_too_long", f"folder not read: the path is longer than {PATH_MAX - 1} bytes")
                    continue
                try:
                    with os.scandir(folder) as it:
                        entries = sorted(it, key=lambda e: e.name)
                except OSError as exc:
                    error_type, what = _OS_ERRORS.get(exc.errno, ("unreadable", exc.strerror or str(exc)))
                    errors[folder] = _error(folder, "read", error_type, f"folder not read: {what}")
                    continue
                for entry in entries:
                    name = entry.name
                    if name.startswith("."):
                        continue
                    path = entry.path
                    # A folder named like a plan file is kept as an input so that its failure is reported, not hidden.
                    if _suffix(name) in walked:
                        add_file(path)
                    elif _entry_is_dir(entry) and not entry.is_symlink():
                        stack.append(path)
                    elif not _entry_is_dir(entry):
                        skipped[path] = _skip_notice(path)
        elif _suffix(root) in NOT_TEXT_SUFFIXES and _suffix(root) not in suffixes_for():
            skipped[root] = _skip_notice(root)
        else:
            add_file(root)
    shown = lambda p: display_path(p)  # noqa: E731 - one sort key for files, notices and errors
    return (
        sorted(files, key=shown),
        sorted((Notice(shown(p), n.kind, n.message) for p, n in skipped.items()), key=lambda n: n.source_path),
        sorted(errors.values(), key=lambda e: e.source_path),
    )


def is_uri(path: str) -> bool:
    return "://" in path


def list_sources(paths: list, formats=None) -> tuple[list[str], list, list[ErrorRecord]]:
    """Like :func:`walk_inputs`, and ``scheme://`` URIs (s3, hdfs, file) listed through pyarrow.fs."""
    local = [p for p in paths if not is_uri(os.fspath(p))]
    files, skipped, errors = walk_inputs(local, formats) if local else ([], [], [])
    walked = suffixes_for(formats)
    for uri in (os.fspath(p) for p in paths if is_uri(os.fspath(p))):
        from pyarrow import fs as pafs

        try:
            filesystem, root = pafs.FileSystem.from_uri(uri)
            info = filesystem.get_file_info(root)
            if info.type == pafs.FileType.Directory:
                prefix = uri.rstrip("/")
                base = root.rstrip("/")
                for entry in filesystem.get_file_info(pafs.FileSelector(root, recursive=True)):
                    rel = entry.path[len(base) :]
                    if entry.type != pafs.FileType.File or any(part.startswith(".") for part in rel.split("/")):
                        continue
                    if _suffix(entry.base_name) in walked:
                        files.append(prefix + rel)
                    else:
                        skipped.append(_skip_notice(prefix + rel))
            elif info.type == pafs.FileType.NotFound:
                errors.append(ErrorRecord(source_path=uri, stage="read", error_type="vanished", message="cannot read: no such file or folder"))
            else:
                files.append(uri)
        except Exception as exc:  # noqa: BLE001 - a bad URI or missing credentials: this source's error
            errors.append(ErrorRecord(source_path=uri, stage="read", error_type="unreadable", message=f"cannot list: {type(exc).__name__}: {exc}"))
    skipped = sorted(skipped, key=lambda n: n.source_path)
    return sorted(set(files)), skipped, sorted(errors, key=lambda e: e.source_path)


def _is_dir(path: str) -> bool:
    try:
        return stat.S_ISDIR(os.stat(path).st_mode)
    except (OSError, ValueError):
        return False


def _entry_is_dir(entry: os.DirEntry) -> bool:
    try:
        return entry.is_dir()
    except OSError:
        return False


def _error(path: str, stage: str, error_type: str, message: str) -> ErrorRecord:
    return ErrorRecord(**source_fields(path), stage=stage, error_type=error_type, message=message)


def _suffix(name: str) -> str:
    return os.path.splitext(name)[1].lower()


def _skip_notice(path: str) -> Notice:
    if _suffix(path) in suffixes_for():
        return Notice(path, "other_extension", "skipped: not among the formats asked for")
    what = NOT_TEXT_SUFFIXES.get(_suffix(path))
    if what:
        return Notice(path, "not_text", f"skipped: {what}, a format planparse cannot read (convert it to text first)")
    return Notice(path, "other_extension", "skipped: not a plan file of a supported format")


_OS_ERRORS = {
    errno.ENOENT: ("vanished", "the file no longer exists"),
    errno.EISDIR: ("is_directory", "is a directory, not a text file"),
    errno.EACCES: ("permission", "permission denied"),
    errno.EPERM: ("permission", "permission denied"),
    errno.ELOOP: ("symlink_loop", "symbolic link loop"),
    errno.ENAMETOOLONG: ("path_too_long", "the path or a name in it is too long"),
}


class _ReadError(Exception):
    def __init__(self, error_type: str, message: str):
        super().__init__(message)
        self.error_type, self.message = error_type, message


def read_source(path: str, max_bytes: int = MAX_BYTES) -> bytes:
    """The bytes of one input: a regular local file, or a ``scheme://`` URI read through pyarrow.fs
    (s3://, hdfs://, file://). Raises _ReadError for anything else or anything over ``max_bytes``."""
    if "://" in path:
        return _read_uri(path, max_bytes)
    try:
        # O_NONBLOCK: opening a FIFO must not wait for a writer; fstat then says what was opened.
        fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK | getattr(os, "O_CLOEXEC", 0))
    except OSError as exc:
        error_type, what = _OS_ERRORS.get(exc.errno, ("unreadable", exc.strerror or str(exc)))
        raise _ReadError(error_type, f"cannot read: {what}") from None
    mode = os.fstat(fd).st_mode
    if not stat.S_ISREG(mode):
        os.close(fd)
        if stat.S_ISDIR(mode):
            error_type, what = _OS_ERRORS[errno.EISDIR]
            raise _ReadError(error_type, f"cannot read: {what}")
        kind = "a FIFO" if stat.S_ISFIFO(mode) else "a device" if stat.S_ISCHR(mode) or stat.S_ISBLK(mode) else "a socket" if stat.S_ISSOCK(mode) else "special"
        raise _ReadError("not_regular", f"cannot read: {kind}, not a regular file")
    with os.fdopen(fd, "rb") as fh:
        try:
            data = fh.read(max_bytes + 1)  # +1: a file that grew past the bound is still caught
        except OSError as exc:
            error_type, what = _OS_ERRORS.get(exc.errno, ("unreadable", exc.strerror or str(exc)))
            raise _ReadError(error_type, f"cannot read: {what}") from None
    if len(data) > max_bytes:
        raise _ReadError("too_large", f"cannot read: larger than --max-bytes ({max_bytes:,} bytes)")
    return data


def _read_uri(uri: str, max_bytes: int) -> bytes:
    from pyarrow import fs as pafs

    try:
        filesystem, path = pafs.FileSystem.from_uri(uri)
        info = filesystem.get_file_info(path)
        if info.type == pafs.FileType.NotFound:
            raise _ReadError(*_OS_ERRORS[errno.ENOENT])
        if info.type != pafs.FileType.File:
            raise _ReadError("not_regular", "cannot read: not a file")
        if info.size is not None and info.size > max_bytes:
            raise _ReadError("too_large", f"cannot read: larger than --max-bytes ({max_bytes:,} bytes)")
        with filesystem.open_input_stream(path) as fh:
            data = fh.read(max_bytes + 1)
    except _ReadError:
        raise
    except Exception as exc:  # noqa: BLE001 - a network or permission failure is this file's error
        raise _ReadError("unreadable", f"cannot read: {type(exc).__name__}: {exc}") from None
    if len(data) > max_bytes:
        raise _ReadError("too_large", f"cannot read: larger than --max-bytes ({max_bytes:,} bytes)")
    return data


def process_file(path: str, max_bytes: int = MAX_BYTES) -> FileOutcome:
    """Read and process one file, turning every failure into an ErrorRecord."""
    source = source_fields(path)
    shown = source["source_path"]
    try:
        data = read_source(path, max_bytes)
    except _ReadError as exc:
        return FileOutcome(shown, error=ErrorRecord(**source, stage="read", error_type=exc.error_type, message=exc.message))
    if not data.strip():
        return FileOutcome(shown, error=_empty_error(source))
    try:
        result = process_bytes(data, shown)
    except IngestError as exc:
        return FileOutcome(shown, error=ErrorRecord(**source, stage="decode", error_type=exc.error_type, message=exc.message))
    except Exception as exc:  # any bug in one document must not stop the batch
        return FileOutcome(
            shown,
            error=ErrorRecord(
                **source,
                stage=_failed_stage(exc),
                error_type="internal",
                message=f"{type(exc).__name__}: {exc}",
            ),
            traceback="".join(traceback.format_exception(exc)),
        )
    if not result.document.text.strip():
        return FileOutcome(shown, error=_empty_error(source))
    # the pipeline names the document by its shown path; the raw name goes beside it
    for record in (result.document, *result.errors):
        record.source_path_bytes = source["source_path_bytes"]
    return FileOutcome(shown, result=result)


def _empty_error(source: dict) -> ErrorRecord:
    return ErrorRecord(**source, stage="read", error_type="empty", message="the file is empty or holds only whitespace")


# Innermost planparse module in the traceback -> the stage that failed.
_STAGES = (
    ("planparse.extract", "extract"),
    ("planparse.segment", "segment"),
    ("planparse.ingest", "decode"),
    ("planparse.readers", "decode"),
)


def _failed_stage(exc: BaseException) -> str:
    stage = "pipeline"
    tb = exc.__traceback__
    while tb is not None:
        module = tb.tb_frame.f_globals.get("__name__", "")
        for prefix, name in _STAGES:
            if module.startswith(prefix):
                stage = name
        tb = tb.tb_next
    return stage


def run_batch(
    paths: list[str | os.PathLike],
    workers: int | None = None,
    dedupe: bool = True,
    progress: Callable[[FileOutcome, int], None] | None = None,
    max_bytes: int = MAX_BYTES,
    formats=None,
) -> BatchResult:
    """Process every input file, keeping every result in memory; the result does not depend on
    ``workers`` or completion order.

    With ``dedupe``, a file whose cleaned text equals an earlier one's (same doc_id, e.g. the same plan
    in two encodings) is skipped with a notice and named in the kept document's warnings, so doc_id
    stays a key. ``progress(outcome, n_files)`` is called in this process as each file finishes (in
    completion order; it only observes, the result is the same with or without it).
    """
    files, skipped, walk_errors = walk_inputs(paths, formats)
    outcomes = _map_files(files, workers, progress, max_bytes) + [FileOutcome(e.source_path, error=e) for e in walk_errors]
    batch = BatchResult(skipped=skipped)
    kept = _keep_first(sorted(outcomes, key=lambda o: o.source_path), batch, dedupe, {})
    batch.documents = [o.result for o in kept]
    from planparse.report import summarize

    batch.summaries = [summarize(r) for r in batch.documents]
    batch.skipped.sort(key=lambda n: n.source_path)
    return batch


def _keep_first(outcomes: list[FileOutcome], batch: BatchResult, dedupe: bool, seen: dict[str, str]) -> list[FileOutcome]:
    """The duplicate-text rule over outcomes in source-path order: the first path with a doc_id wins,
    later ones become notices and are named in the kept one's warnings. Errors go to ``batch``.
    ``seen`` (doc_id -> kept path) carries the rule across shards. Returns the kept outcomes."""
    kept: dict[str, FileOutcome] = {}
    out = []
    for outcome in outcomes:
        if outcome.error is not None:
            batch.errors.append(outcome.error)
            if outcome.traceback:
                batch.tracebacks[outcome.source_path] = outcome.traceback
            continue
        doc_id = outcome.result.document.doc_id if outcome.result is not None else outcome.doc_id
        first = seen.get(doc_id) if dedupe else None
        if first is not None:
            if doc_id in kept:
                _warnings(kept[doc_id]).append(f"same text as {outcome.source_path} (kept this one)")
            batch.skipped.append(Notice(outcome.source_path, "duplicate", f"skipped: same text as {first} (doc_id {doc_id})"))
            continue
        seen[doc_id] = outcome.source_path
        kept[doc_id] = outcome
        out.append(outcome)
    return out


def _warnings(outcome: FileOutcome) -> list[str]:
    return outcome.result.document.warnings if outcome.result is not None else outcome.summary.warnings


def _map_files(files: list[str], workers: int | None, progress=None, max_bytes: int = MAX_BYTES) -> list[FileOutcome]:
    report = progress or (lambda outcome, total: None)
    outcomes: list[FileOutcome] = []

    def done(outcome: FileOutcome) -> None:
        outcomes.append(outcome)
        report(outcome, len(files))

    _run_tasks(process_file, [(f, max_bytes) for f in files], workers, done, _failed_file)
    return outcomes


def _failed_file(args: tuple, exc: BaseException) -> FileOutcome:
    source = source_fields(args[0])
    message = f"worker failed: {type(exc).__name__}: {exc}"
    return FileOutcome(source["source_path"], error=ErrorRecord(**source, stage="pipeline", error_type="internal", message=message))


def _run_tasks(fn, tasks: list[tuple], workers: int | None, done, failed) -> None:
    """``done(fn(*task))`` for every task, in this process or in a pool of ``workers`` processes.

    A task whose worker died (killed for memory, say) is retried once in a fresh pool; if it fails
    again ``done(failed(task, exc))``. Workers die with this process, and Ctrl-C stops them at once.
    """
    workers = min(workers or os.cpu_count() or 1, len(tasks))
    if workers <= 1:
        for task in tasks:
            done(fn(*task))
        return
    # Rules and models load once here: workers forked afterwards inherit them (copy-on-write); with
    # the spawn/forkserver start methods the initializer loads them once per worker. Never per document.
    warm_up()
    for attempt in (1, 2):
        retry = []
        pool = ProcessPoolExecutor(max_workers=min(workers, len(tasks)), initializer=_init_worker, initargs=(os.getpid(),))
        try:
            futures = {pool.submit(fn, *task): task for task in tasks}
            for future in as_completed(futures):
                task = futures[future]
                try:
                    outcome = future.result()
                except Exception as exc:  # a worker died: the pool is broken, every pending task fails
                    if attempt == 1:
                        retry.append(task)
                    else:
                        done(failed(task, exc))
                    continue
                done(outcome)
        except BaseException:  # Ctrl-C or a failing callback: stop the workers now, not after their documents
            _stop_pool(pool)
            raise
        pool.shutdown()
        if not retry:
            return
        tasks = sorted(retry)


def _stop_pool(pool: ProcessPoolExecutor) -> None:
    processes = list((getattr(pool, "_processes", None) or {}).values())
    pool.shutdown(wait=False, cancel_futures=True)
    for proc in processes:
        proc.terminate()
    for proc in processes:
        proc.join(timeout=1)
        if proc.is_alive():  # it must not write into the work folder while that is removed
            proc.kill()
            proc.join(timeout=1)


# ------------------------------------------------------------------ streaming to part files


def default_shard_size(n_files: int) -> int:
    """Documents per shard: about 64 shards (enough to keep workers busy), 1 to 256 documents each.

    Depends only on the number of inputs, so the part files are the same for any worker count.
    """
    return max(1, min(256, math.ceil(n_files / 64)))


class NoInputs(ValueError):
    """Nothing to extract: no file of a supported format in the paths given (``skipped`` says what
    was found instead, e.g. a file of another format named on the command line)."""

    def __init__(self, message: str, skipped: list | None = None):
        super().__init__(message)
        self.skipped = skipped or []


@dataclass
class ShardReport:
    """What one shard's worker sends back: one light outcome per input, in source-path order."""

    shard: int
    outcomes: list[FileOutcome]


def extract_shard(shard: int, items: list, work: str, max_bytes: int = MAX_BYTES, dedupe: bool = True) -> ShardReport:
    """Process one shard's inputs in order and write its nine part files into ``work`` (the one
    per-shard function of both engines). ``items`` are paths, or ErrorRecords found while listing.

    The duplicate-text rule is applied inside the shard; across shards the parent finishes it
    (:func:`_dedupe_across_shards`). Only summaries are returned, never records.
    """
    from planparse.write import write_shard

    outcomes = []
    for item in items:
        if isinstance(item, ErrorRecord):
            outcomes.append(FileOutcome(item.source_path, error=item))
        else:
            outcomes.append(process_file(item, max_bytes))
    scratch = BatchResult()
    kept = _keep_first(outcomes, scratch, dedupe, {})
    records: dict[str, list] = {name: [] for name in RECORD_TYPES}
    for outcome in kept:
        for name, recs in outcome.result.records().items():
            records[name].extend(recs)
    # files that failed, and extractor components that failed inside a kept document, by source path
    failed = [o.error for o in outcomes if o.error is not None] + [e for o in kept for e in o.result.errors]
    records["errors"] = sorted(failed, key=lambda e: e.source_path)
    write_shard(work, shard, records)
    # Duplicates are reported too (with their doc_id): the parent applies the rule across shards.
    return ShardReport(shard, [o.light() for o in outcomes])


def extract_to_folder(
    paths: list[str | os.PathLike],
    out: str | os.PathLike,
    workers: int | None = None,
    progress: Callable[[FileOutcome, int], None] | None = None,
    max_bytes: int = MAX_BYTES,
    shard_size: int | None = None,
    force: bool = False,
    engine: str = "local",
    ray_address: str | None = None,
    plan=None,
    formats=None,
) -> BatchResult:
    """Extract ``paths`` into the outputs folder ``out`` (part files, committed atomically) and
    return the batch without its records (``summaries``, ``errors``, ``skipped``).

    ``engine``: ``"local"`` (a process pool of ``workers``) or ``"ray"`` (Ray Data actors, see
    :mod:`planparse.ray_engine`; ``ray_address`` as for ``ray.init``). ``out`` is checked before any
    input is read (``plan``: an already checked :func:`planparse.write.check_out`).
    Raises OutputFolderError for an unusable ``out`` and NoInputs when there is nothing to extract.
    """
    from planparse.write import check_out

    plan = plan or check_out(out, force=force)
    files, skipped, walk_errors = list_sources(paths, formats)
    items = sorted([*files, *walk_errors], key=lambda i: i.source_path if isinstance(i, ErrorRecord) else display_path(i))
    if not items:
        raise NoInputs("no input files", skipped)
    size = shard_size or default_shard_size(len(items))
    shards = [(k, items[i : i + size]) for k, i in enumerate(range(0, len(items), size))]
    try:
        work = plan.work_folder()
        reports: dict[int, ShardReport] = {}
        total = len(items)
        report = progress or (lambda outcome, n: None)

        def done(shard_report: ShardReport) -> None:
            reports[shard_report.shard] = shard_report
            for outcome in shard_report.outcomes:
                report(outcome, total)

        if engine == "ray":
            from planparse.ray_engine import run_shards

            run_shards(shards, str(work), max_bytes, done, address=ray_address, workers=workers)
        else:
            tasks = [(k, chunk, str(work), max_bytes) for k, chunk in shards]
            _run_tasks(extract_shard, tasks, workers, done, lambda task, exc: _failed_shard(task, exc))
        missing = [k for k, _ in shards if k not in reports]
        if missing:  # the driver commits only a complete set
            raise RuntimeError(f"shards {missing[:5]} did not report; nothing committed")
        batch = BatchResult(skipped=skipped)
        _dedupe_across_shards([reports[k] for k, _ in shards], work, batch)
        batch.skipped.sort(key=lambda n: n.source_path)
        plan.commit(work)
    except BaseException:
        plan.discard()
        raise
    return batch


def _failed_shard(task: tuple, exc: BaseException) -> ShardReport:
    """A shard whose worker died twice: every input of it becomes an error row (written here)."""
    from planparse.write import write_shard

    shard, items, work, _ = task
    outcomes = [
        FileOutcome(i.source_path, error=i) if isinstance(i, ErrorRecord) else _failed_file((i,), exc) for i in items
    ]
    write_shard(work, shard, {"errors": [o.error for o in outcomes]})
    return ShardReport(shard, outcomes)


def _dedupe_across_shards(reports: list[ShardReport], work: Path | str, batch: BatchResult) -> None:
    """Collect the batch from the shard reports and finish the duplicate-text rule across shards
    (the first source path wins) from the reported doc_ids. Only the part files of shards that hold
    a later duplicate, or the kept original it must name, are rewritten."""
    seen: dict[str, tuple[str, int]] = {}  # doc_id -> (kept path, its shard)
    kept_summary: dict[str, object] = {}
    drop: dict[int, set[str]] = {}  # shard -> doc_ids whose rows there are a later duplicate's
    warn: dict[int, dict[str, list[str]]] = {}  # shard -> doc_id -> warnings to add to its document
    for rep in reports:
        for outcome in rep.outcomes:
            if outcome.error is not None:
                batch.errors.append(outcome.error)
                if outcome.traceback:
                    batch.tracebacks[outcome.source_path] = outcome.traceback
                continue
            first = seen.get(outcome.doc_id)
            if first is None:
                seen[outcome.doc_id] = (outcome.source_path, rep.shard)
                kept_summary[outcome.doc_id] = outcome.summary
                batch.summaries.append(outcome.summary)
                continue
            batch.skipped.append(Notice(outcome.source_path, "duplicate", f"skipped: same text as {first[0]} (doc_id {outcome.doc_id})"))
            if first[1] == rep.shard:
                continue  # the shard's worker kept the first and named this one in its warnings
            drop.setdefault(rep.shard, set()).add(outcome.doc_id)
            message = f"same text as {outcome.source_path} (kept this one)"
            warn.setdefault(first[1], {}).setdefault(outcome.doc_id, []).append(message)
            kept_summary[outcome.doc_id].warnings.append(message)
    for shard in sorted(set(drop) | set(warn)):
        _rewrite_shard(Path(work), shard, drop.get(shard, set()), warn.get(shard, {}))


def _rewrite_shard(work: Path, shard: int, drop: set[str], warn: dict[str, list[str]]) -> None:
    import pyarrow as pa
    import pyarrow.compute as pc
    import pyarrow.parquet as pq

    from planparse.write import parquet_file, part_name

    for name in RECORD_TYPES:
        if name == "errors":
            continue
        path = work / name / part_name(shard)
        with parquet_file(path) as opened:
            table = pq.read_table(opened)
        if drop:
            table = table.filter(pc.invert(pc.is_in(table["doc_id"], value_set=pa.array(sorted(drop)))))
        if name == "documents" and warn:
            rows = table.to_pylist()
            for row in rows:
                row["warnings"] = list(row["warnings"]) + warn.get(row["doc_id"], [])
            table = pa.Table.from_pylist(rows, schema=table.schema)
        tmp = path.with_name(f".{path.name}.rewrite")
        with parquet_file(tmp, "wb") as opened:
            pq.write_table(table, opened)
        os.replace(tmp, path)


_WARM_UP_TEXT = "第一章 总则\n一、主要任务\n（一）加强建设。到2025年达到90%以上。2024年底前完成。（市卫生健康委负责）\n"


def warm_up() -> None:
    """Load every rule file and model the pipeline uses (module-level caches keep them)."""
    from planparse import pipeline

    try:
        pipeline.process_bytes(_WARM_UP_TEXT.encode("utf-8"), "<warm-up>")
    except Exception:  # noqa: BLE001 - a broken stage shows up again, per document, as an ErrorRecord
        pass


# A young collection every 700 net allocations, and full ones walking every live object, cost a
# 20 MB document 10 % of its CPU time and a 1 MB one 4-5 % (measured with gc.callbacks); with these,
# 3-4 % and 1 %. Objects in reference cycles are rare in the pipeline, so memory does not grow.
GC_THRESHOLD = (10_000, 10, 10)


def tune_gc() -> None:
    """Set the collector for a process planparse owns (the CLI, pool workers, Ray actors; never a
    library caller's): what is loaded so far (after warm_up: the rules and models) frozen out of
    every collection, which also keeps a forked worker's pages shared, and young collections at
    GC_THRESHOLD."""
    gc.freeze()
    gc.set_threshold(*GC_THRESHOLD)


def warm_up_worker() -> None:
    """A process planparse starts to read documents (pool worker, Ray actor, bench child): rules
    and models loaded, then the collector set (tune_gc) so they are frozen."""
    warm_up()
    tune_gc()


def _init_worker(parent: int | None = None) -> None:
    # Ctrl-C reaches the whole process group: only the parent handles it (no traceback per worker);
    # it then terminates the workers itself.
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    _die_with_parent(parent)
    warm_up_worker()


_PR_SET_PDEATHSIG = 1


def _die_with_parent(parent: int | None) -> None:
    """Have the kernel SIGKILL this worker when its parent dies (SIGKILL or SIGTERM of the parent
    would otherwise leave workers running, holding the caller's stderr pipe open)."""
    if sys.platform.startswith("linux"):
        try:
            ctypes.CDLL(None, use_errno=True).prctl(_PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0)
        except (OSError, AttributeError):
            pass
    if parent is not None and os.getppid() != parent:  # the parent died before prctl took effect
        os._exit(1)
