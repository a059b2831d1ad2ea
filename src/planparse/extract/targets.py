"""Targets: one per indicator-table row, plus quantitative future targets stated in running text.

Column roles, unit and comparator words, past-tense cues and indicator trimming are rules data
(rules/targets.yaml); this module only applies them.
"""

from __future__ import annotations

import bisect
import math
from functools import lru_cache
from typing import Sequence

import regex

from planparse.extract.common import QUOTE_MAX_CHARS, _reversed, cap_span, measure_id_at
from planparse.extract.values import comparator_for, find_values, fold, occurs_at_end, parse_value, word_comparator
from planparse.models import Measure, Section, Table, Target
from planparse.numerals import cn_int
from planparse.rules_loader import alternation, load_rules
from planparse.sparse_scan import SparsePattern
from planparse.spans import SpanIndex, span_set

# Column roles in the order they are tried on a header cell: specific words before bare years.
_ROLE_ORDER = ("seq", "note", "nature", "unit", "review_target", "baseline", "domain", "name", "target", "year")


@lru_cache(maxsize=None)
def _table_rules():
    rules = load_rules("targets")
    units = alternation(rules["units"])
    return {
        "columns": [(role, [regex.compile(p) for p in rules["table_columns"][role]]) for role in _ROLE_ORDER],
        "label": regex.compile(rules["cell_label"]),
        "markers": regex.compile(rules["cell_markers"]),
        "name_unit": regex.compile(rules["name_unit"].replace("{units}", units)),
        "year": regex.compile(r"((?:19|20)\d\d)\s*年"),
        # A column name may be a bare year ("2023"); a cell's year needs its 年.
        "year_column": regex.compile(r"((?:19|20)\d\d)(?:\s*年|$)"),
        # Line breaks and spaces inside a cell come from wrapping, except between Latin words.
        "wrap": regex.compile(r"(?<![A-Za-z])\s+|\s+(?![A-Za-z])"),
        "empty": {fold(c) for c in rules["empty_cells"]},
        "glued_serial": regex.compile(rules["glued_row"]["serial"]),
        "glued_body": regex.compile(
            rules["glued_row"]["body"].replace("{value}", rules["glued_row"]["value"]).replace("{units}", units).replace("{natures}", alternation(rules["glued_row"]["natures"]))
        ),
        "glued_value": regex.compile(rules["glued_row"]["value"]),
        "max_growth": float(rules["glued_row"]["max_growth"]),
        "plan_period": regex.compile(rules["plan_period"]),
        "caption_nature": [(nature, regex.compile(p)) for nature, p in rules["caption_nature"].items()],
        "measure_kinds": rules["measure_kinds"],
    }


def _period_year(*texts: str | None) -> int | None:
    """The last year of the first five-year-plan period named in ``texts`` (十四五 -> 2025)."""
    for t in texts:
        if t and (m := _table_rules()["plan_period"].search(t)):
            return 2005 + 5 * cn_int(m.group("n"))
    return None


_NUMBER = regex.compile(r"(?:0|[1-9]\d*)(?:\.\d*[1-9])?")
_VALUE_ROLES = ("baseline", "target", "review_target", "actual", "year")


def _split_run(run: str) -> tuple[list[str], bool]:
    """Two value cells whose digits ran together ("10582400" -> 1058, 2400); see rules glued_row.

    Returns the cells and whether the split was a choice among several readings."""
    r = _table_rules()
    splits = []
    for k in range(1, len(run)):
        a, b = run[:k], run[k:]
        if _NUMBER.fullmatch(a) and _NUMBER.fullmatch(b):
            splits.append((a, b))
    if not splits:
        return [run], False

    def rank(ab):
        x, y = float(ab[0]), float(ab[1])
        plausible = y >= x and (x == 0 or y <= r["max_growth"] * x)
        decimals = len(ab[0].partition(".")[2])
        closeness = abs(math.log((y + 1e-9) / (x + 1e-9)))
        return (not plausible, decimals, closeness)

    return list(min(splits, key=rank)), len(splits) > 1


def _split_glued_row(text: str, roles: list[str | None]) -> tuple[dict[str, list[str]], list[str]] | None:
    """Cells by role of an indicator row written with no cell separators, or None if it does not
    read as [domain][serial.] name [unit] values [nature] (rules glued_row)."""
    r = _table_rules()
    s = _squash(text)
    domain = ""
    rest = s
    if (m := r["glued_serial"].match(s)) and (b := r["glued_body"].match(s[m.end() :])):
        domain, body = m.group("domain"), b
    elif b := r["glued_body"].match(s):
        body = b
    else:
        return None
    name, unit = body.group("name"), body.group("bunit") or body.group("unit")
    if body.group("unit") and "unit" not in roles:
        name, unit = name + body.group("unit"), None  # no unit column: the word belongs to the name
    n_values = sum(1 for role in roles if role in _VALUE_ROLES)
    values = r["glued_value"].findall(body.group("nums"))
    warnings = []
    if len(values) < n_values and len(values) == 1 and n_values == 2 and values[0][:1].isdigit():
        values, ambiguous = _split_run(values[0])
        if ambiguous:
            warnings.append(f"values run together '{body.group('nums')}' read as {' / '.join(values)}")
    if len(values) != n_values:
        return None
    cells: dict[str, list[str]] = {"name": [name]}
    if domain:
        cells["domain"] = [domain]
    if unit:
        cells["unit"] = [unit]
    if body.group("nature"):
        cells["nature"] = [body.group("nature")]
    value_roles = [role for role in roles if role in _VALUE_ROLES]
    for role, value in zip(value_roles, values):
        cells.setdefault(role, []).append(value)
    return cells, warnings


def _squash(cell: str | None) -> str:
    return _table_rules()["wrap"].sub("", cell or "")


def _header_roles(header: list[str]) -> list[str | None]:
    """The role of each header cell; bare year columns resolved against the other columns."""
    r = _table_rules()
    roles: list[str | None] = []
    for cell in header:
        h = _squash(cell)
        roles.append(next((role for role, pats in r["columns"] if any(p.search(h) for p in pats)), None))
    years = [i for i, role in enumerate(roles) if role == "year"]
    if "review_target" in roles:
        # A review of a past plan: 指标值 is the old target, the year column what was achieved.
        for i in years:
            roles[i] = "actual"
    elif "target" in roles:
        for i in years:
            roles[i] = "baseline"
    elif years:
        roles[years[-1]] = "target"
        for i in years[:-1]:
            roles[i] = "baseline"
    return roles


