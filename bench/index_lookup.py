"""Index point lookups (photo ID, NSID) and 1,000-photo account checks at 10M rows.

    python -m bench.index_lookup [ROWS=10000000] [QUERIES=20000]

Imports a generated YFCC100M-format file of ROWS rows (streamed to bench/out/,
short text fields) once, then measures in-process, one call at a time:

* ``find_photo_ids([id])``: half hits, half misses, random order;
* ``find_owners([nsid])``: random accounts (~170 photos each);
* an account check: ``Checker.check`` of one NSID whose public photo list (1,000
  IDs, a fifth of them in the index) comes from an in-process stand-in for the
  Flickr client, so the figure is the index side without the network.

Reports p50/p99 latency (median of the per-run percentiles over RUNS runs).
"""

from __future__ import annotations

import random
import statistics
import sys
import time
from pathlib import Path

from bench.index_data import NSID_BASE, PHOTO_BASE, write_yfcc
from bench.index_import import OUT, machine
from bot.check import CheckRequest, Checker
from bot.index import DatasetIndex, import_manifest

RUNS = 3


class ListedAccount:
    """Stands in for FlickrClient: an account with a fixed public photo list."""

    has_key = True

    def __init__(self, ids: list[str]) -> None:
        self.ids = ids

    def public_photo_ids(self, nsid: str, progress=None) -> list[str]:  # noqa: ANN001
        return self.ids

    def resolve_user(self, alias: str) -> str:
        raise AssertionError("not used")


def build(rows: int) -> Path:
    OUT.mkdir(exist_ok=True)
    index = OUT / f"lookup_{rows}.sqlite"
    if index.exists():
        return index
    tsv = OUT / f"yfcc_{rows}_short.tsv"
    if not tsv.exists():
        started = time.perf_counter()
        with open(tsv.with_suffix(".partial"), "w", encoding="utf-8", buffering=1 << 20) as out:
            write_yfcc(out, rows, owners=max(rows // 170, 1), text_words=3)
        tsv.with_suffix(".partial").rename(tsv)
        print(f"generated {tsv.name} ({tsv.stat().st_size / 1e9:.2f} GB) in "
              f"{time.perf_counter() - started:.0f} s", flush=True)
    started = time.perf_counter()
    report = import_manifest(index, "yfcc100m", "yfcc100m", [tsv])
    print(f"imported {report.rows:,} rows in {time.perf_counter() - started:.1f} s; "
          f"{index.stat().st_size / report.rows:.1f} bytes per row", flush=True)
    return index


def percentiles(samples: list[float]) -> tuple[float, float]:
    ordered = sorted(samples)
    return ordered[len(ordered) // 2], ordered[min(len(ordered) - 1, int(len(ordered) * 0.99))]


def timed(fn, args: list) -> list[float]:  # noqa: ANN001
    out = []
    for arg in args:
        started = time.perf_counter_ns()
        fn(arg)
        out.append((time.perf_counter_ns() - started) / 1000)
    return out


def main(argv: list[str]) -> int:
    rows = int(argv[0]) if argv else 10_000_000
    queries = int(argv[1]) if len(argv) > 1 else 20_000
    path = build(rows)
    owners = max(rows // 170, 1)
    rng = random.Random(5)
    print(machine(), flush=True)
    results: dict[str, list[tuple[float, float]]] = {}
    with DatasetIndex.open(path) as index:
        index.find_photo_ids(["1"])   # open, read the dataset list
        for _run in range(RUNS):
            ids = [str(PHOTO_BASE + rng.randrange(rows)) if n % 2 else
                   str(PHOTO_BASE + rows + rng.randrange(rows)) for n in range(queries)]
            hits = sum(1 for i in ids[:200] if index.find_photo_ids([i]))
            assert 80 <= hits <= 120, hits
            results.setdefault("find_photo_ids, 1 ID", []).append(
                percentiles(timed(lambda i: index.find_photo_ids([i]), ids)))
            nsids = [f"{NSID_BASE + 1 + rng.randrange(owners)}@N99" for _ in range(queries // 4)]
            results.setdefault("find_owners, 1 NSID (~170 photos)", []).append(
                percentiles(timed(lambda n: index.find_owners([n]), nsids)))
            unknown = [f"{NSID_BASE + owners + 1 + rng.randrange(owners)}@N99"
                       for _ in range(queries // 4)]
            results.setdefault("find_owners, 1 NSID not in the index", []).append(
                percentiles(timed(lambda n: index.find_owners([n]), unknown)))
            checks = []
            for _ in range(100):
                nsid = f"{NSID_BASE + 1 + rng.randrange(owners)}@N99"
                listed = [str(PHOTO_BASE + rng.randrange(rows)) for _ in range(200)] + \
                         [str(PHOTO_BASE + rows + rng.randrange(rows)) for _ in range(800)]
                checker = Checker(index, ListedAccount(listed), radius=8,  # type: ignore[arg-type]
                                  max_bytes=1 << 20, max_pixels=1 << 20)
                started = time.perf_counter_ns()
                result = checker.check(CheckRequest(flickr=(nsid,)))
                checks.append((time.perf_counter_ns() - started) / 1000)
                assert len(result.matches) >= 200
            results.setdefault("account check, 1,000 listed photos", []).append(
                percentiles(checks))
    print(f"\n{rows:,} rows, {path.stat().st_size / rows:.1f} bytes per row; "
          f"median over {RUNS} runs of the per-run percentiles:")
    print(f"{'lookup':<40} {'p50 µs':>10} {'p99 µs':>10}")
    for name, values in results.items():
        p50 = statistics.median(v[0] for v in values)
        p99 = statistics.median(v[1] for v in values)
        print(f"{name:<40} {p50:>10.1f} {p99:>10.1f}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
