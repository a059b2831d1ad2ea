"""Responsibilities: which agencies a plan makes responsible for a task (rules/responsibilities.yaml).

Three sources, merged in text order:
- parentheticals "（市卫生健康局、市财政局负责）", "（生态环境部牵头，…参与）", "（…指导）";
- labelled lists "牵头单位：…；配合单位：…", "责任单位：…";
- clauses that open with agencies as the acting subject ("由市医疗保障局牵头…", "X会同Y…", "X负责…");
- task tables with 牵头单位 / 责任单位 columns.
"""

from __future__ import annotations

import bisect
import re
from dataclasses import dataclass
from functools import lru_cache
from typing import Sequence

import regex

from planparse.extract.agencies import (
    agency_level,
    agency_shaped,
    canonical_name,
    division_shaped,
    find_agency_mentions,
    looks_like_agency,
)
from planparse.extract.deadlines import FROM_TEXT, reference_year
from planparse.extract.common import QUOTE_MAX_CHARS, cap_span, clause_start, column_cells, measure_id_at
from planparse.models import AgencyMention, Measure, Responsibility, Table
from planparse.rules_loader import load_rules, word_tree
from planparse.sparse_scan import char_offsets, finditer_opening
from planparse.spans import SpanIndex, span_set

LEAD, CO_LEAD, SUPPORT, RESPONSIBLE, LISTED = "lead", "co_lead", "support", "responsible", "listed"
# Table cells list agencies with any separator; normalised to 、 before splitting.
_CELL_SEPARATORS = regex.compile(r"[，,；;\s]+")
# Brackets a list may open inside itself (各县（市、区）政府, 各县﹝市、区﹞政府).
_OPENING, _CLOSING = "（(〔﹝", "）)〕﹞"
# The last agency of a flattened row is looked for this far (a longer shaped run is task text).
GLUED_LAST_MAX = 12
GLUED_LOOKAHEAD = 3  # characters a name may still run on by (网信办 after 市委)
# The lines rules' addressee_line can match: it is anchored at a line's start and at a colon ending it.
_COLONS = "：:"
_COLON_LINE_END = regex.compile(rf"[{_COLONS}][ \t\u3000]*$", regex.MULTILINE)


@dataclass(frozen=True)
class _Rules:
    parenthetical: regex.Pattern
    parenthetical_opening: str  # the chars every parenthetical opens with
    segment_sep: regex.Pattern
    list_sep: regex.Pattern
    conjunctions: regex.Pattern
    shared_prefixes: tuple[str, ...]
    shared_suffix: str
    next_item: regex.Pattern  # an item after a list, written without its prefix
    year: regex.Pattern
    level_prefix: regex.Pattern  # place + level word a later list item may leave out
    skippable: regex.Pattern  # list items that are no agency but do not void the list
    role_tail: regex.Pattern  # list + role word at the end of a segment
    role_word: regex.Pattern  # a role word anywhere
    role_of: dict[str, str]
    item_role: regex.Pattern  # a role word in brackets after one list item
    label: re.Pattern
    label_max: int  # the longest label word
    label_role: dict[str, str]
    label_end: regex.Pattern
    first_lead: regex.Pattern
    generic: regex.Pattern
    item_tail: regex.Pattern  # at the end of a list item
    item_note: regex.Pattern  # a bracketed note inside a list item (（…为牵头单位，下同）)
    agency_header: regex.Pattern  # a table column of agencies: an optional level and a label (省级牵头单位)
    division_header: regex.Pattern  # a table column of internal divisions (市卫健委内牵头处室)
    division_label: regex.Pattern  # a label whose list names divisions (牵头处室)
    addressee_line: regex.Pattern  # a notice's addressee line (各区卫生健康局、财政局，市医保中心：)
    glued_end: regex.Pattern  # end of the task sentence in a row flattened without separators
    glued_sep: regex.Pattern
    glued_next: regex.Pattern  # an agency starting right after another
    list_tail_at: regex.Pattern  # right after a list of mentions
    lead_in: regex.Pattern
    joiner: regex.Pattern
    time_prefix: regex.Pattern
    co_lead: regex.Pattern
    lead_word: regex.Pattern
    reject_after_list: regex.Pattern
    issuing_body: regex.Pattern
    by_agency: regex.Pattern
    by_agency_verbs: regex.Pattern
    formed_word: regex.Pattern
    clause_delims: regex.Pattern
    sentence_delims: regex.Pattern


