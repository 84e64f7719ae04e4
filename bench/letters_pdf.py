"""Letter PDFs and seals: the rightsbot pipeline against bare reportlab and bare pyHanko.

    python -m bench.letters_pdf [RUNS]

One realistic two-page BIPA letter (the bundled templates, an 8-photo exhibit)
is timed, median of RUNS runs after a warm-up, side by side in one process:

- compose (templates -> LetterDocument) + render_pdf, and render_pdf alone,
  against the same blocks laid out with bare reportlab platypus (the same
  DejaVu fonts; and with Helvetica, which embeds no font);
- Sealer.seal (invisible and visible) against bare pyHanko signing of the same
  PDF (SimpleSigner + PdfSigner, PAdES, invisible and with pyHanko's own text
  stamp), keys loaded once in both (visible: with the stamp drawn afresh, and
  cached as for the further letters of a batch); seal_pdf (loading the key files each call)
  for reference; verify_pdf for information.
"""

from __future__ import annotations

import io
import statistics
import sys
import tempfile
import time
from datetime import date
from pathlib import Path
from typing import Callable

from reportlab.lib.pagesizes import LETTER
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import inch
from reportlab.platypus import Paragraph, SimpleDocTemplate, Spacer, Table

from bot.letters.compose import LetterInput, compose_letter
from bot.letters.fonts import letter_fonts
from bot.letters.keys import new_key_files
from bot.letters.model import Bullets, Heading, LetterDocument, Paragraph as TextParagraph, Person
from bot.letters.model import Table as TextTable
from bot.letters.pdf import render_pdf
from bot.letters.rules import load_rules
from bot.letters.seal import Sealer, seal_pdf
from bot.letters.seal_stamp import render_stamp
from bot.letters.templates import LetterTemplates
from bot.letters.verify import verify_pdf
from bot.companies import load_directory
from bot.registry import load_registry


class _Match:
    """Shaped like bot.check.Match for the parts the letters use."""

    def __init__(self, photo_id: str):
        self.dataset, self.match, self.photo_id = "pipa", "flickr-photo", photo_id
        self.owner, self.url, self.distance, self.query = "12345678@N00", None, None, photo_id


def letter_input() -> LetterInput:
    person = Person(name="Ann Example", address=("1200 W Example Ave Apt 3", "Chicago, IL 60601"),
                    email="ann@example.org", residence="US-IL", uploaded_from="US-IL",
                    residence_dates="since 2009", upload_dates="2010 to 2014", shown="me")
    company = load_directory().get("meta")
    registry = load_registry()
    involvements = tuple(i for i in registry.involvements(["pipa"]) if i.company == company.slug)
    matches = tuple(_Match(str(1808093328 + 7919 * i)) for i in range(8))
    return LetterInput(kind="bipa-demand", person=person, company=company,
                       contact=company.contact_for("US"), involvements=involvements,
                       datasets=(registry.get("pipa"),), matches=matches, on=date(2026, 11, 26))


def bare_reportlab(doc: LetterDocument, font: str, bold: str) -> bytes:
    """The same text with plain platypus: no layout standard, checks, artifacts or attachment."""
    out = io.BytesIO()
    body = ParagraphStyle("b", fontName=font, fontSize=10, leading=13.5, spaceAfter=6)
    strong = ParagraphStyle("h", parent=body, fontName=bold)
    cell = ParagraphStyle("c", parent=body, fontSize=8.5, leading=10.5, spaceAfter=0)
    story = [Paragraph("<br/>".join(doc.sender), body), Paragraph(doc.date.isoformat(), body),
             Paragraph("<br/>".join(doc.recipient), body), Paragraph(doc.reference, body),
             Paragraph(doc.subject, strong)]
    story += [Paragraph(n, strong) for n in doc.notices]
    for block in doc.blocks:
        if isinstance(block, Heading):
            story.append(Paragraph(block.text, strong))
        elif isinstance(block, TextParagraph):
            story.append(Paragraph(block.text, body))
        elif isinstance(block, Bullets):
            story += [Paragraph(item, body, bulletText="-") for item in block.items]
        elif isinstance(block, TextTable):
            rows = [[Paragraph(c, cell) for c in block.headers]]
            rows += [[Paragraph(c, cell) for c in row] for row in block.rows]
            story.append(Table(rows, repeatRows=1))
    story += [Spacer(1, 12), Paragraph(doc.closing, body), Paragraph(f"/s/ {doc.signer}", body)]
    SimpleDocTemplate(out, pagesize=LETTER, leftMargin=inch, rightMargin=inch).build(story)
    return out.getvalue()


