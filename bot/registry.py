"""The dataset registry: which datasets exist, who built them, who reportedly used them.

One TOML record per dataset lives in ``bot/data/datasets/`` (``<slug>.toml``),
validated against ``bot/data/schemas/dataset.schema.json``. Every creator and
reported user is a company slug that must exist in the company directory
(:mod:`bot.companies`); every report carries a source URL and a strength
(``court-record``, ``press``, ``activist`` or ``self-reported``) so letters can
word allegations as allegations.

``match_keys`` says what a dataset's published files let rightsbot match on
(the kinds in ``bot.check.MATCH_KINDS``); :meth:`Dataset.miss_caveat` turns it
into the honest sentence about what a miss does not prove.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any, Iterable, Iterator

from .companies import CompanyDirectory, load_directory
from .errors import DataError
from .records import check_record, read_record, record_files, shown_path
from .resources import data_path

log = logging.getLogger(__name__)

DEFAULT_DIR = data_path("datasets")
STRENGTHS = ("court-record", "press", "self-reported", "creator-publication", "activist")
# Reports strong enough that the bot selects the company by default; activist-only
# reports are listed but left for the person to select.
DEFAULT_STRENGTHS = frozenset({"court-record", "press", "self-reported", "creator-publication"})
MATCH_KEYS = ("flickr-photo", "flickr-owner", "url", "file-hash", "perceptual")
AVAILABILITY = ("public", "on-request", "restricted", "withdrawn", "unknown")

_KEY_WORDS = {
    "flickr-photo": "Flickr photo ID",
    "flickr-owner": "Flickr account",
    "url": "image URL",
    "file-hash": "file hash",
    "perceptual": "perceptual hash of the image",
}


@dataclass(frozen=True)
class Litigation:
    """A court case over a company's use of a dataset."""

    case: str         # "Vance v. Google LLC, No. 5:20-cv-04696 (N.D. Cal.)"
    status: str       # "pending" | "closed"
    source: str

    @property
    def pending(self) -> bool:
        return self.status == "pending"


@dataclass(frozen=True)
class DatasetUser:
    """A company reported to have used a dataset."""

    company: str      # company slug (bot/data/companies/<slug>.json)
    strength: str     # one of STRENGTHS
    source: str       # URL
    note: str         # one plain sentence: what is reported, with date; allegations stay allegations
    litigation: Litigation | None = None

    def to_json(self) -> dict[str, Any]:
        out: dict[str, Any] = {"company": self.company, "strength": self.strength,
                               "source": self.source, "note": self.note}
        if self.litigation is not None:
            out["litigation"] = {"case": self.litigation.case, "status": self.litigation.status,
                                 "source": self.litigation.source}
        return out


@dataclass(frozen=True)
class Dataset:
    slug: str
    name: str
    creator: str                      # company slug
    year: int
    size: str
    source: str                       # URL of the primary description (paper, README, page)
    status: str                       # distribution status in words, e.g. "withdrawn 2019; copies circulate"
    license: str
    links: tuple[str, ...]
    users: tuple[DatasetUser, ...]
    description: str
    availability: str = "unknown"     # one of AVAILABILITY
    match_keys: tuple[str, ...] = ()  # subset of MATCH_KEYS
    match_note: str | None = None
    co_creators: tuple[str, ...] = () # company slugs
    derived_from: tuple[str, ...] = ()  # dataset slugs
    removal: str | None = None        # how the creator says people can ask to be removed

    def offers(self, match_key: str) -> bool:
        return match_key in self.match_keys

    def miss_caveat(self) -> str:
        """One plain sentence on what a miss against this dataset does not prove."""
        if not self.match_keys:
            text = (f"{self.name} publishes nothing rightsbot can match a photo against, so a "
                    "miss says nothing about whether your photos are in it.")
        else:
            words = [_KEY_WORDS[k] for k in self.match_keys]
            keys = words[0] if len(words) == 1 else ", ".join(words[:-1]) + " or " + words[-1]
            text = (f"rightsbot can only match {self.name} by {keys}; a miss does not prove your "
                    "photos are not in it, only that none of what you gave matched.")
        return f"{text} {self.match_note}" if self.match_note else text

    def to_json(self) -> dict[str, Any]:
        return {
            "slug": self.slug, "name": self.name, "creator": self.creator,
            "co_creators": list(self.co_creators), "year": self.year, "size": self.size,
            "source": self.source, "status": self.status, "availability": self.availability,
            "license": self.license, "links": list(self.links), "description": self.description,
            "match_keys": list(self.match_keys), "match_note": self.match_note,
            "derived_from": list(self.derived_from), "removal": self.removal,
            "users": [u.to_json() for u in self.users],
        }


@dataclass(frozen=True)
class Involvement:
    """Why a company is a possible recipient for a dataset: it built it or reportedly used it."""

    company: str
    dataset: str
    role: str                 # "creator" | "co-creator" | "user"
    strength: str | None      # for users: the report's strength; None for creators
    source: str
    note: str
    litigation: Litigation | None = None

    @property
    def selected_by_default(self) -> bool:
        """Creators, and users named by a court record, the press or a publication."""
        return self.role != "user" or self.strength in DEFAULT_STRENGTHS


