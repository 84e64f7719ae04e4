"""The company directory: where to send a privacy request to each company.

One JSON record per company or institution lives in ``bot/data/companies/``
(``<slug>.json``), validated against ``bot/data/schemas/company.schema.json``.
Several records start from the public-domain datenanfragen.de database (their
CC0 ``LICENSE`` sits beside them; each such record names its ``upstream``).
Facts are data with ``sources`` and a ``quality`` mark, never code.

A record whose postal address nobody has checked has ``address_verified``
false: every letter to it must tell the sender to check the address before
sending. Some records have no address at all; :attr:`Company.reachable` and
:meth:`Contact.gaps` say so, so the letter flow can ask the person to look it up.

:meth:`CompanyDirectory.contact_for` picks the right entity for the sender:
US residents write to the US privacy contact where the record has one, people
in the EU/EEA/UK (and everyone else) to the main entity.
"""

from __future__ import annotations

import dataclasses
import logging
import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any, Iterator

from .errors import DataError, InputError
from .records import check_record, read_record, record_files, shown_path
from .resources import data_path

log = logging.getLogger(__name__)

DEFAULT_DIR = data_path("companies")
ENTITY_TYPES = ("company", "public-university", "private-university", "nonprofit", "government")
MEDIUMS = ("email", "letter", "webform", "fax")

# ISO 3166-1 alpha-2: the EU member states, the other EEA states and the UK ("UK" accepted too).
EEA_UK = frozenset(
    "AT BE BG HR CY CZ DK EE FI FR DE GR HU IE IT LV LT LU MT NL PL PT RO SK SI ES SE "
    "IS LI NO GB UK".split())
_RESIDENCE = re.compile(r"[A-Z]{2}(-[A-Z0-9]{1,3})?")


@dataclass(frozen=True)
class UsContact:
    """The US privacy contact of a company whose main record is another (usually EU) entity."""

    entity: str
    address: tuple[str, ...]
    email: str | None
    webform: str | None
    medium: str
    sources: tuple[str, ...]
    verified: bool
    notes: tuple[str, ...] = ()


@dataclass(frozen=True)
class Contact:
    """The entity and channels one sender should use, already chosen for their residence."""

    company: str                 # slug
    entity: str                  # legal entity to address
    address: tuple[str, ...]
    email: str | None
    webform: str | None
    medium: str
    sources: tuple[str, ...]
    address_verified: bool
    region: str                  # "us" | "eea-uk" | "other": how the residence was read
    is_us_contact: bool          # True when this is the record's separate US contact
    notes: tuple[str, ...] = ()
    alternative: "Contact | None" = None   # the record's other entity, when there is one

    @property
    def reachable(self) -> bool:
        return bool(self.address or self.email or self.webform)

    def gaps(self) -> tuple[str, ...]:
        """Plain sentences about what the sender must check or find before sending."""
        out: list[str] = []
        if not self.address:
            out.append(f"{self.entity}: no postal address is on file; find it on the "
                       "organisation's own privacy or contact page before sending.")
        elif not self.address_verified:
            out.append(f"{self.entity}: the postal address has not been verified; check it "
                       "before sending.")
        if not (self.email or self.webform):
            out.append(f"{self.entity}: no privacy email or web form is on file.")
        return tuple(out)


