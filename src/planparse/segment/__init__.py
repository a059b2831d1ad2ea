"""Segmenter: cleaned text -> sections, measures, tables and document metadata."""

from __future__ import annotations

from dataclasses import dataclass, field

from planparse.models import Measure, Section, Table


@dataclass
class Structure:
    sections: list[Section] = field(default_factory=list)
    measures: list[Measure] = field(default_factory=list)
    tables: list[Table] = field(default_factory=list)
    # table_id -> (char_start, char_end) of each data row, for grounding table targets.
    row_spans: dict[str, list[tuple[int, int]]] = field(default_factory=dict)
    # Document fields found in the text: title, doc_number, issuer, region, plan_start_year, plan_end_year.
    metadata: dict = field(default_factory=dict)
    warnings: list[str] = field(default_factory=list)


def segment_document(text: str, doc_id: str, source=None) -> Structure:
    """``source``: the reader's ``PlanDoc`` of ``text``; its table blocks are taken as they are."""
    # Imported here: both modules import Structure from this package.
    from planparse.segment.metadata import find_metadata
    from planparse.segment.structure import build_structure

    if source is None:
        structure = build_structure(text, doc_id)
    else:
        from planparse.segment.blocks import document_tables

        styled = [(b.start, b.end) for b in source.blocks if b.kind == "heading"]
        structure = build_structure(text, doc_id, document_tables(source), styled)
    structure.metadata = find_metadata(text)
    return structure
