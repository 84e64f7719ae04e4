"""The person file (PERSON.toml): who sends the letters and what to check.

Everything in it is hostile input: each field is checked, and an error names
the field and says what would work (``email: "ann@" is not an email address``).
Photo and signature paths are relative to the person file and must stay inside
its folder; files are read with size caps. See docs/person-example.toml.

What is printed in the letters is checked here against what the letters can print:
the font's characters, and the sender's block in the letterhead (name, address
lines, email: :data:`bot.letters.pdf_blocks.SENDER_FIELD_LINES`), so whatever is
accepted lays out. Invisible characters (zero-width spaces and joiners, bidi
controls, soft hyphens) are refused in every text, named, with their position.
The chat checks its answers with the same functions (``clean_*``).
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

from ..errors import InputError, PhotoError, ReferenceParseError
from ..flickr.refs import parse_flickr_ref
from ..photos import ACCEPTED_FORMATS
from .email import plain_email_address
from .fonts import unprintable_characters
from .model import SHOWN, Person
from .pdf_blocks import SENDER_FIELD_LINES, sender_field_lines
from .regions import parse_region
from .signature_image import prepare_signature_image

MAX_PERSON_FILE = 256 * 1024
MAX_SIGNATURE_BYTES = 1024 * 1024
MAX_SIGNATURE_PIXELS = 4_000_000
MAX_TEXT = 200
MAX_NAME = 100            # the name, and the child's name
MAX_ADDRESS_LINE = 80
MAX_ADDRESS_LINES = 6     # with the name and the email, what the letterhead holds
MAX_EMAIL = 254           # RFC 5321
MAX_PATH = 500
MAX_LIST = {"flickr": 100, "urls": 1000, "photos": 100, "companies": 100, "kinds": 20}
KNOWN_KEYS = ("name", "address", "email", "residence", "residence_dates", "uploaded_from",
              "upload_dates", "flickr", "urls", "photos", "signature", "bipa_choice",
              "companies", "kinds", "shown", "shown_photos", "child_name", "verification")
_EMAIL = re.compile(r"^[^@\s]{1,64}@[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?"
                    r"(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?)+$")
_SLUG = re.compile(r"^[a-z0-9][a-z0-9-]{0,63}$")
_FORBIDDEN_CATEGORIES = {"Cc", "Zl", "Zp", "Cs", "Co"}
# invisible besides the format characters (category Cf: zero-width spaces and joiners, bidi
# marks, embeddings, overrides and isolates, the soft hyphen, the byte order mark, tags):
# the combining grapheme joiner, Hangul and Khmer fillers, variation selectors
_INVISIBLE = frozenset({0x034F, 0x115F, 0x1160, 0x17B4, 0x17B5, 0x3164, 0xFFA0,
                        *range(0xFE00, 0xFE10)})
# the reasons the chat tells in its own words (others get its usual "please send ..." text)
SAY_WHY = ("invisible", "unprintable", "wide")


class FieldError(InputError):
    """One field's value is refused. ``kind``: "length", "invisible", "control",
    "unprintable", "wide" (too wide for the letterhead) or "empty"; ``detail`` is the
    reason without the key, as the chat puts it after "Your name" (:meth:`sentence`)."""

    def __init__(self, key: str, kind: str, detail: str):
        super().__init__(f"{key}: {detail}")
        self.key, self.kind, self.detail = key, kind, detail

    def sentence(self, subject: str) -> str:
        """The reason as a sentence about ``subject`` ("Your name is too long (...).")."""
        verb = "is " if self.kind in ("length", "wide", "empty") else ""
        return f"{subject} {verb}{self.detail}."


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
    name = _printed(_text(data, "name", required=True, limit=MAX_NAME), "name", "name")
    address = tuple(_printed(line, f"address[{i}]", "address") for i, line in enumerate(
        _text_list(data, "address", MAX_ADDRESS_LINES, required=True, limit=MAX_ADDRESS_LINE,
                   noun="lines")))
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
    child_name = _printed(_text(data, "child_name", limit=MAX_NAME), "child_name")
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
    photos = tuple(_photo(base, p, f"photos[{i}]") for i, p in enumerate(
        _text_list(data, "photos", MAX_LIST["photos"], limit=MAX_PATH, empty_ok=False)))
    if not (flickr or urls or photos):
        raise InputError("flickr, urls, photos: give at least one Flickr account or photo link, "
                         "image URL or photo to check")
    person = Person(
        name=name, address=address, email=email, residence=residence, uploaded_from=uploaded,
        signature=_signature(data.get("signature", "typed"), base), bipa_choice=choice,
        companies=companies, kinds=kinds,
        residence_dates=_printed(_text(data, "residence_dates", limit=100), "residence_dates"),
        upload_dates=_printed(_text(data, "upload_dates", limit=100), "upload_dates"),
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
        item = _clean(item, f"shown_photos[{i}]", 2000)
        out.append(photo_key(item, f"shown_photos[{i}]"))
    return tuple(dict.fromkeys(o for o in out if o)), False


def photo_key(text: str, key: str) -> str:
    """A photo as the matches name it: a Flickr photo ID from an ID or photo link,
    else the link itself."""
    if text.isascii() and text.isdigit():
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
    """One line of text a person typed, NFC-normalised and stripped; invisible, control
    and line-break characters are refused with a FieldError naming ``key``."""
    return _clean(value, key, limit)


def clean_name(value: str, key: str = "name") -> str:
    """A person's name as the letters print it (at most MAX_NAME characters, in the
    font, within its lines of the letterhead)."""
    return _printed(_clean(value, key, MAX_NAME), key, "name")


def clean_address_line(value: str, key: str = "address") -> str:
    """One line of a postal address as the letters print it."""
    return _printed(_clean(value, key, MAX_ADDRESS_LINE), key, "address")


def clean_email(value: str) -> str:
    """An email address, checked as the person file checks it."""
    return _email(value)


def _text(data: dict, key: str, *, required: bool = False, limit: int = MAX_TEXT) -> str:
    value = data.get(key, "")
    if not isinstance(value, str):
        raise InputError(f"{key}: must be text in quotes")
    value = _clean(value, key, limit)
    if required and not value:
        raise InputError(f"{key}: must not be empty")
    return value


def _clean(value: str, key: str, limit: int) -> str:
    """``value`` NFC-normalised and stripped, refused (FieldError) for invisible characters
    (named, with their position in the text as given), control characters and length."""
    for position, ch in enumerate(value, start=1):
        if unicodedata.category(ch) == "Cf" or ord(ch) in _INVISIBLE:
            name = unicodedata.name(ch, "unnamed character")
            raise FieldError(key, "invisible", f"contains an invisible character (U+{ord(ch):04X} "
                             f"{name}) at position {position}; please type it again without it")
    value = unicodedata.normalize("NFC", value).strip()
    if len(value) > limit:
        raise FieldError(key, "length", f"too long ({len(value)} characters; at most {limit})")
    for ch in value:
        if unicodedata.category(ch) in _FORBIDDEN_CATEGORIES:
            raise FieldError(key, "control", f"contains a line break or control character "
                             f"(U+{ord(ch):04X}); write it on one line")
    return value


def _printed(value: str, key: str, field: str | None = None) -> str:
    """``value``, refused unless the letter font has its characters and, for a ``field``
    of the sender's block ("name", "address", "email"), it fits its lines there."""
    missing = unprintable_characters(value)
    if missing:
        raise FieldError(key, "unprintable", "contains characters the letter font cannot "
                         f"print: {' '.join(missing[:8])}; please write it in Latin, Greek or "
                         "Cyrillic letters")
    if field and value and sender_field_lines(value, field) > SENDER_FIELD_LINES[field]:
        lines = SENDER_FIELD_LINES[field]
        raise FieldError(key, "wide", f"too wide to print in the letter's heading, even in small "
                         f"print (it may take {lines} line{'s' if lines > 1 else ''} there); "
                         "please shorten it")
    return value


