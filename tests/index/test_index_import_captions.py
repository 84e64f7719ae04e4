"""Flickr30k, Flickr8k, Conceptual Captions and the MegaFace noise list: the real shipped
manifests through the real CLI into real SQLite files, and hostile variants of each."""

from __future__ import annotations

import gzip
import json
from pathlib import Path

import pytest

from bot.cli import main
from bot.errors import ImportFormatError
from bot.index import DatasetIndex, import_manifest
from bot.index import sources
from bot.resources import data_path
from tests.index.manifests import write

DEMO = data_path("demo")   # unchanged gzipped copies of shared/domain/samples
FLICKR30K = [DEMO / f"flickr30k_{split}.txt.gz" for split in ("train", "val", "test")]
FLICKR8K = [DEMO / f"Flickr_8k.{split}Images.txt.gz" for split in ("train", "dev", "test")]
CC = DEMO / "Validation_GCC-1.1.0-Validation.tsv.gz"


def imported(index_path: Path, slug: str, fmt: str, *files: Path, **kw):
    report = import_manifest(index_path, slug, fmt, list(files), **kw)
    return report, DatasetIndex.open(index_path)


def cli_import(capsys, index: Path, slug: str, fmt: str, *files: Path) -> dict:
    code = main(["index", "import", "--index", str(index), "--dataset", slug, "--format", fmt,
                 "--json", *map(str, files)])
    out, err = capsys.readouterr()
    assert code == 0, err
    return json.loads(out)


def bad(report) -> list[tuple[int, str]]:
    return [(b.line, b.reason) for b in report.bad_rows]


# --- Flickr30k ---------------------------------------------------------------------------

def test_flickr30k_real_splits_through_the_cli(tmp_path, capsys, index_path):
    report = cli_import(capsys, index_path, "flickr30k", "flickr30k", *FLICKR30K)
    assert report["rows"] == 31783 and report["bad_rows"] == 0
    with DatasetIndex.open(index_path) as index:
        [hit] = index.find_photo_ids(["1000092795"])      # the first image of the paper
        assert (hit.dataset, hit.owner) == ("flickr30k", None)
        assert hit.url == "https://www.flickr.com/photo.gne?id=1000092795"
        assert index.info()[0].keys["photo_id"] == 31783


def test_flickr30k_caption_files_keep_each_photo_once(tmp_path, index_path):
    token = "".join(f"1000092795.jpg#{n}\tTwo young guys with shaggy hair .\n" for n in range(5))
    kaggle = ("image_name| comment_number| comment\n"
              "1001465944.jpg| 0| A woman is walking across the street .\n"
              "1001465944.jpg| 1| A woman walks .\n")
    a = write(tmp_path / "results_20130124.token", token, "bzip2")
    b = write(tmp_path / "results.csv", kaggle)
    report, index = imported(index_path, "flickr30k", "flickr30k", a, b)
    assert report.rows == 2 and report.bad == 0
    assert [f.duplicates for f in report.files] == [4, 1]
    assert {h.photo_id for h in index.find_photo_ids(["1000092795", "1001465944"])} == {
        "1000092795", "1001465944"}


def test_flickr30k_hostile_lines_are_bad_rows_with_line_numbers(tmp_path, index_path,
                                                                 monkeypatch):
    monkeypatch.setattr(sources, "MAX_LINE", 200)
    lines = [b"1000092795", b"../../etc/1000092796.jpg", b"C:\\x\\1000092797.jpg",
             b"0001000092795", b"99999999999999999999", b"1000092798.png", b"na\xefve.jpg",
             b"1" * 500, b"10000927\x0099", b"1000092799.j"]      # the last one cut off
    path = write(tmp_path / "test.txt", b"\n".join(lines))
    report, index = imported(index_path, "f30k", "flickr30k", path)
    assert report.rows == 1
    assert bad(report) == [
        (2, "a path, not an image name"), (3, "a path, not an image name"),
        (4, "photo ID out of range"),
        (5, "not a Flickr30k photo ID or image name (<photo_id>.jpg)"),
        (6, "not a Flickr30k photo ID or image name (<photo_id>.jpg)"),
        (7, "not a Flickr30k photo ID or image name (<photo_id>.jpg)"),
        (8, "line too long"), (9, "contains NUL bytes"),
        (10, "not a Flickr30k photo ID or image name (<photo_id>.jpg)")]
    assert not index.find_photo_ids(["1000092796", "1000092797"])


@pytest.mark.parametrize("fmt", ["flickr30k", "flickr8k", "conceptual-captions"])
def test_empty_and_binary_files_are_refused(tmp_path, index_path, fmt):
    empty = write(tmp_path / "empty.txt", b"")
    with pytest.raises(ImportFormatError, match=f"no usable {fmt} rows"):
        import_manifest(index_path, "x", fmt, [empty])
    utf16 = write(tmp_path / "utf16.txt", "1000092795\n".encode("utf-16"))
    with pytest.raises(ImportFormatError, match="UTF-16"):
        import_manifest(index_path, "x", fmt, [utf16])
    assert not index_path.exists()


def test_a_file_of_another_format_is_named_as_such(tmp_path, index_path):
    pipa = write(tmp_path / "pipa.txt", "72157607317745768 1808093328 277 159 218 294 1 1\n" * 60)
    with pytest.raises(ImportFormatError, match="the first 50 rows are not flickr8k rows"):
        import_manifest(index_path, "x", "flickr8k", [pipa])


