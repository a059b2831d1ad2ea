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


@dataclass
class _Line:
    start: int
    text: str

    @property
    def stripped(self) -> str:
        return self.text.strip()

    @property
    def tabbed(self) -> bool:
        return self.text.startswith("\t")


@dataclass
class _Cell:
    text: str
    start: int
    end: int


class _Rules:
    def __init__(self, raw: dict):
        self.header_keywords = tuple(raw["header_keywords"])
        self.kind_keywords = {k: tuple(v) for k, v in raw["kind_keywords"].items()}
        self.indicator_overrides_task = tuple(raw["indicator_overrides_task"])
        self.serial_columns = set(raw["serial_columns"])
        self.unit_columns = set(raw["unit_columns"])
        self.nature_columns = set(raw["nature_columns"])
        self.nature_values = set(raw["nature_values"])
        words = alternation(raw["unit_words"])
        per = rf"(?:\d+(?:\.\d+)?)?(?:{words})"
        # "岁", "1/10万", "/10万", "张/千人", "%"
        self.unit_cell = regex.compile(rf"(?:\d*/)?{per}(?:/{per})?|{raw['unit_symbols']}")
        self.complete_number = regex.compile(raw["complete_number"])
        self.box_caption = regex.compile(raw["box_caption"])
        self.box_entry = regex.compile(raw["box_entry"])
        self.box_bullet = regex.compile(raw["box_bullet"])
        numbering = load_rules("headings")
        labels = [numbering["styles"][name].format(cn=numbering["numerals"]) for name in raw["heading_styles"]]
        self.heading_start = regex.compile("|".join(labels + [raw["heading_markers"]]))
        self.caption_prefix = regex.compile(raw["caption_prefix"])
        self.caption_max_chars = raw["caption_max_chars"]
        self.wrapped_piece_max_chars = raw["wrapped_piece_max_chars"]
        notes = "|".join(numbering["notes_openers"])
        self.table_end = regex.compile(rf"(?:{notes})\s*[：:]|{raw['table_end']}")
        self.pdf_piece_max_chars = raw["pdf_piece_max_chars"]


@lru_cache(maxsize=1)
def _rules() -> _Rules:
    return _Rules(load_rules("tables"))


_WS = regex.compile(r"\s+")
_TOKEN = regex.compile(r"\S+")
_WIDE = regex.compile(r"[^\x00-\xff]")
_SENTENCE_PUNCT = regex.compile(r"[。；！？]")
_INTEGER = regex.compile(r"\d{1,3}")
_HAN_START = regex.compile(r"^\p{Han}")
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
    # Boxes first: their tab-prefixed lines must not be read as Word table cells.
    for parse in (_parse_box, _parse_tsv, _parse_word, _parse_pdf):
        i = 0
        while i < len(lines):
            if used[i]:
                i += 1
                continue
            block, end = parse(lines, i, used)
            if block is None:
                i = max(end, i + 1)
                continue
            first = _line_index(lines, block.char_start)
            for k in range(first, end):
                used[k] = True
            tables.append(block)
            i = end
    tables.sort(key=lambda t: t.char_start)
    return tables


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
    if has.get("indicator"):
        return "indicator"
    return "other"


def _is_title_like(s: str) -> bool:
    rules = _rules()
    return (
        0 < len(s) <= rules.caption_max_chars
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
    rules = _rules()
    cap = lines[i].stripped
    if not rules.box_caption.fullmatch(cap):
        return None, i + 1
    cap_start = lines[i].start + lines[i].text.index(cap)
    cap_end = cap_start + len(cap)
    entries: list[list[_Cell]] = []
    numbered = None  # whether the box numbers its entries
    j = i + 1
    while j < len(lines) and not used[j]:
        line = lines[j]
        s = line.stripped
        if not s:
            if entries:
                break
            j += 1
            continue
        if rules.box_caption.fullmatch(s) or rules.heading_start.match(s):
            break
        m = rules.box_entry.match(s)
        if not entries and m is None and cap_end < line.start and _is_title_like(s) and _opens_box_list(lines, j):
            # the box title on the line under "专栏1"
            cap, cap_end = f"{cap} {s}", line.start + line.text.index(s) + len(s)
        elif m and numbered is not False and int(m.group("n")) == len(entries) + 1:
            numbered = True
            entries.append([_cell_of(line)])
        elif m is None and line.tabbed and entries and numbered:
            # a further paragraph of the entry inside the Word box cell
            cell = entries[-1][0]
            more = _cell_of(line)
            entries[-1][0] = _Cell(cell.text + more.text, cell.start, more.end)
        elif m is None and rules.box_bullet.match(s) and numbered is not True:
            numbered = False  # bulleted entries: one per bullet
            entries.append([_cell_of(line)])
        elif m is None and line.tabbed and numbered is not True:
            numbered = False  # unnumbered Word box: one entry per tab-prefixed paragraph
            entries.append([_cell_of(line)])
        else:
            break
        j += 1
    if not entries:
        return None, i + 1
    block = _block((cap, cap_start, cap_end), cap_start, [], entries, kind="box")
    return block, _line_index(lines, block.char_end) + 1


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


def _glue_header(toks: list[_Tok]) -> list[_Cell]:
    """Header cells: a PDF converter puts a space between "2020" and "年"; glue them back."""
    cells: list[_Cell] = []
    for t in toks:
        if cells and _ASCII_END.search(cells[-1].text) and _HAN_START.search(t.text):
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
    if "\t" in line.text or _SENTENCE_PUNCT.search(line.text):
        return None
    toks = _tokens(line, i)
    if len(toks) < 3:
        return None
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
    if len(toks) < cols.n - first_col:
        return False
    return cols.fits(cols.n - 1, toks[-1].text)
