"""Places: ISO 3166 country codes and US state codes, parsed from what people type.

A region code is either a country (``"DE"``) or a US state or territory in
ISO 3166-2 form (``"US-IL"``). Letters depend on it, so parsing is careful:
two-letter codes that are both a country and a state (``CA``, ``IL``, ``DE``)
are read by context, never guessed.
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache
from typing import Literal

import pycountry

from .errors import InputError

Context = Literal["any", "us-state", "country", "de-state"]

# Names people use that ISO does not list.
_COUNTRY_ALIASES = {
    "uk": "GB", "u.k.": "GB", "england": "GB", "scotland": "GB", "wales": "GB",
    "northern ireland": "GB", "great britain": "GB", "britain": "GB",
    "holland": "NL", "the netherlands": "NL", "deutschland": "DE", "brasil": "BR",
    "espana": "ES", "españa": "ES", "italia": "IT", "osterreich": "AT", "österreich": "AT",
    "schweiz": "CH", "suisse": "CH", "polska": "PL", "russia": "RU", "south korea": "KR",
    "korea": "KR", "north korea": "KP", "vietnam": "VN", "iran": "IR", "syria": "SY",
    "czech republic": "CZ", "turkey": "TR", "ivory coast": "CI", "uae": "AE",
    "bolivia": "BO", "venezuela": "VE", "tanzania": "TZ", "taiwan": "TW", "laos": "LA",
    "moldova": "MD", "macedonia": "MK", "palestine": "PS", "vatican": "VA",
}
_US_WORDS = {"us", "usa", "u.s.", "u.s.a.", "united states", "united states of america", "america"}

# The EU and EEA member states (GDPR applies), and the UK (UK GDPR).
EU_EEA = frozenset("AT BE BG HR CY CZ DK EE FI FR DE GR HU IE IT LV LT LU MT NL PL PT RO SK SI ES SE "
                   "IS LI NO".split())
GDPR_COUNTRIES = EU_EEA | {"GB"}

MAX_INPUT = 100


def _fold(text: str) -> str:
    text = unicodedata.normalize("NFKC", text).strip().casefold()
    return re.sub(r"\s+", " ", text.strip(" .,;:!?\"'()"))


@lru_cache(maxsize=1)
def us_states() -> tuple[tuple[str, str], ...]:
    """(code, name) of every US state, DC and territory, sorted by name."""
    subs = pycountry.subdivisions.get(country_code="US") or []
    return tuple(sorted(((s.code, s.name) for s in subs), key=lambda cn: cn[1]))


@lru_cache(maxsize=1)
def _state_names() -> dict[str, str]:
    out = {}
    for code, name in us_states():
        out[_fold(name)] = code
        out[_fold(code)] = code           # "us-il"
        out[_fold(code)[3:]] = code       # "il": only used where a state is meant
    out["washington state"] = "US-WA"
    out["washington dc"] = out["washington d.c"] = out["d.c"] = out["dc"] = "US-DC"
    return out


@lru_cache(maxsize=1)
def de_states() -> tuple[tuple[str, str], ...]:
    """(code, name) of every German federal state (Land), sorted by name. A German
    resident's Land decides which data protection authority they can complain to."""
    subs = pycountry.subdivisions.get(country_code="DE") or []
    return tuple(sorted(((s.code, s.name) for s in subs), key=lambda cn: cn[1]))


def is_region(code: str) -> bool:
    """True for a known country code, a US-XX state or a DE-XX Land."""
    if code.startswith("US-"):
        return any(code == c for c, _ in us_states())
    if code.startswith("DE-"):
        return any(code == c for c, _ in de_states())
    return len(code) == 2 and pycountry.countries.get(alpha_2=code) is not None


def region_name(code: str) -> str:
    """A readable name: ``"Illinois, United States"``, ``"Berlin, Germany"``, ``"Germany"``."""
    for prefix, states, country_name in (("US-", us_states, "United States"),
                                          ("DE-", de_states, "Germany")):
        if code.startswith(prefix):
            for c, name in states():
                if c == code:
                    return f"{name}, {country_name}"
    country = pycountry.countries.get(alpha_2=code) if len(code) == 2 else None
    if country is not None:
        return getattr(country, "common_name", None) or country.name
    return code


