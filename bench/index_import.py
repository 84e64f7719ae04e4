"""Index import throughput for three owner distributions vs the sqlite3 CLI `.import`.

    python -m bench.index_import [ROWS=2000000] [RUNS=5] [SHAPES=170,7,1] [--python]

Generates YFCC100M-format TSVs (25 fields, ~620 bytes a line, streamed to
bench/out/) once per shape, where a shape is the number of photos per owner:

* 170: about 170 photos per account (YFCC100M's own spread);
* 7: about 7 per account (the MegaFace-like spread: many small accounts);
* 1: every photo its own account (the worst case for the owners table).

Then, for each shape, side by side and RUNS times each (interleaved, so a load
spike hits all alike):

* rightsbot: ``import_manifest(..., "yfcc100m")`` into a fresh index file;
* sqlite3 CLI: ``.mode tabs`` / ``.import`` into a 25-column table in a fresh file,
  then ``CREATE INDEX`` on photo_id and on user_nsid (the same two lookups);
* with ``--python``: ``csv.reader`` rows -> ``executemany`` into the same table and
  the same two indexes.

Prints, per shape, the median wall-clock seconds, the median CPU seconds (the
process and its threads, or the CLI child: a fairer figure on a shared machine),
rows/s, the ratio to rightsbot and bytes per row. Also times re-importing a small
dataset into an index that already holds the big one (the cost of the
copy-and-rename that makes imports atomic).
"""

from __future__ import annotations

import csv
import os
import resource
import shutil
import sqlite3
import statistics
import subprocess
import sys
import time
from pathlib import Path
from typing import Callable

from bench.index_data import owners_for, write_yfcc
from bot.index import import_manifest

OUT = Path(__file__).resolve().parent / "out"
COLUMNS = ("line_number photo_id photo_hash user_nsid user_nickname date_taken date_uploaded "
           "capture_device title description user_tags machine_tags longitude latitude accuracy "
           "page_url download_url license_name license_url server_id farm_id secret "
           "secret_original extension_original marker").split()
INDEXES = ("CREATE INDEX yfcc_photo ON yfcc(photo_id)", "CREATE INDEX yfcc_owner ON yfcc(user_nsid)")
SHAPES = (170, 7, 1)
Timed = tuple[float, float]   # (wall seconds, CPU seconds)


def dataset(rows: int, per_owner: int) -> Path:
    OUT.mkdir(exist_ok=True)
    path = OUT / (f"yfcc_{rows}.tsv" if per_owner == 170 else f"yfcc_{rows}_per{per_owner}.tsv")
    if not path.exists():
        started = time.perf_counter()
        tmp = path.with_suffix(".partial")
        with open(tmp, "w", encoding="utf-8", buffering=1 << 20) as out:
            write_yfcc(out, rows, owners=owners_for(rows, per_owner))
        tmp.rename(path)
        print(f"generated {path.name} ({path.stat().st_size / 1e9:.2f} GB) in "
              f"{time.perf_counter() - started:.0f} s", flush=True)
    return path


def fresh(path: Path) -> Path:
    for suffix in ("", "-journal", ".lock"):
        Path(str(path) + suffix).unlink(missing_ok=True)
    return path


def _own_cpu() -> float:
    """CPU seconds of this process (every thread) and of its children that have ended
    (the import's worker processes)."""
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime + _child_cpu()


def _child_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def run_rightsbot(tsv: Path, db: Path) -> Timed:
    fresh(db)
    cpu, started = _own_cpu(), time.perf_counter()
    import_manifest(db, "yfcc100m", "yfcc100m", [tsv])
    return time.perf_counter() - started, _own_cpu() - cpu


def run_cli(tsv: Path, db: Path) -> Timed:
    script = (f"CREATE TABLE yfcc({', '.join(COLUMNS)});\n.mode tabs\n.import '{tsv}' yfcc\n"
              + ";\n".join(INDEXES) + ";\n")
    fresh(db)
    cpu, started = _child_cpu(), time.perf_counter()   # the sqlite3 process alone
    subprocess.run(["sqlite3", str(db)], input=script, text=True, check=True)
    return time.perf_counter() - started, _child_cpu() - cpu


