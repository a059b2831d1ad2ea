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


def segment_document(text: str, doc_id: str) -> Structure:
    # Imported here: both modules import Structure from this package.
    from planparse.segment.metadata import find_metadata
    from planparse.segment.structure import build_structure

    structure = build_structure(text, doc_id)
    structure.metadata = find_metadata(text)
    return structure
