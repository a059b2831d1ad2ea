"""planparse review: nested highlights that keep the text, self-contained pages, and a real headless browser
(Debian's chromium) loading the index and a document page without console errors."""

from __future__ import annotations

import html
import json
import re
import shutil
import struct
import subprocess
from collections import defaultdict
from html.parser import HTMLParser
from pathlib import Path

import pytest
from typer.testing import CliRunner

from planparse.cli import app
from planparse.load import read_results
from planparse.review import Span, document_records, highlight

from conftest import CORPUS
from outputs_helper import unique_results, write_corpus_outputs

CHROMIUM = Path("/usr/bin/chromium")
cli = CliRunner()


class _Marks(HTMLParser):
    """Text inside each record's <mark> pieces, and whether the nesting is well formed."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.stack: list[str] = []
        self.text: dict[str, str] = defaultdict(str)
        self.anchors: list[str] = []
        self.plain = []

    def handle_starttag(self, tag, attrs):
        if tag == "mark":
            attrs = dict(attrs)
            self.stack.append(attrs["data-rec"])
            if "id" in attrs:
                self.anchors.append(attrs["id"])

    def handle_endtag(self, tag):
        if tag == "mark":
            self.stack.pop()  # raises on a stray </mark>

    def handle_data(self, data):
        self.plain.append(data)
        for rec in set(self.stack):
            self.text[rec] += data


def _parse(markup: str) -> _Marks:
    parser = _Marks()
    parser.feed(markup)
    assert parser.stack == []
    return parser


def test_highlight_crossing_spans_split_and_keep_text():
    text = "ab<c>&defgh"
    spans = [Span(0, 5, "target", "A"), Span(3, 8, "deadline", "B"), Span(9, 11, "agency", "C")]
    markup = str(highlight(text, spans))
    parsed = _parse(markup)
    assert "".join(parsed.plain) == text
    assert {rec: parsed.text[rec] for rec in "ABC"} == {"A": text[0:5], "B": text[3:8], "C": text[9:11]}
    assert markup.count('data-rec="B"') == 2 and parsed.anchors == ["r-A", "r-B", "r-C"]


def test_corpus_highlights_are_grounded(corpus_results):
    for result in unique_results(corpus_results):
        spans, records = document_records(result)
        parsed = _parse(str(highlight(result.document.text, spans)))
        assert "".join(parsed.plain) == result.document.text
        for span in spans:
            assert parsed.text[span.rec_id] == result.document.text[span.start : span.end]
        assert len(parsed.anchors) == len({s.rec_id for s in spans})
        assert len(records) == len(result.sections) + len(result.targets) + len(result.deadlines) + len(result.agencies) + len(
            {r.assignment_id for r in result.responsibilities}
        )


@pytest.fixture(scope="module")
def review_dir(corpus_results, tmp_path_factory):
    base = tmp_path_factory.mktemp("review")
    outputs = write_corpus_outputs(corpus_results, base / "outputs")
    result = cli.invoke(app, ["review", str(outputs), "--out", str(base / "review")])
    assert result.exit_code == 0, result.output
    return base / "review"


def test_pages_are_self_contained(review_dir, corpus_results):
    docs = unique_results(corpus_results)
    assert {p.name for p in review_dir.glob("*.html")} == {"index.html"} | {f"{r.document.doc_id}.html" for r in docs}
    for page in review_dir.glob("*.html"):
        source = page.read_text(encoding="utf-8")
        assert not re.search(r"""(src|href)\s*=\s*["']?(https?:)?//""", source), page.name
        assert "<link" not in source and "@import" not in source and "url(" not in source
    index = (review_dir / "index.html").read_text(encoding="utf-8")
    for r in docs:
        assert f'href="{r.document.doc_id}.html"' in index
    # One dot per dated deadline (a relative one without its anchor, or a monthly one, has no date).
    assert index.count("<circle") == sum(1 for r in docs for d in r.deadlines if d.date) > 0


def test_document_page_tables_and_charts(review_dir, corpus_results):
    result = max(unique_results(corpus_results), key=lambda r: len([t for t in r.targets if t.table_id]))
    page = (review_dir / f"{result.document.doc_id}.html").read_text(encoding="utf-8")
    table_targets = [t for t in result.targets if t.table_id]
    assert page.count('<table class="data parsed">') == len({t.table_id for t in table_targets})
    for t in table_targets:
        assert f'<a href="#r-{t.target_id}" data-rec="{t.target_id}">{html.escape(t.indicator, quote=False)}</a>' in page
    assert "Targets by year" in page and "Targets by nature" in page
    years = {str(t.target_year) for t in result.targets if t.target_year}
    assert all(f">{year}</text>" in page for year in years)


def _chromium(profile: Path, url: str, *args: str) -> subprocess.CompletedProcess:
    command = [
        str(CHROMIUM), "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
        "--disable-component-update", "--disable-sync", "--no-first-run", f"--user-data-dir={profile}",
        "--enable-logging=stderr", "--v=0", *args, url,
    ]
    return subprocess.run(command, capture_output=True, text=True, timeout=120)


def _console_messages(stderr: str) -> list[str]:
    # Pages log nothing themselves, so any console line (console.error, an uncaught exception) is a failure.
    return [line for line in stderr.splitlines() if ":CONSOLE" in line or "Uncaught" in line]


