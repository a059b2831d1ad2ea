"""Agency (government body) mentions: gazetteer + prefix/stem/suffix patterns from rules/agencies.yaml,
optionally completed by the trained NER (planparse.extract.ner).

Matching runs on the raw cleaned text with ``regex`` (not over jieba tokens), so offsets are exact.
"""

from __future__ import annotations

import bisect
import re
from dataclasses import dataclass
from typing import Sequence
from functools import lru_cache

import regex

from planparse.extract.common import leftmost_longest
from planparse.models import AgencyMention
from planparse.rules_loader import load_rules, word_tree


@dataclass(frozen=True)
class _Compiled:
    rules: dict
    gazetteer: frozenset
    aliases: dict
    stem_aliases: list  # (short, full), longest first
    not_agencies: frozenset
    not_agency_groups: tuple  # not_agencies that are groups (专家委员会): also rejected as a name's tail
    markers: regex.Pattern
    level_words: tuple  # level chars a place name may precede (市, 省, 自治区)
    longest_place: int
    passes: tuple  # (finditer-able, may a place name precede it): gazetteer, departments, extras, institutions
    known_place_tail: regex.Pattern
    place_tail: regex.Pattern
    groups: re.Pattern  # group suffixes; the name part is the Han run before, trimmed in code
    han_tail: regex.Pattern
    han: regex.Pattern
    group_cut: regex.Pattern
    group_head: regex.Pattern  # where a group name starts when a level/national prefix is inside the run
    group_suffix: regex.Pattern
    generic_after: regex.Pattern
    no_follow: dict
    level_head: regex.Pattern
    national_head: regex.Pattern
    municipality_head: regex.Pattern
    agency_full: regex.Pattern
    shape: regex.Pattern  # the shape of a name outside the lexicon, fullmatched against one item
    shared_head: regex.Pattern  # a name opening with a place + level or a level (崇信县商务局)
    sub_unit: regex.Pattern  # a unit of the body just named (兴宾分局 after 市公安局)
    alias: regex.Pattern  # a bracketed second name right after a name (（市档案局）)
    shared_item: regex.Pattern  # a place sharing the suffix of the name after it (崆峒区、)
    division: regex.Pattern  # the shape of an internal division (基层处), fullmatched
    shape_not_inside: regex.Pattern
    shape_not_tails: regex.Pattern
    shape_guarded: regex.Pattern  # finds shape candidates between a left and a right guard
    role_context: regex.Pattern
    list_joint: str  # the separator of an enumerated list of names (、)
    context: int


@dataclass(frozen=True)
class _DepartmentScan:
    """The matches of the department pass ``exact`` (各?, a bare level with its lookbehinds, a body),
    as its finditer gives them. ``pre`` (a level word and a body, plain words) finds the places such
    a match can start at or one char after (its 各): the stdlib re skips the positions where no level
    word opens ~3x faster than regex does, and the exact pattern is tried only there."""
    exact: regex.Pattern
    pre: re.Pattern

    def finditer(self, text: str):
        pos = 0
        while m := self.pre.search(text, pos):
            at = m.start()
            found = (at > pos and text[at - 1] == "各" and self.exact.match(text, at - 1)) or self.exact.match(text, at)
            if found:
                yield found
                pos = found.end()
            else:
                pos = at + 1


