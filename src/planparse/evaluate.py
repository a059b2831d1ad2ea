"""Score pipeline output against the gold annotations (corpus/gold/FORMAT.md).

Every metric is computed in two modes, as GROBID does:

- ``exact``: strings compared as written (labels normalised as FORMAT.md says: "(一)" -> "（一）",
  "1．" -> "1."; titles without a trailing 。; surrounding whitespace ignored);
- ``soft``: strings compared after NFKC normalisation (which also unifies （一）/(一), 1．/1., ％/%),
  with all whitespace removed and trailing 。；： dropped.

Usage::

    report = evaluate_corpus("corpus", "corpus/gold")
    report.overall["headings"]["soft"].f1          # micro-averaged over documents
    report.documents[0].metrics["deadlines"]["exact"].recall
    report.to_dict()                               # JSON-ready

Metrics (keys of ``overall`` and ``DocReport.metrics``), each a ``Score`` with tp / n_pred / n_gold:

- ``metadata``: document fields title, doc_number, issuer, region, plan start and end year; a field
  counts as predicted / gold when non-null, and as correct when both agree.
- ``headings``: multiset of (label, title) of gold headings vs predicted sections.
- ``measures``: multiset of (label, title) of gold measures vs predicted measures.
- ``tables``: tables found. A predicted table matches a gold table with the same caption; in soft
  mode a table left over then matches the left-over gold table it resembles best (caption similarity
  or header overlap >= 0.5). ``table_kind`` / ``table_rows``: found *and* kind / n_rows right.
  Unmatched predictions are listed in ``DocReport.details[mode]["invented_tables"]``, unmatched gold
  in ``missed_tables``.
- ``indicator_rows``: gold ``indicators`` vs targets with source=table, matched on (caption of the
  table, indicator name); a predicted table's caption is taken from the gold table it matched.
- ``indicator_cells``: the 7 cells domain, unit, baseline (baseline_text), target (target_text),
  baseline_year, target_year, nature. tp = cells equal in matched rows (two empty cells agree; in
  soft mode "—"/"-"/"/" count as empty); n_pred = 7 x predicted rows; n_gold = 7 x gold rows. So
  precision and recall fold row detection and cell accuracy together; cell accuracy over matched
  rows alone is in ``details[mode]["cell_accuracy"]`` per field.
- ``text_targets``: gold ``text_targets`` vs targets with source=text: same value and unit, the
  indicators share a common substring of >= 4 characters (or one contains the other) and so do the
  quotes (at least half the shorter quote, or containment). Matched greedily in reading order.
- ``deadlines``: multiset of (text, date).
- ``resp_agencies``: multiset of the agencies of all gold assignments vs Responsibility.agency; a
  prediction also matches by its canonical_name (a name rebuilt from a shared prefix, FORMAT.md kind 8).
- ``resp_leads``: multiset of gold non-null ``lead`` vs agencies of responsibilities with role=lead
  (same matching).
- ``agency_names``: set of gold ``agency_names`` vs set of AgencyMention.name.

Zero counts: when nothing is predicted and nothing is expected, P = R = F1 = 1; otherwise a zero
denominator gives 0.
"""

from __future__ import annotations

import json
import math
import unicodedata
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from difflib import SequenceMatcher
from pathlib import Path
from types import SimpleNamespace
from typing import Callable

import regex

from planparse.models import CONTENT_TYPES
from planparse.pipeline import DocumentResult

MODES = ("exact", "soft")
METRICS = (
    "metadata",
    "headings",
    "measures",
    "tables",
    "table_kind",
    "table_rows",
    "indicator_rows",
    "indicator_cells",
    "text_targets",
    "deadlines",
    "resp_agencies",
    "resp_leads",
    "agency_names",
)
# Column heads of the per-document table.
SHORT_NAMES = dict(
    zip(METRICS, ("meta", "head", "meas", "tab", "kind", "nrows", "ind", "cells", "txt", "ddl", "resp", "lead", "agcy"))
)
# gold indicator field -> Target attribute
CELL_FIELDS = {
    "domain": "domain",
    "unit": "unit",
    "baseline": "baseline_text",
    "target": "target_text",
    "baseline_year": "baseline_year",
    "target_year": "target_year",
    "nature": "nature",  # the 指标性质 cell as written: Target.nature and Target.measure_kind together
}
TABLE_SIMILARITY = 0.5
MIN_COMMON = 4


