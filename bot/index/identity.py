"""Which dataset photo an image file is: for ``index hash-images``.

An image's identity is its Flickr photo ID, owner and URL, each where known. It
comes from, in this order:

* an explicit ``--map FILE.csv`` (relative path, photo_id, owner, url), checked
  field by field before anything is hashed;
* FFHQ's ``ffhq-dataset-v2.json`` (``--metadata``): images are named by their
  record number (``00042.png``), whose ``metadata.photo_url`` names the photo;
* the path conventions of the dataset (:data:`LAYOUTS`), chosen with ``--layout``
  or by the format the dataset was imported as (:data:`FORMAT_LAYOUTS`).

An image with no identity keeps its relative path (:func:`shown_path`), so a match
can still say which file of the dataset it was.
"""

from __future__ import annotations

import csv
import re
import unicodedata
from dataclasses import dataclass
from pathlib import Path

from ..errors import InputError
from .keys import flickr_keys, normalise_owner, normalise_url, path_keys, photo_id
from .parsing import json_values
from .sources import JsonSyntaxError, OVERLONG, TruncatedInput, line_batches, open_source

LAYOUTS = {
    "auto": "MegaFace paths and Flickr file names where they appear; anything else by path",
    "megaface": ".../<owner NSID>/<photo_id>_<face>.jpg (MegaFace, MF2)",
    "photo-id": "<photo_id>.jpg (YFCC100M, DiF, Flickr30k downloads)",
    "flickr-file": "<photo_id>_<secret>[_<size>].jpg (Flickr8k, Flickr static file names)",
    "ffhq": "<record>.png named in ffhq-dataset-v2.json (needs --metadata)",
    "none": "no identity from paths: only --map, else the relative path",
}
# the layout a dataset's images follow, by the format its manifest was imported as
FORMAT_LAYOUTS = {
    "megaface": "megaface",
    "yfcc100m": "photo-id",
    "photo-ids": "photo-id",
    "flickr30k": "photo-id",
    "flickr8k": "flickr-file",
    "ffhq": "ffhq",
}
MAX_MAP_ROWS = 5_000_000
MAX_PATH = 1024            # characters of a stored relative path
MAX_PROBLEMS = 10          # listed in one error message
MAX_FFHQ_RECORDS = 1_000_000

_FORMULA = ("=", "+", "-", "@")
_PHOTO_ID_NAME = re.compile(r"([0-9]{1,19})\.[A-Za-z0-9]{2,5}")
_FFHQ_NAME = re.compile(r"([0-9]{5,6})\.(?:png|jpg|jpeg|webp)", re.IGNORECASE)
_HEADER_NAMES = {"path": "path", "relative path": "path", "relative_path": "path", "file": "path",
                 "photo_id": "photo_id", "photo id": "photo_id", "owner": "owner",
                 "nsid": "owner", "url": "url"}
# shown escaped: controls, and the bidi/zero-width marks that make a name read differently
_UNSAFE = re.compile("[\x00-\x1f\x7f-\x9f\u200b-\u200f\u202a-\u202e\u2066-\u2069\ufeff]")


@dataclass(frozen=True)
class Identity:
    photo_id: int | None = None
    owner: str | None = None
    url: str | None = None

    def __bool__(self) -> bool:
        return self.photo_id is not None or self.owner is not None or self.url is not None


NO_IDENTITY = Identity()


def layout_for(layout: str | None, dataset_format: str) -> str:
    """The layout to use: the explicit one, else the dataset format's, else ``auto``."""
    if layout is not None:
        if layout not in LAYOUTS:
            raise InputError(f"unknown layout {layout[:40]!r} (known: {', '.join(LAYOUTS)})")
        return layout
    return FORMAT_LAYOUTS.get(dataset_format, "auto")


def from_layout(layout: str, relpath: str) -> Identity:
    """What the path itself says under ``layout`` (``relpath`` uses ``/``)."""
    if layout in ("none", "ffhq"):
        return NO_IDENTITY
    name = relpath.rsplit("/", 1)[-1]
    if layout == "photo-id":
        match = _PHOTO_ID_NAME.fullmatch(name)
        return Identity(photo_id(match.group(1))) if match else NO_IDENTITY
    photo, owner = path_keys(relpath)
    if layout == "megaface" and owner is None:
        return NO_IDENTITY
    if layout == "flickr-file" and owner is not None:   # a MegaFace path is not this layout
        return NO_IDENTITY
    return Identity(photo, owner) if photo is not None or owner is not None else NO_IDENTITY


def normal_path(text: str) -> str:
    """A relative path as maps and walks compare it: ``/`` separators, NFC, no ``./``."""
    text = unicodedata.normalize("NFC", text.replace("\\", "/"))
    parts = [p for p in text.split("/") if p not in ("", ".")]
    return "/".join(parts)


