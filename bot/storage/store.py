"""The bot's persistent store: one small TinyDB file per person.

Layout of ``[storage] path``::

    .lock                    flock held by the one process that writes here
    people/<user_id>.json    TinyDB tables "session", "cases" and "meta" of one person

One file per person keeps every write small (a person's own few kilobytes are
rewritten, not everybody's), lets 200 people save at once without waiting for
each other (a lock per person, not per store), and makes ``/forget`` complete:
deleting the file removes everything, and with atomic writes there is no older
copy or free space left behind in any other file. Every write goes through
:func:`~bot.storage.atomic.atomic_write_bytes` (temp file, fsync, ``os.replace``,
fsync of the folder).

Retention: a person is deleted by :meth:`Store.expire` once ``retention_days``
have passed since their last save *and* since the latest ``due`` date of their
cases (a case's ``"due"`` is an ISO date string such as ``"2025-07-01"``), so a
case is kept until its deadline has passed plus the retention period.

Logs carry Telegram user ids only, never session contents.
"""

from __future__ import annotations

import contextlib
import copy
import logging
import os
import re
import secrets
import threading
from datetime import date, datetime, timedelta, timezone
from pathlib import Path
from typing import Any, Callable, Iterator

from tinydb import Query, TinyDB
from tinydb.table import Document

from ..errors import StorageError
from .atomic import TEMP_PREFIX, AtomicJSONStorage, CorruptFile, dump_json, fsync_dir
from .lock import FolderLock

log = logging.getLogger(__name__)

PEOPLE = "people"
MAX_SESSION_BYTES = 1024 * 1024
MAX_CASE_BYTES = 1024 * 1024
_PERSON_FILE = re.compile(r"^(-?\d{1,20})\.json$")
_SESSION_ID = 1


def _utcnow() -> datetime:
    return datetime.now(timezone.utc)


