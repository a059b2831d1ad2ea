"""The HTML reader (lxml): the page's main content, its tables as table blocks, its metadata table.

It reads every file that is HTML by content: pages, and page bodies saved as text (``markup_tags``
in ``rules/html.yaml``); there is no second HTML path in the text reader.

The body is found by the rules in ``rules/html.yaml`` (gov.cn ``UCAP-CONTENT``, TRS ``TRS_Editor``,
article bodies), else it is the element whose own paragraphs hold the most text. Scripts, styles
and navigation are dropped. ``<p>``, ``<div>`` and other block elements are paragraphs, ``<br>`` a
paragraph break; ``<table>`` is a table block with ``rowspan``/``colspan`` expanded, except a
layout table (one holding another table, or a single cell), whose cells are read as paragraphs.
The "label：value" metadata table gov.cn pages carry (发文机关, 发文字号, 成文日期) fills
``documents`` (issuer, doc_number, issue_date); it lies outside the body and is not part of the text.
"""

from __future__ import annotations

import datetime as dt
from functools import lru_cache

import regex

from planparse.document import PlanDoc
from planparse.ingest import IngestError, decode_bytes
from planparse.readers import reader
from planparse.readers.layout import Builder, cell_text, expand_grid
from planparse.rules_loader import load_rules

_START = regex.compile(
    rb"(?i)^(?:\xef\xbb\xbf)?\s*(?:<\?xml[^>]*>\s*)?(?:<!--.*?-->\s*)*"
    rb"<(?:!doctype\s+html|html|head|body|div|table|meta|p|section|article|span|title|link|script|style|h[1-6])\b",
    regex.DOTALL,
)
_CHARSET = regex.compile(rb"""(?i)<meta[^>]+charset\s*=\s*["']?\s*([\w-]+)""")
_WS = regex.compile(r"[ \t\r\n\f]+")  # HTML white space (not &nbsp; or the full-width space: indents)
_LABEL = regex.compile(r"^\s*([^：:]{1,12}?)\s*[：:]\s*(.*)$", regex.DOTALL)
_DATE = regex.compile(r"(\d{4})\s*[年\-/.]\s*(\d{1,2})\s*[月\-/.]\s*(\d{1,2})")


def _is_html(data: bytes, source_path: str) -> bool:
    if _START.match(data[:4096]):
        return True
    markup, least = _markup()
    return sum(1 for _ in zip(range(least), markup.finditer(data))) >= least


@lru_cache(maxsize=1)
def _markup() -> tuple[regex.Pattern, int]:
    """Tags that make a text file a page body (HTML kept in a .txt), and how many it takes."""
    raw = load_rules("html")
    return regex.compile(raw["markup_tags"].encode("ascii"), regex.IGNORECASE), raw["markup_min_tags"]


@lru_cache(maxsize=1)
def _rules() -> dict:
    raw = load_rules("html")
    return {**raw, "drop_tags": frozenset(raw["drop_tags"]), "block_tags": frozenset(raw["block_tags"])}


@reader("html", suffixes=(".html", ".htm"), sniff=_is_html)
def read_html(data: bytes, source_path: str) -> PlanDoc:
    import lxml.html  # imported on first use (start-up)

    warnings: list[str] = []  # what decoding repaired or doubts (an undeclared encoding): documents.warnings
    text, encoding = _decode(data, warnings)
    text = regex.sub(r"^\s*<\?xml[^>]*>", "", text)  # lxml refuses a str with an encoding declaration
    try:
        root = lxml.html.fromstring(text)
    except Exception as exc:  # noqa: BLE001 - lxml's parser errors vary
        raise IngestError("unreadable_html", f"not a readable HTML page: {type(exc).__name__}: {exc}") from None
    rules = _rules()
    for el in list(root.iter(*rules["drop_tags"])):
        el.drop_tree()
    metadata = _metadata(root, rules)
    body = _main_content(root, rules)
    out = Builder()
    _Walker(out, rules).block(body)
    doc = out.build(encoding, "html", metadata)
    doc.warnings = warnings
    return doc


def _decode(data: bytes, warnings: list[str]) -> tuple[str, str]:
    declared = _CHARSET.search(data[:4096])
    if declared:
        name = declared.group(1).decode("ascii").lower()
        name = "gb18030" if name in ("gb2312", "gbk") else name  # the supersets: pages mislabel them
        try:
            return data.decode(name).lstrip("\ufeff"), name
        except (LookupError, UnicodeDecodeError):
            pass
    return decode_bytes(data, warnings=warnings)


def _text_len(el) -> int:
    return len(_WS.sub("", el.text_content()))


def _main_content(root, rules):
    for xpath in rules["main_content"]:
        found = [el for el in root.xpath(xpath) if _text_len(el) >= rules["min_content_chars"]]
        if found:
            return max(found, key=_text_len)
    best, best_len = None, 0
    for el in root.iter():
        if not isinstance(el.tag, str):
            continue
        n = sum(_text_len(p) for p in el.iterchildren("p"))
        if n > best_len:
            best, best_len = el, n
    if best is None:
        bodies = root.xpath("//body")
        return bodies[0] if bodies else root
    return best


