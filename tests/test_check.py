"""The check: Flickr references, whole accounts, URLs and photos against a real index."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from bot.check import MATCH_KINDS, CheckRequest, Checker, HashedPhoto, PhotoInput
from bot.cli import main
from bot.flickr import FlickrClient
from bot.index import DatasetIndex, build_demo_index, hash_image_folder, import_manifest
from bot.photos import hash_image
from tests.flickr.fake_flickr_server import API_KEY, FakeFlickr, photo_ids_for
from tests.imaging import jpeg_bytes, make_photo, telegram_recompress

NSID = "12345678@N00"
LIMITS = {"max_bytes": 5_000_000, "max_pixels": 50_000_000}


@pytest.fixture(scope="module")
def demo_file(tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("check") / "demo.sqlite"
    build_demo_index(path)
    return path


def checker(index_path: Path, flickr: FlickrClient | None = None) -> Checker:
    return Checker(DatasetIndex.open(index_path), flickr, radius=8, **LIMITS)


def test_pipa_photo_id_from_the_demo_is_a_flickr_photo_match(demo_file):
    result = checker(demo_file).check(CheckRequest(flickr=("1808093328",)))
    assert [(m.dataset, m.match, m.photo_id) for m in result.matches] == [
        ("pipa", "flickr-photo", "1808093328")]
    assert result.problems == ()
    assert result.checked == ("coco", "conceptual-captions", "dif", "facescrub", "flickr30k",
                              "flickr8k", "fsxl", "megaface", "pipa", "yfcc100m")


def test_json_shape(demo_file):
    result = checker(demo_file).check(CheckRequest(
        flickr=("https://flic.kr/p/zzzzzzz", "not a link ///"),
        urls=("http://farm6.staticflickr.com/5467/8968074320_c6136a3194.jpg",)))
    data = result.to_json()
    assert set(data) == {"checked", "matches", "problems", "notes", "issues"}
    assert data["issues"] == [{"query": "not a link ///", "reason": "unreadable",
                               "text": data["problems"][0]}] and data["notes"] == []
    assert data["checked"] == list(result.checked)
    for match in data["matches"]:
        assert set(match) == {"dataset", "match", "photo_id", "owner", "url", "distance", "query"}
        assert match["match"] in MATCH_KINDS
    assert data["matches"] == [{
        "dataset": "facescrub", "match": "flickr-photo", "photo_id": "8968074320", "owner": None,
        "url": "https://www.flickr.com/photo.gne?id=8968074320", "distance": None,
        "query": "http://farm6.staticflickr.com/5467/8968074320_c6136a3194.jpg"}]
    assert len(data["problems"]) == 1 and data["problems"][0].startswith("not a link ///: ")
    json.dumps(data)


def test_nsid_without_a_key_matches_by_owner_and_says_what_is_missing(demo_file):
    result = checker(demo_file).check(CheckRequest(
        flickr=("https://www.flickr.com/photos/99990001@N99/",)))
    counts = {d: sum(1 for m in result.matches if m.dataset == d) for d in result.datasets()}
    assert counts == {"dif": 32, "megaface": 61, "yfcc100m": 61}
    assert {m.match for m in result.matches} == {"flickr-owner"}
    assert result.problems == () and len(result.notes) == 1 and "FLICKR_API_KEY" in result.notes[0]
    assert [i.reason for i in result.issues] == ["owner-only"] and not result.nothing_checked


def test_alias_without_a_key_is_a_problem_but_the_rest_is_checked(demo_file):
    result = checker(demo_file, FlickrClient(None, api_url="http://127.0.0.1:9/", timeout=1,
                                             max_retries=0, max_photos=10)).check(
        CheckRequest(flickr=("janedoe", "1808093328")))
    assert [m.dataset for m in result.matches] == ["pipa"]
    assert "Flickr API key" in result.problems[0] and result.problems[0].startswith("janedoe: ")
    assert [i.reason for i in result.issues] == ["needs-flickr-lookup"]
    assert not result.nothing_checked     # the photo ID was checked


def test_nothing_checked_is_not_a_miss(demo_file):
    """An alias with no API key and a broken link: no input was checked at all."""
    result = checker(demo_file).check(CheckRequest(flickr=("janedoe", "not a link ///")))
    assert result.matches == () and result.nothing_checked and len(result.problems) == 2


def test_photos_against_an_index_without_fingerprints_are_not_checked(tmp_path):
    path = tmp_path / "ids-only.sqlite"
    manifest = tmp_path / "index.txt"
    manifest.write_text("72157603204289398 1808093328 10 10 50 50 1 0\n")
    import_manifest(path, "pipa", "pipa", [manifest])
    result = checker(path).check(CheckRequest(photos=(PhotoInput("me.jpg", jpeg_bytes(make_photo(1))),)))
    assert [i.reason for i in result.issues] == ["photos-not-indexed"] and result.nothing_checked


def test_cli_check_exit_status(demo_file, capsys):
    """0 when every input was checked, match or not; 1 when one could not be; 2 for usage."""
    assert run(capsys, "check", "--index", str(demo_file), "--flickr", "5555555555")[0] == 0
    assert run(capsys, "check", "--index", str(demo_file), "--flickr", "99990001@N99")[0] == 0
    code, out, _ = run(capsys, "check", "--index", str(demo_file), "--flickr", "janedoe")
    assert code == 1 and "Nothing could be checked" in out and "Could not check:" in out
    assert run(capsys, "check", "--index", str(demo_file))[0] == 2


@pytest.fixture
def account_index(tmp_path) -> Path:
    """PIPA holds two of the account's photos (IDs only); FFHQ knows it by alias."""
    ids = photo_ids_for(NSID, 1200)
    path = tmp_path / "ix.sqlite"
    pipa = tmp_path / "pipa.txt"
    pipa.write_text(f"1 {ids[5]} 1 1 1 1 1 0\n1 {ids[1100]} 1 1 1 1 1 0\n1 999 1 1 1 1 1 0\n")
    import_manifest(path, "pipa", "pipa", [pipa])
    ffhq = tmp_path / "ffhq.json"
    ffhq.write_text(json.dumps({"0": {"metadata": {
        "photo_url": "https://www.flickr.com/photos/janedoe/777/"}}}))
    import_manifest(path, "ffhq", "ffhq", [ffhq])
    return path


