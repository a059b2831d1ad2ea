"""Extractor: targets, deadlines, responsibilities and agency mentions, grounded in the text."""

from __future__ import annotations

from dataclasses import dataclass, field

from planparse.models import AgencyMention, Deadline, Document, Responsibility, Target
from planparse.segment import Structure


@dataclass
class Extracted:
    targets: list[Target] = field(default_factory=list)
    deadlines: list[Deadline] = field(default_factory=list)
    responsibilities: list[Responsibility] = field(default_factory=list)
    agencies: list[AgencyMention] = field(default_factory=list)


def extract_records(document: Document, structure: Structure) -> Extracted:
    """Run every extractor over one segmented document (filled in by the extractor modules)."""
    return Extracted()
