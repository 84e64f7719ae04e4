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
    def __init__(self, by_country: dict[str, Authority], same_as: dict[str, str], source: str,
                 by_subdivision: dict[str, Authority] | None = None):
        self._by_country, self._same_as, self.source = by_country, same_as, source
        self._by_subdivision = by_subdivision or {}

    def for_country(self, country: str) -> Authority | None:
        """The authority for a region code: a German Land's own ("DE-BE"), else the
        country's ("DE", "FR"); None where there is none here ("US-IL")."""
        code = country.upper()
        if code in self._by_subdivision:
            return self._by_subdivision[code]
        code = code.split("-")[0]
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
    by_country = {code: _authority(path, "countries", code, raw) for code, raw in countries.items()}
    subdivisions = data.get("subdivisions", {})
    if not isinstance(subdivisions, dict):
        raise DataError(f"{path.name}: subdivisions must be a table")
    by_subdivision = {code: _authority(path, "subdivisions", code, raw)
                      for code, raw in subdivisions.items()}
    same_as = data.get("same_as", {})
    for code, target in same_as.items():
        if target not in by_country:
            raise DataError(f"{path.name}: same_as.{code}: no authority for {target!r}")
    return Authorities(by_country, dict(same_as), str(data.get("source", "")), by_subdivision)


def _authority(path: Path, table: str, code: str, raw: object) -> Authority:
    if not (isinstance(raw, dict) and isinstance(raw.get("name"), str) and raw["name"].startswith("the ")
            and isinstance(raw.get("web"), str) and raw["web"].startswith("https://")):
        raise DataError(f"{path.name}: {table}.{code}: needs name (starting with \"the \") "
                        "and an https:// web address")
    return Authority(code, raw["name"], raw["web"])
