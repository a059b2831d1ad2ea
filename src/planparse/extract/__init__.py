"""Extractor: targets, deadlines, responsibilities and agency mentions, grounded in the text."""

from __future__ import annotations

import os
from dataclasses import dataclass, field

from planparse.models import AgencyMention, Deadline, Document, Responsibility, Target
from planparse.segment import Structure


@dataclass
class Extracted:
    targets: list[Target] = field(default_factory=list)
    deadlines: list[Deadline] = field(default_factory=list)
    responsibilities: list[Responsibility] = field(default_factory=list)
    agencies: list[AgencyMention] = field(default_factory=list)


NER_ENV = "PLANPARSE_NER"


def ner_enabled() -> bool:
    """Is the agency NER on? Opt-in (``planparse extract --ner`` sets PLANPARSE_NER=1, which worker
    processes inherit); off, spaCy and jieba are never imported."""
    return os.environ.get(NER_ENV, "").strip().lower() in ("1", "true", "yes", "on")


def extract_records(document: Document, structure: Structure, use_ner: bool | None = None) -> Extracted:
    """Run every extractor over one segmented document (the NER only when ``use_ner``, default
    ner_enabled())."""
    from planparse.extract.agencies import find_agency_mentions
    from planparse.extract.deadlines import find_deadlines, reference_year
    from planparse.extract.responsibilities import find_responsibilities
    from planparse.extract.targets import targets_from_tables, targets_from_text

    text, doc_id = document.text, document.doc_id
    measures, tables = structure.measures, structure.tables
    agencies = find_agency_mentions(text, doc_id, use_ner=ner_enabled() if use_ner is None else use_ner)
    # The plan's "now" (issue date, else plan-period start): read once, used by deadlines and assignments.
    ref_year = reference_year(text)
    targets = targets_from_tables(tables, structure.row_spans, text, doc_id, measures) + targets_from_text(
        text, doc_id, measures, tables, document.plan_start_year, document.plan_end_year, structure.sections
    )
    # Table and text targets are numbered together, in text order, so ids are unique and stable.
    targets.sort(key=lambda t: (t.char_start, t.char_end, t.source))
    targets = [t.model_copy(update={"target_id": f"{doc_id}-tg{n:04d}"}) for n, t in enumerate(targets)]
    return Extracted(
        targets=targets,
        deadlines=find_deadlines(text, doc_id, measures, tables, ref_year=ref_year),
        responsibilities=find_responsibilities(text, doc_id, measures, tables, mentions=agencies, ref_year=ref_year),
        agencies=agencies,
    )
