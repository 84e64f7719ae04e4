"""The next letter after a company does not answer, answers in part or refuses: a follow-up
to the company, or a complaint to the body that enforces the first letter's law. Made with
the same templates, PDF renderer and seal as the first letters.

Which body: the GDPR letter's supervisory authority where the sender lives (Article 77),
the ICO for the UK GDPR, the Privacy Commissioner for PIPEDA, the FDPIC for the FADP, the
California Privacy Protection Agency for the CCPA, and the Attorney General for Texas
(CUBI), Washington, Colorado and the other state acts; the addresses are the ones the
first letters' escalation notes give (bot/data/letter_rules.toml, authorities.toml).
BIPA has no enforcing body: its next letter is a second demand to the company, and the
sender's note says that a lawyer can tell them when the five-year limitation runs.
"""

from __future__ import annotations

import base64
import dataclasses
import hashlib
import textwrap
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any, Mapping

from ..errors import InputError
from ..files import safe_filename
from ..letters.authorities import load_authorities
from ..letters.compose import fit_address
from ..letters.email import Attachment, build_eml
from ..letters.layout import layout_for
from ..letters.model import Enclosure, LetterDocument
from ..letters.pdf import render_pdf
from ..letters.rules import LetterRules
from ..letters.templates import LetterTemplates, long_date
from ..regions import region_name
from .lifecycle import view

FOLLOWUP_REPLY_DAYS = 14
RECIPIENT_CHARS = 38      # characters of a wrapped authority name in the address window
KINDS = ("followup", "complaint", "id-reply")


@dataclass(frozen=True)
class Body:
    """Who takes a complaint: ``name`` with its article, its web address, and the legal
    basis of a complaint where the law names one."""
    name: str
    web: str | None
    article: str = ""


US_BODIES = {
    "ccpa": Body("the California Privacy Protection Agency", "https://cppa.ca.gov"),
    "cubi": Body("the Office of the Attorney General of Texas", "https://www.texasattorneygeneral.gov"),
    "wa-biometric": Body("the Washington State Office of the Attorney General", "https://www.atg.wa.gov"),
    "colorado": Body("the Colorado Department of Law (the Attorney General)", "https://coag.gov"),
}


def complaint_body(letter: Mapping[str, Any], rules: LetterRules) -> Body | None:
    """The body to complain to about ``letter``'s company, or None (BIPA, general requests)."""
    kind = rules.canonical(letter.get("kind", "")) if rules.known(letter.get("kind", "")) else ""
    residence = (letter.get("residence") or "").upper()
    authorities = load_authorities()
    if kind == "gdpr":
        found = authorities.for_country(residence) if residence else None
        if found is None:
            return None
        article = "Article 77 UK GDPR" if residence == "GB" else "Article 77 GDPR"
        return Body(found.name, found.web, article)
    if kind in ("pipeda", "fadp"):
        found = authorities.for_country("CA" if kind == "pipeda" else "CH")
        return Body(found.name, found.web) if found else None
    if kind in US_BODIES:
        return US_BODIES[kind]
    if kind == "us-state-privacy" and residence.startswith("US-"):
        state = region_name(residence).split(",")[0]
        return Body(f"the Attorney General of {state}", None)
    return None


def next_steps(letter: Mapping[str, Any], today: date, rules: LetterRules) -> tuple[str, ...]:
    """The next letters that apply today: after a request for identification, the reply
    that offers the least that verifies; after a refusal the complaint first; when the
    reply is overdue or partial, the follow-up first."""
    state = view(letter, today)
    body = complaint_body(letter, rules) is not None
    if state.status == "asked-id":
        return ("id-reply",)
    if state.status == "refused":
        return ("complaint", "followup") if body else ("followup",)
    if state.overdue or state.status == "partly":
        return ("followup", "complaint") if body else ("followup",)
    return ()