class Store:
    """Sessions and cases of the people using the bot. Thread-safe; one per folder."""

    def __init__(self, folder: Path, *, retention_days: int = 180,
                 clock: Callable[[], datetime] = _utcnow) -> None:
        self.folder = Path(folder)
        self.people_dir = self.folder / PEOPLE
        self.retention = timedelta(days=retention_days)
        self._clock = clock
        self._lock = FolderLock(self.folder)
        self._guard = threading.Lock()
        self._user_locks: dict[int, threading.RLock] = {}
        self._batches: dict[int, TinyDB] = {}

    # ---- opening and closing ---------------------------------------------

    @classmethod
    def open(cls, folder: Path, *, retention_days: int = 180,
             clock: Callable[[], datetime] = _utcnow) -> "Store":
        """Open (and create) the store in ``folder``; fails if another process has it."""
        store = cls(Path(folder), retention_days=retention_days, clock=clock)
        try:
            store.people_dir.mkdir(parents=True, exist_ok=True, mode=0o700)
        except OSError as exc:
            raise StorageError(f"cannot create the storage folder {store.folder} "
                               f"({exc.strerror})") from None
        store._lock.acquire()
        try:
            store._clean_leftovers()
        except BaseException:
            store._lock.release()
            raise
        return store

    @classmethod
    def from_config(cls, config: Any) -> "Store":
        return cls.open(config.storage.path, retention_days=config.storage.retention_days)

    def close(self) -> None:
        self._lock.release()

    def __enter__(self) -> "Store":
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def _clean_leftovers(self) -> None:
        removed = 0
        corrupt = []
        for entry in os.scandir(self.people_dir):
            if entry.name.startswith(TEMP_PREFIX):   # a write cut short by a crash
                os.unlink(entry.path)
                removed += 1
            elif ".corrupt-" in entry.name:
                corrupt.append(entry.name)
        if removed:
            fsync_dir(self.people_dir)
            log.info("storage: removed %d temp file(s) left by an interrupted write", removed)
        if corrupt:
            log.warning("storage: %d damaged file(s) kept aside in %s for inspection: %s",
                        len(corrupt), self.people_dir, ", ".join(sorted(corrupt)))

    # ---- sessions ---------------------------------------------------------

    def load_session(self, user_id: int) -> dict | None:
        with self._person(user_id) as db:
            doc = db.table("session").get(doc_id=_SESSION_ID)
            return copy.deepcopy(dict(doc)) if doc is not None else None

    def save_session(self, user_id: int, session: dict) -> None:
        size = len(_checked_json(session, "session", MAX_SESSION_BYTES))
        with self._person(user_id) as db:
            table = db.table("session")
            table.truncate()   # replace the whole session, never merge into the old one
            table.insert(Document(copy.deepcopy(session), doc_id=_SESSION_ID))
            self._touch(db)
        log.debug("storage: saved session of user %s (%d bytes)", user_id, size)

    # ---- cases --------------------------------------------------------------

    def add_case(self, user_id: int, case: dict) -> str:
        """Store a case (letters sent, deadlines); returns its id (also in ``case["id"]``)."""
        case_id = case.get("id") or f"c{secrets.token_hex(6)}"
        if not isinstance(case_id, str):
            raise StorageError("a case id must be a string")
        record = {**copy.deepcopy(case), "id": case_id}
        _checked_json(record, "case", MAX_CASE_BYTES)
        with self._person(user_id) as db:
            cases = db.table("cases")
            if cases.contains(Query().id == case_id):
                raise StorageError(f"case {case_id} already exists")
            cases.insert(record)
            self._touch(db)
        return case_id

    def update_case(self, user_id: int, case_id: str, changes: dict) -> None:
        """Change some keys of a stored case (for example a letter's status)."""
        with self._person(user_id) as db:
            cases = db.table("cases")
            doc = cases.get(Query().id == case_id)
            if doc is None:
                raise StorageError(f"no case {case_id} for this person")
            record = {**dict(doc), **copy.deepcopy(changes), "id": case_id}
            _checked_json(record, "case", MAX_CASE_BYTES)
            cases.update(record, doc_ids=[doc.doc_id])
            self._touch(db)

    def cases(self, user_id: int) -> list[dict]:
        with self._person(user_id) as db:
            return [copy.deepcopy(dict(doc)) for doc in db.table("cases").all()]

    def iter_cases(self) -> Iterator[tuple[int, dict]]:
        """Every stored case as ``(user_id, case)``: for reminders."""
        for user_id in self.people():
            try:
                cases = self.cases(user_id)
            except StorageError as exc:
                log.error("storage: skipping user %s: %s", user_id, exc)
                continue
            for case in cases:
                yield user_id, case

    def people(self) -> list[int]:
        """The user ids that have something stored."""
        ids = []
        for entry in os.scandir(self.people_dir):
            match = _PERSON_FILE.match(entry.name)
            if match:
                ids.append(int(match.group(1)))
        return sorted(ids)

    # ---- batching -------------------------------------------------------------

    @contextlib.contextmanager
    def batch(self, user_id: int) -> Iterator[None]:
        """Group the writes for one person into one file write (one per update).

        Inside the block, other threads wait for this person (not for others).
        If the block raises, nothing of it is written."""
        with self._user_lock(user_id):
            if user_id in self._batches:        # nested: the outer batch writes
                yield
                return
            db = self._open_db(user_id, deferred=True)
            self._batches[user_id] = db
            try:
                yield
            except BaseException:
                del self._batches[user_id]
                raise
            del self._batches[user_id]
            self._flush(user_id, db)

    # ---- the person's bookkeeping (not their data) ---------------------------------

    def meta(self, user_id: int) -> dict:
        """The person's bookkeeping: ``last_active`` and marks such as a retention notice."""
        with self._person(user_id) as db:
            return copy.deepcopy(dict(db.table("meta").get(doc_id=1) or {}))

    def set_meta(self, user_id: int, changes: dict) -> None:
        """Record bookkeeping marks without counting as activity (retention is unchanged)."""
        if "last_active" in changes:
            raise StorageError("last_active is set by saving, not by set_meta")
        _checked_json(changes, "meta", MAX_SESSION_BYTES)
        with self._person(user_id) as db:
            db.table("meta").upsert(Document(copy.deepcopy(changes), doc_id=1))

    def touch(self, user_id: int) -> None:
        """Count now as the person's last activity: retention starts again from today."""
        with self._person(user_id) as db:
            self._touch(db)

    # ---- deletion ----------------------------------------------------------------

    def forget(self, user_id: int) -> dict[str, int]:
        """Delete everything stored about ``user_id``; returns counts by kind."""
        user_id = _check_user_id(user_id)
        counts = {"sessions": 0, "cases": 0, "files": 0}
        with self._user_lock(user_id):
            try:
                with self._person(user_id) as db:
                    counts["sessions"] = len(db.table("session"))
                    counts["cases"] = len(db.table("cases"))
            except StorageError:
                pass  # a damaged file is deleted all the same
            self._batches.pop(user_id, None)
            counts["files"] = self._delete_files(user_id)
        with self._guard:
            self._user_locks.pop(user_id, None)
        if memberships := self._forget_campaign_member(user_id):
            counts["campaign memberships"] = memberships
        log.info("storage: forgot user %s (%d case(s), %d file(s))",
                 user_id, counts["cases"], counts["files"])
        return counts

    def _forget_campaign_member(self, user_id: int) -> int:
        """Remove the person from every campaign registered here (issue 11)."""
        from ..campaigns.joining import forget_everywhere
        return forget_everywhere(self.folder, user_id)

    def expire(self, now: datetime) -> int:
        """Delete people idle past the retention period; returns how many."""
        now = now if now.tzinfo else now.replace(tzinfo=timezone.utc)
        deleted = 0
        for user_id in self.people():
            with self._user_lock(user_id):
                try:
                    keep_until = self.keep_until(user_id)
                except StorageError as exc:
                    log.error("storage: cannot judge retention of user %s: %s", user_id, exc)
                    continue
                if keep_until is not None and keep_until <= now:
                    self._delete_files(user_id)
                    deleted += 1
            if keep_until is not None and keep_until <= now:
                with self._guard:
                    self._user_locks.pop(user_id, None)
        deleted_aside = self._expire_corrupt(now)
        if deleted or deleted_aside:
            log.info("storage: retention deleted %d person(s) and %d damaged file(s)",
                     deleted, deleted_aside)
        return deleted

    def keep_until(self, user_id: int) -> datetime | None:
        """When retention deletes ``user_id``: ``retention_days`` after their last save or
        their cases' latest reply date, whichever is later (None: nothing dated stored)."""
        with self._person(user_id) as db:
            meta = db.table("meta").get(doc_id=1) or {}
            cases = db.table("cases").all()
        last = _parse_time(meta.get("last_active")) if meta else None
        if last is None:
            return None
        latest = last
        for case in cases:
            due = _parse_due(case.get("due"))
            if due is not None and due > latest:
                latest = due
        return latest + self.retention

    def _expire_corrupt(self, now: datetime) -> int:
        count = 0
        for entry in os.scandir(self.people_dir):
            if ".corrupt-" in entry.name:
                mtime = datetime.fromtimestamp(entry.stat().st_mtime, timezone.utc)
                if mtime + self.retention <= now:
                    os.unlink(entry.path)
                    count += 1
        if count:
            fsync_dir(self.people_dir)
        return count

    def _delete_files(self, user_id: int) -> int:
        name = f"{user_id}.json"
        count = 0
        for entry in os.scandir(self.people_dir):
            if (entry.name == name or entry.name.startswith(f"{name}.corrupt-")
                    or entry.name.startswith(f"{TEMP_PREFIX}{name}-")):
                os.unlink(entry.path)
                count += 1
        if count:
            fsync_dir(self.people_dir)
        return count

    # ---- internals -------------------------------------------------------------

    def _user_lock(self, user_id: int) -> threading.RLock:
        with self._guard:
            lock = self._user_locks.get(user_id)
            if lock is None:
                lock = self._user_locks[user_id] = threading.RLock()
            return lock

    @contextlib.contextmanager
    def _person(self, user_id: int) -> Iterator[TinyDB]:
        user_id = _check_user_id(user_id)
        if not self._lock.held:
            raise StorageError("the store is closed")
        with self._user_lock(user_id):
            db = self._batches.get(user_id)
            if db is not None:
                yield db
                return
            db = self._open_db(user_id, deferred=True)
            yield db
            self._flush(user_id, db)

    def _open_db(self, user_id: int, *, deferred: bool) -> TinyDB:
        path = self.people_dir / f"{user_id}.json"
        db = TinyDB(path, storage=AtomicJSONStorage, deferred=deferred)
        try:
            data = db.storage.read()
            _check_tables(data, path)
        except CorruptFile:
            self._quarantine(user_id, path)
        return db

    def _flush(self, user_id: int, db: TinyDB) -> None:
        try:
            db.storage.flush()
        except OSError as exc:
            log.error("storage: cannot write the file of user %s: %s", user_id, exc.strerror)
            raise StorageError("your progress could not be saved just now "
                               f"({exc.strerror}); please try again in a moment") from None

    def _quarantine(self, user_id: int, path: Path) -> None:
        stamp = self._clock().strftime("%Y%m%dT%H%M%S")
        aside = path.with_name(f"{path.name}.corrupt-{stamp}-{secrets.token_hex(2)}")
        os.replace(path, aside)
        fsync_dir(path.parent)
        log.error("storage: the file of user %s was damaged; kept aside as %s for the "
                  "operator, the person starts again", user_id, aside)
        raise StorageError("your saved progress could not be read, so it was set aside "
                           "for the operator to inspect; send /start to begin again")

    def _touch(self, db: TinyDB) -> None:
        db.table("meta").upsert(Document({"last_active": self._clock().isoformat()}, doc_id=1))


