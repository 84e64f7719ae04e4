"""Parsers for the structured manifest formats: generic CSV, IJB-C CSV, FFHQ JSON,
LAION parquet."""

from __future__ import annotations

import csv
from typing import Iterator

from ..errors import ImportFormatError, IndexStoreError
from .keys import flickr_keys, hex_digest, normalise_owner, parse_phash, path_keys, photo_id, \
    to_signed64
from .parsing import COLUMNS, ParseContext, flushing, json_values
from .sources import MAX_LINE, OVERLONG, Source, line_batches

Batch = list[tuple]
CSV_KEYS = ("photo_id", "owner", "url", "sha256", "md5", "phash")
BATCH_ROWS = 5000


def _csv_rows(source: Source, format_name: str) -> Iterator[tuple[int, list[str] | None]]:
    """``(line, fields)`` of a CSV/TSV file with sniffed delimiter; fields None for a bad line."""
    def lines() -> Iterator[str]:
        for _first, batch in line_batches(source, format_name):
            for line in batch:
                yield ("\x00" if line == OVERLONG else line.decode("utf-8", "surrogateescape")) + "\n"

    text_lines = lines()
    header_line = next(text_lines, None)
    if header_line is None:
        return
    counts = {d: header_line.count(d) for d in (",", "\t", ";", "|")}
    delimiter = max(counts, key=lambda d: counts[d])
    if counts[delimiter] == 0:
        delimiter = ","

    def chained() -> Iterator[str]:
        yield header_line
        yield from text_lines

    csv.field_size_limit(MAX_LINE)
    reader = csv.reader(chained(), delimiter=delimiter, strict=False)
    while True:
        try:
            row = next(reader)
        except StopIteration:
            return
        except csv.Error:
            yield reader.line_num, None
            continue
        yield reader.line_num, row


def _header_index(header: list[str], wanted: dict[str, str], source: Source) -> dict[str, int]:
    names = [h.strip().lstrip("\ufeff") for h in header]
    lowered = [n.lower() for n in names]
    index = {}
    for key, column in wanted.items():
        if column in names:
            index[key] = names.index(column)
        elif column.lower() in lowered:
            index[key] = lowered.index(column.lower())
        else:
            shown = ", ".join(n[:40] for n in names[:20]) or "(none)"
            raise ImportFormatError(f"{source.name}: no column named {column!r} for {key} "
                                    f"(columns: {shown})")
    return index


def csv_columns(specs: list[str]) -> dict[str, str]:
    """``["photo_id=ID", "url=URL"]`` -> ``{"photo_id": "ID", "url": "URL"}`` (validated)."""
    mapping: dict[str, str] = {}
    for spec in specs:
        key, sep, column = spec.partition("=")
        key = key.strip().lower()
        if not sep or not column.strip():
            raise ImportFormatError(f"--column {spec!r}: write KEY=COLUMN, e.g. url=image_url")
        if key not in CSV_KEYS:
            raise ImportFormatError(f"--column {spec!r}: KEY must be one of {', '.join(CSV_KEYS)}")
        if key in mapping:
            raise ImportFormatError(f"--column {key} is given twice")
        mapping[key] = column.strip()
    if not mapping:
        raise ImportFormatError("the csv format needs at least one --column KEY=COLUMN "
                                f"(KEY: {', '.join(CSV_KEYS)})")
    return mapping


@flushing
def parse_csv(source: Source, ctx: ParseContext) -> Iterator[Batch]:
    """Any CSV/TSV with a header; ``--column KEY=NAME`` says which columns hold keys.
    All six key columns are written (NULL where absent)."""
    mapping = ctx.options.get("columns") or {}
    if not mapping:
        raise ImportFormatError("the csv format needs at least one --column KEY=COLUMN")
    tally = ctx.tally
    index: dict[str, int] | None = None
    rows: Batch = ctx.pending
    for line, fields in _csv_rows(source, "csv"):
        if index is None:
            if fields is None:
                raise ImportFormatError(f"{source.name}: the header line cannot be read as CSV")
            index = _header_index(fields, mapping, source)  # type: ignore[arg-type]
            width = max(index.values()) + 1
            continue
        if not fields:
            if fields is None:
                ctx.bad(line, "not valid CSV (line too long or broken quoting)", len(rows))
            continue
        if len(fields) < width:
            ctx.bad(line, f"{len(fields)} columns, expected at least {width}", len(rows))
            continue
        row, problem = _csv_keys(ctx, fields, index)
        if problem:
            ctx.bad(line, problem, len(rows))
        elif row is None:
            ctx.no_key()
        else:
            rows.append(row)
            if len(rows) >= BATCH_ROWS:
                tally.rows += len(rows)
                yield rows
                rows = ctx.pending = []
    if index is None:
        raise ImportFormatError(f"{source.name}: is empty (the csv format needs a header line)")
    tally.rows += len(rows)
    yield rows


