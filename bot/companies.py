"""The company directory: which legal entity of each organisation a letter goes to, and how.

One JSON record per company or institution lives in ``bot/data/companies/``
(``<slug>.json``), validated against ``bot/data/schemas/company.schema.json``.
Several records start from the public-domain datenanfragen.de database (their
CC0 ``LICENSE`` sits beside them; each such record names its ``upstream``).
Facts are data with ``sources`` and a ``quality`` mark, never code.

A record lists the organisation's legal **entities**: the one public sources
tie to the datasets (the ``controller``), and its parent, establishments and
representatives elsewhere. Each entity says which law jurisdictions' letters it
``receives`` (``US`` for the US state laws, ``EU`` for the GDPR, ``GB`` for the
UK GDPR, ``CA`` for PIPEDA, ``CH`` for the Swiss FADP); a jurisdiction no entity
receives goes to the controller. :meth:`Company.contact_for` makes that choice
and returns a :class:`Contact`: the addressee, the channels, and the plain
sentences the sender must read first (an unverified or missing address, a
letter that can only go to a foreign affiliate).
"""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any, Iterator

from .errors import DataError, InputError
from .records import check_record, read_record, record_files, shown_path
from .regions import EU_EEA, is_region, readable_country, region_name
from .resources import data_path

log = logging.getLogger(__name__)

DEFAULT_DIR = data_path("companies")
ENTITY_TYPES = ("company", "public-university", "private-university", "nonprofit", "government")
MEDIUMS = ("email", "letter", "webform", "fax")
JURISDICTIONS = ("US", "EU", "GB", "CA", "CH")

EEA = EU_EEA
EEA_UK = EEA | {"GB", "UK"}
_JURISDICTION_NAMES = {"US": "the United States", "EU": "the EU or EEA",
                       "GB": "the United Kingdom", "CA": "Canada", "CH": "Switzerland"}
_LAW_WORDS = {"US": "US-law", "EU": "GDPR", "GB": "UK GDPR", "CA": "PIPEDA", "CH": "FADP"}
_RESIDENCE = re.compile(r"[A-Z]{2}(-[A-Z0-9]{1,3})?")


def in_jurisdiction(country: str, jurisdiction: str) -> bool:
    """Whether an entity established in ``country`` is inside ``jurisdiction``."""
    if jurisdiction == "EU":
        return country in EEA
    return country == jurisdiction


def jurisdiction_name(jurisdiction: str) -> str:
    return _JURISDICTION_NAMES.get(jurisdiction, jurisdiction)


@dataclass(frozen=True)
class Entity:
    """One legal entity of an organisation, with its privacy channels."""

    key: str
    name: str
    country: str                  # ISO 3166-1 code of its seat
    role: str                     # parent | subsidiary | eu-establishment | ... | office
    address: tuple[str, ...]      # postal lines, country last; empty if none could be sourced
    address_verified: bool
    medium: str
    sources: tuple[str, ...]
    receives: tuple[str, ...] = ()
    represents: str | None = None
    email: str | None = None
    webform: str | None = None
    phone: str | None = None
    fax: str | None = None
    notes: tuple[str, ...] = ()

    @property
    def country_name(self) -> str:
        return _country_label(self.country)

    def to_json(self) -> dict[str, Any]:
        return {"key": self.key, "name": self.name, "country": self.country, "role": self.role,
                "receives": list(self.receives), "represents": self.represents,
                "address": list(self.address), "address_verified": self.address_verified,
                "email": self.email, "webform": self.webform, "phone": self.phone,
                "fax": self.fax, "medium": self.medium, "sources": list(self.sources),
                "notes": list(self.notes)}


