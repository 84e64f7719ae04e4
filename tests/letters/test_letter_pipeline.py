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
    # PIPA: uc-berkeley (creator, a public university: the general letter instead of BIPA) and
    # meta (co-creator) are selected; sensetime and toyota-motor-europe are named only by
    # activist research, so they are listed in the notes but not written to by default
    assert got == [("meta", "bipa-demand"), ("uc-berkeley", "generic")]
    assert any(n.startswith("UC Berkeley: This recipient is a public body") for n in outcome.notes)
    assert ("SenseTime: only activist research reports that it used People In Photo Albums (PIPA); "
            "not selected unless you add it.") in outcome.notes
    assert [c.kind for c in outcome.kinds] == ["bipa-demand"]
    letter = outcome.letters[0]
    assert letter.due == date(2026, 12, 28) and not letter.statutory_deadline   # 26th: Saturday
    assert "five years" in letter.escalation
    assert letter.entity == "Meta Platforms, Inc." and letter.jurisdiction == "US"
    # named explicitly, an activist-only recipient gets its letter
    named = maker.make(person("US-IL", companies=("sensetime",)), SampleResult(MATCHES), LETTER_DATE)
    assert [(l.company, l.kind) for l in named.letters] == [("sensetime", "bipa-demand")]


def test_pdf_reads_back_with_the_letter(maker):
    outcome = maker.make(person("US-CA", "US-IL", companies=("sensetime",)), SampleResult(MATCHES),
                         LETTER_DATE)
    letter = next(l for l in outcome.letters if l.company == "sensetime" and l.kind == "ccpa")
    text, pages = pdf_text(letter.pdf)
    flat = squash(text)
    assert pages >= 2
    assert letter.reference in flat and "§1798.121" in flat and "§1798.140(v)(2)" in flat
    assert "11 January 2027" in flat and "11 December 2026" in flat
    for photo in PHOTO_IDS:
        assert photo in flat
    assert "not legal advice" not in flat.lower()      # that is for the sender's cover sheet
    # the reference is never cut in two in the header (it may move to its own line)
    first = PdfReader(io.BytesIO(letter.pdf)).pages[0].extract_text()
    assert letter.reference in first.split("Reference:")[1].split("\n", 2)[1] or \
        letter.reference in first.split("Reference:")[1].split("\n", 1)[0]
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
    outcome = maker.make(person("BR", companies=("meta",)), SampleResult(many), LETTER_DATE)
    (letter,) = outcome.letters
    table = [b for b in letter.document.blocks if type(b).__name__ == "Table"][0]
    assert len(table.rows) == 1000
    assert "lists the first 1000 of 1200 rows" in letter.text
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
    outcome = maker.make(person("US-CA", "US-IL", companies=("meta", "sensetime", "uc-berkeley")),
                         SampleResult(MATCHES), LETTER_DATE)
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
    outcome = maker.make(person("DE", companies=("meta", "sensetime")), SampleResult(MATCHES),
                         LETTER_DATE)
    by = {l.company: l for l in outcome.letters}
    assert "privacy web form at https://help.meta.com/support/privacy" in by["meta"].how_to_send
    assert "no postal address is on file, and no privacy email or web form" in by["sensetime"].how_to_send
    assert any("no postal address, privacy email or web form is on file" in g
               for g in by["sensetime"].gaps)
    # the gaps reach the sender's cover sheet, never the letter
    assert "no postal address" in outcome.cover.text()
    assert "no postal address" not in by["sensetime"].text


def test_an_illinois_resident_gets_a_gdpr_letter_to_an_eu_established_controller(maker):
    outcome = maker.make(person("US-IL", companies=("toyota-motor-europe", "meta")),
                         SampleResult(MATCHES), LETTER_DATE)
    assert [(l.company, l.kind, l.basis) for l in outcome.letters] == [
        ("meta", "bipa-demand", "residence"),
        ("toyota-motor-europe", "bipa-demand", "residence"),
        ("toyota-motor-europe", "gdpr", "establishment")]
    gdpr = outcome.letters[2]
    assert gdpr.jurisdiction == "EU" and "(Article 3(1) GDPR)" in gdpr.text


def test_ibm_letters_list_only_dif_photos_and_openai_only_its_subset(maker):
    """IBM built DiF from YFCC100M: its letters list the DiF photos, not every YFCC100M one;
    OpenAI is tied to its CLIP subset only."""
    both = [SampleMatch("yfcc100m", "flickr-photo", "1", NSID, None, query="1"),
            SampleMatch("yfcc100m", "flickr-photo", "2", NSID, None, query="2"),
            SampleMatch("dif", "flickr-photo", "2", NSID, None, query="2")]
    outcome = maker.make(person("US-IL", companies=("ibm", "yahoo")), SampleResult(both), LETTER_DATE)
    ibm = next(l for l in outcome.letters if l.company == "ibm")
    table = [b for b in ibm.document.blocks if type(b).__name__ == "Table"][0]
    assert [r[1] for r in table.rows] == ["2"] and ibm.photos == 1
    yahoo = next(l for l in outcome.letters if l.company == "yahoo")
    assert yahoo.photos == 2
    notes = maker.make(person("US-IL", companies=("openai",)), SampleResult(both), LETTER_DATE).notes
    assert any(n.startswith("OpenAI: not tied to any matched dataset") for n in notes)