@lru_cache(maxsize=1)
def _compiled() -> _Compiled:
    r = load_rules("agencies")
    stop = regex.escape(r["place_stop_chars"])
    cut = word_tree(r["left_cut_words"])
    not_place = word_tree(r["left_cut_words"] + r["place_not_words"])
    # A place not in the list: 2-3 Han chars after a non-Han or stop char, without a cut word (依托).
    unknown_place = (rf"(?:(?<![\p{{Han}}])|(?<=[{stop}]))"
                     rf"(?!\p{{Han}}{{0,2}}(?:{not_place}))(?:(?![{stop}])\p{{Han}}){{2,3}}")
    place = rf"(?:{word_tree(r['places'])}|{unknown_place})"
    lp = r["level_prefixes"]
    sub_national = [w for k in ("provincial", "city", "county") for w in lp[k]]
    # A level written with a place (湛江市, 广东省) or alone (市); a bare level char must not close an
    # ordinary word (城市, 全省, 社区).
    # …except after a verb that ends in such a char and takes an agency as object (会同市财政局).
    bare_level = (rf"(?:(?<![{regex.escape(r['level_not_after'])}])|(?<=(?:{word_tree(r['level_after_words'])})))"
                  rf"(?:{word_tree(sub_national)})")
    level = rf"(?:{place}(?:{word_tree(r['level_words'])})|{bare_level})"
    body = (rf"(?:(?:{word_tree(r['department_stems'])})(?:{word_tree(r['department_suffixes'])})"
            rf"|(?:{word_tree(r['prefixed_bodies'])}))")
    gaz = rf"(?:{word_tree(r['gazetteer'])})(?:{word_tree(r['office_suffixes'])})?"
    dept = rf"各?{level}{body}"
    institution = rf"\p{{Han}}{{2,{int(r['institution_name_max'])}}}?(?:{word_tree(r['institution_suffixes'])})"
    extra = "|".join(f"(?:{p})" for p in r["extra_patterns"])
    # The scanning passes start at the level char (a place name is added in code, see _with_place):
    # trying place names at every position of the text is slow.
    scan_dept = rf"各?{bare_level}{body}"
    # Where a level word and a body stand, found by the stdlib re (see _DepartmentScan).
    level_body = rf"(?:{word_tree(sub_national)}){body}"
    scan_institution = rf"{bare_level}{institution}"
    gsuf = word_tree(r["group_suffixes"])
    gmax = int(r["group_name_max"])
    not_groups = regex.compile(rf"(?:{gsuf})$")
    sh = r["shape"]
    # One stem char: Han, or a short bracketed level list (各区县（市）, 各县（市、区）, 各县﹝市、区﹞).
    stem_char = r"(?:\p{Han}|[（(〔﹝＜<]\p{Han}{1,3}(?:[、，,]\p{Han}{1,3})*[)）〕﹞＞>])"
    # A group's name may also quote a slogan (“数字宁夏”建设领导小组).
    group_char = rf"(?:{stem_char}|“\p{{Han}}{{1,10}}”)"
    shape_name = (rf"各?{stem_char}{{1,{int(sh['stem_max'])}}}?(?:{word_tree(sh['suffixes'], heads=True)})"
                  rf"(?:[（(]\p{{Han}}{{2,12}}[)）])?")
    return _Compiled(
        rules=r,
        gazetteer=frozenset(r["gazetteer"]),
        aliases=dict(r["aliases"]),
        stem_aliases=sorted(r["stem_aliases"].items(), key=lambda kv: len(kv[0]), reverse=True),
        not_agencies=frozenset(r["not_agencies"]),
        not_agency_groups=tuple(w for w in r["not_agencies"] if not_groups.search(w) and not not_groups.fullmatch(w)),
        markers=regex.compile(word_tree(r["non_agency_markers"])),
        level_words=tuple(r["level_words"]),
        longest_place=max(map(len, r["places"])),
        # The gazetteer and group suffixes are plain words: the stdlib re, whose search skips the
        # positions where no word's first char stands, scans for them ~2.5x faster than regex (same
        # matches on literals).
        passes=((re.compile(gaz), False), (_DepartmentScan(regex.compile(scan_dept), re.compile(level_body)), True),
                (regex.compile(extra), False),
                (regex.compile(scan_institution), True)),
        known_place_tail=regex.compile(rf"(?:{word_tree(r['places'])})\Z"),
        place_tail=regex.compile(rf"{unknown_place}\Z"),
        groups=re.compile(gsuf),
        han=regex.compile(r"\p{Han}"),
        han_tail=regex.compile(rf"{group_char}{{1,{gmax}}}\Z"),
        group_cut=regex.compile(f"{cut}|{gsuf}"),
        group_head=regex.compile(rf"{word_tree(lp['national'])}|{level}"),
        group_suffix=regex.compile(rf"(?:{gsuf})$"),
        generic_after=regex.compile(r["generic_followers"]),
        no_follow=dict(r["no_follow"]),
        level_head=regex.compile(
            rf"^[各团]?(?:(?P<lvl>{word_tree(sub_national)})|(?:{word_tree(r['places'])}|\p{{Han}}{{2,4}}?)(?P<lvl2>{word_tree(r['level_words'])}))"),
        national_head=regex.compile(rf"^(?:{word_tree(lp['national'])}|党中央)"),
        municipality_head=regex.compile(rf"^(?:{word_tree(r['municipalities'])})市"),
        agency_full=regex.compile(rf"(?:{gaz}|{dept}|{extra}|{level}{institution}|各?{group_char}{{1,{gmax}}}(?:{gsuf}))"),
        shape=regex.compile(shape_name),
        sub_unit=regex.compile(rf"(?:{r['sub_units']})(?=$|[^\p{{Han}}]|{r['shape']['right_guard']})", regex.MULTILINE),
        alias=regex.compile(r"[（(](?P<name>\p{Han}{2,16})[)）]"),
        shared_head=regex.compile(rf"(?:{place})?(?:{word_tree(r['level_words'])})"),
        shared_item=regex.compile(
            rf"(?:(?:{word_tree(r['places'])}|{unknown_place})(?:{word_tree(r['level_words'])})"
            rf"|(?<![\p{{Han}}])(?:{word_tree(r['level_words'])})(?:[（(]\p{{Han}}{{1,3}}(?:、\p{{Han}}{{1,3}})*[)）])?|(?<=各)(?:{word_tree(r['level_words'])}))\Z"),
        division=regex.compile(rf"\p{{Han}}{{1,{int(r['division']['stem_max'])}}}?(?:{word_tree(r['division']['suffixes'])})"),
        shape_not_inside=regex.compile(sh["not_inside"]),
        shape_not_tails=regex.compile(sh["not_tails"]),
        shape_guarded=regex.compile(rf"(?:(?<={sh['left_guard']})|(?P<weak>(?<={sh['weak_left_guard']})|^))"
                                    rf"(?:{shape_name})(?={sh['right_guard']}|(?P<list_only>{sh['list_right_guard']}))",
                                    regex.MULTILINE),
        role_context=regex.compile(sh["role_context"]),
        list_joint=sh["list_joint"],
        context=int(sh["context"]),
    )


