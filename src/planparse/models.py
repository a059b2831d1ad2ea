"""Record types: the single source of truth for Parquet columns and JSON Schemas.

Every record with ``char_start``/``char_end`` points into ``Document.text`` (the cleaned text).
"""

from __future__ import annotations

import base64
import datetime as dt
from dataclasses import dataclass, field
from enum import Enum
from typing import Annotated, ClassVar

from pydantic import BaseModel, ConfigDict, Field, PlainSerializer, WithJsonSchema

SCHEMA_VERSION = "1.2.0"


@dataclass(frozen=True)
class RecordSpec:
    """What the tools around the pipeline need to know of a record type, declared once on its model
    (a ClassVar, so it is not a field and the JSON Schemas do not change).

    ``id_fields``: the fields that identify a row (responsibilities: one row per agency of an
    assignment, so assignment_id plus position; the first names the record others refer to).
    ``quote_field``: the field that equals ``documents.text[char_start:char_end]``, if any.
    ``references``: reference field -> record type whose id it names (doc_id -> documents included).
    ``review_kind``: highlight kind on the review page (None: not highlighted); ``review_rank`` orders
    kinds, outermost first when two spans start together; ``review_end``: the field where the
    highlight ends (a section highlights its heading, not its whole body).
    """

    id_fields: tuple[str, ...]
    quote_field: str | None = None
    references: dict[str, str] = field(default_factory=dict)
    review_kind: str | None = None
    review_rank: int = 0
    review_end: str = "char_end"

    @property
    def id_field(self) -> str:
        return self.id_fields[0]

    def group(self, rows) -> dict:
        """Rows of this type as records: id -> its rows, in order (a row is a record unless the id takes
        more than one field: then the rows sharing the first, e.g. the agencies of one assignment)."""
        grouped: dict = {}
        for r in rows:
            grouped.setdefault(getattr(r, self.id_field), []).append(r)
        return grouped


class Record(BaseModel):
    model_config = ConfigDict(extra="forbid", use_enum_values=True)
    spec: ClassVar[RecordSpec]


# The longest quote a record carries (README, Outputs); extract.common.cap_span enforces it, the
# JSON Schemas state it (maxLength, not enforced when a record is built: a long quote must not cost
# a document its records), and validate checks it.
QUOTE_MAX_CHARS = 500
QUOTE_BOUND = {"maxLength": QUOTE_MAX_CHARS}


# Raw bytes: Arrow ``binary`` in Parquet; in JSON (export, JSON Schema) standard base64, which
# ``base64.b64decode`` reads back (pydantic's own base64 mode is the URL-safe alphabet).
RawBytes = Annotated[
    bytes,
    PlainSerializer(lambda b: base64.b64encode(b).decode("ascii"), return_type=str, when_used="json"),
    WithJsonSchema({"type": "string", "contentEncoding": "base64"}),
]

SOURCE_PATH_BYTES_DESCRIPTION = (
    "The path's raw bytes, as given to planparse (Parquet binary; base64 in JSON), set when source_path "
    "is an escaped form of it (a name that is not UTF-8 or holds control characters): open() on these "
    "bytes opens the file. Null when source_path is the path exactly."
)


class Grounded(Record):
    page: int | None = Field(default=None, ge=1, description="1-based PDF page holding char_start; null for other formats.")
    char_start: int = Field(ge=0, description="Start offset (inclusive) into documents.text.")
    char_end: int = Field(ge=0, description="End offset (exclusive) into documents.text.")


class TableKind(str, Enum):
    indicator = "indicator"
    box = "box"
    task = "task"
    other = "other"


class Comparator(str, Enum):
    eq = "="
    ge = ">="
    gt = ">"
    le = "<="
    lt = "<"
    approx = "~"
    increase_by = "increase_by"
    decrease_by = "decrease_by"
    maintain = "maintain"
    qualitative = "qualitative"


class TargetSource(str, Enum):
    table = "table"
    text = "text"


