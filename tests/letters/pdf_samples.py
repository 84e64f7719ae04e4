"""Sample letters for the PDF, seal and verify tests (not a test module)."""

from __future__ import annotations

import io
from dataclasses import replace
from datetime import date

from PIL import Image, ImageDraw

from bot.letters.model import Bullets, Heading, LetterDocument, Paragraph, Table

LONG_URL = ("https://www.flickr.com/photos/some_photographer_with_a_long_alias/"
            "52894411223/in/album-72177720301234567/with/an/extremely/long/path/segment")


def sample_letter(**changes) -> LetterDocument:
    """A realistic two-page BIPA letter with an exhibit table."""
    rows = tuple(
        (f"{5212345670 + i}", "Diversity in Faces (IBM, 2019)",
         f"https://www.flickr.com/photos/annexample/{5212345670 + i}/")
        for i in range(14))
    doc = LetterDocument(
        reference="RB-2025-0001-IBM",
        kind="bipa-notice",
        language="en",
        date=date(2025, 6, 2),
        due=date(2025, 7, 2),
        page_size="LETTER",
        sender=("Ann Example", "1200 W Example Ave Apt 3", "Chicago, IL 60601", "USA",
                "ann@example.org"),
        recipient=("International Business Machines Corporation", "Attn: Privacy Office",
                   "1 New Orchard Road", "Armonk, NY 10504", "USA"),
        subject="Notice under the Illinois Biometric Information Privacy Act (740 ILCS 14)",
        notices=("Not legal advice: this letter was prepared with rightsbot, a free tool.",),
        blocks=(
            Paragraph("Dear Privacy Office,"),
            Paragraph("I live in Illinois and have uploaded photographs to Flickr from Illinois. "
                      "Public reporting states that IBM's \"Diversity in Faces\" dataset (January "
                      "2019) contains photographs from Flickr together with measurements of the faces "
                      "in them. My photographs listed in the exhibit below appear in that dataset."),
            Heading("What I ask"),
            Bullets((
                "Tell me whether you hold scans of face geometry, landmarks or embeddings derived "
                "from my photographs (740 ILCS 14/10).",
                "Send me your written retention and destruction policy (740 ILCS 14/15(a)).",
                "Tell me whom you disclosed such data to (740 ILCS 14/15(d)).",
                f"The source page of one photograph is {LONG_URL}.",
            )),
            Paragraph("Please reply in writing by 2025-07-02. This letter states what public "
                      "reporting alleges; it does not claim that any court has found a violation."),
            Heading("Exhibit A: my photographs in the dataset"),
            Table(("Photo ID", "Dataset", "Flickr page"), rows),
            Paragraph("Thank you for your attention to this request."),
        ),
        closing="Sincerely,",
        signer="Ann Example",
    )
    return replace(doc, **changes) if changes else doc


def signature_png(*, alpha: bool = True, size: tuple[int, int] = (600, 200)) -> bytes:
    mode = "RGBA" if alpha else "RGB"
    image = Image.new(mode, size, (255, 255, 255, 0) if alpha else (255, 255, 255))
    draw = ImageDraw.Draw(image)
    draw.line([(20, 150), (120, 40), (200, 160), (320, 50), (560, 120)], fill=(10, 30, 120, 255)
              if alpha else (10, 30, 120), width=8)
    out = io.BytesIO()
    image.save(out, format="PNG")
    return out.getvalue()


def page_texts(pdf: bytes):
    """Each page's (content, artifacts) text, as verification reads them."""
    from pypdf import PdfReader

    from bot.letters.verify_text import read_pages
    return read_pages(PdfReader(io.BytesIO(pdf)))


def new_keys(folder, name: str = "Ann Example"):
    """A key pair made through `rightsbot keys new`; returns (key.pem, cert.pem)."""
    from bot.cli import main
    assert main(["keys", "new", "--name", name, "--out", str(folder)]) == 0
    return folder / "key.pem", folder / "cert.pem"
