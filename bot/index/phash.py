"""Finding every 64-bit pHash within a Hamming radius, fast.

Multi-index hashing: the 64 bits are cut into four 16-bit blocks. If two
hashes differ in at most ``r`` bits, at least one block differs in at most
``r // 4`` bits (pigeonhole), so probing each block's table with every 16-bit
value within ``r // 4`` bits of the query's block finds every true match;
candidates are then checked exactly with XOR + popcount. Recall is therefore
100% by construction. For large radii, where the probes would touch a big
share of all rows, it falls back to the brute-force scan (also exact).

Per block the structure keeps a counting-sort permutation (int32) and bucket
offsets; with the hashes and row references that is about 32 bytes per hash,
built lazily from SQLite on the first search.
"""

from __future__ import annotations

import sqlite3
from itertools import combinations

import numpy as np

BLOCKS = 4
BLOCK_BITS = 16
BUCKETS = 1 << BLOCK_BITS
BRUTE_FORCE_SHARE = 0.15   # use the scan when probes would touch more than this share


def _masks(bits: int, radius: int) -> np.ndarray:
    """All ``bits``-bit XOR masks with at most ``radius`` bits set."""
    out = [0]
    for k in range(1, radius + 1):
        for combo in combinations(range(bits), k):
            mask = 0
            for bit in combo:
                mask |= 1 << bit
            out.append(mask)
    return np.array(out, dtype=np.int64)


_MASK_CACHE: dict[int, np.ndarray] = {}


def block_masks(radius: int) -> np.ndarray:
    if radius not in _MASK_CACHE:
        _MASK_CACHE[radius] = _masks(BLOCK_BITS, radius)
    return _MASK_CACHE[radius]


def brute_force(hashes: np.ndarray, query: int, radius: int) -> tuple[np.ndarray, np.ndarray]:
    """Positions and distances of every hash within ``radius`` (the reference scan)."""
    distances = np.bitwise_count(hashes ^ np.uint64(query))
    positions = np.flatnonzero(distances <= radius)
    return positions, distances[positions].astype(np.int64)


class PhashSearch:
    """Exact radius search over an array of unsigned 64-bit hashes."""

    def __init__(self, hashes: np.ndarray, table_no: np.ndarray | None = None,
                 rowids: np.ndarray | None = None,
                 tables: list[tuple[int, str, str]] | None = None) -> None:
        self.hashes = np.ascontiguousarray(hashes, dtype=np.uint64)
        n = len(self.hashes)
        self.table_no = table_no if table_no is not None else np.zeros(n, dtype=np.int16)
        self.rowids = rowids if rowids is not None else np.arange(n, dtype=np.int64)
        self.tables = tables or []
        self.orders: list[np.ndarray] = []
        self.offsets: list[np.ndarray] = []
        index_type = np.int32 if n < 2**31 else np.int64
        for block in range(BLOCKS):
            keys = ((self.hashes >> np.uint64(block * BLOCK_BITS)) & np.uint64(BUCKETS - 1)) \
                .astype(np.uint16)
            order = np.argsort(keys, kind="stable").astype(index_type)
            counts = np.bincount(keys, minlength=BUCKETS)
            offsets = np.zeros(BUCKETS + 1, dtype=np.int64)
            np.cumsum(counts, out=offsets[1:])
            self.orders.append(order)
            self.offsets.append(offsets)

    def __len__(self) -> int:
        return len(self.hashes)

    @classmethod
    def from_tables(cls, conn: sqlite3.Connection,
                    tables: list[tuple[int, str, str, str]]) -> "PhashSearch":
        """Load ``(dataset id, table, slug, select rowid+phash sql)`` into one structure."""
        chunks_h, chunks_t, chunks_r = [], [], []
        for number, (_d, _table, _slug, sql) in enumerate(tables):
            pairs = np.fromiter(conn.execute(sql), dtype=[("r", np.int64), ("h", np.int64)])
            chunks_h.append(pairs["h"].view(np.uint64))
            chunks_r.append(pairs["r"])
            chunks_t.append(np.full(len(pairs), number, dtype=np.int16))
        if chunks_h:
            hashes = np.concatenate(chunks_h)
            rowids = np.concatenate(chunks_r)
            table_no = np.concatenate(chunks_t)
        else:
            hashes = np.zeros(0, dtype=np.uint64)
            rowids = np.zeros(0, dtype=np.int64)
            table_no = np.zeros(0, dtype=np.int16)
        return cls(hashes, table_no, rowids, [(d, t, s) for d, t, s, _sql in tables])

    def positions(self, query: int, radius: int) -> tuple[np.ndarray, np.ndarray]:
        """Positions (into ``hashes``) and distances of all hashes within ``radius``."""
        n = len(self.hashes)
        if n == 0 or radius < 0:
            return np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.int64)
        query &= (1 << 64) - 1
        per_block = radius // BLOCKS
        masks = block_masks(per_block) if per_block <= 4 else None
        if masks is None or BLOCKS * len(masks) * (n / BUCKETS) > BRUTE_FORCE_SHARE * n:
            return brute_force(self.hashes, query, radius)
        q = np.uint64(query)
        found = []
        for block in range(BLOCKS):
            probes = ((query >> (block * BLOCK_BITS)) & (BUCKETS - 1)) ^ masks
            offsets = self.offsets[block]
            starts = offsets[probes]
            lengths = offsets[probes + 1] - starts
            total = int(lengths.sum())
            if total == 0:
                continue
            # concatenate the ranges [start, start + length) without a Python loop
            nonzero = lengths > 0
            starts, lengths = starts[nonzero], lengths[nonzero]
            shift = np.repeat(starts - np.concatenate(([0], np.cumsum(lengths)[:-1])), lengths)
            slots = np.arange(total, dtype=np.int64) + shift
            candidates = self.orders[block][slots]
            distances = np.bitwise_count(self.hashes[candidates] ^ q)
            keep = distances <= radius
            if keep.any():
                found.append(candidates[keep].astype(np.int64))
        if not found:
            return np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.int64)
        hits = np.unique(np.concatenate(found))
        return hits, np.bitwise_count(self.hashes[hits] ^ q).astype(np.int64)

    def find(self, query: int, radius: int) -> list[tuple[int, int, int]]:
        """``(table number, rowid, distance)`` of every hash within ``radius``."""
        positions, distances = self.positions(query, radius)
        return [(int(self.table_no[p]), int(self.rowids[p]), int(dist))
                for p, dist in zip(positions, distances)]
