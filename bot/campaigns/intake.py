"""Member intake by CSV: ``rightsbot campaign import CAMPAIGN.toml members.csv``.

The file is read twice, streaming, so its size never decides the memory used:
first its bytes (encoding, NUL bytes), then its records. Columns and rules are in
docs/campaigns.md. In short:

- Encoding: strict UTF-8 (with or without BOM); otherwise Windows-1252 when its
  bytes 0x80-0x9F are all Windows-1252 letters, else Latin-1. UTF-16/32 (a BOM,
  or NUL bytes) and binary files are refused.
- Header: case-insensitive, any order, ' ' and '-' read as '_'; unknown or
  repeated columns are an error naming them; :data:`REQUIRED_COLUMNS` must be there.
- Problems of the whole file (encoding, header, a record over the caps, more
  than :data:`MAX_ROWS` records) raise :class:`CsvFileError` with a line number
  (0: the file as a whole) and nothing is imported. A bad row is rejected with
  its line number (the physical line where its record starts) and the others
  are imported.
- Duplicates are merged by member id or email (compared without case); the
  later row wins and is reported as corrected, naming the earlier line. A row
  whose email belongs to a member who joined by Telegram is rejected (they keep
  their own record).
- A re-run imports nothing twice: unchanged members count as "unchanged".
"""

from __future__ import annotations

import codecs
import csv
import logging
import re
import stat
from dataclasses import dataclass, field, replace
from datetime import date
from pathlib import Path
from typing import Any, Iterator

from ..errors import InputError
from .definition import Campaign
from .members import Member, Roster, make_member

log = logging.getLogger(__name__)

COLUMNS = ("member_id", "name", "address", "email", "residence", "uploaded_from", "shown",
           "flickr", "urls", "authorization")
REQUIRED_COLUMNS = ("member_id", "name", "address", "residence", "authorization")
MAX_CSV_BYTES = 256 * 1024 * 1024
MAX_ROWS = 250_000
MAX_LINE_CHARS = 1_000_000
MAX_CELL_CHARS = 20_000
FIELD_LIMIT = csv.field_size_limit()      # the csv module's own cap (131,072 by default)
CHUNK = 1024 * 1024
_CP1252_UNDEFINED = frozenset(b"\x81\x8d\x8f\x90\x9d")
_C1 = re.compile(rb"[\x80-\x9f]")
_LINE_BREAK = re.compile(r"\r\n|\r|\n")
ENCODING_NAMES = {"utf-8": "UTF-8", "utf-8-sig": "UTF-8 with BOM", "windows-1252": "Windows-1252",
                  "latin-1": "Latin-1"}


class CsvFileError(InputError):
    """The file as a whole cannot be imported; ``line`` is where (0: the whole file)."""

    def __init__(self, message: str, line: int = 0):
        super().__init__(message)
        self.line = line


@dataclass
class ImportReport:
    imported: int = 0
    updated: int = 0
    unchanged: int = 0
    rejected: list[tuple[int, str]] = field(default_factory=list)
    corrected: list[tuple[int, str]] = field(default_factory=list)
    encoding: str = ""
    rows: int = 0

    @property
    def ok(self) -> bool:
        return not self.rejected

    def to_json(self) -> dict[str, Any]:
        return {"imported": self.imported, "updated": self.updated,
                "rejected": [{"line": line, "reason": reason} for line, reason in self.rejected],
                "corrected": [{"line": line, "note": note} for line, note in self.corrected],
                "unchanged": self.unchanged, "rows": self.rows, "encoding": self.encoding}