@dataclass
class Score:
    tp: int = 0
    n_pred: int = 0
    n_gold: int = 0

    @property
    def precision(self) -> float:
        return _ratio(self.tp, self.n_pred, self.n_gold == 0)

    @property
    def recall(self) -> float:
        return _ratio(self.tp, self.n_gold, self.n_pred == 0)

    @property
    def f1(self) -> float:
        p, r = self.precision, self.recall
        return 2 * p * r / (p + r) if p + r else 0.0

    def __add__(self, other: Score) -> Score:
        return Score(self.tp + other.tp, self.n_pred + other.n_pred, self.n_gold + other.n_gold)

    def to_dict(self) -> dict:
        return {
            "tp": self.tp,
            "n_pred": self.n_pred,
            "n_gold": self.n_gold,
            "precision": round(self.precision, 4),
            "recall": round(self.recall, 4),
            "f1": round(self.f1, 4),
        }


def _ratio(num: int, den: int, other_empty: bool) -> float:
    if den:
        return num / den
    return 1.0 if other_empty else 0.0


@dataclass
class DocReport:
    doc: str
    source_path: str | None
    metrics: dict[str, dict[str, Score]]
    details: dict[str, dict] = field(default_factory=dict)
    error: str | None = None

    def to_dict(self) -> dict:
        return {
            "doc": self.doc,
            "source_path": self.source_path,
            "error": self.error,
            "metrics": {m: {mode: s.to_dict() for mode, s in by_mode.items()} for m, by_mode in self.metrics.items()},
            "details": self.details,
        }


@dataclass
class Report:
    documents: list[DocReport]
    overall: dict[str, dict[str, Score]]
    problems: list[str] = field(default_factory=list)  # gold files not scored, one line each

    @property
    def ok(self) -> bool:
        """Every gold file scored and every document processed."""
        return not self.problems and all(d.error is None for d in self.documents)

    def to_dict(self) -> dict:
        return {
            "problems": self.problems,
            "overall": {m: {mode: s.to_dict() for mode, s in by_mode.items()} for m, by_mode in self.overall.items()},
            "documents": [d.to_dict() for d in self.documents],
        }


# --- normalisation ---------------------------------------------------------------------------

_WS = regex.compile(r"\s+")
_HALF_PAREN_LABEL = regex.compile(r"^\((.+?)\)")
_FULL_STOP_LABEL = regex.compile(r"^(\d+)．")
_TRAILING_STOP = regex.compile(r"[。\s]+$")
_SOFT_TRAILING = regex.compile(r"[。；：.;:]+$")
_EMPTY_CELLS = {"", "—", "-", "－", "/", "／", "——", "–"}


def norm_label(label: str) -> str:
    """Label as FORMAT.md normalises it: "(一)" -> "（一）", "1．" -> "1."."""
    label = _HALF_PAREN_LABEL.sub(r"（\1）", label.strip())
    return _FULL_STOP_LABEL.sub(r"\1.", label)


def norm_title(title: str) -> str:
    return _TRAILING_STOP.sub("", title.strip())


def soft(text: str | None) -> str | None:
    """NFKC, no whitespace at all, no trailing 。；： — the comparison form of soft mode."""
    if text is None:
        return None
    text = _WS.sub("", unicodedata.normalize("NFKC", str(text)))
    return _SOFT_TRAILING.sub("", text)


def _exact(text: str | None) -> str | None:
    return None if text is None else str(text).strip()


KEYS: dict[str, Callable[[str | None], str | None]] = {"exact": _exact, "soft": soft}


def _label_key(mode: str, label: str | None) -> str:
    """An unlabelled heading (前言) has label null in gold and "" in sections."""
    label = label or ""
    return norm_label(label) if mode == "exact" else soft(label)


def _title_key(mode: str, title: str) -> str:
    return norm_title(title) if mode == "exact" else soft(title)


def _cell_key(mode: str, value) -> str | None:
    if value is None:
        return None
    key = KEYS[mode](str(value))
    if mode == "soft" and key in _EMPTY_CELLS:
        return None
    return key or None


