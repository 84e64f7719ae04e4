"""File names that are safe on every OS, and files written without half states.

A :class:`Delivery` puts all the files of one letters job (the cover sheet and
every letter's PDF, text, email and CSV) into a folder together: each file is
written and fsynced into a hidden temp folder inside the target folder, and only
once all are there are they moved in with ``os.replace``. A process killed while
writing leaves only that temp folder, which :func:`clean_stale_temps` removes at
the next start; a process killed while moving in leaves a commit list, and the
next start finishes the move. The same delivery made again gets the same names
and replaces its own files, never ``name-2.pdf`` copies.
"""

from __future__ import annotations

import contextlib
import fcntl
import json
import logging
import os
import re
import secrets
import shutil
import stat
import unicodedata
from dataclasses import dataclass
from pathlib import Path
from typing import Callable

from .errors import InputError
from .storage.atomic import FILE_MODE, TEMP_PREFIX, atomic_write_bytes, fsync_dir

log = logging.getLogger(__name__)

MAX_NAME = 120
_RESERVED = {"CON", "PRN", "AUX", "NUL", *(f"COM{i}" for i in range(1, 10)),
             *(f"LPT{i}" for i in range(1, 10))}
_UNSAFE = re.compile(r"[^A-Za-z0-9._-]+")


def safe_filename(name: str, *, default: str = "file") -> str:
    """``name`` reduced to ASCII letters, digits, ``. _ -``: no separators, no
    control characters, no leading dots, no Windows reserved names, at most
    :data:`MAX_NAME` characters, the extension kept."""
    folded = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode("ascii")
    folded = folded.replace("/", "_").replace("\\", "_")
    stem, dot, ext = folded.rpartition(".")
    if not (dot and re.fullmatch(r"[A-Za-z0-9]{1,10}", ext)):
        stem, ext = folded, ""
    stem = _UNSAFE.sub("_", stem).strip("._ ") or default
    if stem.split(".")[0].upper() in _RESERVED:
        stem = f"_{stem}"
    suffix = f".{ext}" if ext else ""
    return (stem[:MAX_NAME - len(suffix)].rstrip("._ ") or default) + suffix


def unique_path(path: Path) -> Path:
    """``path``, or ``name-2.ext``, ``name-3.ext``... if it already exists."""
    if not path.exists():
        return path
    for n in range(2, 10_000):
        candidate = path.with_name(f"{path.stem}-{n}{path.suffix}")
        if not candidate.exists():
            return candidate
    raise FileExistsError(path)


def write_atomic(path: Path, data: bytes) -> None:
    """Write ``data`` to ``path`` so that no reader ever sees half of it."""
    atomic_write_bytes(path, data)


# ---- deliveries ------------------------------------------------------------------------

DELIVERY_PREFIX = ".rightsbot-delivery-"
_DELIVERY_DIR = re.compile(re.escape(DELIVERY_PREFIX) + r"[0-9a-f]{16}")
_COMMIT = ".commit"        # the moves to finish, in the temp folder (never a safe_filename)
_OLD_TEMP = re.compile(re.escape(TEMP_PREFIX) + r".+-[0-9a-f]{8}")   # atomic_write_bytes' temps
# names that come from one letters job only: they carry the letter reference (a hash of the
# person, company, kind and date) or the cover sheet's hash of the person, date and references
_JOB_NAME = re.compile(r"(?:[A-Za-z0-9._-]*RB-\d{8}-[A-Z2-7]{16}(?:-photos)?\.(?:pdf|txt|eml|csv)"
                       r"|cover-sheet-\d{8}-[0-9a-f]{10}\.(?:pdf|txt))")


def same_letters_job(name: str) -> bool:
    """True when ``name`` can only have been written by the letters job that makes it again
    (so an existing file of that name is replaced, not kept beside a ``-2`` copy)."""
    return _JOB_NAME.fullmatch(name) is not None


