"""``planparse validate``: check plan texts, or a folder of Parquet outputs, against the contract.

Two kinds of input:

* plan text files or folders: the pipeline runs on each file and every document is checked;
* an outputs folder (a folder holding ``*.parquet`` files, as ``planparse extract`` writes it): every
  file's columns and Arrow types (against ``write.arrow_schema``), its ``planparse`` metadata and its rows
  (with jsonschema, against the JSON Schemas), then every document across the files.

What a document must have (both kinds): decodable text; a title or a first heading; at least one
heading; tables other than 专栏 boxes with a header and every row as long as the header; indicator
rows whose target was parsed (value or comparator) or that carry a warning; every record grounded at
its offsets (``text[char_start:char_end]`` equals the record's quote / text / name; a section's title
lies in ``text[char_start:heading_end]``; a table's caption and header cells lie in its span, whitespace
ignored, since cells are rebuilt from wrapped lines); unique ids; and every doc_id / measure_id /
section_id / table_id / parent_id naming an existing record.

Line numbers in messages are 1-based lines of the cleaned text (the text every offset points into,
``documents.text``), which can differ from the source file's lines: cleaning rejoins wrapped lines
and drops converter noise.
"""

from __future__ import annotations

import bisect
import os
from collections import Counter, defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import regex
from jsonschema import Draft202012Validator

import planparse
from planparse.export import jsonable
from planparse.models import CONTENT_TYPES, RECORD_TYPES, SCHEMA_VERSION
from planparse.rules_loader import load_rules
from planparse.runner import display_path
from planparse.schema import record_schemas
from planparse.write import METADATA_KEY, arrow_schema, parquet_file, schema_metadata

ERROR, WARNING = "error", "warning"
LINE_NOTE = "line numbers are lines of the cleaned text (documents.text), counted from 1"

# Declared once per record type on its model (models.RecordSpec); the maps below are views of it.
ID_FIELDS = {name: model.spec.id_fields for name, model in RECORD_TYPES.items()}
# Reference field -> record type it names (doc_id is checked on its own).
REFERENCES = {ref: target for model in RECORD_TYPES.values() for ref, target in model.spec.references.items() if ref != "doc_id"}
# Field that must equal text[char_start:char_end].
QUOTE_FIELDS = {name: model.spec.quote_field for name, model in RECORD_TYPES.items() if model.spec.quote_field}
MAX_ROW_ERRORS = 20  # per Parquet file; the count of the rest is reported

_WS = regex.compile(r"\s+")
_NEWLINE = regex.compile(r"\n")


@dataclass
class Issue:
    severity: str  # "error" fails the subject, "warning" does not
    code: str  # short machine-readable kind, e.g. "no_heading", "dangling_reference"
    message: str
    record_type: str | None = None
    record_id: str | None = None
    line: int | None = None  # 1-based line of the cleaned text

    def to_dict(self) -> dict:
        return {k: v for k, v in self.__dict__.items() if v is not None}

    def __str__(self) -> str:
        where = f"line {self.line}: " if self.line is not None else ""
        return f"{where}{self.message} [{self.code}]"


@dataclass
class Subject:
    """One thing checked: a document (from a text file or from outputs) or one Parquet file."""

    kind: str  # "document" / "file"
    path: str
    doc_id: str | None = None
    source: str | None = None  # the outputs folder a document or file was read from
    issues: list[Issue] = field(default_factory=list)
    counts: dict[str, int] = field(default_factory=dict)

    @property
    def errors(self) -> list[Issue]:
        return [i for i in self.issues if i.severity == ERROR]

    @property
    def warnings(self) -> list[Issue]:
        return [i for i in self.issues if i.severity == WARNING]

    @property
    def status(self) -> str:
        return "errors" if self.errors else "warnings" if self.warnings else "ok"

    def to_dict(self) -> dict:
        out = {"kind": self.kind, "path": self.path, "status": self.status}
        if self.doc_id:
            out["doc_id"] = self.doc_id
        if self.source:
            out["source"] = self.source
        if self.counts:
            out["counts"] = self.counts
        out["issues"] = [i.to_dict() for i in self.issues]
        return out