def test_the_person_names_the_photos_they_appear_in(maker):
    outcome = maker.make(person("US-IL", companies=("meta",), shown_photos=(PHOTO_IDS[1],)),
                         SampleResult(MATCHES), LETTER_DATE)
    (letter,) = outcome.letters
    table = [b for b in letter.document.blocks if type(b).__name__ == "Table"][0]
    assert [r[1] for r in table.rows] == [PHOTO_IDS[1]]
    assert "found one photograph" in letter.text and "I appear in this photograph." in letter.text
    with pytest.raises(InputError, match="^shown_photos: none of the photos"):
        maker.make(person(shown_photos=("123",)), SampleResult(MATCHES), LETTER_DATE)


def test_who_is_shown_decides_the_kind(maker):
    uploader = maker.make(person("US-IL", shown="not-me", companies=("meta", "uc-berkeley")),
                          SampleResult(MATCHES), LETTER_DATE)
    assert [l.kind for l in uploader.letters] == ["uploader", "uploader"]
    assert "Photos I took or uploaded, in which you appear, were found in People In Photo Albums" \
        in uploader.cover.pass_on
    assert uploader.cover.pass_on in uploader.cover.text()
    with pytest.raises(InputError, match="^shown: say who appears"):
        maker.make(person(shown=""), SampleResult(MATCHES), LETTER_DATE)
    # a person elsewhere with only the plain request needs no "shown"... but any biometric kind does
    with pytest.raises(InputError, match="^shown"):
        maker.make(person("BR", shown=""), SampleResult(MATCHES), LETTER_DATE)


def test_preservation_is_the_default_where_a_recipient_is_in_pending_litigation(maker):
    dif = [SampleMatch("dif", "flickr-photo", "2", NSID, None, query="2")]
    outcome = maker.make(person("US-IL", companies=("google", "ibm")), SampleResult(dif), LETTER_DATE)
    assert outcome.choice == "preserve"
    google = next(l for l in outcome.letters if l.company == "google")
    assert "Preserve all " in google.text and "Permanently destroy all such" not in google.text
    assert "Vance v. Google LLC, No. 5:20-cv-04696 (N.D. Cal.)" in google.text
    # IBM is in no pending case: without a choice of the person's, its letter asks to destroy
    ibm = next(l for l in outcome.letters if l.company == "ibm")
    assert "Permanently destroy all " in ibm.text and "Preserve all" not in ibm.text
    cover = outcome.cover.text()
    assert "preserving is the default. Your letters to Google ask them to preserve" in cover
    assert ("Your letters to every other organisation ask it to delete the data now; if you might "
            "bring a claim against any of them too, deleting can remove evidence") in cover
    # the person's own choice governs every letter to a company they could sue under BIPA
    kept = maker.make(person("US-IL", companies=("google", "ibm", "toyota-motor-europe"),
                             bipa_choice="preserve"), SampleResult(dif + list(MATCHES)), LETTER_DATE)
    for letter in kept.letters:        # Toyota: its BIPA and its GDPR letter alike
        assert "Preserve all " in letter.text or "Restriction (Article 18(1)(c)" in letter.text
    # the GDPR lets a German go to court (Arts. 79, 82): Google, in a pending case, is asked to
    # restrict and keep the data by default, as laws.md wants for a recipient in litigation
    german = maker.make(person("DE", companies=("google",)), SampleResult(dif), LETTER_DATE)
    assert german.choice == "preserve" and "Restriction (Article 18(1)(c) GDPR)" in german.letters[0].text
    # a law enforced by regulators only (Colorado): delete now, with a warning on the cover sheet
    colorado = maker.make(person("US-CO", companies=("google",)), SampleResult(dif), LETTER_DATE)
    assert colorado.choice == "destroy" and "Permanently delete all data about" in colorado.letters[0].text
    cover = colorado.cover.text()
    assert "enforced by regulators and generally give no right to sue" in cover
    assert ("Vance v. Google LLC, No. 5:20-cv-04696 (N.D. Cal.) is pending over the data of a company "
            "you write to, and your letter asks it to delete the data.") in cover
    # someone outside the EU is not told to complain "where you live"
    il = maker.make(person("US-IL", companies=("toyota-motor-europe",)), SampleResult(MATCHES), LETTER_DATE)
    gdpr = next(l for l in il.letters if l.kind == "gdpr")
    assert "such as the one where the company is established" in gdpr.escalation
    assert "where you live" not in gdpr.escalation
    chosen = maker.make(person("US-IL", companies=("google",), bipa_choice="destroy"),
                        SampleResult(dif), LETTER_DATE)
    assert chosen.choice == "destroy" and "Permanently destroy all " in chosen.letters[0].text
    assert "Warning: Vance v. Google LLC" in chosen.cover.text()
    quiet = maker.make(person("US-IL", companies=("ibm",)), SampleResult(dif), LETTER_DATE)
    assert quiet.choice == "destroy"


