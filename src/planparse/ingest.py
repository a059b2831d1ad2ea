"""Ingest: bytes -> one cleaned text per document.

Every offset in the corpus points into the text this module returns, so all cleaning
(noise removal, paragraph rebuilding) happens here, once.
"""

from __future__ import annotations

import html
import re
import statistics
from functools import lru_cache
from typing import Callable

import regex

from planparse.rules_loader import load_rules, opening_test


class IngestError(Exception):
    """A file that cannot be read as a plan text; ``error_type`` names the problem."""

    def __init__(self, error_type: str, message: str):
        super().__init__(message)
        self.error_type = error_type
        self.message = message


_BOMS = (
    (b"\xef\xbb\xbf", "utf-8-sig"),
    (b"\xff\xfe", "utf-16"),
    (b"\xfe\xff", "utf-16"),
)
# Signatures of binary formats people save with a .txt name.
_BINARY_MAGIC = {
    b"%PDF": "a PDF file",
    b"PK\x03\x04": "a ZIP archive (DOCX/XLSX are ZIPs)",
    b"PK\x05\x06": "an empty ZIP archive",
    b"\xd0\xcf\x11\xe0": "an OLE document (old .doc/.xls)",
    b"\x89PNG": "a PNG image",
    b"\xff\xd8\xff": "a JPEG image",
    b"GIF8": "a GIF image",
    b"\x1f\x8b": "a gzip archive",
}
# Valid UTF-8 with a few bad bytes (a truncated copy, one corrupted sector) is still UTF-8: decoded
# with U+FFFD when at most this share of its non-ASCII bytes is invalid. GBK text read as UTF-8
# fails on nearly every non-ASCII byte.
_MAX_BAD_UTF8_SHARE = 0.02
# NUL bytes: stripped with a warning when few; past this share of the bytes the file is binary.
_MAX_NUL_SHARE = 0.25
# A decoding is trusted only if at least this share of its non-ASCII letters are common Chinese
# characters (GB2312 level 1). Real plans score over 99 %; Shift-JIS or Big5 read as GB18030 near 0.
_MIN_COMMON_HAN_SHARE = 0.5
_MIN_LETTERS_JUDGED = 20  # fewer non-ASCII letters than this say nothing about the encoding
_LISTED_RUNS = 10  # runs of bad bytes whose offsets a warning names


def decode_bytes(data: bytes, warnings: list[str] | None = None) -> tuple[str, str]:
    """Decode a plan text, returning (text, encoding name). Raises IngestError on non-text input.

    What decoding had to repair or doubt (replaced bytes, stripped NULs, few Chinese characters)
    is appended to ``warnings`` as document warnings.
    """
    notes: list[str] = [] if warnings is None else warnings
    for magic, what in _BINARY_MAGIC.items():
        if data.startswith(magic):
            raise IngestError("binary", f"this is {what}, not a text file")
    for bom, name in _BOMS:
        if data.startswith(bom):
            try:
                return _checked(data.decode(name).lstrip("\ufeff"), name, notes, guessed=False)
            except UnicodeDecodeError as exc:
                raise IngestError("undecodable", f"starts with a {name} BOM but does not decode: {exc}") from None
    utf16 = _utf16_without_bom(data)
    if utf16:
        return _checked(*utf16, notes, guessed=False)
    text = _utf8_with_few_bad_bytes(data, notes)
    if text is not None:
        return _checked(_strip_nuls(text, len(data), notes), "utf-8", notes, guessed=False)
    if b"\x00" in data[:4096]:
        raise IngestError("binary", "contains NUL bytes: binary data, not a text file")
    try:
        # GB18030 is a superset of GBK and GB2312: the usual encoding of Chinese government files.
        text = data.decode("gb18030")
        share = _common_han_share(text)
        if _looks_like_text(text) and (share is None or share >= _MIN_COMMON_HAN_SHARE):
            return _checked(text, "gb18030", notes, guessed=True)
    except UnicodeDecodeError:
        pass
    from charset_normalizer import from_bytes

    best = from_bytes(data).best()
    if best is None:
        raise IngestError("undecodable", "no candidate encoding decodes these bytes cleanly")
    text = str(best)
    if not _looks_like_text(text):
        raise IngestError("undecodable", f"decodes as {best.encoding} only to unreadable characters")
    return _checked(text.lstrip("\ufeff"), best.encoding, notes, guessed=True)


