"""The check: which datasets in the index hold a person's photos.

:class:`Checker` takes a :class:`CheckRequest` (Flickr references, image URLs,
photos as bytes) and answers a :class:`CheckResult`: every dataset entry that
matched, how (``MATCH_KINDS``), and one plain problem message per input that
could not be checked. A whole Flickr account (NSID, or an alias resolved
through the Flickr API) matches by owner in every dataset that records owners
and, when an API key is configured, by each of the account's public photo IDs
(PIPA records photo IDs only). Photos are hashed in memory and dropped; no
face is detected, nothing is written.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import Callable, Iterable

from .config import Config
from .errors import FlickrError, FlickrKeyMissing, PhotoError, ReferenceParseError
from .flickr import FlickrClient, parse_flickr_ref
from .index import DatasetIndex, IndexHit, open_index
from .index.keys import flickr_keys, normalise_url, url_host
from .photos import ImageHashes, hash_image

log = logging.getLogger(__name__)

MATCH_KINDS = ("flickr-photo", "flickr-owner", "url", "file-hash", "perceptual")
# Why an input was not checked, or checked only in part. The text of a problem is
# for the CLI and the operator (it may name server settings such as FLICKR_API_KEY);
# a chat says it in its own words for each reason.
NOT_CHECKED = ("unreadable", "needs-flickr-lookup", "flickr-error", "broken-photo",
               "photos-not-indexed")
CHECKED_IN_PART = ("owner-only", "photo-list-failed", "photo-list-capped", "photo-list-safe")
QUERY_SHOWN = 200   # characters of an input repeated in results and messages

Progress = Callable[[str, int, int], None]


@dataclass(frozen=True)
class Match:
    dataset: str
    match: str              # one of MATCH_KINDS
    photo_id: str | None
    owner: str | None
    url: str | None
    distance: int | None    # Hamming distance, for "perceptual"
    query: str              # the input that matched
    path: str | None = None  # a hashed dataset image with no photo ID, owner or URL: its
                             # relative path in the dataset's image folder

    def to_json(self) -> dict:
        out = {"dataset": self.dataset, "match": self.match, "photo_id": self.photo_id,
               "owner": self.owner, "url": self.url, "distance": self.distance,
               "query": self.query}
        if self.path is not None:     # only for a dataset image named by its path alone
            out["path"] = self.path
        return out


@dataclass(frozen=True)
class PhotoInput:
    name: str
    data: bytes


@dataclass(frozen=True)
class HashedPhoto:
    """A photo already hashed (and dropped) on arrival, as the chat does."""
    name: str
    hashes: ImageHashes


@dataclass(frozen=True)
class CheckRequest:
    flickr: tuple[str, ...] = ()
    urls: tuple[str, ...] = ()
    photos: tuple[PhotoInput, ...] = ()
    hashed: tuple[HashedPhoto, ...] = ()

    def size(self) -> int:
        return len(self.flickr) + len(self.urls) + len(self.photos) + len(self.hashed)


@dataclass(frozen=True)
class CheckIssue:
    """An input that could not be checked (``reason`` in NOT_CHECKED) or was checked
    only in part (``reason`` in CHECKED_IN_PART)."""
    query: str               # the input, as shown back (capped)
    reason: str
    text: str                # one plain sentence, starting with the query

    @property
    def checked(self) -> bool:
        return self.reason in CHECKED_IN_PART

    def to_json(self) -> dict:
        return {"query": self.query, "reason": self.reason, "text": self.text}


@dataclass(frozen=True)
class CheckResult:
    checked: tuple[str, ...]          # dataset slugs the index holds
    matches: tuple[Match, ...]
    issues: tuple[CheckIssue, ...] = ()
    inputs: int = 0                   # how many inputs the request had

    @property
    def problems(self) -> tuple[str, ...]:
        """One sentence per input that could not be checked at all."""
        return tuple(i.text for i in self.issues if not i.checked)

    @property
    def notes(self) -> tuple[str, ...]:
        """One sentence per input checked only in part (what was left out, and why)."""
        return tuple(i.text for i in self.issues if i.checked)

    @property
    def nothing_checked(self) -> bool:
        """No input could be checked: a result with no match says nothing at all."""
        unchecked = {i.query for i in self.issues if not i.checked}
        return not self.matches and self.inputs > 0 and len(unchecked) >= self.inputs

    def datasets(self) -> list[str]:
        """Slugs of the datasets with at least one match, in check order."""
        return list(dict.fromkeys(m.dataset for m in self.matches))

    def to_json(self) -> dict:
        return {"checked": list(self.checked), "matches": [m.to_json() for m in self.matches],
                "problems": list(self.problems), "notes": list(self.notes),
                "issues": [i.to_json() for i in self.issues]}


def _shown(text: str) -> str:
    text = text.strip()
    return text if len(text) <= QUERY_SHOWN else text[:QUERY_SHOWN - 1] + "…"


class _Collector:
    """Matches in arrival order, one per dataset entry and input, the strongest kind kept."""

    def __init__(self) -> None:
        self.by_entry: dict[tuple, Match] = {}
        self.issues: list[CheckIssue] = []

    def add(self, hits: Iterable[IndexHit], kind: str, query: str,
            distances: Iterable[int | None] | None = None) -> None:
        hits = list(hits)
        dists = list(distances) if distances is not None else [None] * len(hits)
        for hit, distance in zip(hits, dists):
            key = (hit.dataset, hit.photo_id, hit.owner, hit.url, hit.path, query)
            match = Match(hit.dataset, kind, hit.photo_id, hit.owner, hit.url, distance, query,
                          hit.path)
            old = self.by_entry.get(key)
            if old is None or MATCH_KINDS.index(kind) < MATCH_KINDS.index(old.match):
                self.by_entry[key] = match

    def problem(self, query: str, reason: str, text: str) -> None:
        """Record why ``query`` was not checked, or checked in part; ``text`` follows the query."""
        self.issues.append(CheckIssue(query, reason, f"{query}: {text}"))


class Checker:
    def __init__(self, index: DatasetIndex, flickr: FlickrClient | None, *, radius: int,
                 max_bytes: int, max_pixels: int) -> None:
        self.index = index
        self.flickr = flickr
        self.radius = radius
        self.max_bytes = max_bytes
        self.max_pixels = max_pixels

    @classmethod
    def from_config(cls, config: Config) -> "Checker":
        return cls(open_index(config), FlickrClient.from_config(config),
                   radius=config.index.match_radius, max_bytes=config.photos.max_bytes,
                   max_pixels=config.photos.max_pixels)

    def check(self, request: CheckRequest, progress: Progress | None = None) -> CheckResult:
        out = _Collector()
        total = request.size()
        done = 0

        def step(label: str) -> None:
            nonlocal done
            if progress:
                progress(label, done, total)
            done += 1

        for text in request.flickr:
            step("flickr")
            self._flickr(text, out, progress)
        for text in request.urls:
            step("url")
            self._url(text, out, progress)
        for photo in request.photos:
            step("photo")
            self._photo(photo, out)
        for hashed in request.hashed:
            step("photo")
            self._hashes(_shown(hashed.name), hashed.hashes, out)
        if progress:
            progress("done", total, total)
        matches = sorted(out.by_entry.values(),
                         key=lambda m: (m.dataset, MATCH_KINDS.index(m.match),
                                        m.distance or 0, m.photo_id or "", m.url or "",
                                        m.path or ""))
        return CheckResult(tuple(self.index.datasets()), tuple(matches), tuple(out.issues), total)

    # -- Flickr references -------------------------------------------------------

    def _flickr(self, text: str, out: _Collector, progress: Progress | None) -> None:
        query = _shown(text)
        try:
            ref = parse_flickr_ref(text)
        except ReferenceParseError as exc:
            out.problem(query, "unreadable", str(exc))
            return
        if ref.kind == "photo":
            out.add(self.index.find_photo_ids([ref.value]), "flickr-photo", query)
            if "/" in ref.text:
                out.add(self.index.find_urls([ref.text]), "url", query)
        elif ref.kind == "owner":
            self._account(ref.value, query, out, progress)
        else:
            out.add(self.index.find_owners([ref.value]), "flickr-owner", query)
            if self.flickr is None or not self.flickr.has_key:
                out.problem(query, "needs-flickr-lookup",
                            "this is a Flickr username or custom address; looking up the "
                            "account behind it needs a Flickr API key (FLICKR_API_KEY). Paste your "
                            "account ID (like 12345678@N00) or links to your photos instead.")
                return
            try:
                nsid = self.flickr.resolve_user(ref.value)
            except (FlickrError, ReferenceParseError) as exc:
                out.problem(query, "flickr-error", str(exc))
                return
            self._account(nsid, query, out, progress)

    def _account(self, nsid: str, query: str, out: _Collector, progress: Progress | None) -> None:
        out.add(self.index.find_owners([nsid]), "flickr-owner", query)
        if self.flickr is None or not self.flickr.has_key:
            out.problem(query, "owner-only",
                        "matched by account ID only; datasets that record photo IDs "
                        "without owners (such as PIPA) need the account's photo list, which "
                        "needs a Flickr API key (FLICKR_API_KEY).")
            return

        def listing(done: int, expected: int) -> None:
            if progress:
                progress("listing photos", done, expected)

        try:
            ids = self.flickr.public_photo_ids(nsid, progress=listing)
        except FlickrKeyMissing as exc:
            out.problem(query, "owner-only", str(exc))
            return
        except FlickrError as exc:
            out.problem(query, "photo-list-failed", "matched by account ID only; the photo list "
                        f"could not be fetched: {exc}")
            return
        out.add(self.index.find_photo_ids(ids), "flickr-photo", query)
        # flickr.people.getPublicPhotos without a signed-in user returns "safe" photos only
        out.problem(query, "photo-list-safe", "the account's photo list (read with an API key "
                    "alone) holds only the photos Flickr rates \"safe\"; photos rated "
                    "moderate or restricted were matched by account only.")
        if getattr(ids, "capped", False):
            out.problem(query, "photo-list-capped", "the account has more public photos than "
                        f"the {len(ids):,} checked (see [flickr] max_photos).")

    # -- URLs ----------------------------------------------------------------------

    def _url(self, text: str, out: _Collector, progress: Progress | None) -> None:
        query = _shown(text)
        url = normalise_url(text)
        if url is None:
            out.problem(query, "unreadable", "not a web address (http or https) that can be checked")
            return
        photo, owner = flickr_keys(url)
        if photo is not None or owner is not None:
            self._flickr(text, out, progress)
            return
        rest = url.split("://", 1)[1]
        if "/" not in rest and "?" not in rest:
            out.add(self.index.find_hosts([url_host(url)]), "url", query)
        else:
            out.add(self.index.find_urls([url]), "url", query)

    # -- photos ----------------------------------------------------------------------

    def _photo(self, photo: PhotoInput, out: _Collector) -> None:
        query = _shown(photo.name)
        try:
            hashes = hash_image(photo.data, max_bytes=self.max_bytes, max_pixels=self.max_pixels)
        except PhotoError as exc:
            out.problem(query, "broken-photo", str(exc))
            return
        self._hashes(query, hashes, out)

    def _hashes(self, query: str, hashes: ImageHashes, out: _Collector) -> None:
        if not any(info.phash_count or info.keys.get("sha256") or info.keys.get("md5")
                   for info in self.index.info()):
            out.problem(query, "photos-not-indexed",
                        "no dataset in this index has image fingerprints, so photos cannot be "
                        "matched here (see rightsbot index hash-images)")
            return
        out.add(self.index.find_file_hash(sha256=hashes.sha256, md5=hashes.md5), "file-hash", query)
        pairs = self.index.find_similar(hashes.phash, self.radius)
        out.add([hit for hit, _ in pairs], "perceptual", query, [d for _, d in pairs])
        log.debug("checked a photo: phash %016x", hashes.phash)