def shown_path(relpath: str) -> str:
    """The relative path as stored and shown: readable, one line, never absolute.

    Undecodable bytes of a file name become ``\\xNN``, control and bidi characters
    ``\\uNNNN``; a very long path keeps its end."""
    text = normal_path(relpath).encode("utf-8", "surrogateescape").decode("utf-8",
                                                                         "backslashreplace")
    text = _UNSAFE.sub(lambda m: f"\\u{ord(m.group(0)):04x}", text)
    parts = [p for p in text.split("/") if p != ".."]
    text = "/".join(parts)
    return text if len(text) <= MAX_PATH else "…" + text[-(MAX_PATH - 1):]


class Identifier:
    """Identities of the images under one folder (``identify(relpath)``)."""

    def __init__(self, layout: str, mapping: dict[str, Identity] | None = None,
                 ffhq: dict[int, Identity] | None = None) -> None:
        if layout == "ffhq" and ffhq is None:
            raise InputError("the ffhq layout names each image's photo from FFHQ's "
                             "ffhq-dataset-v2.json: add --metadata PATH (or choose --layout none)")
        if ffhq is not None and layout != "ffhq":
            raise InputError("--metadata is for FFHQ's ffhq-dataset-v2.json, with --layout ffhq")
        self.layout = layout
        self.mapping = mapping or {}
        self.ffhq = ffhq
        self.mapped: set[str] = set()

    def identify(self, relpath: str) -> Identity:
        key = normal_path(relpath)
        if self.mapping:
            found = self.mapping.get(key)
            if found is not None:
                self.mapped.add(key)
                return found
        if self.ffhq is not None:
            match = _FFHQ_NAME.fullmatch(key.rsplit("/", 1)[-1])
            return self.ffhq.get(int(match.group(1)), NO_IDENTITY) if match else NO_IDENTITY
        return from_layout(self.layout, key)

    def unmapped(self) -> int:
        """Rows of the map that named no image seen."""
        return len(self.mapping) - len(self.mapped)


# -- the --map file ------------------------------------------------------------------


class _Problems:
    def __init__(self, name: str) -> None:
        self.name = name
        self.items: list[str] = []
        self.count = 0

    def add(self, line: int, text: str) -> None:
        self.count += 1
        if len(self.items) < MAX_PROBLEMS:
            self.items.append(f"  {self.name}:{line}: {text}")

    def raise_if_any(self, what: str) -> None:
        if self.count:
            extra = self.count - MAX_PROBLEMS
            more = f"\n  ... and {extra:,} more" if extra > 0 else ""
            raise InputError(f"{self.name}: {self.count:,} problem{'s' if self.count != 1 else ''} "
                             f"in the {what}; nothing was hashed:\n" + "\n".join(self.items) + more)


def read_map(path: Path) -> dict[str, Identity]:
    """``relative path -> Identity`` from a CSV map (``path, photo_id, owner, url``).

    A header line naming the columns is optional (without one, the columns are in that
    order; owner and url may be left out). Every field is checked; any problem refuses
    the whole map with its line numbers, so no image is ever named wrongly."""
    problems = _Problems(path.name)
    mapping: dict[str, Identity] = {}
    first_line: dict[str, int] = {}
    columns: dict[str, int] | None = None
    delimiter = ","
    with open_source(path) as source:
        try:
            for line_no, text in _text_lines(source, problems):
                if columns is None:
                    if not text.strip():
                        continue
                    delimiter = "\t" if text.count("\t") > text.count(",") else ","
                fields = _fields(text, delimiter)
                if fields is None:
                    problems.add(line_no, "not valid CSV (unbalanced quotes)")
                    continue
                if not any(f.strip() for f in fields):
                    continue
                if columns is None:
                    columns = _header(fields, path.name)
                    if columns is not None:
                        continue
                    columns = {"path": 0, "photo_id": 1, "owner": 2, "url": 3}
                entry = _map_row(fields, columns, line_no, problems)
                if entry is None:
                    continue
                key, identity = entry
                if key in mapping:
                    if mapping[key] != identity:
                        problems.add(line_no, f"{key[:80]} was already given another photo on "
                                              f"line {first_line[key]}")
                    continue
                if len(mapping) >= MAX_MAP_ROWS:
                    raise InputError(f"{path.name}: more than {MAX_MAP_ROWS:,} rows; split the "
                                     "folder and hash each part with its own map")
                mapping[key] = identity
                first_line[key] = line_no
        except TruncatedInput as exc:
            raise InputError(f"{exc}; nothing was hashed") from None
    problems.raise_if_any("map")
    if not mapping:
        raise InputError(f"{path.name}: holds no rows (expected: path, photo_id, owner, url)")
    return mapping


def _text_lines(source, problems: _Problems):  # noqa: ANN001, ANN202 - generator of (line, str)
    for first, lines in line_batches(source, "--map CSV"):
        for offset, raw in enumerate(lines):
            if raw == OVERLONG:
                problems.add(first + offset, "line too long")
                continue
            try:
                text = raw.decode("utf-8")
            except UnicodeDecodeError:
                problems.add(first + offset, "not UTF-8 text (save the map as UTF-8 CSV)")
                continue
            yield first + offset, text