class Granularity(str, Enum):
    year = "year"
    half = "half"
    quarter = "quarter"
    month = "month"
    day = "day"


class Anchor(str, Enum):
    """What a relative deadline is counted from (印发后3个月内, 利用3-5年时间, 5年内)."""

    issue_date = "issue_date"
    plan_start = "plan_start"


class Role(str, Enum):
    lead = "lead"
    support = "support"
    responsible = "responsible"
    co_lead = "co_lead"  # named as leading after the first-listed lead (牵头单位：A、B -> B)


class AgencyLevel(str, Enum):
    national = "national"
    provincial = "provincial"
    city = "city"
    county = "county"
    unknown = "unknown"


class MentionSource(str, Enum):
    rule = "rule"
    ner = "ner"


class Document(Record):
    spec: ClassVar[RecordSpec] = RecordSpec(id_fields=("doc_id",))
    doc_id: str = Field(description="Stable id: first 16 hex digits of the SHA-256 of the cleaned text.")
    source_path: str = Field(
        description="Path of the source file as given to planparse; bytes that are not UTF-8 shown as \\xNN "
        "and control characters escaped (then source_path_bytes holds the real name)."
    )
    source_path_bytes: RawBytes | None = Field(default=None, description=SOURCE_PATH_BYTES_DESCRIPTION)
    sha256: str = Field(description="SHA-256 of the source file's bytes.")
    encoding: str = Field(description="Detected encoding of the source bytes.")
    source_format: str = Field(default="text", description="Reader that read the source: text / pdf / docx / doc / html.")
    title: str | None = Field(default=None, description="Document title where the text states it.")
    doc_number: str | None = Field(default=None, description="文号 such as 粤办函〔2024〕267号.")
    issuer: str | None = Field(default=None, description="Issuing body where stated.")
    issue_date: dt.date | None = Field(default=None, description="成文日期 where the source states it as a field (gov.cn metadata table).")
    region: str | None = Field(default=None, description="Region the plan covers (省/市/县 name, or 全国).")
    plan_start_year: int | None = Field(default=None, description="First year of the plan period.")
    plan_end_year: int | None = Field(default=None, description="Last year of the plan period.")
    n_chars: int = Field(ge=0, description="Length of the cleaned text in characters.")
    n_pages: int | None = Field(default=None, ge=1, description="Number of PDF pages; null for other formats.")
    page_starts: list[int] = Field(default_factory=list, description="Offset in text where each PDF page starts (page i + 1 at index i); empty for other formats.")
    text: str = Field(description="Cleaned text; every offset in the corpus points into it.")
    warnings: list[str] = Field(default_factory=list, description="Problems noticed while reading the document.")


class Section(Grounded):
    spec: ClassVar[RecordSpec] = RecordSpec(
        id_fields=("section_id",), references={"doc_id": "documents", "parent_id": "sections"},
        review_kind="heading", review_rank=0, review_end="heading_end",
    )
    doc_id: str = Field(description="Document the section belongs to.")
    section_id: str = Field(description="Stable id: doc_id plus position.")
    parent_id: str | None = Field(default=None, description="Enclosing section, null at the top level.")
    level: int = Field(ge=1, description="Nesting level, 1 = the top level this document uses.")
    label: str = Field(description="Numbering as written, e.g. 第一章, 一、, （一）.")
    title: str = Field(description="Heading text without the label and trailing 。.")
    path: str = Field(description="Labels from the top level down, joined by ' > '.")
    heading_end: int = Field(ge=0, description="End offset of the heading line; char_start..heading_end is the heading.")


class Measure(Grounded):
    spec: ClassVar[RecordSpec] = RecordSpec(id_fields=("measure_id",), quote_field="text", references={"doc_id": "documents", "section_id": "sections"})
    doc_id: str = Field(description="Document the measure belongs to.")
    measure_id: str = Field(description="Stable id: doc_id plus position.")
    section_id: str | None = Field(default=None, description="Innermost section containing the measure.")
    label: str = Field(description="Numbering as written, e.g. 1., （一）.")
    number: int | None = Field(default=None, description="The numbering as an integer.")
    title: str = Field(description="The measure's short title without trailing 。.")
    text: str = Field(description="Full text of the measure; equals documents.text[char_start:char_end].")


