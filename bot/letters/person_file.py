"""The person file (PERSON.toml): who sends the letters and what to check.

Everything in it is hostile input: each field is checked, and an error names
the field and says what would work (``email: "ann@" is not an email address``).
Photo and signature paths are relative to the person file and must stay inside
its folder; files are read with size caps. See docs/person-example.toml.
"""

from __future__ import annotations

import io
import re
import tomllib
import unicodedata
from dataclasses import dataclass
from email.headerregistry import Address
from pathlib import Path
from typing import Any

from PIL import Image, UnidentifiedImageError

from ..errors import InputError, ReferenceParseError
from ..flickr.refs import parse_flickr_ref
from .model import SHOWN, Person
from .regions import parse_region

MAX_PERSON_FILE = 256 * 1024
MAX_SIGNATURE_BYTES = 1024 * 1024
MAX_SIGNATURE_PIXELS = 4_000_000
MAX_TEXT = 200
MAX_ADDRESS_LINES = 8
MAX_LIST = {"flickr": 100, "urls": 1000, "photos": 100, "companies": 100, "kinds": 20}
KNOWN_KEYS = ("name", "address", "email", "residence", "residence_dates", "uploaded_from",
              "upload_dates", "flickr", "urls", "photos", "signature", "bipa_choice",
              "companies", "kinds", "shown", "shown_photos", "child_name", "verification")
_EMAIL = re.compile(r"^[^@\s]{1,64}@[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?"
                    r"(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?)+$")
_SLUG = re.compile(r"^[a-z0-9][a-z0-9-]{0,63}$")
_FORBIDDEN_CATEGORIES = {"Cc", "Zl", "Zp", "Cs", "Co"}
_BIDI = {chr(c) for c in (*range(0x202A, 0x202F), *range(0x2066, 0x206A))}


@dataclass(frozen=True)
class PersonFile:
    """A validated person file: the sender plus the check's inputs."""
    path: Path
    person: Person
    flickr: tuple[str, ...]
    urls: tuple[str, ...]
    photos: tuple[Path, ...]      # resolved, inside the person file's folder

    def read_photos(self, max_bytes: int) -> list[tuple[str, bytes]]:
        """(file name, bytes) of each photo, refusing files over ``max_bytes``."""
        out = []
        for path in self.photos:
            out.append((path.name, _read_capped(path, max_bytes, f"photos: {path.name}")))
        return out


def load_person_file(path: Path | str) -> PersonFile:
    path = Path(path).expanduser()
    try:
        size = path.stat().st_size
    except OSError:
        raise InputError(f"person file not found: {path}") from None
    if not path.is_file():
        raise InputError(f"person file {path} is not a file")
    if size > MAX_PERSON_FILE:
        raise InputError(f"person file {path.name}: too large ({size} bytes; at most "
                         f"{MAX_PERSON_FILE})")
    try:
        data = tomllib.loads(path.read_bytes().decode("utf-8"))
    except UnicodeDecodeError:
        raise InputError(f"person file {path.name}: not UTF-8 text") from None
    except tomllib.TOMLDecodeError as exc:
        raise InputError(f"person file {path.name}: not valid TOML ({exc})") from None
    return parse_person(data, base=path.resolve().parent, path=path)


