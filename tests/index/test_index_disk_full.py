"""A full disk while the index is written (simulated with RLIMIT_FSIZE in a child process):
one plain error line, exit 1, and the old index file untouched, no temp file left."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from bot.index import build_demo_index

ROOT = Path(__file__).resolve().parents[2]
PIPA = ROOT / "bot" / "data" / "demo" / "pipa_all_data.txt.gz"
LIMITED = """
import resource, signal, sys
signal.signal(signal.SIGXFSZ, signal.SIG_IGN)      # a write past the limit fails with EFBIG
resource.setrlimit(resource.RLIMIT_FSIZE, (200_000, 200_000))
from bot.cli import main
sys.exit(main(sys.argv[1:]))
"""


def run_limited(*argv: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-c", LIMITED, *argv], cwd=ROOT, capture_output=True,
                          text=True, timeout=120)


def test_import_on_a_full_disk_is_one_error_and_changes_nothing(tmp_path):
    index = tmp_path / "index.sqlite"
    build_demo_index(index)
    before = index.read_bytes()
    done = run_limited("index", "import", "--index", str(index), "--dataset", "pipa-copy",
                       "--format", "pipa", str(PIPA))
    assert done.returncode == 1 and "Traceback" not in done.stderr, done.stderr
    assert done.stderr.startswith(f"rightsbot: error: cannot write the dataset index {index} (")
    assert done.stderr.count("\n") == 1 and "it was not changed" in done.stderr
    assert index.read_bytes() == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["index.sqlite", "index.sqlite.lock"]


def test_building_the_demo_index_on_a_full_disk(tmp_path):
    index = tmp_path / "index.sqlite"
    done = run_limited("index", "build-demo", "--index", str(index))
    assert done.returncode == 1 and "Traceback" not in done.stderr, done.stderr
    assert "cannot write the dataset index" in done.stderr and not index.exists()
