"""Re-imports replace a dataset atomically; crashes and concurrent writers lose nothing."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

from bot.errors import ImportFormatError, IndexStoreError
from bot.index import DatasetIndex, import_manifest, remove_dataset
from bot.index.writer import writer_lock
from tests.index.manifests import write, yfcc_line

ROOT = Path(__file__).resolve().parents[2]


def pipa(tmp_path: Path, name: str, ids: list[int]) -> Path:
    return write(tmp_path / name, "".join(f"1 {i} 1 1 1 1 1 0\n" for i in ids))


def test_reimport_replaces_rows_without_duplicates(tmp_path, index_path):
    import_manifest(index_path, "pipa", "pipa", [pipa(tmp_path, "a", [11, 12, 13])])
    import_manifest(index_path, "megaface", "megaface",
                    [write(tmp_path / "m", "FlickrFinal2/1/1@N00/12_0.jpg\n")])
    report = import_manifest(index_path, "pipa", "pipa", [pipa(tmp_path, "b", [12, 14])])
    assert report.rows == 2
    with DatasetIndex.open(index_path) as index:
        assert sorted(h.photo_id for h in index.find_photo_ids(["11", "12", "13", "14"])
                      if h.dataset == "pipa") == ["12", "14"]
        assert sorted(h.dataset for h in index.find_photo_ids(["12"])) == ["megaface", "pipa"]
        info = {i.slug: i for i in index.info()}
        assert info["pipa"].sources == ("b",) and info["pipa"].rows == 2
    assert not list(tmp_path.glob("*.tmp"))


def test_a_failed_import_leaves_the_previous_version(tmp_path, index_path):
    import_manifest(index_path, "pipa", "pipa", [pipa(tmp_path, "a", [11, 12])])
    before = index_path.read_bytes()
    with pytest.raises(ImportFormatError):
        import_manifest(index_path, "pipa", "yfcc100m", [pipa(tmp_path, "b", list(range(100)))])
    assert index_path.read_bytes() == before
    assert not list(tmp_path.glob("*.tmp"))


def test_readers_see_the_old_index_until_the_swap_then_the_new(tmp_path, index_path):
    import_manifest(index_path, "pipa", "pipa", [pipa(tmp_path, "a", [11])])
    index = DatasetIndex.open(index_path)
    assert index.find_photo_ids(["11"])
    import_manifest(index_path, "pipa", "pipa", [pipa(tmp_path, "b", [22])])
    assert not index.find_photo_ids(["11"])      # same object, reopened on the new file
    assert index.find_photo_ids(["22"])
    index.close()


def test_a_killed_importer_leaves_the_previous_version_intact(tmp_path, index_path):
    """An importer killed mid-import (SIGKILL, no clean-up) changes nothing; the next
    import removes its temp file. A named pipe holds the importer mid-file."""
    import_manifest(index_path, "yfcc100m", "yfcc100m",
                    [write(tmp_path / "v1.tsv", yfcc_line(0, 111, "1@N00") + "\n")])
    fifo = tmp_path / "manifest.fifo"
    os.mkfifo(fifo)
    proc = subprocess.Popen(
        [sys.executable, "-m", "bot", "index", "import", "--index", str(index_path),
         "--dataset", "yfcc100m", "--format", "yfcc100m", str(fifo)],
        cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        with open(fifo, "w") as pipe:
            pipe.write("".join(yfcc_line(n, 5000 + n, "2@N00") + "\n" for n in range(20000)))
            pipe.flush()
            deadline = time.monotonic() + 30
            while not list(tmp_path.glob("index.sqlite.import-*.tmp")):
                assert time.monotonic() < deadline, "the importer never started its temp file"
                time.sleep(0.02)
            time.sleep(0.2)
            os.kill(proc.pid, signal.SIGKILL)
            proc.wait(timeout=10)
    except BrokenPipeError:
        pass
    finally:
        if proc.poll() is None:
            proc.kill()
    assert proc.returncode == -signal.SIGKILL
    assert list(tmp_path.glob("index.sqlite.import-*.tmp"))    # left behind by the crash
    with DatasetIndex.open(index_path) as index:
        assert [h.photo_id for h in index.find_photo_ids(["111", "5000"])] == ["111"]
    import_manifest(index_path, "pipa", "pipa", [pipa(tmp_path, "p", [7])])
    assert not list(tmp_path.glob("index.sqlite.import-*.tmp"))
    with DatasetIndex.open(index_path) as index:
        assert index.datasets() == ["pipa", "yfcc100m"]


def test_a_second_writer_is_refused_while_one_is_running(tmp_path, index_path):
    import_manifest(index_path, "pipa", "pipa", [pipa(tmp_path, "a", [11])])
    held = threading.Event()
    release = threading.Event()

    def hold() -> None:
        with writer_lock(index_path):
            held.set()
            release.wait(10)

    thread = threading.Thread(target=hold)
    thread.start()
    held.wait(10)
    try:
        with pytest.raises(IndexStoreError, match="another import or hashing run"):
            import_manifest(index_path, "pipa", "pipa", [pipa(tmp_path, "b", [12])])
    finally:
        release.set()
        thread.join()


def test_remove_dataset(tmp_path, index_path):
    import_manifest(index_path, "pipa", "pipa", [pipa(tmp_path, "a", [11])])
    import_manifest(index_path, "other", "pipa", [pipa(tmp_path, "b", [11])])
    remove_dataset(index_path, "pipa")
    with DatasetIndex.open(index_path) as index:
        assert index.datasets() == ["other"]
        assert [h.dataset for h in index.find_photo_ids(["11"])] == ["other"]
    with pytest.raises(IndexStoreError, match="no dataset 'nope'"):
        remove_dataset(index_path, "nope")


def test_not_an_index_is_refused_and_never_overwritten(tmp_path):
    other = tmp_path / "notes.sqlite"
    other.write_text("my precious notes\n")
    with pytest.raises(IndexStoreError, match="not a rightsbot dataset index"):
        DatasetIndex.open(other)
    with pytest.raises(IndexStoreError, match="not a rightsbot dataset index"):
        import_manifest(other, "pipa", "pipa", [pipa(tmp_path, "a", [1])])
    assert other.read_text() == "my precious notes\n"
    with pytest.raises(IndexStoreError, match="no dataset index at"):
        DatasetIndex.open(tmp_path / "missing.sqlite")


# -- the account lists, whatever the owner distribution ---------------------------------


def test_every_owner_lists_exactly_its_photos_for_every_data_shape(tmp_path, index_path):
    """One account with 2,000 photos, hundreds with one, dozens with seven, given in a
    shuffled order and in mixed NSID case: each account check returns exactly its photos,
    and a re-import (new owners among the old) keeps every answer right."""
    import random
    rng = random.Random(9)
    truth: dict[str, set[int]] = {}
    pid = 5000
    for owner, count in ([("11@N01", 2000)] + [(f"{700 + n}@N00", 1) for n in range(700)]
                         + [(f"{90 + n}@N02", 7) for n in range(60)]):
        truth[owner] = set(range(pid, pid + count))
        pid += count
    rows = [(p, o) for o, ps in truth.items() for p in ps]
    rng.shuffle(rows)
    lines = [yfcc_line(n, p, o.replace("@N", "@n") if n % 5 == 0 else o)
             for n, (p, o) in enumerate(rows)]
    report = import_manifest(index_path, "yfcc100m", "yfcc100m",
                             [write(tmp_path / "y.tsv", "\n".join(lines) + "\n")])
    assert report.keys["owner_id"] == len(truth)
    with DatasetIndex.open(index_path) as index:
        for owner, photos in truth.items():
            assert {int(h.photo_id) for h in index.find_owners([owner])} == photos, owner
        assert index.find_owners(["12@N01"]) == []
        [hit] = index.find_photo_ids(["5000"])
        assert hit.owner == "11@N01"
    truth["1@N09"] = {1, 2}
    more = "\n".join(lines + [yfcc_line(0, 1, "1@N09"), yfcc_line(0, 2, "1@N09")]) + "\n"
    import_manifest(index_path, "yfcc100m", "yfcc100m", [write(tmp_path / "y2.tsv", more)])
    with DatasetIndex.open(index_path) as index:
        for owner, photos in truth.items():
            assert {int(h.photo_id) for h in index.find_owners([owner])} == photos, owner


def test_an_index_written_before_owner_blocks_is_still_read(tmp_path, index_path):
    """Files from before owner_blocks_d hold one owner_photos_d row per owner."""
    import sqlite3

    import numpy as np
    import_manifest(index_path, "megaface", "megaface", [write(
        tmp_path / "m.txt", "FlickrFinal2/1/1@N00/12_0.jpg\nFlickrFinal2/1/1@N00/13_0.jpg\n"
        "FlickrFinal2/2/2@N00/14_0.jpg\n")])
    conn = sqlite3.connect(index_path)
    ids = dict(conn.execute("SELECT name, id FROM owners_1"))
    conn.execute("CREATE TABLE owner_photos_1 (owner_id INTEGER PRIMARY KEY, "
                 "photo_ids BLOB NOT NULL)")
    conn.executemany("INSERT INTO owner_photos_1 VALUES (?, ?)", [
        (ids["1@N00"], np.array([12, 13], "<i8").tobytes()),
        (ids["2@N00"], np.array([14], "<i8").tobytes())])
    conn.execute("DROP TABLE owner_blocks_1")
    conn.commit()
    conn.close()
    with DatasetIndex.open(index_path) as index:
        assert sorted(h.photo_id for h in index.find_owners(["1@N00", "2@N00"])) == [
            "12", "13", "14"]
    # re-importing replaces the old table with the new one
    import_manifest(index_path, "megaface", "megaface", [write(
        tmp_path / "m2.txt", "FlickrFinal2/2/2@N00/15_0.jpg\n")])
    conn = sqlite3.connect(index_path)
    tables = {r[0] for r in conn.execute("SELECT name FROM sqlite_master")}
    conn.close()
    assert "owner_photos_1" not in tables and "owner_blocks_1" in tables
    with DatasetIndex.open(index_path) as index:
        assert [h.photo_id for h in index.find_owners(["2@N00"])] == ["15"]


# -- a big plain file read by several processes gives what one process gives --------------


def _big_yfcc(tmp_path: Path) -> Path:
    import random
    rng = random.Random(3)
    lines = []
    for n in range(30_000):
        owner = f"{rng.randrange(4000)}@N0{rng.randrange(3)}"
        if n % 7 == 0:
            owner = owner.replace("@N", "@n")
        pid = 1_000_000 + rng.randrange(10_000_000)
        if n % 997 == 5:
            lines.append(f"{n}\tnot-a-number\t{owner}")             # bad: 3 fields
        elif n % 1499 == 7:
            lines.append(yfcc_line(n, pid, "not an owner"))          # bad owner
        elif n % 401 == 0:
            lines.append("")                                        # blank
        else:
            lines.append(yfcc_line(n, pid, owner))
    return write(tmp_path / "yfcc.tsv", "\n".join(lines) + "\n")


@pytest.mark.parametrize("cores, files", [(2, 1), (4, 1), (2, 2)])
def test_a_file_read_in_parts_gives_the_same_index_and_report(tmp_path, monkeypatch, cores,
                                                              files):
    from bot.index import parallel
    manifest = _big_yfcc(tmp_path)
    manifests = [manifest] + [write(tmp_path / f"copy{n}.tsv", manifest.read_bytes())
                              for n in range(files - 1)]    # the same owners again
    monkeypatch.setattr(parallel, "MIN_BYTES", 1 << 62)
    serial = import_manifest(tmp_path / "serial.sqlite", "yfcc100m", "yfcc100m", manifests)
    monkeypatch.setattr(parallel, "MIN_BYTES", 1 << 20)
    monkeypatch.setattr(parallel.os, "cpu_count", lambda: cores)
    parts = parallel.plan(manifest, manifest.stat().st_size, "yfcc100m")
    assert parts and len(parts) == cores
    split = import_manifest(tmp_path / "split.sqlite", "yfcc100m", "yfcc100m", manifests)
    assert (split.rows, split.bad, split.no_key, split.keys) == (
        serial.rows, serial.bad, serial.no_key, serial.keys)
    assert [str(b) for b in split.bad_rows] == [str(b) for b in serial.bad_rows]
    assert len(split.bad_rows) == 20 and split.bad > 20
    assert [(f.rows, f.bad) for f in split.files] == [(f.rows, f.bad) for f in serial.files]
    with DatasetIndex.open(tmp_path / "serial.sqlite") as one, \
            DatasetIndex.open(tmp_path / "split.sqlite") as other:
        owners = [f"{n}@N0{k}" for n in range(0, 4000, 37) for k in range(3)]
        assert sorted(one.find_owners(owners)) == sorted(other.find_owners(owners))
        ids = [str(1_000_000 + n) for n in range(0, 10_000_000, 9973)]
        assert sorted(one.find_photo_ids(ids)) == sorted(other.find_photo_ids(ids))


def test_a_wrong_file_read_in_parts_is_refused_and_its_workers_stop(tmp_path, index_path,
                                                                    monkeypatch):
    from bot.index import parallel
    monkeypatch.setattr(parallel, "MIN_BYTES", 1 << 16)
    pipa_rows = write(tmp_path / "pipa.txt", "".join(f"1 {n} 1 1 1 1 1 0\n"
                                                    for n in range(1, 40_000)))
    assert parallel.plan(pipa_rows, pipa_rows.stat().st_size, "yfcc100m")
    with pytest.raises(ImportFormatError, match="is this the right --format"):
        import_manifest(index_path, "yfcc100m", "yfcc100m", [pipa_rows])
    assert not index_path.exists()
    import multiprocessing
    assert multiprocessing.active_children() == []
    # photo-ids in parts: blank, comment and bad lines counted as one process counts them
    ids = write(tmp_path / "ids.txt", "# DiF list\n" + "".join(
        f"{n}\n" if n % 1000 else "x\n" for n in range(1, 40_000)))
    report = import_manifest(index_path, "dif", "photo-ids", [ids])
    assert (report.rows, report.bad) == (39_960, 39)
    assert report.bad_rows[0].line == 1001
