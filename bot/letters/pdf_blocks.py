"""The flowing part of a letter: styles and reportlab flowables for its blocks.

Every string here is a person's or a template's plain text; :func:`markup`
escapes it for reportlab's paragraph mini-language, so ``<b>Ann</b> & Co``
prints literally. Decoration that is not part of the letter's text (a table
header repeated on a continuation page) is drawn as a PDF *artifact*
(``/Artifact BMC ... EMC``), which lets verification read the letter's own text
back without it (see :mod:`bot.letters.verify`).
"""

from __future__ import annotations

import io
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Sequence
from xml.sax.saxutils import escape

from reportlab.lib import colors
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.pdfbase.pdfmetrics import stringWidth
from reportlab.platypus import Flowable, KeepTogether, PageBreak, Paragraph, Spacer, Table, TableStyle
from reportlab.platypus import Image as ImageFlowable

from ..errors import LetterError
from .fonts import letter_fonts
from .layout import LAYOUTS, Box, PageLayout
from .model import Bullets, Enclosure, Heading, LetterDocument, Paragraph as TextParagraph, \
    Table as TextTable
from .signature_image import SignatureImage, fit_box

ARTIFACT_BEGIN = "/Artifact BMC"
ARTIFACT_END = "EMC"


def markup(text: str) -> str:
    """Plain text -> reportlab paragraph markup that prints exactly that text."""
    return escape(text)


@dataclass(frozen=True)
class LetterStyles:
    body: ParagraphStyle
    small: ParagraphStyle
    sender: ParagraphStyle
    sender_name: ParagraphStyle
    subject: ParagraphStyle
    heading: ParagraphStyle
    bullet: ParagraphStyle
    notice: ParagraphStyle
    cell: ParagraphStyle
    header_cell: ParagraphStyle
    typed_signature: ParagraphStyle


@lru_cache(maxsize=1)
def letter_styles() -> LetterStyles:
    fonts = letter_fonts()
    body = ParagraphStyle("body", fontName=fonts.regular, fontSize=10, leading=13.5,
                          spaceAfter=6, splitLongWords=1, allowWidows=0, allowOrphans=0)
    return LetterStyles(
        body=body,
        small=ParagraphStyle("small", parent=body, fontSize=8.5, leading=10.5, spaceAfter=0),
        sender=ParagraphStyle("sender", parent=body, fontSize=8.5, leading=10.5, spaceAfter=0),
        sender_name=ParagraphStyle("sender_name", parent=body, fontName=fonts.bold, fontSize=9.5,
                                   leading=11.5, spaceAfter=0),
        subject=ParagraphStyle("subject", parent=body, fontName=fonts.bold, fontSize=11.5,
                               leading=14.5, spaceAfter=8),
        heading=ParagraphStyle("heading", parent=body, fontName=fonts.bold, fontSize=10.5,
                               leading=13.5, spaceBefore=6, spaceAfter=4, keepWithNext=1),
        bullet=ParagraphStyle("bullet", parent=body, leftIndent=5 * mm, bulletIndent=1 * mm,
                              bulletFontName=fonts.regular, spaceAfter=2),
        notice=ParagraphStyle("notice", parent=body, fontName=fonts.bold, fontSize=9.5,
                              leading=12, spaceAfter=0, textColor=colors.HexColor("#7a1f00")),
        cell=ParagraphStyle("cell", parent=body, fontSize=8.5, leading=10.5, spaceAfter=0),
        header_cell=ParagraphStyle("header_cell", parent=body, fontName=fonts.bold, fontSize=8.5,
                                   leading=10.5, spaceAfter=0),
        typed_signature=ParagraphStyle("typed_signature", parent=body, fontName=fonts.oblique,
                                       fontSize=13, leading=17, spaceAfter=0,
                                       textColor=colors.HexColor("#14306b")),
    )


# -- the sender's block (first page) --------------------------------------------------------

