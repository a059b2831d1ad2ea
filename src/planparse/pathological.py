"""Pathological plan texts: long repeats of what triggers the rules, sized in UTF-8 bytes.

Shared by the linear-time test suite (``tests/test_pathological.py``) and the per-MB table of
``make bench``. Each case is a unit repeated (or a counter-numbered unit) until the text reaches the
requested size; the first group are the inputs that once took super-linear time, the second group
inputs that were always linear and must stay so.
"""

from __future__ import annotations

from typing import Callable

# name -> unit(i): the i-th repeat. Units are joined without a separator.
_UNITS: dict[str, Callable[[int], str]] = {
    # Once super-linear (issue 13 §4).
    "open_paren": lambda i: "（",
    "nested_cn_parens": lambda i: "（一（二（三（",
    "deadline_phrase": lambda i: "到2025年底前",
    "pdf_table_rows": lambda i: f"{i % 40 + 1} 人均预期寿命 岁 77.8 78.5 预期性\n\n",
    "responsibility_clause": lambda i: "（市卫生健康局牵头，市财政局、市医疗保障局按职责分工负责）",
    "box_markers": lambda i: "专栏1\n",
    "arabic_labels": lambda i: "1.\n",
    # Found while fixing those: assignments and targets with no delimiter between them.
    "agency_clauses": lambda i: "由市卫生健康局牵头",
    "agency_list_duty": lambda i: "市卫生健康局、市财政局负责落实",
    "labelled_lists": lambda i: "责任单位：市财政局",
    "percent_values": lambda i: "30%",
    "comparator_values": lambda i: "≥30%",
    "respectively_lists": lambda i: f"A、B分别达到{i % 90 + 1}%、2%、",
    # Always linear: kept so they stay that way.
    "digit_run": lambda i: "1234567890",
    "enumeration_comma": lambda i: "、",
    "balanced_brackets": lambda i: "（一）",
    "chapter_headings": lambda i: "第一章\n",
    "wide_spaces": lambda i: "\u3000\u00a0",
    "tab_newline_soup": lambda i: "\t\n\t\t\n\n"[i % 3 :] + " ",
}

CASES = tuple(_UNITS)


def pathological_text(name: str, n_bytes: int) -> str:
    """Case ``name`` repeated until its UTF-8 encoding is about ``n_bytes`` long."""
    unit = _UNITS[name]
    parts, size, i = [], 0, 0
    while size < n_bytes:
        piece = unit(i)
        parts.append(piece)
        size += len(piece.encode("utf-8"))
        i += 1
    return "".join(parts)
