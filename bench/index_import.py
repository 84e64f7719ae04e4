"""Index import throughput vs the sqlite3 CLI `.import` and a Python executemany baseline.

    python -m bench.index_import [ROWS=2000000] [RUNS=3]

Generates a YFCC100M-format TSV (25 fields, ~600 bytes a line, streamed to
bench/out/) once, then, side by side and RUNS times each:

* rightsbot: ``import_manifest(..., "yfcc100m")`` into a fresh index file;
* sqlite3 CLI: ``.mode tabs`` / ``.import`` into a 25-column table in a fresh file,
  then ``CREATE INDEX`` on photo_id and on user_nsid (the same two lookups);
* Python: ``csv.reader`` rows -> ``executemany`` into the same 25-column table,
  then the same two indexes.

Prints median seconds, rows/s, the ratio, and bytes per row of each file. Also
times re-importing a small dataset into an index that already holds the big one
(the cost of the copy-and-rename that makes imports atomic).
"""

from __future__ import annotations

import csv
import os
import shutil
import sqlite3
import statistics
import subprocess
import sys
import time
from pathlib import Path

from bench.index_data import write_yfcc
from bot.index import import_manifest

OUT = Path(__file__).resolve().parent / "out"
COLUMNS = ("line_number photo_id photo_hash user_nsid user_nickname date_taken date_uploaded "
           "capture_device title description user_tags machine_tags longitude latitude accuracy "
           "page_url download_url license_name license_url server_id farm_id secret "
           "secret_original extension_original marker").split()
INDEXES = ("CREATE INDEX yfcc_photo ON yfcc(photo_id)", "CREATE INDEX yfcc_owner ON yfcc(user_nsid)")


def dataset(rows: int) -> Path:
    OUT.mkdir(exist_ok=True)
    path = OUT / f"yfcc_{rows}.tsv"
    if not path.exists():
        started = time.perf_counter()
        tmp = path.with_suffix(".partial")
        with open(tmp, "w", encoding="utf-8", buffering=1 << 20) as out:
            write_yfcc(out, rows, owners=max(rows // 170, 1))
        tmp.rename(path)
        print(f"generated {path.name} ({path.stat().st_size / 1e9:.2f} GB) in "
              f"{time.perf_counter() - started:.0f} s", flush=True)
    return path


def fresh(path: Path) -> Path:
    for suffix in ("", "-journal", ".lock"):
        Path(str(path) + suffix).unlink(missing_ok=True)
    return path


def run_rightsbot(tsv: Path, db: Path) -> float:
    started = time.perf_counter()
    import_manifest(fresh(db), "yfcc100m", "yfcc100m", [tsv])
    return time.perf_counter() - started


def run_cli(tsv: Path, db: Path) -> float:
    script = (f"CREATE TABLE yfcc({', '.join(COLUMNS)});\n.mode tabs\n.import '{tsv}' yfcc\n"
              + ";\n".join(INDEXES) + ";\n")
    started = time.perf_counter()
    subprocess.run(["sqlite3", str(fresh(db))], input=script, text=True, check=True)
    return time.perf_counter() - started


def run_python(tsv: Path, db: Path) -> float:
    started = time.perf_counter()
    conn = sqlite3.connect(fresh(db))
    conn.execute(f"CREATE TABLE yfcc({', '.join(COLUMNS)})")
    csv.field_size_limit(1 << 24)
    with open(tsv, newline="", encoding="utf-8") as fh:
        reader = csv.reader(fh, delimiter="\t", quoting=csv.QUOTE_NONE)
        conn.executemany(f"INSERT INTO yfcc VALUES ({', '.join('?' * len(COLUMNS))})", reader)
    for sql in INDEXES:
        conn.execute(sql)
    conn.commit()
    conn.close()
    return time.perf_counter() - started


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


def main(argv: list[str]) -> int:
    rows = int(argv[0]) if argv else 2_000_000
    runs = int(argv[1]) if len(argv) > 1 else 3
    if shutil.which("sqlite3") is None:
        print("the sqlite3 CLI is missing (apt-get install -y sqlite3); only the Python "
              "baseline will run", file=sys.stderr)
    tsv = dataset(rows)
    work = OUT / "import"
    work.mkdir(exist_ok=True)
    print(machine(), flush=True)
    contenders = {"rightsbot import": (run_rightsbot, work / "rightsbot.sqlite"),
                  "sqlite3 CLI .import + indexes": (run_cli, work / "cli.sqlite"),
                  "python csv + executemany + indexes": (run_python, work / "py.sqlite")}
    if shutil.which("sqlite3") is None:
        del contenders["sqlite3 CLI .import + indexes"]
    times: dict[str, list[float]] = {name: [] for name in contenders}
    sizes: dict[str, int] = {}
    for run in range(runs):
        for name, (fn, db) in contenders.items():   # interleaved, so load hits all alike
            seconds = fn(tsv, db)
            times[name].append(seconds)
            sizes[name] = db.stat().st_size
            print(f"run {run + 1}: {name}: {seconds:.2f} s", flush=True)
    ours = statistics.median(times["rightsbot import"])
    print(f"\n{rows:,} rows, {tsv.stat().st_size / rows:.0f} bytes per line, median of {runs}:")
    print(f"{'contender':<36} {'seconds':>8} {'rows/s':>10} {'vs rightsbot':>13} {'bytes/row':>10}")
    for name, values in times.items():
        median = statistics.median(values)
        print(f"{name:<36} {median:>8.2f} {rows / median:>10,.0f} {median / ours:>12.2f}x "
              f"{sizes[name] / rows:>10.1f}")
    copies = [reimport_small(work / "rightsbot.sqlite", work) for _ in range(runs)]
    print(f"\nre-import of a 10,000-row dataset into the index holding {rows:,} rows: "
          f"median {statistics.median(copies):.2f} s (copies the other datasets, then renames)")
    for _name, (_fn, db) in contenders.items():
        fresh(db)
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