def country_of(code: str) -> str:
    return code.split("-", 1)[0] if code.startswith(("US-", "DE-")) else code


@lru_cache(maxsize=1)
def _de_state_names() -> dict[str, str]:
    out = {}
    for code, name in de_states():
        out[_fold(name)] = code
        out[_fold(code)] = code
    out.update({_fold(k): v for k, v in {
        "Bavaria": "DE-BY", "Lower Saxony": "DE-NI", "North Rhine-Westphalia": "DE-NW",
        "Rhineland-Palatinate": "DE-RP", "Saxony": "DE-SN", "Saxony-Anhalt": "DE-ST",
        "Thuringia": "DE-TH", "Hesse": "DE-HE", "Mecklenburg-Western Pomerania": "DE-MV"}.items()})
    return out


def parse_region(text: str, context: Context = "any") -> str:
    """The region code for what a person typed, or :class:`InputError`.

    ``context`` says how to read a bare two-letter code: as a US state
    (``"us-state"``), as a country (``"country"``), or, with ``"any"``, only
    when it is not both.
    """
    if not isinstance(text, str) or not text.strip() or len(text) > MAX_INPUT:
        raise InputError("Please type a US state or a country.")
    folded = _fold(text)
    if context == "de-state":
        if folded in _de_state_names():
            return _de_state_names()[folded]
        raise InputError(f"I don't know the German state \"{text.strip()[:40]}\". Tap it, or type its "
                         "name, like Berlin or Bayern.")
    states = _state_names()
    if folded in states and (len(folded) > 2 or context == "us-state"):
        return states[folded]
    if folded.startswith("us-") and folded in states:
        return states[folded]
    if folded in _COUNTRY_ALIASES:
        return _COUNTRY_ALIASES[folded]
    if folded in _US_WORDS:
        raise InputError("Which US state? Type its name, like Illinois or California.")
    if len(folded) == 2 and folded.isalpha():
        as_state = states.get(folded)
        as_country = pycountry.countries.get(alpha_2=folded.upper())
        if context == "us-state":
            if as_state:
                return as_state
            raise InputError(f"{text.strip()} is not a US state code.")
        if context == "country" or as_state is None:
            if as_country is not None:
                return as_country.alpha_2
            raise InputError(f"I don't know the country code {text.strip()}.")
        if as_country is None:
            return as_state
        raise InputError(
            f"{text.strip().upper()} could be the US state {region_name(as_state).split(',')[0]} "
            f"or {region_name(as_country.alpha_2)}. Please type the full name.")
    if context != "us-state":
        try:
            return pycountry.countries.lookup(folded).alpha_2
        except LookupError:
            pass
    raise InputError(f"I don't know the place \"{text.strip()[:40]}\". Type a US state "
                     "(like Illinois) or a country (like Germany).")


# Country names that read wrong after "I live in" without an article.
_WITH_ARTICLE = ("United ", "Netherlands", "Philippines", "Bahamas", "Gambia", "Maldives",
                 "Dominican Republic", "Central African Republic", "Czech Republic",
                 "Comoros", "Marshall Islands", "Solomon Islands", "Cayman Islands",
                 "Falkland Islands", "Faroe Islands", "Virgin Islands", "Russian Federation",
                 "Holy See", "Cook Islands", "Turks and Caicos Islands", "Seychelles")


def readable_country(name: str) -> str:
    """A country name as it reads after \"in\": \"the United Kingdom\", \"the Netherlands\", \"Germany\"."""
    if ", " in name:   # ISO style "Congo, The Democratic Republic of the"
        head, tail = name.split(", ", 1)
        name = f"{tail} {head}"
    if name.startswith(("The ", "the ")):
        return "the " + name[4:]
    if name.startswith(_WITH_ARTICLE):
        return "the " + name
    return name[0].upper() + name[1:]