@lru_cache(maxsize=1 << 16)  # a name recurs throughout a plan and across plans
def canonical_name(name: str) -> str:
    """Alias resolution: 市卫健局 -> 市卫生健康局, 国家卫健委 -> 国家卫生健康委, 省人民政府 -> 省政府."""
    c = _compiled()
    name = name.strip()
    if name in c.aliases:
        return c.aliases[name]
    if name.startswith("各"):  # a collective (各县（市、区）人民政府) is kept as written
        return name
    for short, full in c.stem_aliases:
        if name.endswith(short) and len(name) > len(short):
            resolved = name[: -len(short)] + full
            return c.aliases.get(resolved, resolved)
    return name


@lru_cache(maxsize=1 << 16)  # a name recurs throughout a plan and across plans
def agency_level(name: str) -> str:
    """national / provincial / city / county / unknown, from the name's prefix."""
    c = _compiled()
    name = canonical_name(name)
    party = c.rules["party_prefix"]
    if name.startswith(party) and len(name) > len(party) and not c.national_head.match(name[len(party):]):
        name = name[len(party):]  # 中共宁夏回族自治区委员会: the party committee of a province
    if c.municipality_head.match(name):
        return "provincial"
    if c.national_head.match(name) or name in c.gazetteer:
        return "national"
    m = c.level_head.match(name)
    if m:
        lvl = m.group("lvl") or m.group("lvl2")
        for kind in ("provincial", "city", "county"):
            if lvl in c.rules["level_prefixes"][kind]:
                return kind
        return c.rules["level_words"].get(lvl, "unknown")
    if name.endswith(tuple(c.rules["national_suffixes"])):
        return "national"
    return "unknown"