class Table(Grounded):
    spec: ClassVar[RecordSpec] = RecordSpec(id_fields=("table_id",), references={"doc_id": "documents", "section_id": "sections"})
    doc_id: str = Field(description="Document the table belongs to.")
    table_id: str = Field(description="Stable id: doc_id plus position.")
    section_id: str | None = Field(default=None, description="Innermost section containing the table.")
    kind: TableKind = Field(description="indicator / box (专栏) / task / other.")
    caption: str | None = Field(default=None, description="Title line above the table or the 专栏 caption.")
    header: list[str] = Field(default_factory=list, description="Header cells (empty for boxes).")
    rows: list[list[str]] = Field(default_factory=list, description="Data rows, merged cells carried down.")
    cell_spans: list[list[list[int]]] = Field(
        default_factory=list,
        description="Per data row, [char_start, char_end] of each cell (a merged cell's copies share its span), "
        "for tables a reader gave as cells (DOCX, HTML); empty for tables detected in flat text.",
    )
    n_rows: int = Field(ge=0, description="Number of data rows.")


class Target(Grounded):
    spec: ClassVar[RecordSpec] = RecordSpec(
        id_fields=("target_id",), quote_field="quote",
        references={"doc_id": "documents", "section_id": "sections", "measure_id": "measures", "table_id": "tables"},
        review_kind="target", review_rank=3,
    )
    doc_id: str = Field(description="Document the target belongs to.")
    target_id: str = Field(description="Stable id: doc_id plus position.")
    source: TargetSource = Field(description="table (an indicator-table row) or text (running text or a box).")
    table_id: str | None = Field(default=None, description="Source table for table targets.")
    section_id: str | None = Field(default=None, description="Section of the source table, for table targets (text targets: through measure_id).")
    measure_id: str | None = Field(default=None, description="Measure containing the target (or its table), if any.")
    domain: str | None = Field(default=None, description="领域 the indicator belongs to (merged cell carried down).")
    indicator: str = Field(description="Indicator name.")
    unit: str | None = Field(default=None, description="Unit as written (%, 岁, ‰, 张, 1/10万 …).")
    baseline_text: str | None = Field(default=None, description="Baseline cell as written.")
    baseline_value: float | None = Field(default=None, description="Baseline parsed as a number.")
    baseline_year: int | None = Field(default=None, description="Year of the baseline.")
    target_text: str | None = Field(default=None, description="Target as written.")
    target_value: float | None = Field(default=None, description="Target parsed as a number.")
    comparator: Comparator | None = Field(default=None, description="How the target value is to be read.")
    target_year: int | None = Field(default=None, description="Year by which the target should hold.")
    nature: str | None = Field(default=None, description="指标性质 as written: 预期性 or 约束性 (binding), null when not stated.")
    measure_kind: str | None = Field(default=None, description="Whether the indicator is measured: 定量 (quantitative) or 定性 (qualitative), as written in the 指标性质/属性 column.")
    quote: str = Field(
        description="Source text: the table row, or for a text target its clause or sentence, at most "
        f"{QUOTE_MAX_CHARS} characters (a longer row is cut around its indicator and target cells); "
        "equals documents.text[char_start:char_end].",
        json_schema_extra=QUOTE_BOUND,
    )
    warnings: list[str] = Field(default_factory=list, description="Parsing caveats for this target.")


