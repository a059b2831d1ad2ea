"""Value parser: a table cell or a stated target -> number, comparator and unit.

Comparator and unit words are data in rules/targets.yaml. Full-width ASCII is folded with a
same-length translation, so offsets found in the folded text are offsets in the original.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import lru_cache
from operator import itemgetter
from typing import Callable

import regex

from planparse.rules_loader import alternation, load_rules, opening_test

# Full-width ASCII (！..～) -> half-width, ideographic space -> space: one char for one char.
FOLD = {c: c - 0xFEE0 for c in range(0xFF01, 0xFF5F)}
FOLD[0x3000] = 0x20
_WIDE = regex.compile("[\uFF01-\uFF5E\u3000]")
_MIDDOT = regex.compile(r"[ \t]?·[ \t]?")  # a decimal point written · (older texts)


def fold(s: str) -> str:
    # A text holds a few distinct wide characters (，：（）…), each thousands of times: replacing each
    # everywhere at once is much faster than translating every character or every run. The next
    # search finds the next character not replaced yet.
    at = 0
    while m := _WIDE.search(s, at):
        wide = m.group()
        s = s.replace(wide, wide.translate(FOLD))
        at = m.end()
    return s


@lru_cache(maxsize=4096)
def _cn_number(numeral: str) -> float | None:
    try:
        import cn2an  # imported on first use (start-up)

        return float(cn2an.cn2an(numeral, "smart"))
    except (ValueError, KeyError):
        return None


@dataclass
class ParsedValue:
    value: float | None = None
    comparator: str | None = None
    unit: str | None = None
    warnings: list[str] = field(default_factory=list)


@dataclass(slots=True)  # one per number of a text
class ValueSpan:
    """A number found in folded text: [start, end) the digits, [start, unit_end) digits + unit."""

    start: int
    end: int
    unit_end: int
    value: float
    unit: str | None
    alternatives: int = 0  # extra values written as 97/88.89/83.33


def occurs_at_end(pattern: str) -> regex.Pattern:
    r"""A pattern ending in $, compiled only to tell whether it occurs: searched from the end with
    \n?\Z (what $ means there), the engine tries the end alone instead of every position of a long
    window (with $ even a REVERSE search tries them all)."""
    if not pattern.endswith("$") or pattern.endswith(r"\$"):
        raise ValueError(f"not anchored by $: {pattern!r}")
    return regex.compile(pattern[:-1] + r"\n?\Z", regex.REVERSE)


@lru_cache(maxsize=None)
def _compiled():
    rules = load_rules("targets")
    units = alternation(rules["units"])
    # Chinese digits, ○ (U+25CB) as zero in older texts, and a decimal part after 点 or ·.
    cn = "[零〇○一二两三四五六七八九十百千]+(?:[点·][零〇○一二三四五六七八九]+)?"
    # Arabic number (a decimal point may be written · with spaces in older texts: 12· 3), optionally
    # more values after "/" (not "/10万", which is a unit), or a Chinese numeral directly followed
    # by a unit (a Chinese numeral alone is too ambiguous).
    number = regex.compile(
        rf"(?<![\d.])(?P<year>(?:19|20)\d\d)(?=\s*年)"
        rf"|(?<![\d.·])(?P<num>\d+(?:\.\d+|[ \t]?·[ \t]?\d+)?)(?!\d|\.\d)(?P<alt>(?:/\d+(?:\.\d+)?(?![\d.\s]*万))*)"
        rf"|(?<![零〇○一二两三四五六七八九十百千万第·])(?P<cn>{cn})(?=(?:{units}))"
        rf"|(?P<half>一半)"
    )
    unit = regex.compile(rf"\s*(?P<unit>{rules['measure_units']}|{units})")
    # What a unit starts with (after spaces): most numbers have no unit, and a failed match of the
    # long unit alternation cost ~1.5 us a number.
    unit_opens = opening_test(regex.compile(f"(?:{rules['measure_units']}|{units})"))
    symbols = sorted(rules["symbols"].items(), key=lambda kv: len(kv[0]), reverse=True)
    suffix = [(w, c) for c, ws in rules["suffix_words"].items() for w in ws]
    suffix.sort(key=lambda wc: len(wc[0]), reverse=True)
    prefix = [(w, c) for c, ws in rules["prefix_words"].items() for w in ws]
    prefix.sort(key=lambda wc: len(wc[0]), reverse=True)
    delta = [(w, c) for c, ws in rules["delta_words"].items() for w in ws]
    delta.sort(key=lambda wc: len(wc[0]), reverse=True)
    return {
        "number": number,
        # m.groups() read by position: a lookup by name costs several times more, once per number.
        "number_groups": itemgetter(*(number.groupindex[g] - 1 for g in ("year", "num", "alt", "cn"))),
        "unit": unit,
        "unit_group": unit.groupindex["unit"],
        "unit_opens": unit_opens,
        "symbols": symbols,
        "suffix": regex.compile(rf"^\s*(?:{alternation(w for w, _ in suffix)})"),
        "suffix_map": dict(suffix),
        "prefix": regex.compile(rf"(?:{alternation(w for w, _ in prefix)})(?=[^，,。；;、]{{0,4}}$)"),
        # A prefix match starts at most this far from the end (its word and 4 chars): no need to try earlier.
        "prefix_reach": max(len(w) for w, _ in prefix) + 4,
        "prefix_map": dict(prefix),
        "delta": regex.compile(rf"(?:{alternation(w for w, _ in delta)})\s*(?:每年|年均)?\s*$"),
        "delta_exists": occurs_at_end(rf"(?:{alternation(w for w, _ in delta)})\s*(?:每年|年均)?\s*$"),
        "delta_map": dict(delta),
        "delta_level": regex.compile(rf"(?:{alternation(w for w, _ in delta)})\s*(?:{alternation(rules['level_after_delta'])})"),
        "qualitative": regex.compile(alternation(rules["qualitative_words"])),
        "maintain": regex.compile(alternation(rules["maintain_words"])),
        "empty": {fold(c) for c in rules["empty_cells"]},
        "space": regex.compile(r"\s+"),
    }


def find_values(s: str, start: int = 0, end: int | None = None) -> list[ValueSpan]:
    """Every number in folded text ``s`` (within [start, end)), with the unit written after it."""
    c = _compiled()
    unit_pattern, unit_group, unit_opens, groups = c["unit"], c["unit_group"], c["unit_opens"], c["number_groups"]
    out: list[ValueSpan] = []
    n = len(s)
    unit_end = -1  # of the last value: digits before it are a unit's (/10万)
    for m in c["number"].finditer(s, start, len(s) if end is None else end):
        year, num, alt, cn = groups(m.groups())
        a, b = m.span()
        if year or a < unit_end:
            continue
        alternatives = 0
        if num:
            value = float(_MIDDOT.sub(".", num) if "·" in num else num)  # the check skips a sub per number
            alternatives = alt.count("/") if alt else 0
        elif cn:
            if cn in ("零", "〇"):
                continue  # "跑零次": a slogan; zero targets are words of their own (零增长)
            value = _cn_number(cn.replace("·", "点").replace("○", "〇"))
            if value is None:
                continue
        else:  # 一半 = half of the whole
            out.append(ValueSpan(a, b, b, 50.0, "%"))
            unit_end = b
            continue
        # Most numbers are followed by no space and no unit's first character: one lookup decides.
        # (str.isspace holds for every character regex matches with \s.)
        u = unit_pattern.match(s, b) if b < n and (unit_opens(s[b]) or s[b].isspace() and _unit_may_start(s, b, unit_opens)) else None
        unit_end = u.end() if u else b
        out.append(ValueSpan(a, b, unit_end, value, u.group(unit_group) if u else None, alternatives))
    return out


_SPACES = regex.compile(r"\s*")


def _unit_may_start(s: str, at: int, opens: Callable[[str], bool]) -> bool:
    """Can a unit start at ``at`` after spaces? (Numbers in space-aligned columns are followed by long runs.)"""
    at = _SPACES.match(s, at).end()
    return at < len(s) and opens(s[at])


def comparator_for(pre: str, post: str) -> str:
    """Comparator from the text just before the number and just after its unit (both folded)."""
    c = _compiled()
    tail = pre.rstrip()
    for sym, comp in c["symbols"]:
        if tail.endswith(sym):
            return comp
    if c["delta_exists"].search(tail) and (m := c["delta"].search(tail)) and not c["delta_level"].search(tail[m.start():] + post[:1]):
        word = c["delta"].search(tail).group(0).strip()
        for w, comp in c["delta_map"].items():
            if word.startswith(w):
                return comp
    if m := c["suffix"].match(post):
        return c["suffix_map"][m.group(0).strip()]
    if m := c["prefix"].search(tail, max(0, len(tail) - c["prefix_reach"])):
        return c["prefix_map"][m.group(0)]
    return "="


def word_comparator(word: str) -> str | None:
    """The comparator a verb such as 不低于 / 超过 / 控制在 states, if any."""
    return _compiled()["prefix_map"].get(word.strip())


def parse_value(cell: str | None) -> ParsedValue:
    """Parse a cell such as "＜8", "增长30%", "25左右", "持续提升", "97/88.89/83.33" or "—"."""
    c = _compiled()
    s = c["space"].sub("", fold(cell or ""))
    if s in c["empty"]:
        return ParsedValue()
    values = find_values(s)
    if not values:
        if c["qualitative"].search(s):
            return ParsedValue(comparator="qualitative")
        if c["maintain"].search(s):
            return ParsedValue(comparator="maintain")
        return ParsedValue(warnings=[f"no number in {cell!r}"])
    v = values[0]
    warnings = []
    if v.alternatives:
        warnings.append(f"{v.alternatives + 1} values in {cell!r}; kept the first")
    elif len(values) > 1:
        warnings.append(f"{len(values)} numbers in {cell!r}; kept the first")
    return ParsedValue(
        value=v.value,
        comparator=comparator_for(s[: v.start], s[v.unit_end :]),
        unit=v.unit,
        warnings=warnings,
    )
