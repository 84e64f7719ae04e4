"""Quiet hours: reminders reach a person only between 9:00 and 20:00 their time.

The time zone comes from where they live (a US state's main zone; a country's zone from
the IANA table, or its capital's where it spans several), and the person can change it
(an IANA name such as "Europe/Berlin", or "UTC"). The hourly job hands a person their
reminders in the first hour of their day that is not quiet.
"""

from __future__ import annotations

import importlib.resources
from datetime import datetime, timezone
from functools import lru_cache
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError, available_timezones

from ..errors import InputError

FIRST_HOUR, LAST_HOUR = 9, 20          # reminders from 9:00 to 19:59 local time
DEFAULT_ZONE = "UTC"

# a US state's zone where most of its people live
US_STATES = {
    "AL": "America/Chicago", "AK": "America/Anchorage", "AZ": "America/Phoenix",
    "AR": "America/Chicago", "CA": "America/Los_Angeles", "CO": "America/Denver",
    "CT": "America/New_York", "DE": "America/New_York", "DC": "America/New_York",
    "FL": "America/New_York", "GA": "America/New_York", "HI": "Pacific/Honolulu",
    "ID": "America/Boise", "IL": "America/Chicago", "IN": "America/Indiana/Indianapolis",
    "IA": "America/Chicago", "KS": "America/Chicago", "KY": "America/New_York",
    "LA": "America/Chicago", "ME": "America/New_York", "MD": "America/New_York",
    "MA": "America/New_York", "MI": "America/Detroit", "MN": "America/Chicago",
    "MS": "America/Chicago", "MO": "America/Chicago", "MT": "America/Denver",
    "NE": "America/Chicago", "NV": "America/Los_Angeles", "NH": "America/New_York",
    "NJ": "America/New_York", "NM": "America/Denver", "NY": "America/New_York",
    "NC": "America/New_York", "ND": "America/Chicago", "OH": "America/New_York",
    "OK": "America/Chicago", "OR": "America/Los_Angeles", "PA": "America/New_York",
    "RI": "America/New_York", "SC": "America/New_York", "SD": "America/Chicago",
    "TN": "America/Chicago", "TX": "America/Chicago", "UT": "America/Denver",
    "VT": "America/New_York", "VA": "America/New_York", "WA": "America/Los_Angeles",
    "WV": "America/New_York", "WI": "America/Chicago", "WY": "America/Denver",
    "PR": "America/Puerto_Rico",
}
# countries over several zones: the capital's
CAPITALS = {"US": "America/New_York", "CA": "America/Toronto", "BR": "America/Sao_Paulo",
            "AU": "Australia/Sydney", "RU": "Europe/Moscow", "MX": "America/Mexico_City",
            "ID": "Asia/Jakarta", "KZ": "Asia/Almaty", "CN": "Asia/Shanghai",
            "AR": "America/Argentina/Buenos_Aires", "CL": "America/Santiago",
            "ES": "Europe/Madrid", "PT": "Europe/Lisbon", "DE": "Europe/Berlin",
            "NZ": "Pacific/Auckland", "FR": "Europe/Paris", "GB": "Europe/London"}


@lru_cache(maxsize=1)
def _country_zones() -> dict[str, str]:
    """Country code -> its first zone in the IANA zone.tab (shipped by ``tzdata``)."""
    text = importlib.resources.files("tzdata").joinpath("zoneinfo/zone.tab").read_text("utf-8")
    zones: dict[str, str] = {}
    for line in text.splitlines():
        if line and not line.startswith("#"):
            fields = line.split("\t")
            zones.setdefault(fields[0], fields[2])
    return zones


def zone_for(residence: str) -> str:
    """The time zone for a residence code ("US-IL", "DE-BE", "FR"), or UTC."""
    code = (residence or "").upper()
    country, _, sub = code.partition("-")
    if country == "US" and sub in US_STATES:
        return US_STATES[sub]
    return CAPITALS.get(country) or _country_zones().get(country) or DEFAULT_ZONE


def parse_zone(text: str) -> str:
    """A zone a person typed ("Europe/Berlin", "utc"); InputError with examples."""
    name = text.strip()
    if name.upper() in ("UTC", "GMT", "Z"):
        return "UTC"
    candidates = {zone.lower(): zone for zone in available_timezones()}
    found = candidates.get(name.lower().replace(" ", "_"))
    if found is None:
        raise InputError("I don't know that time zone. Type its name like Europe/Berlin, "
                         "America/Chicago or Asia/Tokyo, or UTC.")
    return found


def quiet(zone: str, now: datetime) -> bool:
    """Whether ``now`` is outside 9:00-20:00 in ``zone`` (an unknown zone counts as UTC)."""
    try:
        local = now.astimezone(ZoneInfo(zone))
    except (ZoneInfoNotFoundError, ValueError):
        local = now.astimezone(timezone.utc)
    return not FIRST_HOUR <= local.hour < LAST_HOUR
