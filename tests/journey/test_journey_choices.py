"""The recipients (activist-only organisations left out, with why), destroy or preserve
(suggested preserving and a warned "destroy" where a recipient is in pending litigation
over the data), and every new step's re-prompt, whose buttons must work."""

from __future__ import annotations

from bot.journey import texts
from bot.journey.io import Press, Reply, Text, Unsupported, Upload
from tests.imaging import jpeg_bytes, make_photo
from tests.journey.chatting import (USER, Chat, check_links, contact, flat, letter_pdfs, said,
                                    step_now)

PIPA = ("1808093328", "7539756", "7539788")
DIF = "9000000000008"      # synthetic: in DiF (Google: Vance v. Google, pending) and YFCC100M


def to_recipients(chat: Chat, *photos: str) -> list:
    check_links(chat, *photos)
    chat.press("Write letters")
    chat.press("I appear in them")
    if len(photos) > 1:
        chat.press("In all of them")
    chat.press("Illinois")
    chat.press("Same as where I live")
    return contact(chat)


def google_letter(out) -> str:
    letters = letter_pdfs(out)
    return flat(next(text for name, text in letters.items() if name.startswith("google-")))


def test_activist_only_organisations_start_unselected_and_the_prompt_says_why(chat, services, store):
    text = said(to_recipients(chat, PIPA[0]))
    options = services.recipient_options(store.load_session(USER)["result"])
    assert {o.name for o in options if not o.default} == {"SenseTime", "Toyota Motor Europe"}
    for option in options:
        assert ("[x] " if option.default else "[ ] ") + option.name in chat.buttons
        if not option.default:
            assert f"- {option.name} ({option.datasets})" in text
    assert "activist research" in text
    out = chat.press("[ ] SenseTime")
    assert out[-1].edit and "[x] SenseTime" in chat.buttons           # the list, redrawn in place
    assert all(f"- {o.name} ({o.datasets})" in said(out) for o in options if not o.default)  # kept
    chat.press("[x] Meta")
    assert "[ ] Meta (Facebook)" in chat.buttons
    assert set(store.load_session(USER)["form"]["recipients"]) == {"uc-berkeley", "sensetime"}
    chat.press("Done")
    summary = said(chat.press("Destroy now"))
    assert "- SenseTime: " in summary and "- UC Berkeley: " in summary and "- Meta" not in summary
    letters = letter_pdfs(chat.press("Make my letters"))
    assert sorted(name.split("-")[0] for name in letters) == ["sensetime", "uc"]


def test_a_pending_case_suggests_preserving_and_destroying_needs_a_second_press(chat, store):
    to_recipients(chat, DIF)
    assert "[x] Google" in chat.buttons
    out = chat.press("Done")
    assert step_now(chat) == "bipa_choice"
    assert "Vance v. Google" in said(out) and "suggest preserving" in said(out)
    first, second = list(chat.buttons)
    assert first.startswith("Preserve until resolved") and first.endswith("(suggested)")
    assert second == "Destroy now"
    out = chat.press("Destroy now")
    assert "Vance v. Google" in said(out) and "Destroy it now anyway?" in said(out)
    assert step_now(chat) == "bipa_choice" and "bipa_choice" not in store.load_session(USER)["form"]
    assert set(chat.buttons) == {"Yes, destroy now", "Preserve until resolved, then destroy"}
    out = chat.press("Yes, destroy now")
    assert step_now(chat) == "summary" and "Destroy or preserve: Destroy now" in said(out)
    letter = google_letter(chat.press("Make my letters"))
    assert "Permanently destroy" in letter and "Preserve all " not in letter


def test_a_gdpr_sender_writing_to_a_company_in_a_pending_case_is_asked_and_preserving_is_suggested(chat):
    """The GDPR lets a German go to court (Arts. 79, 82), and Google is in a pending case over
    the data: preserving (an Art. 18(1)(c) restriction) is suggested, as laws.md asks."""
    check_links(chat, DIF)
    chat.press("Write letters")
    chat.press("I appear in them")
    chat.press("EU / EEA country")
    chat.press("Germany")
    chat.press("Berlin")
    chat.press("Same as where I live")
    contact(chat, "Anna Kuznetsova", "anna@example.de", "Hauptstr. 1\n10115 Berlin\nGermany")
    chat.press("Done")
    assert step_now(chat) == "bipa_choice"
    assert any(label.endswith("(suggested)") and label.startswith("Preserve") for label in chat.buttons)
    chat.press("Preserve until resolved, then destroy (suggested)")
    letter = google_letter(chat.press("Make my letters"))
    assert "Restriction (Article 18(1)(c) GDPR)" in letter and "until the claims in Vance v. Google" in letter