def related(a: str | None, b: str | None, min_common: int = MIN_COMMON) -> bool:
    """One string contains the other, or they share a common substring of at least ``min_common``."""
    if not a or not b:
        return False
    if a in b or b in a:
        return True
    m = SequenceMatcher(None, a, b, autojunk=False).find_longest_match(0, len(a), 0, len(b))
    return m.size >= min_common


def multiset_score(gold: list, pred: list) -> Score:
    g, p = Counter(gold), Counter(pred)
    return Score(sum((g & p).values()), len(pred), len(gold))


def alternatives_score(gold: list, pred: list[tuple]) -> Score:
    """Like multiset_score, but a prediction is a tuple of keys any one of which may match a gold
    item (an agency as written, or its canonical name when the text distributes a shared prefix)."""
    left = Counter(gold)
    tp = 0
    for keys in pred:
        hit = next((k for k in keys if left[k] > 0), None)
        if hit is not None:
            left[hit] -= 1
            tp += 1
    return Score(tp, len(pred), len(gold))


def set_score(gold: list, pred: list) -> Score:
    g, p = set(gold), set(pred)
    return Score(len(g & p), len(p), len(g))


# --- metrics ---------------------------------------------------------------------------------


def evaluate_document(gold: dict, result: DocumentResult | None) -> DocReport:
    """Score one document's pipeline output (None when it could not be processed) against its gold."""
    r = result or _empty_result()
    metrics: dict[str, dict[str, Score]] = defaultdict(dict)
    details: dict[str, dict] = {}
    for mode in MODES:
        key = KEYS[mode]
        metrics["metadata"][mode] = _metadata_score(gold, r, key)
        metrics["headings"][mode] = multiset_score(
            [(_label_key(mode, h["label"]), _title_key(mode, h["title"])) for h in gold.get("headings", [])],
            [(_label_key(mode, s.label), _title_key(mode, s.title)) for s in r.sections],
        )
        metrics["measures"][mode] = multiset_score(
            [(_label_key(mode, m["label"]), _title_key(mode, m["title"])) for m in gold.get("measures", [])],
            [(_label_key(mode, m.label), _title_key(mode, m.title)) for m in r.measures],
        )
        detail: dict = {}
        caption_of = _table_scores(gold, r, mode, metrics, detail)
        _indicator_scores(gold, r, mode, caption_of, metrics, detail)
        metrics["text_targets"][mode] = _text_target_score(gold, r, mode)
        metrics["deadlines"][mode] = multiset_score(
            [(key(d["text"]), d["date"]) for d in gold.get("deadlines", [])],
            [(key(d.text), d.date.isoformat() if d.date else None) for d in r.deadlines],
        )
        resp = gold.get("responsibilities", [])
        metrics["resp_agencies"][mode] = alternatives_score(
            [key(a) for g in resp for a in g.get("agencies", [])],
            [(key(x.agency), key(x.canonical_name)) for x in r.responsibilities],
        )
        metrics["resp_leads"][mode] = alternatives_score(
            [key(g["lead"]) for g in resp if g.get("lead")],
            [(key(x.agency), key(x.canonical_name)) for x in r.responsibilities if x.role == "lead"],
        )
        metrics["agency_names"][mode] = set_score(
            [key(a) for a in gold.get("agency_names", [])], [key(a.name) for a in r.agencies]
        )
        details[mode] = detail
    return DocReport(
        doc=gold.get("doc", ""),
        source_path=result.document.source_path if result else None,
        metrics={m: metrics[m] for m in METRICS},
        details=details,
    )


def _empty_result() -> SimpleNamespace:
    """Stands in for a document the pipeline could not process: everything in gold is missed."""
    return SimpleNamespace(document=None, **{name: () for name in CONTENT_TYPES})


