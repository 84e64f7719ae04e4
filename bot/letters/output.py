"""Writing finished letters and the cover sheet to a folder: OS-safe names, atomic writes.

The letters job (:mod:`bot.letters.pipeline`) returns bytes and writes nothing;
the CLI and the terminal chat call these to put them on disk.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Sequence

from ..errors import InputError
from ..files import safe_filename, write_atomic

if TYPE_CHECKING:  # pragma: no cover
    from .cover import CoverSheet
    from .pipeline import ProducedLetter


@dataclass(frozen=True)
class WrittenLetter:
    letter: "ProducedLetter"
    pdf: Path
    txt: Path
    eml: Path
    csv: Path | None


def write_cover(cover: "CoverSheet", folder: Path) -> Path:
    """Write the cover sheet's PDF and its text (same name, ``.txt``) into ``folder``."""
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise InputError(f"cannot create the output folder {folder}: {exc.strerror}") from None
    pdf = folder / safe_filename(cover.name)
    for path, data in ((pdf, cover.pdf), (pdf.with_suffix(".txt"), cover.text().encode("utf-8"))):
        try:
            write_atomic(path, data)
        except OSError as exc:
            raise InputError(f"cannot write {path}: {exc.strerror}") from None
    return pdf


def write_letters(letters: Sequence["ProducedLetter"], folder: Path) -> list[WrittenLetter]:
    """Write each letter's PDF, text, .eml (and CSV) into ``folder``, atomically.

    Names are ``<company>-<kind>-<reference>.<ext>``, safe on every OS; the same
    letter always gets the same name, so a re-run replaces identical files."""
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise InputError(f"cannot create the output folder {folder}: {exc.strerror}") from None
    written = []
    for letter in letters:
        paths = {}
        for name, data in letter.files():
            path = folder / name
            try:
                write_atomic(path, data)
            except OSError as exc:
                raise InputError(f"cannot write {path}: {exc.strerror}") from None
            paths[name] = path
        written.append(WrittenLetter(
            letter, paths[letter.pdf_name], paths[letter.txt_name], paths[letter.eml_name],
            paths.get(letter.csv_name) if letter.csv_name else None))
    return written


