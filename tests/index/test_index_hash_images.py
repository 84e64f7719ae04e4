"""index hash-images: real images, a process pool, resumable batches, keys from paths."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from bot.errors import InputError
from bot.index import DatasetIndex, hash_image_folder, import_manifest
from bot.photos import hash_image
from tests.imaging import jpeg_bytes, make_photo, telegram_recompress
from tests.index.manifests import write

LIMITS = {"max_bytes": 5_000_000, "max_pixels": 50_000_000}
MEGAFACE = "FlickrFinal2/901/9019583@N08/8032652775_0.jpg"
FLICKR_NAME = "flickr/4325695128_0a1b2c3d4e_z.jpg"


@pytest.fixture
def image_folder(tmp_path: Path) -> Path:
    folder = tmp_path / "images"
    for n, rel in enumerate([MEGAFACE, FLICKR_NAME, "other/portrait.JPG", "other/b.png"]):
        path = folder / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(jpeg_bytes(make_photo(n, (320, 240))))
    (folder / "other" / "broken.jpg").write_bytes(b"\xff\xd8\xff not really a jpeg")
    (folder / "other" / "notes.txt").write_text("not an image")
    os.symlink(folder / MEGAFACE, folder / "other" / "link.jpg")
    return folder


def test_hash_images_finds_recompressed_copies_and_keeps_path_keys(tmp_path, index_path,
                                                                   image_folder):
    import_manifest(index_path, "megaface", "megaface",
                    [write(tmp_path / "paths.txt", "FlickrFinal2/1/1@N00/1_0.jpg\n")])
    report = hash_image_folder(index_path, "megaface", image_folder, workers=2, layout="auto",
                               **LIMITS)
    assert (report.seen, report.hashed, report.failed) == (5, 4, 1)
    assert (report.named, report.path_only) == (2, 2)
    assert report.failures[0][0] == "other/broken.jpg"
    original = (image_folder / MEGAFACE).read_bytes()
    recompressed = telegram_recompress(original, longest=200, quality=70)
    assert recompressed != original
    with DatasetIndex.open(index_path) as index:
        assert index.datasets() == ["megaface"]
        [(hit, distance)] = [(h, d) for h, d in index.find_similar(
            hash_image(recompressed, **LIMITS).phash, 8) if h.photo_id == "8032652775"]
        assert hit.owner == "9019583@N08" and distance <= 8
        exact = index.find_file_hash(sha256=hash_image(original, **LIMITS).sha256)
        assert [(h.dataset, h.photo_id) for h in exact] == [("megaface", "8032652775")]
        assert index.find_photo_ids(["4325695128"])[0].dataset == "megaface"
        assert {h.photo_id for h in index.find_owners(["9019583@N08"])} == {"8032652775"}
        assert index.find_photo_ids(["1"])   # the manifest rows are still there
        assert index.info()[0].images == 4
    # paths are stored only for images with no identity
    assert b"FlickrFinal2" not in index_path.read_bytes()
    assert b"other/portrait.JPG" in index_path.read_bytes()
    # the manifest can be re-imported without losing the hashes
    import_manifest(index_path, "megaface", "megaface",
                    [write(tmp_path / "paths.txt", "FlickrFinal2/1/1@N00/2_0.jpg\n")])
    with DatasetIndex.open(index_path) as index:
        assert index.find_file_hash(sha256=hash_image(original, **LIMITS).sha256)


def test_hash_images_resumes_and_rehashes_changed_files(index_path, image_folder):
    seen = []

    def stop_after_first_batch(done: int, hashed: int) -> None:
        seen.append(done)
        raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        hash_image_folder(index_path, "ffhq", image_folder, workers=1, batch_size=2,
                          progress=stop_after_first_batch, **LIMITS)
    assert seen == [2]
    report = hash_image_folder(index_path, "ffhq", image_folder, workers=1, batch_size=2, **LIMITS)
    assert (report.unchanged, report.hashed, report.failed) == (2, 2, 1)
    changed = image_folder / "other" / "b.png"
    changed.write_bytes(jpeg_bytes(make_photo(99, (320, 240))))
    os.utime(changed, ns=(1, 1))
    report = hash_image_folder(index_path, "ffhq", image_folder, workers=1, **LIMITS)
    assert (report.unchanged, report.hashed) == (3, 1)
    with DatasetIndex.open(index_path) as index:
        assert index.info()[0].images == 4
    report = hash_image_folder(index_path, "ffhq", image_folder, workers=1, fresh=True, **LIMITS)
    assert report.hashed == 4


def test_hash_images_refuses_bad_input(tmp_path, index_path):
    with pytest.raises(InputError, match="not a folder"):
        hash_image_folder(index_path, "x", tmp_path / "missing", **LIMITS)
    with pytest.raises(InputError, match="not a dataset name"):
        hash_image_folder(index_path, "../etc", tmp_path, **LIMITS)
