"""The letters job: recipients, kinds, PDFs read back, .eml, files on disk, seal."""

from __future__ import annotations

import email
import email.policy
import io
import re
from datetime import date

import pytest
from pypdf import PdfReader

from bot.config import Config
from bot.errors import InputError
from bot.letters.pipeline import LetterMaker, SealSettings, write_letters
from bot.letters.verify_text import check_letter_text
from tests.letters.samples import LETTER_DATE, MATCHES, NSID, PHOTO_IDS, SampleMatch, SampleResult, person


@pytest.fixture(scope="module")
def maker() -> LetterMaker:
    return LetterMaker.from_config(Config.defaults())


def pdf_text(data: bytes) -> tuple[str, int]:
    reader = PdfReader(io.BytesIO(data))
    return "\n".join(page.extract_text() for page in reader.pages), len(reader.pages)


def squash(text: str) -> str:
    return " ".join(text.split())


def test_recipients_are_creators_and_users_deduplicated(maker):
    outcome = maker.make(person("US-IL", "US-CA"), SampleResult(MATCHES), LETTER_DATE)
    got = [(letter.company, letter.kind) for letter in outcome.letters]
    # PIPA: uc-berkeley (creator, a public university: the general letter instead of BIPA),
    # meta (co-creator), sensetime and toyota-motor-europe (reported users)
    assert got == [("meta", "bipa-notice"), ("meta", "bipa-demand"),
                   ("sensetime", "bipa-notice"), ("sensetime", "bipa-demand"),
                   ("toyota-motor-europe", "bipa-notice"), ("toyota-motor-europe", "bipa-demand"),
                   ("uc-berkeley", "generic")]
    assert any("UC Berkeley: BIPA binds \"private entities\"" in n for n in outcome.notes)
    assert [c.kind for c in outcome.kinds] == ["bipa-notice", "bipa-demand"]
    letter = outcome.letters[1]
    assert letter.due == date(2026, 12, 26) and not letter.statutory_deadline
    assert "five years" in letter.escalation
    assert any("talk to a lawyer" in n for n in letter.notes)


def test_pdf_reads_back_with_the_letter(maker):
    outcome = maker.make(person("US-CA", "US-IL"), SampleResult(MATCHES), LETTER_DATE)
    letter = next(l for l in outcome.letters if l.company == "sensetime" and l.kind == "ccpa")
    text, pages = pdf_text(letter.pdf)
    flat = squash(text)
    assert pages >= 2
    assert letter.reference in flat and "§1798.121" in flat and "§1798.140(v)(2)" in flat
    assert "10 January 2027" in flat and "11 December 2026" in flat
    for photo in PHOTO_IDS:
        assert photo in flat
    assert "It is not legal advice" in flat
    assert letter.sha256 == letter.document.text_sha256()
    check = check_letter_text(letter.pdf)
    assert check.ok, check.problems
    assert check.text_sha256 == letter.sha256 and check.reference == letter.reference
    message = email.message_from_bytes(letter.eml, policy=email.policy.default)
    (attachment,) = message.iter_attachments()
    assert attachment.get_content() == letter.pdf and attachment.get_filename() == letter.pdf_name


def test_same_inputs_give_identical_bytes(maker):
    one = maker.make(person("DE"), SampleResult(MATCHES), LETTER_DATE)
    two = LetterMaker.from_config(Config.defaults()).make(person("DE"), SampleResult(MATCHES),
                                                          LETTER_DATE)
    assert [(l.pdf, l.eml, l.text) for l in one.letters] == [(l.pdf, l.eml, l.text) for l in two.letters]
    later = maker.make(person("DE"), SampleResult(MATCHES), date(2026, 11, 27))
    assert later.letters[0].reference != one.letters[0].reference


def test_limits_on_companies_and_kinds(maker):
    ann = person("US-CA", "US-IL", companies=("sensetime", "google"), kinds=("ccpa", "gdpr"))
    outcome = maker.make(ann, SampleResult(MATCHES), LETTER_DATE)
    assert [(l.company, l.kind) for l in outcome.letters] == [("sensetime", "ccpa")]
    assert any(n.startswith("Google: not tied to any matched dataset") for n in outcome.notes)
    assert any("The gdpr letter does not apply" in n for n in outcome.notes)
    with pytest.raises(InputError, match="^companies: no company called 'acme'"):
        maker.make(person(companies=("acme",)), SampleResult(MATCHES), LETTER_DATE)
    with pytest.raises(InputError, match="^kinds: unknown letter kind 'nope'"):
        maker.make(person(kinds=("nope",)), SampleResult(MATCHES), LETTER_DATE)


