"""Decompression bombs in manifests: a tiny bzip2/gzip/xz file that holds gigabytes of
empty lines used to be read to the end (a 785-byte bzip2 file, 1 GiB of newlines: 85 s;
a few kB more, hours). The reader stops once the output outgrows the input by more than
any real manifest does; the index is left as it was."""

from __future__ import annotations

import bz2
import gzip
import lzma
from pathlib import Path

import pytest

from bot.errors import ImportFormatError
from bot.index import DatasetIndex, import_manifest
from bot.index import sources

PIPA = Path(__file__).resolve().parents[2] / "bot" / "data" / "demo" / "pipa_all_data.txt.gz"
COMPRESS = {"gzip": gzip.compress, "bzip2": bz2.compress, "xz": lzma.compress}


@pytest.fixture
def small_threshold(monkeypatch):
    monkeypatch.setattr(sources, "BOMB_MIN_BYTES", 1 << 20)    # judge after 1 MiB, not 64


@pytest.mark.parametrize("compression", sorted(COMPRESS))
@pytest.mark.parametrize("payload", [b"\n" * (8 << 20), b"a" * (8 << 20)])
def test_bombs_are_stopped_and_change_nothing(tmp_path, index_path, small_threshold,
                                              compression, payload):
    good = tmp_path / "good.txt"
    good.write_text("https://example.com/a.jpg\n")
    import_manifest(index_path, "mylist", "urls", [good])
    before = index_path.read_bytes()
    bomb = tmp_path / "bomb"
    bomb.write_bytes(COMPRESS[compression](payload))
    assert bomb.stat().st_size * sources.BOMB_RATIO < len(payload)
    with pytest.raises(ImportFormatError, match="decompression bomb"):
        import_manifest(index_path, "mylist", "urls", [bomb])
    assert index_path.read_bytes() == before
    assert not list(tmp_path.glob("*.tmp"))


def test_real_manifests_are_far_from_the_limit(tmp_path, index_path, small_threshold):
    """The bundled PIPA annotations (about 4:1) import with the threshold lowered too."""
    assert len(gzip.decompress(PIPA.read_bytes())) > sources.BOMB_MIN_BYTES
    report = import_manifest(index_path, "pipa", "pipa", [PIPA])
    assert report.rows > 60_000
    with DatasetIndex.open(index_path) as index:
        assert index.find_photo_ids(["1808093328"])
