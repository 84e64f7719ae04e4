"""hash-images names each image's photo (path layouts, FFHQ metadata), and a photo matched by
its pixels then names its photo ID, owner and link like an ID match: real images, real
SQLite index, through the CLI a person would use."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import pytest

from bot.cli import main
from bot.index import DatasetIndex, hash_image_folder, import_manifest
from bot.photos import hash_image
from tests.imaging import jpeg_bytes, make_photo, png_bytes, telegram_recompress
from tests.index.manifests import write, yfcc_line

LIMITS = {"max_bytes": 20_000_000, "max_pixels": 50_000_000}
OWNER = "12345678@N04"


def run(capsys, *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def photo_file(folder: Path, rel: str, seed: int, *, png: bool = False) -> bytes:
    path = folder / rel
    path.parent.mkdir(parents=True, exist_ok=True)
    picture = make_photo(seed, (900, 700))
    data = png_bytes(picture) if png else jpeg_bytes(picture)
    path.write_bytes(data)
    return data


def sent_through_telegram(tmp_path: Path, data: bytes, name: str = "sent.jpg") -> Path:
    copy = telegram_recompress(data, longest=640, quality=80)
    assert copy != data
    path = tmp_path / name
    path.write_bytes(copy)
    return path


def check_json(capsys, index: Path, photo: Path) -> list[dict]:
    code, out, err = run(capsys, "check", "--index", str(index), "--photo", str(photo), "--json")
    assert code == 0, err
    return json.loads(out)["matches"]


def test_a_recompressed_yfcc_photo_names_its_photo_id_and_the_manifests_owner(
        tmp_path, index_path, capsys):
    """The issue's case: images named <photo_id>.jpg, YFCC100M manifest with owners. The
    dataset's format picks the layout; the owner comes from the manifest's rows."""
    import_manifest(index_path, "yfcc100m", "yfcc100m", [write(
        tmp_path / "yfcc.tsv", yfcc_line(1, 3000000001, OWNER) + "\n"
        + yfcc_line(2, 3000000002, "99@N00") + "\n")])
    images = tmp_path / "images"
    original = photo_file(images, "300/3000000001.jpg", 1)
    photo_file(images, "300/3000000002.jpg", 2)
    code, out, err = run(capsys, "index", "hash-images", "--index", str(index_path),
                         "--dataset", "yfcc100m", "--workers", "1", str(images))
    assert code == 0, err
    assert "identity (photo-id layout): 2 images named by photo ID" in out
    sent = sent_through_telegram(tmp_path, original)

    code, out, err = run(capsys, "check", "--index", str(index_path), "--photo", str(sent))
    assert code == 0, err
    assert "3000000001" in out and OWNER in out
    assert f"https://www.flickr.com/photos/{OWNER}/3000000001/" in out

    [match] = [m for m in check_json(capsys, index_path, sent) if m["match"] == "perceptual"]
    assert (match["dataset"], match["photo_id"], match["owner"], match.get("path")) == (
        "yfcc100m", "3000000001", OWNER, None)
    assert match["url"] == f"https://www.flickr.com/photos/{OWNER}/3000000001/"
    # the unchanged file matches by file hash, also named in full
    exact = [m for m in check_json(capsys, index_path, images / "300/3000000001.jpg")
             if m["match"] == "file-hash"]
    assert [(m["photo_id"], m["owner"]) for m in exact] == [("3000000001", OWNER)]


@pytest.mark.parametrize("layout, rel, photo, owner", [
    ("megaface", "FlickrFinal2/123/12345678@N04/8032652775_0.jpg", "8032652775", OWNER),
    ("photo-id", "flickr30k-images/1000092795.jpg", "1000092795", None),
    ("flickr-file", "Flicker8k_Dataset/1000268201_693b08cb0e.jpg", "1000268201", None),
])
def test_each_path_layout_names_the_photo(tmp_path, index_path, capsys, layout, rel, photo, owner):
    images = tmp_path / "images"
    original = photo_file(images, rel, 7)
    photo_file(images, "extra/not-a-photo-id.jpg", 8)
    code, out, err = run(capsys, "index", "hash-images", "--index", str(index_path), "--dataset",
                         "faces", "--layout", layout, "--workers", "1", str(images))
    assert code == 0, err
    assert "1 image named by photo ID, owner or URL; 1 by their path" in out
    [match] = [m for m in check_json(capsys, index_path, sent_through_telegram(tmp_path, original))
               if m["match"] == "perceptual"]
    assert (match["photo_id"], match["owner"], match.get("path")) == (photo, owner, None)


def test_an_image_with_no_identity_is_named_by_its_relative_path(tmp_path, index_path, capsys):
    images = tmp_path / "images"
    original = photo_file(images, "set A/portrait 1.jpg", 3)
    evil = photo_file(images, "set A/\u202egpj.exe\x1b[2J.jpg", 4)
    code, _out, err = run(capsys, "index", "hash-images", "--index", str(index_path), "--dataset",
                          "private-set", "--workers", "1", str(images))
    assert code == 0, err
    sent = sent_through_telegram(tmp_path, original)
    [match] = check_json(capsys, index_path, sent)
    assert (match["photo_id"], match["owner"], match["url"]) == (None, None, None)
    assert match["path"] == "set A/portrait 1.jpg"          # relative: no tmp_path in it
    code, out, _err = run(capsys, "check", "--index", str(index_path), "--photo", str(sent))
    assert "dataset file set A/portrait 1.jpg" in out and str(tmp_path) not in out
    # control and bidi characters in a file name are shown escaped, never raw
    [match] = check_json(capsys, index_path, sent_through_telegram(tmp_path, evil, "evil.jpg"))
    assert match["path"] == "set A/\\u202egpj.exe\\u001b[2J.jpg"


def test_a_later_run_names_images_hashed_before_without_hashing_them_again(tmp_path, index_path,
                                                                            capsys):
    images = tmp_path / "images"
    original = photo_file(images, "3000000009.jpg", 5)
    report = hash_image_folder(index_path, "dif", images, workers=1, **LIMITS)
    assert (report.layout, report.path_only) == ("auto", 1)     # DiF: no format imported yet
    report = hash_image_folder(index_path, "dif", images, workers=1, layout="photo-id", **LIMITS)
    assert (report.hashed, report.unchanged, report.renamed, report.named) == (0, 1, 1, 1)
    with DatasetIndex.open(index_path) as index:
        [(hit, _distance)] = index.find_similar(hash_image(original, **LIMITS).phash, 4)
        assert (hit.photo_id, hit.path) == ("3000000009", None)


def test_ffhq_images_are_named_through_the_metadata_json(tmp_path, index_path, capsys):
    images = tmp_path / "ffhq" / "images1024x1024"
    first = photo_file(images, "00000/00000.png", 11, png=True)
    second = photo_file(images, "00000/00001.png", 12, png=True)
    records = {
        "0": {"category": "training", "metadata": {
            "photo_url": "https://www.flickr.com/photos/frumkin/1133484654/", "author": "A. Person",
            "license": "Attribution License"},
            "image": {"file_path": "images1024x1024/00000/00000.png",
                      "file_md5": hashlib.md5(first).hexdigest()}},
        "1": {"category": "training", "metadata": {
            "photo_url": f"https://www.flickr.com/photos/{OWNER}/2222222222/"},
            "image": {"file_path": "images1024x1024/00000/00001.png", "file_md5": "00" * 16}},
    }
    metadata = write(tmp_path / "ffhq-dataset-v2.json", json.dumps(records, indent=2))
    code, _out, err = run(capsys, "index", "hash-images", "--index", str(index_path), "--dataset",
                          "ffhq", "--layout", "ffhq", str(images))
    assert code == 1 and "add --metadata" in err
    code, out, err = run(capsys, "index", "hash-images", "--index", str(index_path), "--dataset",
                         "ffhq", "--metadata", str(metadata), "--workers", "1", str(images))
    assert code == 0, err
    assert "identity (ffhq layout): 2 images named by photo ID" in out
    [match] = check_json(capsys, index_path, sent_through_telegram(tmp_path, second))
    assert (match["photo_id"], match["owner"]) == ("2222222222", OWNER)
    [match] = check_json(capsys, index_path, sent_through_telegram(tmp_path, first))
    assert (match["photo_id"], match["owner"]) == ("1133484654", "frumkin")


def test_an_image_named_only_by_path_is_named_by_the_manifests_file_hash(tmp_path, index_path,
                                                                          capsys):
    """FFHQ's manifest carries each image's md5: an image hashed without a layout still
    names its photo when its file is the one the manifest lists."""
    images = tmp_path / "images"
    data = photo_file(images, "anything/x.png", 21, png=True)
    manifest = write(tmp_path / "ffhq.json", json.dumps({"0": {
        "metadata": {"photo_url": f"https://www.flickr.com/photos/{OWNER}/4444444444/"},
        "image": {"file_md5": hashlib.md5(data).hexdigest()}}}))
    import_manifest(index_path, "ffhq", "ffhq", [manifest])
    hash_image_folder(index_path, "ffhq", images, workers=1, layout="none", **LIMITS)
    [match] = check_json(capsys, index_path, sent_through_telegram(tmp_path, data))
    assert (match["match"], match["photo_id"], match["owner"], match.get("path")) == (
        "perceptual", "4444444444", OWNER, None)


def test_the_ffhq_format_without_metadata_is_refused_before_anything_is_written(
        tmp_path, index_path):
    manifest = write(tmp_path / "ffhq.json", json.dumps({"0": {
        "metadata": {"photo_url": "https://www.flickr.com/photos/frumkin/1133484654/"}}}))
    import_manifest(index_path, "ffhq", "ffhq", [manifest])
    images = tmp_path / "images"
    photo_file(images, "00000.png", 1, png=True)
    before = index_path.read_bytes()
    from bot.errors import InputError
    with pytest.raises(InputError, match="--metadata"):
        hash_image_folder(index_path, "ffhq", images, workers=1, **LIMITS)
    assert index_path.read_bytes() == before


def test_owners_of_hashed_images_and_manifest_rows_stay_right_across_imports(
        tmp_path, index_path):
    """Owners met by hash-images keep their ids when a manifest adds others (which are
    numbered in name order), and manifest rows carrying a file hash keep their owner."""
    images = tmp_path / "images"
    for n, nsid in enumerate(["77@N00", "5@N00"]):
        photo_file(images, f"FlickrFinal2/x/{nsid}/{100 + n}_0.jpg", 30 + n)
    hash_image_folder(index_path, "megaface", images, workers=1, **LIMITS)
    owners = ["zz", "aa", "mm", "77@n00", "bb"]       # FFHQ aliases, out of order
    records = {str(n): {"metadata": {"photo_url": f"https://www.flickr.com/photos/{o}/{200 + n}/"},
                        "image": {"file_md5": f"{n + 1:032x}"}} for n, o in enumerate(owners)}
    import_manifest(index_path, "megaface", "ffhq", [write(tmp_path / "f.json",
                                                          json.dumps(records))])
    with DatasetIndex.open(index_path) as index:
        for n, owner in enumerate(owners):
            [hit] = index.find_file_hash(md5=f"{n + 1:032x}")
            assert (hit.photo_id, hit.owner) == (str(200 + n), owner.replace("@n", "@N"))
        assert {h.photo_id for h in index.find_owners(["77@N00"])} == {"100", "203"}
        assert {h.photo_id for h in index.find_owners(["5@N00"])} == {"101"}
        assert {h.photo_id for h in index.find_owners(["mm"])} == {"202"}
