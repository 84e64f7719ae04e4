"""The data shared by the letter rules, templates and the PDF renderer.

A :class:`LetterDocument` is a letter with every decision already taken: who
sends it to whom, its reference, dates and blocks of plain text. Renderers turn
it into bytes (PDF) or text (email) without deciding anything themselves.
All strings are plain text; renderers escape them for their own markup.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from datetime import date
from typing import Literal, Union

PageSize = Literal["A4", "LETTER"]
BipaChoice = Literal["destroy", "preserve", ""]
Shown = Literal["me", "child", "not-me", ""]
SHOWN = ("me", "child", "not-me")


@dataclass(frozen=True)
class Agent:
    """An authorized agent who sends the letters on the person's behalf (campaigns):
    11 CCR §7063 (CCPA), C.R.S. §6-1-1306(1)(a)(II) (Colorado), or simply a
    representative the person authorized in writing. The letter stays in the
    person's voice; the agent transmits it and encloses the authorization."""

    name: str                       # the agent (organisation or person)
    address: tuple[str, ...]
    email: str
    authorization: str              # reference of the person's signed authorization
    signatory: str = ""             # who signs for an organisation


@dataclass(frozen=True)
class Person:
    """The sender of a letter, as given in a person file or in the chat."""

    name: str
    address: tuple[str, ...]
    email: str
    residence: str          # ISO 3166-2 subdivision ("US-IL") or country ("DE")
    uploaded_from: str      # same form as residence
    signature: Union[Literal["typed"], bytes] = "typed"   # or PNG/JPEG bytes of a signature
    # destroy now, or preserve until any claim is resolved; "" = the default, which
    # is "preserve" where a recipient is in pending litigation over the data. It
    # governs every letter of a delivery, whatever the law.
    bipa_choice: BipaChoice = ""
    companies: tuple[str, ...] = ()                       # limit recipients; empty = the default ones
    residence_dates: str = ""     # free text, e.g. "since 2009" (letters state it as given)
    upload_dates: str = ""        # free text, e.g. "2010 to 2014"
    kinds: tuple[str, ...] = ()   # limit letter kinds; empty = every kind that applies
    flickr_accounts: tuple[str, ...] = ()  # the person's Flickr NSIDs or aliases, as named
    # Who appears in the photos: the person ("me"), their child ("child": the person
    # writes as parent or guardian), or nobody they speak for ("not-me": they only
    # took or uploaded them, and get a plain request, no biometric claim). "" = not
    # said yet: letters that claim biometric rights need it.
    shown: Shown = ""
    shown_photos: tuple[str, ...] = ()   # the photos (IDs or links) the person appears in; empty = all
    shown_some: bool = False             # appears in some of the photos, without saying which
    child_name: str = ""                 # for shown == "child"; empty: "my child"
    verification: bool = True            # offer proof of control of the Flickr account(s)
    agent: Agent | None = None


@dataclass(frozen=True)
class Heading:
    text: str


@dataclass(frozen=True)
class Paragraph:
    text: str


@dataclass(frozen=True)
class Bullets:
    items: tuple[str, ...]


@dataclass(frozen=True)
class Table:
    headers: tuple[str, ...]
    rows: tuple[tuple[str, ...], ...]


Block = Union[Heading, Paragraph, Bullets, Table]


@dataclass(frozen=True)
class Enclosure:
    """A copy of an earlier letter, printed after the signature on a new page."""
    title: str      # e.g. "my letter of 30 November 2026 to IBM (reference RB-...)"
    text: str       # that letter's canonical text (its own footer hash covers it)


@dataclass(frozen=True)
class LetterDocument:
    reference: str
    kind: str
    language: str
    date: date
    due: date
    page_size: PageSize
    sender: tuple[str, ...]
    recipient: tuple[str, ...]
    subject: str
    blocks: tuple[Block, ...]
    closing: str
    signer: str
    signature: Union[Literal["typed"], bytes] = "typed"
    notices: tuple[str, ...] = field(default=())
    enclosures: tuple[Enclosure, ...] = field(default=())

    def text(self) -> str:
        """The canonical plain text of the letter (what the footer's SHA-256 covers)."""
        lines: list[str] = [*self.sender, "", self.date.isoformat(), "", *self.recipient, "",
                            f"Reference: {self.reference}", "", self.subject, ""]
        for notice in self.notices:
            lines += [notice, ""]
        for block in self.blocks:
            if isinstance(block, Heading):
                lines += [block.text, ""]
            elif isinstance(block, Paragraph):
                lines += [block.text, ""]
            elif isinstance(block, Bullets):
                lines += [f"- {item}" for item in block.items] + [""]
            elif isinstance(block, Table):
                lines.append(" | ".join(block.headers))
                lines += [" | ".join(row) for row in block.rows]
                lines.append("")
        lines += [self.closing, "", f"/s/ {self.signer}", self.date.isoformat(), ""]
        for number, enclosure in enumerate(self.enclosures, start=1):
            lines += [f"Enclosure {number}: {enclosure.title}", "", enclosure.text, ""]
        return "\n".join(lines)

    def text_sha256(self) -> str:
        return hashlib.sha256(self.text().encode("utf-8")).hexdigest()