@lru_cache(maxsize=1)
def _rules() -> _Rules:
    r = load_rules("responsibilities")
    words = sorted(r["role_words"], key=lambda w: len(w["word"]), reverse=True)
    labels = sorted(r["labels"], key=lambda w: len(w["word"]), reverse=True)
    word_alt = word_tree(w["word"] for w in words)
    return _Rules(
        parenthetical=regex.compile(r["parenthetical"]),
        parenthetical_opening=r["parenthetical_opening"],
        segment_sep=regex.compile(r["segment_separators"]),
        list_sep=regex.compile(r["list_separators"]),
        conjunctions=regex.compile(r["conjunctions"]),
        shared_prefixes=tuple(r["shared_prefixes"]),
        shared_suffix=r["shared_prefix_item_suffix"],
        next_item=regex.compile(f"(?:{r['list_separators']}|{r['conjunctions']})(\\p{{Han}}{{2,20}})"),
        year=regex.compile(r"\d{4}"),
        level_prefix=regex.compile(r["level_prefix"]),
        skippable=regex.compile(r["skippable_items"]),
        role_tail=regex.compile(f"^(?P<list>.+?)(?P<word>{word_tree((w['word'] for w in words), heads=True)})$"),
        role_word=regex.compile(word_alt),
        role_of={w["word"]: w["role"] for w in words},
        item_role=regex.compile(f"[（(](?P<word>{word_alt})[）)]$"),
        # Plain words: the stdlib re scans the text for them ~2x faster than regex.
        label=re.compile(f"(?P<label>{word_tree(w['word'] for w in labels)})[ \t]*[{_COLONS}]"),
        label_max=max(len(w["word"]) for w in labels),
        label_role={w["word"]: w["role"] for w in labels},
        label_end=regex.compile(r["label_list_end"]),
        first_lead=regex.compile(r["first_listed_leads"]),
        generic=regex.compile(r["generic_party"]),
        item_tail=regex.compile(r["item_tail"]),
        item_note=regex.compile(r["item_note"]),
        agency_header=regex.compile(f"{r['table_header_prefix']}({word_tree(w['word'] for w in labels)})"),
        division_header=regex.compile(r["division_header"]),
        division_label=regex.compile(r["division_label"]),
        addressee_line=regex.compile(r["addressee_line"], regex.MULTILINE),
        glued_end=regex.compile(r["glued_task_end"]),
        glued_sep=regex.compile(r["glued_item_separators"]),
        glued_next=regex.compile(r["glued_next_agency"]),
        list_tail_at=regex.compile(r["list_tail"]),
        lead_in=regex.compile(r["clause_lead_in"]),
        joiner=regex.compile(r["mention_joiners"]),
        time_prefix=regex.compile(r["clause_time_prefix"]),
        co_lead=regex.compile(r["co_lead_word"]),
        lead_word=regex.compile(r["lead_word"]),
        reject_after_list=regex.compile(r["clause_reject_after_list"]),
        issuing_body=regex.compile(r["issuing_body"]),
        by_agency=regex.compile(f"(?:{r['by_agency']})$"),
        by_agency_verbs=regex.compile(r["by_agency_verbs"]),
        formed_word=regex.compile(r["formed_word"]),
        clause_delims=regex.compile(r["clause_delimiters"]),
        sentence_delims=regex.compile(r["sentence_delimiters"]),
    )


@dataclass
class _Assignment:
    start: int  # quote span
    end: int
    agencies: list[tuple[str, str, str]]  # (agency as written, full name, role)
    clip: bool = False  # sentence-level: the quote stops where the next assignment starts


# ---------------------------------------------------------------- agency lists


def split_agency_list(items_text: str) -> list[str] | None:
    """Agencies of a "、"-separated list as written, generic parties dropped; None if an item is no
    agency (see split_agency_items)."""
    items = split_agency_items(items_text)
    return None if items is None else [written for written, _, _ in items]


