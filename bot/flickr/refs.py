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

Input is treated as hostile: it is length-capped; photo IDs, NSIDs and links typed
with the decimal digits of another script (Arabic-Indic, Extended Arabic-Indic,
Devanagari, full-width...) are read as the same ASCII number, while superscript and
circled numbers are refused rather than turned into digits; it is NFKC-normalised
(so full-width letters read as ASCII, as browsers do, while look-alike letters from
other scripts stay foreign and fail), stripped of invisible formatting characters,
wrapping quotes and brackets and trailing punctuation; control characters,
user-info in links (``flickr.com@evil.example``), backslashes, non-web schemes
and hosts other than Flickr's are refused with a sentence that lists the forms
that work.

:func:`flickr_keys_from_url` is the importers' fast path: given a URL from a
manifest, it returns ``(photo_id, owner_nsid)`` when the URL carries them,
using one precompiled pattern for the common page and image URLs and this
full parser only for unusual Flickr URLs.

Which hosts and paths name what lives in :mod:`.links`.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from urllib.parse import unquote

from ..errors import ReferenceParseError
from .links import (FORMS_THAT_WORK, MAX_PHOTO_ID, NSID_PATTERN, ascii_digits, is_nsid,
                    normalise_nsid, parse_flickr_url, photo_id)

__all__ = [
    "FORMS_THAT_WORK",
    "FlickrRef",
    "MAX_PHOTO_ID",
    "MAX_REF_LENGTH",
    "ascii_digits",
    "flickr_keys_from_url",
    "is_nsid",
    "normalise_nsid",
    "parse_account_ref",
    "parse_flickr_ref",
]

MAX_REF_LENGTH = 2048            # characters of one reference, after trimming
MAX_USERNAME_LENGTH = 64


@dataclass(frozen=True)
class FlickrRef:
    """One Flickr reference: what it names and what the person pasted."""

    kind: str                  # "photo" | "owner" | "alias"
    value: str                 # photo ID (digits), NSID, or alias/username
    text: str                  # what the person pasted, trimmed
    owner: str | None = None   # for "photo": the owner's NSID when the link names it


_DIGITS = re.compile(r"[0-9]+")
_EMAIL = re.compile(r"[^@\s/:]+@[^@\s/:]+\.[A-Za-z]{2,}")
_SCHEME = re.compile(r"([A-Za-z][A-Za-z0-9+.-]{0,30}):")
# endings that make bare "name.tld" text a web address rather than a username
_COMMON_TLDS = frozenset({"com", "net", "org", "io", "co", "kr", "uk", "de", "fr", "es",
                          "it", "nl", "ru", "jp", "cn", "info", "me", "app", "dev", "tv",
                          "us", "ca", "au", "br", "in", "pl", "eu", "ai", "ly", "gl"})
_WRAPPERS = ("<>", "()", "[]", "{}", '""', "''", "``", "\u201c\u201d", "\u2018\u2019",
             "\u00ab\u00bb", "\u2039\u203a")
_TRAILING_JUNK = ".,;:!?)]}>'\"`\u201d\u2019\u00bb\u203a"
_USERNAME_PUNCTUATION = frozenset(" _-.'")
_INVISIBLE = "\u200b\u200c\u200d\u200e\u200f\u2060\ufeff"


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
    r"(?:https?:)?//(?:farm[0-9]{1,3}\.|c[0-9]{1,3}\.|live\.)?static\.?flickr\.com/"
    r"(?:[0-9]{1,6}/){1,2}([0-9]{1,19})_[0-9a-f]{4,40}(?:_[0-9a-z]{1,3})*\.[a-z0-9]{3,4}"
    r"(?:[?#]|$)",
    re.IGNORECASE)
_FAST_PAGE = re.compile(
    r"(?:https?:)?//(?:www\.|m\.|secure\.)?flickr\.com/photos/([^/?#\s]{1,64})/"
    r"([0-9]{1,19})(?:[/?#]|$)",
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
                nsid = NSID_PATTERN.fullmatch(owner_text)
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
    text = text[: 4 * MAX_REF_LENGTH]
    # Superscript, subscript and circled digits are no digits of a number, but NFKC would
    # turn them into ones ("…328²" into "…3282", another photo): refuse them instead.
    if not text.isascii() and any(not ch.isdecimal() and unicodedata.digit(ch, None) is not None
                                  for ch in text):
        raise ReferenceParseError(
            "That contains superscript, subscript or circled numbers (like ² or ①), which no "
            "Flickr link or ID has. Type the numbers as ordinary digits. " + FORMS_THAT_WORK)
    text = unicodedata.normalize("NFKC", text)
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

    With ``account``, a photo page link yields its owner (NSID or alias). IDs, NSIDs and
    links are read with the decimal digits of every script (Arabic-Indic, Devanagari...)
    as ASCII digits, the same number; a typed username keeps its own digits."""
    text, typed = ascii_digits(text), text
    bare = text.rstrip("/")
    nsid = NSID_PATTERN.fullmatch(bare)
    if nsid:
        return "owner", f"{nsid.group(1)}@N{nsid.group(2)}", None
    if _DIGITS.fullmatch(bare):
        return "photo", photo_id(bare), None
    if _EMAIL.fullmatch(text):
        raise ReferenceParseError(
            "That looks like an email address. Flickr accounts cannot be looked up by email "
            "here. " + FORMS_THAT_WORK)
    url = _as_url(text)
    if url is not None:
        return parse_flickr_url(url, account=account)
    return "alias", _username(typed), None


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
    if host.endswith(("flickr.com", "flic.kr")):
        return "https://" + text
    labels = host.split(".")
    if len(labels) >= 2 and " " not in host and labels[-1] in _COMMON_TLDS:
        return "https://" + text
    return None


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
