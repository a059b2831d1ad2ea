"""Tables and 专栏 boxes in the cleaned text.

Four layouts reach us after ingest:
- Word tables flattened to one tab-prefixed cell per line, rows separated by blank lines;
- tab-separated rows copied from web pages (one row per line, merged cells written once);
- PDF tables: space-separated cells, wrapped cells over several short lines, vertical 领域 labels;
- 专栏 boxes: a caption line followed by numbered entries.

``find_tables`` returns one ``TableBlock`` per table with spans into the text; merged cells are
carried down so every data row is as long as the header.
"""

from __future__ import annotations

import bisect
from dataclasses import dataclass, field
from functools import lru_cache

import regex

from planparse.rules_loader import alternation, load_rules


@dataclass
class TableBlock:
    char_start: int  # text[char_start:char_end] is the table's source, caption included
    char_end: int
    caption_start: int | None
    caption_end: int | None
    kind: str  # indicator / box / task / other
    caption: str | None
    header: list[str] = field(default_factory=list)
    rows: list[list[str]] = field(default_factory=list)  # data rows, each as long as the header
    row_spans: list[tuple[int, int]] = field(default_factory=list)  # span of each data row
    cell_spans: list[list[tuple[int, int]]] = field(default_factory=list)  # per data row; tables a reader gave
    # Group rows inside the table ("一、…" over a block of rows): headings of the document, not data.
    group_spans: list[tuple[int, int]] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)


class _Line:
    """A line of the text and what the table scans ask of it, computed once: they ask hundreds of
    thousands of times on a long plan (a plain class with slots: a plan has tens of thousands)."""

    __slots__ = ("start", "text", "stripped", "tabbed", "indented", "piece", "lone_caption")

    def __init__(self, start: int, text: str) -> None:
        self.start = start
        self.text = text
        self.stripped = text.strip()
        self.tabbed = text.startswith("\t")
        self.indented = text[:1] in (" ", "\u3000")
        # _header_piece and _is_lone_caption of this line, computed on first use: the parsers ask
        # them again for the same lines (the line before, two after, each view through them).
        self.piece: bool | None = None
        self.lone_caption: bool | None = None


@dataclass
class _Cell:
    text: str
    start: int
    end: int


class _Rules:
    def __init__(self, raw: dict):
        self.header_keywords = tuple(raw["header_keywords"])
        self.kind_keywords = {k: tuple(v) for k, v in raw["kind_keywords"].items()}
        self.project_keywords = tuple(raw["project_keywords"])
        self.indicator_overrides_task = tuple(raw["indicator_overrides_task"])
        self.serial_columns = set(raw["serial_columns"])
        self.unit_columns = set(raw["unit_columns"])
        self.nature_columns = set(raw["nature_columns"])
        self.nature_values = set(raw["nature_values"])
        words = alternation(raw["unit_words"])
        per = rf"(?:\d+(?:\.\d+)?)?(?:{words}|[a-zA-Z]{{1,5}}[²³]?)+"
        # "岁", "1/10万", "/10万", "张/千人", "%"
        self.unit_cell = regex.compile(rf"(?:\d*/)?{per}(?:/{per})?|{raw['unit_symbols']}")
        self.complete_number = regex.compile(raw["complete_number"])
        self.box_caption = regex.compile(raw["box_caption"])
        self.box_entry = regex.compile(raw["box_entry"])
        self.box_bullet = regex.compile(raw["box_bullet"])
        self.box_marker = regex.compile(raw["heading_markers"])
        self.box_caption_start = regex.compile(raw["box_caption_start"])
        self.caption_then_header = regex.compile(raw["caption_then_header"])
        self.lone_caption = regex.compile(raw["lone_caption"])
        self.caption_list_entry = regex.compile(raw["caption_list_entry"])
        self.box_inline_entry = regex.compile(raw["box_inline_entry"])
        self.box_titled = regex.compile(raw["box_titled_entry"])
        self.box_action_title = regex.compile(raw["box_action_title"])
        self.entry_break = regex.compile(raw["entry_break"])
        numbering = load_rules("headings")
        labels = [numbering["styles"][name].format(cn=numbering["numerals"]) for name in raw["heading_styles"]]
        self.heading_start = regex.compile("|".join(labels + [raw["heading_markers"]]))
        self.caption_prefix = regex.compile(raw["caption_prefix"])
        self.caption_max_chars = raw["caption_max_chars"]
        self.wrapped_piece_max_chars = raw["wrapped_piece_max_chars"]
        notes = "|".join(numbering["notes_openers"])
        self.table_end = regex.compile(rf"(?:{notes})\s*[：:]|{raw['table_end']}")
        self.pdf_piece_max_chars = raw["pdf_piece_max_chars"]
        self.time_columns = tuple(raw["time_columns"])
        self.time_cell = regex.compile(raw["time_cell"])
        self.cell_header_min_lines = raw["cell_header_min_lines"]
        self.header_cell_max_chars = raw["header_cell_max_chars"]
        self.year_header = regex.compile(raw["year_header"])
        self.value_cell = regex.compile(raw["value_cell"])
        self.wrapped_header_names = set(raw["wrapped_header_names"])
        self.total_row = regex.compile(raw["total_row"])
        self.sub_serial = regex.compile(raw["sub_serial"])
        self.column_kinds = {k: tuple(v) for k, v in raw["column_kinds"].items()}
        self.table_title = regex.compile(raw["table_title"])
        self.cell_continues = regex.compile(raw["cell_continues"])
        names = sorted(raw["glued_header_names"], key=len, reverse=True)
        self.glued_header = regex.compile(rf"\s*({alternation(names)}|{raw['glued_year']})\s*")
        self.glued_row_max_chars = raw["glued_row_max_chars"]
        self.group_row = regex.compile(
            "|".join(numbering["styles"][name].format(cn=numbering["numerals"]) for name in ("cn_comma", "paren_cn"))
            + "|" + raw["group_row"]
        )


@lru_cache(maxsize=1)
def _rules() -> _Rules:
    return _Rules(load_rules("tables"))


_WS = regex.compile(r"\s+")
_TOKEN = regex.compile(r"\S+")
_THREE_TOKENS = regex.compile(r"\S\s+(?>\S+)\s+\S")  # starts only before a gap: linear on a long unspaced line
_WIDE = regex.compile(r"[^\x00-\xff]")
_SENTENCE_PUNCT = regex.compile(r"[。；！？]")
_INTEGER = regex.compile(r"\d{1,3}")
_HAN_START = regex.compile(r"^\p{Han}")
_HAN = regex.compile(r"\p{Han}")
_HAN_END = regex.compile(r"\p{Han}$")
_ASCII_END = regex.compile(r"[0-9A-Za-z%‰.]$")
_DIGIT_START = regex.compile(r"^[0-9]")
_DIGIT = regex.compile(r"\d")
_DIGIT_OR_SPACE = regex.compile(r"[\d\s]")


def _nows(s: str) -> str:
    return _WS.sub("", s)


def find_tables(text: str) -> list[TableBlock]:
    """Every table and 专栏 box in the cleaned text, in reading order."""
    lines = []
    pos = 0
    for part in text.split("\n"):
        lines.append(_Line(pos, part))
        pos += len(part) + 1
    used = [False] * len(lines)
    tables: list[TableBlock] = []
    rules = _rules()
    # Each parser is tried only where its first line passes the parser's own first test (elsewhere
    # it returns at once): one cheap check a line, and none on a blank line (it opens nothing).
    parsers = (
        # Boxes first: their tab-prefixed lines must not be read as Word table cells.
        (_parse_box, lambda line: rules.box_marker.match(line.stripped)),
        (_parse_tsv, lambda line: "\t" in line.stripped),
        (_parse_word, _is_cell_line),
        (_parse_cells, _header_piece),
        (_parse_pdf, lambda line: "\t" not in line.text and _three_tokens(line.text)),
        (_parse_glued, lambda line: not line.tabbed and 3 <= len(line.stripped) <= rules.caption_max_chars),
        (_parse_lone_caption, _is_lone_caption),
    )
    # the lines each parser may open, the tests made once a distinct text (cells, labels, "1." repeat)
    openers: list[list[int]] = [[] for _ in parsers]
    seen: dict[str, list[list[int]]] = {}
    for k, line in enumerate(lines):
        if line.stripped:
            mine = seen.get(line.text)
            if mine is None:
                mine = seen[line.text] = [ks for (_, may_open), ks in zip(parsers, openers) if may_open(line)]
            for ks in mine:
                ks.append(k)
    for (parse, _), ks in zip(parsers, openers):
        i = 0  # the first line not yet read by this parser
        for k in ks:
            if k < i or used[k]:
                continue
            block, end = parse(lines, k, used)
            if block is None:
                i = max(end, k + 1)
                continue
            first = _line_index(lines, block.char_start)
            for n in range(first, end):
                used[n] = True
            tables.append(block)
            i = end
    tables.sort(key=lambda t: t.char_start)
    return _join_continued(tables)