@dataclass
class Report:
    subjects: list[Subject] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)  # files skipped, not failures

    @property
    def ok(self) -> bool:
        return not any(s.errors for s in self.subjects)

    def summary(self) -> dict[str, int]:
        statuses = Counter(s.status for s in self.subjects)
        return {
            "documents": sum(s.kind == "document" for s in self.subjects),
            "files": sum(s.kind == "file" for s in self.subjects),
            "ok": statuses["ok"],
            "warnings": statuses["warnings"],
            "failed": statuses["errors"],
        }

    def to_dict(self) -> dict:
        return {
            "ok": self.ok,
            "schema_version": SCHEMA_VERSION,
            "planparse_version": planparse.__version__,
            "line_numbers": LINE_NOTE,
            "summary": self.summary(),
            "subjects": [s.to_dict() for s in self.subjects],
            "notes": self.notes,
        }


# ------------------------------------------------------------------ helpers


class Lines:
    """Offset -> 1-based line number of a text (newline positions found once, then bisected)."""

    def __init__(self, text: str):
        self._newlines = [m.start() for m in _NEWLINE.finditer(text)]

    def __call__(self, offset) -> int | None:
        if not isinstance(offset, int):
            return None
        return bisect.bisect_left(self._newlines, offset) + 1


def _short(value, width: int = 40) -> str:
    text = str(value)
    return repr(text if len(text) <= width else text[: width - 1] + "…")


def _squeeze(text: str) -> str:
    return _WS.sub("", text)


def record_id(name: str, record: Mapping) -> str:
    return "/".join(str(record.get(f)) for f in ID_FIELDS.get(name, ("source_path",)))


@lru_cache(maxsize=1)
def _empty_cells() -> frozenset[str]:
    """Cell texts that mean "no value" (shared with the targets extractor's rules)."""
    return frozenset(load_rules("targets")["empty_cells"])


def validators(schemas: Mapping[str, dict] | None = None) -> dict[str, Draft202012Validator]:
    """A jsonschema validator per record type (``schemas`` default: the ones generated from the models)."""
    schemas = schemas or record_schemas()
    return {
        name: Draft202012Validator(schemas[name], format_checker=Draft202012Validator.FORMAT_CHECKER)
        for name in RECORD_TYPES
    }


def _schema_message(error) -> str:
    where = ".".join(str(p) for p in error.absolute_path)
    return f"{where}: {error.message}" if where else error.message


# ------------------------------------------------------------------ one document


def check_document(
    document: Mapping,
    records: Mapping[str, list[Mapping]],
    checkers: Mapping[str, Draft202012Validator] | None = None,
) -> list[Issue]:
    """Every check on one document; ``records`` maps record types to rows as dicts (JSON-like values).

    With ``checkers``, each row is also validated against its JSON Schema (outputs are validated file
    by file instead, see :func:`validate_outputs`).
    """
    issues: list[Issue] = []
    text = document.get("text") if isinstance(document.get("text"), str) else ""
    lines = Lines(text)

    def add(severity, code, message, name=None, rec=None, offset=None):
        rid = record_id(name, rec) if rec is not None else None
        issues.append(Issue(severity, code, message, name, rid, lines(offset)))

    if checkers is not None:
        for name, rows in [("documents", [document]), *records.items()]:
            for rec in rows:
                for err in checkers[name].iter_errors(rec):
                    add(ERROR, "schema", f"{name} {record_id(name, rec)}: {_schema_message(err)}", name, rec, rec.get("char_start"))

    _check_text(document, text, add)
    _check_headings(document, records, add)
    _check_ids(records, add)
    _check_references(document, records, add)
    _check_section_tree(records.get("sections", []), add)
    _check_grounding(text, records, add)
    _check_tables(text, records.get("tables", []), add)
    _check_indicator_rows(records.get("tables", []), records.get("targets", []), add)
    return issues


