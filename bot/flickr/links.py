"""Flickr web addresses: which host and path name which photo or account.

:func:`parse_flickr_url` reads an absolute http(s) URL (already cleaned by
:mod:`.refs`) and returns ``(kind, value, owner)``: kind ``photo`` (value: the
photo ID), ``owner`` (value: the NSID) or ``alias`` (value: a custom profile
name). Hosts: ``flickr.com`` with ``www.``, ``m.``, ``secure.``; ``flic.kr``;
``embedr.flickr.com``; the image hosts ``live.``, ``farm{n}.``, ``c{n}.`` and
``combo.staticflickr.com``, ``(farm{n}.)static.flickr.com`` and
``photos{n}.flickr.com``. Anything else raises ReferenceParseError with
:data:`FORMS_THAT_WORK`.
"""

from __future__ import annotations

import re
import unicodedata
from urllib.parse import parse_qs, unquote, urlsplit

from ..errors import ReferenceParseError
from .base58 import base58_decode

MAX_PHOTO_ID = 2**63 - 1         # IDs are stored as SQLite integers

FORMS_THAT_WORK = (
    "Send one of: a Flickr photo link (flickr.com/photos/name/1234567890), a short link "
    "(flic.kr/p/…), an image address (live.staticflickr.com/…/1234567890_abcdef1234_b.jpg), "
    "a profile link (flickr.com/photos/name), an account ID like 12345678@N00, "
    "a photo ID (digits only) or a Flickr username."
)

# ASCII digits only: digits of other scripts are made ASCII first (ascii_digits), so that
# an ID can never come out of here in Arabic-Indic or Devanagari digits
NSID_PATTERN = re.compile(r"([0-9]{1,20})@[Nn]([0-9]{2})")
ALIAS_PATTERN = re.compile(r"[A-Za-z0-9][A-Za-z0-9_.-]{0,63}")
_DIGITS = re.compile(r"[0-9]+")
_STATIC_FILE = re.compile(
    r"([0-9]{1,25})_[0-9A-Fa-f]{4,40}(?:_[0-9A-Za-z]{1,3})*\.(?:jpe?g|png|gif|webp|mp4|mov)",
    re.IGNORECASE)
_BUDDYICON = re.compile(r"([0-9]{1,20}@[Nn][0-9]{2})(?:_[a-z])?\.jpe?g", re.IGNORECASE)

_WEB_HOSTS = frozenset({"flickr.com", "www.flickr.com", "m.flickr.com", "secure.flickr.com",
                        "touch.flickr.com"})
_SHORT_HOSTS = frozenset({"flic.kr", "www.flic.kr"})
_EMBED_HOSTS = frozenset({"embedr.flickr.com"})
_STATIC_HOST = re.compile(
    r"(?:(?:farm[0-9]{1,3}\.|c[0-9]{1,3}\.|live\.|combo\.)?staticflickr\.com"
    r"|(?:farm[0-9]{1,3}\.)?static\.flickr\.com"
    r"|photos[0-9]{1,3}\.flickr\.com)")
# first path segments of flickr.com that never name one person
_NOT_A_PERSON = frozenset({"groups", "search", "explore", "galleries", "places", "map",
                           "services", "help", "account", "commons", "camerafinder",
                           "cameras", "blog", "about", "login", "signin", "signup"})
# /photos/<x>/ values that are Flickr pages, not accounts
_RESERVED_PHOTOS = frozenset({"tags", "upload", "organize", "friends", "search", "me"})


def ascii_digits(text: str) -> str:
    """``text`` with the decimal digits of every script (Arabic-Indic ٠-٩, Extended
    Arabic-Indic ۰-۹, Devanagari ०-९, full-width ０-９ ...) written as ASCII 0-9; nothing
    else changes. Only true decimal digits (Unicode category Nd) count: superscripts,
    subscripts and circled numbers are not digits of a number and stay as they are."""
    if text.isascii():
        return text
    return "".join(str(unicodedata.decimal(ch)) if not ch.isascii() and ch.isdecimal() else ch
                   for ch in text)


