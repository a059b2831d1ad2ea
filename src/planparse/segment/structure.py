"""Headings and measures: the document tree built from numbered paragraphs.

Levels are decided per document from the order in which numbering styles appear (a stack of
styles: a style seen before closes everything below it, a new style opens a level).
"""

from __future__ import annotations

import bisect
from dataclasses import dataclass
from functools import lru_cache
from typing import Callable, NamedTuple

import regex

from planparse.models import Measure, Section, Table
from planparse.numerals import cn_int
from planparse.spans import SpanIndex
from planparse.rules_loader import load_rules, opening_test
from planparse.segment import Structure
from planparse.segment.tables import find_tables

# One-line crawler bodies are searched for headings inside the line beyond this length.
_INLINE_SEARCH_MIN_CHARS = 300
# The end of a title sentence.
_TITLE_STOP = regex.compile(r"[。！？]")


@dataclass(slots=True)
class Unit:
    """A paragraph: a line of the cleaned text, or a piece of an over-long line."""

    start: int
    end: int
    read: bool = False  # _units has already asked _style_at at start, and style is its answer
    style: str | None = None


@dataclass
class Candidate:
    style: str
    label: str
    number: int | None
    start: int
    unit_end: int
    title: str | None
    title_end: int
    has_body: bool
    title_stop: bool = False  # the title ends with 。！？
    body_after: int = 0  # unnumbered paragraphs after its own before the next label (counted to 2)
    depth: int = 0
    kind: str = ""  # heading / measure / "" (a numbered paragraph that is neither)
    level: int = 0
    styled: bool = False  # it opens a paragraph the source styles as a heading (Word heading style, <h1>-<h6>)


class _Rules(NamedTuple):
    raw: dict  # rules/headings.yaml as loaded
    styles: dict[str, regex.Pattern]  # style name -> label at a paragraph start
    inline: regex.Pattern  # a label after a sentence end, inside a one-line body (group label)
    notes: regex.Pattern  # the line opening a block of notes
    attachments: regex.Pattern  # the line opening a list of attachments (附件：1.…)
    after_title: regex.Pattern  # a label a short heading runs into, inside one-line text
    paragraph_mark: regex.Pattern  # the indent that starts a paragraph inside a one-line body
    # Any style's label (their alternation, one group per style, in order): most paragraphs open
    # with none, and one match tells, where trying the styles one by one takes ten; the group that
    # matched (lastindex) names the first style that would (see _style_at) and holds its numeral.
    # Groups by number: regex looks a group name up slowly (0.4 us, a match of "1." 1 us).
    any_style: regex.Pattern | None = None
    style_groups: dict[int, tuple[str, int]] | None = None  # group -> (style, group of its numeral)
    # Whether a label, a notes opener or a list of attachments can open with a character (most lines
    # open with none: a cached lookup instead of a regex call; rules_loader.opening_test).
    opens_label: Callable[[str], bool] | None = None
    opens_notes: Callable[[str], bool] | None = None
    opens_attachments: Callable[[str], bool] | None = None


@lru_cache(maxsize=1)
def _rules() -> _Rules:
    rules = load_rules("headings")
    cn = rules["numerals"]
    styles = {name: regex.compile(r"\s*(?:" + p.format(cn=cn) + r")\s*") for name, p in rules["styles"].items()}
    # The punctuation, then the label in a lookahead: the engine skips to the punctuation, where a
    # lookbehind before the label was tried at every position (see _inline_labels).
    inline = regex.compile(
        r"[。；！？）)：:](?=(?P<label>"
        + "|".join(p.format(cn=cn) for name, p in rules["styles"].items() if name not in rules["line_start_only"])
        + "))"
    )
    # a notes opener alone on its line, or followed by the first numbered note (注：1.…)
    notes = regex.compile(
        r"\s*(?:" + "|".join(rules["notes_openers"]) + r")\s*[:：]?\s*(?:$|(?=[（(]?\d{1,2}\s*[.．、)）]))"
    )
    # Inside one-line text a short heading runs straight into the next label: split before it.
    after_title = regex.compile(
        "|".join(rules["styles"][name].format(cn=cn) for name in rules["inline_after_title"])
    )
    attachments = regex.compile(r"\s*(?:" + rules["attachment_list"] + r")\s*(?=$|[（(]?\d{1,2}\s*[.．、)）])")
    any_style = regex.compile(r"\s*(?:" + "|".join(
        f"(?P<s{k}>{p.format(cn=cn)})".replace("(?P<n>", f"(?P<n{k}>") for k, p in enumerate(rules["styles"].values())) + ")")
    index = any_style.groupindex
    groups = {index[f"s{k}"]: (name, index[f"n{k}"]) for k, name in enumerate(rules["styles"])}
    return _Rules(rules, styles, inline, notes, attachments, after_title, regex.compile(rules["paragraph_mark"]),
                  any_style, groups, opening_test(any_style), opening_test(notes), opening_test(attachments))


