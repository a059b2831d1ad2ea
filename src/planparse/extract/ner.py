"""Trained spaCy NER for agency names, shipped in planparse/model/agency_ner (built by
``python -m planparse.extract.train``). Rules-only when the model folder is missing.

Opt-in (``planparse extract --ner``, ``PLANPARSE_NER=1``): held out by source it added no recall over
the rules (README, "Agency NER"), so the default run never imports spaCy or jieba."""

from __future__ import annotations

import bisect
import itertools
import warnings
from functools import lru_cache
from importlib.resources import files
from pathlib import Path

import regex

from planparse.rules_loader import load_rules

LABEL = "AGENCY"
RULES_SPANS_KEY = "agency_rules"
_AGENCY_WORD_FREQ = 1000
_SENTENCE = regex.compile(r"[^。；！？\n]+")


def model_path() -> Path:
    return Path(str(files("planparse") / "model" / "agency_ner"))


def agency_words() -> list[str]:
    """Words added to the pipeline's jieba dictionary so agency names stay single tokens
    (otherwise jieba splits 市|卫生|健康|局 and fuses 由市)."""
    r = load_rules("agencies")
    levels = [w for k in ("provincial", "city", "county") for w in r["level_prefixes"][k]]
    stems = [s + x for s in r["department_stems"] for x in r["department_suffixes"]]
    words = set(r["gazetteer"]) | set(stems) | set(r["group_suffixes"])
    words |= {lv + b for lv in levels for b in itertools.chain(stems, r["prefixed_bodies"])}
    return sorted(words)


@lru_cache(maxsize=1)
def agency_jieba():
    """A private jieba instance (the global jieba dictionary other code uses is left alone); it copies
    the global one's frequencies instead of loading the dictionary file a second time."""
    import jieba

    jieba.initialize()
    tokenizer = jieba.Tokenizer()
    tokenizer.FREQ, tokenizer.total = dict(jieba.dt.FREQ), jieba.dt.total
    tokenizer.initialized = True
    for word in agency_words():
        # An explicit frequency keeps each name one token (by default jieba suggests one per word, slowly).
        tokenizer.add_word(word, freq=_AGENCY_WORD_FREQ)
    return tokenizer


@lru_cache(maxsize=1)
def _spacy():
    """spaCy, imported on first use, with the callback the shipped model's config names."""
    import spacy

    @spacy.registry.callbacks("planparse.agency_jieba.v1")
    def _agency_jieba_callback():
        def use_agency_jieba(nlp):
            nlp.tokenizer.jieba_seg = agency_jieba()
            return nlp

        return use_agency_jieba

    return spacy


def _quiet_jieba() -> None:
    """No dictionary-loading chatter on stderr (jieba sets its logger to DEBUG when imported)."""
    import logging

    import jieba

    jieba.setLogLevel(logging.WARNING)


def blank_nlp():
    """spacy.blank("zh") with the jieba segmenter and the agency dictionary."""
    _quiet_jieba()
    nlp = _spacy().blank("zh", config={"nlp": {"tokenizer": {"segmenter": "jieba"}}})
    nlp.tokenizer.jieba_seg = agency_jieba()
    return nlp


@lru_cache(maxsize=1)
def load_model(path: str | None = None):
    """The shipped pipeline, loaded once; None when it is missing or unreadable (rules only)."""
    folder = Path(path) if path else model_path()
    if not (folder / "config.cfg").is_file():
        return None
    _quiet_jieba()
    try:
        return _spacy().load(folder)
    except Exception as exc:  # a broken model must not stop the pipeline
        warnings.warn(f"agency NER not loaded from {folder}: {exc}", stacklevel=2)
        return None


@lru_cache(maxsize=1)
def _patterns():
    r = load_rules("agencies")
    return regex.compile(r["ner_triggers"]), regex.compile(f"^[{regex.escape(r['ner_trim_leading'])}]+")


def candidate_windows(text: str, covered: list[tuple[int, int]] = ()) -> list[tuple[int, int]]:
    """Merged windows (within one sentence) around each trigger that no ``covered`` span contains."""
    r = load_rules("agencies")
    trigger, _ = _patterns()
    before, after = r["ner_window_before"], r["ner_window_after"]
    # A trigger is covered when the furthest end among spans starting at or before it reaches its end
    # (bisect, not a scan of every span per trigger: that was quadratic on long texts).
    covered = sorted(covered)
    starts = [cs for cs, _ in covered]
    reach = list(itertools.accumulate((ce for _, ce in covered), max))
    windows: list[tuple[int, int]] = []
    for sentence in _SENTENCE.finditer(text):
        s0, e0 = sentence.span()
        for m in trigger.finditer(text, s0, e0):
            i = bisect.bisect_right(starts, m.start()) - 1
            if i >= 0 and reach[i] >= m.end():
                continue
            ws, we = max(s0, m.start() - before), min(e0, m.end() + after)
            if windows and ws <= windows[-1][1] and windows[-1][0] >= s0:
                windows[-1] = (windows[-1][0], max(we, windows[-1][1]))
            else:
                windows.append((ws, we))
    return windows


def predict_spans(text: str, nlp=None, covered: list[tuple[int, int]] = ()) -> list[tuple[int, int]]:
    """Character spans of AGENCY entities the model predicts in the candidate windows ([] without a model)."""
    nlp = nlp if nlp is not None else load_model()
    if nlp is None:
        return []
    _, trim = _patterns()
    windows = candidate_windows(text, covered)
    spans = []
    with nlp.select_pipes(enable=["ner"]):
        for (start, _end), doc in zip(windows, nlp.pipe(text[s:e] for s, e in windows)):
            for ent in doc.ents:
                if ent.label_ != LABEL:
                    continue
                cut = trim.match(ent.text)
                s = start + ent.start_char + (cut.end() if cut else 0)
                if s < start + ent.end_char:
                    spans.append((s, start + ent.end_char))
    return spans
