"""Sample people, datasets, companies and matches for the letter tests.

Datasets and companies use the registry's and directory's own dataclasses
when those modules exist; the shapes follow DEVELOPERS.md either way."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from bot.letters.model import Person

LETTER_DATE = date(2026, 11, 26)


@dataclass(frozen=True)
class SampleUser:
    company: str
    strength: str
    source: str
    note: str


@dataclass(frozen=True)
class SampleDataset:
    slug: str
    name: str
    creator: str
    year: int
    size: str = "63,188 person instances"
    source: str = "https://people.eecs.berkeley.edu/~nzhang/piper.html"
    status: str = "available"
    license: str = "research"
    links: tuple[str, ...] = ()
    users: tuple[SampleUser, ...] = ()
    description: str = ""


@dataclass(frozen=True)
class SampleCompany:
    slug: str
    name: str
    legal_entity: str
    address: tuple[str, ...]
    email: str | None = None
    webform: str | None = None
    medium: str = "email"
    sources: tuple[str, ...] = ()
    quality: str = "verified"
    address_verified: bool = True
    us_contact: object = None
    entity_type: str = "company"


@dataclass(frozen=True)
class SampleMatch:
    dataset: str
    match: str
    photo_id: str | None
    owner: str | None
    url: str | None
    distance: int | None = None
    query: str = ""


META_USER = SampleUser("meta", "press", "https://example.org/pipa-report",
                       "PIPA was released by UC Berkeley and Facebook AI Research researchers in 2015 (reported).")
PIPA = SampleDataset("pipa", "PIPA (People In Photo Albums)", "uc-berkeley", 2015, users=(META_USER,))
MEGAFACE = SampleDataset("megaface", "MegaFace", "university-of-washington", 2016,
                         source="https://megaface.cs.washington.edu/",
                         users=(SampleUser("google", "press", "https://www.nytimes.com/2019/10/11/technology/flickr-facial-recognition.html",
                                           "The New York Times reported on 11 October 2019 that Google downloaded MegaFace."),))
META = SampleCompany("meta", "Meta", "Meta Platforms, Inc.", ("1 Meta Way", "Menlo Park, CA 94025", "United States"),
                     email="privacy@example.com")
UNVERIFIED = SampleCompany("acme", "Acme Vision", "Acme Vision Ltd.", ("1 Road", "London"),
                           address_verified=False)
UNIVERSITY = SampleCompany("uc-berkeley", "UC Berkeley", "The Regents of the University of California",
                           ("200 California Hall", "Berkeley, CA 94720", "United States"),
                           entity_type="public-university")

MATCHES = (
    SampleMatch("pipa", "flickr-photo", "1808093328", "12345678@N00", None, query="1808093328"),
    SampleMatch("pipa", "flickr-owner", "2475911230", "12345678@N00", None, query="12345678@N00"),
    SampleMatch("pipa", "perceptual", "3000000001", None, None, distance=3, query="me.jpg"),
)


def person(residence: str = "US-IL", uploaded_from: str = "US-IL", **kw) -> Person:
    values = dict(name="Ann Example", address=("12 Main St", "Chicago, IL 60601"),
                  email="ann@example.org", residence=residence, uploaded_from=uploaded_from,
                  residence_dates="since 2009", upload_dates="2010 to 2014")
    values.update(kw)
    return Person(**values)
