"""Deadlines: time expressions that bound when a commitment must be met (rules/deadlines.yaml)."""

from __future__ import annotations

import calendar
import datetime as dt
from dataclasses import dataclass
from functools import lru_cache
from typing import Sequence

import regex

from planparse.extract.common import clause_span, clause_start, column_cells, mask_spans, measure_id_at
from planparse.numerals import cn_int
from planparse.spans import SpanIndex, span_set
from planparse.models import Deadline, Measure, Table
from planparse.rules_loader import alternation, load_rules
from planparse.sparse_scan import SparsePattern


@dataclass(frozen=True)
class _Rules:
    expr: SparsePattern  # searched only around 年/月/季 (most of a text holds none)
    expr_groups: tuple[str | None, ...]  # expr's group names by number: a match read as dict(zip(expr_groups, m.groups()))
    year_mention: regex.Pattern
    reject_before: regex.Pattern
    reject_after: regex.Pattern
    masks: tuple[regex.Pattern, ...]
    delimiters: regex.Pattern
    sentence_end: regex.Pattern
    clause_end: regex.Pattern
    issue_date: regex.Pattern
    plan_periods: dict[str, int]
    plan_period_window: int
    periods: tuple[dict, ...]
    # (group name, period) of every period group: p<i> after a year, q<i> year-less
    period_groups: tuple[tuple[str, dict], ...]
    table_columns: frozenset[str]
    relative: tuple[tuple[str, SparsePattern], ...]  # (anchor kind, pattern): issue, span, recurring
    relative_reject_after: regex.Pattern


@lru_cache(maxsize=1)
def _rules() -> _Rules:
    r = load_rules("deadlines")
    y, n, sp = r["year"], r["number"], "[ \\t]*"
    periods = tuple(r["periods"])
    # One named group per period so the match says which one fired.
    period_alt = "|".join(f"(?P<p{i}>{p['pattern']})" for i, p in enumerate(periods))
    yearless_alt = "|".join(
        f"(?P<q{i}>{p['pattern']})" for i, p in enumerate(periods) if not p.get("needs_year")
    )
    # Literal words, longest first (the YAML order is not relied on).
    prefix = alternation(r["prefixes"])
    suffix = alternation(r["suffixes"])
    with_year = (
        f"(?:(?P<prefix>{prefix}){sp})?"
        f"(?:(?P<y0>{y}){sp}年?{sp}[-—–－~～至]{sp})?"
        f"(?P<y>{y}){sp}年"
        f"(?:{sp}(?:{period_alt}"
        f"|(?P<m>{n}){sp}月份?(?:{sp}(?P<d>{n}){sp}[日号]|(?P<mend>底|末))?))?"
        f"(?:{sp}(?P<suffix>{suffix}))?"
    )
    # Year-less deadlines ("每年2月底前", "3月底前") take the year from the sentence and need 前.
    # Without 前 a year-less period must open its clause (checked in code); a month always needs 前.
    yearless = (
        f"(?:(?P<every>每年){sp})?(?:{yearless_alt}|(?P<m2>{n}){sp}月份?(?:{sp}(?P<d2>{n}){sp}[日号]|(?P<mend2>底|末))?)"
        f"(?:{sp}(?P<suffix2>之前|以前|前))?"
    )
    expr = regex.compile(f"(?P<cur>{r['current_year']})|{with_year}|{yearless}")
    return _Rules(
        expr=SparsePattern(expr),
        # (the regex module's groupdict() costs ~10 us a match for these 30 groups, groups() 0.3)
        expr_groups=_group_names(expr),
        year_mention=regex.compile(f"(?r)({y}){sp}年"),
        reject_before=regex.compile(r["reject_before"]),
        reject_after=regex.compile(r["reject_after"]),
        masks=tuple(regex.compile(p) for p in r["masked_spans"]),
        delimiters=regex.compile(r["clause_delimiters"]),
        sentence_end=regex.compile(r["sentence_delimiters"]),
        clause_end=regex.compile(r["clause_end_punct"]),
        issue_date=regex.compile(r["issue_date_line"], regex.MULTILINE),
        # Plan-period names (十四五 …) are metadata rules; a deadline only needs their first year.
        plan_periods={name: years[0] for name, years in load_rules("metadata")["plan_periods"].items()},
        plan_period_window=int(r["plan_period_window"]),
        periods=periods,
        period_groups=tuple((f"{kind}{i}", p) for kind in "pq" for i, p in enumerate(periods) if f"{kind}{i}" in expr.groupindex),
        table_columns=frozenset(r["table_deadline_columns"]),
        relative=tuple(
            (kind, SparsePattern(regex.compile(r["relative"][kind].replace("{n}", f"(?P<n>{r['relative']['count']})")
                                               .replace("{n2}", f"(?P<n2>{r['relative']['count']})"))))
            for kind in ("issue", "span", "recurring")
        ),
        relative_reject_after=regex.compile(r["relative"]["reject_after"]),
    )


