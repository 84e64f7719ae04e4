"""The sender's cover sheet: what the letters are, how to send them, what to check
and keep, and the risks. For the sender only, never for a company.

laws.md: "the letter is for the company; the notes are for the sender". So "not
legal advice", unverified or missing addresses, how to send, what to keep as
proof and the risks live here, once per delivery, as a PDF and as the same text
for the chat; none of it is printed in a letter.
"""

from __future__ import annotations

import hashlib
import io
from dataclasses import dataclass
from datetime import date
from typing import TYPE_CHECKING, Sequence

from reportlab.lib.units import mm
from reportlab.platypus import Paragraph, SimpleDocTemplate

from .fonts import letter_fonts
from .layout import layout_for
from .model import Block, Bullets, Heading, Paragraph as TextParagraph, Person
from .pdf import build_pdf, check_strings
from .pdf_blocks import block_flowables, letter_styles, markup, notices_flowable

if TYPE_CHECKING:  # pragma: no cover
    from .pipeline import ProducedLetter

TITLE = "Read this first: your letters, how to send them, and what to watch out for"
NOT_LEGAL_ADVICE = ("For you, not for sending. This is not legal advice: rightsbot is free software, "
                    "not a lawyer, and no lawyer has reviewed this sheet or your letters. For advice "
                    "about your situation, talk to a lawyer.")
COVER_KEYWORD = "rightsbot-cover-sheet"   # in the PDF's Keywords: `rightsbot verify` skips it
VANCE = ("In Vance v. Microsoft and Vance v. Amazon (W.D. Wash., October 2022) the courts ruled "
         "for the companies because the conduct did not happen \"primarily and substantially\" in "
         "Illinois. Where photos were uploaded from can therefore matter to a claim.")


@dataclass(frozen=True)
class CoverInput:
    person: Person
    letters: tuple["ProducedLetter", ...]
    notes: tuple[str, ...]          # outcome notes: companies left out, public bodies, ...
    choice: str                     # "preserve" when any company's letters ask to preserve
    chosen_by_person: bool          # False: the default (preserve because of pending litigation)
    cases: tuple[str, ...]          # pending court cases over those companies' use of the data
    private_action: bool            # a letter rests on a law the person can sue under
    datasets: tuple[str, ...]       # names of the matched datasets
    share_link: str
    on: date
    preserved: tuple[str, ...] = ()  # organisations whose letters ask to preserve the data
    photo_links: tuple[str, ...] = ()  # the matched photos' links (for the text to pass on)
    owner_notes: tuple[str, ...] = ()  # photos listed under another account than the one given
    other_cases: tuple[str, ...] = ()  # pending cases over companies whose letters ask to delete


@dataclass(frozen=True)
class CoverSheet:
    date: date
    title: str
    blocks: tuple[Block, ...]
    pass_on: str                    # the text to pass on to the people shown ("" if not needed)
    pdf: bytes
    name: str                       # the PDF's file name

    def text(self) -> str:
        lines = [self.title, "", NOT_LEGAL_ADVICE, ""]
        for block in self.blocks:
            if isinstance(block, Bullets):
                lines += [f"- {item}" for item in block.items] + [""]
            elif isinstance(block, (Heading, TextParagraph)):
                lines += [block.text, ""]
        return "\n".join(lines).rstrip("\n") + "\n"


MAX_PASS_ON_LINKS = 20


def pass_on_text(datasets: Sequence[str], share_link: str, links: Sequence[str] = ()) -> str:
    """What someone who is not shown can send to the people who are."""
    where = share_link or "rightsbot, free software you can find by that name"
    names = ", ".join(datasets) if datasets else "a dataset"
    shown = list(links[:MAX_PASS_ON_LINKS])
    photos = (" The photos: " + " ".join(shown) +
              (f" (and {len(links) - len(shown)} more)" if len(links) > len(shown) else "") + "."
              if shown else "")
    return (f"Photos I took or uploaded, in which you appear, were found in {names}: datasets "
            f"that were used to build or test face recognition, or that such datasets were built "
            f"from.{photos} Only the person shown can ask the companies involved about data about "
            f"their own face. You can check and write to them for free with {where}. It is not "
            "legal advice.")


