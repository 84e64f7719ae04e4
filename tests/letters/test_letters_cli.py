"""`rightsbot letters` end to end: person file -> check against a real demo index -> files."""

from __future__ import annotations

import email
import email.policy
import json

import pytest
from pypdf import PdfReader

from bot.cli import main
from bot.letters.verify_text import check_letter_text

PHOTO = "1808093328"   # a real PIPA photo ID, in the bundled demo index


@pytest.fixture
def setup(tmp_path, monkeypatch):
    monkeypatch.delenv("FLICKR_API_KEY", raising=False)
    monkeypatch.chdir(tmp_path)
    config = tmp_path / "config.toml"
    config.write_text('[index]\npath = "index.sqlite"\ndemo = true\n'
                      '[flickr]\napi_url = "http://127.0.0.1:9/"\ntimeout_seconds = 0.5\n'
                      'max_retries = 0\n', encoding="utf-8")
    return tmp_path, config


def person_file(folder, *, flickr=(f"https://www.flickr.com/photos/12345678@N00/{PHOTO}/",),
                residence="US-CA", uploaded="US-IL", extra=""):
    path = folder / "PERSON.toml"
    path.write_text(
        f'name = "Анна <b>Example</b> {{{{ x }}}}"\naddress = ["12 Main St", "Los Angeles, CA 90001"]\n'
        f'email = "ann@example.org"\nresidence = "{residence}"\nuploaded_from = "{uploaded}"\n'
        f'flickr = {json.dumps(list(flickr))}\nshown = "me"\n{extra}', encoding="utf-8")
    return path


def test_letters_end_to_end_json(setup, capsys):
    folder, config = setup
    args = ["letters", "--person", str(person_file(folder)), "--out", str(folder / "out"),
            "--config", str(config), "--date", "2026-11-26", "--json"]
    assert main(args) == 0
    report = json.loads(capsys.readouterr().out)
    letters = report["letters"]
    assert report["matches"] == 1
    # one letter per company and law; activist-only recipients (SenseTime, Toyota Motor Europe)
    # are left out by default, and the notes say so
    assert {(l["company"], l["kind"]) for l in letters} == {
        ("meta", "bipa-demand"), ("meta", "ccpa"), ("uc-berkeley", "generic")}
    assert any(n.startswith("SenseTime: only activist research") for n in report["notes"])
    ccpa = next(l for l in letters if l["company"] == "meta" and l["kind"] == "ccpa")
    assert ccpa["due"] == "2027-01-11" and ccpa["reference"].startswith("RB-20261126-")
    # the sender's cover sheet, beside the letters
    cover = PdfReader(report["cover"])
    cover_text = " ".join(" ".join(p.extract_text() for p in cover.pages).split())
    assert "This is not legal advice" in cover_text and "Keep as proof" in cover_text
    assert "do not say where the photos were uploaded from" not in cover_text   # not an IL resident
    assert "rest on the photos having been uploaded from Illinois" in cover_text
    assert open(report["cover"][:-4] + ".txt", encoding="utf-8").read().startswith("Read this first")
    reader = PdfReader(ccpa["pdf"])
    text = " ".join(" ".join(page.extract_text() for page in reader.pages).split())
    assert len(reader.pages) >= 2
    assert "Анна <b>Example</b> {{ x }}" in text and PHOTO in text and ccpa["reference"] in text
    assert "§1798.105" in text and "not legal advice" not in text.lower()
    check = check_letter_text(open(ccpa["pdf"], "rb").read())
    assert check.ok and check.text_sha256 == ccpa["sha256"], check.problems
    message = email.message_from_bytes(open(ccpa["eml"], "rb").read(), policy=email.policy.default)
    assert message["From"].addresses[0].display_name == "Анна <b>Example</b> {{ x }}"
    assert next(message.iter_attachments()).get_content() == open(ccpa["pdf"], "rb").read()
    assert open(ccpa["txt"], encoding="utf-8").read().count(PHOTO) >= 1
    assert any("public body" in n for n in report["notes"])
    # a re-run gives byte-identical files
    first = {l["pdf"]: open(l["pdf"], "rb").read() for l in letters}
    assert main(args) == 0
    again = json.loads(capsys.readouterr().out)["letters"]
    assert {l["pdf"]: open(l["pdf"], "rb").read() for l in again} == first


