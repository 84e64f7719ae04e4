"""A campaign's members: validated records and the roster that stores them.

Members come from a CSV import (``source = "csv"``, ids chosen by the organiser)
or join by Telegram link (``source = "telegram"``, id ``tg-<telegram id>``). Each
is personal data: the roster lives in ``<campaign.folder>/members.json`` (folder
mode 0700, file 0600), is written atomically (temp file, fsync, rename) under a
:class:`~bot.storage.lock.FolderLock`, and never logged (logs carry slugs, member
ids and counts only).

:func:`make_member` (in :mod:`bot.campaigns.member_fields`, re-exported here) is
the one validation of a member's fields, for the CSV import and the join flow alike.
"""

from __future__ import annotations

import json
import logging
import os
import threading
import time
from dataclasses import asdict, dataclass, replace
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Any, Iterable, Iterator

from ..errors import InputError, StorageError
from ..storage.atomic import CorruptFile, atomic_write_chunks
from ..storage.lock import FolderLock
from .definition import Campaign
from .member_fields import (SHOWN, SIGNATURE_FILE, SOURCES, TELEGRAM_PREFIX,  # noqa: F401
                            check_flickr, check_urls, make_member, telegram_member_id)

if TYPE_CHECKING:   # pragma: no cover
    from ..check import CheckRequest
    from ..letters.model import Person

log = logging.getLogger(__name__)

ROSTER_FILE = "members.json"
ROSTER_VERSION = 1
FOLDER_MODE = 0o700
FILE_MODE = 0o600
LOCK_WAIT_SECONDS = 10.0
MAX_ROSTER_BYTES = 1024 * 1024 * 1024
MAX_SIGNATURE_BYTES = 1024 * 1024


@dataclass(frozen=True, slots=True)
class Member:
    member_id: str            # from the CSV, or "tg-<telegram id>" for members who joined by link
    name: str
    address: tuple[str, ...]
    email: str
    residence: str            # region code as bot.regions accepts ("US-IL", "DE")
    uploaded_from: str        # region code, or "unknown"
    shown: str                # "me" | "child" | "not-me" | "" (not said)
    flickr: tuple[str, ...]
    urls: tuple[str, ...]
    authorization: str        # reference of the signed authorization the organisation holds
    source: str = "csv"       # "csv" | "telegram"
    telegram_id: int | None = None
    signature: str = "typed"  # "typed", or a PNG/JPEG file name inside the campaign folder
    joined: str = ""          # ISO date
    left: str = ""            # ISO date when the member left ("" = active)

    @property
    def active(self) -> bool:
        return not self.left

    def person(self, campaign: Campaign) -> "Person":
        """The sender of this member's letters, with the organisation as authorized agent;
        kinds and companies limited to the campaign's targets."""
        from ..letters.model import Agent, Person
        from ..letters.person_file import flickr_accounts

        org = campaign.organisation
        agent = Agent(name=org.name, address=org.address, email=org.email,
                      authorization=self.authorization, signatory=org.signatory)
        return Person(name=self.name, address=self.address, email=self.email,
                      residence=self.residence, uploaded_from=self.uploaded_from,
                      signature=self.signature_bytes(campaign), companies=campaign.targets.companies,
                      kinds=campaign.targets.kinds, flickr_accounts=flickr_accounts(self.flickr),
                      shown=self.shown, agent=agent)  # type: ignore[arg-type]

    def signature_bytes(self, campaign: Campaign) -> "str | bytes":
        """"typed", or the bytes of the drawn signature stored in the campaign folder."""
        if self.signature == "typed":
            return "typed"
        path = campaign.folder / self.signature
        try:
            with open(path, "rb") as fh:
                data = fh.read(MAX_SIGNATURE_BYTES + 1)
        except OSError:
            raise InputError(f"member {self.member_id}: signature file missing") from None
        if len(data) > MAX_SIGNATURE_BYTES:
            raise InputError(f"member {self.member_id}: signature file too large")
        return data

    def check_inputs(self) -> "CheckRequest":
        """What the check needs: the Flickr references and image URLs."""
        from ..check import CheckRequest
        return CheckRequest(flickr=self.flickr, urls=self.urls)

    def to_json(self) -> dict[str, Any]:
        data = asdict(self)
        data["address"], data["flickr"], data["urls"] = (list(self.address), list(self.flickr),
                                                         list(self.urls))
        return data

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> "Member":
        try:
            values = dict(data)
            for key in ("address", "flickr", "urls"):
                values[key] = tuple(values.get(key, ()))
            return cls(**values)
        except TypeError as exc:
            raise CorruptFile(f"a member record in {ROSTER_FILE} is damaged ({exc})") from None


