"""Agency NER: shipped model, private jieba dictionary, fallback without a model, training labels."""

from __future__ import annotations

import jieba
import pytest

from planparse.extract import ner
from planparse.extract.agencies import find_agency_mentions

pytestmark = pytest.mark.skipif(not (ner.model_path() / "config.cfg").is_file(),
                                reason="model not trained (python -m planparse.extract.train)")


def test_model_ships_as_package_data_and_loads_once():
    from importlib.resources import files

    assert (files("planparse") / "model" / "agency_ner" / "meta.json").is_file()
    nlp = ner.load_model()
    assert nlp is ner.load_model()
    assert nlp.pipe_names == ["span_ruler", "ner"]
    assert nlp.get_pipe("ner").labels == (ner.LABEL,)
    size = sum(f.stat().st_size for f in ner.model_path().rglob("*") if f.is_file())
    assert size < 10_000_000


def test_tokenizer_keeps_agency_names_whole_without_touching_global_jieba():
    words = [t.text for t in ner.load_model()("由市医疗保障局牵头，市卫生健康局配合")]
    assert "市医疗保障局" in words and "市卫生健康局" in words
    assert "市医疗保障局" not in jieba.dt.FREQ


def test_predicted_spans_are_agency_text():
    text = "由市卫生健康局牵头，国家医保局指导。"
    spans = ner.predict_spans(text)
    names = {text[s:e] for s, e in spans}
    assert "市卫生健康局" in names
    assert all(0 <= s < e <= len(text) for s, e in spans)


def test_windows_skip_covered_triggers():
    text = "由市卫生健康局牵头。加强全部工作。"
    assert ner.candidate_windows(text) == [(0, 9)]
    assert ner.candidate_windows(text, covered=[(1, 7)]) == []


def test_rules_only_when_model_missing(monkeypatch, tmp_path):
    monkeypatch.setattr(ner, "model_path", lambda: tmp_path / "absent")
    ner.load_model.cache_clear()
    try:
        assert ner.load_model() is None
        mentions = find_agency_mentions("由市医疗保障局牵头。", "d")
        assert [(m.name, m.source) for m in mentions] == [("市医疗保障局", "rule")]
    finally:
        ner.load_model.cache_clear()


def test_training_labels_cover_gold_names():
    from planparse.extract import train

    docs = train.load_corpus()
    for doc in docs:
        labelled = {doc.text[s:e] for s, e in train.label_spans(doc)}
        assert {g for g in doc.gold if g in doc.text} <= labelled, doc.name  # gold may normalise brackets
    examples, misaligned = train.make_examples(ner.blank_nlp(), docs[:2])
    n_ents = sum(len(d.ents) for d in examples)
    assert n_ents > 0 and misaligned <= n_ents * 0.05


def test_ner_completes_a_place_name_the_rules_cannot_bound():
    text = "积极支持湛江市人民政府开展试点工作。"
    assert [m.name for m in find_agency_mentions(text, "d", use_ner=False)] == ["市人民政府"]
    mentions = find_agency_mentions(text, "d", use_ner=True)
    assert [(m.name, m.source, m.level) for m in mentions] == [("湛江市人民政府", "ner", "city")]
    assert text[mentions[0].char_start:mentions[0].char_end] == mentions[0].name


def test_default_run_imports_neither_spacy_nor_jieba():
    """The NER is opt-in (it added no recall held out by source): the default pipeline must not pay
    for spaCy or jieba at start-up."""
    import subprocess
    import sys

    code = ("import sys; from planparse.pipeline import process_bytes; "
            "r = process_bytes('到2025年建成10个示范基地（市教育局牵头，市财政局配合）。'.encode(), 'x'); "
            "assert r.agencies and r.responsibilities; "
            "print(sorted(m for m in ('spacy', 'jieba', 'cn2an') if m in sys.modules))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "[]"


def test_ner_option_turns_the_model_on(monkeypatch):
    from planparse.extract import NER_ENV
    from planparse.pipeline import process_bytes

    data = "积极支持湛江市人民政府开展试点工作。".encode()
    assert {m.source for m in process_bytes(data, "x").agencies} == {"rule"}
    monkeypatch.setenv(NER_ENV, "1")
    assert [(m.name, m.source) for m in process_bytes(data, "x").agencies] == [("湛江市人民政府", "ner")]
