"""A small Flickr REST client: resolve an account, list its public photos.

Only two questions are ever asked of Flickr:

- :meth:`FlickrClient.resolve_user`: which NSID is behind a profile link, alias
  or username (``flickr.urls.lookupUser``, then ``flickr.people.findByUsername``);
- :meth:`FlickrClient.public_photo_ids`: the IDs of an account's public photos
  (``flickr.people.getPublicPhotos``, 500 per page, up to ``max_photos``).

Requests are POSTed form-encoded (Flickr's REST endpoint takes GET or POST), so
the API key and whatever name a person typed never appear in a URL, and hence
never in urllib3's debug log or a proxy's access log. Every call asks for
``format=json&nojsoncallback=1``. HTTP 429 and 5xx answers, Flickr's own
"service unavailable" (error 105), timeouts, broken connections and bodies that
are not Flickr JSON are retried with exponential backoff plus jitter, honouring
``Retry-After``; after ``max_retries`` retries the call raises
:class:`~bot.errors.FlickrUnavailable`. Bodies are read with a size cap and an
overall deadline, so a server that drips bytes cannot hold a worker.

Errors (all :class:`~bot.errors.FlickrError`):

- :class:`~bot.errors.FlickrKeyMissing`: no ``FLICKR_API_KEY``; NSIDs and
  photo IDs still work without the API;
- :class:`~bot.errors.FlickrKeyInvalid`: Flickr rejected the key (error 100);
- :class:`~bot.errors.FlickrUserNotFound`: no such account (error 1 or 5);
- :class:`~bot.errors.FlickrUnavailable`: Flickr did not answer usefully.

Logging: NSIDs at debug level at most; never the key, never a typed name.
A client may be shared by threads: each thread gets its own ``requests.Session``
(requests does not promise a Session is thread-safe), unless one was injected.
"""

from __future__ import annotations

import email.utils
import json
import logging
import math
import random
import threading
import time
from datetime import datetime, timezone
from typing import TYPE_CHECKING, Any, Callable
from urllib.parse import quote

import requests
import urllib3

from .. import __version__
from ..config import secret
from ..errors import (FlickrError, FlickrKeyInvalid, FlickrKeyMissing, FlickrUnavailable,
                      FlickrUserNotFound)
from .links import is_alias, is_nsid, normalise_nsid
from .refs import parse_account_ref

if TYPE_CHECKING:
    from ..config import Config

__all__ = ["FlickrClient", "PublicPhotos"]

log = logging.getLogger(__name__)

PER_PAGE = 500                       # Flickr's maximum for getPublicPhotos
MAX_RESPONSE_BYTES = 8 * 1024 * 1024  # a 500-photo page is ~60 kB
_RETRY_STATUS = frozenset({429, 500, 502, 503, 504, 520, 521, 522, 523, 524})
_TRANSIENT_CODES = frozenset({105, 106})  # "service currently unavailable", "write failed"
_NOT_FOUND_CODES = frozenset({1, 5})      # "user not found", "user deleted"
_USER_AGENT = f"rightsbot/{__version__} python-requests/{requests.__version__}"

KEY_MISSING_MESSAGE = (
    "No Flickr API key is set (FLICKR_API_KEY), so account names, profile links and whole "
    "accounts cannot be looked up. Account IDs like 12345678@N00 and photo links still work.")
KEY_INVALID_MESSAGE = (
    "Flickr rejected the API key (FLICKR_API_KEY is invalid or expired), so account names and "
    "whole accounts cannot be looked up. Account IDs like 12345678@N00 and photo links still "
    "work.")
NOT_FOUND_MESSAGE = "Flickr has no account by that name or link."


class PublicPhotos(list[str]):
    """Photo IDs of one account, newest first, with what Flickr said about the total.

    ``capped`` is True when the account has more public photos than the client
    lists (``max_photos``); ``total`` is Flickr's count (0 if it gave none).
    """

    def __init__(self, ids: list[str], *, total: int, capped: bool) -> None:
        super().__init__(ids)
        self.total = total
        self.capped = capped


class _NotFound(Exception):
    """Flickr said the user does not exist (error 1 or 5)."""


