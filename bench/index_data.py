"""Synthetic YFCC100M-format data for the index benchmarks and the demo sample.

Streams to disk (nothing is held in memory), deterministic for a seed. IDs are
fictional on purpose: photo IDs start at 9,000,000,000,000 (13 digits; Flickr's
real IDs are 10-11 digits) and NSIDs end in ``@N99`` (real ones end in
@N00-@N0x), so nothing generated here can name a real Flickr photo or person.

    python -m bench.index_data yfcc OUT.tsv ROWS [PHOTOS_PER_OWNER=170]   # benchmark input
    python -m bench.index_data demo bot/data/demo       # regenerate the demo sample
"""

from __future__ import annotations

import gzip
import random
import sys
from pathlib import Path
from typing import Iterator, TextIO
from urllib.parse import quote_plus

BENCHMARK = False   # a data generator used by the index benchmarks and the demo
PHOTO_BASE = 9_000_000_000_000
SHUFFLE = 2_654_435_761   # a prime: i -> i * SHUFFLE mod n permutes 0..n-1
NSID_BASE = 99_990_000
WORDS = ("sunset beach family wedding street portrait city park dog cat friends party "
         "holiday travel mountain lake river snow summer winter spring autumn birthday "
         "concert museum market festival garden bridge tower night light rain cloud "
         "window door train station airport harbour boat bike road forest flower").split()
LICENSES = (("Attribution License", "http://creativecommons.org/licenses/by/2.0/"),
            ("Attribution-ShareAlike License", "http://creativecommons.org/licenses/by-sa/2.0/"),
            ("Attribution-NonCommercial License", "http://creativecommons.org/licenses/by-nc/2.0/"))


def nsid(owner: int) -> str:
    return f"{NSID_BASE + owner}@N99"


def photo(number: int) -> int:
    return PHOTO_BASE + number


def yfcc_rows(count: int, *, owners: int, seed: int = 1, start: int = 0,
              text_words: int = 30) -> Iterator[tuple[int, int, str]]:
    """``(photo number, owner number, 25-field line)`` for ``count`` synthetic photos.

    Each photo's owner is drawn at random from ``owners`` accounts; ``owners=0`` gives
    every photo an account of its own (the worst case for the owners table), in a
    shuffled order (a multiplicative permutation of the photo numbers)."""
    rng = random.Random(seed)
    for i in range(start, start + count):
        owner = rng.randrange(owners) + 1 if owners else (i * SHUFFLE) % (start + count) + 1
        pid = photo(i)
        server = rng.randrange(1000, 9999)
        farm = rng.randrange(1, 9)
        secret = f"{rng.getrandbits(40):010x}"
        words = rng.choices(WORDS, k=text_words)
        title = quote_plus(" ".join(words[:4]))
        description = quote_plus(" ".join(words[4:]))
        tags = ",".join(words[:6])
        license_name, license_url = LICENSES[i % 3]
        fields = (
            str(i), str(pid), f"{rng.getrandbits(128):032x}", nsid(owner), f"synthetic{owner}",
            f"2012-0{1 + i % 9}-1{i % 10} 09:56:37.0", str(1331840483 + i), "Canon+EOS+400D",
            title, description, tags, "", f"{rng.uniform(-180, 180):.6f}",
            f"{rng.uniform(-90, 90):.6f}", "16",
            f"http://www.flickr.com/photos/{nsid(owner)}/{pid}/",
            f"http://farm{farm}.staticflickr.com/{server}/{pid}_{secret}.jpg",
            license_name, license_url, str(server), str(farm), secret,
            f"{rng.getrandbits(40):010x}", "jpg", "0")
        yield i, owner, "\t".join(fields)


def owners_for(rows: int, per_owner: int) -> int:
    """The ``owners`` argument giving about ``per_owner`` photos per account (1: one each)."""
    return 0 if per_owner <= 1 else max(rows // per_owner, 1)


def write_yfcc(out: TextIO, count: int, *, owners: int, seed: int = 1,
               text_words: int = 30) -> None:
    for _i, _owner, line in yfcc_rows(count, owners=owners, seed=seed, text_words=text_words):
        out.write(line)
        out.write("\n")


def write_demo(folder: Path) -> None:
    """The synthetic part of the demo: YFCC100M sample, DiF URL list, MegaFace paths."""
    folder.mkdir(parents=True, exist_ok=True)
    rows = list(yfcc_rows(3000, owners=60, seed=2019, text_words=12))
    with gzip.GzipFile(folder / "yfcc100m_synthetic_sample.tsv.gz", "wb", mtime=0) as fh:
        for _i, _owner, line in rows:
            fh.write(line.encode() + b"\n")
    # DiF: CC-licensed photos of owners 1-20, as Flickr page URLs (every second photo)
    with gzip.GzipFile(folder / "dif_synthetic_urls.txt.gz", "wb", mtime=0) as fh:
        fh.write(b"# SYNTHETIC DiF-style list: fictional Flickr URLs, see README.md\n")
        for i, owner, _line in rows:
            if owner <= 20 and i % 2 == 0:
                fh.write(f"http://www.flickr.com/photos/{nsid(owner)}/{photo(i)}/\n".encode())
    # MegaFace: owners 1-10 and 31-40, one or two faces per photo
    with gzip.GzipFile(folder / "megaface_synthetic_paths.txt.gz", "wb", mtime=0) as fh:
        for i, owner, _line in rows:
            if owner <= 10 or 31 <= owner <= 40:
                for face in range(1 + i % 2):
                    name = nsid(owner)
                    fh.write(f"FlickrFinal2/{name[:3]}/{name}/{photo(i)}_{face}.jpg\n".encode())


def main(argv: list[str]) -> int:
    if len(argv) >= 3 and argv[0] == "yfcc":
        with open(argv[1], "w", encoding="utf-8", buffering=1 << 20) as out:
            rows = int(argv[2])
            per_owner = int(argv[3]) if len(argv) > 3 else 170
            write_yfcc(out, rows, owners=owners_for(rows, per_owner))
        return 0
    if len(argv) == 2 and argv[0] == "demo":
        write_demo(Path(argv[1]))
        return 0
    print(__doc__, file=sys.stderr)
    return 2


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
