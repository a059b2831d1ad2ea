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
    """Run every extractor over one segmented document."""
    from planparse.extract.agencies import find_agency_mentions
    from planparse.extract.deadlines import find_deadlines, reference_year
    from planparse.extract.responsibilities import find_responsibilities
    from planparse.extract.targets import targets_from_tables, targets_from_text

    text, doc_id = document.text, document.doc_id
    measures, tables = structure.measures, structure.tables
    agencies = find_agency_mentions(text, doc_id)
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


class _CallableModule(type(__import__("sys"))):
    """``planparse.extract(path_or_text)`` is the in-memory API (``planparse.api.extract``), and this
    package of extractors has the same name: importing the package rebinds ``planparse.extract`` to it,
    so the package calls through to the API (as ``planparse.load`` does)."""

    def __call__(self, *args, **kwargs):
        from planparse.api import extract

        return extract(*args, **kwargs)


__import__("sys").modules[__name__].__class__ = _CallableModule