def _utf16_without_bom(data: bytes) -> tuple[str, str] | None:
    """(text, 'utf-16-le' or 'utf-16-be') when NULs fall mostly on one parity, where ASCII in UTF-16 puts them
    (the other parity gets the few of U+xx00 characters such as 一)."""
    head = data[:8192]
    if len(head) < 16 or len(data) % 2:
        return None
    even, odd = head[0::2].count(0), head[1::2].count(0)
    for name, nuls, other in (("utf-16-le", odd, even), ("utf-16-be", even, odd)):
        if nuls >= 0.05 * len(head) / 2 and other <= 0.2 * nuls:
            try:
                text = data.decode(name)
            except UnicodeDecodeError:
                return None
            return (text, name) if _looks_like_text(text) else None
    return None


def _utf8_with_few_bad_bytes(data: bytes, notes: list[str]) -> str | None:
    """UTF-8 text, bad bytes replaced by U+FFFD and listed in a warning; None when not UTF-8."""
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        pass
    # surrogateescape turns each bad byte into one lone surrogate: one decoding pass, then count.
    text = data.decode("utf-8", errors="surrogateescape")
    non_ascii = len(data.translate(None, bytes(range(128))))
    bad_runs = list(_ESCAPED_BYTES.finditer(text))
    n_bad = sum(len(m.group()) for m in bad_runs)
    if n_bad > _MAX_BAD_UTF8_SHARE * non_ascii:
        return None
    listed, byte_at, char_at = [], 0, 0
    for m in bad_runs[:_LISTED_RUNS]:
        byte_at += len(text[char_at : m.start()].encode("utf-8"))
        listed.append(f"{byte_at}" if len(m.group()) == 1 else f"{byte_at}-{byte_at + len(m.group()) - 1}")
        byte_at, char_at = byte_at + len(m.group()), m.end()
    more = ", …" if len(bad_runs) > _LISTED_RUNS else ""
    notes.append(f"decode: {n_bad} invalid UTF-8 byte(s) replaced by U+FFFD, at byte offset(s) {', '.join(listed)}{more}")
    return _ESCAPED_BYTES.sub(lambda m: "\ufffd" * len(m.group()), text)


_ESCAPED_BYTES = regex.compile("[\udc80-\udcff]+")


def _strip_nuls(text: str, n_bytes: int, notes: list[str]) -> str:
    """Valid UTF-8 may still carry NULs (padding, a bad converter): a few are dropped, many mean binary."""
    nuls = text.count("\x00")
    if not nuls:
        return text
    if nuls > _MAX_NUL_SHARE * n_bytes or not text.replace("\x00", "").strip():
        raise IngestError("binary", f"{nuls:,} of its {n_bytes:,} bytes are NUL: binary data, not a text file")
    notes.append(f"decode: {nuls} NUL character(s) removed")
    return text.replace("\x00", "")


def _checked(text: str, encoding: str, notes: list[str], guessed: bool) -> tuple[str, str]:
    """Refuse a guessed decoding that yields few common Chinese characters; for a certain one
    (a BOM, valid UTF-8) say so in a warning."""
    share = _common_han_share(text)
    if share is not None and share < _MIN_COMMON_HAN_SHARE:
        message = f"read as {encoding}, only {share:.0%} of its non-ASCII letters are common Chinese characters"
        if guessed:
            raise IngestError("undecodable", f"{message} (the likeliest encoding): not a Chinese text, or garbled")
        notes.append(f"decode: {message}: not a Chinese plan, or saved in the wrong encoding")
    elif share is None and len(text.strip()) >= _MIN_LETTERS_JUDGED:
        notes.append("decode: almost no Chinese characters: not a Chinese plan, or saved in the wrong encoding")
    return text, encoding


@lru_cache(maxsize=1)
def _common_han() -> frozenset[str]:
    """GB2312 level 1: the 3,755 most frequent Chinese characters, read off the codec itself."""
    chars = (bytes((hi, lo)).decode("gb2312", errors="ignore") for hi in range(0xB0, 0xD8) for lo in range(0xA1, 0xFF))
    return frozenset(chars) - {""}


@lru_cache(maxsize=1)
def _common_han_runs() -> re.Pattern:
    # The standard library's re, not regex: re tests a class of 3,755 characters with a bitmap,
    # regex by a slower lookup (10x on the whole sample).
    return re.compile("[" + "".join(sorted(_common_han())) + "]+")


_NON_ASCII_LETTERS = regex.compile(r"[^\x00-\x7f\P{L}]++")


