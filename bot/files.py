"""File names that are safe on every OS, and files written without half states."""

from __future__ import annotations

import re
import unicodedata
from pathlib import Path

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