def _group_names(pattern: regex.Pattern) -> tuple[str | None, ...]:
    """The name of each group by number (None for an unnamed one)."""
    names: list[str | None] = [None] * pattern.groups
    for name, i in pattern.groupindex.items():
        names[i - 1] = name
    return tuple(names)


# ``ref_year``/``issued``/``line`` default: read it from the text (None is a valid "unknown").
FROM_TEXT = object()


def issue_line(text: str) -> regex.Match | None:
    """The issue-date line (成文日期): a line holding only a date, under the issuer's name."""
    return _rules().issue_date.search(text)


def issue_date(text: str, line=FROM_TEXT) -> dt.date | None:
    """The document's issue date, read from its issue-date line (``line``: issue_line(text), when
    the caller has it)."""
    m = issue_line(text) if line is FROM_TEXT else line
    if m:
        try:
            return dt.date(cn_int(m.group(1)), cn_int(m.group(2)), cn_int(m.group(3)))
        except ValueError:
            return None
    return None


def reference_year(text: str, line=FROM_TEXT) -> int | None:
    """The year the plan is written from: its issue date, else the first year of its plan period
    (``line``: issue_line(text), when the caller has it)."""
    rules = _rules()
    m = issue_line(text) if line is FROM_TEXT else line
    if m:
        return cn_int(m.group(1))
    head = text[: rules.plan_period_window]
    found = [(head.find(name), year) for name, year in rules.plan_periods.items() if name in head]
    return min(found)[1] if found else None


def _month_end(year: int, month: int) -> dt.date:
    return dt.date(year, month, calendar.monthrange(year, month)[1])


def _normalise(g: dict, year: int) -> tuple[dt.date, str] | None:
    """(last day, granularity) for one match's groups, or None when the numbers are not a date."""
    rules = _rules()
    for name, period in rules.period_groups:
        if g[name] is not None:
            month, day = (int(x) for x in period["end"].split("-"))
            return dt.date(year, month, day), period["granularity"]
    month_text = g["m"] or g["m2"]
    if month_text is None:
        return dt.date(year, 12, 31), "year"
    month = cn_int(month_text)
    if not 1 <= month <= 12:
        return None
    if g["d"] or g["d2"]:
        day = cn_int(g["d"] or g["d2"])
        if not 1 <= day <= calendar.monthrange(year, month)[1]:
            return None
        return dt.date(year, month, day), "day"
    return _month_end(year, month), "month"


def deadline_cells(text: str, tables: Sequence[Table]) -> list[tuple[int, int]]:
    """Spans of the cells of task-table deadline columns (完成时限 …), found in table order."""
    cols = _rules().table_columns
    spans: list[tuple[int, int]] = []
    for table in tables:
        idx = [i for i, h in enumerate(table.header) if h.strip() in cols]
        for row in column_cells(text, table, idx) if idx else ():
            spans += [(at, at + len(cell)) for _, cell, at in row]
    return spans


