"""How fast Flickr keys come out of manifest URLs (the index importers' hot path).

    python -m bench.flickr_refs [URLS] [RUNS]

Times ``flickr_keys_from_url`` (one precompiled regex for the common forms)
against the baseline of running every URL through the full parser
(``parse_flickr_ref``), on a YFCC100M-like mix: half photo page URLs with an
NSID owner, a third static image URLs, the rest non-Flickr URLs and odd forms.
Prints the median of RUNS runs.
"""

from __future__ import annotations

import random
import statistics
import sys
import time

from bot.errors import ReferenceParseError
from bot.flickr import flickr_keys_from_url, parse_flickr_ref


def sample_urls(n: int, seed: int = 7) -> list[str]:
    rng = random.Random(seed)
    urls = []
    for _ in range(n):
        photo = rng.randrange(10**9, 6 * 10**10)
        nsid = f"{rng.randrange(10**6, 10**11)}@N{rng.randrange(0, 10):02d}"
        r = rng.random()
        if r < 0.5:
            urls.append(f"http://www.flickr.com/photos/{nsid}/{photo}/")
        elif r < 0.83:
            urls.append(f"http://farm{rng.randrange(1, 10)}.staticflickr.com/"
                        f"{rng.randrange(1, 9999)}/{photo}_{rng.getrandbits(40):010x}.jpg")
        elif r < 0.95:
            urls.append(f"https://images.example.org/{rng.getrandbits(64):x}/face_{photo}.jpg")
        else:
            urls.append(f"https://flic.kr/p/{rng.getrandbits(30):x}")
    return urls


def via_full_parser(url: str) -> tuple[str | None, str | None]:
    try:
        ref = parse_flickr_ref(url)
    except ReferenceParseError:
        return None, None
    if ref.kind == "photo":
        return ref.value, ref.owner
    return (None, ref.value) if ref.kind == "owner" else (None, None)


def time_once(fn, urls: list[str]) -> float:
    start = time.perf_counter()
    for url in urls:
        fn(url)
    return time.perf_counter() - start


def main(argv: list[str]) -> None:
    n = int(argv[0]) if argv else 200_000
    runs = int(argv[1]) if len(argv) > 1 else 5
    urls = sample_urls(n)
    agree = sum(flickr_keys_from_url(u) == via_full_parser(u) for u in urls[:20_000])
    print(f"{n} URLs, {runs} runs; fast path agrees with the full parser on "
          f"{agree}/{min(n, 20_000)} sampled URLs")
    for name, fn in (("flickr_keys_from_url", flickr_keys_from_url),
                     ("parse_flickr_ref (baseline)", via_full_parser)):
        times = [time_once(fn, urls) for _ in range(runs)]
        median = statistics.median(times)
        print(f"{name:30s} median {median:6.2f} s  {n / median / 1000:8.0f} k URLs/s  "
              f"{median / n * 1e6:6.2f} µs/URL")


if __name__ == "__main__":
    main(sys.argv[1:])