def build_cover(data: CoverInput) -> CoverSheet:
    """The cover sheet for one delivery of letters (the PDF rendered here too)."""
    blocks: list[Block] = []
    letters = data.letters
    person = data.person

    blocks.append(TextParagraph(f"Prepared for {person.name} on {data.on.isoformat()}."))
    blocks.append(Heading("Your letters"))
    blocks.append(TextParagraph(_who_line(person)))
    items = []
    for letter in letters:
        files = [f"{letter.pdf_name} (the letter)", f"{letter.eml_name} (email draft)",
                 f"{letter.txt_name} (the text, for a web form)"]
        if letter.csv_name:
            files.append(f"{letter.csv_name} (the full list of photos: send it with the letter)")
        to = letter.entity + (f", care of {letter.care_of}" if letter.care_of else "")
        items.append(f"{letter.company_name}: {letter.kind_title}, to {to.rstrip('.')}. Reply requested by "
                     f"{letter.due.isoformat()}. Files: {'; '.join(files)}.")
    blocks.append(Bullets(tuple(items)))
    several = [name for name in dict.fromkeys(l.company_name for l in letters)
               if sum(1 for l in letters if l.company_name == name) > 1]
    order = ("Send each company its own letter, on its own." + (
        " Each letter covers one law and says everything that law needs."
        if person.shown != "not-me" else ""))
    if several:
        order += (f" {', '.join(several)} get{'s' if len(several) == 1 else ''} one letter per law: "
                  "send them together, in the order listed above.")
    blocks.append(TextParagraph(order))

    blocks.append(Heading("How to send them"))
    blocks.append(Bullets(tuple(dict.fromkeys(letter.how_to_send for letter in letters))))
    blocks.append(TextParagraph(_designated_methods(letters)))

    gaps = list(dict.fromkeys([*(g for letter in letters for g in letter.gaps), *data.owner_notes]))
    if gaps:
        blocks.append(Heading("Check before sending"))
        blocks.append(Bullets(tuple(gaps)))

    blocks.append(Heading("Keep as proof"))
    blocks.append(Bullets((
        "A copy of each letter exactly as you sent it: the PDF. Its footer carries a SHA-256 "
        "checksum of its text, so you can show later that it was not changed "
        "(`rightsbot verify` checks it).",
        "When and how you sent it: the postal receipt (registered or certified mail with a "
        "return receipt, if you can), the sent email in your mail program, or a screenshot or "
        "confirmation of the web form.",
        "Every reply, with the date it arrived, and a note of any phone call.",
    )))

    blocks += _risks(data)

    escalations = list(dict.fromkeys(f"{letter.kind_title}: {letter.escalation}" for letter in letters
                                     if letter.escalation))
    if escalations:
        blocks.append(Heading("If there is no answer, or a refusal"))
        blocks.append(Bullets(tuple(escalations)))

    notes = list(dict.fromkeys([*data.notes, *(n for letter in letters for n in letter.notes)]))
    if notes:
        blocks.append(Heading("Notes on your letters"))
        blocks.append(Bullets(tuple(notes)))

    pass_on = ""
    if person.shown == "not-me":
        pass_on = pass_on_text(data.datasets, data.share_link, data.photo_links)
        blocks.append(Heading("For the people in the photos"))
        blocks.append(TextParagraph("Your letters make no claim for the people shown: the law "
                                    "protects them, not the person who took or uploaded the "
                                    "photos. You can send them this text:"))
        blocks.append(TextParagraph(pass_on))

    digest = hashlib.sha256("\x1f".join([person.name, person.email, data.on.isoformat(),
                                         *(l.reference for l in letters)]).encode("utf-8"))
    name = f"cover-sheet-{data.on:%Y%m%d}-{digest.hexdigest()[:10]}.pdf"
    sheet = CoverSheet(data.on, TITLE, tuple(blocks), pass_on, b"", name)
    return CoverSheet(sheet.date, sheet.title, sheet.blocks, pass_on, render_cover_pdf(sheet, person), name)