def _check_text(document: Mapping, text: str, add) -> None:
    if not text.strip():
        add(ERROR, "empty_text", "the cleaned text is empty")
    if document.get("n_chars") != len(text):
        add(ERROR, "n_chars", f"n_chars is {document.get('n_chars')} but the text has {len(text)} characters", "documents", document)
    bad = text.find("\ufffd")
    if bad >= 0:
        add(WARNING, "replacement_characters", f"{text.count(chr(0xFFFD))} U+FFFD replacement character(s): bytes that did not decode", offset=bad)
    for warning in document.get("warnings") or []:
        add(WARNING, "document_warning", f"document: {warning}")


def _check_ids(records: Mapping[str, list[Mapping]], add) -> None:
    for name, rows in records.items():
        counts = Counter(record_id(name, r) for r in rows)
        seen = set()
        for r in rows:
            rid = record_id(name, r)
            if counts[rid] > 1 and rid not in seen:
                seen.add(rid)
                add(ERROR, "duplicate_id", f"{name} id {rid!r} is used by {counts[rid]} records", name, r, r.get("char_start"))


def _check_headings(document: Mapping, records: Mapping[str, list[Mapping]], add) -> None:
    if "sections" in records and not records["sections"]:
        # A short notice or an attachment table may rightly have none; a long plan has headings
        # (the same length rule as `planparse coverage`'s headingless documents).
        long_plan = (document.get("n_chars") or 0) > load_rules("coverage")["headingless_min_chars"]
        add(
            ERROR if long_plan else WARNING,
            "no_heading",
            "no headings found: a plan document has at least one heading (第一章 / 一、 / （一） …)",
        )
        if not document.get("title"):
            add(ERROR if long_plan else WARNING, "no_title", "no title and no first heading to stand for one")


def _check_references(document: Mapping, records: Mapping[str, list[Mapping]], add) -> None:
    """doc_id and the id references; only into record types given (outputs whose file failed are left out)."""
    doc_id = document.get("doc_id")
    known = {target: {r.get(ID_FIELDS[target][0]) for r in records[target]} for target in set(REFERENCES.values()) if target in records}
    for name, rows in records.items():
        own = ID_FIELDS[name][0]
        for r in rows:
            if r.get("doc_id") != doc_id:
                add(ERROR, "dangling_reference", f"{name} {record_id(name, r)}: doc_id {r.get('doc_id')!r} is not this document ({doc_id})", name, r, r.get("char_start"))
            for ref, target in REFERENCES.items():
                value = r.get(ref)
                if ref != own and value is not None and target in known and value not in known[target]:
                    add(ERROR, "dangling_reference", f"{name} {record_id(name, r)}: {ref} {value!r} names no record in {target}", name, r, r.get("char_start"))


def _check_section_tree(sections: list[Mapping], add) -> None:
    """Sections form a tree: no section is its own parent or ancestor (a parent_id cycle), and a
    child is deeper than its parent (level greater than the parent's)."""
    by_id = {s.get("section_id"): s for s in sections}
    for s in sections:
        sid, parent_id = s.get("section_id"), s.get("parent_id")
        if parent_id is None:
            continue
        if parent_id == sid:
            add(ERROR, "section_cycle", f"sections {sid}: is its own parent", "sections", s, s.get("char_start"))
            continue
        parent = by_id.get(parent_id)
        if parent is not None and isinstance(s.get("level"), int) and isinstance(parent.get("level"), int) and s["level"] <= parent["level"]:
            add(ERROR, "section_level", f"sections {sid}: level {s['level']} is not below its parent {parent_id} (level {parent['level']})", "sections", s, s.get("char_start"))
        seen, node = {sid}, parent
        while node is not None and node.get("parent_id") is not None:
            if node.get("section_id") in seen or node.get("parent_id") in seen:
                add(ERROR, "section_cycle", f"sections {sid}: parent_id chain comes back to {sid} (a cycle)" if node.get("parent_id") == sid else f"sections {sid}: its ancestors form a cycle", "sections", s, s.get("char_start"))
                break
            seen.add(node.get("section_id"))
            node = by_id.get(node.get("parent_id"))


def _offsets(rec: Mapping, n: int) -> tuple[int, int] | None:
    start, end = rec.get("char_start"), rec.get("char_end")
    if isinstance(start, int) and isinstance(end, int) and 0 <= start <= end <= n:
        return start, end
    return None


