"""One letter: person + recipient + datasets + matches + kind + date -> LetterDocument.

Pure: the same inputs give the same document (reference included), so a PDF
rendered from it is byte-identical on every run. Everything a person, a
dataset record or a company record says reaches the template as a variable
(see :mod:`bot.letters.templates`), never as template code.
"""

from __future__ import annotations

import base64
import hashlib
import re
from dataclasses import dataclass
from datetime import date
from typing import TYPE_CHECKING, Any, Iterable, Sequence

from ..errors import LetterError
from .exhibit import Exhibit, build_exhibit
from .model import LetterDocument, PageSize, Person
from .regions import Region, matches, parse_region
from .rules import Deadlines, KindRule, LetterRules
from .templates import LetterTemplates, clean_inline, long_date

if TYPE_CHECKING:  # pragma: no cover
    from ..check import Match
    from ..companies import Company, Contact
    from ..registry import Dataset, Involvement

STRENGTH_TEXT = {
    "court-record": "court record",
    "press": "press report",
    "activist": "report by researchers or activists",
    "self-reported": "the organisation's own publication",
}
# Letters never state an amount of money (laws.md). Registry notes are cleaned
# of amounts; a template that writes one is refused.
_MONEY = re.compile(
    r"[$€£¥]|\b(?:USD|EUR|GBP|US\s?dollars?)\b|\b\d[\d,.]*\s*(?:dollars?|euros?|pounds sterling)\b"
    r"|liquidated damages of", re.IGNORECASE)
_AMOUNT = re.compile(r"(?:[$€£¥]\s?\d[\d,.]*\s*(?:[kKmMbB]n?|million|billion)?|\b\d[\d,.]*\s*"
                     r"(?:USD|EUR|GBP|dollars?|euros?)\b|\b(?:USD|EUR|GBP)\s?\d[\d,.]*\s*"
                     r"(?:million|billion)?)", re.IGNORECASE)


@dataclass(frozen=True)
class LetterInput:
    """Everything one letter is made from."""
    kind: str
    person: Person
    company: Company
    contact: Contact                     # the entity and channels, chosen for this kind
    involvements: tuple[Involvement, ...]  # how this company is tied to the matched datasets
    datasets: tuple[Dataset, ...]        # those datasets
    matches: tuple[Match, ...]           # the check's matches in those datasets
    on: date


@dataclass(frozen=True)
class ComposedLetter:
    document: LetterDocument
    deadlines: Deadlines
    rule: KindRule
    exhibit: Exhibit
    exhibit_csv_name: str | None      # file name of the full exhibit when the letter lists part


def letter_reference(person: Person, company: str, kind: str, on: date) -> str:
    """RB-YYYYMMDD-XXXXXXXXXXXXXXXX: unique per (person, company, kind, date), deterministic."""
    key = "\x1f".join([person.name.strip(), person.email.strip().lower(), company, kind,
                       on.isoformat()])
    digest = hashlib.sha256(key.encode("utf-8")).digest()
    return f"RB-{on:%Y%m%d}-{base64.b32encode(digest[:10]).decode('ascii')}"


def contains_money(text: str) -> bool:
    return bool(_MONEY.search(text))


def redact_money(text: str) -> str:
    """A registry sentence with amounts of money replaced by "[amount omitted]"."""
    return _AMOUNT.sub("[amount omitted]", text)


def page_size_for(person: Person) -> PageSize:
    country = person.residence.split("-")[0].upper()
    return "LETTER" if country in ("US", "CA", "MX", "PR") else "A4"


def compose_letter(request: LetterInput, *, rules: LetterRules, templates: LetterTemplates,
                   deadline_days: int) -> ComposedLetter:
    person, company = request.person, request.company
    rule = rules.get(request.kind)
    residence = parse_region(person.residence, "residence")
    uploaded = parse_region(person.uploaded_from, "uploaded_from", allow_unknown=True)
    deadlines = rule.deadlines(request.on, deadline_days, residence)
    reference = letter_reference(person, company.slug, request.kind, request.on)
    names = {d.slug: d.name for d in request.datasets}
    exhibit = build_exhibit(request.matches, names)
    csv_name = f"{reference}-photos.csv" if exhibit.capped else None
    context = {
        "person": _person_context(person, residence, uploaded, request.matches),
        "recipient": _recipient_context(company, request.contact),
        "letter": _letter_context(rule, request.kind, reference, request.on, deadlines,
                                  residence, uploaded),
        "datasets": _datasets_context(request.datasets, request.involvements),
        "dataset_names": dataset_list(sorted(set(names.values()))),
        "exhibit": {"rows": len(exhibit.rows), "listed": exhibit.listed,
                    "capped": exhibit.capped, "csv_name": csv_name or ""},
    }
    rendered = templates.render(request.kind, context, exhibit.table() if exhibit.rows else None)
    document = LetterDocument(
        reference=reference, kind=request.kind, language=templates.language, date=request.on,
        due=deadlines.due, page_size=page_size_for(person),
        sender=tuple(_clean_lines([person.name, *person.address, person.email])),
        recipient=tuple(_clean_lines([request.contact.entity, *request.contact.address])),
        subject=rendered.subject,
        blocks=rendered.blocks, closing=rendered.closing, signer=_one_line(person.name),
        signature=person.signature, notices=rendered.notices)
    if contains_money(_without(document.text(), _person_values(person))):
        raise LetterError(f"the {request.kind} template writes an amount of money; "
                          "letters must never state one")
    return ComposedLetter(document, deadlines, rule, exhibit, csv_name)