def _same_header(a: list[str], b: list[str]) -> bool:
    """The same column names, however their cells were wrapped (a piece may be lost at a page end)."""
    x, y = _nows("".join(a)), _nows("".join(b))
    short, long = sorted((x, y), key=len)
    return long.startswith(short) and len(short) >= 0.8 * len(long)


def _join_continued(tables: list[TableBlock]) -> list[TableBlock]:
    """A table with no caption repeating the header of the table just before it (a new page, a
    new group of rows) continues that table."""
    out: list[TableBlock] = []
    for t in tables:
        prev = out[-1] if out else None
        if prev and t.caption is None and t.header and _same_header(prev.header, t.header) and prev.kind == t.kind:
            n = len(prev.header)
            prev.rows += [r[: n - 1] + ["".join(r[n - 1 :])] if len(r) > n else r + [""] * (n - len(r)) for r in t.rows]
            prev.row_spans += t.row_spans
            prev.group_spans += t.group_spans
            prev.warnings += t.warnings
            prev.char_end = t.char_end
        else:
            out.append(t)
    return out


def _line_index(lines: list[_Line], offset: int) -> int:
    """The index of the line holding ``offset``."""
    return max(0, bisect.bisect_right(lines, offset, key=lambda line: line.start) - 1)


# ---------------------------------------------------------------- shared helpers


def _is_header(cells: list[str]) -> bool:
    """Column names: at least two short cells, two of them containing a header keyword."""
    rules = _rules()
    if len(cells) < 2 or any(not c or len(c) > 15 for c in cells):
        return False
    if any(_SENTENCE_PUNCT.search(c) or rules.heading_start.match(c) or rules.box_entry.match(c) for c in cells):
        return False  # sentences, headings and numbered items are not column names
    hits = sum(1 for c in cells if any(k in c for k in rules.header_keywords))
    return hits >= 2


def _kind(header: list[str]) -> str:
    rules = _rules()
    joined = "".join(header)
    has = {kind: any(k in joined for k in words) for kind, words in rules.kind_keywords.items()}
    if has.get("task") and not any(k in joined for k in rules.indicator_overrides_task):
        return "task"
    if any(k in joined for k in rules.project_keywords):
        return "other"
    if has.get("indicator") or any(_nows(c) in rules.unit_columns for c in header):
        return "indicator"
    return "other"


def _is_title_like(s: str) -> bool:
    rules = _rules()
    return (
        0 < len(s) <= rules.caption_max_chars
        and _HAN.search(s) is not None  # a total ("1919752") is no title
        and "\t" not in s
        and not _SENTENCE_PUNCT.search(s)
        and not s.endswith(("，", "：", ":"))
        and not rules.heading_start.match(s)
    )


def _caption(lines: list[_Line], header_idx: int, used: list[bool]) -> tuple[str, int, int] | None:
    """The title line(s) just above a table: one blank line may separate them from the header;
    a title wrapped over two lines (PDF) is joined."""
    rules = _rules()
    j = header_idx - 1
    if j >= 0 and not lines[j].stripped:
        j -= 1
    picked: list[tuple[int, str]] = []  # (line index, caption text of that line)
    while j >= 0 and len(picked) < 2 and not used[j]:
        s = lines[j].stripped
        if not picked and rules.box_caption.fullmatch(s):
            picked.insert(0, (j, s))  # a table inside a 专栏 box takes the box's caption
            break
        if not _is_title_like(s):
            break
        prefix = rules.caption_prefix.match(s)
        if prefix and prefix.end() == len(s):
            break  # a bare 附件 / 附表2 marker
        if prefix and prefix.end() > 0:
            picked.insert(0, (j, s[prefix.end():]))
            break
        picked.insert(0, (j, s))
        j -= 1
    if not picked:
        return None
    first, last = lines[picked[0][0]], lines[picked[-1][0]]
    first_text = picked[0][1]
    start = first.start + first.text.index(first_text)
    end = last.start + len(last.text.rstrip())
    return "".join(t for _, t in picked), start, end


def _fill_rows(header: list[str], raw_rows: list[list[str]]) -> list[list[str]]:
    """Right-align short rows and carry the missing left cells down from the row above.
    A row that keeps its own serial (序号 first) lacks the merged cells right of the serial."""
    n_cols = len(header)
    serial_first = _nows(header[0]) in _rules().serial_columns
    out: list[list[str]] = []
    prev = [""] * n_cols
    for cells in raw_rows:
        if len(cells) > n_cols:  # surplus pieces belong to the last column
            cells = cells[: n_cols - 1] + ["".join(cells[n_cols - 1 :])]
        missing = n_cols - len(cells)
        if missing and serial_first and _INTEGER.fullmatch(cells[0]):
            row = [cells[0]] + prev[1 : 1 + missing] + list(cells[1:])
        else:
            row = prev[:missing] + list(cells)
        out.append(row)
        prev = row
    return out


def _block(caption, header_start: int, header: list[str], rows: list[list[_Cell]], kind: str | None = None):
    """A table from cells with spans; a row repeating the header (new page) is dropped."""
    repeat = _nows("".join(header))
    kept = [r for r in rows if r and _nows("".join(c.text for c in r)) != repeat]
    if not kept:
        return None
    spans = [(r[0].start, r[-1].end) for r in kept]
    return _make_block(caption, header_start, header, [[c.text for c in r] for r in kept], spans, kind)


def _make_block(caption, header_start, header, raw_rows, spans, kind=None) -> TableBlock:
    return TableBlock(
        char_start=caption[1] if caption else header_start,
        char_end=spans[-1][1],
        caption_start=caption[1] if caption else None,
        caption_end=caption[2] if caption else None,
        kind=kind or _kind(header),
        caption=caption[0] if caption else None,
        header=header,
        rows=_fill_rows(header, raw_rows) if header else raw_rows,
        row_spans=spans,
    )


def _cell_of(line: _Line) -> _Cell:
    s = line.stripped
    start = line.start + line.text.index(s)
    return _Cell(s, start, start + len(s))


# ---------------------------------------------------------------- 专栏 boxes


