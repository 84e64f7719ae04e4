"""Sample people, companies and matches for the letter tests (not a test module).

Datasets, involvements and companies are the real bundled records (bot.registry,
bot.companies) unless a test needs a hostile one, built from the same classes."""

from __future__ import annotations

import dataclasses
from datetime import date

from bot.companies import Company, load_directory
from bot.letters.compose import LetterInput, letter_jurisdiction
from bot.letters.model import Person
from bot.letters.regions import parse_region
from bot.letters.rules import load_rules
from bot.registry import Involvement, load_registry

LETTER_DATE = date(2026, 11, 26)
RULES = load_rules()
PHOTO_IDS = ("1808093328", "2475911230", "3000000001")
NSID = "12345678@N00"


@dataclasses.dataclass(frozen=True)
class SampleMatch:
    """Shaped like bot.check.Match (DEVELOPERS.md)."""
    dataset: str
    match: str
    photo_id: str | None
    owner: str | None
    url: str | None
    distance: int | None = None
    query: str = ""


class SampleResult:
    """Shaped like bot.check.CheckResult for the parts the letters use."""

    def __init__(self, matches):
        self.matches = tuple(matches)
        self.problems = ()
        self.checked = ()

    def datasets(self) -> list[str]:
        return sorted({m.dataset for m in self.matches})


MATCHES = (
    SampleMatch("pipa", "flickr-photo", PHOTO_IDS[0], NSID, None, query=PHOTO_IDS[0]),
    SampleMatch("pipa", "flickr-owner", PHOTO_IDS[1], NSID, None, query=NSID),
    SampleMatch("pipa", "perceptual", PHOTO_IDS[2], None, None, distance=3, query="me.jpg"),
)

# One sample person per jurisdiction the rules know, plus "elsewhere".
JURISDICTIONS = {
    "US-IL": ["bipa-demand"],
    "US-CA": ["ccpa"],
    "US-TX": ["cubi", "us-state-privacy"],
    "US-WA": ["wa-biometric"],
    "US-CO": ["colorado"],
    "US-VA": ["us-state-privacy"],
    "DE": ["gdpr"],
    "FR": ["gdpr"],
    "GB": ["gdpr"],
    "CA": ["pipeda"],
    "CH": ["fadp"],
    "BR": ["generic"],
}


def person(residence: str = "US-IL", uploaded_from: str | None = None, **kw) -> Person:
    values = dict(name="Ann Example", address=("12 Main St", "Springfield"),
                  email="ann@example.org", residence=residence,
                  uploaded_from=uploaded_from or residence,
                  residence_dates="since 2009", upload_dates="2010 to 2014", shown="me")
    values.update(kw)
    return Person(**values)


def company(slug: str = "meta", **changes) -> Company:
    return dataclasses.replace(load_directory().get(slug), **changes)


def letter_input(kind: str, who: Person, recipient: Company | None = None,
                 matches=MATCHES, on: date = LETTER_DATE,
                 involvements: tuple[Involvement, ...] | None = None,
                 basis: str = "residence", choice: str = "destroy") -> LetterInput:
    recipient = recipient or company()
    registry = load_registry()
    slugs = sorted({m.dataset for m in matches})
    if involvements is None:
        involvements = tuple(i for i in registry.involvements(slugs) if i.company == recipient.slug)
        if not involvements:   # a made-up recipient: report it as a user of the datasets
            involvements = tuple(Involvement(recipient.slug, s, "user", "press",
                                             "https://example.org/report",
                                             "A newspaper reported in 2020 that it used the dataset.")
                                 for s in slugs)
    rule = RULES.get(kind)
    jurisdiction = letter_jurisdiction(rule, parse_region(who.residence, "residence"), basis,
                                       recipient.established_in)
    contact = recipient.contact_for(jurisdiction)
    return LetterInput(kind=kind, person=who, company=recipient, contact=contact,
                       involvements=involvements, datasets=tuple(registry.get(s) for s in slugs),
                       matches=tuple(matches), on=on, basis=basis, choice=choice)
