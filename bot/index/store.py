"""Reading the index: lookups by photo ID, owner, URL, host, file hash and pHash.

One :class:`DatasetIndex` is safe to share between threads (one connection
behind a lock; lookups take microseconds). It notices when an import has
swapped in a new file (inode change) or ``hash-images`` added rows
(``PRAGMA data_version``) and re-reads what it cached.
"""

from __future__ import annotations

import json
import os
import sqlite3
import threading
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, Iterable, NamedTuple

import numpy as np

from ..errors import IndexStoreError
from .keys import flickr_page_url, normalise_owner, normalise_url, photo_id, url_host, \
    url_variants
from .phash import PhashSearch
from .writer import check_index_file, sqlite_uri

MAX_HITS_PER_QUERY = 100_000


_new_tuple = tuple.__new__


class IndexHit(NamedTuple):
    """One dataset entry that matched: what a letter's exhibit names.

    A NamedTuple rather than a dataclass: a whole-account lookup builds one per
    photo, and tuples are built and hashed at C speed (see docs/performance.md)."""
    dataset: str
    photo_id: str | None
    owner: str | None
    url: str | None


@dataclass(frozen=True)
class DatasetInfo:
    """What the index holds for one dataset (``index stats``, the check's coverage note)."""
    id: int
    slug: str
    format: str
    sources: tuple[str, ...]
    imported_at: str
    rows: int
    bad_rows: int
    no_key_rows: int
    keys: dict[str, int] = field(hash=False)
    images: int
    images_updated_at: str
    note: str

    @property
    def phash_count(self) -> int:
        return self.keys.get("phash", 0) + self.images

    def to_json(self) -> dict:
        return {"dataset": self.slug, "format": self.format, "sources": list(self.sources),
                "imported_at": self.imported_at, "rows": self.rows, "bad_rows": self.bad_rows,
                "no_key_rows": self.no_key_rows,
                "keys": {k.replace("_id", ""): v for k, v in self.keys.items()},
                "images_hashed": self.images, "images_updated_at": self.images_updated_at,
                "note": self.note}


