"""``rightsbot index hash-images``: perceptual and file hashes from a dataset's images.

Walks a folder of the dataset's own image files (symlinks are not followed),
hashes each with :func:`bot.photos.hash_image` (sha256, md5, EXIF-upright pHash,
same guard rails as uploads) in a process pool, and writes the hashes into
``images_<d>`` of the live index in batches, one transaction each: a crash loses
at most the batch in flight. A rerun skips files whose relative path, size and
mtime are unchanged (an interrupted run resumes), but still applies a changed
identity to them. Each image's identity (photo ID, owner, URL) comes from
:mod:`.identity` (a map, FFHQ's metadata, or the dataset's path layout); an image
with none keeps its relative path instead, so a match can still name the file.
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
from .identity import Identifier, Identity, layout_for, read_ffhq_metadata, read_map, shown_path
from .keys import to_signed64, valid_slug
from .parsing import BAD_ROWS_LISTED
from .schema import images_ddl, owners_ddl, upgrade_images
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
    layout: str = "auto"
    named: int = 0            # images with a photo ID, owner or URL
    path_only: int = 0        # images known by their relative path alone
    renamed: int = 0          # unchanged images whose identity changed (map, layout)
    unmapped: int = 0         # rows of the map that named no image in the folder

    def lines(self) -> list[str]:
        out = [f"{self.dataset}: {self.hashed:,} images hashed, {self.unchanged:,} unchanged since "
               f"the last run, {self.failed:,} could not be hashed ({self.seen:,} image files, "
               f"{self.seconds:.1f} s)"]
        out.append(f"  identity ({self.layout} layout): {_count(self.named, 'image')} named by "
                   f"photo ID, owner or URL; {self.path_only:,} by their path in the folder only")
        if self.renamed:
            out.append(f"  {_count(self.renamed, 'image')} hashed before got a new identity")
        if self.unmapped:
            out.append(f"  {_count(self.unmapped, 'row')} of the map named no image in the folder")
        out += [f"  {path}: {reason}" for path, reason in self.failures]
        return out

    def to_json(self) -> dict:
        return {"dataset": self.dataset, "seen": self.seen, "hashed": self.hashed,
                "unchanged": self.unchanged, "failed": self.failed, "layout": self.layout,
                "named": self.named, "path_only": self.path_only, "renamed": self.renamed,
                "unmapped": self.unmapped,
                "first_failures": [{"path": p, "reason": r} for p, r in self.failures],
                "seconds": round(self.seconds, 3)}


def _count(n: int, noun: str) -> str:
    return f"{n:,} {noun}{'' if n == 1 else 's'}"


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
                      fresh: bool = False, layout: str | None = None,
                      map_file: Path | None = None, metadata: Path | None = None,
                      progress: Callable[[int, int], None] | None = None) -> HashReport:
    """Hash every image under ``folder`` into dataset ``slug`` of the index at ``index_path``.

    ``layout`` (:data:`~bot.index.identity.LAYOUTS`; default: the one of the format the
    dataset was imported as), ``map_file`` (CSV: path, photo_id, owner, url) and
    ``metadata`` (FFHQ's JSON) say which photo each image is; the map and the metadata
    are checked in full before anything is written.
    ``progress(files done, files hashed)`` is called after each batch.
    """
    if not valid_slug(slug):
        raise InputError(f"{slug[:60]!r} is not a dataset name (lower-case letters, digits, "
                         "hyphens)")
    folder = Path(folder)
    if not folder.is_dir():
        raise InputError(f"{folder} is not a folder of images")
    mapping = read_map(Path(map_file)) if map_file is not None else None
    ffhq = read_ffhq_metadata(Path(metadata)) if metadata is not None else None
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
            row = conn.execute("SELECT format FROM datasets WHERE slug = ?", (slug,)).fetchone()
            if layout is None and ffhq is not None:
                layout = "ffhq"      # FFHQ's metadata given: its layout goes with it
            report.layout = layout_for(layout, row[0] if row else "")
            identifier = Identifier(report.layout, mapping, ffhq)
            d = _prepare(conn, slug, fresh)
            pool: Executor = ProcessPoolExecutor(workers) if workers > 1 else _InProcess()
            with pool:
                batch: list[tuple[str, str, int, int]] = []
                for entry in walk_images(folder):
                    report.seen += 1
                    batch.append(entry)
                    if len(batch) >= batch_size:
                        _run_batch(conn, d, batch, identifier, pool, report, max_bytes,
                                   max_pixels)
                        batch = []
                        if progress:
                            progress(report.seen, report.hashed)
                if batch:
                    _run_batch(conn, d, batch, identifier, pool, report, max_bytes, max_pixels)
                    if progress:
                        progress(report.seen, report.hashed)
            report.unmapped = identifier.unmapped()
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
    upgrade_images(conn, d)
    if fresh:
        conn.execute(f"DELETE FROM images_{d}")
        conn.execute("UPDATE datasets SET images = 0 WHERE id = ?", (d,))
    conn.execute("COMMIT")
    return int(d)


def _owner_ids(conn: sqlite3.Connection, d: int, names: set[str]) -> dict[str, int]:
    """Owner name -> id in ``owners_d``, adding the new ones (inside the caller's
    transaction, so a rollback takes them back too)."""
    if not names:
        return {}
    ids = dict(conn.execute(f"SELECT name, id FROM owners_{d} WHERE name IN "
                            "(SELECT value FROM json_each(?))", (json.dumps(sorted(names)),)))
    for name in sorted(names - ids.keys()):
        ids[name] = int(conn.execute(f"INSERT INTO owners_{d} (name) VALUES (?)",
                                     (name,)).lastrowid)  # type: ignore[arg-type]
    return ids


def _run_batch(conn: sqlite3.Connection, d: int, batch: list[tuple[str, str, int, int]],
               identifier: Identifier, pool: Executor, report: HashReport, max_bytes: int,
               max_pixels: int) -> None:
    keyed = [(_key64(rel), _key64(f"{size}:{mtime}"), full, rel, identifier.identify(rel))
             for full, rel, size, mtime in batch]
    known = {row[0]: row[1:] for row in conn.execute(
        f"SELECT path_key, stamp, photo_id, owner_id, url, path FROM images_{d} WHERE path_key "
        "IN (SELECT value FROM json_each(?))", (json.dumps([k[0] for k in keyed]),))}
    todo = [k for k in keyed if known.get(k[0], (None,))[0] != k[1]]
    results = list(pool.map(_hash_file, [(k[2], max_bytes, max_pixels) for k in todo],
                            chunksize=8)) if todo else []
    conn.execute("BEGIN IMMEDIATE")
    try:
        owners = _owner_ids(conn, d, {k[4].owner for k in keyed if k[4].owner})
        named = {k[0]: _stored_identity(k[3], k[4], owners) for k in keyed}
        rows, renamed = [], []
        todo_keys = {k[0] for k in todo}
        for path_key in (k[0] for k in keyed if k[0] not in todo_keys):
            if tuple(known[path_key][1:]) != named[path_key]:
                renamed.append(named[path_key] + (path_key,))
        for (path_key, stamp, _full, rel, _identity), result in zip(todo, results):
            if isinstance(result, str):
                report.failed += 1
                if len(report.failures) < BAD_ROWS_LISTED:
                    report.failures.append((shown_path(rel), result))
                continue
            sha256, md5, phash = result
            photo, owner_id, url, path = named[path_key]
            rows.append((path_key, stamp, photo, owner_id, bytes.fromhex(sha256),
                         bytes.fromhex(md5), to_signed64(phash), url, path))
        added = sum(1 for row in rows if row[0] not in known)
        conn.executemany(f"INSERT OR REPLACE INTO images_{d} (path_key, stamp, photo_id, "
                         "owner_id, sha256, md5, phash, url, path) "
                         "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)", rows)
        conn.executemany(f"UPDATE images_{d} SET photo_id = ?, owner_id = ?, url = ?, path = ? "
                         "WHERE path_key = ?", renamed)
        if rows or renamed:
            conn.execute("UPDATE datasets SET images = images + ?, images_updated_at = ? "
                         "WHERE id = ?", (added, now_utc(), d))
        conn.execute("COMMIT")
    except BaseException:
        conn.execute("ROLLBACK")
        raise
    report.unchanged += len(keyed) - len(todo)
    report.hashed += len(rows)
    report.renamed += len(renamed)
    for path_key in [k[0] for k in keyed if k[0] not in todo_keys] + [row[0] for row in rows]:
        if named[path_key][3] is None:
            report.named += 1
        else:
            report.path_only += 1


Stored = tuple[int | None, int | None, str | None, str | None]   # photo, owner id, url, path


def _stored_identity(rel: str, identity: Identity, owners: dict[str, int]) -> Stored:
    """``(photo_id, owner_id, url, path)`` as stored: the path only for an image with no
    identity."""
    if not identity:
        return None, None, None, shown_path(rel)
    return (identity.photo_id, owners[identity.owner] if identity.owner else None, identity.url,
            None)