def _metadata_score(gold: dict, r, key) -> Score:
    period = gold.get("plan_period") or [None, None]
    expected = {
        "title": gold.get("title"),
        "doc_number": gold.get("doc_number"),
        "issuer": gold.get("issuer"),
        "region": gold.get("region"),
        "plan_start_year": period[0],
        "plan_end_year": period[1],
    }
    doc = r.document
    score = Score()
    for name, g in expected.items():
        p = getattr(doc, name) if doc is not None else None
        g_key, p_key = _cell_key_any(key, g), _cell_key_any(key, p)
        score += Score(int(g_key is not None and g_key == p_key), int(p_key is not None), int(g_key is not None))
    return score


def _cell_key_any(key, value):
    return None if value is None else key(str(value))


def _table_scores(gold: dict, r, mode: str, metrics, detail) -> dict[str, str]:
    """Match tables; fill tables / table_kind / table_rows; return predicted table_id -> gold caption key."""
    key = KEYS[mode]
    gold_tables = gold.get("tables", [])
    pred_tables = list(r.tables)
    pairs = match_tables(gold_tables, pred_tables, mode)
    n_pred, n_gold = len(pred_tables), len(gold_tables)
    metrics["tables"][mode] = Score(len(pairs), n_pred, n_gold)
    metrics["table_kind"][mode] = Score(
        sum(gold_tables[gi]["kind"] == pred_tables[pi].kind for gi, pi in pairs), n_pred, n_gold
    )
    metrics["table_rows"][mode] = Score(
        sum(gold_tables[gi]["n_data_rows"] == pred_tables[pi].n_rows for gi, pi in pairs), n_pred, n_gold
    )
    matched_g = {gi for gi, _ in pairs}
    matched_p = {pi for _, pi in pairs}
    detail["invented_tables"] = [pred_tables[i].caption for i in range(n_pred) if i not in matched_p]
    detail["missed_tables"] = [gold_tables[i]["caption"] for i in range(n_gold) if i not in matched_g]
    return {pred_tables[pi].table_id: key(gold_tables[gi]["caption"]) for gi, pi in pairs}


def match_tables(gold_tables: list[dict], pred_tables: list, mode: str) -> list[tuple[int, int]]:
    """One-to-one (gold index, predicted index) pairs: equal captions first, then (soft) best resemblance."""
    key = KEYS[mode]
    pairs: list[tuple[int, int]] = []
    used_g: set[int] = set()
    used_p: set[int] = set()
    for gi, g in enumerate(gold_tables):
        g_cap = key(g.get("caption"))
        for pi, p in enumerate(pred_tables):
            if pi not in used_p and g_cap and g_cap == key(p.caption):
                pairs.append((gi, pi))
                used_g.add(gi)
                used_p.add(pi)
                break
    if mode == "soft":
        candidates = []
        for gi, g in enumerate(gold_tables):
            if gi in used_g:
                continue
            for pi, p in enumerate(pred_tables):
                if pi not in used_p:
                    sim = _table_similarity(g, p)
                    if sim >= TABLE_SIMILARITY:
                        candidates.append((-sim, gi, pi))
        for _, gi, pi in sorted(candidates):
            if gi not in used_g and pi not in used_p:
                pairs.append((gi, pi))
                used_g.add(gi)
                used_p.add(pi)
    return sorted(pairs)


def _table_similarity(g: dict, p) -> float:
    caption = SequenceMatcher(None, soft(g.get("caption")) or "", soft(p.caption) or "", autojunk=False).ratio()
    g_head = {soft(c) for c in g.get("header", [])}
    p_head = {soft(c) for c in p.header}
    header = len(g_head & p_head) / len(g_head | p_head) if g_head and p_head else 0.0
    return max(caption, header)


def _predicted_cell(t, attr: str):
    if attr == "nature":  # gold keeps the one 指标性质 column; planparse splits it in two
        return "/".join(v for v in (t.measure_kind, t.nature) if v) or None
    return getattr(t, attr)