def _who_line(person: Person) -> str:
    if person.shown == "child":
        child = f" ({person.child_name})" if person.child_name else ""
        return (f"You write as the parent or legal guardian of your child{child}, who appears in "
                "the photos; the letters say so. A company may ask you to show that you are the "
                "parent or guardian: give the least it needs.")
    if person.shown == "not-me":
        return ("You told me you took or uploaded the photos but are not in them, so your letters "
                "are plain requests about your photos, without claims about biometric data.")
    if person.shown_some:
        return ("You told me you appear in some of the photos, without saying which: the letters say "
                "so, list every matched photo and ask only about data about you. A company may ask "
                "which photos show you; marking them (in the chat, or shown_photos in a person file) "
                "makes the letters stronger.")
    if person.shown_photos:
        return ("You told me which photos you appear in; the letters say so and list only those "
                "photos.")
    return "You told me you appear in the photos; the letters say so."


def _designated_methods(letters: Sequence["ProducedLetter"]) -> str:
    kinds = {letter.kind for letter in letters}
    laws = []
    if "ccpa" in kinds:
        laws.append("the CCPA requires a business to offer designated methods for requests "
                    "(Cal. Civ. Code §1798.130(a))")
    if "colorado" in kinds:
        laws.append("Colorado lets a controller ask that requests come through the methods it "
                    "designates (C.R.S. §6-1-1306(1))")
    text = ("Use each company's own channel for privacy requests where its privacy notice names "
            "one: a letter sent another way may be delayed or refused.")
    if laws:
        text += " In particular, " + " and ".join(laws) + "."
    return text + (" The channel above is the one on file; check the company's current privacy "
                   "notice before sending.")


SWITCH = ("To ask for the other instead, change the destroy-or-preserve answer (in the chat, "
          "from the summary; in a person file, bipa_choice) and make the letters again.")


def _risks(data: CoverInput) -> list[Block]:
    person, letters = data.person, data.letters
    items: list[str] = []
    biometric = person.shown in ("me", "child")
    pending = (f"{' and '.join(data.cases)} {'is' if len(data.cases) == 1 else 'are'} pending"
               if data.cases else "")
    if biometric and data.private_action and data.preserved:
        why = (f"Because {pending}, preserving is the default. " if pending and not data.chosen_by_person
               else "")
        others = (" Your letters to every other organisation ask it to delete the data now; if you "
                  "might bring a claim against any of them too, deleting can remove evidence, so "
                  "talk to a lawyer first."
                  if len({l.company_name for l in letters}) > len(data.preserved) else "")
        items.append(f"Destroy or preserve: {why}Your letters to {', '.join(data.preserved)} ask "
                     "them to preserve the data until any claim is resolved, then destroy it, and to "
                     "pass that on to their vendors. This keeps evidence in case you, or a case you "
                     f"may be part of, need it.{others} {SWITCH}")
    elif biometric and data.private_action:
        warning = (f" Warning: {pending} over this data. Destroying it now can remove evidence for "
                   "that case and for any claim of yours." if pending else
                   " Destroying it can also remove evidence if you might bring a claim.")
        items.append("Destroy or preserve: your letters ask the companies to destroy the data now."
                     f"{warning} Talk to a lawyer before sending if you might take legal action. "
                     f"{SWITCH}")
    elif biometric:
        items.append("Your letters ask each organisation to delete the data now. The laws they rest "
                     "on are enforced by regulators and generally give no right to sue, so rightsbot "
                     "does not offer to ask for preservation instead. Deleting can still remove "
                     "evidence: if you are thinking about legal action, talk to a lawyer before "
                     "sending.")
    if person.shown == "not-me" and data.other_cases:
        items.append(f"{' and '.join(data.other_cases)} {'is' if len(data.other_cases) == 1 else 'are'} "
                     "pending over the data of a company you write to. The photos may be evidence "
                     "for the people shown: ask a lawyer before asking that company to delete them, "
                     "or ask it only to stop using them.")
    if biometric and data.other_cases:
        items.append(f"{' and '.join(data.other_cases)} {'is' if len(data.other_cases) == 1 else 'are'} "
                     "pending over the data of a company you write to, and your letter asks it to "
                     "delete the data. If you might have a claim, ask a lawyer whether to ask for "
                     "preservation instead.")
    if person.shown == "child":
        items.append("You write for a minor child as parent or legal guardian. If your child is now "
                     "an adult, they should send their own letters (or authorise you in writing). "
                     "The letters say where you live, not where your child lives: if your child "
                     "lives elsewhere, the law of that place may apply instead.")
    if any(letter.kind == "bipa-demand" for letter in letters):
        if person.residence == "US-IL":
            place = _upload_place(person)
            told = (f"You told me you uploaded the photos from {place}; your BIPA letters do not say "
                    "so. " if place else "")
            items.append(f"{told}Your Illinois (BIPA) letters state that you live in Illinois and do "
                         f"not say where the photos were uploaded from. {VANCE} Tell a lawyer, not "
                         "the company, where you uploaded from.")
        else:
            items.append("Your Illinois (BIPA) letters rest on the photos having been uploaded from "
                         f"Illinois, which they state. {VANCE}")
        items.append("BIPA claims must be brought within five years (Tims v. Black Horse "
                     "Carriers, 2023 IL 127801). Sending a letter does not stop that clock.")
    items.append("The letters give each company only what it needs: your name, your contact "
                 "details, where you live where the law depends on it, and the photos tied to "
                 "that company. If a company asks for more to verify you, give the least it needs; "
                 "do not send an identity document unless it explains why the law requires it.")
    items.append("The letters describe what public sources report about each company, as reports "
                 "and allegations, and ask questions: they do not say that anyone broke the law.")
    return [Heading("Risks and choices"), Bullets(tuple(items))]