@lru_cache(maxsize=1 << 16)  # a name recurs throughout a plan and across plans
def looks_like_agency(name: str) -> bool:
    """Is this string (one item of a list like 市卫生健康局、市委编办) a named government body?"""
    c = _compiled()
    name = name.strip()
    if not name or name in c.not_agencies:
        return False
    if name in c.gazetteer or name in c.aliases:
        return True
    if c.markers.search(name):
        return False
    if not c.agency_full.fullmatch(name):
        return False
    if c.group_suffix.search(name):
        return _group_name_ok(name)
    return True


@lru_cache(maxsize=1 << 16)  # list items and cell substrings repeat (a table's agency column)
def agency_shaped(name: str) -> bool:
    """Has ``name`` the shape of a government body (place, level word, bounded stem, institutional
    suffix), lexicon or not? Only for strings a context vouches for: one item of a role list, a
    table cell, a guarded span; on free text the shape alone is too weak."""
    name = name.strip()
    return looks_like_agency(name) or _has_shape(name, _compiled().shape)


@lru_cache(maxsize=1 << 16)
def division_shaped(name: str) -> bool:
    """Has ``name`` the shape of a body's internal division (基层处, 种植业科), or of a body? Only for
    strings a division context vouches for (a 局内牵头处室 column, a 牵头科室： label)."""
    name = name.strip()
    return agency_shaped(name) or _has_shape(name, _compiled().division)


def _has_shape(name: str, shape: regex.Pattern) -> bool:
    """``name`` fullmatches ``shape`` and is long enough, no listed non-agency (基层公共卫生委员会,
    …专家咨询委员会), no institution, with no verb inside and no event tail."""
    c = _compiled()
    if len(name) < c.rules["shape"]["min_chars"] or name in c.not_agencies or c.markers.search(name):
        return False
    if name.endswith(c.not_agency_groups):
        return False
    return bool(shape.fullmatch(name)) and _no_clause_words(name)


@lru_cache(maxsize=1 << 16)  # a candidate name recurs throughout a plan
def _no_clause_words(name: str) -> bool:
    """``name`` holds no verb or function word of the clause around it and has no event tail."""
    c = _compiled()
    return not c.shape_not_inside.search(name) and not c.shape_not_tails.search(name)


def _group_name_ok(name: str) -> bool:
    c = _compiled()
    name_part = c.group_suffix.sub("", name)
    # A class of groups (各级领导小组) names none.
    return (len(name_part) >= c.rules["group_name_min"] and not name.endswith(c.not_agency_groups)
            and bool(c.shape_not_tails.sub("", name_part)))


def _group_start(head: str) -> int:
    """Offset in a Han run ending in a group suffix where the group's name begins."""
    c = _compiled()
    name_part = head[: c.group_suffix.search(head).start()]
    start = 0
    # The name starts after the last verb or function word, or after an earlier group's suffix.
    cuts = list(c.group_cut.finditer(name_part))
    if cuts:
        start = cuts[-1].end()
    # Searched on the slice so a place name may begin right at the cut.
    m = c.group_head.search(name_part[start:])
    start += m.start() if m else 0
    # A collective (各镇（街镇）…领导小组) keeps its 各; a bracket or quote opened before the start
    # does not begin a name.
    if start and name_part[start - 1] == "各":
        start -= 1
    # Adjacent quoted names share the suffix (“数字政府”“数字产业”领导小组): the last one is written whole.
    start = max(start, name_part.rfind("”“") + 1)
    while start < len(name_part) and name_part[start] in "）)〕﹞＞>”":
        start += 1
    return start


