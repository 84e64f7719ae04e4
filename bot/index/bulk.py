"""Bulk-loading parsed rows into a fresh index file (used by :mod:`.writer`).

Photo IDs and owners are gathered into numpy arrays while reading, then sorted,
deduplicated and appended to the WITHOUT ROWID ``photos_d`` in key order (no
index build), and grouped into packed per-owner photo lists; rows with other
keys (URLs, file hashes, pHashes) are inserted into ``items_d`` as they come
and indexed once at the end. The owners met while reading are written in name
order and the rows renumbered to match (:mod:`.owners`). Peak memory is about
40 bytes per photo row.
"""

from __future__ import annotations

import sqlite3
from itertools import chain

import numpy as np

from ..errors import ImportFormatError
from .owners import OwnerMint, renumbered, write_new_owners
from .schema import items_index_ddl

BLOCK_BYTES = 3600     # an owner_blocks_d row fills about one 4 KiB page


class RowSink:
    """Takes parsed batches; photo/owner pairs go to arrays, other keys to ``items_d``."""

    EXTRA = ("url", "sha256", "md5", "phash")
    INSERT_CHUNK = 100_000
    VALUES_ROWS = 500

    def __init__(self, conn: sqlite3.Connection, d: int, columns: tuple[str, ...],
                 owners: OwnerMint) -> None:
        self.conn, self.d, self.columns, self.owners = conn, d, columns, owners
        self.photo_at = columns.index("photo_id") if "photo_id" in columns else None
        self.owner_at = columns.index("owner_id") if "owner_id" in columns else None
        self.extra_at = [columns.index(c) for c in self.EXTRA if c in columns]
        self.int_only = not self.extra_at
        self.chunks: list[np.ndarray] = []
        self.items_insert = (f"INSERT INTO items_{d} ({', '.join(columns)}) "
                             f"VALUES ({', '.join('?' * len(columns))})")
        self.items = 0
        self.items_owned = False   # some items_d row carries an owner id (to renumber)

    def add(self, batch: "list[tuple] | np.ndarray") -> None:
        if isinstance(batch, np.ndarray):
            self.chunks.append(batch)
            return
        if self.int_only and len(batch[0]) == len(batch[-1]) == len(self.columns):
            width = len(self.columns)
            try:   # every row is a tuple of ``width`` ints (the format's columns)
                self.chunks.append(np.fromiter(chain.from_iterable(batch), np.int64,
                                               count=width * len(batch)).reshape(-1, width))
                return
            except (TypeError, ValueError, OverflowError):
                pass  # a None somewhere: take the general path
        self._add_mixed(batch)

    def _add_mixed(self, batch: list[tuple]) -> None:
        p, o = self.photo_at, self.owner_at
        if p is not None:
            if o is not None:
                pairs = [(r[p], r[o] or 0) for r in batch if r[p] is not None]
            else:
                pairs = [(r[p], 0) for r in batch if r[p] is not None]
            if pairs:
                self.chunks.append(np.array(pairs, dtype=np.int64))
        if self.extra_at:
            extra = self.extra_at
            rows = [r for r in batch if any(r[i] is not None for i in extra)]
            if rows:
                self.conn.executemany(self.items_insert, rows)
                self.items += len(rows)
                if o is not None:
                    self.items_owned = self.items_owned or any(r[o] is not None for r in rows)

    def finish(self) -> dict[str, int]:
        """Write the owners, the sorted photo/owner tables and the indexes; the key counts."""
        conn, d = self.conn, self.d
        renumber, owners_written = write_new_owners(conn, d, self.owners)
        try:    # while SQLite writes the owners (without the GIL), sort and group the rows
            photos, owners = self._pairs()
            owners = renumbered(owners, self.owners.first, renumber)
            blocks, owner_count = self._owner_lists(photos, owners)
        finally:
            owners_written()
        if renumber is not None and self.items_owned:
            self._renumber_items(renumber)
        self._insert_pairs(photos, owners)
        conn.executemany(f"INSERT INTO owner_blocks_{d} VALUES (?, ?, ?, ?)", blocks)
        keys = {"photo_id": int(np.count_nonzero(np.diff(photos)) + 1) if len(photos) else 0,
                "owner_id": owner_count}
        if self.items:
            counts = conn.execute(f"SELECT {', '.join(f'count({c})' for c in self.EXTRA)} "
                                  f"FROM items_{d}").fetchone()
            keys.update({c: int(n) for c, n in zip(self.EXTRA, counts)})
            for column in self.EXTRA:
                ddl = items_index_ddl(d, column)
                if keys[column] and ddl:
                    conn.execute(ddl)
        else:
            keys.update(dict.fromkeys(self.EXTRA, 0))
        return keys

    def _insert_pairs(self, photos: np.ndarray, owners: np.ndarray) -> None:
        """Append the sorted pairs, VALUES_ROWS per statement (3x fewer round trips
        through the sqlite3 module than one row per execute)."""
        per = self.VALUES_ROWS
        many = f"INSERT OR IGNORE INTO photos_{self.d} VALUES " + ", ".join(["(?, ?)"] * per)
        full = len(photos) // per * per
        for start in range(0, full, self.INSERT_CHUNK):
            stop = min(start + self.INSERT_CHUNK, full)
            flat = np.empty(2 * (stop - start), dtype=np.int64)
            flat[0::2], flat[1::2] = photos[start:stop], owners[start:stop]
            values = flat.tolist()
            self.conn.executemany(many, (values[i:i + 2 * per]
                                         for i in range(0, len(values), 2 * per)))
        self.conn.executemany(f"INSERT OR IGNORE INTO photos_{self.d} VALUES (?, ?)",
                              zip(photos[full:].tolist(), owners[full:].tolist()))

    def _renumber_items(self, renumber: np.ndarray) -> None:
        conn, d, first = self.conn, self.d, self.owners.first
        conn.execute("CREATE TEMP TABLE renumber (old INTEGER PRIMARY KEY, new INTEGER NOT NULL)")
        conn.executemany("INSERT INTO renumber VALUES (?, ?)",
                         zip(range(first, first + len(renumber)), renumber.tolist()))
        conn.execute(f"UPDATE items_{d} SET owner_id = (SELECT new FROM renumber WHERE old = "
                     f"owner_id) WHERE owner_id >= ?", (first,))
        conn.execute("DROP TABLE temp.renumber")

    def _pairs(self) -> tuple[np.ndarray, np.ndarray]:
        """All (photo, owner) pairs sorted by photo, adjacent repeats dropped."""
        if not self.chunks:
            empty = np.zeros(0, dtype=np.int64)
            return empty, empty
        photos = np.concatenate([c[:, 0] for c in self.chunks])
        owners = np.concatenate([c[:, 1] if c.shape[1] > 1 else np.zeros(len(c), np.int64)
                                 for c in self.chunks])
        self.chunks = []
        order = np.argsort(photos)   # owners of one photo may stay unordered: INSERT OR IGNORE
        photos, owners = photos[order], owners[order]
        keep = np.ones(len(photos), dtype=bool)
        keep[1:] = (photos[1:] != photos[:-1]) | (owners[1:] != owners[:-1])
        return photos[keep], owners[keep]

    @staticmethod
    def _owner_lists(photos: np.ndarray, owners: np.ndarray) -> tuple[list[tuple], int]:
        """The rows of ``owner_blocks_d``, and the number of distinct owners."""
        known = owners != 0
        if not known.any():
            return [], 0
        photos, owners = photos[known], owners[known]
        order = np.argsort(owners, kind="stable")   # photos stay ascending within an owner
        owners = owners[order]
        count = int(np.count_nonzero(owners[1:] != owners[:-1]) + 1)
        return owner_blocks(owners, photos[order]), count


