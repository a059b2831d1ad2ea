"""Targets: one per indicator-table row, plus quantitative future targets stated in running text.

Column roles, unit and comparator words, past-tense cues and indicator trimming are rules data
(rules/targets.yaml); this module only applies them.
"""

from __future__ import annotations

from functools import lru_cache
from typing import Sequence

import regex

from planparse.extract.values import _alternation, comparator_for, find_values, fold, parse_value
from planparse.models import Measure, Table, Target
from planparse.rules_loader import load_rules
from planparse.spans import innermost

# Column roles in the order they are tried on a header cell: specific words before bare years.
_ROLE_ORDER = ("seq", "note", "nature", "unit", "review_target", "baseline", "domain", "name", "target", "year")


@lru_cache(maxsize=None)
def _table_rules():
    rules = load_rules("targets")
    units = _alternation(rules["units"])
    return {
        "columns": [(role, [regex.compile(p) for p in rules["table_columns"][role]]) for role in _ROLE_ORDER],
        "label": regex.compile(rules["cell_label"]),
        "markers": regex.compile(rules["cell_markers"]),
        "name_unit": regex.compile(rules["name_unit"].replace("{units}", units)),
        "year": regex.compile(r"((?:19|20)\d\d)\s*年"),
        # Line breaks and spaces inside a cell come from wrapping, except between Latin words.
        "wrap": regex.compile(r"(?<![A-Za-z])\s+|\s+(?![A-Za-z])"),
        "empty": {fold(c) for c in rules["empty_cells"]},
    }


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


def _clean_label(cell: str) -> str:
    r = _table_rules()
    return r["markers"].sub("", r["label"].sub("", _squash(cell)))


def _year_of(header: list[str], roles: list[str | None], role: str) -> int | None:
    for cell, rl in zip(header, roles):
        if rl == role and (m := _table_rules()["year"].search(_squash(cell))):
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
    out: list[Target] = []
    for table in tables:
        if table.kind != "indicator" or not table.header:
            continue
        header = table.header
        roles = _header_roles(header)
        if "name" not in roles:
            continue
        target_role = "review_target" if "review_target" in roles else "target"
        baseline_year = _year_of(header, roles, "baseline")
        target_year = _year_of(header, roles, "actual" if target_role == "review_target" else target_role)
        spans = row_spans.get(table.table_id, [])
        previous: list[str] = [""] * len(header)
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
            warnings = [f"baseline: {w}" for w in base.warnings] + [f"target: {w}" for w in goal.warnings]
            if "actual" in by_role and (actual := _cell_text(by_role["actual"][0])):
                warnings.append(f"actual: {actual}")
            if i < len(spans):
                start, end = spans[i]
            else:  # no row span: ground on the table as a whole
                start, end = table.char_start, table.char_end
                warnings.append("row span missing; quote is the whole table")
            measure = innermost(list(measures), start) if measures else None
            out.append(
                Target(
                    doc_id=doc_id,
                    target_id=f"{table.table_id}-r{i:03d}",
                    source="table",
                    table_id=table.table_id,
                    measure_id=measure.measure_id if measure else None,
                    domain="/".join(domains) or None,
                    indicator=name,
                    unit=unit,
                    baseline_text=baseline_text,
                    baseline_value=base.value,
                    baseline_year=baseline_year,
                    target_text=target_text,
                    target_value=goal.value,
                    comparator=goal.comparator,
                    target_year=target_year,
                    nature=_cell_text(by_role["nature"][0]) if "nature" in by_role else None,
                    quote=text[start:end],
                    char_start=start,
                    char_end=end,
                    warnings=warnings,
                )
            )
    return out