def _csv_keys(ctx: ParseContext, fields: list[str],
              index: dict[str, int]) -> tuple[tuple | None, str | None]:
    values = dict.fromkeys(COLUMNS)
    for key, position in index.items():
        text = fields[position].strip()
        if not text:
            continue
        if any("\udc80" <= c <= "\udcff" for c in text):
            return None, f"{key} is not valid UTF-8"
        if key == "photo_id":
            values["photo_id"] = photo_id(text)
            if values["photo_id"] is None:
                return None, "photo_id is not a Flickr photo ID"
        elif key == "owner":
            owner = normalise_owner(text)
            if owner is None:
                return None, "owner is not a Flickr NSID or alias"
            values["owner_id"] = ctx.owners[owner]
        elif key == "url":
            keys = ctx.url_keys(text)
            if keys is None:
                return None, "url is not an http(s) URL"
            photo, owner_id, url = keys
            values["photo_id"] = values["photo_id"] or photo
            values["owner_id"] = values["owner_id"] or owner_id
            values["url"] = url
        elif key in ("sha256", "md5"):
            digest = hex_digest(text, 32 if key == "sha256" else 16)
            if digest is None:
                return None, f"{key} is not a hex digest"
            values[key] = digest
        elif key == "phash":
            value = parse_phash(text) if not text.isdigit() else int(text)
            if value is None or value >= 1 << 64:
                return None, "phash is not a 64-bit hash (16 hex digits)"
            values["phash"] = to_signed64(value)
    if all(v is None for v in values.values()):
        return None, None
    return tuple(values[c] for c in COLUMNS), None


@flushing
def parse_ijbc(source: Source, ctx: ParseContext) -> Iterator[Batch]:
    """IJB-C metadata CSV (``TEMPLATE_ID,SUBJECT_ID,FILENAME,...``). Only file names that
    are Flickr file names (``{photo_id}_{secret}.jpg``) can match; IJB-C's own numbered
    names (``img/123.jpg``) carry no key and are counted as such."""
    tally = ctx.tally
    position: int | None = None
    rows: Batch = ctx.pending
    last = None
    for line, fields in _csv_rows(source, "ijbc"):
        if position is None:
            if not fields:
                raise ImportFormatError(f"{source.name}: the header line cannot be read as CSV")
            position = _header_index(fields, {"photo_id": "FILENAME"}, source)["photo_id"]
            continue
        if not fields:
            if fields is None:
                ctx.bad(line, "not valid CSV", len(rows))
            continue
        if len(fields) <= position:
            ctx.bad(line, "no FILENAME value", len(rows))
            continue
        photo, _owner = path_keys(fields[position].strip())
        if photo is None:
            ctx.no_key()
            continue
        if photo == last:
            tally.duplicates += 1
            continue
        last = photo
        rows.append((photo,))
    if position is None:
        raise ImportFormatError(f"{source.name}: is empty (expected a FILENAME header)")
    tally.rows += len(rows)
    yield rows


@flushing
def parse_ffhq(source: Source, ctx: ParseContext) -> Iterator[Batch]:
    """FFHQ ``ffhq-dataset-v2.json``: per image ``metadata.photo_url`` (Flickr photo ID and
    owner alias/NSID) and ``image.file_md5``. Streamed one record at a time; author names,
    landmarks and face boxes are never kept."""
    owners = ctx.owners
    tally = ctx.tally
    rows: Batch = ctx.pending
    for line, _key, record in json_values(source, "ffhq"):
        if not isinstance(record, dict) or not isinstance(record.get("metadata"), dict):
            ctx.bad(line, "record has no metadata object", len(rows))
            continue
        url = record["metadata"].get("photo_url")
        photo, owner = flickr_keys(url) if isinstance(url, str) else (None, None)
        image = record.get("image")
        md5_text = image.get("file_md5") if isinstance(image, dict) else None
        md5 = hex_digest(md5_text, 16) if isinstance(md5_text, str) else None
        if photo is None and md5 is None:
            ctx.bad(line, "no Flickr photo_url and no image.file_md5", len(rows))
            continue
        rows.append((photo, owners[owner] if owner else None, md5))
        if len(rows) >= BATCH_ROWS:
            tally.rows += len(rows)
            yield rows
            rows = ctx.pending = []
    tally.rows += len(rows)
    yield rows


def parse_laion(source: Source, ctx: ParseContext) -> Iterator[Batch]:
    """LAION-400M/5B parquet (``URL`` column, any case). Needs the optional ``laion``
    extra (pyarrow). Keeps the URL, or the Flickr photo ID for Flickr URLs."""
    try:
        import pyarrow.parquet as pq  # noqa: PLC0415 - optional dependency
    except ImportError:
        raise IndexStoreError("the laion format needs pyarrow: pip install 'rightsbot[laion]'") \
            from None
    if source.compression != "none" or source.size is None:
        raise ImportFormatError(f"{source.name}: parquet must be a plain file (not compressed, "
                                "not a pipe)")
    try:
        parquet = pq.ParquetFile(source.raw)
    except Exception as exc:  # pyarrow raises its own ArrowInvalid family
        raise ImportFormatError(f"{source.name}: is not a parquet file ({exc.__class__.__name__})") \
            from None
    names = parquet.schema_arrow.names
    lowered = [n.lower() for n in names]
    if "url" not in lowered:
        raise ImportFormatError(f"{source.name}: has no URL column (columns: "
                                f"{', '.join(n[:40] for n in names[:20])})")
    column = names[lowered.index("url")]
    tally = ctx.tally
    row_number = 0
    total_rows = max(parquet.metadata.num_rows, 1)
    for batch in parquet.iter_batches(batch_size=BATCH_ROWS, columns=[column]):
        rows: Batch = []
        for value in batch.column(0).to_pylist():
            row_number += 1
            if not isinstance(value, str) or not value:
                ctx.bad(row_number, "URL is empty", len(rows))
                continue
            keys = ctx.url_keys(value)
            if keys is None:
                ctx.bad(row_number, "not an http(s) URL", len(rows))
                continue
            rows.append(keys)
        tally.rows += len(rows)
        source.progress_hint = int(source.size * row_number / total_rows)
        yield rows
