"""Storage throughput: session saves per second for N people at once, on a real Store.

    python -m bench.storage_throughput [--people 200] [--turns 20] [--stored 0,10000]
                                       [--runs 3] [--baseline-seconds 15]

N threads, one per person, start together; each runs T turns the way a journey turn
uses the store (``Journey.handle``): ``load_session``, then ``save_session`` of a
2.6 kB session (one atomic write: temp file, fsync, ``os.replace``, fsync of the folder).
With ``--stored S``, S other people's files are already in the folder (written
before the timing, fsync off). For each S, the median of RUNS runs of:

- ``Store``: rightsbot's store, one TinyDB file per person, a lock per person;
- ``Store, fsync off``: the same with ``os.fsync`` a no-op, what durability costs;
- baseline: one TinyDB file for everyone (TinyDB's default ``JSONStorage``: rewritten
  in place with fsync, not atomic) behind one lock (TinyDB is not thread-safe), the
  same N threads and turns. It rewrites every session on each save, so a run stops
  after ``--baseline-seconds`` and counts the turns finished by then.

Reported per contender: saves per second (turns finished / wall time) and the p50 /
p95 time of one turn (load + save, waiting for locks included).
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import statistics
import sys
import tempfile
import threading
import time
from pathlib import Path
from typing import Callable, Iterator

from tinydb import TinyDB
from tinydb.table import Document

from bot.storage import Store

FIRST_ID = 10_000_000          # the measured people; the stored others are 1..S


def session(user_id: int, turn: int) -> dict:
    """A session shaped like the journey's at the letter form (2.6 kB as JSON)."""
    photos = [str(1808093328 + 7919 * i) for i in range(8)]
    return {
        "version": 1, "consented": True, "step": "form_email", "nonce": turn,
        "inputs": {"flickr": [f"https://www.flickr.com/photos/12345678@N00/{p}/" for p in photos],
                   "urls": [], "photos": []},
        "result": {"checked": photos, "problems": [], "matches": [
            {"dataset": "pipa", "match": "flickr-photo", "photo_id": p, "owner": "12345678@N00",
             "url": f"https://www.flickr.com/photos/12345678@N00/{p}/", "distance": None,
             "query": p} for p in photos]},
        "form": {"name": "Ann Example", "email": "ann@example.org", "residence": "US-IL",
                 "address": ["1200 W Example Ave Apt 3", "Chicago, IL 60601"],
                 "uploaded_from": "US-IL", "shown": "me", "signature": "typed"},
        "user": user_id, "last_seen": "2026-11-26T12:00:00+00:00",
    }


@contextlib.contextmanager
def fsync_off() -> Iterator[None]:
    real = os.fsync
    os.fsync = lambda fd: None      # type: ignore[assignment]
    try:
        yield
    finally:
        os.fsync = real


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))] if ordered else float("nan")


Turn = Callable[[int, int, Callable[[], bool]], bool]


def timed_run(turn: Turn, people: list[int], turns: int,
              deadline: float | None = None) -> tuple[float, list[float]]:
    """Run ``turns`` turns for each person, one thread each, all starting together, until
    ``deadline`` seconds have passed (a turn told ``expired()`` gives up and returns False);
    (saves per second, times of the turns done, in seconds)."""
    start = threading.Barrier(len(people) + 1)
    times: list[list[float]] = [[] for _ in people]

    def expired() -> bool:
        return deadline is not None and time.perf_counter() > began + deadline

    def person(index: int, user_id: int) -> None:
        start.wait()
        for n in range(turns):
            t0 = time.perf_counter()
            if expired() or not turn(user_id, n, expired):
                return
            times[index].append(time.perf_counter() - t0)

    threads = [threading.Thread(target=person, args=(i, u)) for i, u in enumerate(people)]
    for thread in threads:
        thread.start()
    began = time.perf_counter()
    start.wait()
    for thread in threads:
        thread.join()
    wall = time.perf_counter() - began
    flat = [t for per in times for t in per]
    return len(flat) / wall, flat


def store_turn(store: Store) -> Turn:
    def turn(user_id: int, n: int, expired: Callable[[], bool]) -> bool:
        store.load_session(user_id)
        store.save_session(user_id, session(user_id, n))
        return True
    return turn