def _style_at(text: str, pos: int, end: int) -> str | None:
    """The first style (in rule order) whose label matches at ``pos``, as trying them in turn finds it."""
    return _style_of(_any_label(text, pos, end))


def _style_of(m: regex.Match | None) -> str | None:
    return _rules().style_groups[m.lastindex][0] if m else None


def _any_label(text: str, pos: int, end: int) -> regex.Match | None:
    """The any_style match at ``pos``, asked only when the character there can open a label."""
    rules = _rules()
    if pos < end and not rules.opens_label(text[pos]):
        return None
    return rules.any_style.match(text, pos, end)


def build_structure(
    text: str, doc_id: str, tables: list | None = None, styled: list[tuple[int, int]] | None = None
) -> Structure:
    """``tables``: the document's tables when a reader gave them (segment/blocks.py), else found here.
    ``styled``: (start, end) of the paragraphs the source styles as headings (Word heading styles,
    ``<h1>``-``<h6>``)."""
    rules = _rules().raw
    blocks = find_tables(text) if tables is None else tables
    # group rows of a table (一、… over its rows) are headings of the document: they stay units
    groups = {start for b in blocks for start, _ in b.group_spans}
    units = _units(text, [(b.char_start, b.char_end) for b in blocks], groups)
    candidates = _candidates(text, units)
    if styled:
        _mark_styled(text, candidates, styled)
    for cand, depth in zip(candidates, _style_depths([c.style for c in candidates])):
        cand.depth = depth
    _mark_body_after(text, candidates)
    _classify(candidates, rules)
    headings = [c for c in candidates if c.kind == "heading"]
    for head, depth in zip(headings, _style_depths([h.style for h in headings])):
        head.level = depth + 1
    sections = _sections(text, doc_id, headings)
    measures = _measures(text, doc_id, candidates, sections, [b.char_start for b in blocks])
    tables, row_spans = _tables(doc_id, blocks, sections)
    structure = Structure(
        sections=sections,
        measures=measures,
        tables=tables,
        row_spans=row_spans,
    )
    if not sections and not measures and not tables:
        structure.warnings.append("no structure found: no headings, numbered measures or tables")
    structure.warnings += [w for b in blocks for w in b.warnings]
    return structure


