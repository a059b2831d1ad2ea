"""Document metadata the text states: title, 文号, issuer, region, plan period."""

from __future__ import annotations

import itertools
from functools import lru_cache

import regex

from planparse.rules_loader import load_rules
from planparse.segment.structure import starts_with_numbering

# Metadata lives on the cover and the first lines of the body.
_HEAD_CHARS = 1500
_HEAD_LINES = 60
_WS = regex.compile(r"\s+")


@lru_cache(maxsize=1)
def _rules():
    rules = load_rules("metadata")
    compiled = {
        "title_suffix": regex.compile(rules["title_suffix"] + rules["title_trailer"] + r"$"),
        "issued_title": regex.compile(rules["issued_title"]),
        "quoted_title": regex.compile(rules["quoted_title"]),
        # one alternation, fullmatched once per line (a fullmatch of some alternative)
        "not_title": regex.compile("|".join(f"(?:{p})" for p in rules["not_title_lines"]) or r"(?!)"),
        "doc_number": regex.compile(rules["doc_number"]),
        "date_line": regex.compile(rules["date_line"]),
        "letterhead": regex.compile(rules["letterhead"]),
        "national": regex.compile(rules["national_issuers"]),
        "place": regex.compile(rules["place"]),
        "region_title_start": regex.compile(rules["region_title_start"]),
        "issuer_in_title": regex.compile(rules["issuer_in_title"]),
        "seal_marker": regex.compile(rules["seal_marker"]),
        "region_fallback": regex.compile(r"(?<!\p{Han})" + rules["region_fallback"]),
        "explicit_period": regex.compile(rules["explicit_period"]),
        "period_cue": regex.compile(rules["period_cue"]),
        "single_year": regex.compile(rules["single_year"]),
        "period_line": regex.compile(rules["period_line"]),
    }
    return rules, compiled


def find_metadata(text: str) -> dict:
    rules, rx = _rules()
    raw_lines = text.split("\n")
    lines = [line.strip() for line in raw_lines[:_HEAD_LINES]]  # the rest is only walked for a title
    head = text[:_HEAD_CHARS]
    title = _title(raw_lines, lines, rules, rx)
    doc_number = _doc_number(lines[:15], rx)
    issuer = _issuer(lines, title, rules, rx)
    region = _region(title, issuer, text, rules, rx)
    start, end = _plan_period(_with_period_line(title, lines, rx), head, rules, rx)
    return {
        "title": title,
        "doc_number": doc_number,
        "issuer": issuer,
        "region": region,
        "plan_start_year": start,
        "plan_end_year": end,
    }


_MAX_TITLE_RUN_LINES = 20


def _title_runs(lines: list[str], rules: dict, rx: dict):
    """Runs of consecutive short lines (a title broken over lines) that end with a genre word, in
    order; lazily: the title is usually the first, and the rest of a long plan need not be read."""
    current = []
    limit = rules["max_title_line_chars"]
    for line in lines:
        line = line.strip()
        if not line:
            continue  # converters put blank lines inside broken titles too
        if len(line) <= limit and _title_piece(line):
            # A run is joined afresh per line: bounded so that thousands of short lines stay linear
            # (the longest title run in corpus/ and its wild plans is 18 lines).
            current = current[1 - _MAX_TITLE_RUN_LINES :] + [line]
            joined = "".join(current)
            if rx["title_suffix"].search(joined):
                yield joined
                current = []
        else:
            current = []


@lru_cache(maxsize=4096)  # keyed on a short line: table cells (万元, 预期性) and list labels repeat
def _title_piece(line: str) -> bool:
    """Can this short line be part of a title?"""
    # a table row (cells joined by tabs) is never part of a title
    if "\t" in line or line.endswith(("。", "；", "：", ":", "，", ",")):
        return False
    return not starts_with_numbering(line) and not _rules()[1]["not_title"].fullmatch(line)


