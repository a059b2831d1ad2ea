"""``planparse show``: one document as a tree in the terminal.

Chapters -> sections -> measures; under each measure, inline, its deadlines, responsible agencies and
targets. Targets and deadlines outside any measure, and tables, hang under the innermost section that
contains them (or under the document when they come before the first heading).
"""

from __future__ import annotations

import regex
from rich.markup import escape as _markup_escape
from rich.tree import Tree

from planparse.models import RECORD_TYPES, Deadline, Responsibility, Section, Target
from planparse.pipeline import DocumentResult
from planparse.report import group_by
from planparse.spans import SpanIndex

# C0 and C1 control characters (ESC of ANSI/OSC sequences, BEL, backspace, carriage return …) and
# line/paragraph separators: document text and file names must not drive the terminal.
_CONTROL = regex.compile(r"[\p{Cc}\u2028\u2029\u202a-\u202e\u2066-\u2069]")


def terminal_safe(text: str) -> str:
    """``text`` with every control character shown as a visible escape (``\\x1b``), so printing it
    cannot clear the screen, retitle the window or hide text; a newline becomes a space."""
    return _CONTROL.sub(lambda m: " " if m.group() in "\n\t" else f"\\x{ord(m.group()):02x}" if ord(m.group()) < 0x100 else f"\\u{ord(m.group()):04x}", text)


def escape(text: str) -> str:
    """Safe for rich markup and for the terminal."""
    return _markup_escape(terminal_safe(text))


COMPARATOR_SIGNS = {"=": "", ">=": "≥", ">": ">", "<=": "≤", "<": "<", "~": "≈", "increase_by": "+", "decrease_by": "−"}


def _number(value: float) -> str:
    return f"{value:g}"


def describe_target(t: Target) -> str:
    """One line: indicator, comparator and value with unit, target year, nature."""
    if t.target_value is not None and t.comparator in COMPARATOR_SIGNS:
        value = f"{COMPARATOR_SIGNS[t.comparator]}{_number(t.target_value)}{t.unit or ''}"
    elif t.comparator == "maintain":
        value = f"maintain {t.target_text or ''}".strip()
    else:
        value = t.target_text or "?"
    parts = [f"{t.indicator}: {value}"]
    if t.baseline_value is not None:
        parts.append(f"from {_number(t.baseline_value)}" + (f" ({t.baseline_year})" if t.baseline_year else ""))
    if t.target_year:
        parts.append(f"by {t.target_year}")
    parts += [v for v in (t.nature, t.measure_kind) if v]
    return " ".join(parts)


def describe_deadline(d: Deadline) -> str:
    # A relative deadline whose anchor the document does not give has no date, nor does a monthly one.
    when = d.date.isoformat() if d.date else f"? (counted from the {d.anchor})" if d.anchor else "(recurs)"
    return f"{d.text} → {when}"


def describe_assignment(rows: list[Responsibility]) -> str:
    """The agencies of one assignment grouped by role (lead: … · support: …), in written order."""
    by_role: dict[str, list[str]] = {}
    for r in sorted(rows, key=lambda r: r.position):
        by_role.setdefault(r.role, []).append(r.canonical_name)
    return " · ".join(f"{role}: {', '.join(names)}" for role, names in by_role.items())


# One line per record hanging under a measure (the record types that reference measure_id), in the
# order shown; a type not listed here shows its id.
_UNDER_MEASURE = {
    "deadlines": lambda rows: f"[magenta]deadline[/magenta] {escape(describe_deadline(rows[0]))}",
    "responsibilities": lambda rows: f"[blue]agencies[/blue] {escape(describe_assignment(rows))}",
    "targets": lambda rows: f"[green]target[/green] {escape(describe_target(rows[0]))}",
}


def _under_measure() -> list[tuple[str, object]]:
    """(record type, line maker) of the record types that reference a measure, in display order."""
    names = [name for name, model in RECORD_TYPES.items() if model.spec.references.get("measure_id") == "measures"]
    ordered = [name for name in _UNDER_MEASURE if name in names] + [name for name in names if name not in _UNDER_MEASURE]

    def by_id(name: str):
        return lambda rows: f"{name} {escape(str(getattr(rows[0], RECORD_TYPES[name].spec.id_field)))}"

    return [(name, _UNDER_MEASURE.get(name) or by_id(name)) for name in ordered]


def build_tree(result: DocumentResult) -> Tree:
    doc = result.document
    counts = f"{len(result.sections)} sections, {len(result.measures)} measures, {len(result.targets)} targets"
    root = Tree(f"[bold]{escape(doc.title or doc.source_path)}[/bold]  [dim]{doc.doc_id} · {escape(doc.source_path)} · {counts}[/dim]")
    nodes: dict[str | None, Tree] = {None: root}
    sections: list[Section] = sorted(result.sections, key=lambda s: s.char_start)
    # Per record type under a measure: measure_id -> that measure's records (each a list of rows).
    under = [
        (RECORD_TYPES[name].spec, group_by(getattr(result, name), "measure_id"), line) for name, line in _under_measure()
    ]

    # (offset, rank, parent section_id or None, label, own section_id): added in text order, so a
    # section's subsections, measures and tables come out as the document has them.
    items: list[tuple[int, int, str | None, str, str | None]] = []
    for s in result.sections:
        items.append((s.char_start, s.level, s.parent_id, f"[bold cyan]{escape(s.label)}[/bold cyan] {escape(s.title)}", s.section_id))
    for m in result.measures:
        lines = [f"[bold]{escape(m.label)}[/bold] {escape(m.title)}"]
        for spec, by_measure, line in under:
            lines += [f"  {line(rows)}" for rows in spec.group(by_measure.get(m.measure_id, [])).values()]
        items.append((m.char_start, 100, m.section_id, "\n".join(lines), None))
    for t in result.tables:
        items.append((t.char_start, 100, t.section_id, f"[yellow]table[/yellow] {escape(t.caption or '')} [dim]({t.kind}, {t.n_rows} rows)[/dim]", None))

    section_index = SpanIndex(sections)

    def loose(offset: int, label: str) -> None:  # outside any measure: under the innermost section
        section = section_index.innermost(offset)
        items.append((offset, 100, section.section_id if section else None, label, None))

    for spec, by_measure, line in under:
        for rows in spec.group(by_measure.get(None, [])).values():
            loose(rows[0].char_start, line(rows))

    for _, _, parent, label, own_id in sorted(items, key=lambda item: item[:2]):
        node = nodes.get(parent, root).add(label)
        if own_id is not None:
            nodes[own_id] = node
    return root


def run_show(path, doc: str | None = None, file=None) -> int:
    """``planparse show``: print the tree; returns the exit code (2 for a bad --doc; the CLI checks the path exists)."""
    import sys

    from rich.console import Console

    from planparse.load import find_document, results_for
    from planparse.runner import describe_error

    def err(message: str) -> None:
        print(terminal_safe(message), file=sys.stderr)

    results, errors = results_for([path], workers=1)
    for e in errors:
        err(f"error: {describe_error(e)}")
    if not results:
        err(f"error: no document in {path}")
        return 2 if not errors else 1
    if doc is None and len(results) > 1:
        err(f"error: {path} holds {len(results)} documents: name one with --doc (doc_id or file name):")
        for r in results:
            err(f"  {r.document.doc_id}  {r.document.source_path}  {r.document.title or ''}")
        return 2
    try:
        result = find_document(results, doc) if doc else results[0]
    except LookupError as exc:
        err(f"error: {exc}")
        return 2
    Console(file=file or sys.stdout, width=None if (file or sys.stdout).isatty() else 160).print(build_tree(result))
    return 0