def _check_grounding(text: str, records: Mapping[str, list[Mapping]], add) -> None:
    n = len(text)
    for name in CONTENT_TYPES:
        quote_field = QUOTE_FIELDS.get(name)
        for r in records.get(name, []):
            span = _offsets(r, n)
            if span is None:
                add(ERROR, "offset_out_of_range", f"{name} {record_id(name, r)}: offsets {r.get('char_start')}..{r.get('char_end')} are not a span of the text (0..{n})", name, r)
                continue
            start, end = span
            if quote_field and r.get(quote_field) != text[start:end]:
                add(ERROR, "not_grounded", f"{name} {record_id(name, r)}: text[{start}:{end}] is {_short(text[start:end])}, not its {quote_field} {_short(r.get(quote_field))}", name, r, start)
            elif name == "sections":
                heading_end = r.get("heading_end")
                if not isinstance(heading_end, int) or not start <= heading_end <= end:
                    add(ERROR, "offset_out_of_range", f"sections {record_id(name, r)}: heading_end {heading_end} is not within {start}..{end}", name, r, start)
                elif str(r.get("title")) not in text[start:heading_end]:
                    add(ERROR, "not_grounded", f"sections {record_id(name, r)}: heading {_short(text[start:heading_end])} does not contain its title {_short(r.get('title'))}", name, r, start)
            elif name == "tables":
                inside = _squeeze(text[start:end])
                parts = ([r["caption"]] if r.get("caption") else []) + list(r.get("header") or [])
                missing = [p for p in parts if _squeeze(p) not in inside]
                if missing:
                    add(ERROR, "not_grounded", f"tables {record_id(name, r)}: text[{start}:{end}] does not contain {_short(missing[0])} (caption/header, whitespace ignored)", name, r, start)


def _check_tables(text: str, tables: list[Mapping], add) -> None:
    for t in tables:
        tid, rows, header = record_id("tables", t), t.get("rows") or [], t.get("header") or []
        _check_cell_spans(text, t, tid, add)
        if t.get("n_rows") != len(rows):
            add(ERROR, "table_n_rows", f"tables {tid}: n_rows is {t.get('n_rows')} but it has {len(rows)} rows", "tables", t, t.get("char_start"))
        if t.get("kind") == "box" or not rows:
            # 专栏 boxes are lists of items, not grids; a table known only by its caption (its rows
            # could not be read, the document warns) has no header either
            continue
        if not header:
            add(ERROR, "table_no_header", f"tables {tid}: a {t.get('kind')} table without a header row", "tables", t, t.get("char_start"))
            continue
        for i, row in enumerate(rows):
            if len(row) != len(header):
                add(
                    ERROR, "table_not_rectangular",
                    f"tables {tid}: row {i + 1} has {len(row)} cells, the header has {len(header)} (a cell is missing or extra)",
                    "tables", t, _row_offset(text, t, row),
                )


def _check_cell_spans(text: str, table: Mapping, tid: str, add) -> None:
    """A reader's cell spans (tables.cell_spans) say where each cell is written."""
    spans = table.get("cell_spans") or []
    if not spans:
        return
    rows = table.get("rows") or []
    if len(spans) != len(rows) or any(len(s) != len(r) for s, r in zip(spans, rows)):
        add(ERROR, "not_grounded", f"tables {tid}: cell_spans do not have the shape of rows", "tables", table, table.get("char_start"))
        return
    for row, row_spans in zip(rows, spans):
        for cell, (start, end) in zip(row, row_spans):
            if text[start:end] != cell:
                add(ERROR, "not_grounded", f"tables {tid}: text[{start}:{end}] is not its cell {_short(cell)}", "tables", table, start)
                return


def _row_offset(text: str, table: Mapping, row: list[str]):
    """Where a row's first non-empty cell is written inside the table's span (else the table's start)."""
    start, end = table.get("char_start"), table.get("char_end")
    for cell in row:
        if cell and isinstance(start, int):
            at = text.find(cell, start, end)
            return at if at >= 0 else start
    return start


