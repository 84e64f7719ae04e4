"""The keys that can match, in the one canonical form the index stores.

* Flickr photo IDs are positive integers (stored as INTEGER).
* Owners are Flickr NSIDs (``12345678@N00``, upper-case ``N``) or, where a
  manifest only carries the custom alias of the page URL (FFHQ), the alias in
  lower case.
* URLs are normalised by :func:`normalise_url`: lower-case scheme and host, no
  default port, no user info, no fragment, no trailing slash, percent escapes
  in upper case and non-ASCII characters percent-encoded. The scheme is kept
  (``http``/``https``); lookups try both.
* File hashes are raw bytes (32 for sha256, 16 for md5); perceptual hashes are
  unsigned 64-bit integers, stored as signed SQLite INTEGERs.

Every function here takes hostile text and answers ``None`` for anything it
cannot use; none of them raises on bad input.
"""

from __future__ import annotations

import re
from urllib.parse import quote, urlsplit

from ..flickr.refs import flickr_keys_from_url

MAX_PHOTO_ID = 2**63 - 1
MAX_URL_LENGTH = 2048

_NSID = re.compile(r"[0-9]{1,20}@[Nn][0-9]{2}")
_ALIAS = re.compile(r"[A-Za-z0-9_.\-]{1,64}")
_SLUG = re.compile(r"[a-z0-9][a-z0-9\-]{0,39}")
_HEX = re.compile(r"[0-9a-fA-F]+")
_FAST_URL = re.compile(r"https?://[a-z0-9\-]+(?:\.[a-z0-9\-]+)*/[A-Za-z0-9._~!$&'()*+,;=:@/\-]*[A-Za-z0-9._~!$&'()*+,;=:@\-]")
_SCHEME = re.compile(r"([A-Za-z][A-Za-z0-9+.\-]*):(?!\d)")
_PERCENT = re.compile(r"%[0-9a-fA-F]{2}")
_SAFE_PATH = "/!$&'()*+,;=:@-._~%"
_SAFE_QUERY = _SAFE_PATH + "?"

# the owner part of flickr.com/photos/{owner}[/...] and /people/{owner}
_FLICKR_PAGE = re.compile(r"^(?:https?://)?(?:www\.|m\.|secure\.)?flickr\.com/(?:photos|people)/"
                          r"([A-Za-z0-9_.\-]{1,64})(?:[/?#]|$)", re.IGNORECASE)
_NOT_OWNERS = frozenset({"tags", "search", "groups", "explore", "upload", "organize", "friends",
                         "me", "galleries", "places", "map"})
# .../{photo_id}_{secret}[_{size}].{ext} on staticflickr hosts
_FLICKR_FILE = re.compile(r"(?:^|/)([0-9]{1,19})_[0-9a-f]{4,16}(?:_[a-z0-9]{1,2})?\.[a-z0-9]{2,4}$",
                          re.IGNORECASE)
# MegaFace: .../{NSID}/{photo_id}_{face}.jpg (optionally .jpg.json)
_MEGAFACE_PATH = re.compile(r"(?:^|/)([0-9]{1,20}@N[0-9]{2})/([0-9]{1,19})_[0-9]{1,4}\.[A-Za-z]{3,4}")


def valid_slug(slug: str) -> bool:
    """Dataset slugs: lower-case letters, digits and hyphens, at most 40."""
    return bool(_SLUG.fullmatch(slug))


def photo_id(text: str | bytes) -> int | None:
    """A Flickr photo ID as an int, or None unless ``text`` is plain digits."""
    if isinstance(text, bytes):
        text = text.strip()
        if not text.isdigit() or len(text) > 19:
            return None
    else:
        text = text.strip()
        if not (text.isascii() and text.isdigit()) or len(text) > 19:
            return None
    value = int(text)
    return value if 0 < value <= MAX_PHOTO_ID else None


def normalise_owner(text: str) -> str | None:
    """An NSID in canonical case, an alias in lower case, or None."""
    text = text.strip()
    if _NSID.fullmatch(text):
        at = text.index("@")
        return text[:at] + "@N" + text[at + 2:]
    if _ALIAS.fullmatch(text):
        return text.lower()
    return None


def is_nsid(owner: str) -> bool:
    return bool(_NSID.fullmatch(owner))


def hex_digest(text: str | bytes, size: int) -> bytes | None:
    """``size`` raw bytes from a hex digest of exactly ``2 * size`` digits."""
    if isinstance(text, bytes):
        try:
            text = text.decode("ascii")
        except UnicodeDecodeError:
            return None
    text = text.strip()
    if len(text) != 2 * size or not _HEX.fullmatch(text):
        return None
    return bytes.fromhex(text)


def parse_phash(text: str | bytes) -> int | None:
    """A 64-bit perceptual hash from 16 hex digits (imagehash's ``str()``)."""
    raw = hex_digest(text, 8)
    return int.from_bytes(raw, "big") if raw is not None else None