class _Refused(FlickrError):
    """Flickr answered ``stat: fail`` with a code this client has no meaning for."""


class _Transient(Exception):
    """An answer worth retrying; ``retry_after`` in seconds when the server said."""

    def __init__(self, reason: str, retry_after: float | None = None) -> None:
        super().__init__(reason)
        self.reason = reason
        self.retry_after = retry_after


class FlickrClient:
    """Flickr REST client; see the module docstring."""

    def __init__(self, api_key: str | None, *, api_url: str, timeout: float, max_retries: int,
                 max_photos: int, session: requests.Session | None = None,
                 sleep: Callable[[float], None] = time.sleep,
                 jitter: Callable[[], float] = random.random,
                 backoff_base: float = 1.0, backoff_cap: float = 30.0,
                 max_retry_after: float = 120.0) -> None:
        self._key = (api_key or "").strip() or None
        self.api_url = api_url
        self.timeout = float(timeout)
        self.max_retries = int(max_retries)
        self.max_photos = int(max_photos)
        self._session = session              # injected: shared, the caller's to close
        self._local = threading.local()      # otherwise: one session per thread
        self._own_sessions: list[requests.Session] = []
        self._lock = threading.Lock()
        self._sleep = sleep
        self._jitter = jitter
        self._backoff_base = backoff_base
        self._backoff_cap = backoff_cap
        self._max_retry_after = max_retry_after

    @classmethod
    def from_config(cls, config: "Config", *, session: requests.Session | None = None,
                    sleep: Callable[[float], None] = time.sleep) -> "FlickrClient":
        """A client from ``[flickr]``, with the key from ``FLICKR_API_KEY`` (may be unset)."""
        section = config.flickr
        return cls(secret("FLICKR_API_KEY"), api_url=section.api_url,
                   timeout=section.timeout_seconds, max_retries=section.max_retries,
                   max_photos=section.max_photos, session=session, sleep=sleep)

    @property
    def has_key(self) -> bool:
        """True when an API key is configured (it may still be rejected)."""
        return self._key is not None

    def close(self) -> None:
        """Close the sessions this client opened (an injected one stays open)."""
        with self._lock:
            sessions, self._own_sessions = self._own_sessions, []
        for session in sessions:
            session.close()

    def _http(self) -> requests.Session:
        if self._session is not None:
            return self._session
        session = getattr(self._local, "session", None)
        if session is None:
            session = requests.Session()
            self._local.session = session
            with self._lock:
                self._own_sessions.append(session)
        return session

    def __enter__(self) -> "FlickrClient":
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # --- the two questions --------------------------------------------------------

    def resolve_user(self, alias_or_url: str) -> str:
        """The NSID behind a profile link, alias, username or NSID.

        NSIDs (bare or in a link) come back without asking Flickr. Raises
        ReferenceParseError for text that names no account, and FlickrKeyMissing,
        FlickrKeyInvalid, FlickrUserNotFound or FlickrUnavailable.
        """
        ref = parse_account_ref(alias_or_url)
        if ref.kind == "owner":
            return ref.value
        self._require_key()
        name = ref.value
        nsid: str | None = None
        if is_alias(name):
            profile = f"https://www.flickr.com/photos/{quote(name, safe='')}/"
            try:
                data = self._call("flickr.urls.lookupUser", url=profile)
                nsid = _user_id(data, "id")
            except (_NotFound, _Refused):
                nsid = None  # e.g. a username that is not also a profile alias
        if nsid is None:
            try:
                data = self._call("flickr.people.findByUsername", username=name)
                nsid = _user_id(data, "nsid") or _user_id(data, "id")
            except _NotFound:
                nsid = None
        if nsid is None:
            raise FlickrUserNotFound(NOT_FOUND_MESSAGE)
        log.debug("flickr: resolved an account name")   # not the NSID: it names the person
        return nsid

    def public_photo_ids(self, nsid: str,
                         progress: Callable[[int, int], None] | None = None) -> PublicPhotos:
        """IDs of the account's public photos, at most ``max_photos`` of them.

        ``progress(done, expected)`` is called after each page. The result is a
        list with ``.total`` and ``.capped`` (see :class:`PublicPhotos`). Flickr
        shows calls without a user login only photos marked "safe", so
        moderate/restricted photos are not listed.
        """
        try:
            nsid = normalise_nsid(nsid)
        except (ValueError, AttributeError):
            raise FlickrError("That is not a Flickr account ID (like 12345678@N00).") from None
        self._require_key()
        per_page = min(PER_PAGE, self.max_photos)
        seen: set[str] = set()
        ids: list[str] = []
        total = 0
        page = 1
        pages = 1
        skipped = 0
        max_requests = math.ceil(self.max_photos / per_page) + 2
        for _ in range(max_requests):
            try:
                data = self._call("flickr.people.getPublicPhotos", user_id=nsid,
                                  per_page=str(per_page), page=str(page))
            except _NotFound:
                raise FlickrUserNotFound(NOT_FOUND_MESSAGE) from None
            listing = data.get("photos")
            if not isinstance(listing, dict) or not isinstance(listing.get("photo", []), list):
                raise FlickrUnavailable(
                    "Flickr answered the photo list request with something unexpected.")
            total = max(total, _as_int(listing.get("total")))
            pages = _as_int(listing.get("pages"))
            batch = listing.get("photo") or []
            for item in batch:
                photo_id = item.get("id") if isinstance(item, dict) else None
                if not isinstance(photo_id, str) or not photo_id.isascii() \
                        or not photo_id.isdigit() or len(photo_id) > 19:
                    skipped += 1
                    continue
                if photo_id not in seen:
                    seen.add(photo_id)
                    ids.append(photo_id)
            if progress is not None:
                progress(min(len(ids), self.max_photos), min(max(total, len(ids)),
                                                             self.max_photos))
            log.debug("flickr: photo list page %d of %d, %d ids so far", page, pages, len(ids))
            if len(ids) >= self.max_photos or not batch or page >= pages:
                break
            page += 1
        if skipped:
            log.warning("flickr: skipped %d photo entries without a usable id", skipped)
        capped = len(ids) > self.max_photos or total > self.max_photos or (
            len(ids) == self.max_photos and page < pages)
        if capped:
            log.info("flickr: an account has %d public photos; listing capped at %d",
                     total, self.max_photos)
        return PublicPhotos(ids[: self.max_photos], total=total, capped=capped)

    # --- transport ----------------------------------------------------------------

    def _require_key(self) -> None:
        if self._key is None:
            raise FlickrKeyMissing(KEY_MISSING_MESSAGE)

    def _call(self, method: str, **params: str) -> dict[str, Any]:
        """One API method, retried; the decoded ``stat: ok`` answer."""
        form = {"method": method, "api_key": self._key or "", "format": "json",
                "nojsoncallback": "1", **params}
        attempts = 1 + max(0, self.max_retries)
        last = "no answer"
        for attempt in range(attempts):
            try:
                return self._call_once(method, form)
            except _Transient as exc:
                last = exc.reason
                if attempt + 1 >= attempts:
                    break
                delay = self._backoff(attempt)
                if exc.retry_after is not None:
                    if exc.retry_after > self._max_retry_after:
                        raise FlickrUnavailable(
                            f"Flickr asked to wait {math.ceil(exc.retry_after / 60)} minutes "
                            "before the next request. Please try again later.") from None
                    delay = max(delay, exc.retry_after)
                log.info("flickr: %s failed (%s); retry %d of %d in %.1f s",
                         method, exc.reason, attempt + 1, attempts - 1, delay)
                self._sleep(delay)
        raise FlickrUnavailable(
            f"Flickr is not answering properly right now ({last}, {attempts} "
            f"attempt{'s' if attempts != 1 else ''}). Please try again later.")

    def _backoff(self, attempt: int) -> float:
        """Exponential backoff with "equal jitter": half fixed, half random."""
        ceiling = min(self._backoff_cap, self._backoff_base * (2 ** attempt))
        return ceiling / 2 + self._jitter() * ceiling / 2

    def _call_once(self, method: str, form: dict[str, str]) -> dict[str, Any]:
        started = time.monotonic()
        try:
            response = self._http().post(
                self.api_url, data=form, timeout=(self.timeout, self.timeout), stream=True,
                allow_redirects=False, headers={"User-Agent": _USER_AGENT,
                                                "Accept": "application/json"})
        except requests.Timeout:
            raise _Transient("timed out") from None
        except requests.ConnectionError:
            raise _Transient("connection failed") from None
        except (requests.exceptions.InvalidURL, requests.exceptions.MissingSchema,
                requests.exceptions.InvalidSchema):
            raise FlickrError("The Flickr API address in the configuration ([flickr] api_url) "
                              "is not a usable URL.") from None
        try:
            status = response.status_code
            if status in _RETRY_STATUS or 500 <= status < 600:
                raise _Transient(f"HTTP {status}", _retry_after(response.headers))
            if status != 200:
                raise FlickrError(
                    f"Flickr refused the request (HTTP {status}). If this keeps happening, "
                    "check [flickr] api_url.")
            body = self._read_body(response, started)
        finally:
            response.close()
        data = _decode(body)
        if data.get("stat") == "ok":
            return data
        code = _as_int(data.get("code"), default=-1)
        if code == 100:
            raise FlickrKeyInvalid(KEY_INVALID_MESSAGE)
        if code in _NOT_FOUND_CODES:
            raise _NotFound()
        if code in _TRANSIENT_CODES:
            raise _Transient(f"Flickr error {code}")
        if data.get("stat") != "fail":
            raise _Transient("an answer without a status")
        raise _Refused(f"Flickr could not answer the {method} request (Flickr error {code}).")

    def _read_body(self, response: requests.Response, started: float) -> bytes:
        """The body, read as it arrives, within the size cap and the overall deadline.

        ``read1`` returns after each network read, so a server that sends a byte
        at a time is cut off at ``timeout`` (plus at most one read timeout)."""
        chunks: list[bytes] = []
        size = 0
        raw = response.raw
        try:
            while True:
                chunk = raw.read1(65536, decode_content=True)
                if not chunk:
                    break
                size += len(chunk)
                if size > MAX_RESPONSE_BYTES:
                    raise _Transient("an answer far larger than any Flickr answer")
                if time.monotonic() - started > self.timeout:
                    raise _Transient("timed out")
                chunks.append(chunk)
        except (urllib3.exceptions.HTTPError, OSError, requests.RequestException):
            raise _Transient("the connection broke or stalled mid-answer") from None
        if time.monotonic() - started > self.timeout:
            raise _Transient("timed out")
        return b"".join(chunks)