def _row_quote(text: str, start: int, end: int, name_cell: str, target_cell: str) -> tuple[int, int]:
    """A table target's quote: its row, cut to QUOTE_MAX_CHARS (a row with a long 评价标准 cell)
    around its cells from the indicator name to the target when longer."""
    if end - start <= QUOTE_MAX_CHARS:
        return start, end
    name_cell, target_cell = name_cell.strip(), target_cell.strip()
    at = text.find(name_cell, start, end) if name_cell else -1
    at = start if at < 0 else at
    to = text.find(target_cell, at, end) if target_cell else -1
    to = to + len(target_cell) if to >= 0 else at + len(name_cell)
    return cap_span(start, end, at, to)


def _clean_label(cell: str) -> str:
    r = _table_rules()
    return r["markers"].sub("", r["label"].sub("", _squash(cell)))


def _year_of(header: list[str], roles: list[str | None], role: str) -> int | None:
    for cell, rl in zip(header, roles):
        if rl == role and (m := _table_rules()["year_column"].search(_squash(cell))):
            return int(m.group(1))
    return None


def _cell_text(cell: str | None) -> str | None:
    s = _squash(cell)
    return None if fold(s) in _table_rules()["empty"] else s


def targets_from_tables(
    tables: Sequence[Table],
    row_spans: dict[str, list[tuple[int, int]]],
    text: str,
    doc_id: str,
    measures: Sequence[Measure] = (),
) -> list[Target]:
    """One Target (source="table") per data row of every indicator table."""
    r = _table_rules()
    measure_index = SpanIndex(measures)
    out: list[Target] = []
    for table in tables:
        if table.kind != "indicator" or not table.header:
            continue
        header = table.header
        roles = _header_roles(header)
        if "name" not in roles and "domain" in roles:
            # No indicator-name column (序号 项目类别 单位 规划目标 …): the innermost category names the row.
            last = max(i for i, role in enumerate(roles) if role == "domain")
            roles[last] = "name"
        if "name" not in roles:
            continue
        target_role = "review_target" if "review_target" in roles else "target"
        baseline_year = _year_of(header, roles, "baseline")
        target_year = _year_of(header, roles, "actual" if target_role == "review_target" else target_role)
        if target_year is None:
            target_year = _period_year(*(h for h, rl in zip(header, roles) if rl == target_role), table.caption)
        caption_nature = next((n for n, p in r["caption_nature"] if p.search(table.caption or "")), None)
        spans = row_spans.get(table.table_id, [])
        previous: list[str] = [""] * len(header)
        glued_domain = ""
        for i, row in enumerate(table.rows):
            # Rows shorter than the header lack their leading merged cells: carry them down.
            cells = list(row[: len(header)])
            if len(cells) < len(header):
                cells = previous[: len(header) - len(cells)] + cells
            previous = cells
            by_role: dict[str, list[str]] = {}
            for role, cell in zip(roles, cells):
                if role:
                    by_role.setdefault(role, []).append(cell)
            row_warnings: list[str] = []
            if len(header) > 2 and row and _squash(row[0]) and not any(_squash(c) for c in row[1:]):
                # The whole row in its first cell: a table flattened with no cell separators.
                if (glued := _split_glued_row(row[0], roles)) is not None:
                    by_role, row_warnings = glued
                    if "domain" in roles:  # a merged domain cell: carried down from the row that names it
                        domain = by_role.get("domain", [glued_domain])[0]
                        by_role["domain"], glued_domain = [domain], domain
            name = _clean_label(by_role["name"][0])
            if not name:
                continue
            unit = _cell_text(by_role["unit"][0]) if "unit" in by_role else None
            if "unit" not in by_role and (m := r["name_unit"].search(name)):
                unit, name = m.group("unit"), name[: m.start()]
            domains = [d for d in (_clean_label(c) for c in by_role.get("domain", [])) if d]
            baseline_text = _cell_text(by_role["baseline"][0]) if "baseline" in by_role else None
            target_text = _cell_text(by_role[target_role][0]) if target_role in by_role else None
            base = parse_value(baseline_text)
            goal = parse_value(target_text)
            warnings = row_warnings + [f"baseline: {w}" for w in base.warnings] + [f"target: {w}" for w in goal.warnings]
            if "actual" in by_role and (actual := _cell_text(by_role["actual"][0])):
                warnings.append(f"actual: {actual}")
            if i < len(spans):
                start, end = spans[i]
            else:  # no row span: ground on the table, cut around the indicator
                start, end = table.char_start, table.char_end
                warnings.append("row span missing; quote is the table around the indicator")
            start, end = _row_quote(text, start, end, by_role["name"][0], by_role[target_role][0] if target_role in by_role else "")
            out.append(
                Target(
                    doc_id=doc_id,
                    target_id=f"{table.table_id}-r{i:03d}",
                    source="table",
                    table_id=table.table_id,
                    section_id=table.section_id,
                    measure_id=measure_id_at(measure_index, start),
                    domain="/".join(domains) or None,
                    indicator=name,
                    unit=unit,
                    baseline_text=baseline_text,
                    baseline_value=base.value,
                    baseline_year=baseline_year,
                    target_text=target_text,
                    target_value=goal.value,
                    comparator=goal.comparator,
                    # no year for the column: the first year the cell itself names ("2023年达到80%")
                    target_year=target_year or _first_year(target_text),
                    **_nature_fields(_cell_text(by_role["nature"][0]) if "nature" in by_role else caption_nature),
                    quote=text[start:end],
                    char_start=start,
                    char_end=end,
                    warnings=warnings,
                )
            )
    return out


def _first_year(cell: str | None) -> int | None:
    m = _table_rules()["year"].search(cell or "")
    return int(m.group(1)) if m else None


def _nature_fields(cell: str | None) -> dict:
    """A 指标性质 cell split into ``nature`` (预期性/约束性) and ``measure_kind`` (定量/定性): plans
    use the one column for either, or both ("定量/约束性")."""
    kinds = _table_rules()["measure_kinds"]
    kind = next((k for k in kinds if cell and k in cell), None)
    rest = cell.replace(kind, "") if kind else cell
    rest = rest.strip(" /、，,;；（）()") if rest else rest
    return {"nature": rest or None, "measure_kind": kind}


# ---------------------------------------------------------------- running text