@dataclass(frozen=True)
class Contact:
    """Where one letter goes: the addressee and its channels, chosen for the letter's law."""

    company: str                 # slug
    entity: str                  # the legal entity the letter is addressed to
    care_of: str | None          # the representative or office it goes through, if any
    entity_key: str              # the receiving entity's key in the record
    country: str                 # where the receiving entity is established
    jurisdiction: str | None     # the law's jurisdiction ("US", "EU", ...), None for plain requests
    address: tuple[str, ...]
    email: str | None
    webform: str | None
    medium: str
    sources: tuple[str, ...]
    address_verified: bool
    notes: tuple[str, ...] = ()
    affiliate_note: str = ""     # for the sender: only a foreign affiliate is known, and so on

    @property
    def reachable(self) -> bool:
        return bool(self.address or self.email or self.webform)

    @property
    def receiver(self) -> str:
        """The name on the envelope: the representative, or the addressee itself."""
        return self.care_of or self.entity

    def recipient_lines(self) -> tuple[str, ...]:
        """The letter's address block: addressee, "c/o" line, postal lines, each once."""
        lines = [self.entity]
        if self.care_of:
            lines.append(f"c/o {self.care_of}")
        seen = {_fold(line) for line in lines}
        for line in self.address:
            if _fold(line) not in seen:
                lines.append(line)
                seen.add(_fold(line))
        return tuple(lines)

    def gaps(self) -> tuple[str, ...]:
        """Plain sentences about what the sender must check or find before sending."""
        out: list[str] = []
        who = self.receiver
        channel = bool(self.email or self.webform)
        if not self.address and not channel:
            out.append(f"{who}: no postal address, privacy email or web form is on file; find "
                       "them on the organisation's own privacy or contact page before sending. The "
                       "letter's address block shows only the name: if you post it, address the "
                       "envelope by hand.")
        elif not self.address:
            out.append(f"{who}: no postal address is on file; find it on the organisation's "
                       "own privacy or contact page before sending by post, and address the "
                       "envelope by hand (the letter's address block shows only the name).")
        elif not self.address_verified:
            out.append(f"{who}: the postal address has not been verified; check it against "
                       "the organisation's own privacy or contact page before sending.")
        if self.address and not channel:
            out.append(f"{who}: no privacy email or web form is on file.")
        if self.affiliate_note:
            out.append(self.affiliate_note)
        return tuple(out)


@dataclass(frozen=True)
class Company:
    slug: str
    name: str                     # display name, e.g. "IBM"
    entity_type: str              # see ENTITY_TYPES
    entities: tuple[Entity, ...]
    controller_key: str
    quality: str                  # "tested" | "verified" | "imported" | "scraped" | "unverified"
    sources: tuple[str, ...]
    notes: tuple[str, ...] = ()
    web: str | None = None
    runs: tuple[str, ...] = ()
    upstream: str | None = None   # URL of the datenanfragen record this one started from

    @property
    def controller(self) -> Entity:
        """The entity public sources tie to the datasets."""
        return self.entity(self.controller_key)

    @property
    def legal_entity(self) -> str:
        return self.controller.name

    @property
    def established_in(self) -> str:
        """The controller's country: an EU/EEA or UK controller gets GDPR letters from anyone."""
        return self.controller.country

    @property
    def reachable(self) -> bool:
        return any(e.address or e.email or e.webform for e in self.entities)

    @property
    def is_public_body(self) -> bool:
        return self.entity_type in ("public-university", "government")

    def entity(self, key: str) -> Entity:
        for entity in self.entities:
            if entity.key == key:
                return entity
        raise DataError(f"{self.slug}: no entity with key {key!r}")

    def receiver_for(self, jurisdiction: str | None) -> Entity:
        """The entity that receives letters of ``jurisdiction`` (else the controller)."""
        if jurisdiction is not None:
            for entity in self.entities:
                if jurisdiction in entity.receives:
                    return entity
        return self.controller

    def contact_for(self, jurisdiction: str | None) -> Contact:
        """The contact for a letter under a law of ``jurisdiction`` (None: a plain request)."""
        if jurisdiction is not None and jurisdiction not in JURISDICTIONS:
            raise DataError(f"unknown jurisdiction {jurisdiction!r} (known: {', '.join(JURISDICTIONS)})")
        receiver = self.receiver_for(jurisdiction)
        addressee = self.entity(receiver.represents) if receiver.represents else receiver
        return Contact(
            company=self.slug, entity=addressee.name,
            care_of=receiver.name if receiver is not addressee else None,
            entity_key=receiver.key, country=receiver.country, jurisdiction=jurisdiction,
            address=receiver.address, email=receiver.email, webform=receiver.webform,
            medium=receiver.medium, sources=receiver.sources,
            address_verified=receiver.address_verified and bool(receiver.address),
            notes=receiver.notes, affiliate_note=self._affiliate_note(receiver, addressee, jurisdiction))

    def _affiliate_note(self, receiver: Entity, addressee: Entity, jurisdiction: str | None) -> str:
        """For the sender: the letter goes to an entity outside the law's area, or to a
        group company that public reports do not name."""
        if jurisdiction is None:
            return ""
        law = _LAW_WORDS[jurisdiction]
        where = jurisdiction_name(jurisdiction)
        if receiver is not addressee and in_jurisdiction(receiver.country, jurisdiction):
            return ""     # through its representative or establishment there
        if not in_jurisdiction(addressee.country, jurisdiction):
            local = [e.name for e in self.entities if in_jurisdiction(e.country, jurisdiction)]
            head = (f"{self.name}: {' and '.join(local)} in {where} {'is' if len(local) == 1 else 'are'} "
                    f"on file, but {self.name}'s privacy notice does not make "
                    f"{'it' if len(local) == 1 else 'them'} the controller for this (see "
                    f"`rightsbot companies {self.slug}`), so the {law} letter goes to" if local else
                    f"{self.name}: no entity of {self.name} in {where} is on file, so the {law} "
                    "letter goes to")
            text = (f"{head} {addressee.name} in {readable_country(addressee.country_name)}"
                    + (" (you may send a copy to the entity in " + where + ")" if local else "")
                    + ". Whether the law reaches it there may be disputed")
            text += (" (for the GDPR, Article 3(2) and the company's Article 27 representative, if "
                     "it has one; look for it in the company's privacy notice)." if jurisdiction in ("EU", "GB")
                     else ".")
        else:
            text = ""
        if addressee.role == "subsidiary" and addressee.key != self.controller_key:
            text += (f"{' ' if text else ''}{self.name}: {addressee.name} is the group's entity for "
                     f"{where}, but public reports name the group, not this company: ask it to pass "
                     "the letter on to the group company that used the dataset.")
        return text

    def to_json(self) -> dict[str, Any]:
        return {
            "slug": self.slug, "name": self.name, "entity_type": self.entity_type,
            "controller": self.controller_key, "entities": [e.to_json() for e in self.entities],
            "web": self.web, "quality": self.quality, "sources": list(self.sources),
            "notes": list(self.notes), "upstream": self.upstream,
        }


