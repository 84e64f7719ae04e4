"""Per-company bundles: the organisation's cover letter, then each member's letters and
authorization, merged into one PDF (pikepdf, that is qpdf) and sealed once with the organisation's key.

A bundle holds at most :data:`BUNDLE_MEMBERS` members (about 110 kB of PDF each, so
a part is about 5.5 MB, an email attachment most mail servers take): a PDF must stay under
the seal's size cap (``bot.letters.seal.MAX_PDF_BYTES``, 50 MB), and merging holds a
whole part in memory (docs/performance.md has the peaks). A
larger campaign hands a company several parts ("part 2 of 40"), each sealed, each cover
listing its own members. Deterministic: the merged PDF's
/ID is derived from its contents (qpdf's deterministic ID), and the seal's signing time is the run's (see bot.campaigns.run).
"""

from __future__ import annotations

import base64
import datetime as dt
import hashlib
import io
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Any, Sequence

import pikepdf

from ..errors import LetterError
from ..files import safe_filename
from ..letters.verify import BUNDLE_KEYWORD
from ..letters.model import Bullets, Heading, Paragraph, Table
from .pages import SimpleDocument, render_document

if TYPE_CHECKING:  # pragma: no cover
    from ..letters.seal import Sealer
    from .definition import Campaign

BUNDLE_MEMBERS = 50
KEYWORD = BUNDLE_KEYWORD
BUNDLES = "bundles"


@dataclass(frozen=True)
class BundleEntry:
    member_id: str
    name: str
    folder: Path                     # the member's folder
    letters: tuple[dict, ...]        # this company's letters of the member (records)
    authorization: dict              # {"reference", "file", "kind", ...}


@dataclass(frozen=True)
class BundlePlan:
    company: str
    company_name: str
    part: int                        # 1-based
    parts: int
    entries: tuple[BundleEntry, ...]

    @property
    def file(self) -> str:
        """Relative path of the bundle in the run folder."""
        tail = "" if self.parts == 1 else f"-part-{self.part:03d}-of-{self.parts:03d}"
        return f"{BUNDLES}/{safe_filename(self.company + tail)}.pdf"

    def letter_count(self) -> int:
        return sum(len(e.letters) for e in self.entries)


def bundle_reference(campaign: "Campaign", company: str, part: int, on: date) -> str:
    """CB-YYYYMMDD-<16 base32>: one per campaign, company, part and run date."""
    key = "\x1f".join([campaign.slug, company, str(part), on.isoformat()])
    digest = hashlib.sha256(key.encode("utf-8")).digest()
    return f"CB-{on:%Y%m%d}-{base64.b32encode(digest[:10]).decode('ascii')}"


def plan_bundles(records: Sequence[tuple[Path, dict[str, Any]]],
                 size: int = BUNDLE_MEMBERS) -> list[BundlePlan]:
    """Every company's bundle parts, members in member-id order."""
    by_company: dict[str, list[BundleEntry]] = {}
    names: dict[str, str] = {}
    for folder, record in sorted(records, key=lambda r: r[1]["member_id"]):
        auth = record.get("authorization")
        if not auth:
            continue
        mine: dict[str, list[dict]] = {}
        for letter in record.get("letters", []):
            if letter["route"] != "direct":
                mine.setdefault(letter["company"], []).append(letter)
                names[letter["company"]] = letter["company_name"]
        for company, letters in mine.items():
            by_company.setdefault(company, []).append(BundleEntry(
                record["member_id"], record["name"], folder, tuple(letters), auth))
    plans = []
    for company in sorted(by_company):
        entries = by_company[company]
        chunks = [entries[i:i + size] for i in range(0, len(entries), size)]
        for n, chunk in enumerate(chunks, start=1):
            plans.append(BundlePlan(company, names[company], n, len(chunks), tuple(chunk)))
    return plans