class Deadline(Grounded):
    spec: ClassVar[RecordSpec] = RecordSpec(id_fields=("deadline_id",), quote_field="quote", references={"doc_id": "documents", "measure_id": "measures"}, review_kind="deadline", review_rank=2)
    doc_id: str = Field(description="Document the deadline belongs to.")
    deadline_id: str = Field(description="Stable id: doc_id plus position.")
    measure_id: str | None = Field(default=None, description="Measure the deadline bounds, if any.")
    text: str = Field(description="Time expression as written, e.g. 2024年12月底前.")
    date: dt.date | None = Field(
        description="Last day of the period the expression names; null for a relative deadline whose anchor "
        "the document does not give, and for a day of every month (每月5日前), which recurs."
    )
    granularity: Granularity = Field(description="year / half / quarter / month / day.")
    anchor: Anchor | None = Field(
        default=None,
        description="For a relative deadline, what it is counted from: issue_date (the document's 成文 date: "
        "印发后3个月内) or plan_start (the first year of the plan period: 5年内); null for a calendar date.",
    )
    quote: str = Field(
        description=f"The clause holding the deadline (at most {QUOTE_MAX_CHARS} characters); "
        "equals documents.text[char_start:char_end].",
        json_schema_extra=QUOTE_BOUND,
    )


class Responsibility(Grounded):
    spec: ClassVar[RecordSpec] = RecordSpec(
        id_fields=("assignment_id", "position"), quote_field="quote", references={"doc_id": "documents", "measure_id": "measures"},
        review_kind="responsibility", review_rank=1,
    )
    doc_id: str = Field(description="Document the assignment belongs to.")
    assignment_id: str = Field(description="Stable id of the assignment (shared by its agencies).")
    measure_id: str | None = Field(default=None, description="Measure the assignment belongs to, if any.")
    agency: str = Field(description="Agency as written.")
    canonical_name: str = Field(description="Agency name after alias resolution.")
    role: Role = Field(description="lead / support / responsible / co_lead (a 牵头 agency after the first-listed lead).")
    position: int = Field(ge=0, description="Position of the agency in the assignment's list (0 first).")
    quote: str = Field(
        description="The assignment text: its bracket, labelled list or clause, at most "
        f"{QUOTE_MAX_CHARS} characters (an assignment longer than that, a list of dozens of agencies, is "
        "cut on each row around that row's agency); equals documents.text[char_start:char_end].",
        json_schema_extra=QUOTE_BOUND,
    )


class AgencyMention(Grounded):
    spec: ClassVar[RecordSpec] = RecordSpec(id_fields=("mention_id",), quote_field="name", references={"doc_id": "documents"}, review_kind="agency", review_rank=4)
    doc_id: str = Field(description="Document the mention belongs to.")
    mention_id: str = Field(description="Stable id: doc_id plus position.")
    name: str = Field(description="Agency name as written; equals documents.text[char_start:char_end].")
    canonical_name: str = Field(description="Name after alias resolution.")
    level: AgencyLevel = Field(description="Administrative level.")
    source: MentionSource = Field(description="rule (gazetteer / patterns) or ner (trained model).")


class ErrorRecord(Record):
    spec: ClassVar[RecordSpec] = RecordSpec(id_fields=("source_path",))
    source_path: str = Field(description="File that could not be processed (shown as documents.source_path is).")
    source_path_bytes: RawBytes | None = Field(default=None, description=SOURCE_PATH_BYTES_DESCRIPTION)
    stage: str = Field(description="Pipeline stage that failed: read / decode / segment / extract / write.")
    error_type: str = Field(description="Short machine-readable kind of problem.")
    message: str = Field(description="Human-readable explanation naming the problem.")


RECORD_TYPES: dict[str, type[Record]] = {
    "documents": Document,
    "sections": Section,
    "measures": Measure,
    "tables": Table,
    "targets": Target,
    "deadlines": Deadline,
    "responsibilities": Responsibility,
    "agencies": AgencyMention,
    "errors": ErrorRecord,
}


def record_spec(name: str) -> RecordSpec:
    """The spec of record type ``name`` (a key of RECORD_TYPES)."""
    return RECORD_TYPES[name].spec


# Record types that belong to one document (they carry doc_id as a reference): sections … agencies.
CONTENT_TYPES: tuple[str, ...] = tuple(name for name, model in RECORD_TYPES.items() if "doc_id" in model.spec.references)