def find_deadlines(
    text: str,
    doc_id: str,
    measures: list[Measure],
    tables: Sequence[Table] = (),
    ref_year=FROM_TEXT,
    issued=FROM_TEXT,
    plan_start_year: int | None = None,
) -> list[Deadline]:
    """Every deadline in ``text``, in text order, grounded by the clause that holds it.

    ``tables``: task tables whose deadline column (完成时限) makes a bare year a deadline; the years
    in an indicator table's cells are its rows' target years (Target.target_year), not deadlines.
    ``ref_year``: the plan's reference year when the caller has it (see reference_year).
    ``issued`` (the 成文 date, None for none; by default read from the text's issue-date line) and
    ``plan_start_year`` anchor the relative deadlines (印发后3个月内, 5年内).
    """
    rules = _rules()
    measure_index = SpanIndex(measures)
    if ref_year is FROM_TEXT:
        ref_year = reference_year(text)
    cells = span_set(deadline_cells(text, tables))
    indicator = span_set([(t.char_start, t.char_end) for t in tables if t.kind == "indicator"])
    scan = mask_spans(text, rules.masks)
    out: list[Deadline] = []
    taken: list[tuple[int, int]] = []  # the expressions found, which a relative one must not overlap
    for m in rules.expr.finditer(scan):
        start, end = m.span()
        if start in indicator:
            continue
        if rules.reject_before.search(scan, max(0, start - 6), start):
            continue
        if rules.reject_after.match(scan, end, min(len(scan), end + 4)):
            continue
        g = dict(zip(rules.expr_groups, m.groups()))
        if g["cur"] is not None:
            year = ref_year
            if year is None:
                continue
        elif g["y"] is not None:
            year = cn_int(g["y"])
            marked = any(g[k] for k in ("prefix", "suffix", "mend")) or any(
                g[name] for name, _ in rules.period_groups if name[0] == "p"
            )
            if not marked and start not in cells and not _bare_year_ok(scan, m, g, ref_year):
                continue
        else:
            in_cell = start in cells
            if _cell_only_period(g) and not in_cell:
                continue
            # In a 完成时限 cell the column says it is a deadline: no 前 needed ("10月底", "全年").
            if g["suffix2"] is None and not in_cell and not _bare_period_ok(scan, m, g, out):
                continue
            # Year-less: the last year named earlier in the same sentence, else the reference year.
            ctx = rules.year_mention.search(scan, clause_start(scan, start, rules.sentence_end), start)
            year = cn_int(ctx.group(1)) if ctx else ref_year
            if year is None:
                continue
        if ref_year is not None and year < ref_year:
            continue  # a past fact, not a commitment
        norm = _normalise(g, year)
        if norm is None:
            continue
        date, granularity = norm
        taken.append((start, end))
        qs, qe = clause_span(text, start, end, rules.delimiters)
        n = len(out) + 1
        out.append(
            Deadline(
                doc_id=doc_id,
                deadline_id=f"{doc_id}-dl{n:04d}",
                measure_id=measure_id_at(measure_index, start),
                text=text[start:end],
                date=date,
                granularity=granularity,
                quote=text[qs:qe],
                char_start=qs,
                char_end=qe,
            )
        )
    relative = _relative_deadlines(text, scan, doc_id, measure_index, indicator, taken,
                                   issue_date(text) if issued is FROM_TEXT else issued, plan_start_year)
    if relative:
        out = sorted(out + relative, key=lambda d: (d.char_start, d.char_end))
        out = [d.model_copy(update={"deadline_id": f"{doc_id}-dl{n:04d}"}) for n, d in enumerate(out, 1)]
    return out


def _add(date: dt.date, n: int, unit: str) -> dt.date:
    """``date`` plus ``n`` units (年, 月, 周, 日/天, 工作日 = Monday to Friday)."""
    if unit == "年":
        return _add(date, 12 * n, "月")
    if unit == "月":
        months = date.month - 1 + n
        year, month = date.year + months // 12, months % 12 + 1
        return dt.date(year, month, min(date.day, calendar.monthrange(year, month)[1]))
    if unit == "工作日":
        while n > 0:
            date += dt.timedelta(days=1)
            n -= date.weekday() < 5
        return date
    return date + dt.timedelta(days=7 * n if unit == "周" else n)


