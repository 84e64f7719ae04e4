"""Every manifest format on small realistic fixtures, plus hostile input."""

from __future__ import annotations

import base64
import gzip
import io
import json
import sys
import tarfile
from pathlib import Path

import pytest

from bot.errors import ImportFormatError, IndexStoreError
from bot.index import DatasetIndex, import_manifest
from bot.index import sources
from bot.resources import data_path

from tests.index.manifests import write, yfcc23_line, yfcc_line

SAMPLES = data_path("demo")   # copies of shared/domain/samples, gzipped
PIPA_LINES = """72157607317745768 1808093328 277 159 218 294 1 1
72157607317745768 1808093328 100 100 50 50 2 1
72157607317745768 3588949802 618 76 87 120 1 0
72157607317745768 3588949942 472 90 110 156 1 0
"""
FACESCRUB_LINES = (
    "name\timage_id\tface_id\turl\tbbox\tsha256\n"
    "Alec Baldwin\t3209\t1862\thttp://sarcastic-news.com/wp-content/uploads/2013/11/Alec_Baldwin_PETA"
    "_Shankbone_2008.jpg\t463,450,1785,1772\t"
    "aed1147f61119c1ee4a725f4c49b4a7e766412754a1d551ec24245d30ac15f6d\n"
    "Lorraine Bracco\t21012\t9743\thttp://farm6.staticflickr.com/5467/8968074320_c6136a3194.jpg\t"
    "108,81,270,243\t7ed26a85652bbcae9558400f6c7b62584820d111f8c81ad34777e40a5dc51ab2\n"
    "Angie Harmon\t71307\t32555\thttp://www.sawfirst.com/wp-content/uploads/20")


def imported(index_path: Path, slug: str, fmt: str, *files: Path, **kw):
    report = import_manifest(index_path, slug, fmt, list(files), **kw)
    return report, DatasetIndex.open(index_path)


@pytest.mark.parametrize("compression", ["none", "gzip", "bzip2", "xz"])
def test_yfcc100m_25_and_23_fields_any_compression_by_magic(tmp_path, index_path, compression):
    text = "\n".join([yfcc_line(0, 6985418911, "39089491@N00"),
                      yfcc_line(1, 6985418912, "39089491@N00"),
                      yfcc23_line(6985418913, "11632020@N00")]) + "\n"
    path = write(tmp_path / "yfcc.txt", text, compression)   # extension says nothing
    report, index = imported(index_path, "yfcc100m", "yfcc100m", path)
    assert report.rows == 3 and report.bad == 0
    assert report.keys["photo_id"] == 3 and report.keys["owner_id"] == 2
    hits = index.find_owners(["39089491@n00"])   # NSID case is normalised
    assert sorted(h.photo_id for h in hits) == ["6985418911", "6985418912"]
    assert hits[0].url == f"https://www.flickr.com/photos/39089491@N00/{hits[0].photo_id}/"
    assert [h.owner for h in index.find_photo_ids(["6985418913"])] == ["11632020@N00"]


def test_yfcc100m_bad_rows_are_counted_with_line_numbers(tmp_path, index_path):
    lines = [yfcc_line(0, 1001, "1@N00"), "too\tfew\tfields", yfcc_line(2, 0, "1@N00"),
             yfcc_line(3, 1004, "not-an-nsid!"), yfcc_line(4, "12x4", "1@N00"), "",
             yfcc_line(5, 1005, "2@N01")]
    path = write(tmp_path / "y.tsv", "\n".join(lines) + "\n")
    report, index = imported(index_path, "yfcc100m", "yfcc100m", path)
    assert report.rows == 2
    assert [(b.line, b.reason) for b in report.bad_rows] == [
        (2, "3 tab-separated fields, expected 25 or 23"), (3, "photo ID out of range"),
        (4, "user NSID is not an NSID"), (5, "photo ID is not a number")]
    assert "y.tsv:2: 3 tab-separated fields" in "\n".join(report.lines())
    assert {h.photo_id for h in index.find_photo_ids(["1001", "1005"])} == {"1001", "1005"}


