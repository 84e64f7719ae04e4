"""The one validation of a campaign member's fields, for the CSV import and the join
flow alike: :func:`make_member` returns a :class:`~bot.campaigns.members.Member` or
raises :class:`~bot.errors.InputError` naming the field
(``residence: 'XX' is not a known region code; ...``).
"""

from __future__ import annotations

import re
from datetime import date
from typing import TYPE_CHECKING, Iterable
from urllib.parse import urlsplit

from ..errors import InputError, ReferenceParseError

if TYPE_CHECKING:   # pragma: no cover
    from .members import Member

MAX_ADDRESS_LINES = 6
MAX_FLICKR = 100
MAX_URLS = 1000
MAX_URL = 2000
MAX_AUTHORIZATION = 100
SHOWN = ("me", "child", "not-me")
SOURCES = ("csv", "telegram")
MEMBER_ID = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]{0,63}")
AUTHORIZATION = re.compile(r"[A-Za-z0-9][A-Za-z0-9._/:#-]{0,99}")
SIGNATURE_FILE = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]{0,99}\.(?:png|jpg|jpeg)")
TELEGRAM_PREFIX = "tg-"


def telegram_member_id(telegram_id: int) -> str:
    return f"{TELEGRAM_PREFIX}{telegram_id}"


def make_member(*, member_id: str, name: str, address: Iterable[str], email: str = "",
                residence: str, uploaded_from: str = "", shown: str = "",
                flickr: Iterable[str] = (), urls: Iterable[str] = (), authorization: str = "",
                source: str = "csv", telegram_id: int | None = None, signature: str = "typed",
                joined: str = "", left: str = "", require_authorization: bool = True) -> "Member":
    """A validated member; InputError names the field. Text is cleaned as the person
    file cleans it (NFC, no invisible or control characters, printable in the letters).
    An empty ``uploaded_from`` means the same place as ``residence``."""
    from ..letters.person_file import clean_address_line, clean_email, clean_name
    from ..letters.regions import parse_region
    from .members import Member

    if source not in SOURCES:
        raise InputError(f"source: must be one of {', '.join(SOURCES)}")
    member_id = (member_id or "").strip()
    if source == "telegram":
        if not isinstance(telegram_id, int) or member_id != telegram_member_id(telegram_id):
            raise InputError("member_id: a member who joined by Telegram has the id tg-<telegram id>")
    else:
        if not MEMBER_ID.fullmatch(member_id):
            raise InputError(f"member_id: {member_id[:40]!r} is not usable: 1 to 64 letters, "
                             "digits, '.', '_' or '-', starting with a letter or digit")
        if member_id.lower().startswith(TELEGRAM_PREFIX):
            raise InputError(f"member_id: ids starting with {TELEGRAM_PREFIX!r} are kept for "
                             "members who join by Telegram link")
    name = clean_name(name or "", "name")
    if not name:
        raise InputError("name: must not be empty")
    lines = [clean_address_line(line, f"address line {i}") for i, line in
             enumerate(address, start=1)]
    lines = [line for line in lines if line]
    if not lines:
        raise InputError("address: must have at least one line")
    if len(lines) > MAX_ADDRESS_LINES:
        raise InputError(f"address: at most {MAX_ADDRESS_LINES} lines (got {len(lines)})")
    email = (email or "").strip()
    if email:
        email = clean_email(email)
    region = parse_region((residence or "").strip(), "residence").code
    uploaded = (uploaded_from or "").strip()
    uploaded = parse_region(uploaded, "uploaded_from", allow_unknown=True).code if uploaded else region
    shown = (shown or "").strip().lower()
    if shown not in ("", *SHOWN):
        raise InputError(f"shown: {shown[:20]!r} is not one of me, child, not-me (or empty: not said)")
    flickr_refs = check_flickr(flickr)
    image_urls = check_urls(urls)
    if not flickr_refs and not image_urls:
        raise InputError("flickr, urls: give at least one Flickr reference or image URL to check")
    authorization = (authorization or "").strip()
    if authorization and not AUTHORIZATION.fullmatch(authorization):
        raise InputError(f"authorization: {authorization[:40]!r} is not a reference: 1 to 100 "
                         "letters, digits and . _ / : # -")
    if require_authorization and not authorization:
        raise InputError("authorization: the reference of the member's signed authorization is "
                         "needed (the organisation acts as their agent)")
    if signature != "typed" and not SIGNATURE_FILE.fullmatch(signature or ""):
        raise InputError("signature: \"typed\", or a PNG or JPEG file name in the campaign folder")
    for key, value in (("joined", joined), ("left", left)):
        if value:
            try:
                date.fromisoformat(value)
            except ValueError:
                raise InputError(f"{key}: must be an ISO date like 2026-05-01") from None
    return Member(member_id=member_id, name=name, address=tuple(lines), email=email,
                  residence=region, uploaded_from=uploaded, shown=shown, flickr=flickr_refs,
                  urls=image_urls, authorization=authorization, source=source,
                  telegram_id=telegram_id, signature=signature, joined=joined, left=left)


def check_flickr(values: Iterable[str]) -> tuple[str, ...]:
    """Flickr references as the check reads them (links, NSIDs, photo IDs, aliases);
    duplicates dropped."""
    from ..flickr.refs import parse_flickr_ref

    out: list[str] = []
    for i, value in enumerate(values, start=1):
        value = value.strip()
        if not value:
            continue
        if len(out) >= MAX_FLICKR:
            raise InputError(f"flickr: at most {MAX_FLICKR} references")
        try:
            ref = parse_flickr_ref(value)
        except ReferenceParseError as exc:
            why = str(exc).split(" Send one of")[0].rstrip(".")
            raise InputError(f"flickr: reference {i} ({value[:40]!r}): {why} (a Flickr photo "
                             "or profile link, an account ID like 12345678@N00, a photo ID or "
                             "a username)") from None
        if ref.text not in out:
            out.append(ref.text)
    return tuple(out)


def check_urls(values: Iterable[str]) -> tuple[str, ...]:
    """Image URLs: http or https only, with a host, no spaces or control characters."""
    out: list[str] = []
    for i, value in enumerate(values, start=1):
        value = value.strip()
        if not value:
            continue
        if len(out) >= MAX_URLS:
            raise InputError(f"urls: at most {MAX_URLS} URLs")
        shown = value[:40]
        if len(value) > MAX_URL or any(ord(c) < 33 or 0x7F <= ord(c) < 0xA0 for c in value):
            raise InputError(f"urls: URL {i} ({shown!r}) is too long or holds spaces or control "
                             "characters")
        try:
            parts = urlsplit(value)
            host = parts.hostname
        except ValueError:
            host, parts = None, None
        if parts is None or parts.scheme.lower() not in ("http", "https") or not host:
            raise InputError(f"urls: URL {i} ({shown!r}) is not an http:// or https:// address")
        if value not in out:
            out.append(value)
    return tuple(out)
