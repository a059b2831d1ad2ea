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

import re
import sys
import time
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import TextIO

from rich.console import Console
from rich.table import Table as RichTable

from planparse.models import Table, Target
from planparse.pipeline import DocumentResult

GOOD_STRUCTURE, POOR_STRUCTURE = 0.70, 0.40
GOOD_TABLES, POOR_TABLES = 0.80, 0.50

COUNTED = ("sections", "measures", "tables", "targets", "deadlines", "responsibilities", "agencies")
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


def summary_json(batch, out: str | Path, seconds: float) -> dict:
    """What ``extract --json`` prints: per-document summaries, errors, skipped files, totals."""
    docs = _summaries(batch)
    return {
        "out": str(out),
        "seconds": round(seconds, 3),
        "n_files": batch.n_files,
        "n_documents": len(docs),
        "n_errors": len(batch.errors),
        "totals": {name: sum(d.counts[name] for d in docs) for name in COUNTED},
        "grades": {g: sum(d.grade == g for d in docs) for g in GRADE_STYLE},
        "documents": [asdict(d) for d in docs],
        "errors": [e.model_dump() for e in batch.errors],
        "skipped": [{"source_path": n.source_path, "kind": n.kind, "message": n.message} for n in batch.skipped],
    }


def _summaries(batch) -> list[DocumentSummary]:
    # A streamed batch carries summaries only; an in-memory one may carry just its documents.
    return batch.summaries or [summarize(r) for r in batch.documents]


def _console(file: TextIO | None = None) -> Console:
    file = file or sys.stdout
    # Off a terminal rich would wrap at 80 columns; a log file has room for the whole table.
    return Console(file=file, width=None if file.isatty() else 200)


def print_summary(batch, file: TextIO | None = None, max_rows: int = 300) -> None:
    """Summary table (one row per document) and each document's warnings; past ``max_rows``
    documents, only the first ``max_rows`` rows and warnings, then a count of the rest."""
    everything = _summaries(batch)
    if not everything:
        return
    docs = everything[:max_rows]
    table = RichTable(title="Extracted documents", title_justify="left")
    table.add_column("file", overflow="fold")
    for name in COUNTED:
        table.add_column(name, justify="right")
    table.add_column("warnings", justify="right")
    table.add_column("structure", justify="right")
    table.add_column("clean tables", justify="right")
    table.add_column("grade")
    for d in docs:
        style = GRADE_STYLE[d.grade]
        table.add_row(
            Path(d.source_path).name,
            *(str(d.counts[name]) for name in COUNTED),
            str(len(d.warnings)),
            f"{d.structure_share:.0%}",
            f"{d.clean_tables}/{d.n_tables}",
            f"[{style}]{d.grade}[/{style}]",
        )
    console = _console(file)
    console.print(table)
    for d in docs:
        for warning in d.warnings:
            console.print(f"warning: {Path(d.source_path).name}: {warning}", markup=False, highlight=False)
    if len(everything) > len(docs):
        rest = everything[len(docs) :]
        grades = ", ".join(f"{sum(d.grade == g for d in rest)} {g}" for g in GRADE_STYLE)
        console.print(f"… and {len(rest)} more documents ({grades}; {sum(len(d.warnings) for d in rest)} warnings): --json lists all", markup=False, highlight=False)


class BatchProgress:
    """Progress of ``run_batch`` (pass the object as its ``progress``): a rich bar with documents,
    characters/s and the latest file on a terminal; one plain line per file otherwise (CI logs)."""

    def __init__(self, enabled: bool = True, file: TextIO | None = None):
        self.file = file or sys.stderr
        self.enabled = enabled
        self.live = enabled and self.file.isatty()
        self.done = 0
        self.chars = 0
        self._started = time.perf_counter()
        self._bar = None
        self._task = None

    def __enter__(self) -> "BatchProgress":
        self._started = time.perf_counter()
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
        if outcome.error is None:
            self.chars += outcome.n_chars
        elapsed = max(time.perf_counter() - self._started, 1e-6)
        rate = f"{self.chars / elapsed:,.0f} chars/s"
        name = Path(outcome.source_path).name
        if self._bar is not None:
            self._bar.update(self._task, total=total, completed=self.done, rate=rate, file=name)
            return
        status = f"{outcome.n_chars} chars" if outcome.error is None else f"failed ({outcome.error.error_type})"
        print(f"[{self.done}/{total}] {outcome.source_path}: {status}; {rate}", file=self.file, flush=True)