def _person_context(person: Person, residence: Region, uploaded: Region,
                    found: Iterable[Any]) -> dict[str, Any]:
    accounts = list(person.flickr_accounts)
    accounts += sorted({m.owner for m in found if m.owner} - set(accounts))
    return {
        "name": person.name, "address": list(person.address), "email": person.email,
        "residence": residence.label(), "residence_code": residence.code,
        "residence_dates": person.residence_dates,
        "uploaded_from": uploaded.label(), "uploaded_from_code": uploaded.code,
        "uploaded_from_known": uploaded.known, "upload_dates": person.upload_dates,
        "lives_in_illinois": matches(residence, "US-IL"),
        "uploaded_in_illinois": matches(uploaded, "US-IL"),
        "bipa_choice": person.bipa_choice, "flickr_accounts": accounts,
    }


def _recipient_context(company: Company, contact: Contact) -> dict[str, Any]:
    return {
        "slug": company.slug, "name": company.name, "legal_entity": contact.entity,
        "entity_type": company.entity_type, "address": list(contact.address),
        "email": contact.email or "", "webform": contact.webform or "",
        "address_verified": bool(contact.address_verified and contact.address),
    }


def _letter_context(rule: KindRule, kind: str, reference: str, on: date, d: Deadlines,
                    residence: Region, uploaded: Region) -> dict[str, Any]:
    variant = rule.variant(residence)
    state = rule.state_law(residence)
    return {
        "kind": kind, "reference": reference, "title": rule.title,
        "law": variant.law if variant else rule.law,
        "variant": variant.region if variant else "",
        "state_act": state.act if state else "",
        "state": residence.short(),
        "reasons": list(rule.applies(residence, uploaded)),
        "date": long_date(on), "due": long_date(d.due), "due_iso": d.due.isoformat(),
        "period": d.period.describe(), "statutory": d.statutory,
        "acknowledge_by": long_date(d.acknowledge_by) if d.acknowledge_by else "",
        "acknowledge_period": d.acknowledge_period.describe() if d.acknowledge_period else "",
        "extended_until": long_date(d.extended_until) if d.extended_until else "",
        "extension_period": d.extension_period.describe() if d.extension_period else "",
        "opt_out_by": long_date(d.opt_out_by) if d.opt_out_by else "",
        "opt_out_period": d.opt_out_period.describe() if d.opt_out_period else "",
    }


def _datasets_context(datasets: Sequence[Dataset],
                      involvements: Sequence[Involvement]) -> list[dict[str, Any]]:
    out = []
    for ds in sorted(datasets, key=lambda d: d.slug):
        mine = [i for i in involvements if i.dataset == ds.slug]
        reports = []
        for inv in mine:
            if inv.role != "user":
                continue
            report = {"strength": inv.strength or "",
                      "strength_text": STRENGTH_TEXT.get(inv.strength or "", inv.strength or ""),
                      "note": redact_money(inv.note), "source": inv.source}
            if report not in reports:
                reports.append(report)
        out.append({
            "slug": ds.slug, "name": ds.name, "year": str(ds.year or ""),
            "source": ds.source if ds.source.startswith(("http://", "https://")) else "",
            "is_creator": any(i.role == "creator" for i in mine),
            "is_co_creator": any(i.role == "co-creator" for i in mine),
            "reports": reports})
    return out


def dataset_list(names: Sequence[str]) -> str:
    """Dataset names joined into one phrase; a name that itself contains " and "
    ("MegaFace and MF2") is quoted when it stands beside others, so a reader can
    tell where each name ends."""
    names = list(names)
    if len(names) > 1:
        names = [f'"{n}"' if " and " in n else n for n in names]
    return and_list(names)


def and_list(items: Sequence[str]) -> str:
    """"A", "A and B", "A, B and C"."""
    items = list(items)
    if len(items) <= 2:
        return " and ".join(items)
    return ", ".join(items[:-1]) + " and " + items[-1]


def _person_values(person: Person) -> list[str]:
    """What the person typed (a name like "Ke$ha" is theirs to write, not a sum)."""
    values = [person.name, person.email, person.residence_dates, person.upload_dates,
              *person.address, *person.flickr_accounts]
    cleaned = {clean_inline(v) for v in values} | {_one_line(v) for v in values}
    return sorted((v for v in cleaned if v), key=len, reverse=True)


def _without(text: str, values: Sequence[str]) -> str:
    for value in values:
        text = text.replace(value, " ")
    return text


def _one_line(value: str) -> str:
    return " ".join(clean_inline(value).split())


def _clean_lines(lines: Iterable[str]) -> list[str]:
    return [line for line in (_one_line(v) for v in lines) if line]
