"""Parsers for the line-oriented manifest formats (see docs in datasets.md).

Each works on bytes and decodes only the fields it keeps, so long text fields
(YFCC100M descriptions, MS-Celeb face crops) cost no decoding and wrong
encodings elsewhere in a line do no harm. Each yields lists of row tuples.
"""

from __future__ import annotations

from itertools import repeat
from typing import Iterator

from .keys import MAX_PHOTO_ID, hex_digest, path_keys
from .parsing import ParseContext, decode, describe, flushing, json_values
from .sources import OVERLONG, Source, line_batches

Batch = list[tuple]


def parse_yfcc100m(source: Source, ctx: ParseContext) -> Iterator[Batch]:
    """YFCC100M: 25 tab-separated fields (line number, photo ID, hash, NSID, ...) or 23 (no
    line number, no hash). Keeps photo ID and owner NSID. The ``photo_hash`` field is not
    kept: what exactly it hashes is not documented, and at 100M rows it would double the
    index for a key a person's own file may never match.

    Hot path: when a batch's tab count says every line has 25 fields, lines are only cut
    at the fourth tab; any other batch is checked line by line to name the bad rows."""
    owners = ctx.owners
    tally = ctx.tally
    for first, lines in line_batches(source, "yfcc100m"):
        rows: Batch = []
        append = rows.append
        if _all_25_fields(lines):
            for offset, line in enumerate(lines):
                fields = line.split(b"\t", 4)
                pid = fields[1]
                owner = owners[fields[3]]
                if owner is None or not pid.isdigit() or pid[0] == 48 \
                        or (len(pid) > 18 and _too_big(pid)):
                    _yfcc_bad(ctx, first + offset, pid, owner, len(rows))
                    continue
                append((int(pid), owner))
        else:
            for offset, line in enumerate(lines):
                tabs = line.count(b"\t")
                if tabs == 24:
                    fields = line.split(b"\t", 4)
                    pid, nsid = fields[1], fields[3]
                elif tabs == 22:
                    fields = line.split(b"\t", 2)
                    pid, nsid = fields[0], fields[1]
                else:
                    if line:
                        ctx.bad(first + offset, f"{tabs + 1} tab-separated fields, expected 25 or 23"
                                if line != OVERLONG else "line too long", len(rows))
                    continue
                owner = owners[nsid]
                if owner is None or not pid.isdigit() or pid[0] == 48 \
                        or (len(pid) > 18 and _too_big(pid)):
                    _yfcc_bad(ctx, first + offset, pid, owner, len(rows))
                    continue
                append((int(pid), owner))
        tally.rows += len(rows)
        yield rows


def _all_25_fields(lines: list[bytes]) -> bool:
    """True when every line has exactly 24 tabs (counted in C, no Python loop)."""
    return set(map(bytes.count, lines, repeat(b"\t"))) == {24}


def _too_big(pid: bytes) -> bool:
    return len(pid) > 18 and (len(pid) > 19 or int(pid) > MAX_PHOTO_ID)


def _yfcc_bad(ctx: ParseContext, line: int, pid: bytes, owner: int | None, good: int) -> None:
    if not pid.isdigit():
        ctx.bad(line, "photo ID is not a number", good)
    elif pid[0] == 48 or _too_big(pid):
        ctx.bad(line, "photo ID out of range", good)
    else:
        ctx.bad(line, "user NSID is not an NSID", good)


def parse_pipa(source: Source, ctx: ParseContext) -> Iterator[Batch]:
    """PIPA: ``photoset_id photo_id xmin ymin width height identity_id subset_id``.
    One row per person instance; kept once per photo (consecutive duplicates dropped)."""
    tally = ctx.tally
    last = None
    for first, lines in line_batches(source, "pipa"):
        rows: Batch = []
        for offset, line in enumerate(lines):
            fields = line.split()
            if len(fields) != 8:
                if fields:
                    ctx.bad(first + offset, f"{len(fields)} space-separated fields, expected 8"
                            if line != OVERLONG else "line too long", len(rows))
                continue
            pid = fields[1]
            if not pid.isdigit() or len(pid) > 19 or not fields[0].isdigit():
                ctx.bad(first + offset, "photo ID is not a number", len(rows))
                continue
            value = int(pid)
            if value == last:
                tally.duplicates += 1
                continue
            last = value
            rows.append((value,))
        tally.rows += len(rows)
        yield rows


def parse_facescrub(source: Source, ctx: ParseContext) -> Iterator[Batch]:
    """FaceScrub: ``name image_id face_id url bbox sha256`` (tab-separated, header optional).
    Keeps the URL (or Flickr photo ID/owner) and the sha256."""
    tally = ctx.tally
    for first, lines in line_batches(source, "facescrub"):
        rows: Batch = []
        for offset, line in enumerate(lines):
            fields = line.split(b"\t")
            if len(fields) != 6:
                if line.strip():
                    ctx.bad(first + offset, f"{len(fields)} tab-separated fields, expected 6"
                            if line != OVERLONG else "line too long", len(rows))
                continue
            if first + offset == 1 and fields[1].strip().lower() == b"image_id":
                continue  # header
            url_text = decode(fields[3])
            keys = ctx.url_keys(url_text) if url_text is not None else None
            if keys is None:
                ctx.bad(first + offset, "url is not valid UTF-8" if url_text is None
                        else "url is not an http(s) URL", len(rows))
                continue
            digest = hex_digest(fields[5], 32)
            if digest is None:
                ctx.bad(first + offset, "sha256 is not 64 hex digits", len(rows))
                continue
            rows.append(keys + (digest,))
        tally.rows += len(rows)
        yield rows


