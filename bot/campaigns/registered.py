"""The campaigns registered in the bot's storage: ``<[storage] path>/campaigns.json``.

``{"version": 1, "campaigns": {"<slug>": "<absolute path of CAMPAIGN.toml>"}}``,
written atomically under its own lock file (``campaigns.json.lock``: the storage
folder's ``.lock`` belongs to the running bot, which must not stop an organiser
from adding a campaign). ``serve`` and ``chat`` read it to answer join links
(``/start <join_code>``) and organisers' commands.

A slug, a join code and a member folder each belong to one campaign: registering
a second campaign that shares one with a registered campaign is refused (the same
slug may be registered again from a new path when the old file is gone).
"""

from __future__ import annotations

import fcntl
import logging
import os
import time
from dataclasses import dataclass
from pathlib import Path

from ..errors import InputError, RightsbotError, StorageError
from ..storage.atomic import CorruptFile, atomic_write_bytes, dump_json, read_json_file
from .definition import Campaign, load_campaign

log = logging.getLogger(__name__)

REGISTRY_FILE = "campaigns.json"
LOCK_SUFFIX = ".lock"
LOCK_WAIT_SECONDS = 10.0


@dataclass(frozen=True)
class Registration:
    slug: str
    path: Path
    campaign: Campaign | None       # None when the file no longer loads
    problem: str = ""


def register(storage: Path, campaign: Campaign) -> bool:
    """Register ``campaign`` (its TOML path) in ``storage``; False when it already was,
    unchanged. InputError when it clashes with another registered campaign."""
    storage = Path(storage)
    _ensure(storage)
    with _locked(storage):
        entries = _read(storage)
        source = str(campaign.source)
        if entries.get(campaign.slug) == source:
            return False
        for registration in _load_all(entries):
            other = registration.campaign
            if registration.slug == campaign.slug:
                if other is not None and registration.path.exists():
                    raise InputError(f"a campaign {campaign.slug!r} is already registered from "
                                     f"{registration.path}; give this one another slug")
                continue
            if other is None:
                continue
            if other.join_code == campaign.join_code:
                raise InputError(f"join_code: {campaign.join_code!r} is already the join code of "
                                 f"campaign {other.slug!r}; choose another")
            if other.folder.resolve() == campaign.folder.resolve():
                raise InputError(f"storage.path: campaign {other.slug!r} keeps its members in "
                                 f"{other.folder}; give each campaign its own folder")
        entries[campaign.slug] = source
        atomic_write_bytes(storage / REGISTRY_FILE,
                           dump_json({"version": 1, "campaigns": dict(sorted(entries.items()))}))
    log.info("campaign %s registered", campaign.slug)
    return True


def registrations(storage: Path) -> list[Registration]:
    """Every registered campaign, loaded (``campaign`` None with the ``problem`` when its
    file is gone or no longer valid)."""
    return _load_all(_read(Path(storage)))


def registered(storage: Path) -> list[Campaign]:
    """The registered campaigns that load (broken ones are logged by slug and skipped)."""
    out = []
    for registration in registrations(storage):
        if registration.campaign is None:
            log.warning("campaign %s: registered file does not load; skipped", registration.slug)
        else:
            out.append(registration.campaign)
    return out


def by_join_code(storage: Path, code: str) -> Campaign | None:
    return next((c for c in registered(storage) if c.join_code == code), None)


def organised_by(storage: Path, telegram_id: int) -> list[Campaign]:
    return [c for c in registered(storage) if telegram_id in c.organisers]


def by_slug(storage: Path, slug: str) -> Campaign | None:
    return next((c for c in registered(storage) if c.slug == slug), None)


def _load_all(entries: dict[str, str]) -> list[Registration]:
    out = []
    for slug, path in sorted(entries.items()):
        try:
            campaign = load_campaign(path, check_key=False)
        except RightsbotError as exc:
            out.append(Registration(slug, Path(path), None, str(exc)))
            continue
        if campaign.slug != slug:
            out.append(Registration(slug, Path(path), None,
                                    f"the file now has the slug {campaign.slug!r}"))
            continue
        out.append(Registration(slug, Path(path), campaign))
    return out


def _read(storage: Path) -> dict[str, str]:
    try:
        data = read_json_file(storage / REGISTRY_FILE)
    except CorruptFile:
        raise StorageError(f"{storage / REGISTRY_FILE} is damaged (not a JSON object)") from None
    if data is None:
        return {}
    campaigns = data.get("campaigns")
    if not isinstance(campaigns, dict) or not all(isinstance(k, str) and isinstance(v, str)
                                                  for k, v in campaigns.items()):
        raise StorageError(f"{storage / REGISTRY_FILE} is damaged (no campaigns table)")
    return dict(campaigns)


def _ensure(storage: Path) -> None:
    try:
        storage.mkdir(parents=True, exist_ok=True, mode=0o700)
    except OSError as exc:
        raise StorageError(f"cannot create the storage folder {storage} ({exc.strerror})") from None


class _locked:
    """An exclusive flock on ``campaigns.json.lock``, waiting up to LOCK_WAIT_SECONDS."""

    def __init__(self, storage: Path) -> None:
        self.path = storage / (REGISTRY_FILE + LOCK_SUFFIX)
        self.fd: int | None = None

    def __enter__(self) -> None:
        fd = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o600)
        deadline = time.monotonic() + LOCK_WAIT_SECONDS
        while True:
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                self.fd = fd
                return
            except BlockingIOError:
                if time.monotonic() >= deadline:
                    os.close(fd)
                    raise StorageError(f"{self.path.parent / REGISTRY_FILE} is being changed by "
                                       "another rightsbot process; try again") from None
                time.sleep(0.05)

    def __exit__(self, *exc: object) -> None:
        if self.fd is not None:
            fcntl.flock(self.fd, fcntl.LOCK_UN)
            os.close(self.fd)
            self.fd = None