def cover_sheet(request: LetterInput, doc: LetterDocument) -> bytes:
    """The sender's cover sheet for a delivery of this one letter (built and rendered)."""
    from bot.letters.cover import CoverInput, build_cover
    from bot.letters.pipeline import ProducedLetter
    letter = ProducedLetter(
        company="meta", company_name="Meta (Facebook)", kind=doc.kind, kind_title=doc.subject,
        reference=doc.reference, date=doc.date, due=doc.due, statutory_deadline=False,
        acknowledge_by=None, extended_until=None, escalation="", how_to_send="Meta: use the web form.",
        notes=(), document=doc, text="", sha256="", pdf=b"", eml=b"", csv=None, sealed=False,
        entity="Meta Platforms, Inc.", jurisdiction="US", photos=8)
    return build_cover(CoverInput(person=request.person, letters=(letter,), notes=(), choice="destroy",
                                  chosen_by_person=True, cases=(), private_action=True,
                                  datasets=("People In Photo Albums (PIPA)",), share_link="",
                                  on=doc.date)).pdf


def bare_pyhanko_signer(key: Path, cert: Path):
    from pyhanko.sign import signers
    return signers.SimpleSigner.load(str(key), str(cert))


def bare_pyhanko(pdf: bytes, signer, visible: bool) -> bytes:
    from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
    from pyhanko.sign import fields, signers
    writer = IncrementalPdfFileWriter(io.BytesIO(pdf))
    spec = fields.SigFieldSpec("Sig", on_page=-1, box=(360, 230, 540, 300)) if visible else None
    meta = signers.PdfSignatureMetadata(field_name="Sig", md_algorithm="sha256",
                                        subfilter=fields.SigSeedSubFilter.PADES)
    return signers.PdfSigner(meta, signer, new_field_spec=spec).sign_pdf(writer).getvalue()


def median_ms(fn: Callable[[], object], runs: int, warmup: int = 5) -> float:
    for _ in range(warmup):
        fn()
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return statistics.median(times) * 1000


def main(argv: list[str]) -> int:
    runs = int(argv[0]) if argv else 100
    rules, templates = load_rules(), LetterTemplates("en")
    request = letter_input()
    compose = lambda: compose_letter(request, rules=rules, templates=templates,  # noqa: E731
                                     deadline_days=30).document
    doc = compose()
    fonts = letter_fonts()
    pdf = render_pdf(doc)
    from pypdf import PdfReader
    pages = len(PdfReader(io.BytesIO(pdf)).pages)
    print(f"letter: {doc.kind}, {pages} pages, {len(doc.text())} characters, {len(pdf)} bytes; "
          f"median of {runs} runs")

    rows: list[tuple[str, float]] = []
    rows.append(("compose + render_pdf (pipeline)", median_ms(lambda: render_pdf(compose()), runs)))
    rows.append(("render_pdf alone", median_ms(lambda: render_pdf(doc), runs)))
    rows.append(("compose alone", median_ms(compose, runs)))
    rows.append(("bare reportlab, same DejaVu fonts",
                 median_ms(lambda: bare_reportlab(doc, fonts.regular, fonts.bold), runs)))
    rows.append(("bare reportlab, Helvetica (no embedding)",
                 median_ms(lambda: bare_reportlab(doc, "Helvetica", "Helvetica-Bold"), runs)))
    rows.append(("cover sheet (once per delivery)", median_ms(lambda: cover_sheet(request, doc), runs)))

    with tempfile.TemporaryDirectory() as folder:
        files = new_key_files("Ann Example", Path(folder) / "keys")
        sealer = Sealer.from_files(files.key, files.cert)
        bare_signer = bare_pyhanko_signer(files.key, files.cert)
        sealed = sealer.seal(pdf)
        rows.append(("Sealer.seal, invisible", median_ms(lambda: sealer.seal(pdf), runs)))
        rows.append(("bare pyHanko, invisible", median_ms(lambda: bare_pyhanko(pdf, bare_signer, False), runs)))
        def visible_first() -> bytes:
            render_stamp.cache_clear()
            return sealer.seal(pdf, visible=True)
        rows.append(("Sealer.seal, visible stamp", median_ms(visible_first, runs)))
        rows.append(("Sealer.seal, visible, stamp cached (batch)",
                     median_ms(lambda: sealer.seal(pdf, visible=True), runs)))
        rows.append(("bare pyHanko, visible text stamp",
                     median_ms(lambda: bare_pyhanko(pdf, bare_signer, True), runs)))
        rows.append(("seal_pdf from key files, invisible",
                     median_ms(lambda: seal_pdf(pdf, files.key, files.cert), runs)))
        rows.append(("verify_pdf, sealed letter, with --trust",
                     median_ms(lambda: verify_pdf(sealed, [files.cert]), max(10, runs // 4))))

    width = max(len(name) for name, _ in rows)
    for name, ms in rows:
        print(f"  {name:<{width}}  {ms:8.2f} ms")
    values = dict(rows)
    print(f"pipeline / bare reportlab (DejaVu): "
          f"{values['compose + render_pdf (pipeline)'] / values['bare reportlab, same DejaVu fonts']:.2f}x")
    print(f"render_pdf / bare reportlab (DejaVu): "
          f"{values['render_pdf alone'] / values['bare reportlab, same DejaVu fonts']:.2f}x")
    print(f"seal invisible / bare pyHanko: "
          f"{values['Sealer.seal, invisible'] / values['bare pyHanko, invisible']:.2f}x; visible: "
          f"{values['Sealer.seal, visible stamp'] / values['bare pyHanko, visible text stamp']:.2f}x")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