def import_members(campaign: Campaign, path: Path | str, *, today: date | None = None) -> ImportReport:
    """Validate ``path`` and upsert its members into the campaign's roster.

    Raises :class:`CsvFileError` for problems of the whole file (nothing imported)."""
    path = Path(path).expanduser()
    today = today or date.today()
    encoding = detect_encoding(path)
    report = ImportReport(encoding=encoding)
    members = _collect(path, encoding, report)
    roster = Roster.open(campaign)
    final = _against_roster(roster, members, report, today)
    report.rejected.sort(key=lambda r: r[0])
    report.corrected.sort(key=lambda r: r[0])
    outcomes = roster.upsert_many(final, rejected=[{"line": line, "reason": reason}
                                                   for line, reason in report.rejected])
    report.imported = outcomes.count("imported")
    report.updated = outcomes.count("updated")
    report.unchanged = outcomes.count("unchanged")
    log.info("campaign %s: CSV import (%s): %d rows, %d imported, %d updated, %d unchanged, "
             "%d rejected, %d corrected", campaign.slug, encoding, report.rows, report.imported,
             report.updated, report.unchanged, len(report.rejected), len(report.corrected))
    return report


# --- the bytes ----------------------------------------------------------------------

def detect_encoding(path: Path) -> str:
    """"utf-8", "utf-8-sig", "windows-1252" or "latin-1"; CsvFileError for UTF-16/32,
    NUL bytes (binary), an empty, missing or oversized file."""
    try:
        info = path.stat()
    except FileNotFoundError:
        raise CsvFileError(f"members file not found: {path}") from None
    except OSError as exc:
        raise CsvFileError(f"cannot read the members file {path} ({exc.strerror})") from None
    if not stat.S_ISREG(info.st_mode):
        raise CsvFileError(f"{path.name}: is not a regular file, so not a members CSV")
    if info.st_size > MAX_CSV_BYTES:
        raise CsvFileError(f"{path.name}: too large ({info.st_size:,} bytes; at most "
                           f"{MAX_CSV_BYTES:,} bytes): split it into several files")
    decoder = codecs.getincrementaldecoder("utf-8")("strict")
    utf8, c1, undefined, lines, offset, blank = True, False, False, 1, 0, True
    try:
        with open(path, "rb") as fh:
            first = True
            while chunk := fh.read(CHUNK):
                if first:
                    _check_bom(chunk, path)
                    first = False
                nul = chunk.find(b"\x00")
                if nul >= 0:
                    line = lines + chunk.count(b"\n", 0, nul)
                    raise CsvFileError(f"{path.name}: holds NUL bytes (line {line}): not a CSV "
                                       "text file; UTF-16 or a spreadsheet (.xlsx)? Save it as "
                                       "CSV in UTF-8", line)
                if blank and chunk.lstrip(b"\xef\xbb\xbf \t\r\n"):
                    blank = False
                if utf8:
                    try:
                        decoder.decode(chunk)
                    except UnicodeDecodeError:
                        utf8 = False
                if not utf8 and _C1.search(chunk):
                    c1 = True
                    undefined = undefined or any(b in _CP1252_UNDEFINED for b in chunk
                                                 if 0x80 <= b <= 0x9f)
                lines += chunk.count(b"\n")
                offset += len(chunk)
            if utf8:
                try:
                    decoder.decode(b"", final=True)
                except UnicodeDecodeError:
                    utf8 = False
            if not utf8 and not c1:     # the C1 check may have started late: look again
                fh.seek(0)
                while chunk := fh.read(CHUNK):
                    if _C1.search(chunk):
                        c1 = True
                        undefined = undefined or any(b in _CP1252_UNDEFINED for b in chunk
                                                     if 0x80 <= b <= 0x9f)
    except OSError as exc:
        raise CsvFileError(f"cannot read the members file {path.name} ({exc.strerror})") from None
    if blank:
        raise CsvFileError(f"{path.name}: the file is empty (not even a header row)", 1)
    if utf8:
        with open(path, "rb") as fh:
            return "utf-8-sig" if fh.read(3) == codecs.BOM_UTF8 else "utf-8"
    return "windows-1252" if c1 and not undefined else "latin-1"


