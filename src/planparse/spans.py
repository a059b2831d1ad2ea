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
    # key= instead of building a list of starts: callers ask once per record, which made it quadratic.
    i = bisect.bisect_right(records, offset, key=lambda r: r.char_start) - 1
    while i >= 0:
        r = records[i]
        if r.char_start <= offset < r.char_end:
            return r
        i -= 1
    return None
