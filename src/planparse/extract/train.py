"""Train the agency NER shipped in planparse/model/agency_ner.

    python -m planparse.extract.train          # train on the whole corpus, save the model
    python -m planparse.extract.train --loo    # leave-one-document-out table: rules vs rules+NER
    python -m planparse.extract.train --loso   # silver labels from corpus/wild, held out by source

Labels: gold ``agency_names`` located in each text plus the rule matches (silver), per sentence that
window around a trigger (the only text the NER sees at run time). Config: training/config.cfg.
"""

from __future__ import annotations

import argparse
import json
import random
import shutil
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

import regex
from spacy.tokens import DocBin

from planparse.extract import ner
from planparse.extract.agencies import rule_spans, find_agency_mentions
from planparse.extract.common import leftmost_longest
from planparse.ingest import clean_text, decode_bytes
from planparse.rules_loader import alternation, load_rules

ROOT = Path(__file__).resolve().parents[3]
CONFIG = ROOT / "training" / "config.cfg"
SEED = 13
DEV_SHARE = 0.1


@dataclass
class CorpusDoc:
    name: str
    text: str
    gold: frozenset


def load_corpus(corpus_dir: Path = ROOT / "corpus") -> list[CorpusDoc]:
    docs = []
    for path in sorted((corpus_dir / "gold").glob("*.gold.json")):
        gold = json.loads(path.read_text(encoding="utf-8"))
        if not (corpus_dir / gold["doc"]).is_file() or not gold["doc"].endswith(".txt"):
            continue  # other formats need their reader
        text = clean_text(decode_bytes((corpus_dir / gold["doc"]).read_bytes())[0])
        docs.append(CorpusDoc(gold["doc"], text, frozenset(gold["agency_names"])))
    return docs


def label_spans(doc: CorpusDoc) -> list[tuple[int, int]]:
    """Gold names wherever they occur plus rule matches, overlaps resolved leftmost-longest."""
    spans = list(rule_spans(doc.text))
    if doc.gold:
        spans += [m.span() for m in regex.finditer(alternation(doc.gold), doc.text)]
    return leftmost_longest(spans)


def make_examples(nlp, docs: list[CorpusDoc]) -> tuple[list, int]:
    """spaCy Docs (one per candidate window, as the model sees text at run time) with AGENCY ents, and
    the number of labels that did not fall on token boundaries (mapped with alignment_mode="expand")."""
    out, misaligned = [], 0
    for doc in docs:
        labels = label_spans(doc)
        for start, end in ner.candidate_windows(doc.text):
            sdoc = nlp.make_doc(doc.text[start:end])
            ents = []
            for s, e in labels:
                if start <= s and e <= end:
                    span = sdoc.char_span(s - start, e - start, label=ner.LABEL)
                    if span is None:
                        misaligned += 1
                        span = sdoc.char_span(s - start, e - start, label=ner.LABEL, alignment_mode="expand")
                    if not ents or span.start >= ents[-1].end:
                        ents.append(span)
            sdoc.ents = ents
            out.append(sdoc)
    return out, misaligned


def train_model(docs: list[CorpusDoc], out_dir: Path, quiet: bool = False, max_windows: int | None = None,
                max_epochs: int | None = None) -> Path:
    """Train the NER on ``docs`` with training/config.cfg and save the pipeline to ``out_dir``
    (at most ``max_windows`` windows, drawn with the fixed seed, and ``max_epochs`` when given)."""
    from spacy.cli.train import train as spacy_train
    from spacy.util import fix_random_seed

    fix_random_seed(SEED)
    nlp = ner.blank_nlp()
    examples, misaligned = make_examples(nlp, docs)
    random.Random(SEED).shuffle(examples)
    if max_windows:
        examples = examples[:max_windows]
    n_dev = max(1, int(len(examples) * DEV_SHARE))
    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        DocBin(docs=examples[n_dev:]).to_disk(tmp / "train.spacy")
        DocBin(docs=examples[:n_dev]).to_disk(tmp / "dev.spacy")
        if not quiet:
            print(f"{len(examples) - n_dev} train / {n_dev} dev windows; {misaligned} labels off token "
                  "boundaries (expanded)", file=sys.stderr)
        overrides = {"paths.train": str(tmp / "train.spacy"), "paths.dev": str(tmp / "dev.spacy")}
        if max_epochs:
            overrides["training.max_epochs"] = max_epochs
        if quiet:
            import contextlib
            import io

            with contextlib.redirect_stdout(io.StringIO()), contextlib.redirect_stderr(io.StringIO()):
                spacy_train(CONFIG, tmp / "out", overrides=overrides)
        else:
            spacy_train(CONFIG, tmp / "out", overrides=overrides)
        trained = ner.load_model.__wrapped__(str(tmp / "out" / "model-last"))
    _add_rule_layer(trained)
    if out_dir.exists():
        shutil.rmtree(out_dir)
    trained.to_disk(out_dir)
    return out_dir