def _units(text: str, excluded: list[tuple[int, int]], kept: set[int] = frozenset()) -> list[Unit]:
    """The paragraphs of the text outside the ``excluded`` spans (tables), but for lines starting at
    ``kept`` offsets."""
    rules = _rules()
    # Lines come in order: walk the table spans (merged) along with them instead of a search per line.
    spans = _merged(excluded)
    k = 0
    title_window = rules.raw["max_title_chars"] + 20
    units: list[Unit] = []
    in_notes = False
    notes_style = None
    attachment: int | None = None  # inside a list of attachments: the number of its last entry
    last: dict[str, int] = {}  # the last number seen of each numbering style
    next_start = 0
    for line in text.split("\n"):  # the lines and their offsets, as a finditer of [^\n]+ gave them
        start, end = next_start, next_start + len(line)
        next_start = end + 1
        if not line:
            continue
        if rules.opens_attachments(line[0]) and (listed := rules.attachments.match(line)):
            entry = _label_at(text, start + listed.end(), end)
            attachment = entry[1] if entry else 0  # the last entry of the list of attachments
            continue
        while k < len(spans) and spans[k][1] <= start:
            k += 1
        if k < len(spans) and spans[k][0] <= start and start not in kept:
            continue
        own_at = start + len(line) - len(line.lstrip())
        own_match = _any_label(text, own_at, end)
        own = _label_of(own_match)
        if attachment is not None:
            if own and own[1] == attachment + 1:
                attachment = own[1]
                continue
            attachment = None
        if rules.opens_notes(line[0]) and (notes := rules.notes.match(line)):
            in_notes = True
            noted = _label_at(text, start + notes.end(), end)
            notes_style = noted[0] if noted else None  # the notes' own numbering (注：1.…2.…)
        if in_notes:
            # Footnotes run to the end of the document, the next chapter-like heading, or a label
            # that goes on with a count of the text before them (…（二）…注：1.…（三）…).
            if _is_top_heading(line) or (
                own and own[0] != notes_style and own[0] in last and own[1] == last[own[0]] + 1
            ):
                in_notes = False
            else:
                continue
        if own:
            last[own[0]] = own[1]
        if end - start < _INLINE_SEARCH_MIN_CHARS:
            # A shorter line is cut only at a label that goes on with its style's count (…负责）（二）…)
            # or opens a list after a colon (具体措施：1．…2．…).
            cuts = [start]
            for at in _inline_labels(text, start, end):
                label = own if at == own_at else _label_at(text, at, end)  # the line's own: read once
                if label and (label[1] == last.get(label[0], 0) + 1 and label[0] in last
                              or label[1] == 1 and text[at - 1] in "：:"):
                    last[label[0]] = label[1]
                    cuts.append(at)
            if len(cuts) == 1:
                # a whole line: its label, read above, is the one _candidates asks for
                units.append(Unit(start, end, True, _style_of(own_match)) if own_at == start else Unit(start, end))
            else:
                units.extend(Unit(a, b) for a, b in zip(cuts, cuts[1:] + [end]))
            continue
        labels = _inline_labels(text, start, end)
        marks = [m.end() for m in rules.paragraph_mark.finditer(text, start, end)]
        cuts = [start] + sorted(set(labels + marks)) + [end]
        for piece_start, piece_end in zip(cuts, cuts[1:]):
            units.extend(_split_after_title(text, piece_start, piece_end, rules, title_window))
    return units


def _inline_labels(text: str, start: int, end: int) -> list[int]:
    """Where labels start after a sentence end in text[start:end], as a search for the label behind
    its punctuation finds them: one after another, none inside the one before."""
    found: list[int] = []
    after = start
    for m in _rules().inline.finditer(text, start, end):
        if m.start("label") >= after:
            found.append(m.start("label"))
            after = m.end("label")
    return found


def _merged(spans: list[tuple[int, int]]) -> list[list[int]]:
    """Sorted, disjoint spans holding the same offsets."""
    merged: list[list[int]] = []
    for start, end in sorted(spans):
        if merged and start <= merged[-1][1]:
            merged[-1][1] = max(merged[-1][1], end)
        else:
            merged.append([start, end])
    return merged


def _label_at(text: str, pos: int, end: int) -> tuple[str, int] | None:
    """(style, number) of the label at ``pos``, if one starts there."""
    return _label_of(_any_label(text, pos, end))


def _label_of(m: regex.Match | None) -> tuple[str, int] | None:
    if m is None:
        return None
    style, numeral = _rules().style_groups[m.lastindex]
    number = _number(m[numeral])  # the style's own pattern reads the same numeral
    return (style, number) if number is not None else None


def _split_after_title(text: str, start: int, end: int, rules: _Rules, window: int) -> list[Unit]:
    """Split 一、总体要求（一）指导思想。… into the heading and what follows it."""
    units = []
    while True:
        style = _style_at(text, start, end)
        label = rules.styles[style].match(text, start, end) if style else None
        if not label:
            break
        limit = min(end, label.end() + window)
        stop = _TITLE_STOP.search(text, label.end(), limit)
        nxt = rules.after_title.search(text, label.end() + 1, stop.start() if stop else limit)
        if not nxt:
            break
        units.append(Unit(start, nxt.start()))
        start = nxt.start()
    units.append(Unit(start, end))
    return units


