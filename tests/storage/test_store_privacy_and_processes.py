"""/forget leaves nothing behind; one writer per folder; crashes never leave half a file;
threads do not lose updates."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

from bot.errors import StorageError
from bot.storage import Store

ROOT = Path(__file__).resolve().parents[2]


def all_bytes(folder: Path) -> bytes:
    """Every file name and every byte under ``folder``."""
    chunks = []
    for path in folder.rglob("*"):
        chunks.append(str(path.relative_to(folder)).encode())
        if path.is_file():
            chunks.append(path.read_bytes())
    return b"\n".join(chunks)


def test_forget_leaves_no_trace_of_the_person(tmp_path):
    folder = tmp_path / "storage"
    person, other = 424242, 777
    secrets = [b"Ada Lovelace", b"ada@example.org", b"424242", "Zoë Ünïcode".encode()]
    with Store.open(folder) as store:
        store.save_session(person, {"name": "Ada Lovelace", "email": "ada@example.org",
                                    "alias": "Zoë Ünïcode", "step": "letters"})
        store.add_case(person, {"company": "ibm", "signer": "Ada Lovelace", "due": "2025-01-01"})
        store.save_session(other, {"name": "Grace Hopper"})
        # a damaged copy set aside earlier and a temp file from a crash, both about the person
        (folder / "people" / f"{person}.json.corrupt-20240101T000000-ab12").write_text(
            '{"session": {"1": {"name": "Ada Lovelace", "email": "ada@example.org"')
        (folder / "people" / f".tmp-{person}.json-deadbeef").write_text('{"name": "Ada Lovelace"')
        assert all(s in all_bytes(folder) for s in secrets)

        counts = store.forget(person)

        assert counts == {"sessions": 1, "cases": 1, "files": 3}
        remaining = all_bytes(folder)
        for secret in secrets:
            assert secret not in remaining, secret
        assert store.load_session(other) == {"name": "Grace Hopper"}
        assert store.load_session(person) is None
        assert store.forget(person) == {"sessions": 0, "cases": 0, "files": 0}


LOCK_PROBE = """
import sys
from bot.storage import Store
from bot.errors import StorageError
try:
    Store.open(sys.argv[1])
except StorageError as exc:
    print("REFUSED:", exc)
    sys.exit(3)
print("OPENED")
"""


def test_second_process_is_refused_while_the_first_holds_the_folder(tmp_path):
    folder = tmp_path / "storage"
    store = Store.open(folder)
    probe = subprocess.run([sys.executable, "-c", LOCK_PROBE, str(folder)], cwd=ROOT,
                           capture_output=True, text=True, timeout=60)
    assert probe.returncode == 3
    assert "in use by another rightsbot process" in probe.stdout
    assert f"pid {os.getpid()}" in probe.stdout
    store.close()
    probe = subprocess.run([sys.executable, "-c", LOCK_PROBE, str(folder)], cwd=ROOT,
                           capture_output=True, text=True, timeout=60)
    assert probe.returncode == 0 and "OPENED" in probe.stdout


def test_second_store_in_the_same_process_is_refused(tmp_path):
    with Store.open(tmp_path):
        with pytest.raises(StorageError, match="in use"):
            Store.open(tmp_path)


WRITER = """
import sys
from bot.storage import Store
store = Store.open(sys.argv[1])
padding = "x" * 200_000
n = 0
print("READY", flush=True)
while True:
    n += 1
    store.save_session(1, {"n": n, "padding": padding})
    store.add_case(2, {"n": n}) if n % 50 == 0 else None
"""


def test_kill_9_during_writes_leaves_old_or_new_file(tmp_path):
    folder = tmp_path / "storage"
    last_seen = 0
    for round_ in range(5):
        proc = subprocess.Popen([sys.executable, "-c", WRITER, str(folder)], cwd=ROOT,
                                stdout=subprocess.PIPE, text=True)
        assert proc.stdout.readline().strip() == "READY"
        time.sleep(0.2 + 0.13 * round_)
        os.kill(proc.pid, signal.SIGKILL)
        proc.wait(timeout=30)
        proc.stdout.close()
        raw = (folder / "people" / "1.json").read_bytes()
        document = json.loads(raw)                       # never half a file
        n = document["session"]["1"]["n"]
        assert n >= 1
        with Store.open(folder) as store:                # lock released by the kernel
            assert store.load_session(1)["n"] == n
            store.cases(2)                               # the other file is valid too
            assert not [p for p in store.people_dir.iterdir() if p.name.startswith(".tmp-")]
        last_seen = max(last_seen, n)
    assert last_seen > 1


def test_threads_do_not_lose_updates(tmp_path):
    with Store.open(tmp_path) as store:
        def work(worker: int) -> None:
            for i in range(25):
                user = i % 4
                with store.batch(user):            # read-modify-write of one person
                    session = store.load_session(user) or {"count": 0}
                    session["count"] += 1
                    store.save_session(user, session)
                store.add_case(100 + worker, {"i": i})

        threads = [threading.Thread(target=work, args=(w,)) for w in range(8)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        assert sum(store.load_session(u)["count"] for u in range(4)) == 8 * 25
        assert all(len(store.cases(100 + w)) == 25 for w in range(8))
