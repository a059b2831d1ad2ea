"""Self-consistency of the pipeline on plans nobody annotated: ``planparse coverage DIR``.

A plan announces what it holds by its surface: a （…牵头…） tag announces an assignment, a 专栏N
caption a table, 2024年底前 a deadline. ``rules/coverage.yaml`` finds these announcements by shape
alone, independently of the extractors; an announcement counts as *produced* when a record of the
expected type overlaps its span in the cleaned text. The share produced per signal is a recall
estimate that needs no gold. Also reported: documents over ``headingless_min_chars`` characters with
no heading (their structure was not found) and the structure share of ``report.structure_share``.
"""

from __future__ import annotations

import bisect
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

import regex

from planparse.pipeline import DocumentResult
from planparse.report import structure_share
from planparse.rules_loader import alternation, load_rules

SIGNALS = ("responsibility_clauses", "table_captions", "deadline_expressions", "agency_words")
MAX_MISSES_KEPT = 20  # per signal and document, for the report


@dataclass(frozen=True)
class Announced:
    signal: str
    start: int
    end: int
    text: str


@dataclass
class SignalCount:
    announced: int = 0
    produced: int = 0
    missed: list[tuple[int, str]] = field(default_factory=list)  # (offset, text), first few

    @property
    def share(self) -> float | None:
        return self.produced / self.announced if self.announced else None

    def add(self, other: "SignalCount") -> None:
        self.announced += other.announced
        self.produced += other.produced


@dataclass
class DocCoverage:
    source_path: str
    doc_id: str
    n_chars: int
    n_headings: int
    structure: float
    signals: dict[str, SignalCount]


@dataclass
class CoverageReport:
    documents: list[DocCoverage] = field(default_factory=list)
    errors: list[tuple[str, str]] = field(default_factory=list)  # (source_path, message)

    @property
    def overall(self) -> dict[str, SignalCount]:
        total = {s: SignalCount() for s in SIGNALS}
        for doc in self.documents:
            for s in SIGNALS:
                total[s].add(doc.signals[s])
        return total

    @property
    def headingless(self) -> list[DocCoverage]:
        floor = _rules().headingless_min_chars
        return [d for d in self.documents if d.n_chars > floor and d.n_headings == 0]

    @property
    def structure(self) -> float | None:
        """Structure share over all documents, weighted by their length."""
        chars = sum(d.n_chars for d in self.documents)
        return sum(d.structure * d.n_chars for d in self.documents) / chars if chars else None

    def to_dict(self) -> dict:
        def counts(c: SignalCount, misses: bool) -> dict:
            out = {"announced": c.announced, "produced": c.produced, "share": c.share}
            if misses:
                out["missed"] = [{"offset": o, "text": t} for o, t in c.missed]
            return out

        return {
            "overall": {
                **{s: counts(c, False) for s, c in self.overall.items()},
                "documents": len(self.documents),
                "errors": len(self.errors),
                "headingless_documents": [d.source_path for d in self.headingless],
                "structure_share": self.structure,
            },
            "documents": [
                {
                    "source_path": d.source_path,
                    "doc_id": d.doc_id,
                    "n_chars": d.n_chars,
                    "n_headings": d.n_headings,
                    "structure_share": d.structure,
                    **{s: counts(d.signals[s], True) for s in SIGNALS},
                }
                for d in self.documents
            ],
            "errors": [{"source_path": p, "message": m} for p, m in self.errors],
        }


@dataclass(frozen=True)
class _Rules:
    patterns: dict[str, list[regex.Pattern]]
    record_of: dict[str, str]
    agency_word: regex.Pattern
    agency_ends: tuple[str, ...]
    list_item: regex.Pattern
    headingless_min_chars: int


@lru_cache(maxsize=1)
def _rules() -> _Rules:
    raw = load_rules("coverage")
    signals = raw["signals"]
    patterns = {
        name: [regex.compile(p, regex.MULTILINE) for p in spec.get("patterns", [])] for name, spec in signals.items()
    }
    agency = signals["agency_words"]
    sep = agency["separators"]
    # An item right before a role word (由市医疗保障局牵头); inside a clause, every list item.
    word = rf"[^{sep}]{{1,{agency['max_chars']}}}?(?:{alternation(agency['suffixes'])})"
    agency_word = regex.compile(rf"(?<=[{sep}]|^)(?P<item>{word})(?={agency['before_role']})", regex.MULTILINE)
    list_item = regex.compile(rf"[^{sep}]+?(?=[{sep}]|{agency['before_role']}|等|$)")
    record_of = {name: spec["record"] for name, spec in signals.items()}
    return _Rules(patterns, record_of, agency_word, tuple(agency["suffixes"]), list_item, raw["headingless_min_chars"])