def test_pipa_real_sample_keeps_each_photo_once(tmp_path, index_path):
    path = write(tmp_path / "pipa.bz2", PIPA_LINES, "bzip2")
    report, index = imported(index_path, "pipa", "pipa", path)
    assert report.rows == 3 and report.keys["photo_id"] == 3
    hits = index.find_photo_ids(["1808093328"])
    assert hits == [hits[0]] and hits[0].dataset == "pipa" and hits[0].owner is None
    assert hits[0].url == "https://www.flickr.com/photo.gne?id=1808093328"


def test_facescrub_header_flickr_url_sha256_and_truncated_last_line(tmp_path, index_path):
    path = write(tmp_path / "facescrub_actors.txt", FACESCRUB_LINES)
    report, index = imported(index_path, "facescrub", "facescrub", path)
    assert report.rows == 2
    assert [(b.line, b.reason) for b in report.bad_rows] == [
        (4, "4 tab-separated fields, expected 6")]
    by_url = index.find_urls(["https://sarcastic-news.com/wp-content/uploads/2013/11/"
                              "Alec_Baldwin_PETA_Shankbone_2008.jpg/"])  # https and a slash
    assert [h.url for h in by_url] == ["http://sarcastic-news.com/wp-content/uploads/2013/11/"
                                       "Alec_Baldwin_PETA_Shankbone_2008.jpg"]
    flickr = index.find_photo_ids(["8968074320"])        # the staticflickr row gives a photo ID
    assert [h.dataset for h in flickr] == ["facescrub"]
    by_hash = index.find_file_hash(
        sha256="7ED26A85652BBCAE9558400F6C7B62584820D111F8C81AD34777E40A5DC51AB2".lower())
    assert [h.photo_id for h in by_hash] == ["8968074320"]
    assert len(index.find_hosts(["www.sarcastic-news.com"])) == 1


def test_facescrub_shipped_samples(tmp_path, index_path):
    report, index = imported(index_path, "facescrub", "facescrub",
                             SAMPLES / "facescrub_actors.txt.gz",
                             SAMPLES / "facescrub_actresses.txt.gz")
    assert report.rows == 1549 + 1555 and report.bad == 1   # the actresses copy is cut mid-line
    assert str(report.bad_rows[0]) == "facescrub_actresses.txt.gz:1556: 4 tab-separated fields, " \
                                      "expected 6"


def test_wrong_encoding_is_a_bad_row_not_a_crash(tmp_path, index_path):
    good = FACESCRUB_LINES.splitlines()[1].encode()
    latin1 = "Björk\t1\t1\thttp://example.com/Bj\xf6rk.jpg\t1,2,3,4\t".encode("latin-1") + b"a" * 64
    nul = b"X\t2\t2\thttp://exa\x00mple.com/a.jpg\t1,2,3,4\t" + b"b" * 64
    path = write(tmp_path / "fs.txt", b"\n".join([good, latin1, nul, good]) + b"\n")
    report, _ = imported(index_path, "facescrub", "facescrub", path)
    assert report.rows == 2
    assert [(b.line, b.reason) for b in report.bad_rows] == [
        (2, "url is not valid UTF-8"), (3, "url is not an http(s) URL")]


def test_overlong_lines_are_bad_rows(tmp_path, index_path, monkeypatch):
    monkeypatch.setattr(sources, "MAX_LINE", 5000)
    lines = ["http://example.com/a.jpg", "http://example.com/" + "x" * 20000 + ".jpg",
             "http://example.com/b.jpg", "http://example.com/" + "y" * 9000]
    path = write(tmp_path / "urls.txt", "\n".join(lines))   # the last one has no newline
    report, index = imported(index_path, "mylist", "urls", path)
    assert report.rows == 2
    assert [(b.line, b.reason) for b in report.bad_rows] == [(2, "line too long"),
                                                             (4, "line too long")]
    assert len(index.find_urls(["http://example.com/b.jpg"])) == 1


