"""The DOCX reader (python-docx): body order, heading styles, soft breaks, merged cells, numbering.

Paragraphs and tables are read in body order. A soft line break (``<w:br/>``) is a paragraph
break: documents held together by soft breaks are common. A paragraph with numbering
(``w:numPr``, on the paragraph or its style) gets the label Word would draw ("一、", "（1）").
Merged cells are expanded: ``gridSpan`` copies a cell right, ``vMerge`` carries it down.
"""

from __future__ import annotations

import io
import zipfile

import regex

from planparse.document import PlanDoc
from planparse.ingest import IngestError
from planparse.readers import reader
from planparse.readers.layout import MAX_SPAN, Builder, GridCell, cell_text

_W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
_HEADING_STYLE = regex.compile(r"(?i)(?:heading|标题)\s*(\d)")


def _is_docx(data: bytes, source_path: str) -> bool:
    if not data.startswith(b"PK\x03\x04"):
        return False
    try:
        return "word/document.xml" in zipfile.ZipFile(io.BytesIO(data)).namelist()
    except zipfile.BadZipFile:
        return False


@reader("docx", suffixes=(".docx",), sniff=_is_docx)
def read_docx(data: bytes, source_path: str) -> PlanDoc:
    return docx_document(data, "docx")


def docx_document(data: bytes, source_format: str) -> PlanDoc:
    import docx  # python-docx; imported on first use (start-up)

    try:
        document = docx.Document(io.BytesIO(data))
    except Exception as exc:  # noqa: BLE001 - python-docx raises many kinds on a broken package
        raise IngestError("unreadable_docx", f"not a readable Word (.docx) file: {type(exc).__name__}: {exc}") from None
    styles = _Styles(document)
    numbering = _Numbering(document, styles)
    out = Builder()
    _read_body(document.element.body, out, styles, numbering)
    # Core properties (title, author) are left out: WPS and Word templates fill them with their own.
    return out.build("utf-8", source_format)


def _read_body(parent, out: Builder, styles, numbering, counter=None) -> None:
    counter = counter if counter is not None else {"p": 0, "t": 0}
    for child in parent.iterchildren():
        if child.tag == _W + "p":
            counter["p"] += 1
            text = numbering.label(child) + _paragraph_text(child)
            out.paragraph(text, heading_level=styles.heading_level(child), ref=f"p{counter['p'] - 1}")
        elif child.tag == _W + "tbl":
            counter["t"] += 1
            out.table(_grid(child, numbering), ref=f"t{counter['t'] - 1}")
        elif child.tag == _W + "sdt":  # content controls wrap ordinary body content
            content = child.find(_W + "sdtContent")
            if content is not None:
                _read_body(content, out, styles, numbering, counter)


def _paragraph_text(p) -> str:
    parts = []
    for el in p.iter(_W + "t", _W + "tab", _W + "br", _W + "cr", _W + "noBreakHyphen"):
        tag = el.tag[len(_W):]
        if tag == "t":
            parts.append(el.text or "")
        elif tag == "tab":
            parts.append(" ")
        elif tag == "noBreakHyphen":
            parts.append("-")
        else:
            parts.append("\n")
    return "".join(parts)


def _val(el, name: str):
    return None if el is None else el.get(_W + name)


def _int(value, default: int) -> int:
    """An integer attribute; a damaged file's garbage reads as the default."""
    try:
        return int(value) if value is not None else default
    except ValueError:
        return default


def _grid(tbl, numbering) -> list[list[GridCell]]:
    grid: list[list[GridCell]] = []
    for r, tr in enumerate(tbl.iterchildren(_W + "tr")):
        row: list[GridCell] = []
        before = min(_int(_val(tr.find(f"{_W}trPr/{_W}gridBefore"), "val"), 0), MAX_SPAN)
        row.extend(GridCell() for _ in range(max(0, before)))
        for tc in tr.iterchildren(_W + "tc"):
            pr = tc.find(_W + "tcPr")
            span = min(max(1, _int(_val(pr.find(_W + "gridSpan") if pr is not None else None, "val"), 1)), MAX_SPAN)
            vmerge = pr.find(_W + "vMerge") if pr is not None else None
            col = len(row)
            if vmerge is not None and _val(vmerge, "val") != "restart" and r > 0 and col < len(grid[r - 1]):
                above = grid[r - 1][col]
                origin = above.origin or (r - 1, col)
                row.extend(GridCell(origin=origin) for _ in range(span))
                continue
            paragraphs = [numbering.label(p) + _paragraph_text(p) for p in tc.iter(_W + "p")]
            row.append(GridCell(cell_text(paragraphs)))
            row.extend(GridCell(origin=(r, col)) for _ in range(span - 1))
        grid.append(row)
    width = max((len(row) for row in grid), default=0)
    return [row + [GridCell() for _ in range(width - len(row))] for row in grid]


