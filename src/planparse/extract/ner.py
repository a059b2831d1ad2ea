"""Trained spaCy NER for agency names (filled in by the NER work; rules-only until a model ships)."""

from __future__ import annotations


def predict_spans(text: str) -> list[tuple[int, int]]:
    """Character spans of AGENCY entities predicted by the shipped model ([] when no model)."""
    return []
