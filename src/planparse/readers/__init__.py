"""Readers: one per source format, chosen by content (magic bytes), all producing a ``PlanDoc``.

A reader module registers itself with ``@reader(name, formats=..., sniff=...)``; ``read_document``
asks each registered reader's ``sniff(data, source_path)`` in registration order and calls the first
that accepts. A reader raises ``planparse.ingest.IngestError`` for input it cannot read (with an
``error_type`` such as ``no_text_layer`` or ``needs_libreoffice`` and a message a user can act on);
anything else it raises is a bug.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Callable

from planparse.document import PlanDoc


@dataclass(frozen=True)
class Reader:
    name: str  # "text", "pdf", "docx", "doc", "html"
    suffixes: tuple[str, ...]  # file name endings walked in folders (".pdf", ...)
    sniff: Callable[[bytes, str], bool]
    read: Callable[[bytes, str], PlanDoc]


READERS: dict[str, Reader] = {}


def reader(name: str, suffixes: tuple[str, ...], sniff: Callable[[bytes, str], bool]):
    """Register ``fn(data, source_path) -> PlanDoc`` as the reader of format ``name``."""

    def register(fn: Callable[[bytes, str], PlanDoc]):
        READERS[name] = Reader(name, suffixes, sniff, fn)
        return fn

    return register
