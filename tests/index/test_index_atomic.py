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
