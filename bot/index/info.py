"""What the index holds per dataset: :class:`DatasetInfo`, read from the ``datasets`` table."""

from __future__ import annotations

import json
import sqlite3
from dataclasses import dataclass, field


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


def read_infos(conn: sqlite3.Connection) -> tuple[list[DatasetInfo], set[str]]:
    """Every dataset's info, and the names of the tables in the file."""
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
    return infos, tables
