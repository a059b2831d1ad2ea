"""Issue 9's floors for the extractors on corpus/wild (130 real plans nobody annotated): the share of
announced responsibility clauses that produced a responsibility, and of deadline expressions that
produced a deadline (planparse coverage). Agency words are the shape-recogniser's signal."""

from pathlib import Path

import pytest

from planparse.coverage import coverage_paths

WILD = Path(__file__).resolve().parent.parent / "corpus" / "wild"

FLOORS = {"responsibility_clauses": 0.95, "deadline_expressions": 0.95, "agency_words": 0.95}


@pytest.fixture(scope="module")
def overall():
    report = coverage_paths([WILD])
    assert not report.errors
    return report.overall


@pytest.mark.parametrize("signal, floor", sorted(FLOORS.items()))
def test_wild_coverage_floor(overall, signal, floor):
    count = overall[signal]
    assert count.announced > 500, f"{signal}: only {count.announced} announced"
    assert count.share >= floor, f"{signal}: {count.produced}/{count.announced} = {count.share:.3f} < {floor}"
