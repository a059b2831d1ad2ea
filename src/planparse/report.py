"""Feedback of ``planparse extract``: a progress display while the batch runs, then a summary.

Quality grade of a document (good / fair / poor), from two shares:

* structure share: the non-whitespace characters of the cleaned text that lie in a heading line, a
  numbered measure or a table, over all non-whitespace characters. Text outside these is prose the
  segmenter could not place (preambles are short, so a well-segmented plan is mostly structure).
* clean-table share: tables that parsed cleanly, over all tables. A table is clean when it has rows,
  every row has as many cells as the header (boxes have no header: every row is one cell), no cell is
  blank, and each of its targets that states a target got a value or was read as qualitative.

``good``: structure share >= 0.70 and clean-table share >= 0.80 (a document without tables passes the
second test). ``poor``: structure share < 0.40 or clean-table share < 0.50. ``fair``: the rest.
"""

from __future__ import annotations

import math
import re
import sys
import time
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import TextIO

from rich.cells import cell_len
from rich.console import Console
from rich.table import Table as RichTable

from planparse.models import CONTENT_TYPES, Table, Target
from planparse.pipeline import DocumentResult

GOOD_STRUCTURE, POOR_STRUCTURE = 0.70, 0.40
GOOD_TABLES, POOR_TABLES = 0.80, 0.50

COUNTED = CONTENT_TYPES  # every record type that belongs to a document, in file order
GRADE_STYLE = {"good": "green", "fair": "yellow", "poor": "red"}

_WHITESPACE = re.compile(r"\s+")


def _solid(text: str) -> int:
    """Number of non-whitespace characters."""
    return len(text) - sum(map(len, _WHITESPACE.findall(text)))


def structure_share(result: DocumentResult) -> float:
    """Share of the non-whitespace text inside a heading line, a measure or a table."""
    text = result.document.text
    spans = sorted(
        [(s.char_start, s.heading_end) for s in result.sections]
        + [(r.char_start, r.char_end) for r in (*result.measures, *result.tables)]
    )
    covered, end = 0, 0
    for start, stop in spans:  # merge overlapping spans, count each character once
        start = max(start, end)
        if stop > start:
            covered += _solid(text[start:stop])
            end = stop
    total = _solid(text)
    return covered / total if total else 0.0


def table_is_clean(table: Table, targets: list[Target]) -> bool:
    width = len(table.header) or 1
    if not table.rows or any(len(row) != width or any(not cell.strip() for cell in row) for row in table.rows):
        return False
    return all(t.target_value is not None or t.comparator == "qualitative" for t in targets if t.target_text)


def grade(structure: float, clean_tables: int, n_tables: int) -> str:
    tables = clean_tables / n_tables if n_tables else 1.0
    if structure < POOR_STRUCTURE or tables < POOR_TABLES:
        return "poor"
    if structure >= GOOD_STRUCTURE and tables >= GOOD_TABLES:
        return "good"
    return "fair"


@dataclass
class DocumentSummary:
    doc_id: str
    source_path: str
    title: str | None
    n_chars: int
    counts: dict[str, int]
    structure_share: float
    clean_tables: int
    n_tables: int
    grade: str
    warnings: list[str] = field(default_factory=list)


def group_by(records: Iterable, attr: str) -> dict:
    """Records grouped by one attribute's value (e.g. ``measure_id``), groups and rows in the order given."""
    grouped: dict = defaultdict(list)
    for r in records:
        grouped[getattr(r, attr)].append(r)
    return grouped


def summarize(result: DocumentResult) -> DocumentSummary:
    records = result.records()
    by_table = group_by(result.targets, "table_id")
    clean = sum(table_is_clean(t, by_table.get(t.table_id, [])) for t in result.tables)
    share = structure_share(result)
    doc = result.document
    return DocumentSummary(
        doc_id=doc.doc_id,
        source_path=doc.source_path,
        title=doc.title,
        n_chars=doc.n_chars,
        counts={name: len(records[name]) for name in COUNTED},
        structure_share=round(share, 3),
        clean_tables=clean,
        n_tables=len(result.tables),
        grade=grade(share, clean, len(result.tables)),
        warnings=list(doc.warnings),
    )


def batch_summaries(batch) -> list[DocumentSummary]:
    """The per-document summaries of a batch (a batch that streams its records to disk keeps only
    ``summaries``; an in-memory one has its documents)."""
    return getattr(batch, "summaries", None) or [summarize(r) for r in batch.documents]


def file_counts(batch) -> dict[str, int]:
    """How the files of a batch ended, counted one way everywhere (the progress line's total is
    ``files``): each file read is one extracted document, one failure or one duplicate."""
    duplicates = sum(n.kind == "duplicate" for n in batch.skipped)
    documents = len(batch_summaries(batch))
    return {
        "files": documents + len(batch.errors) + duplicates,
        "documents": documents,
        "errors": len(batch.errors),
        "duplicates": duplicates,
    }