SENDER_SCALES = (1.0, 0.94, 0.88, 0.82, 0.76)   # of the sender styles' sizes (9.5 / 8.5 pt)
SENDER_NARROW_SCALES = 3     # how many of them are tried in the usual box before the wide one
# What one field may take of the sender's block at its smallest size, in the narrowest wide
# box: the person file and the chat refuse more (bot.letters.person_file), so whatever they
# accept fits: 2 lines of name, 6 x 1 of address and 3 of email are 89 pt high at 0.76, and
# the wide boxes are 96 pt (A4) and 104 pt (US Letter).
SENDER_FIELD_LINES = {"name": 2, "address": 1, "email": 3}


@lru_cache(maxsize=32)
def _sender_style(first: bool, scale: float) -> ParagraphStyle:
    styles = letter_styles()
    base = styles.sender_name if first else styles.sender
    return ParagraphStyle(f"{base.name}-{scale}", parent=base, fontSize=base.fontSize * scale,
                          leading=base.leading * scale)


def sender_paragraphs(lines: Sequence[str], scale: float) -> list[Paragraph]:
    """The sender's lines (name first, in bold) at ``scale`` of their usual size."""
    return [Paragraph(markup(line), _sender_style(i == 0, scale)) for i, line in enumerate(lines)]


def fit_sender(lines: Sequence[str], layout: PageLayout) -> tuple[Box, list[Paragraph]]:
    """The box and paragraphs of the sender's block: the usual box at the largest size that
    fits, else the letterhead's whole width; LetterError when even that is too small."""
    tries = [(layout.sender, scale) for scale in SENDER_SCALES[:SENDER_NARROW_SCALES]]
    tries += [(layout.sender_wide, scale) for scale in SENDER_SCALES]
    for box, scale in tries:
        paragraphs = sender_paragraphs(lines, scale)
        if sum(p.wrap(box.width, box.height)[1] for p in paragraphs) <= box.height + 0.5:
            return box, paragraphs
    raise LetterError("The sender's name and address are too long for the letter's heading; "
                      "please shorten them.")


def sender_field_lines(text: str, field: str) -> int:
    """How many lines ``text`` takes as the sender's ``field`` ("name", "address" for one
    address line, "email") at the smallest size in the narrowest wide box."""
    width = min(make().sender_wide.width for make in LAYOUTS.values())
    paragraph = Paragraph(markup(text), _sender_style(field == "name", SENDER_SCALES[-1]))
    paragraph.wrap(width, 10_000)
    return len(paragraph.blPara.lines)


class ArtifactFlowable(Flowable):
    """Draws another flowable as a PDF artifact (not part of the letter's text)."""

    def __init__(self, inner: Flowable):
        super().__init__()
        self.inner = inner

    def wrap(self, avail_width, avail_height):
        self.width, self.height = self.inner.wrap(avail_width, avail_height)
        return self.width, self.height

    def getSpaceBefore(self):
        return self.inner.getSpaceBefore()

    def getSpaceAfter(self):
        return self.inner.getSpaceAfter()

    def draw(self):
        self.canv.addLiteral(ARTIFACT_BEGIN)
        self.inner.drawOn(self.canv, 0, 0)
        self.canv.addLiteral(ARTIFACT_END)


class LetterTable(Table):
    """A table whose header row, when repeated on a continuation page, is an artifact."""

    def split(self, availWidth, availHeight):
        parts = super().split(availWidth, availHeight)
        if len(parts) == 2 and self.repeatRows:
            continuation = parts[1]
            header = continuation._cellvalues[0]
            continuation._cellvalues[0] = [_as_artifact(cell) for cell in header]
        return parts


def _as_artifact(cell):
    if isinstance(cell, (list, tuple)):
        return [_as_artifact(part) for part in cell]
    if isinstance(cell, Flowable) and not isinstance(cell, ArtifactFlowable):
        return ArtifactFlowable(cell)
    return cell