def residence_region(residence: str) -> str:
    """"us" for US residents (US, US-IL, ...), "eea-uk" for the EU/EEA/UK, else "other".

    Raises InputError for anything that is not an ISO country or subdivision code."""
    code = (residence or "").strip().upper()
    if len(code) > 6 or not _RESIDENCE.fullmatch(code):
        raise InputError("Where you live must be a country code such as DE or GB, or a US state "
                         "such as US-IL.")
    country = code[:2]
    if country == "US":
        return "us"
    if country in EEA_UK:
        return "eea-uk"
    return "other"


class CompanyDirectory:
    """All company records, by slug."""

    def __init__(self, companies: dict[str, Company], folder: Path | None = None):
        self._companies = dict(sorted(companies.items()))
        self.folder = folder

    def get(self, slug: str) -> Company:
        try:
            return self._companies[slug]
        except (KeyError, TypeError):
            raise DataError(f"No company called {str(slug)[:64]!r} is in the company directory "
                            "(see `rightsbot companies`).") from None

    def all(self) -> list[Company]:
        return list(self._companies.values())

    def slugs(self) -> list[str]:
        return list(self._companies)

    def contact_for(self, slug: str, jurisdiction: str | None) -> Contact:
        """The contact of company ``slug`` for a letter under a law of ``jurisdiction``."""
        return self.get(slug).contact_for(jurisdiction)

    def __contains__(self, slug: object) -> bool:
        return slug in self._companies

    def __iter__(self) -> Iterator[Company]:
        return iter(self._companies.values())

    def __len__(self) -> int:
        return len(self._companies)


def load_directory(path: Path | None = None) -> CompanyDirectory:
    """Load and validate every ``*.json`` record in ``path`` (default: the bundled directory).

    Raises DataError naming the file and the field at the first bad record."""
    if path is None:
        return _default_directory()
    return _load(Path(path))


@lru_cache(maxsize=1)
def _default_directory() -> CompanyDirectory:
    return _load(DEFAULT_DIR)