def _relative_deadlines(text, scan, doc_id, measure_index, skip, taken, issued, plan_start_year) -> list[Deadline]:
    """Deadlines counted from the document (rules ``relative``): from its issue date ("于本文印发后3个
    月内"), or spans of the plan's own time ("利用3-5年时间", "5年内") counted from the plan period's
    first year when it has one, else from the issue date. The upper bound of a range is the deadline.
    Without its anchor a record keeps the expression with a null date, as does a day of every month
    (每月5日前), which recurs."""
    rules = _rules()
    out: list[Deadline] = []
    for kind, pattern in rules.relative:
        done = None  # the expressions taken before this kind, indexed at its first match (most texts have none)
        for m in pattern.finditer(scan):
            start, end = m.span()
            done = span_set(taken) if done is None else done
            if start in skip or start in done or end - 1 in done or rules.relative_reject_after.match(scan, end):
                continue
            taken.append((start, end))
            n = cn_int(m.group("n2") if "n2" in m.re.groupindex and m.group("n2") else m.group("n"))
            unit = m.group("unit") if "unit" in m.re.groupindex else "日"
            if kind == "recurring":
                date, granularity, anchor = None, "day", None  # every month: no one date
            elif kind == "span" and plan_start_year:
                date, granularity, anchor = dt.date(plan_start_year + n - 1, 12, 31), "year", "plan_start"
            elif issued is not None:
                date, granularity, anchor = _add(issued, n, unit), "day", "issue_date"
            else:
                date, granularity, anchor = None, "year" if unit == "年" else "month" if unit == "月" else "day", "issue_date"
            qs, qe = clause_span(text, start, end, rules.delimiters)
            out.append(
                Deadline(
                    doc_id=doc_id,
                    deadline_id=f"{doc_id}-dl{0:04d}",  # renumbered with the others
                    measure_id=measure_id_at(measure_index, start),
                    text=text[start:end],
                    date=date,
                    granularity=granularity,
                    anchor=anchor,
                    quote=text[qs:qe],
                    char_start=qs,
                    char_end=qe,
                )
            )
    return out


def _cell_only_period(g: dict) -> bool:
    """A year-less period (a match's groups) that is a deadline only in a deadline column (全年)."""
    return any(name[0] == "q" and p.get("cells_only") and g[name] is not None for name, p in _rules().period_groups)


def _opens_clause(scan: str, start: int) -> bool:
    """Nothing but a delimiter or space before ``start``: the expression opens its clause."""
    before = scan[max(0, start - 1) : start]
    return not before or bool(_rules().delimiters.match(before)) or before.isspace()


def _bare_period_ok(scan: str, m: regex.Match, g: dict, found: list[Deadline]) -> bool:
    """A year-less "下半年" / "第三季度" without 前 is a deadline when it opens a sentence, is set
    off by a comma ("第三季度，…"), or continues a schedule begun in the same sentence ("上半年完成…，
    第四季度组织…"); "按照上半年评估，下半年调价的节奏" states a cycle, not a deadline."""
    start = m.start()
    if g["m2"] or not _opens_clause(scan, start):
        return False
    before = scan[max(0, start - 1) : start]
    if not before or before in "。；;\n" or scan.startswith(("，", ","), m.end()):
        return True
    return bool(found) and found[-1].char_start >= clause_start(scan, start, _rules().sentence_end)


def _bare_year_ok(scan: str, m: regex.Match, g: dict, ref_year: int | None) -> bool:
    """A plain "2019年" is a deadline only as the time frame of a commitment clause.

    It must open its clause, the clause must end in punctuation (captions and table cells do
    not), it must not be a date (day given), and the plan's reference year must be known.
    """
    rules = _rules()
    if ref_year is None or g["d"]:
        return False
    if not _opens_clause(scan, m.start()):
        return False
    stop = rules.delimiters.search(scan, m.end())
    return bool(stop and rules.clause_end.match(stop.group()))


def example_items(text: str) -> list[dict]:
    """Matcher for rules/deadlines.examples.yaml (tests/test_rule_examples.py): the deadlines of
    ``text`` with the plan period and tables the segmenter finds, as the pipeline passes them."""
    from planparse.segment import segment_document

    structure = segment_document(text, "ex")
    found = find_deadlines(text, "ex", structure.measures, structure.tables,
                           plan_start_year=structure.metadata.get("plan_start_year"))
    return [d.model_dump(mode="json") for d in found]