class DatasetIndex:
    """The SQLite dataset index (see :mod:`bot.index.schema`)."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self._lock = threading.RLock()
        self._conn: sqlite3.Connection | None = None
        self._identity: tuple[int, int] | None = None
        self._data_version: int | None = None
        self._infos: list[DatasetInfo] = []
        self._phash: PhashSearch | None = None
        self._connect()

    @classmethod
    def open(cls, path: Path, *, create: bool = False) -> "DatasetIndex":
        path = Path(path)
        if not path.exists():
            if not create:
                raise IndexStoreError(
                    f"no dataset index at {path}; import a manifest (`rightsbot index import`) "
                    "or build the demo index (`rightsbot index build-demo`)")
            from .writer import Rebuild  # noqa: PLC0415
            with Rebuild(path, fresh=True) as rebuild:
                rebuild.commit()
        elif path.is_dir():
            raise IndexStoreError(f"{path} is a folder, not a dataset index file")
        return cls(path)

    # -- connection management -------------------------------------------------------

    def _connect(self) -> None:
        try:
            stat = os.stat(self.path)
            conn = sqlite3.connect(sqlite_uri(self.path, "rw"), uri=True, check_same_thread=False,
                                   isolation_level=None)
        except (OSError, sqlite3.Error) as exc:
            raise IndexStoreError(f"cannot open the dataset index {self.path}: {exc}") from None
        try:
            conn.execute("PRAGMA busy_timeout = 10000")
            conn.execute("PRAGMA query_only = ON")
            check_index_file(conn, self.path)
        except sqlite3.DatabaseError as exc:
            conn.close()
            raise IndexStoreError(f"{self.path} is not a rightsbot dataset index ({exc})") from None
        except IndexStoreError:
            conn.close()
            raise
        if self._conn is not None:
            self._conn.close()
        self._conn = conn
        self._identity = (stat.st_dev, stat.st_ino)
        self._data_version = None
        self._phash = None

    def close(self) -> None:
        with self._lock:
            if self._conn is not None:
                self._conn.close()
                self._conn = None

    def __enter__(self) -> "DatasetIndex":
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def _fresh(self) -> sqlite3.Connection:
        """The connection, reopened if an import swapped the file, state re-read if it changed."""
        try:
            stat = os.stat(self.path)
            if (stat.st_dev, stat.st_ino) != self._identity or self._conn is None:
                self._connect()
        except FileNotFoundError:
            if self._conn is None:
                raise IndexStoreError(f"the dataset index {self.path} is gone") from None
        conn = self._conn
        assert conn is not None
        try:
            version = conn.execute("PRAGMA data_version").fetchone()[0]
            if version != self._data_version:
                self._infos = self._read_infos(conn)
                self._data_version = version
                self._phash = None
        except sqlite3.DatabaseError as exc:
            raise IndexStoreError(f"the dataset index {self.path} cannot be read: {exc}") from None
        return conn

    @staticmethod
    def _read_infos(conn: sqlite3.Connection) -> list[DatasetInfo]:
        rows = conn.execute("SELECT id, slug, format, sources, imported_at, rows, bad_rows, "
                            "no_key_rows, keys, images, images_updated_at, note "
                            "FROM datasets ORDER BY slug").fetchall()
        tables = {r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type='table'")}
        infos = []
        for r in rows:
            keys = json.loads(r[8] or "{}") if f"items_{r[0]}" in tables else {}
            infos.append(DatasetInfo(r[0], r[1], r[2], tuple(json.loads(r[3] or "[]")), r[4], r[5],
                                     r[6], r[7], keys, r[9] if f"images_{r[0]}" in tables else 0,
                                     r[10], r[11]))
        return infos

    # -- what is in it ---------------------------------------------------------------

    def datasets(self) -> list[str]:
        """Slugs of the datasets that hold at least one key."""
        return [i.slug for i in self.info() if i.rows or i.images]

    def info(self) -> list[DatasetInfo]:
        with self._lock:
            self._fresh()
            return list(self._infos)

    def stats(self) -> dict:
        infos = self.info()
        try:
            size = self.path.stat().st_size
        except OSError:
            size = 0
        total = sum(i.rows + i.images for i in infos)
        return {"path": str(self.path), "size_bytes": size,
                "bytes_per_row": round(size / total, 1) if total else None,
                "rows": total, "datasets": [i.to_json() for i in infos]}

    # -- lookups ---------------------------------------------------------------------

    def _union(self, parts_for: "Callable[[DatasetInfo], list[str]]", params: tuple) -> list[IndexHit]:
        """Run the SELECTs ``parts_for(info)`` gives for each dataset as one UNION."""
        with self._lock:
            conn = self._fresh()
            parts = [part for info in self._infos for part in parts_for(info)]
            if not parts:
                return []
            sql = " UNION ".join(parts) + f" LIMIT {MAX_HITS_PER_QUERY}"
            try:
                rows = conn.execute(sql, params).fetchall()
            except sqlite3.DatabaseError as exc:
                raise IndexStoreError(f"the dataset index cannot be read: {exc}") from None
            slugs = {i.id: i.slug for i in self._infos}
        return [_hit(slugs[d], pid, owner, url) for d, pid, owner, url in rows]

    @staticmethod
    def _select(d: int, table: str, url: str, where: str) -> str:
        return (f"SELECT {d}, t.photo_id, o.name, {url} FROM {table} AS t "
                f"LEFT JOIN owners_{d} AS o ON o.id = t.owner_id WHERE {where}")

    def find_photo_ids(self, ids: Iterable[str]) -> list[IndexHit]:
        values = sorted({v for v in (photo_id(str(i)) for i in ids) if v is not None})
        if not values:
            return []
        where = "t.photo_id IN (SELECT value FROM json_each(?1))"

        def parts(info: DatasetInfo) -> list[str]:
            out = []
            if info.keys.get("photo_id", 0):
                out.append(self._select(info.id, f"photos_{info.id}", "NULL", where))
            if info.images:
                out.append(self._select(info.id, f"images_{info.id}", "NULL", where))
            return out

        return self._union(parts, (json.dumps(values),))

    def find_owners(self, nsids: Iterable[str]) -> list[IndexHit]:
        """Every photo of these owners (NSIDs or aliases), in every dataset."""
        names = sorted({n for n in (normalise_owner(str(x)) for x in nsids) if n})
        if not names:
            return []
        param = json.dumps(names)
        hits: list[IndexHit] = []
        with self._lock:
            conn = self._fresh()
            for info in self._infos:
                d = info.id
                try:
                    if info.keys.get("owner_id", 0):
                        for name, blob in conn.execute(
                                f"SELECT o.name, l.photo_ids FROM owners_{d} AS o "
                                f"JOIN owner_photos_{d} AS l ON l.owner_id = o.id "
                                f"WHERE o.name IN (SELECT value FROM json_each(?1))", (param,)):
                            ids = np.frombuffer(blob, dtype="<i8")[:MAX_HITS_PER_QUERY]
                            # the hot path of a whole-account check: tuples built directly
                            slug, page = info.slug, f"https://www.flickr.com/photos/{name}/"
                            hits += [_new_tuple(IndexHit, (slug, pid, name, f"{page}{pid}/"))
                                     for pid in map(str, ids.tolist())]
                    if info.images:
                        hits += [_hit(info.slug, pid, name, None) for pid, name in conn.execute(
                            f"SELECT DISTINCT t.photo_id, o.name FROM owners_{d} AS o "
                            f"JOIN images_{d} AS t ON t.owner_id = o.id "
                            f"WHERE o.name IN (SELECT value FROM json_each(?1))", (param,))]
                except sqlite3.DatabaseError as exc:
                    raise IndexStoreError(f"the dataset index cannot be read: {exc}") from None
        return list(dict.fromkeys(hits))

    def _items(self, key: str, where: str, params: tuple, *,
               images: bool = False) -> list[IndexHit]:
        def parts(info: DatasetInfo) -> list[str]:
            out = []
            if info.keys.get(key, 0):
                out.append(self._select(info.id, f"items_{info.id}", "t.url", where))
            if images and info.images:
                out.append(self._select(info.id, f"images_{info.id}", "NULL", where))
            return out

        return self._union(parts, params)

    def find_urls(self, urls: Iterable[str]) -> list[IndexHit]:
        variants = sorted({v for u in urls for n in [normalise_url(str(u))] if n
                           for v in url_variants(n)})
        if not variants:
            return []
        return self._items("url", "t.url IN (SELECT value FROM json_each(?1))",
                           (json.dumps(variants),))

    def find_hosts(self, hosts: Iterable[str]) -> list[IndexHit]:
        """Every stored URL on these hosts (``example.com`` also covers ``www.example.com``)."""
        hits: list[IndexHit] = []
        seen: set[str] = set()
        for host in hosts:
            normalised = normalise_url(str(host))
            if not normalised:
                continue
            bare = url_host(normalised)
            bare = bare[4:] if bare.startswith("www.") else bare
            for name in (bare, "www." + bare):
                for scheme in ("http", "https"):
                    prefix = f"{scheme}://{name}"
                    if prefix in seen:
                        continue
                    seen.add(prefix)
                    hits += self._items(
                        "url", "(t.url = ?1 OR (t.url >= ?2 AND t.url < ?3) "
                        "OR (t.url >= ?4 AND t.url < ?5))",
                        (prefix, prefix + "/", prefix + "0", prefix + "?", prefix + "@"))
        return hits

    def find_file_hash(self, *, sha256: str | None = None, md5: str | None = None) -> list[IndexHit]:
        hits: list[IndexHit] = []
        for key, value, size in (("sha256", sha256, 32), ("md5", md5, 16)):
            if not value:
                continue
            try:
                raw = bytes.fromhex(value)
            except ValueError:
                continue
            if len(raw) == size:
                hits += self._items(key, f"t.{key} = ?1", (raw,), images=True)
        return hits

    def find_similar(self, phash: int, radius: int) -> list[tuple[IndexHit, int]]:
        """Entries whose pHash is within ``radius`` bits of ``phash`` (every one of them),
        nearest first."""
        with self._lock:
            conn = self._fresh()
            if self._phash is None:
                self._phash = PhashSearch.from_tables(conn, self._phash_tables())
            search = self._phash
            found = search.find(phash, radius)
            out: list[tuple[IndexHit, int]] = []
            for table_no, rowid, distance in found:
                d, table, slug = search.tables[table_no]
                url = "t.url" if table.startswith("items_") else "NULL"
                rowid_name = "rowid" if table.startswith("items_") else "path_key"
                row = conn.execute(f"SELECT t.photo_id, o.name, {url} FROM {table} AS t LEFT JOIN "
                                   f"owners_{d} AS o ON o.id = t.owner_id "
                                   f"WHERE t.{rowid_name} = ?", (rowid,)).fetchone()
                if row:
                    out.append((_hit(slug, *row), distance))
        out.sort(key=lambda pair: pair[1])
        return out

    def _phash_tables(self) -> list[tuple[int, str, str, str]]:
        tables = []
        for info in self._infos:
            if info.keys.get("phash", 0):
                tables.append((info.id, f"items_{info.id}", info.slug,
                               f"SELECT rowid, phash FROM items_{info.id} WHERE phash IS NOT NULL"))
            if info.images:
                tables.append((info.id, f"images_{info.id}", info.slug,
                               f"SELECT path_key, phash FROM images_{info.id}"))
        return tables


def _hit(slug: str, pid: int | None, owner: str | None, url: str | None) -> IndexHit:
    if url is None and pid is not None:
        url = flickr_page_url(pid, owner)
    return IndexHit(slug, str(pid) if pid is not None else None, owner, url)