class Delivery:
    """The files of one letters job, moved into ``folder`` together once all are written.

    ``add`` writes each file (fsynced, mode 0600) into a hidden temp folder inside
    ``folder``; ``commit`` moves them all in and removes the temp folder; ``discard``
    (or leaving the ``with`` block without a commit) removes it with everything in it.
    An existing file of the same name is replaced when ``replaces(name)`` says it is
    this delivery's own (default: :func:`same_letters_job`) and it is a regular file;
    otherwise it is kept and the new file gets the next free ``name-2.ext``.
    The temp folder is locked (``flock``) while in use, so the clean-up of another
    process never removes a delivery still being written."""

    def __init__(self, folder: Path, *, replaces: Callable[[str], bool] = same_letters_job) -> None:
        self.folder = Path(folder)
        self.replaces = replaces
        self.folder.mkdir(parents=True, exist_ok=True)
        self.temp = self.folder / f"{DELIVERY_PREFIX}{secrets.token_hex(8)}"
        self.temp.mkdir(mode=0o700)
        try:
            self._fd: int | None = os.open(self.temp, os.O_RDONLY | os.O_DIRECTORY)
            fcntl.flock(self._fd, fcntl.LOCK_EX)
        except BaseException:
            shutil.rmtree(self.temp, ignore_errors=True)
            raise
        self._names: list[str] = []

    def __enter__(self) -> "Delivery":
        return self

    def __exit__(self, *exc: object) -> None:
        self.discard()

    @property
    def names(self) -> list[str]:
        """The names of the files added so far, in order (unique within the delivery)."""
        return list(self._names)

    def add(self, name: str, data: bytes) -> str:
        """Write one file of the delivery; returns its (OS-safe, unique) name."""
        name = _free_name(safe_filename(name), lambda n: n in self._names)
        fd = os.open(self.temp / name, os.O_WRONLY | os.O_CREAT | os.O_EXCL, FILE_MODE)
        try:
            view = memoryview(data)
            while view:
                view = view[os.write(fd, view):]
            os.fsync(fd)
        finally:
            os.close(fd)
        self._names.append(name)
        return name

    def commit(self) -> list[Path]:
        """Move every file into the folder; their final paths, in the order added."""
        if self._fd is None:
            raise RuntimeError("this delivery is already finished")
        taken: set[str] = set()
        moves = []
        for name in self._names:
            final = name
            target = self.folder / name
            if os.path.lexists(target) and not (_is_file(target) and self.replaces(name)):
                final = _free_name(name, lambda n: n in taken or os.path.lexists(self.folder / n))
            taken.add(final)
            moves.append((name, final))
        marker = self.temp / _COMMIT
        with open(marker, "wb") as fh:
            fh.write(json.dumps(moves).encode("utf-8"))
            fh.flush()
            os.fsync(fh.fileno())
        fsync_dir(self.temp)
        _move_in(self.temp, self.folder, moves)
        self._finish()
        return [self.folder / final for _, final in moves]

    def discard(self) -> None:
        """Remove the temp folder and everything in it (nothing is moved in)."""
        if self._fd is not None:
            shutil.rmtree(self.temp, ignore_errors=True)
            with contextlib.suppress(OSError):
                fsync_dir(self.folder)
            self._release()

    def _finish(self) -> None:
        shutil.rmtree(self.temp, ignore_errors=True)
        fsync_dir(self.folder)
        self._release()

    def _release(self) -> None:
        if self._fd is not None:
            os.close(self._fd)       # drops the flock
            self._fd = None


@dataclass(frozen=True)
class Leftovers:
    """What :func:`clean_stale_temps` did."""
    finished: int = 0     # deliveries cut short while moving in, now complete
    removed: int = 0      # unfinished temp folders and temp files removed