@lru_cache(maxsize=None)
def _text_rules():
    # Patterns applied with .match(s, pos) must not start with ^ (it does not match at pos).
    rules = load_rules("targets")
    t = rules["text"]
    rate_units = {"%", "‰", "个百分点", "百分点", "1/10万", "/10万", "/万"}
    return {
        "level": regex.compile(alternation(t["level_verbs"])),
        "near": regex.compile(rf"(?:{alternation(t['near_verbs'])})\s*$"),
        "near_exists": occurs_at_end(rf"(?:{alternation(t['near_verbs'])})\s*$"),
        "count": regex.compile(alternation(t["count_verbs"])),
        "count_verb_only": regex.compile(f"(?:{alternation(t['count_verbs'])})"),
        "per_unit": regex.compile(t["per_unit"]),
        "post_verb": regex.compile(rf"\s*(?:以上|左右)?\s*(?:全部)?\s*(?:{alternation(t['post_verbs'])})"),
        "share": regex.compile(
            rf"\s*(?:以上|左右)?\s*的?\s*(?P<noun>[^，,。；;：:]{{2,40}}?)\s*(?:{alternation(t['post_verbs'] + t['level_verbs'])})"
        ),
        "vague": regex.compile(t["vague"]),
        "unit_reject_after": {u: regex.compile(p) for u, p in t["unit_reject_after"].items()},
        "unit_need_before": {u: regex.compile(p) for u, p in t["unit_need_before"].items()},
        "count_units": {u for u in rules["units"] if u not in rate_units},
        "measure_unit": regex.compile(rules["measure_units"]),
        "skip_units": set(t["units_not_in_text"]),
        "level_only_units": set(t["level_only_units"]),
        # …a magnitude of a measure word the units do not know (五九五亿斤, 一六·五万张) is none.
        "magnitude_of": regex.compile(r"\p{Han}"),
        "bound_units": set(t["bounded_durations"]["units"]),
        "bound_before": regex.compile(rf"(?:{t['bounded_durations']['before']})\s*$"),
        # A past cue or a subsidy: either rules out the sentence, so one search asks both.
        "past_or_subsidy": regex.compile(
            f"(?:{alternation(fold(w) for w in t['past_cues_sentence'])})|(?:{t['subsidy_sentence']})"
        ),
        "past_clause": regex.compile(alternation(fold(w) for w in t["past_cues_clause"])),
        "past_unless_goal": regex.compile(alternation(fold(w) for w in t["past_cues_unless_goal"])),
        "goal_cue": regex.compile(t["goal_cue"]),
        "goal_period": regex.compile(t["goal_period"].replace("{period}", rules["plan_period"])),
        "not_target": regex.compile(t["not_target_clause"]),
        "not_target_lead": regex.compile(t["not_target_lead"]),
        "exceed": regex.compile(t["exceed"]),
        "exceed_exists": occurs_at_end(t["exceed"]),  # asked first: see reject_before
        "exceed_bare": regex.compile(r"超\s*$"),
        "target_tables": set(t["target_table_kinds"]),
        # A horizon counted from the plan's start ("3年内培育50家…") is a relative deadline's span.
        "horizon": SparsePattern(_span_pattern()),  # searched only around 年
        "trim": regex.compile(t["trim_prefix"]),
        "trim_end": regex.compile(t["trim_suffix"]),
        "trim_end_exists": occurs_at_end(t["trim_suffix"]),
        # Years in a name, with 较/比 of a comparison base ("…水平较2020年提高5个百分点").
        # …and a month deadline written after a target ("满意度达到99% 5月20日前").
        "years_in_name": regex.compile(
            r"(?:到|至|在|于|较|比)?(?:(?:19|20)\d\d|[一二][〇零一二三四五六七八九]{3})\s*年(?:年?底|末)?(?:前|以前)?"
            r"|\s*(?<!\d)\d{1,2}\s*月(?:\s*\d{1,2}\s*日)?(?:底|末)?(?:前|以前)"
        ),
        "past_title": regex.compile(t["past_section_titles"]),
        "task_title": regex.compile(t["task_section_titles"]),
        "goal_title": regex.compile(t["goal_section_titles"]),
        "future_year": SparsePattern(regex.compile(t["future_year_cue"])),  # searched only around 年
        "bare_year": regex.compile(t["bare_year"]),
        "zero": regex.compile(alternation(t["zero_phrases"])),
        "zero_scan": SparsePattern(regex.compile(alternation(t["zero_phrases"]))),  # the whole text: only around 零
        "unitless": occurs_at_end(t["unitless_level"]),  # only asked whether it occurs
        "share_verb": regex.compile(rf"(?:{alternation(t['share_verbs'])})\s*$"),
        "share_object": regex.compile(r"\s*(?:以上|左右)?\s*的?\s*(?P<noun>[^，,。；;：:\s][^，,。；;：:]{1,39})"),
        "elided": regex.compile(
            rf"[，,、；;\s]*(?P<clause>)(?:{t['elided_lead']})?\s*(?P<verb>{alternation(t['level_verbs'] + t['near_verbs'])})\s*"
        ),
        "zero_map": dict(t["zero_phrases"]),
        "lead_year": regex.compile(r"\s*((?:19|20)\d\d)\s*年"),
        # Anchored at the end and only asked whether they occur: searched from the end (REVERSE),
        # a long window is not tried position by position.
        "reject_before": regex.compile(t["reject_before"], regex.REVERSE),
        "reject_after": regex.compile(t["reject_after"]),
        "range": regex.compile(t["range_dash"]),
        "indicator_tail": occurs_at_end(t["indicator_tail"]),
        "max_gap": int(t["max_gap"]),
        "max_count_gap": int(t["max_count_gap"]),
        # A bare magnitude inside a noun does not end it ("2家产值50亿以上…领军企业").
        "count_end": regex.compile(t["count_noun_end"].replace(
            "{units}", alternation(u for u in rules["units"] if u not in t["level_only_units"]))),
        "stop": regex.compile(r"[。；;！？!?]|\n"),
        "clause_stop": regex.compile(r"[，,：:]"),
        "gap_stop": regex.compile(r"[，,。；;：:“”]"),
        "line_end_punct": occurs_at_end(r"[。；;！？!?：:，,、”）)]\s*$"),
        "line_start_label": regex.compile(
            r"^\s*(?:$|\t|第[一二三四五六七八九十\d]+[章节]|[一二三四五六七八九十]+、|[（(][一二三四五六七八九十\d]+[)）]|\d+[.．、]|专栏|——|—)"
        ),
        "connector": regex.compile(r"\s*(?:、|和|及|与|以及|，|,)\s*"),
        "connector_only": regex.compile(r"\s*(?:、|和|及|与|以及|，|,)?\s*$"),
        "suffix": regex.compile(r"\s*(?:及以上|及以下|以上|以下|左右|以内)"),
        "split_names": regex.compile(r"和|及|与"),
        "respectively": {
            "word": t["respectively"]["word"],
            "verb_max_chars": int(t["respectively"]["verb_max_chars"]),
            "value_separator": regex.compile(t["respectively"]["value_separator"]),
            "subject_separators": [regex.compile(p) for p in t["respectively"]["subject_separators"]],
            "modifier_max_chars": int(t["respectively"]["modifier_max_chars"]),
        },
        "rate_units": rate_units,
        # A share followed by 的 + what it counts: "85%的乡镇卫生院", "80%以上的村卫生室".
        "share_of": regex.compile(r"\s*(?:以上|左右)?\s*的"),
        # The verbs that close a "share" match: where none starts after a value, "share" cannot match.
        "share_closing": regex.compile(alternation(t["post_verbs"] + t["level_verbs"])),
    }


