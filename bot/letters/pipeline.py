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
from ..files import safe_filename
from ..registry import DatasetRegistry, Involvement, load_registry
from ..regions import GDPR_COUNTRIES
from .compose import ComposedLetter, LetterInput, compose_letter, letter_jurisdiction
from .cover import CoverInput, CoverSheet, build_cover
from .email import Attachment, build_eml
from .model import LetterDocument, Person
from .exhibit import owner_mismatches, photo_link
from .pdf import render_pdf
from .recipients import RecipientOption, recipient_options
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
    entity: str = ""               # the legal entity the letter is addressed to
    care_of: str | None = None     # its representative or office, when it goes through one
    jurisdiction: str | None = None  # whose entity got it: "US", "EU", "GB", "CA", "CH"
    basis: str = "residence"       # "establishment": sent because the recipient is in the EU/UK
    photos: int = 0                # distinct photographs the letter is about
    gaps: tuple[str, ...] = ()     # for the sender: addresses to check or find first

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
    cover: "CoverSheet | None" = None # the sender's cover sheet (None when no letter was made)
    choice: str = "destroy"           # "preserve" when any company's letters ask to preserve


class LetterMaker:
    def __init__(self, *, rules: LetterRules, templates: LetterTemplates,
                 registry: DatasetRegistry, directory: CompanyDirectory,
                 deadline_days: int = 30, seal: SealSettings | None = None,
                 share_link: str = "") -> None:
        self.rules, self.templates = rules, templates
        self.registry, self.directory = registry, directory
        self.deadline_days, self.seal = deadline_days, seal
        self.share_link = share_link

    @classmethod
    def from_config(cls, config: "Config", *, seal: SealSettings | None = None) -> "LetterMaker":
        """Rules, templates (with [letters] templates_dir), registry and directory;
        the seal from ``seal`` or else from [letters] seal_key/seal_cert."""
        letters = config.letters
        if seal is None and letters.seal_key and letters.seal_cert:
            seal = SealSettings(letters.seal_key, letters.seal_cert, letters.seal_visible)
        return cls(rules=load_rules(), templates=LetterTemplates(letters.language, letters.templates_dir),
                   registry=load_registry(), directory=load_directory(),
                   deadline_days=letters.deadline_days, seal=seal, share_link=letters.share_link)

    def kinds_for(self, person: Person) -> list[KindChoice]:
        """The kinds that apply to ``person`` (before recipients swap or add any)."""
        residence = parse_region(person.residence, "residence")
        uploaded = parse_region(person.uploaded_from, "uploaded_from", allow_unknown=True)
        return self._kinds(person, residence, uploaded, [])

    def preview(self, person: Person, result: "CheckResult") -> list[tuple[str, list[str]]]:
        """(organisation, [letter titles]) as :meth:`make` would write them, without
        rendering anything: for the summary the person confirms."""
        residence = parse_region(person.residence, "residence")
        uploaded = parse_region(person.uploaded_from, "uploaded_from", allow_unknown=True)
        plan = self._plan(person, self._shown_matches(person, result),
                          self._kinds(person, residence, uploaded, []), [])
        out: dict[str, list[str]] = {}
        for item in plan:
            out.setdefault(item.company.name, []).append(self.rules.get(item.kind).title)
        return list(out.items())

    def choice_context(self, person: Person, result: "CheckResult") -> tuple[bool, tuple[str, ...]]:
        """Whether "destroy now or preserve" is the person's to choose (a recipient gets a
        letter under a law the person can sue under), and the pending court cases over
        those recipients' use of the data, which make preserving their default."""
        residence = parse_region(person.residence, "residence")
        uploaded = parse_region(person.uploaded_from, "uploaded_from", allow_unknown=True)
        plan = self._plan(person, self._shown_matches(person, result),
                          self._kinds(person, residence, uploaded, []), [])
        suable = [item for item in plan if self.rules.get(item.kind).private_action]
        return bool(suable), tuple(sorted({c for item in suable for c in item.cases}))

    def make(self, person: Person, result: "CheckResult", on: date,
             progress: Callable[[int, int], None] | None = None, *,
             cover: bool = True) -> LettersOutcome:
        """Every letter for ``person`` about the matches in ``result``, dated ``on``,
        and the sender's cover sheet (unless ``cover`` is False: a campaign's agent
        letters go in a bundle with the organisation's own cover letter)."""
        residence = parse_region(person.residence, "residence")
        uploaded = parse_region(person.uploaded_from, "uploaded_from", allow_unknown=True)
        notes: list[str] = []
        kinds = self._kinds(person, residence, uploaded, notes)
        matches = self._shown_matches(person, result)
        plan = self._plan(person, matches, kinds, notes)
        # destroy-or-preserve matters where the person could bring a claim: for a company
        # that gets a letter under a law with a private action, all its letters follow the
        # person's choice (default: preserve while a case over the data is pending); every
        # other company is asked to delete now
        suable = {item.company.slug for item in plan if self.rules.get(item.kind).private_action}
        cases = tuple(sorted({c for item in plan if item.company.slug in suable for c in item.cases}))
        choices = {item.company.slug: (person.bipa_choice or ("preserve" if item.cases else "destroy"))
                   if item.company.slug in suable else "destroy" for item in plan}
        out = []
        for done, item in enumerate(plan, start=1):
            out.append(self._produce(person, item, on, choices[item.company.slug]))
            if progress:
                progress(done, len(plan))
        log.info("letters: %d produced for %d companies", len(out),
                 len({letter.company for letter in out}))
        notes = list(dict.fromkeys(notes))
        preserved = tuple(sorted({self.directory.get(c).name for c, v in choices.items()
                                  if v == "preserve"}))
        choice = "preserve" if preserved else "destroy"
        cover = build_cover(CoverInput(
            person=person, letters=tuple(out), notes=tuple(notes), choice=choice,
            chosen_by_person=bool(person.bipa_choice), cases=cases,
            private_action=bool(suable), preserved=preserved,
            photo_links=tuple(dict.fromkeys(photo_link(m.photo_id, m.owner, m.url) for m in matches
                                            if m.photo_id or m.url)),
            owner_notes=owner_mismatches(matches, {d.slug: d.name for d in self.registry}),
            other_cases=tuple(sorted({c for item in plan if choices[item.company.slug] == "destroy"
                                      for c in item.cases})),
            datasets=tuple(self.registry.get(s).name for s in sorted(
                {m.dataset for m in matches if m.dataset in self.registry})),
            share_link=self.share_link, on=on)) if out and cover else None
        return LettersOutcome(tuple(out), tuple(kinds), tuple(notes), cover, choice)

    # ---- choosing ------------------------------------------------------

    def _kinds(self, person: Person, residence, uploaded, notes: list[str]) -> list[KindChoice]:
        unknown = [k for k in person.kinds if not self.rules.known(k)]
        if unknown:
            raise InputError(f"kinds: unknown letter kind {unknown[0]!r} "
                             f"(known: {', '.join(self.rules.kinds())})")
        if person.shown == "not-me" and self.rules.uploader:
            return [KindChoice(self.rules.uploader, ("took or uploaded the photos, not shown in them",))]
        chosen = self.rules.choose(residence, uploaded)
        if person.kinds:
            wanted = {self.rules.canonical(k) for k in person.kinds}
            for kind in dict.fromkeys(self.rules.canonical(k) for k in person.kinds):
                if kind not in {c.kind for c in chosen}:
                    notes.append(f"The {kind} letter does not apply to where you live or uploaded "
                                 "from, so it was not made.")
            chosen = [c for c in chosen if c.kind in wanted]
        if person.shown not in ("me", "child") and any(self.rules.get(c.kind).biometric for c in chosen):
            raise InputError('shown: say who appears in the photos: "me", "child" (you write as '
                             'parent or guardian) or "not-me" (you only took or uploaded them); '
                             "letters about biometric data are for the person shown")
        return chosen

    def _shown_matches(self, person: Person, result: "CheckResult") -> tuple["Match", ...]:
        """The matches the letters are about: only the photos the person appears in,
        where they named them."""
        if not person.shown_photos or person.shown == "not-me":
            return tuple(result.matches)
        wanted = set(person.shown_photos)
        kept = tuple(m for m in result.matches if (m.photo_id and m.photo_id in wanted)
                     or (m.url and m.url in wanted))
        if not kept:
            raise InputError("shown_photos: none of the photos you named is among the matches; "
                             "give the photo IDs or links of matched photos, or leave it empty")
        return kept

    def _plan(self, person: Person, matches: Sequence["Match"], kinds: Sequence[KindChoice],
              notes: list[str]) -> list["_Planned"]:
        for slug in person.companies:
            if slug not in self.directory:
                raise InputError(f"companies: no company called {slug!r} in the directory "
                                 "(see `rightsbot companies`)")
        datasets = sorted({m.dataset for m in matches})
        for slug in datasets:
            if slug not in self.registry:
                notes.append(f"Matches in {slug!r} were found, but that dataset is not in the "
                             "registry, so no recipient is known for it.")
        options = recipient_options(datasets, self.registry, self.directory)
        tied = {o.slug for o in options}
        if person.companies:
            for slug in person.companies:
                if slug not in tied:
                    notes.append(f"{self.directory.get(slug).name}: not tied to any matched "
                                 "dataset, so no letter was made.")
            options = [o for o in options if o.slug in person.companies]
        else:
            notes += [o.why_not for o in options if not o.default]
            options = [o for o in options if o.default]
        plan: list[_Planned] = []
        for option in sorted(options, key=lambda o: o.slug):
            company = self.directory.get(option.slug)
            involvements = option.involvements
            tied_sets = {inv.dataset for inv in involvements}
            company_matches = tuple(m for m in matches if m.dataset in tied_sets)
            for recipient in self.rules.recipient_kinds(kinds, company.entity_type,
                                                        company.established_in):
                if recipient.note:
                    notes.append(f"{company.name}: {recipient.note}")
                plan.append(_Planned(company, recipient.kind, recipient.basis, involvements,
                                     company_matches, option.pending_cases))
        return plan

    # ---- producing -----------------------------------------------------

    def _produce(self, person: Person, item: "_Planned", on: date, choice: str) -> ProducedLetter:
        rule = self.rules.get(item.kind)
        residence = parse_region(person.residence, "residence")
        jurisdiction = letter_jurisdiction(rule, residence, item.basis, item.company.established_in)
        contact = item.company.contact_for(jurisdiction)
        slugs = sorted({inv.dataset for inv in item.involvements})
        composed = compose_letter(LetterInput(
            kind=item.kind, person=person, company=item.company, contact=contact,
            involvements=item.involvements, datasets=tuple(self.registry.get(s) for s in slugs),
            matches=item.matches, on=on, basis=item.basis, choice=choice),
            rules=self.rules, templates=self.templates, deadline_days=self.deadline_days)
        return self._finish(person, item.company, contact, composed, jurisdiction, item.basis)

    def _finish(self, person: Person, company: "Company", contact: "Contact",
                composed: ComposedLetter, jurisdiction: str | None, basis: str) -> ProducedLetter:
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
        agent = person.agent
        eml = build_eml(doc, sender_name=doc.signer if agent is None else f"{doc.signer} c/o {agent.name}",
                        sender_email=person.email if agent is None else agent.email,
                        recipient_email=contact.email, recipient_name=contact.receiver,
                        attachments=tuple(attachments))
        text = doc.text()
        rule = composed.rule
        return ProducedLetter(
            company=company.slug, company_name=company.name, kind=doc.kind, kind_title=rule.title,
            reference=doc.reference, date=doc.date, due=doc.due,
            statutory_deadline=composed.deadlines.statutory,
            acknowledge_by=composed.deadlines.acknowledge_by,
            extended_until=composed.deadlines.extended_until,
            escalation=_escalation(rule, person, jurisdiction), how_to_send=how_to_send(company, contact, stem),
            notes=tuple(_notes(rule, person, contact, jurisdiction)), document=doc, text=text,
            sha256=doc.text_sha256(), pdf=pdf, eml=eml, csv=csv, sealed=sealed,
            entity=contact.entity, care_of=contact.care_of, jurisdiction=jurisdiction, basis=basis,
            photos=composed.exhibit.photos, gaps=contact.gaps())


