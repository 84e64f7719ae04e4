"""The whole letters job: a person and a check result in, finished letters out.

:class:`LetterMaker` picks the letter kinds (rules), the recipients (the
creators and reported users of every matched dataset, deduplicated, limited to
the person's ``companies``), composes each letter, renders its PDF (sealed when
a key is given), its plain text and its .eml, and returns them as bytes. It
writes nothing: :func:`write_letters` puts them into a folder under names safe
on every OS. The Telegram journey and the CLI both call :meth:`LetterMaker.make`.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Callable, Sequence

from ..companies import CompanyDirectory, load_directory
from ..errors import InputError
from ..files import safe_filename, write_atomic
from ..registry import DatasetRegistry, Involvement, load_registry
from .compose import ComposedLetter, LetterInput, compose_letter
from .email import Attachment, build_eml
from .model import LetterDocument, Person
from .pdf import render_pdf
from .regions import parse_region
from .rules import KindChoice, LetterRules, load_rules
from .templates import LetterTemplates

if TYPE_CHECKING:  # pragma: no cover
    from ..check import CheckResult, Match
    from ..companies import Company, Contact
    from ..config import Config

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class SealSettings:
    key: Path
    cert: Path
    visible: bool = False
    password: str | None = None


@dataclass(frozen=True)
class ProducedLetter:
    """One finished letter, as bytes, with what the tracker and the person need."""
    company: str                 # slug
    company_name: str
    kind: str
    kind_title: str
    reference: str
    date: date
    due: date
    statutory_deadline: bool
    acknowledge_by: date | None
    extended_until: date | None
    escalation: str
    how_to_send: str             # for the person: channel, address, what to check
    notes: tuple[str, ...]       # for the person: fallbacks, unverified details, choices
    document: LetterDocument
    text: str                    # canonical text (the PDF footer's SHA-256 covers it)
    sha256: str
    pdf: bytes
    eml: bytes
    csv: bytes | None            # the full exhibit when the letter lists only part of it
    sealed: bool

    @property
    def stem(self) -> str:
        return safe_filename(f"{self.company}-{self.kind}-{self.reference}")

    @property
    def pdf_name(self) -> str:
        return f"{self.stem}.pdf"

    @property
    def eml_name(self) -> str:
        return f"{self.stem}.eml"

    @property
    def txt_name(self) -> str:
        return f"{self.stem}.txt"

    @property
    def csv_name(self) -> str | None:
        # the name the letter itself cites for the full exhibit
        return f"{self.reference}-photos.csv" if self.csv is not None else None

    def files(self) -> list[tuple[str, bytes]]:
        out = [(self.pdf_name, self.pdf), (self.txt_name, self.text.encode("utf-8")),
               (self.eml_name, self.eml)]
        if self.csv is not None and self.csv_name:
            out.append((self.csv_name, self.csv))
        return out


@dataclass(frozen=True)
class LettersOutcome:
    letters: tuple[ProducedLetter, ...]
    kinds: tuple[KindChoice, ...]     # the kinds that apply to the person, with reasons
    notes: tuple[str, ...]            # for the person: skipped recipients and why


class LetterMaker:
    def __init__(self, *, rules: LetterRules, templates: LetterTemplates,
                 registry: DatasetRegistry, directory: CompanyDirectory,
                 deadline_days: int = 30, seal: SealSettings | None = None) -> None:
        self.rules, self.templates = rules, templates
        self.registry, self.directory = registry, directory
        self.deadline_days, self.seal = deadline_days, seal

    @classmethod
    def from_config(cls, config: "Config", *, seal: SealSettings | None = None) -> "LetterMaker":
        """Rules, templates (with [letters] templates_dir), registry and directory;
        the seal from ``seal`` or else from [letters] seal_key/seal_cert."""
        letters = config.letters
        if seal is None and letters.seal_key and letters.seal_cert:
            seal = SealSettings(letters.seal_key, letters.seal_cert, letters.seal_visible)
        return cls(rules=load_rules(), templates=LetterTemplates(letters.language, letters.templates_dir),
                   registry=load_registry(), directory=load_directory(),
                   deadline_days=letters.deadline_days, seal=seal)

    def make(self, person: Person, result: "CheckResult", on: date,
             progress: Callable[[int, int], None] | None = None) -> LettersOutcome:
        """Every letter for ``person`` about the matches in ``result``, dated ``on``."""
        residence = parse_region(person.residence, "residence")
        uploaded = parse_region(person.uploaded_from, "uploaded_from", allow_unknown=True)
        notes: list[str] = []
        kinds = self._kinds(person, residence, uploaded, notes)
        plan = self._plan(person, result, kinds, notes)
        out = []
        for done, item in enumerate(plan, start=1):
            out.append(self._produce(person, item, on))
            if progress:
                progress(done, len(plan))
        log.info("letters: %d produced for %d companies", len(out),
                 len({letter.company for letter in out}))
        return LettersOutcome(tuple(out), tuple(kinds), tuple(dict.fromkeys(notes)))

    # ---- choosing ------------------------------------------------------

    def _kinds(self, person: Person, residence, uploaded, notes: list[str]) -> list[KindChoice]:
        known = self.rules.kinds()
        unknown = [k for k in person.kinds if k not in known]
        if unknown:
            raise InputError(f"kinds: unknown letter kind {unknown[0]!r} (known: {', '.join(known)})")
        chosen = self.rules.choose(residence, uploaded)
        if person.kinds:
            wanted = [c for c in chosen if c.kind in person.kinds]
            for kind in person.kinds:
                if kind not in {c.kind for c in chosen}:
                    notes.append(f"The {kind} letter does not apply to where you live or uploaded "
                                 "from, so it was not made.")
            chosen = wanted
        return chosen

    def _plan(self, person: Person, result: "CheckResult", kinds: Sequence[KindChoice],
              notes: list[str]) -> list["_Planned"]:
        for slug in person.companies:
            if slug not in self.directory:
                raise InputError(f"companies: no company called {slug!r} in the directory "
                                 "(see `rightsbot companies`)")
        datasets = []
        for slug in result.datasets():
            if slug in self.registry:
                datasets.append(slug)
            else:
                notes.append(f"Matches in {slug!r} were found, but that dataset is not in the "
                             "registry, so no recipient is known for it.")
        by_company: dict[str, list[Involvement]] = {}
        for inv in self.registry.involvements(datasets):
            by_company.setdefault(inv.company, []).append(inv)
        if person.companies:
            for slug in person.companies:
                if slug not in by_company:
                    notes.append(f"{self.directory.get(slug).name}: not tied to any matched "
                                 "dataset, so no letter was made.")
            by_company = {c: v for c, v in by_company.items() if c in person.companies}
        plan: list[_Planned] = []
        for slug in sorted(by_company):
            company = self.directory.get(slug)
            involvements = tuple(by_company[slug])
            tied = {inv.dataset for inv in involvements}
            matches = tuple(m for m in result.matches if m.dataset in tied)
            seen: set[str] = set()
            for choice in kinds:
                recipient = self.rules.for_recipient(choice.kind, company.entity_type)
                if recipient.note:
                    notes.append(f"{company.name}: {recipient.note}")
                if recipient.kind in seen:
                    continue
                seen.add(recipient.kind)
                plan.append(_Planned(company, recipient.kind, involvements, matches))
        return plan

    # ---- producing -----------------------------------------------------

    def _produce(self, person: Person, item: "_Planned", on: date) -> ProducedLetter:
        rule = self.rules.get(item.kind)
        contact = item.company.contact_for("US" if rule.contact == "US" else person.residence)
        slugs = sorted({inv.dataset for inv in item.involvements})
        composed = compose_letter(LetterInput(
            kind=item.kind, person=person, company=item.company, contact=contact,
            involvements=item.involvements, datasets=tuple(self.registry.get(s) for s in slugs),
            matches=item.matches, on=on),
            rules=self.rules, templates=self.templates, deadline_days=self.deadline_days)
        return self._finish(person, item.company, contact, composed)

    def _finish(self, person: Person, company: "Company", contact: "Contact",
                composed: ComposedLetter) -> ProducedLetter:
        doc = composed.document
        pdf = render_pdf(doc)
        sealed = False
        if self.seal is not None:
            from .seal import seal_pdf   # the seal pulls in pyHanko: load it only when used
            pdf = seal_pdf(pdf, self.seal.key, self.seal.cert, visible=self.seal.visible,
                           password=self.seal.password)
            sealed = True
        csv = composed.exhibit.csv_bytes() if composed.exhibit_csv_name else None
        stem = safe_filename(f"{company.slug}-{doc.kind}-{doc.reference}")
        attachments = [Attachment(f"{stem}.pdf", pdf, "application", "pdf")]
        if csv is not None and composed.exhibit_csv_name:
            attachments.append(Attachment(composed.exhibit_csv_name, csv, "text", "csv"))
        eml = build_eml(doc, sender_name=doc.signer, sender_email=person.email,
                        recipient_email=contact.email, recipient_name=contact.entity,
                        attachments=tuple(attachments))
        text = doc.text()
        rule = composed.rule
        return ProducedLetter(
            company=company.slug, company_name=company.name, kind=doc.kind, kind_title=rule.title,
            reference=doc.reference, date=doc.date, due=doc.due,
            statutory_deadline=composed.deadlines.statutory,
            acknowledge_by=composed.deadlines.acknowledge_by,
            extended_until=composed.deadlines.extended_until,
            escalation=_escalation(rule, person), how_to_send=how_to_send(company, contact, stem),
            notes=tuple(_notes(rule, person, contact)), document=doc, text=text,
            sha256=doc.text_sha256(), pdf=pdf, eml=eml, csv=csv, sealed=sealed)


@dataclass(frozen=True)
class _Planned:
    company: "Company"
    kind: str
    involvements: tuple[Involvement, ...]
    matches: tuple["Match", ...]


def how_to_send(company: "Company", contact: "Contact", stem: str) -> str:
    """One paragraph for the person: which channel, where, and what to check first."""
    entity = contact.entity or company.name
    head = company.name if entity == company.name else f"{company.name} ({entity})"
    ways = {
        "email": (f"email it to {contact.email}: open {stem}.eml in your mail program, check "
                  "it and send it (the PDF is attached)") if contact.email else None,
        "webform": (f"use the privacy web form at {contact.webform}: paste the letter text "
                    f"({stem}.txt) and attach the PDF") if contact.webform else None,
        "letter": (f"print {stem}.pdf, sign it and post it to {entity}, "
                   f"{', '.join(contact.address)}") if contact.address else None,
    }
    order = [contact.medium] + [m for m in ("email", "webform", "letter") if m != contact.medium]
    available = [ways[m] for m in order if ways.get(m)]
    if available:
        text = f"{head}: {available[0]}."
        if len(available) > 1:
            text += " Or " + "; or ".join(available[1:]) + "."
    else:
        text = (f"{head}: no postal address is on file, and no privacy email or web form: find "
                "the organisation's privacy contact on its own website before sending.")
    if contact.address and not contact.address_verified:
        text += " The postal address has not been verified: check it before sending."
    alt = contact.alternative
    if alt is not None and not (contact.email or contact.webform) and (alt.email or alt.webform):
        text += (f" {company.name}'s other privacy contact, {alt.entity}, can be reached at "
                 f"{alt.email or alt.webform}.")
    return text


def _escalation(rule, person: Person) -> str:
    variant = rule.variant(parse_region(person.residence, "residence"))
    return variant.escalation if variant else rule.escalation


def _notes(rule, person: Person, contact: "Contact") -> list[str]:
    notes = []
    residence = parse_region(person.residence, "residence")
    variant = rule.variant(residence)
    if variant and variant.note:
        notes.append(variant.note)
    if not rule.verified and rule.note:
        notes.append(rule.note)
    state = rule.state_law(residence)
    if state is not None and not state.verified:
        notes.append(f"The details of the {state.act} have not been verified for rightsbot; "
                     "check them before relying on the letter.")
    if rule.kind.startswith("bipa-"):
        if person.bipa_choice == "destroy":
            notes.append("You asked for the data to be destroyed now. If you might bring a claim, "
                         "destruction can also remove evidence: talk to a lawyer about asking for "
                         "preservation instead (bipa_choice = \"preserve\").")
        else:
            notes.append("You asked for the data to be preserved until the matter is resolved. "
                         "A lawyer can advise you on the next steps.")
    return notes


@dataclass(frozen=True)
class WrittenLetter:
    letter: ProducedLetter
    pdf: Path
    txt: Path
    eml: Path
    csv: Path | None


def write_letters(letters: Sequence[ProducedLetter], folder: Path) -> list[WrittenLetter]:
    """Write each letter's PDF, text, .eml (and CSV) into ``folder``, atomically.

    Names are ``<company>-<kind>-<reference>.<ext>``, safe on every OS; the same
    letter always gets the same name, so a re-run replaces identical files."""
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise InputError(f"cannot create the output folder {folder}: {exc.strerror}") from None
    written = []
    for letter in letters:
        paths = {}
        for name, data in letter.files():
            path = folder / name
            try:
                write_atomic(path, data)
            except OSError as exc:
                raise InputError(f"cannot write {path}: {exc.strerror}") from None
            paths[name] = path
        written.append(WrittenLetter(
            letter, paths[letter.pdf_name], paths[letter.txt_name], paths[letter.eml_name],
            paths.get(letter.csv_name) if letter.csv_name else None))
    return written


__all__ = ["LetterMaker", "LettersOutcome", "ProducedLetter", "SealSettings", "WrittenLetter",
           "how_to_send", "write_letters"]