def _indicator_scores(gold: dict, r, mode: str, caption_of: dict[str, str], metrics, detail) -> None:
    key = KEYS[mode]
    gold_rows = gold.get("indicators", [])
    pred_rows = [t for t in r.targets if t.source == "table"]
    by_key: dict[tuple, list] = defaultdict(list)
    for t in pred_rows:
        table_key = caption_of.get(t.table_id, ("unmatched", t.table_id))
        by_key[(table_key, key(t.indicator))].append(t)
    correct = Counter()
    matched = 0
    for g in gold_rows:
        candidates = by_key.get((key(g.get("table")), key(g.get("name"))))
        if not candidates:
            continue
        t = candidates.pop(0)
        matched += 1
        for g_field, attr in CELL_FIELDS.items():
            correct[g_field] += _cell_key(mode, g.get(g_field)) == _cell_key(mode, _predicted_cell(t, attr))
    n = len(CELL_FIELDS)
    metrics["indicator_rows"][mode] = Score(matched, len(pred_rows), len(gold_rows))
    metrics["indicator_cells"][mode] = Score(sum(correct.values()), n * len(pred_rows), n * len(gold_rows))
    detail["cell_accuracy"] = {f: {"correct": correct[f], "compared": matched} for f in CELL_FIELDS}


def _text_target_score(gold: dict, r, mode: str) -> Score:
    key = KEYS[mode]
    gold_rows = gold.get("text_targets", [])
    pred_rows = [t for t in r.targets if t.source == "text"]
    used: set[int] = set()
    for g in gold_rows:
        for i, t in enumerate(pred_rows):
            if i not in used and _text_target_matches(g, t, key):
                used.add(i)
                break
    return Score(len(used), len(pred_rows), len(gold_rows))