def _common_han_share(text: str) -> float | None:
    """Share of common Chinese characters among the non-ASCII letters in the text's first 20k
    characters; None when there are too few such letters to judge."""
    sample = text[:20000]
    # Common characters are non-ASCII letters: count them by cutting out their runs, then the other
    # letters in the little that is left (most of a plan is common characters).
    rest = _common_han_runs().sub("", sample)
    common = len(sample) - len(rest)
    letters = common + sum(map(len, _NON_ASCII_LETTERS.findall(rest)))
    if letters < _MIN_LETTERS_JUDGED:
        return None
    return common / letters


# Control characters other than \t \n \f \r, and the private-use area: what a wrong decoding yields.
_BAD_CHAR = regex.compile(r"[\x00-\x08\x0b\x0e-\x1f\ue000-\uf8ff]")


def _looks_like_text(text: str) -> bool:
    """Mostly CJK, ASCII and punctuation; few control or private-use characters."""
    if not text:
        return True
    sample = text[:20000]
    return len(_BAD_CHAR.findall(sample)) / len(sample) < 0.01


@lru_cache(maxsize=1)
def _noise_patterns() -> dict[str, list[regex.Pattern]]:
    rules = load_rules("noise")
    return {"inline": [regex.compile(p) for p in rules["inline"]]}


# A drop-line pattern ``.*(X).*``: a line holding X anywhere (a group with no group inside).
_ANYWHERE = regex.compile(r"\.\*(\((?:[^()\\\[]|\\.|\[(?:[^\]\\]|\\.)*\])*\))\.\*")


@lru_cache(maxsize=1)
def _drop_line() -> Callable[[str], bool]:
    """Does a short line (indent stripped) match one of the drop_lines patterns in full? Tried once
    per line: one alternation fullmatched (a fullmatch of the alternation is a fullmatch of some
    alternative), skipped when no alternative can open with the line's first character, and the
    ``.*(X).*`` ones searched for X instead (a line holds no newline, so that is the same test;
    backtracking ``.*`` over every position cost most of this stage)."""
    whole, anywhere = [], []
    for p in load_rules("noise")["drop_lines"]:
        m = _ANYWHERE.fullmatch(p)
        (anywhere if m else whole).append(m.group(1) if m else p)
    whole_re = regex.compile("|".join(f"(?:{p})" for p in whole) or r"(?!)")
    anywhere_re = regex.compile("|".join(f"(?:{p})" for p in anywhere) or r"(?!)")
    opens = opening_test(whole_re)
    empty = whole_re.fullmatch("") is not None or anywhere_re.search("") is not None  # an empty line is dropped

    def drops(bare: str) -> bool:
        if not bare:
            return empty
        return opens(bare[0]) and whole_re.fullmatch(bare) is not None or anywhere_re.search(bare) is not None

    return drops


_PARA_END = "。；！？：”’）)」』…"
# In hard-wrapped text a full-width line ending in a closing quote or bracket was still cut there.
_SENTENCE_END = "。；！？："
_INDENT = " \u3000\u00a0\u2002\u2003\u2009"
_TRAILING = _INDENT + "\t"  # cut from every line's end
_PARA_END_CHARS, _SENTENCE_END_CHARS = tuple(_PARA_END), tuple(_SENTENCE_END)  # for str.endswith, built once


def clean_text(raw: str) -> str:
    """Remove converter noise and rebuild paragraphs. Characters inside paragraphs are kept as written."""
    text = raw.replace("\r\n", "\n").replace("\r", "\n").replace("\f", "\n")
    text = text.replace("\ufeff", "").replace("\u200b", "")
    # HTML kept in a text file is read by the HTML reader (readers/html.py); entities left by
    # exporters (&quot;) are decoded in every text.
    text = _entities().sub(lambda m: html.unescape(m.group()), text)
    for pattern in _noise_patterns()["inline"]:
        text = pattern.sub("", text)
    lines, bares = [], []  # each kept line (trailing space cut), and without its indent
    max_dropped = load_rules("noise")["max_dropped_line_chars"]
    drops = _drop_line()
    for line in text.split("\n"):
        line = line.rstrip(_TRAILING)
        bare = line.lstrip(_INDENT)
        if len(bare) <= max_dropped and drops(bare):
            continue
        lines.append(line)
        bares.append(bare)
    text = "\n".join(_rebuild_paragraphs(lines, bares)).strip("\n") + "\n"
    # a 专栏 caption run into the end of the paragraph before it (…确保工程安全。专栏3　重点工程…);
    # most texts have no caption at all, and one search for it is cheaper than the lookbehind's
    caption = _glued_caption()
    return caption.sub("\n", text) if _box_caption_start().search(text) else text