def _metadata(root, rules) -> dict:
    """"label：value" pairs: the value in the same cell, or in the next cell of the row."""
    found: dict = {}
    for el in root.iter("td", "th", "li", "span", "p", "div", "dt", "strong", "b", "label"):
        if len(el) > 3:
            continue  # a container, not a field (and its text is not gathered: pages can be large)
        labelled = _labelled(el.text_content(), rules)
        if labelled is None or labelled[0] in found:
            continue
        field, value = labelled
        if not value:
            cell = el if el.tag in ("td", "th", "dt") else next((a for a in el.iterancestors("td", "th", "dt")), None)
            nxt = cell.getnext() if cell is not None else None
            value = _WS.sub(" ", nxt.text_content()).strip() if nxt is not None else ""
        if value:
            found[field] = _date(value) if field == "issue_date" else value
    return {k: v for k, v in found.items() if v is not None}


def _labelled(text: str, rules: dict) -> tuple[str, str] | None:
    """(documents field, value as written) of a "发文机关：…" field, or None for other text."""
    m = _LABEL.match(text)
    if not m:
        return None
    field = rules["metadata_labels"].get(_WS.sub("", m.group(1)).replace("\u3000", ""))
    return (field, _WS.sub(" ", m.group(2)).strip()) if field else None


# A print puts two fields on a line ("发文机关：X  成文日期：Y"): a short label and a colon start the next.
_NEXT_FIELD = regex.compile(r"\s+(?=\p{Han}(?:\s?\p{Han}){1,5}\s*[：:])")


def metadata_lines(lines) -> dict:
    """The gov.cn metadata table as a browser print or a copied page writes it, one
    "发文机关：…" field a line (the page's first lines): documents fields, as for a web page."""
    found: dict = {}
    for piece in (p for line in lines for p in _NEXT_FIELD.split(line)):
        labelled = _labelled(piece, _rules())
        if labelled and labelled[1] and labelled[0] not in found:
            field, value = labelled
            found[field] = _date(value) if field == "issue_date" else value
    return {k: v for k, v in found.items() if v is not None}


def _date(value: str) -> dt.date | None:
    m = _DATE.search(value)
    try:
        return dt.date(int(m.group(1)), int(m.group(2)), int(m.group(3))) if m else None
    except ValueError:
        return None


class _Walker:
    """Renders an element tree as paragraphs and tables into a Builder."""

    def __init__(self, out: Builder, rules: dict):
        self.out = out
        self.rules = rules
        self.current: list[str] = []
        self.heading: int | None = None

    def _flush(self) -> None:
        text = "".join(self.current)
        lines = [_WS.sub(" ", line).strip(" ") for line in text.split("\n")]
        if any(lines):
            self.out.paragraph("\n".join(line for line in lines if line), heading_level=self.heading)
        self.current = []
        self.heading = None

    def block(self, el) -> None:
        self._children(el)
        self._flush()

    def _children(self, el) -> None:
        if el.text:
            self.current.append(el.text)
        for child in el:
            if isinstance(child.tag, str):
                self._element(child)
            if child.tail:
                self.current.append(child.tail)

    def _element(self, el) -> None:
        tag = el.tag.lower()
        if tag == "br":
            self.current.append("\n")
        elif tag == "table":
            self._flush()
            if _is_layout(el):
                for cell in _cells(el):
                    self.block(cell)
            else:
                self.out.table(expand_grid(self._grid(el)), ref=el.getroottree().getpath(el))
        elif tag in self.rules["block_tags"]:
            self._flush()
            if regex.fullmatch(r"h[1-6]", tag):
                self.heading = int(tag[1])
            self._children(el)
            self._flush()
        else:
            self._children(el)

    def _grid(self, table) -> list[list[tuple[str, int, int]]]:
        rows = []
        for tr in _rows(table):
            row = []
            for cell in tr.xpath("./td | ./th"):
                row.append((cell_text(_paragraphs(cell)), _span(cell, "rowspan"), _span(cell, "colspan")))
            rows.append(row)
        return rows


def _rows(table):
    return table.xpath("./tr | ./thead/tr | ./tbody/tr | ./tfoot/tr")


def _cells(table):
    return [cell for tr in _rows(table) for cell in tr.xpath("./td | ./th")]


def _is_layout(table) -> bool:
    """A table used for page layout: it holds another table, or it is a single cell (a frame)."""
    return bool(table.xpath(".//table")) or len(_cells(table)) <= 1


def _span(cell, name: str) -> int:
    m = regex.match(r"\s*(\d{1,6})", cell.get(name) or "")
    return max(1, int(m.group(1))) if m else 1  # expand_grid clamps it


def _paragraphs(cell) -> list[str]:
    """A cell's text split at its <br> and block elements."""
    parts: list[str] = [""]

    def walk(el):
        if el.text:
            parts[-1] += el.text
        for child in el:
            if isinstance(child.tag, str):
                tag = child.tag.lower()
                if tag == "br" or tag in _rules()["block_tags"]:
                    parts.append("")
                walk(child)
                if tag in _rules()["block_tags"]:
                    parts.append("")
            if child.tail:
                parts[-1] += child.tail

    walk(cell)
    return parts
