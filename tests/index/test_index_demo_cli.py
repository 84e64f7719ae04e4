"""The bundled demo index, open_index, stats, and the `rightsbot index` commands."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from bot.cli import main
from bot.config import Config
from bot.errors import IndexStoreError
from bot.index import DatasetIndex, open_index
from bot.index.demo import DEMO_DATASETS, demo_folder
from tests.index.manifests import write, yfcc_line

DEMO_NSID = "99990001@N99"


def test_demo_index_matches_the_documented_ids(demo_index):
    assert demo_index.datasets() == ["coco", "conceptual-captions", "dif", "facescrub",
                                     "flickr30k", "flickr8k", "fsxl", "megaface", "pipa",
                                     "yfcc100m"]
    [hit] = demo_index.find_photo_ids(["1808093328"])
    assert (hit.dataset, hit.photo_id) == ("pipa", "1808093328")
    assert {h.dataset for h in demo_index.find_owners([DEMO_NSID])} == {"dif", "megaface",
                                                                        "yfcc100m"}
    assert demo_index.find_urls(
        ["http://upload.wikimedia.org/wikipedia/commons/1/1b/Lorraine_Bracco_HS_Yearbook.jpeg"])
    info = {i.slug: i for i in demo_index.info()}
    assert all("SYNTHETIC" in info[s].note for s in ("dif", "megaface", "yfcc100m"))
    assert info["yfcc100m"].sources == ("yfcc100m_synthetic_sample.tsv.gz (synthetic)",)
    assert info["pipa"].keys["photo_id"] == 37107   # distinct photos in the real PIPA file


def test_demo_readme_ids_match(demo_index):
    readme = (demo_folder() / "README.md").read_text()
    for needle in ("1808093328", DEMO_NSID, "9000000000006"):
        assert needle in readme
    assert demo_index.find_photo_ids(["9000000000006"])
    for _slug, _fmt, files, _note in DEMO_DATASETS:
        for name in files:
            assert name in readme


def test_open_index_builds_the_demo_on_first_use(tmp_path):
    config = Config.defaults(base=tmp_path)
    assert not config.index.path.exists()
    with open_index(config) as index:
        assert "pipa" in index.datasets()
    assert config.index.path.exists()
    off = config.with_overrides(index={"path": tmp_path / "none.sqlite", "demo": False})
    with pytest.raises(IndexStoreError, match="no dataset index at"):
        open_index(off)


def run(capsys, *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def test_cli_import_stats_remove(tmp_path, capsys):
    index = str(tmp_path / "ix.sqlite")
    manifest = write(tmp_path / "y.tsv", yfcc_line(0, 123, "5@N01") + "\nbad line\n", "gzip")
    code, out, err = run(capsys, "index", "import", "--index", index, "--dataset", "yfcc100m",
                         "--format", "yfcc100m", str(manifest))
    assert code == 0 and "1 rows imported" in out and "y.tsv:2: 1 tab-separated fields" in out
    code, out, _ = run(capsys, "index", "stats", "--index", index, "--json")
    stats = json.loads(out)
    assert code == 0 and stats["datasets"][0]["dataset"] == "yfcc100m"
    assert stats["datasets"][0]["keys"]["photo"] == 1 and stats["datasets"][0]["bad_rows"] == 1
    assert stats["datasets"][0]["sources"] == ["y.tsv"] and stats["size_bytes"] > 0
    code, out, _ = run(capsys, "index", "stats", "--index", index)
    assert code == 0 and "yfcc100m" in out and "photo 1" in out
    code, out, _ = run(capsys, "index", "import", "--index", index, "--dataset", "urls",
                       "--format", "csv", "--column", "url=link", "--json",
                       str(write(tmp_path / "l.csv", "link\nhttp://a.example/x.jpg\n")))
    assert code == 0 and json.loads(out)["rows"] == 1
    code, out, _ = run(capsys, "index", "remove", "--index", index, "--dataset", "urls")
    assert code == 0
    with DatasetIndex.open(Path(index)) as ix:
        assert ix.datasets() == ["yfcc100m"]


@pytest.mark.parametrize("argv, message", [
    (["index", "stats", "--index", "{tmp}/missing.sqlite"], "no dataset index at"),
    (["index", "stats", "--index", "{tmp}"], "is a folder"),
    (["index", "stats", "--index", "{tmp}/junk.sqlite"], "not a rightsbot dataset index"),
    (["index", "import", "--index", "{tmp}/i.sqlite", "--dataset", "Bad Name", "--format", "urls",
      "{tmp}/junk.sqlite"], "is not a dataset name"),
    (["index", "import", "--index", "{tmp}/i.sqlite", "--dataset", "x", "--format", "urls",
      "{tmp}/nope.txt"], "no such file"),
    (["index", "import", "--index", "{tmp}/i.sqlite", "--dataset", "x", "--format", "csv",
      "{tmp}/junk.sqlite"], "needs at least one --column"),
    (["index", "import", "--index", "{tmp}/i.sqlite", "--dataset", "x", "--format", "pipa",
      "{tmp}/junk.sqlite"], "no usable pipa rows"),
    (["index", "build-demo", "--index", "{tmp}/junk.sqlite"], "already exists"),
    # a named pipe as the index: importing into it used to block forever on opening it
    (["index", "import", "--index", "{tmp}/pipe.sqlite", "--dataset", "x", "--format", "urls",
      "{tmp}/junk.sqlite"], "is not a regular file"),
    (["index", "stats", "--index", "{tmp}/pipe.sqlite"], "is not a regular file"),
])
def test_cli_errors_are_one_line_with_exit_1(tmp_path, capsys, argv, message):
    (tmp_path / "junk.sqlite").write_text("hello\n")
    os.mkfifo(tmp_path / "pipe.sqlite")
    code, out, err = run(capsys, *[a.format(tmp=tmp_path) for a in argv])
    assert code == 1 and out == ""
    assert err.startswith("rightsbot: error: ") and message in err and err.count("\n") == 1


def test_cli_unknown_format_is_a_usage_error(tmp_path, capsys):
    with pytest.raises(SystemExit) as exc:
        main(["index", "import", "--dataset", "x", "--format", "nope", str(tmp_path)])
    assert exc.value.code == 2


def test_cli_build_demo_and_hash_images(tmp_path, capsys):
    index = str(tmp_path / "demo.sqlite")
    code, out, _ = run(capsys, "index", "build-demo", "--index", index)
    assert code == 0 and "1808093328" in out
    folder = tmp_path / "imgs"
    folder.mkdir()
    from tests.imaging import jpeg_bytes, make_photo
    (folder / "8032652775_0a1b2c3d4e.jpg").write_bytes(jpeg_bytes(make_photo(3, (200, 160))))
    code, out, _ = run(capsys, "index", "hash-images", "--index", index, "--dataset", "pipa",
                       "--workers", "1", "--json", str(folder))
    assert code == 0 and json.loads(out)["hashed"] == 1
    code, out, _ = run(capsys, "index", "build-demo", "--index", index, "--force", "--json")
    assert code == 0
    assert {d["dataset"]: d["images_hashed"] for d in json.loads(out)["datasets"]}["pipa"] == 0
