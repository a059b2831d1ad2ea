"""``planparse review``: self-contained HTML pages to check the extraction by eye.

One page per document (``<doc_id>.html``) and ``index.html``. A document page shows the cleaned text
with every extracted span highlighted by kind (heading, target, deadline, responsibility, agency);
clicking a highlight or an entry of the side list shows the record's fields, and the side list jumps
to the span. Indicator tables are rendered with the values parsed from them, and charts (targets by
year and by nature; on the index, deadlines over time across the corpus) are inline SVG drawn here.
Pages load nothing from the network: CSS, script, data and charts are all in the file.
"""

from __future__ import annotations

import datetime as dt
import json
import os
from collections import Counter, defaultdict
from dataclasses import dataclass
from pathlib import Path

from jinja2 import Environment, PackageLoader, select_autoescape
from markupsafe import Markup, escape

from planparse.models import RECORD_TYPES, ErrorRecord
from planparse.pipeline import DocumentResult
from planparse.report import group_by, summarize
from planparse.show import describe_assignment, describe_deadline, describe_target

# Highlight kinds (declared on the models' RecordSpec), outermost first when two spans start
# together; colours in templates/base.html.j2.
_REVIEWED = sorted((m.spec.review_rank, name) for name, m in RECORD_TYPES.items() if m.spec.review_kind)
REVIEWED_TYPES = tuple(name for _, name in _REVIEWED)
KINDS = tuple(RECORD_TYPES[name].spec.review_kind for name in REVIEWED_TYPES)
_KIND_RANK = {k: i for i, k in enumerate(KINDS)}
NO_YEAR = "no year"
NO_NATURE = "not stated"


@dataclass(frozen=True)
class Span:
    start: int
    end: int
    kind: str
    rec_id: str


# ---------------------------------------------------------------------------------------------------
# Records and highlights


def _fields(record, drop=("doc_id",)) -> dict:
    return {k: (v.isoformat() if isinstance(v, dt.date) else v) for k, v in record.model_dump().items() if k not in drop and v not in (None, [], "")}


def _assignment_fields(rows) -> dict:
    # One entry per assignment: its agencies listed, not the fields of its first agency's row.
    fields = _fields(rows[0], drop=("doc_id", "agency", "canonical_name", "role", "position"))
    fields["agencies"] = [f"{r.canonical_name} ({r.role})" for r in sorted(rows, key=lambda r: r.position)]
    return fields


# What the fields panel shows, by record type; a type not listed shows its fields but doc_id.
_FIELDS = {"responsibilities": _assignment_fields}
# How the page names a record (by record type); a type not listed shows its id.
_LABELS = {
    "sections": lambda rows: f"{rows[0].label} {rows[0].title}",
    "targets": lambda rows: describe_target(rows[0]),
    "deadlines": lambda rows: describe_deadline(rows[0]),
    "responsibilities": describe_assignment,
    "agencies": lambda rows: f"{rows[0].name} ({rows[0].level})",
}


def document_records(result: DocumentResult) -> tuple[list[Span], dict[str, dict]]:
    """Highlight spans and, per record id, what the page shows for it (kind, label, page, fields).

    A record type whose id takes more than one field (responsibilities: one row per agency) is shown
    as one record per value of its first id field."""
    spans: list[Span] = []
    records: dict[str, dict] = {}
    for name, model in RECORD_TYPES.items():  # in file order: the side list keeps it for spans starting together
        spec = model.spec
        if spec.review_kind is None:
            continue
        for rec_id, group in spec.group(getattr(result, name)).items():
            first = group[0]
            start, end = first.char_start, getattr(first, spec.review_end)
            if end > start:
                spans.append(Span(start, end, spec.review_kind, rec_id))
            label = _LABELS[name](group) if name in _LABELS else str(rec_id)
            fields = _FIELDS.get(name, lambda rows: _fields(rows[0]))(group)
            records[rec_id] = {"kind": spec.review_kind, "label": label, "start": start, "page": first.page, "fields": fields}
    return spans, records