def parse_person(data: dict[str, Any], *, base: Path, path: Path | None = None) -> PersonFile:
    """Validate the person file's table; relative paths resolve against ``base``."""
    unknown = sorted(set(data) - set(KNOWN_KEYS))
    if unknown:
        raise InputError(f"{', '.join(unknown)}: unknown key (known: {', '.join(KNOWN_KEYS)})")
    name = _text(data, "name", required=True)
    address = tuple(_text_list(data, "address", MAX_ADDRESS_LINES, required=True))
    email = _email(data.get("email"))
    residence = parse_region(data.get("residence"), "residence").code
    uploaded = parse_region(data.get("uploaded_from"), "uploaded_from", allow_unknown=True).code
    choice = data.get("bipa_choice", "")
    if choice not in ("destroy", "preserve", ""):
        raise InputError('bipa_choice: must be "destroy" or "preserve" (or leave it out: preserve '
                         'where a recipient is in pending litigation over the data, else destroy)')
    shown = data.get("shown", "")
    if shown not in ("", *SHOWN):
        raise InputError('shown: must be "me" (you appear in the photos), "child" (your child does; '
                         'you write as parent or guardian) or "not-me" (you only took or uploaded them)')
    shown_photos, shown_some = _shown_photos(data.get("shown_photos", []))
    if (shown_photos or shown_some) and shown not in ("me", "child"):
        raise InputError('shown_photos: only with shown = "me" or "child"')
    child_name = _text(data, "child_name", limit=100)
    if child_name and shown != "child":
        raise InputError('child_name: only with shown = "child"')
    verification = data.get("verification", True)
    if not isinstance(verification, bool):
        raise InputError("verification: must be true or false")
    companies = tuple(_slugs(data, "companies"))
    kinds = tuple(_slugs(data, "kinds"))
    flickr = tuple(_text_list(data, "flickr", MAX_LIST["flickr"], limit=300))
    accounts = flickr_accounts(flickr)
    urls = tuple(_text_list(data, "urls", MAX_LIST["urls"], limit=2000))
    photos = tuple(_inside(base, p, f"photos[{i}]")
                   for i, p in enumerate(_text_list(data, "photos", MAX_LIST["photos"], limit=500)))
    for i, photo in enumerate(photos):
        if not photo.is_file():
            raise InputError(f"photos[{i}]: file not found: {photo.name}")
    if not (flickr or urls or photos):
        raise InputError("flickr, urls, photos: give at least one Flickr account or photo link, "
                         "image URL or photo to check")
    person = Person(
        name=name, address=address, email=email, residence=residence, uploaded_from=uploaded,
        signature=_signature(data.get("signature", "typed"), base), bipa_choice=choice,
        companies=companies, residence_dates=_text(data, "residence_dates", limit=100),
        upload_dates=_text(data, "upload_dates", limit=100), kinds=kinds,
        flickr_accounts=accounts, shown=shown, shown_photos=shown_photos, shown_some=shown_some,
        child_name=child_name, verification=verification)
    return PersonFile(path or base, person, flickr, urls, photos)


def _shown_photos(value: Any) -> tuple[tuple[str, ...], bool]:
    """``shown_photos``: a list of photo IDs or Flickr photo links, or "some" (the
    person appears in some of the photos and does not say which)."""
    if value == "some":
        return (), True
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise InputError('shown_photos: a list of photo IDs or links, like ["1808093328"], '
                         'or "some"')
    if len(value) > MAX_LIST["urls"]:
        raise InputError(f"shown_photos: at most {MAX_LIST['urls']} entries (got {len(value)})")
    out: list[str] = []
    for i, item in enumerate(value):
        item = unicodedata.normalize("NFC", item).strip()
        _plain(item, f"shown_photos[{i}]", 2000)
        out.append(photo_key(item, f"shown_photos[{i}]"))
    return tuple(dict.fromkeys(o for o in out if o)), False


def photo_key(text: str, key: str) -> str:
    """A photo as the matches name it: a Flickr photo ID from an ID or photo link,
    else the link itself."""
    if text.isdigit():
        return text
    try:
        ref = parse_flickr_ref(text)
    except ReferenceParseError:
        ref = None
    if ref is not None and ref.kind == "photo":
        return ref.value
    if text.lower().startswith(("http://", "https://")):
        return text
    raise InputError(f"{key}: {text[:60]!r} is not a photo ID or a photo link")


def clean_text(value: str, key: str, *, limit: int = MAX_TEXT) -> str:
    """One line of text a person typed, NFC-normalised and stripped; control,
    line-break and bidi characters are refused with an InputError naming ``key``."""
    value = unicodedata.normalize("NFC", value).strip()
    _plain(value, key, limit)
    return value


def clean_email(value: str) -> str:
    """An email address, checked as the person file checks it."""
    return _email(value)


def _text(data: dict, key: str, *, required: bool = False, limit: int = MAX_TEXT) -> str:
    value = data.get(key, "")
    if not isinstance(value, str):
        raise InputError(f"{key}: must be text in quotes")
    value = unicodedata.normalize("NFC", value).strip()
    if required and not value:
        raise InputError(f"{key}: must not be empty")
    _plain(value, key, limit)
    return value


def _plain(value: str, key: str, limit: int) -> None:
    if len(value) > limit:
        raise InputError(f"{key}: too long ({len(value)} characters; at most {limit})")
    for ch in value:
        if ch in _BIDI or unicodedata.category(ch) in _FORBIDDEN_CATEGORIES:
            raise InputError(f"{key}: contains a line break or control character "
                             f"(U+{ord(ch):04X}); write it on one line")