def render_cover(campaign: "Campaign", plan: BundlePlan, on: date) -> bytes:
    """The organisation's cover letter: what the bundle is, and every member in it."""
    org = campaign.organisation
    reference = bundle_reference(campaign, plan.company, plan.part, on)
    part = f" This is part {plan.part} of {plan.parts}." if plan.parts > 1 else ""
    rows = tuple((e.name, e.member_id, ", ".join(f"{l['reference']} ({l['kind']})" for l in e.letters),
                  e.authorization["reference"]) for e in plan.entries)
    blocks = (
        Paragraph("From: " + "; ".join([org.name, *org.address, org.email])),
        Paragraph(f"To: {plan.company_name}"),
        Paragraph(f"Date: {on.isoformat()}   Bundle reference: {reference}"),
        Paragraph(f"{org.name} sends you the enclosed {plan.letter_count()} letters of the "
                  f"{len(plan.entries)} people listed below, who have authorized it in writing to "
                  f"act as their agent for these requests.{part} Each person's letters are followed "
                  "by their authorization, or by the organisation's record of the signed "
                  "authorization it holds (a copy on request)."),
        Paragraph("Please answer each letter on its own, within the period it states, quoting its "
                  f"reference, to {org.email}. Each letter is the person's own request; where a "
                  "law lets you ask the person to confirm the authorization, you may do so."),
        Paragraph(f"This bundle is sealed once with {org.name}'s electronic seal; the letters "
                  "inside are not sealed one by one."),
        Heading("People included"),
        Table(("Name", "Member", "Letters (reference, kind)", "Authorization"), rows),
        Bullets((f"Letters: {plan.letter_count()}", f"People: {len(plan.entries)}"),),
    )
    return render_document(SimpleDocument(
        title=f"Requests sent as authorized agent by {org.name}", blocks=blocks,
        page_size="A4", author=org.name, subject=f"Bundle {reference}", keywords=KEYWORD,
        signer=org.signatory or org.name, signed_on=on))


def merge_bundle(campaign: "Campaign", plan: BundlePlan, on: date) -> bytes:
    """Cover letter, then per member their letters to this company and their authorization,
    with a bookmark for each. Merged with pikepdf (qpdf): the pages are copied as they are,
    without parsing them in Python (about ten times faster than pypdf for a 50-member part)."""
    parts = [(render_cover(campaign, plan, on), "Cover letter")]
    for entry in plan.entries:
        for letter in entry.letters:
            parts.append((_read(entry.folder / letter["file"], letter.get("sha256")),
                          f"{entry.name}: {letter['reference']}"))
        auth = entry.authorization
        parts.append((_read(entry.folder / auth["file"], auth.get("sha256")),
                      f"{entry.name}: authorization {auth['reference']}"))
    sources: list[pikepdf.Pdf] = []
    try:
        with pikepdf.new() as merged:
            marks = []
            for data, title in parts:
                source = pikepdf.open(io.BytesIO(data))
                sources.append(source)
                marks.append((title, len(merged.pages)))
                merged.pages.extend(source.pages)
            with merged.open_outline() as outline:
                outline.root.extend(pikepdf.OutlineItem(title, page) for title, page in marks)
            info = {
                "/Title": f"Requests sent as authorized agent by {campaign.organisation.name}",
                "/Author": campaign.organisation.name, "/Creator": "rightsbot",
                "/Producer": "rightsbot",
                "/Subject": f"Bundle {bundle_reference(campaign, plan.company, plan.part, on)}",
                "/Keywords": KEYWORD, "/CreationDate": f"D:{on:%Y%m%d}000000Z"}
            for key, value in info.items():
                merged.docinfo[key] = value
            out = io.BytesIO()
            # deterministic_id: the file identifier is derived from the contents, so two runs
            # give the same bytes (the seal keeps it)
            merged.save(out, deterministic_id=True, compress_streams=False)   # already compressed
            return out.getvalue()
    except pikepdf.PdfError as exc:
        raise LetterError(f"a letter of bundle {plan.file} cannot be merged ({type(exc).__name__}); "
                          "remove that member's folder and run again") from None
    finally:
        for source in sources:
            source.close()


def _read(path: Path, sha256: str | None) -> bytes:
    data = path.read_bytes()
    if sha256 and hashlib.sha256(data).hexdigest() != sha256:
        raise LetterError(f"{path.parent.name}/{path.name} changed since it was made; "
                          "remove that member's folder and run again")
    return data


def build_bundle(campaign: "Campaign", plan: BundlePlan, on: date, signing_time: dt.datetime,
                 sealer: "Sealer") -> bytes:
    """The sealed bundle's bytes."""
    return sealer.seal(merge_bundle(campaign, plan, on), signing_time=signing_time)