def split_agency_items(items_text: str, divisions: bool = False) -> list[tuple[str, str, str | None]] | None:
    """(as written, full name, role stated in brackets) per agency of a list a role word or label
    governs: "省教育厅（牵头）" -> lead. None if an item is neither an agency nor a skippable party.

    The list vouches for its items, so a name outside the lexicon counts when it has an agency's shape
    (agency_shaped). A later item may leave out the prefix an earlier one carries (市发展改革委、
    科技局; 国务院人力资源社会保障行政部门、教育行政部门): it stays as written, and its full name
    (市科技局, 国务院教育行政部门) is what the document means. With ``divisions`` the list names a
    body's internal divisions (a 牵头处室 label or column): division_shaped items (种植业科) count too.
    """
    items = _agency_items(items_text, divisions)
    return None if items is None else list(items)


@lru_cache(maxsize=1 << 14)  # the same list of bodies recurs throughout a plan (a task table's column)
def _agency_items(items_text: str, divisions: bool) -> tuple[tuple[str, str, str | None], ...] | None:
    rules = _rules()
    out: list[tuple[str, str, str | None]] = []
    prefix = ""
    for raw in rules.list_sep.split(items_text):
        item = rules.item_note.sub("", raw).strip()
        tail = rules.item_tail.search(item)
        if tail and tail.start() > 0:
            item = item[: tail.start()]
        role = None
        if (mark := rules.item_role.search(item)) and mark.start() > 0:
            item, role = item[: mark.start()], rules.role_of[mark.group("word")]
        if not item:
            continue
        parts = _agency_parts(item, prefix, division_shaped if divisions else agency_shaped)
        if parts is None:
            # Generic parties (各地区), classes of places (县级市) and firms in the list are no agency.
            if rules.generic.search(item) or rules.skippable.search(item):
                continue
            return None
        for written, full in parts:
            prefix = _prefix_of(full) or prefix
            out.append((written, full, role))
    return tuple(out)


def _agency_parts(item: str, prefix: str, shaped=agency_shaped) -> list[tuple[str, str]] | None:
    """(as written, full name) of the agency (or agencies joined by 和/及) an item names, or None."""
    if shaped(item):
        # An item with no level of its own (科技局 after 市发展改革委) is read with the prefix.
        full = prefix + item if prefix and agency_level(item) == "unknown" and agency_shaped(prefix + item) else item
        return [(item, full)]
    if prefix and looks_like_agency(prefix + item):
        return [(item, prefix + item)]
    pieces = _rules().conjunctions.split(item)
    if len(pieces) > 1:
        # A generic party joined on (农业农村事务保障中心及相关业务处室) is left out.
        names = [_agency_parts(p, prefix, shaped) for p in pieces if p and not _rules().generic.search(p)]
        if all(names):
            return [n for ns in names for n in ns]
    return None


def _prefix_of(name: str) -> str:
    """Prefix a later list item may leave out: 国务院…部门 -> 国务院, (宁波)市发展改革委 -> (宁波)市."""
    m = _rules().level_prefix.match(name)
    return _national_prefix(name) or (m.group() if m else "")


def _national_prefix(name: str) -> str:
    """国务院 / 国家 of a "国务院…行政部门" name, whose prefix later items of a sentence leave out."""
    rules = _rules()
    for head in rules.shared_prefixes:
        if name.startswith(head) and name.endswith(rules.shared_suffix):
            return head
    return ""


# ---------------------------------------------------------------- parentheticals and labels


def _parse_parenthetical(body: str, listed_leads: bool) -> list[tuple[str, str]] | None:
    """(as written, full name, role) of "（…负责）"-style content, or None if it assigns nothing."""
    rules = _rules()
    pairs: list[tuple[str, str, str]] = []
    # A note bracketed inside an item holds separators of its own: out before splitting.
    body = rules.item_note.sub("", body)
    if not rules.role_word.search(body):
        return None  # no segment can end in a role word (most brackets are notes)
    for seg in rules.segment_sep.split(body):
        seg = seg.strip()
        m = rules.role_tail.match(seg)
        if not m:
            continue  # a note ("下同", "排在第一位的为牵头负责单位")
        items = split_agency_items(m.group("list"))
        if items is None:
            continue
        pairs += [(w, full, role or rules.role_of[m.group("word")]) for w, full, role in items]
    return _resolve_roles(pairs, listed_leads) if pairs else None


