"""In-memory API: ``planparse.extract(path_or_text) -> Result``, nothing written to disk.

    import planparse
    r = planparse.extract("corpus/003_56dd83259761b121.txt")    # a file, a folder, or plan text
    r.to_pandas("targets")          # one record type as a DataFrame (same columns as the Parquet file)
    r.to_pandas()                   # every record type, like planparse.load()
    r                               # in a notebook: the highlighted review page of the document

A string that names an existing file or folder is read from disk (folders are walked as ``planparse
extract`` walks them); any other string is taken as the plan's text. ``rules=DIR`` selects a user's
copy of the rules, as ``--rules`` does.
"""

from __future__ import annotations

import html
import os
from dataclasses import dataclass, field
from pathlib import Path

from planparse.models import RECORD_TYPES, ErrorRecord
from planparse.pipeline import DocumentResult, process_bytes

TEXT_SOURCE = "<text>"


@dataclass
class Result:
    """The documents (``DocumentResult`` each) and errors of one ``planparse.extract`` call."""

    documents: list[DocumentResult] = field(default_factory=list)
    errors: list[ErrorRecord] = field(default_factory=list)

    def records(self) -> dict[str, list]:
        """Every record type (all nine keys) as lists of pydantic records, as ``extract`` writes them."""
        from planparse.runner import BatchResult

        return BatchResult(documents=self.documents, errors=list(self.errors)).records()

    def to_arrow(self, record_type: str):
        from planparse.write import records_table

        _check_type(record_type)
        return records_table(record_type, self.records()[record_type])

    def to_pandas(self, record_type: str | None = None):
        """One record type as a pandas DataFrame, or (no argument) all of them keyed by type, with the
        columns, dtypes and joins of ``planparse.load`` (nullable integers, datetime64 dates)."""
        from planparse.load import Tables, _convert

        if record_type is not None:
            return _convert(self.to_arrow(record_type), "pandas")
        tables = Tables()
        tables.engine = "pandas"
        for name in RECORD_TYPES:
            tables[name] = _convert(self.to_arrow(name), "pandas")
        return tables

    def __getattr__(self, name: str):
        # r.targets, r.sections …: the records of every document, in order
        if name in RECORD_TYPES:
            return self.records()[name]
        raise AttributeError(name)

    def __repr__(self) -> str:
        counts = ", ".join(f"{len(v)} {k}" for k, v in self.records().items() if k != "documents")
        return f"Result({len(self.documents)} document(s): {counts})"

    def review_html(self, index: int = 0) -> str:
        """The review page (``planparse review``) of one document, as a complete HTML document."""
        from planparse.review import render_document

        return render_document(self.documents[index])

    def _repr_html_(self) -> str:
        """Notebook display: the first document's highlighted review page, isolated in an iframe (its
        CSS and script cannot touch the notebook); other documents via ``review_html(i)``."""
        if not self.documents:
            lines = "".join(f"<li>{html.escape(e.source_path)}: {html.escape(e.message)}</li>" for e in self.errors)
            return f"<p>planparse: no document extracted</p><ul>{lines}</ul>"
        page = html.escape(self.review_html(0), quote=True)
        more = f"<p>{len(self.documents) - 1} more document(s): <code>result.review_html(i)</code></p>" if len(self.documents) > 1 else ""
        return f'<iframe srcdoc="{page}" style="width:100%;height:640px;border:1px solid #ddd" sandbox="allow-scripts"></iframe>{more}'


def _check_type(record_type: str) -> None:
    if record_type not in RECORD_TYPES:
        raise KeyError(f"no record type {record_type!r}; known: {', '.join(RECORD_TYPES)}")


def extract(source: str | os.PathLike | bytes, rules: str | os.PathLike | None = None, source_path: str = TEXT_SOURCE) -> Result:
    """Run the pipeline in memory on a file, a folder, plan text (str) or raw bytes."""
    if rules is not None:
        from planparse.rules_loader import use_rules

        use_rules(rules)
    if isinstance(source, bytes):
        return _from_bytes(source, source_path)
    if isinstance(source, os.PathLike) or (isinstance(source, str) and "\n" not in source and _is_path(source)):
        from planparse.runner import run_batch

        if not Path(source).exists():
            raise FileNotFoundError(f"{source}: no such file or folder")
        batch = run_batch([source], workers=1)
        return Result(documents=batch.documents, errors=batch.errors)
    return _from_bytes(str(source).encode("utf-8"), source_path)


def _is_path(text: str) -> bool:
    try:
        return len(text) < 4096 and Path(text).exists()
    except (OSError, ValueError):
        return False


def _from_bytes(data: bytes, source_path: str) -> Result:
    from planparse.ingest import IngestError

    try:
        return Result(documents=[process_bytes(data, source_path)])
    except IngestError as exc:
        return Result(errors=[ErrorRecord(source_path=source_path, stage="decode", error_type=exc.error_type, message=exc.message)])
