"""Crash-safe files: write a temp file beside the target, fsync, ``os.replace``.

:class:`AtomicJSONStorage` is a TinyDB storage built on that: after a crash
(even ``kill -9`` in the middle of a write) the file holds either the old or
the new JSON document, never a mix. TinyDB's default ``JSONStorage`` instead
seeks, writes and truncates in place, which can leave half a document behind.
"""

from __future__ import annotations

import json
import os
import secrets
from pathlib import Path
from typing import Any, Iterable

from tinydb.storages import Storage

from ..errors import StorageError

TEMP_PREFIX = ".tmp-"
FILE_MODE = 0o600


class CorruptFile(StorageError):
    """A storage file exists but does not hold a valid JSON document."""


def fsync_dir(folder: Path) -> None:
    """Make a rename or unlink inside ``folder`` durable."""
    fd = os.open(folder, os.O_RDONLY | os.O_DIRECTORY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def temp_name(path: Path) -> Path:
    """A fresh temp file name beside ``path``; :data:`TEMP_PREFIX` + name + random suffix."""
    return path.with_name(f"{TEMP_PREFIX}{path.name}-{secrets.token_hex(4)}")


def atomic_write_bytes(path: Path, data: bytes) -> None:
    """Replace ``path`` with ``data`` so that readers see the old or the new bytes, never a mix."""
    atomic_write_chunks(path, (data,))


def atomic_write_chunks(path: Path, chunks: Iterable[bytes]) -> None:
    """:func:`atomic_write_bytes` from pieces, so a large file needs no buffer of its size."""
    tmp = temp_name(path)
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, FILE_MODE)
    try:
        with os.fdopen(fd, "wb") as fh:
            for chunk in chunks:
                fh.write(chunk)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, path)
    except BaseException:
        try:
            os.unlink(tmp)
        except FileNotFoundError:
            pass
        raise
    fsync_dir(path.parent)


def read_json_file(path: Path) -> dict[str, Any] | None:
    """The JSON object in ``path``; None when the file does not exist.

    Raises :class:`CorruptFile` when the file is not a JSON object."""
    try:
        raw = path.read_bytes()
    except FileNotFoundError:
        return None
    except OSError as exc:
        raise StorageError(f"cannot read the storage file {path.name} ({exc.strerror})") from None
    try:
        data = json.loads(raw.decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError):
        raise CorruptFile(f"the storage file {path.name} is not valid JSON") from None
    if not isinstance(data, dict):
        raise CorruptFile(f"the storage file {path.name} does not hold a JSON object")
    return data


def dump_json(data: Any) -> bytes:
    """Compact, strict JSON (no NaN, no non-string keys slipping through)."""
    return json.dumps(data, ensure_ascii=False, allow_nan=False,
                      separators=(",", ":")).encode("utf-8")


class AtomicJSONStorage(Storage):
    """A TinyDB storage that reads once and writes atomically.

    ``deferred=True`` keeps writes in memory until :meth:`flush` (one file write
    for several TinyDB operations: the store's per-update batching)."""

    def __init__(self, path: str | Path, *, deferred: bool = False) -> None:
        self.path = Path(path)
        self.deferred = deferred
        self._data: dict[str, Any] | None = None
        self._loaded = False
        self.dirty = False

    def read(self) -> dict[str, Any] | None:
        if not self._loaded:
            self._data = read_json_file(self.path)
            self._loaded = True
        return self._data

    def write(self, data: dict[str, Any]) -> None:
        self._data = data
        self._loaded = True
        self.dirty = True
        if not self.deferred:
            self.flush()

    def flush(self) -> None:
        if self.dirty and self._data is not None:
            atomic_write_bytes(self.path, dump_json(self._data))
        self.dirty = False
