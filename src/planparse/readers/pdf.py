"""PDF reader: the text layer of every page (pypdfium2) as one PlanDoc, OCR where there is none.

Per page, the text layer's lines in content order (the order Word, WPS and LibreOffice write them),
each with its box. Then, in this order:
- letter spacing undone: a space pdfium generated for a gap (no space glyph) next to Chinese
  punctuation, between Chinese and digits or Latin, or between digits is dropped when the gap is narrower than ``max_letter_gap_em``
  (CNKI's ``2 0 0 5 年``, ``8 %``, ``增长 , 1 2 种``; Word's gap in ``2021 年``); radical look-alikes
  and half-width punctuation between Chinese characters mapped (``normalise_cjk``);
- running headers and footers dropped: lines in the top or bottom band that recur on most pages
  (digits aside), and lone page numbers there (``- 3 -``, ``第3页``, ``3/18``);
- pages without a text layer (scanned) and pictures of text on text pages (专栏 boxes printed as
  images) OCR'd when the ``planparse[ocr]`` extra is installed; without it a scanned PDF raises
  ``IngestError("no_text_layer")``;
- tables drawn with visible ruling read as table blocks (cells, merged cells expanded) in place of
  their text lines, written one row per line with cells joined by tabs;
- paragraphs rebuilt by ``planparse.ingest.clean_text``, today's rules for text files; the offset of
  every page's first character and the page and box of every paragraph are carried through it by
  aligning its output with its input (it only drops characters and joins lines).

pdfplumber reads only tables drawn with visible ruling, on the pages that have such ruling
(counted from pypdfium2's path objects), with white rectangles filtered out first. Measured on the
corpus PDFs it is no text reader: 7-47x slower than pypdfium2, Kangxi radicals left in the Chrome
print (05), the CNKI export (07) not opened at all; and unfiltered, its ruling-line table finder takes
the white background rectangles of the LibreOffice and Word exports (04: 1,251 of them; 01) for a
page-sized table of 37-44 rows on every page. None of the corpus PDFs has a ruled table; the
LibreOffice export tests/data/pdf/ruled_table.pdf has one.
"""

from __future__ import annotations

import math
import unicodedata
from collections import Counter
from dataclasses import dataclass
from functools import lru_cache

import regex

from planparse.document import Block, Cell, PlanDoc
from planparse.ingest import IngestError, clean_text
from planparse.readers import ocr, reader
from planparse.rules_loader import load_rules

BBox = tuple[float, float, float, float]  # x0, y0, x1, y1 in PDF points, origin bottom-left


@dataclass
class _Line:
    text: str
    page: int  # 1-based
    bbox: BBox | None
    ocr: bool = False


@dataclass
class _Table:
    """A table drawn with ruling lines: cell texts, header first; merged cells expanded, a copy
    naming the (row, col) of the cell it copies (in the text it is written once, where it stands)."""

    rows: list[list[tuple[str, tuple[int, int] | None]]]
    page: int
    bbox: BBox


def _rules() -> dict:
    return load_rules("pdf")


# ---- CJK normalisation ----

# Chinese characters and the full-width punctuation set among them.
_CJK = r"\p{Han}\u3000-\u303f\uff00-\uffef\u2018-\u201d\u2014\u2026"
_CJK_CHAR = regex.compile(f"[{_CJK}]")
_LINE = regex.compile(r"[^\r\n]+")
_SPACES = regex.compile(r" +")
_WHITESPACE = regex.compile(r"\s+")
_DIGITS = regex.compile(r"\d+")


@lru_cache(maxsize=1)
def _translation() -> dict[int, str]:
    table = {}
    for lo, hi in ((0x2F00, 0x2FDF), (0xF900, 0xFAFF)):  # Kangxi radicals, compatibility ideographs
        for cp in range(lo, hi + 1):
            mapped = unicodedata.normalize("NFKC", chr(cp))
            if mapped != chr(cp):
                table[cp] = mapped
    table.update({ord(k): v for k, v in _rules()["radicals"].items()})
    return table


