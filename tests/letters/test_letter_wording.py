"""Which of the person's Flickr accounts a letter names: whole accounts confirmed by this
letter's own matches, never text that merely appears inside another input."""

from __future__ import annotations

from bot.check import Match
from bot.letters.model import Person
from bot.letters.wording import letter_accounts


def person(*accounts: str) -> Person:
    return Person(name="Ann Example", address=("1 Main St", "Springfield"), email="a@example.org",
                  residence="US-IL", uploaded_from="US-IL", flickr_accounts=accounts)


def match(kind: str, query: str, owner: str | None = None) -> Match:
    return Match("megaface", kind, "123", owner, None, None, query)


def test_an_account_is_named_when_it_owns_or_found_a_photo_of_this_letter():
    found = [match("flickr-owner", "https://www.flickr.com/photos/99990001@N99/", "99990001@N99"),
             match("flickr-photo", "janedoe")]           # found through janedoe's photo list
    assert letter_accounts(person("99990001@N99", "janedoe", "other"), found) == [
        "99990001@N99", "janedoe"]


def test_parts_of_other_inputs_never_count():
    """Before: "ok", "now", "9999" and "photos" were 'in' the query text as substrings."""
    found = [match("flickr-owner", "https://www.flickr.com/photos/99990001@N99/", "99990001@N99")]
    assert letter_accounts(person("ok", "now", "9999", "photos", "flickr"), found) == []


def test_an_image_link_match_names_no_account():
    found = [Match("facescrub", "url", None, None, "http://upload.wikimedia.org/x.jpg", None,
                   "http://upload.wikimedia.org/x.jpg")]
    assert letter_accounts(person("99990001@N99"), found) == []


def test_a_name_ending_in_a_full_stop_is_not_given_a_second_one(tmp_path):
    """Issue 8: "My name is Joe Example Jr.." in every letter."""
    import re
    from datetime import date

    from bot.config import Config
    from bot.letters.pipeline import LetterMaker
    from tests.letters.samples import MATCHES, SampleResult
    from tests.letters.samples import person as sample_person

    maker = LetterMaker.from_config(Config.defaults(base=tmp_path))
    for residence in ("US-IL", "US-OR", "DE", "CA"):
        for shown in ("me", "not-me"):
            outcome = maker.make(sample_person(residence, name="Joe Example Jr.", shown=shown),
                                 SampleResult(MATCHES), date(2026, 11, 26))
            for letter in outcome.letters:
                assert "Jr.." not in letter.text, (residence, shown, letter.kind)
                assert "Joe Example Jr." in letter.text
                assert not re.search(r"\ba [AEIOU][a-z]", letter.text), (residence, letter.kind)


def test_an_image_known_only_by_its_path_is_named_in_the_exhibit_and_kept_in_the_session():
    from bot.check import CheckResult
    from bot.journey import results
    from bot.letters.exhibit import build_exhibit
    match = Match("megaface", "perceptual", None, None, None, 0, "photo 1", "batch3/img_0042.jpg")
    exhibit = build_exhibit([match], {"megaface": "MegaFace"})
    assert exhibit.rows[0][-1] == "image batch3/img_0042.jpg in the dataset"
    stored = results.encode(CheckResult(("megaface",), (match,), (), 1))
    assert results.matches(stored) == [match]
