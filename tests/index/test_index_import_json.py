"""MS-COCO, Visual Genome and FSXL JSON manifests: the real shipped COCO and FSXL files
through the real CLI into real SQLite files, Visual Genome in its published layout, and
hostile variants of each (cut off, broken, nested, wrong shape, wrong encoding)."""

from __future__ import annotations

import gzip
import json
from pathlib import Path

import pytest

from bot.cli import main
from bot.errors import DataError, ImportFormatError
from bot.index import DatasetIndex, import_manifest
from bot.resources import data_path
from tests.index.manifests import write

DEMO = data_path("demo")
COCO = DEMO / "coco_captions_val2017.json.gz"
FSXL = DEMO / "fsxl-metadata.json.gz"


def imported(index_path: Path, slug: str, fmt: str, *files: Path, **kw):
    report = import_manifest(index_path, slug, fmt, list(files), **kw)
    return report, DatasetIndex.open(index_path)


def bad(report) -> list[tuple[int, str]]:
    return [(b.line, b.reason) for b in report.bad_rows]


def coco_image(n: int, url: str | None) -> dict:
    image = {"license": 4, "file_name": f"{n:012d}.jpg",
             "coco_url": f"http://images.cocodataset.org/val2017/{n:012d}.jpg",
             "height": 427, "width": 640, "date_captured": "2013-11-14 17:02:52", "id": n}
    if url is not None:
        image["flickr_url"] = url
    return image


# --- MS-COCO -----------------------------------------------------------------------------

def test_coco_real_val2017_captions_through_the_cli(tmp_path, capsys, index_path):
    code = main(["index", "import", "--index", str(index_path), "--dataset", "coco",
                 "--format", "coco", "--json", str(COCO)])
    out, err = capsys.readouterr()
    assert code == 0, err
    report = json.loads(out)
    assert report["rows"] == 5000 and report["bad_rows"] == 0 and report["no_key_rows"] == 0
    with DatasetIndex.open(index_path) as index:
        [hit] = index.find_photo_ids(["6255196340"])     # COCO image 397133
        assert hit.dataset == "coco"
        assert hit.url == "https://www.flickr.com/photo.gne?id=6255196340"
    stored = index_path.read_bytes()
    assert b"A man is in a kitchen making pizzas" not in stored   # captions are never kept


def test_coco_skips_annotations_and_names_bad_image_entries(tmp_path, index_path):
    data = {"info": {"description": "COCO 2017 Dataset"},
            "licenses": [{"id": 4, "name": "Attribution License"}],
            "images": [coco_image(1, "http://farm4.staticflickr.com/3153/"
                                     "2970773875_164f0c0b83_z.jpg"),
                       coco_image(2, None),                                   # not from Flickr
                       coco_image(3, "http://example.org/3.jpg"),
                       "not an object",
                       coco_image(5, "https://www.flickr.com/photos/9019583@N08/8032652775/")],
            "annotations": [{"image_id": 1, "id": 9, "caption": "A plane."}] * 3}
    path = write(tmp_path / "instances_val2017.json", json.dumps(data, indent=1))
    report, index = imported(index_path, "coco", "coco", path)
    assert report.rows == 2 and report.no_key == 1
    assert [r for _line, r in bad(report)] == [
        "images entry 3: flickr_url is not a Flickr image URL", "images entry 4 is not an object"]
    assert index.find_photo_ids(["8032652775"])[0].owner == "9019583@N08"