class _Styles:
    """Paragraph styles by id: heading level and numbering, following ``basedOn``."""

    def __init__(self, document):
        self.by_id = {}
        try:
            root = document.styles.element
        except Exception:  # noqa: BLE001 - a document without a styles part
            return
        for style in root.iterchildren(_W + "style"):
            self.by_id[style.get(_W + "styleId")] = style

    def _chain(self, p):
        sid = _val(p.find(f"{_W}pPr/{_W}pStyle"), "val")
        seen = set()
        while sid and sid in self.by_id and sid not in seen:
            seen.add(sid)
            style = self.by_id[sid]
            yield style
            sid = _val(style.find(_W + "basedOn"), "val")

    def heading_level(self, p) -> int | None:
        lvl = _val(p.find(f"{_W}pPr/{_W}outlineLvl"), "val")
        for style in self._chain(p):
            name = _val(style.find(_W + "name"), "val") or ""
            m = _HEADING_STYLE.search(name)
            if m:
                return int(m.group(1))
            lvl = lvl or _val(style.find(f"{_W}pPr/{_W}outlineLvl"), "val")
        return int(lvl) + 1 if lvl is not None and lvl.isdigit() and int(lvl) < 9 else None

    def num_pr(self, p):
        found = p.find(f"{_W}pPr/{_W}numPr")
        if found is not None:
            return found
        for style in self._chain(p):
            found = style.find(f"{_W}pPr/{_W}numPr")
            if found is not None:
                return found
        return None


_CIRCLED = "①②③④⑤⑥⑦⑧⑨⑩⑪⑫⑬⑭⑮⑯⑰⑱⑲⑳"
_TIANGAN = "甲乙丙丁戊己庚辛壬癸"


def _format_number(n: int, fmt: str) -> str:
    import cn2an

    if not 0 < n <= 10000:
        return str(n)  # no list counts this far; a damaged start value must not build huge labels

    if fmt in ("chineseCounting", "chineseCountingThousand", "chineseLegalSimplified", "ideographDigital", "japaneseCounting", "taiwaneseCounting"):
        return cn2an.an2cn(n, "up" if fmt == "chineseLegalSimplified" else "low")
    if fmt in ("decimalEnclosedCircle", "decimalEnclosedCircleChinese") and 0 < n <= len(_CIRCLED):
        return _CIRCLED[n - 1]
    if fmt == "ideographTraditional" and 0 < n <= len(_TIANGAN):
        return _TIANGAN[n - 1]
    if fmt == "decimalFullWidth":
        return "".join(chr(ord(d) + 0xFEE0) for d in str(n))
    if fmt == "decimalZero":
        return f"{n:02d}"
    if fmt in ("upperLetter", "lowerLetter"):
        letter = chr(ord("A") + (n - 1) % 26) * ((n - 1) // 26 + 1)
        return letter if fmt == "upperLetter" else letter.lower()
    if fmt in ("upperRoman", "lowerRoman"):
        roman = _roman(n)
        return roman if fmt == "upperRoman" else roman.lower()
    return str(n)


def _roman(n: int) -> str:
    out = ""
    for value, sym in ((1000, "M"), (900, "CM"), (500, "D"), (400, "CD"), (100, "C"), (90, "XC"), (50, "L"), (40, "XL"), (10, "X"), (9, "IX"), (5, "V"), (4, "IV"), (1, "I")):
        while n >= value:
            out, n = out + sym, n - value
    return out


class _Numbering:
    """Labels of numbered paragraphs as Word draws them: per list, a counter per level; a level's
    item restarts the levels below it. Bullets and missing definitions give no label."""

    def __init__(self, document, styles: _Styles):
        self.styles = styles
        self.levels: dict[str, dict[int, tuple[str, str, int]]] = {}  # numId -> ilvl -> (fmt, text, start)
        self.counters: dict[str, dict[int, int]] = {}
        try:
            root = document.part.numbering_part.element
        except (KeyError, NotImplementedError):  # no numbering part
            return
        abstract = {}
        for ab in root.iterchildren(_W + "abstractNum"):
            abstract[ab.get(_W + "abstractNumId")] = {
                _int(lvl.get(_W + "ilvl"), 0): (
                    _val(lvl.find(_W + "numFmt"), "val") or "decimal",
                    _val(lvl.find(_W + "lvlText"), "val") or "",
                    _int(_val(lvl.find(_W + "start"), "val"), 1),
                )
                for lvl in ab.iterchildren(_W + "lvl")
            }
        for num in root.iterchildren(_W + "num"):
            levels = dict(abstract.get(_val(num.find(_W + "abstractNumId"), "val"), {}))
            for override in num.iterchildren(_W + "lvlOverride"):
                ilvl, start = _int(override.get(_W + "ilvl"), 0), _val(override.find(_W + "startOverride"), "val")
                if start is not None and ilvl in levels:
                    fmt, text, _ = levels[ilvl]
                    levels[ilvl] = (fmt, text, _int(start, 1))
            self.levels[num.get(_W + "numId")] = levels

    def label(self, p) -> str:
        num_pr = self.styles.num_pr(p)
        if num_pr is None:
            return ""
        num_id = _val(num_pr.find(_W + "numId"), "val")
        ilvl = _int(_val(num_pr.find(_W + "ilvl"), "val"), 0)
        levels = self.levels.get(num_id)
        if not levels or ilvl not in levels:
            return ""
        fmt, template, start = levels[ilvl]
        if fmt in ("bullet", "none") or not template:
            return ""
        counts = self.counters.setdefault(num_id, {})
        counts[ilvl] = counts.get(ilvl, start - 1) + 1
        for deeper in [k for k in counts if k > ilvl]:
            del counts[deeper]

        def level_value(m) -> str:
            k = int(m.group(1)) - 1
            k_fmt, _, k_start = levels.get(k, ("decimal", "", 1))
            return _format_number(counts.get(k, k_start), k_fmt)

        return regex.sub(r"%(\d)", level_value, template)
