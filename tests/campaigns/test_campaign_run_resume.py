"""Kill and resume: ``python -m bot campaign run`` killed with SIGKILL (with its workers)
once some member folders exist, run again, ends with exactly the files of a clean run
in another folder, byte for byte (the sealed bundles and the ZIP included)."""

from __future__ import annotations

import hashlib
import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from tests.campaigns.run_fixtures import RUN_DATE, make_run_setup

ROOT = Path(__file__).resolve().parents[2]
EXTRA_MEMBERS = 40


def command(setup, out: Path) -> list[str]:
    return [sys.executable, "-m", "bot", "campaign", "run", str(setup.campaign_file), "--out",
            str(out), "--config", str(setup.config_file), "--date", RUN_DATE, "--workers", "2",
            "--json"]


def tree(folder: Path) -> dict[str, str]:
    return {str(p.relative_to(folder)): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(folder.rglob("*")) if p.is_file()}


def done_members(out: Path) -> int:
    members = out / "members"
    return sum(1 for p in members.glob("*/member.json")) if members.is_dir() else 0


@pytest.mark.skipif(sys.platform == "win32", reason="process groups and SIGKILL")
def test_killed_run_resumed_equals_a_clean_run(tmp_path):
    setup = make_run_setup(tmp_path, extra=EXTRA_MEMBERS)
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    clean = tmp_path / "clean"
    first = subprocess.run(command(setup, clean), cwd=ROOT, env=env, capture_output=True,
                           text=True, timeout=600)
    assert first.returncode == 0, first.stderr

    killed = tmp_path / "killed"
    proc = subprocess.Popen(command(setup, killed), cwd=ROOT, env=env, stdout=subprocess.DEVNULL,
                            stderr=subprocess.DEVNULL, start_new_session=True)
    try:
        deadline = time.monotonic() + 300
        while done_members(killed) < 5 and proc.poll() is None and time.monotonic() < deadline:
            time.sleep(0.05)
        assert proc.poll() is None, "the run ended before it could be killed"
        os.killpg(proc.pid, signal.SIGKILL)      # the run and its worker processes
    finally:
        proc.wait(timeout=60)
    partial = done_members(killed)
    assert 5 <= partial < EXTRA_MEMBERS + 5
    assert not (killed / "manifest.csv").exists()

    resumed = subprocess.run(command(setup, killed), cwd=ROOT, env=env, capture_output=True,
                             text=True, timeout=600)
    assert resumed.returncode == 0, resumed.stderr
    assert json.loads(resumed.stdout)["resumed"] == partial   # finished folders were kept
    assert tree(killed) == tree(clean)
    assert any(name.startswith("bundles/") for name in tree(clean))
