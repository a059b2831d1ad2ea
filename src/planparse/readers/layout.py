"""Canonical text for readers that see the source's own structure (DOCX, HTML).

Runs of paragraphs go through ``ingest.clean_text`` exactly as a text file would (noise lines
dropped, cut lines rejoined), so the same plan reads the same whichever format it came in. A table
is written one row per line, its cells joined by tabs; a merged cell is written once, where it
starts, and its copies (carried down or right) keep that cell's span.
"""

from __future__ import annotations

from dataclasses import dataclass

import regex

from planparse.document import Block, Cell, PlanDoc
from planparse.ingest import clean_text

_SPACE = regex.compile(r"\s+")
# The widest merge honoured (HTML caps colspan at 1000): a damaged file cannot blow the grid up.
MAX_SPAN = 1000


def cell_text(paragraphs: list[str]) -> str:
    """A cell's text on one line: its paragraphs stripped and joined by a space, inner whitespace
    runs (line breaks, tabs) squeezed to one space."""
    return " ".join(p for p in (_SPACE.sub(" ", p).strip() for p in paragraphs) if p)


@dataclass
class GridCell:
    """One grid position of a table as a reader sees it: the text of the cell that starts here,
    or ``origin`` = (row, col) of the merged cell covering it."""

    text: str = ""
    origin: tuple[int, int] | None = None


def expand_grid(rows: list[list[tuple[str, int, int]]]) -> list[list[GridCell]]:
    """Rows of (text, rowspan, colspan) cells -> a full grid with merged cells expanded.
    A row's cells fill the positions left free by rowspans from above (the HTML rule)."""
    grid: list[list[GridCell | None]] = []
    for r, row in enumerate(rows):
        while len(grid) <= r:
            grid.append([])
        col = 0
        for text, rowspan, colspan in row:
            colspan = min(max(1, colspan), MAX_SPAN)
            while col < len(grid[r]) and grid[r][col] is not None:
                col += 1
            # a rowspan past the last row stops there, as browsers draw it
            for dr in range(max(1, min(rowspan, len(rows) - r))):
                while len(grid) <= r + dr:
                    grid.append([])
                line = grid[r + dr]
                for dc in range(colspan):
                    while len(line) <= col + dc:
                        line.append(None)
                    line[col + dc] = GridCell(text) if dr == dc == 0 else GridCell(origin=(r, col))
            col += colspan
    width = max((len(line) for line in grid), default=0)
    return [[c or GridCell() for c in line] + [GridCell() for _ in range(width - len(line))] for line in grid]


class Builder:
    def __init__(self) -> None:
        self.lines: list[str] = []
        self.pos = 0  # offset where the next line starts
        self.blocks: list[Block] = []
        self._pending: list[tuple[str, int | None, str | None]] = []

    def paragraph(self, text: str, heading_level: int | None = None, ref: str | None = None) -> None:
        """A paragraph; ``\\n`` inside it (soft line breaks) are paragraph breaks too."""
        self._pending.append((text, heading_level, ref))

    def _add_line(self, line: str) -> int:
        start = self.pos
        self.lines.append(line)
        self.pos += len(line) + 1
        return start

    def _flush(self) -> None:
        if not self._pending:
            return
        cleaned = clean_text("\n".join(text for text, _, _ in self._pending)).rstrip("\n")
        headings = [(_SPACE.sub("", t.split("\n")[0]), level, ref) for t, level, ref in self._pending if level]
        self._pending = []
        for line in cleaned.split("\n") if cleaned else []:
            start = self._add_line(line)
            if not line.strip():
                continue
            level, ref = None, None
            if headings and _SPACE.sub("", line).startswith(headings[0][0]) and headings[0][0]:
                _, level, ref = headings.pop(0)
            kind = "heading" if level else "paragraph"
            self.blocks.append(Block(kind, start, start + len(line), heading_level=level, source_ref=ref))

    def table(self, grid: list[list[GridCell]], ref: str | None = None) -> None:
        grid = [row for row in grid if any(c.text or c.origin for c in row)]
        if not grid:
            return
        self._flush()
        if self.lines and self.lines[-1]:
            self._add_line("")  # a table stands apart from the paragraphs around it, as in text files
        cells: dict[tuple[int, int], Cell] = {}
        rows: list[list[Cell]] = []
        start = self.pos
        for r, row in enumerate(grid):
            parts, at, out = [], self.pos, []
            for c, gc in enumerate(row):
                if c:
                    at += 1  # the tab
                if gc.origin is not None and gc.origin in cells:
                    src = cells[gc.origin]
                    out.append(Cell(src.text, src.start, src.end, merged_from=gc.origin))
                    parts.append("")
                    continue
                cell = Cell(gc.text, at, at + len(gc.text))
                cells[(r, c)] = cell
                out.append(cell)
                parts.append(gc.text)
                at += len(gc.text)
            self._add_line("\t".join(parts))
            rows.append(out)
        self.blocks.append(Block("table", start, self.pos - 1, rows=rows, source_ref=ref))
        self._add_line("")

    def build(self, encoding: str, source_format: str, metadata: dict | None = None) -> PlanDoc:
        self._flush()
        text = "\n".join(self.lines).rstrip("\n") + "\n"  # the first line is never blank: offsets hold
        return PlanDoc(text=text, encoding=encoding, source_format=source_format, blocks=self.blocks, metadata=metadata or {})