@lru_cache(maxsize=1)
def _halfwidth_punct() -> regex.Pattern:
    marks = regex.escape("".join(_rules()["halfwidth_punctuation"]))
    # After a Chinese character or closing mark (or at a line start, where CNKI breaks lines), and
    # before a Chinese character, opening mark or digit: never a thousands separator or a ratio.
    return regex.compile(rf"(?:(?<=[\p{{Han}}”’）》」』%‰])|^)([{marks}])(?=[\p{{Han}}“‘（《「『\d]|$)")


def normalise_cjk(text: str) -> str:
    """Radical look-alikes -> ideographs (⻓ -> 长, ⾏ -> 行), half-width , ; : between Chinese -> full width."""
    text = text.translate(_translation())
    punct = _rules()["halfwidth_punctuation"]
    return _halfwidth_punct().sub(lambda m: punct[m.group(1)], text)


def example_items(text: str) -> list[dict]:
    """rules/pdf.examples.yaml: the normalised text, or nothing when normalisation leaves it as it is."""
    out = normalise_cjk(text)
    return [{"text": out}] if out != text else []


# ---- the text layer ----


_HAN = regex.compile(r"\p{Han}")


def _is_letter_space(left: str, right: str) -> bool:
    """Could a gap between these two characters be letter spacing? Between two Chinese characters it
    is a word space (农业农村厅 海南省财政厅, two issuers on one line): CNKI spaces punctuation and
    digits only, and Word's gap stands between Chinese and Latin or digits."""
    if _HAN.match(left) and _HAN.match(right):
        return False
    if _CJK_CHAR.match(left) or _CJK_CHAR.match(right):
        return True
    return left.isdigit() and (right.isdigit() or right in "%‰.") or left == "." and right.isdigit()


def _page_text_lines(textpage, page_no: int) -> list[_Line]:
    import pypdfium2.raw as raw

    text = textpage.get_text_range()
    # One string index per pdfium character (generated spaces and line breaks included) unless the
    # page has characters outside the BMP; then boxes and gaps are unknown and lines kept as read.
    geometric = len(text) == textpage.count_chars()
    max_gap = _rules()["max_letter_gap_em"]
    lines = []
    for m in _LINE.finditer(text):
        a, b = m.span()
        if not text[a:b].strip():
            continue
        if not geometric:
            lines.append(_Line(normalise_cjk(text[a:b].strip()), page_no, None))
            continue
        kept, cursor = [], a
        for sp in _SPACES.finditer(text, a, b):
            i, j = sp.span()
            if i == a or j == b or not _is_letter_space(text[i - 1], text[j]):
                continue
            if not all(raw.FPDFText_IsGenerated(textpage.raw, k) for k in range(i, j)):
                continue
            size = raw.FPDFText_GetFontSize(textpage.raw, i - 1) or 1.0
            gap = textpage.get_charbox(j)[0] - textpage.get_charbox(i - 1)[2]
            if gap < max_gap * size:
                kept.append(text[cursor:i])
                cursor = j
        kept.append(text[cursor:b])
        first = a + len(text[a:b]) - len(text[a:b].lstrip())
        last = a + len(text[a:b].rstrip()) - 1
        boxes = [textpage.get_charbox(first), textpage.get_charbox(last)]
        bbox = (min(x[0] for x in boxes), min(x[1] for x in boxes), max(x[2] for x in boxes), max(x[3] for x in boxes))
        lines.append(_Line(normalise_cjk("".join(kept).strip()), page_no, bbox))
    return lines


def _raise_page_furniture(lines: list[_Line], height: float) -> list[_Line]:
    """Lines at the end of the content stream that are drawn in the top band (a browser print's
    search box, a header written last) are put where they stand on the page: reading order follows
    the page there. Only trailing ones: a second column also jumps back up, but then flows down."""
    top_band = height * (1 - _rules()["running_lines"]["band"])
    k = len(lines)
    while k > 1 and lines[k - 1].bbox is not None and lines[k - 1].bbox[1] >= top_band:
        k -= 1
    if k == len(lines) or lines[0].bbox is None:
        return lines
    body, late = lines[:k], lines[k:]
    for line in sorted(late, key=lambda l: -l.bbox[3]):
        at = next((i for i, b in enumerate(body) if b.bbox is not None and b.bbox[3] < line.bbox[1]), len(body))
        body.insert(at, line)
    return body