def highlight(text: str, spans: list[Span]) -> Markup:
    """The text as HTML with one ``<mark>`` per span, properly nested: a span that crosses the end of
    an enclosing one is closed there and reopened (its first piece carries the ``id`` to jump to)."""
    starts: dict[int, list[Span]] = defaultdict(list)
    for span in spans:
        starts[span.start].append(span)
    bounds = sorted({0, len(text), *(s.start for s in spans), *(s.end for s in spans)})
    anchored: set[str] = set()
    out: list[str] = []
    stack: list[Span] = []

    def open_tag(span: Span) -> str:
        anchor = "" if span.rec_id in anchored else f' id="r-{span.rec_id}"'
        anchored.add(span.rec_id)
        return f'<mark class="hl hl-{span.kind}" data-rec="{span.rec_id}"{anchor}>'

    for i, pos in enumerate(bounds):
        ending = [k for k, span in enumerate(stack) if span.end <= pos]
        if ending:
            k = ending[0]
            reopen = [span for span in stack[k:] if span.end > pos]
            out.append("</mark>" * (len(stack) - k))
            del stack[k:]
            for span in reopen:
                out.append(open_tag(span))
                stack.append(span)
        for span in sorted(starts.get(pos, ()), key=lambda s: (-s.end, _KIND_RANK[s.kind])):
            out.append(open_tag(span))
            stack.append(span)
        if i + 1 < len(bounds):
            out.append(str(escape(text[pos : bounds[i + 1]])))
    out.append("</mark>" * len(stack))
    return Markup("".join(out))


