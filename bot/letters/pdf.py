"""LetterDocument -> PDF bytes (reportlab), deterministic and verifiable.

What the PDF carries, and why:

- the page layout of :mod:`bot.letters.layout` (DIN 5008 form B on A4, #10
  window envelope on US Letter), the bundled DejaVu fonts embedded as subsets;
- the letter's canonical text (``doc.text()``) as an embedded file
  ``letter.txt``, and its SHA-256 in every page's footer and in the document
  information (``/RightsbotTextSHA256``), so :mod:`bot.letters.verify` can
  check that the footer, the attached text and the printed words agree;
- page furniture that is not part of the letter's text (footer, "Page x of y",
  the return-address line, fold marks, repeated table headers) drawn as PDF
  artifacts, so the printed words read back equal the canonical text;
- a free box next to the signature for a visible seal (``/RightsbotSealSlot``).

The same document always gives the same bytes: reportlab's invariant mode, the
letter's date as creation date, and a document ID derived from the text.
"""

from __future__ import annotations

import calendar
import hashlib
import io
import logging
import time
import re
import traceback
from datetime import date
from functools import partial
from pathlib import Path
from typing import Any, Callable

from reportlab.lib.colors import HexColor
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.lib.utils import TimeStamp
from reportlab.pdfbase.pdfdoc import (PDFArray, PDFDate, PDFDictionary, PDFInfo, PDFStream,
                                      PDFString, PDFZCompress)
from reportlab.pdfbase.pdfmetrics import stringWidth
from reportlab.pdfgen.canvas import Canvas
from reportlab.platypus import BaseDocTemplate, Frame, PageTemplate, Paragraph
from reportlab.platypus.doctemplate import LayoutError

from ..errors import LetterError, RightsbotError
from .fonts import letter_fonts, unprintable_characters
from .layout import PageLayout, layout_for
from .model import Bullets, Heading, LetterDocument, Paragraph as TextParagraph, Table
from .pdf_blocks import (ARTIFACT_BEGIN, ARTIFACT_END, SealSlotRecord, body_flowables,
                         fit_sender, letter_styles, markup)
from .signature_image import SignatureImage, prepare_signature_image

log = logging.getLogger(__name__)

PRODUCER = "rightsbot"
EMBEDDED_TEXT_NAME = "letter.txt"
INFO_REFERENCE = "RightsbotReference"
INFO_TEXT_SHA256 = "RightsbotTextSHA256"
INFO_SEAL_SLOT = "RightsbotSealSlot"
FOOTER_HASH_LABEL = "SHA-256 of the letter text (attached as letter.txt):"
MAX_REFERENCE_CHARS = 64
MAX_TEXT_CHARS = 200_000
_CONTROL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")   # Cc except tab, LF, CR
RECIPIENT_FONT_SIZES = (10.0, 9.5, 9.0, 8.5, 8.0, 7.5)


def render_pdf(doc: LetterDocument) -> bytes:
    """The letter as PDF bytes; the same document gives the same bytes."""
    text = check_document(doc)
    layout = layout_for(doc.page_size)
    image = _signature_image(doc)
    text_sha256 = hashlib.sha256(text.encode("utf-8")).hexdigest()
    seal = SealSlotRecord()
    furniture = _PageFurniture(doc, layout, text, text_sha256, seal)
    out = io.BytesIO()
    template = BaseDocTemplate(
        out, pagesize=(layout.page_width, layout.page_height), invariant=1, pageCompression=1,
        title=doc.subject, author=doc.signer, subject=f"Letter {doc.reference}",
        creator=PRODUCER, producer=PRODUCER, lang=doc.language or None,
        initialFontName=letter_fonts().regular, initialFontSize=10,
        leftMargin=layout.later_body.x, rightMargin=layout.later_body.x,
        topMargin=0, bottomMargin=layout.later_body.y)
    first, later = layout.first_body, layout.later_body
    template.addPageTemplates([
        PageTemplate(id="first", autoNextPageTemplate="later", onPage=furniture.first_page,
                     frames=[Frame(first.x, first.y, first.width, first.height, id="first",
                                   leftPadding=0, rightPadding=0, topPadding=0, bottomPadding=0)]),
        PageTemplate(id="later",
                     frames=[Frame(later.x, later.y, later.width, later.height, id="later",
                                   leftPadding=0, rightPadding=0, topPadding=0, bottomPadding=0)]),
    ])
    build_pdf(lambda: template.build(body_flowables(doc, layout, image, seal),
                                     canvasmaker=partial(_LetterCanvas, furniture=furniture)),
              "letter")
    return out.getvalue()