@dataclass(frozen=True)
class _Planned:
    company: "Company"
    kind: str
    basis: str
    involvements: tuple[Involvement, ...]
    matches: tuple["Match", ...]
    cases: tuple[str, ...]


def how_to_send(company: "Company", contact: "Contact", stem: str) -> str:
    """One paragraph for the person: which channel, where, and what to check first."""
    entity = contact.receiver
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
    return text


def _escalation(rule, person: Person, jurisdiction: str | None) -> str:
    variant = rule.variant_for(parse_region(person.residence, "residence"), jurisdiction)
    text = variant.escalation if variant else rule.escalation
    if rule.kind == "gdpr" and person.residence.split("-")[0] not in GDPR_COUNTRIES:
        # someone living outside the EU/UK has no authority "where they live"
        text = text.replace("in particular the one where you live",
                            "such as the one where the company is established (its letter names it)")
    return text


def _notes(rule, person: Person, contact: "Contact", jurisdiction: str | None) -> list[str]:
    """For the sender's cover sheet (never the letter): what is unverified about this letter."""
    notes = []
    residence = parse_region(person.residence, "residence")
    variant = rule.variant_for(residence, jurisdiction)
    if variant and variant.note:
        notes.append(variant.note)
    if not rule.verified and rule.note:
        notes.append(rule.note)
    state = rule.state_law(residence)
    if state is not None and not state.verified:
        notes.append(f"The details of the {state.act} have not been verified for rightsbot; "
                     "check them before relying on the letter.")
    return notes


# writing the files is output.py's job; the names stay importable from here
from .output import WrittenLetter, write_cover, write_letters  # noqa: E402

__all__ = ["LetterMaker", "LettersOutcome", "ProducedLetter", "RecipientOption", "SealSettings",
           "WrittenLetter", "how_to_send", "write_cover", "write_letters"]