def summary_line(batch, out: str | Path, seconds: float) -> str:
    """The last line of ``extract``: files read and how they ended, record totals, the output folder."""
    n = file_counts(batch)
    summaries = batch_summaries(batch)
    counts = ", ".join(f"{sum(d.counts[name] for d in summaries)} {name}" for name in COUNTED)
    duplicates = f", {n['duplicates']} duplicate(s) skipped" if n["duplicates"] else ""
    return (
        f"{n['files']} file(s) read in {seconds:.2f}s: {n['documents']} document(s) extracted, {n['errors']} failed"
        f"{duplicates}; {counts} -> {out}/"
    )


def summary_json(batch, out: str | Path, seconds: float) -> dict:
    """What ``extract --json`` prints: per-document summaries, errors, skipped files, totals."""
    docs = batch_summaries(batch)
    n = file_counts(batch)
    return {
        "out": str(out),
        "seconds": round(seconds, 3),
        "n_files": n["files"],
        "n_documents": len(docs),
        "n_errors": len(batch.errors),
        "n_duplicates": n["duplicates"],
        "totals": {name: sum(d.counts[name] for d in docs) for name in COUNTED},
        "grades": {g: sum(d.grade == g for d in docs) for g in GRADE_STYLE},
        "documents": [asdict(d) for d in docs],
        "errors": [e.model_dump(mode="json") for e in batch.errors],  # source_path_bytes as base64
        "skipped": [{"source_path": n.source_path, "kind": n.kind, "message": n.message} for n in batch.skipped],
    }


def _console(file: TextIO | None = None) -> Console:
    file = file or sys.stdout
    # Off a terminal rich would wrap at 80 columns; a log file has room for the whole table.
    return Console(file=file, width=None if file.isatty() else 200)


MAX_TABLE_ROWS = 200  # past this many documents the summary is totals, grades and the worst documents
WORST_SHOWN = 20
WARNINGS_SHOWN = 10  # per document in the summary; all of them are in documents.warnings
# Columns in the order they are dropped when the table is wider than the terminal (file and grade stay).
_DROP_ORDER = ("clean tables", "agencies", "deadlines", "tables", "structure", "warnings", "sections", "responsibilities", "measures", "targets")
# (A record type left out of _DROP_ORDER is kept; its short header is its first four letters.)
_SHORT_HEADERS = {**{name: name[:4] for name in COUNTED}, "warnings": "warn", "structure": "struct", "clean tables": "clean"}
_MIN_PATH = 16
_WANTED_PATH = 30


def middle_truncate(text: str, width: int) -> str:
    """``text`` cut to ``width`` terminal cells (a CJK character takes two) by replacing its middle
    with …, keeping both ends (the folder a path starts with and the file name it ends with)."""
    if cell_len(text) <= width:
        return text
    if width <= 1:
        return "…"[:width]
    head, tail, room = [], [], width - 1
    left, right = 0, len(text) - 1
    take_head = True
    while left <= right:  # alternate ends, as many characters as fit
        ch = text[left] if take_head else text[right]
        if cell_len(ch) > room:
            break
        room -= cell_len(ch)
        if take_head:
            head.append(ch)
            left += 1
        else:
            tail.append(ch)
            right -= 1
        take_head = not take_head
    return "".join(head) + "…" + "".join(reversed(tail))


def _summary_table(docs: list[DocumentSummary], width: int, title: str) -> RichTable:
    """The per-document table fitted to ``width`` columns: low-value columns dropped first, then
    paths shortened in the middle (never wrapped over several lines)."""
    columns = ["file", *COUNTED, "warnings", "structure", "clean tables", "grade"]

    def cells(d: DocumentSummary) -> dict[str, str]:
        style = GRADE_STYLE[d.grade]
        return {
            "file": d.source_path,
            **{name: str(d.counts[name]) for name in COUNTED},
            "warnings": str(len(d.warnings)),
            "structure": f"{d.structure_share:.0%}",
            "clean tables": f"{d.clean_tables}/{d.n_tables}",
            "grade": f"[{style}]{d.grade}[/{style}]",
        }

    rows = [cells(d) for d in docs]
    plain = {"grade": max((len(d.grade) for d in docs), default=4)}
    longest = max((cell_len(r["file"]) for r in rows), default=4)
    headers = {n: n for n in columns}

    def needed(names: list[str], path_width: int) -> int:
        # cell widths plus rich's borders and padding: 3 characters per column and 1 for the edge
        widths = [path_width if n == "file" else max(len(headers[n]), plain.get(n, 0), *(len(r[n]) for r in rows)) for n in names]
        return sum(widths) + 3 * len(names) + 1

    kept = list(columns)
    if needed(kept, min(longest, _WANTED_PATH)) > width:
        headers.update(_SHORT_HEADERS)
    for drop in _DROP_ORDER:  # keep room for a readable path before keeping a low-value column
        if needed(kept, min(longest, _WANTED_PATH)) <= width:
            break
        kept.remove(drop)
    path_width = max(min(longest, width - needed([c for c in kept if c != "file"], 0) - 3), _MIN_PATH)
    table = RichTable(title=title, title_justify="left")
    for name in kept:
        if name == "file":
            table.add_column(name, no_wrap=True, max_width=path_width)
        else:
            table.add_column(headers[name], justify="left" if name == "grade" else "right", no_wrap=True)
    for r in rows:
        table.add_row(*(middle_truncate(r[n], path_width) if n == "file" else r[n] for n in kept))
    return table