def _resolve_roles(
    pairs: list[tuple[str, str, str]], listed_leads: bool, generic_first: bool = False
) -> list[tuple[str, str, str]]:
    """Turn `listed` (plain 负责) into lead/support/responsible. Under the first-listed-leads
    convention a list whose first item is a generic party (市级有关部门，各区县政府) names no lead."""
    has_lead = any(role == LEAD for _, _, role in pairs)
    out = []
    for i, (name, full, role) in enumerate(pairs):
        if role == LISTED:
            if has_lead:
                role = SUPPORT
            elif listed_leads:
                role = LEAD if i == 0 and not generic_first else SUPPORT
            else:
                role = RESPONSIBLE
        out.append((name, full, role))
    return out


def _labelled(text: str, listed_leads: bool) -> list[_Assignment]:
    """"牵头单位：…；配合单位：…" blocks; consecutive labels form one assignment."""
    rules = _rules()
    found: list[_Assignment] = []
    labels_of: list[set[str]] = []  # labels of each assignment in found
    for m in _label_matches(text):
        end = _label_list_end(text, m.end())
        label = m.group("label")
        items = split_agency_items(text[m.end() : end].strip(" \t，,"), divisions=bool(rules.division_label.search(label)))
        if not items:
            continue
        pairs = [(w, full, role or rules.label_role[label]) for w, full, role in items]
        prev = found[-1] if found else None
        # Consecutive labels join while the quote stays within QUOTE_MAX_CHARS; on lines of their
        # own (牵头处室：…\n配合处室：…) only while the label is a new one (a second 牵头 line is a
        # second task).
        gap = text[prev.end : m.start()] if prev else "x"
        if (prev and end - prev.start <= QUOTE_MAX_CHARS and not gap.strip(" \t；;，,")
                or prev and not gap.strip() and label not in labels_of[-1] and end - prev.start <= QUOTE_MAX_CHARS):
            prev.agencies += pairs
            prev.end = end
            labels_of[-1].add(label)
        else:
            found.append(_Assignment(m.start(), end, pairs))
            labels_of.append({label})
    for a in found:
        a.agencies = _resolve_roles(a.agencies, listed_leads)
    return found


def _label_matches(text: str):
    """The matches of ``label`` in ``text``, as its finditer gives them. Each ends at a colon (a rare
    char, found by str.find) after a label word and blanks: searched only in the few chars before."""
    rules = _rules()
    end = 0  # of the last match: the next starts after it
    for i in char_offsets(text, _COLONS):
        word_end = i
        while word_end > end and text[word_end - 1] in " \t":
            word_end -= 1
        if m := rules.label.search(text, max(end, word_end - rules.label_max), i + 1):
            end = m.end()
            yield m


def _label_list_end(text: str, start: int) -> int:
    """Where a labelled list ends; a bracket it opened itself (各县（市、区）…) does not end it."""
    rules = _rules()
    pos = start
    limit = min(len(text), start + QUOTE_MAX_CHARS)  # a list runs no further (else: quadratic rescans)
    while end_m := rules.label_end.search(text, pos, limit):
        end = end_m.start()
        body = text[start:end]
        if text[end] in _CLOSING and sum(map(body.count, _OPENING)) > sum(map(body.count, _CLOSING)):
            pos = end + 1
            continue
        return end
    return limit


# ---------------------------------------------------------------- sentence-level


def _mention_lists(text: str, mentions: Sequence[AgencyMention]) -> list[list[AgencyMention]]:
    """Runs of mentions joined by 、/和/及 (one list each)."""
    rules = _rules()
    runs: list[list[AgencyMention]] = []
    for m in mentions:
        if runs and rules.joiner.match(text[runs[-1][-1].char_end : m.char_start]):
            runs[-1].append(m)
        else:
            runs.append([m])
    return runs


def _opens_clause(text: str, start: int, ref_year: int | None) -> int | None:
    """Start of the clause ``start`` opens (after an optional lead-in or time expression), else None.

    A clause dated before the plan's reference year narrates the past, it assigns nothing.
    """
    rules = _rules()
    cstart = clause_start(text, start, rules.clause_delims)
    gap = text[cstart:start].strip()
    if not gap or rules.lead_in.fullmatch(gap):
        return cstart
    if rules.time_prefix.fullmatch(gap):
        year = rules.year.match(gap)
        if year and ref_year is not None and int(year.group()) < ref_year:
            return None
        return cstart
    return None


