"""Extractor components: one signature, declared requires/provides, a failure costs only its records."""

from __future__ import annotations

from conftest import CORPUS
from planparse import extract
from planparse.pipeline import process_bytes
from planparse.runner import BatchResult

PLAN = CORPUS / "003_56dd83259761b121.txt"


def test_every_requirement_is_provided_by_an_earlier_component():
    provided: set[str] = set()
    for comp in extract.COMPONENTS.values():
        assert set(comp.requires) <= provided, comp.name
        provided |= set(comp.provides)
    outputs = {c.output for c in extract.COMPONENTS.values()} - {None}
    assert outputs == {"targets", "deadlines", "responsibilities", "agencies"}


def test_a_failing_component_costs_only_its_records_and_an_errors_row(monkeypatch):
    whole = process_bytes(PLAN.read_bytes(), str(PLAN))
    assert whole.deadlines and whole.responsibilities and whole.agencies and not whole.errors

    def broken(document, context):
        raise RuntimeError("boom")

    comp = extract.COMPONENTS["deadlines"]
    monkeypatch.setitem(extract.COMPONENTS, "deadlines", extract.Component(comp.name, broken, comp.output, comp.requires, comp.provides))
    partial = process_bytes(PLAN.read_bytes(), str(PLAN))
    assert partial.deadlines == []
    assert partial.responsibilities == whole.responsibilities and partial.targets == whole.targets
    assert partial.agencies == whole.agencies and partial.sections == whole.sections
    (error,) = partial.errors
    assert (error.stage, error.error_type) == ("extract", "component_failed")
    assert "deadlines" in error.message and "boom" in error.message
    assert any("deadlines" in w for w in partial.document.warnings)
    assert BatchResult(documents=[partial]).records()["errors"] == [error]


def test_a_failing_provider_gives_its_fallback_to_the_components_that_need_it(monkeypatch):
    def broken(document, context):
        raise ValueError("no mentions today")

    comp = extract.COMPONENTS["agencies"]
    monkeypatch.setitem(extract.COMPONENTS, "agencies", extract.Component(comp.name, broken, comp.output, comp.requires, comp.provides))
    result = process_bytes(PLAN.read_bytes(), str(PLAN))
    assert result.agencies == [] and len(result.errors) == 1
    assert result.responsibilities  # ran with the fallback: no mentions