@dataclass(frozen=True)
class Company:
    slug: str
    name: str                     # display name, e.g. "IBM"
    legal_entity: str             # e.g. "IBM International Group B.V."
    address: tuple[str, ...]      # postal lines, country last; empty if none could be sourced
    email: str | None
    webform: str | None
    medium: str                   # "email" | "letter" | "webform" | "fax"
    sources: tuple[str, ...]
    quality: str                  # "tested" | "verified" | "imported" | "scraped" | "unverified"
    address_verified: bool
    us_contact: UsContact | None
    entity_type: str = "company"  # see ENTITY_TYPES
    notes: tuple[str, ...] = ()
    web: str | None = None
    phone: str | None = None
    fax: str | None = None
    runs: tuple[str, ...] = ()
    upstream: str | None = None   # URL of the datenanfragen record this one started from

    @property
    def reachable(self) -> bool:
        """Whether the main record has any channel at all (address, email or web form)."""
        return bool(self.address or self.email or self.webform)

    @property
    def is_public_body(self) -> bool:
        return self.entity_type in ("public-university", "government")

    def contact_for(self, residence: str) -> Contact:
        """The contact a person living in ``residence`` ("US-IL", "DE", "GB") should use."""
        region = residence_region(residence)
        main = self._main_contact(region)
        if self.us_contact is None:
            return main
        us = self._us_contact(region)
        if region == "us":
            return _with_alternative(us, main)
        return _with_alternative(main, us)

    def to_json(self) -> dict[str, Any]:
        us = self.us_contact
        return {
            "slug": self.slug, "name": self.name, "legal_entity": self.legal_entity,
            "entity_type": self.entity_type, "address": list(self.address),
            "address_verified": self.address_verified, "email": self.email,
            "webform": self.webform, "web": self.web, "medium": self.medium,
            "quality": self.quality, "sources": list(self.sources), "notes": list(self.notes),
            "us_contact": None if us is None else {
                "entity": us.entity, "address": list(us.address), "email": us.email,
                "webform": us.webform, "medium": us.medium, "sources": list(us.sources),
                "verified": us.verified, "notes": list(us.notes)},
            "upstream": self.upstream,
        }

    def _main_contact(self, region: str) -> Contact:
        return Contact(company=self.slug, entity=self.legal_entity, address=self.address,
                       email=self.email, webform=self.webform, medium=self.medium,
                       sources=self.sources, address_verified=self.address_verified,
                       region=region, is_us_contact=False, notes=self.notes)

    def _us_contact(self, region: str) -> Contact:
        us = self.us_contact
        assert us is not None
        return Contact(company=self.slug, entity=us.entity, address=us.address, email=us.email,
                       webform=us.webform, medium=us.medium, sources=us.sources,
                       address_verified=us.verified and bool(us.address), region=region,
                       is_us_contact=True, notes=us.notes)


def _with_alternative(first: Contact, other: Contact) -> Contact:
    return dataclasses.replace(first, alternative=other)


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

    def contact_for(self, slug: str, residence: str) -> Contact:
        """The contact of company ``slug`` for a person living in ``residence``."""
        return self.get(slug).contact_for(residence)

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
    _check_channels(data, where)
    us = data.get("us_contact")
    us_contact = None
    if us is not None:
        _check_channels(us, where, prefix="us_contact.")
        us_contact = UsContact(
            entity=us["entity"], address=tuple(us["address"]), email=us.get("email"),
            webform=us.get("webform"), medium=us.get("medium") or _default_medium(us),
            sources=tuple(us["sources"]), verified=us["verified"], notes=tuple(us.get("notes", ())))
    upstream = data.get("upstream")
    return Company(
        slug=data["slug"], name=data["display_name"], legal_entity=data["legal_entity"],
        address=tuple(data["address"]), email=data.get("email"), webform=data.get("webform"),
        medium=data["medium"], sources=tuple(data["sources"]), quality=data["quality"],
        address_verified=data["address_verified"], us_contact=us_contact,
        entity_type=data["entity_type"], notes=tuple(data.get("notes", ())), web=data.get("web"),
        phone=data.get("phone"), fax=data.get("fax"), runs=tuple(data.get("runs", ())),
        upstream=upstream["url"] if upstream else None)


def _default_medium(record: dict[str, Any]) -> str:
    if record.get("email"):
        return "email"
    if record.get("webform"):
        return "webform"
    return "letter"


def _check_channels(record: dict[str, Any], where: str, prefix: str = "") -> None:
    """The suggested medium must have its channel; a verified address must exist."""
    medium = record.get("medium")
    needs = {"email": "email", "webform": "webform", "fax": "fax"}
    if medium in needs and not record.get(needs[medium]):
        raise DataError(f"{where}: field '{prefix}medium': is {medium!r} but the record has no "
                        f"{needs[medium]!r}")
    verified_key = "verified" if prefix else "address_verified"
    if record.get(verified_key) and not record.get("address"):
        raise DataError(f"{where}: field '{prefix}{verified_key}': is true but the record has "
                        "no address")