def _with_place(text: str, start: int) -> int:
    """Start of a match beginning with a level char, moved left over a place name (湛江|市人民政府)."""
    c = _compiled()
    if not text.startswith(c.level_words, start):
        return start
    m = c.known_place_tail.search(text, max(0, start - c.longest_place), start) or c.place_tail.search(
        text, max(0, start - 3), start)
    return m.start() if m else start


@dataclass(frozen=True)
class _ShapeScan:
    """The patterns _shaped_matches finds runs and shape starts with."""
    suffix_near: re.Pattern  # a suffix before a right guard or a bracket: where a closing may start
    closing: regex.Pattern  # a suffix closing a shape
    outside: regex.Pattern  # a char no shape contains
    outside_back: regex.Pattern  # the same, searched backwards
    guard_end: regex.Pattern  # a left guard or a line break: a shape starts only where one ends
    suffix_end: re.Pattern  # a suffix before any right guard or a bracket: a shape ends in one


@lru_cache(maxsize=1)
def _shape_scan() -> _ShapeScan:
    sh = load_rules("agencies")["shape"]
    inside = regex.escape("".join(sorted(set("各（(〔﹝＜<)）〕﹞＞>、，," + "".join(sh["suffixes"])))))
    suffixes = word_tree(sh["suffixes"])
    outside = rf"[^\p{{Han}}{inside}]"
    return _ShapeScan(
        # Plain words and guards, no \p{Han}: the stdlib re scans the text for them ~2x faster.
        suffix_near=re.compile(rf"(?:{suffixes})(?=[（(]|{sh['right_guard']})"),
        closing=regex.compile(rf"(?:{suffixes})(?:[（(]\p{{Han}}{{2,12}}[)）])?(?={sh['right_guard']})"),
        outside=regex.compile(outside),
        outside_back=regex.compile(outside, regex.REVERSE),
        guard_end=regex.compile(rf"{sh['left_guard']}|{sh['weak_left_guard']}|\n"),
        suffix_end=re.compile(rf"(?:{suffixes})(?=[（(]|{sh['right_guard']}|{sh['list_right_guard']})"),
    )


_GUARD_REACH = 16  # chars after a run that the right guard may read (its words are 1-3 chars)


def _shaped_matches(text: str):
    """The matches of ``shape_guarded`` in ``text``, as its finditer gives them. A shape lies inside one
    run of the chars a name can hold and ends with a suffix that a right guard follows: only the runs
    holding such a suffix are searched, instead of trying the whole pattern after every comma; and in
    a run only where a left guard ends (or a line starts: the pattern's lookbehinds ask the same)."""
    c = _compiled()
    scan = _shape_scan()
    pos = 0
    while q := scan.suffix_near.search(text, pos):
        if not scan.closing.match(text, q.start()):
            pos = q.start() + 1
            continue
        before = scan.outside_back.search(text, 0, q.start())
        after = scan.outside.search(text, q.start())
        run_start = before.end() if before else 0
        pos = run_end = after.start() if after else len(text)
        stop = min(len(text), run_end + _GUARD_REACH)
        # No shape starts at or after the end of the run's last suffix (searched without overlaps: one
        # hidden inside another ends before it).
        last = run_start
        for h in scan.suffix_end.finditer(text, run_start, stop):
            if h.start() >= run_end:
                break
            last = h.end()
        starts = [run_start] + [g.end() for g in scan.guard_end.finditer(text, run_start, last, overlapped=True)]
        end = run_start  # of the last match: the next is searched after it, as finditer does
        for s in starts:
            if end <= s < last and (m := c.shape_guarded.match(text, s, stop)):
                end = m.end()
                yield m