def _span_pattern() -> regex.Pattern:
    """The relative-deadline span of rules/deadlines.yaml (利用3-5年时间, 5年内), groups n and n2."""
    r = load_rules("deadlines")["relative"]
    count = r["count"]
    return regex.compile(r["span"].replace("{n}", f"(?P<n>{count})").replace("{n2}", f"(?P<n2>{count})"))


def _headings(sections: Sequence[Section]):
    """Section starts and (past, goal) flags; a section inherits both from the sections above it."""
    t = _text_rules()
    inherited: dict[str, tuple[bool, bool]] = {}
    starts, flags = [], []
    for section in sections:  # in text order, parents before children
        parent_past, parent_goal = inherited.get(section.parent_id, (False, False))
        past = parent_past or (bool(t["past_title"].search(section.title)) and not t["task_title"].match(section.title))
        goal = parent_goal or bool(t["goal_title"].search(section.title))
        inherited[section.section_id] = (past, goal)
        starts.append(section.char_start)
        flags.append((past, goal))
    return starts, flags


class _Sentences:
    """The sentences of folded text that hold given positions, found around those positions: a stop
    ([。；;！？!?] or a line break) ends a sentence, except a line break that only wraps a long line
    (PDF text). Few sentences hold anything a target is read from: splitting the whole text into
    sentences cost more than reading the targets of the others."""

    def __init__(self, folded: str):
        t = _text_rules()
        self.folded = folded
        self.stop, self.stop_back = t["stop"], _reversed(t["stop"])
        self.line_end_punct, self.line_start_label = t["line_end_punct"], t["line_start_label"]

    def ends_sentence(self, a: int) -> bool:
        """Does the stop at ``a`` end its sentence (not a line break that wraps a long line)?"""
        folded = self.folded
        if folded[a] != "\n":
            return True
        # Each test only when the one before passed: most lines are paragraphs ending in 。
        line_start = folded.rfind("\n", 0, a) + 1
        if (a - line_start >= 15 and len(folded[line_start:a].strip()) >= 15
                and not self.line_end_punct.search(folded, line_start, a)):
            nxt_end = folded.find("\n", a + 1)
            return bool(self.line_start_label.match(folded[a + 1 : nxt_end if nxt_end >= 0 else len(folded)]))
        return True

    def around(self, positions):
        """(start, end, paragraph start) of each sentence holding one of ``positions`` (ascending),
        once each, in text order. The paragraph starts after the last line break ending a sentence."""
        folded, n = self.folded, len(self.folded)
        end = -1  # the previous sentence's end: a stop, or the text's end
        para, para_seen = 0, 0  # line breaks before para_seen are looked at
        for p in positions:
            if p <= end:
                continue  # in the sentence before (or on its stop, which no sentence holds)
            # Back to the stop before p (not before the previous sentence's), then on to the one after.
            m = self.stop_back.search(folded, end + 1, p)
            while m and not self.ends_sentence(m.start()):
                m = self.stop_back.search(folded, end + 1, m.start())
            start = m.end() if m else end + 1
            m = self.stop.search(folded, p)
            while m and not self.ends_sentence(m.start()):
                m = self.stop.search(folded, m.end())
            end = m.start() if m else n
            q = start
            while (q := folded.rfind("\n", para_seen, q)) >= 0:
                if self.ends_sentence(q):
                    para = q + 1
                    break
            para_seen = start
            yield start, end, para


class _Starts:
    """Where a pattern's matches start in the whole text (overlapping ones too), asked per value by
    bisection before the caller searches the window itself: values can stand a few characters apart,
    and a search of the window around each was the cost. The index is built only once the windows
    asked about add up to the text's length: before, the caller's own search is cheaper. For literal
    alternations and one-char classes (no anchors, no lookaround), whose matches inside a window are
    matches in the whole text."""

    def __init__(self, pattern: regex.Pattern, folded: str):
        self.pattern, self.folded, self.starts = pattern, folded, None
        self.budget = len(folded)  # window characters asked about before the index pays

    def may_start_in(self, lo: int, hi: int) -> bool:
        """False when no match starts in [lo, hi) (so none lies inside the window); True when one
        does, or may (the index not built yet)."""
        if self.starts is None:
            self.budget -= hi - lo
            if self.budget > 0:
                return True
            self.starts = [m.start() for m in self.pattern.finditer(self.folded, overlapped=True)]
        i = bisect.bisect_left(self.starts, lo)
        return i < len(self.starts) and self.starts[i] < hi


def _last_match(pattern: regex.Pattern, s: str, lo: int, hi: int, max_gap: int, stop: regex.Pattern):
    """The last match of ``pattern`` in s[lo:hi] ending within ``max_gap`` chars of hi, with no stop char after it."""
    best = None
    for m in pattern.finditer(s, max(lo, hi - max_gap - 8), hi):
        if hi - m.end() <= max_gap and not stop.search(s, m.end(), hi):
            best = m
    return best


def _clean_name(text: str, folded: str, start: int, end: int) -> tuple[str, int]:
    """Indicator text for text[start:end] without years and leading filler; also where it starts.
    (``folded``: fold(text), whose [start:end] is the name's folded text.)"""
    t = _text_rules()
    s = text[start:end]
    lead = t["trim"].match(folded[start:end])
    cut = lead.end() if lead else 0
    name = s[cut:]
    if "年" in name or "月" in name:  # every years_in_name match has one; the sub tries each position
        name = t["years_in_name"].sub("", name)
    name = _squash(name).strip("，,、的 ")
    if t["trim_end_exists"].search(name):  # rare: the sub alone tries every position of a long name
        name = t["trim_end"].sub("", name)
    return name, start + cut


