"""Open Images image CSVs and DataComp parquet metadata, in their published layouts, into
real SQLite files, with hostile variants (broken quoting, short rows, wrong encodings,
files that are not what they claim, a missing pyarrow)."""

from __future__ import annotations

import base64
import hashlib
import json
import sys
from pathlib import Path

import pytest

from bot.cli import main
from bot.errors import ImportFormatError, IndexStoreError
from bot.index import DatasetIndex, import_manifest
from tests.index.manifests import write

HEADER = ("ImageID,Subset,OriginalURL,OriginalLandingURL,License,AuthorProfileURL,Author,Title,"
          "OriginalSize,OriginalMD5,Thumbnail300KURL,Rotation\n")
# the example row of the Open Images V3 README (openimages/dataset), with a rotation added
EXAMPLE = ("000060e3121c7305,train,https://c1.staticflickr.com/5/4129/5215831864_46f356962f_o.jpg,"
           "https://www.flickr.com/photos/brokentaco/5215831864,"
           "https://creativecommons.org/licenses/by/2.0/,"
           "\"https://www.flickr.com/people/brokentaco/\",\"David\",\"28 Nov 2010 Our new house.\","
           "211079,0Sad+xMj2ttXM1U8meEJ0A==,"
           "https://c1.staticflickr.com/5/4129/5215831864_ee4e8c6535_z.jpg,0.0\n")


def imported(index_path: Path, slug: str, fmt: str, *files: Path):
    report = import_manifest(index_path, slug, fmt, list(files))
    return report, DatasetIndex.open(index_path)


def row(image: str, original: str, landing: str, profile: str, md5: str = "",
        title: str = "t") -> str:
    return (f"{image},train,{original},{landing},https://creativecommons.org/licenses/by/2.0/,"
            f"{profile},Someone,{title},1000,{md5},,0.0\n")


# --- Open Images -------------------------------------------------------------------------

def test_open_images_published_example_row_through_the_cli(tmp_path, capsys, index_path):
    path = write(tmp_path / "train-images-boxable-with-rotation.csv", HEADER + EXAMPLE, "gzip")
    code = main(["index", "import", "--index", str(index_path), "--dataset", "open-images",
                 "--format", "open-images", "--json", str(path)])
    report = json.loads(capsys.readouterr().out)
    assert code == 0 and report["rows"] == 1 and report["keys"]["md5"] == 1
    with DatasetIndex.open(index_path) as index:
        [hit] = index.find_owners(["brokentaco"])         # the alias of the photo page
        assert (hit.dataset, hit.photo_id) == ("open-images", "5215831864")
        md5 = base64.b64decode("0Sad+xMj2ttXM1U8meEJ0A==").hex()
        assert index.find_file_hash(md5=md5)[0].photo_id == "5215831864"
    stored = index_path.read_bytes()
    assert b"Our new house" not in stored and b"David" not in stored   # no titles, no authors


def test_open_images_owner_nsids_non_flickr_images_and_bad_rows(tmp_path, index_path):
    digest = hashlib.md5(b"the original file").digest()
    text = HEADER + "".join([
        # an NSID on the profile page wins over the alias of the landing page
        row("a1", "https://farm1.staticflickr.com/1/111_aaaabbbbcc_o.jpg",
            "https://www.flickr.com/photos/janedoe/111",
            "https://www.flickr.com/people/12345678@N00/",
            base64.b64encode(digest).decode()),
        # no landing page: the photo ID comes from the image address
        row("a2", "https://farm1.staticflickr.com/1/222_aaaabbbbcc_o.jpg", "", ""),
        # not on Flickr: the image URL is kept
        row("a3", "https://images.example.org/p/333.jpg", "", "", digest.hex()),
        # a title with a comma and a line break, quoted as CSV does it
        row("a4", "", "https://www.flickr.com/photos/99999999@N01/444", "", "not-a-digest",
            title='"two,\nlines"'),
        row("a5", "", "https://example.com/landing/555", ""),                # not a Flickr page
        row("a6", "javascript:alert(1)", "", ""),
        "a7,train,only,three\n",
        row("a8", "", "https://www.flickr.com/photos/x/888", "", title='"caf\udce9"'),
        'a9,train,"https://farm1.staticflickr.com/1/999_aaaabbbbcc_o.jpg\n',   # broken quote
    ])
    path = write(tmp_path / "images.csv", text.encode("utf-8", "surrogateescape"))
    report, index = imported(index_path, "oi", "open-images", path)
    assert report.rows == 5
    assert [(b.line, b.reason) for b in report.bad_rows] == [
        (7, "OriginalLandingURL is not a Flickr photo page"),
        (8, "OriginalURL is not an http(s) URL"),
        (9, "4 columns, expected at least 10"),
        (11, "3 columns, expected at least 10")]     # the open quote runs to the end
    assert [h.photo_id for h in index.find_owners(["12345678@N00"])] == ["111"]
    assert index.find_photo_ids(["222"])[0].owner is None
    assert index.find_urls(["https://images.example.org/p/333.jpg"])
    assert index.find_file_hash(md5=digest.hex())[0].photo_id == "111"
    assert index.find_photo_ids(["444"])[0].owner == "99999999@N01"
    assert index.find_photo_ids(["888"])


