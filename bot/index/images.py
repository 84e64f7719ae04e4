"""``rightsbot index hash-images``: perceptual and file hashes from a dataset's images.

Walks a folder of the dataset's own image files (symlinks are not followed),
hashes each with :func:`bot.photos.hash_image` (sha256, md5, EXIF-upright pHash,
same guard rails as uploads) in a process pool, and writes the hashes into
``images_<d>`` of the live index in batches, one transaction each: a crash loses
at most the batch in flight. A rerun skips files whose relative path, size and
mtime are unchanged, so an interrupted run resumes. Photo IDs and NSIDs encoded
in the path (MegaFace layout, Flickr file names) are kept; the path itself is
not stored, only a 64-bit hash of it.
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import sqlite3
import time
from concurrent.futures import Executor, ProcessPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, Iterator

from ..errors import IndexStoreError, InputError, RightsbotError
from .keys import path_keys, to_signed64, valid_slug
from .parsing import BAD_ROWS_LISTED, OwnerIds
from .schema import images_ddl, owners_ddl
from .writer import Rebuild, check_index_file, now_utc, sqlite_uri, writer_lock

log = logging.getLogger(__name__)

IMAGE_SUFFIXES = frozenset({".jpg", ".jpeg", ".png", ".gif", ".webp", ".tif", ".tiff", ".bmp"})
BATCH_SIZE = 256


@dataclass
class HashReport:
    dataset: str
    seen: int = 0
    hashed: int = 0
    unchanged: int = 0
    failed: int = 0
    failures: list[tuple[str, str]] = field(default_factory=list)
    seconds: float = 0.0

    def lines(self) -> list[str]:
        out = [f"{self.dataset}: {self.hashed:,} images hashed, {self.unchanged:,} unchanged since "
               f"the last run, {self.failed:,} could not be hashed ({self.seen:,} image files, "
               f"{self.seconds:.1f} s)"]
        out += [f"  {path}: {reason}" for path, reason in self.failures]
        return out

    def to_json(self) -> dict:
        return {"dataset": self.dataset, "seen": self.seen, "hashed": self.hashed,
                "unchanged": self.unchanged, "failed": self.failed,
                "first_failures": [{"path": p, "reason": r} for p, r in self.failures],
                "seconds": round(self.seconds, 3)}


def _key64(text: str) -> int:
    digest = hashlib.blake2b(text.encode("utf-8", "surrogateescape"), digest_size=8).digest()
    return int.from_bytes(digest, "big", signed=True)


def walk_images(folder: Path) -> Iterator[tuple[str, str, int, int]]:
    """``(absolute path, relative path, size, mtime_ns)`` of image files, sorted, no symlinks."""
    for root, dirs, files in os.walk(folder, followlinks=False):
        dirs.sort()
        for name in sorted(files):
            if os.path.splitext(name)[1].lower() not in IMAGE_SUFFIXES:
                continue
            full = os.path.join(root, name)
            try:
                st = os.lstat(full)
            except OSError:
                continue
            if not os.path.isfile(full) or os.path.islink(full):
                continue
            yield full, os.path.relpath(full, folder), st.st_size, st.st_mtime_ns


def _hash_file(task: tuple[str, int, int]) -> tuple[str, str, int] | str:
    """Worker: hashes of one file, or the reason it cannot be hashed."""
    from ..photos import hash_image  # noqa: PLC0415 - imported in the worker process
    path, max_bytes, max_pixels = task
    try:
        with open(path, "rb") as fh:
            data = fh.read(max_bytes + 1)
        hashes = hash_image(data, max_bytes=max_bytes, max_pixels=max_pixels)
    except RightsbotError as exc:
        return str(exc)
    except OSError as exc:
        return f"cannot read ({exc.strerror or exc})"
    return hashes.sha256, hashes.md5, hashes.phash


class _InProcess(Executor):
    def map(self, fn, *iterables, timeout=None, chunksize=1):  # type: ignore[override]
        return map(fn, *iterables)


def hash_image_folder(index_path: Path, slug: str, folder: Path, *, max_bytes: int,
                      max_pixels: int, workers: int | None = None, batch_size: int = BATCH_SIZE,
                      fresh: bool = False,
                      progress: Callable[[int, int], None] | None = None) -> HashReport:
    """Hash every image under ``folder`` into dataset ``slug`` of the index at ``index_path``.

    ``progress(files done, files hashed)`` is called after each batch.
    """
    if not valid_slug(slug):
        raise InputError(f"{slug[:60]!r} is not a dataset name (lower-case letters, digits, "
                         "hyphens)")
    folder = Path(folder)
    if not folder.is_dir():
        raise InputError(f"{folder} is not a folder of images")
    if not index_path.exists():
        with Rebuild(index_path, fresh=True) as rebuild:
            rebuild.commit()
    started = time.perf_counter()
    report = HashReport(slug)
    workers = workers if workers is not None else (os.cpu_count() or 1)
    with writer_lock(index_path):
        conn = sqlite3.connect(sqlite_uri(index_path, "rw"), uri=True, isolation_level=None)
        try:
            conn.execute("PRAGMA busy_timeout = 10000")
            conn.execute("PRAGMA synchronous = NORMAL")
            check_index_file(conn, index_path)
            d = _prepare(conn, slug, fresh)
            owners = OwnerIds(dict(conn.execute(f"SELECT name, id FROM owners_{d}")))
            pool: Executor = ProcessPoolExecutor(workers) if workers > 1 else _InProcess()
            with pool:
                batch: list[tuple[str, str, int, int]] = []
                for entry in walk_images(folder):
                    report.seen += 1
                    batch.append(entry)
                    if len(batch) >= batch_size:
                        _run_batch(conn, d, batch, owners, pool, report, max_bytes, max_pixels)
                        batch = []
                        if progress:
                            progress(report.seen, report.hashed)
                if batch:
                    _run_batch(conn, d, batch, owners, pool, report, max_bytes, max_pixels)
                    if progress:
                        progress(report.seen, report.hashed)
        except sqlite3.DatabaseError as exc:
            raise IndexStoreError(f"cannot write the dataset index {index_path}: {exc}") from None
        finally:
            conn.close()
    report.seconds = time.perf_counter() - started
    log.info("hashed images for dataset %s: %d new, %d unchanged, %d failed", slug,
             report.hashed, report.unchanged, report.failed)
    return report


def _prepare(conn: sqlite3.Connection, slug: str, fresh: bool) -> int:
    conn.execute("BEGIN IMMEDIATE")
    conn.execute("INSERT OR IGNORE INTO datasets (slug, note) VALUES (?, '')", (slug,))
    d = conn.execute("SELECT id FROM datasets WHERE slug = ?", (slug,)).fetchone()[0]
    if not conn.execute("SELECT 1 FROM sqlite_master WHERE name = ?", (f"owners_{d}",)).fetchone():
        conn.execute(owners_ddl(d))
    for ddl in images_ddl(d):
        conn.execute(ddl)
    if fresh:
        conn.execute(f"DELETE FROM images_{d}")
        conn.execute("UPDATE datasets SET images = 0 WHERE id = ?", (d,))
    conn.execute("COMMIT")
    return int(d)


def _run_batch(conn: sqlite3.Connection, d: int, batch: list[tuple[str, str, int, int]],
               owners: OwnerIds, pool: Executor, report: HashReport, max_bytes: int,
               max_pixels: int) -> None:
    keyed = [(_key64(rel), _key64(f"{size}:{mtime}"), full, rel) for full, rel, size, mtime in batch]
    known = dict(conn.execute(f"SELECT path_key, stamp FROM images_{d} WHERE path_key IN "
                              "(SELECT value FROM json_each(?))",
                              (json.dumps([k[0] for k in keyed]),)).fetchall())
    todo = [k for k in keyed if known.get(k[0]) != k[1]]
    report.unchanged += len(keyed) - len(todo)
    if not todo:
        return
    results = list(pool.map(_hash_file, [(k[2], max_bytes, max_pixels) for k in todo],
                            chunksize=8))
    rows = []
    new_owners_before = len(owners.new)
    for (path_key, stamp, _full, rel), result in zip(todo, results):
        if isinstance(result, str):
            report.failed += 1
            if len(report.failures) < BAD_ROWS_LISTED:
                report.failures.append((rel, result))
            continue
        sha256, md5, phash = result
        photo, owner = path_keys(rel)
        rows.append((path_key, stamp, photo, owners[owner] if owner else None,
                     bytes.fromhex(sha256), bytes.fromhex(md5), to_signed64(phash)))
    added = sum(1 for row in rows if row[0] not in known)
    conn.execute("BEGIN IMMEDIATE")
    try:
        if len(owners.new) > new_owners_before:
            conn.executemany(f"INSERT INTO owners_{d} (id, name) VALUES (?, ?)",
                             owners.new[new_owners_before:])
        conn.executemany(f"INSERT OR REPLACE INTO images_{d} VALUES (?, ?, ?, ?, ?, ?, ?)", rows)
        conn.execute("UPDATE datasets SET images = images + ?, images_updated_at = ? WHERE id = ?",
                     (added, now_utc(), d))
        conn.execute("COMMIT")
    except BaseException:
        conn.execute("ROLLBACK")
        del owners.new[new_owners_before:]
        raise
    report.hashed += len(rows)