def _decode(body: bytes) -> dict[str, Any]:
    """Flickr JSON (tolerating a JSONP wrapper); garbage is a transient failure."""
    text = body.strip()
    if text.startswith(b"jsonFlickrApi(") and text.endswith(b")"):
        text = text[len(b"jsonFlickrApi("):-1]
    try:
        data = json.loads(text)
    except (ValueError, RecursionError):
        raise _Transient("an answer that is not JSON") from None
    if not isinstance(data, dict):
        raise _Transient("an answer that is not a JSON object")
    return data


def _user_id(data: dict[str, Any], field: str) -> str | None:
    user = data.get("user")
    value = user.get(field) if isinstance(user, dict) else None
    if isinstance(value, str) and is_nsid(value):
        return normalise_nsid(value)
    if value is None:
        return None
    raise FlickrUnavailable("Flickr answered the account look-up with something unexpected.")


def _as_int(value: Any, default: int = 0) -> int:
    if isinstance(value, bool):
        return default
    if isinstance(value, int):
        return value
    if isinstance(value, str) and value.strip().isdigit() and len(value.strip()) < 19:
        return int(value.strip())
    return default


def _retry_after(headers: Any) -> float | None:
    """Seconds from a Retry-After header (delta-seconds or an HTTP date), else None."""
    raw = headers.get("Retry-After")
    if not raw:
        return None
    raw = raw.strip()[:64]
    try:
        seconds = float(raw)
    except ValueError:
        seconds = None
    if seconds is not None:
        return min(seconds, 1e8) if math.isfinite(seconds) and seconds >= 0 else None
    try:
        when = email.utils.parsedate_to_datetime(raw)
    except (TypeError, ValueError, IndexError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=timezone.utc)
    return max(0.0, (when - datetime.now(timezone.utc)).total_seconds())
