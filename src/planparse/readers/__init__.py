"""Readers: one per source format, chosen by content (magic bytes), all producing a ``PlanDoc``.

A reader module registers itself with ``@reader(name, suffixes=..., sniff=...)`` and is listed in
``_MODULES``; ``read_document`` asks each registered reader's ``sniff(data, source_path)`` in that
order, the text reader last, and calls the first that accepts. A reader raises ``planparse.ingest.IngestError`` for input it cannot read (with an
``error_type`` such as ``no_text_layer`` or ``needs_libreoffice`` and a message a user can act on);
anything else it raises is a bug.
"""

from __future__ import annotations

import importlib
from dataclasses import dataclass
from functools import lru_cache
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


# Reader modules, in the order their sniffers are asked; "text" accepts anything, so it comes last.
_MODULES = ("pdf", "docx", "doc", "html", "text")


@lru_cache(maxsize=1)
def registered() -> tuple[Reader, ...]:
    """Every reader, in sniffing order (modules are imported on first use: start-up stays cheap)."""
    for name in _MODULES:
        try:
            importlib.import_module(f"planparse.readers.{name}")
        except ModuleNotFoundError as exc:
            if exc.name != f"planparse.readers.{name}":
                raise  # a reader's own import failed: a broken install, not a missing reader
    return tuple(sorted(READERS.values(), key=lambda r: r.name == "text"))


def read_document(data: bytes, source_path: str) -> PlanDoc:
    """Read one source file's bytes with the reader its content calls for."""
    for r in registered():
        if r.sniff(data, source_path):
            doc = r.read(data, source_path)
            doc.check()
            return doc
    raise AssertionError("the text reader accepts every input")


def supported_suffixes() -> tuple[str, ...]:
    """File name endings walked in folders, every reader's (".txt", ".pdf", ".docx", ...)."""
    return tuple(s for r in registered() for s in r.suffixes)


def suffixes_for(formats=None) -> frozenset[str]:
    """File name endings to walk: every reader's, or those of ``formats`` (reader names such as
    "docx", "html", "text", or suffixes such as "txt", "htm"). Raises ValueError on an unknown one."""
    if not formats:
        return frozenset(supported_suffixes())
    picked: set[str] = set()
    for name in formats:
        name = name.strip().lower().lstrip(".")
        matched = [r.suffixes if r.name == name else (f".{name}",) for r in registered() if r.name == name or f".{name}" in r.suffixes]
        if not matched:
            known = ", ".join(s.lstrip(".") for s in supported_suffixes())
            raise ValueError(f"unknown format {name!r} (supported: {known})")
        picked.update(s for group in matched for s in group)
    return frozenset(picked)
