"""Tables from a reader's table blocks, taken as the reader gave them (never re-detected in text).

The reader knows the grid (rows, cells, merged cells expanded); the segmenter still decides what
the grid is with the rules of ``segment/tables.py``: a merged first row that reads as a title is the
caption (or a 专栏 caption, making the table a box), else the caption is the title line above, as
for text tables; the first remaining row is the header, and the kind comes from its cells.
Text outside the reader's tables still goes through ``find_tables`` (专栏 boxes written as
paragraphs), with the reader's tables blanked out so they are not found twice.
"""

from __future__ import annotations

from planparse.document import Block, Cell, PlanDoc
from planparse.segment.tables import (
    TableBlock,
    _caption,
    _is_header,
    _is_title_like,
    _kind,
    _line_index,
    _Line,
    _rules,
    find_tables,
)


def document_tables(doc: PlanDoc) -> list[TableBlock]:
    """Every table of a read document, in text order."""
    grids = doc.table_blocks()
    if not grids:
        return find_tables(doc.text)
    lines = []
    pos = 0
    for part in doc.text.split("\n"):
        lines.append(_Line(pos, part))
        pos += len(part) + 1
    used = [False] * len(lines)
    for block in grids:
        for k in range(_line_index(lines, block.start), _line_index(lines, max(block.start, block.end - 1)) + 1):
            used[k] = True
    tables = [t for t in (_from_grid(b, lines, used) for b in grids) if t is not None]
    tables += find_tables(_blank_out(doc.text, grids))
    return sorted(tables, key=lambda t: t.char_start)


def _blank_out(text: str, blocks: list[Block]) -> str:
    """``text`` with each block's characters (newlines kept) replaced by spaces: offsets unchanged."""
    parts, pos = [], 0
    for b in blocks:
        parts.append(text[pos : b.start])
        parts.append("".join(ch if ch == "\n" else " " for ch in text[b.start : b.end]))
        pos = b.end
    parts.append(text[pos:])
    return "".join(parts)


def _one_cell(row: list[Cell]) -> Cell | None:
    """The cell a row consists of when it is one cell merged across the whole width."""
    first = row[0]
    return first if all((c.start, c.end) == (first.start, first.end) for c in row) else None


def _from_grid(block: Block, lines: list[_Line], used: list[bool]) -> TableBlock | None:
    rows = [row for row in block.rows if any(c.text for c in row)]
    if not rows:
        return None
    rules = _rules()
    caption = None
    kind = None
    title = _one_cell(rows[0])
    if title is not None and len(rows) > 1 and rules.box_caption.fullmatch(title.text):
        caption, kind = (title.text, title.start, title.end), "box"
        rows = rows[1:]
    elif title is not None and len(rows) > 2 and _is_title_like(title.text):
        # the title typed into a merged first row; an attachment marker (附件1) is not part of it
        prefix = rules.caption_prefix.match(title.text)
        cut = prefix.end() if prefix and prefix.end() < len(title.text) else 0
        caption = (title.text[cut:], title.start + cut, title.end)
        rows = rows[1:]
    else:
        caption = _caption(lines, _line_index(lines, block.start), used)
    groups: list[Cell] = []
    if kind == "box":
        header, data = [], rows
    else:
        header, data = rows[0], rows[1:]
        names = [c.text for c in header]
        kind = _kind(names) if _is_header(names) else "other"
        # a row that is one merged cell naming a group (一、… over its rows) is a heading, not data,
        # as in tables found in text
        is_group = [(one := _one_cell(row)) is not None and bool(rules.group_row.match(one.text)) for row in data]
        groups = [row[0] for row, g in zip(data, is_group) if g]
        data = [row for row, g in zip(data, is_group) if not g]
    return TableBlock(
        char_start=caption[1] if caption and caption[1] < block.start else block.start,
        char_end=block.end,
        caption_start=caption[1] if caption else None,
        caption_end=caption[2] if caption else None,
        kind=kind,
        caption=caption[0] if caption else None,
        header=[c.text for c in header],
        rows=[[c.text for c in row] for row in data],
        row_spans=[_row_span(row) for row in data],
        cell_spans=[[(c.start, c.end) for c in row] for row in data],
        group_spans=[(c.start, c.end) for c in groups],
    )


def _row_span(row: list[Cell]) -> tuple[int, int]:
    """The row's own text: its cells that are not copies of a merged cell above or to the left."""
    own = [c for c in row if c.merged_from is None and c.end > c.start] or row
    return min(c.start for c in own), max(c.end for c in own)
