"""Helpers shared by the extractors: masking, clause spans, measure lookup."""

from __future__ import annotations

from functools import lru_cache
from typing import Iterable, Iterator, Sequence

import regex

from planparse.models import QUOTE_MAX_CHARS, Measure, Table
from planparse.spans import SpanIndex

MASK_CHAR = "\x00"
# A quote is the clause or sentence holding what a record states, never longer than QUOTE_MAX_CHARS
# (models.py, README Outputs). Clause boundaries are looked for only that far from the expression,
# so a text without delimiters costs constant work per match instead of a scan to its end.


def leftmost_longest(spans: Iterable[tuple[int, int]]) -> list[tuple[int, int]]:
    """Non-overlapping spans, in text order: at each start the longest wins, later overlaps are dropped."""
    kept: list[tuple[int, int]] = []
    for s, e in sorted(spans, key=lambda se: (se[0], -se[1])):
        if not kept or s >= kept[-1][1]:
            kept.append((s, e))
    return kept


def mask_spans(text: str, patterns: Iterable[regex.Pattern]) -> str:
    """``text`` with every match of ``patterns`` overwritten by MASK_CHAR (offsets unchanged)."""
    for pattern in patterns:
        text = pattern.sub(lambda m: MASK_CHAR * len(m.group()), text)
    return text


def clause_span(
    text: str, start: int, end: int, delimiters: regex.Pattern, extend_past_head: bool = True
) -> tuple[int, int]:
    """Span of the clause holding ``text[start:end]``: from the previous delimiter to the next.

    When nothing follows the expression inside its clause ("到2025年，…") the span runs on to the
    end of the next clause, so the quote says what has to happen by then.
    """
    cstart = clause_start(text, start, delimiters)
    limit = min(len(text), end + QUOTE_MAX_CHARS)
    m = delimiters.search(text, end, limit)
    cend = m.start() if m else limit
    if extend_past_head and m and not text[end:cend].strip() and m.group() not in "。\n":
        nxt = delimiters.search(text, m.end(), limit)
        cend = nxt.start() if nxt else limit
    cstart, cend = cap_span(cstart, cend, start, end)
    # Trim whitespace so the quote starts and ends on text.
    while cstart < start and text[cstart].isspace():
        cstart += 1
    while cend > end and text[cend - 1].isspace():
        cend -= 1
    return cstart, cend


def clause_start(text: str, pos: int, delimiters: regex.Pattern) -> int:
    """Offset just after the last delimiter before ``pos`` (0 if none), looking back at most
    QUOTE_MAX_CHARS characters (a longer clause starts there)."""
    floor = max(0, pos - QUOTE_MAX_CHARS)
    head = _reversed(delimiters).search(text, floor, pos) if pos else None
    return head.end() if head else floor


def cap_span(qstart: int, qend: int, start: int, end: int) -> tuple[int, int]:
    """The quote span ``qstart:qend`` cut to QUOTE_MAX_CHARS around the expression ``start:end``
    (kept whole): up to half the room before it, the rest after it, any room left over before.
    An expression longer than the cap itself (a run of 3,000 digits read as a value) is quoted
    from its start: no quote is ever longer than QUOTE_MAX_CHARS."""
    if qend - qstart <= QUOTE_MAX_CHARS:
        return qstart, qend
    if end - start > QUOTE_MAX_CHARS:
        return start, start + QUOTE_MAX_CHARS
    room = max(0, QUOTE_MAX_CHARS - (end - start))
    before = min(start - qstart, room // 2)
    after = min(qend - end, room - before)
    before = min(start - qstart, room - after)
    return start - before, end + after


@lru_cache(maxsize=None)
def _reversed(pattern: regex.Pattern) -> regex.Pattern:
    return regex.compile(pattern.pattern, pattern.flags | regex.REVERSE)


def column_cells(text: str, table: Table, columns: Sequence[int]) -> Iterator[list[tuple[int, str, int]]]:
    """Per data row, (column, stripped cell, offset in ``text``) of each non-empty cell of ``columns``.

    A table a reader gave as cells has each cell's span (``cell_spans``); cells of a table found in
    flat text are looked up in table order, so equal cells in later rows land on their own text.
    """
    pos = table.char_start
    for r, row in enumerate(table.rows):
        found = []
        for i in columns:
            cell = row[i].strip() if i < len(row) else ""
            if table.cell_spans and cell:
                start, end = table.cell_spans[r][i]
                found.append((i, cell, start + text[start:end].index(cell)))
                continue
            at = text.find(cell, pos, table.char_end) if cell else -1
            if at >= 0:
                found.append((i, cell, at))
                pos = at + len(cell)
        yield found


def measure_id_at(measures: SpanIndex[Measure], offset: int) -> str | None:
    """Id of the innermost measure containing ``offset``."""
    found = measures.innermost(offset)
    return found.measure_id if found else None
