"""Extractor: targets, deadlines, responsibilities and agency mentions, grounded in the text.

Every extractor is a component ``fn(document, context) -> records``, registered by name with what it
``requires`` from the context and what it ``provides`` to it (as spaCy factories and Stanza
processors declare theirs). Values one component finds for others (the plan's reference year, the
agency mentions) travel through the context, never by one extractor importing another. Components
run in registration order, which respects requires/provides. A component that fails costs only its
own records: its ``provides`` get their declared fallback, the others run, and the failure becomes
an ``errors`` row (stage ``extract``) and a document warning.
"""

from __future__ import annotations

import os
import traceback
from dataclasses import dataclass, field
from typing import Any, Callable

from planparse.models import AgencyMention, Deadline, Document, ErrorRecord, Responsibility, Target
from planparse.segment import Structure


@dataclass
class Context:
    """What components share for one document: its segmented structure and the values provided."""

    structure: Structure
    values: dict[str, Any] = field(default_factory=dict)

    def __getitem__(self, key: str) -> Any:
        return self.values[key]


@dataclass(frozen=True)
class Component:
    name: str
    fn: Callable[[Document, Context], list]
    output: str | None  # record type of the records it returns ("targets", ...), None for a value
    requires: tuple[str, ...] = ()
    provides: dict[str, Any] = field(default_factory=dict)  # context key -> fallback when it fails


COMPONENTS: dict[str, Component] = {}


def component(name: str, output: str | None, requires: tuple[str, ...] = (), provides: dict[str, Any] | None = None):
    """Register ``fn(document, context) -> records`` as extractor ``name``."""

    def register(fn):
        provided = {key for c in COMPONENTS.values() for key in c.provides}
        missing = [key for key in requires if key not in provided]
        if missing:
            raise ValueError(f"component {name} requires {missing}, provided by no component registered before it")
        COMPONENTS[name] = Component(name, fn, output, tuple(requires), dict(provides or {}))
        return fn

    return register


# Thin adapters over the extractors' own functions (their signatures stay theirs).


@component("reference_year", output=None, provides={"reference_year": None, "issue_date": None})
def _reference_year(document: Document, context: Context) -> list:
    """The plan's "now" (issue date, else plan-period start), for deadlines and assignments, and its
    issue date (the source's 成文 field, else the text's issue-date line) that relative deadlines
    count from: the line searched once for both."""
    from planparse.extract.deadlines import issue_date, issue_line, reference_year

    line = issue_line(document.text)
    context.values["reference_year"] = reference_year(document.text, line)
    context.values["issue_date"] = document.issue_date or issue_date(document.text, line)
    return []


NER_ENV = "PLANPARSE_NER"


def ner_enabled() -> bool:
    """Is the agency NER on? Opt-in (``planparse extract --ner`` sets PLANPARSE_NER=1, which worker
    processes inherit); off, spaCy and jieba are never imported."""
    return os.environ.get(NER_ENV, "").strip().lower() in ("1", "true", "yes", "on")


@component("agencies", output="agencies", provides={"agency_mentions": [], "agency_rows": None})
def _agencies(document: Document, context: Context) -> list[AgencyMention]:
    from planparse.extract.agencies import find_agency_mentions
    from planparse.extract.responsibilities import agency_rows, vouched_agency_spans

    # Names in a task table's agency cells or a notice's addressee line are bodies by their
    # position, lexicon or not. The cells are read once, for responsibilities too.
    rows = context.values["agency_rows"] = agency_rows(document.text, context.structure.tables)
    vouched = vouched_agency_spans(document.text, context.structure.tables, rows=rows)
    mentions = find_agency_mentions(document.text, document.doc_id, use_ner=ner_enabled(), vouched=vouched)
    context.values["agency_mentions"] = mentions
    return mentions


@component("table_targets", output="targets")
def _table_targets(document: Document, context: Context) -> list[Target]:
    from planparse.extract.targets import targets_from_tables

    s = context.structure
    return targets_from_tables(s.tables, s.row_spans, document.text, document.doc_id, s.measures)


@component("text_targets", output="targets")
def _text_targets(document: Document, context: Context) -> list[Target]:
    from planparse.extract.targets import targets_from_text

    s = context.structure
    return targets_from_text(
        document.text, document.doc_id, s.measures, s.tables, document.plan_start_year, document.plan_end_year, s.sections
    )


@component("deadlines", output="deadlines", requires=("reference_year", "issue_date"))
def _deadlines(document: Document, context: Context) -> list[Deadline]:
    from planparse.extract.deadlines import find_deadlines

    s = context.structure
    return find_deadlines(document.text, document.doc_id, s.measures, s.tables, ref_year=context["reference_year"],
                          issued=context["issue_date"], plan_start_year=document.plan_start_year)


@component("responsibilities", output="responsibilities", requires=("agency_mentions", "agency_rows", "reference_year"))
def _responsibilities(document: Document, context: Context) -> list[Responsibility]:
    from planparse.extract.responsibilities import find_responsibilities

    s = context.structure
    return find_responsibilities(
        document.text, document.doc_id, s.measures, s.tables,
        mentions=context["agency_mentions"], ref_year=context["reference_year"], rows=context["agency_rows"],
    )


@dataclass
class Extracted:
    targets: list[Target] = field(default_factory=list)
    deadlines: list[Deadline] = field(default_factory=list)
    responsibilities: list[Responsibility] = field(default_factory=list)
    agencies: list[AgencyMention] = field(default_factory=list)
    errors: list[ErrorRecord] = field(default_factory=list)  # one per failed component
    tracebacks: list[str] = field(default_factory=list)


def extract_records(document: Document, structure: Structure, components: dict[str, Component] | None = None) -> Extracted:
    """Run every extractor component over one segmented document."""
    context = Context(structure)
    out = Extracted()
    for comp in (components or COMPONENTS).values():
        try:
            records = comp.fn(document, context)
        except Exception as exc:  # noqa: BLE001 - one component's bug costs its records, not the document
            for key, fallback in comp.provides.items():
                context.values.setdefault(key, fallback)
            message = f"extractor {comp.name} failed: {type(exc).__name__}: {exc}"
            out.errors.append(ErrorRecord(source_path=document.source_path, stage="extract", error_type="component_failed", message=message))
            out.tracebacks.append("".join(traceback.format_exception(exc)))
            document.warnings.append(message)
            continue
        if comp.output is not None:
            getattr(out, comp.output).extend(records)
    # Table and text targets are numbered together, in text order, so ids are unique and stable.
    out.targets.sort(key=lambda t: (t.char_start, t.char_end, t.source))
    for n, t in enumerate(out.targets):  # in place: the records are this run's own (a copy each was slow on target-dense text)
        t.target_id = f"{document.doc_id}-tg{n:04d}"
    return out


from planparse import callable_module  # noqa: E402

# planparse.extract(path_or_text) is the in-memory API even once this package of extractors is imported.
callable_module(__name__, "planparse.api:extract")