def test_whole_account_via_the_flickr_api_lists_photo_ids(account_index):
    ids = photo_ids_for(NSID, 1200)
    calls = []
    with FakeFlickr() as server:
        server.add_user(NSID, alias="janedoe", photos=1200)
        client = FlickrClient(API_KEY, api_url=server.url, timeout=5, max_retries=0,
                              max_photos=50_000)
        result = checker(account_index, client).check(
            CheckRequest(flickr=("https://www.flickr.com/photos/janedoe/",)),
            progress=lambda stage, done, total: calls.append((stage, done, total)))
    assert sorted((m.dataset, m.match, m.photo_id) for m in result.matches) == [
        ("ffhq", "flickr-owner", "777"), ("pipa", "flickr-photo", ids[1100]),
        ("pipa", "flickr-photo", ids[5])]
    assert result.problems == ()
    # an API key alone lists only the photos Flickr rates "safe": said as a note, not hidden
    assert [i.reason for i in result.issues] == ["photo-list-safe"] and '"safe"' in result.notes[0]
    assert ("listing photos", 1200, 1200) in calls


def test_urls_and_domains(demo_file):
    result = checker(demo_file).check(CheckRequest(urls=(
        "https://upload.wikimedia.org/wikipedia/commons/1/1b/Lorraine_Bracco_HS_Yearbook.jpeg",
        "www.sawfirst.com", "mailto:someone@example.com")))
    queries = {m.query for m in result.matches}
    assert "www.sawfirst.com" in queries
    assert all(m.match == "url" and m.dataset == "facescrub" for m in result.matches)
    assert len(result.problems) == 1 and "not a web address" in result.problems[0]