def _parse_box(lines: list[_Line], i: int, used: list[bool]):
    """A 专栏 box: its caption, then its entries (numbered, bulleted, one per Word paragraph, or
    paragraphs opening with a short title sentence). The caption may run straight into the first
    entry on its line. A caption whose entries cannot be read is kept as a box with a warning."""
    rules = _rules()
    line0 = lines[i]
    s0 = line0.stripped
    if not rules.box_marker.match(s0):
        return None, i + 1
    cap_start = line0.start + line0.text.index(s0)
    entries: list[_Cell] = []
    k = _next_nonblank(lines, i + 1)
    if rules.box_caption.fullmatch(s0) and k < len(lines) and _opens_table(lines, k):
        return None, i + 1  # a table in a box: its caption is the table's
    flat = rules.caption_then_header.search(s0)
    if flat and rules.box_caption_start.match(s0):
        cap = s0[: flat.start()]
        block = TableBlock(cap_start, cap_start + len(s0), cap_start, cap_start + len(cap), "box", cap)
        block.warnings.append(f"专栏 box '{cap}': the table in it is flattened with no cell separators; rows not read")
        return block, i + 1
    if rules.box_caption.fullmatch(s0):
        cap, cap_end = s0, cap_start + len(s0)
    elif not rules.box_caption_start.match(s0):
        return None, i + 1
    else:
        # "专栏1  XX工程1. 发展目标：…": the caption ends where its first numbered entry starts
        first = next(
            (m for m in rules.box_inline_entry.finditer(s0, 0, rules.caption_max_chars + 10)
             if m.group("n") == "1" and m.start() > rules.box_marker.match(s0).end()),
            None,
        )
        if first is not None and not _SENTENCE_PUNCT.search(s0, 0, first.start()):
            cap = s0[: first.start()].rstrip()
            cap_end = cap_start + len(cap)
            entries = _numbered_pieces(_Cell(s0[first.start():], cap_start + first.start(), cap_start + len(s0)), 1)
        else:
            # caption and body run together: the title ends at the first space after it, if any
            title = regex.search(r"\S\s", s0, rules.box_caption_start.match(s0).end() - 1)
            cap = s0[: title.start() + 1] if title and title.start() < rules.caption_max_chars else s0[: rules.caption_max_chars]
            block = TableBlock(cap_start, cap_start + len(s0), cap_start, cap_start + len(cap), "box", cap)
            block.warnings.append(f"专栏 box '{cap}': its caption runs into its text; entries not read")
            return block, i + 1
    mode = "numbered" if entries else None  # numbered / bullet / tabbed / titled
    body_next = _body_number_before(lines, i)  # the body's numbered list the box interrupts
    k_prev = i - 1
    while k_prev >= 0 and not lines[k_prev].stripped:
        k_prev -= 1
    above = lines[k_prev].stripped if k_prev >= 0 else ""
    # the box interrupts unnumbered body paragraphs titled by an action ("梯次推进…。")
    body_action = bool(rules.box_titled.match(above) and any(rules.box_action_title.match(above, k) for k in (0, 1, 2))
                       and not rules.heading_start.match(above) and not rules.box_entry.match(above))
    j = i + 1
    last_entry_line = i
    while j < len(lines) and not used[j]:
        line = lines[j]
        s = line.stripped
        if not s:
            k = _next_nonblank(lines, j + 1)
            # blank lines may separate entries, never end the caption's first entry search
            if entries and not (k < len(lines) and _box_entry_kind(lines[k], len(entries), mode)):
                break
            j += 1
            continue
        if rules.box_marker.match(s) or rules.heading_start.match(s):
            break
        kind = _box_entry_kind(line, len(entries), mode)
        if kind == "numbered" and body_next is not None and len(entries) + 1 == body_next:
            break  # the body's list resumes after the box (its item 2, then the box, then its 3.)
        if (kind == "titled" and mode == "titled" and body_action and entries and rules.box_action_title.match(s)
                and not any(rules.box_action_title.match(e.text) for e in entries)):
            break  # an action after entries naming things: the body's titled paragraphs resume
        if not entries and kind is None and cap_end < line.start and _is_title_like(s) and _opens_box_list(lines, j):
            # the box title on the line under "专栏1"
            cap, cap_end = f"{cap} {s}", line.start + line.text.index(s) + len(s)
        elif kind == "numbered":
            entries += _numbered_pieces(_cell_of(line), len(entries) + 1)
        elif kind == "more":
            # a further paragraph of the entry inside the Word box cell
            cell, more = entries[-1], _cell_of(line)
            entries[-1] = _Cell(cell.text + more.text, cell.start, more.end)
        elif kind is not None:
            entries.append(_cell_of(line))
        else:
            break
        if kind in ("numbered", "bullet", "tabbed", "titled"):
            mode = kind
        last_entry_line = j
        j += 1
    cap_cell = (cap, cap_start, cap_end)
    if not entries:
        block = TableBlock(cap_start, cap_end, cap_start, cap_end, "box", cap)
        block.warnings.append(f"专栏 box '{cap}': no entries could be read under its caption")
        return block, i + 1
    block = _block(cap_cell, cap_start, [], [[e] for e in entries], kind="box")
    return block, max(last_entry_line, _line_index(lines, block.char_end)) + 1


def _body_number_before(lines: list[_Line], i: int, window: int = 12) -> int | None:
    """The number the body's numbered list would go on with, when a numbered paragraph of the
    body stands just above the box caption at line i (looked for over a few lines only)."""
    rules = _rules()
    for k in range(i - 1, max(-1, i - 1 - window), -1):
        s = lines[k].stripped
        if not s:
            continue
        if rules.heading_start.match(s):
            return None
        m = rules.box_entry.match(s)
        if m:
            return int(m.group("n")) + 1
    return None


def _opens_table(lines: list[_Line], k: int) -> bool:
    """Does a table header (tab-separated, one cell per line, run together, or space-separated as in
    PDF text and OCR'd pictures of tables) start at line k?"""
    cells = _tsv_cells(lines[k])
    if cells and _is_header([c.text for c in cells]):
        return True
    if _header_piece(lines[k]) and _cell_header(lines, k) is not None:
        return True
    return _glued_header(lines[k]) is not None or _pdf_header(lines, k) is not None


def _box_entry_kind(line: _Line, n_entries: int, mode: str | None) -> str | None:
    """How a line continues a box: the next numbered entry, a bullet, a Word paragraph, a titled
    paragraph, more of the entry above ("more"), or not at all (None)."""
    rules = _rules()
    s = line.stripped
    m = rules.box_entry.match(s)
    if m:
        return "numbered" if mode in (None, "numbered") and int(m.group("n")) == n_entries + 1 else None
    if mode == "numbered":
        return "more" if line.tabbed else None
    if rules.box_bullet.match(s) and mode in (None, "bullet"):
        return "bullet"
    if line.tabbed and mode in (None, "tabbed"):
        return "tabbed"
    if mode in (None, "titled") and rules.box_titled.match(s) and not rules.heading_start.match(s):
        return "titled"
    return None


def _numbered_pieces(cell: _Cell, first: int) -> list[_Cell]:
    """Split a line holding numbered entries one after another ("1.…。2.…。") at each next label."""
    rules = _rules()
    cuts = [0]
    expected = first + 1
    for m in rules.box_inline_entry.finditer(cell.text, 1):
        if int(m.group("n")) == expected and rules.entry_break.search(cell.text[: m.start()].rstrip()[-1:]):
            cuts.append(m.start())
            expected += 1
    cuts.append(len(cell.text))
    pieces = []
    for a, b in zip(cuts, cuts[1:]):
        piece = cell.text[a:b].rstrip()
        pieces.append(_Cell(piece, cell.start + a, cell.start + a + len(piece)))
    return pieces


def _opens_box_list(lines: list[_Line], j: int) -> bool:
    k = _next_nonblank(lines, j + 1)
    m = _rules().box_entry.match(lines[k].stripped) if k < len(lines) else None
    return bool(m) and int(m.group("n")) == 1


# ---------------------------------------------------------------- web tab-separated rows


def _tsv_cells(line: _Line) -> list[_Cell] | None:
    body = line.text.strip()
    if "\t" not in body:
        return None
    cells = []
    pos = line.start + line.text.index(body)
    for part in body.split("\t"):
        s = part.strip()
        if s:
            start = pos + part.index(s)
            cells.append(_Cell(s, start, start + len(s)))
        pos += len(part) + 1
    return cells


def _parse_tsv(lines: list[_Line], i: int, used: list[bool]):
    header = _tsv_cells(lines[i])
    if not header or not _is_header([c.text for c in header]):
        return None, i + 1
    rows = []
    j = i + 1
    while j < len(lines) and not used[j]:
        cells = _tsv_cells(lines[j])
        if not cells or _rules().table_end.match(cells[0].text):
            break
        rows.append(cells)
        j += 1
    names = [c.text for c in header]
    block = _block(_caption(lines, i, used), header[0].start, names, rows)
    return block, j


# ---------------------------------------------------------------- Word tables, one cell per line


def _is_cell_line(line: _Line) -> bool:
    return line.tabbed and "\t" not in line.text.strip() and bool(line.stripped)


def _next_nonblank(lines: list[_Line], j: int) -> int:
    while j < len(lines) and not lines[j].stripped:
        j += 1
    return j


def _cell_group(lines: list[_Line], k: int) -> list[str]:
    out = []
    while k < len(lines) and _is_cell_line(lines[k]):
        out.append(lines[k].stripped)
        k += 1
    return out


def _is_wrapped_piece(lines: list[_Line], j: int) -> bool:
    """An untabbed line inside a Word table is the rest of a cell the converter broke: not a
    heading, followed by more cells, and not the caption of a next table (cells that are a header)."""
    rules = _rules()
    s = lines[j].stripped
    if len(s) > rules.wrapped_piece_max_chars or rules.heading_start.match(s):
        return False
    k = _next_nonblank(lines, j + 1)
    group = _cell_group(lines, k)
    return bool(group) and not _is_header(group)


def _parse_word(lines: list[_Line], i: int, used: list[bool]):
    if not _is_cell_line(lines[i]):
        return None, i + 1
    rows: list[list[_Cell]] = []
    new_row = True
    j = i
    while j < len(lines) and not used[j]:
        line = lines[j]
        if not line.stripped:
            new_row = True
        elif _is_cell_line(line):
            if new_row and rows and _rules().table_end.match(line.stripped):
                break  # a note under the table (注：…)
            if new_row:
                rows.append([])
                new_row = False
            rows[-1].append(_cell_of(line))
        elif rows and _is_wrapped_piece(lines, j):
            last = rows[-1][-1]
            piece = _cell_of(line)
            rows[-1][-1] = _Cell(last.text + piece.text, last.start, piece.end)
            new_row = False
        else:
            break
        j += 1
    end = _line_index(lines, rows[-1][-1].end) + 1
    caption = _caption(lines, i, used)
    if len(rows) > 2 and len(rows[0]) == 1 and _is_title_like(rows[0][0].text):
        # the title typed into a merged first row of the table
        cap = rows.pop(0)[0]
        caption = (cap.text, cap.start, cap.end)
    header = [c.text for c in rows[0]]
    if len(rows) < 2 or not _is_header(header):
        return None, end
    data = []
    for r in rows[1:]:
        # a row group holding several rows' cells (no blank line between rows)
        if len(r) > len(header) and len(r) % len(header) == 0:
            data.extend(r[k : k + len(header)] for k in range(0, len(r), len(header)))
        else:
            data.append(r)
    block = _block(caption, rows[0][0].start, header, data)
    return block, end