@lru_cache(maxsize=1)
def _entities() -> regex.Pattern:
    return regex.compile(load_rules("noise")["entities"])


@lru_cache(maxsize=1)
def _box_caption_start() -> regex.Pattern:
    return regex.compile(load_rules("tables")["box_caption_start"])


@lru_cache(maxsize=1)
def _glued_caption() -> regex.Pattern:
    start = load_rules("tables")["box_caption_start"]
    return regex.compile(r"(?<=[。；！？])[^\S\n]*(?=" + start + ")")


@lru_cache(maxsize=1)
def _heading_start() -> tuple[regex.Pattern, Callable[[str], bool]]:
    """A line opening with a numbering label (the segmenter's styles) or a block marker: never the
    continuation of the paragraph above. With the test of a line's first character that skips it."""
    rules = load_rules("headings")
    labels = [p.format(cn=rules["numerals"]) for p in rules["styles"].values()]
    pattern = regex.compile(r"\s*(?:" + "|".join(labels + rules["block_openers"]) + ")")
    return pattern, opening_test(pattern)


# A heading line ending in one of these was cut by the converter (a long title wrapped in two).
_TITLE_DANGLING = ("、", "与", "和", "及", "并", "的", "，", "“", "《", "（")


# A PDF table row: four or more short space-separated cells, or four or more cells of any
# length set apart by runs of two or more spaces (prose never has those inside a line).
_TABLE_ROW = regex.compile(
    r"^(?:(?=(?:\S{1,10}\s+){3,}\S)(?:\S+\s+)*\S+|\S+(?: \S+)*(?: {2,}\S+(?: \S+)*){3,})$"
)


def _wrap_width(bares: list[str]) -> int | None:
    """The visual line width of hard-wrapped (PDF) text, or None when lines are paragraphs."""
    lengths = [len(bare) for bare in bares if bare]
    if len(lengths) < 20:
        return None
    mode = statistics.mode(lengths)
    near = sum(1 for n in lengths if abs(n - mode) <= 2)
    if 15 <= mode <= 60 and near / len(lengths) >= 0.4:
        return mode
    return None


def _rebuild_paragraphs(lines: list[str], bares: list[str]) -> list[str]:
    """Join lines a converter broke inside a paragraph; drop the blank lines PDF text puts between them.
    ``bares``: each line without its indent."""
    from planparse.segment.tables import cell_table_lines

    width = _wrap_width(bares)
    cells = cell_table_lines(lines)  # a table written one cell per line: its lines are never joined
    # Each output line as its pieces, joined once at the end: += on a list item copies the whole
    # paragraph each time, quadratic in a long hard-wrapped paragraph.
    out: list[list[str]] = []
    pending_join = False  # the last output line is an unfinished paragraph
    for k, (line, stripped) in enumerate(zip(lines, bares)):
        if line.startswith("\t"):
            out.append([line])
            pending_join = False
            continue
        if not stripped:
            if width is None and not pending_join and not (out and out[-1] == [""]):  # one blank line at most
                out.append([""])
            continue
        row = _is_table_row(stripped)  # asked once: both the join and the cut test read it
        heading = None  # asked only when needed, then shared
        if pending_join and not row and not (heading := _opens_heading(stripped)):
            out[-1].append(stripped)
        else:
            out.append([stripped])
        pending_join = k not in cells and not row and _cut_by_converter(stripped, width, heading)
    return ["".join(pieces) for pieces in out]


def _is_table_row(line: str) -> bool:
    # _TABLE_ROW needs whitespace between cells: a line with none (no space, and every other
    # whitespace character is unprintable) is not tried; most lines are prose without any.
    return (" " in line or not line.isprintable()) and _TABLE_ROW.match(line) is not None


def _opens_heading(line: str) -> bool:
    heading_start, opens = _heading_start()
    return opens(line[:1]) and heading_start.match(line) is not None


def _cut_by_converter(line: str, width: int | None, heading: bool | None = None) -> bool:
    """Does this source line (not a table row) stop mid-paragraph, so that the next line continues
    it? ``heading``: whether it opens with a label, when the caller already asked."""
    if line.endswith(_TITLE_DANGLING) and (heading if heading is not None else _opens_heading(line)):
        return True
    if width is not None:
        # Hard-wrapped text: a visual line that reaches the wrap width was cut there.
        return len(line) >= width - 3 and not line.endswith(_SENTENCE_END_CHARS)
    if line.endswith(_PARA_END_CHARS):
        return False
    # Paragraph-per-line text broken at a page break: only a long line can be a cut paragraph.
    return len(line) >= 40
