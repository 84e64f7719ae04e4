"""Writing the index: every import builds a new file and swaps it in atomically.

An import (or the demo build, or a removal) writes a fresh SQLite file next to
the live one with journaling and fsync off (nothing can be lost: the live file
is untouched), copies the other datasets' tables in (SQLite's transfer
optimisation copies records and index b-trees without re-sorting), bulk-inserts
the new rows, creates the indexes, fsyncs, and ``os.replace``-s it over the live
file. Readers never see a half-imported dataset; a crash or kill leaves the
previous index intact plus a stale temp file that the next writer deletes.

Writers (imports, ``hash-images``) take an exclusive ``flock`` on
``<index>.lock``; a second writer is refused with a plain message.
"""

from __future__ import annotations

import contextlib
import errno
import fcntl
import json
import logging
import os
import sqlite3
import time
import uuid
from datetime import datetime, timezone
from pathlib import Path
from typing import Callable, Iterator, Sequence
from urllib.parse import quote

from ..errors import ImportFormatError, IndexStoreError, InputError
from . import parallel
from .bulk import RowSink
from .formats import FORMATS, Format
from .keys import valid_slug
from .owners import OwnerMint
from .parsing import FileTally, ParseContext
from .report import ImportReport, damaged_message, no_rows_message
from .schema import MANIFEST_TABLES, SCHEMA_NAME, SCHEMA_VERSION, create_global, items_ddl, \
    owners_ddl, photos_ddl
from .sources import JsonSyntaxError, TruncatedInput, open_source

log = logging.getLogger(__name__)

Progress = Callable[[str, int, "int | None"], None]   # (stage, done, total)
CACHE_KIB = 131072


