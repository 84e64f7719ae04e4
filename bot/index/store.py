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
from pathlib import Path
from typing import Callable, Iterable, Iterator, NamedTuple

import numpy as np

from ..errors import IndexStoreError
from .bulk import block_photos
from .info import DatasetInfo, read_infos
from .keys import flickr_page_url, normalise_owner, normalise_url, photo_id, url_host, \
    url_variants
from .phash import PhashSearch
from .schema import image_columns
from .writer import check_index_file, sqlite_uri

MAX_HITS_PER_QUERY = 100_000


_new_tuple = tuple.__new__


class IndexHit(NamedTuple):
    """One dataset entry that matched: what a letter's exhibit names.

    A NamedTuple rather than a dataclass: a whole-account lookup builds one per
    photo, and tuples are built and hashed at C speed (see docs/performance.md).
    ``path`` is set only for a hashed dataset image that has no photo ID, owner or
    URL: its relative path in the dataset's image folder."""
    dataset: str
    photo_id: str | None
    owner: str | None
    url: str | None
    path: str | None = None


class DatasetIndex:
    """The SQLite dataset index (see :mod:`bot.index.schema`)."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self._lock = threading.RLock()
        self._conn: sqlite3.Connection | None = None
        self._identity: tuple[int, int] | None = None
        self._data_version: int | None = None
        self._infos: list[DatasetInfo] = []
        self._image_columns: dict[int, set[str]] = {}
        self._owner_blocks: set[int] = set()     # datasets with owner_blocks_d (newer files)
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
                self._infos, tables = read_infos(conn)
                self._image_columns = {i.id: image_columns(conn, i.id) for i in self._infos
                                       if i.images}
                self._owner_blocks = {i.id for i in self._infos
                                      if f"owner_blocks_{i.id}" in tables}
                self._data_version = version
                self._phash = None
        except sqlite3.DatabaseError as exc:
            raise IndexStoreError(f"the dataset index {self.path} cannot be read: {exc}") from None
        return conn

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

    def _image_url(self, d: int) -> str:
        """The url column of ``images_d`` (NULL in files written before it existed)."""
        return "t.url" if "url" in self._image_columns.get(d, ()) else "NULL"

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
                out.append(self._select(info.id, f"images_{info.id}", self._image_url(info.id),
                                        where))
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
                        for name, ids in self._photo_lists(conn, d, param):
                            ids = ids[:MAX_HITS_PER_QUERY]
                            # the hot path of a whole-account check: tuples built directly
                            slug, page = info.slug, f"https://www.flickr.com/photos/{name}/"
                            hits += [_new_tuple(IndexHit, (slug, pid, name, f"{page}{pid}/", None))
                                     for pid in map(str, ids.tolist())]
                    if info.images:
                        hits += [_hit(info.slug, pid, name, url) for pid, name, url in conn.execute(
                            f"SELECT DISTINCT t.photo_id, o.name, {self._image_url(d)} "
                            f"FROM owners_{d} AS o "
                            f"JOIN images_{d} AS t ON t.owner_id = o.id "
                            f"WHERE o.name IN (SELECT value FROM json_each(?1))", (param,))]
                except sqlite3.DatabaseError as exc:
                    raise IndexStoreError(f"the dataset index cannot be read: {exc}") from None
        return list(dict.fromkeys(hits))

    def _photo_lists(self, conn: sqlite3.Connection, d: int,
                     param: str) -> Iterator[tuple[str, np.ndarray]]:
        """``(owner name, photo IDs)`` of the owners named in the JSON list ``param``."""
        if d in self._owner_blocks:
            for name, owner_id, *block in conn.execute(
                    f"SELECT o.name, o.id, b.owners, b.starts, b.photo_ids FROM owners_{d} AS o "
                    f"JOIN owner_blocks_{d} AS b ON b.first_owner = (SELECT max(first_owner) "
                    f"FROM owner_blocks_{d} WHERE first_owner <= o.id) "
                    f"WHERE o.name IN (SELECT value FROM json_each(?1))", (param,)):
                yield name, block_photos(owner_id, *block)
        else:   # a file written before owner_blocks_d
            for name, blob in conn.execute(
                    f"SELECT o.name, l.photo_ids FROM owners_{d} AS o "
                    f"JOIN owner_photos_{d} AS l ON l.owner_id = o.id "
                    f"WHERE o.name IN (SELECT value FROM json_each(?1))", (param,)):
                yield name, np.frombuffer(blob, dtype="<i8")

    def _items(self, key: str, where: str, params: tuple) -> list[IndexHit]:
        return self._union(lambda info: [self._select(info.id, f"items_{info.id}", "t.url", where)]
                           if info.keys.get(key, 0) else [], params)

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
        keys = []
        for key, value, size in (("sha256", sha256, 32), ("md5", md5, 16)):
            try:
                raw = bytes.fromhex(value) if value else b""
            except ValueError:
                continue
            if len(raw) == size:
                keys.append((key, raw))
        hits: list[IndexHit] = []
        with self._lock:
            conn = self._fresh()
            try:
                for info in self._infos:
                    for key, raw in keys:
                        if info.keys.get(key, 0):
                            hits += [self._complete(conn, info, *row) for row in conn.execute(
                                self._row_sql(info.id, f"items_{info.id}", f"t.{key} = ?"),
                                (raw,))]
                        if info.images:
                            hits += [self._complete(conn, info, *row) for row in conn.execute(
                                self._row_sql(info.id, f"images_{info.id}", f"t.{key} = ?"),
                                (raw,))]
            except sqlite3.DatabaseError as exc:
                raise IndexStoreError(f"the dataset index cannot be read: {exc}") from None
        return list(dict.fromkeys(hits))

    def find_similar(self, phash: int, radius: int) -> list[tuple[IndexHit, int]]:
        """Entries whose pHash is within ``radius`` bits of ``phash`` (every one of them),
        nearest first; each named as fully as the dataset's rows allow."""
        with self._lock:
            conn = self._fresh()
            if self._phash is None:
                self._phash = PhashSearch.from_tables(conn, self._phash_tables())
            search = self._phash
            infos = {i.id: i for i in self._infos}
            out: list[tuple[IndexHit, int]] = []
            try:
                for table_no, rowid, distance in search.find(phash, radius):
                    d, table, _slug = search.tables[table_no]
                    rowid_name = "rowid" if table.startswith("items_") else "path_key"
                    row = conn.execute(self._row_sql(d, table, f"t.{rowid_name} = ?"),
                                       (rowid,)).fetchone()
                    if row and d in infos:
                        out.append((self._complete(conn, infos[d], *row), distance))
            except sqlite3.DatabaseError as exc:
                raise IndexStoreError(f"the dataset index cannot be read: {exc}") from None
        out.sort(key=lambda pair: pair[1])
        return out

    def _row_sql(self, d: int, table: str, where: str) -> str:
        """``photo_id, owner name, url, path, sha256, md5`` of the rows of ``table``."""
        if table.startswith("items_"):
            columns = "t.url, NULL, t.sha256, t.md5"
        else:
            path = "t.path" if "path" in self._image_columns.get(d, ()) else "NULL"
            columns = f"{self._image_url(d)}, {path}, t.sha256, t.md5"
        return (f"SELECT t.photo_id, o.name, {columns} FROM {table} AS t "
                f"LEFT JOIN owners_{d} AS o ON o.id = t.owner_id WHERE {where}")

    def _complete(self, conn: sqlite3.Connection, info: DatasetInfo, pid: int | None,
                  owner: str | None, url: str | None, path: str | None, sha256: bytes | None,
                  md5: bytes | None) -> IndexHit:
        """A matched row, completed from the dataset's other rows: an image named by its
        file hash in the manifest (FaceScrub sha256, FFHQ md5) or URL gets that row's photo
        and owner; a photo ID without an owner gets the owner the manifest gives it."""
        d = info.id
        if pid is None and owner is None:
            for key, value in (("sha256", sha256), ("md5", md5), ("url", url)):
                if value is None or not info.keys.get(key, 0):
                    continue
                row = conn.execute(
                    f"SELECT t.photo_id, o.name, t.url FROM items_{d} AS t LEFT JOIN owners_{d} "
                    f"AS o ON o.id = t.owner_id WHERE t.{key} = ? AND (t.photo_id IS NOT NULL "
                    "OR t.owner_id IS NOT NULL) LIMIT 1", (value,)).fetchone()
                if row:
                    pid, owner, url = row[0], row[1], url or row[2]
                    break
        if pid is not None and owner is None and info.keys.get("photo_id", 0):
            row = conn.execute(f"SELECT o.name FROM photos_{d} AS p JOIN owners_{d} AS o "
                               "ON o.id = p.owner_id WHERE p.photo_id = ? LIMIT 1",
                               (pid,)).fetchone()
            if row:
                owner = row[0]
        if pid is not None or owner is not None or url is not None:
            path = None
        return _hit(info.slug, pid, owner, url, path)

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


def _hit(slug: str, pid: int | None, owner: str | None, url: str | None,
         path: str | None = None) -> IndexHit:
    if url is None and pid is not None:
        url = flickr_page_url(pid, owner)
    return IndexHit(slug, str(pid) if pid is not None else None, owner, url, path)

