"""Parsers for two web-scale manifests: the Open Images image CSVs and DataComp's
parquet metadata.

Open Images (``*-images-with-rotation.csv``, ``image_ids_and_rotation.csv``, the older
``images.csv``): ``ImageID,Subset,OriginalURL,OriginalLandingURL,License,AuthorProfileURL,
Author,Title,OriginalSize,OriginalMD5,Thumbnail300KURL[,Rotation]``. The landing URL is
the Flickr photo page (photo ID, owner alias or NSID), the profile URL the owner's
``flickr.com/people/...`` page, and ``OriginalMD5`` the base64 MD5 of the original file
as downloaded from Flickr, which a person's own untouched upload can match. Authors and
titles are never kept.

DataComp (CommonPool and its filtered subsets): parquet files with a ``url`` column;
a ``sha256`` column of 64 hex digits, where a file has one, is kept as a file hash.
"""

from __future__ import annotations

import base64
import binascii
from typing import Iterator

from ..errors import ImportFormatError, IndexStoreError
from .formats_structured import _csv_rows
from .keys import flickr_keys, hex_digest, is_nsid
from .parsing import ParseContext, flushing
from .sources import Source

Batch = list[tuple]
BATCH_ROWS = 5000
_OPEN_IMAGES = ("originallandingurl", "originalurl", "authorprofileurl", "originalmd5")


@flushing
def parse_open_images(source: Source, ctx: ParseContext) -> Iterator[Batch]:
    """Open Images image CSV: photo ID and owner from ``OriginalLandingURL`` (or the
    ``OriginalURL`` image address), the owner from ``AuthorProfileURL`` where the landing
    URL names none, and the MD5 of the original file. A row whose image is not on Flickr
    keeps its ``OriginalURL``."""
    tally = ctx.tally
    rows: Batch = ctx.pending
    where: dict[str, int] | None = None
    width = 0
    for line, fields in _csv_rows(source, "open-images"):
        if where is None:
            if not fields:
                raise ImportFormatError(f"{source.name}: the header line cannot be read as CSV")
            names = [f.strip().lstrip("\ufeff").lower() for f in fields]
            where = {name: names.index(name) for name in _OPEN_IMAGES if name in names}
            if "originallandingurl" not in where and "originalurl" not in where:
                shown = ", ".join(f[:40] for f in fields[:12]) or "(none)"
                raise ImportFormatError(
                    f"{source.name}: has no OriginalLandingURL or OriginalURL column, so it is "
                    f"not an Open Images image list (columns: {shown})")
            width = max(where.values()) + 1
            continue
        if not fields:
            if fields is None:
                ctx.bad(line, "not valid CSV (line too long or broken quoting)", len(rows))
            continue
        if len(fields) < width:
            ctx.bad(line, f"{len(fields)} columns, expected at least {width}", len(rows))
            continue
        row, problem = _open_images_row(ctx, fields, where)
        if row is None:
            ctx.bad(line, problem or "no Flickr photo and no image URL", len(rows))
            continue
        rows.append(row)
        if len(rows) >= BATCH_ROWS:
            tally.rows += len(rows)
            yield rows
            rows = ctx.pending = []
    if where is None:
        raise ImportFormatError(f"{source.name}: is empty (expected the Open Images header line)")
    tally.rows += len(rows)
    yield rows


def _open_images_row(ctx: ParseContext, fields: list[str],
                     where: dict[str, int]) -> tuple[tuple | None, str | None]:
    def field(name: str) -> str:
        at = where.get(name)
        text = fields[at].strip() if at is not None else ""
        return "" if any("\udc80" <= c <= "\udcff" for c in text) else text   # not UTF-8

    landing, original = field("originallandingurl"), field("originalurl")
    photo, owner = flickr_keys(landing) if landing else (None, None)
    url = None
    if photo is None and original:
        keys = ctx.url_keys(original)
        if keys is None:
            return None, "OriginalURL is not an http(s) URL"
        photo, _owner, url = keys
    if photo is None and url is None:
        return None, ("OriginalLandingURL is not a Flickr photo page" if landing
                      else "no OriginalLandingURL or OriginalURL")
    profile = field("authorprofileurl")
    _none, author = flickr_keys(profile) if profile else (None, None)
    if author and (owner is None or (is_nsid(author) and not is_nsid(owner))):
        owner = author   # an NSID beats an alias: both name the same account
    return (photo, ctx.owners[owner] if owner else None, url,
            _md5(field("originalmd5"))), None


def _md5(text: str) -> bytes | None:
    """The 16 bytes of an MD5 given as base64 (Open Images) or 32 hex digits."""
    if not text:
        return None
    if len(text) == 24 and text.endswith("=="):
        try:
            raw = base64.b64decode(text, validate=True)
        except (binascii.Error, ValueError):
            return None
        return raw if len(raw) == 16 else None
    return hex_digest(text, 16)


def parse_datacomp(source: Source, ctx: ParseContext) -> Iterator[Batch]:
    """DataComp parquet metadata (``url`` column, any case; ``sha256`` kept where present).
    Needs pyarrow (the optional ``laion`` extra). Keeps the URL, or the Flickr photo ID."""
    try:
        import pyarrow  # noqa: PLC0415 - optional dependency
        import pyarrow.parquet as pq  # noqa: PLC0415
    except ImportError:
        raise IndexStoreError("the datacomp format reads parquet files, which needs pyarrow: "
                              "pip install 'rightsbot[laion]'") from None
    if source.compression != "none" or source.size is None:
        raise ImportFormatError(f"{source.name}: parquet must be a plain file (not compressed, "
                                "not a pipe)")
    try:
        parquet = pq.ParquetFile(source.raw)
    except Exception as exc:  # pyarrow raises its own ArrowInvalid family
        raise ImportFormatError(
            f"{source.name}: is not a parquet file ({exc.__class__.__name__})") from None
    names = parquet.schema_arrow.names
    lowered = [n.lower() for n in names]
    if "url" not in lowered:
        raise ImportFormatError(f"{source.name}: has no url column, so it is not DataComp "
                                f"metadata (columns: {', '.join(n[:40] for n in names[:20])})")
    columns = [names[lowered.index("url")]]
    if "sha256" in lowered:
        columns.append(names[lowered.index("sha256")])
    tally = ctx.tally
    row_number = 0
    total_rows = max(parquet.metadata.num_rows, 1)
    try:
        for batch in parquet.iter_batches(batch_size=BATCH_ROWS, columns=columns):
            rows: Batch = []
            urls = batch.column(0).to_pylist()
            digests = batch.column(1).to_pylist() if len(columns) > 1 else [None] * len(urls)
            for value, digest in zip(urls, digests):
                row_number += 1
                if not isinstance(value, str) or not value:
                    ctx.bad(row_number, "url is empty", len(rows))
                    continue
                keys = ctx.url_keys(value)
                if keys is None:
                    ctx.bad(row_number, "url is not an http(s) URL", len(rows))
                    continue
                sha = hex_digest(digest, 32) if isinstance(digest, str) else None
                rows.append(keys + (sha,))
            tally.rows += len(rows)
            source.progress_hint = int(source.size * row_number / total_rows)
            yield rows
    except (OSError, pyarrow.ArrowException) as exc:   # a damaged chunk: earlier rows stand
        tally.stopped = (f"{source.name}: the parquet data is damaged after row {row_number:,} "
                         f"({exc.__class__.__name__})")