def _text_target_matches(g: dict, t, key) -> bool:
    gv, pv = g.get("value"), t.target_value
    if (gv is None) != (pv is None) or (gv is not None and not math.isclose(float(gv), pv, rel_tol=1e-9, abs_tol=1e-9)):
        return False
    if key(g.get("unit")) != key(t.unit):
        return False
    if not related(key(g.get("indicator")), key(t.indicator)):
        return False
    g_quote, p_quote = key(g.get("quote")), key(t.quote)
    return related(g_quote, p_quote, max(MIN_COMMON, min(len(g_quote or ""), len(p_quote or "")) // 2))


# --- corpus ----------------------------------------------------------------------------------


class GoldError(ValueError):
    """A gold file that cannot be scored: unreadable, not a JSON object, empty, or its document is missing."""


# Keys of a gold file that annotate something (FORMAT.md); a file with none of them scores nothing.
_ANNOTATION_KEYS = ("title", "doc_number", "issuer", "region", "plan_period", "headings", "measures", "tables",
                    "indicators", "text_targets", "deadlines", "responsibilities", "agency_names")


def read_gold(gold_path: Path, corpus_dir: Path, index: dict[str, Path] | None = None) -> tuple[dict, Path]:
    """The gold annotations of one file and the path of its document; ``GoldError`` names what is wrong."""
    try:
        gold = json.loads(gold_path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise GoldError(f"{gold_path}: cannot read gold file: {exc}") from None
    if not isinstance(gold, dict):
        raise GoldError(f"{gold_path}: a gold file is a JSON object (corpus/gold/FORMAT.md), not {type(gold).__name__}")
    if not any(gold.get(key) not in (None, [], {}, "") for key in _ANNOTATION_KEYS):
        raise GoldError(f"{gold_path}: the gold file holds no annotations (none of {', '.join(_ANNOTATION_KEYS)})")
    index = _document_index(corpus_dir) if index is None else index
    doc_name = gold.get("doc") or _source_name(corpus_dir, gold_path.name[: -len(".gold.json")], index)
    gold.setdefault("doc", doc_name)
    document = _find_document(corpus_dir, doc_name, index)
    if not document.is_file():
        raise GoldError(f"no document for gold file {gold_path}: {doc_name} is not in {corpus_dir}")
    return gold, document


def evaluate_corpus(corpus_dir: str | Path, gold_dir: str | Path) -> Report:
    """Run the pipeline on every document that has a ``<stem>.gold.json`` and score it.

    Gold files that cannot be scored (see ``read_gold``) are left out of the scores and listed in
    ``Report.problems``; a document that fails to process is scored as finding nothing (``error`` set).
    """
    from planparse.runner import process_file

    corpus_dir, gold_dir = Path(corpus_dir), Path(gold_dir)
    documents, problems = [], []
    index = _document_index(corpus_dir)  # the corpus tree is walked once, not once per gold file
    for gold_path in sorted(gold_dir.glob("*.gold.json")):
        try:
            gold, document = read_gold(gold_path, corpus_dir, index)
        except GoldError as exc:
            problems.append(str(exc))
            continue
        outcome = process_file(str(document))
        try:
            doc_report = evaluate_document(gold, outcome.result)
        except (KeyError, TypeError, AttributeError, ValueError) as exc:  # an entry without a field FORMAT.md requires
            problems.append(f"{gold_path}: malformed annotation ({type(exc).__name__}: {exc}); see corpus/gold/FORMAT.md")
            continue
        if outcome.error is not None:
            doc_report.error = f"{outcome.error.error_type}: {outcome.error.message}"
            doc_report.source_path = outcome.source_path
        documents.append(doc_report)
    return Report(documents=documents, overall=micro_average(documents), problems=problems)


def _source_name(corpus_dir: Path, stem: str, index: dict[str, Path]) -> str:
    """A gold file naming no ``doc``: the document with its stem, of any supported format (.txt first)."""
    from planparse.readers import supported_suffixes

    suffixes = sorted(set(supported_suffixes()), key=lambda s: s != ".txt")
    for suffix in suffixes:
        if _find_document(corpus_dir, stem + suffix, index).exists():
            return stem + suffix
    return stem + ".txt"


def _document_index(corpus_dir: Path) -> dict[str, Path]:
    """File name -> the first file of that name below ``corpus_dir`` (sorted path order)."""
    index: dict[str, Path] = {}
    for path in sorted(corpus_dir.rglob("*")):
        if path.is_file():
            index.setdefault(path.name, path)
    return index


def _find_document(corpus_dir: Path, doc_name: str, index: dict[str, Path] | None = None) -> Path:
    """The gold's document: ``corpus_dir/doc_name``, else the first file of that name below it
    (native formats sit in subfolders such as corpus/native/)."""
    direct = corpus_dir / doc_name
    if direct.exists():
        return direct
    index = _document_index(corpus_dir) if index is None else index
    return index.get(doc_name, direct)


def micro_average(documents: list[DocReport]) -> dict[str, dict[str, Score]]:
    overall = {m: {mode: Score() for mode in MODES} for m in METRICS}
    for d in documents:
        for m in METRICS:
            for mode in MODES:
                overall[m][mode] += d.metrics[m][mode]
    return overall


def _short_doc(doc: str, width: int = 26) -> str:
    stem = doc.removesuffix(".txt")
    return stem if len(stem) <= width else stem[: width // 2] + "…" + stem[-(width // 2 - 1) :]


def print_report(report: Report, console=None) -> None:
    """Overall table (exact and soft P/R/F1 with soft counts), then soft F1 per document."""
    from rich.console import Console
    from rich.table import Table

    console = console or Console()
    if not console.is_terminal:
        console.width = max(console.width, 132)  # piped output: do not squeeze the tables to 80 columns
    overall = Table(title=f"planparse eval: {len(report.documents)} documents (micro-averaged)")
    overall.add_column("metric")
    for mode in MODES:
        for part in ("P", "R", "F1"):
            overall.add_column(f"{mode} {part}", justify="right")
    overall.add_column("soft tp/pred/gold", justify="right")
    for m in METRICS:
        cells = []
        for mode in MODES:
            s = report.overall[m][mode]
            cells += [f"{s.precision:.3f}", f"{s.recall:.3f}", f"{s.f1:.3f}"]
        s = report.overall[m]["soft"]
        overall.add_row(m, *cells, f"{s.tp}/{s.n_pred}/{s.n_gold}")
    console.print(overall)

    per_doc = Table(title="soft F1 per document")
    per_doc.add_column("doc", no_wrap=True, min_width=26)
    for m in METRICS:
        per_doc.add_column(SHORT_NAMES[m], justify="right")
    for d in report.documents:
        per_doc.add_row(_short_doc(d.doc), *(f"{d.metrics[m]['soft'].f1:.2f}" for m in METRICS))
    console.print(per_doc)
    for d in report.documents:  # failed documents are reported by the caller (planparse eval: on stderr)
        invented = d.details["soft"]["invented_tables"]
        if invented:
            console.print(f"{d.doc}: invented tables: {invented}")