def _page_objects(page) -> tuple[list[BBox], list[int]]:
    """Boxes of the page's images, and at how many distinct heights and distinct x positions its
    paths draw visible rulings (stroked, or thin and filled; not white; at least
    ``ruling_min_length`` long; a stroked rectangle gives its four edges), form XObjects included.
    A table of two rows and two columns has three of each; a frame around a block has two
    verticals. Raw calls: the object wrappers cost a second on a newspaper page of 30,000 paths."""
    import ctypes

    import pypdfium2.raw as raw

    boxes: list[BBox] = []
    rows: list[float] = []  # heights of horizontal rulings
    cols: list[float] = []  # x positions of vertical rulings
    min_length = _rules()["ruling_min_length"]
    edges = [ctypes.c_float() for _ in range(4)]
    refs = tuple(map(ctypes.byref, edges))
    color = [ctypes.c_uint() for _ in range(4)]
    color_refs = tuple(map(ctypes.byref, color))
    fill_mode, stroke = ctypes.c_int(), ctypes.c_int()
    mode_refs = (ctypes.byref(fill_mode), ctypes.byref(stroke))
    get_type, get_bounds, draw_mode = raw.FPDFPageObj_GetType, raw.FPDFPageObj_GetBounds, raw.FPDFPath_GetDrawMode
    image, form, path = raw.FPDF_PAGEOBJ_IMAGE, raw.FPDF_PAGEOBJ_FORM, raw.FPDF_PAGEOBJ_PATH

    def dark(get_color, obj) -> bool:
        return bool(get_color(obj, *color_refs)) and color[3].value > 0 and sum(c.value for c in color[:3]) < 600

    def walk(count, get, parent) -> None:
        for k in range(count):
            obj = get(parent, k)
            kind = get_type(obj)
            if kind == path:
                if not (draw_mode(obj, *mode_refs) and get_bounds(obj, *refs)):
                    continue
                left, bottom, right, top = (e.value for e in edges)
                width, height = right - left, top - bottom
                if stroke.value and dark(raw.FPDFPageObj_GetStrokeColor, obj):
                    if width >= min_length:
                        rows.extend((bottom, top))
                    if height >= min_length:
                        cols.extend((left, right))
                elif fill_mode.value and min(width, height) < 3 and dark(raw.FPDFPageObj_GetFillColor, obj):
                    if width >= min_length:
                        rows.append(bottom)
                    if height >= min_length:
                        cols.append(left)
            elif kind == image and get_bounds(obj, *refs):
                boxes.append(tuple(e.value for e in edges))
            elif kind == form:
                walk(raw.FPDFFormObj_CountObjects(obj), raw.FPDFFormObj_GetObject, obj)

    walk(raw.FPDFPage_CountObjects(page.raw), raw.FPDFPage_GetObject, page.raw)
    return boxes, [_distinct(rows), _distinct(cols)]


def _distinct(positions: list[float], tolerance: float = 3.0) -> int:
    """Positions that stand apart by more than ``tolerance`` points (a rule drawn twice is one)."""
    ordered = sorted(positions)
    return sum(1 for k, v in enumerate(ordered) if k == 0 or v - ordered[k - 1] > tolerance)


def _covered_share(boxes: list[BBox], width: float, height: float) -> float:
    area = sum(max(0.0, min(x1, width) - max(x0, 0)) * max(0.0, min(y1, height) - max(y0, 0)) for x0, y0, x1, y1 in boxes)
    return min(1.0, area / (width * height)) if width and height else 0.0


# ---- tables drawn with ruling lines (pdfplumber, only on pages that have visible rulings) ----


def _white(color) -> bool:
    if color is None or isinstance(color, str):
        return False
    values = list(color) if isinstance(color, (list, tuple)) else [color]
    if not values or not all(isinstance(v, (int, float)) for v in values):
        return False
    if len(values) == 4:  # CMYK
        return all(v <= 0.05 for v in values)
    return all(v >= 0.95 for v in values)


