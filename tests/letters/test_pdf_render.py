"""render_pdf: read back with pypdf — pages, sizes, fonts, text, footer hash, layout, determinism."""

from __future__ import annotations

import hashlib
import io
import re
import subprocess
import sys
from dataclasses import replace
from pathlib import Path

import pytest
from pypdf import PdfReader

from bot.errors import LetterError
from bot.letters.layout import din5008_b_a4, us_letter_no10
from bot.letters.model import Bullets, Heading, Paragraph, Table
from bot.letters.pdf import render_pdf
from bot.letters.verify_text import check_letter_text

from pdf_samples import LONG_URL, page_texts, sample_letter

HERE = Path(__file__).resolve().parent


@pytest.fixture(scope="module")
def letter_pdf() -> bytes:
    return render_pdf(sample_letter())


def reader(pdf: bytes) -> PdfReader:
    return PdfReader(io.BytesIO(pdf))


def long_table_letter(rows: int = 70, **changes):
    doc = sample_letter(**changes)
    table = Table(("Photo ID", "Dataset", "Source URL"),
                  tuple((str(5000 + i), "MegaFace", f"{LONG_URL}/{i}") for i in range(rows)))
    return replace(doc, blocks=doc.blocks + (Heading("Exhibit B"), table))


def test_two_pages_us_letter_and_a4_sizes(letter_pdf):
    pages = reader(letter_pdf).pages
    assert len(pages) == 2
    assert [round(float(v)) for v in pages[0].mediabox] == [0, 0, 612, 792]
    a4 = reader(render_pdf(sample_letter(page_size="A4"))).pages[0]
    assert [round(float(v)) for v in a4.mediabox] == [0, 0, 595, 842]


def test_every_font_is_embedded_truetype(letter_pdf):
    names = set()
    for page in reader(letter_pdf).pages:
        for font in page["/Resources"]["/Font"].values():
            font = font.get_object()
            assert "/FontFile2" in font["/FontDescriptor"], font["/BaseFont"]
            names.add(str(font["/BaseFont"]).split("+", 1)[1])
    assert names == {"DejaVuSans", "DejaVuSans-Bold", "DejaVuSans-Oblique"}


def test_page_x_of_y_and_footer_hash_on_every_page(letter_pdf):
    doc = sample_letter()
    digest = hashlib.sha256(doc.text().encode()).hexdigest()
    assert digest == doc.text_sha256()
    pages = page_texts(letter_pdf)
    for number, page in enumerate(pages, start=1):
        assert f"Page {number} of {len(pages)}" in page.artifacts
        assert digest in page.artifacts
        assert f"Reference: {doc.reference}" in page.artifacts
        assert digest not in page.content     # furniture stays out of the letter's text


def test_attached_text_is_the_canonical_text_and_printed_words_match(letter_pdf):
    attached = reader(letter_pdf).attachments["letter.txt"]
    assert attached == [sample_letter().text().encode("utf-8")]
    check = check_letter_text(letter_pdf)
    assert check.ok, check.problems
    assert check.reference == "RB-2025-0001-IBM"


def test_metadata_title_author_producer_and_letter_date(letter_pdf):
    meta = reader(letter_pdf).metadata
    assert meta["/Title"] == sample_letter().subject
    assert meta["/Author"] == "Ann Example"
    assert meta["/Producer"] == "rightsbot"
    assert meta["/CreationDate"].startswith("D:20250602")


def test_same_letter_gives_identical_bytes_also_in_another_process(letter_pdf):
    assert render_pdf(sample_letter()) == letter_pdf
    code = ("import sys, hashlib; sys.path.insert(0, sys.argv[1]);"
            "from pdf_samples import sample_letter; from bot.letters.pdf import render_pdf;"
            "print(hashlib.sha256(render_pdf(sample_letter())).hexdigest())")
    out = subprocess.run([sys.executable, "-c", code, str(HERE)], capture_output=True, text=True,
                         check=True, timeout=120)
    assert out.stdout.strip() == hashlib.sha256(letter_pdf).hexdigest()


def test_different_letters_get_different_document_ids(letter_pdf):
    other = render_pdf(sample_letter(reference="RB-2025-0002-IBM"))
    assert reader(other).trailer["/ID"][0] != reader(letter_pdf).trailer["/ID"][0]


def test_markup_and_template_syntax_print_literally():
    hostile = "<b>Ann</b> {{ x }} & Co <font size=40>big</font> &amp; {% if %}"
    doc = sample_letter(signer=hostile, subject=f"Re: {hostile}",
                        sender=(hostile, "1 Main St", "Chicago, IL 60601"))
    doc = replace(doc, blocks=(Paragraph(hostile), Bullets((hostile,)),
                               Table(("a", hostile), ((hostile, "x"),))))
    pdf = render_pdf(doc)
    content = " ".join("".join(p.content for p in page_texts(pdf)).split())  # undo line wrapping
    assert content.count(hostile) >= 5     # sender, subject, paragraph, bullet, signature
    assert "<b>" in content and "&amp;" in content
    assert check_letter_text(pdf).ok