def test_letters_text_output_and_limits(setup, capsys):
    folder, config = setup
    path = person_file(folder, residence="DE", uploaded="DE", extra='companies = ["meta"]\n')
    assert main(["letters", "--person", str(path), "--out", str(folder / "o"), "--config",
                 str(config), "--date", "2026-11-26"]) == 0
    out = capsys.readouterr().out
    assert "meta" in out and "gdpr" in out and "2026-12-28" in out
    assert "This is not legal advice" in out and "How to send them" in out and "Read your cover sheet first" in out
    assert sorted(p.suffix for p in (folder / "o").iterdir()) == [".eml", ".pdf", ".pdf", ".txt", ".txt"]


def test_no_match_writes_nothing_and_exits_0(setup, capsys):
    folder, config = setup
    path = person_file(folder, flickr=("https://www.flickr.com/photos/1@N00/999999999999/",))
    assert main(["letters", "--person", str(path), "--out", str(folder / "none"), "--config",
                 str(config)]) == 0
    assert "No match" in capsys.readouterr().out
    assert not (folder / "none").exists()
    assert main(["letters", "--person", str(path), "--out", str(folder / "none"), "--config",
                 str(config), "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["letters"] == []


def test_errors_are_one_line(setup, capsys):
    folder, config = setup
    bad = folder / "BAD.toml"
    bad.write_text('name = "Ann"\naddress = ["x"]\nemail = "nope"\nresidence = "US-IL"\n'
                   'uploaded_from = "US-IL"\nflickr = ["1"]\n', encoding="utf-8")
    assert main(["letters", "--person", str(bad), "--config", str(config)]) == 1
    assert capsys.readouterr().err.strip() == "rightsbot: error: email: 'nope' is not an email address"
    good = person_file(folder)
    assert main(["letters", "--person", str(good), "--config", str(config),
                 "--sign-key", str(folder / "k.pem")]) == 1
    assert "--sign-key and --sign-cert go together" in capsys.readouterr().err


def test_shown_is_required_where_a_biometric_law_applies(setup, capsys):
    folder, config = setup
    path = person_file(folder, residence="US-IL", uploaded="US-IL")
    path.write_text(path.read_text(encoding="utf-8").replace('shown = "me"\n', ''), encoding="utf-8")
    assert main(["letters", "--person", str(path), "--out", str(folder / "x"), "--config",
                 str(config)]) == 1
    assert capsys.readouterr().err.startswith("rightsbot: error: shown: say who appears in the photos")
    path.write_text(path.read_text(encoding="utf-8") + 'shown = "not-me"\n', encoding="utf-8")
    assert main(["letters", "--person", str(path), "--out", str(folder / "x"), "--config",
                 str(config), "--json"]) == 0
    report = json.loads(capsys.readouterr().out)
    assert {l["kind"] for l in report["letters"]} == {"uploader"}
    text = open(report["cover"][:-4] + ".txt", encoding="utf-8").read()
    assert "For the people in the photos" in text and "Photos I took or uploaded, in which you appear" in text


def test_sealed_letters_from_the_cli(setup, capsys):
    from bot.letters.keys import new_key_files
    from bot.letters.verify import verify_pdf
    folder, config = setup
    keys = new_key_files("Ann Example", folder / "keys")
    path = person_file(folder, residence="BR", uploaded="BR", extra='companies = ["sensetime"]\n')
    assert main(["letters", "--person", str(path), "--out", str(folder / "s"), "--config",
                 str(config), "--sign-key", str(keys.key), "--sign-cert", str(keys.cert),
                 "--json"]) == 0
    (letter,) = json.loads(capsys.readouterr().out)["letters"]
    report = verify_pdf(open(letter["pdf"], "rb").read(), [keys.cert])
    assert report.ok and report.sealed, report.problems
