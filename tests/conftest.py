"""Shared fixtures: paths of the checked-in corpus, a small plan text, and one record of every type."""

from __future__ import annotations

import datetime as dt
import hashlib
import os
import subprocess
import sys
from pathlib import Path

import pytest

# Whole-corpus tests must not OCR the scanned sample and 01's eleven 专栏 pictures (minutes on 2
# cores) where the ocr extra is installed; tests/test_pdf.py turns OCR on for its one-page tests.
# Set here, before any test runs, so that planparse commands the tests start inherit it.
os.environ.setdefault("PLANPARSE_OCR", "off")

from planparse.models import (
    QUOTE_MAX_CHARS,
    AgencyMention,
    Deadline,
    Document,
    ErrorRecord,
    Measure,
    Responsibility,
    Section,
    Table,
    Target,
)
from planparse.pipeline import DocumentResult

ROOT = Path(__file__).resolve().parent.parent
CORPUS = ROOT / "corpus"
GOLD = CORPUS / "gold"
# Plans written for the tests in styles the corpus lacks.
TEST_PLANS = Path(__file__).resolve().parent / "data"


def run_cli(*args: str, timeout: float = 300, **kwargs) -> subprocess.CompletedProcess:
    """The installed ``planparse`` command, as a user runs it (a fresh process, real exit code)."""
    exe = Path(sys.executable).parent / "planparse"
    return subprocess.run([str(exe), *args], capture_output=True, text=True, timeout=timeout, **kwargs)


def run_test_plan(name: str) -> DocumentResult:
    """The pipeline's output for ``tests/data/<name>``."""
    from planparse.pipeline import process_bytes

    path = TEST_PLANS / name
    return process_bytes(path.read_bytes(), str(path))


def assert_grounded(result: DocumentResult) -> None:
    """Every record lies in the text, and text[char_start:char_end] is its quote / text / name."""
    text = result.document.text
    n = len(text)
    for kind, records in result.records().items():
        for r in records:
            if hasattr(r, "char_start"):
                assert 0 <= r.char_start <= r.char_end <= n, (kind, r)
    for m in result.measures:
        assert text[m.char_start : m.char_end] == m.text
    for rec in result.targets + result.deadlines + result.responsibilities:
        assert text[rec.char_start : rec.char_end] == rec.quote, rec
        assert len(rec.quote) <= QUOTE_MAX_CHARS, (type(rec).__name__, len(rec.quote))  # README, Outputs
    for d in result.deadlines:
        assert d.text in d.quote
    for a in result.agencies:
        assert text[a.char_start : a.char_end] == a.name
    for s in result.sections:
        heading = text[s.char_start : s.heading_end]
        assert s.char_start <= s.heading_end <= s.char_end
        assert s.label in heading and s.title in heading, (s.label, s.title, heading)


def assignments(result: DocumentResult, name: str = "agency") -> list[list[tuple[str, str]]]:
    """The (agency ``name`` field, role) pairs of each assignment, assignments and rows in written order."""
    by_id: dict[str, list] = {}
    for r in result.responsibilities:
        by_id.setdefault(r.assignment_id, []).append((getattr(r, name), r.role))
    return list(by_id.values())


# A short plan in the genre: chapter heading, numbered measure, target, deadline, responsible agencies.
PLAN_TEXT = (
    "某市卫生健康事业发展“十四五”规划\n"
    "第一章 发展目标\n"
    "到2025年，每千常住人口医疗卫生机构床位数达到5.76张。\n"
    "第二章 主要任务\n"
    "1．加强公共卫生体系建设。2024年12月底前完成疾病预防控制机构改革。（市卫生健康局、市财政局负责）\n"
)


@pytest.fixture
def corpus_dir() -> Path:
    return CORPUS


@pytest.fixture
def gold_dir() -> Path:
    return GOLD


@pytest.fixture
def plan_text() -> str:
    return PLAN_TEXT


def _span(text: str, part: str) -> tuple[int, int]:
    start = text.index(part)
    return start, start + len(part)