def _text_list(data: dict, key: str, most: int, *, required: bool = False,
               limit: int = MAX_TEXT, noun: str = "entries", empty_ok: bool = True) -> list[str]:
    value = data.get(key, [])
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise InputError(f'{key}: must be a list of texts, like {key} = ["...", "..."]')
    if len(value) > most:
        raise InputError(f"{key}: at most {most} {noun} (got {len(value)})")
    out = []
    for i, item in enumerate(value):
        item = _clean(item, f"{key}[{i}]", limit)
        if item:
            out.append(item)
        elif not empty_ok:
            raise FieldError(f"{key}[{i}]", "empty", "empty: give a value, or leave the entry out")
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
    value = _clean(value, "email", MAX_EMAIL)
    if not _EMAIL.match(value):
        raise InputError(f"email: {value[:60]!r} is not an email address")
    if not plain_email_address(value):
        # a comment, quoted part or non-ASCII local part: a mail program would read a
        # different address than the letter prints, so the .eml could not carry it
        raise InputError(f"email: {value[:60]!r} is not a plain email address like "
                         "ann@example.org (no comments, quotes or spaces)")
    try:
        Address(addr_spec=value)
    except (ValueError, IndexError):
        raise InputError(f"email: {value[:60]!r} is not an email address") from None
    return _printed(value, "email", "email")