@dataclass(frozen=True)
class NextLetter:
    kind: str                # "followup" | "complaint"
    recipient: str           # who it goes to, for the person
    how: str                 # how to send it, for the person
    note: str                # anything else the person should know (not legal advice)
    document: LetterDocument
    pdf: bytes
    eml: bytes
    due: date

    @property
    def stem(self) -> str:
        return safe_filename(f"{self.kind}-{self.document.reference}")

    @property
    def own_text(self) -> str:
        """The letter's text without the copies it encloses (kept to enclose later)."""
        return dataclasses.replace(self.document, enclosures=()).text()

    def files(self) -> list[tuple[str, bytes]]:
        return [(f"{self.stem}.pdf", self.pdf), (f"{self.stem}.eml", self.eml),
                (f"{self.stem}.txt", self.document.text().encode("utf-8"))]


class NextLetterMaker:
    """Renders follow-ups and complaints; ``seal`` as the letters are sealed (or None)."""

    def __init__(self, rules: LetterRules, templates: LetterTemplates, seal: Any = None) -> None:
        self.rules, self.templates, self.seal = rules, templates, seal

    def make(self, kind: str, letter: Mapping[str, Any], sender: Mapping[str, Any],
             today: date) -> NextLetter:
        if kind not in KINDS:
            raise InputError(f"unknown next letter {kind!r}; use one of: {', '.join(KINDS)}")
        if not sender or not sender.get("name") or not sender.get("email"):
            raise InputError("the sender's name and email are not stored with this letter; "
                             "make the letters again to follow them up")
        body = complaint_body(letter, self.rules) if kind == "complaint" else None
        if kind == "complaint" and body is None:
            raise InputError("no public body takes complaints under this letter's law; "
                             "the next step is a follow-up letter")
        due = today + timedelta(days=FOLLOWUP_REPLY_DAYS)
        reference = _reference(letter["reference"], kind, today)
        rule = self.rules.get(self.rules.canonical(letter["kind"]))
        enclosures = _enclosures(letter, kind)
        context = {
            "enclosed": [e.title for e in enclosures],
            "person": {"name": sender["name"], "email": sender["email"]},
            "original": _original(letter, rule.law, today),
            "timeline": _timeline(letter, kind),
            "body": {"name": body.name, "web": body.web or "", "article": body.article}
            if body else {"name": "", "web": "", "article": ""},
            "letter": {"reference": reference, "due": long_date(due)},
        }
        rendered = self.templates.render(kind, context, None)
        residence = (letter.get("residence") or "").split("-")[0]
        page = "LETTER" if residence in ("US", "CA") else "A4"
        if body:       # a long official name is wrapped to fit the envelope window
            name = body.name[4:] if body.name.startswith("the ") else body.name
            recipient = fit_address([*textwrap.wrap(name, RECIPIENT_CHARS),
                                     *([body.web] if body.web else [])],
                                    layout_for(page).recipient_max_lines)
        else:
            recipient = tuple(letter.get("recipient") or (letter["company_name"],))
        document = LetterDocument(
            reference=reference, kind=kind, language=self.templates.language, date=today,
            due=due, page_size=page,
            sender=(sender["name"], *sender.get("address", ()), sender["email"]),
            recipient=recipient, subject=rendered.subject, blocks=rendered.blocks,
            closing=rendered.closing, signer=sender["name"], notices=rendered.notices,
            enclosures=enclosures)
        pdf = render_pdf(document)
        if self.seal is not None:
            from ..letters.seal import seal_pdf
            pdf = seal_pdf(pdf, self.seal.key, self.seal.cert, visible=self.seal.visible,
                           password=self.seal.password)
        stem = safe_filename(f"{kind}-{reference}")
        eml = build_eml(document, sender_name=sender["name"], sender_email=sender["email"],
                        recipient_email=None,
                        attachments=(Attachment(f"{stem}.pdf", pdf, "application", "pdf"),))
        if body:
            who = body.name[0].upper() + body.name[1:]
            attach = ("this letter (it ends with a copy of your earlier letters) and any reply"
                      if enclosures else "this letter, your first letter and any reply")
            how = (f"{who} takes complaints through its web site ({body.web}); attach "
                   f"{attach}." if body.web else
                   f"Find how {body.name} takes consumer complaints on its web site, and attach "
                   f"{attach}.")
            note = ""
        elif kind == "id-reply":
            how = ("Send it as your answer to their request, from the email address your first "
                   "letter gives, and keep a copy.")
            note = ""
        else:
            how = ("Send it the way you sent your first letter, to the same address, and keep "
                   "proof of sending.")
            note = letter.get("escalation", "") if rule.private_action else ""
            if rule.kind == "bipa-demand":
                note += (" A lawyer can tell you when that period started and when it ends "
                         "for you.")
        return NextLetter(kind, body.name if body else letter["company_name"], how, note,
                          document, pdf, eml, due)


