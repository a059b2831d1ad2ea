"""finditer that runs a pattern only over the parts of a text that can hold one of its matches.

A pattern such as the deadline expression (年, 月 or 季 in every match) is tried by the regex engine
at every position of a long text, at a few million characters a second. From the pattern's syntax
two character sets are derived:

- ``needed``: characters of which every match holds at least one (年 for "(?P<y>\\d{4})\\s*年");
- ``alphabet``: every character the pattern consumes or looks at (lookarounds included).

A match consists of alphabet characters only, so it lies inside one maximal run of them, and inside
a run that holds a needed character. ``SparsePattern.finditer`` finds the needed characters with one
cheap character-class search, widens each to its run and runs the pattern over that run alone (its
lookbehinds still see the text before the run; a lookahead at the run's end meets a character the
pattern never mentions, which nothing in it could match either, so stopping there changes nothing).
The matches are those of ``pattern.finditer`` over the whole text, in the same order.

The syntax is read with the standard library's ``re`` parser. A pattern it cannot read (the
``regex`` module's own syntax such as \\p{Han}), or one using anything whose characters are no
known class (., negated classes, anchors, backreferences, ignore-case), keeps its plain finditer.
"""

from __future__ import annotations

from typing import Iterator

import regex

try:  # Python 3.11+
    from re import _constants as _C, _parser as _sre_parse
except ImportError:  # pragma: no cover - Python 3.10
    import sre_constants as _C
    import sre_parse as _sre_parse

_CATEGORIES = {_C.CATEGORY_DIGIT: r"\d", _C.CATEGORY_SPACE: r"\s", _C.CATEGORY_WORD: r"\w"}
_REPEATS = {_C.MAX_REPEAT, _C.MIN_REPEAT} | ({_C.POSSESSIVE_REPEAT} if hasattr(_C, "POSSESSIVE_REPEAT") else set())
_ATOMIC = getattr(_C, "ATOMIC_GROUP", None)
_CATEGORY_SIZE = 1 << 20  # a category (\d, \s, \w) counts as this many chars: any literal set is preferred
_ASCII_SIZE = 16
_PLAIN_FLAGS = regex.UNICODE | regex.VERSION0


class _State(_sre_parse.State):
    """Parser state that lets a group name recur, as the regex module does ("(?P<y>…)|(?P<y>…)"):
    names do not change which characters a pattern matches."""

    def opengroup(self, name=None):
        return super().opengroup(None if name in self.groupdict else name)


class _Unsupported(Exception):
    """The pattern uses something whose characters are not a known class."""


def _class_items(op, av) -> frozenset:
    """Class items (a char, a (lo, hi) range, or a category escape) one LITERAL or IN node matches."""
    if op is _C.LITERAL:
        return frozenset([chr(av)])
    if op is not _C.IN:
        raise _Unsupported(op)
    items = set()
    for iop, iav in av:
        if iop is _C.LITERAL:
            items.add(chr(iav))
        elif iop is _C.RANGE:
            items.add((chr(iav[0]), chr(iav[1])))
        elif iop is _C.CATEGORY and iav in _CATEGORIES:
            items.add(_CATEGORIES[iav])
        else:  # NEGATE, a negated category, ignore-case ranges
            raise _Unsupported(iop)
    return frozenset(items)


def _children(op, av) -> list:
    """The subpatterns inside a group, repeat, branch or lookaround node."""
    if op in _REPEATS:
        return [av[2]]
    if op is _C.SUBPATTERN:
        if av[1] & _C.SRE_FLAG_IGNORECASE:
            raise _Unsupported(op)
        return [av[-1]]
    if op is _ATOMIC:
        return [av]
    if op is _C.BRANCH:
        return list(av[1])
    if op in (_C.ASSERT, _C.ASSERT_NOT):
        return [av[1]]
    raise _Unsupported(op)  # ANY, AT (^ $ \b), NOT_LITERAL, group references …


def _alphabet(sub, into: set) -> set:
    for op, av in sub:
        if op in (_C.LITERAL, _C.IN):
            into |= _class_items(op, av)
        else:
            for child in _children(op, av):
                _alphabet(child, into)
    return into


def _size(items) -> int:
    """About how often a set of class items occurs, in characters: a category counts as very many,
    an ASCII character (digits, Latin) as many (plan texts are mostly Han; one Han character, such
    as 年, is rarer than the digit 2)."""
    size = 0
    for i in items:
        if isinstance(i, tuple):
            size += ord(i[1]) - ord(i[0]) + 1
        elif len(i) > 1:  # a category escape
            size += _CATEGORY_SIZE
        else:
            size += _ASCII_SIZE if i.isascii() else 1
    return size