def _text_list(data: dict, key: str, most: int, *, required: bool = False,
               limit: int = MAX_TEXT) -> list[str]:
    value = data.get(key, [])
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise InputError(f'{key}: must be a list of texts, like {key} = ["...", "..."]')
    if len(value) > most:
        raise InputError(f"{key}: at most {most} entries (got {len(value)})")
    out = []
    for i, item in enumerate(value):
        item = unicodedata.normalize("NFC", item).strip()
        _plain(item, f"{key}[{i}]", limit)
        if item:
            out.append(item)
    if required and not out:
        raise InputError(f"{key}: must have at least one line")
    return out


def flickr_accounts(entries: tuple[str, ...]) -> tuple[str, ...]:
    """The Flickr accounts the person's own entries name (NSIDs, aliases, owners in
    photo links); each entry must be something the check can read."""
    accounts: list[str] = []
    for i, entry in enumerate(entries):
        try:
            ref = parse_flickr_ref(entry)
        except ReferenceParseError as exc:
            raise InputError(f"flickr[{i}]: {exc}") from None
        account = ref.value if ref.kind in ("owner", "alias") else ref.owner
        if account and account not in accounts:
            accounts.append(account)
    return tuple(accounts)


def _email(value: Any) -> str:
    if not isinstance(value, str) or not value.strip():
        raise InputError("email: must be an email address in quotes, like \"ann@example.org\"")
    value = value.strip()
    _plain(value, "email", 254)
    if not _EMAIL.match(value):
        raise InputError(f"email: {value[:60]!r} is not an email address")
    try:
        Address(addr_spec=value)
    except (ValueError, IndexError):
        raise InputError(f"email: {value[:60]!r} is not an email address") from None
    return value


def _slugs(data: dict, key: str) -> list[str]:
    values = _text_list(data, key, MAX_LIST[key], limit=64)
    for i, value in enumerate(values):
        if not _SLUG.match(value):
            raise InputError(f"{key}[{i}]: {value!r} is not a slug (lowercase letters, digits, '-')")
    return values


def _inside(base: Path, value: str, key: str) -> Path:
    """``value`` as a path inside ``base``: no absolute paths, no '..' escapes, no
    symlinks pointing out."""
    raw = Path(value)
    if raw.is_absolute() or value.startswith("~") or ":" in raw.parts[0]:
        raise InputError(f"{key}: use a path relative to the person file, not {value[:80]!r}")
    resolved = (base / raw).resolve()
    if resolved != base and base not in resolved.parents:
        raise InputError(f"{key}: {value[:80]!r} points outside the person file's folder")
    return resolved


def _signature(value: Any, base: Path) -> str | bytes:
    if value == "typed":
        return "typed"
    if not isinstance(value, str) or not value.strip():
        raise InputError('signature: "typed", or the path of a PNG or JPEG image of your signature')
    path = _inside(base, value.strip(), "signature")
    if not path.is_file():
        raise InputError(f"signature: file not found: {path.name}")
    data = _read_capped(path, MAX_SIGNATURE_BYTES, "signature")
    check_signature_image(data)
    return data


def check_signature_image(data: bytes) -> None:
    """A signature image must be a small PNG or JPEG that decodes completely."""
    if len(data) > MAX_SIGNATURE_BYTES:
        raise InputError(f"signature: image too large ({len(data)} bytes; at most "
                         f"{MAX_SIGNATURE_BYTES})")
    if not (data.startswith(b"\x89PNG\r\n\x1a\n") or data.startswith(b"\xff\xd8\xff")):
        raise InputError("signature: must be a PNG or JPEG image")
    try:
        with Image.open(io.BytesIO(data)) as image:
            width, height = image.size
            if width * height > MAX_SIGNATURE_PIXELS:
                raise InputError(f"signature: image too large ({width}x{height} pixels; at most "
                                 f"{MAX_SIGNATURE_PIXELS} pixels)")
            image.load()
    except InputError:
        raise
    except (UnidentifiedImageError, OSError, ValueError, Image.DecompressionBombError):
        raise InputError("signature: the image is damaged or not a PNG or JPEG") from None


def _read_capped(path: Path, cap: int, key: str) -> bytes:
    try:
        with open(path, "rb") as fh:
            data = fh.read(cap + 1)
    except OSError as exc:
        raise InputError(f"{key}: cannot read ({exc.strerror})") from None
    if len(data) > cap:
        raise InputError(f"{key}: file too large (more than {cap} bytes)")
    return data