def _fields(text: str, delimiter: str) -> list[str] | None:
    try:
        rows = list(csv.reader([text], delimiter=delimiter, strict=True))
    except csv.Error:
        return None
    return rows[0] if rows else []


def _header(fields: list[str], file_name: str) -> dict[str, int] | None:
    """The columns a header line names, or None when the first line is a row."""
    names = [_HEADER_NAMES.get(f.strip().lstrip("\ufeff").lower()) for f in fields]
    if names[0] != "path":
        return None
    columns = {name: i for i, name in reversed(list(enumerate(names))) if name}
    if not {"photo_id", "owner", "url"} & columns.keys():
        raise InputError(f"{file_name}: the header names no photo_id, owner or url column "
                         "(columns: path, photo_id, owner, url)")
    return columns


def _map_row(fields: list[str], columns: dict[str, int], line: int,
             problems: _Problems) -> tuple[str, Identity] | None:
    values = {k: (fields[i].strip() if i < len(fields) else "") for k, i in columns.items()}
    for key, text in values.items():
        if text.startswith(_FORMULA):
            problems.add(line, f"{key} {text[:40]!r} looks like a spreadsheet formula")
            return None
    rel, problem = _relative(values.get("path", ""))
    if problem:
        problems.add(line, problem)
        return None
    photo: int | None = None
    owner: str | None = None
    url: str | None = None
    text = values.get("photo_id", "")
    if text:
        photo = photo_id(text)
        if photo is None:
            problems.add(line, f"photo_id {text[:40]!r} is not a Flickr photo ID (digits only)")
            return None
    text = values.get("owner", "")
    if text:
        owner = normalise_owner(text)
        if owner is None:
            problems.add(line, f"owner {text[:40]!r} is not a Flickr NSID (like 12345678@N00) "
                               "or alias")
            return None
    text = values.get("url", "")
    if text:
        if "://" not in text[:10] or normalise_url(text) is None:
            problems.add(line, f"url {text[:60]!r} is not an http(s) URL")
            return None
        url_photo, url_owner = flickr_keys(text)
        if url_photo is not None or url_owner is not None:
            if photo is not None and url_photo is not None and url_photo != photo:
                problems.add(line, f"photo_id {photo} and the url name different photos")
                return None
            if owner is not None and url_owner is not None and url_owner.lower() != owner.lower():
                problems.add(line, f"owner {owner} and the url name different accounts")
                return None
            photo = photo if photo is not None else url_photo
            owner = owner if owner is not None else url_owner
        else:
            url = normalise_url(text)
    identity = Identity(photo, owner, url)
    if not identity:
        problems.add(line, "names no photo_id, owner or url for the image")
        return None
    return rel, identity


def _relative(text: str) -> tuple[str, str | None]:
    if not text:
        return "", "the path is empty"
    if len(text) > MAX_PATH:
        return "", f"the path is longer than {MAX_PATH} characters"
    if any(ord(c) < 32 or ord(c) == 127 for c in text):
        return "", "the path contains control characters"
    path = text.replace("\\", "/")
    if path.startswith("/") or re.match(r"[A-Za-z]:", path):
        return "", f"{text[:80]} is an absolute path; give it relative to the image folder"
    if ".." in path.split("/"):
        return "", f"{text[:80]} leaves the image folder (..)"
    rel = normal_path(path)
    if not rel:
        return "", "the path names no file"
    return rel, None


# -- FFHQ metadata --------------------------------------------------------------------


def read_ffhq_metadata(path: Path) -> dict[int, Identity]:
    """Record number -> photo and owner from ``ffhq-dataset-v2.json`` (streamed, as the
    ffhq importer reads it). Records without a Flickr ``photo_url`` name no photo."""
    problems = _Problems(path.name)
    records: dict[int, Identity] = {}
    with open_source(path) as source:
        try:
            for line, key, record in json_values(source, "ffhq"):
                number = int(key) if isinstance(key, int) or (isinstance(key, str)
                                                              and key.isdigit()) else None
                if number is None or not isinstance(record, dict):
                    problems.add(line, "not an FFHQ record (a numbered object)")
                    continue
                meta = record.get("metadata")
                url = meta.get("photo_url") if isinstance(meta, dict) else None
                photo, owner = flickr_keys(url) if isinstance(url, str) else (None, None)
                if photo is not None or owner is not None:
                    records[number] = Identity(photo, owner)
                if len(records) > MAX_FFHQ_RECORDS:
                    raise InputError(f"{path.name}: more than {MAX_FFHQ_RECORDS:,} records; "
                                     "this is not FFHQ's metadata file")
        except (TruncatedInput, JsonSyntaxError) as exc:
            line = getattr(exc, "line", None)
            where = f"{path.name}:{line}: " if line else ""
            raise InputError(f"{where}{exc}; nothing was hashed") from None
    problems.raise_if_any("FFHQ metadata")
    if not records:
        raise InputError(f"{path.name}: names no Flickr photo (expected FFHQ's "
                         "ffhq-dataset-v2.json with metadata.photo_url)")
    return records