def _check_indicator_rows(tables: list[Mapping], targets: list[Mapping], add) -> None:
    by_table: dict[str, list[Mapping]] = defaultdict(list)
    for g in targets:
        if g.get("table_id") is not None:
            by_table[g["table_id"]].append(g)
    empty = _empty_cells()
    for t in tables:
        if t.get("kind") != "indicator":
            continue
        tid = record_id("tables", t)
        rows = by_table.get(t.get("table_id"), [])
        n_rows = len(t.get("rows") or [])
        if len(rows) < n_rows:
            add(WARNING, "indicator_rows_without_target", f"tables {tid}: {n_rows - len(rows)} of {n_rows} indicator rows gave no target record", "tables", t, t.get("char_start"))
        no_cell = 0
        for g in rows:
            if g.get("warnings"):
                continue
            written = (g.get("target_text") or "").strip()
            if written in empty:
                no_cell += 1
            elif g.get("target_value") is None and g.get("comparator") is None:
                add(ERROR, "target_unparsed", f"targets {record_id('targets', g)}: target {_short(written)} of {_short(g.get('indicator'))} was not parsed and carries no warning", "targets", g, g.get("char_start"))
        if no_cell:
            add(WARNING, "indicator_rows_without_value", f"tables {tid}: {no_cell} of {len(rows)} indicator rows state no target value", "tables", t, t.get("char_start"))


# ------------------------------------------------------------------ plan texts


def result_rows(result) -> tuple[dict, dict[str, list[dict]]]:
    """A pipeline result as :func:`check_document` takes it: the document and the other records as JSON-like dicts."""
    records = {name: [r.model_dump(mode="json") for r in recs] for name, recs in result.records().items() if name != "documents"}
    return result.document.model_dump(mode="json"), records


def validate_texts(paths: Iterable[str | os.PathLike], workers: int | None = None, checkers=None) -> Report:
    """Run the pipeline on plan text files or folders and check every document."""
    from planparse.runner import run_batch, skip_notes

    checkers = checkers or validators()
    # Each file is checked on its own, even when two hold the same text (e.g. in two encodings).
    batch = run_batch(list(paths), workers=workers, dedupe=False)
    report = Report(notes=skip_notes(batch.skipped))
    for error in batch.errors:
        subject = Subject("document", error.source_path)
        subject.issues.append(Issue(ERROR, f"{error.stage}/{error.error_type}", f"not a readable plan text: {error.message}"))
        report.subjects.append(subject)
    for result in batch.documents:
        document, records = result_rows(result)
        subject = Subject("document", document["source_path"], doc_id=document["doc_id"], counts={k: len(v) for k, v in records.items()})
        subject.issues = check_document(document, records, checkers)
        report.subjects.append(subject)
    report.subjects.sort(key=lambda s: s.path)
    return report


# ------------------------------------------------------------------ outputs folders


def is_outputs_folder(path: str | os.PathLike) -> bool:
    """A folder of planparse outputs: ``<record type>/part-*.parquet`` or Parquet files directly."""
    from planparse.load import record_files

    path = Path(path)
    return path.is_dir() and (any(path.glob("*.parquet")) or any(record_files(path, name) for name in RECORD_TYPES))


def validate_outputs(folder: str | os.PathLike, checkers=None) -> Report:
    """Check every Parquet file of an outputs folder, then every document across the files."""
    from planparse.load import record_files

    checkers = checkers or validators()
    folder = Path(folder)
    report = Report()
    rows: dict[str, list[dict]] = {}
    for name in RECORD_TYPES:
        files = record_files(folder, name)
        # One subject per record type: its part folder, or its single file.
        path = files[0] if len(files) == 1 and files[0].parent == folder else folder / name
        subject = Subject("file", display_path(str(path)), source=display_path(str(folder)))  # a folder named with control characters or non-UTF-8 bytes
        report.subjects.append(subject)
        if not files:
            subject.issues.append(Issue(ERROR, "missing_file", f"{name} is missing: no {name}/part-*.parquet (planparse writes all nine record types)", name))
            continue
        loaded = _check_file(files, name, checkers[name], subject)
        if loaded is not None:
            rows[name] = loaded
            subject.counts = {"rows": len(loaded)}
    known = {f"{name}.parquet" for name in RECORD_TYPES}
    for extra in sorted(folder.glob("*.parquet")):
        if extra.name not in known:
            report.notes.append(f"{extra}: not a planparse record type, not checked")
    report.subjects.extend(_check_output_documents(folder, rows, report.subjects))
    return report


