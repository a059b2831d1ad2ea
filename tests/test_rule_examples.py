"""Every rules/*.examples.yaml is checked here: positives must match, negatives must not.

Examples-file format (YAML, one file per rule file, named rules/<rule>.examples.yaml):

    rule: deadlines                 # the rule name; selects the matcher (see MATCHERS)
    matcher: pkg.module:function    # optional: a matcher outside this file (then MATCHERS is not needed)
    preamble: "…\\n"                 # optional text prepended to every example (document context)
    match:                          # positives
      - text: "到2025年，全市居民健康素养水平达到30%。"
        expect: {text: 到2025年, date: "2025-12-31"}    # subset of ONE produced item
        preamble: "…"               # optional per-example override
    no_match:                       # negatives: the matcher must produce no item at all
      - "截止2020年末，全市共有各类卫生机构2571个。"
      - {text: "…", preamble: "…"}

A matcher is ``fn(text: str) -> list[dict]``: the items the rule finds in ``text`` (preamble
included), each a flat dict. An expectation holds when some item has every expected key with an
equal value (values compared after ``str()`` so YAML dates/numbers need no care; lists compared
element-wise). To plug a new rule in, either add ``matcher:`` to the examples file or add an entry
to MATCHERS below.
"""

from __future__ import annotations

import importlib
from pathlib import Path
from typing import Callable

import pytest
import yaml

from planparse.extract.deadlines import find_deadlines
from planparse.extract.responsibilities import find_responsibilities
from planparse.ingest import clean_text
from planparse.segment import segment_document
from planparse.segment.metadata import find_metadata
from planparse.segment.tables import find_tables
from planparse.rules_loader import rules_dir


def _deadline_items(text: str) -> list[dict]:
    return [d.model_dump(mode="json") for d in find_deadlines(text, "ex", [])]


def _responsibility_items(text: str) -> list[dict]:
    """One item per assignment: agencies (as written), their canonical names, roles and the lead, in list order."""
    groups: dict[str, list] = {}
    for r in find_responsibilities(text, "ex", [], []):
        groups.setdefault(r.assignment_id, []).append(r)
    items = []
    for rows in groups.values():
        rows.sort(key=lambda r: r.position)
        leads = [r.agency for r in rows if r.role == "lead"]
        items.append({
            "agencies": [r.agency for r in rows],
            "canonical": [r.canonical_name for r in rows],
            "roles": [r.role for r in rows],
            "lead": leads[0] if leads else None,
            "quote": rows[0].quote,
        })
    return items


def _structure_items(text: str) -> list[dict]:
    """Headings and measures of the text as one document: kind, label, title, level."""
    structure = segment_document(clean_text(text), "ex")
    return [{"kind": "heading", "label": s.label, "title": s.title, "level": s.level} for s in structure.sections] + [
        {"kind": "measure", "label": m.label, "title": m.title} for m in structure.measures
    ]


def _table_items(text: str) -> list[dict]:
    """Tables of the text: kind, caption, header, n_rows, the rows, and whether a warning was given."""
    return [{"kind": t.kind, "caption": t.caption, "header": t.header, "n_rows": len(t.rows),
             "first_row": t.rows[0] if t.rows else None, "rows": t.rows, "warned": bool(t.warnings)}
            for t in find_tables(clean_text(text))]


def _metadata_items(text: str) -> list[dict]:
    """The document's metadata fields found in the text, as one item (none when every field is empty)."""
    found = {k: v for k, v in find_metadata(clean_text(text)).items() if v is not None}
    return [found] if found else []


MATCHERS: dict[str, Callable[[str], list[dict]]] = {
    "deadlines": _deadline_items,
    "responsibilities": _responsibility_items,
    "headings": _structure_items,
    "tables": _table_items,
    "metadata": _metadata_items,
}


def _example_files() -> list[Path]:
    """Examples files in this format (they declare ``rule:``); others are checked elsewhere."""
    return [p for p in sorted(rules_dir().glob("*.examples.yaml"))
            if "rule" in (yaml.safe_load(p.read_text(encoding="utf-8")) or {})]


def _matcher(spec: dict) -> Callable[[str], list[dict]]:
    if spec.get("matcher"):
        module, _, name = spec["matcher"].partition(":")
        return getattr(importlib.import_module(module), name)
    assert spec["rule"] in MATCHERS, f"no matcher registered for rule {spec['rule']!r}"
    return MATCHERS[spec["rule"]]


def _cases():
    for path in _example_files():
        spec = yaml.safe_load(path.read_text(encoding="utf-8"))
        pre = spec.get("preamble", "")
        for i, ex in enumerate(spec.get("match", [])):
            yield pytest.param(spec, ex.get("preamble", pre) + ex["text"], ex["expect"], True,
                               id=f"{path.stem}-match{i}")
        for i, ex in enumerate(spec.get("no_match", [])):
            ex = ex if isinstance(ex, dict) else {"text": ex}
            yield pytest.param(spec, ex.get("preamble", pre) + ex["text"], None, False,
                               id=f"{path.stem}-nomatch{i}")


def _norm(value):
    if isinstance(value, list):
        return [_norm(v) for v in value]
    return None if value is None else str(value)


def _satisfies(item: dict, expect: dict) -> bool:
    return all(k in item and _norm(item[k]) == _norm(v) for k, v in expect.items())


def test_examples_files_exist_and_declare_a_rule():
    files = _example_files()
    assert {"deadlines", "responsibilities", "headings", "tables"} <= {p.name.split(".")[0] for p in files}
    for path in files:
        spec = yaml.safe_load(path.read_text(encoding="utf-8"))
        assert spec.get("rule") == path.name.removesuffix(".examples.yaml"), path
        assert spec.get("match"), f"{path.name} has no positive examples"
        assert spec.get("no_match"), f"{path.name} has no negative examples"


@pytest.mark.parametrize("spec,text,expect,positive", list(_cases()))
def test_rule_example(spec, text, expect, positive):
    items = _matcher(spec)(text)
    if positive:
        assert any(_satisfies(it, expect) for it in items), f"{expect} not in {items}"
    else:
        assert items == [], f"unexpected match in {text!r}: {items}"