def clean_stale_temps(folder: Path) -> Leftovers:
    """Clear what a killed write left in ``folder``: finish deliveries that were being moved
    in, remove unfinished ones and ``.tmp-`` files of the atomic writer. Only rightsbot's own
    temp names are touched, and never a delivery another live process is still writing."""
    finished = removed = 0
    try:
        entries = list(os.scandir(folder))
    except OSError:              # no folder yet, or unreadable: writing will say so
        return Leftovers()
    for entry in entries:
        try:
            if _DELIVERY_DIR.fullmatch(entry.name) and entry.is_dir(follow_symlinks=False):
                outcome = _recover(Path(entry.path), Path(folder))
                finished += outcome == "finished"
                removed += outcome == "removed"
            elif _OLD_TEMP.fullmatch(entry.name) and entry.is_file(follow_symlinks=False):
                os.unlink(entry.path)
                removed += 1
        except OSError as exc:
            log.warning("could not clear a temp entry in the letters folder: %s",
                        exc.strerror or type(exc).__name__)
    if finished or removed:
        with contextlib.suppress(OSError):
            fsync_dir(Path(folder))
        log.info("letters folder: %d interrupted delivery(ies) finished, %d temp(s) removed",
                 finished, removed)
    return Leftovers(finished, removed)


def _recover(temp: Path, folder: Path) -> str:
    try:
        fd = os.open(temp, os.O_RDONLY | os.O_DIRECTORY)
    except OSError:
        return ""
    try:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            return ""                    # a live process is writing it
        moves = _read_commit(temp / _COMMIT)
        if moves is not None:
            _move_in(temp, folder, moves)
        shutil.rmtree(temp)
        return "finished" if moves is not None else "removed"
    finally:
        os.close(fd)


def _read_commit(path: Path) -> list[tuple[str, str]] | None:
    """The moves a committing delivery wrote down; None when it had not got that far."""
    try:
        moves = json.loads(path.read_bytes().decode("utf-8"))
    except (FileNotFoundError, UnicodeDecodeError, json.JSONDecodeError):
        return None
    if not isinstance(moves, list) or not all(
            isinstance(m, list) and len(m) == 2 and all(
                isinstance(n, str) and n and safe_filename(n) == n for n in m) for m in moves):
        return None
    return [(source, final) for source, final in moves]


def _move_in(temp: Path, folder: Path, moves: list[tuple[str, str]]) -> None:
    for name, final in moves:
        source = temp / name
        if os.path.lexists(source):      # a restart finishing the move: some are in already
            os.replace(source, folder / final)


def _free_name(name: str, taken: Callable[[str], bool]) -> str:
    if not taken(name):
        return name
    path = Path(name)
    for n in range(2, 10_000):
        candidate = f"{path.stem}-{n}{path.suffix}"
        if not taken(candidate):
            return candidate
    raise FileExistsError(name)


def _is_file(path: Path) -> bool:
    try:
        return stat.S_ISREG(os.lstat(path).st_mode)
    except OSError:
        return False


# ---- reading -------------------------------------------------------------------------------

def read_file_capped(path: Path, cap: int, *, what: str = "file", label: str | None = None) -> bytes:
    """The bytes of the regular file ``path``, refusing anything over ``cap`` bytes.

    Named pipes, devices and sockets are refused before they are opened (reading
    one could block forever or never end), folders and missing files get a plain
    :class:`InputError` that starts with ``label`` (default: the path), and a file
    over ``cap`` is named with its real size."""
    label = str(path) if label is None else label
    try:
        info = os.stat(path)
    except FileNotFoundError:
        raise InputError(f"{label}: no such file") from None
    except OSError as exc:
        raise InputError(f"{label}: cannot be read ({exc.strerror or exc})") from None
    if stat.S_ISDIR(info.st_mode):
        raise InputError(f"{label}: is a folder, not a {what}")
    if not stat.S_ISREG(info.st_mode):
        raise InputError(f"{label}: is not a regular file (a pipe or a device?), not a {what}")
    if info.st_size > cap:
        raise InputError(f"{label}: is {_megabytes(info.st_size)}; a {what} can be at most "
                         f"{_megabytes(cap)}")
    try:
        with open(path, "rb") as fh:
            data = fh.read(cap + 1)
    except OSError as exc:
        raise InputError(f"{label}: cannot be read ({exc.strerror or exc})") from None
    if len(data) > cap:   # it grew while being read
        raise InputError(f"{label}: is more than {_megabytes(cap)}; a {what} can be at most that")
    return data


def _megabytes(n: int) -> str:
    return f"{n / (1024 * 1024):.1f} MB"