def _add_rule_layer(nlp) -> None:
    """The rules' gazetteer as a span_ruler (doc.spans["agency_rules"]) in front of the NER."""
    ruler = nlp.add_pipe("span_ruler", first=True, config={"spans_key": ner.RULES_SPANS_KEY})
    ruler.add_patterns([{"label": ner.LABEL, "pattern": name} for name in load_rules("agencies")["gazetteer"]])


def _prf(tp: int, fp: int, fn: int) -> tuple[float, float, float]:
    p = tp / (tp + fp) if tp + fp else 1.0
    r = tp / (tp + fn) if tp + fn else 1.0
    return p, r, (2 * p * r / (p + r) if p + r else 0.0)


def _counts(pred: set, gold: frozenset) -> tuple[int, int, int]:
    return len(pred & gold), len(pred - gold), len(gold - pred)


def leave_one_out(docs: list[CorpusDoc]) -> None:
    """Train on all documents but one (identical texts held out together), score the held-out one."""
    modes = ("rules", "ner", "rules+ner")
    totals = {m: [0, 0, 0] for m in modes}
    groups: dict[str, list[CorpusDoc]] = {}
    for doc in docs:
        groups.setdefault(doc.text, []).append(doc)
    print(f"{'held-out document':48} {'rules F1':>9} {'NER F1':>8} {'rules+NER F1':>13}")
    for held in groups.values():
        train_docs = [d for d in docs if d.text != held[0].text]
        with tempfile.TemporaryDirectory() as tmp:
            nlp = ner.load_model.__wrapped__(str(train_model(train_docs, Path(tmp) / "m", quiet=True)))
        for doc in held:
            preds = {
                "rules": {m.name for m in find_agency_mentions(doc.text, "d", use_ner=False)},
                "ner": {doc.text[s:e] for s, e in ner.predict_spans(doc.text, nlp)},
                "rules+ner": {m.name for m in find_agency_mentions(doc.text, "d", ner_model=nlp)},
            }
            row = []
            for mode in modes:
                c = _counts(preds[mode], doc.gold)
                totals[mode] = [a + b for a, b in zip(totals[mode], c)]
                row.append(_prf(*c)[2])
            print(f"{doc.name:48} {row[0]:9.3f} {row[1]:8.3f} {row[2]:13.3f}", flush=True)
    print("micro P/R/F1 over all documents:")
    for mode in modes:
        p, r, f = _prf(*totals[mode])
        print(f"  {mode:10} P={p:.3f} R={r:.3f} F1={f:.3f}")


# ---------------------------------------------------------------- silver labels, held out by source

WILD = ROOT / "corpus" / "wild"
SILVER_WINDOWS = 3000  # windows per training run: enough to learn the shape, cheap on one core


def document_sources(corpus_dir: Path = ROOT / "corpus") -> dict[str, str]:
    """File name -> source repository, from SOURCES.tsv (corpus/ and corpus/wild/) and the table of
    SOURCES.md; documents listed nowhere share the source "unlisted"."""
    import csv

    out: dict[str, str] = {}
    for tsv in (corpus_dir / "SOURCES.tsv", corpus_dir / "wild" / "SOURCES.tsv"):
        if tsv.is_file():
            with tsv.open(encoding="utf-8") as f:
                for row in csv.DictReader(f, delimiter="\t"):
                    out[row["file"]] = row["repo"]
    md = corpus_dir / "SOURCES.md"
    if md.is_file():
        for line in md.read_text(encoding="utf-8").splitlines():
            cells = [c.strip() for c in line.strip("|").split("|")]
            if len(cells) > 5 and cells[0].endswith(".txt") and "/" in cells[4]:
                out[cells[0]] = cells[4]
    return out