def rule_spans(text: str) -> list[tuple[int, int]]:
    """Candidate spans of every rule pass, overlaps resolved leftmost-longest, then filtered."""
    c = _compiled()
    spans = [(_with_place(text, m.start()) if placed else m.start(), m.end())
             for p, placed in c.passes for m in p.finditer(text)]
    for m in c.groups.finditer(text):
        run = c.han_tail.search(text, max(0, m.start() - c.rules["group_name_max"]), m.start())
        if run:
            spans.append((run.start() + _group_start(text[run.start():m.end()]), m.end()))
    # Names outside the lexicon, where a list separator or role word borders them and their clause
    # assigns a task (bounded look-around, so the pass stays linear). The lexicon wins: a shaped span
    # may only extend one lexicon name (共青团|市委, 市委|改革办), never join two (县委县政府).
    lexicon = sorted(spans)
    starts = [s for s, _ in lexicon]
    ends = {e for _, e in lexicon}
    shaped = set()
    for m in _shaped_matches(text):
        s, e = m.span()
        if not _no_clause_words(m.group()):
            continue
        i = bisect.bisect_left(starts, s)
        inner = [k for k in lexicon[max(0, i - 1):bisect.bisect_left(starts, e)] if k[0] < e and s < k[1]]
        if len(inner) > 1:
            continue
        # Vouched for by a role clause, or by the list it is an item of: a lexicon name or an accepted
        # shape right before it (市大数据局、市经信局) or a lexicon name right after it.
        in_list = text[s - 1:s] == c.list_joint and (s - 1 in ends) or \
            text[e:e + 1] == c.list_joint and bisect.bisect_left(starts, e + 1) < len(starts) and \
            starts[bisect.bisect_left(starts, e + 1)] == e + 1
        if not in_list and (m.group("list_only") is not None or not _in_role_clause(text, s, e)
                            or (m.group("weak") is not None and not _in_brackets(text, s, e))):
            continue
        spans.append((s, e))
        shaped.add((s, e))
        ends.add(e)
    out: list[tuple[int, int]] = []
    for s, e in leftmost_longest(spans):
        if not (((s, e) in shaped and agency_shaped(text[s:e])) or _acceptable(text, s, e)):
            continue
        if out and s < out[-1][1]:
            continue  # inside the unit or bracketed name the previous name ran on by
        out.append((_shared_suffix_start(text, s), _sub_unit_end(text, e)))
    return out


def _sub_unit_end(text: str, end: int) -> int:
    """End of a name run on by one of its own units (市公安局|兴宾分局, 省政府|督查室) that ends a
    word (a separator, a line end, a role word or no Han character follows)."""
    c = _compiled()
    m = c.sub_unit.match(text, end)
    end = m.end() if m else end
    # A second name of the same body in brackets (两块牌子: 市委办公厅（市档案局）) is part of it.
    alias = c.alias.match(text, end)
    ok = alias and agency_shaped(alias.group("name")) and not c.shape_not_inside.search(alias.group("name"))
    return alias.end() if ok else end  # not a note (以下简称…)


def _shared_suffix_start(text: str, start: int) -> int:
    """Start of a collective whose levels share its suffix (各市、县（区）人民政府): the levels joined by
    、 after 各 are part of the name, as written. Without 各 the places name bodies of their own
    (市、区卫生健康行政部门; 崆峒区、华亭市、崇信县商务局): the name is the last, as written."""
    c = _compiled()
    if text[start - 1:start] != c.list_joint or not c.shared_head.match(text, start):
        return start
    s = start
    while s and text[s - 1] == c.list_joint:
        m = c.shared_item.search(text, max(0, s - 1 - c.longest_place - 3), s - 1)
        if not m:
            break
        s = m.start()
    return s - 1 if s < start and text[s - 1:s] == "各" else start


def _in_brackets(text: str, s: int, e: int) -> bool:
    """Is [s, e) inside a bracketed clause that opens within the context window?"""
    lo = max(0, _compiled().context and s - _compiled().context)
    return max(text.rfind("（", lo, s), text.rfind("(", lo, s)) > max(text.rfind("）", lo, s), text.rfind(")", lo, s))


