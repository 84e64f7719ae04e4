"""How far a pHash moves when Telegram recompresses a photo, and how fast hashing is.

    python -m bench.phash_robustness [IMAGES] [RUNS]

For IMAGES generated photo-like pictures (tests/imaging.make_photo, 1600 x 1200,
saved as JPEG q92), prints the distribution of Hamming distances between the
original's pHash and the pHash after:

- "telegram": longest side 1280 px, JPEG q80, EXIF stripped (tests/imaging);
- "telegram-hd": longest side 2560 px (no resize here), JPEG q87;
- "rotated-exif": stored sideways with EXIF orientation 6, then "telegram";

and between unrelated pictures (all pairs). Then the median time of
``hash_image`` over RUNS runs for a 1600 x 1200 and a 4000 x 3000 JPEG, against
the baseline of plain ``imagehash.phash(Image.open(...))`` without guard rails.
"""

from __future__ import annotations

import collections
import io
import itertools
import statistics
import sys
import time

import imagehash
from PIL import Image

from bot.photos import hamming, hash_image
from tests.imaging import jpeg_bytes, make_photo, telegram_recompress, with_orientation

LIMITS = {"max_bytes": 50 * 1024 * 1024, "max_pixels": 50_000_000}


def phash(data: bytes) -> int:
    return hash_image(data, **LIMITS).phash


def histogram(values: list[int]) -> str:
    counts = collections.Counter(values)
    return ", ".join(f"{d}: {counts[d]}" for d in sorted(counts))


def robustness(n: int) -> None:
    originals, moves = [], collections.defaultdict(list)
    for seed in range(n):
        img = make_photo(seed)
        data = jpeg_bytes(img, quality=92)
        h = phash(data)
        originals.append(h)
        moves["telegram (1280 px, q80)"].append(hamming(h, phash(telegram_recompress(data))))
        moves["telegram-hd (2560 px, q87)"].append(
            hamming(h, phash(telegram_recompress(data, longest=2560, quality=87))))
        sideways = with_orientation(img, 6, "JPEG", quality=92)
        moves["EXIF-rotated, then telegram"].append(
            hamming(h, phash(telegram_recompress(sideways))))
    print(f"{n} pictures, 1600 x 1200, JPEG q92")
    for name, values in moves.items():
        print(f"  {name:30s} max {max(values)}, mean {statistics.mean(values):.2f}; "
              f"distance: count = {histogram(values)}")
    unrelated = [hamming(a, b) for a, b in itertools.combinations(originals, 2)]
    q = statistics.quantiles(unrelated, n=100)
    print(f"  unrelated pairs ({len(unrelated)}): min {min(unrelated)}, 1st percentile "
          f"{q[0]:.0f}, median {statistics.median(unrelated):.0f}, max {max(unrelated)}")


def timing(runs: int) -> None:
    for size in ((1600, 1200), (4000, 3000)):
        data = jpeg_bytes(make_photo(99, size), quality=92)
        ours, baseline = [], []
        for _ in range(runs):
            start = time.perf_counter()
            hash_image(data, **LIMITS)
            ours.append(time.perf_counter() - start)
            start = time.perf_counter()
            imagehash.phash(Image.open(io.BytesIO(data)))
            baseline.append(time.perf_counter() - start)
        print(f"  {size[0]} x {size[1]} JPEG ({len(data) // 1024} kB): hash_image median "
              f"{statistics.median(ours) * 1000:.0f} ms; baseline imagehash.phash median "
              f"{statistics.median(baseline) * 1000:.0f} ms")


def main(argv: list[str]) -> None:
    n = int(argv[0]) if argv else 50
    runs = int(argv[1]) if len(argv) > 1 else 7
    robustness(n)
    print(f"timing, median of {runs} runs:")
    timing(runs)


if __name__ == "__main__":
    main(sys.argv[1:])
