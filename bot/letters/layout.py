"""Page geometry of a letter, one pure function per paper standard.

All boxes are in PDF points (1/72 inch) measured from the page's lower-left
corner, as reportlab and PDF readers use them; the comments give the standard's
own measures (millimetres from the top-left corner for DIN 5008, inches for US
Letter).

A4, DIN 5008 form B (the layout for DL window envelopes, DIN 680 window 90 x
45 mm at 20 mm from the left and 15 mm from the top of the envelope):
  - letterhead 0-45 mm from the top;
  - address field 85 x 45 mm, 20 mm from the left edge, 45-90 mm from the top:
    the top 17.7 mm are the "Zusatz- und Vermerkzone" (return address line at its
    bottom), the lower 27.3 mm the "Anschriftzone" for up to 6 address lines;
    text starts 5 mm inside the field (25 mm from the edge, the left margin);
  - information block 125 mm from the left, from 50 mm from the top, 75 mm wide;
  - the sender's block right of the letterhead, 12-42 mm from the top; a long one
    may take the letterhead's whole width, 8-42 mm from the top;
  - fold marks at 105 mm and 210 mm, hole mark at 148.5 mm from the top;
  - left margin 25 mm, right margin at least 20 mm.
  (sprache-kompakt.de "Briefbogen - Position von Faltmarken/Lochmarken";
  DIN 5008:2020 as summarised by datenanfragen's layouts/din-5008-*.ts.)

US Letter, #10 window envelope (4 1/8 x 9 1/2 in; window 1 1/8 x 4 1/2 in,
7/8 in from the left edge and 1/2 in from the bottom of the envelope): a letter
tri-folded into thirds shows the area 7/8 in from the left and 2 in from the top
of the page, 4 1/2 x 1 1/8 in, through the window. The sender block sits in
the upper left (where a double-window envelope shows the return address).
"""

from __future__ import annotations

from dataclasses import dataclass

from reportlab.lib.pagesizes import A4, LETTER
from reportlab.lib.units import inch, mm

from ..errors import LetterError


@dataclass(frozen=True)
class Box:
    """A rectangle: lower-left corner (x, y), width and height, in points."""

    x: float
    y: float
    width: float
    height: float

    @property
    def top(self) -> float:
        return self.y + self.height

    @property
    def right(self) -> float:
        return self.x + self.width

    def contains(self, x: float, y: float, *, tolerance: float = 0.5) -> bool:
        return (self.x - tolerance <= x <= self.right + tolerance
                and self.y - tolerance <= y <= self.top + tolerance)


@dataclass(frozen=True)
class PageLayout:
    name: str
    page_width: float
    page_height: float
    sender: Box            # sender block (letterhead), first page
    sender_wide: Box       # the letterhead's whole width, for a sender too long for ``sender``
    return_line: Box | None  # small return-address line above the recipient (window), or None
    recipient: Box         # the part of the window the recipient's address goes in
    window: Box            # the envelope window itself (the recipient must stay inside)
    recipient_max_lines: int
    info: Box              # date and reference, first page
    first_body: Box        # body frame on the first page
    later_body: Box        # body frame on the following pages
    footer_y: float        # baseline of the lower footer line
    fold_marks: tuple[float, ...]   # y of fold and hole marks at the left edge
    seal_slot: tuple[float, float]  # width, height of the space kept free for a visible seal
    signature_box: tuple[float, float]  # width, height a signature image is scaled into


def _from_top(page_height: float, top: float, height: float) -> float:
    """The y of a box's lower edge, given its top measured from the top of the page."""
    return page_height - top - height


def din5008_b_a4() -> PageLayout:
    """A4 portrait, DIN 5008 form B (DL window envelope)."""
    w, h = A4
    left, right = 25 * mm, 20 * mm
    window = Box(20 * mm, _from_top(h, 45 * mm, 45 * mm), 85 * mm, 45 * mm)
    return PageLayout(
        name="A4 (DIN 5008 form B)",
        page_width=w, page_height=h,
        sender=Box(125 * mm, _from_top(h, 12 * mm, 30 * mm), w - 125 * mm - right, 30 * mm),
        # the letterhead zone above the address field (0-45 mm), at the text's width
        sender_wide=Box(left, _from_top(h, 8 * mm, 34 * mm), w - left - right, 34 * mm),
        # bottom line of the 17.7 mm "Zusatz- und Vermerkzone"
        return_line=Box(25 * mm, _from_top(h, 45 * mm + 12.7 * mm, 5 * mm), 75 * mm, 5 * mm),
        # the 27.3 mm "Anschriftzone", 5 mm inside the field on the left
        recipient=Box(25 * mm, _from_top(h, 62.7 * mm, 27.3 * mm), 75 * mm, 27.3 * mm),
        window=window,
        recipient_max_lines=6,
        info=Box(125 * mm, _from_top(h, 50 * mm, 40 * mm), w - 125 * mm - right, 40 * mm),
        first_body=Box(left, 25 * mm, w - left - right, h - 98 * mm - 25 * mm),
        later_body=Box(left, 25 * mm, w - left - right, h - 20 * mm - 25 * mm),
        footer_y=10 * mm,
        fold_marks=(h - 105 * mm, h - 148.5 * mm, h - 210 * mm),
        seal_slot=(62 * mm, 24 * mm),
        signature_box=(60 * mm, 20 * mm),
    )


def us_letter_no10() -> PageLayout:
    """US Letter portrait, #10 single-window envelope."""
    w, h = LETTER
    left = right = 0.875 * inch
    window = Box(0.875 * inch, _from_top(h, 2 * inch, 1.125 * inch), 4.5 * inch, 1.125 * inch)
    inset = 0.08 * inch  # keep the text clear of the window's edges when the letter shifts
    return PageLayout(
        name="US Letter (#10 window envelope)",
        page_width=w, page_height=h,
        sender=Box(left, _from_top(h, 0.5 * inch, 1.35 * inch), 3.5 * inch, 1.35 * inch),
        sender_wide=Box(left, _from_top(h, 0.4 * inch, 1.45 * inch), w - left - right, 1.45 * inch),
        return_line=None,
        recipient=Box(window.x + inset, window.y + inset, window.width - 2 * inset,
                      window.height - 2 * inset),
        window=window,
        recipient_max_lines=6,
        info=Box(5.6 * inch, _from_top(h, 2 * inch, 1.125 * inch), w - 5.6 * inch - right,
                 1.125 * inch),
        first_body=Box(left, 0.9 * inch, w - left - right, h - 3.5 * inch - 0.9 * inch),
        later_body=Box(left, 0.9 * inch, w - left - right, h - 0.8 * inch - 0.9 * inch),
        footer_y=0.4 * inch,
        fold_marks=(),   # US letters carry no fold marks
        seal_slot=(2.45 * inch, 0.95 * inch),
        signature_box=(60 * mm, 20 * mm),
    )


LAYOUTS = {"A4": din5008_b_a4, "LETTER": us_letter_no10}


def layout_for(page_size: str) -> PageLayout:
    try:
        return LAYOUTS[page_size]()
    except KeyError:
        raise LetterError(f"Unknown page size {page_size!r}: use A4 or LETTER.") from None
