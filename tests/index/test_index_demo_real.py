"""The real manifests in the demo index: what each holds, how real and synthetic rows are
labelled, and that every identifier the demo README offers matches through the real CLI
(photo IDs in other digit forms too)."""

from __future__ import annotations

import json
import re

import pytest

from bot.cli import main
from bot.index.demo import DEMO_DATASETS, SYNTHETIC, demo_folder

REAL = {   # slug: (rows, distinct photo IDs, owners) in the shipped copies
    "flickr30k": (31783, 31783, 0),
    "flickr8k": (8000, 8000, 0),
    "coco": (5000, 5000, 0),
    "conceptual-captions": (15831, 50, 0),
    "fsxl": (5684, 5684, 608),
    "pipa": (63178, 37107, 0),
}


def check_json(capsys, index, *argv: str) -> tuple[int, dict]:
    code = main(["check", "--index", str(index), "--json", *argv])
    out = capsys.readouterr().out
    return code, json.loads(out)


def test_each_real_manifest_is_whole_and_labelled_real(demo_index):
    info = {i.slug: i for i in demo_index.info()}
    for slug, (rows, photos, owners) in REAL.items():
        assert (info[slug].rows, info[slug].keys["photo_id"], info[slug].keys["owner_id"]) == (
            rows, photos, owners), slug
        assert "SYNTHETIC" not in info[slug].note and "real" in info[slug].note, slug
        assert not any("synthetic" in s for s in info[slug].sources), slug
    assert info["conceptual-captions"].keys["url"] == 15781
    assert info["conceptual-captions"].bad_rows == 2          # two URLs with a literal "\x3d"
    assert info["fsxl"].bad_rows == info["coco"].bad_rows == info["flickr30k"].bad_rows == 0


def test_megaface_holds_the_real_list_and_the_labelled_synthetic_sample(demo_index):
    info = {i.slug: i for i in demo_index.info()}["megaface"]
    assert info.sources == ("megaface_noises.txt.gz", "megaface_synthetic_paths.txt.gz (synthetic)")
    assert "SYNTHETIC" in info.note and "real InsightFace list" in info.note
    assert info.bad_rows == 0                                 # the "#" terms line is skipped
    real = demo_index.find_owners(["37531198@N00"])
    assert [(h.dataset, h.photo_id) for h in real] == [("megaface", "4174611825")]
    assert {h.dataset for h in demo_index.find_owners(["99990001@N99"])} == {
        "dif", "megaface", "yfcc100m"}
    for slug, _fmt, files, note in DEMO_DATASETS:
        if note == SYNTHETIC:
            assert all("synthetic" in f for f in files), slug


def demo_readme_examples() -> list[tuple[str, str, set[str]]]:
    """(option, value, datasets) for each `rightsbot check` line of the demo README."""
    text = (demo_folder() / "README.md").read_text()
    out = []
    for option, value, cell in re.findall(r"\| `rightsbot check --(flickr|url) (\S+)` \| (.*) \|",
                                          text):
        datasets = set(re.findall(r"`([a-z0-9-]+)`", cell)) - {value}
        out.append((option, value, datasets))
    return out


def test_the_demo_readme_lists_real_identifiers_first():
    examples = demo_readme_examples()
    assert len(examples) >= 10
    firsts = [value for _option, value, _d in examples[:4]]
    assert firsts[0] == "https://www.flickr.com/photos/9364837@N06/"     # FSXL: State Department
    assert "37531198@N00" in firsts                                        # MegaFace
    assert not any("@N99" in v or v.startswith("9000") for v in firsts)   # synthetic comes last


@pytest.mark.parametrize("option, value, datasets", demo_readme_examples(),
                         ids=[e[1][-40:] for e in demo_readme_examples()])
def test_every_demo_readme_identifier_matches_where_it_says(capsys, demo_index_file, option,
                                                            value, datasets):
    code, result = check_json(capsys, demo_index_file, f"--{option}", value)
    assert code == 0
    assert {m["dataset"] for m in result["matches"]} == datasets


@pytest.mark.parametrize("typed", [
    "\u0661\u0668\u0660\u0668\u0660\u0669\u0663\u0663\u0662\u0668",   # Arabic-Indic
    "\u06f1\u06f8\u06f0\u06f8\u06f0\u06f9\u06f3\u06f3\u06f2\u06f8",   # Extended Arabic-Indic
    "\u0967\u096e\u0966\u096e\u0966\u096f\u0969\u0969\u0968\u096e",   # Devanagari
    "\uff11\uff18\uff10\uff18\uff10\uff19\uff13\uff13\uff12\uff18",   # full-width
    "https://www.flickr.com/photo.gne?id=\u0661\u0668\u0660\u0668\u0660\u0669\u0663\u0663\u0662"
    "\u0668",
])
def test_photo_ids_in_other_digit_forms_match_through_the_cli(capsys, demo_index_file, typed):
    code, result = check_json(capsys, demo_index_file, "--flickr", typed)
    assert code == 0 and not result["problems"]
    assert [(m["dataset"], m["photo_id"]) for m in result["matches"]] == [("pipa", "1808093328")]


def test_an_account_in_arabic_indic_digits_matches_fsxl(capsys, demo_index_file):
    nsid = "\u0669\u0663\u0666\u0664\u0668\u0663\u0667@N\u0660\u0666"        # 9364837@N06
    code, result = check_json(capsys, demo_index_file, "--flickr", nsid)
    assert code == 0
    matches = result["matches"]
    assert len(matches) == 414 and {m["owner"] for m in matches} == {"9364837@N06"}


def test_superscript_digits_are_refused_not_read_as_another_photo(capsys, demo_index_file):
    # "1808093328²" would be photo 18080933282 if the superscript were read as a digit
    code, result = check_json(capsys, demo_index_file, "--flickr", "1808093328\u00b2")
    assert code == 1 and not result["matches"]
    assert "superscript" in json.dumps(result["problems"])


def test_the_check_command_labels_synthetic_rows_per_match(capsys, demo_index_file):
    """MegaFace in the demo mixes the real InsightFace list with fictional rows: a real
    account's match there is not called synthetic; a fictional account's is."""
    assert main(["check", "--index", str(demo_index_file), "--flickr", "37531198@N00"]) == 0
    real = capsys.readouterr().out
    assert "MegaFace and MF2 (megaface): 1 photo matched" in real
    assert "synthetic" not in real.split("What a miss does not prove")[0].lower()
    assert main(["check", "--index", str(demo_index_file), "--flickr", "99990001@N99"]) == 0
    fake = capsys.readouterr().out
    block = fake.split("MegaFace and MF2 (megaface)")[1].split("reported users")[0]
    assert "synthetic rows with fictional IDs" in block