# ---------------------------------------------------------------- one cell per line, no separators


def _header_piece(line: _Line) -> bool:
    """A line that can be a header cell of a one-cell-per-line table: short, no digits, no sentence."""
    if line.piece is not None:
        return line.piece
    rules = _rules()
    s = line.stripped
    line.piece = bool(
        0 < len(s) <= rules.header_cell_max_chars
        and not line.tabbed
        and (not _DIGIT.search(s) or rules.year_header.fullmatch(s))
        and not s.endswith(("：", ":"))
        and not _SENTENCE_PUNCT.search(s)
        and not rules.heading_start.match(s)
    )
    return line.piece


def _cell_header(lines: list[_Line], i: int) -> tuple[list[_Cell], int] | None:
    """The header cells starting at line i and the index of the first line after them."""
    rules = _rules()
    cells: list[_Cell] = []
    j = i
    while j < len(lines) and _header_piece(lines[j]):
        cell = _cell_of(lines[j])
        # a wrapped header cell: its rest is bracketed ("（亿元）") or indented under it, or the two
        # pieces make one column name ("指标" / "属性")
        if cells and (cell.text[0] in "（(" or lines[j].indented
                      or _nows(cells[-1].text + cell.text) in rules.wrapped_header_names):
            last = cells[-1]
            cells[-1] = _Cell(last.text + cell.text, last.start, cell.end)
        else:
            cells.append(cell)
        j += 1
    if len(cells) < rules.cell_header_min_lines or not _is_header([c.text for c in cells]):
        return None
    return cells, j


def cell_table_lines(lines: list[str]) -> set[int]:
    """Indices of the raw lines that belong to one-cell-per-line tables (header to the next blank
    line): ingest must not join them as a paragraph broken at a page."""
    # A blank line, or one too long to be a header cell (most lines of a plan), needs no _Line of
    # its own: the scan below asks only whether it is blank and not a piece; a stand-in says so.
    # The others (all at offset 0 here) are one _Line a distinct text: short lines repeat.
    limit = _rules().header_cell_max_chars
    blank, too_long = _Line(0, ""), _Line(0, "-" * (limit + 1))
    blank.piece = too_long.piece = False
    made: dict[str, _Line] = {}
    parsed = []
    for line in lines:
        n = len(line.strip())
        if n == 0 or n > limit:
            parsed.append(blank if n == 0 else too_long)
        else:
            if line not in made:
                made[line] = _Line(0, line)
            parsed.append(made[line])
    inside: set[int] = set()
    i = 0
    while i < len(parsed):
        found = _cell_header(parsed, i) if _header_piece(parsed[i]) else None
        if found is None:
            # skip the whole run of short lines: no header starts inside it (keeps this linear)
            i += 1
            while i < len(parsed) and _header_piece(parsed[i]) and _header_piece(parsed[i - 1]):
                i += 1
            continue
        j = found[1]
        while j < len(parsed) and parsed[j].stripped:
            j += 1
        inside.update(range(i, j))
        i = j
    return inside


def _merge_header(header: list[_Cell], width: int) -> list[_Cell]:
    """Join wrapped header pieces until there are ``width``: first a piece opening with a bracket
    or following a closing quote, else the piece shortest next to the one before it."""
    cells = list(header)

    year = _rules().year_header

    def cost(k: int) -> float:
        a, b = cells[k - 1].text, cells[k].text
        if b[:1] in "（([" or a[-1:] in "”（(":
            return -100.0  # "“十四五”" + "投资（万元）", "常住人口" + "（万人）"
        if not year.fullmatch(a) and year.fullmatch(b) and k + 1 < len(cells) and year.fullmatch(cells[k + 1].text):
            return -50.0  # a name over the year columns under it ("整治计划（处）" over 2020年, 2021年 …)
        return len(b) - len(a)

    while len(cells) > width:
        k = min(range(1, len(cells)), key=cost)
        a, b = cells[k - 1], cells[k]
        cells[k - 1 : k + 1] = [_Cell(a.text + b.text, a.start, b.end)]
    return cells


def _short_cell_next(lines: list[_Line], j: int) -> bool:
    k = _next_nonblank(lines, j + 1)
    return k < len(lines) and 0 < len(lines[k].stripped) <= _rules().header_cell_max_chars and not _SENTENCE_PUNCT.search(lines[k].stripped)


def _spaced_view(lines: list[_Line], i: int, used: list[bool], header_only: bool = False) -> list[_Line]:
    """Lines i, i+2, i+4 … of a table written one cell per paragraph with a blank line between
    cells (a flattened Word table), up to two blank lines or a line that cannot be a cell.
    ``header_only`` stops after the first line that cannot be a header cell: all ``_cell_header``
    reads, so a plan's paragraphs are not walked for every short line that opens no table."""
    rules = _rules()
    view = []
    j = i
    while j < len(lines) and not used[j] and lines[j].stripped and not lines[j].tabbed:
        s = lines[j].stripped
        if view and (rules.table_end.match(s) or rules.heading_start.match(s) or _is_lone_caption(lines[j])
                     or (_SENTENCE_PUNCT.search(s) and len(s) > 40 and not _short_cell_next(lines, j))):
            break  # a long sentence ends the table, unless short cells follow it (a long 建设内容 cell)
        view.append(lines[j])
        if header_only and not _header_piece(lines[j]):
            break
        if j + 1 < len(lines) and not lines[j + 1].stripped:
            j += 2
        else:
            j += 1
    return view


_EMPTY = _Cell("", -1, -1)  # an empty cell (None in a row is a merged cell carried down)
_DASH = regex.compile(r"[—－\-/／]+")
_NUMBER_END = regex.compile(r"[\d%％‰）)\]]$|\d\s*年$")
_SERIAL_WINDOW = 80  # longest row, in pieces, between two serial numbers


def _serial_anchors(body: list[_Cell]) -> list[int]:
    """Positions of the rows of a one-cell-per-line table: serial numbers counting up from 1 (again
    from 1 in a new group), the sub-serials of a row's parts ((1), (2) …) and total rows (合计).
    Figures in the cells are integers too, so the serials are the longest such chain whose rows
    hold at least two pieces; among chains as long, the one with the most even rows."""
    rules = _rules()
    cands = []  # (position, kind, number)
    for p, c in enumerate(body):
        if _INTEGER.fullmatch(c.text):
            cands.append((p, "main", int(c.text)))
        elif m := rules.sub_serial.fullmatch(c.text):
            cands.append((p, "sub", int(m.group(1))))
        elif rules.total_row.fullmatch(_nows(c.text)):
            cands.append((p, "total", 0))
    # a new group (its serials from 1 again) starts under its group row, never right after a figure
    restart = {p for p, kind, v in cands if kind == "main" and v == 1 and (p == 0 or not _value_like(body[p - 1].text))}
    inf = float("-inf")

    positions = [p for p, _, _ in cands]

    def chain(width: int | None) -> list[int]:
        # per candidate, per (serial, sub-serial) reached there: (score, previous candidate, its state)
        best: list[dict[tuple[int, int], tuple[float, int, tuple[int, int] | None]]] = []
        # the candidates holding a state of serial w (of sub-serial u): a serial v goes on only from
        # serial v - 1, a sub-serial v only from v - 1, so only those are looked at
        with_serial: dict[int, list[int]] = {}
        with_sub: dict[int, list[int]] = {}
        top: list[float] = []  # per candidate, its best score
        for ci, (p, kind, v) in enumerate(cands):
            states: dict[tuple[int, int], tuple[float, int, tuple[int, int] | None]] = {}
            serial = (v, 0)  # the state a serial reaches
            if kind == "main" and v == 1:
                states[serial] = (1.0, -1, None)
            # the candidates q with 2 <= p - q <= _SERIAL_WINDOW, nearest first
            lo = bisect.bisect_left(positions, p - _SERIAL_WINDOW, 0, ci)
            hi = bisect.bisect_right(positions, p - 2, 0, ci)
            if kind == "main" and p not in restart:
                near = with_serial.get(v - 1, [])
            elif kind == "sub":
                near = with_sub.get(v - 1, [])
            else:
                near = None
            if near is None:
                order = range(hi - 1, lo - 1, -1)
            else:
                order = reversed(near[bisect.bisect_left(near, lo) : bisect.bisect_left(near, hi)])
            # The nearest total holds every state of the candidates in its own window, each scored
            # 1.0 more less their row's penalty; going through it costs at most 0.1 * width more in
            # penalties than a move straight from them (|a - w| + |b - w| - |a + b - w| <= w), so
            # while that is under 1.0 no move from those candidates can win: they are passed by.
            covered = None  # the last position so covered
            for cj in order:
                q = positions[cj]
                if covered is not None and q <= covered:
                    continue
                if covered is None and cands[cj][1] == "total" and (not width or 0.1 * width < 1.0):
                    covered = q - 2
                off = 0.1 * abs(p - q - width) if width else 0.0  # rows far from the usual width are suspect
                if p in restart and top[cj] + (1.0 - off) <= states[serial][0]:
                    continue  # a restart's moves all reach (1, 0): none from cj can beat the score it has
                for before, (score, _, _) in best[cj].items():
                    w, u = before
                    if kind == "main":
                        if v != w + 1 and p not in restart:
                            continue
                        state = serial
                    elif kind == "sub":
                        if v != u + 1:
                            continue
                        state = (w, v)
                    else:
                        state = before
                    # a restart at 1 may be a figure "1"
                    score += (0.5 if kind == "main" and v == 1 and w >= 1 else 1.0) - off
                    if score > states.get(state, (inf,))[0]:
                        states[state] = (score, cj, before)
            best.append(states)
            top.append(max((score for score, _, _ in states.values()), default=inf))
            for w in {w for w, _ in states}:
                with_serial.setdefault(w, []).append(ci)
            for u in {u for _, u in states}:
                with_sub.setdefault(u, []).append(ci)
        # the best end: the highest score, then the latest candidate, then the highest state
        high = max(top, default=inf)
        if high == inf:
            return []
        ci = max(c for c, score in enumerate(top) if score == high)
        state = max(state for state, (score, _, _) in best[ci].items() if score == high)
        out = []
        while ci >= 0:
            out.append(cands[ci][0])
            _, ci, state = best[ci][state]
        return out[::-1]

    first = chain(None)
    gaps = [b - a for a, b in zip(first, first[1:])]
    return chain(max(set(gaps), key=gaps.count)) if gaps else first


