"""Agency (government body) mentions: gazetteer + prefix/stem/suffix patterns from rules/agencies.yaml,
optionally completed by the trained NER (planparse.extract.ner).

Matching runs on the raw cleaned text with ``regex`` (not over jieba tokens), so offsets are exact.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

import regex

from planparse.models import AgencyMention
from planparse.rules_loader import load_rules

_LEVEL_CHARS = {"省": "provincial", "自治区": "provincial", "市": "city", "州": "city", "盟": "city",
                "县": "county", "区": "county", "旗": "county"}
# Characters that form ordinary words with a level char (城市, 全省, 社区 …): a bare level prefix
# right after one of them is not a prefix.
_NOT_BEFORE_LEVEL = "城都超门股夜集菜街节反郡社园片小辖景新山病范验护发全本外跨该同副"


def _alt(words) -> str:
    """Alternation of literal words, longest first so the longest reading wins."""
    return "|".join(regex.escape(w) for w in sorted(set(words), key=len, reverse=True))


@dataclass(frozen=True)
class _Compiled:
    rules: dict
    gazetteer: frozenset
    aliases: dict
    stem_aliases: list  # (short, full), longest first
    not_agencies: frozenset
    markers: regex.Pattern
    candidates: regex.Pattern  # gazetteer | prefixed departments | extra patterns
    groups: regex.Pattern  # Han run + group suffix, trimmed in code
    group_cut: regex.Pattern
    group_suffix: regex.Pattern
    level_head: regex.Pattern
    national_head: regex.Pattern
    municipality_head: regex.Pattern
    agency_full: regex.Pattern


@lru_cache(maxsize=1)
def _compiled() -> _Compiled:
    r = load_rules("agencies")
    stop = regex.escape(r["place_stop_chars"])
    place = rf"(?:{_alt(r['places'])}|(?:(?<![\p{{Han}}])|(?<=[{stop}]))(?:(?![{stop}])\p{{Han}}){{2,3}})"
    lp = r["level_prefixes"]
    sub_national = [w for k in ("provincial", "city", "county") for w in lp[k]]
    # A level written with a place (湛江市, 广东省) or alone (市); a bare single level char must not
    # close an ordinary word (城市, 全省, 社区).
    level = (rf"(?:{place}(?:{_alt(_LEVEL_CHARS)})|(?<![{_NOT_BEFORE_LEVEL}])(?:{_alt(sub_national)}))")
    body = (rf"(?:(?:{_alt(r['department_stems'])})(?:{_alt(r['department_suffixes'])})"
            rf"|(?:{_alt(r['prefixed_bodies'])}))")
    dept = rf"各?{level}{body}"
    extra = "|".join(f"(?:{p})" for p in r["extra_patterns"])
    candidates = regex.compile(rf"{_alt(r['gazetteer'])}|{dept}|{extra}")
    gsuf = _alt(r["group_suffixes"])
    groups = regex.compile(rf"\p{{Han}}{{1,{int(r['group_name_max'])}}}?(?:{gsuf})")
    agency_full = regex.compile(rf"(?:{_alt(r['gazetteer'])}|{dept}|{extra}|\p{{Han}}{{2,{int(r['group_name_max'])}}}(?:{gsuf}))")
    return _Compiled(
        rules=r,
        gazetteer=frozenset(r["gazetteer"]),
        aliases=dict(r["aliases"]),
        stem_aliases=sorted(r["stem_aliases"].items(), key=lambda kv: len(kv[0]), reverse=True),
        not_agencies=frozenset(r["not_agencies"]),
        markers=regex.compile(_alt(r["non_agency_markers"])),
        candidates=candidates,
        groups=groups,
        group_cut=regex.compile(rf"(?:{_alt(r['group_left_cut'])})"),
        group_suffix=regex.compile(rf"(?:{gsuf})$"),
        level_head=regex.compile(
            rf"^[各团]?(?:(?P<lvl>{_alt(sub_national)})|(?:{_alt(r['places'])}|\p{{Han}}{{2,4}}?)(?P<lvl2>{_alt(_LEVEL_CHARS)}))"),
        national_head=regex.compile(rf"^(?:{_alt(lp['national'])}|党中央)"),
        municipality_head=regex.compile(rf"^(?:{_alt(r['municipalities'])})市"),
        agency_full=agency_full,
    )


def canonical_name(name: str) -> str:
    """Alias resolution: 市卫健局 -> 市卫生健康局, 国家卫健委 -> 国家卫生健康委, 省人民政府 -> 省政府."""
    c = _compiled()
    name = name.strip()
    if name in c.aliases:
        return c.aliases[name]
    for short, full in c.stem_aliases:
        if name.endswith(short) and len(name) > len(short):
            resolved = name[: -len(short)] + full
            return c.aliases.get(resolved, resolved)
    return name


def agency_level(name: str) -> str:
    """national / provincial / city / county / unknown, from the name's prefix."""
    c = _compiled()
    name = canonical_name(name)
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
        return _LEVEL_CHARS.get(lvl, "unknown")
    # Unprefixed ministries and administrations (生态环境部, 海关总署) are central bodies.
    if name.endswith(("部", "总局", "署", "总社")):
        return "national"
    return "unknown"


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


def _group_name_ok(name: str) -> bool:
    c = _compiled()
    return name not in c.not_agencies and not c.markers.search(name) and c.group_suffix.sub("", name) != ""


def _rule_spans(text: str) -> list[tuple[int, int]]:
    """Candidate spans from gazetteer/department patterns and trimmed group names, overlaps resolved
    (leftmost, then longest)."""
    c = _compiled()
    spans = [m.span() for m in c.candidates.finditer(text)]
    for m in c.groups.finditer(text):
        start, end = m.span()
        head = text[start:end]
        cuts = list(c.group_cut.finditer(head[: len(head) - len(c.group_suffix.search(head).group())]))
        if cuts:
            start += cuts[-1].end()
        spans.append((start, end))
    spans.sort(key=lambda s: (s[0], -(s[1] - s[0])))
    kept: list[tuple[int, int]] = []
    for s, e in spans:
        if kept and s < kept[-1][1]:
            # Overlap: a longer span starting inside the kept one replaces it only if it covers it.
            ks, ke = kept[-1]
            if e - s > ke - ks and s <= ks:
                kept[-1] = (s, e)
            continue
        kept.append((s, e))
    return [(s, e) for s, e in kept if looks_like_agency(text[s:e])]


def find_agency_mentions(text: str, doc_id: str, use_ner: bool = True) -> list[AgencyMention]:
    """Every named government body in ``text``, in text order."""
    spans = {(s, e): "rule" for s, e in _rule_spans(text)}
    if use_ner:
        from planparse.extract import ner

        for s, e in ner.predict_spans(text):
            if any(s < ke and ks < e for ks, ke in spans):
                continue
            if looks_like_agency(text[s:e]):
                spans[(s, e)] = "ner"
    mentions = []
    for n, ((s, e), source) in enumerate(sorted(spans.items())):
        name = text[s:e]
        mentions.append(AgencyMention(
            doc_id=doc_id, mention_id=f"{doc_id}-ag{n:04d}", char_start=s, char_end=e, name=name,
            canonical_name=canonical_name(name), level=agency_level(name), source=source))
    return mentions