def _needed(sub) -> list[frozenset]:
    """Sets of class items of which every match of the sequence ``sub`` holds one char (any of
    them will do): one per part that every match passes through (a char, a class, a repeat at
    least once, a group, a branch whose alternatives all need something)."""
    found = []
    for op, av in sub:
        if op in (_C.LITERAL, _C.IN):
            found.append(_class_items(op, av))
        elif op in _REPEATS and av[0] >= 1:
            found += _needed(av[2])
        elif op is _C.SUBPATTERN:
            found += _needed(av[-1])
        elif op is _ATOMIC:
            found += _needed(av)
        elif op is _C.BRANCH and (cover := _cover([_needed(b) for b in av[1]])) is not None:
            found.append(cover)
    return found


def _cover(alternatives: list[list[frozenset]]) -> frozenset | None:
    """One needed set for a branch: a small union holding a needed set of every alternative
    (greedy set cover: the set most alternatives share first, the smaller on a tie)."""
    if not all(alternatives):
        return None
    union: set = set()
    left = alternatives
    while left:
        shared = {}
        for sets in left:
            for items in dict.fromkeys(sets):  # in order: ties go the same way every run
                shared[items] = shared.get(items, 0) + 1
        union |= max(shared, key=lambda items: (shared[items], -_size(items)))
        left = [sets for sets in left if not any(items <= union for items in sets)]
    return frozenset(union)


def _class(items) -> str:
    """A regex character class holding ``items``."""
    out = []
    for i in sorted(items, key=str):
        if isinstance(i, tuple):
            out.append(f"{regex.escape(i[0], special_only=False)}-{regex.escape(i[1], special_only=False)}")
        elif len(i) > 1:  # a category escape
            out.append(i)
        else:
            out.append(regex.escape(i, special_only=False))
    return "[" + "".join(out) + "]"


class SparsePattern:
    """A compiled pattern whose finditer visits only the runs of text that can hold a match."""

    def __init__(self, pattern: regex.Pattern):
        self.pattern = pattern
        self.needed = self.run = self.run_back = None
        if pattern.flags & ~_PLAIN_FLAGS:
            return  # ignore-case, REVERSE, MULTILINE …: searched whole
        try:
            tree = _sre_parse.parse(pattern.pattern, state=_State())
            if tree.state.flags & (_C.SRE_FLAG_IGNORECASE | _C.SRE_FLAG_LOCALE | _C.SRE_FLAG_ASCII):
                return
            if tree.getwidth()[0] == 0:
                return  # an empty match can stand anywhere
            needed, alphabet = _needed(tree), _alphabet(tree, set())
        except (_Unsupported, _C.error, ValueError, RecursionError):
            return
        if not needed:
            return
        needed = min(needed, key=_size)  # the fewest characters to look for
        self.needed = regex.compile(_class(needed))
        self.run = regex.compile(_class(alphabet) + "*")
        self.run_back = regex.compile(_class(alphabet) + "*", regex.REVERSE)

    def finditer(self, text: str, pos: int = 0, endpos: int | None = None, overlapped: bool = False) -> Iterator[regex.Match]:
        """The matches of ``pattern.finditer(text, pos, endpos, overlapped=...)``."""
        endpos = len(text) if endpos is None else min(endpos, len(text))
        if self.needed is None:
            yield from self.pattern.finditer(text, pos, endpos, overlapped=overlapped)
            return
        at = pos
        while at < endpos and (n := self.needed.search(text, at, endpos)):
            start = self.run_back.match(text, at, n.start()).start()
            end = self.run.match(text, n.end(), endpos).end()
            yield from self.pattern.finditer(text, start, end, overlapped=overlapped)
            at = end


def char_offsets(text: str, chars: str) -> list[int]:
    """Sorted offsets in ``text`` of the few rare characters ``chars`` (the brackets （(, the colons ：:):
    str.find finds each ~10x faster than the regex engine searches a class of them."""
    at = []
    for char in chars:
        i = text.find(char)
        while i >= 0:
            at.append(i)
            i = text.find(char, i + 1)
    return sorted(at)


def finditer_opening(pattern: regex.Pattern, text: str, opening: str) -> Iterator[regex.Match]:
    """The matches of ``pattern.finditer(text)`` for a pattern whose every match opens with one of the
    few rare characters ``opening``: the pattern is matched only where one stands (char_offsets)."""
    end = 0
    for i in char_offsets(text, opening):
        if i >= end and (m := pattern.match(text, i)):
            end = m.end()
            yield m
