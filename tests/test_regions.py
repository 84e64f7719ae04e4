"""Parsing places people type into region codes."""

from __future__ import annotations

import pytest

from bot.errors import InputError
from bot.regions import GDPR_COUNTRIES, is_region, parse_region, region_name, us_states


@pytest.mark.parametrize("text, context, code", [
    ("Illinois", "any", "US-IL"),
    ("  illinois. ", "any", "US-IL"),
    ("US-IL", "any", "US-IL"),
    ("us-ca", "any", "US-CA"),
    ("IL", "us-state", "US-IL"),
    ("CA", "us-state", "US-CA"),
    ("CA", "country", "CA"),
    ("DE", "country", "DE"),
    ("Germany", "any", "DE"),
    ("Deutschland", "any", "DE"),
    ("UK", "any", "GB"),
    ("Scotland", "country", "GB"),
    ("brasil", "any", "BR"),
    ("Washington", "any", "US-WA"),
    ("Washington DC", "any", "US-DC"),
    ("FR", "any", "FR"),        # a country, and no state has that code
    ("TX", "any", "US-TX"),     # a state, and no country has that code
    ("Texas", "country", "US-TX"),  # full state names are never ambiguous
])
def test_parse_region(text, context, code):
    assert parse_region(text, context) == code


@pytest.mark.parametrize("text, context, message", [
    ("CA", "any", "could be the US state California or Canada"),
    ("IL", "any", "could be the US state Illinois or Israel"),
    ("USA", "any", "Which US state?"),
    ("Atlantis", "any", "I don't know the place"),
    ("ZZ", "country", "I don't know the country code"),
    ("FR", "us-state", "is not a US state code"),
    ("", "any", "Please type"),
    ("x" * 500, "any", "Please type"),
    ("{{ 7*7 }}", "any", "I don't know the place"),
])
def test_parse_region_errors(text, context, message):
    with pytest.raises(InputError, match=message):
        parse_region(text, context)


def test_names_and_validity():
    assert region_name("US-IL") == "Illinois, United States"
    assert region_name("DE") == "Germany"
    assert is_region("US-IL") and is_region("DE")
    assert not is_region("US-XX") and not is_region("XX") and not is_region("DEU")
    assert "GB" in GDPR_COUNTRIES and "NO" in GDPR_COUNTRIES and "CH" not in GDPR_COUNTRIES
    codes = [c for c, _ in us_states()]
    assert "US-DC" in codes and len([c for c in codes]) >= 51