class Roster:
    """One campaign's members, in ``<campaign.folder>/members.json``.

    Reads use the file as it is (atomic replacement means a reader never sees half
    a write) and are cached until the file changes; every change reloads, changes and
    rewrites it under the folder lock. Thread-safe."""

    def __init__(self, campaign: Campaign) -> None:
        self.campaign = campaign
        self.folder = campaign.folder
        self.path = self.folder / ROSTER_FILE
        self._mutex = threading.RLock()
        self._stamp: tuple[int, int, int] | None = None
        self._members: dict[str, Member] = {}
        self._rejected: list[dict[str, Any]] = []

    @classmethod
    def open(cls, campaign: Campaign) -> "Roster":
        roster = cls(campaign)
        roster._ensure_folder()
        roster._reload()
        return roster

    # --- reading ---------------------------------------------------------------------
    def all(self) -> list[Member]:
        with self._mutex:
            self._reload()
            return list(self._members.values())

    def active(self) -> list[Member]:
        return [m for m in self.all() if m.active]

    def get(self, member_id: str) -> Member | None:
        with self._mutex:
            self._reload()
            return self._members.get(member_id)

    def by_telegram(self, telegram_id: int) -> Member | None:
        return self.get(telegram_member_id(telegram_id))

    def by_email(self, email: str) -> Member | None:
        folded = email.strip().lower()
        if not folded:
            return None
        return next((m for m in self.all() if m.email.lower() == folded), None)

    def rejected(self) -> list[dict]:
        """The last import's rejected rows: ``{"line", "reason"}``."""
        with self._mutex:
            self._reload()
            return [dict(r) for r in self._rejected]

    def __len__(self) -> int:
        return len(self.all())

    # --- writing ---------------------------------------------------------------------
    def upsert(self, member: Member) -> str:
        """Add or replace a member: "imported", "updated" or "unchanged"."""
        return self.upsert_many([member])[0]

    def upsert_many(self, members: Iterable[Member], *,
                    rejected: list[dict[str, Any]] | None = None) -> list[str]:
        """:meth:`upsert` for many members in one write; ``rejected`` (given by an import)
        replaces the stored list of the last import's rejected rows."""
        with self._changing() as current:
            outcomes = []
            for member in members:
                old = current.get(member.member_id)
                if old == member:
                    outcomes.append("unchanged")
                    continue
                current[member.member_id] = member
                outcomes.append("imported" if old is None else "updated")
            if rejected is not None:
                self._rejected = [dict(r) for r in rejected]
        log.info("campaign %s: roster upsert (%d imported, %d updated, %d unchanged)",
                 self.campaign.slug, outcomes.count("imported"), outcomes.count("updated"),
                 outcomes.count("unchanged"))
        return outcomes

    def leave(self, member_id: str, on: date) -> Member:
        """The member leaves: the authorization is revoked, the record is kept (so letters
        already sent can be listed) and excluded from runs."""
        with self._changing() as current:
            member = current.get(member_id)
            if member is None:
                raise InputError(f"no member {member_id!r} in campaign {self.campaign.slug}")
            if not member.left:
                member = replace(member, left=on.isoformat())
                current[member_id] = member
        log.info("campaign %s: member %s left", self.campaign.slug, member_id)
        return member

    def forget(self, telegram_id: int) -> bool:
        """/forget: remove the member who joined with this Telegram id, with their
        signature file; True when there was one."""
        member_id = telegram_member_id(telegram_id)
        with self._changing() as current:
            member = current.pop(member_id, None)
        if member is None:
            return False
        if member.signature != "typed" and SIGNATURE_FILE.fullmatch(member.signature):
            (self.folder / member.signature).unlink(missing_ok=True)
        log.info("campaign %s: member %s forgotten", self.campaign.slug, member_id)
        return True

    # --- inside ----------------------------------------------------------------------
    def _ensure_folder(self) -> None:
        try:
            self.folder.mkdir(parents=True, exist_ok=True, mode=FOLDER_MODE)
            os.chmod(self.folder, FOLDER_MODE)
        except OSError as exc:
            raise StorageError(f"cannot create the campaign folder {self.folder} "
                               f"({exc.strerror})") from None

    def _file_stamp(self) -> tuple[int, int, int] | None:
        try:
            info = self.path.stat()
        except FileNotFoundError:
            return None
        except OSError as exc:
            raise StorageError(f"cannot read the roster of {self.campaign.slug} "
                               f"({exc.strerror})") from None
        return (info.st_ino, info.st_size, info.st_mtime_ns)

    def _reload(self, *, force: bool = False) -> None:
        stamp = self._file_stamp()
        if not force and stamp == self._stamp and (stamp is not None or not self._members):
            return
        self._members, self._rejected = self._read() if stamp is not None else ({}, [])
        self._stamp = stamp

    def _read(self) -> tuple[dict[str, Member], list[dict[str, Any]]]:
        try:
            if self.path.stat().st_size > MAX_ROSTER_BYTES:
                raise StorageError(f"the roster of {self.campaign.slug} is too large to read")
            data = json.loads(self.path.read_bytes().decode("utf-8"))
        except FileNotFoundError:
            return {}, []
        except (UnicodeDecodeError, json.JSONDecodeError):
            raise CorruptFile(f"the roster of campaign {self.campaign.slug} ({ROSTER_FILE}) is "
                              "not valid JSON") from None
        except OSError as exc:
            raise StorageError(f"cannot read the roster of {self.campaign.slug} "
                               f"({exc.strerror})") from None
        if not isinstance(data, dict) or not isinstance(data.get("members"), list):
            raise CorruptFile(f"the roster of campaign {self.campaign.slug} is damaged")
        members = {}
        for item in data["members"]:
            if not isinstance(item, dict):
                raise CorruptFile(f"the roster of campaign {self.campaign.slug} is damaged")
            member = Member.from_json(item)
            members[member.member_id] = member
        rejected = [r for r in data.get("rejected", []) if isinstance(r, dict)]
        return members, rejected

    def _changing(self) -> "_Change":
        return _Change(self)

    def _write(self) -> None:
        def chunks() -> Iterator[bytes]:
            head = {"version": ROSTER_VERSION, "campaign": self.campaign.slug,
                    "rejected": self._rejected}
            yield json.dumps(head, ensure_ascii=False)[:-1].encode("utf-8")
            yield b',"members":['
            for i, member in enumerate(self._members.values()):
                yield (b"," if i else b"") + json.dumps(member.to_json(), ensure_ascii=False,
                                                        allow_nan=False).encode("utf-8") + b"\n"
            yield b"]}\n"
        atomic_write_chunks(self.path, chunks())
        self._stamp = self._file_stamp()