@pytest.mark.parametrize("content, message", [
    (b"", "is empty"),
    (b"ImageID,Subset,LabelName,Confidence\n000002b66c9c498e,train,/m/014j1m,0\n",
     "has no OriginalLandingURL or OriginalURL column"),
    ("\ufeffImageID,OriginalURL\n".encode("utf-16"), "UTF-16"),
    (bytes(range(256)) * 100, "binary data"),
])
def test_open_images_files_that_are_not_image_lists(tmp_path, index_path, content, message):
    with pytest.raises(ImportFormatError, match=message):
        import_manifest(index_path, "oi", "open-images", [write(tmp_path / "x.csv", content)])
    assert not index_path.exists()


def test_open_images_header_with_bom_and_fewer_columns(tmp_path, index_path):
    text = ("\ufeffImageID,OriginalLandingURL\n"
            "x1,https://www.flickr.com/photos/12345678@N00/4325695128\n")
    report, index = imported(index_path, "oi", "open-images", write(tmp_path / "v1.csv", text))
    assert report.rows == 1 and index.find_owners(["12345678@N00"])


# --- DataComp ----------------------------------------------------------------------------

def datacomp_parquet(path: Path, urls: list, sha256: list | None = None) -> Path:
    pa = pytest.importorskip("pyarrow")
    pq = pytest.importorskip("pyarrow.parquet")
    columns = {"uid": [f"{n:032x}" for n in range(len(urls))], "url": urls,
               "text": ["a caption"] * len(urls)}
    if sha256 is not None:
        columns["sha256"] = sha256
    pq.write_table(pa.table(columns), path, row_group_size=2)
    return path


def test_datacomp_parquet_urls_flickr_ids_and_sha256(tmp_path, capsys, index_path):
    digest = hashlib.sha256(b"an image").hexdigest()
    path = datacomp_parquet(tmp_path / "0000000.parquet",
                            ["https://img.example.com/a.jpg",
                             "https://live.staticflickr.com/65535/4325695128_0a1b2c3d4e_b.jpg",
                             None, "", "data:image/png;base64,AAAA",
                             "https://img.example.com/b.jpg"],
                            [digest, None, None, None, None, "zz"])
    code = main(["index", "import", "--index", str(index_path), "--dataset", "datacomp",
                 "--format", "datacomp", "--json", str(path)])
    report = json.loads(capsys.readouterr().out)
    assert code == 0 and report["rows"] == 3
    assert [(b["line"], b["reason"]) for b in report["first_bad_rows"]] == [
        (3, "url is empty"), (4, "url is empty"), (5, "url is not an http(s) URL")]
    with DatasetIndex.open(index_path) as index:
        assert index.find_photo_ids(["4325695128"])[0].dataset == "datacomp"
        assert index.find_file_hash(sha256=digest)[0].url == "https://img.example.com/a.jpg"
        assert index.find_urls(["http://img.example.com/b.jpg"])   # the bad sha256 is dropped
    assert b"a caption" not in index_path.read_bytes()


def test_datacomp_without_a_sha256_column(tmp_path, index_path):
    path = datacomp_parquet(tmp_path / "small.parquet", ["https://img.example.com/c.jpg"])
    report, index = imported(index_path, "datacomp", "datacomp", path)
    assert report.rows == 1 and report.keys["sha256"] == 0


def test_datacomp_files_that_are_not_datacomp_metadata(tmp_path, index_path):
    pa = pytest.importorskip("pyarrow")
    pq = pytest.importorskip("pyarrow.parquet")
    no_url = tmp_path / "no_url.parquet"
    pq.write_table(pa.table({"uid": ["a"], "caption": ["b"]}), no_url)
    with pytest.raises(ImportFormatError, match="has no url column"):
        import_manifest(index_path, "datacomp", "datacomp", [no_url])
    text = write(tmp_path / "urls.txt", "https://img.example.com/a.jpg\n")
    with pytest.raises(ImportFormatError, match="is not a parquet file"):
        import_manifest(index_path, "datacomp", "datacomp", [text])
    plain = datacomp_parquet(tmp_path / "y.parquet", ["https://a.example/x.jpg"])
    gz = write(tmp_path / "x.parquet.gz", plain.read_bytes(), "gzip")
    with pytest.raises(ImportFormatError, match="parquet must be a plain file"):
        import_manifest(index_path, "datacomp", "datacomp", [gz])
    assert not index_path.exists()


def test_datacomp_without_pyarrow_says_how_to_install(tmp_path, index_path, monkeypatch):
    monkeypatch.setitem(sys.modules, "pyarrow", None)
    monkeypatch.setitem(sys.modules, "pyarrow.parquet", None)
    path = write(tmp_path / "x.parquet", b"PAR1" + b"\x00" * 20)
    with pytest.raises(IndexStoreError, match=r"needs pyarrow: pip install 'rightsbot\[laion\]'"):
        import_manifest(index_path, "datacomp", "datacomp", [path])
    assert not index_path.exists()
