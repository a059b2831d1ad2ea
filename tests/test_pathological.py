"""Pathological texts (issue 13 §4): long repeats of what triggers the rules, 100 KB each.

Each case runs under a timeout 30 times its budget (10 s per MB, so 1 s here): a slow CI machine
passes, a quadratic regression (minutes at this size) fails. The per-MB figures are in
``make bench``. Quotes stay bounded whatever the input: a text without delimiters once gave every
one of 12,516 deadlines the whole text as its quote.
"""

from __future__ import annotations

import pytest

from conftest import assert_grounded
from planparse.extract.common import QUOTE_MAX_CHARS
from planparse.pathological import CASES, pathological_text
from planparse.pipeline import process_bytes

SIZE = 100_000  # bytes of UTF-8


@pytest.mark.timeout(30)
@pytest.mark.parametrize("name", CASES)
def test_pathological_text_is_processed_with_bounded_quotes(name):
    data = pathological_text(name, SIZE).encode("utf-8")
    assert SIZE <= len(data) < SIZE + 100
    result = process_bytes(data, f"{name}.txt")
    assert_grounded(result)
    for record in result.targets + result.deadlines + result.responsibilities:
        assert len(record.quote) <= QUOTE_MAX_CHARS, (type(record).__name__, len(record.quote))


def test_the_formerly_slow_cases_still_fire_their_rules():
    """The fixes bound the search around each match; they must not stop the rules matching."""
    deadlines = process_bytes(pathological_text("deadline_phrase", 20_000).encode("utf-8"), "d.txt").deadlines
    assert len(deadlines) > 1000 and all(d.text == "到2025年底前" for d in deadlines)
    assignments = process_bytes(pathological_text("responsibility_clause", 20_000).encode("utf-8"), "r.txt").responsibilities
    assert len({a.assignment_id for a in assignments}) > 200