@contextlib.contextmanager
def writer_lock(path: Path, *, wait: float = 0.0) -> Iterator[None]:
    """The exclusive writer lock of the index at ``path`` (``<path>.lock``)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    lock_path = path.with_name(path.name + ".lock")
    try:
        fd = os.open(lock_path, os.O_RDWR | os.O_CREAT, 0o644)
    except OSError as exc:
        raise IndexStoreError(f"cannot create {lock_path}: {exc.strerror}") from None
    try:
        deadline = time.monotonic() + wait
        while True:
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except BlockingIOError:
                if time.monotonic() >= deadline:
                    raise IndexStoreError(
                        f"another import or hashing run is writing {path.name}; "
                        "try again when it has finished") from None
                time.sleep(0.05)
        yield
    finally:
        os.close(fd)


def sqlite_uri(path: Path, mode: str = "rwc") -> str:
    """A ``file:`` URI for ``path`` (any characters) with an open mode."""
    return f"file:{quote(str(path.resolve()))}?mode={mode}"


def now_utc() -> str:
    return datetime.now(timezone.utc).replace(microsecond=0).isoformat()


def check_index_file(conn: sqlite3.Connection, path: Path) -> None:
    """Raise unless ``conn`` is a rightsbot index of this schema version."""
    try:
        rows = dict(conn.execute("SELECT key, value FROM meta WHERE key IN ('schema', 'version')"))
    except sqlite3.DatabaseError:
        raise IndexStoreError(f"{path} is not a rightsbot dataset index") from None
    if rows.get("schema") != SCHEMA_NAME:
        raise IndexStoreError(f"{path} is not a rightsbot dataset index")
    if rows.get("version") != SCHEMA_VERSION:
        raise IndexStoreError(f"{path} was written by another rightsbot version "
                              f"(index schema {rows.get('version')}); rebuild it")


class Rebuild:
    """A new index file being built next to ``path``; :meth:`commit` swaps it in.

    ``replace`` datasets lose their manifest rows (kept: their hashed images);
    ``remove`` datasets are left out entirely; everything else is copied.
    """

    def __init__(self, path: Path, *, replace: Sequence[str] = (), remove: Sequence[str] = (),
                 fresh: bool = False, lock_wait: float = 0.0) -> None:
        self.path = path
        self.replace = set(replace)
        self.remove = set(remove)
        self.fresh = fresh
        self.lock_wait = lock_wait
        self.temp = path.with_name(f"{path.name}.import-{os.getpid()}-{uuid.uuid4().hex[:8]}.tmp")
        self.conn: sqlite3.Connection | None = None
        self._stack = contextlib.ExitStack()

    def __enter__(self) -> "Rebuild":
        self._stack.enter_context(writer_lock(self.path, wait=self.lock_wait))
        try:
            self._clean_stale()
            conn = sqlite3.connect(sqlite_uri(self.temp), uri=True, isolation_level=None,
                                   check_same_thread=False)   # owners.write_new_owners
            self.conn = conn
            for pragma in ("journal_mode=OFF", "synchronous=OFF", "locking_mode=EXCLUSIVE",
                           f"cache_size=-{CACHE_KIB}", "threads=2", "temp_store=FILE"):
                conn.execute(f"PRAGMA {pragma}")
            conn.execute("BEGIN")
            create_global(conn)
            if self.path.exists() and not self.fresh:
                self._copy_existing()
        except BaseException as exc:
            self._abort()
            self._raise_if_disk_failed(exc)
            raise
        return self

    def __exit__(self, exc_type: object, exc: BaseException | None, *rest: object) -> None:
        if exc_type is not None or self.conn is not None:
            self._abort()
        self._raise_if_disk_failed(exc)

    def _raise_if_disk_failed(self, exc: BaseException | None) -> None:
        reason = _write_failure(exc)
        if reason is not None:   # a full disk or an I/O error: the old index stands
            raise IndexStoreError(f"cannot write the dataset index {self.path} ({reason}); "
                                  "it was not changed") from None

    def _clean_stale(self) -> None:
        for stale in self.path.parent.glob(f"{self.path.name}.import-*.tmp"):
            with contextlib.suppress(OSError):
                stale.unlink()
                log.info("removed a stale temp file of an interrupted import: %s", stale.name)

    def _abort(self) -> None:
        if self.conn is not None:
            with contextlib.suppress(sqlite3.Error):
                self.conn.close()
            self.conn = None
        with contextlib.suppress(OSError):
            self.temp.unlink()
        self._stack.close()

    def _copy_existing(self) -> None:
        conn = self.conn
        assert conn is not None
        try:
            conn.execute("ATTACH DATABASE ? AS old", (sqlite_uri(self.path, "ro"),))
        except sqlite3.Error as exc:
            raise IndexStoreError(f"{self.path} is not a rightsbot dataset index ({exc}); "
                                  "refusing to replace it") from None
        try:
            check_index_file(_Schema(conn, "old"), self.path)
            datasets = conn.execute("SELECT id, slug FROM old.datasets").fetchall()
            missing = self.remove - {slug for _d, slug in datasets}
            if missing:
                raise IndexStoreError(f"the index has no dataset {sorted(missing)[0]!r}")
            skip: set[str] = set()
            for d, slug in datasets:
                manifest = {f"{t}_{d}" for t in MANIFEST_TABLES}
                if slug in self.remove:
                    skip.update(manifest | {f"owners_{d}", f"images_{d}"})
                elif slug in self.replace:
                    skip.update(manifest)
            conn.execute("INSERT INTO datasets SELECT * FROM old.datasets WHERE slug NOT IN "
                         f"({','.join('?' * len(self.remove))})" if self.remove else
                         "INSERT INTO datasets SELECT * FROM old.datasets", tuple(self.remove))
            conn.execute("INSERT OR IGNORE INTO meta SELECT * FROM old.meta")
            tables = conn.execute("SELECT name, sql FROM old.sqlite_master WHERE type = 'table' "
                                  "AND name NOT IN ('meta', 'datasets') AND sql IS NOT NULL "
                                  "AND name NOT LIKE 'sqlite\\_%' ESCAPE '\\'").fetchall()
            for name, sql in tables:
                if name in skip:
                    continue
                conn.execute(sql)
                for (index_sql,) in conn.execute(
                        "SELECT sql FROM old.sqlite_master WHERE type = 'index' AND tbl_name = ? "
                        "AND sql IS NOT NULL", (name,)).fetchall():
                    conn.execute(index_sql)
                conn.execute(f"INSERT INTO main.{name} SELECT * FROM old.{name}")
            conn.execute("COMMIT")
            conn.execute("DETACH DATABASE old")
            conn.execute("BEGIN")
        except sqlite3.DatabaseError as exc:
            if _write_failure(exc) is not None:     # the copy's disk is full: not damage
                raise
            raise IndexStoreError(f"{self.path} cannot be read ({exc}); it may be damaged") from None

    def dataset_id(self, slug: str) -> int:
        conn = self.conn
        assert conn is not None
        row = conn.execute("SELECT id FROM datasets WHERE slug = ?", (slug,)).fetchone()
        if row:
            return int(row[0])
        cursor = conn.execute("INSERT INTO datasets (slug) VALUES (?)", (slug,))
        return int(cursor.lastrowid)  # type: ignore[arg-type]

    def load(self, slug: str, format_name: str, paths: Sequence[Path], *,
             options: dict | None = None, note: str = "", source_names: Sequence[str] = (),
             accept_partial: bool = False, progress: Progress | None = None) -> ImportReport:
        """Bulk-load one dataset's manifests (its old manifest rows are already gone).

        Photo IDs and owners are gathered into numpy arrays while reading, then sorted,
        deduplicated and appended to ``photos_d`` in key order (no index build);
        rows with other keys are inserted into ``items_d`` as they come.
        A damaged file (a compressed stream cut off or failing its check, JSON broken
        off) raises ImportFormatError, so the previous version stays, unless
        ``accept_partial``: then the rows read before the damage are kept.
        """
        conn = self.conn
        assert conn is not None
        fmt: Format = FORMATS[format_name]
        started = time.perf_counter()
        d = self.dataset_id(slug)
        for table in MANIFEST_TABLES:
            conn.execute(f"DROP TABLE IF EXISTS {table}_{d}")
        conn.execute(items_ddl(d))
        for ddl in photos_ddl(d):
            conn.execute(ddl)
        if not conn.execute("SELECT 1 FROM sqlite_master WHERE name = ?", (f"owners_{d}",)).fetchone():
            conn.execute(owners_ddl(d))
        owners = OwnerMint(dict(conn.execute(f"SELECT name, id FROM owners_{d}")))
        ctx = ParseContext(format_name, owners, dict(options or {}))
        report = ImportReport(slug, format_name, bad_rows=ctx.bad_rows)
        sink = RowSink(conn, d, fmt.columns, owners)
        self._read(fmt, paths, ctx, report, sink, progress)
        if report.rows == 0:
            raise ImportFormatError(no_rows_message(report, format_name))
        damaged = [tally for tally in report.files if tally.stopped]
        if damaged and not accept_partial:
            raise ImportFormatError(damaged_message(damaged))
        if progress:
            progress("indexing", 0, None)
        report.keys = sink.finish()
        names = list(source_names) or [p.name for p in paths]
        conn.execute("UPDATE datasets SET format = ?, sources = ?, imported_at = ?, rows = ?, "
                     "bad_rows = ?, no_key_rows = ?, keys = ?, note = ? WHERE id = ?",
                     (format_name, json.dumps(names), now_utc(), report.rows, report.bad,
                      report.no_key, json.dumps(report.keys), note, d))
        report.seconds = time.perf_counter() - started
        log.info("imported dataset %s: %d rows, %d bad", slug, report.rows, report.bad)
        return report

    @staticmethod
    def _read(fmt: Format, paths: Sequence[Path], ctx: ParseContext, report: ImportReport,
              sink: RowSink, progress: Progress | None) -> None:
        """Parse every file into ``sink``; a damaged file's tally says where it stopped."""
        sizes = [_size(p) for p in paths]
        total = sum(s or 0 for s in sizes) or None
        done_before = 0
        for n, (path, size) in enumerate(zip(paths, sizes), start=1):
            ctx.tally = FileTally(path.name)
            report.files.append(ctx.tally)
            parts = parallel.plan(path, size, fmt.name)
            if parts:      # a big plain file: its parts parsed side by side
                parallel.read_parts(path, parts, fmt, ctx, sink.add, None if progress is None
                                    else lambda at: progress("reading", done_before + at, total),
                                    last_file=n == len(paths))
                done_before += size or 0
                continue
            with open_source(path) as source:
                try:
                    for batch in fmt.parse(source, ctx):
                        if batch:
                            sink.add(batch)
                        if progress:
                            progress("reading", done_before + source.position(), total)
                except TruncatedInput as exc:
                    ctx.tally.stopped = str(exc)
                except JsonSyntaxError as exc:
                    ctx.tally.stopped = f"{path.name}:{exc.line}: {exc}"
            done_before += size or 0

    def commit(self) -> None:
        conn = self.conn
        assert conn is not None
        conn.execute("INSERT OR REPLACE INTO meta VALUES ('epoch', ?)", (uuid.uuid4().hex,))
        conn.execute("COMMIT")
        conn.execute("PRAGMA journal_mode=DELETE")
        conn.close()
        self.conn = None
        fd = os.open(self.temp, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)
        os.replace(self.temp, self.path)
        dir_fd = os.open(self.path.parent, os.O_RDONLY)
        try:
            os.fsync(dir_fd)
        finally:
            os.close(dir_fd)
        self._stack.close()