def test_cover_sheet_for_the_sender_reads_back_from_its_pdf(maker):
    outcome = maker.make(person("US-IL", companies=("meta", "uc-berkeley", "sensetime")),
                         SampleResult(MATCHES), LETTER_DATE)
    cover = outcome.cover
    text = squash(pdf_text(cover.pdf)[0])
    for element in ("not legal advice", "Keep as proof", "How to send them", "Check before sending",
                    "Risks and choices", "do not say where the photos were uploaded from",
                    "primarily and substantially",
                    "SenseTime Group Inc.: no postal address, privacy email or web form is on file",
                    "If there is no answer, or a refusal", "five years",
                    "UC Berkeley: This recipient is a public body"):
        assert element in text, element
    for letter in outcome.letters:
        assert letter.pdf_name in text.replace(" ", "") or letter.pdf_name in cover.text()
    assert cover.name.startswith("cover-sheet-20261126-") and cover.name.endswith(".pdf")
    again = maker.make(person("US-IL", companies=("meta", "uc-berkeley", "sensetime")),
                       SampleResult(MATCHES), LETTER_DATE)
    assert again.cover.pdf == cover.pdf                       # deterministic
    fonts = {str(f) for page in PdfReader(io.BytesIO(cover.pdf)).pages
             for f in page["/Resources"]["/Font"].values()}
    assert fonts    # embedded fonts, like the letters


def test_preview_matches_what_is_made(maker):
    ann = person("US-IL", companies=("meta", "uc-berkeley", "toyota-motor-europe"))
    preview = maker.preview(ann, SampleResult(MATCHES))
    made = maker.make(ann, SampleResult(MATCHES), LETTER_DATE).letters
    expected: dict[str, list[str]] = {}
    for letter in made:
        expected.setdefault(letter.company_name, []).append(letter.kind_title)
    assert preview == list(expected.items())
    assert ("UC Berkeley", ["Request to stop using and to delete data derived from the photographs"]) in preview


def test_cover_sheet_says_what_the_letters_leave_out_and_where_they_go(maker):
    """Findings of the independent review: the cover sheet names the upload place the BIPA
    letter leaves out, a photo listed under another account than the one given, letters that
    go to an entity abroad, the next steps, and the photos in the text to pass on."""
    other = "https://www.flickr.com/photos/11111111@N00/1808093328/"
    matches = [SampleMatch("pipa", "flickr-photo", "1808093328", NSID, None, query=other)]
    french = maker.make(person("US-IL", "FR", companies=("meta", "toyota-motor-europe")),
                        SampleResult(matches), LETTER_DATE)
    cover = french.cover.text()
    assert "You told me you uploaded the photos from France; your BIPA letters do not say so." in cover
    assert all("France" not in l.text for l in french.letters)
    assert ("Photo 1808093328: you gave it as a photo of the Flickr account 11111111@N00, but People "
            f"In Photo Albums (PIPA) lists it under {NSID}.") in cover
    assert ("Toyota Motor Europe: no entity of Toyota Motor Europe in the United States is on file, "
            "so the US-law letter goes to Toyota Motor Europe NV/SA in Belgium.") in cover
    assert "If there is no answer, or a refusal" in cover and "Talk to a lawyer licensed in Illinois" in cover
    uploader = maker.make(person("BR", shown="not-me", companies=("meta",)), SampleResult(MATCHES),
                          LETTER_DATE)
    assert f"The photos: https://www.flickr.com/photos/{NSID}/{PHOTO_IDS[0]}/" in uploader.cover.pass_on
    parent = maker.make(person("US-CA", shown="child", companies=("meta",)), SampleResult(MATCHES),
                        LETTER_DATE)
    assert "If your child is now an adult, they should send their own letters" in parent.cover.text()


def test_the_cover_sheet_says_how_some_photos_unmarked_are_handled(maker):
    outcome = maker.make(person("US-CO", shown_some=True, companies=("meta",)), SampleResult(MATCHES),
                         LETTER_DATE)
    cover = outcome.cover.text()
    assert "appear in some of the photos, without saying which: the letters say so, list every" in cover
    assert "list only those photos" not in cover
    picked = maker.make(person("US-CO", shown_photos=(PHOTO_IDS[0],), companies=("meta",)),
                        SampleResult(MATCHES), LETTER_DATE)
    assert "You told me which photos you appear in; the letters say so and list only those" in \
        picked.cover.text()