def starts_with_numbering(line: str) -> bool:
    """Does the line open with a heading or item label of any style?"""
    rules = _rules()
    return (not line or rules.opens_label(line[0])) and rules.any_style.match(line) is not None


def _is_top_heading(line: str) -> bool:
    styles = _rules().styles
    return any(styles[s].match(line) for s in ("chapter", "cn_comma"))


def _candidates(text: str, units: list[Unit]) -> list[Candidate]:
    styles = _rules().styles
    max_title = _rules().raw["max_title_chars"]
    found: list[Candidate] = []
    for unit in units:
        first = unit.style if unit.read else _style_at(text, unit.start, unit.end)
        if first is None:
            continue
        # any_style matched this style's pattern here, so its own pattern (the same, with trailing
        # spaces) matches too: it gives the label's end.
        match = styles[first].match(text, unit.start, unit.end)
        rest_start = match.end()
        rest = text[rest_start : unit.end]
        if not rest.strip():
            continue
        title, title_len, has_body = _title(rest, first, max_title)
        stop_at = rest_start + title_len
        found.append(
            Candidate(
                style=first,
                label=text[match.start() : match.end()].strip(),
                number=_number(match.group("n")),
                # the record starts at its label, not at the indent before it
                start=match.start() + len(match.group()) - len(match.group().lstrip()),
                unit_end=unit.end,
                title=title,
                title_end=rest_start + title_len,
                has_body=has_body,
                title_stop=title is not None and text[stop_at : stop_at + 1] in ("。", "！", "？"),
            )
        )
    return found


def _mark_styled(text: str, candidates: list[Candidate], styled: list[tuple[int, int]]) -> None:
    """The first label of each heading-styled paragraph is styled; a styled heading's title is its
    whole paragraph (a heading may be longer than a measure's title sentence)."""
    starts = [start for start, _ in styled]
    for cand in candidates:
        k = bisect.bisect_right(starts, cand.start) - 1
        if k < 0 or text[starts[k] : cand.start].strip():
            continue  # no styled paragraph, or the label is not at its start
        cand.styled = True
        if cand.title is None:  # title_end is where the label ends
            end = _rstrip_end(text, min(cand.unit_end, styled[k][1]))
            cand.title, cand.title_end, cand.has_body = text[cand.title_end : end].strip(), end, False


def _title(rest: str, style: str, max_title: int) -> tuple[str | None, int, bool]:
    """(title, its length in ``rest``, whether body text follows on the same paragraph)."""
    stop = _TITLE_STOP.search(rest)
    if stop and stop.start() <= max_title:
        title = rest[: stop.start()].strip()
        return title, stop.start(), bool(rest[stop.end() :].strip())
    if style in ("chapter", "section") or (not stop and len(rest) <= max_title + 20):
        title = rest.strip().rstrip("：:")
        return title, len(rest.rstrip()), False
    return None, 0, True


@lru_cache(maxsize=1024)  # keyed on a label's numeral (一, 十二, 3): cn2an is slow and labels repeat
def _number(numeral: str) -> int | None:
    if len(numeral) == 1 and "①" <= numeral <= "⑳":
        return ord(numeral) - ord("①") + 1
    try:
        return cn_int(numeral)
    except (ValueError, KeyError):
        return None


def _style_depths(styles: list[str]) -> list[int]:
    """Nesting depth of each label: a style seen before closes the levels below it, a new one opens a level."""
    stack: list[str] = []
    depths = []
    for style in styles:
        if style in stack:
            del stack[stack.index(style) + 1 :]
        else:
            stack.append(style)
        depths.append(len(stack) - 1)
    return depths


_PARAGRAPH = regex.compile(r"[^\S\n]*\S[^\n]*")