def test_cyrillic_greek_and_latin_extended_names_are_printed_and_extracted():
    names = ("Анна Іваненко-Щербак", "Αθηνά Παπαδοπούλου", "Łukasz Wróblewski-Šťastný Ørsted")
    doc = sample_letter(signer=names[0], sender=names, closing=f"Με εκτίμηση, {names[2]}")
    pdf = render_pdf(doc)
    content = "".join(p.content for p in page_texts(pdf))
    for name in names:
        assert name in content
    assert check_letter_text(pdf).ok


def test_characters_the_font_lacks_are_refused_plainly():
    with pytest.raises(LetterError, match="cannot print these characters: 張"):
        render_pdf(sample_letter(signer="張偉"))


@pytest.mark.parametrize("changes, message", [
    ({"reference": "RB\n1"}, "reference"),
    ({"reference": "x" * 65}, "reference"),
    ({"subject": "bell\x07"}, "control characters"),
    ({"recipient": tuple(f"line {i}" for i in range(8))}, "at most 6"),
    ({"recipient": ("A" * 120,)}, "too long for the envelope window"),
    ({"recipient": ()}, "no recipient"),
    ({"signature": "scribble"}, "signature"),
])
def test_unprintable_letters_are_refused(changes, message):
    with pytest.raises(LetterError, match=message):
        render_pdf(sample_letter(**changes))


def text_positions(pdf: bytes, page_index: int = 0) -> dict[str, tuple[float, float]]:
    """Where each text fragment starts on the page (x, y in points)."""
    found: dict[str, tuple[float, float]] = {}

    def visit(text, cm, tm, _font, _size):
        x = tm[4] * cm[0] + tm[5] * cm[2] + cm[4]
        y = tm[4] * cm[1] + tm[5] * cm[3] + cm[5]
        if text.strip():
            found.setdefault(text.strip(), (x, y))

    reader(pdf).pages[page_index].extract_text(visitor_text=visit)
    return found


@pytest.mark.parametrize("page_size, layout", [("A4", din5008_b_a4()), ("LETTER", us_letter_no10())])
def test_recipient_address_sits_inside_the_envelope_window(page_size, layout):
    doc = sample_letter(page_size=page_size)
    doc = replace(doc, recipient=doc.recipient[:-1] + ("United States",))  # unlike the sender's
    positions = text_positions(render_pdf(doc))
    for line in doc.recipient:
        x, y = positions[line]
        assert layout.window.contains(x, y), (line, x, y, layout.window)
        assert layout.window.contains(x, y + 8)  # the cap height is inside too
    sender_x, sender_y = positions[doc.sender[0]]
    assert not layout.window.contains(sender_x, sender_y)


def test_a4_return_line_is_in_the_window_above_the_address():
    layout = din5008_b_a4()
    pdf = render_pdf(sample_letter(page_size="A4"))
    positions = text_positions(pdf)
    line = "Ann Example · 1200 W Example Ave Apt 3 · Chicago, IL 60601 · USA"
    x, y = positions[line]
    assert layout.window.contains(x, y)
    assert y > positions["International Business Machines Corporation"][1]
    assert "ann@example.org" not in line
    assert line in page_texts(pdf)[0].artifacts      # a duplicate of the sender: not content


def test_long_table_paginates_with_repeated_header_as_artifact():
    pdf = render_pdf(long_table_letter())
    pages = page_texts(pdf)
    assert len(pages) >= 4
    body = "".join(p.content for p in pages)
    assert body.count("Source URL") == 1        # the header's own row, once
    repeated = [p for p in pages[1:] if "Source URL" in p.artifacts]
    assert len(repeated) >= 2                   # continuation pages repeat it
    assert check_letter_text(pdf).ok


def test_long_urls_wrap_inside_paragraphs_and_table_cells():
    pdf = render_pdf(long_table_letter(rows=3))
    content = "".join(p.content for p in page_texts(pdf))
    assert LONG_URL not in content                 # it was broken across lines ...
    assert LONG_URL in re.sub(r"\s+", "", content)  # ... and nothing was lost
    layout = us_letter_no10()
    right_edge = layout.later_body.x + layout.later_body.width
    for page_index in range(len(reader(pdf).pages)):
        for text, (x, _) in text_positions(pdf, page_index).items():
            assert x < right_edge, text


def test_notices_stand_near_the_top_of_page_one_before_the_body():
    notice = "Address unverified: check before sending."
    doc = sample_letter(notices=("Not legal advice.", notice))
    positions = text_positions(render_pdf(doc))
    notice_y = positions[notice][1]
    assert notice_y > positions["Dear Privacy Office,"][1]        # above the letter's first line
    assert notice_y < positions[doc.subject][1]                   # right under the subject
    assert notice_y > us_letter_no10().page_height / 2            # in the upper half of page 1