def test_photos_match_by_file_hash_and_perceptual_hash(tmp_path):
    folder = tmp_path / "megaface"
    folder.mkdir()
    original = jpeg_bytes(make_photo(11, (400, 300)))
    (folder / "FlickrFinal2" / "901" / "9019583@N08").mkdir(parents=True)
    (folder / "FlickrFinal2/901/9019583@N08/8032652775_0.jpg").write_bytes(original)
    index_path = tmp_path / "ix.sqlite"
    hash_image_folder(index_path, "megaface", folder, workers=1, **LIMITS)
    other = jpeg_bytes(make_photo(12, (400, 300)))
    result = checker(index_path).check(CheckRequest(photos=(
        PhotoInput("exact.jpg", original),
        PhotoInput("from-telegram.jpg", telegram_recompress(original, longest=300, quality=60)),
        PhotoInput("someone-else.jpg", other),
        PhotoInput("broken.jpg", b"\xff\xd8\xff nothing"))))
    by_query = {m.query: m for m in result.matches}
    assert by_query["exact.jpg"].match == "file-hash"
    assert by_query["from-telegram.jpg"].match == "perceptual"
    assert by_query["from-telegram.jpg"].distance <= 8
    assert by_query["from-telegram.jpg"].photo_id == "8032652775"
    assert "someone-else.jpg" not in by_query
    assert len(result.problems) == 1 and result.problems[0].startswith("broken.jpg: ")
    assert hash_image(original, **LIMITS).sha256.encode() not in index_path.read_bytes()
    # photos hashed on arrival (the chat keeps only hashes) check the same way
    hashed = HashedPhoto("photo 1", hash_image(telegram_recompress(original), **LIMITS))
    again = checker(index_path).check(CheckRequest(hashed=(hashed,)))
    assert [(m.match, m.query) for m in again.matches] == [("perceptual", "photo 1")]


def run(capsys, *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def test_cli_check_json_is_one_object(demo_file, capsys, tmp_path):
    photo = tmp_path / "p.jpg"
    photo.write_bytes(jpeg_bytes(make_photo(1, (200, 150))))
    code, out, _ = run(capsys, "check", "--index", str(demo_file), "--json", "--flickr",
                       "1808093328", "--photo", str(photo), "--photo", str(tmp_path / "gone.jpg"))
    assert code == 1          # gone.jpg could not be checked
    data = json.loads(out)
    assert [m["dataset"] for m in data["matches"]] == ["pipa"]
    assert data["problems"] == ["gone.jpg: no such file"]


def test_cli_check_human_report(demo_file, capsys):
    code, out, _ = run(capsys, "check", "--index", str(demo_file), "--flickr", "1808093328",
                       "--flickr", "99990001@N99")
    assert code == 0
    assert "People In Photo Albums (PIPA) (pipa): 1 photo matched (flickr-photo)" in out
    assert "created by: " in out and "reported users" in out
    assert "synthetic demo sample" in out
    assert "What a miss does not prove:" in out and "Not in this index" in out


def test_cli_check_errors(demo_file, tmp_path, capsys):
    code, _, err = run(capsys, "check", "--index", str(demo_file))
    assert code == 2 and "give at least one" in err
    code, out, err = run(capsys, "check", "--index", str(tmp_path / "missing.sqlite"),
                         "--flickr", "1")
    assert code == 1 and out == "" and err.count("\n") == 1 and "no dataset index" in err


def test_cli_check_photo_paths_that_are_not_photo_files(demo_file, tmp_path, capsys):
    """A named pipe would block the read forever, a device would never end, and a file
    over the cap is named with its real size (not the capped read's)."""
    fifo = tmp_path / "pipe.jpg"
    os.mkfifo(fifo)
    big = tmp_path / "big.jpg"
    with open(big, "wb") as fh:
        fh.truncate(30 * 1024 * 1024)          # sparse: no real disk use
    code, out, err = run(capsys, "check", "--index", str(demo_file), "--json",
                         "--photo", str(fifo), "--photo", str(big), "--photo", "/dev/zero",
                         "--photo", str(tmp_path))
    assert code == 1 and "Traceback" not in err
    problems = json.loads(out)["problems"]
    assert problems[0] == "pipe.jpg: is not a regular file (a pipe or a device?), not a photo"
    assert problems[1] == "big.jpg: is 30.0 MB; a photo can be at most 20.0 MB"
    assert problems[2].startswith("zero: is not a regular file")
    assert problems[3].endswith(": is a folder, not a photo")

