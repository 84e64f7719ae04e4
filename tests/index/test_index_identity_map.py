"""hash-images --map FILE.csv: an explicit path -> photo_id, owner, url list. Every field is
hostile: a map with any problem is refused with line numbers and nothing is hashed."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from bot.cli import main
from tests.imaging import jpeg_bytes, make_photo, telegram_recompress
from tests.index.manifests import write, yfcc_line

OWNER = "12345678@N04"


def run(capsys, *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


@pytest.fixture
def images(tmp_path: Path) -> Path:
    folder = tmp_path / "images"
    for n, rel in enumerate(["a/one.jpg", "a/two.jpg", "b/Zoë ärger.jpg", "b/four.jpg"]):
        path = folder / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(jpeg_bytes(make_photo(40 + n, (640, 480))))
    return folder


def hash_with_map(capsys, index: Path, images: Path, csv: Path, *extra: str):
    return run(capsys, "index", "hash-images", "--index", str(index), "--dataset", "mylist",
               "--workers", "1", "--map", str(csv), *extra, str(images))


def matches(capsys, index: Path, tmp_path: Path, image: Path) -> list[dict]:
    sent = tmp_path / "sent.jpg"
    sent.write_bytes(telegram_recompress(image.read_bytes(), longest=400))
    code, out, err = run(capsys, "check", "--index", str(index), "--photo", str(sent), "--json")
    assert code == 0, err
    return json.loads(out)["matches"]


def test_a_map_names_each_image(tmp_path, index_path, images, capsys):
    csv = write(tmp_path / "map.csv",
                "\ufeffpath,photo_id,owner,url\r\n"
                f"a/one.jpg,3000000001,{OWNER},\r\n"
                "\"./a\\two.jpg\",,,https://www.flickr.com/photos/99999999@N00/3000000002/\r\n"
                # the name as a Mac writes it (decomposed) matches the file's composed name
                "b/Zoe\u0308 a\u0308rger.jpg,,,https://example.org/pics/4.jpg\r\n"
                "not/in/folder.jpg,5,,\r\n")
    code, out, err = hash_with_map(capsys, index_path, images, csv)
    assert code == 0, err
    assert "3 images named by photo ID, owner or URL; 1 by their path" in out
    assert "1 row of the map named no image in the folder" in out
    [m] = matches(capsys, index_path, tmp_path, images / "a/one.jpg")
    assert (m["photo_id"], m["owner"], m.get("path")) == ("3000000001", OWNER, None)
    [m] = matches(capsys, index_path, tmp_path, images / "a/two.jpg")
    assert (m["photo_id"], m["owner"]) == ("3000000002", "99999999@N00")
    [m] = matches(capsys, index_path, tmp_path, images / "b/Zoë ärger.jpg")
    assert (m["photo_id"], m["url"]) == (None, "https://example.org/pics/4.jpg")
    [m] = matches(capsys, index_path, tmp_path, images / "b/four.jpg")
    assert (m["url"], m["path"]) == (None, "b/four.jpg")


def test_a_map_without_header_and_the_manifest_supplies_the_owner(tmp_path, index_path, images,
                                                                 capsys):
    code, _out, err = run(capsys, "index", "import", "--index", str(index_path), "--dataset",
                          "mylist", "--format", "yfcc100m",
                          str(write(tmp_path / "y.tsv", yfcc_line(1, 3000000003, OWNER) + "\n")))
    assert code == 0, err
    csv = write(tmp_path / "map.tsv", "a/one.jpg\t3000000003\n")     # tab-separated, photo only
    code, _out, err = hash_with_map(capsys, index_path, images, csv, "--layout", "none")
    assert code == 0, err
    [m] = matches(capsys, index_path, tmp_path, images / "a/one.jpg")
    assert (m["photo_id"], m["owner"]) == ("3000000003", OWNER)
    assert m["url"] == f"https://www.flickr.com/photos/{OWNER}/3000000003/"


BAD_MAPS = [
    ("a/one.jpg,=HYPERLINK(\"http://evil\"),,\n", "map.csv:1: photo_id '=HYPERLINK", "formula"),
    ("a/one.jpg,1,@SUM(1+1),\n", "map.csv:1: owner '@SUM(1+1)' looks like a spreadsheet formula",
     None),
    ("path,photo_id\n/etc/passwd,1\n", "map.csv:2: /etc/passwd is an absolute path", None),
    ("path,photo_id\nC:\\photos\\a.jpg,1\n", "map.csv:2: C:\\photos\\a.jpg is an absolute path",
     None),
    ("a/../../secret.jpg,1\n", "map.csv:1: a/../../secret.jpg leaves the image folder", None),
    ("a/one.jpg,12abc\n", "map.csv:1: photo_id '12abc' is not a Flickr photo ID", None),
    ("a/one.jpg,0\n", "photo_id '0' is not a Flickr photo ID", None),
    ("a/one.jpg,١٢٣\n", "photo_id '١٢٣' is not a Flickr photo ID", None),
    ("a/one.jpg,,not an owner!,\n", "map.csv:1: owner 'not an owner!' is not a Flickr NSID", None),
    ("a/one.jpg,,,javascript:alert(1)\n", "map.csv:1: url 'javascript:alert(1)' is not", None),
    ("a/one.jpg,7,,https://www.flickr.com/photos/x/8/\n", "photo_id 7 and the url name different",
     None),
    ("a/one.jpg,,,\n", "map.csv:1: names no photo_id, owner or url", None),
    ("a/one.jpg,1\na/one.jpg,2\n", "map.csv:2: a/one.jpg was already given another photo on line 1",
     None),
    ("a/one.jpg,\"1\n", "map.csv:1: not valid CSV", None),
    ("a/one\x07.jpg,1\n", "map.csv:1: the path contains control characters", None),
    (b"a/one.jpg,1\nb/\xff\xfe.jpg,2\n", "map.csv:2: not UTF-8 text", None),
    ("path,name\na,b\n", "the header names no photo_id, owner or url column", None),
    ("", "holds no rows", None),
    ("\ufeffpath,photo_id\n".encode("utf-16"), "looks UTF-16 encoded", None),
    (b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 4, "contains binary data", None),
]


@pytest.mark.parametrize("content, message, _note", BAD_MAPS)
def test_a_bad_map_is_refused_with_its_line_and_nothing_is_hashed(tmp_path, index_path, images,
                                                                 capsys, content, message, _note):
    run(capsys, "index", "hash-images", "--index", str(index_path), "--dataset", "other",
        "--workers", "1", str(images))
    before = index_path.read_bytes()
    csv = write(tmp_path / "map.csv", content)
    code, out, err = hash_with_map(capsys, index_path, images, csv)
    assert code == 1
    assert message in err, err
    assert err.startswith("rightsbot: error: ") and "Traceback" not in err
    assert index_path.read_bytes() == before           # not even the dataset's name
    assert out == ""


def test_every_problem_is_listed_up_to_ten(tmp_path, index_path, images, capsys):
    csv = write(tmp_path / "map.csv", "".join(f"a/{n}.jpg,x{n}\n" for n in range(25)))
    code, _out, err = hash_with_map(capsys, index_path, images, csv)
    assert code == 1
    assert "map.csv: 25 problems in the map; nothing was hashed" in err
    assert "map.csv:10: photo_id 'x9'" in err and "map.csv:11:" not in err
    assert "... and 15 more" in err


def test_a_truncated_gzip_map_is_refused(tmp_path, index_path, images, capsys):
    import gzip
    data = gzip.compress("".join(f"a/{n}.jpg,{n + 1}\n" for n in range(20000)).encode())
    csv = write(tmp_path / "map.csv.gz", data[:len(data) // 2])
    code, _out, err = hash_with_map(capsys, index_path, images, csv)
    assert code == 1 and "damaged or cut off" in err and "nothing was hashed" in err
    assert not index_path.exists()
