"""The text reader: today's decode + clean + paragraph rebuilding, unchanged in behaviour.

Tables stay inside the text; the segmenter detects them there (``segment/tables.py``).
"""

from __future__ import annotations

from planparse.document import PlanDoc
from planparse.ingest import clean_text, decode_bytes
from planparse.readers import reader


def _any(data: bytes, source_path: str) -> bool:
    # Tried last: whatever no other reader claims is read as text (decode_bytes names binary input).
    return True


@reader("text", suffixes=(".txt",), sniff=_any)
def read_text(data: bytes, source_path: str) -> PlanDoc:
    raw, encoding = decode_bytes(data)
    return PlanDoc(text=clean_text(raw), encoding=encoding, source_format="text")
