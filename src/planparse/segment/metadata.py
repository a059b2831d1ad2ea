"""Document metadata the text states: title, 文号, issuer, region, plan period."""

from __future__ import annotations

from functools import lru_cache

import regex

from planparse.rules_loader import load_rules
from planparse.segment.structure import starts_with_numbering

# Metadata lives on the cover and the first lines of the body.
_HEAD_CHARS = 1500
_WS = regex.compile(r"\s+")


@lru_cache(maxsize=1)
def _rules():
    rules = load_rules("metadata")
    compiled = {
        "title_suffix": regex.compile(rules["title_suffix"] + rules["title_trailer"] + r"$"),
        "issued_title": regex.compile(rules["issued_title"]),
        "not_title": [regex.compile(p) for p in rules["not_title_lines"]],
        "doc_number": regex.compile(rules["doc_number"]),
        "date_line": regex.compile(rules["date_line"]),
        "letterhead": regex.compile(rules["letterhead"]),
        "national": regex.compile(rules["national_issuers"]),
        "region": regex.compile(rules["region"]),
        "region_fallback": regex.compile(rules["region_fallback"]),
        "explicit_period": regex.compile(rules["explicit_period"]),
        "period_cue": regex.compile(rules["period_cue"]),
        "single_year": regex.compile(rules["single_year"]),
    }
    return rules, compiled


def find_metadata(text: str) -> dict:
    rules, rx = _rules()
    lines = [line.strip() for line in text.split("\n")]
    head = text[:_HEAD_CHARS]
    title = _title(lines, rules, rx)
    doc_number = _doc_number(lines[:15], rx)
    issuer = _issuer(lines, rx)
    region = _region(title, issuer, text, rx)
    start, end = _plan_period(title, head, rules, rx)
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
        if not line:
            continue  # converters put blank lines inside broken titles too
        # a table row (cells joined by tabs) is never part of a title
        short = len(line) <= limit and "\t" not in line and not line.endswith(("。", "；", "：", ":", "，", ","))
        if short and not starts_with_numbering(line) and not any(p.fullmatch(line) for p in rx["not_title"]):
            # A run is joined afresh per line: bounded so that thousands of short lines stay linear
            # (the longest title run in corpus/ and its wild plans is 18 lines).
            current = current[1 - _MAX_TITLE_RUN_LINES :] + [line]
            joined = "".join(current)
            if rx["title_suffix"].search(joined):
                yield joined
                current = []
        else:
            current = []


def _title(lines: list[str], rules: dict, rx: dict) -> str | None:
    runs = _title_runs(lines, rules, rx)
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
    return inner


def _doc_number(lines: list[str], rx: dict) -> str | None:
    for line in lines:
        match = rx["doc_number"].search(line)
        if match and not line.startswith(("（", "(")) and "《" not in line[: match.start()]:
            return _WS.sub("", match.group())
    return None


def _issuer(lines: list[str], rx: dict) -> str | None:
    for line in lines[:5]:
        match = rx["letterhead"].fullmatch(line)
        if match:
            return match.group("issuer")
    for i, line in enumerate(lines[:40]):
        if rx["date_line"].fullmatch(line) and i > 0:
            before = lines[i - 1]
            if 0 < len(before) <= 20 and not before.endswith(("。", "：")):
                return before
    return None


def _region(title: str | None, issuer: str | None, text: str, rx: dict) -> str | None:
    if issuer and rx["national"].search(issuer):
        return "全国"
    for source in (title, issuer):
        if source:
            match = rx["region"].search(source)
            if match:
                return match.group("region")
    counts: dict[str, int] = {}
    for match in rx["region_fallback"].finditer(text[:20000]):
        counts[match.group("region")] = counts.get(match.group("region"), 0) + 1
    if counts:
        best = max(counts, key=counts.get)
        if counts[best] >= 3:
            return best
    return None


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
