"""Quality floors against the hand annotations in corpus/gold (planparse eval).

These are the acceptance figures of the segmenter and extractor: a regression below a floor fails CI.
Scores are micro-averaged over all gold documents, in the whitespace/width-insensitive (soft) mode.
"""

from pathlib import Path

import pytest

from planparse.evaluate import evaluate_corpus

CORPUS = Path(__file__).resolve().parent.parent / "corpus"

FLOORS = {
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


@pytest.fixture(scope="module")
def report():
    return evaluate_corpus(CORPUS, CORPUS / "gold")


def test_every_gold_document_was_scored(report):
    assert len(report.documents) == len(list((CORPUS / "gold").glob("*.gold.json")))
    assert all(d.error is None for d in report.documents)


@pytest.mark.parametrize("metric, floor", sorted(FLOORS.items()))
def test_f1_floor(report, metric, floor):
    score = report.overall[metric]["soft"]
    assert score.f1 >= floor, f"{metric}: F1 {score.f1:.3f} < {floor} (tp {score.tp}, pred {score.n_pred}, gold {score.n_gold})"


@pytest.mark.parametrize("metric", ["tables", "table_kind", "table_rows"])
def test_every_gold_table_found_with_right_kind_and_rows_and_none_invented(report, metric):
    score = report.overall[metric]["soft"]
    assert score.tp == score.n_gold == score.n_pred, f"{metric}: tp {score.tp}, pred {score.n_pred}, gold {score.n_gold}"
