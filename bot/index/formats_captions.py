"""Parsers for the image-captioning lists: Flickr30k and Flickr8k (Flickr photo IDs in
their image names) and Conceptual Captions (``caption<TAB>image URL``).

Flickr30k and Flickr8k name each image after its Flickr photo: ``1000092795.jpg`` and
``1000268201_693b08cb0e.jpg`` (photo ID, then the image's secret). Their split lists hold
one name a line (Flickr30k Entities' ``train.txt`` only the bare ID); their caption files
(``results_20130124.token``, ``Flickr8k.token.txt``) hold ``name#n<TAB>caption``, five
lines per image, and Kaggle's ``results.csv`` ``name| n| caption``. All of them work.
Names are read as names only: a line with a folder in it (``../x/1000092795.jpg``) is a
bad row, since a manifest that points elsewhere is not a list of this dataset's images.
Captions are never decoded or kept.
"""

from __future__ import annotations

import re
from itertools import repeat
from typing import Iterator

from .keys import MAX_PHOTO_ID
from .parsing import ParseContext, decode, describe
from .sources import OVERLONG, Source, line_batches

Batch = list[tuple]

_FLICKR30K_NAME = re.compile(rb"([0-9]{1,19})(?:\.jpe?g)?(?:#[0-9]{1,2})?", re.IGNORECASE)
_FLICKR8K_NAME = re.compile(rb"([0-9]{1,19})_[0-9a-f]{4,16}\.jpe?g(?:#[0-9]{1,2})?",
                            re.IGNORECASE)
_HEADERS = (b"image", b"image_name", b"image_id", b"filename", b"file_name", b"name")


def parse_flickr30k(source: Source, ctx: ParseContext) -> Iterator[Batch]:
    """Flickr30k: a photo ID or ``<photo_id>.jpg`` a line, optionally ``#n`` and a
    caption after a tab or ``|``. Keeps the photo ID, each photo once."""
    yield from _image_names(source, ctx, "flickr30k", _FLICKR30K_NAME,
                            "not a Flickr30k photo ID or image name (<photo_id>.jpg)")


def parse_flickr8k(source: Source, ctx: ParseContext) -> Iterator[Batch]:
    """Flickr8k: ``<photo_id>_<secret>.jpg`` a line, optionally ``#n`` and a caption after
    a tab. Keeps the photo ID, each photo once."""
    yield from _image_names(source, ctx, "flickr8k", _FLICKR8K_NAME,
                            "not a Flickr8k image name (<photo_id>_<secret>.jpg)")


def _image_names(source: Source, ctx: ParseContext, format_name: str, pattern: re.Pattern,
                 wrong: str) -> Iterator[Batch]:
    tally = ctx.tally
    last = None
    for first, lines in line_batches(source, format_name):
        rows: Batch = []
        if format_name == "flickr30k" and _all_plain_ids(lines):
            # the common split list, one bare photo ID a line: no per-line regex
            values = list(map(int, lines))
            for value in values:
                if value == last:
                    tally.duplicates += 1
                    continue
                last = value
                rows.append((value,))
            tally.rows += len(rows)
            yield rows
            continue
        for offset, line in enumerate(lines):
            number = first + offset
            if line == OVERLONG or b"\x00" in line:
                ctx.bad(number, describe(line), len(rows))
                continue
            name = line.split(b"\t", 1)[0].split(b"|", 1)[0].strip()
            if not name or name.startswith(b"#"):
                continue
            match = pattern.fullmatch(name)
            if match is None:
                if number == 1 and name.lower() in _HEADERS:
                    continue   # a header line (results.csv: "image_name| comment_number| ...")
                ctx.bad(number, "a path, not an image name" if b"/" in name or b"\\" in name
                        else wrong, len(rows))
                continue
            digits = match.group(1)
            value = int(digits)
            if digits[0] == 48 or value > MAX_PHOTO_ID:     # b"0": no photo ID starts so
                ctx.bad(number, "photo ID out of range", len(rows))
                continue
            if value == last:
                tally.duplicates += 1    # the five caption lines of one image
                continue
            last = value
            rows.append((value,))
        tally.rows += len(rows)
        yield rows


def _all_plain_ids(lines: list[bytes]) -> bool:
    """True when every line is 1-18 ASCII digits not starting with 0 (no int overflow,
    no empty line, no header): checked in C, no Python loop per line."""
    return bool(lines) and all(map(bytes.isdigit, lines)) \
        and max(map(len, lines)) <= 18 and not any(map(bytes.startswith, lines, repeat(b"0")))


def parse_conceptual_captions(source: Source, ctx: ParseContext) -> Iterator[Batch]:
    """Conceptual Captions TSV: ``caption<TAB>image URL`` (CC3M; CC12M's ``URL<TAB>caption``
    works too: the field that is a web address is taken). Keeps the URL, or the photo ID
    and owner for Flickr URLs."""
    tally = ctx.tally
    for first, lines in line_batches(source, "conceptual-captions"):
        rows: Batch = []
        for offset, line in enumerate(lines):
            number = first + offset
            if not line.strip():
                continue
            if line == OVERLONG or b"\x00" in line:
                ctx.bad(number, describe(line), len(rows))
                continue
            fields = line.split(b"\t")
            if len(fields) != 2:
                ctx.bad(number, f"{len(fields)} tab-separated fields, expected 2 "
                        "(caption and image URL)", len(rows))
                continue
            raw = fields[1] if fields[1][:8].lower().startswith((b"http://", b"https://")) \
                else fields[0]
            url = decode(raw.strip())
            keys = ctx.url_keys(url) if url is not None else None
            if keys is None:
                if number == 1 and raw.strip().lower() in (b"url", b"image_url"):
                    continue   # a header line
                ctx.bad(number, "URL is not valid UTF-8" if url is None
                        else "the image URL cannot be read (characters no web address has)"
                        if url.lower().startswith(("http://", "https://"))
                        else "no http(s) image URL in the line", len(rows))
                continue
            rows.append(keys)
        tally.rows += len(rows)
        yield rows