# --- Flickr8k ----------------------------------------------------------------------------

def test_flickr8k_real_splits_through_the_cli(tmp_path, capsys, index_path):
    report = cli_import(capsys, index_path, "flickr8k", "flickr8k", *FLICKR8K)
    assert report["rows"] == 8000 and report["bad_rows"] == 0
    with DatasetIndex.open(index_path) as index:
        assert [h.dataset for h in index.find_photo_ids(["1000268201"])] == ["flickr8k"]


def test_flickr8k_token_file_and_hostile_lines(tmp_path, index_path):
    text = ("1000268201_693b08cb0e.jpg#0\tA child in a pink dress is climbing up stairs .\n"
            "1000268201_693b08cb0e.jpg#1\tA girl going into a wooden building .\n"
            "1000268201.jpg#0\tno secret\n"
            "Flicker8k_Dataset/1001773457_577c3a7d70.jpg\n"
            "1001773457_577c3a7d70.jpg\tA black dog and a spotted dog are fighting\n"
            "1002674143_1b742ab4b8.jp")                                 # cut off
    report, index = imported(index_path, "f8k", "flickr8k", write(tmp_path / "t.txt", text))
    assert report.rows == 2 and report.files[0].duplicates == 1
    assert bad(report) == [
        (3, "not a Flickr8k image name (<photo_id>_<secret>.jpg)"),
        (4, "a path, not an image name"),
        (6, "not a Flickr8k image name (<photo_id>_<secret>.jpg)")]
    assert len(index.find_photo_ids(["1000268201", "1001773457"])) == 2


def test_every_flickr8k_photo_is_in_flickr30k(tmp_path, index_path):
    import_manifest(index_path, "flickr30k", "flickr30k", FLICKR30K)
    import_manifest(index_path, "flickr8k", "flickr8k", FLICKR8K)
    ids = {line.split("_")[0] for path in FLICKR8K
           for line in gzip.decompress(path.read_bytes()).decode().split()}
    with DatasetIndex.open(index_path) as index:
        hits = index.find_photo_ids(sorted(ids)[:500])
    assert {h.dataset for h in hits} == {"flickr8k", "flickr30k"} and len(hits) == 1000


# --- Conceptual Captions -----------------------------------------------------------------

def test_conceptual_captions_real_validation_split(tmp_path, capsys, index_path):
    report = cli_import(capsys, index_path, "conceptual-captions", "conceptual-captions", CC)
    # two real URLs carry a literal "\x3d" (an escaped "="), which no web address has
    assert report["rows"] == 15831 and report["bad_rows"] == 2
    assert [(b["line"], b["reason"]) for b in report["first_bad_rows"]] == [
        (2663, "the image URL cannot be read (characters no web address has)"),
        (8537, "the image URL cannot be read (characters no web address has)")]
    with DatasetIndex.open(index_path) as index:
        info = index.info()[0]
        assert info.keys["photo_id"] == 50 and info.keys["url"] == 15781
        flickr = index.find_photo_ids(["5014630468"])       # c1.staticflickr.com/5/4083/...
        assert [h.dataset for h in flickr] == ["conceptual-captions"]
        assert len(index.find_hosts(["upload.wikimedia.org"])) == 10
        assert index.find_urls(["https://i.pinimg.com/736x/66/01/6c/66016c3ba27c0e04f39e2bd8"
                                "1a934e3e--anita-ekberg-bob-hope.jpg"])
    assert b"anita ekberg" not in index_path.read_bytes()     # captions are never kept


def test_conceptual_captions_bad_lines(tmp_path, index_path, monkeypatch):
    monkeypatch.setattr(sources, "MAX_LINE", 300)
    lines = [b"a dog on a beach\thttps://img.example.com/dog.jpg",
             b"https://img.example.com/cc12m-order.jpg\ta cat, CC12M puts the URL first",
             b"three\tfields\thttps://img.example.com/x.jpg",
             b"no tab at all https://img.example.com/y.jpg",
             b"caption\tftp://img.example.com/z.jpg",
             b"caption\thttps://img.example.com/caf\xe9.jpg",
             b"caption\t" + b"https://img.example.com/" + b"x" * 400,
             b"caption\thttps://img.example.com/a\\b.jpg",
             b"a cut-off line\thttps://img.exa"]
    report, index = imported(index_path, "cc", "conceptual-captions",
                             write(tmp_path / "cc.tsv", b"\r\n".join(lines)))
    assert report.rows == 3      # the cut-off URL is still a URL: it is stored as it stands
    assert bad(report) == [
        (3, "3 tab-separated fields, expected 2 (caption and image URL)"),
        (4, "1 tab-separated fields, expected 2 (caption and image URL)"),
        (5, "no http(s) image URL in the line"),
        (6, "URL is not valid UTF-8"), (7, "line too long"),
        (8, "the image URL cannot be read (characters no web address has)")]
    assert index.find_urls(["http://img.example.com/cc12m-order.jpg"])


# --- MegaFace (InsightFace's noise list) -------------------------------------------------

def test_megaface_noise_list_skips_its_terms_line(tmp_path, index_path):
    report, index = imported(index_path, "megaface", "megaface", DEMO / "megaface_noises.txt.gz")
    assert report.bad == 0 and report.rows == 657 and report.files[0].duplicates == 62
    assert report.keys["photo_id"] == 544 and report.keys["owner_id"] == 512
    assert [h.photo_id for h in index.find_owners(["37531198@N00"])] == ["4174611825"]
