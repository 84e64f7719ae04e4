"""Region codes as the letter rules see them.

Codes come from :mod:`bot.regions` (the one parser the journey uses too): an
ISO 3166-1 country ("DE") or a US state in ISO 3166-2 form ("US-IL"). Here a
code becomes a :class:`Region` that rules can match against and letters can
name; a person file may also say ``uploaded_from = "unknown"``.
"""

from __future__ import annotations

from dataclasses import dataclass

from ..errors import InputError
from ..regions import country_of, is_region, readable_country, region_name

UNKNOWN = "unknown"


@dataclass(frozen=True)
class Region:
    code: str          # "US-IL", "DE", or "unknown"
    country: str       # "US", "DE", or "" when unknown

    @property
    def known(self) -> bool:
        return self.code != UNKNOWN

    def label(self) -> str:
        """How a letter names the place after "in": "Illinois, United States",
        "Germany", "the United Kingdom"."""
        if not self.known:
            return "an unknown place"
        name = region_name(self.code)
        if self.country == self.code:
            name = readable_country(name)
        return name

    def short(self) -> str:
        """"Illinois", "Germany": the place without its country."""
        return self.label().split(",")[0]


def parse_region(value: object, field: str, *, allow_unknown: bool = False) -> Region:
    """Validate a region code; errors name ``field`` and say what would work."""
    hint = "use a code like \"US-IL\" (a US state) or \"DE\" (a country)"
    if not isinstance(value, str):
        raise InputError(f"{field}: must be a region code in quotes; {hint}")
    code = value.strip().upper()
    if allow_unknown and code == UNKNOWN.upper():
        return Region(UNKNOWN, "")
    if code == "US":
        raise InputError(f"{field}: give the US state too, like \"US-IL\" (the letters depend on it)")
    if not is_region(code):
        raise InputError(f"{field}: {value.strip()[:40]!r} is not a known region code; {hint}"
                         + (", or \"unknown\"" if allow_unknown else ""))
    return Region(code, country_of(code))


def matches(region: Region, pattern: str) -> bool:
    """Whether ``region`` lies in ``pattern`` (a country code or an exact US state)."""
    if not region.known:
        return False
    if "-" in pattern:
        return region.code == pattern
    return region.country == pattern
