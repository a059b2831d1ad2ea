"""One document at a time: bytes -> records (a pure function), and the corpus runner."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field

from planparse.extract import extract_records
from planparse.ingest import decode_bytes, clean_text
from planparse.models import (
    AgencyMention,
    Deadline,
    Document,
    Measure,
    Responsibility,
    Section,
    Table,
    Target,
)
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

    def records(self) -> dict[str, list]:
        """Record lists keyed by their Parquet file name."""
        return {
            "documents": [self.document],
            "sections": self.sections,
            "measures": self.measures,
            "tables": self.tables,
            "targets": self.targets,
            "deadlines": self.deadlines,
            "responsibilities": self.responsibilities,
            "agencies": self.agencies,
        }


def process_bytes(data: bytes, source_path: str) -> DocumentResult:
    """Decode, clean, segment and extract one document."""
    decode_warnings: list[str] = []
    raw_text, encoding = decode_bytes(data, warnings=decode_warnings)
    text = clean_text(raw_text)
    doc_id = hashlib.sha256(text.encode("utf-8")).hexdigest()[:16]
    structure = segment_document(text, doc_id)
    document = Document(
        doc_id=doc_id,
        source_path=source_path,
        sha256=hashlib.sha256(data).hexdigest(),
        encoding=encoding,
        n_chars=len(text),
        text=text,
        warnings=decode_warnings + list(structure.warnings),
        **structure.metadata,
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
    return result