def targets_from_text(
    text: str,
    doc_id: str,
    measures: Sequence[Measure] = (),
    tables: Sequence[Table] = (),
    plan_start_year: int | None = None,
    plan_end_year: int | None = None,
    sections: Sequence[Section] = (),
) -> list[Target]:
    """Quantitative future targets stated in running text and 专栏 boxes (source="text").

    ``sections`` (the segmenter's headings) tell which parts review the past and which state goals.
    """
    t = _text_rules()
    folded = fold(text)
    skip = span_set([(tb.char_start, tb.char_end) for tb in tables if tb.kind not in t["target_tables"]])
    head_starts, head_flags = _headings(sections)
    measure_index = SpanIndex(measures)
    out: list[Target] = []
    all_values = find_values(folded)
    starts = {key: _Starts(t[key], folded) for key in ("past_clause", "share_closing", "not_target")}
    value_starts = [v.start for v in all_values]
    years = (
        _Years(t["future_year"], folded),
        _Years(t["bare_year"], folded),
        _Years(t["horizon"], folded, value=lambda m: cn_int(m.group("n2") or m.group("n"))),
    )
    # The sentences that can hold a target: of a value with a unit or an index before it, of a 零 phrase.
    # (The tests below narrow these; here a 60-char window not cut at the sentence start.)
    held = [v.start for v in all_values if v.unit or t["unitless"].search(folded, max(0, v.start - 60), v.start)]
    # Every 零 phrase's start (overlapping ones too): a sentence none starts in holds none (no lookarounds).
    zero_starts = [z.start() for z in t["zero_scan"].finditer(folded, overlapped=True)]
    held += zero_starts
    for sstart, send, para in _Sentences(folded).around(sorted(held)):
        # The cheapest tests first (a sentence of a table that holds no targets, of a past section).
        if send - sstart < 3 or sstart in skip or send - 1 in skip:
            continue
        h = bisect.bisect_right(head_starts, sstart) - 1
        if h >= 0 and head_flags[h][0]:
            continue  # a section reviewing the past
        values = all_values[bisect.bisect_left(value_starts, sstart) : bisect.bisect_left(value_starts, send)]
        values = [v for v in values if v.unit_end <= send]
        i = bisect.bisect_left(zero_starts, sstart)
        zeros = i < len(zero_starts) and zero_starts[i] < send and t["zero"].search(folded, sstart, send)
        if not zeros and not any(
            v.unit or t["unitless"].search(folded, max(sstart, v.start - 60), v.start) for v in values
        ):
            continue  # nothing a target is read from (no value _text_target takes, no 零 phrase): skip the tests
        if t["past_or_subsidy"].search(folded, sstart, send):
            continue
        if t["past_unless_goal"].search(folded, sstart, send) and not (
            t["goal_cue"].search(folded, sstart, send) or _plan_period_named(folded, sstart, send, plan_start_year)
        ):
            continue
        lead = t["lead_year"].match(folded, sstart, send)
        if lead and plan_start_year and int(lead.group(1)) < plan_start_year:
            continue  # "2020年，…" before the plan period: a statistic
        for z in t["zero"].finditer(folded, sstart, send) if zeros else ():
            # "非法转移倾倒固体废物事件零发生": the clause before names it, the verb after 零 ends it.
            # Its clause is looked for within QUOTE_MAX_CHARS, as a value's is (_text_target).
            zfrom = max(sstart, z.start() - QUOTE_MAX_CHARS)
            cstart = max([zfrom] + [c.end() for c in t["clause_stop"].finditer(folded, zfrom, z.start())])
            if t["past_clause"].search(folded, cstart, z.start()):
                continue
            name, ns = _clean_name(text, folded, cstart, z.start())
            if len(name) < 2:
                continue
            out.append(
                _text_record(
                    text, doc_id, len(out), measure_id_at(measure_index, z.start()), *cap_span(ns, z.end(), z.start(), z.end()),
                    indicator=name + z.group()[z.group().index("零") + 1 :],
                    target_text=text[z.start() : z.end()],
                    target_value=0.0,
                    comparator=t["zero_map"][z.group()],
                    target_year=_target_year(years, sstart, send, para, z.start(), head_starts, head_flags, plan_start_year, plan_end_year),
                )
            )
        for k, v in enumerate(values):
            # "1～2家": the lower bound takes the unit of the upper one.
            if v.unit is None and k + 1 < len(values) and t["range"].match(folded[v.end : values[k + 1].start]):
                v.unit = values[k + 1].unit
        prev_kind, prev_end, prev_names = None, None, []
        stops = [m.start() for m in t["clause_stop"].finditer(folded, sstart, send)] if values else []
        runs = _respective_runs(text, folded, sstart, send, values, stops)

        def year_at(at: int) -> int | None:
            """The target year of a value at ``at``: the sentence's, else the end of the plan's own period named."""
            year = _target_year(years, sstart, send, para, at, head_starts, head_flags, plan_start_year, plan_end_year)
            return year if year is not None else _plan_period_end(folded, sstart, at, plan_start_year)

        run_end = -1  # the last value of a run read as one target per subject
        for k, v in enumerate(values):
            if k <= run_end:
                continue
            if k in runs and (found := _text_target(text, folded, sstart, send, values, k if v.unit else runs[k][0], None, None, starts, stops)):
                run_end, names, qs = runs[k]
                qe = values[run_end].unit_end
                if suffix := t["suffix"].match(folded, qe, send):
                    qe = suffix.end()
                # the verb after the word and the bound after the last value hold for every value
                comparator = comparator_for(folded[qs:v.start], folded[values[run_end].unit_end : qe])
                if comparator == "=":
                    comparator = found[1]
                last_unit = values[run_end].unit
                for i, name in zip(range(k, run_end + 1), names):
                    w = values[i]
                    shared = w.unit is None or (last_unit and last_unit != w.unit and last_unit.startswith(w.unit))
                    out.append(
                        _text_record(
                            text, doc_id, len(out), measure_id_at(measure_index, w.start), *cap_span(qs, qe, w.start, w.unit_end),
                            indicator=name,
                            unit=_source_unit(text, values[run_end] if shared else w),
                            target_text=text[w.start : w.unit_end],
                            target_value=w.value,
                            comparator=comparator,
                            target_year=year_at(w.start),
                        )
                    )
                prev_kind, prev_end, prev_names = None, None, []
                continue
            found = _text_target(text, folded, sstart, send, values, k, prev_kind, prev_end, starts, stops)
            if not found and prev_kind == "level" and v.unit and prev_end <= v.start and (
                el := t["elided"].fullmatch(folded, prev_end, v.start)
            ):
                # "…家庭医生数不低于4人，到2025年不低于4.66人": the next level of the same indicator.
                comparator = comparator_for(folded[el.start("verb") : v.start], folded[v.unit_end : v.unit_end + 4])
                if comparator == "=":
                    comparator = word_comparator(el.group("verb")) or comparator
                suffix = t["suffix"].match(folded, v.unit_end, send)
                found = ("level", comparator, prev_names, el.start("clause"), suffix.end() if suffix else v.unit_end)
            if not found and k > 0 and t["range"].match(folded[values[k - 1].unit_end : v.start]):
                continue  # the upper bound of a count range: the list goes on from its lower bound
            prev_kind, prev_end, prev_names = (found[0], found[4], found[2]) if found else (None, None, [])
            if not found:
                continue
            kind, comparator, names, qs, qe = found
            qs, qe = cap_span(qs, qe, v.start, v.unit_end)
            year = year_at(v.start)
            measure_id = measure_id_at(measure_index, v.start)
            for name in names:
                out.append(
                    _text_record(
                        text, doc_id, len(out), measure_id, qs, qe,
                        indicator=name,
                        unit=_source_unit(text, v),
                        target_text=text[v.start : v.unit_end],
                        target_value=v.value,
                        comparator=comparator,
                        target_year=year,
                        warnings=[f"{v.alternatives + 1} values; kept the first"] if v.alternatives else [],
                    )
                )
    return out


