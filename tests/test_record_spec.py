"""models.RecordSpec: each record type's id, quote, references and review kind, declared once on its
model, name real fields and record types, and the tools' lists are views of them."""

from __future__ import annotations

from pathlib import Path

import pytest

import planparse
from planparse import report, review, validate
from planparse.models import CONTENT_TYPES, RECORD_TYPES, Grounded

from outputs_helper import unique_results

TEMPLATES = Path(planparse.__file__).parent / "templates"


@pytest.mark.parametrize("name", list(RECORD_TYPES))
def test_spec_names_fields_of_its_model(name):
    model = RECORD_TYPES[name]
    spec, fields = model.spec, model.model_fields
    assert spec.id_fields and all(f in fields for f in spec.id_fields)
    assert spec.quote_field is None or (spec.quote_field in fields and issubclass(model, Grounded))
    for ref, target in spec.references.items():
        assert ref in fields and target in RECORD_TYPES
        # A reference names the target's own id (parent_id: another record of the same type).
        assert RECORD_TYPES[target].spec.id_field == (spec.id_field if ref == "parent_id" else ref)
    if spec.review_kind:
        assert issubclass(model, Grounded) and spec.review_end in fields


def test_review_kinds_are_distinct_and_coloured():
    specs = [m.spec for m in RECORD_TYPES.values() if m.spec.review_kind]
    assert len({s.review_kind for s in specs}) == len({s.review_rank for s in specs}) == len(specs)
    colours = (TEMPLATES / "base.html.j2").read_text(encoding="utf-8")
    assert all(f"--{kind}:" in colours for kind in review.KINDS)
    assert [RECORD_TYPES[n].spec.review_kind for n in review.REVIEWED_TYPES] == list(review.KINDS)


def test_tool_lists_are_views_of_the_specs():
    assert CONTENT_TYPES == tuple(n for n in RECORD_TYPES if n not in ("documents", "errors")) == report.COUNTED
    assert validate.CONTENT_TYPES == CONTENT_TYPES
    assert set(validate.QUOTE_FIELDS) == {n for n, m in RECORD_TYPES.items() if m.spec.quote_field}
    assert set(validate.REFERENCES) == {ref for m in RECORD_TYPES.values() for ref in m.spec.references} - {"doc_id"}


def test_group_makes_one_record_per_assignment(corpus_results):
    spec = RECORD_TYPES["responsibilities"].spec
    rows = [r for result in unique_results(corpus_results) for r in result.responsibilities]
    grouped = spec.group(rows)
    assert list(grouped) == list(dict.fromkeys(r.assignment_id for r in rows))
    assert sum(map(len, grouped.values())) == len(rows) > len(grouped)  # some assignments name several agencies
    assert all([r.position for r in group] == list(range(len(group))) for group in grouped.values())
    targets = [t for result in unique_results(corpus_results) for t in result.targets]
    assert list(RECORD_TYPES["targets"].spec.group(targets).values()) == [[t] for t in targets]
