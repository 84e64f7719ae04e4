"""The run's manifest (manifest.csv, one row per letter) and its ZIP of everything.

Both are deterministic: rows sorted, the ZIP's names sorted, every entry dated the
run date at 00:00 with fixed permissions, PDFs stored (already compressed) and the
rest deflated at a fixed level. A spreadsheet must not run a cell as a formula: any
cell starting with ``=``, ``+``, ``-``, ``@``, a tab or a carriage return gets a
leading apostrophe (OWASP "CSV injection").
"""

from __future__ import annotations

import csv
import io
import os
import zipfile
from datetime import date
from pathlib import Path
from typing import Any, Iterable, Sequence

from ..storage.atomic import TEMP_PREFIX, atomic_write_bytes

MANIFEST = "manifest.csv"
COLUMNS = ("member_id", "company", "kind", "reference", "file", "sha256", "due", "route", "bundle")
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def neutralise(cell: object) -> str:
    text = "" if cell is None else str(cell)
    return "'" + text if text.startswith(FORMULA_STARTS) else text


def manifest_rows(records: Sequence[tuple[str, dict[str, Any]]],
                  bundle_of: dict[tuple[str, str], str]) -> list[list[str]]:
    """(member folder relative to the run folder, member record) -> rows, sorted."""
    rows = []
    for folder, record in records:
        for letter in record.get("letters", []):
            rows.append([record["member_id"], letter["company"], letter["kind"], letter["reference"],
                         f"{folder}/{letter['file']}", letter["sha256"], letter["due"],
                         letter["route"], bundle_of.get((record["member_id"], letter["company"]), "")
                         if letter["route"] != "direct" else ""])
    rows.sort(key=lambda r: (r[0], r[1], r[2], r[3]))
    return rows


def render_manifest(rows: Iterable[Sequence[str]]) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(COLUMNS)
    for row in rows:
        writer.writerow([neutralise(c) for c in row])
    return out.getvalue().encode("utf-8")


def read_manifest(data: bytes) -> list[dict[str, str]]:
    """The rows back, with the apostrophe of a neutralised cell removed."""
    rows = list(csv.DictReader(io.StringIO(data.decode("utf-8"))))
    for row in rows:
        for key, value in row.items():
            if value.startswith("'") and value[1:].startswith(FORMULA_STARTS):
                row[key] = value[1:]
    return rows


def zip_files(root: Path, skip: set[str]) -> list[str]:
    """Every file under ``root`` (relative names, sorted), less temp files, locks and ``skip``."""
    names = []
    for dirpath, dirnames, filenames in os.walk(root):
        dirnames[:] = [d for d in dirnames if not d.startswith((TEMP_PREFIX, ".rightsbot"))]
        for name in filenames:
            if name.startswith((TEMP_PREFIX, ".")):
                continue
            rel = os.path.relpath(os.path.join(dirpath, name), root).replace(os.sep, "/")
            if rel not in skip:
                names.append(rel)
    return sorted(names)


def write_zip(root: Path, target: Path, on: date, skip: set[str]) -> None:
    """A deterministic ZIP of the run folder at ``target`` (written atomically)."""
    stamp = (on.year, on.month, on.day, 0, 0, 0)
    tmp = target.with_name(f"{TEMP_PREFIX}{target.name}")
    try:
        with zipfile.ZipFile(tmp, "w", allowZip64=True) as archive:
            for name in zip_files(root, skip | {target.name}):
                info = zipfile.ZipInfo(name, date_time=stamp)
                info.external_attr = 0o600 << 16
                info.create_system = 3
                if name.endswith(".pdf"):
                    info.compress_type = zipfile.ZIP_STORED
                else:
                    info.compress_type = zipfile.ZIP_DEFLATED
                with open(root / name, "rb") as src, archive.open(info, "w", force_zip64=True) as dst:
                    while chunk := src.read(1 << 20):
                        dst.write(chunk)
        with open(tmp, "rb+") as fh:
            os.fsync(fh.fileno())
        os.replace(tmp, target)
    finally:
        if tmp.exists():
            tmp.unlink()


def write_manifest(path: Path, rows: Iterable[Sequence[str]]) -> bytes:
    data = render_manifest(rows)
    atomic_write_bytes(path, data)
    return data