class DatasetRegistry:
    """All dataset records, by slug."""

    def __init__(self, datasets: dict[str, Dataset], folder: Path | None = None):
        self._datasets = dict(sorted(datasets.items()))
        self.folder = folder

    def get(self, slug: str) -> Dataset:
        try:
            return self._datasets[slug]
        except (KeyError, TypeError):
            raise DataError(f"No dataset called {str(slug)[:64]!r} is in the registry "
                            "(see `rightsbot datasets`).") from None

    def all(self) -> list[Dataset]:
        return list(self._datasets.values())

    def slugs(self) -> list[str]:
        return list(self._datasets)

    def users_of(self, slug: str) -> tuple[DatasetUser, ...]:
        return self.get(slug).users

    def datasets_used_by(self, company: str) -> list[Dataset]:
        """Datasets the company is reported to have used (not the ones it built)."""
        return [d for d in self._datasets.values() if any(u.company == company for u in d.users)]

    def datasets_created_by(self, company: str) -> list[Dataset]:
        return [d for d in self._datasets.values()
                if d.creator == company or company in d.co_creators]

    def involvements(self, datasets: Iterable[str]) -> list[Involvement]:
        """Every company tied to the given datasets, creators first, each with the reason."""
        out: list[Involvement] = []
        for slug in dict.fromkeys(datasets):
            d = self.get(slug)
            out.append(Involvement(d.creator, d.slug, "creator", None, d.source,
                                   f"{d.name} was built by this organisation ({d.year})."))
            for co in d.co_creators:
                out.append(Involvement(co, d.slug, "co-creator", None, d.source,
                                       f"{d.name} was built with this organisation ({d.year})."))
            for u in d.users:
                out.append(Involvement(u.company, d.slug, "user", u.strength, u.source, u.note,
                                       u.litigation))
        return out

    def __contains__(self, slug: object) -> bool:
        return slug in self._datasets

    def __iter__(self) -> Iterator[Dataset]:
        return iter(self._datasets.values())

    def __len__(self) -> int:
        return len(self._datasets)


def load_registry(path: Path | None = None, *, companies: CompanyDirectory | None = None
                  ) -> DatasetRegistry:
    """Load and validate every ``*.toml`` record in ``path`` (default: the bundled registry).

    Company slugs are checked against ``companies`` (default: the bundled
    directory). Raises DataError naming the file and the field at the first
    problem."""
    if path is None and companies is None:
        return _default_registry()
    return _load(Path(path) if path is not None else DEFAULT_DIR,
                 companies if companies is not None else load_directory())


@lru_cache(maxsize=1)
def _default_registry() -> DatasetRegistry:
    return _load(DEFAULT_DIR, load_directory())


def _load(folder: Path, companies: CompanyDirectory) -> DatasetRegistry:
    datasets: dict[str, Dataset] = {}
    files: dict[str, Path] = {}
    for file in record_files(folder, ".toml"):
        dataset = dataset_from_record(read_record(file), file, companies)
        datasets[dataset.slug] = dataset
        files[dataset.slug] = file
    if not datasets:
        raise DataError(f"{folder}: no dataset records (*.toml) found")
    for slug, dataset in datasets.items():
        for i, parent in enumerate(dataset.derived_from):
            if parent not in datasets:
                raise DataError(f"{shown_path(files[slug])}: field 'derived_from[{i}]': no dataset "
                                f"called {parent!r} in the registry")
            if parent == slug:
                raise DataError(f"{shown_path(files[slug])}: field 'derived_from[{i}]': a dataset "
                                "cannot be derived from itself")
    log.debug("loaded %d dataset records from %s", len(datasets), folder)
    return DatasetRegistry(datasets, folder)


def dataset_from_record(data: dict[str, Any], file: Path, companies: CompanyDirectory) -> Dataset:
    """Validate one parsed record (schema, file name, company slugs, duplicates) and build it."""
    where = shown_path(file)
    check_record(data, "dataset", where)
    if data["slug"] != file.stem:
        raise DataError(f"{where}: field 'slug': must equal the file name {file.stem!r} "
                        f"(got {data['slug']!r})")
    _known_company(companies, data["creator"], where, "creator")
    for i, co in enumerate(data.get("co_creators", ())):
        _known_company(companies, co, where, f"co_creators[{i}]")
        if co == data["creator"]:
            raise DataError(f"{where}: field 'co_creators[{i}]': {co!r} is already the creator")
    seen: set[str] = set()
    users = []
    for i, user in enumerate(data["users"]):
        _known_company(companies, user["company"], where, f"users[{i}].company")
        if user["company"] in seen:
            raise DataError(f"{where}: field 'users[{i}].company': {user['company']!r} is listed "
                            "twice; keep one entry with the strongest source")
        seen.add(user["company"])
        case = user.get("litigation")
        users.append(DatasetUser(company=user["company"], strength=user["strength"],
                                 source=user["source"], note=user["note"],
                                 litigation=Litigation(case["case"], case["status"], case["source"])
                                 if case else None))
    return Dataset(
        slug=data["slug"], name=data["name"], creator=data["creator"], year=data["year"],
        size=data["size"], source=data["source"], status=data["status"], license=data["license"],
        links=tuple(data["links"]), users=tuple(users), description=data["description"],
        availability=data["availability"], match_keys=tuple(data["match_keys"]),
        match_note=data.get("match_note"), co_creators=tuple(data.get("co_creators", ())),
        derived_from=tuple(data.get("derived_from", ())), removal=data.get("removal"))


def _known_company(companies: CompanyDirectory, slug: str, where: str, field: str) -> None:
    if slug not in companies:
        raise DataError(f"{where}: field {field!r}: no company called {slug!r} in the company "
                        f"directory (add bot/data/companies/{slug}.json first)")