def _load(folder: Path) -> CompanyDirectory:
    companies: dict[str, Company] = {}
    for file in record_files(folder, ".json"):
        company = company_from_record(read_record(file), file)
        companies[company.slug] = company
    if not companies:
        raise DataError(f"{folder}: no company records (*.json) found")
    log.debug("loaded %d company records from %s", len(companies), folder)
    return CompanyDirectory(companies, folder)


def company_from_record(data: dict[str, Any], file: Path) -> Company:
    """Validate one parsed record and build its Company."""
    where = shown_path(file)
    check_record(data, "company", where)
    if data["slug"] != file.stem:
        raise DataError(f"{where}: field 'slug': must equal the file name {file.stem!r} "
                        f"(got {data['slug']!r})")
    entities = tuple(_entity(raw, where, f"entities[{i}].")
                     for i, raw in enumerate(data["entities"]))
    _check_entities(entities, where)
    controller = data.get("controller", entities[0].key)
    if controller not in {e.key for e in entities}:
        raise DataError(f"{where}: field 'controller': no entity with key {controller!r}")
    if next(e for e in entities if e.key == controller).represents:
        raise DataError(f"{where}: field 'controller': {controller!r} is a representative; "
                        "name the entity it represents")
    upstream = data.get("upstream")
    return Company(
        slug=data["slug"], name=data["display_name"], entity_type=data["entity_type"],
        entities=entities, controller_key=controller, quality=data["quality"],
        sources=tuple(data["sources"]), notes=tuple(data.get("notes", ())), web=data.get("web"),
        runs=tuple(data.get("runs", ())), upstream=upstream["url"] if upstream else None)


def _entity(raw: dict[str, Any], where: str, prefix: str) -> Entity:
    _check_channels(raw, where, prefix)
    return Entity(
        key=raw["key"], name=raw["name"], country=raw["country"], role=raw["role"],
        address=tuple(raw["address"]), address_verified=raw["address_verified"],
        medium=raw["medium"], sources=tuple(raw["sources"]), receives=tuple(raw.get("receives", ())),
        represents=raw.get("represents"), email=raw.get("email"), webform=raw.get("webform"),
        phone=raw.get("phone"), fax=raw.get("fax"), notes=tuple(raw.get("notes", ())))


def _check_entities(entities: tuple[Entity, ...], where: str) -> None:
    keys: set[str] = set()
    received: dict[str, str] = {}
    for i, entity in enumerate(entities):
        if not is_region(entity.country):
            raise DataError(f"{where}: field 'entities[{i}].country': {entity.country!r} is not an "
                            "ISO 3166-1 country code (the United Kingdom is GB)")
        if entity.key in keys:
            raise DataError(f"{where}: field 'entities[{i}].key': {entity.key!r} is used twice")
        keys.add(entity.key)
        for jurisdiction in entity.receives:
            if jurisdiction in received:
                raise DataError(f"{where}: field 'entities[{i}].receives': {jurisdiction} letters "
                                f"already go to {received[jurisdiction]!r}")
            received[jurisdiction] = entity.key
    for i, entity in enumerate(entities):
        if entity.represents is not None:
            if entity.represents == entity.key or entity.represents not in keys:
                raise DataError(f"{where}: field 'entities[{i}].represents': no other entity with "
                                f"key {entity.represents!r}")
            if next(e for e in entities if e.key == entity.represents).represents:
                raise DataError(f"{where}: field 'entities[{i}].represents': {entity.represents!r} "
                                "is itself a representative")
        if _fold(entity.name) in {_fold(line) for line in entity.address}:
            raise DataError(f"{where}: field 'entities[{i}].address': repeats the entity's name "
                            f"{entity.name!r}; the letter prints the name above the address")


def _check_channels(record: dict[str, Any], where: str, prefix: str) -> None:
    """The suggested medium must have its channel; a verified address must exist."""
    medium = record.get("medium")
    needs = {"email": "email", "webform": "webform", "fax": "fax"}
    if medium in needs and not record.get(needs[medium]):
        raise DataError(f"{where}: field '{prefix}medium': is {medium!r} but the entity has no "
                        f"{needs[medium]!r}")
    if record.get("address_verified") and not record.get("address"):
        raise DataError(f"{where}: field '{prefix}address_verified': is true but the entity has "
                        "no address")


def _fold(text: str) -> str:
    return " ".join(text.casefold().replace(",", " ").replace(".", " ").split())


def _country_label(code: str) -> str:
    return region_name(code)