def build_pdf(build: Callable[[], None], what: str) -> None:
    """Run a reportlab ``build``; whatever goes wrong reaches a person as a plain LetterError
    (never reportlab's own text, which quotes the letter's words and its internals)."""
    try:
        build()
    except RightsbotError as exc:
        # reportlab re-raises an error from a page handler with its own words added
        # ("handle_pageBegin args=() ..."); the first one raised is the plain one
        while isinstance(exc.__context__, RightsbotError):
            exc = exc.__context__
        raise exc from None
    except LayoutError:
        log.warning("the %s could not be laid out: a part does not fit on a page", what)
        raise LetterError(f"The {what} could not be made into a PDF: a part of it is too large "
                          "to fit on a page. Please shorten long names, addresses or texts.") from None
    except Exception as exc:  # noqa: BLE001 - a bug must reach the person as a sentence
        frame = traceback.extract_tb(exc.__traceback__)[-1]
        log.error("the %s could not be made into a PDF: %s at %s:%s (message withheld)", what,
                  type(exc).__name__, Path(frame.filename).name, frame.lineno)
        raise LetterError(f"The {what} could not be made into a PDF because of an internal "
                          "error; please try again, and report it if it happens again.") from None


# -- checks -------------------------------------------------------------------------------

def _all_strings(doc: LetterDocument) -> list[tuple[str, str]]:
    fields = [("reference", doc.reference), ("subject", doc.subject), ("closing", doc.closing),
              ("signer", doc.signer)]
    fields += [("sender", s) for s in doc.sender] + [("recipient", r) for r in doc.recipient]
    fields += [("notice", n) for n in doc.notices]
    fields += [("enclosure", e.title) for e in doc.enclosures]
    fields += [("enclosure", e.text) for e in doc.enclosures]
    for block in doc.blocks:
        if isinstance(block, (Heading, TextParagraph)):
            fields.append(("text", block.text))
        elif isinstance(block, Bullets):
            fields += [("list item", item) for item in block.items]
        elif isinstance(block, Table):
            fields += [("table", cell) for cell in block.headers]
            fields += [("table", cell) for row in block.rows for cell in row]
    return fields


def check_document(doc: LetterDocument) -> str:
    """Refuse what cannot be printed faithfully; returns ``doc.text()``."""
    if not isinstance(doc.date, date):
        raise LetterError("The letter has no valid date.")
    reference = doc.reference
    if not isinstance(reference, str) or not reference.strip() or len(reference) > MAX_REFERENCE_CHARS \
            or not reference.isprintable() or reference != reference.strip():
        raise LetterError("The letter's reference must be one short line of printable text.")
    if not doc.recipient or not any(line.strip() for line in doc.recipient):
        raise LetterError("The letter has no recipient address.")
    if not doc.signer.strip():
        raise LetterError("The letter has no signer's name.")
    for block in doc.blocks:
        if isinstance(block, Table):
            if not block.headers:
                raise LetterError("A table in the letter has no header row.")
            if any(len(row) > len(block.headers) for row in block.rows):
                raise LetterError("A table row in the letter has more cells than the header row.")
        elif not isinstance(block, (Heading, TextParagraph, Bullets)):
            raise LetterError(f"Unknown block in the letter: {type(block).__name__}.")
    check_strings(_all_strings(doc))
    text = doc.text()
    if len(text) > MAX_TEXT_CHARS:
        raise LetterError("The letter is too long to print.")
    return text


def check_strings(fields: list[tuple[str, str]]) -> None:
    """Refuse text the bundled fonts cannot print, or that holds control characters."""
    missing: dict[str, None] = {}
    for what, value in fields:
        if not isinstance(value, str):
            raise LetterError(f"A {what} of the letter is not text.")
        if _CONTROL.search(value):
            raise LetterError(f"A {what} of the letter contains control characters.")
        for char in unprintable_characters(value):
            missing[char] = None
    if missing:
        shown = " ".join(list(missing)[:8])
        raise LetterError(f"The letter font cannot print these characters: {shown}. "
                          "Please write the name or text in Latin, Greek or Cyrillic letters.")


def _signature_image(doc: LetterDocument) -> SignatureImage | None:
    if isinstance(doc.signature, (bytes, bytearray)):
        return prepare_signature_image(bytes(doc.signature))
    if doc.signature != "typed":
        raise LetterError("The signature must be 'typed' or the bytes of a PNG or JPEG picture.")
    return None


