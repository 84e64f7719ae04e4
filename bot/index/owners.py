"""Owner ids for a bulk load, and the owners table written in one ordered pass.

A parser turns each row's owner field into a small integer id with
``ctx.owners[raw]`` (see :class:`~bot.index.parsing.OwnerIds`). When nearly every
photo has its own account (the worst case: 2M rows, 2M owners) that lookup, the
owners table and its name index dominate an import, so here:

* :class:`OwnerMint` mints an id for an owner field already in canonical form (an
  NSID like ``12345678@N00`` or a lower-case alias, as bytes) with one regular
  expression and no decoding; anything else takes the validating path of
  :func:`~bot.index.keys.normalise_owner` and is keyed by its canonical name, so
  ``1@n00`` and ``1@N00`` share an id;
* :func:`write_new_owners` sorts the new names once (numpy, as big-endian words),
  renumbers the new ids in name order and inserts them in that order, so both
  b-trees of ``owners_d`` (ids and the unique names) are only ever appended to;
  the caller renumbers its rows with the returned mapping meanwhile. (Writing them
  from a second thread while parsing, unsorted, cost 40% more CPU in all, and was
  slower whenever the machine was busy.)
"""

from __future__ import annotations

import operator
import re
import sqlite3
import threading
from itertools import compress, repeat
from typing import Callable

import numpy as np

from .keys import normalise_owner
from .parsing import OwnerIds

# what normalise_owner() returns, byte for byte: an NSID with upper-case N, or an alias
# in lower case (aliases cannot hold '@', so the two never overlap)
_CANONICAL = re.compile(rb"[0-9]{1,20}@N[0-9]{2}|[a-z0-9_.\-]{1,64}")


class OwnerMint(OwnerIds):
    """Raw owner field -> id; new names are kept in ``names`` (id ``first + i``)."""

    def __init__(self, existing: dict[str, int] | None = None) -> None:
        dict.__init__(self)
        self.by_name = {}
        existing = existing or {}
        self.first = max(existing.values(), default=0) + 1
        self.next_id = self.first
        self.names: list[bytes] = []
        for name, owner_id in existing.items():
            dict.__setitem__(self, name.encode(), owner_id)

    def __missing__(self, raw: bytes | str,
                    _canonical=_CANONICAL.fullmatch) -> int | None:  # noqa: ANN001
        if raw.__class__ is bytes and _canonical(raw):
            owner_id = self.next_id
            self.next_id = owner_id + 1
            self[raw] = owner_id
            self.names.append(raw)     # type: ignore[arg-type]
            return owner_id
        return self._validated(raw)

    def _validated(self, raw: bytes | str) -> int | None:
        if isinstance(raw, bytes):
            try:
                text = raw.decode("ascii")
            except UnicodeDecodeError:
                return None
        else:
            text = raw
        name = normalise_owner(text)
        if name is None:
            return None     # not remembered: hostile input cannot grow the map
        key = name.encode("ascii")
        owner_id = dict.get(self, key)
        if owner_id is None:
            owner_id = self.next_id
            self.next_id += 1
            self[key] = owner_id
            self.names.append(key)
        self[raw] = owner_id
        return owner_id

    def mint_many(self, names: list[bytes], *, remember: bool = True) -> np.ndarray:
        """Ids of ``names``, distinct canonical names (another OwnerMint's ``names``),
        minting the new ones in order; the lookups and inserts run in C. With
        ``remember=False`` the new names are not looked up again (the last names of a
        load), so they are listed in ``names`` but not put in the map."""
        known = list(map(self.get, names))
        if None in known:
            fresh = list(compress(names, map(operator.is_, known, repeat(None))))
            first = self.next_id
            self.next_id += len(fresh)
            if remember:
                self.update(zip(fresh, range(first, self.next_id)))
            self.names += fresh
            minted = iter(range(first, self.next_id))
            known = [next(minted) if k is None else k for k in known]
        return np.array(known, dtype=np.int64)


def name_order(names: list[bytes]) -> tuple[np.ndarray, np.ndarray]:
    """Indices that sort ``names`` as SQLite's BINARY collation does (memcmp, shorter
    first), from a lexsort of the zero-padded names read as big-endian 64-bit words
    (several times faster than sorting the strings themselves); and the names as a
    fixed-width bytes array."""
    width = -(-max(map(len, names)) // 8) * 8
    padded = np.array(names, dtype=f"S{width}")
    words = padded.view(">u8").reshape(len(names), width // 8)
    return np.lexsort(words.T[::-1]), padded


def write_new_owners(conn: sqlite3.Connection, d: int,
                     mint: OwnerMint) -> tuple[np.ndarray | None, Callable[[], None]]:
    """Insert the names minted during the load into ``owners_d``, in name order.

    Returns ``(renumber, wait)``: the id an owner minted as ``mint.first + i`` now has is
    ``renumber[i]`` (None when nothing was minted); the insert runs in a thread (SQLite
    works without the GIL), and ``wait()`` waits for it and raises what it raised. Call
    it before using ``conn`` again. The names go in as one JSON array read by
    ``json_each`` in a single statement (they are NSIDs or aliases: no quote or
    backslash can occur), which costs half of binding them row by row."""
    names = mint.names
    if not names:
        return None, lambda: None
    order, padded = name_order(names)
    renumber = np.empty(len(names), dtype=np.int64)
    renumber[order] = np.arange(mint.first, mint.first + len(names), dtype=np.int64)
    # tolist() of a bytes array drops the padding NULs: the names as they were
    array = (b'["' + b'","'.join(padded[order].tolist()) + b'"]').decode("ascii")
    failed: list[BaseException] = []

    def insert() -> None:
        try:
            conn.execute(f"INSERT INTO owners_{d} (id, name) SELECT ?1 + key, value "
                         "FROM json_each(?2)", (mint.first, array))
        except BaseException as exc:  # noqa: BLE001 - raised again by wait()
            failed.append(exc)

    thread = threading.Thread(target=insert, name=f"owners-{d}")
    thread.start()

    def wait() -> None:
        thread.join()
        if failed:
            raise failed[0]

    return renumber, wait


def renumbered(owner_ids: np.ndarray, first: int, renumber: np.ndarray | None) -> np.ndarray:
    """``owner_ids`` with each id minted in this load replaced by its name-order id."""
    if renumber is None or not len(owner_ids):
        return owner_ids
    minted = owner_ids >= first
    out = owner_ids.copy()
    out[minted] = renumber[owner_ids[minted] - first]
    return out