def _column_kinds(names: list[str]) -> list[str | None]:
    """serial / unit / nature / category / name / value (rules column_kinds) or None, per column."""
    rules = _rules()
    kinds: list[str | None] = []
    for h in names:
        h = _nows(h)
        if h in rules.serial_columns:
            kinds.append("serial")
        elif h in rules.unit_columns:
            kinds.append("unit")
        else:
            kinds.append(next((k for k, words in rules.column_kinds.items() if any(w in h for w in words)), None))
    return kinds


@lru_cache(maxsize=4096)  # cells repeat: districts, years, 新建 (cleared with the rules)
def _value_like(s: str) -> bool:
    """A figure cell: a value ("95", "≥30", "20-50"), a dash, or a few words ending in a figure ("设区市≥25")."""
    rules = _rules()
    return bool(
        rules.value_cell.fullmatch(s)
        or _DASH.fullmatch(s)
        or (_DIGIT.search(s) and len(_HAN.findall(s)) <= 6 and _NUMBER_END.search(s) and not s.endswith(("）", ")")))
    )


@lru_cache(maxsize=4096)
def _join_facts(text: str) -> tuple[bool, bool, bool, bool]:
    """What joining a piece to the next asks of it: a dash, labelled (Han characters), a short
    label (a few characters, no digit), open at its end (the cell goes on)."""
    return (bool(_DASH.fullmatch(text)), bool(_HAN.search(text)), len(text) <= 4 and not _DIGIT.search(text),
            bool(_rules().cell_continues.search(text)))


def _place_pieces(pieces: list[_Cell], kinds: list[str | None], profile: list[float], last: bool, placements: dict):
    """The pieces of one row (after its serial) placed in the columns right of the serial, by least
    cost: a cell may span several pieces (wrapped over lines: an open bracket or a separator at a
    piece's end, figures of one cell, a label written vertically), a merged cell is written only in
    the first row it spans (None: carried down), and pieces left when every column is filled start a
    row of their own under merged cells (a second river of one district); in the table's last row,
    they may be text after the table. Returns the rows and the number of pieces they hold.
    ``placements`` (one dict for the rows of one table, with the same kinds and profile) keeps the
    placement of each shape of row: the search sees the pieces only through their facts, the same
    in rows alike (a column of 新建 in every row), so it is made once a shape."""
    rules = _rules()
    m, k = len(kinds), len(pieces)
    if m == 0:
        return [[]], 0  # no column right of the serial: nothing placed
    value = [_value_like(p.text) for p in pieces]
    first_value = next((j for j, kind in enumerate(kinds) if kind in ("value", "unit", "nature")), m)
    # rows inside a merged cell are told by their figures: only where the last column holds figures
    figures_last = profile[-1] >= 0.8 if profile[-1] is not None else kinds[-1] == "value"

    def fit(j: int, text: str, is_value: bool) -> float:
        kind = kinds[j]
        if kind == "nature":
            return 0.0 if text in rules.nature_values else 4.0
        if kind == "unit":
            return 0.0 if rules.unit_cell.fullmatch(text) else 3.0
        if kind == "category":
            return 4.0 if is_value else (2.0 if len(text) > 10 else 0.0)
        share = profile[j]
        if share is None:  # the header's word for it
            share = 1.0 if kind == "value" else 0.0 if kind == "name" else 0.5
        if share >= 0.8:
            return 0.0 if is_value else 2.0
        if share <= 0.2:
            return 3.0 if is_value else 0.0
        return 0.0

    texts = [p.text for p in pieces]
    facts = [_join_facts(x) for x in texts]
    dash, labelled, short, continues = ([f[n] for f in facts] for n in range(4))

    if k == m and not any(fit(j, pieces[j].text, value[j]) for j in range(m)):
        return [list(pieces)], k  # one piece a column, each of its column's kind

    # fit() of a column whose cost depends only on whether its cell is a figure: (other, figure)
    by_value = [None if kind in ("nature", "unit", "category") else (fit(j, "", False), fit(j, "", True))
                for j, kind in enumerate(kinds)]
    # the cells a run of pieces from i makes, for g up to 6 pieces: (g, all figures, the fit() of
    # each column reading its text, in the order of ``reading``), the same in any column
    reading = [j for j in range(m) if by_value[j] is None]
    runs: list[list[tuple[int, bool, tuple[float, ...]]]] = []
    for i in range(k + 1):
        runs.append([])
        text, is_value = "", True
        for a in range(i, min(i + 6, k)):
            text += texts[a]
            is_value = is_value and value[a]  # a cell of figures only is a figure cell
            runs[i].append((a + 1 - i, is_value, tuple([fit(j, text, is_value) for j in reading]) if reading else ()))
    shape = (last, tuple(value), tuple(facts), tuple(map(tuple, runs)))
    if shape not in placements:
        placements[shape] = _placement(kinds, first_value, figures_last, last, value, dash, labelled, short,
                                       continues, by_value, reading, runs)
    return _placed_rows(pieces, kinds, first_value, placements[shape])