def to_signed64(value: int) -> int:
    """An unsigned 64-bit value as the signed INTEGER SQLite can store."""
    return value - (1 << 64) if value >= (1 << 63) else value


def to_unsigned64(value: int) -> int:
    return value + (1 << 64) if value < 0 else value


def normalise_url(url: str) -> str | None:
    """The canonical form of an http(s) URL, or None if it is not one.

    A missing scheme means ``http://``. The result keeps the scheme, so callers
    that want scheme-blind matching look up :func:`url_variants`.
    """
    if not isinstance(url, str):
        return None
    url = url.strip()
    if not url or len(url) > MAX_URL_LENGTH:
        return None
    if _FAST_URL.fullmatch(url):
        return url  # already canonical: the common case in manifests
    if any(ord(c) < 0x20 or c in " \x7f\\<>\"{}|^`" for c in url):
        url = "".join(c if c not in " \"<>{}|^`" else quote(c) for c in url)
        if any(ord(c) < 0x20 or c in "\x7f\\" for c in url):
            return None
    if "://" not in url:
        scheme = _SCHEME.match(url)
        if scheme and "." not in scheme.group(1):
            return None   # mailto:, javascript:, data: ...
        url = "http://" + url
    try:
        parts = urlsplit(url)
        port = parts.port
        host = parts.hostname
    except ValueError:
        return None
    scheme = parts.scheme.lower()
    if scheme not in ("http", "https") or not host:
        return None
    try:
        host = host.encode("idna").decode("ascii") if not host.isascii() else host
    except UnicodeError:
        return None
    host = host.lower().rstrip(".")
    if not host or not re.fullmatch(r"[a-z0-9.\-_:]+", host):
        return None
    if ":" in host:
        host = f"[{host}]"  # IPv6 literal
    if port is not None and not (scheme == "http" and port == 80) \
            and not (scheme == "https" and port == 443):
        host = f"{host}:{port}"
    path = _requote(parts.path, _SAFE_PATH).rstrip("/")
    query = _requote(parts.query, _SAFE_QUERY)
    out = f"{scheme}://{host}{path}"
    if query:
        out += "?" + query
    return out if len(out) <= MAX_URL_LENGTH else None


def _requote(text: str, safe: str) -> str:
    text = quote(text, safe=safe, encoding="utf-8", errors="strict")
    return _PERCENT.sub(lambda m: m.group(0).upper(), text)


def url_variants(normalised: str) -> tuple[str, ...]:
    """The same URL under http and https (images move between them)."""
    if normalised.startswith("https://"):
        return (normalised, "http://" + normalised[8:])
    if normalised.startswith("http://"):
        return (normalised, "https://" + normalised[7:])
    return (normalised,)


def url_host(normalised: str) -> str:
    """The host (with a non-default port) of a normalised URL."""
    rest = normalised.split("://", 1)[-1]
    return rest.split("/", 1)[0].split("?", 1)[0]


def flickr_keys(url: str) -> tuple[int | None, str | None]:
    """The Flickr photo ID and owner a manifest URL names, each None when absent.

    Photo IDs and NSIDs come from :func:`bot.flickr.refs.flickr_keys_from_url`
    (page, image, ``photo.gne`` and ``flic.kr`` links); where a page URL names the
    owner by custom alias instead of NSID (FFHQ's ``photo_url``), the alias is
    kept too, in lower case, so that a person typing that alias matches.
    """
    if "flic" not in url[:48].lower():
        return None, None
    photo_text, owner = flickr_keys_from_url(url)
    photo = photo_id(photo_text) if photo_text else None
    if owner is None:
        match = _FLICKR_PAGE.search(url[:300])
        if match and match.group(1).lower() not in _NOT_OWNERS:
            owner = match.group(1)
    return photo, (normalise_owner(owner) if owner else None)


def path_keys(relpath: str) -> tuple[int | None, str | None]:
    """Photo ID and owner encoded in a dataset file path, if any.

    MegaFace: ``FlickrFinal2/901/9019583@N08/8032652775_0.jpg``; Flickr file
    names: ``8032652775_1a2b3c4d5e[_z].jpg``.
    """
    relpath = relpath.replace("\\", "/")
    match = _MEGAFACE_PATH.search(relpath)
    if match:
        return photo_id(match.group(2)), normalise_owner(match.group(1))
    match = _FLICKR_FILE.search(relpath)
    if match:
        return photo_id(match.group(1)), None
    return None, None


def flickr_page_url(photo: int | str, owner: str | None) -> str:
    """A link to the photo's page, for a letter's exhibit."""
    if owner:
        return f"https://www.flickr.com/photos/{owner}/{photo}/"
    return f"https://www.flickr.com/photo.gne?id={photo}"
