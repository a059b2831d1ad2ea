"""OCR of page images, for PDFs without a text layer and pictures of text: the ``planparse[ocr]`` extra.

The engine is RapidOCR (PaddleOCR's PP-OCRv4 Chinese models on onnxruntime; the models ship inside
the ``rapidocr-onnxruntime`` wheel, so nothing is downloaded at run time). It was picked over
Tesseract 5 with Debian's ``chi_sim`` by character error rate on page 1 of the scanned sample
(corpus/native/08, hand transcription, NFKC, spaces ignored): RapidOCR 0.4 % at 200 dpi,
Tesseract 5.9 % at 300 dpi (spaces inside words, 、 read as ".").

Set ``PLANPARSE_OCR=off`` to read without OCR even where the extra is installed.
"""

from __future__ import annotations

import importlib.util
import os
from dataclasses import dataclass
from functools import lru_cache

# Pixels per PDF point at which pages are rendered for OCR (200 dpi).
RENDER_SCALE = 200 / 72


@dataclass
class OcrLine:
    text: str
    box: tuple[float, float, float, float]  # x0, y0, x1, y1 in image pixels, origin top-left
    score: float


def installed() -> bool:
    """Is the OCR extra installed?"""
    return importlib.util.find_spec("rapidocr_onnxruntime") is not None


def available() -> bool:
    """Is the OCR extra installed and not switched off?"""
    if os.environ.get("PLANPARSE_OCR", "").lower() in ("0", "off", "no", "false"):
        return False
    return installed()


@lru_cache(maxsize=1)
def _engine():
    import logging

    from rapidocr_onnxruntime import RapidOCR

    logging.getLogger("RapidOCR").setLevel(logging.WARNING)
    return RapidOCR()


def recognise(image) -> list[OcrLine]:
    """Text lines found in a PIL image, each with its box; in the engine's top-to-bottom order."""
    import numpy as np

    result, _ = _engine()(np.asarray(image.convert("RGB")))
    lines = []
    for points, text, score in result or []:
        xs = [p[0] for p in points]
        ys = [p[1] for p in points]
        if text.strip():
            lines.append(OcrLine(text.strip(), (min(xs), min(ys), max(xs), max(ys)), float(score)))
    return lines


def rows(lines: list[OcrLine]) -> list[list[OcrLine]]:
    """Group OCR lines into visual rows (boxes overlapping vertically by half their height), each
    sorted left to right, rows top to bottom: a table row read as one line of cells."""
    out: list[list[OcrLine]] = []
    for line in sorted(lines, key=lambda l: (l.box[1] + l.box[3]) / 2):
        if out:
            last = out[-1]
            top = max(l.box[1] for l in last)
            bottom = min(l.box[3] for l in last)
            overlap = min(bottom, line.box[3]) - max(top, line.box[1])
            height = min(bottom - top, line.box[3] - line.box[1])
            if height > 0 and overlap >= 0.5 * height:
                last.append(line)
                continue
        out.append([line])
    for row in out:
        row.sort(key=lambda l: l.box[0])
    return out
