"""File names that are safe on every OS, and files written without half states."""

from __future__ import annotations

import os
import re
import stat
import unicodedata
from pathlib import Path

from .errors import InputError
from .storage.atomic import atomic_write_bytes

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