def _placement(kinds, first_value, figures_last, last, value, dash, labelled, short, continues, by_value, reading, runs):
    """The least-cost placement of _place_pieces, from the pieces' facts: its steps, in order, and
    the number of pieces placed; None when there is none."""
    m, k = len(kinds), len(value)
    slot = {j: n for n, j in enumerate(reading)}  # a column's place in a run's fits

    def join(j: int, a: int, g: int) -> float:
        """Cost of piece a+1 going on in the cell holding pieces a-g+1 .. a."""
        if continues[a]:
            return 0.3
        if dash[a] or dash[a + 1]:
            return 6.0  # a dash is a whole (empty) cell
        if value[a] and value[a + 1]:
            # several figures in one cell, shared as evenly as may be; labelled ones ("设区市≥25") go together
            return (1.0 if labelled[a] and labelled[a + 1] else 1.5) * g
        if kinds[j] == "category" and short[a] and short[a + 1]:
            return 0.8  # a merged label written a few characters a line
        return 2.5 + 0.05 * (m - 1 - j)  # wrapped text: most often the long last cells

    # cost[i][j]: the least cost of pieces :i placed in columns :j; move[i][j]: the step that
    # reached it. States are left in order (i, then j) and a tie keeps the first step found.
    inf = float("inf")
    cost = [[inf] * (m + 1) for _ in range(k + 1)]
    move: list[list[tuple | None]] = [[None] * (m + 1) for _ in range(k + 1)]
    cost[0][0] = 0.0
    skip_cost = [1.5 if j < first_value or kinds[j] == "category" else 4.0 for j in range(m)]

    def cell_cost(i: int, j: int, g: int) -> tuple[float, float]:
        """(joins, fit) of column j's cell of the g pieces from i on."""
        acc = 0.0
        for a in range(i + 1, i + g):
            acc += join(j, a - 1, a - i)
        _, is_value, fits = runs[i][g - 1]
        return acc, (by_value[j][is_value] if by_value[j] else fits[slot[j]])

    # Every step costs >= 0, so a state dearer than some whole placement is on no best path: the
    # bound is the placement of one piece a column (the last column taking any rest), the rest skipped.
    bound = inf
    if k - m < 6:
        bound = 0.0
        for j in range(min(k, m)):
            acc, f = cell_cost(j, j, k - j if j == m - 1 else 1)
            bound = bound + acc + f
        for j in range(k, m):
            bound += skip_cost[j]
        bound += 1e-9  # (rounding)

    def takes(i: int, j: int, base: float, kind: str) -> None:
        """Relax the cells of column j made of the pieces from i on."""
        acc = 0.0
        fixed = by_value[j]
        for g, is_value, fits in runs[i]:
            if g > 1:
                acc += join(j, i + g - 2, g - 1)
            if base + acc > bound:
                break  # joins only add: more pieces cost more still
            c = base + acc + (fixed[is_value] if fixed else fits[slot[j]])
            if c < cost[i + g][j + 1]:
                cost[i + g][j + 1], move[i + g][j + 1] = c, (kind, i, j, g)

    for i in range(k + 1):
        here = cost[i]
        for j in range(m):
            c = here[j]
            if c == inf or c > bound:
                continue
            if c + skip_cost[j] < here[j + 1]:
                here[j + 1], move[i][j + 1] = c + skip_cost[j], ("skip", i, j)
            takes(i, j, c, "take")
        c = here[m]
        if c != inf and c <= bound and i < k:
            if figures_last and value[i - 1] and value[-1]:
                for c0 in range(1, m - 1):  # a row of its own under the merged cells left of c0
                    takes(i, c0, c + 3.5, "sub")
            if last and c + 3.0 < cost[k][m]:
                cost[k][m], move[k][m] = c + 3.0, ("drop", i)
    if cost[k][m] == inf:
        return None
    steps = []
    consumed = k
    i, j = k, m
    while (i, j) != (0, 0):
        step = move[i][j]
        steps.append(step)
        if step[0] == "skip":
            i, j = step[1], step[2]
        elif step[0] == "drop":
            i, j, consumed = step[1], m, step[1]
        else:
            i, j = (step[1], m) if step[0] == "sub" else (step[1], step[2])
    return steps[::-1], consumed


def _placed_rows(pieces: list[_Cell], kinds: list[str | None], first_value: int, found):
    """The rows and the number of pieces they hold of a placement found by _placement."""
    m = len(kinds)
    if found is None:
        return [pieces[:m] + [_EMPTY] * (m - len(pieces[:m]))], min(len(pieces), m)
    steps, consumed = found
    rows: list[list[_Cell | None]] = [[_EMPTY] * m]
    for step in steps:
        if step[0] == "skip":
            j = step[2]
            rows[-1][j] = None if (j < first_value or kinds[j] == "category") else _EMPTY
        elif step[0] in ("take", "sub"):
            _, i, j, g = step
            if step[0] == "sub":
                rows.append([None] * j + [_EMPTY] * (m - j))
            rows[-1][j] = _Cell("".join(p.text for p in pieces[i : i + g]), pieces[i].start, pieces[i + g - 1].end)
    return rows, consumed


def _parse_cells(lines: list[_Line], i: int, used: list[bool]):
    """A table written one cell per line (or per paragraph, blank lines between cells): the
    header's cells one a line, then the rows' cells."""
    rules = _rules()
    if i > 0 and lines[i - 1].stripped and _header_piece(lines[i - 1]):
        return None, i + 1  # not the first line of the header
    if i > 1 and not lines[i - 1].stripped and _header_piece(lines[i - 2]):
        return None, i + 1
    spaced = i + 2 < len(lines) and not lines[i + 1].stripped and _header_piece(lines[i + 2])
    view = _spaced_view(lines, i, used, header_only=True) if spaced else lines
    start = 0 if spaced else i
    found = _cell_header(view, start)
    if found is None:
        return None, i + 1
    if spaced:
        view = _spaced_view(lines, i, used)  # the header's lines are its prefix: found stays valid
    header, j = found
    lead_group = title = None
    if len(header) > 3 and rules.table_title.fullmatch(_nows(header[0].text)):
        title = header.pop(0)  # "全市数字经济发展主要指标" over the column names: the caption
    elif len(header) > 2 and _nows(header[1].text) in rules.serial_columns:
        lead_group = header.pop(0)  # "杭州市" over a repeated header: a group row, not a column
    names = [c.text for c in header]
    n = len(names)
    body: list[_Cell] = []
    while j < len(view) and (spaced or not used[j]) and view[j].stripped and not view[j].tabbed:
        if rules.table_end.match(view[j].stripped):
            break
        body.append(_cell_of(view[j]))
        j += 1
    time_col = next((k for k, h in enumerate(names) if any(w in _nows(h) for w in rules.time_columns)), None)
    serial_col = next((k for k, h in enumerate(names) if _nows(h) in rules.serial_columns), None)
    anchors: list[int] = []
    if time_col is not None:
        anchors = [p for p, c in enumerate(body) if rules.time_cell.fullmatch(c.text)]
        col = time_col
    placed = False  # a serial table: each row's pieces are placed by column kind
    category_col = 0  # an indicator table without serials led by a category column
    if len(anchors) < 2 and serial_col is not None and serial_col < n - 1:  # a serial last has no cells after it
        col, anchors, placed = serial_col, _serial_anchors(body), True
        gaps = [b - a for a, b in zip(anchors, anchors[1:])]
        width = max(set(gaps), key=gaps.count) if gaps else n
        if col == 0 and 2 <= width < n:
            # header cells wrapped over two lines ("“十三五”规划" / "目标"): as many as a row has
            header = _merge_header(header, width)
            names, n = [c.text for c in header], width
    if len(anchors) < 2:
        # an indicator table: each row is a name followed by its values
        col = 0
        # a name or category without figures looks like a column name: the first row's was read as one
        for _ in range(2):
            n_first = next((k for k, c in enumerate(body[1:]) if not rules.value_cell.fullmatch(c.text)), len(body) - 1)
            if len(header) > 3 and body and (
                rules.value_cell.fullmatch(body[0].text)
                # the first row of a table led by a category column has its category cell: one
                # header piece too many, when the first row is a name and its figures
                or (n_first and n_first + 2 == n - 1 and _column_kinds(names)[0] == "category")
            ):
                body.insert(0, header.pop())
                names, n = [c.text for c in header], len(header)
        values = [bool(rules.value_cell.fullmatch(c.text)) for c in body]
        anchors = [
            p for p, c in enumerate(body)
            if not values[p] and p + 1 < len(body) and values[p + 1] and not rules.group_row.match(c.text)
        ]
        if not anchors or (len(anchors) < 2 and len(body) != n):
            return None, i + 1  # one row only when it fills the header exactly
        n_values = max(k for k in range(1, n) if all(
            a + k < len(body) and values[a + k] for a in anchors[:3]) or k == 1)
        if n_values + 2 == n and _column_kinds(names)[0] == "category":
            col = category_col = 1  # a category cell written once, before the first row of its group
        elif n_values + 1 < n:
            # fewer cells a row than the header: the leftmost columns are group rows carried down
            names, header = names[n - n_values - 1 :], header[n - n_values - 1 :]
            n = len(names)
    rows: list[list[_Cell | None]] = []
    groups: list[_Cell] = []
    prev_end = 0  # first body line not yet given to a row
    right_n = n - 1 - col
    bounds = list(zip(anchors, anchors[1:] + [len(body)]))
    if placed:
        kinds = _column_kinds(names)[col + 1 :]
        # share of figures per column over the rows with one piece a column (when there are enough)
        exact = [body[a + 1 : b] for a, b in bounds if b - a - 1 == right_n]
        trusted = len(exact) >= max(3, len(bounds) / 3)
        profile = [sum(_value_like(r[k].text) for r in exact) / len(exact) if trusted else None for k in range(right_n)]
        placements: dict = {}  # the rows' placements by shape (_place_pieces)
    for a, nxt in bounds:
        before = body[prev_end:a]
        # left of the anchor: at most `col` cells; lines before them are group rows (一、…)
        left = before[max(0, len(before) - col):] if col else []
        extra = before[: len(before) - len(left)]
        while left and rules.group_row.match(left[0].text) and not rules.group_row.match(header[0].text):
            if category_col:
                groups.append(left[0])  # "一、数字经济规模": the category cell, and a heading of the document
                break
            extra.append(left.pop(0))
        groups += extra
        after = body[a + 1 : nxt]
        if placed:
            while after and nxt < len(body) and rules.group_row.match(after[-1].text):
                groups.append(after.pop())  # a group row over the next rows
            if rules.total_row.fullmatch(_nows(body[a].text)) and len(after) <= right_n:
                placed_rows, consumed = [[_EMPTY] * (right_n - len(after)) + after], len(after)  # figures right-aligned
            else:
                placed_rows, consumed = _place_pieces(after, kinds, profile, nxt == len(body), placements)
            row = [None] * (col - len(left)) + list(left) + [body[a]]
            rows.append(row + placed_rows[0])
            rows += [[None] * (col + 1) + r for r in placed_rows[1:]]  # rows inside merged cells
            prev_end = nxt if nxt < len(body) else a + 1 + consumed
            continue
        # trailing group rows just before the next anchor stay for the next row to claim
        right = after[:right_n]
        if len(after) > right_n and nxt < len(body) and time_col is None:
            rest = after[right_n:]
            if category_col:  # "数字产业化", "二、数字产业化": the category cell of the next row
                rest, nxt = [], a + 1 + right_n
            keep = [c for c in rest if not rules.group_row.match(c.text)]
            if keep and right:  # a cell wrapped over several lines: the rest belongs to the last cell
                last = right[-1]
                right[-1] = _Cell(last.text + "".join(c.text for c in keep), last.start, keep[-1].end)
            prev_end = nxt
            groups += [c for c in rest if rules.group_row.match(c.text)]
        else:
            prev_end = a + 1 + len(right)
        row: list[_Cell | None] = [None] * (col - len(left)) + list(left) + [body[a]] + list(right)
        row += [_EMPTY] * (n - len(row))
        rows.append(row)
    # merged cells (written once, None here) are carried down from the row above
    raw_rows, spans = [], []
    prev = [""] * n
    for row in rows:
        texts = [c.text if c is not None else prev[k] for k, c in enumerate(row)]
        present = [c for c in row if c is not None and c is not _EMPTY]
        raw_rows.append(texts)
        spans.append((present[0].start, present[-1].end))
        prev = texts
    caption = (title.text, title.start, title.end) if title else _caption(lines, i, used)
    block = _make_block(caption, title.start if title else header[0].start, names, raw_rows, spans)
    block.char_end = max(block.char_end, body[prev_end - 1].end if prev_end else block.char_end)
    block.group_spans = [(c.start, c.end) for c in ([lead_group] if lead_group else []) + groups]
    return block, _line_index(lines, block.char_end) + 1