@dataclass
class SealSlotRecord:
    """Where the free space for a visible seal landed: 0-based page index and box."""

    page_index: int | None = None
    box: tuple[float, float, float, float] | None = field(default=None)


class SealSlot(Flowable):
    """Empty space next to the signature, kept free for a visible seal stamp."""

    def __init__(self, width: float, height: float, record: SealSlotRecord):
        super().__init__()
        self.width, self.height = width, height
        self.record = record

    def wrap(self, avail_width, avail_height):
        return self.width, self.height

    def draw(self):
        x, y = self.canv.absolutePosition(0, 0)
        self.record.page_index = self.canv.getPageNumber() - 1
        self.record.box = (round(x, 2), round(y, 2), round(x + self.width, 2),
                           round(y + self.height, 2))


def _column_widths(table: TextTable, total: float, styles: LetterStyles) -> list[float]:
    """Each column at least as wide as its longest word (so IDs do not break), the rest of the
    width shared by how much text each column holds."""
    padding = 6 + 2
    font, size = styles.cell.fontName, styles.cell.fontSize
    least, wish = [], []
    for index in range(len(table.headers)):
        texts = [table.headers[index]] + [row[index] for row in table.rows if index < len(row)]
        words = [w for text in texts for w in text.split()] or [""]
        least.append(min(max(stringWidth(w, font, size) for w in words) + padding, total * 0.4))
        wish.append(max(max(stringWidth(t, font, size) for t in texts) + padding, least[-1]))
    spare = total - sum(least)
    if spare <= 0:
        return [w * total / sum(least) for w in least]
    extra = [w - m for w, m in zip(wish, least)]
    if sum(extra) <= spare:
        return [m + e + (spare - sum(extra)) / len(least) for m, e in zip(least, extra)]
    return [m + e * spare / sum(extra) for m, e in zip(least, extra)]


def table_flowable(table: TextTable, width: float, styles: LetterStyles) -> Table:
    columns = len(table.headers)
    data = [[Paragraph(markup(h), styles.header_cell) for h in table.headers]]
    for row in table.rows:
        cells = list(row) + [""] * (columns - len(row))
        data.append([Paragraph(markup(c), styles.cell) for c in cells])
    flowable = LetterTable(data, colWidths=_column_widths(table, width, styles), repeatRows=1,
                           hAlign="LEFT", spaceBefore=2, spaceAfter=8)
    flowable.setStyle(TableStyle([
        ("BACKGROUND", (0, 0), (-1, 0), colors.HexColor("#e8e8e8")),
        ("GRID", (0, 0), (-1, -1), 0.4, colors.HexColor("#999999")),
        ("VALIGN", (0, 0), (-1, -1), "TOP"),
        ("FONTNAME", (0, 0), (-1, -1), letter_fonts().regular),
        ("LEFTPADDING", (0, 0), (-1, -1), 3),
        ("RIGHTPADDING", (0, 0), (-1, -1), 3),
        ("TOPPADDING", (0, 0), (-1, -1), 2),
        ("BOTTOMPADDING", (0, 0), (-1, -1), 3),
    ]))
    return flowable


def notices_flowable(notices: tuple[str, ...], width: float, styles: LetterStyles) -> Table:
    box = Table([[Paragraph(markup(n), styles.notice)] for n in notices], colWidths=[width],
                hAlign="LEFT", spaceAfter=10)
    box.setStyle(TableStyle([
        ("BOX", (0, 0), (-1, -1), 0.8, colors.HexColor("#b34700")),
        ("FONTNAME", (0, 0), (-1, -1), letter_fonts().regular),
        ("BACKGROUND", (0, 0), (-1, -1), colors.HexColor("#fff4e5")),
        ("LEFTPADDING", (0, 0), (-1, -1), 5),
        ("TOPPADDING", (0, 0), (-1, -1), 2.5),
        ("BOTTOMPADDING", (0, 0), (-1, -1), 3.5),
    ]))
    return box