def _visible_ruling(obj: dict) -> bool:
    """pdfplumber object filter: characters, and the lines and rectangles a reader sees. Word, WPS
    and LibreOffice draw white background rectangles behind text (01, 04) that pdfplumber's
    ruling-line finder would otherwise read as a page-sized table."""
    kind = obj.get("object_type")
    if kind == "char":
        return True
    if kind not in ("line", "rect", "curve"):
        return False
    if obj.get("stroke") and not _white(obj.get("stroking_color")):
        return True
    thin = min(obj.get("width", 0), obj.get("height", 0)) < 3
    return bool(obj.get("fill")) and thin and not _white(obj.get("non_stroking_color"))


def _cell_text(text: str | None) -> str:
    """A cell's lines joined (no space between Chinese characters, one between Latin words)."""
    parts = [p.strip() for p in (text or "").splitlines() if p.strip()]
    out = ""
    for part in parts:
        if out and not (_CJK_CHAR.match(out[-1]) or _CJK_CHAR.match(part[0])):
            out += " "
        out += part
    return normalise_cjk(out.replace("\t", " "))


def _ruled_tables(plumber_page, page_no: int, height: float) -> list[_Table]:
    tables = []
    for found in plumber_page.filter(_visible_ruling).find_tables():
        texts = found.extract()
        if len(texts) < 2 or max(len(r) for r in texts) < 2:
            continue
        boxes = [row.cells for row in found.rows]  # (x0, top, x1, bottom) or None where covered
        rows: list[list[tuple[str, tuple[int, int] | None]]] = []
        for r, row in enumerate(texts):
            out_row: list[tuple[str, tuple[int, int] | None]] = []
            for c, value in enumerate(row):
                if value is not None:
                    out_row.append((_cell_text(value), None))
                    continue
                # covered by a merged cell: the one above when its box reaches down here, else the left one
                source = None
                if r > 0 and c < len(rows[r - 1]):
                    above = rows[r - 1][c][1] or (r - 1, c)
                    box = boxes[above[0]][above[1]]
                    if box is not None and box[3] >= found.rows[r].bbox[3] - 1:
                        source = above
                if source is None and c > 0:
                    source = out_row[c - 1][1] or (r, c - 1)
                if source is None:
                    out_row.append(("", None))
                else:
                    origin_row = out_row if source[0] == r else rows[source[0]]
                    out_row.append((origin_row[source[1]][0], source))
            rows.append(out_row)
        x0, top, x1, bottom = found.bbox
        tables.append(_Table(rows, page_no, (x0, height - bottom, x1, height - top)))
    return tables


def _read_ruled_tables(data: bytes, indices: list[int], heights: list[float], warnings: list[str]) -> dict[int, list[_Table]]:
    """Tables on the pages (0-based ``indices``) that have visible ruling. pdfplumber's parser
    (pdfminer) opens fewer files than pdfium (not the CNKI export, 07): those keep their text."""
    if not indices:
        return {}
    import io
    import logging

    import pdfplumber

    logging.getLogger("pdfminer").setLevel(logging.ERROR)  # FontBBox complaints on every Chrome print
    try:
        with pdfplumber.open(io.BytesIO(data)) as plumber:
            return {i: _ruled_tables(plumber.pages[i], i + 1, heights[i]) for i in indices}
    except Exception as exc:  # pdfminer's errors have no common base class
        warnings.append(f"ruled tables not read, their cells stay text lines (pdfplumber: {type(exc).__name__})")
        return {}


def _place_tables(lines: list[_Line], tables: list[_Table]) -> list:
    """The page's items in reading order: text lines inside a table's box give way to the table,
    which stands where its first line stood (or by height when it had none)."""
    items: list = list(lines)
    for table in tables:
        x0, y0, x1, y1 = table.bbox

        def inside(item) -> bool:
            if not isinstance(item, _Line) or item.bbox is None:
                return False
            cx, cy = (item.bbox[0] + item.bbox[2]) / 2, (item.bbox[1] + item.bbox[3]) / 2
            return x0 <= cx <= x1 and y0 <= cy <= y1

        at = next((k for k, item in enumerate(items) if inside(item)), None)
        if at is None:
            at = next((k for k, item in enumerate(items) if isinstance(item, _Line) and item.bbox and item.bbox[3] < y1), len(items))
        items = [item for item in items[:at] if not inside(item)] + [table] + [item for item in items[at:] if not inside(item)]
    return items


# ---- OCR ----


# OCR reads the dash of a range (2024—2026年) as 一, which never stands between two digits in text.
_OCR_DASH = regex.compile(r"(?<=\d)一(?=\d)")