def _in_role_clause(text: str, s: int, e: int) -> bool:
    """A role word or label in the sentence of [s, e), within the context window."""
    c = _compiled()
    lo, hi = max(0, s - c.context), min(len(text), e + c.context)
    left = text.rfind("。", lo, s), text.rfind("\n", lo, s), text.rfind("；", lo, s)
    lo = max(lo, max(left) + 1)
    stop = [i for i in (text.find("。", e, hi), text.find("\n", e, hi), text.find("；", e, hi)) if i >= 0]
    hi = min(stop) if stop else hi
    return bool(c.role_context.search(text, lo, hi))


def _acceptable(text: str, s: int, e: int) -> bool:
    """A candidate span is a mention: a name that is not cut off on the right (司法部门) and not the
    owner of a generic party (省政府各部门)."""
    c = _compiled()
    name = text[s:e]
    if text[e:e + 1] and text[e:e + 1] in c.no_follow.get(name[-1], ""):
        return False
    return looks_like_agency(name) and not c.generic_after.match(text, e)


def find_agency_mentions(
    text: str, doc_id: str, use_ner: bool = False, ner_model=None, vouched: Sequence[tuple[int, int]] = ()
) -> list[AgencyMention]:
    """Every named government body in ``text``, in text order. Rule matches first; with ``use_ner`` (or
    a ``ner_model``) the NER adds agency-like names the rules missed or only partly matched. The NER
    is opt-in: held out by source it added no recall (README, "Agency NER").

    ``vouched``: spans a context vouches for (the items of a task table's agency cells): each with an
    agency's shape that no rule span overlaps is a mention too (省口岸办 alone in its cell).
    """
    spans = {(s, e): "rule" for s, e in rule_spans(text)}
    if vouched:
        ordered = sorted(spans)
        starts = [k[0] for k in ordered]
        for s, e in vouched:
            i = max(0, bisect.bisect_right(starts, s) - 1)
            if any(ks < e and s < ke for ks, ke in ordered[i:bisect.bisect_left(starts, e)]):
                continue
            if division_shaped(text[s:e]):  # a body, or a division where the context says divisions
                spans[(s, e)] = "rule"
    if use_ner or ner_model is not None:
        from planparse.extract import ner

        # A rule span starting with a bare level char right after Han text may lack its place name
        # (支持湛江|市人民政府): the model reads those too.
        c = _compiled()
        covered = [(s, e) for s, e in spans
                   if not (s and text.startswith(c.level_words, s) and c.han.match(text, s - 1))]
        # Rule spans are disjoint (leftmost-longest): those overlapping a prediction are found by
        # bisection, not by a scan of every span per prediction (that was quadratic on long texts).
        ordered = sorted(spans)
        starts = [k[0] for k in ordered]
        for s, e in ner.predict_spans(text, ner_model, covered=covered):
            i = max(0, bisect.bisect_right(starts, s) - 1)
            overlapping = [k for k in ordered[i:bisect.bisect_left(starts, e)] if k in spans and s < k[1] and k[0] < e]
            # Kept only if it passes the rules' name test and contains every rule span it overlaps
            # (支持湛江市人民政府: the rules take 市人民政府, the model 湛江市人民政府).
            if (s, e) in spans or not _acceptable(text, s, e):
                continue
            if all(s <= ks and ke <= e for ks, ke in overlapping):
                for k in overlapping:
                    del spans[k]
                spans[(s, e)] = "ner"
    mentions = []
    for n, ((s, e), source) in enumerate(sorted(spans.items())):
        name = text[s:e]
        mentions.append(AgencyMention(
            doc_id=doc_id, mention_id=f"{doc_id}-ag{n:04d}", char_start=s, char_end=e, name=name,
            canonical_name=canonical_name(name), level=agency_level(name), source=source))
    return mentions