def _mark_body_after(text: str, candidates: list[Candidate]) -> None:
    """How many body paragraphs follow each label's own before the next label, counted up to 2
    (linear: the gaps between labels are disjoint)."""
    for cand, nxt in zip(candidates, candidates[1:] + [None]):
        end = nxt.start if nxt else len(text)
        n = 0
        for _ in _PARAGRAPH.finditer(text, cand.unit_end, max(cand.unit_end, end)):
            n += 1
            if n == 2:
                break
        cand.body_after = n


def _heading_styles(candidates: list[Candidate]) -> set[str]:
    """Numbering styles that are heading levels in this document: at least half of their titled
    items head a block, i.e. their title stands alone on its line and numbered items or two or
    more body paragraphs follow it (one paragraph under a title line is the item's own body), or
    the source styles them as headings."""
    votes: dict[str, list[int]] = {}
    for i, cand in enumerate(candidates):
        if cand.title is None:
            continue
        heads = cand.styled or not cand.has_body and (cand.body_after >= 2 or _has_children(candidates, i))
        tally = votes.setdefault(cand.style, [0, 0])
        tally[0] += heads
        tally[1] += 1
    return {style for style, (heads, total) in votes.items() if heads * 2 >= total and heads}


def _classify(candidates: list[Candidate], rules: dict) -> None:
    general = set(rules["general_titles"])
    non_task = set(rules["non_task_parents"])
    heading_only = set(rules["heading_only"])
    heading_levels = _heading_styles(candidates)
    parents: list[Candidate] = []  # enclosing headings, outermost first
    groups: dict[tuple, list[int]] = {}  # same-style items under the same heading: one list
    for i, cand in enumerate(candidates):
        while parents and parents[-1].depth >= cand.depth:
            parents.pop()
        groups.setdefault((parents[-1].start if parents else -1, cand.depth, cand.style), []).append(i)
        if cand.title is None:
            continue
        has_children = _has_children(candidates, i)
        # A title sentence with body text after it is a measure even when sub-items follow it;
        # a title alone on its line, in a style that heads blocks in this document, is a heading.
        if (
            cand.styled  # the author marked it a heading (Word heading style, <h1>-<h6>)
            or cand.style in heading_only
            or (has_children and not cand.has_body)
            or cand.title in general
            or (cand.style in heading_levels and not cand.has_body and (cand.body_after or not cand.title_stop))
            # (in a heading style, a title line with body paragraphs, or a bare title, heads a block)
        ):
            cand.kind = "heading"
        elif parents and parents[-1].title in non_task:
            cand.kind = ""
        elif cand.depth == 0 and not cand.has_body:
            cand.kind = "heading"
        elif not cand.has_body and not cand.title_stop and _sibling_is_heading(candidates, i):
            # a bare title (no 。, no body) whose same-style sibling heads a section is a heading too
            cand.kind = "heading"
        else:
            cand.kind = "measure"
        if cand.kind == "heading":
            parents.append(cand)
    by_start = {c.start: c for c in candidates if c.kind == "heading"}
    for (parent, _, _), members in groups.items():
        if parent < 0 or by_start[parent].title not in non_task:  # items under 基本原则 stay neither
            _decide_list(candidates, members)


def _decide_list(candidates: list[Candidate], members: list[int]) -> None:
    """Heading or measure is decided for a list, not item by item: in a list of headings a bare
    title (no 。, no body on its line) is a heading too, wherever it stands; in a list of measures,
    or of provisions none of which has a title sentence (一、对…，…。（X负责）), an item whose first
    sentence is too long for a title is a measure as well (with no title)."""
    items = [candidates[i] for i in members]
    if any(c.kind == "heading" for c in items):
        for c in items:
            if c.kind == "measure" and not c.has_body and not c.title_stop:
                c.kind = "heading"
        return
    if not any(c.kind == "measure" for c in items) and any(c.title is not None for c in items):
        return  # a list of neither (items under 基本原则 and the like)
    for i in members:
        c = candidates[i]
        if c.title is None and c.style not in _rules().raw["heading_only"] and not _has_children(candidates, i):
            c.kind, c.title = "measure", ""


