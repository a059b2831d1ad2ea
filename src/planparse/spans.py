"""Small helpers for working with character spans."""

from __future__ import annotations

import bisect
from typing import Protocol, Sequence, TypeVar


class Spanned(Protocol):
    char_start: int
    char_end: int


S = TypeVar("S", bound=Spanned)


def innermost(records: Sequence[S], offset: int) -> S | None:
    """The last-starting record whose span contains ``offset`` (records sorted by char_start)."""
    starts = [r.char_start for r in records]
    i = bisect.bisect_right(starts, offset) - 1
    while i >= 0:
        r = records[i]
        if r.char_start <= offset < r.char_end:
            return r
        i -= 1
    return None