def _extend_list(text: str, run_names: list[str], end: int) -> tuple[list[tuple[str, str]], int]:
    """Read on after a list of mentions over items written without their prefix; (as written, full).

    "国务院人力资源社会保障行政部门、教育行政部门" names 国务院教育行政部门: the agency
    finder sees only the first; a later item is accepted when prefix + item is an agency.
    """
    names = [(n, n) for n in run_names]
    prefix = _national_prefix(run_names[0])
    if not prefix:
        return names, end
    while True:
        m = _rules().next_item.match(text[end : end + 24])
        if not m:
            return names, end
        run = m.group(1)
        # Longest item that reads as an agency with the prefix.
        for n in range(len(run), 1, -1):
            if looks_like_agency(prefix + run[:n]):
                names.append((run[:n], prefix + run[:n]))
                end += m.start(1) + n
                break
        else:
            return names, end


def _sentences(text: str, mentions: Sequence[AgencyMention], ref_year: int | None) -> list[_Assignment]:
    rules = _rules()
    out: list[_Assignment] = []
    runs = _mention_lists(text, mentions)
    used: set[int] = set()
    for i, run in enumerate(runs):
        if i in used:
            continue
        names = [m.name for m in run]
        if all(rules.issuing_body.fullmatch(n) for n in names):
            continue
        cstart = _opens_clause(text, run[0].char_start, ref_year)
        # by_agency is anchored at the mention ($): look only at the few characters before it.
        if cstart is None and rules.by_agency.search(text, max(0, run[0].char_start - 8), run[0].char_start):
            if rules.by_agency_verbs.match(text, run[-1].char_end):
                cstart = clause_start(text, run[0].char_start, rules.clause_delims)
        if cstart is None:
            continue
        names, after = _extend_list(text, names, run[-1].char_end)
        tail = rules.list_tail_at.match(text, after)
        if tail:
            after = tail.end()
        if rules.reject_after_list.match(text, after):
            continue
        # The sentence is looked for within QUOTE_MAX_CHARS: a text without delimiters would make
        # every assignment scan (and quote) the rest of it.
        limit = min(len(text), after + QUOTE_MAX_CHARS)
        stop = rules.sentence_delims.search(text, after, limit)
        send = stop.start() if stop else limit
        clause_end = rules.clause_delims.search(text, after, limit)
        clause_end = clause_end.start() if clause_end else limit
        role = RESPONSIBLE
        pairs: list[tuple[str, str, str]] = []
        co = rules.co_lead.match(text, after)
        nxt = runs[i + 1] if i + 1 < len(runs) else None
        if co:
            role = LEAD
            if nxt and nxt[0].char_start == co.end():
                used.add(i + 1)
                pairs = [(m.name, m.name, SUPPORT) for m in nxt]
        elif rules.lead_word.search(text, after, clause_end):
            role = LEAD
        # "由A、B组成X": X follows 组成 directly.
        formed = rules.formed_word.search(text, after, nxt[0].char_start) if nxt else None
        if formed and nxt[0].char_start == formed.end():
            used.add(i + 1)
            pairs = [(m.name, m.name, RESPONSIBLE) for m in nxt]
        cstart, send = cap_span(cstart, send, run[0].char_start, after)
        out.append(_Assignment(cstart, send, [(w, full, role) for w, full in names] + pairs, clip=True))
    return out


# ---------------------------------------------------------------- tables


def agency_rows(text: str, tables: Sequence[Table]) -> list[tuple[dict[int, str], list[tuple[int, str, int]]]]:
    """Per data row of a table with 牵头单位 / 责任单位 / 配合单位 columns: ({column: role},
    [(column, cell, offset)] of its non-empty agency cells). Read for the vouched agency spans and
    again for the assignments: found once, passed to both (``rows``)."""
    return list(_agency_rows(text, tables))