def test_a_regulator_only_law_asks_nothing_and_deletes(chat):
    """Colorado's act is enforced by regulators: no choice to offer, Google is asked to delete,
    and the cover sheet warns that a case over the data is pending."""
    check_links(chat, DIF)
    chat.press("Write letters")
    chat.press("I appear in them")
    chat.press("Colorado")
    chat.press("Same as where I live")
    chat.text("Riley Fox")
    chat.text("1600 Broadway\nDenver, CO 80202")
    chat.text("riley@example.org")
    chat.press("Typed signature")
    chat.press("Done")
    assert step_now(chat) == "summary"
    out = chat.press("Make my letters")
    assert "Permanently delete all data about" in google_letter(out)
    assert "is pending over the data of a company you write to" in " ".join(said(out).split())


def test_the_warning_can_be_answered_by_preserving(chat):
    check_links(chat, DIF)
    chat.press("Write letters")
    chat.press("I appear in them")
    chat.press("Illinois")                                    # BIPA: a private action
    chat.press("Same as where I live")
    chat.text("Dana Reyes")
    chat.text("2100 N Racine Ave\nChicago, IL 60614")
    chat.text("dana@example.org")
    chat.press("Typed signature")
    chat.press("Done")
    assert step_now(chat) == "bipa_choice"
    chat.press("Destroy now")
    out = chat.press("Preserve until resolved")               # from the warning's keyboard
    assert "Destroy or preserve: Preserve until resolved, then destroy" in said(out)
    letter = google_letter(chat.press("Make my letters"))
    assert "until the claims in Vance v. Google" in letter and "Preserve all " in letter


def test_without_a_pending_case_destroy_is_one_press_and_nothing_is_suggested(chat):
    to_recipients(chat, DIF)
    chat.press("[x] Google")
    out = chat.press("Done")
    assert "Vance" not in said(out) and "(suggested)" not in " ".join(chat.buttons)
    out = chat.press("Destroy now")
    assert "Destroy or preserve: Destroy now" in said(out)


def test_no_choice_when_no_letter_rests_on_a_law_to_sue_under(chat, store):
    """Illinois, but only a public university chosen: it gets the general request, not
    BIPA, so there is nothing to destroy-or-preserve about; with Meta back, there is."""
    to_recipients(chat, PIPA[0])
    chat.press("[x] Meta")
    out = chat.press("Done")
    assert step_now(chat) == "summary" and "Destroy or preserve" not in said(out)
    chat.press("Change companies")
    chat.press("[ ] Meta")
    chat.press("Done")
    assert step_now(chat) == "bipa_choice"
    chat.press("Destroy now")                                 # no pending case: one press
    assert step_now(chat) == "summary"
    chat.press("Change companies")
    chat.press("[x] Meta")
    out = chat.press("Done")                                  # the choice is dropped again
    assert step_now(chat) == "summary" and "Destroy or preserve" not in said(out)
    assert "bipa_choice" not in store.load_session(USER)["form"]


def test_adding_a_recipient_in_litigation_after_choosing_destroy_asks_again(chat, store):
    to_recipients(chat, DIF)
    chat.press("[x] Google")
    chat.press("Done")
    chat.press("Destroy now")                                 # no case yet: no warning
    chat.press("Change companies")
    chat.press("[ ] Google")
    out = chat.press("Done")
    assert step_now(chat) == "bipa_choice" and "Vance v. Google" in said(out)
    chat.press("Destroy now")
    out = chat.press("Yes, destroy now")
    assert step_now(chat) == "summary" and "Destroy or preserve: Destroy now" in said(out)
    chat.press("Change companies")                            # confirmed once: not asked again
    chat.press("Done")
    assert step_now(chat) == "summary"