def _respective_runs(text: str, folded: str, sstart: int, send: int, values: list, stops: list[int]) -> dict:
    """The "A、B、C分别达到x%、y%、z%" runs of a sentence: {first value index: (last value index,
    one indicator name per value, quote start)}, where the clause before the word holds as many
    subjects as the run holds values (leading extra pieces belong to the first: 全省与其他国家…).
    Subjects and runs are looked for within QUOTE_MAX_CHARS of the word, so a long sentence of
    lists stays linear."""
    r = _text_rules()["respectively"]
    listed = r["subject_separators"][-1]
    runs: dict = {}
    at = folded.find(r["word"], sstart, send)
    starts = [v.start for v in values] if at >= 0 else []  # most sentences hold no 分别
    while at >= 0:
        word_end = at + len(r["word"])
        k = bisect.bisect_left(starts, word_end)
        if (k < len(values) and values[k].start - word_end <= r["verb_max_chars"]
                and bisect.bisect_left(stops, word_end) == bisect.bisect_left(stops, values[k].start)):
            last = k
            while (last + 1 < len(values) and values[last + 1].start - word_end <= QUOTE_MAX_CHARS
                   and r["value_separator"].fullmatch(folded, values[last].unit_end, values[last + 1].start)):
                last += 1
            i = bisect.bisect_left(stops, at) - 1
            cstart = max(stops[i] + 1 if i >= 0 and stops[i] >= sstart else sstart, at - QUOTE_MAX_CHARS)
            # subjects follow an earlier list of values: "生长迟缓率分别低于7%和5%、贫血率分别…" names
            # only 贫血率 (a value inside a subject, 7～18岁城市男生, is no list's end)
            for j in range(bisect.bisect_left(starts, at) - 1, bisect.bisect_left(starts, cstart) - 1, -1):
                if values[j].unit_end < at and listed.match(folded, values[j].unit_end):
                    cstart = values[j].unit_end
                    break
            n = last - k + 1
            for separator in r["subject_separators"] if n >= 2 else ():
                cuts = [m.span() for m in separator.finditer(folded, cstart, at)]
                if len(cuts) < n - 1:
                    continue
                cuts = cuts[len(cuts) - (n - 1):]
                bounds = [cstart] + [e for _, e in cuts], [s for s, _ in cuts] + [at]
                names = [_clean_name(text, folded, a, b)[0] for a, b in zip(*bounds)]
                if all(len(name) >= 2 for name in names):
                    whole, qs = _clean_name(text, folded, cstart, at)
                    runs[k] = (last, _share_noun(names, r["modifier_max_chars"]) or [whole] * n, qs)
                    break
        at = folded.find(r["word"], word_end, send)
    return runs


def _share_noun(names: list[str], modifier_max: int) -> list[str] | None:
    """Each subject that is only a modifier of the last subject's noun, given that noun: 小学生 of
    "小学生、初中生、高中生视力不良检出率" becomes 小学生视力不良检出率, 一般登记 of "一般登记、抵押登记
    业务办理时限" 一般登记业务办理时限 (the longest ending the two share, of two characters or more,
    marks where the noun starts); a subject that ends as the last one does is whole. None when a
    subject is neither whole nor a modifier whose noun can be told."""
    last = names[-1]
    out = []
    for name in names[:-1]:
        if name[-1] == last[-1]:
            out.append(name)
            continue
        noun = next((last[at + size :] for size in range(len(name), 1, -1)
                     if (at := last.find(name[-size:])) >= 0 and len(last) - at - size >= 2), None)
        if noun is None and len(name) <= modifier_max and len(last) - len(name) >= 2:
            noun = last[len(name):]
        if noun is None:
            return None
        out.append(name + noun)
    return out + [last]


def _source_unit(text: str, v) -> str | None:
    """A value's unit as the source writes it (the folded text may differ: ％ for %)."""
    return text[v.unit_end - len(v.unit) : v.unit_end] if v.unit_end > v.end else v.unit


def _text_record(text: str, doc_id: str, n: int, measure_id: str | None, qs: int, qe: int, **fields) -> Target:
    """A text target quoting text[qs:qe] (ids are renumbered with the table targets later)."""
    return Target(
        doc_id=doc_id,
        target_id=f"{doc_id}-x{n:03d}",
        source="text",
        measure_id=measure_id,
        quote=text[qs:qe],
        char_start=qs,
        char_end=qe,
        **fields,
    )