def owner_blocks(owners: np.ndarray, photos: np.ndarray) -> list[tuple[int, bytes, bytes, bytes]]:
    """Rows of ``owner_blocks_d`` from pairs sorted by owner (photos ascending within one).

    Consecutive owners share a row of about :data:`BLOCK_BYTES` (one 4 KiB page; an
    owner with more photos than that gets a longer row): ``(first owner id, owner ids
    as little-endian int32, where each one's photos start in the row and where the last
    ends, int32, the photo IDs, int64)``. When nearly every photo has its own owner this
    writes a few thousand rows instead of millions."""
    group = np.flatnonzero(np.r_[True, owners[1:] != owners[:-1]])   # each owner's first pair
    ids = owners[group]
    if ids[-1] > np.iinfo(np.int32).max:
        raise ImportFormatError("more than 2 billion owners in one dataset: not a real manifest")
    counts = np.diff(np.r_[group, len(owners)])
    cost = 8 * counts + 8                                   # bytes an owner adds to a row
    block = (np.cumsum(cost) - cost) // BLOCK_BYTES
    firsts = np.flatnonzero(np.r_[True, block[1:] != block[:-1]])      # each row's first owner
    bounds = np.r_[group, len(owners)]
    packed, ids32 = photos.astype("<i8"), ids.astype("<i4")
    rows = []
    for a, b in zip(firsts.tolist(), np.r_[firsts[1:], len(group)].tolist()):
        lo, hi = int(bounds[a]), int(bounds[b])
        rows.append((int(ids[a]), ids32[a:b].tobytes(), (bounds[a:b + 1] - lo).astype("<i4")
                     .tobytes(), packed[lo:hi].tobytes()))
    return rows


def block_photos(owner_id: int, owners: bytes, starts: bytes, photos: bytes) -> np.ndarray:
    """The photo IDs of ``owner_id`` in one ``owner_blocks_d`` row (empty if absent)."""
    ids = np.frombuffer(owners, dtype="<i4")
    at = int(np.searchsorted(ids, owner_id))
    if at >= len(ids) or ids[at] != owner_id:
        return np.zeros(0, dtype="<i8")
    bounds = np.frombuffer(starts, dtype="<i4")
    return np.frombuffer(photos, dtype="<i8")[bounds[at]:bounds[at + 1]]
