"""The index's SQLite schema.

One file. Global tables ``meta`` and ``datasets``; per dataset (small integer
id ``d``) a few tables, so that replacing a dataset never touches another's rows:

``owners_d``        id -> owner name (NSID or alias); rows refer to owners by id
                    (1-3 bytes instead of a 12-byte NSID per row)
``photos_d``        the Flickr photo IDs (INTEGER) with their owner id (0 = unknown),
                    a WITHOUT ROWID table clustered on ``(photo_id, owner_id)``:
                    a lookup is one b-tree seek, and no separate index exists.
                    Bulk-loaded in sorted order, each pair once.
``owner_blocks_d``  each owner's photo IDs, for an account check: consecutive owner
                    ids share a row of about one page (``first_owner`` -> packed
                    little-endian BLOBs: the owner ids and where each one's photos start,
                    int32, and the photo IDs, int64), so an account check reads one row,
                    and a dataset where nearly every photo has its own owner writes
                    thousands of rows, not millions. Files written before it have
                    ``owner_photos_d`` (owner id -> packed photo IDs) instead; both are read.
``items_d``         rows with the other keys: ``url`` (only non-Flickr URLs: a Flickr
                    photo is identified by its ID), ``sha256``/``md5`` BLOBs, ``phash``
                    (signed 64-bit INTEGER), plus photo/owner for the exhibit. Partial
                    indexes are created after the bulk insert, only for keys present.
``images_d``        file and perceptual hashes made by ``index hash-images`` from the
                    dataset's own image files; survives re-imports of the manifest.
                    ``path_key`` is a 64-bit hash of the relative path, ``stamp`` a hash
                    of size and mtime, for resuming; each image's identity (photo ID,
                    owner, URL) from its path, a map or FFHQ's metadata, and only where
                    it has none, its relative ``path`` (so a match can name the file).
                    ``url`` and ``path`` were added later: older files lack them until
                    the next ``hash-images`` run adds them (:func:`upgrade_images`).

Nothing about faces (boxes, landmarks, names) is stored.
"""

from __future__ import annotations

import sqlite3

SCHEMA_NAME = "rightsbot-index"
SCHEMA_VERSION = "1"

GLOBAL_DDL = (
    "CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL) WITHOUT ROWID",
    """CREATE TABLE IF NOT EXISTS datasets (
        id INTEGER PRIMARY KEY,
        slug TEXT NOT NULL UNIQUE,
        format TEXT NOT NULL DEFAULT '',
        sources TEXT NOT NULL DEFAULT '[]',
        imported_at TEXT NOT NULL DEFAULT '',
        rows INTEGER NOT NULL DEFAULT 0,
        bad_rows INTEGER NOT NULL DEFAULT 0,
        no_key_rows INTEGER NOT NULL DEFAULT 0,
        keys TEXT NOT NULL DEFAULT '{}',
        images INTEGER NOT NULL DEFAULT 0,
        images_updated_at TEXT NOT NULL DEFAULT '',
        note TEXT NOT NULL DEFAULT '')""",
)

KEY_COLUMNS = ("photo_id", "owner_id", "url", "sha256", "md5", "phash")


def owners_ddl(d: int) -> str:
    return f"CREATE TABLE owners_{d} (id INTEGER PRIMARY KEY, name TEXT NOT NULL UNIQUE)"


def photos_ddl(d: int) -> tuple[str, str]:
    return (f"CREATE TABLE photos_{d} (photo_id INTEGER NOT NULL, owner_id INTEGER NOT NULL, "
            f"PRIMARY KEY (photo_id, owner_id)) WITHOUT ROWID",
            f"CREATE TABLE owner_blocks_{d} (first_owner INTEGER PRIMARY KEY, "
            f"owners BLOB NOT NULL, starts BLOB NOT NULL, photo_ids BLOB NOT NULL)")


# replaced by a re-import (owner_photos: the per-owner table of older files)
MANIFEST_TABLES = ("items", "photos", "owner_photos", "owner_blocks")


def items_ddl(d: int) -> str:
    return (f"CREATE TABLE items_{d} (photo_id INTEGER, owner_id INTEGER, url TEXT, "
            f"sha256 BLOB, md5 BLOB, phash INTEGER)")


def items_index_ddl(d: int, key: str) -> str | None:
    """The index that answers lookups by ``key`` in ``items_d`` (photo IDs and owners are
    looked up in ``photos_d``/``owner_blocks_d``; pHashes are searched in memory)."""
    if key not in ("url", "sha256", "md5"):
        return None
    return f"CREATE INDEX items_{d}_{key} ON items_{d}({key}) WHERE {key} IS NOT NULL"


def images_ddl(d: int) -> tuple[str, ...]:
    return (
        f"CREATE TABLE IF NOT EXISTS images_{d} (path_key INTEGER PRIMARY KEY, "
        f"stamp INTEGER NOT NULL, photo_id INTEGER, owner_id INTEGER, "
        f"sha256 BLOB NOT NULL, md5 BLOB NOT NULL, phash INTEGER NOT NULL, url TEXT, path TEXT)",
        f"CREATE INDEX IF NOT EXISTS images_{d}_photo_id ON images_{d}(photo_id) "
        f"WHERE photo_id IS NOT NULL",
        f"CREATE INDEX IF NOT EXISTS images_{d}_owner_id ON images_{d}(owner_id, photo_id) "
        f"WHERE owner_id IS NOT NULL",
        f"CREATE INDEX IF NOT EXISTS images_{d}_sha256 ON images_{d}(sha256)",
        f"CREATE INDEX IF NOT EXISTS images_{d}_md5 ON images_{d}(md5)",
    )


IMAGE_IDENTITY_COLUMNS = ("url", "path")


def image_columns(conn: sqlite3.Connection, d: int) -> set[str]:
    return {r[0] for r in conn.execute("SELECT name FROM pragma_table_info(?)", (f"images_{d}",))}


def upgrade_images(conn: sqlite3.Connection, d: int) -> None:
    """Add the identity columns to an ``images_d`` written before they existed."""
    have = image_columns(conn, d)
    for column in IMAGE_IDENTITY_COLUMNS:
        if column not in have:
            conn.execute(f"ALTER TABLE images_{d} ADD COLUMN {column} TEXT")


def create_global(conn: sqlite3.Connection) -> None:
    for ddl in GLOBAL_DDL:
        conn.execute(ddl)
    conn.execute("INSERT OR REPLACE INTO meta VALUES ('schema', ?)", (SCHEMA_NAME,))
    conn.execute("INSERT OR REPLACE INTO meta VALUES ('version', ?)", (SCHEMA_VERSION,))


def dataset_tables(conn: sqlite3.Connection, d: int) -> list[str]:
    """Names of the tables that belong to dataset ``d``."""
    names = [f"{t}_{d}" for t in ("owners", "images") + MANIFEST_TABLES]
    rows = conn.execute("SELECT name FROM sqlite_master WHERE type = 'table' AND name IN "
                        f"({', '.join('?' * len(names))})", names).fetchall()
    return [r[0] for r in rows]