def _agency_rows(text: str, tables: Sequence[Table]):
    rules = _rules()
    labels, header = rules.label_role, rules.agency_header
    for table in tables:
        cols = {i: labels[m.group(1)] for i, h in enumerate(table.header) if (m := header.fullmatch(h.strip()))}
        if not cols:
            continue
        other = [i for i in range(len(table.header)) if i not in cols]
        for row, other_cells in zip(column_cells(text, table, list(cols)), column_cells(text, table, other)):
            if not row and (glued := _glued_row(other_cells, sorted(cols))):
                # Columns run together in one cell: the agency cells are read back from its text.
                row = glued
            yield cols, row


def _tables(rows, listed_leads: bool) -> list[_Assignment]:
    """Task-table rows with 牵头单位 / 责任单位 / 配合单位 columns (``rows``: agency_rows)."""
    out: list[_Assignment] = []
    for cols, row in rows:
        pairs, span = [], None
        generic_first = bool(row) and _starts_generic(row[0][1])
        for i, cell, at in row:
            items = split_agency_items(_CELL_SEPARATORS.sub("、", cell))
            if not items:
                continue
            span = (at, at + len(cell)) if span is None else (min(span[0], at), max(span[1], at + len(cell)))
            pairs += [(w, full, item_role or cols[i]) for w, full, item_role in items]
        if pairs and span:
            out.append(_Assignment(span[0], span[1], _resolve_roles(pairs, listed_leads, generic_first)))
    return out


def vouched_agency_spans(text: str, tables: Sequence[Table], rows=None) -> list[tuple[int, int]]:
    """Spans of the bodies a position vouches for, as written, so that find_agency_mentions takes
    them (``vouched``) even outside the lexicon: the items of task tables' agency cells and of their
    division cells (市卫健委内牵头处室: 基层处), and of a notice's addressee line. ``rows``: the
    tables' agency_rows, if found already."""
    out = []
    for _, row in agency_rows(text, tables) if rows is None else rows:
        for _, cell, at in row:
            out += _item_spans(_CELL_SEPARATORS.sub("、", cell), at)
    division = _rules().division_header
    for table in tables:
        cols = [i for i, h in enumerate(table.header) if division.fullmatch(h.strip())]
        for row in column_cells(text, table, cols) if cols else ():
            for _, cell, at in row:
                out += _item_spans(_CELL_SEPARATORS.sub("、", cell), at, divisions=True)
    addressee = _rules().addressee_line
    for colon in finditer_opening(_COLON_LINE_END, text, _COLONS):
        if m := addressee.match(text, text.rfind("\n", 0, colon.start()) + 1):
            out += _item_spans(m.group("list"), m.start("list"), whole=True)
    return out


def _item_spans(items_text: str, at: int, whole: bool = False, divisions: bool = False) -> list[tuple[int, int]]:
    """Spans (offset ``at``) of the agencies of a list as written (``items_text`` keeps the length
    of the text it stands for); with ``whole``, none unless every item is an agency or a skippable
    party and one at least an agency."""
    items = split_agency_items(items_text, divisions) or []
    if whole and (not items or not _rules().list_sep.search(items_text) and not items_text.startswith("各")):
        return []
    out, pos = [], 0
    for written, _, _ in items:
        found = items_text.find(written, pos)
        if found >= 0:
            out.append((at + found, at + found + len(written)))
            pos = found + len(written)
    return out


def _starts_generic(cell: str) -> bool:
    """Is the first item of an agency cell a generic party (市级有关单位) rather than an agency?"""
    rules = _rules()
    first = rules.list_sep.split(_CELL_SEPARATORS.sub("、", cell.strip()))[0].strip()
    return bool(first) and bool(rules.generic.search(first)) and not agency_shaped(first)


def _glued_row(cells: list[tuple[int, str, int]], agency_cols: list[int]):
    """(column, cell, offset) of the agency cells of a row whose columns ran together into one cell
    ("建设平凉市云服务大数据中心。市工信局市委网信办、市发改委初步建成…"), else None.

    The agency run opens right after a task sentence ends; items joined by a separator share a cell,
    an agency directly followed by another closes it; the run ends at the first item no agency.
    """
    rules = _rules()
    for _, cell, at in cells:
        mentions = None  # found once per cell, when a task sentence ends in it
        for stop in rules.glued_end.finditer(cell):
            if mentions is None:
                mentions = {m.char_start: m.char_end for m in find_agency_mentions(cell, "", use_ner=False)}
            groups = _glued_agencies(cell, stop.end(), mentions)
            if groups:
                out = []
                for n, (s, e) in enumerate(groups):
                    col = agency_cols[min(n, len(agency_cols) - 1)]
                    if n >= len(agency_cols):  # more runs than columns: the last column takes them
                        col, _, s0 = out.pop()
                        s = s0 - at
                    out.append((col, cell[s:e], at + s))
                return out
    return None