def _title(raw_lines: list[str], lines: list[str], rules: dict, rx: dict) -> str | None:
    """``raw_lines``: every line of the text; ``lines``: the first ones, stripped."""
    runs = _title_runs(raw_lines, rules, rx)
    first = next(runs, None)
    if first is None:
        return None
    issued = rx["issued_title"].search(first)
    if not issued:
        return first
    inner = _WS.sub("", issued.group("inner"))
    for run in runs:
        if _WS.sub("", run) == inner:
            return run
    heads = {_WS.sub("", line.strip()) for line in raw_lines}
    for line in lines[:40]:
        for quoted in rx["quoted_title"].finditer(line):
            if _WS.sub("", quoted.group("quoted")) in heads:
                return quoted.group("quoted")
    return inner


def _doc_number(lines: list[str], rx: dict) -> str | None:
    for line in lines:
        match = rx["doc_number"].search(line)
        if not match or "《" in line[: match.start()]:
            continue
        # a number in brackets is a reference (依据…（国发〔2019〕5号）), unless it is the whole line:
        # exports put the document's own number there（甬政办笺〔2019〕192号）
        if not line.startswith(("（", "(")) or line[1:-1].strip() == match.group().strip():
            return _WS.sub("", match.group())
    return None


def _issuer(lines: list[str], title: str | None, rules: dict, rx: dict) -> str | None:
    for line in lines[:5]:
        match = rx["letterhead"].fullmatch(line)
        if match:
            return match.group("issuer")
    # "X关于…": the title names its issuer (the cover title, before its inner plan title)
    for run in itertools.islice(_title_runs(lines[:40], rules, rx), 1):
        if match := rx["issuer_in_title"].match(_WS.sub(" ", run)):
            return match.group("issuer")
    for i, line in enumerate(lines[:40]):
        if rx["date_line"].fullmatch(line) and i > 0:
            before = next((b for b in reversed(lines[max(0, i - 3) : i]) if b), "")  # the signature
            before = rx["seal_marker"].sub("", before)
            if before[:1] in "（(" and not regex.search(r"[）)]", before[1:-1]):
                before = before[1:].rstrip("）)")  # the signature in brackets: （江西省发展改革委代章）
            if 0 < len(before) <= 20 and not before.endswith(("。", "：")):
                return before
    return None



def _region(title: str | None, issuer: str | None, text: str, rules: dict, rx: dict) -> str | None:
    if issuer and rx["national"].search(issuer):
        return "全国"
    head = text[:20000]

    def named_after_break(name: str) -> int:
        return len(regex.findall(r"(?<!\p{Han})" + regex.escape(name), head))

    for source in (title, issuer):
        if not source:
            continue
        source = source[rx["region_title_start"].match(source).end() :]
        best = None  # (end, -occurrences, start): the first place, named most often
        for i in range(len(source)):
            match = rx["place"].match(source, i)
            if not match or "关于" in match.group():  # a place never holds 关于: X关于… is X's title
                continue
            n = named_after_break(match.group())
            if n and (best is None or (match.end(), -n, i) < best[:3]):
                best = (match.end(), -n, i, match.group())
        if best:
            return best[3]
    counts: dict[str, int] = {}
    for match in rx["region_fallback"].finditer(head):
        counts[match.group("region")] = counts.get(match.group("region"), 0) + 1
    if counts:
        best = max(counts, key=counts.get)
        if counts[best] >= rules["region_fallback_min"]:
            return best
    return None


def _with_period_line(title: str | None, lines: list[str], rx: dict) -> str | None:
    """The title with the bracketed period written on the line under a title line, if any."""
    above = ""
    for line in lines[:60]:
        if not line:
            continue
        if rx["period_line"].fullmatch(line) and rx["title_suffix"].search(above):
            return (title or "") + line
        above = line
    return title


def _plan_period(title: str | None, head: str, rules: dict, rx: dict) -> tuple[int | None, int | None]:
    """From the title (a range, a 五年规划 name, one year), else a range the body calls the period."""
    title = title or ""
    if match := rx["explicit_period"].search(title):
        return int(match.group("start")), int(match.group("end"))
    for name, (start, end) in rules["plan_periods"].items():
        if name in title:
            return start, end
    for match in rx["explicit_period"].finditer(head):
        if rx["period_cue"].search(head, max(0, match.start() - 12), match.start()):
            return int(match.group("start")), int(match.group("end"))
    if match := rx["single_year"].search(title):
        year = int(match.group("year"))
        return year, year
    return None, None