def is_nsid(text: str) -> bool:
    """True when ``text`` is exactly a Flickr NSID such as ``12345678@N00``."""
    return NSID_PATTERN.fullmatch(text) is not None


def normalise_nsid(text: str) -> str:
    """The canonical spelling of an NSID (upper-case ``N``); ValueError if not one."""
    m = NSID_PATTERN.fullmatch(text.strip())
    if m is None:
        raise ValueError("not a Flickr NSID")
    return f"{m.group(1)}@N{m.group(2)}"


def is_alias(text: str) -> bool:
    """True when ``text`` can be a Flickr profile alias (the name in a profile link)."""
    return ALIAS_PATTERN.fullmatch(text) is not None and any(ch.isalnum() for ch in text)


def parse_flickr_url(url: str, *, account: bool = False) -> tuple[str, str, str | None]:
    """``(kind, value, owner NSID or None)`` named by an absolute http(s) URL.

    With ``account``, a photo page link yields its owner (NSID or alias) instead
    of the photo. Raises ReferenceParseError for anything that is not a Flickr
    photo, profile or image link."""
    if "\\" in url:
        raise ReferenceParseError(
            "That link contains a backslash, which Flickr links never do. " + FORMS_THAT_WORK)
    if any(ch.isspace() for ch in url):
        raise ReferenceParseError(
            "Please send one link at a time, without other words around it. "
            + FORMS_THAT_WORK)
    try:
        parts = urlsplit(url)
        parts.port  # noqa: B018 - validates the port
    except ValueError:
        raise ReferenceParseError(
            "That link is malformed (its address part cannot be read). " + FORMS_THAT_WORK
        ) from None
    if "@" in parts.netloc:
        raise ReferenceParseError(
            "That link hides its real address behind an “@”; Flickr links never do. "
            + FORMS_THAT_WORK)
    host = (parts.hostname or "").rstrip(".")
    if not host:
        raise ReferenceParseError("That link has no address. " + FORMS_THAT_WORK)
    segments = [ascii_digits(unquote(s)) for s in parts.path.split("/") if s]
    if host in _WEB_HOSTS:
        if not segments and parts.fragment.startswith("/"):
            # the old mobile site routed by fragment: m.flickr.com/#/photos/name/123/
            inner = urlsplit("https://m.flickr.com" + parts.fragment)
            segments = [ascii_digits(unquote(s)) for s in inner.path.split("/") if s]
            return _parse_web_path(segments, inner.query, account)
        return _parse_web_path(segments, parts.query, account)
    if host in _SHORT_HOSTS:
        return _parse_short_path(segments)
    if host in _EMBED_HOSTS:
        if len(segments) >= 2 and segments[0] == "photos" and _DIGITS.fullmatch(segments[1]):
            return "photo", photo_id(segments[1]), None
        raise ReferenceParseError("That Flickr embed link names no photo. " + FORMS_THAT_WORK)
    if _STATIC_HOST.fullmatch(host):
        return _parse_static_path(segments)
    if host == "flickr.com" or host.endswith(".flickr.com"):
        raise ReferenceParseError(
            "That Flickr address is not a photo, profile or image link. " + FORMS_THAT_WORK)
    raise ReferenceParseError("That is not a Flickr link. " + FORMS_THAT_WORK)


