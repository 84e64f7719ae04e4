"""Parse what people paste to name a Flickr photo or account.

:func:`parse_flickr_ref` turns one pasted reference into a :class:`FlickrRef`:

- ``photo``: a photo ID, from photo page links (``flickr.com/photos/{owner}/{id}/…``),
  image links (``live.staticflickr.com/{server}/{id}_{secret}_b.jpg`` and the older
  ``farm{n}.staticflickr.com``, ``c{n}.staticflickr.com``, ``farm{n}.static.flickr.com``,
  ``static.flickr.com``, ``photos{n}.flickr.com`` hosts), ``flickr.com/photo.gne?id=``,
  short links ``flic.kr/p/{base58}``, or bare digits;
- ``owner``: an account NSID such as ``12345678@N00``, bare or in a profile link;
- ``alias``: a custom profile name (``flickr.com/photos/janedoe/``) or a typed
  username, which only the Flickr API can turn into an NSID.

Input is treated as hostile: it is length-capped, NFKC-normalised (so full-width
letters read as ASCII, as browsers do, while look-alike letters from other
scripts stay foreign and fail), stripped of invisible formatting characters,
wrapping quotes and brackets and trailing punctuation; control characters,
user-info in links (``flickr.com@evil.example``), backslashes, non-web schemes
and hosts other than Flickr's are refused with a sentence that lists the forms
that work.

:func:`flickr_keys_from_url` is the importers' fast path: given a URL from a
manifest, it returns ``(photo_id, owner_nsid)`` when the URL carries them,
using one precompiled pattern for the common page and image URLs and this
module's full parser only for unusual Flickr URLs.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from urllib.parse import parse_qs, unquote, urlsplit

from ..errors import ReferenceParseError
from .base58 import base58_decode

__all__ = [
    "FORMS_THAT_WORK",
    "FlickrRef",
    "MAX_PHOTO_ID",
    "MAX_REF_LENGTH",
    "flickr_keys_from_url",
    "is_nsid",
    "normalise_nsid",
    "parse_account_ref",
    "parse_flickr_ref",
]

MAX_REF_LENGTH = 2048            # characters of one reference, after trimming
MAX_PHOTO_ID = 2**63 - 1         # IDs are stored as SQLite integers
MAX_USERNAME_LENGTH = 64

FORMS_THAT_WORK = (
    "Send one of: a Flickr photo link (flickr.com/photos/name/1234567890), a short link "
    "(flic.kr/p/…), an image address (live.staticflickr.com/…/1234567890_abcdef1234_b.jpg), "
    "a profile link (flickr.com/photos/name), an account ID like 12345678@N00, "
    "a photo ID (digits only) or a Flickr username."
)


@dataclass(frozen=True)
class FlickrRef:
    """One Flickr reference: what it names and what the person pasted."""

    kind: str                  # "photo" | "owner" | "alias"
    value: str                 # photo ID (digits), NSID, or alias/username
    text: str                  # what the person pasted, trimmed
    owner: str | None = None   # for "photo": the owner's NSID when the link names it


_NSID = re.compile(r"(\d{1,20})@[Nn](\d{2})")
_DIGITS = re.compile(r"\d+")
_ALIAS = re.compile(r"[A-Za-z0-9][A-Za-z0-9_.-]{0,63}")
_EMAIL = re.compile(r"[^@\s/:]+@[^@\s/:]+\.[A-Za-z]{2,}")
_SCHEME = re.compile(r"([A-Za-z][A-Za-z0-9+.-]{0,30}):")
_STATIC_FILE = re.compile(
    r"(\d{1,25})_[0-9A-Fa-f]{4,40}(?:_[0-9A-Za-z]{1,3})*\.(?:jpe?g|png|gif|webp|mp4|mov)",
    re.IGNORECASE)
_BUDDYICON = re.compile(r"(\d{1,20}@[Nn]\d{2})(?:_[a-z])?\.jpe?g", re.IGNORECASE)

_WEB_HOSTS = frozenset({"flickr.com", "www.flickr.com", "m.flickr.com", "secure.flickr.com",
                        "touch.flickr.com"})
_SHORT_HOSTS = frozenset({"flic.kr", "www.flic.kr"})
_EMBED_HOSTS = frozenset({"embedr.flickr.com"})
_STATIC_HOST = re.compile(
    r"(?:(?:farm\d{1,3}\.|c\d{1,3}\.|live\.|combo\.)?staticflickr\.com"
    r"|(?:farm\d{1,3}\.)?static\.flickr\.com"
    r"|photos\d{1,3}\.flickr\.com)")
# first path segments of flickr.com that never name one person
_NOT_A_PERSON = frozenset({"groups", "search", "explore", "galleries", "places", "map",
                           "services", "help", "account", "commons", "camerafinder",
                           "cameras", "blog", "about", "login", "signin", "signup"})
# /photos/<x>/ values that are Flickr pages, not accounts
_RESERVED_PHOTOS = frozenset({"tags", "upload", "organize", "friends", "search", "me"})
# endings that make bare "name.tld" text a web address rather than a username
_COMMON_TLDS = frozenset({"com", "net", "org", "io", "co", "kr", "uk", "de", "fr", "es",
                          "it", "nl", "ru", "jp", "cn", "info", "me", "app", "dev", "tv",
                          "us", "ca", "au", "br", "in", "pl", "eu", "ai", "ly", "gl"})
_WRAPPERS = ("<>", "()", "[]", "{}", '""', "''", "``", "\u201c\u201d", "\u2018\u2019",
             "\u00ab\u00bb", "\u2039\u203a")
_TRAILING_JUNK = ".,;:!?)]}>'\"`\u201d\u2019\u00bb\u203a"
_USERNAME_PUNCTUATION = frozenset(" _-.'")
_INVISIBLE = "\u200b\u200c\u200d\u200e\u200f\u2060\ufeff"


def is_nsid(text: str) -> bool:
    """True when ``text`` is exactly a Flickr NSID such as ``12345678@N00``."""
    return _NSID.fullmatch(text) is not None


def normalise_nsid(text: str) -> str:
    """The canonical spelling of an NSID (upper-case ``N``); ValueError if not one."""
    m = _NSID.fullmatch(text.strip())
    if m is None:
        raise ValueError("not a Flickr NSID")
    return f"{m.group(1)}@N{m.group(2)}"


def parse_flickr_ref(text: str) -> FlickrRef:
    """Read one pasted reference; raises ReferenceParseError saying what works."""
    if not isinstance(text, str):
        raise ReferenceParseError("A Flickr reference must be text. " + FORMS_THAT_WORK)
    if len(text) > 4 * MAX_REF_LENGTH:
        raise ReferenceParseError(
            f"That is too long to be a Flickr link (more than {MAX_REF_LENGTH} characters).")
    kind, value, owner = _classify(_clean(text))
    return FlickrRef(kind=kind, value=value, text=_trimmed(text), owner=owner)


def parse_account_ref(text: str) -> FlickrRef:
    """The account a reference names: kind "owner" (NSID) or "alias".

    Like :func:`parse_flickr_ref`, but a photo page link gives its owner part
    (``flickr.com/photos/janedoe/123`` -> alias ``janedoe``); references that
    name only a photo (short links, image links, bare IDs) raise
    ReferenceParseError.
    """
    if not isinstance(text, str):
        raise ReferenceParseError("A Flickr reference must be text. " + FORMS_THAT_WORK)
    if len(text) > 4 * MAX_REF_LENGTH:
        raise ReferenceParseError(
            f"That is too long to be a Flickr link (more than {MAX_REF_LENGTH} characters).")
    kind, value, _ = _classify(_clean(text), account=True)
    if kind == "photo":
        raise ReferenceParseError(
            "That names one photo, not an account. Send a profile link "
            "(flickr.com/photos/name), an account ID like 12345678@N00, or a Flickr username.")
    return FlickrRef(kind=kind, value=value, text=_trimmed(text))


def _trimmed(text: str) -> str:
    return text.strip().strip(_INVISIBLE).strip()[:MAX_REF_LENGTH]


# --- the importers' fast path ---------------------------------------------------------

_FAST_STATIC = re.compile(
    r"(?:https?:)?//(?:farm\d{1,3}\.|c\d{1,3}\.|live\.)?static\.?flickr\.com/"
    r"(?:\d{1,6}/){1,2}(\d{1,19})_[0-9a-f]{4,40}(?:_[0-9a-z]{1,3})*\.[a-z0-9]{3,4}(?:[?#]|$)",
    re.IGNORECASE)
_FAST_PAGE = re.compile(
    r"(?:https?:)?//(?:www\.|m\.|secure\.)?flickr\.com/photos/([^/?#\s]{1,64})/"
    r"(\d{1,19})(?:[/?#]|$)",
    re.IGNORECASE)


def flickr_keys_from_url(url: str) -> tuple[str | None, str | None]:
    """``(photo_id, owner_nsid)`` carried by a URL from a manifest; None where absent.

    Fast for the common YFCC100M/Flickr forms (one regex match); unusual Flickr
    URLs go through the full parser; anything else gives ``(None, None)``. An
    owner is returned only as an NSID: aliases need the API.
    """
    m = _FAST_STATIC.match(url)
    if m is not None:
        photo = m.group(1)
        if photo[0] != "0" and (len(photo) < 19 or int(photo) <= MAX_PHOTO_ID):
            return photo, None
    else:
        m = _FAST_PAGE.match(url)
        if m is not None:
            photo = m.group(2)
            if photo[0] != "0" and (len(photo) < 19 or int(photo) <= MAX_PHOTO_ID):
                owner_text = m.group(1)
                if "%" in owner_text:
                    owner_text = unquote(owner_text)
                nsid = _NSID.fullmatch(owner_text)
                owner = f"{nsid.group(1)}@N{nsid.group(2)}" if nsid else None
                return photo, owner
    if "flic" not in url.lower():
        return None, None
    try:
        kind, value, owner = _classify(_clean(url))
    except ReferenceParseError:
        return None, None
    if kind == "photo":
        return value, owner
    if kind == "owner":
        return None, value
    return None, None


# --- cleaning -------------------------------------------------------------------------

def _clean(text: str) -> str:
    """NFKC, invisible characters removed, wrappers and trailing punctuation stripped."""
    text = unicodedata.normalize("NFKC", text[: 4 * MAX_REF_LENGTH])
    # zero-width spaces, joiners, direction marks, BOMs: they ride along with copy-paste
    text = "".join(ch for ch in text if unicodedata.category(ch) != "Cf")
    text = text.strip()
    for _ in range(8):
        before = text
        for pair in _WRAPPERS:
            if len(text) >= 2 and text[0] == pair[0] and text[-1] == pair[1]:
                text = text[1:-1].strip()
        text = text.rstrip(_TRAILING_JUNK).strip()
        text = text.lstrip("<([{\"'`\u201c\u2018\u00ab\u2039").strip()
        if text == before:
            break
    if not text:
        raise ReferenceParseError("That was empty. " + FORMS_THAT_WORK)
    if any(unicodedata.category(ch) == "Cc" for ch in text):
        raise ReferenceParseError(
            "That contains control characters, which no Flickr link or name has. "
            + FORMS_THAT_WORK)
    if len(text) > MAX_REF_LENGTH:
        raise ReferenceParseError(
            f"That is too long to be a Flickr link (more than {MAX_REF_LENGTH} characters).")
    return text


# --- classification -------------------------------------------------------------------

def _classify(text: str, *, account: bool = False) -> tuple[str, str, str | None]:
    """(kind, value, owner NSID or None) for cleaned text.

    With ``account``, a photo page link yields its owner (NSID or alias)."""
    bare = text.rstrip("/")
    nsid = _NSID.fullmatch(bare)
    if nsid:
        return "owner", f"{nsid.group(1)}@N{nsid.group(2)}", None
    if _DIGITS.fullmatch(bare):
        return "photo", _photo_id(bare), None
    if _EMAIL.fullmatch(text):
        raise ReferenceParseError(
            "That looks like an email address. Flickr accounts cannot be looked up by email "
            "here. " + FORMS_THAT_WORK)
    url = _as_url(text)
    if url is not None:
        return _parse_url(url, account=account)
    return "alias", _username(text), None


def _as_url(text: str) -> str | None:
    """``text`` as an absolute http(s) URL when it is meant as a link, else None."""
    if re.match(r"https?%3a", text, re.IGNORECASE):
        text = unquote(text)
    if text.startswith("//"):
        return "https:" + text
    m = _SCHEME.match(text)
    if m is not None:
        scheme = m.group(1).lower()
        rest = text[m.end():]
        if scheme in ("http", "https"):
            return scheme + "://" + rest.lstrip("/")
        if "." not in scheme:
            raise ReferenceParseError(
                f"Only web links (http or https) can be read, not “{scheme}:” links. "
                + FORMS_THAT_WORK)
        # "flickr.com:443/photos/…": a host with a port, no scheme
        return "https://" + text
    if "/" in text or "?" in text or "\\" in text:
        if " " in text:
            raise ReferenceParseError(
                "Please send one link at a time, without other words around it. "
                + FORMS_THAT_WORK)
        return "https://" + text
    host = text.lower().rstrip(".")
    if (host in _WEB_HOSTS or host in _SHORT_HOSTS or _STATIC_HOST.fullmatch(host)
            or host.endswith(".flickr.com")):
        return "https://" + text
    labels = host.split(".")
    if len(labels) >= 2 and " " not in host and labels[-1] in _COMMON_TLDS:
        return "https://" + text
    return None


def _parse_url(url: str, *, account: bool = False) -> tuple[str, str, str | None]:
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
    segments = [unquote(s) for s in parts.path.split("/") if s]
    if host in _WEB_HOSTS:
        if not segments and parts.fragment.startswith("/"):
            # the old mobile site routed by fragment: m.flickr.com/#/photos/name/123/
            inner = urlsplit("https://m.flickr.com" + parts.fragment)
            segments = [unquote(s) for s in inner.path.split("/") if s]
            return _parse_web_path(segments, inner.query, account)
        return _parse_web_path(segments, parts.query, account)
    if host in _SHORT_HOSTS:
        return _parse_short_path(segments)
    if host in _EMBED_HOSTS:
        if len(segments) >= 2 and segments[0] == "photos" and _DIGITS.fullmatch(segments[1]):
            return "photo", _photo_id(segments[1]), None
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
        params = parse_qs(query, max_num_fields=20)
        if params.get("id") and _DIGITS.fullmatch(params["id"][0]):
            return "photo", _photo_id(params["id"][0]), None
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
            return "photo", _photo_id(segments[2]), value if kind == "owner" else None
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
            return "photo", _photo_id(m.group(1)), None
    raise ReferenceParseError(
        "That Flickr image address has no photo ID in it (expected a file name like "
        "1234567890_abcdef1234_b.jpg). " + FORMS_THAT_WORK)


# --- values ---------------------------------------------------------------------------

def _photo_id(digits: str) -> str:
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
    return _photo_id(str(number))


def _account(segment: str) -> tuple[str, str]:
    """("owner", NSID) or ("alias", alias) for the account part of a Flickr path."""
    nsid = _NSID.fullmatch(segment)
    if nsid:
        return "owner", f"{nsid.group(1)}@N{nsid.group(2)}"
    if _ALIAS.fullmatch(segment) and any(ch.isalnum() for ch in segment):
        return "alias", segment
    raise ReferenceParseError(
        "The account name in that link has characters Flickr account names never have. "
        + FORMS_THAT_WORK)


def _username(text: str) -> str:
    name = " ".join(text.lstrip("@").split())
    if not name or len(name) > MAX_USERNAME_LENGTH:
        raise ReferenceParseError(
            "That is not a Flickr link, ID or username. " + FORMS_THAT_WORK)
    if not all(ch.isalnum() or ch in _USERNAME_PUNCTUATION for ch in name) or not any(
            ch.isalnum() for ch in name):
        raise ReferenceParseError(
            "That is not a Flickr link, ID or username (it has characters usernames "
            "do not have). " + FORMS_THAT_WORK)
    return name
