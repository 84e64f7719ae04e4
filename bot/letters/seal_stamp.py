"""The picture of a visible seal: a small one-page PDF drawn with the letter fonts.

pyHanko's own text stamps use a font without Cyrillic or Greek; drawing the
stamp with reportlab and the bundled DejaVu fonts prints every signer name the
letter itself can print. The stamp is only an appearance: what counts is the
signature, which ``rightsbot verify`` (or any PAdES validator) checks.
"""

from __future__ import annotations

import datetime as dt
import io
from functools import lru_cache

from reportlab.lib.colors import HexColor
from reportlab.pdfbase.pdfmetrics import stringWidth
from reportlab.pdfgen.canvas import Canvas

from .fonts import letter_fonts


def _fitted(text: str, font: str, size: float, width: float, smallest: float = 5.0) -> float:
    while size > smallest and stringWidth(text, font, size) > width:
        size -= 0.25
    return size


@lru_cache(maxsize=16)
def render_stamp(signer: str, when: dt.datetime, *, width: float, height: float) -> bytes:
    """A PDF page of ``width`` x ``height`` points showing who sealed the letter and when.

    One font only (one embedded subset), and cached: the letters of one batch share
    signer, signing time and slot size, so they share the stamp."""
    fonts = letter_fonts()
    out = io.BytesIO()
    canv = Canvas(out, pagesize=(width, height), invariant=1, pageCompression=1)
    canv.setStrokeColor(HexColor("#14306b"))
    canv.setFillColor(HexColor("#f2f5fb"))
    canv.setLineWidth(1)
    canv.roundRect(1, 1, width - 2, height - 2, 4, stroke=1, fill=1)
    inner = width - 12
    lines = [
        (fonts.regular, 8.5, "Electronically sealed (PAdES)"),
        (fonts.regular, 8.0, f"by {signer}"),
        (fonts.regular, 7.0, when.astimezone(dt.timezone.utc).strftime("%Y-%m-%d %H:%M UTC")),
        (fonts.regular, 6.0, "Check: rightsbot verify FILE.pdf"),
    ]
    sizes = [_fitted(text, font, size, inner) for font, size, text in lines]
    total = sum(s * 1.25 for s in sizes)
    y = height / 2 + total / 2
    canv.setFillColor(HexColor("#14306b"))
    for (font, _, text), size in zip(lines, sizes):
        y -= size * 1.25
        canv.setFont(font, size)
        canv.drawString(6, y + size * 0.25, text)
    canv.showPage()
    canv.save()
    return out.getvalue()