def test_unknown_dataset_and_no_matches(maker):
    outcome = maker.make(person(), SampleResult([SampleMatch("mystery", "url", None, None,
                                                             "https://x.example/a.jpg")]),
                         LETTER_DATE)
    assert outcome.letters == () and "'mystery'" in outcome.notes[0]
    assert maker.make(person(), SampleResult([]), LETTER_DATE).letters == ()


def test_long_exhibits_are_cut_with_the_full_list_as_csv(maker, tmp_path):
    many = [SampleMatch("pipa", "flickr-owner", str(4_000_000_000 + i), NSID, None)
            for i in range(1200)]
    outcome = maker.make(person("BR", companies=("toyota-motor-europe",)), SampleResult(many),
                         LETTER_DATE)
    (letter,) = outcome.letters
    table = [b for b in letter.document.blocks if type(b).__name__ == "Table"][0]
    assert len(table.rows) == 1000
    assert "lists the first 1000 of 1200 photographs" in letter.text
    assert letter.csv is not None
    csv_lines = letter.csv.decode("utf-8").splitlines()
    assert len(csv_lines) == 1201 and csv_lines[-1].startswith("People In Photo Albums (PIPA),4000001199")
    message = email.message_from_bytes(letter.eml, policy=email.policy.default)
    names = [a.get_filename() for a in message.iter_attachments()]
    assert names == [letter.pdf_name, f"{letter.reference}-photos.csv"]
    assert f"{letter.reference}-photos.csv" in letter.text
    assert letter.csv_name == f"{letter.reference}-photos.csv"
    written = write_letters([letter], tmp_path)[0]
    assert written.csv == tmp_path / letter.csv_name and written.csv.read_bytes() == letter.csv
    _, pages = pdf_text(letter.pdf)
    assert pages > 10


def test_write_letters_uses_safe_names_and_replaces_on_rerun(maker, tmp_path):
    outcome = maker.make(person("US-CA", "US-IL"), SampleResult(MATCHES), LETTER_DATE)
    written = write_letters(outcome.letters, tmp_path / "out")
    names = sorted(p.name for p in (tmp_path / "out").iterdir())
    assert len(names) == 3 * len(outcome.letters)
    for name in names:
        assert re.fullmatch(r"[a-z0-9-]+-[a-z-]+-RB-20261126-[A-Z2-7]{16}\.(pdf|txt|eml)", name), name
    first = written[0]
    assert first.pdf.read_bytes() == first.letter.pdf
    assert first.txt.read_text(encoding="utf-8") == first.letter.text
    again = write_letters(outcome.letters, tmp_path / "out")
    assert sorted(p.name for p in (tmp_path / "out").iterdir()) == names
    assert again[0].pdf.read_bytes() == first.letter.pdf
    (tmp_path / "file").write_text("x")
    with pytest.raises(InputError, match="cannot create the output folder"):
        write_letters(outcome.letters, tmp_path / "file" / "sub")


def test_sealed_letters_verify(tmp_path):
    from bot.letters.keys import new_key_files
    from bot.letters.verify import verify_pdf
    keys = new_key_files("Ann Example", tmp_path / "keys")
    sealing = LetterMaker.from_config(Config.defaults(), seal=SealSettings(keys.key, keys.cert))
    outcome = sealing.make(person("DE", companies=("meta",)), SampleResult(MATCHES), LETTER_DATE)
    (letter,) = outcome.letters
    assert letter.sealed
    report = verify_pdf(letter.pdf, [keys.cert])
    assert report.ok and report.sealed and report.reference == letter.reference, report.problems


def test_how_to_send_names_the_channel_and_the_gaps(maker):
    outcome = maker.make(person("DE"), SampleResult(MATCHES), LETTER_DATE)
    by = {l.company: l for l in outcome.letters}
    assert "privacy web form at https://www.facebook.com/" in by["meta"].how_to_send
    assert "no postal address is on file, and no privacy email or web form" in by["sensetime"].how_to_send