@pytest.mark.skipif(not CHROMIUM.exists(), reason="needs Debian's chromium at /usr/bin/chromium (apt-get install -y chromium)")
def test_pages_in_headless_chromium(review_dir, corpus_results, tmp_path):
    index = _chromium(tmp_path / "p1", (review_dir / "index.html").as_uri(), "--dump-dom")
    assert index.returncode == 0, index.stderr[-2000:]
    assert _console_messages(index.stderr) == []
    assert 'data-ready="1"' in index.stdout  # the page's script ran to the end

    result = max(unique_results(corpus_results), key=lambda r: len(r.targets))
    spans, records = document_records(result)
    target = next(t for t in result.targets if t.table_id) if any(t.table_id for t in result.targets) else result.targets[0]
    url = (review_dir / f"{result.document.doc_id}.html").as_uri() + f"#rec={target.target_id}"
    dom = _chromium(tmp_path / "p2", url, "--dump-dom")
    assert dom.returncode == 0 and _console_messages(dom.stderr) == []
    assert 'data-ready="1"' in dom.stdout and f'data-records="{len(records)}"' in dom.stdout
    for kind in ("heading", "target", "deadline", "agency"):
        assert len(re.findall(f'<mark class="hl hl-{kind}[^"]*"[^>]* id="r-', dom.stdout)) == len({s.rec_id for s in spans if s.kind == kind})
    assert re.search(f'class="hl hl-target sel[^"]*" data-rec="{target.target_id}" id="r-{target.target_id}"', dom.stdout)
    # The deep link opened the record's fields in the details panel.
    details = re.search(r'<div id="details">(.*?)</div>', dom.stdout, re.S).group(1)
    assert html.escape(target.quote, quote=False) in details and "target_value" in details

    shot = tmp_path / "review.png"
    taken = _chromium(tmp_path / "p3", url, f"--screenshot={shot}", "--window-size=1400,1000")
    assert taken.returncode == 0 and _console_messages(taken.stderr) == []
    png = shot.read_bytes()
    assert png[:8] == b"\x89PNG\r\n\x1a\n" and struct.unpack(">II", png[16:24]) == (1400, 1000)
    assert len(png) > 20_000  # a rendered page, not a blank image
    shutil.copy(shot, tmp_path.parent / "review_screenshot.png")  # kept beside the test's tmp dir


# A text-layer PDF of several pages (conftest switches OCR off, so its reading is the text layer's).
NATIVE_PDF = CORPUS / "native" / "04_hainan_nongji_butie_shishi_fangan_2024_2026.pdf"
_LIST_ITEM = re.compile(r'<a href="#r-[^"]+" class="item k-\w+" data-rec="([^"]+)" title="[^"]*">(?:<span class="pg">p\.(\d+)</span> )?')


@pytest.fixture(scope="module")
def pdf_review(tmp_path_factory):
    """(the PDF's DocumentResult read back from its outputs, its review page's HTML, the page's path)."""
    base = tmp_path_factory.mktemp("pdf_review")
    extracted = cli.invoke(app, ["extract", str(NATIVE_PDF), "--out", str(base / "outputs")])
    assert extracted.exit_code == 0, extracted.output
    reviewed = cli.invoke(app, ["review", str(base / "outputs"), "--out", str(base / "review")])
    assert reviewed.exit_code == 0, reviewed.output
    (result,), errors = read_results(base / "outputs")
    assert errors == []
    page = base / "review" / f"{result.document.doc_id}.html"
    return result, page.read_text(encoding="utf-8"), page


def _page_of(doc, offset: int) -> int:
    """1-based page holding ``offset``, from the document's page_starts (independent of the records' own page)."""
    return max(i for i, start in enumerate(doc.page_starts) if start <= offset) + 1


def test_pdf_page_shows_format_pages_and_record_pages(pdf_review):
    result, page, _ = pdf_review
    doc = result.document
    assert doc.source_format == "pdf" and doc.n_pages and doc.n_pages > 1
    assert f'<span class="format">pdf, {doc.n_pages} pages</span>' in page
    _, records = document_records(result)
    listed = {rec_id: int(n) if n else None for rec_id, n in _LIST_ITEM.findall(page)}
    assert set(listed) == set(records)
    for rec_id, rec in records.items():
        assert listed[rec_id] == rec["page"] == _page_of(doc, rec["start"]), rec_id
    assert len(set(listed.values())) > 1  # records from several pages, each labelled with its own
    # What the field panel shows: the page data the script reads, a record's page among its fields.
    shown = json.loads(re.search(r'<script type="application/json" id="records">(.*?)</script>', page, re.S).group(1))
    assert {rec_id: (rec["page"], rec["fields"]["page"]) for rec_id, rec in shown.items()} == {
        rec_id: (_page_of(doc, rec["start"]),) * 2 for rec_id, rec in records.items()
    }


def test_text_page_shows_no_pages(review_dir, corpus_results):
    result = next(r for r in unique_results(corpus_results) if r.document.source_format == "text")
    page = (review_dir / f"{result.document.doc_id}.html").read_text(encoding="utf-8")
    assert '<span class="format">text</span>' in page
    assert _LIST_ITEM.findall(page) and all(n == "" for _, n in _LIST_ITEM.findall(page))


@pytest.mark.skipif(not CHROMIUM.exists(), reason="needs Debian's chromium at /usr/bin/chromium (apt-get install -y chromium)")
def test_pdf_page_in_headless_chromium(pdf_review, tmp_path):
    result, _, path = pdf_review
    last_page = max(r.page for r in result.deadlines + result.targets)
    record = next(r for r in result.deadlines + result.targets if r.page == last_page)
    rec_id = getattr(record, type(record).spec.id_field)
    dom = _chromium(tmp_path / "p", path.as_uri() + f"#rec={rec_id}", "--dump-dom")
    assert dom.returncode == 0 and _console_messages(dom.stderr) == []
    assert 'data-ready="1"' in dom.stdout
    details = re.search(r'<div id="details">(.*?)</div>', dom.stdout, re.S).group(1)
    assert f'<span class="pg">page {last_page}</span>' in details
    assert html.escape(record.quote, quote=False) in details
