"""One document at a time: bytes -> records (a pure function), and the corpus runner."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field

from planparse.document import PlanDoc
from planparse.extract import extract_records
from planparse.models import (
    CONTENT_TYPES,
    AgencyMention,
    Deadline,
    Document,
    ErrorRecord,
    Grounded,
    Measure,
    Responsibility,
    Section,
    Table,
    Target,
)
from planparse.readers import read_document
from planparse.segment import segment_document


@dataclass
class DocumentResult:
    document: Document
    sections: list[Section] = field(default_factory=list)
    measures: list[Measure] = field(default_factory=list)
    tables: list[Table] = field(default_factory=list)
    targets: list[Target] = field(default_factory=list)
    deadlines: list[Deadline] = field(default_factory=list)
    responsibilities: list[Responsibility] = field(default_factory=list)
    agencies: list[AgencyMention] = field(default_factory=list)
    # Extractor components that failed on this document (its other records are kept).
    errors: list[ErrorRecord] = field(default_factory=list)

    def records(self) -> dict[str, list]:
        """Record lists keyed by their Parquet file name."""
        return {"documents": [self.document], **{name: getattr(self, name) for name in CONTENT_TYPES}}


def process_bytes(data: bytes, source_path: str) -> DocumentResult:
    """Read (by content: text, PDF, Word, HTML), segment and extract one document."""
    source = read_document(data, source_path)
    text = source.text
    doc_id = hashlib.sha256(text.encode("utf-8")).hexdigest()[:16]
    structure = segment_document(text, doc_id, source)
    # Fields the source states outright (an HTML metadata table) win over what the text suggests.
    metadata = {**structure.metadata, **{k: v for k, v in source.metadata.items() if v is not None}}
    document = Document(
        doc_id=doc_id,
        source_path=source_path,
        sha256=hashlib.sha256(data).hexdigest(),
        encoding=source.encoding,
        source_format=source.source_format,
        n_chars=len(text),
        n_pages=source.n_pages,
        page_starts=list(source.page_starts),
        text=text,
        warnings=list(source.warnings) + list(structure.warnings),
        **metadata,
    )
    result = DocumentResult(
        document=document,
        sections=structure.sections,
        measures=structure.measures,
        tables=structure.tables,
    )
    extracted = extract_records(document, structure)
    result.targets = extracted.targets
    result.deadlines = extracted.deadlines
    result.responsibilities = extracted.responsibilities
    result.agencies = extracted.agencies
    result.errors = extracted.errors
    _set_pages(result, source)
    return result


def _set_pages(result: DocumentResult, source: PlanDoc) -> None:
    """Every grounded record's ``page``: the PDF page holding its ``char_start`` (None elsewhere)."""
    if not source.page_starts:
        return
    for records in result.records().values():
        for record in records:
            if isinstance(record, Grounded):
                record.page = source.page_of(record.char_start)