def _sibling_is_heading(candidates: list[Candidate], i: int) -> bool:
    """Is the previous label of the same style under the same parent a heading?"""
    cand = candidates[i]
    for earlier in (candidates[k] for k in range(i - 1, -1, -1)):
        if earlier.depth < cand.depth:
            return False
        if earlier.depth == cand.depth and earlier.title is not None:
            return earlier.style == cand.style and earlier.kind == "heading"
    return False


def _has_children(candidates: list[Candidate], i: int) -> bool:
    depth = candidates[i].depth
    for later in (candidates[k] for k in range(i + 1, len(candidates))):
        if later.depth <= depth:
            return False
        if later.title is not None:
            return True
    return False


_TRAILING_SPACE = regex.compile(r"\s+", regex.REVERSE)


def _rstrip_end(text: str, end: int) -> int:
    """``len(text[:end].rstrip())`` without copying the text (that was quadratic on long documents)."""
    m = _TRAILING_SPACE.match(text, 0, end)
    return m.start() if m else end


def _sections(text: str, doc_id: str, headings: list[Candidate]) -> list[Section]:
    end_of_text = len(text.rstrip())
    sections: list[Section] = []
    open_sections: list[Section] = []
    for n, head in enumerate(headings):
        end = end_of_text
        for later in (headings[k] for k in range(n + 1, len(headings))):
            if later.level <= head.level:
                end = later.start
                break
        end = _rstrip_end(text, end)
        while open_sections and open_sections[-1].level >= head.level:
            open_sections.pop()
        parent = open_sections[-1] if open_sections else None
        label = head.label
        section = Section(
            doc_id=doc_id,
            section_id=f"{doc_id}-s{n:03d}",
            parent_id=parent.section_id if parent else None,
            level=head.level,
            label=label,
            title=head.title or "",
            path=(parent.path + " > " if parent else "") + label,
            char_start=head.start,
            char_end=end,
            heading_end=head.title_end,
        )
        sections.append(section)
        open_sections.append(section)
    return sections


def _measures(
    text: str,
    doc_id: str,
    candidates: list[Candidate],
    sections: list[Section],
    table_starts: list[int],
) -> list[Measure]:
    # A measure ends at the next item, heading or table, whichever comes first.
    boundaries = sorted({c.start for c in candidates} | set(table_starts) | {len(text)})
    section_index = SpanIndex(sections)
    measures: list[Measure] = []
    for i, cand in enumerate(candidates):
        if cand.kind != "measure":
            continue
        end = len(text)
        for later in (candidates[k] for k in range(i + 1, len(candidates))):
            if later.depth <= cand.depth or later.kind == "heading":
                end = later.start
                break
        end = min(end, boundaries[bisect.bisect_right(boundaries, cand.start)])
        end = max(cand.start, _rstrip_end(text, end))
        section = section_index.innermost(cand.start)
        measures.append(
            Measure(
                doc_id=doc_id,
                measure_id=f"{doc_id}-m{len(measures):04d}",
                section_id=section.section_id if section else None,
                label=cand.label,
                number=cand.number,
                title=cand.title or "",
                text=text[cand.start : end],
                char_start=cand.start,
                char_end=end,
            )
        )
    return measures


def _tables(doc_id: str, blocks, sections: list[Section]) -> tuple[list[Table], dict[str, list[tuple[int, int]]]]:
    section_index = SpanIndex(sections)
    tables: list[Table] = []
    row_spans: dict[str, list[tuple[int, int]]] = {}
    for n, block in enumerate(blocks):
        table_id = f"{doc_id}-t{n:02d}"
        section = section_index.innermost(block.char_start)
        tables.append(
            Table(
                doc_id=doc_id,
                table_id=table_id,
                section_id=section.section_id if section else None,
                kind=block.kind,
                caption=block.caption,
                header=list(block.header),
                rows=[list(r) for r in block.rows],
                cell_spans=[[list(s) for s in r] for r in block.cell_spans],
                n_rows=len(block.rows),
                char_start=block.char_start,
                char_end=block.char_end,
            )
        )
        row_spans[table_id] = list(block.row_spans)
    return tables, row_spans
