"""Corpus runner: map ``pipeline.process_bytes`` over files, in parallel when asked.

Input rule: a folder is walked recursively and its files of a supported format (the readers'
suffixes: ``.txt``, ``.docx``, ``.doc``, ``.wps``, ``.html``, ``.htm``, ``.pdf`` when its reader is
installed; ``formats`` narrows them) are processed; every other file is skipped with a notice (notes
such as ``*.md`` and annotations such as ``*.json`` are not plan texts). Hidden files and folders are ignored.
A file named explicitly is processed whatever its extension, unless the extension says it is not
text. One bad file never stops the batch: each failure becomes an ``ErrorRecord``.
"""

from __future__ import annotations

import errno
import fnmatch
import os
import signal
import traceback
from collections.abc import Callable
from concurrent.futures import ProcessPoolExecutor, as_completed
from dataclasses import dataclass, field

from planparse.ingest import IngestError
from planparse.models import ErrorRecord, RECORD_TYPES
from planparse.pipeline import DocumentResult, process_bytes
from planparse.readers import suffixes_for

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
    documents: list[DocumentResult] = field(default_factory=list)
    errors: list[ErrorRecord] = field(default_factory=list)
    skipped: list[Notice] = field(default_factory=list)
    # source_path -> formatted traceback of unexpected failures (shown with --debug).
    tracebacks: dict[str, str] = field(default_factory=dict)

    @property
    def n_files(self) -> int:
        return len(self.documents) + len(self.errors)

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


def list_inputs(paths: list[str | os.PathLike], formats=None) -> tuple[list[str], list[Notice]]:
    """Files to process (sorted, unique) and notices for the ones skipped. ``formats`` (reader
    names or suffixes, see ``readers.suffixes_for``) narrows what folders are walked for."""
    walked = suffixes_for(formats)
    files: set[str] = set()
    skipped: dict[str, Notice] = {}
    for given in paths:
        root = os.fspath(given)
        if os.path.isdir(root) and _suffix(root) not in walked:
            for dirpath, dirnames, filenames in os.walk(root):
                # A folder named like a plan file is kept as an input so that its failure is reported, not hidden.
                names = filenames + [d for d in dirnames if _suffix(d) in walked]
                dirnames[:] = sorted(d for d in dirnames if not d.startswith(".") and _suffix(d) not in walked)
                for name in names:
                    if name.startswith("."):
                        continue
                    path = os.path.join(dirpath, name)
                    if _suffix(name) in walked:
                        files.add(path)
                    else:
                        skipped[path] = _skip_notice(path)
        elif _suffix(root) in NOT_TEXT_SUFFIXES and _suffix(root) not in suffixes_for():
            skipped[root] = _skip_notice(root)
        else:
            files.add(root)
    return sorted(files), sorted(skipped.values(), key=lambda n: n.source_path)


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
}


def process_file(path: str) -> FileOutcome:
    """Read and process one file, turning every failure into an ErrorRecord."""
    try:
        with open(path, "rb") as fh:
            data = fh.read()
    except OSError as exc:
        error_type, what = _OS_ERRORS.get(exc.errno, ("unreadable", exc.strerror or str(exc)))
        return FileOutcome(path, error=ErrorRecord(source_path=path, stage="read", error_type=error_type, message=f"cannot read: {what}"))
    if not data.strip():
        return FileOutcome(path, error=_empty_error(path))
    try:
        result = process_bytes(data, path)
    except IngestError as exc:
        return FileOutcome(path, error=ErrorRecord(source_path=path, stage="decode", error_type=exc.error_type, message=exc.message))
    except Exception as exc:  # any bug in one document must not stop the batch
        return FileOutcome(
            path,
            error=ErrorRecord(
                source_path=path,
                stage=_failed_stage(exc),
                error_type="internal",
                message=f"{type(exc).__name__}: {exc}",
            ),
            traceback="".join(traceback.format_exception(exc)),
        )
    if not result.document.text.strip():
        return FileOutcome(path, error=_empty_error(path))
    return FileOutcome(path, result=result)


def _empty_error(path: str) -> ErrorRecord:
    return ErrorRecord(source_path=path, stage="read", error_type="empty", message="the file is empty or holds only whitespace")


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
    formats=None,
) -> BatchResult:
    """Process every input file; the result does not depend on ``workers`` or completion order.

    With ``dedupe``, a file whose cleaned text equals an earlier one's (same doc_id, e.g. the same plan
    in two encodings) is skipped with a notice and named in the kept document's warnings, so doc_id
    stays a key. ``progress(outcome, n_files)`` is called in this process as each file finishes (in
    completion order; it only observes, the result is the same with or without it).
    """
    files, skipped = list_inputs(paths, formats)
    outcomes = _map_files(files, workers, progress)
    batch = BatchResult(skipped=skipped)
    seen: dict[str, DocumentResult] = {}
    for outcome in sorted(outcomes, key=lambda o: o.source_path):
        if outcome.error is not None:
            batch.errors.append(outcome.error)
            if outcome.traceback:
                batch.tracebacks[outcome.source_path] = outcome.traceback
            continue
        doc = outcome.result.document
        first = seen.get(doc.doc_id)
        if dedupe and first is not None:
            first.document.warnings.append(f"same text as {doc.source_path} (kept this one)")
            batch.skipped.append(
                Notice(doc.source_path, "duplicate", f"skipped: same text as {first.document.source_path} (doc_id {doc.doc_id})")
            )
            continue
        seen[doc.doc_id] = outcome.result
        batch.documents.append(outcome.result)
    batch.skipped.sort(key=lambda n: n.source_path)
    return batch


def _map_files(files: list[str], workers: int | None, progress=None) -> list[FileOutcome]:
    workers = min(workers or os.cpu_count() or 1, len(files))
    report = progress or (lambda outcome, total: None)
    if workers <= 1:
        outcomes = []
        for f in files:
            outcomes.append(process_file(f))
            report(outcomes[-1], len(files))
        return outcomes
    # Rules and models load once here: workers forked afterwards inherit them (copy-on-write); with
    # the spawn/forkserver start methods the initializer loads them once per worker. Never per document.
    warm_up()
    outcomes = []
    pool = ProcessPoolExecutor(max_workers=workers, initializer=_init_worker)
    try:
        futures = {pool.submit(process_file, f): f for f in files}
        for future in as_completed(futures):
            path = futures[future]
            try:
                outcomes.append(future.result())
            except Exception as exc:  # a worker died (e.g. killed for memory): report the file, go on
                outcomes.append(
                    FileOutcome(
                        path,
                        error=ErrorRecord(source_path=path, stage="pipeline", error_type="internal", message=f"worker failed: {type(exc).__name__}: {exc}"),
                    )
                )
            report(outcomes[-1], len(files))
    except BaseException:  # Ctrl-C or a failing progress callback: do not wait for queued documents
        pool.shutdown(wait=False, cancel_futures=True)
        raise
    pool.shutdown()
    return outcomes


_WARM_UP_TEXT = "第一章 总则\n一、主要任务\n（一）加强建设。到2025年达到90%以上。2024年底前完成。（市卫生健康委负责）\n"


def warm_up() -> None:
    """Load every rule file and model the pipeline uses (module-level caches keep them)."""
    from planparse import pipeline

    try:
        pipeline.process_bytes(_WARM_UP_TEXT.encode("utf-8"), "<warm-up>")
    except Exception:  # noqa: BLE001 - a broken stage shows up again, per document, as an ErrorRecord
        pass


def _init_worker() -> None:
    # Ctrl-C reaches the whole process group: only the parent handles it (no traceback per worker).
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    warm_up()