def test_megaface_path_lists_and_json_lists(tmp_path, index_path):
    lines = ("FlickrFinal2/901/9019583@N08/8032652775_0.jpg\n"
             "FlickrFinal2/901/9019583@N08/8032652775_1.jpg\n"
             "/data/megaface/FlickrFinal2/116/11632020@N00/4325695128_0.jpg.json\n"
             "FlickrFinal2/not/a/path.jpg\n")
    listing = {"path": ["FlickrFinal2/555/5551234@N02/1234567890_0.jpg",
                        "FlickrFinal2/555/5551234@N02/1234567891_3.jpg"], "id": [1, 2]}
    a = write(tmp_path / "paths.txt", lines)
    b = write(tmp_path / "megaface_features_list.json_1000000_1", json.dumps(listing, indent=1),
              "gzip")
    report, index = imported(index_path, "megaface", "megaface", a, b)
    assert report.rows == 4 and report.bad == 1
    assert report.files[0].duplicates == 1
    assert {h.photo_id for h in index.find_owners(["9019583@N08", "5551234@N02"])} == {
        "8032652775", "1234567890", "1234567891"}
    assert index.find_photo_ids(["4325695128"])[0].owner == "11632020@N00"


def test_vggface_and_msceleb_urls(tmp_path, index_path):
    vgg = write(tmp_path / "A.J._Buckley.txt",
                "1 http://www.contactmusic.com/pics/ld/a.j_buckley_2706152.jpg 165.21 105.50 "
                "298.57 238.86 4.00 3.39 1\n"
                "2 https://farm3.staticflickr.com/2047/2320117424_5cb7b6a3c3_b.jpg 1 2 3 4 1 2 0\n"
                "3 not-a-url 1 2 3 4 1 2 0\n")
    report, index = imported(index_path, "vggface", "vggface", vgg)
    assert report.rows == 2 and [b.line for b in report.bad_rows] == [3]
    assert index.find_photo_ids(["2320117424"])[0].dataset == "vggface"
    crop = base64.b64encode(b"\xff\xd8\xff" + b"\x00" * 30000).decode()
    ms = write(tmp_path / "TrainData_Base.tsv",
               f"m.0107_f\t1\thttp://img.example.org/face1.jpg\thttp://example.org/page\t"
               f"FaceId-0\tAAAA\t{crop}\n"
               f"m.0107_f\t2\thttp://img.example.org/face2.jpg\n")
    report, index = imported(index_path, "ms-celeb-1m", "msceleb", ms)
    assert report.rows == 1 and report.bad_rows[0].reason == "3 fields, expected 7"
    assert index.find_urls(["http://IMG.example.org:80/face1.jpg"])[0].dataset == "ms-celeb-1m"
    assert index.datasets() == ["ms-celeb-1m", "vggface"]


def ffhq_record(n: int, url: str | None, md5: str | None) -> dict:
    return {"category": "training",
            "metadata": {"photo_url": url, "photo_title": "t", "author": "Jeremy Frumkin",
                         "license": "Attribution-NonCommercial License"},
            "image": {"file_path": f"images1024x1024/00000/{n:05d}.png", "file_md5": md5,
                      "face_landmarks": [[1.0, 2.0]] * 68}}


def test_ffhq_streams_json_and_keeps_alias_owner_and_md5(tmp_path, index_path):
    data = {"0": ffhq_record(0, "https://www.flickr.com/photos/frumkin/1133484654/",
                             "ddeaeea6ce59569643715759d537fd1b"),
            "1": ffhq_record(1, "https://www.flickr.com/photos/9019583@N08/8032652775/", None),
            "2": {"metadata": {}}, "3": ffhq_record(3, None, "not-hex")}
    path = write(tmp_path / "ffhq-dataset-v2.json", json.dumps(data, indent=2))
    report, index = imported(index_path, "ffhq", "ffhq", path)
    assert report.rows == 2 and report.bad == 2
    assert [h.photo_id for h in index.find_owners(["Frumkin"])] == ["1133484654"]
    assert index.find_file_hash(md5="ddeaeea6ce59569643715759d537fd1b")[0].owner == "frumkin"
    stored = index_path.read_bytes()
    assert b"Frumkin" not in stored and b"Jeremy" not in stored   # no author names kept


