"""SparsePattern.finditer gives exactly the matches of the pattern's own finditer."""

from pathlib import Path

import pytest
import regex
from hypothesis import given, settings, strategies as st

from planparse.extract.deadlines import _rules
from planparse.extract.targets import _text_rules
from planparse.sparse_scan import SparsePattern

WILD = sorted(Path(__file__).resolve().parents[1].glob("corpus/wild/*.txt"))


def spans(found):
    return [m.span() for m in found]


def shipped():
    rules = _rules()
    t = _text_rules()
    return [("deadline expression", rules.expr), ("horizon", t["horizon"]), ("future year", t["future_year"]),
            ("zero phrases", t["zero_scan"])] + [
        (f"relative {kind}", p) for kind, p in rules.relative
    ]


@pytest.mark.parametrize("name, sparse", shipped(), ids=[n for n, _ in shipped()])
def test_shipped_patterns_are_sparse_and_find_the_same_matches(name, sparse):
    assert sparse.needed is not None, f"{name}: no needed characters derived, searched whole"
    text = "\n".join(p.read_text(encoding="utf-8") for p in WILD)
    assert spans(sparse.finditer(text)) == spans(sparse.pattern.finditer(text))
    assert spans(sparse.finditer(text, 1000, 50000)) == spans(sparse.pattern.finditer(text, 1000, 50000))
    assert spans(sparse.pattern.finditer(text)), f"{name}: the sample text should hold matches"


def test_needed_characters_of_a_branch_are_a_small_cover():
    sparse = SparsePattern(regex.compile(r"上半年|下半年|第?[一1]季度|\d{1,2}月|年底"))
    assert set(sparse.needed.pattern.strip("[]").replace("\\", "")) == {"年", "季", "月"}


def test_a_recurring_group_name_is_read():
    # The regex module lets a name recur in alternatives; the standard parser does not.
    sparse = SparsePattern(regex.compile(r"到(?P<y>20\d\d)年|(?P<y>20\d\d)年前"))
    assert sparse.needed.pattern == "[\\年]"
    text = "到2025年，2030年前，2035年"
    assert spans(sparse.finditer(text)) == spans(sparse.pattern.finditer(text)) == [(0, 6), (7, 13)]


@pytest.mark.parametrize("pattern", [
    r"a.b",             # any char
    r"a[^b]c",          # negated class
    r"\d+$",            # an anchor
    r"\bword",          # a word boundary
    r"(?i)abc",         # ignore-case
    r"\p{Han}+年",      # regex-only syntax the re parser does not read
    r"x*",              # matches empty
    r"(a)\1",           # a backreference
])
def test_unreadable_patterns_are_searched_whole(pattern):
    sparse = SparsePattern(regex.compile(pattern))
    assert sparse.needed is None
    text = "xa.b a-c 12 word 年 ABC aa 汉字年"
    assert spans(sparse.finditer(text)) == spans(regex.compile(pattern).finditer(text))


@pytest.mark.parametrize("pattern", [
    r"a(?!b)",              # a negative lookahead at the end of a run
    r"a(?=b)",              # a positive one
    r"(?<![xy])ab+",        # a lookbehind before the run start
    r"\d+(?:\.\d+)?%",      # numbers with a unit
    r"(?:到|在)?\s*20\d\d\s*年(?:底|末)?",
    r"(?:ab|b)c",
])
@given(st.text(alphabet="abcxy.%年到在底末 \n2015,", max_size=80))
@settings(max_examples=150, deadline=None)
def test_same_matches_on_any_text(pattern, text):
    plain = regex.compile(pattern)
    sparse = SparsePattern(plain)
    assert sparse.needed is not None
    for overlapped in (False, True):
        assert spans(sparse.finditer(text, overlapped=overlapped)) == spans(plain.finditer(text, overlapped=overlapped))
    assert spans(sparse.finditer(text, 3, 40)) == spans(plain.finditer(text, 3, 40))


def test_opening_test_of_unit_like_patterns():
    """The first-character test that find_values asks before matching a unit after a number."""
    from planparse.rules_loader import opening_test

    def opens(pattern):
        return opening_test(regex.compile(pattern))

    assert [c for c in "个家万人亿" if opens(r"个|家|万人")(c)] == ["个", "家", "万"]
    assert all(opens(r"[万亿]?(?:吨|亩)(?=\s)")(c) for c in "万亿吨亩") and not opens(r"[万亿]?(?:吨|亩)(?=\s)")("人")
    # a negative lookbehind cannot bar the character: it passes with nothing before it
    assert opens(r"(?<!\d)1?/10")("1") and opens(r"(?<!\d)1?/10")("/") and not opens(r"(?<!\d)1?/10")("0")
    assert opens(r"\p{Han}")("年") and not opens(r"\p{Han}")("3")  # the regex module's own syntax
    assert opens(r"a?")("z")  # an empty match starts anywhere


@given(st.text(alphabet="个家万亿吨亩/10 x", max_size=40))
@settings(max_examples=200, deadline=None)
def test_a_match_starts_with_a_character_that_opens_it(text):
    from planparse.rules_loader import opening_test

    compiled = regex.compile(r"[万亿]?(?:吨|亩)|(?<!\d)1?/10|个|家")
    opens = opening_test(compiled)
    for i in range(len(text)):
        if compiled.match(text, i):
            assert opens(text[i])


def opening_scans():
    from planparse.extract.responsibilities import _COLON_LINE_END, _COLONS, _rules as responsibility_rules

    rules = responsibility_rules()
    return [("parenthetical", rules.parenthetical, rules.parenthetical_opening), ("colon line end", _COLON_LINE_END, _COLONS)]


@pytest.mark.parametrize("name, pattern, opening", opening_scans(), ids=[n for n, _, _ in opening_scans()])
def test_finditer_opening_finds_the_matches_of_finditer(name, pattern, opening):
    from planparse.rules_loader import opening_test
    from planparse.sparse_scan import finditer_opening

    text = "\n".join(p.read_text(encoding="utf-8") for p in WILD)
    opens = opening_test(pattern)
    assert not [c for c in set(text) if opens(c) and c not in opening], f"{name}: a match can open with another char"
    assert spans(finditer_opening(pattern, text, opening)) == spans(pattern.finditer(text))
    assert spans(pattern.finditer(text)), f"{name}: the sample text should hold matches"


def test_finditer_opening_skips_openings_inside_a_match():
    from planparse.sparse_scan import finditer_opening

    pattern = regex.compile(r"[（(][^（()）]*(?:[（(][^（()）]*[）)][^（()）]*)?[）)]")
    text = "甲（乙（丙）丁）戊（己(庚）（"
    assert spans(finditer_opening(pattern, text, "（(")) == spans(pattern.finditer(text)) == [(1, 8), (11, 14)]