def _glued_agencies(cell: str, start: int, mentions: dict[int, int]) -> list[tuple[int, int]]:
    """Spans (in ``cell``) of the runs of agencies from ``start``, one run per flattened cell
    (``mentions``: the cell's agency mentions, start -> end)."""
    rules = _rules()
    groups: list[tuple[int, int]] = []
    p, run_start, joined = start, start, False
    while p < len(cell):
        e = _glued_item_end(cell, p, mentions)
        if e is None:
            break
        if groups and not joined:
            groups.append((p, e))
        elif groups:
            groups[-1] = (groups[-1][0], e)
        else:
            groups.append((p, e))
        sep = rules.glued_sep.match(cell, e)
        if not sep and not rules.glued_next.match(cell, e):
            break  # the next column's text (年度目标) follows
        joined = bool(sep)
        p = sep.end() if sep else e
    return [g for g in groups if split_agency_items(cell[g[0] : g[1]])]


def _glued_item_end(cell: str, p: int, mentions: dict[int, int]) -> int | None:
    """End of the agency starting at ``p``: the shortest agency-shaped text followed by a separator,
    the cell's end or another agency; else see below; None if no agency starts at p."""
    rules = _rules()
    for e in range(p + 2, min(len(cell), p + 20) + 1):
        name = cell[p:e]
        if not agency_shaped(name):
            continue
        if e == len(cell) or rules.glued_sep.match(cell, e):
            return e
        nxt = rules.glued_next.match(cell, e)
        if nxt and _glued_item_end_strict(cell, e, mentions):
            return e
    # The last agency, run into the next column's text (年度目标): the shortest agency-shaped start
    # that no longer name or generic party (市委 of 市委网信办, 市政府 of 市政府有关部门) continues.
    for e in range(p + 2, min(len(cell), p + GLUED_LAST_MAX) + 1):
        if agency_shaped(cell[p:e]) and not any(
            agency_shaped(cell[p:e2]) or rules.generic.search(cell[p:e2])
            for e2 in range(e + 1, min(len(cell), e + GLUED_LOOKAHEAD) + 1)
        ):
            return e
    # A mention found there (the agency finder may run a name on into the task text: last resort).
    return mentions.get(p)


def _glued_item_end_strict(cell: str, p: int, mentions: dict[int, int]) -> bool:
    """Does an agency start at ``p`` (a mention, or agency-shaped text up to a separator or the end)?"""
    if p in mentions:
        return True
    for e in range(p + 2, min(len(cell), p + 20) + 1):
        if agency_shaped(cell[p:e]) and (e == len(cell) or _rules().glued_sep.match(cell, e)):
            return True
    return False


# ---------------------------------------------------------------- entry point


def _repeats_body(text: str, a: _Assignment, table_spans: list[tuple[int, int]]) -> bool:
    """Is ``a`` inside one of ``table_spans`` and its text written before, outside that table?"""
    for start, end in table_spans:
        if start <= a.start < end:
            # Cells are joined by tabs in the text: the quote may open in the cell before.
            cell_text = regex.split(r"[\t\n]", text[a.start : a.end])[-1]
            return len(cell_text) > 1 and text.find(cell_text, 0, start) >= 0
    return False


def _one_lead(pairs: list[tuple[str, str, str]]) -> list[tuple[str, str, str]]:
    """An assignment has one lead, the first-listed of its 牵头 agencies (牵头单位：A、B; A、B牵头):
    plans list the principal lead first (列第一位者为牵头单位), so later ones are co-leads."""
    out, seen = [], False
    for name, full, role in pairs:
        if role == LEAD:
            role, seen = (CO_LEAD if seen else LEAD), True
        out.append((name, full, role))
    return out


