"""What every manifest parser shares: the per-file tally, owner ids, URL keys.

A parser yields *batches* (lists) of row tuples whose columns are the
format's ``columns`` (a subset of :data:`COLUMNS`, in that order). Bad rows go
to :meth:`ParseContext.bad` with their line number; rows that are fine but
carry no key that can match go to :meth:`ParseContext.no_key`.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Iterator

from ..errors import DataError, ImportFormatError
from .keys import flickr_keys, normalise_owner, normalise_url
from .sources import Source, json_records

COLUMNS = ("photo_id", "owner_id", "url", "sha256", "md5", "phash")
FIRST_ROWS_CHECKED = 50   # this many bad rows before any good one: wrong format
BAD_ROWS_LISTED = 20


class OwnerIds(dict):
    """Raw owner field (bytes or str) -> small integer id, minting ids for new names.

    A plain dict lookup for owners already seen (the hot path); ``__missing__``
    validates and canonicalises new ones (NSID or alias). Invalid owners map to
    None and are not remembered, so hostile input cannot grow the map.
    """

    def __init__(self, existing: dict[str, int] | None = None) -> None:
        super().__init__()
        self.by_name: dict[str, int] = dict(existing or {})
        self.next_id = max(self.by_name.values(), default=0) + 1
        self.new: list[tuple[int, str]] = []

    def __missing__(self, raw: bytes | str) -> int | None:
        if isinstance(raw, bytes):
            try:
                text = raw.decode("ascii")
            except UnicodeDecodeError:
                return None
        else:
            text = raw
        name = normalise_owner(text)
        if name is None:
            return None
        owner_id = self.by_name.get(name)
        if owner_id is None:
            owner_id = self.next_id
            self.next_id += 1
            self.by_name[name] = owner_id
            self.new.append((owner_id, name))
        self[raw] = owner_id
        return owner_id


@dataclass
class BadRow:
    file: str
    line: int
    reason: str

    def __str__(self) -> str:
        return f"{self.file}:{self.line}: {self.reason}"


@dataclass
class FileTally:
    name: str
    rows: int = 0          # rows stored
    bad: int = 0
    no_key: int = 0
    duplicates: int = 0
    stopped: str | None = None   # why reading stopped early (truncated file, broken JSON)


@dataclass
class ParseContext:
    """Shared state of one import: owner ids, bad-row list, options."""
    format_name: str
    owners: OwnerIds
    options: dict[str, str] = field(default_factory=dict)
    bad_rows: list[BadRow] = field(default_factory=list)
    tally: FileTally = field(default_factory=lambda: FileTally(""))
    pending: list = field(default_factory=list)   # a batching parser's running batch

    def bad(self, line: int, reason: str, good_in_batch: int = 0) -> None:
        tally = self.tally
        tally.bad += 1
        if len(self.bad_rows) < BAD_ROWS_LISTED:
            self.bad_rows.append(BadRow(tally.name, line, reason))
        if tally.rows + good_in_batch == 0 and tally.no_key == 0 \
                and tally.bad >= FIRST_ROWS_CHECKED:
            raise ImportFormatError(
                f"{tally.name}: the first {tally.bad} rows are not {self.format_name} rows "
                f"(line {line}: {reason}); is this the right --format?")

    def no_key(self, count: int = 1) -> None:
        self.tally.no_key += count

    def url_keys(self, text: str) -> tuple[int | None, int | None, str | None] | None:
        """``(photo_id, owner_id, url)`` for a URL field, or None if it is not a URL.

        Flickr URLs give the photo ID and owner (the URL itself is then not
        stored: the exhibit links the photo page); other URLs are stored normalised.
        """
        if "://" not in text[:10]:
            return None   # manifests carry whole URLs; "example.com/x" is not one here
        photo, owner = flickr_keys(text)
        if photo is not None or owner is not None:
            return photo, (self.owners[owner] if owner else None), None
        url = normalise_url(text)
        if url is None:
            return None
        return None, None, url


def describe(line: bytes) -> str:
    """A short reason for a line that could not be split at all."""
    from .sources import OVERLONG
    if line == OVERLONG:
        return "line too long"
    if b"\x00" in line:
        return "contains NUL bytes"
    return "wrong number of fields"


def decode(value: bytes) -> str | None:
    try:
        return value.decode("utf-8")
    except UnicodeDecodeError:
        return None


def flushing(parse):  # noqa: ANN001, ANN201 - decorator for batching parsers
    """Make a parser that keeps a running batch hand it over before a read error ends
    the file (a cut-off download keeps every row read before the cut). The parser's
    running batch must be ``ctx.pending``."""
    import functools  # noqa: PLC0415

    @functools.wraps(parse)
    def wrapper(source, ctx):  # noqa: ANN001, ANN202
        ctx.pending = []
        try:
            yield from parse(source, ctx)
        except Exception:
            if ctx.pending:
                ctx.tally.rows += len(ctx.pending)
                yield ctx.pending
                ctx.pending = []
            raise
    return wrapper


def json_values(source: Source, format_name: str) -> Iterator[tuple[int, object, object]]:
    """:func:`~bot.index.sources.json_records`, with a value nested too deeply for Python's
    JSON decoder (a RecursionError, some 1,000 levels) refused as a plain DataError naming
    the file: no manifest is nested like that, so the whole import is refused."""
    records = json_records(source, format_name)
    line = 1
    while True:
        try:
            item = next(records)
        except StopIteration:
            return
        except RecursionError:
            raise DataError(f"{source.name}: a JSON value after line {line} is nested too deeply "
                            f"to read; no {format_name} manifest is, so nothing was "
                            "imported") from None
        line = item[0]
        yield item
