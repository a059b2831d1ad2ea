"""Issue 9's floors on corpus/wild (130 real plans nobody annotated), from planparse coverage: the
share of announced responsibility clauses that produced a responsibility, of deadline expressions
that produced a deadline, of agency words that produced a mention (the shape recogniser's signal),
of table captions that produced a table; and no plan over 3,000 characters without a heading."""

from pathlib import Path

import pytest

from planparse.coverage import coverage_paths

WILD = Path(__file__).resolve().parent.parent / "corpus" / "wild"

FLOORS = {"responsibility_clauses": 0.95, "deadline_expressions": 0.95, "agency_words": 0.95}


@pytest.fixture(scope="module")
def report():
    report = coverage_paths([WILD])
    assert not report.errors
    return report


@pytest.fixture(scope="module")
def overall(report):
    return report.overall


def test_no_long_plan_without_headings(report):
    assert [d.source_path for d in report.headingless] == []


def test_table_captions_produce_tables(overall):
    """Every caption produces a table (a table of contents listing 附件N …表, as 098's does, names
    attachments: its entries are not captions; the attachment itself is)."""
    count = overall["table_captions"]
    assert count.announced >= 80
    assert count.announced == count.produced, count.missed


@pytest.mark.parametrize("signal, floor", sorted(FLOORS.items()))
def test_wild_coverage_floor(overall, signal, floor):
    count = overall[signal]
    assert count.announced > 500, f"{signal}: only {count.announced} announced"
    assert count.share >= floor, f"{signal}: {count.produced}/{count.announced} = {count.share:.3f} < {floor}"
