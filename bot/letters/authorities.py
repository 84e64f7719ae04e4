"""Data protection supervisory authorities by country (``bot/data/authorities.toml``).

A GDPR letter names the authority the sender can complain to (Art. 77: in
particular the one where they live) and, for a controller established in the
EU, the one where it is established; PIPEDA and FADP letters name their
commissioner. Data, not code: a test loads the file and checks every entry.
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from ..errors import DataError
from ..resources import data_path

AUTHORITIES_PATH = data_path("authorities.toml")


@dataclass(frozen=True)
class Authority:
    country: str
    name: str     # with its article: "the Data Protection Commission (Ireland)"
    web: str


class Authorities:
    def __init__(self, by_country: dict[str, Authority], same_as: dict[str, str], source: str):
        self._by_country, self._same_as, self.source = by_country, same_as, source

    def for_country(self, country: str) -> Authority | None:
        """The authority for ``country`` ("DE", "US-IL" gives None), or None if it has none here."""
        code = country.split("-")[0].upper()
        return self._by_country.get(self._same_as.get(code, code))

    def countries(self) -> list[str]:
        return sorted(self._by_country)


@lru_cache(maxsize=1)
def load_authorities(path: Path | None = None) -> Authorities:
    path = path or AUTHORITIES_PATH
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as exc:
        raise DataError(f"{path.name}: cannot read ({exc})") from None
    countries = data.get("countries")
    if not isinstance(countries, dict) or not countries:
        raise DataError(f"{path.name}: no [countries] table")
    by_country = {}
    for code, raw in countries.items():
        if not (isinstance(raw, dict) and isinstance(raw.get("name"), str) and raw["name"].startswith("the ")
                and isinstance(raw.get("web"), str) and raw["web"].startswith("https://")):
            raise DataError(f"{path.name}: countries.{code}: needs name (starting with \"the \") "
                            "and an https:// web address")
        by_country[code] = Authority(code, raw["name"], raw["web"])
    same_as = data.get("same_as", {})
    for code, target in same_as.items():
        if target not in by_country:
            raise DataError(f"{path.name}: same_as.{code}: no authority for {target!r}")
    return Authorities(by_country, dict(same_as), str(data.get("source", "")))