def _slugs(data: dict, key: str) -> list[str]:
    values = _text_list(data, key, MAX_LIST[key], limit=64)
    for i, value in enumerate(values):
        if not _SLUG.match(value):
            raise InputError(f"{key}[{i}]: {value!r} is not a slug (lowercase letters, digits, '-')")
    return values


def _inside(base: Path, value: str, key: str) -> Path:
    """``value`` as the path of a file inside ``base``: no absolute paths, no '..'
    escapes, no symlinks pointing out, not a folder, and there."""
    raw = Path(value)
    shown = str(raw)[:80]
    if not raw.parts:   # "." or "./"
        raise InputError(f"{key}: {shown!r} is a folder, not a file")
    if raw.is_absolute() or value.startswith("~") or ":" in raw.parts[0]:
        raise InputError(f"{key}: use a path relative to the person file, not {value[:80]!r}")
    try:
        resolved = (base / raw).resolve()
        if resolved != base and base not in resolved.parents:
            raise InputError(f"{key}: {shown!r} points outside the person file's folder")
        if resolved.is_dir():
            raise InputError(f"{key}: {shown!r} is a folder, not a file")
        if not resolved.is_file():
            raise InputError(f"{key}: file not found: {resolved.name[:80]}")
    except OSError as exc:   # a name too long for the file system, a loop of links, ...
        raise InputError(f"{key}: cannot use the path {shown!r} ({exc.strerror or 'unreadable'})") from None
    return resolved


def _photo(base: Path, value: str, key: str) -> Path:
    """A photo to check: a file inside ``base`` that is a picture the check can read
    (only its header is read here)."""
    path = _inside(base, value, key)
    try:
        with Image.open(path, formats=ACCEPTED_FORMATS):
            pass
    except (UnidentifiedImageError, OSError, ValueError, SyntaxError, Image.DecompressionBombError):
        raise InputError(f"{key}: {path.name[:80]} is not a picture the check can read "
                         "(JPEG, PNG, WebP or GIF)") from None
    return path


def _signature(value: Any, base: Path) -> str | bytes:
    if value == "typed":
        return "typed"
    if not isinstance(value, str) or not value.strip():
        raise InputError('signature: "typed", or the path of a PNG or JPEG image of your signature')
    path = _inside(base, _clean(value, "signature", MAX_PATH), "signature")
    data = _read_capped(path, MAX_SIGNATURE_BYTES, "signature")
    check_signature_image(data)
    try:   # small enough to print, and handwriting on light paper
        prepare_signature_image(data, max_bytes=MAX_SIGNATURE_BYTES, max_pixels=MAX_SIGNATURE_PIXELS)
    except PhotoError as exc:
        raise InputError(f"signature: {exc}") from None
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