# ---------------------------------------------------------------- rows flattened with no separators


def _glued_header(line: _Line) -> list[_Cell] | None:
    """Column names run together on one line, split at the known names and year columns."""
    rules = _rules()
    s = line.stripped
    # (three cells or more, each of one character or more)
    if line.tabbed or len(s) < 3 or len(s) > rules.caption_max_chars or _SENTENCE_PUNCT.search(s):
        return None
    base = line.start + line.text.index(s)
    cells: list[_Cell] = []
    pos = 0
    for m in rules.glued_header.finditer(s):
        if m.start() > pos:  # an unknown name between two known ones
            piece = s[pos : m.start()].strip()
            if piece:
                at = s.index(piece, pos)
                if cells and piece[0] in "和及与、":  # "重点任务和项目": one name
                    last = cells.pop()
                    cells.append(_Cell(last.text + _nows(piece), last.start, base + at + len(piece)))
                else:
                    cells.append(_Cell(_nows(piece), base + at, base + at + len(piece)))
        cells.append(_Cell(_nows(m.group(1)), base + m.start(1), base + m.end(1)))
        pos = m.end()
    if pos < len(s):
        piece = s[pos:].strip()
        at = s.index(piece, pos)
        cells.append(_Cell(_nows(piece), base + at, base + at + len(piece)))
    if len(_WS.findall(s)) * 2 > len(cells):
        return None  # names set apart by spaces: a PDF header, not a glued one
    known = sum(1 for c in cells if rules.glued_header.fullmatch(c.text))
    if len(cells) < 3 or known < 3 or any(len(c.text) > rules.header_cell_max_chars for c in cells):
        return None
    return cells if _is_header([c.text for c in cells]) else None


def _glued_row(s: str) -> bool:
    rules = _rules()
    if _DIGIT_START.search(s) and _INTEGER.match(s):
        return True  # opens with its serial number
    return len(s) <= rules.glued_row_max_chars and not _SENTENCE_PUNCT.search(s) and bool(_DIGIT.search(s))


def _parse_glued(lines: list[_Line], i: int, used: list[bool]):
    rules = _rules()
    header = _glued_header(lines[i])
    if header is None:
        return None, i + 1
    names = [c.text for c in header]
    serial_first = _nows(names[0]) in rules.serial_columns
    rows: list[list[_Cell]] = []
    groups: list[_Cell] = []
    j = i + 1
    while j < len(lines) and not used[j]:
        s = lines[j].stripped
        if not s or rules.table_end.match(s) or lines[j].tabbed:
            break
        cell = _cell_of(lines[j])
        if rules.group_row.match(s) and len(s) <= rules.caption_max_chars:
            groups.append(cell)
        elif _glued_row(s):
            serial = _INTEGER.match(s) if serial_first else None
            if serial and not rules.box_entry.match(s):
                rest = s[serial.end() :]
                rows.append([_Cell(serial.group(), cell.start, cell.start + serial.end()),
                             _Cell(rest, cell.start + serial.end(), cell.end)])
            else:
                rows.append([cell])
        else:
            break
        j += 1
    if len(rows) < 2:
        return None, i + 1
    caption = _caption(lines, i, used)
    n = len(names)
    raw = [[c.text for c in r] + [""] * (n - len(r)) for r in rows]
    spans = [(r[0].start, r[-1].end) for r in rows]
    block = _make_block(caption, header[0].start, names, raw, spans)
    block.group_spans = [(c.start, c.end) for c in groups]
    block.warnings.append(
        f"table '{block.caption or names[0]}': cells run together with no separators; "
        "each row kept as written after its serial number"
    )
    return block, j


# ---------------------------------------------------------------- captions whose table is unreadable


def _is_lone_caption(line: _Line) -> bool:
    if line.lone_caption is None:
        s = line.stripped
        line.lone_caption = (
            len(s) <= _rules().caption_max_chars + 10
            and bool(_rules().lone_caption.match(s))
            and not _SENTENCE_PUNCT.search(s)
        )
    return line.lone_caption


def _parse_lone_caption(lines: list[_Line], i: int, used: list[bool]):
    if not _is_lone_caption(lines[i]) or _rules().caption_list_entry.match(lines[i].stripped):
        return None, i + 1
    k_prev = i - 1
    while k_prev >= 0 and not lines[k_prev].stripped:
        k_prev -= 1
    k_next = _next_nonblank(lines, i + 1)
    for k in (k_prev, k_next):
        if 0 <= k < len(lines) and _is_lone_caption(lines[k]):
            return None, i + 1  # an entry in a list of attachments
    cell = _cell_of(lines[i])
    block = TableBlock(cell.start, cell.end, cell.start, cell.end, "other", cell.text)
    block.warnings.append(f"table '{cell.text}': announced by its caption, but no rows could be read under it")
    return block, i + 1


# ---------------------------------------------------------------- PDF tables, space-separated cells


@dataclass
class _Tok:
    text: str
    start: int
    end: int
    line: int
    first: bool  # first token of its line
    width: int  # display width of its whole line


def _width(s: str) -> int:
    return len(s) + len(_WIDE.findall(s))


def _tokens(line: _Line, idx: int) -> list[_Tok]:
    width = _width(line.stripped)
    return [
        _Tok(m.group(), line.start + m.start(), line.start + m.end(), idx, k == 0, width)
        for k, m in enumerate(_TOKEN.finditer(line.text))
    ]


def _three_tokens(text: str) -> bool:
    """Has the line three tokens or more? A line of printable characters has only spaces for
    whitespace, so str.split (C speed) counts its tokens as the regex would."""
    if text.isprintable():
        return len(text.split(None, 2)) == 3
    return _THREE_TOKENS.search(text) is not None


def _glue_header(toks: list[_Tok]) -> list[_Cell]:
    """Header cells: a PDF converter puts a space between "2020" and "年", a letter-spaced name
    ("指  标", "序  号") comes as one character a token; glue them back."""
    cells: list[_Cell] = []
    for t in toks:
        spaced = cells and len(cells[-1].text) == 1 and len(t.text) == 1 and _HAN.match(cells[-1].text) and _HAN.match(t.text)
        if cells and (spaced or (_ASCII_END.search(cells[-1].text) and _HAN_START.search(t.text))):
            last = cells[-1]
            cells[-1] = _Cell(last.text + t.text, last.start, t.end)
        else:
            cells.append(_Cell(t.text, t.start, t.end))
    return cells