def make_result(text: str = PLAN_TEXT, source_path: str = "plan.txt") -> DocumentResult:
    """One record of every type, each grounded in ``text`` (offsets satisfy the provenance rule)."""
    doc_id = hashlib.sha256(text.encode()).hexdigest()[:16]
    doc = Document(
        doc_id=doc_id,
        source_path=source_path,
        sha256=hashlib.sha256(text.encode()).hexdigest(),
        encoding="utf-8",
        title="某市卫生健康事业发展“十四五”规划",
        region="某市",
        plan_start_year=2021,
        plan_end_year=2025,
        n_chars=len(text),
        text=text,
        warnings=["a warning"],
    )
    chapter = _span(text, "第二章 主要任务")
    measure_text = text[text.index("1．加强") : text.index("负责）") + 3]
    m_start, m_end = _span(text, measure_text)
    target_quote = "每千常住人口医疗卫生机构床位数达到5.76张"
    deadline_quote = "2024年12月底前完成疾病预防控制机构改革"
    resp_quote = "（市卫生健康局、市财政局负责）"
    agency = "市卫生健康局"
    return DocumentResult(
        document=doc,
        sections=[
            Section(
                doc_id=doc_id, section_id=f"{doc_id}-s0", level=1, label="第二章", title="主要任务",
                path="第二章", heading_end=chapter[1], char_start=chapter[0], char_end=len(text),
            )
        ],
        measures=[
            Measure(
                doc_id=doc_id, measure_id=f"{doc_id}-m0", section_id=f"{doc_id}-s0", label="1.", number=1,
                title="加强公共卫生体系建设", text=measure_text, char_start=m_start, char_end=m_end,
            )
        ],
        tables=[
            Table(
                doc_id=doc_id, table_id=f"{doc_id}-t0", kind="indicator", caption="主要指标",
                header=["指标", "单位"], rows=[["床位数", "张"], ["其中：中医", "张"]], n_rows=2,
                char_start=0, char_end=5,
            )
        ],
        targets=[
            Target(
                doc_id=doc_id, target_id=f"{doc_id}-g0", source="text", indicator="每千常住人口医疗卫生机构床位数",
                unit="张", target_text="5.76", target_value=5.76, comparator="=", target_year=2025,
                quote=target_quote, char_start=_span(text, target_quote)[0], char_end=_span(text, target_quote)[1],
            )
        ],
        deadlines=[
            Deadline(
                doc_id=doc_id, deadline_id=f"{doc_id}-d0", measure_id=f"{doc_id}-m0", text="2024年12月底前",
                date=dt.date(2024, 12, 31), granularity="month", quote=deadline_quote,
                char_start=_span(text, deadline_quote)[0], char_end=_span(text, deadline_quote)[1],
            )
        ],
        responsibilities=[
            Responsibility(
                doc_id=doc_id, assignment_id=f"{doc_id}-a0", measure_id=f"{doc_id}-m0", agency=name,
                canonical_name=name, role="lead" if i == 0 else "responsible", position=i, quote=resp_quote,
                char_start=_span(text, resp_quote)[0], char_end=_span(text, resp_quote)[1],
            )
            for i, name in enumerate(["市卫生健康局", "市财政局"])
        ],
        agencies=[
            AgencyMention(
                doc_id=doc_id, mention_id=f"{doc_id}-n0", name=agency, canonical_name=agency, level="city",
                source="rule", char_start=_span(text, agency)[0], char_end=_span(text, agency)[1],
            )
        ],
    )


@pytest.fixture
def sample_result() -> DocumentResult:
    return make_result()


@pytest.fixture
def sample_records(sample_result) -> dict[str, list]:
    """Every record type, errors included, as the writer takes them."""
    records = sample_result.records()
    records["errors"] = [ErrorRecord(source_path="bad.txt", stage="decode", error_type="binary", message="not text")]
    return records


@pytest.fixture(scope="session")
def extracted(tmp_path_factory) -> Path:
    """What `planparse extract corpus/ --out <tmp>` writes for the plain-text plans (annotated and
    corpus/wild; once per test session)."""
    from typer.testing import CliRunner

    from planparse.cli import app

    out = tmp_path_factory.mktemp("extract") / "out"
    result = CliRunner().invoke(app, ["extract", str(CORPUS), "--out", str(out), "--workers", "1", "--quiet", "--formats", "txt"])
    assert result.exit_code == 0, result.output
    return out


@pytest.fixture(scope="session")
def corpus_results() -> list[DocumentResult]:
    """The pipeline's output for every plan text of the corpus (computed once per test session)."""
    from planparse.pipeline import process_bytes

    return [process_bytes(path.read_bytes(), str(path)) for path in sorted(CORPUS.glob("*.txt"))]