def _check_file(paths: list[Path], name: str, checker: Draft202012Validator, subject: Subject) -> list[dict] | None:
    """Columns, types, metadata and rows of a record type's files; returns its rows when they can be cross-checked."""
    data: list[dict] = []
    for path in paths:
        part = _check_part(path, name, subject, len(paths) > 1)
        if part is None:
            return None
        data.extend(part)
    data = [jsonable(r) for r in data]
    add = subject.issues.append
    bad = 0
    for i, row in enumerate(data):
        for err in checker.iter_errors(row):
            bad += 1
            if bad <= MAX_ROW_ERRORS:
                add(Issue(ERROR, "schema", f"row {i + 1} ({record_id(name, row)}): {_schema_message(err)}", name, record_id(name, row)))
    if bad > MAX_ROW_ERRORS:
        add(Issue(ERROR, "schema", f"{bad - MAX_ROW_ERRORS} more schema errors in rows", name))
    return None if bad else data


def _check_part(path: Path, name: str, subject: Subject, named: bool) -> list[dict] | None:
    """One Parquet file's schema and metadata, then its rows (None when they cannot be checked)."""
    where = f"{path.name}: " if named else ""
    add = lambda issue: subject.issues.append(Issue(issue.severity, issue.code, where + issue.message, issue.record_type))  # noqa: E731
    try:
        with parquet_file(path) as opened:
            schema = pq.read_schema(opened)
    except Exception as exc:  # a truncated or foreign file: report it and go on
        add(Issue(ERROR, "unreadable", f"not a readable Parquet file: {type(exc).__name__}: {exc}", name))
        return None
    _check_metadata(schema, name, add)
    expected = arrow_schema(name)
    columns_ok = True
    for f in expected:
        if f.name not in schema.names:
            add(Issue(ERROR, "missing_column", f"column {f.name!r} ({f.type}) is missing", name))
            columns_ok = False
        elif schema.field(f.name).type != f.type:
            add(Issue(ERROR, "wrong_type", f"column {f.name!r} is {schema.field(f.name).type}, expected {f.type}", name))
            columns_ok = False
    for extra in schema.names:
        if extra not in expected.names:
            add(Issue(ERROR, "unexpected_column", f"column {extra!r} is not in the {name} schema", name))
            columns_ok = False
    if not columns_ok:
        add(Issue(WARNING, "rows_not_checked", "rows not checked: the columns do not match the schema", name))
        return None
    try:
        with parquet_file(path) as opened:
            return pq.read_table(opened).select(expected.names).to_pylist()
    except Exception as exc:
        add(Issue(ERROR, "unreadable", f"rows cannot be read: {type(exc).__name__}: {exc}", name))
        return None


def _check_metadata(schema: pa.Schema, name: str, add) -> None:
    if METADATA_KEY not in (schema.metadata or {}):
        add(Issue(ERROR, "metadata", f"no {METADATA_KEY.decode()!r} key-value metadata: not written by planparse", name))
        return
    try:
        meta = schema_metadata(schema)
    except ValueError as exc:
        add(Issue(ERROR, "metadata", f"{METADATA_KEY.decode()!r} metadata is not JSON: {exc}", name))
        return
    if meta.get("schema_version") != SCHEMA_VERSION:
        add(Issue(ERROR, "metadata", f"schema_version is {meta.get('schema_version')!r}, this planparse reads {SCHEMA_VERSION}", name))
    if meta.get("record_type") != name:
        add(Issue(ERROR, "metadata", f"record_type is {meta.get('record_type')!r}, expected {name!r}", name))
    if not meta.get("planparse_version"):
        add(Issue(ERROR, "metadata", "planparse_version is missing", name))
    elif meta["planparse_version"] != planparse.__version__:
        add(Issue(WARNING, "metadata", f"written by planparse {meta['planparse_version']}, this is {planparse.__version__}", name))


