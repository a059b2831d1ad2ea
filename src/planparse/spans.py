"""Small helpers for working with character spans."""

from __future__ import annotations

import bisect
import itertools
from typing import Generic, Iterable, Protocol, Sequence, TypeVar


class Spanned(Protocol):
    char_start: int
    char_end: int


S = TypeVar("S", bound=Spanned)


class SpanIndex(Generic[S]):
    """Records indexed by span, built once: which record holds an offset, in logarithmic time.

    Extractors ask once per record they make, so a linear scan per question made long
    documents quadratic.
    """

    def __init__(self, records: Iterable[S]):
        self._records = sorted(records, key=lambda r: (r.char_start, -r.char_end))
        self._starts = [r.char_start for r in self._records]
        # reach[i]: the furthest end among records[:i + 1]; no earlier record can hold an offset past it.
        self._reach = list(itertools.accumulate((r.char_end for r in self._records), max))

    def innermost(self, offset: int) -> S | None:
        """The latest-starting record whose span contains ``offset``."""
        i = bisect.bisect_right(self._starts, offset) - 1
        while i >= 0 and self._reach[i] > offset:
            record = self._records[i]
            if offset < record.char_end:
                return record
            i -= 1
        return None

    def __contains__(self, offset: int) -> bool:
        return self.innermost(offset) is not None


class _Span:
    __slots__ = ("char_start", "char_end")

    def __init__(self, start: int, end: int):
        self.char_start, self.char_end = start, end


def span_set(spans: Sequence[tuple[int, int]]) -> SpanIndex:
    """A SpanIndex over plain (start, end) pairs, for ``offset in spans`` tests."""
    return SpanIndex(_Span(s, e) for s, e in spans)
