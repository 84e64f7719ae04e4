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
