"""Writing finished letters and the cover sheet to a folder: OS-safe names, one delivery.

The letters job (:mod:`bot.letters.pipeline`) returns bytes and writes nothing;
the CLI and the terminal chat call these to put them on disk. All the files of one
call go in together (:class:`bot.files.Delivery`): written into a hidden temp folder,
then moved in, so a crash leaves either none of them or, after the next start's
clean-up (:func:`bot.files.clean_stale_temps`), all of them.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Sequence

from ..errors import InputError
from ..files import Delivery

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


def write_delivery(letters: Sequence["ProducedLetter"], cover: "CoverSheet | None",
                   folder: Path) -> tuple[list[WrittenLetter], Path | None]:
    """Write the cover sheet (PDF and ``.txt``) and each letter's PDF, text, .eml (and CSV)
    into ``folder`` as one delivery; returns the letters written and the cover's PDF.

    Names are ``<company>-<kind>-<reference>.<ext>``, safe on every OS; the same letter
    always gets the same name, so a re-run replaces its own files (no ``-2`` copies)."""
    files: list[tuple[str, bytes]] = []
    if cover is not None:
        files += [(cover.name, cover.pdf),
                  (str(Path(cover.name).with_suffix(".txt")), cover.text().encode("utf-8"))]
    for letter in letters:
        files += letter.files()
    paths = _deliver(files, folder)
    cover_pdf = paths[0] if cover is not None else None
    written, at = [], 2 if cover is not None else 0
    for letter in letters:
        named = dict(zip([name for name, _ in letter.files()], paths[at:]))
        at += len(named)
        written.append(WrittenLetter(
            letter, named[letter.pdf_name], named[letter.txt_name], named[letter.eml_name],
            named.get(letter.csv_name) if letter.csv_name else None))
    return written, cover_pdf


def write_cover(cover: "CoverSheet", folder: Path) -> Path:
    """Write the cover sheet's PDF and its text (same name, ``.txt``) into ``folder``."""
    _, pdf = write_delivery((), cover, folder)
    assert pdf is not None
    return pdf


def write_letters(letters: Sequence["ProducedLetter"], folder: Path) -> list[WrittenLetter]:
    """Write each letter's PDF, text, .eml (and CSV) into ``folder``, as one delivery."""
    return write_delivery(letters, None, folder)[0]


def _deliver(files: list[tuple[str, bytes]], folder: Path) -> list[Path]:
    try:
        folder.mkdir(parents=True, exist_ok=True)
        delivery = Delivery(folder)
    except OSError as exc:
        raise InputError(f"cannot create the output folder {folder}: {exc.strerror}") from None
    with delivery:
        for name, data in files:
            try:
                delivery.add(name, data)
            except OSError as exc:
                raise InputError(f"cannot write {folder / name}: {exc.strerror}") from None
        try:
            return delivery.commit()
        except OSError as exc:
            raise InputError(f"cannot move the letters into {folder}: {exc.strerror}") from None