class _Schema:
    """Lets :func:`check_index_file` read the attached ``old`` database's meta."""

    def __init__(self, conn: sqlite3.Connection, schema: str) -> None:
        self.conn, self.schema = conn, schema

    def execute(self, sql: str, *args: object) -> sqlite3.Cursor:
        return self.conn.execute(sql.replace("FROM meta", f"FROM {self.schema}.meta"), *args)


def _size(path: Path) -> int | None:
    try:
        return path.stat().st_size if path.is_file() else None
    except OSError:
        return None


_SQLITE_IOERR, _SQLITE_FULL = 10, 13


def _write_failure(exc: BaseException | None) -> str | None:
    """What stopped a write, when it was the disk (full, I/O error), else None."""
    if isinstance(exc, sqlite3.OperationalError):
        code = getattr(exc, "sqlite_errorcode", None)
        if code is not None and code & 0xFF in (_SQLITE_IOERR, _SQLITE_FULL):
            return str(exc)
    elif isinstance(exc, OSError) and exc.errno in (errno.ENOSPC, errno.EDQUOT, errno.EROFS):
        return exc.strerror or str(exc)
    return None


def import_manifest(path: Path, slug: str, format_name: str, files: Sequence[Path], *,
                    options: dict | None = None, accept_partial: bool = False,
                    progress: Progress | None = None) -> ImportReport:
    """Import ``files`` as dataset ``slug``, replacing its previous rows atomically.

    A damaged file refuses the whole import (the previous version stays) unless
    ``accept_partial``, which keeps the rows read before the damage."""
    if format_name not in FORMATS:
        raise ImportFormatError(f"unknown format {format_name!r} (known: {', '.join(FORMATS)})")
    if not valid_slug(slug):
        raise InputError(f"{slug[:60]!r} is not a dataset name: use lower-case letters, digits "
                         "and hyphens, e.g. megaface")
    with Rebuild(path, replace=[slug]) as rebuild:
        report = rebuild.load(slug, format_name, files, options=options,
                              accept_partial=accept_partial, progress=progress)
        if progress:
            progress("writing", 0, None)
        rebuild.commit()
    return report


def remove_dataset(path: Path, slug: str) -> None:
    """Drop a dataset (manifest rows and hashed images) from the index."""
    if not path.exists():
        raise IndexStoreError(f"no dataset index at {path}")
    with Rebuild(path, remove=[slug]) as rebuild:
        rebuild.commit()
