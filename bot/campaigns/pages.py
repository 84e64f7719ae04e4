"""Plain one-piece PDF documents for campaigns (authorizations, records, bundle covers).

The same parts as the letters and the cover sheet (bot.letters.pdf_blocks: DejaVu fonts,
styles, blocks; bot.letters.pdf.build_pdf and check_strings), laid out as a simple
document: a title, the blocks, and optionally a signature (typed or drawn). Deterministic:
reportlab's invariant mode, so the same document gives the same bytes on every run.
"""

from __future__ import annotations

import io
from dataclasses import dataclass
from datetime import date
from typing import Sequence

from reportlab.lib.units import mm
from reportlab.platypus import Image as ImageFlowable, KeepTogether, Paragraph, SimpleDocTemplate, Spacer

from ..letters.fonts import letter_fonts
from ..letters.layout import layout_for
from ..letters.model import Block, Bullets, Heading, PageSize, Paragraph as TextParagraph, Table
from ..letters.pdf import build_pdf, check_strings
from ..letters.pdf_blocks import block_flowables, letter_styles, markup
from ..letters.signature_image import fit_box, prepare_signature_image

PRODUCER = "rightsbot"


@dataclass(frozen=True)
class SimpleDocument:
    title: str
    blocks: tuple[Block, ...]
    page_size: PageSize
    author: str
    subject: str
    keywords: str
    signer: str = ""                   # "" = no signature block
    signature: bytes | None = None     # PNG/JPEG of a drawn signature, None = typed
    signed_on: date | None = None


def page_size_for(residence: str) -> PageSize:
    return "LETTER" if residence.split("-")[0].upper() in ("US", "CA", "MX", "PR") else "A4"


def texts(blocks: Sequence[Block]) -> list[str]:
    out: list[str] = []
    for block in blocks:
        if isinstance(block, Bullets):
            out += list(block.items)
        elif isinstance(block, (Heading, TextParagraph)):
            out.append(block.text)
        elif isinstance(block, Table):
            out += list(block.headers) + [cell for row in block.rows for cell in row]
    return out


def render_document(doc: SimpleDocument) -> bytes:
    """The document as PDF bytes; LetterError / PhotoError for what cannot be printed."""
    check_strings([("title", doc.title), ("signer", doc.signer),
                   *(("text", t) for t in texts(doc.blocks))])
    image = prepare_signature_image(doc.signature) if doc.signature else None
    layout = layout_for(doc.page_size)
    styles = letter_styles()
    body = layout.later_body
    out = io.BytesIO()
    template = SimpleDocTemplate(
        out, pagesize=(layout.page_width, layout.page_height), invariant=1, pageCompression=1,
        title=doc.title, author=doc.author, subject=doc.subject, creator=PRODUCER,
        producer=PRODUCER, keywords=doc.keywords, leftMargin=body.x, rightMargin=body.x,
        topMargin=20 * mm, bottomMargin=body.y, initialFontName=letter_fonts().regular)
    story = [Paragraph(markup(doc.title), styles.subject), *block_flowables(doc.blocks, body.width, styles)]
    if doc.signer:
        parts = [Spacer(1, 4 * mm)]
        if image is not None:
            w, h = fit_box(image, *layout.signature_box)
            parts.append(ImageFlowable(io.BytesIO(image.png), width=w, height=h, mask="auto",
                                       hAlign="LEFT"))
            parts.append(Paragraph(markup(f"/s/ {doc.signer}"), styles.body))
        else:
            parts.append(Paragraph(markup(f"/s/ {doc.signer}"), styles.typed_signature))
        if doc.signed_on is not None:
            parts.append(Paragraph(markup(doc.signed_on.isoformat()), styles.small))
        story.append(KeepTogether(parts))
    build_pdf(lambda: template.build(story), "document")
    return out.getvalue()
