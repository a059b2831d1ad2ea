"""The block document model: what every reader produces and the segmenter consumes.

A ``PlanDoc`` is one canonical text (the offset space of every record) plus the ordered blocks a
reader found in it. Readers keep the source's own structure (Word heading styles and tables, HTML
``<table>``, PDF pages); the text reader rebuilds what it can from messy text and leaves table
detection to the segmenter, as before.

Invariants (checked by ``PlanDoc.check``):
- every block span and cell span lies inside ``text`` and blocks are in text order;
- a table block's cell ``text`` equals ``text[start:end]`` of that cell (the canonical text renders
  a table row as its cells joined by tabs, one row per line);
- ``page_starts[i]`` is the offset of page i + 1 (PDF only; empty otherwise).
"""

from __future__ import annotations

import bisect
from dataclasses import dataclass, field
from typing import Literal

BlockKind = Literal["paragraph", "heading", "table", "page_break"]
SourceFormat = Literal["text", "pdf", "docx", "doc", "html"]


@dataclass
class Cell:
    """One table cell after merged cells are expanded; a copy made by expansion keeps the span of
    the cell it copies (``merged_from`` says where that cell stands)."""

    text: str
    start: int
    end: int
    merged_from: tuple[int, int] | None = None  # (row, col) of the source cell when carried down/right


@dataclass
class Block:
    kind: BlockKind
    start: int
    end: int
    heading_level: int | None = None  # Word heading style / <h1>-<h6> level, when the source says so
    rows: list[list[Cell]] = field(default_factory=list)  # table blocks: rows of cells, header first
    page: int | None = None  # 1-based PDF page of ``start``
    bbox: tuple[float, float, float, float] | None = None  # PDF (x0, y0, x1, y1) in points
    source_ref: str | None = None  # DOCX body index ("p12", "t3"), HTML element path, PDF "page 4"
    ocr: bool = False  # text read by OCR: records from it carry a warning


@dataclass
class PlanDoc:
    text: str
    encoding: str
    source_format: SourceFormat
    blocks: list[Block] = field(default_factory=list)
    page_starts: list[int] = field(default_factory=list)
    # Fields the source states outright (HTML 发文机关/发文字号/成文日期 tables, DOCX core properties).
    metadata: dict = field(default_factory=dict)
    warnings: list[str] = field(default_factory=list)

    @property
    def n_pages(self) -> int | None:
        return len(self.page_starts) or None

    def page_of(self, offset: int) -> int | None:
        """1-based page holding ``offset``, or None for formats without pages."""
        if not self.page_starts:
            return None
        return max(1, bisect.bisect_right(self.page_starts, offset))

    def table_blocks(self) -> list[Block]:
        return [b for b in self.blocks if b.kind == "table"]

    def check(self) -> None:
        """Raise ValueError when a reader broke an invariant (a bug in the reader, not bad input)."""
        n = len(self.text)
        last = 0
        for block in self.blocks:
            if not 0 <= block.start <= block.end <= n:
                raise ValueError(f"block {block.source_ref or block.kind} span {block.start}:{block.end} outside text")
            if block.start < last and block.kind != "page_break":
                raise ValueError(f"block {block.source_ref or block.kind} at {block.start} is out of order")
            last = block.start
            for row in block.rows:
                for cell in row:
                    if self.text[cell.start : cell.end] != cell.text:
                        raise ValueError(f"cell {cell.text!r} does not match its span {cell.start}:{cell.end}")
        if self.page_starts != sorted(self.page_starts):
            raise ValueError("page_starts are not ascending")