def _parse_web_path(segments: list[str], query: str,
                    account: bool = False) -> tuple[str, str, str | None]:
    if not segments:
        raise ReferenceParseError(
            "That is Flickr's home page, not a photo or an account. " + FORMS_THAT_WORK)
    head = segments[0].lower()
    if head in ("photo.gne", "photo_zoom.gne", "photo_exif.gne"):
        try:
            params = parse_qs(query, max_num_fields=100)
        except ValueError:
            raise ReferenceParseError(
                "That Flickr link carries too many extra parameters to read. " + FORMS_THAT_WORK
            ) from None
        ident = ascii_digits(params["id"][0]) if params.get("id") else ""
        if _DIGITS.fullmatch(ident):
            return "photo", photo_id(ident), None
        if params.get("short"):
            return "photo", _short_code(params["short"][0]), None
        raise ReferenceParseError(
            "That Flickr link names no photo (its id= part is missing). " + FORMS_THAT_WORK)
    if head in ("photos", "people"):
        if len(segments) < 2:
            raise ReferenceParseError(
                "That is a general Flickr page, not one person's photos. " + FORMS_THAT_WORK)
        who = segments[1]
        if head == "photos" and who.lower() in _RESERVED_PHOTOS:
            raise ReferenceParseError(
                "That is a Flickr page for tags or for whoever is logged in, not one person's "
                "photos. Open your profile and send its address. " + FORMS_THAT_WORK)
        kind, value = _account(who)
        if (head == "photos" and not account and len(segments) >= 3
                and _DIGITS.fullmatch(segments[2])):
            return "photo", photo_id(segments[2]), value if kind == "owner" else None
        return kind, value, None
    if head in _NOT_A_PERSON:
        raise ReferenceParseError(
            "That Flickr page is about a group, a search or a topic, not one person. "
            + FORMS_THAT_WORK)
    raise ReferenceParseError(
        "That Flickr address is not a photo, profile or image link. " + FORMS_THAT_WORK)


def _parse_short_path(segments: list[str]) -> tuple[str, str, str | None]:
    if len(segments) >= 2 and segments[0] == "p":
        return "photo", _short_code(segments[1]), None
    if segments and segments[0] in ("ps", "s", "g", "gp"):
        raise ReferenceParseError(
            "Short links to photostreams, albums and groups cannot be read here. Open the "
            "link and send the address it leads to. " + FORMS_THAT_WORK)
    raise ReferenceParseError(
        "That flic.kr link is not a short photo link (flic.kr/p/…). " + FORMS_THAT_WORK)


def _parse_static_path(segments: list[str]) -> tuple[str, str, str | None]:
    if segments:
        last = segments[-1]
        if any(s.lower() == "buddyicons" for s in segments[:-1]):
            icon = _BUDDYICON.fullmatch(last)
            if icon:
                return "owner", normalise_nsid(icon.group(1)), None
        m = _STATIC_FILE.fullmatch(last)
        if m:
            return "photo", photo_id(m.group(1)), None
    raise ReferenceParseError(
        "That Flickr image address has no photo ID in it (expected a file name like "
        "1234567890_abcdef1234_b.jpg). " + FORMS_THAT_WORK)


# --- values ---------------------------------------------------------------------------

def photo_id(digits: str) -> str:
    stripped = digits.lstrip("0")
    if not stripped:
        raise ReferenceParseError("0 is not a Flickr photo ID. " + FORMS_THAT_WORK)
    if len(stripped) > 19 or int(stripped) > MAX_PHOTO_ID:
        raise ReferenceParseError(
            "That number is too long to be a Flickr photo ID. " + FORMS_THAT_WORK)
    return stripped


def _short_code(code: str) -> str:
    try:
        number = base58_decode(code)
    except ValueError:
        raise ReferenceParseError(
            "That short link is damaged: flic.kr/p/ codes use only letters and digits "
            "(without 0, O, I and l) and are at most 11 characters long. " + FORMS_THAT_WORK
        ) from None
    return photo_id(str(number))


def _account(segment: str) -> tuple[str, str]:
    """("owner", NSID) or ("alias", alias) for the account part of a Flickr path."""
    nsid = NSID_PATTERN.fullmatch(segment)
    if nsid:
        return "owner", f"{nsid.group(1)}@N{nsid.group(2)}"
    if is_alias(segment):
        return "alias", segment
    raise ReferenceParseError(
        "The account name in that link has characters Flickr account names never have. "
        + FORMS_THAT_WORK)