def single_file_turn(db: TinyDB, lock: threading.Lock) -> Turn:
    table = db.table("sessions")

    def turn(user_id: int, n: int, expired: Callable[[], bool]) -> bool:
        with lock:
            if expired():          # waited for the lock past the end of the run
                return False
            table.get(doc_id=user_id)
            table.upsert(Document(session(user_id, n), doc_id=user_id))
        return True
    return turn


def fill_store(folder: Path, stored: int) -> None:
    with fsync_off(), Store.open(folder) as store:
        for user_id in range(1, stored + 1):
            store.save_session(user_id, session(user_id, 0))


def fill_single_file(path: Path, stored: int) -> None:
    db = TinyDB(path)
    db.table("sessions").insert_multiple(
        Document(session(user_id, 0), doc_id=user_id) for user_id in range(1, stored + 1))
    db.close()


def machine() -> str:
    cpu = next((line.split(":", 1)[1].strip() for line in open("/proc/cpuinfo")
                if line.startswith("model name")), "?")
    load = os.getloadavg()
    import tinydb
    return (f"{os.cpu_count()} cores ({cpu}), load average {load[0]:.1f}/{load[1]:.1f}; "
            f"Python {sys.version.split()[0]}, tinydb {tinydb.__version__}")


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.storage_throughput")
    parser.add_argument("--people", type=int, default=200)
    parser.add_argument("--turns", type=int, default=20)
    parser.add_argument("--stored", default="0,10000", help="other people already stored")
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--baseline-seconds", type=float, default=15.0)
    args = parser.parse_args(argv)
    stored_sizes = [int(s) for s in args.stored.split(",") if s.strip()]
    print(machine())
    size = len(json.dumps(session(FIRST_ID, 0)).encode("utf-8"))
    print(f"{args.people} people at once, {args.turns} turns each (load + save of a "
          f"{size}-byte session); median of {args.runs} runs", flush=True)
    rows = []
    for stored in stored_sizes:
        with tempfile.TemporaryDirectory(prefix="bench-storage-") as tmp:
            folder = Path(tmp) / "store"
            fill_store(folder, stored)
            fill_single_file(Path(tmp) / "single.json", stored)
            results: dict[str, list[tuple[float, list[float]]]] = {}
            for run in range(args.runs):
                people = list(range(FIRST_ID + 2 * run * args.people,
                                    FIRST_ID + (2 * run + 1) * args.people))
                with Store.open(folder) as store:
                    results.setdefault("Store", []).append(
                        timed_run(store_turn(store), people, args.turns))
                    with fsync_off():
                        results.setdefault("Store, fsync off", []).append(
                            timed_run(store_turn(store), [p + args.people for p in people],
                                      args.turns))
                db, lock = TinyDB(Path(tmp) / "single.json"), threading.Lock()
                try:
                    results.setdefault("baseline: one TinyDB file for everyone", []).append(
                        timed_run(single_file_turn(db, lock), people, args.turns,
                                  deadline=args.baseline_seconds))
                finally:
                    db.close()
                print(f"  stored {stored}: run {run + 1} done", flush=True)
            for name, runs in results.items():
                rate = statistics.median(r for r, _ in runs)
                p50 = statistics.median(percentile(t, 0.50) for _, t in runs) * 1000
                p95 = statistics.median(percentile(t, 0.95) for _, t in runs) * 1000
                turns = statistics.median(len(t) for _, t in runs)
                rows.append((stored, name, rate, p50, p95, turns))
    load = os.getloadavg()
    print(f"load average at the end {load[0]:.1f}/{load[1]:.1f}")
    width = max(len(r[1]) for r in rows)
    print(f"\n{'stored':>7}  {'contender':<{width}}  {'saves/s':>8}  {'p50 ms':>8}  "
          f"{'p95 ms':>8}  {'turns':>6}")
    for stored, name, rate, p50, p95, turns in rows:
        print(f"{stored:>7}  {name:<{width}}  {rate:8.1f}  {p50:8.1f}  {p95:8.1f}  {turns:6.0f}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