def _enclosures(letter: Mapping[str, Any], kind: str) -> tuple[Enclosure, ...]:
    """Copies of the earlier letters kept with the case: the first letter with a follow-up;
    the first letter and the follow-ups made since with a complaint."""
    if kind == "id-reply" or not letter.get("text"):
        return ()
    sent = letter.get("sent") or letter.get("created")
    out = [Enclosure(f"my letter of {long_date(date.fromisoformat(sent))} to "
                     f"{letter['company_name']} (reference {letter['reference']})",
                     letter["text"])]
    if kind == "complaint":
        for earlier in letter.get("next_letters", []):
            title = "follow-up letter" if earlier.get("kind") == "followup" else "reply"
            out.append(Enclosure(f"my {title} of {long_date(date.fromisoformat(earlier['on']))} "
                                 f"to {letter['company_name']} (reference "
                                 f"{earlier.get('reference', '')})", earlier["text"]))
    return tuple(out)


def _reference(original: str, kind: str, on: date) -> str:
    digest = hashlib.sha256(f"{original}\x1f{kind}\x1f{on.isoformat()}".encode()).digest()
    return f"RB-{on:%Y%m%d}-{base64.b32encode(digest[:10]).decode('ascii')}"


def _original(letter: Mapping[str, Any], law: str, today: date) -> dict[str, Any]:
    state = view(letter, today)
    sent = letter.get("sent") or letter.get("created")
    return {"company_name": letter["company_name"], "title": letter.get("kind_title") or "",
            "reference": letter["reference"], "law": law, "medium": letter.get("medium") or "",
            "sent_long": long_date(date.fromisoformat(sent)),
            "due_long": long_date(date.fromisoformat(letter["due"])),
            "status": state.status, "parent": False}


def _timeline(letter: Mapping[str, Any], kind: str) -> list[str]:
    """What happened, dated; "you" is the company in a follow-up, its name in a complaint."""
    they = "you" if kind == "followup" else letter["company_name"]
    words = {"sent": "I sent the letter", "acknowledged": f"{they} confirmed receipt",
             "extended": f"{they} extended the deadline",
             "asked-id": f"{they} asked for more information to verify my request",
             "partly": f"{they} answered in part", "refused": f"{they} declined my request",
             "complied": f"{they} said the request was complied with",
             "followed-up": "I sent a follow-up letter", "escalated": "I made a complaint",
             "closed": "I closed the matter"}
    lines = []
    for entry in letter.get("history", []):
        if entry.get("status") == "drafted":
            continue
        line = (f"{long_date(date.fromisoformat(entry['on']))}: "
                f"{words.get(entry['status'], entry['status'])}")
        if entry.get("due") and entry["status"] in ("sent", "extended", "followed-up"):
            line += f"; reply due by {long_date(date.fromisoformat(entry['due']))}"
        lines.append(line[0].upper() + line[1:] + ".")
    return lines or ["I have received no answer."]