def print_summary(batch, file: TextIO | None = None, max_rows: int = MAX_TABLE_ROWS) -> None:
    """Summary table (one row per document) and each document's warnings; past ``MAX_TABLE_ROWS``
    documents, totals by grade, the documents with the least structure, and warning counts."""
    docs = batch_summaries(batch)
    if not docs:
        return
    console = _console(file)
    if len(docs) <= max_rows:
        console.print(_summary_table(docs, console.width, "Extracted documents"))
        for d in docs:
            for warning in d.warnings[:WARNINGS_SHOWN]:
                console.print(f"warning: {Path(d.source_path).name}: {warning}", markup=False, highlight=False)
            if len(d.warnings) > WARNINGS_SHOWN:  # e.g. a text kept for thousands of duplicate files
                more = len(d.warnings) - WARNINGS_SHOWN
                console.print(f"warning: {Path(d.source_path).name}: {more} more (documents.warnings in the outputs)", markup=False, highlight=False)
        return
    grades = ", ".join(f"{sum(d.grade == g for d in docs)} {g}" for g in GRADE_STYLE)
    totals = ", ".join(f"{sum(d.counts[name] for d in docs)} {name}" for name in COUNTED)
    console.print(f"{len(docs)} documents: {grades}; {totals}", markup=False, highlight=False)
    worst = sorted(docs, key=lambda d: (d.structure_share, d.source_path))[:WORST_SHOWN]
    console.print(_summary_table(worst, console.width, f"The {len(worst)} documents with the least structure (all: extract --json)"))
    warned = [d for d in docs if d.warnings]
    if warned:
        console.print(
            f"warnings: {sum(len(d.warnings) for d in warned)} in {len(warned)} documents (documents.warnings in the outputs)",
            markup=False,
            highlight=False,
        )


def _outcome_chars(outcome) -> int:
    if outcome.error is not None:
        return 0
    n_chars = getattr(outcome, "n_chars", None)  # a streamed outcome carries the count, not the result
    return n_chars if n_chars is not None else outcome.result.document.n_chars


class BatchProgress:
    """Progress of ``run_batch`` (pass the object as its ``progress``): a rich bar with documents,
    characters/s and the latest file on a terminal; otherwise (CI logs) one plain line per file for
    the first ``MAX_TABLE_ROWS`` files, then one per hundredth of the batch and one per failed file,
    so 100k small files do not print 100k lines."""

    def __init__(self, enabled: bool = True, file: TextIO | None = None):
        self.file = file or sys.stderr
        self.enabled = enabled
        self.live = enabled and self.file.isatty()
        self.done = 0
        self.chars = 0
        # The rate is timed from the first finished document, so start-up (imports, rules, models,
        # worker start) is not counted, as in ``make bench``; that document's characters are left out too.
        self._first_done: float | None = None
        self._timed_chars = 0
        self._bar = None
        self._task = None

    def rate(self) -> str:
        if self._first_done is None or self.done < 2:
            return ""
        elapsed = max(time.perf_counter() - self._first_done, 1e-6)
        return f"{self._timed_chars / elapsed:,.0f} chars/s"

    def __enter__(self) -> "BatchProgress":
        if self.live:
            from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

            self._bar = Progress(
                TextColumn("extracting"),
                BarColumn(),
                MofNCompleteColumn(),
                TextColumn("documents"),
                TextColumn("{task.fields[rate]}"),
                TimeElapsedColumn(),
                TextColumn("{task.fields[file]}"),
                console=Console(file=self.file),
                transient=True,
            )
            self._bar.start()
            self._task = self._bar.add_task("extract", total=None, rate="", file="")
        return self

    def __exit__(self, *exc) -> None:
        if self._bar is not None:
            self._bar.stop()

    def __call__(self, outcome, total: int) -> None:
        if not self.enabled:
            return
        self.done += 1
        n_chars = _outcome_chars(outcome)
        self.chars += n_chars
        if self._first_done is None:
            self._first_done = time.perf_counter()
        else:
            self._timed_chars += n_chars
        rate = self.rate()
        name = Path(outcome.source_path).name
        if self._bar is not None:
            self._bar.update(self._task, total=total, completed=self.done, rate=rate, file=name)
            return
        step = math.ceil(total / 100)
        if self.done > MAX_TABLE_ROWS and outcome.error is None and self.done % step and self.done != total:
            return
        status = f"{n_chars} chars" if outcome.error is None else f"failed ({outcome.error.error_type})"
        print(f"[{self.done}/{total}] {outcome.source_path}: {status}" + (f"; {rate}" if rate else ""), file=self.file, flush=True)