def _upload_place(person: Person) -> str:
    """Where the person said they uploaded from, when it is known and not Illinois."""
    from .regions import parse_region
    place = parse_region(person.uploaded_from, "uploaded_from", allow_unknown=True)
    return place.label() if place.known and place.code != "US-IL" else ""


def render_cover_pdf(sheet: CoverSheet, person: Person) -> bytes:
    """The cover sheet as PDF bytes (deterministic: reportlab's invariant mode)."""
    check_strings([("title", sheet.title), *((type(b).__name__, t) for b in sheet.blocks
                                             for t in _texts(b))])
    layout = layout_for("LETTER" if person.residence.split("-")[0] in ("US", "CA", "MX", "PR")
                        else "A4")
    styles = letter_styles()
    out = io.BytesIO()
    body = layout.later_body
    doc = SimpleDocTemplate(out, pagesize=(layout.page_width, layout.page_height), invariant=1,
                            pageCompression=1, title=sheet.title, author="rightsbot",
                            subject="Cover sheet for the sender (not for sending)",
                            creator="rightsbot", producer="rightsbot", keywords=COVER_KEYWORD,
                            leftMargin=body.x, rightMargin=body.x, topMargin=20 * mm,
                            bottomMargin=body.y, initialFontName=letter_fonts().regular)
    width = body.width
    story = [Paragraph(markup(sheet.title), styles.subject),
             notices_flowable((NOT_LEGAL_ADVICE,), width, styles),
             *block_flowables(sheet.blocks, width, styles)]
    build_pdf(lambda: doc.build(story), "cover sheet")
    return out.getvalue()


def is_cover_sheet(data: bytes) -> bool:
    """Whether ``data`` is a rightsbot cover sheet (for the sender, not a letter)."""
    from pypdf import PdfReader
    from pypdf.errors import PyPdfError
    try:
        info = PdfReader(io.BytesIO(data)).metadata
    except (PyPdfError, ValueError, KeyError, TypeError, OSError):
        return False
    # a letter (it carries a reference) is never taken for a cover sheet, whatever its keywords
    return bool(info) and info.get("/Keywords") == COVER_KEYWORD and "/RightsbotReference" not in info


def _texts(block: Block) -> list[str]:
    if isinstance(block, Bullets):
        return list(block.items)
    if isinstance(block, (Heading, TextParagraph)):
        return [block.text]
    return []
