"""A damaged manifest never replaces a complete dataset: a cut or corrupt compressed file
(or JSON broken off) fails the import and leaves the index as it was, unless the operator
passes --accept-partial. Real gzip/bzip2/xz files cut with byte slicing, through the CLI."""

from __future__ import annotations

import bz2
import gzip
import json
import lzma
from pathlib import Path

import pytest

from bot.cli import main
from bot.errors import ImportFormatError
from bot.index import DatasetIndex, import_manifest
from tests.index.manifests import write

ROWS = 200_000
FIRST = 3_000_000_000


def run(capsys, *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def ids_text(count: int = ROWS, first: int = FIRST) -> bytes:
    return "".join(f"{first + n}\n" for n in range(count)).encode()


def import_cli(capsys, index: Path, path: Path, *extra: str) -> tuple[int, str, str]:
    return run(capsys, "index", "import", "--index", str(index), "--dataset", "dif",
               "--format", "photo-ids", *extra, str(path))


def rows_of(index_path: Path) -> int:
    with DatasetIndex.open(index_path) as index:
        return {i.slug: i.rows for i in index.info()}["dif"]


@pytest.fixture
def complete(tmp_path: Path, index_path: Path, capsys) -> bytes:
    """The index holding a complete 200,000-row import of dif from a .gz."""
    code, out, err = import_cli(capsys, index_path,
                                write(tmp_path / "dif.txt.gz", ids_text(), "gzip"))
    assert code == 0, err
    assert rows_of(index_path) == ROWS
    return index_path.read_bytes()


def test_a_cut_gz_reimport_fails_and_keeps_the_complete_dataset(tmp_path, index_path, capsys,
                                                                complete):
    data = gzip.compress(ids_text())
    cut = write(tmp_path / "dif-new.txt.gz", data[: len(data) // 2])
    code, out, err = import_cli(capsys, index_path, cut)
    assert code == 1 and out == ""
    assert err.count("\n") == 1 and "Traceback" not in err
    assert "dif-new.txt.gz: compressed data is damaged or cut off" in err
    assert "nothing was imported and the index was not changed" in err
    assert "--accept-partial" in err
    assert index_path.read_bytes() == complete           # byte for byte the previous index
    assert rows_of(index_path) == ROWS
    with DatasetIndex.open(index_path) as index:
        assert index.find_photo_ids([str(FIRST + ROWS - 1)])
    assert not list(tmp_path.glob("*.tmp"))


def test_accept_partial_imports_what_was_read_and_says_so(tmp_path, index_path, capsys,
                                                          complete):
    data = gzip.compress(ids_text())
    cut = write(tmp_path / "dif-new.txt.gz", data[: len(data) // 2])
    code, out, err = import_cli(capsys, index_path, cut, "--accept-partial")
    assert code == 0, err
    kept = rows_of(index_path)
    assert 0 < kept < ROWS
    assert f"dif: {kept:,} rows imported" in out
    assert "PARTIAL: dif-new.txt.gz: compressed data is damaged or cut off" in out
    assert f"only the {kept:,} rows read before the damage were imported" in out
    code, out, err = import_cli(capsys, index_path, cut, "--accept-partial", "--json")
    report = json.loads(out)
    assert report["partial"] is True and report["rows"] == kept
    assert report["files"][0]["damaged"] is True


def corrupt(data: bytes, at: int) -> bytes:
    return data[:at] + bytes([data[at] ^ 0xFF]) + data[at + 1:]


DAMAGED = [
    ("cut.bz2", lambda: bz2.compress(ids_text())[:-2000]),
    ("cut.xz", lambda: lzma.compress(ids_text())[:-2000]),
    ("crc.gz", lambda: corrupt(gzip.compress(ids_text()), -6)),        # the CRC32 trailer
    ("size.gz", lambda: corrupt(gzip.compress(ids_text()), -2)),       # the length trailer
    ("crc.bz2", lambda: corrupt(bz2.compress(ids_text()), 20_000)),    # inside a block
    ("crc.xz", lambda: corrupt(lzma.compress(ids_text()), -20)),       # the index/footer
    ("tail.gz", lambda: gzip.compress(ids_text()) + b"garbage after the stream"),
]


@pytest.mark.parametrize("name, make", DAMAGED, ids=[d[0] for d in DAMAGED])
def test_every_kind_of_damage_fails_the_import(tmp_path, index_path, capsys, complete, name,
                                               make):
    code, _out, err = import_cli(capsys, index_path, write(tmp_path / name, make()))
    assert code == 1
    assert f"{name}: compressed data is damaged or cut off" in err
    assert index_path.read_bytes() == complete


def test_one_damaged_file_among_several_refuses_them_all(tmp_path, index_path, capsys, complete):
    good = write(tmp_path / "part1.txt.gz", ids_text(1000, 9_000_000_000), "gzip")
    data = gzip.compress(ids_text(50_000, 8_000_000_000))
    bad = write(tmp_path / "part2.txt.gz", data[: len(data) - 100])
    code, _out, err = run(capsys, "index", "import", "--index", str(index_path), "--dataset",
                          "dif", "--format", "photo-ids", str(good), str(bad))
    assert code == 1 and "part2.txt.gz" in err
    assert index_path.read_bytes() == complete


def test_json_broken_off_is_damage_too(tmp_path, index_path, complete):
    records = {str(n): {"metadata": {"photo_url": f"https://www.flickr.com/photos/x/{1000 + n}/"}}
               for n in range(300)}
    text = json.dumps(records, indent=1)
    cut = write(tmp_path / "ffhq-dataset-v2.json", text[: len(text) // 2])
    import_manifest(index_path, "ffhq", "ffhq", [write(tmp_path / "whole.json", text)])
    before = index_path.read_bytes()
    with pytest.raises(ImportFormatError, match=r"ffhq-dataset-v2.json:\d+: invalid JSON"):
        import_manifest(index_path, "ffhq", "ffhq", [cut])
    assert index_path.read_bytes() == before
    report = import_manifest(index_path, "ffhq", "ffhq", [cut], accept_partial=True)
    assert 0 < report.rows < 300 and report.partial


def test_a_whole_file_with_no_damage_is_not_partial(tmp_path, index_path):
    report = import_manifest(index_path, "dif", "photo-ids",
                             [write(tmp_path / "a.xz", ids_text(5000), "xz")])
    assert report.rows == 5000 and not report.partial
    assert not any("PARTIAL" in line for line in report.lines())