def _text_target(text, folded, sstart, send, values, k, prev_kind, prev_end, starts, stops):
    """(kind, comparator, indicator names, quote start, quote end) when values[k] states a target.

    ``prev_kind``/``prev_end``: the target just before in the same sentence, which an enumeration
    ("遴选13个…、126个…") continues. ``starts``: where the text's cue words start (_Starts);
    ``stops``: the sentence's clause stops, in order.
    """
    t = _text_rules()
    v = values[k]
    if not v.unit and not t["unitless"].search(folded, max(sstart, v.start - 60), v.start):
        return None
    if v.unit in t["skip_units"] and not (
        v.unit in t["bound_units"] and t["bound_before"].search(folded, max(sstart, v.start - 8), v.start)
    ) and not (
        v.unit in t["level_only_units"]
        and not t["magnitude_of"].match(folded, v.unit_end)
        and (_last_match(t["level"], folded, max(sstart, v.start - 30), v.start, 4, t["gap_stop"])
             or t["near"].search(folded, max(sstart, v.start - 4), v.start))
    ):
        return None
    # Clause boundaries are looked for near the value only: a "sentence" of PDF table rows can
    # run to the end of the text, and a scan of all of it per value was quadratic.
    sstart, send = max(sstart, v.start - QUOTE_MAX_CHARS), min(send, v.unit_end + QUOTE_MAX_CHARS)
    # The clause: from the last stop before the value to the first after its unit (one char each).
    i = bisect.bisect_left(stops, v.start) - 1
    cstart = stops[i] + 1 if i >= 0 and stops[i] >= sstart else sstart
    i = bisect.bisect_left(stops, v.unit_end)
    cend = stops[i] if i < len(stops) and stops[i] < send else send
    lo = max(cstart, prev_end) if prev_end and prev_end <= v.start else cstart
    # Continues the previous target's list: only a connector between its quote and this number.
    listed = bool(prev_end and prev_end <= v.start and t["connector_only"].match(folded, prev_end, v.start))
    pre, post = folded[cstart : v.start], folded[v.unit_end : cend]
    in_range = k > 0 and bool(t["range"].match(folded[values[k - 1].unit_end : v.start]))
    if (t["reject_before"].search(pre) and not in_range) or t["reject_after"].match(post):
        return None
    # A match inside the clause is also one in the whole text (its lookarounds see the same chars).
    if ((starts["past_clause"].may_start_in(cstart, v.start) and t["past_clause"].search(pre))
            or (starts["not_target"].may_start_in(cstart, v.start) and t["not_target"].search(pre))
            or t["not_target_lead"].match(pre)
            or t["vague"].match(folded, v.start, cend)):
        return None
    range_next = k + 1 < len(values) and bool(t["range"].match(folded[v.unit_end : values[k + 1].start]))
    # Where the counted noun starts: after this unit, or after the upper bound of a range.
    noun_from = values[k + 1].unit_end if range_next else v.unit_end
    if (r := t["unit_reject_after"].get(v.unit)) and r.match(folded, noun_from, cend):
        return None
    if (r := t["unit_need_before"].get(v.unit)) and not r.search(pre):
        return None
    comparator = comparator_for(folded[lo : v.start], post)
    if comparator == "=" and t["exceed_bare"].search(folded, lo, v.start):
        comparator = ">"  # "接入企业超80个" (超 is no prefix word: 超重率为…)
    if range_next and comparator == "=":
        comparator = ">="
    if in_range:
        if values[k - 1].unit_end == values[k - 1].end or v.unit not in t["rate_units"]:
            return None  # "1～2家", "5个-7个": a count commits to its lower bound only
        return _named("level", "<=", text, folded, cstart, _before_verb(folded, cstart, values[k - 1].start), v, cend)
    if range_next and values[k].unit_end > v.end and v.unit in t["rate_units"]:
        return _named("level", comparator, text, folded, lo, _before_verb(folded, lo, v.start), v, cend)
    tail = folded[lo : v.start].rstrip()
    if comparator in ("<", "<=", ">", ">=") and tail and tail[-1] in "<>≤≥=":
        return _named("level", comparator, text, folded, lo, lo + len(tail) - 1, v, cend)
    if v.unit == "%":
        # "超过85%的乡镇卫生院…达到", "100%设置中医馆": the share names what it counts.
        if t["share_of"].match(folded, v.unit_end, cend) and (sm := t["share"].match(folded, v.unit_end, cend)):
            name, _ = _clean_name(text, folded, sm.start("noun"), sm.end("noun"))
            if len(name) >= 2:
                return "share", comparator, [name], v.start, cend
        if pv := t["post_verb"].match(folded, v.unit_end, cend):
            name, ns = _clean_name(text, folded, lo, v.start)
            if len(name) >= 2:
                return "level", comparator, [name], ns, pv.end()
        if not pv and (sv := t["share_verb"].search(folded, max(lo, v.start - 6), v.start)) and (
            om := t["share_object"].match(folded, v.unit_end, cend)
        ):
            # "覆盖70%市、县（市、区）", "完成50%以上市、县…改革": the share of what the verb reaches.
            name, _ = _clean_name(text, folded, om.start("noun"), om.end("noun"))
            if len(name) >= 2:
                return "share", comparator, [name], sv.start(), cend
    if lv := _last_match(t["level"], folded, lo, v.start, t["max_gap"], t["gap_stop"]):
        if comparator == "=":  # "不低于采购金额的30%": the verb is further back than a prefix word
            comparator = word_comparator(lv.group()) or comparator
        return _named("level", comparator, text, folded, lo, lv.start(), v, cend, lv.end())
    if t["near_exists"].search(folded, lo, v.start) and (nv := t["near"].search(folded, lo, v.start)):
        return _named("level", comparator, text, folded, lo, nv.start(), v, cend, nv.end())
    if t["exceed_exists"].search(folded, lo, v.start) and (ex := t["exceed"].search(folded, lo, v.start)) and not t["magnitude_of"].match(folded, v.unit_end):
        # "终端数超2000万个": 超 after a quantity's name; "营业收入超100亿元企业" qualifies a noun instead.
        return _named("level", ">", text, folded, lo, ex.start(), v, cend, ex.end())
    if v.unit and (v.unit in t["count_units"] or t["measure_unit"].fullmatch(v.unit)):
        cv = _last_match(t["count"], folded, lo, v.start, t["max_count_gap"], t["gap_stop"])
        if prev_kind == "count_pre" and (cn := t["connector"].match(folded, lo, v.start)):
            name, ns = _clean_name(text, folded, cn.end(), v.start)  # "…2000人、住院医师10000人"
            return ("count_pre", comparator, [name], ns, v.unit_end) if len(name) >= 2 else None
        if cv or (prev_kind in ("count", "modifier") and listed):
            if t["connector"].match(folded, noun_from, cend) and cv and cv.end() < v.start:
                # "培养全科医生2000人、…": the noun sits between verb and number.
                name, _ = _clean_name(text, folded, cv.end(), v.start)
                return ("count_pre", comparator, [name], cv.start(), v.unit_end) if len(name) >= 2 else None
            stop = t["count_end"].search(folded, noun_from, cend)
            nend = stop.start() if stop else cend
            suffix = t["suffix"].match(folded, noun_from, nend)
            nstart = suffix.end() if suffix else noun_from
            if stop and stop.group().strip()[:1].isdigit() and folded[nstart:nend].rstrip().endswith("的"):
                # "2个县（市）的3家公立医院": a modifier of the count that follows.
                return "modifier", comparator, [], v.start, nend
            head = folded.rfind("的", nstart, nend)
            if head >= 0 and nend - head > 3:
                nstart = head + 1  # "具有带动效应…的示范性婴幼儿照护服务机构": the head noun
            name, _ = _clean_name(text, folded, nstart, nend)
            name = name.rstrip("和及与、")
            if len(name) < 2 and cv:
                name, _ = _clean_name(text, folded, cv.end(), v.start)
            qs = cv.start() if cv else v.start
            return ("count", comparator, [name], qs, nend) if len(name) >= 2 else None
    if v.unit == "%" and starts["share_closing"].may_start_in(v.unit_end, cend) and (sm := t["share"].match(folded, v.unit_end, cend)):
        name, _ = _clean_name(text, folded, sm.start("noun"), sm.end("noun"))
        if len(name) >= 2:
            return "share", comparator, [name], v.start, cend
    if t["indicator_tail"].search(tail) and not t["share_of"].match(post):
        return _named("level", comparator, text, folded, lo, lo + len(tail), v, cend)
    if prev_kind == "level" and (cn := t["connector"].match(folded, lo, v.start)):
        return _named("level", comparator, text, folded, cn.end(), v.start, v, cend)
    return None


