"""Quality floors against the hand annotations in corpus/gold (planparse eval).

These are the acceptance figures of the segmenter and extractor: a regression below a floor fails CI.
Scores are micro-averaged, in the whitespace/width-insensitive (soft) mode, over two sets:

- the ten original gold documents (the rules were first written against them): the floors the
  first issues set;
- all gold documents, the seven added with the unseen-plans issue included. ``ISSUE_FLOORS`` are
  what that issue asks; where the pipeline does not reach them yet, ``MEASURED_FLOORS`` hold the
  figure it reaches now (a regression guard, not a target) and the gap is in the issue's note, and
  where it is well above them, a floor near the figure reached, so that the gain is not lost.
"""

from pathlib import Path

import pytest

from planparse.evaluate import evaluate_corpus, micro_average

CORPUS = Path(__file__).resolve().parent.parent / "corpus"

ISSUE_FLOORS = {
    "headings": 0.95,
    "measures": 0.95,
    "indicator_rows": 0.95,
    "indicator_cells": 0.95,
    "deadlines": 0.90,
    "resp_agencies": 0.95,
    "resp_leads": 0.95,
    "text_targets": 0.80,
    "agency_names": 0.85,
}
# All gold documents: the figures reached so far where they are below the issue's floor, and where
# they are well above it, so that the gain is kept.
MEASURED_FLOORS = {
    # 累计 commitments, units by shape, frequencies, elided levels; conditions and subsidies out: 0.904.
    "text_targets": 0.89,
    # One lead per assignment, co-leads of 牵头单位：A、B are co_lead (FORMAT.md): 0.998.
    "resp_leads": 0.99,
    # Addressee lines, division columns, collectives, units and second names: 0.953.
    "agency_names": 0.94,
}
# The ten documents of the first gold set, named by their file-name prefix.
ORIGINAL = ("000_", "001_", "002_", "003_", "004_", "01_", "02_", "03_", "04_")


@pytest.fixture(scope="module")
def report():
    return evaluate_corpus(CORPUS, CORPUS / "gold")


@pytest.fixture(scope="module")
def original(report):
    docs = [d for d in report.documents if d.doc.startswith(ORIGINAL)]
    assert len(docs) == 10
    return micro_average(docs)


def test_every_gold_document_was_scored(report):
    assert len(report.documents) == len(list((CORPUS / "gold").glob("*.gold.json"))) >= 17
    assert all(d.error is None for d in report.documents)


@pytest.mark.parametrize("metric, floor", sorted(ISSUE_FLOORS.items()))
def test_f1_floor_on_the_original_documents(original, metric, floor):
    score = original[metric]["soft"]
    assert score.f1 >= floor, f"{metric}: F1 {score.f1:.3f} < {floor} (tp {score.tp}, pred {score.n_pred}, gold {score.n_gold})"


@pytest.mark.parametrize("metric", sorted(ISSUE_FLOORS))
def test_f1_floor_on_all_gold_documents(report, metric):
    floor = MEASURED_FLOORS.get(metric, ISSUE_FLOORS[metric])
    score = report.overall[metric]["soft"]
    assert score.f1 >= floor, f"{metric}: F1 {score.f1:.3f} < {floor} (tp {score.tp}, pred {score.n_pred}, gold {score.n_gold})"


@pytest.mark.parametrize("metric", ["tables", "table_kind"])
def test_every_gold_table_found_with_right_kind_and_none_invented(report, metric):
    score = report.overall[metric]["soft"]
    assert score.tp == score.n_gold == score.n_pred, f"{metric}: tp {score.tp}, pred {score.n_pred}, gold {score.n_gold}"


def test_gold_table_row_counts(report, original):
    """Every gold table has the right number of rows (issue 9: found with the right kind and rows)."""
    score = original["table_rows"]["soft"]
    assert score.tp == score.n_gold == score.n_pred
    overall = report.overall["table_rows"]["soft"]
    assert overall.tp == overall.n_pred == overall.n_gold
