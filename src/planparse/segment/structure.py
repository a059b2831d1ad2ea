"""Placeholder until the structure builder lands."""
from planparse.segment import Structure


def build_structure(text: str, doc_id: str) -> Structure:
    return Structure()