def _check_bom(chunk: bytes, path: Path) -> None:
    for bom, name in ((codecs.BOM_UTF32_LE, "UTF-32"), (codecs.BOM_UTF32_BE, "UTF-32"),
                      (codecs.BOM_UTF16_LE, "UTF-16"), (codecs.BOM_UTF16_BE, "UTF-16")):
        if chunk.startswith(bom):
            raise CsvFileError(f"{path.name}: the file is {name} text; save it as CSV in UTF-8 "
                               "(or Latin-1) and import it again", 1)


# --- the records --------------------------------------------------------------------

def read_rows(path: Path, encoding: str) -> Iterator[tuple[int, dict[str, str] | str]]:
    """``(line, row)`` for each record after the header: ``row`` a dict of the known
    columns, or a string saying why the record is rejected. CsvFileError for the header
    and for what stops the reading (a record over the caps, too many rows)."""
    with open(path, encoding=encoding, errors="strict", newline="") as fh:
        reader = csv.reader(_lines(fh, path))
        header: list[str] | None = None
        ended = 0
        rows = 0
        while True:
            start = ended + 1
            try:
                record = next(reader)
            except StopIteration:
                break
            except csv.Error as exc:
                raise CsvFileError(f"{path.name}: line {start}: the CSV cannot be read past this "
                                   f"record ({_csv_reason(exc)})", start) from None
            except UnicodeDecodeError:     # cannot happen after detect_encoding; be plain
                raise CsvFileError(f"{path.name}: line {start}: not {encoding} text", start) from None
            ended = reader.line_num
            if not any(cell.strip() for cell in record):
                continue                   # blank line
            if header is None:
                header = _header(record, path)
                continue
            rows += 1
            if rows > MAX_ROWS:
                raise CsvFileError(f"{path.name}: more than {MAX_ROWS:,} member rows (line {start}); "
                                   "split the file and import the parts one after the other", start)
            if len(record) != len(header):
                yield start, (f"has {len(record)} cells, the header has {len(header)} columns "
                              "(a missing or extra comma or quote?)")
                continue
            long = next((h for h, c in zip(header, record) if len(c) > MAX_CELL_CHARS), None)
            if long:
                yield start, f"{long}: too long (more than {MAX_CELL_CHARS:,} characters)"
                continue
            yield start, dict(zip(header, record))
        if header is None:
            raise CsvFileError(f"{path.name}: the file is empty (not even a header row)", 1)


def _lines(fh: Any, path: Path) -> Iterator[str]:
    line_no = 0
    while True:
        line = fh.readline(MAX_LINE_CHARS + 1)
        if not line:
            return
        line_no += 1
        if len(line) > MAX_LINE_CHARS:
            raise CsvFileError(f"{path.name}: line {line_no} is longer than {MAX_LINE_CHARS:,} "
                               "characters: not a members CSV", line_no)
        yield line


def _csv_reason(exc: csv.Error) -> str:
    text = str(exc)
    if "field larger than field limit" in text:
        return f"a cell longer than {FIELD_LIMIT:,} characters"
    return text


def _header(record: list[str], path: Path) -> list[str]:
    names = [re.sub(r"[\s-]+", "_", cell.strip().lstrip("\ufeff").strip().lower()) for cell in record]
    unknown = [n for n in names if n not in COLUMNS]
    if unknown:
        shown = ", ".join(repr(n[:40]) for n in unknown[:10])
        raise CsvFileError(f"{path.name}: line 1: unknown column{'s' if len(unknown) > 1 else ''} "
                           f"{shown} (known: {', '.join(COLUMNS)})", 1)
    repeated = sorted({n for n in names if names.count(n) > 1})
    if repeated:
        raise CsvFileError(f"{path.name}: line 1: column{'s' if len(repeated) > 1 else ''} "
                           f"{', '.join(repeated)} given twice", 1)
    missing = [c for c in REQUIRED_COLUMNS if c not in names]
    if missing:
        raise CsvFileError(f"{path.name}: line 1: missing column{'s' if len(missing) > 1 else ''} "
                           f"{', '.join(missing)} (required: {', '.join(REQUIRED_COLUMNS)})", 1)
    return names