def test_recipients_follow_the_photos_the_person_picked(chat, store):
    check_links(chat, PIPA[0], DIF)
    chat.press("Write letters")
    chat.press("I appear in them")
    chat.press("I'll say which")
    chat.text(PIPA[0])
    chat.press("Illinois")
    chat.press("Same as where I live")
    contact(chat)
    assert {label[4:] for label in chat.buttons if label.startswith("[")} == {
        "Meta (Facebook)", "SenseTime", "Toyota Motor Europe", "UC Berkeley"}
    out = chat.press("Done")
    assert "Vance" not in said(out)                           # Google has none of these photos
    chat.press("Destroy now")
    chat.press("Change who is in the photos")                 # now all of them
    chat.press("I appear in them")
    out = chat.press("In all of them")
    assert step_now(chat) == "recipients" and "[x] Google" in chat.buttons
    out = chat.press("Done")
    assert step_now(chat) == "bipa_choice" and "Vance v. Google" in said(out)
    chat.press("Preserve until resolved")
    letters = letter_pdfs(chat.press("Make my letters"))
    assert any(name.startswith("google-") for name in letters)


def test_a_second_check_starts_with_its_own_recipients(chat):
    to_recipients(chat, PIPA[0])
    chat.press("Done")
    chat.press("Destroy now")
    chat.press("Make my letters")
    chat.press("Check more")
    chat.press("Flickr photo links")
    chat.text(DIF)
    chat.press("Write letters")
    chat.press("I appear in them")
    chat.press("Illinois")
    chat.press("Same as where I live")
    contact(chat)
    assert {"[x] Google", "[x] IBM", "[x] Amazon"} <= set(chat.buttons)


def press_newest(chat: Chat, event, label: str, expected_step: str, lead: str) -> None:
    """An unexpected input re-prompts (``lead`` first); a button of that re-prompt works."""
    before = step_now(chat)
    out = chat.send(event)
    assert lead in said(out) and isinstance(out[-1], Reply) and out[-1].buttons, (before, event)
    assert step_now(chat) == before
    chat.press(label)
    assert step_now(chat) == expected_step, (before, label)


def test_every_new_step_reprompts_with_buttons_that_work(chat):
    data = jpeg_bytes(make_photo(3))
    photo = Upload(data, len(data), "x.jpg", "image/jpeg", True, None)
    check_links(chat, PIPA[0], DIF)
    chat.press("Write letters")
    press_newest(chat, Text("me, I think"), "I appear in them", "shown_scope", texts.UNEXPECTED_TEXT)
    press_newest(chat, photo, "I'll say which", "shown_pick", texts.UNEXPECTED_UPLOAD)
    press_newest(chat, Unsupported("sticker"), "Back", "shown_scope", texts.UNSUPPORTED)
    chat.press("I'll say which")
    press_newest(chat, Text("the one at the beach"), "In some, I won't pick", "residence",
                 "could not use: the, one, at, the, beach")
    chat.press("Illinois")
    chat.press("Same as where I live")
    contact(chat)
    press_newest(chat, Text("Google please"), "[x] Google", "recipients", texts.UNEXPECTED_TEXT)
    assert "[ ] Google" in chat.buttons
    chat.press("[ ] Google")
    press_newest(chat, Unsupported("voice"), "Done", "bipa_choice", texts.UNSUPPORTED)
    press_newest(chat, Text("destroy"), "Destroy now", "bipa_choice", texts.UNEXPECTED_TEXT)
    assert "Yes, destroy now" in chat.buttons                  # the warning
    press_newest(chat, Text("yes"), "Destroy now", "bipa_choice", texts.UNEXPECTED_TEXT)
    chat.press("Yes, destroy now")
    assert step_now(chat) == "summary"
    chat.press("Change who is in the photos")
    chat.press("My child (under 18) appears in them")
    chat.press("In all of them")
    press_newest(chat, photo, "Leave the name out", "summary", texts.UNEXPECTED_UPLOAD)
    chat.press("Change who is in the photos")
    chat.press("My child (under 18) appears in them")
    chat.press("In all of them")
    press_newest(chat, Text("?"), "Leave the name out", "summary", "your child's name")
    # a button from an older message gets a plain answer and the current question
    stale = chat.old_buttons
    out = chat.send(Press(next(iter(stale.values()))))
    assert texts.STALE_BUTTON in said(out) and step_now(chat) == "summary"
