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
from ..regions import EU_EEA, GDPR_COUNTRIES
from .authorities import load_authorities
from .deadlines import known_calendar
from .exhibit import Exhibit, build_exhibit
from .layout import layout_for
from .model import LetterDocument, PageSize, Person
from .regions import Region, parse_region
from .rules import Deadlines, KindRule, LetterRules
from .templates import LetterTemplates, clean_inline, long_date
from .wording import letter_accounts, opening_words, photo_words

if TYPE_CHECKING:  # pragma: no cover
    from ..check import Match
    from ..companies import Company, Contact
    from ..registry import Dataset, Involvement

STRENGTH_TEXT = {
    "court-record": "court record",
    "press": "press report",
    "activist": "report by researchers or activists",
    "self-reported": "the organisation's own publication",
    "creator-publication": "publication by the dataset's creators",
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
    basis: str = "residence"             # "establishment": the law applies as the recipient is established there
    choice: str = "destroy"              # "destroy" | "preserve": what every deletion demand asks


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


def gdpr_regime(rule: KindRule, residence: Region, basis: str, established_in: str) -> str:
    """"GB" (UK GDPR) or "EU" for a GDPR letter: the controller's place when the
    letter rests on its establishment (Art. 3(1)), else where the sender lives."""
    if basis == "establishment":
        return "GB" if established_in == "GB" else "EU"
    variant = rule.variant(residence)
    return variant.jurisdiction if variant and variant.jurisdiction else "EU"


def letter_jurisdiction(rule: KindRule, residence: Region, basis: str, established_in: str) -> str | None:
    """Whose entity of the recipient gets the letter ("US", "EU", "GB", ...)."""
    if rule.kind == "gdpr":
        return gdpr_regime(rule, residence, basis, established_in)
    return rule.jurisdiction


def compose_letter(request: LetterInput, *, rules: LetterRules, templates: LetterTemplates,
                   deadline_days: int) -> ComposedLetter:
    person, company = request.person, request.company
    rule = rules.get(request.kind)
    if rule.biometric and person.shown not in ("me", "child"):
        raise LetterError(f"the {request.kind} letter claims rights over biometric data about the "
                          "person shown in the photos; it needs shown = \"me\" or \"child\"")
    residence = parse_region(person.residence, "residence")
    uploaded = parse_region(person.uploaded_from, "uploaded_from", allow_unknown=True)
    roll = tuple(dict.fromkeys(c for c in (person.residence, request.contact.country) if known_calendar(c)))
    deadlines = rule.deadlines(request.on, deadline_days, residence, roll)
    reference = letter_reference(person, company.slug, request.kind, request.on)
    names = {d.slug: d.name for d in request.datasets}
    exhibit = build_exhibit(request.matches, names)
    csv_name = f"{reference}-photos.csv" if exhibit.capped else None
    regime = gdpr_regime(rule, residence, request.basis, company.established_in)
    cases = sorted({i.litigation.case for i in request.involvements
                    if i.litigation is not None and i.litigation.pending})
    context = {
        "person": _person_context(person, residence, uploaded, rule, request.matches),
        "who": _who_context(person),
        "agent": _agent_context(person),
        "recipient": _recipient_context(company, request.contact),
        "letter": _letter_context(rule, request.kind, reference, request.on, deadlines,
                                  residence, uploaded, regime, request.basis),
        "authority": _authority_context(rule, residence, request.basis, company, regime),
        "demand": {"choice": request.choice, "cases": cases},
        "datasets": _datasets_context(request.datasets, request.involvements),
        "dataset_names": dataset_list(sorted(set(names.values()))),
        "ph": photo_words(exhibit.photos),
        "opening": opening_words(person, exhibit.photos),
        "scope": {"data": (f"data about {'my child' if person.shown == 'child' else 'me'} that you "
                           f"obtained from, or derived from, {photo_words(exhibit.photos)['these']} "
                           f"and the dataset{'s' if len(request.datasets) > 1 else ''} named above")},
        "exhibit": {"photos": exhibit.photos, "rows": len(exhibit.rows), "listed": exhibit.listed,
                    "capped": exhibit.capped, "csv_name": csv_name or ""},
    }
    context["letter"]["verification"] = person.verification
    rendered = templates.render(request.kind, context, exhibit.table() if exhibit.rows else None)
    agent = person.agent
    sender = ([person.name, f"c/o {agent.name}", *agent.address, agent.email] if agent
              else [person.name, *person.address, person.email])
    document = LetterDocument(
        reference=reference, kind=request.kind, language=templates.language, date=request.on,
        due=deadlines.due, page_size=page_size_for(person),
        sender=tuple(_clean_lines(sender)),
        recipient=fit_address(_clean_lines(request.contact.recipient_lines()),
                              layout_for(page_size_for(person)).recipient_max_lines),
        subject=rendered.subject,
        blocks=rendered.blocks, closing=rendered.closing, signer=_one_line(person.name),
        signature=person.signature, notices=rendered.notices)
    if contains_money(_without(document.text(), _person_values(person))):
        raise LetterError(f"the {request.kind} template writes an amount of money; "
                          "letters must never state one")
    return ComposedLetter(document, deadlines, rule, exhibit, csv_name)


def _person_context(person: Person, residence: Region, uploaded: Region, rule: KindRule,
                    found: Sequence[Any]) -> dict[str, Any]:
    lives_there = bool(rule.applies(residence, Region("unknown", "")))
    upload_basis = (rule.basis == "residence-or-upload" and not lives_there
                    and bool(rule.applies(Region("unknown", ""), uploaded)))
    return {
        "name": person.name, "email": person.email,
        "residence": residence.label(), "residence_code": residence.code,
        "residence_dates": person.residence_dates,
        # the upload place only where the law rests on it (the sender does not live
        # there): volunteered otherwise, it can only hurt the sender's claim (Vance)
        "upload_basis": upload_basis,
        "uploaded_from": uploaded.label() if upload_basis else "",
        "upload_dates": person.upload_dates if upload_basis else "",
        "flickr_accounts": letter_accounts(person, found),
        "child_name": person.child_name,
    }


def _who_context(person: Person) -> dict[str, Any]:
    """Who is shown in the photos, and the words for them."""
    parent = person.shown == "child"
    return {
        "shown": person.shown, "parent": parent, "some": person.shown_some,
        "picked": bool(person.shown_photos),
        "my": "my child's" if parent else "my",
        "me": "my child" if parent else "me",
        "I_appear": "My child appears" if parent else "I appear",
    }


def _agent_context(person: Person) -> dict[str, Any]:
    agent = person.agent
    if agent is None:
        return {"name": ""}
    return {"name": agent.name, "email": agent.email, "address": list(agent.address),
            "authorization": agent.authorization, "signatory": agent.signatory}


def letter_name(company: Company) -> str:
    """How a letter names the organisation in a sentence: the display name without a
    bracketed aside ("Meta (Facebook)" -> "Meta"), with "the" before "University of ..."."""
    name = re.sub(r"\s*\([^)]*\)\s*$", "", company.name) or company.name
    return f"the {name}" if name.startswith("University ") else name


def _recipient_context(company: Company, contact: Contact) -> dict[str, Any]:
    area_of = {"EU": EU_EEA, "GB": {"GB"}}
    return {
        "slug": company.slug, "name": company.name, "the_name": letter_name(company),
        "legal_entity": contact.entity,
        "entity_type": company.entity_type, "address": list(contact.address),
        "email": contact.email or "", "webform": contact.webform or "",
        "address_verified": bool(contact.address_verified and contact.address),
        "established_in": company.established_in,
        "care_of": contact.care_of or "",
        "in_union": company.established_in in EU_EEA,
        # the entity the letter is addressed to is itself in the law's area (Art. 3(1))
        "addressee_in_area": not contact.care_of and contact.country in area_of.get(
            contact.jurisdiction or "", ()),
    }


def _authority_context(rule: KindRule, residence: Region, basis: str, company: Company,
                       regime: str) -> dict[str, Any]:
    """The supervisory authorities a GDPR, PIPEDA or FADP letter names: where the
    sender lives (Art. 77) and where the controller is established."""
    authorities = load_authorities()
    home = authorities.for_country(residence.code) if rule.jurisdiction in ("EU", "CA", "CH") else None
    if rule.kind == "gdpr" and residence.country not in GDPR_COUNTRIES:
        home = None
    if rule.kind == "gdpr" and regime == "GB":
        home = authorities.for_country("GB")
    seat = authorities.for_country(company.established_in) if rule.kind == "gdpr" else None
    if seat is not None and home is not None and seat.name == home.name:
        seat = None
    return {"home": home.name if home else "", "home_web": home.web if home else "",
            # the controller's Land is not on file: "... of the German federal state (Land)"
            "seat": seat.name.replace(" where I live", "") if seat else "",
            "seat_web": seat.web if seat else ""}


def _letter_context(rule: KindRule, kind: str, reference: str, on: date, d: Deadlines,
                    residence: Region, uploaded: Region, regime: str, basis: str) -> dict[str, Any]:
    variant = rule.variant_for(residence, regime if kind == "gdpr" else rule.jurisdiction)
    state = rule.state_law(residence)
    return {
        "kind": kind, "reference": reference, "title": rule.title,
        "law": variant.law if variant else rule.law,
        "variant": variant.region if variant else "",
        "regime": regime, "basis": basis,
        "state_act": state.act if state else "",
        "photo_exclusion": bool(state and state.photo_exclusion),
        "delete_cite": state.delete_cite if state else "",
        "state": residence.short(),
        "reasons": list(rule.applies(residence, uploaded)),
        # residence dates are a BIPA letter element (laws.md); elsewhere they only add data
        # (and could undercut a BIPA claim resting on an Illinois upload)
        "basis_upload_law": kind == "bipa-demand",
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
            "has_co_creators": bool(ds.co_creators),
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


def fit_address(lines: Sequence[str], most: int) -> tuple[str, ...]:
    """An address block of at most ``most`` lines: where it is longer (an addressee,
    a "c/o" line and a long postal address), the shortest neighbouring postal lines
    are joined with a comma until it fits. The first line (the addressee) and a
    "c/o" line are never joined."""
    lines = list(lines)
    fixed = 2 if len(lines) > 1 and lines[1].startswith("c/o ") else 1
    while len(lines) > most and len(lines) - fixed >= 2:
        pairs = range(fixed, len(lines) - 1)
        i = min(pairs, key=lambda k: (len(lines[k]) + len(lines[k + 1]), -k))
        lines[i:i + 2] = [f"{lines[i]}, {lines[i + 1]}"]
    return tuple(lines)


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