def run_python(tsv: Path, db: Path) -> Timed:
    fresh(db)
    cpu, started = _own_cpu(), time.perf_counter()
    conn = sqlite3.connect(db)
    conn.execute(f"CREATE TABLE yfcc({', '.join(COLUMNS)})")
    csv.field_size_limit(1 << 24)
    with open(tsv, newline="", encoding="utf-8") as fh:
        reader = csv.reader(fh, delimiter="\t", quoting=csv.QUOTE_NONE)
        conn.executemany(f"INSERT INTO yfcc VALUES ({', '.join('?' * len(COLUMNS))})", reader)
    for sql in INDEXES:
        conn.execute(sql)
    conn.commit()
    conn.close()
    return time.perf_counter() - started, _own_cpu() - cpu


def reimport_small(db: Path, tmp: Path) -> float:
    small = tmp / "pipa_small.txt"
    small.write_text("".join(f"1 {1000 + n} 1 1 1 1 1 0\n" for n in range(10_000)))
    started = time.perf_counter()
    import_manifest(db, "pipa", "pipa", [small])
    return time.perf_counter() - started


def machine() -> str:
    cpu = next((line.split(":", 1)[1].strip() for line in open("/proc/cpuinfo")
                if line.startswith("model name")), "?")
    load = os.getloadavg()
    version = subprocess.run(["sqlite3", "--version"], capture_output=True, text=True).stdout
    return (f"{os.cpu_count()} cores ({cpu}), load average {load[0]:.1f}/{load[1]:.1f}; "
            f"Python {sys.version.split()[0]}, SQLite lib {sqlite3.sqlite_version}, "
            f"CLI {version.split()[0] if version else 'missing'}")


def bench_shape(rows: int, runs: int, per_owner: int, with_python: bool) -> dict[str, list[Timed]]:
    tsv = dataset(rows, per_owner)
    work = OUT / "import"
    work.mkdir(exist_ok=True)
    contenders: dict[str, tuple[Callable[[Path, Path], Timed], Path]] = {
        "rightsbot import": (run_rightsbot, work / "rightsbot.sqlite")}
    if shutil.which("sqlite3") is not None:
        contenders["sqlite3 CLI .import + indexes"] = (run_cli, work / "cli.sqlite")
    if with_python:
        contenders["python csv + executemany + indexes"] = (run_python, work / "py.sqlite")
    times: dict[str, list[Timed]] = {name: [] for name in contenders}
    sizes: dict[str, int] = {}
    print(f"\n== {per_owner} photo(s) per owner: {tsv.name}; {machine()}", flush=True)
    for run in range(runs):
        for name, (fn, db) in contenders.items():
            timed = fn(tsv, db)
            times[name].append(timed)
            sizes[name] = db.stat().st_size
            print(f"run {run + 1}: {name}: {timed[0]:.2f} s wall, {timed[1]:.2f} s CPU", flush=True)
    ours = statistics.median(t[0] for t in times["rightsbot import"])
    ours_cpu = statistics.median(t[1] for t in times["rightsbot import"])
    print(f"\n{rows:,} rows, ~{per_owner} per owner, {tsv.stat().st_size / rows:.0f} bytes per "
          f"line, median of {runs}:")
    print(f"{'contender':<36} {'wall s':>7} {'rows/s':>10} {'ratio':>7} {'CPU s':>7} {'ratio':>7} "
          f"{'bytes/row':>10}")
    for name, values in times.items():
        wall = statistics.median(t[0] for t in values)
        cpu = statistics.median(t[1] for t in values)
        print(f"{name:<36} {wall:>7.2f} {rows / wall:>10,.0f} {wall / ours:>6.2f}x {cpu:>7.2f} "
              f"{cpu / ours_cpu:>6.2f}x {sizes[name] / rows:>10.1f}")
    if per_owner == SHAPES[0]:
        copies = [reimport_small(work / "rightsbot.sqlite", work) for _ in range(runs)]
        print(f"re-import of a 10,000-row dataset into the index holding {rows:,} rows: "
              f"median {statistics.median(copies):.2f} s (copies the other datasets, then renames)")
    for _name, (_fn, db) in contenders.items():
        fresh(db)
    return times


def main(argv: list[str]) -> int:
    with_python = "--python" in argv
    args = [a for a in argv if a != "--python"]
    rows = int(args[0]) if args else 2_000_000
    runs = int(args[1]) if len(args) > 1 else 5
    shapes = tuple(int(s) for s in args[2].split(",")) if len(args) > 2 else SHAPES
    if shutil.which("sqlite3") is None:
        print("the sqlite3 CLI is missing (apt-get install -y sqlite3); only rightsbot (and "
              "--python) will run", file=sys.stderr)
    for per_owner in shapes:
        bench_shape(rows, runs, per_owner, with_python)
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