def find_responsibilities(
    text: str,
    doc_id: str,
    measures: list[Measure],
    tables: list[Table],
    mentions: Sequence[AgencyMention] | None = None,
    ref_year=FROM_TEXT,
    rows=None,
) -> list[Responsibility]:
    """One row per agency per assignment, assignments in text order.

    ``mentions`` (agency mentions of ``text``), ``ref_year`` (the plan's reference year) and ``rows``
    (the tables' agency_rows) may be passed to avoid finding them twice.
    """
    rules = _rules()
    convention = rules.first_lead.search(text)
    conv_at = convention.start() if convention else len(text)

    found: list[_Assignment] = []
    for m in finditer_opening(rules.parenthetical, text, rules.parenthetical_opening):
        # The convention note may sit inside the first list it applies to.
        pairs = _parse_parenthetical(m.group("body"), listed_leads=m.end() > conv_at)
        if pairs:
            found.append(_Assignment(m.start(), m.end(), pairs))
    taken = span_set([(a.start, a.end) for a in found])
    for a in _labelled(text, listed_leads=convention is not None):
        if a.start not in taken:
            found.append(a)
    if mentions is None:
        mentions = find_agency_mentions(text, doc_id, use_ner=False)
    taken = span_set([(a.start, a.end) for a in found])
    free = [m for m in mentions if m.char_start not in taken]
    if ref_year is FROM_TEXT:
        ref_year = reference_year(text)
    from_tables = _tables(agency_rows(text, tables) if rows is None else rows, listed_leads=convention is not None)
    # An agency cell of a task table is read once, as the table's assignment, not again as a sentence;
    # nor is a content cell that repeats the body's "由X负责…" verbatim (the row has its columns).
    in_cells = span_set([(a.start, a.end) for a in from_tables])
    cell_starts = sorted(a.start for a in from_tables)  # bisected per table: a scan per table was quadratic
    task_spans = [(t.char_start, t.char_end) for t in tables
                  if bisect.bisect_left(cell_starts, t.char_start) < bisect.bisect_left(cell_starts, t.char_end)]
    found += [a for a in _sentences(text, free, ref_year)
              if a.start not in in_cells and not _repeats_body(text, a, task_spans)]
    found += from_tables
    found.sort(key=lambda a: a.start)
    for a, nxt in zip(found, found[1:]):
        if a.clip and nxt.start < a.end:
            cut_end, a.end = a.end, nxt.start
            while a.end > a.start and (text[a.end - 1].isspace() or rules.clause_delims.match(text, a.end - 1)):
                a.end -= 1
            # An agency named only in the part cut off belongs to the next assignment, not to this quote.
            kept = text[a.start : a.end]
            a.agencies = [p for p in a.agencies if p[0] in kept or p[0] not in text[a.end : cut_end]]
    found = [a for a in found if a.end > a.start and a.agencies]

    out: list[Responsibility] = []
    measure_index = SpanIndex(measures)
    for n, a in enumerate(found, start=1):
        mid = measure_id_at(measure_index, a.start)
        rows = zip(_one_lead(a.agencies), _row_spans(text, a))
        for pos, ((agency, full, role), (start, end)) in enumerate(rows):
            out.append(
                Responsibility(
                    doc_id=doc_id,
                    assignment_id=f"{doc_id}-as{n:04d}",
                    measure_id=mid,
                    agency=agency,
                    canonical_name=canonical_name(full),
                    role=role,
                    position=pos,
                    quote=text[start:end],
                    char_start=start,
                    char_end=end,
                )
            )
    return out


def _row_spans(text: str, a: _Assignment) -> list[tuple[int, int]]:
    """Each agency row's quote: the assignment's span, or, for one longer than QUOTE_MAX_CHARS (a
    bracket or list of dozens of agencies), the QUOTE_MAX_CHARS around that row's agency."""
    if a.end - a.start <= QUOTE_MAX_CHARS:
        return [(a.start, a.end)] * len(a.agencies)
    spans, pos = [], a.start
    for agency, _, _ in a.agencies:
        # In list order, each near the one before (a list cut by cap_span may run past a.end).
        at = text.find(agency, pos, pos + QUOTE_MAX_CHARS + len(agency)) if agency else -1
        if at < 0:
            near = min(pos, a.end)
            spans.append(cap_span(a.start, a.end, near, near))
            continue
        pos = at + len(agency)
        spans.append(cap_span(min(a.start, at), max(a.end, pos), at, pos))
    return spans
