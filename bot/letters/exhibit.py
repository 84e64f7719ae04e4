"""The exhibit: one row per matched photo, as a table and as CSV.

Rows come from the check's matches for the datasets a recipient is tied to,
deduplicated and sorted so the same matches always give the same table. Very
long exhibits (a whole Flickr account in MegaFace can be thousands of photos)
are cut at :data:`MAX_ROWS` in the letter; the full list goes into a CSV file
sent with it.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from typing import Iterable, Mapping, Protocol
from urllib.parse import urlsplit

from ..errors import ReferenceParseError
from ..flickr.refs import parse_flickr_ref
from .model import Table

MAX_ROWS = 1000
HEADERS = ("Dataset", "Photo ID", "Flickr account (NSID)", "How it matched", "Link")
_HOW = {
    "flickr-photo": "Flickr photo ID",
    "flickr-owner": "Flickr account",
    "url": "image URL",
    "file-hash": "identical file",
    "perceptual": "similar image",
}


class MatchLike(Protocol):
    dataset: str
    match: str
    photo_id: str | None
    owner: str | None
    url: str | None
    distance: int | None
    query: str


@dataclass(frozen=True)
class Exhibit:
    rows: tuple[tuple[str, ...], ...]   # every row: one per photo and dataset
    listed: int                         # rows shown in the letter

    @property
    def capped(self) -> bool:
        return self.listed < len(self.rows)

    @property
    def photos(self) -> int:
        """Distinct photographs: a photo in two datasets (DiF is a subset of
        YFCC100M) is one photograph in two rows."""
        return len({row[1] or row[4] for row in self.rows})

    def table(self) -> Table:
        return Table(HEADERS, self.rows[:self.listed])

    def csv_bytes(self) -> bytes:
        """All rows as UTF-8 CSV; cells that a spreadsheet would run as a formula
        are prefixed with an apostrophe."""
        buffer = io.StringIO()
        writer = csv.writer(buffer, lineterminator="\r\n")
        writer.writerow(HEADERS)
        for row in self.rows:
            writer.writerow([_csv_safe(cell) for cell in row])
        return buffer.getvalue().encode("utf-8")


def photo_link(photo_id: str | None, owner: str | None, url: str | None) -> str:
    """The Flickr page of a photo when its ID is a Flickr ID, else the matched URL."""
    if url and not _is_flickr(url):
        return url
    if photo_id and photo_id.isascii() and photo_id.isdigit():
        if owner:
            return f"https://www.flickr.com/photos/{owner}/{photo_id}/"
        return f"https://www.flickr.com/photo.gne?id={photo_id}"
    return url or ""


def build_exhibit(matches: Iterable[MatchLike], dataset_names: Mapping[str, str],
                  *, max_rows: int = MAX_ROWS) -> Exhibit:
    seen: dict[tuple[str, str], tuple[str, ...]] = {}
    for m in matches:
        path = getattr(m, "path", None)        # a dataset image known only by its path
        key = (m.dataset, m.photo_id or m.url or path or "")
        how = _HOW.get(m.match, m.match)
        if m.match == "perceptual" and m.distance is not None:
            how = f"{how} (distance {m.distance})"
        owner = m.owner or _owner_named_in(m.query, m.photo_id)
        row = (dataset_names.get(m.dataset, m.dataset), m.photo_id or "", owner or "", how,
               photo_link(m.photo_id, owner, m.url) or (f"image {path} in the dataset" if path else ""))
        previous = seen.get(key)
        if previous is None or _strength(row) > _strength(previous):
            seen[key] = row
    rows = tuple(sorted(seen.values(), key=_sort_key))
    return Exhibit(rows, min(len(rows), max_rows))


def owner_mismatches(matches: Iterable[MatchLike],
                     dataset_names: Mapping[str, str] | None = None) -> tuple[str, ...]:
    """For the sender: photos given as a link naming one Flickr account that a dataset lists
    under another. The letters list the dataset's account; the sender should check that
    the photo is the one they meant before claiming it."""
    out: dict[str, None] = {}
    for m in matches:
        named = _owner_named_in(m.query, m.photo_id)
        if named and m.owner and named.casefold() != m.owner.casefold():
            out[(f"Photo {m.photo_id}: you gave it as a photo of the Flickr account {named}, but "
                 f"{(dataset_names or {}).get(m.dataset, m.dataset)} lists it under {m.owner}. "
                 "Check that it is the photo you meant before sending; the letters that list it "
                 "name the dataset's account.")] = None
    return tuple(out)


def _owner_named_in(query: str, photo_id: str | None) -> str | None:
    """The owner NSID when the person's own link to this photo names it."""
    if not photo_id or "/" not in query:
        return None
    try:
        ref = parse_flickr_ref(query)
    except ReferenceParseError:
        return None
    return ref.owner if ref.kind == "photo" and ref.value == photo_id else None


def _strength(row: tuple[str, ...]) -> int:
    # keep the most certain way a photo matched when it matched several ways
    order = ["similar image", "image URL", "Flickr account", "identical file", "Flickr photo ID"]
    how = row[3].split(" (")[0]
    return order.index(how) if how in order else -1


def _sort_key(row: tuple[str, ...]) -> tuple:
    photo = row[1]
    return (row[0], 0 if _number(photo) else 1, int(photo) if _number(photo) else 0, photo, row[4])


def _is_flickr(url: str) -> bool:
    host = (urlsplit(url).hostname or "").lower()
    return host == "flickr.com" or host.endswith(".flickr.com") or host.endswith(".staticflickr.com")


def _csv_safe(cell: str) -> str:
    return "'" + cell if cell[:1] in ("=", "+", "-", "@", "\t", "\r") else cell


def _number(text: str) -> bool:
    """ASCII digits only: int() of "²" or "٣" would fail or mean another photo."""
    return text.isascii() and text.isdigit()
