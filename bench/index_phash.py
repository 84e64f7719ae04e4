"""Perceptual-hash radius search vs a numpy brute-force scan, at 1M and 10M hashes.

    python -m bench.index_phash [SIZES=1000000,10000000] [QUERIES=200]

For each size: random 64-bit hashes plus, around half of the queries, planted
neighbours at every distance 0..12. Each query runs through the multi-index
search (bot.index.phash.PhashSearch) and the brute-force scan
(XOR + np.bitwise_count over the whole array); the two answers are compared
for every query (recall must be 100%, and no extra hits). Reports median and
p99 milliseconds per query at radius 4, 8 (the default match_radius) and 12,
build time and memory. Also measures the first find_similar of a 1M-hash index
(loading the hashes from SQLite) and the queries after it.
"""

from __future__ import annotations

import statistics
import sys
import time

import numpy as np

from bench.index_import import OUT, machine
from bot.index import DatasetIndex, import_manifest
from bot.index.phash import PhashSearch, brute_force

RADII = (4, 8, 12)


def dataset(size: int, queries: int, seed: int = 1) -> tuple[np.ndarray, list[int]]:
    rng = np.random.default_rng(seed)
    hashes = rng.integers(0, 2**64 - 1, size=size, dtype=np.uint64, endpoint=True)
    picked = [int(h) for h in rng.integers(0, 2**64 - 1, size=queries, dtype=np.uint64)]
    planted = []
    for query in picked[: queries // 2]:
        for distance in range(13):
            bits = rng.choice(64, size=distance, replace=False)
            value = query
            for bit in bits:
                value ^= 1 << int(bit)
            planted.append(value)
    hashes[: len(planted)] = np.array(planted, dtype=np.uint64)
    rng.shuffle(hashes)
    return hashes, picked


def pct(values: list[float]) -> tuple[float, float]:
    ordered = sorted(values)
    return statistics.median(ordered), ordered[min(len(ordered) - 1, int(len(ordered) * 0.99))]


def bench_size(size: int, queries: int) -> None:
    hashes, picked = dataset(size, queries)
    started = time.perf_counter()
    search = PhashSearch(hashes)
    build = time.perf_counter() - started
    memory = hashes.nbytes + sum(o.nbytes for o in search.orders) + \
        sum(o.nbytes for o in search.offsets) + search.rowids.nbytes + search.table_no.nbytes
    print(f"\n{size:,} hashes: built in {build:.2f} s, {memory / size:.0f} bytes per hash",
          flush=True)
    print(f"{'radius':>6} {'multi-index ms':>15} {'p99':>7} {'brute force ms':>15} {'p99':>7} "
          f"{'speed-up':>9} {'hits/query':>10} {'recall':>7}")
    for radius in RADII:
        ours, scan, found = [], [], 0
        for query in picked:
            t0 = time.perf_counter()
            got, _ = search.positions(query, radius)
            t1 = time.perf_counter()
            want, _ = brute_force(hashes, query, radius)
            t2 = time.perf_counter()
            if not np.array_equal(np.sort(got), np.sort(want)):
                raise SystemExit(f"recall failure at radius {radius}, query {query:016x}")
            ours.append((t1 - t0) * 1000)
            scan.append((t2 - t1) * 1000)
            found += len(got)
        (o50, o99), (s50, s99) = pct(ours), pct(scan)
        print(f"{radius:>6} {o50:>15.3f} {o99:>7.3f} {s50:>15.3f} {s99:>7.3f} "
              f"{s50 / o50:>8.1f}x {found / len(picked):>10.1f} {'100%':>7}", flush=True)


def bench_index(size: int = 1_000_000) -> None:
    OUT.mkdir(exist_ok=True)
    csv_path = OUT / f"phash_{size}.csv"
    index_path = OUT / f"phash_{size}.sqlite"
    hashes, picked = dataset(size, 50, seed=2)
    if not index_path.exists():
        with open(csv_path, "w", encoding="ascii") as out:
            out.write("url,phash\n")
            for n, value in enumerate(hashes.tolist()):
                out.write(f"https://img.example.org/{n}.jpg,{value:016x}\n")
        import_manifest(index_path, "hashed", "csv", [csv_path],
                        options={"columns": {"url": "url", "phash": "phash"}})
        csv_path.unlink()
    with DatasetIndex.open(index_path) as index:
        started = time.perf_counter()
        first = index.find_similar(picked[0], 8)
        load = time.perf_counter() - started
        times = []
        for query in picked[1:]:
            t0 = time.perf_counter()
            index.find_similar(query, 8)
            times.append((time.perf_counter() - t0) * 1000)
    print(f"\nDatasetIndex.find_similar over {size:,} stored hashes: first call (loads the hashes "
          f"from SQLite, builds the tables) {load:.2f} s with {len(first)} hits; then median "
          f"{statistics.median(times):.3f} ms per query at radius 8 (hits resolved to rows)")


def main(argv: list[str]) -> int:
    sizes = [int(s) for s in argv[0].split(",")] if argv else [1_000_000, 10_000_000]
    queries = int(argv[1]) if len(argv) > 1 else 200
    print(machine(), flush=True)
    for size in sizes:
        bench_size(size, queries)
    bench_index(min(sizes[0], 1_000_000))
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