def _ocr_lines(page, page_no: int, clip: BBox | None = None) -> list[_Line]:
    """OCR a page, or the ``clip`` box of it, into lines in PDF coordinates: one line per visual row,
    the pieces of a row set apart by two spaces when they stand apart (cells of a table row)."""
    scale = ocr.RENDER_SCALE
    width, height = page.get_size()
    if clip is None:
        crop = (0, 0, 0, 0)
        x_off = y_off = 0.0
    else:
        x0, y0, x1, y1 = clip
        crop = (max(0.0, x0), max(0.0, y0), max(0.0, width - x1), max(0.0, height - y1))
        x_off, y_off = crop[0], crop[3]  # left and top margins cut off, in points
    image = page.render(scale=scale, crop=crop).to_pil()
    out = []
    for row in ocr.rows(ocr.recognise(image)):
        parts = [row[0].text]
        for prev, cur in zip(row, row[1:]):
            char_height = max(1.0, prev.box[3] - prev.box[1])
            parts.append("  " if cur.box[0] - prev.box[2] > char_height else "")
            parts.append(cur.text)
        px0 = min(l.box[0] for l in row)
        py0 = min(l.box[1] for l in row)
        px1 = max(l.box[2] for l in row)
        py1 = max(l.box[3] for l in row)
        bbox = (x_off + px0 / scale, height - y_off - py1 / scale, x_off + px1 / scale, height - y_off - py0 / scale)
        text = _OCR_DASH.sub("—", normalise_cjk("".join(parts)))
        out.append(_Line(text, page_no, bbox, ocr=True))
    return out


def _insert_by_height(lines: list[_Line], extra: list[_Line]) -> list[_Line]:
    """Put OCR'd lines of a picture before the first text line that stands lower than the picture's top."""
    if not extra:
        return lines
    top = max(l.bbox[3] for l in extra)
    for k, line in enumerate(lines):
        if line.bbox is not None and line.bbox[3] < top:
            return lines[:k] + extra + lines[k:]
    return lines + extra


# ---- running headers, footers, page numbers ----


def _drop_running_lines(pages: list[list[_Line]], heights: list[float]) -> list[list[_Line]]:
    rules = _rules()
    band = rules["running_lines"]["band"]
    page_number = regex.compile("|".join(f"(?:{p})" for p in rules["page_numbers"]))

    def key(line: _Line) -> str:
        return _DIGITS.sub("#", _WHITESPACE.sub("", line.text))

    edges: list[list[int]] = []  # per page: indices of the outermost lines of its top and bottom bands
    for lines, height in zip(pages, heights):
        placed = [(k, l) for k, l in enumerate(lines) if l.bbox is not None]
        if not placed and lines:  # no geometry: the first and last two lines in reading order
            edges.append(sorted({0, 1, len(lines) - 2, len(lines) - 1} & set(range(len(lines)))))
            continue
        by_height = sorted(placed, key=lambda kl: -kl[1].bbox[3])
        top = [k for k, l in by_height[:2] if l.bbox[1] >= height * (1 - band)]
        bottom = [k for k, l in by_height[-2:] if l.bbox[3] <= height * band]
        edges.append(sorted(set(top + bottom)))
    counts = Counter(k for lines, idx in zip(pages, edges) for k in {key(lines[i]) for i in idx})
    min_pages = max(2, math.ceil(rules["running_lines"]["min_share"] * len(pages)))
    out = []
    for lines, idx in zip(pages, edges):
        drop = {
            i
            for i in idx
            if counts[key(lines[i])] >= min_pages or page_number.fullmatch(_WHITESPACE.sub("", lines[i].text))
        }
        out.append([l for i, l in enumerate(lines) if i not in drop])
    return out


# ---- assembly: clean_text, then page starts and blocks carried through it ----