def _json_script(data) -> Markup:
    """JSON safe inside <script type="application/json"> (no '</script>' can appear)."""
    return Markup(json.dumps(data, ensure_ascii=False).replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026"))


# ---------------------------------------------------------------------------------------------------
# Charts: inline SVG

# The usual CJK families of each platform, then generic fallbacks (used by the page CSS and the charts).
FONT_STACK = (
    'system-ui, "Noto Sans CJK SC", "Noto Sans SC", "Source Han Sans SC", "PingFang SC", "Hiragino Sans GB", '
    '"Microsoft YaHei", "WenQuanYi Micro Hei", "WenQuanYi Zen Hei", "Noto Sans CJK TC", "Noto Serif CJK SC", '
    '"SimSun", sans-serif'
)
_FONT = f"font-family='{FONT_STACK.replace(chr(34), '')}' font-size=\"12\""


def bar_chart(counts: list[tuple[str, int]], title: str, colour: str = "#4e79a7") -> Markup:
    """Vertical bars with the count above each bar and the label below."""
    if not counts:
        return Markup(f'<p class="empty">{escape(title)}: nothing to show</p>')
    bar, gap, height, top, bottom = 40, 12, 100, 34, 30
    width = max(len(counts) * (bar + gap) + gap, 220)
    peak = max(n for _, n in counts) or 1
    parts = [
        f'<svg class="chart" role="img" xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height + top + bottom}" '
        f'viewBox="0 0 {width} {height + top + bottom}" aria-label="{escape(title)}">',
        f'<text x="{gap}" y="16" {_FONT} font-weight="bold">{escape(title)}</text>',
    ]
    for i, (label, n) in enumerate(counts):
        h = round(height * n / peak)
        x = gap + i * (bar + gap)
        y = top + height - h
        parts.append(f'<rect x="{x}" y="{y}" width="{bar}" height="{h}" fill="{colour}"><title>{escape(label)}: {n}</title></rect>')
        parts.append(f'<text x="{x + bar / 2}" y="{y - 4}" text-anchor="middle" {_FONT}>{n}</text>')
        parts.append(f'<text x="{x + bar / 2}" y="{top + height + 16}" text-anchor="middle" {_FONT}>{escape(label)}</text>')
    parts.append("</svg>")
    return Markup("".join(parts))


def chart_date(deadline) -> dt.date:
    """Where a deadline is drawn on a time axis: the middle of the period it names, so 到2025年 (the
    year) sits inside 2025, not on the 2026 gridline its last day touches; a dated one on its day."""
    end = deadline.date
    months = {"year": 12, "half": 6, "quarter": 3, "month": 1}.get(deadline.granularity)
    if months is None:
        return end
    first_month = end.month - months + 1
    start = dt.date(end.year, first_month, 1)
    return start + (end - start) / 2


def timeline(rows: list[tuple[str, str, list[tuple[dt.date, str]]]], title: str) -> Markup:
    """One row per document (label, link, [(date, tooltip)]): a dot per deadline on a shared year axis
    (pass ``chart_date(deadline)`` as the date)."""
    dates = [d for _, _, points in rows for d, _ in points]
    if not dates:
        return Markup(f'<p class="empty">{escape(title)}: no deadlines</p>')
    first, last = min(dates).year, max(dates).year + 1
    left, right, row_h, top = 230, 30, 26, 44
    span_px = max(90 * (last - first), 360)
    width = left + span_px + right
    height = top + row_h * len(rows) + 10

    def x(d: dt.date) -> float:
        year_start = dt.date(d.year, 1, 1)
        frac = (d - year_start).days / 366
        return left + span_px * (d.year - first + frac) / (last - first)

    parts = [
        f'<svg class="chart" role="img" xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" viewBox="0 0 {width} {height}" aria-label="{escape(title)}">',
        f'<text x="10" y="16" {_FONT} font-weight="bold">{escape(title)}</text>',
    ]
    for year in range(first, last + 1):  # gridlines at 1 January; the year's label centred in its band
        gx = left + span_px * (year - first) / (last - first)
        parts.append(f'<line x1="{gx:.1f}" y1="{top - 8}" x2="{gx:.1f}" y2="{height - 6}" stroke="#ccc"/>')
        if year < last:
            label_x = gx + span_px / (last - first) / 2
            parts.append(f'<text x="{label_x:.1f}" y="{top - 12}" text-anchor="middle" {_FONT}>{year}</text>')
    for i, (label, href, points) in enumerate(rows):
        y = top + row_h * i + row_h / 2
        short = label if len(label) <= 16 else label[:15] + "…"
        parts.append(f'<a href="{escape(href)}"><text x="{left - 8}" y="{y + 4}" text-anchor="end" {_FONT}>{escape(short)}<title>{escape(label)}</title></text></a>')
        parts.append(f'<line x1="{left}" y1="{y}" x2="{left + span_px}" y2="{y}" stroke="#eee"/>')
        for d, tip in points:
            parts.append(f'<circle cx="{x(d):.1f}" cy="{y}" r="5" fill="#e15759" fill-opacity="0.6"><title>{escape(tip)}</title></circle>')
    parts.append("</svg>")
    return Markup("".join(parts))


def _year_counts(years) -> list[tuple[str, int]]:
    counts = Counter(str(y) if y else NO_YEAR for y in years)
    return sorted(counts.items(), key=lambda kv: (kv[0] == NO_YEAR, kv[0]))


def _nature_counts(natures) -> list[tuple[str, int]]:
    counts = Counter(n or NO_NATURE for n in natures)
    return sorted(counts.items(), key=lambda kv: (kv[0] == NO_NATURE, -kv[1], kv[0]))


# ---------------------------------------------------------------------------------------------------
# Pages


def _environment() -> Environment:
    env = Environment(loader=PackageLoader("planparse", "templates"), autoescape=select_autoescape(["html", "j2"]), trim_blocks=True, lstrip_blocks=True)
    env.globals["font_stack"] = Markup(FONT_STACK)
    return env


def _tables(result: DocumentResult) -> list[dict]:
    by_table = group_by(result.targets, "table_id")
    return [{"table": table, "targets": by_table.get(table.table_id, [])} for table in result.tables]


def _page_name(result: DocumentResult) -> str:
    return f"{result.document.doc_id}.html"


def _kind_counts(result: DocumentResult, records: dict[str, dict]) -> dict[str, str]:
    """Per highlight kind, the count shown beside it: record rows, as the index and ``extract`` count
    them (a responsibility is one row per agency; the page highlights one span per assignment)."""
    counts = {kind: str(n) for kind, n in Counter(r["kind"] for r in records.values()).items()}
    assignments = counts.get("responsibility", "0")
    counts["responsibility"] = f"{len(result.responsibilities)} in {assignments} assignments"
    return defaultdict(lambda: "0", counts)


def render_document(result: DocumentResult, env: Environment | None = None) -> str:
    env = env or _environment()
    spans, records = document_records(result)
    listed = sorted(records.items(), key=lambda kv: kv[1]["start"])
    return env.get_template("document.html.j2").render(
        doc=result.document,
        summary=summarize(result),
        kinds=KINDS,
        kind_counts=_kind_counts(result, records),
        items=listed,
        text_html=highlight(result.document.text, spans),
        records_json=_json_script(records),
        tables=_tables(result),
        chart_years=bar_chart(_year_counts(t.target_year for t in result.targets), "Targets by year"),
        chart_nature=bar_chart(_nature_counts(t.nature for t in result.targets), "Targets by nature (指标性质)", "#59a14f"),
    )


def render_index(results: list[DocumentResult], errors: list[ErrorRecord], env: Environment | None = None) -> str:
    env = env or _environment()
    rows = [
        (r.document.title or Path(r.document.source_path).name, _page_name(r), [(chart_date(d), f"{d.text}: {d.quote}") for d in r.deadlines if d.date])
        for r in results
    ]
    targets = [t for r in results for t in r.targets]
    return env.get_template("index.html.j2").render(
        documents=[{"doc": r.document, "summary": summarize(r), "page": _page_name(r)} for r in results],
        errors=errors,
        chart_timeline=timeline(rows, "Deadlines over time, by document (hover a dot for the text)"),
        chart_deadline_years=bar_chart(_year_counts(d.date.year for r in results for d in r.deadlines if d.date), "Deadlines by year", "#e15759"),
        chart_years=bar_chart(_year_counts(t.target_year for t in targets), "Targets by year"),
        chart_nature=bar_chart(_nature_counts(t.nature for t in targets), "Targets by nature (指标性质)", "#59a14f"),
    )


def check_review_out(out: str | os.PathLike) -> str | None:
    """Why ``out`` cannot take the review pages (None when it can): it must be a folder or not exist yet."""
    out = Path(out)
    if out.exists() and not out.is_dir():
        return f"{out}: exists and is not a folder (name a folder for the review pages)"
    parent = next((p for p in (out, *out.parents) if p.exists()), Path("."))
    if not parent.is_dir():
        return f"{out}: {parent} is not a folder"
    if not os.access(parent, os.W_OK | os.X_OK):
        return f"{out}: {parent} is not writable"
    return None


def _write_atomic(path: Path, text: str) -> None:
    # A page is replaced whole: a reader (or an interrupted run) never sees half a page.
    tmp = path.with_name(f".{path.name}.tmp-{os.getpid()}")
    try:
        tmp.write_text(text, encoding="utf-8")
        os.replace(tmp, path)
    finally:
        tmp.unlink(missing_ok=True)


def write_review(results: list[DocumentResult], errors: list[ErrorRecord], out: str | os.PathLike) -> Path:
    """Write ``index.html`` and one ``<doc_id>.html`` per document into ``out``; returns the index path."""
    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    env = _environment()
    for result in results:
        _write_atomic(out / _page_name(result), render_document(result, env))
    index = out / "index.html"
    _write_atomic(index, render_index(results, errors, env))
    return index


# Fonts: the pages name the usual CJK families (templates/base.html.j2); without any installed, every
# Chinese character is an empty box. fontconfig answers which fonts cover Chinese.
FONT_PACKAGES = "Debian/Ubuntu: apt-get install fonts-noto-cjk; Fedora: dnf install google-noto-sans-cjk-fonts"


def cjk_font_warning() -> str | None:
    """A warning when fontconfig finds no font covering Chinese (None when one is found, or when
    fontconfig is not there to ask, as on Windows and macOS, which ship CJK fonts)."""
    import shutil
    import subprocess

    fc_list = shutil.which("fc-list")
    if fc_list is None:
        return None
    try:
        found = subprocess.run([fc_list, ":lang=zh", "family"], capture_output=True, text=True, timeout=30)
    except (OSError, subprocess.SubprocessError):
        return None
    if found.returncode == 0 and found.stdout.strip():
        return None
    return f"no font for Chinese found (fc-list :lang=zh is empty): browsers on this machine will show the pages' Chinese text as empty boxes ({FONT_PACKAGES})"


def run_review(paths: list[Path], out: Path, workers: int | None = None) -> int:
    """``planparse review``: returns the exit code (0 written, 1 some inputs failed, 2 nothing to review; the CLI checks the paths exist)."""
    import sys

    from planparse.load import results_for
    from planparse.runner import describe_error

    results, errors = results_for(paths, workers=workers)
    from planparse.show import terminal_safe

    for e in errors:
        print(terminal_safe(f"error: {describe_error(e)}"), file=sys.stderr)
    if not results:
        print(terminal_safe("error: no documents to review in " + ", ".join(map(str, paths))), file=sys.stderr)
        return 2
    index = write_review(results, errors, out)
    print(f"wrote {len(results)} document page(s) and {index}")
    return 1 if errors else 0