def _agency_items(text: str, clauses: list[Announced]) -> list[Announced]:
    rules = _rules()
    items = [Announced("agency_words", m.start("item"), m.end("item"), m.group("item")) for m in rules.agency_word.finditer(text)]
    for clause in clauses:
        for piece in rules.list_item.finditer(clause.text):
            word = piece.group().removeprefix("由")
            if len(word) <= 20 and word.endswith(rules.agency_ends):
                start = clause.start + piece.end() - len(word)
                items.append(Announced("agency_words", start, start + len(word), word))
    return items


def announced(text: str) -> list[Announced]:
    """Every announcement in ``text``, in text order (one item per distinct span and signal)."""
    found: dict[tuple[str, int, int], Announced] = {}
    for signal, patterns in _rules().patterns.items():
        for pattern in patterns:
            for m in pattern.finditer(text):
                start = m.start() + len(m.group()) - len(m.group().lstrip(" \t\u3000\u00a0"))
                found.setdefault((signal, start, m.end()), Announced(signal, start, m.end(), text[start : m.end()]))
    clauses = [a for a in found.values() if a.signal == "responsibility_clauses"]
    for item in _agency_items(text, clauses):
        found.setdefault((item.signal, item.start, item.end), item)
    return sorted(found.values(), key=lambda a: (a.start, a.end, a.signal))


def announced_items(text: str) -> list[dict]:
    """Matcher for rules/coverage.examples.yaml."""
    return [{"signal": a.signal, "text": a.text, "start": a.start, "end": a.end} for a in announced(text)]


class _Overlaps:
    """Does any record span overlap [start, end)? Logarithmic per question."""

    def __init__(self, spans: list[tuple[int, int]]):
        spans.sort()
        self._starts = [s for s, _ in spans]
        self._reach = []
        reach = -1
        for _, e in spans:
            reach = max(reach, e)
            self._reach.append(reach)

    def __call__(self, start: int, end: int) -> bool:
        # records starting before `end`: the one reaching furthest must reach past `start`.
        i = bisect.bisect_left(self._starts, max(end, start + 1)) - 1
        return i >= 0 and self._reach[i] > start


def document_coverage(result: DocumentResult) -> DocCoverage:
    text = result.document.text
    rules = _rules()
    records = result.records()
    overlaps = {
        signal: _Overlaps([(r.char_start, r.char_end) for r in records[rules.record_of[signal]]]) for signal in SIGNALS
    }
    counts = {s: SignalCount() for s in SIGNALS}
    for item in announced(text):
        count = counts[item.signal]
        count.announced += 1
        if overlaps[item.signal](item.start, item.end):
            count.produced += 1
        elif len(count.missed) < MAX_MISSES_KEPT:
            count.missed.append((item.start, item.text))
    return DocCoverage(
        source_path=result.document.source_path,
        doc_id=result.document.doc_id,
        n_chars=result.document.n_chars,
        n_headings=len(result.sections),
        structure=structure_share(result),
        signals=counts,
    )


def coverage_paths(paths: list[str | Path]) -> CoverageReport:
    """Run the pipeline on every plan file under ``paths`` and measure its coverage."""
    from planparse.runner import list_inputs, process_file

    files, _ = list_inputs([str(p) for p in paths])
    report = CoverageReport()
    for path in files:
        outcome = process_file(path)
        if outcome.error is not None:
            report.errors.append((path, f"{outcome.error.error_type}: {outcome.error.message}"))
        else:
            report.documents.append(document_coverage(outcome.result))
    return report


def _pct(share: float | None) -> str:
    return "–" if share is None else f"{share:.1%}"


def print_coverage(report: CoverageReport, console=None, per_document: bool = True) -> None:
    from rich.console import Console
    from rich.table import Table

    console = console or Console()
    names = {
        "responsibility_clauses": "resp. clauses",
        "table_captions": "table captions",
        "deadline_expressions": "deadlines",
        "agency_words": "agency words",
    }
    if per_document:
        table = Table(title="coverage per document (produced / announced)")
        table.add_column("document", overflow="fold")
        table.add_column("headings", justify="right")
        table.add_column("structure", justify="right")
        for s in SIGNALS:
            table.add_column(names[s], justify="right")
        for d in report.documents:
            cells = [f"{c.produced}/{c.announced}" if c.announced else "–" for c in d.signals.values()]
            table.add_row(Path(d.source_path).name, str(d.n_headings), f"{d.structure:.0%}", *cells)
        console.print(table)
    overall = report.overall
    console.print(f"coverage over {len(report.documents)} documents ({len(report.errors)} errors):")
    for s in SIGNALS:
        c = overall[s]
        console.print(f"  {names[s]:<15} {c.produced:>6} / {c.announced:<6} {_pct(c.share)}")
    floor = _rules().headingless_min_chars
    console.print(f"  documents over {floor:,} chars with no heading: {len(report.headingless)}")
    console.print(f"  structure share (length-weighted): {_pct(report.structure)}")