def signature_block(doc: LetterDocument, layout: PageLayout, width: float,
                    image: SignatureImage | None, styles: LetterStyles,
                    seal: SealSlotRecord) -> KeepTogether:
    """Closing, signature (picture or typed), '/s/ name' and date, with the seal slot beside."""
    left: list[Flowable] = [Paragraph(markup(doc.closing), styles.body), Spacer(1, 2 * mm)]
    if image is not None:
        w, h = fit_box(image, *layout.signature_box)
        left.append(ImageFlowable(io.BytesIO(image.png), width=w, height=h,
                                  mask="auto", hAlign="LEFT"))
        left.append(Paragraph(markup(f"/s/ {doc.signer}"), styles.body))
    else:
        left.append(Paragraph(markup(f"/s/ {doc.signer}"), styles.typed_signature))
    left.append(Paragraph(markup(doc.date.isoformat()), styles.small))
    slot_w, slot_h = layout.seal_slot
    block = Table([[left, SealSlot(slot_w, slot_h, seal)]],
                  colWidths=[width - slot_w - 2 * mm, slot_w + 2 * mm], hAlign="LEFT")
    block.setStyle(TableStyle([
        ("VALIGN", (0, 0), (-1, -1), "TOP"),
        ("FONTNAME", (0, 0), (-1, -1), letter_fonts().regular),
        ("LEFTPADDING", (0, 0), (-1, -1), 0),
        ("RIGHTPADDING", (0, 0), (-1, -1), 0),
        ("TOPPADDING", (0, 0), (-1, -1), 0),
        ("BOTTOMPADDING", (0, 0), (-1, -1), 0),
    ]))
    return KeepTogether([Spacer(1, 3 * mm), block])


def body_flowables(doc: LetterDocument, layout: PageLayout, image: SignatureImage | None,
                   seal: SealSlotRecord) -> list[Flowable]:
    """Subject, notices, the blocks, closing and signature, in the order of ``doc.text()``."""
    styles = letter_styles()
    width = layout.later_body.width
    story: list[Flowable] = [Paragraph(markup(doc.subject), styles.subject)]
    if doc.notices:
        story.append(notices_flowable(doc.notices, width, styles))
    story += block_flowables(doc.blocks, width, styles)
    story.append(signature_block(doc, layout, width, image, styles, seal))
    for number, enclosure in enumerate(doc.enclosures, start=1):
        story += enclosure_flowables(number, enclosure, styles)
    return story


def enclosure_flowables(number: int, enclosure: Enclosure, styles: LetterStyles) -> list[Flowable]:
    """An earlier letter's text on new pages: its paragraphs as they were, line breaks kept."""
    story: list[Flowable] = [PageBreak(),
                             Paragraph(markup(f"Enclosure {number}: {enclosure.title}"),
                                       styles.heading)]
    for chunk in enclosure.text.split("\n\n"):
        lines = [markup(line) for line in chunk.strip("\n").split("\n")]
        if any(line.strip() for line in lines):
            story.append(Paragraph("<br/>".join(lines), styles.small))
    return story


def block_flowables(blocks, width: float, styles: LetterStyles) -> list[Flowable]:
    """Headings, paragraphs, bullet lists and tables as reportlab flowables (letters and
    the cover sheet alike)."""
    story: list[Flowable] = []
    for block in blocks:
        if isinstance(block, Heading):
            story.append(Paragraph(markup(block.text), styles.heading))
        elif isinstance(block, TextParagraph):
            story.append(Paragraph(markup(block.text), styles.body))
        elif isinstance(block, Bullets):
            story += [Paragraph(markup(item), styles.bullet, bulletText="-") for item in block.items]
            story.append(Spacer(1, 4))
        elif isinstance(block, TextTable):
            story.append(table_flowable(block, width, styles))
    return story
