"""One writer per storage folder: an exclusive ``flock`` on ``<folder>/.lock``.

A second ``rightsbot serve`` (or any second :class:`~bot.storage.Store`) on the
same folder fails at once with a :class:`~bot.errors.StorageError` instead of
corrupting the files. The kernel drops the lock when the process dies, so a
crash never leaves a stale lock behind.
"""

from __future__ import annotations

import fcntl
import os
from pathlib import Path

from ..errors import StorageError

LOCK_NAME = ".lock"


class FolderLock:
    def __init__(self, folder: Path) -> None:
        self.path = folder / LOCK_NAME
        self._fd: int | None = None

    def acquire(self) -> None:
        fd = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o600)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            holder = _read_holder(fd)
            os.close(fd)
            raise StorageError(
                f"the storage folder {self.path.parent} is in use by another rightsbot process"
                f"{f' (pid {holder})' if holder else ''}; stop it first, or give this one "
                "its own [storage] path") from None
        except OSError as exc:
            os.close(fd)
            raise StorageError(f"cannot lock the storage folder {self.path.parent} "
                               f"({exc.strerror})") from None
        os.ftruncate(fd, 0)
        os.pwrite(fd, f"{os.getpid()}\n".encode(), 0)
        self._fd = fd

    def release(self) -> None:
        if self._fd is not None:
            fcntl.flock(self._fd, fcntl.LOCK_UN)
            os.close(self._fd)
            self._fd = None

    @property
    def held(self) -> bool:
        return self._fd is not None


def _read_holder(fd: int) -> str:
    try:
        return os.pread(fd, 32, 0).decode("ascii", "replace").strip()
    except OSError:
        return ""