def _clean_lines(lines: list[_Line]) -> tuple[str, list[int]]:
    """``clean_text`` of the lines, and the source line of each output character (-1: whitespace).

    clean_text only drops characters (noise, indentation, blank lines) and joins lines, so its
    non-space characters are a subsequence of its input's: align them (greedily, left to right,
    where something was dropped)."""
    raw = "\n".join(l.text for l in lines)
    text = clean_text(raw) if raw.strip() else ""
    source_line = [k for k, line in enumerate(lines) for ch in line.text if not ch.isspace()]
    source = "".join(ch for ch in raw if not ch.isspace())
    positions = [pos for pos, ch in enumerate(text) if not ch.isspace()]
    output = "".join(text[pos] for pos in positions)
    if output == source:
        matched = range(len(source))
    else:
        matched, j = [], 0
        for ch in output:
            j = source.find(ch, j)
            if j < 0:
                raise AssertionError("clean_text changed a character it should only drop or keep")
            matched.append(j)
            j += 1
    origin = [-1] * len(text)
    for pos, j in zip(positions, matched):
        origin[pos] = source_line[j]
    return text, origin


def _union(boxes: list[BBox]) -> BBox | None:
    if not boxes:
        return None
    return (min(b[0] for b in boxes), min(b[1] for b in boxes), max(b[2] for b in boxes), max(b[3] for b in boxes))


def _assemble(items: list, n_pages: int) -> tuple[str, list[int], list[Block]]:
    """The document text from its items in reading order: runs of lines through clean_text, tables
    as one line per row with cells joined by tabs; each page's start and the blocks."""
    pieces: list[str] = []
    blocks: list[Block] = []
    page_starts = [math.inf] * n_pages
    offset = 0

    def add_lines(run: list[_Line]) -> None:
        nonlocal offset
        text, origin = _clean_lines(run)
        last_line = -1
        for pos, k in enumerate(origin):  # the first character of each source line
            if k > last_line:
                last_line = k
                page = run[k].page
                page_starts[page - 1] = min(page_starts[page - 1], offset + pos)
        for m in _LINE.finditer(text):
            start, end = m.span()
            first = next((origin[p] for p in range(start, end) if origin[p] >= 0), -1)
            if first < 0:
                continue
            last = next(origin[p] for p in range(end - 1, start - 1, -1) if origin[p] >= 0)
            page = run[first].page
            bbox = _union([run[k].bbox for k in range(first, last + 1) if run[k].page == page and run[k].bbox])
            ocr_read = any(run[k].ocr for k in range(first, last + 1))
            blocks.append(Block("paragraph", offset + start, offset + end, page=page, bbox=bbox, source_ref=f"page {page}", ocr=ocr_read))
        pieces.append(text)
        offset += len(text)

    def add_table(table: _Table) -> None:
        nonlocal offset
        start = offset
        rows = []
        for row in table.rows:
            cells = []
            for k, (text, merged_from) in enumerate(row):
                if k:
                    pieces.append("\t")
                    offset += 1
                if merged_from is not None:  # written once, where the merged cell stands
                    source = (cells if merged_from[0] == len(rows) else rows[merged_from[0]])[merged_from[1]]
                    cells.append(Cell(source.text, source.start, source.end, merged_from))
                    continue
                cells.append(Cell(text, offset, offset + len(text)))
                pieces.append(text)
                offset += len(text)
            rows.append(cells)
            pieces.append("\n")
            offset += 1
        page_starts[table.page - 1] = min(page_starts[table.page - 1], start)
        blocks.append(Block("table", start, offset - 1, rows=rows, page=table.page, bbox=table.bbox, source_ref=f"page {table.page}"))

    run: list[_Line] = []
    for item in items:
        if isinstance(item, _Line):
            run.append(item)
            continue
        if run:
            add_lines(run)
            run = []
        add_table(item)
    if run:
        add_lines(run)
    text = "".join(pieces)
    starts = [len(text)] * n_pages
    for p in range(n_pages - 1, -1, -1):  # a page with no text starts where the next one does
        starts[p] = min(page_starts[p], starts[p + 1] if p + 1 < n_pages else len(text))
    if starts:
        starts[0] = 0
    out: list[Block] = []
    next_page = 1
    for block in blocks:
        while next_page < n_pages and starts[next_page] <= block.start:
            out.append(Block("page_break", starts[next_page], starts[next_page], page=next_page + 1))
            next_page += 1
        out.append(block)
    out.extend(Block("page_break", starts[p], starts[p], page=p + 1) for p in range(next_page, n_pages))
    return text, starts, out