# -- the page furniture -------------------------------------------------------------------

class _PageFurniture:
    """Draws the fixed parts of the pages (header block on page 1, footers on all)."""

    def __init__(self, doc: LetterDocument, layout: PageLayout, text: str, text_sha256: str,
                 seal: SealSlotRecord):
        self.doc, self.layout, self.text = doc, layout, text
        self.text_sha256, self.seal = text_sha256, seal
        self.fonts = letter_fonts()
        self.recipient_size = self._recipient_font_size()
        self.sender_box, self.sender = fit_sender(doc.sender, layout)

    def _recipient_font_size(self) -> float:
        lines, box = self.doc.recipient, self.layout.recipient
        if len(lines) > self.layout.recipient_max_lines:
            raise LetterError(f"The recipient's address has {len(lines)} lines; a window envelope "
                              f"shows at most {self.layout.recipient_max_lines}.")
        for size in RECIPIENT_FONT_SIZES:
            widest = max(stringWidth(line, self.fonts.regular, size) for line in lines)
            if widest <= box.width and len(lines) * size * 1.22 <= box.height:
                return size
        raise LetterError("A line of the recipient's address is too long for the envelope window; "
                          "please shorten it.")

    def first_page(self, canv: Canvas, _template: Any) -> None:
        layout, doc = self.layout, self.doc
        styles = letter_styles()
        # in the order of doc.text(): sender, date, recipient, reference
        self._draw_paragraphs(canv, self.sender_box, self.sender, what="sender's address")
        date_par = Paragraph(markup(doc.date.isoformat()), styles.small)
        ref_par = Paragraph(markup(f"Reference: {doc.reference}"),
                            _unbroken(styles.small, doc.reference, layout.info.width, self.fonts.regular))
        self._draw_paragraphs(canv, layout.info, [date_par], what="date")
        _artifact(canv, self._draw_return_line)
        canv.setFont(self.fonts.regular, self.recipient_size)
        leading = self.recipient_size * 1.22
        y = layout.recipient.top - self.recipient_size
        for line in doc.recipient:
            canv.drawString(layout.recipient.x, y, line)
            y -= leading
        _, date_height = date_par.wrap(layout.info.width, layout.info.height)
        ref_box = layout.info.__class__(layout.info.x, layout.info.y, layout.info.width,
                                        layout.info.height - date_height - 4)
        self._draw_paragraphs(canv, ref_box, [ref_par], what="reference")
        _artifact(canv, self._draw_fold_marks)

    def _draw_paragraphs(self, canv: Canvas, box, paragraphs: list[Paragraph], *, what: str) -> None:
        y = box.top
        for paragraph in paragraphs:
            _, height = paragraph.wrap(box.width, box.height)
            y -= height
            if y < box.y - 0.5:
                raise LetterError(f"The {what} is too long for its place on the first page.")
            paragraph.drawOn(canv, box.x, y)

    def _draw_return_line(self, canv: Canvas) -> None:
        box = self.layout.return_line
        if box is None:
            return
        parts = [line.strip() for line in self.doc.sender if line.strip() and "@" not in line]
        while parts:
            line = " · ".join(parts)
            for size in (6.5, 6.0, 5.5):
                if stringWidth(line, self.fonts.regular, size) <= box.width:
                    canv.setFont(self.fonts.regular, size)
                    canv.setFillColor(HexColor("#333333"))
                    canv.drawString(box.x, box.y + 1.5, line)
                    canv.setFillColor(HexColor("#000000"))
                    return
            parts.pop()

    def _draw_fold_marks(self, canv: Canvas) -> None:
        canv.setLineWidth(0.5)
        canv.setStrokeColor(HexColor("#888888"))
        for index, y in enumerate(self.layout.fold_marks):
            length = 7 if index != 1 else 4   # the hole mark is shorter
            canv.line(5 * mm, y, (5 + length) * mm, y)

    def footer(self, canv: Canvas, page: int, pages: int) -> None:
        layout = self.layout
        x, right = layout.later_body.x, layout.later_body.x + layout.later_body.width
        canv.setFont(self.fonts.regular, 7)
        canv.setFillColor(HexColor("#444444"))
        canv.drawString(x, layout.footer_y + 9, f"Reference: {self.doc.reference}")
        canv.drawRightString(right, layout.footer_y + 9, f"Page {page} of {pages}")
        canv.setFont(self.fonts.regular, 6.2)
        canv.drawString(x, layout.footer_y, f"{FOOTER_HASH_LABEL} {self.text_sha256}")

    def info_entries(self) -> dict[str, Callable[[], Any]]:
        def seal_slot() -> Any:
            if self.seal.box is None or self.seal.page_index is None:
                return PDFArray([])
            return PDFArray([self.seal.page_index, *self.seal.box])
        return {INFO_REFERENCE: lambda: PDFString(self.doc.reference),
                INFO_TEXT_SHA256: lambda: PDFString(self.text_sha256),
                INFO_SEAL_SLOT: seal_slot}


