"""Parsers for the JSON manifests that name Flickr photos: MS-COCO annotation files,
Visual Genome's ``image_data.json`` and FSXL's ``fsxl-metadata.json``.

Each is streamed one record at a time (:func:`~bot.index.parsing.json_values`: a value
nested too deeply is refused, a cut-off file keeps the records before the cut). Only the
Flickr photo ID and owner are kept; captions, titles, author names, boxes and licences
are read past and never stored.
"""

from __future__ import annotations

from typing import Iterator

from ..errors import ImportFormatError
from .keys import MAX_PHOTO_ID, flickr_keys, photo_id
from .parsing import ParseContext, flushing, json_values
from .sources import Source

Batch = list[tuple]
BATCH_ROWS = 5000


@flushing
def parse_coco(source: Source, ctx: ParseContext) -> Iterator[Batch]:
    """MS-COCO annotation JSON (``instances_*.json``, ``captions_*.json``,
    ``image_info_*.json``): the ``images`` list, whose ``flickr_url`` is a static Flickr
    image URL (photo ID and secret). Keeps the photo ID; ``annotations`` are skipped."""
    tally = ctx.tally
    rows: Batch = ctx.pending
    images = 0
    for line, key, record in json_values(source, "coco"):
        if key != "images":
            continue   # info, licenses, annotations, categories
        images += 1
        if not isinstance(record, dict):
            ctx.bad(line, f"images entry {images} is not an object", len(rows))
            continue
        url = record.get("flickr_url")
        if url is None or url == "":
            ctx.no_key()   # an image not from Flickr (no flickr_url): nothing to match
            continue
        photo, owner = flickr_keys(url) if isinstance(url, str) else (None, None)
        if photo is None:
            ctx.bad(line, f"images entry {images}: flickr_url is not a Flickr image URL",
                    len(rows))
            continue
        rows.append((photo, ctx.owners[owner] if owner else None))
        if len(rows) >= BATCH_ROWS:
            tally.rows += len(rows)
            yield rows
            rows = ctx.pending = []
    if not images:
        raise ImportFormatError(f"{source.name}: has no \"images\" entries, so it is not a "
                                "COCO annotation file")
    tally.rows += len(rows)
    yield rows


@flushing
def parse_visual_genome(source: Source, ctx: ParseContext) -> Iterator[Batch]:
    """Visual Genome ``image_data.json``: a list of images with ``flickr_id`` (and
    ``coco_id``, ``url`` of the copy on Stanford's server). Keeps the Flickr photo ID; an
    image whose ``flickr_id`` is null carries no key."""
    tally = ctx.tally
    rows: Batch = ctx.pending
    for line, key, record in json_values(source, "visual-genome"):
        if not isinstance(key, int):
            raise ImportFormatError(f"{source.name}: is a JSON object, not the list of images "
                                    "of a Visual Genome image_data.json")
        if not isinstance(record, dict):
            ctx.bad(line, f"entry {key + 1} is not an object", len(rows))
            continue
        if "flickr_id" not in record:
            ctx.bad(line, f"entry {key + 1} has no flickr_id", len(rows))
            continue
        value = record["flickr_id"]
        if value is None:
            ctx.no_key()
            continue
        photo = _photo_number(value)
        if photo is None:
            ctx.bad(line, f"entry {key + 1}: flickr_id is not a Flickr photo ID", len(rows))
            continue
        rows.append((photo,))
        if len(rows) >= BATCH_ROWS:
            tally.rows += len(rows)
            yield rows
            rows = ctx.pending = []
    tally.rows += len(rows)
    yield rows


@flushing
def parse_fsxl(source: Source, ctx: ParseContext) -> Iterator[Batch]:
    """FSXL ``fsxl-metadata.json``: a list of photos whose ``photo_url`` is the Flickr photo
    page (``flickr.com/photos/<NSID>/<photo ID>``). Keeps photo ID and owner NSID; where a
    record has no usable ``photo_url``, ``image_name`` (``<photo ID>.jpg``) gives the ID."""
    tally = ctx.tally
    rows: Batch = ctx.pending
    for line, key, record in json_values(source, "fsxl"):
        if not isinstance(key, int):
            raise ImportFormatError(f"{source.name}: is a JSON object, not the list of photos "
                                    "of fsxl-metadata.json")
        if not isinstance(record, dict):
            ctx.bad(line, f"entry {key + 1} is not an object", len(rows))
            continue
        url = record.get("photo_url")
        photo, owner = flickr_keys(url) if isinstance(url, str) else (None, None)
        if photo is None:
            name = record.get("image_name")
            if isinstance(name, str) and name.lower().endswith(".jpg") and "/" not in name:
                photo = photo_id(name[:-4])
        if photo is None:
            ctx.bad(line, f"entry {key + 1} has no Flickr photo_url or image_name", len(rows))
            continue
        rows.append((photo, ctx.owners[owner] if owner else None))
        if len(rows) >= BATCH_ROWS:
            tally.rows += len(rows)
            yield rows
            rows = ctx.pending = []
    tally.rows += len(rows)
    yield rows


def _photo_number(value: object) -> int | None:
    """A photo ID given as a JSON number or string of digits (never a bool or a float)."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value if 0 < value <= MAX_PHOTO_ID else None
    if isinstance(value, str):
        return photo_id(value)
    return None