def member_from_row(row: dict[str, str]) -> Member:
    """A validated member from one CSV row (InputError names the column)."""
    def cell(name: str) -> str:
        return row.get(name, "")
    return make_member(member_id=cell("member_id"), name=cell("name"),
                       address=_LINE_BREAK.split(cell("address")), email=cell("email"),
                       residence=cell("residence"), uploaded_from=cell("uploaded_from"),
                       shown=cell("shown"), flickr=cell("flickr").split(),
                       urls=cell("urls").split(), authorization=cell("authorization"))


def _collect(path: Path, encoding: str, report: ImportReport) -> dict[str, tuple[int, Member]]:
    """The file's valid members by id, duplicates merged (later rows win)."""
    members: dict[str, tuple[int, Member]] = {}
    emails: dict[str, str] = {}          # email (folded) -> member id
    for line, row in read_rows(path, encoding):
        report.rows += 1
        if isinstance(row, str):
            report.rejected.append((line, row))
            continue
        try:
            member = member_from_row(row)
        except InputError as exc:
            report.rejected.append((line, str(exc)))
            continue
        email = member.email.lower()
        same_id = members.get(member.member_id)
        owner = emails.get(email) if email else None
        if owner is not None and owner != member.member_id:
            if same_id is not None:
                report.rejected.append((line, f"member_id {member.member_id!r} is on line "
                                        f"{same_id[0]}, but the email is member {owner!r}'s "
                                        f"(line {members[owner][0]}): which one is meant?"))
                continue
            report.corrected.append((line, f"same email as line {members[owner][0]} (member "
                                     f"{owner!r}): merged into {owner!r}, this row's values "
                                     "replace that row's"))
            member = replace(member, member_id=owner)
            same_id = members[owner]
        elif same_id is not None:
            report.corrected.append((line, f"same member_id as line {same_id[0]}: this row's "
                                     "values replace that row's"))
        if same_id is not None and same_id[1].email and same_id[1].email.lower() != email:
            emails.pop(same_id[1].email.lower(), None)
        members[member.member_id] = (line, member)
        if email:
            emails[email] = member.member_id
    return members


def _against_roster(roster: Roster, members: dict[str, tuple[int, Member]],
                    report: ImportReport, today: date) -> list[Member]:
    """Merge with who is already in the roster: same email, joined dates, members who left."""
    existing = roster.all()
    by_email = {m.email.lower(): m for m in existing if m.email}
    by_id = {m.member_id: m for m in existing}
    out: dict[str, Member] = {}
    for line, member in members.values():
        holder = by_email.get(member.email.lower()) if member.email else None
        if holder is not None and holder.member_id != member.member_id:
            if holder.source == "telegram":
                report.rejected.append((line, "the email belongs to a member who joined by "
                                        "Telegram link; they keep their own record (leave this "
                                        "row out)"))
                continue
            if member.member_id in by_id or holder.member_id in out:
                report.rejected.append((line, f"the email belongs to member {holder.member_id!r} "
                                        f"already imported, the member_id to another: which one "
                                        "is meant?"))
                continue
            report.corrected.append((line, f"same email as member {holder.member_id!r} imported "
                                     f"before: merged into {holder.member_id!r}"))
            member = replace(member, member_id=holder.member_id)
        old = by_id.get(member.member_id)
        member = replace(member, joined=old.joined if old and old.joined else today.isoformat(),
                         left=old.left if old else "")
        if old is not None and old.left:
            report.corrected.append((line, f"member {member.member_id!r} left the campaign on "
                                     f"{old.left}: the record is updated, the member stays out "
                                     "of runs"))
        out[member.member_id] = member
    return list(out.values())
