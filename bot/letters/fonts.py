"""The letter fonts: bundled DejaVu Sans, registered with reportlab once per process.

Only the TTFs in ``bot/data/fonts`` are used (never fonts installed on the
machine), so a letter looks the same everywhere and its PDF embeds subsets of
the same files. DejaVu Sans covers Latin (with Latin Extended), Greek and
Cyrillic; :func:`unprintable_characters` tells which characters of a text it
cannot print, so a letter with such a name fails with a clear message instead
of printing empty boxes.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass
from functools import lru_cache

from reportlab.lib.fonts import addMapping
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont

from ..errors import LetterError
from ..resources import data_path


@dataclass(frozen=True)
class LetterFonts:
    regular: str
    bold: str
    oblique: str


FONTS = LetterFonts(regular="RightsbotSans", bold="RightsbotSans-Bold",
                    oblique="RightsbotSans-Oblique")
_FILES = {
    FONTS.regular: "DejaVuSans.ttf",
    FONTS.bold: "DejaVuSans-Bold.ttf",
    FONTS.oblique: "DejaVuSans-Oblique.ttf",
}
_lock = threading.Lock()


@lru_cache(maxsize=1)
def _register() -> LetterFonts:
    for name, filename in _FILES.items():
        path = data_path("fonts", filename)
        if not path.is_file():
            raise LetterError(f"The letter font {filename} is missing from {path.parent}; "
                              "reinstall rightsbot.")
        pdfmetrics.registerFont(TTFont(name, str(path)))
    addMapping(FONTS.regular, 0, 0, FONTS.regular)
    addMapping(FONTS.regular, 1, 0, FONTS.bold)
    addMapping(FONTS.regular, 0, 1, FONTS.oblique)
    addMapping(FONTS.regular, 1, 1, FONTS.bold)
    return FONTS


def letter_fonts() -> LetterFonts:
    """Register the bundled fonts (first call only) and return their reportlab names."""
    with _lock:
        return _register()


@lru_cache(maxsize=1)
def _covered_codepoints() -> frozenset[int]:
    letter_fonts()
    covered = None
    for name in _FILES:
        face = pdfmetrics.getFont(name).face
        points = frozenset(face.charToGlyph)
        covered = points if covered is None else covered & points
    return covered or frozenset()


def unprintable_characters(text: str) -> list[str]:
    """Characters of ``text`` that the letter fonts have no glyph for (whitespace ignored)."""
    covered = _covered_codepoints()
    missing = {c for c in set(text) if ord(c) not in covered and not c.isspace()}
    return sorted(missing, key=text.index)