def _url_lines(source: Source, ctx: ParseContext, format_name: str, expected: int,
               url_field: int, maxsplit: int, sep: bytes | None) -> Iterator[Batch]:
    tally = ctx.tally
    for first, lines in line_batches(source, format_name):
        rows: Batch = []
        for offset, line in enumerate(lines):
            if not line.strip():
                continue
            count = (line.count(sep) + 1) if sep is not None else len(line.split())
            if count != expected:
                ctx.bad(first + offset, describe(line) if line == OVERLONG or b"\x00" in line
                        else f"{count} fields, expected {expected}", len(rows))
                continue
            fields = line.split(sep, maxsplit)
            url_text = decode(fields[url_field])
            keys = ctx.url_keys(url_text) if url_text is not None else None
            if keys is None:
                ctx.bad(first + offset, "URL is not valid UTF-8" if url_text is None
                        else "URL is not an http(s) URL", len(rows))
                continue
            rows.append(keys)
        tally.rows += len(rows)
        yield rows


def parse_vggface(source: Source, ctx: ParseContext) -> Iterator[Batch]:
    """VGG Face v1 ``files/<Name>.txt``: ``id url left top right bottom pose
    detection_score curation`` (space-separated). Keeps the URL."""
    yield from _url_lines(source, ctx, "vggface", 9, 1, 2, None)


def parse_msceleb(source: Source, ctx: ParseContext) -> Iterator[Batch]:
    """MS-Celeb-1M TSV: ``FreebaseMID ImageSearchRank ImageURL PageURL FaceID
    FaceRectangle FaceData``. Keeps ImageURL; the FaceData crop is never decoded."""
    yield from _url_lines(source, ctx, "msceleb", 7, 2, 3, b"\t")


def parse_urls(source: Source, ctx: ParseContext) -> Iterator[Batch]:
    """One image or Flickr URL per line (``#`` starts a comment line)."""
    tally = ctx.tally
    for first, lines in line_batches(source, "urls"):
        rows: Batch = []
        for offset, line in enumerate(lines):
            line = line.strip()
            if not line or line.startswith(b"#"):
                continue
            text = decode(line) if line != OVERLONG else None
            keys = ctx.url_keys(text) if text is not None else None
            if keys is None:
                ctx.bad(first + offset, "line too long" if line == OVERLONG
                        else "not an http(s) URL", len(rows))
                continue
            rows.append(keys)
        tally.rows += len(rows)
        yield rows


def parse_photo_ids(source: Source, ctx: ParseContext) -> Iterator[Batch]:
    """One Flickr photo ID per line (e.g. a DiF or YFCC100M subset list)."""
    tally = ctx.tally
    for first, lines in line_batches(source, "photo-ids"):
        rows: Batch = []
        for offset, line in enumerate(lines):
            line = line.strip()
            if not line or line.startswith(b"#"):
                continue
            if not line.isdigit() or len(line) > 19 or int(line) == 0:
                ctx.bad(first + offset, "not a Flickr photo ID", len(rows))
                continue
            rows.append((int(line),))
        tally.rows += len(rows)
        yield rows


def parse_megaface(source: Source, ctx: ParseContext) -> Iterator[Batch]:
    """MegaFace image paths ``FlickrFinal2/{digits}/{NSID}/{photo_id}_{face}.jpg``, one per
    line (``#`` starts a comment line), or JSON lists holding them (``{"path": [...]}``).
    Keeps photo ID and NSID."""
    head = source.stream.peek(64)[:64] if hasattr(source.stream, "peek") else b""
    if head.lstrip()[:1] in (b"{", b"["):
        yield from _megaface_json(source, ctx)
        return
    owners = ctx.owners
    tally = ctx.tally
    last = None
    for first, lines in line_batches(source, "megaface"):
        rows: Batch = []
        for offset, line in enumerate(lines):
            if not line.strip() or line.startswith(b"#"):
                continue   # InsightFace's lists open with a "#" line of terms
            text = decode(line) if line != OVERLONG else None
            photo, owner = path_keys(text) if text is not None else (None, None)
            if photo is None or owner is None:
                ctx.bad(first + offset, "not a MegaFace image path" if line != OVERLONG
                        else "line too long", len(rows))
                continue
            row = (photo, owners[owner])
            if row == last:
                tally.duplicates += 1
                continue
            last = row
            rows.append(row)
        tally.rows += len(rows)
        yield rows


@flushing
def _megaface_json(source: Source, ctx: ParseContext) -> Iterator[Batch]:
    owners = ctx.owners
    tally = ctx.tally
    rows: Batch = ctx.pending
    last = None
    for line, _key, value in json_values(source, "megaface"):
        if not isinstance(value, str):
            continue  # other members (ids, boxes) carry no key
        photo, owner = path_keys(value)
        if photo is None or owner is None:
            ctx.bad(line, "not a MegaFace image path", len(rows))
            continue
        row = (photo, owners[owner])
        if row == last:
            tally.duplicates += 1
            continue
        last = row
        rows.append(row)
        if len(rows) >= 10000:
            tally.rows += len(rows)
            yield rows
            rows = ctx.pending = []
    tally.rows += len(rows)
    yield rows