def _plan_period_end(folded: str, start: int, end: int, plan_start_year: int | None) -> int | None:
    """The last year of the plan's own five-year period named in folded[start:end] ("“十四五”期间，…"
    in a 2021-2025 plan: 2025); None for none or a past period."""
    if not plan_start_year:
        return None
    ends = [2005 + 5 * cn_int(m.group("n")) for m in _text_rules()["goal_period"].finditer(folded, start, end)]
    return next((y for y in ends if y >= plan_start_year), None)


def _plan_period_named(folded: str, start: int, end: int, plan_start_year: int | None) -> bool:
    """Does folded[start:end] name the plan's own five-year period (十四五期间 in a 2021-2025 plan)?"""
    return _plan_period_end(folded, start, end, plan_start_year) is not None


def _before_verb(folded: str, lo: int, at: int) -> int:
    """Where the indicator before a number ends: at its level verb ("稳定在90%—95%"), if any."""
    t = _text_rules()
    lv = _last_match(t["level"], folded, lo, at, t["max_gap"], t["gap_stop"])
    return lv.start() if lv else at


def _last_comma(folded: str, end: int) -> int:
    # Folding turns "，" into ",": look for both.
    return max(folded.rfind(",", 0, end), folded.rfind("，", 0, end))


def _named(kind, comparator, text, folded, start, end, v, cend, verb_end=None):
    """A level target named by text[start:end]; several names when it lists 率/数 joined by 和.

    A name too short to say anything ("免费为", "") takes the words after the verb and the number.
    """
    t = _text_rules()
    name, ns = _clean_name(text, folded, start, end)
    suffix = t["suffix"].match(folded, v.unit_end, cend)
    qe = suffix.end() if suffix else v.unit_end
    if len(name) < 2:
        # "儿童青少年总体近视率，力争每年降低…": the name is the clause before.
        before = _last_comma(folded, start)
        prior_start = _last_comma(folded, before) + 1 if before > 0 else 0
        if before > 0 and start - before <= 8 and t["indicator_tail"].search(folded, prior_start, before):
            name, ns = _clean_name(text, folded, prior_start, before)
    if t["count_verb_only"].fullmatch(name):
        name = ""  # "建成不少于3家…": the verb builds; what it builds follows the number
    if len(name) < 4:
        gap = _squash(text[verb_end : v.start]) if verb_end else ""
        after, _ = _clean_name(text, folded, qe, cend)
        if len(name + gap + after) >= 4:
            name = name + gap + after
            qe = cend if after else qe
    elif v.unit in t["count_units"] and t["per_unit"].match(name):
        # "每个行政村至少有1名合格乡村医生": a count per unit names what it counts after the number.
        after, _ = _clean_name(text, folded, qe, cend)
        if len(after) >= 2:
            name, qe = name + after, cend
    if len(name) < 2:
        return None
    parts = [p for p in t["split_names"].split(name) if p]
    names = parts if len(parts) > 1 and all(t["indicator_tail"].search(p) for p in parts) else [name]
    return kind, comparator, names, ns, qe


class _Years:
    """The matches of a year pattern in the whole text, asked "last / first one inside [lo, hi)" by
    bisection: a scan of the sentence per target was quadratic in a long sentence of targets.
    ``value`` reads a match (the year, or for a horizon such as 3年内 its number of years).
    The text is scanned on the first question: a text whose targets all find their year by an
    earlier rule (_target_year) never asks the later ones."""

    def __init__(self, pattern: regex.Pattern | SparsePattern, folded: str, value=lambda m: int(m.group("y"))):
        self.pattern, self.folded, self.value = pattern, folded, value
        self.starts = None

    def _scan(self) -> None:
        found = list(self.pattern.finditer(self.folded))
        self.starts = [m.start() for m in found]
        self.ends = [m.end() for m in found]  # matches do not overlap: ends are sorted too
        self.years = [self.value(m) for m in found]

    def last(self, lo: int, hi: int) -> int | None:
        if self.starts is None:
            self._scan()
        i = bisect.bisect_right(self.ends, hi) - 1
        return self.years[i] if i >= 0 and self.starts[i] >= lo else None

    def first(self, lo: int, hi: int) -> int | None:
        if self.starts is None:
            self._scan()
        i = bisect.bisect_left(self.starts, lo)
        return self.years[i] if i < len(self.starts) and self.ends[i] <= hi else None


def _target_year(years, sstart, send, para, at, head_starts, head_flags, plan_start_year, plan_end_year):
    """The year by which a target at ``at`` should hold; ``years`` = (future-year cues, bare years,
    horizons such as 3年内 counted from the plan's start).

    The last 到20XX年 before it in its sentence, else the first after it in the sentence, else a
    horizon counted from the plan's start before it in the sentence (3年内 = start + 2), else the
    last 到20XX年 in its paragraph, else a bare 20XX年 earlier in the sentence, else that of an
    enclosing goal section (主要目标) or, failing that, the plan's end year.
    """
    fy, bare, horizon = years
    for year in (fy.last(sstart, at), fy.first(at, send)):
        if year is not None:
            return year
    if plan_start_year and (n := horizon.last(sstart, at)) is not None:
        return plan_start_year + n - 1
    for year in (fy.last(para, sstart), bare.last(sstart, at)):
        if year is not None:
            return year
    h = bisect.bisect_right(head_starts, sstart) - 1
    if h >= 0 and head_flags[h][1]:
        year = fy.last(head_starts[h], at)
        return plan_end_year if year is None else year
    return None


def example_items(text: str) -> list[dict]:
    """Matcher for rules/targets.examples.yaml (tests/test_rule_examples.py): the text targets in ``text``."""
    from planparse.segment import segment_document

    structure = segment_document(text, "ex")
    return [
        {
            "indicator": t.indicator,
            "value": t.target_value,
            "unit": t.unit,
            "comparator": t.comparator,
            "year": t.target_year,
            "quote": t.quote,
        }
        for t in targets_from_text(text, "ex", structure.measures, structure.tables,
                                   structure.metadata.get("plan_start_year"), structure.metadata.get("plan_end_year"),
                                   sections=structure.sections)
    ]