def test_a_cut_off_coco_file_is_refused_unless_partial_rows_are_accepted(tmp_path, index_path):
    text = gzip.decompress(COCO.read_bytes())
    cut_json = write(tmp_path / "captions_val2017.json.gz", text[: len(text) // 3], "gzip")
    cut_gzip = write(tmp_path / "cut.json.gz", gzip.compress(text)[:200_000])
    broken = write(tmp_path / "broken.json", b'{"images": [{"flickr_url": "http://farm1.'
                   b'staticflickr.com/1/1234_ab12cd34ef.jpg"}, {,]}')
    for path in (cut_json, cut_gzip, broken):
        with pytest.raises(ImportFormatError, match="nothing was imported"):
            import_manifest(index_path, "coco", "coco", [path])
        assert not index_path.exists()
    report, _ = imported(index_path, "coco", "coco", cut_json, accept_partial=True)
    assert 1000 < report.rows < 5000 and "invalid JSON" in report.files[0].stopped
    report, _ = imported(index_path, "coco", "coco", cut_gzip, accept_partial=True)
    assert report.rows > 0 and "damaged or cut off" in report.files[0].stopped
    report, index = imported(index_path, "coco", "coco", broken, accept_partial=True)
    assert report.rows == 1 and report.files[0].stopped.startswith("broken.json:1: invalid JSON")
    assert index.find_photo_ids(["1234"])


@pytest.mark.parametrize("content, error, message", [
    (b"", ImportFormatError, "has no \"images\" entries"),
    (b"[1, 2, 3]", ImportFormatError, "has no \"images\" entries"),
    (b'{"info": {}, "annotations": []}', ImportFormatError, "has no \"images\" entries"),
    (b"hello", ImportFormatError, "is not JSON"),
    (b'{"images": [{,]}', ImportFormatError, "no usable coco rows"),          # broken JSON
    (b'{"images": [' + b"[" * 5000 + b"]" * 5000 + b"]}", DataError, "nested too deeply"),
    (b'{"images": [{"flickr_url": "http://farm1.staticflickr.com/1/5_ab12cd34ef.jpg", '
     b'"title": "caf\xe9"}]}', ImportFormatError, "no usable coco rows"),   # Latin-1, not UTF-8
    ('{"images": []}'.encode("utf-16"), ImportFormatError, "UTF-16"),
])
def test_coco_files_that_are_not_coco_change_nothing(tmp_path, index_path, content, error,
                                                      message):
    with pytest.raises(error, match=message):
        import_manifest(index_path, "coco", "coco", [write(tmp_path / "x.json", content)])
    assert not index_path.exists()


# --- Visual Genome -----------------------------------------------------------------------

def vg_image(n: int, flickr_id, coco_id=None) -> dict:
    return {"width": 800, "url": f"https://cs.stanford.edu/people/rak248/VG_100K/{n}.jpg",
            "height": 600, "image_id": n, "coco_id": coco_id, "flickr_id": flickr_id}


def test_visual_genome_image_data(tmp_path, capsys, index_path):
    records = [vg_image(1, None), vg_image(61512, 6273011878, 248774),
               vg_image(3, "2366001411"), vg_image(4, True), vg_image(5, -7), vg_image(6, 1.5),
               vg_image(7, "12ab"), {"image_id": 8}, [1, 2], vg_image(10, 2 ** 63)]
    path = write(tmp_path / "image_data.json", json.dumps(records, indent=1), "xz")
    code = main(["index", "import", "--index", str(index_path), "--dataset", "visual-genome",
                 "--format", "visual-genome", "--json", str(path)])
    report = json.loads(capsys.readouterr().out)
    assert code == 0 and report["rows"] == 2 and report["no_key_rows"] == 1
    not_an_id = "flickr_id is not a Flickr photo ID"
    assert [b["reason"] for b in report["first_bad_rows"]] == [
        f"entry 4: {not_an_id}", f"entry 5: {not_an_id}", f"entry 6: {not_an_id}",
        f"entry 7: {not_an_id}", "entry 8 has no flickr_id", "entry 9 is not an object",
        f"entry 10: {not_an_id}"]
    with DatasetIndex.open(index_path) as index:
        assert {h.photo_id for h in index.find_photo_ids(["6273011878", "2366001411"])} == {
            "6273011878", "2366001411"}
    assert b"cs.stanford.edu" not in index_path.read_bytes()   # Stanford's copies: no key


def test_visual_genome_refuses_an_object_and_a_cut_off_list(tmp_path, index_path):
    obj = write(tmp_path / "objects.json", json.dumps({"1": vg_image(1, 5)}))
    with pytest.raises(ImportFormatError, match="not the list of images"):
        import_manifest(index_path, "vg", "visual-genome", [obj])
    text = json.dumps([vg_image(n, 1000 + n) for n in range(1, 200)], indent=1)
    cut = write(tmp_path / "cut.json", text[: len(text) // 2])
    with pytest.raises(ImportFormatError, match="nothing was imported"):
        import_manifest(index_path, "vg", "visual-genome", [cut])
    report, index = imported(index_path, "vg", "visual-genome", cut, accept_partial=True)
    assert 50 < report.rows < 199 and "invalid JSON" in report.files[0].stopped
    assert index.find_photo_ids(["1001"])


# --- FSXL --------------------------------------------------------------------------------

def test_fsxl_real_metadata_through_the_cli(tmp_path, capsys, index_path):
    code = main(["index", "import", "--index", str(index_path), "--dataset", "fsxl",
                 "--format", "fsxl", "--json", str(FSXL)])
    report = json.loads(capsys.readouterr().out)
    assert code == 0 and report["rows"] == 5684 and report["bad_rows"] == 0
    assert report["keys"]["photo_id"] == 5684 and report["keys"]["owner_id"] == 608
    with DatasetIndex.open(index_path) as index:
        state = index.find_owners(["9364837@N06"])          # U.S. Department of State
        assert len(state) == 414 and {h.dataset for h in state} == {"fsxl"}
        assert state[0].url.startswith("https://www.flickr.com/photos/9364837@N06/")
        assert len(index.find_owners(["35591378@N03"])) == 62   # Obama White House (archived)
    stored = index_path.read_bytes()
    assert b"Department of State" not in stored and b"P022114PS" not in stored  # no names, titles


def test_fsxl_hostile_records(tmp_path, index_path):
    records = [
        {"image_name": "43002483801.jpg",
         "photo_url": "https://www.flickr.com/photos/155350915@N05/43002483801"},
        {"image_name": "21253332466.jpg"},                                    # name only
        {"image_name": "../../etc/passwd.jpg", "photo_url": "https://example.com/x"},
        {"photo_url": ["not", "a", "string"]},
        "a string",
        {"image_name": "5307624148.jpg", "photo_url": "javascript:alert(1)"},
    ]
    path = write(tmp_path / "fsxl-metadata.json", json.dumps(records))      # one line, like FSXL
    report, index = imported(index_path, "fsxl", "fsxl", path)
    assert report.rows == 3
    assert bad(report) == [(1, "entry 3 has no Flickr photo_url or image_name"),
                           (1, "entry 4 has no Flickr photo_url or image_name"),
                           (1, "entry 5 is not an object")]
    assert index.find_photo_ids(["21253332466"])[0].owner is None
    assert index.find_owners(["155350915@N05"])[0].photo_id == "43002483801"
    obj = write(tmp_path / "obj.json", json.dumps({"photos": records}))
    with pytest.raises(ImportFormatError, match="not the list of photos"):
        import_manifest(index_path, "fsxl2", "fsxl", [obj])