def _check_output_documents(folder: Path, rows: dict[str, list[dict]], files: list[Subject]) -> list[Subject]:
    """Per document: the same checks as on a plan text, over the rows of every file that loaded cleanly."""
    if "documents" not in rows:
        return []
    file_subject = dict(zip(RECORD_TYPES, files))  # one file subject per record type, in that order
    doc_counts = Counter(d.get("doc_id") for d in rows["documents"])
    for doc_id, n in sorted(doc_counts.items(), key=lambda kv: str(kv[0])):
        if n > 1:
            file_subject["documents"].issues.append(
                Issue(ERROR, "duplicate_id", f"documents id {doc_id!r} is used by {n} rows (doc_id is the key of documents)", "documents", str(doc_id))
            )
    grouped: dict[str, dict[str, list[dict]]] = defaultdict(lambda: defaultdict(list))
    doc_ids = {d.get("doc_id") for d in rows["documents"]}
    for name in CONTENT_TYPES:
        for r in rows.get(name, []):
            if r.get("doc_id") in doc_ids:
                grouped[r["doc_id"]][name].append(r)
            else:
                file_subject[name].issues.append(
                    Issue(ERROR, "dangling_reference", f"{name} {record_id(name, r)}: doc_id {r.get('doc_id')!r} names no document", name, record_id(name, r))
                )
    unchecked = [name for name in CONTENT_TYPES if name not in rows]
    subjects = []
    for doc in rows["documents"]:
        records = {name: grouped[doc["doc_id"]][name] for name in CONTENT_TYPES if name in rows}
        subject = Subject("document", str(doc.get("source_path")), doc_id=doc.get("doc_id"), source=display_path(str(folder)), counts={k: len(v) for k, v in records.items()})
        subject.issues = check_document(doc, records)
        if unchecked:
            subject.issues.append(Issue(WARNING, "not_checked", f"not cross-checked against {', '.join(unchecked)} (see the file errors)"))
        subjects.append(subject)
    return subjects


# ------------------------------------------------------------------ both


def validate_paths(paths: Iterable[str | os.PathLike], workers: int | None = None, schemas: Mapping[str, dict] | None = None) -> Report:
    """Outputs folders are validated as outputs, everything else as plan texts; one report for all."""
    checkers = validators(schemas)
    paths = list(paths)
    report = Report()
    texts = []
    for p in paths:
        if not is_outputs_folder(p):
            texts.append(p)
            continue
        part = validate_outputs(p, checkers)
        report.subjects += part.subjects
        report.notes += part.notes
    if texts:
        part = validate_texts(texts, workers=workers, checkers=checkers)
        report.subjects += part.subjects
        report.notes += part.notes
    return report


def format_report(report: Report, max_issues: int = 10) -> list[str]:
    """Human-readable lines: one per subject (status, path, first reason), its issues indented, a summary."""
    out = []
    labels = {"ok": "ok", "warnings": "warnings", "errors": "FAIL"}
    for s in report.subjects:
        name = s.path if s.kind == "file" or not s.source else f"{s.path} (in {s.source})"
        issues = s.errors + s.warnings
        head = f"{labels[s.status]:<9}{name}"
        if issues:
            e, w = len(s.errors), len(s.warnings)
            tally = ", ".join(p for p in (e and f"{e} error(s)", w and f"{w} warning(s)") if p)
            head += f": {tally}: {issues[0]}"
        out.append(head)
        for issue in issues[1:max_issues]:
            out.append(f"         {issue.severity:<8}{issue}")
        if len(issues) > max_issues:
            out.append(f"         … {len(issues) - max_issues} more (--format json lists all)")
    for note in report.notes:
        out.append(f"note: {note}")
    sm = report.summary()
    checked = " and ".join(p for p in (sm["documents"] and f"{sm['documents']} document(s)", sm["files"] and f"{sm['files']} Parquet file(s)") if p)
    out.append(
        f"{'passed' if report.ok else 'FAILED'}: {checked or 'nothing'} checked: {sm['ok']} ok, {sm['warnings']} with warnings, "
        f"{sm['failed']} failed ({LINE_NOTE})"
    )
    return out