def silver_docs(wild_dir: Path = WILD) -> list[CorpusDoc]:
    """corpus/wild texts labelled with what the clause parser finds: every agency of a
    responsibility (as written, located in its quote). No gold involved."""
    from planparse.pipeline import process_bytes

    docs = []
    for path in sorted(wild_dir.glob("*.txt")):
        result = process_bytes(path.read_bytes(), str(path))
        names = frozenset(r.agency for r in result.responsibilities if r.agency in r.quote)
        docs.append(CorpusDoc(path.name, result.document.text, names))
    return docs


def leave_one_source_out(max_epochs: int = 8) -> dict:
    """Train on silver labels of corpus/wild documents from every other source, score agency names on
    the gold documents of the held-out source: rules only vs rules + NER (micro P/R/F1)."""
    sources = document_sources()
    gold = load_corpus()
    gold_texts = {d.text for d in gold}
    silver = [d for d in silver_docs() if d.text not in gold_texts]
    by_text = {d.text: sources[d.name] for d in gold if d.name in sources}  # a re-encoded copy (04_gb18030)
    folds: dict[str, list[CorpusDoc]] = {}
    for doc in gold:
        folds.setdefault(sources.get(doc.name) or by_text.get(doc.text, "unlisted"), []).append(doc)
    totals = {m: [0, 0, 0] for m in ("rules", "rules+ner")}
    print(f"{'held-out source':42} {'docs':>4} {'train':>5} {'rules F1':>9} {'rules+NER F1':>13}")
    for source, held in sorted(folds.items()):
        train_docs = [d for d in silver if sources.get(d.name, "unlisted") != source]
        with tempfile.TemporaryDirectory() as tmp:
            nlp = ner.load_model.__wrapped__(str(train_model(train_docs, Path(tmp) / "m", quiet=True,
                                                             max_windows=SILVER_WINDOWS, max_epochs=max_epochs)))
        fold = {m: [0, 0, 0] for m in totals}
        for doc in held:
            preds = {
                "rules": {m.name for m in find_agency_mentions(doc.text, "d")},
                "rules+ner": {m.name for m in find_agency_mentions(doc.text, "d", ner_model=nlp)},
            }
            for mode, pred in preds.items():
                c = _counts(pred, doc.gold)
                fold[mode] = [a + b for a, b in zip(fold[mode], c)]
                totals[mode] = [a + b for a, b in zip(totals[mode], c)]
        print(f"{source[:42]:42} {len(held):4} {len(train_docs):5} {_prf(*fold['rules'])[2]:9.3f} "
              f"{_prf(*fold['rules+ner'])[2]:13.3f}", flush=True)
    print("micro P/R/F1 over the held-out gold documents:")
    for mode, c in totals.items():
        p, r, f = _prf(*c)
        print(f"  {mode:10} P={p:.3f} R={r:.3f} F1={f:.3f} (tp {c[0]}, fp {c[1]}, fn {c[2]})")
    return totals


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--loo", action="store_true", help="leave-one-document-out evaluation table")
    parser.add_argument("--loso", action="store_true",
                        help="silver labels from corpus/wild, leave-one-source-out on the gold: rules vs rules+NER")
    parser.add_argument("--out", type=Path, default=ner.model_path(), help="where to save the model")
    args = parser.parse_args(argv)
    if args.loso:
        leave_one_source_out()
        return
    docs = load_corpus()
    if args.loo:
        leave_one_out(docs)
        return
    started = time.time()
    path = train_model(docs, args.out)
    size = sum(f.stat().st_size for f in path.rglob("*") if f.is_file())
    print(f"saved {path} ({size / 1e6:.1f} MB) in {time.time() - started:.0f}s", file=sys.stderr)


if __name__ == "__main__":
    main()
