"""Agency rules: every entry of rules/agencies.examples.yaml, boundaries, offsets and the corpus score."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import regex

from planparse.extract.agencies import agency_level, canonical_name, find_agency_mentions, looks_like_agency
from planparse.ingest import clean_text, decode_bytes
from planparse.rules_loader import alternation, load_rules, word_tree

EXAMPLES = load_rules("agencies.examples")
ROOT = Path(__file__).resolve().parents[1]
GOLD = sorted((ROOT / "corpus" / "gold").glob("*.gold.json"))


@pytest.mark.parametrize("ex", EXAMPLES["agencies"], ids=lambda ex: ex["name"])
def test_agency_examples(ex):
    assert looks_like_agency(ex["name"])
    assert canonical_name(ex["name"]) == ex["canonical"]
    assert agency_level(ex["name"]) == ex["level"]


@pytest.mark.parametrize("name", EXAMPLES["not_agencies"])
def test_not_agency_examples(name):
    assert not looks_like_agency(name)


@pytest.mark.parametrize("ex", EXAMPLES["in_text"], ids=lambda ex: ex["text"][:12])
def test_mentions_in_text(ex):
    mentions = find_agency_mentions(ex["text"], "doc", use_ner=False)
    assert [m.name for m in mentions] == ex["mentions"]


def test_mentions_are_grounded_and_numbered():
    text = "由市医疗保障局牵头，市财政局、国家医保局配合。"
    mentions = find_agency_mentions(text, "d1")
    assert [m.mention_id for m in mentions] == ["d1-ag0000", "d1-ag0001", "d1-ag0002"]
    for m in mentions:
        assert text[m.char_start:m.char_end] == m.name
    assert [m.level for m in mentions] == ["city", "city", "national"]
    assert {m.source for m in mentions} == {"rule"}


def _corpus_text(gold: dict) -> str:
    return clean_text(decode_bytes((ROOT / "corpus" / gold["doc"]).read_bytes())[0])


def test_corpus_agency_name_f1():
    tp = fp = fn = 0
    for path in GOLD:
        gold = json.loads(path.read_text(encoding="utf-8"))
        if not gold["doc"].endswith(".txt"):
            continue  # other formats need their reader: scored by tests/test_quality.py
        text = _corpus_text(gold)
        mentions = find_agency_mentions(text, "d")
        for m in mentions:
            assert text[m.char_start:m.char_end] == m.name
        pred, want = {m.name for m in mentions}, set(gold["agency_names"])
        tp, fp, fn = tp + len(pred & want), fp + len(pred - want), fn + len(want - pred)
    precision, recall = tp / (tp + fp), tp / (tp + fn)
    assert 2 * precision * recall / (precision + recall) >= 0.78


def test_word_tree_matches_as_the_alternation():
    # Words that are prefixes of one another (市, 市委, 市委办), share prefixes, or hold regex
    # metacharacters; followed by a continuation that fails for the longest reading, so backtracking
    # into shorter words is exercised.
    words = ["市", "市委", "市委办", "市委办公室", "市政府", "人民政府(管委会)", "人民政府", "局", "国务院"]
    text = "市委办公室、市委办理、市政府(管委会)、人民政府(管委会)局、国务院办、市委局市委办局"
    for head in ("", r"\p{Han}{0,3}?"):  # alone, and after a lazy repeat (what heads= is for)
        for tail in ("", "局", "办?局", "[、（(]"):
            flat = regex.compile(f"{head}(?:{alternation(words)}){tail}")
            assert list(flat.finditer(text))  # the case reads something
            for tree in (word_tree(words), word_tree(words, heads=True)):
                got = regex.compile(f"{head}(?:{tree}){tail}")
                assert [m.span() for m in got.finditer(text)] == [m.span() for m in flat.finditer(text)]