def _space_cost(a: str, b: str) -> float:
    """Cost of reading the space between tokens a and b as inside one cell."""
    rules = _rules()
    if rules.complete_number.fullmatch(a) or rules.complete_number.fullmatch(b):
        return 3.0
    if _ASCII_END.search(a) and _HAN_START.search(b):
        return 0.5 if len(b) <= 2 else 1.0  # "2020 年", "1/10 万", "5 岁以下"
    if _HAN_END.search(a) and _DIGIT_START.search(b):
        return 1.0  # "增长 30%"
    return 4.0


class _Columns:
    def __init__(self, header: list[str]):
        rules = _rules()
        self.n = len(header)
        self.types = []
        for h in header:
            h = _nows(h)
            if h in rules.serial_columns:
                self.types.append("serial")
            elif h in rules.unit_columns:
                self.types.append("unit")
            elif h in rules.nature_columns:
                self.types.append("nature")
            else:
                self.types.append(None)
        self.serial = self.types.index("serial") if "serial" in self.types else None

    def fits(self, col: int, value: str) -> bool:
        rules = _rules()
        kind = self.types[col]
        if kind == "serial":
            return bool(_INTEGER.fullmatch(value))
        if kind == "unit":
            return bool(rules.unit_cell.fullmatch(value))
        if kind == "nature":
            return value in rules.nature_values
        return True


def _cell_cost(toks: list[_Tok], i: int, j: int, cols: _Columns, col: int) -> float:
    cost = 0.0
    prev_width = None
    for t in range(i, j - 1):
        a, b = toks[t], toks[t + 1]
        if a.line == b.line:
            cost += _space_cost(a.text, b.text)
            continue
        # A wrapped cell owns whole lines, and only a line as wide as the one before it was cut.
        owns_line = a.line != toks[i].line or toks[i].first
        if not owns_line or (prev_width is not None and a.width < prev_width):
            cost += 5.0
        else:
            cost += 0.5
        prev_width = a.width
    if not cols.fits(col, "".join(t.text for t in toks[i:j])):
        cost += 10.0
    return cost


def _split_cells(toks: list[_Tok], cols: _Columns, first_col: int) -> list[_Cell]:
    """Group a row's tokens into the columns first_col.. by least cost (dynamic programming)."""
    m = cols.n - first_col
    k = len(toks)
    if k <= m:
        return [_Cell(t.text, t.start, t.end) for t in toks]
    inf = float("inf")
    best = [[inf] * (k + 1) for _ in range(m + 1)]
    back = [[0] * (k + 1) for _ in range(m + 1)]
    best[0][0] = 0.0
    for c in range(1, m + 1):
        for j in range(c, k - (m - c) + 1):
            for i in range(c - 1, j):
                if best[c - 1][i] == inf:
                    continue
                cost = best[c - 1][i] + _cell_cost(toks, i, j, cols, first_col + c - 1)
                if cost < best[c][j]:
                    best[c][j], back[c][j] = cost, i
    cells = []
    j = k
    for c in range(m, 0, -1):
        i = back[c][j]
        cells.append(_Cell("".join(t.text for t in toks[i:j]), toks[i].start, toks[j - 1].end))
        j = i
    return cells[::-1]


def _pdf_header(lines: list[_Line], i: int) -> list[_Cell] | None:
    line = lines[i]
    if "\t" in line.text or _SENTENCE_PUNCT.search(line.text) or not _three_tokens(line.text):
        return None  # (its tokens are built only for a line that has three)
    toks = _tokens(line, i)
    cells = _glue_header(toks)
    if len(cells) < 3 or not _is_header([c.text for c in cells]):
        return None
    return cells


def _header_continuation(lines: list[_Line], j: int, n_header: int) -> list[_Cell] | None:
    """A second header line: fewer short word cells than the header, no numbers, no sentence."""
    if j >= len(lines) or "\t" in lines[j].text or _SENTENCE_PUNCT.search(lines[j].text):
        return None
    toks = _tokens(lines[j], j)
    if not 0 < len(toks) < n_header or any(len(t.text) > 6 or _DIGIT.search(t.text) for t in toks):
        return None
    if not any(k in t.text for t in toks for k in _rules().header_keywords):
        return None
    return [_Cell(t.text, t.start, t.end) for t in toks]


def _is_label_piece(s: str) -> bool:
    """A piece of a merged cell written vertically: a few characters, no digits, no spaces."""
    return 0 < len(s) <= 6 and not _DIGIT_OR_SPACE.search(s)


def _parse_pdf(lines: list[_Line], i: int, used: list[bool]):
    rules = _rules()
    header = _pdf_header(lines, i)
    if header is None:
        return None, i + 1
    header_idx = i
    j = _next_nonblank(lines, i + 1)
    more = _header_continuation(lines, j, len(header))
    if more:
        # the header's second line ("基期值 目标值 属性") finishes the rightmost cells
        tail = header[len(header) - len(more) :]
        header[len(header) - len(more) :] = [_Cell(h.text + m.text, h.start, m.end) for h, m in zip(tail, more)]
        i = j
    names = [c.text for c in header]
    cols = _Columns(names)
    first_col = cols.serial if cols.serial is not None else 0
    repeat = _nows(lines[i].text)
    # each row: (vertical label written above it, its own left cells, its tokens from the serial on)
    rows: list[tuple[list[str], list[_Cell], list[_Tok]]] = []
    buffer: list[int] = []
    expected = None
    j = i + 1
    while j < len(lines) and not used[j]:
        line = lines[j]
        s = line.stripped
        if not s or _nows(s) == repeat:  # blank, or the header repeated at the top of a new page
            j += 1
            continue
        if (
            rules.table_end.match(s)
            or rules.heading_start.match(s)
            or s.endswith("。")
            or (" " not in s and len(s) > rules.pdf_piece_max_chars)
            or len(buffer) > 6
        ):
            break
        toks = _tokens(line, j)
        current = rows[-1][2] if rows else None
        k = _row_start(toks, cols, expected, current)
        if k is not None:
            if current is not None and buffer and not all(_is_label_piece(lines[b].stripped) for b in buffer):
                current.extend(t for b in buffer for t in _tokens(lines[b], b))
                buffer = []
            # a merged 领域 cell written vertically above the row, a few characters a line
            label = ["".join(lines[b].stripped for b in buffer)] if buffer and first_col else []
            buffer = []
            own_left = [_Cell(t.text, t.start, t.end) for t in toks[:k]]
            rows.append((label, own_left, toks[k:]))
            if cols.serial is not None:
                expected = int(toks[k].text) + 1
        elif current is not None and not _complete(current, cols):
            current.extend(toks)
        else:
            buffer.append(j)
        j += 1
    if not rows or (cols.serial is None and len(rows) < 2):
        return None, i + 1  # without serials, one line under a header-like line is too little evidence
    raw, spans = [], []
    for label, own_left, toks in rows:
        cells = _split_cells(toks, cols, first_col)
        left = [c.text for c in own_left] or label
        raw.append(left + [c.text for c in cells])
        spans.append(((own_left or cells)[0].start, cells[-1].end))
    block = _make_block(_caption(lines, header_idx, used), header[0].start, names, raw, spans)
    return block, _line_index(lines, block.char_end) + 1


def _row_start(toks: list[_Tok], cols: _Columns, expected: int | None, current) -> int | None:
    """Does this line start a row? Returns the index of the row's first own token (the serial)."""
    if cols.serial is None:
        # Without a serial column a line of several cells starts a row once the previous one is full.
        return 0 if len(toks) >= 2 and (current is None or _complete(current, cols)) else None
    for k in sorted({0, cols.serial}):
        # the serial opens the line, or follows the cells left of it ("健康水平 1 人均预期寿命 …")
        if k >= len(toks) or not _INTEGER.fullmatch(toks[k].text):
            continue
        if expected is not None and int(toks[k].text) != expected:
            continue
        if all(_is_label_piece(t.text) for t in toks[:k]):
            return k
    return None


def _complete(toks: list[_Tok], cols: _Columns) -> bool:
    """Has the row got a token for every column, ending in a value that fits the last one?"""
    first_col = cols.serial if cols.serial is not None else 0
    # a row under a merged left cell (a 领域 written once) lacks it: one token fewer, when the last
    # column's kind (指标属性) says the row has ended
    merged_left = 1 if cols.serial is None and cols.types[-1] == "nature" else 0
    if len(toks) < cols.n - first_col - merged_left:
        return False
    return cols.fits(cols.n - 1, toks[-1].text)