def test_ffhq_cut_off_json_keeps_the_records_before(tmp_path, index_path):
    data = {str(n): ffhq_record(n, f"https://www.flickr.com/photos/x/{1000 + n}/", None)
            for n in range(50)}
    text = json.dumps(data, indent=1)
    path = write(tmp_path / "ffhq.json.gz", text[: len(text) * 3 // 5], "gzip")
    with pytest.raises(ImportFormatError):          # a damaged file fails the import ...
        imported(index_path, "ffhq", "ffhq", path)
    report, index = imported(index_path, "ffhq", "ffhq", path, accept_partial=True)   # ... unless
    assert 20 < report.rows < 50 and report.files[0].stopped
    assert "invalid JSON" in report.files[0].stopped
    assert index.find_photo_ids(["1000"])


def test_laion_parquet(tmp_path, index_path):
    pa = pytest.importorskip("pyarrow")
    pq = pytest.importorskip("pyarrow.parquet")
    table = pa.table({"SAMPLE_ID": [1, 2, 3, 4],
                      "URL": ["https://i.example.com/cat.jpg",
                              "https://live.staticflickr.com/65535/4325695128_0a1b2c3d4e_b.jpg",
                              None, "javascript:alert(1)"],
                      "TEXT": ["a cat", "a photo", "x", "y"]})
    path = tmp_path / "part-00000.parquet"
    pq.write_table(table, path, row_group_size=2)
    report, index = imported(index_path, "laion-400m", "laion", path)
    assert report.rows == 2 and [b.line for b in report.bad_rows] == [3, 4]
    assert index.find_photo_ids(["4325695128"])[0].dataset == "laion-400m"
    assert index.find_urls(["http://i.example.com/cat.jpg"])


def test_laion_without_pyarrow_says_how_to_install(tmp_path, index_path, monkeypatch):
    monkeypatch.setitem(sys.modules, "pyarrow.parquet", None)
    path = write(tmp_path / "x.parquet", b"PAR1" + b"\x00" * 20)
    with pytest.raises(IndexStoreError, match=r"pip install 'rightsbot\[laion\]'"):
        import_manifest(index_path, "laion-5b", "laion", [path])


def test_urls_and_photo_ids(tmp_path, index_path):
    urls = write(tmp_path / "dif.txt", "# DiF list\nhttp://www.flickr.com/photos/1@N00/1234/\n"
                                       "https://flic.kr/p/7Afjsu\nftp://nope\n")
    report, index = imported(index_path, "dif", "urls", urls)
    assert report.rows == 2 and [b.line for b in report.bad_rows] == [4]
    assert {h.photo_id for h in index.find_photo_ids(["4325695128", "1234"])} == {
        "4325695128", "1234"}
    ids = write(tmp_path / "ids.txt", "1234\n5678\nabc\n")
    report, index = imported(index_path, "dif2", "photo-ids", ids)
    assert report.rows == 2 and report.bad_rows[0].line == 3


def test_csv_with_column_mapping(tmp_path, index_path):
    text = ("ID;Owner;Link;Digest;PH\n"
            "1001;5551234@N02;;;\n"
            ";;https://example.org/a.png;" + "ab" * 16 + ";c3a1b2d4e5f60718\n"
            "x1;;;;\n"
            ";;=HYPERLINK(\"http://evil\");;\n"
            ";;;;\n")
    path = write(tmp_path / "list.csv", text)
    options = {"columns": {"photo_id": "id", "owner": "Owner", "url": "Link", "md5": "Digest",
                           "phash": "PH"}}
    report, index = imported(index_path, "mine", "csv", path, options=options)
    assert report.rows == 2 and report.no_key == 1
    assert [(b.line, b.reason) for b in report.bad_rows] == [
        (4, "photo_id is not a Flickr photo ID"), (5, "url is not an http(s) URL")]
    assert index.find_owners(["5551234@N02"])[0].photo_id == "1001"
    assert index.find_file_hash(md5="ab" * 16)[0].url == "https://example.org/a.png"
    [(hit, distance)] = index.find_similar(0xC3A1B2D4E5F60719, 1)
    assert distance == 1 and hit.url == "https://example.org/a.png"
    with pytest.raises(ImportFormatError, match="no column named 'nope'"):
        import_manifest(index_path, "mine", "csv", [path], options={"columns": {"url": "nope"}})


def test_ijbc_file_names_without_flickr_ids_cannot_match(tmp_path, index_path):
    plain = write(tmp_path / "ijbc_metadata.csv",
                  "TEMPLATE_ID,SUBJECT_ID,FILENAME,SIGHTING_ID,FACE_X\n1,1,img/1.jpg,1,10\n"
                  "2,1,frames/2_33.png,2,10\n")
    with pytest.raises(ImportFormatError, match="carries a key that can match"):
        import_manifest(index_path, "ijb-c", "ijbc", [plain])
    assert not index_path.exists()
    flickr = write(tmp_path / "ijbc2.csv", "TEMPLATE_ID,SUBJECT_ID,FILENAME\n"
                                           "1,1,img/8032652775_1a2b3c4d5e.jpg\n1,1,img/9.jpg\n")
    report, index = imported(index_path, "ijb-c", "ijbc", flickr)
    assert report.rows == 1 and report.no_key == 1
    assert index.find_photo_ids(["8032652775"])[0].dataset == "ijb-c"


def tar_of(name: str, data: bytes) -> bytes:
    """A real tar archive holding one file (what a .tar.gz download holds)."""
    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode="w") as archive:
        info = tarfile.TarInfo(name)
        info.size = len(data)
        archive.addfile(info, io.BytesIO(data))
    return buffer.getvalue()


@pytest.mark.parametrize("content, fmt, message", [
    (PIPA_LINES * 20, "yfcc100m", "the first 50 rows are not yfcc100m rows"),
    ("\ufeffname,x\n".encode("utf-16"), "facescrub", "UTF-16"),
    (bytes(range(256)) * 40, "pipa", "binary data"),
    (gzip.compress(b"") [:0] + b"PK\x03\x04rest", "urls", "zip file; unpack it first"),
    (gzip.compress(tar_of("list.txt", b"https://example.com/a.jpg\n")), "urls",
     "is a tar archive; unpack it first"),
    (tar_of("pipa.txt", PIPA_LINES.encode()), "pipa", "is a tar archive"),
    (tar_of("ffhq.json", b"{}"), "ffhq", "is a tar archive"),
    (b"", "pipa", "no usable pipa rows"),
    ("hello world\n", "ffhq", "is not JSON"),
])
def test_files_of_the_wrong_format_are_rejected(tmp_path, index_path, content, fmt, message):
    path = write(tmp_path / "manifest", content)
    with pytest.raises(ImportFormatError, match=message):
        import_manifest(index_path, "x", fmt, [path])
    assert not index_path.exists()
    assert not list(tmp_path.glob("*.tmp"))


def test_cut_off_gzip_keeps_rows_read_before(tmp_path, index_path):
    text = "".join(f"http://example.com/{n}.jpg\n" for n in range(20000))
    data = gzip.compress(text.encode())
    path = write(tmp_path / "urls.gz", data[: len(data) // 2])
    with pytest.raises(ImportFormatError):
        imported(index_path, "cut", "urls", path)
    report, index = imported(index_path, "cut", "urls", path, accept_partial=True)
    assert 0 < report.rows < 20000
    assert "damaged or cut off" in report.files[0].stopped