class _Change:
    """Context manager: thread mutex + folder lock, fresh read, write on success."""

    def __init__(self, roster: Roster) -> None:
        self.roster = roster
        self.lock: FolderLock | None = None

    def __enter__(self) -> dict[str, Member]:
        roster = self.roster
        roster._mutex.acquire()
        try:
            roster._ensure_folder()
            self.lock = _acquire(roster.folder)
            roster._reload(force=True)
        except BaseException:
            if self.lock is not None:
                self.lock.release()
            roster._mutex.release()
            raise
        return roster._members

    def __exit__(self, kind, value, tb) -> None:
        roster = self.roster
        try:
            if kind is None:
                roster._write()
            else:
                roster._stamp = None      # drop whatever the failed change left in memory
                roster._members, roster._rejected = {}, []
        finally:
            if self.lock is not None:
                self.lock.release()
            roster._mutex.release()


def _acquire(folder: Path) -> FolderLock:
    """The folder lock, waiting up to LOCK_WAIT_SECONDS for another writer to finish."""
    deadline = time.monotonic() + LOCK_WAIT_SECONDS
    while True:
        lock = FolderLock(folder)
        try:
            lock.acquire()
            return lock
        except StorageError:
            if time.monotonic() >= deadline:
                raise
            time.sleep(0.05)