def _unbroken(style: ParagraphStyle, token: str, width: float, font: str) -> ParagraphStyle:
    """``style`` that never splits a word, at a size where ``token`` fits ``width``:
    the reference may move to its own line but is never cut in two."""
    size = style.fontSize
    while size > 5 and stringWidth(token, font, size) > width:
        size -= 0.25
    return ParagraphStyle(f"{style.name}-unbroken", parent=style, splitLongWords=0,
                          fontSize=size, leading=size * style.leading / style.fontSize)


def _artifact(canv: Canvas, draw: Callable[[Canvas], None]) -> None:
    canv.saveState()
    canv.addLiteral(ARTIFACT_BEGIN)
    draw(canv)
    canv.addLiteral(ARTIFACT_END)
    canv.restoreState()


# -- the canvas: page numbers, metadata, attached text -------------------------------------

class _LetterDate(TimeStamp):
    """reportlab's timestamp, fixed to the letter's date (00:00 UTC)."""

    def __init__(self, day: date):   # noqa: D107 - sets the same attributes TimeStamp does
        t = calendar.timegm(day.timetuple())
        self.t, self.lt, self.tzname = t, time.gmtime(t), "UTC"
        self.YMDhms, self.dhh, self.dmm = tuple(self.lt)[:6], 0, 0


class _LetterInfo(PDFInfo):
    """The document information dictionary plus rightsbot's own entries."""

    def __init__(self, extra: dict[str, Callable[[], Any]]):
        super().__init__()
        self.extra = extra

    def format(self, document):
        stamp = PDFDate(ts=document._timeStamp)
        entries = {"Title": PDFString(self.title), "Author": PDFString(self.author),
                   "Subject": PDFString(self.subject), "Creator": PDFString(self.creator),
                   "Producer": PDFString(self.producer), "CreationDate": stamp,
                   "ModDate": stamp, "Trapped": "/False"}
        entries.update({key: make() for key, make in self.extra.items()})
        return PDFDictionary(entries).format(document)


class _LetterCanvas(Canvas):
    """Defers each page until the page count is known, to draw "Page x of y" and the footer."""

    def __init__(self, *args: Any, furniture: _PageFurniture, **kwargs: Any):
        super().__init__(*args, **kwargs)
        self._furniture = furniture
        self._pending_pages: list[dict[str, Any]] = []
        pdf = self._doc
        pdf._timeStamp = _LetterDate(furniture.doc.date)
        pdf.info = _LetterInfo(furniture.info_entries())
        pdf.updateSignature(f"{furniture.doc.reference}\n{furniture.text_sha256}")  # document ID

    def showPage(self) -> None:
        self._pending_pages.append(dict(self.__dict__))
        self._startPage()

    def save(self) -> None:
        pages = len(self._pending_pages)
        for number, state in enumerate(self._pending_pages, start=1):
            self.__dict__.update(state)
            _artifact(self, lambda canv: self._furniture.footer(canv, number, pages))
            super().showPage()
        self._attach_text()
        super().save()

    def _attach_text(self) -> None:
        data = self._furniture.text.encode("utf-8")
        stream = PDFStream(PDFDictionary({"Type": "/EmbeddedFile", "Subtype": "/text#2Fplain",
                                          "Params": PDFDictionary({"Size": len(data)})}),
                           content=data, filters=[PDFZCompress])
        pdf = self._doc
        filespec = PDFDictionary({
            "Type": "/Filespec", "F": PDFString(EMBEDDED_TEXT_NAME),
            "UF": PDFString(EMBEDDED_TEXT_NAME), "AFRelationship": "/Source",
            "Desc": PDFString("The letter's text; its SHA-256 is printed in the footer."),
            "EF": PDFDictionary({"F": pdf.Reference(stream)})})
        pdf.Catalog.Names = PDFDictionary({"EmbeddedFiles": PDFDictionary(
            {"Names": PDFArray([PDFString(EMBEDDED_TEXT_NAME), pdf.Reference(filespec)])})})