def _pages_label(pages: list[int]) -> str:
    return ", ".join(map(str, pages)) if len(pages) < 6 else f"{pages[0]}-{pages[-1]} ({len(pages)} pages)"


def sniff(data: bytes, source_path: str) -> bool:
    return b"%PDF-" in data[:1024]


@reader("pdf", suffixes=(".pdf",), sniff=sniff)
def read_pdf(data: bytes, source_path: str) -> PlanDoc:
    import pypdfium2 as pdfium

    try:
        pdf = pdfium.PdfDocument(data)
    except pdfium.PdfiumError as exc:
        detail = str(exc)
        if "password" in detail.lower():
            raise IngestError("encrypted", "the PDF is password-protected") from None
        raise IngestError("unreadable_pdf", f"not a readable PDF ({detail})") from None
    rules = _rules()
    use_ocr = ocr.available()
    warnings: list[str] = []
    try:
        n_pages = len(pdf)
        pages: list[list[_Line]] = []
        heights: list[float] = []
        ruled_pages: list[int] = []
        image_pages: list[int] = []
        skipped_pictures: list[int] = []
        unreadable: list[int] = []
        for index in range(n_pages):
            try:
                page = pdf[index]
                width, height = page.get_size()
                textpage = page.get_textpage()
            except pdfium.PdfiumError:  # one damaged page costs its own text, not the document's
                unreadable.append(index + 1)
                heights.append(842.0)
                pages.append([])
                continue
            heights.append(height)
            lines = _raise_page_furniture(_page_text_lines(textpage, index + 1), height)
            images, rulings = _page_objects(page)
            n_chars = sum(len(_WHITESPACE.sub("", l.text)) for l in lines)
            if n_chars and all(n >= rules["min_rulings"] for n in rulings):
                ruled_pages.append(index)
            if n_chars < rules["min_page_chars"] and _covered_share(images, width, height) >= rules["image_share"]:
                image_pages.append(index + 1)
                lines = _ocr_lines(page, index + 1) if use_ocr else []
            else:
                min_w, min_h = rules["min_text_image"]
                for box in images:
                    if box[2] - box[0] >= min_w * width and box[3] - box[1] >= min_h * height:
                        if use_ocr:
                            lines = _insert_by_height(lines, _ocr_lines(page, index + 1, clip=box))
                        else:
                            skipped_pictures.append(index + 1)
            pages.append(lines)
    finally:
        pdf.close()
    if unreadable:
        warnings.append(f"page(s) {_pages_label(unreadable)} could not be read (damaged) and were skipped")
    if image_pages and len(image_pages) == n_pages and not use_ocr:
        raise IngestError("no_text_layer", "no text layer (scanned): install planparse[ocr]")
    if image_pages:
        if use_ocr:
            warnings.append(f"read by OCR: page(s) {_pages_label(image_pages)} have no text layer")
        else:
            warnings.append(f"page(s) {_pages_label(image_pages)} have no text layer (scanned) and were skipped: install planparse[ocr]")
    if skipped_pictures:
        warnings.append(
            f"pictures of text (tables or boxes printed as images) on page(s) {_pages_label(sorted(set(skipped_pictures)))}"
            " were not read: install planparse[ocr]"
        )
    elif use_ocr and any(l.ocr for lines in pages for l in lines) and len(image_pages) < n_pages:
        warnings.append("pictures of text (tables or boxes printed as images) were read by OCR")
    # a browser print of a gov.cn page keeps its metadata table (发文机关：…) above the body; the
    # text drops those lines as page chrome (rules/noise.yaml), documents gets their values
    from planparse.readers.html import metadata_lines

    metadata = metadata_lines(l.text for l in pages[0]) if pages else {}
    pages = _drop_running_lines(pages, heights)
    tables = _read_ruled_tables(data, ruled_pages, heights, warnings)
    items = []
    for index, page_lines in enumerate(pages):
        items.extend(_place_tables([l for l in page_lines if l.text.strip()], tables.get(index, [])))
    text, page_starts, blocks = _assemble(items, n_pages)
    doc = PlanDoc(
        text=text, encoding="pdf", source_format="pdf", blocks=blocks, page_starts=page_starts, metadata=metadata, warnings=warnings
    )
    doc.check()
    return doc