def _check_user_id(user_id: int) -> int:
    if isinstance(user_id, bool) or not isinstance(user_id, int):
        raise TypeError(f"user_id must be an int, got {type(user_id).__name__}")
    return user_id


def _check_tables(data: Any, path: Path) -> None:
    if data is None:
        return
    for table in data.values():
        if not isinstance(table, dict) or not all(isinstance(d, dict) for d in table.values()):
            raise CorruptFile(f"the storage file {path.name} is not a TinyDB document")


def _checked_json(value: dict, what: str, limit: int) -> bytes:
    if not isinstance(value, dict):
        raise StorageError(f"a {what} must be a dict, got {type(value).__name__}")
    _walk(value, what)
    data = dump_json(value)
    if len(data) > limit:
        raise StorageError(f"a {what} may hold at most {limit} bytes of JSON, got {len(data)}")
    return data


def _walk(value: Any, where: str) -> None:
    """Only JSON types: dict (str keys), list, str, int, float, bool, None."""
    if isinstance(value, dict):
        for key, item in value.items():
            if not isinstance(key, str):
                raise StorageError(f"{where} has a non-string key {key!r}; JSON keys are strings")
            _walk(item, f"{where}[{key!r}]")
    elif isinstance(value, list):
        for i, item in enumerate(value):
            _walk(item, f"{where}[{i}]")
    elif isinstance(value, float):
        if value != value or value in (float("inf"), float("-inf")):
            raise StorageError(f"{where} is {value!r}, which JSON cannot hold")
    elif not (value is None or isinstance(value, (str, int, bool))):
        raise StorageError(f"{where} is a {type(value).__name__}, which JSON cannot hold "
                           "(store text, numbers, lists or dicts)")


def _parse_time(text: Any) -> datetime | None:
    if not isinstance(text, str):
        return None
    try:
        value = datetime.fromisoformat(text)
    except ValueError:
        return None
    return value if value.tzinfo else value.replace(tzinfo=timezone.utc)


def _parse_due(text: Any) -> datetime | None:
    if not isinstance(text, str):
        return None
    try:
        day = date.fromisoformat(text[:10])
    except ValueError:
        log.warning("storage: ignoring a case due date that is not an ISO date")
        return None
    return datetime(day.year, day.month, day.day, tzinfo=timezone.utc)
