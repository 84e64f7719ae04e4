"""Who appears in the photos: the first question of the letter form, and what each
answer does to the questions that follow, the summary, the letters and the cover sheet."""

from __future__ import annotations

from bot.journey import texts
from bot.journey.io import Document, Reply, Typing
from bot.letters.cover import pass_on_text
from tests.journey.chatting import (USER, Chat, check_links, contact, flat, letter_pdfs,
                                    pdf_text, said, step_now)

PIPA = ("1808093328", "7539756", "7539788")      # real PIPA photo IDs in the demo index


def answer(chat: Chat, steps: list[str], *actions: tuple[str, str]) -> None:
    """Press or type each action in turn, noting the step the journey is at after it."""
    for kind, value in actions:
        chat.press(value) if kind == "press" else chat.text(value)
        steps.append(step_now(chat))


def test_an_illinois_person_shown_in_several_photos(chat, services, store):
    check_links(chat, PIPA[0], PIPA[1])
    chat.press("Write letters")
    assert "who appears in these photos?" in said(chat.outputs[-1:])
    assert set(chat.buttons) == {"I appear in them", "My child (under 18) appears in them",
                                 "I only took or uploaded them"}
    steps = [step_now(chat)]
    answer(chat, steps, ("press", "I appear in them"))
    assert "Do you appear in both matched photos" in said(chat.outputs[-1:])
    answer(chat, steps, ("press", "In all of them"), ("press", "Illinois"),
           ("press", "Same as where I live"), ("text", "Ann Example"),
           ("text", "12 Main St\nSpringfield, IL 62701\nUSA"), ("text", "ann@example.org"),
           ("press", "Typed signature"), ("press", "Done"), ("press", "Preserve until resolved"))
    assert steps == ["shown", "shown_scope", "residence", "uploaded_from", "name", "address",
                     "email", "signature", "recipients", "bipa_choice", "summary"]

    summary = said(chat.outputs[-1:])
    bipa, general = (services.letters.rules.get(k).title for k in ("bipa-demand", "generic"))
    assert "In the photos: you\n" in summary
    assert f"- Meta (Facebook): {bipa}" in summary
    assert f"- UC Berkeley: {general}" in summary          # a public university: no BIPA
    assert "Destroy or preserve: Preserve until resolved, then destroy" in summary

    out = chat.press("Make my letters")
    kinds = [type(o).__name__ for o in out if not isinstance(o, Typing)]
    assert out[0] == Reply(texts.MAKING_LETTERS)             # said first, before the work
    assert isinstance(out[1], Typing)
    cover_text = out[2].text                                 # then the cover sheet, as text ...
    cover = out[3]                                           # ... and as a PDF
    assert isinstance(cover, Document) and cover.filename.startswith("cover-sheet-20261126-")
    assert cover.filename.endswith(".pdf") and kinds[:3] == ["Reply", "Reply", "Document"]
    cover_pdf = flat(pdf_text(cover.data)).lower()
    assert "not legal advice" in cover_text.lower() and "not legal advice" in cover_pdf
    for company in ("Meta", "UC Berkeley"):
        assert company in cover_text and company.lower() in cover_pdf

    letters = letter_pdfs(out)
    assert sorted(name.split("-RB-")[0] for name in letters) == ["meta-bipa-demand",
                                                                  "uc-berkeley-generic"]
    demand = flat(next(text for name, text in letters.items() if name.startswith("meta-bipa")))
    assert "in which I appear" in demand and PIPA[0] in demand and PIPA[1] in demand
    for text in letters.values():
        assert "not legal advice" not in flat(text).lower()  # that is on the cover sheet
    (case,) = store.cases(USER)
    assert sorted(letter["kind"] for letter in case["letters"]) == ["bipa-demand", "generic"]


def test_a_parent_writes_for_their_child(chat, store):
    check_links(chat, PIPA[0])
    chat.press("Write letters")
    out = chat.press("My child (under 18) appears in them")            # one photo: no "all or some?"
    assert "your child's name" in said(out) and "Leave the name out" in chat.buttons
    out = chat.text("x")
    assert "your child's name" in said(out) and "Leave the name out" in chat.buttons
    assert step_now(chat) == "child_name"
    chat.press("Leave the name out")                        # from the error's own keyboard
    assert step_now(chat) == "residence"
    chat.press("Illinois")
    chat.press("Same as where I live")
    contact(chat)
    chat.press("Done")
    chat.press("Preserve until resolved")
    assert "In the photos: your child (you write as parent or guardian)\n" in said(chat.outputs[-1:])

    chat.press("Change who is in the photos")                # now with the child's name
    chat.press("My child (under 18) appears in them")
    out = chat.text("Lea <b>Example</b> {{ 7*7 }}")
    assert step_now(chat) == "summary"
    assert "(Lea <b>Example</b> {{ 7*7 }})" in said(out)
    letters = letter_pdfs(chat.press("Make my letters"))
    assert letters
    for text in map(flat, letters.values()):
        assert "parent or legal guardian of Lea <b>Example</b> {{ 7*7 }}, my minor child" in text
    assert store.load_session(USER)["form"]["child_name"] == "Lea <b>Example</b> {{ 7*7 }}"


def test_someone_not_shown_gets_plain_requests_and_a_text_to_pass_on(chat, services, config, store):
    check_links(chat, *PIPA)
    chat.press("Write letters")
    out = chat.press("I only took or uploaded them")         # several photos: still no scope
    assert "text to pass on" in said(out) and step_now(chat) == "residence"
    chat.press("Illinois")                                  # BIPA land: still no claim
    assert step_now(chat) == "name"                         # no "uploaded from?"
    contact(chat)
    summary = said(chat.press("Done"))
    assert step_now(chat) == "summary"                      # no "destroy or preserve?"
    assert "Where you uploaded from" not in summary and "Destroy or preserve" not in summary
    assert not {"Change upload place", "Change destroy or preserve"} & set(chat.buttons)
    title = services.letters.rules.get("uploader").title
    assert f"- Meta (Facebook): {title}" in summary and f"- UC Berkeley: {title}" in summary

    out = chat.press("Make my letters")
    cover_text = next(o.text for o in out if isinstance(o, Reply) and o.text.startswith("Read this"))
    names = [services.registry.get("pipa").name]
    head, tail = flat(pass_on_text(names, config.letters.share_link)).split(" Only the person shown")
    assert head in flat(cover_text) and "Only the person shown" + tail in flat(cover_text)
    assert "The photos: https://www.flickr.com/" in cover_text
    letters = letter_pdfs(out)
    assert len(letters) == 2 and all("-uploader-" in name for name in letters)
    for text in map(flat, letters.values()):
        assert "740 ILCS" not in text and all(photo in text for photo in PIPA)
    (case,) = store.cases(USER)
    assert {letter["kind"] for letter in case["letters"]} == {"uploader"}


def test_picking_photos_refuses_anything_but_matched_ones_and_keeps_progress(chat, store):
    check_links(chat, *PIPA)
    chat.press("Write letters")
    chat.press("I appear in them")
    out = chat.press("I'll say which")
    assert all(photo in said(out) for photo in PIPA)         # examples to copy
    for wrong, echoed in (("123456", "123456"), ("I am in the first one", "first"),
                          ("{{ x }}", "{{"), ("<b>7539756</b>", "<b>7539756</b>"),
                          (f"{PIPA[0]} 99999", "99999")):
        out = chat.text(wrong)
        text = said(out)
        assert "only use photo IDs or links of matched photos" in text and echoed in text, wrong
        assert "Send the photo IDs" in text and "In some, I won't pick" in chat.buttons
        assert step_now(chat) == "shown_pick"
        form = store.load_session(USER)["form"]
        assert form["shown"] == "me" and "shown_photos" not in form
    out = chat.text(f"{PIPA[1]}\nhttps://www.flickr.com/photo.gne?id={PIPA[0]} {PIPA[1]}")
    assert "Noted: 2 photos." in said(out) and step_now(chat) == "residence"
    assert store.load_session(USER)["form"]["shown_photos"] == [PIPA[1], PIPA[0]]
    chat.press("Illinois")
    chat.press("Same as where I live")
    contact(chat)
    chat.press("Done")
    summary = said(chat.press("Destroy now"))
    assert "In the photos: you, in 2 of the photos" in summary
    letters = letter_pdfs(chat.press("Make my letters"))
    assert letters
    for text in map(flat, letters.values()):
        assert PIPA[0] in text and PIPA[1] in text and PIPA[2] not in text


def test_picking_can_go_back_or_say_some_without_picking(chat, store):
    check_links(chat, *PIPA)
    chat.press("Write letters")
    chat.press("My child (under 18) appears in them")
    out = chat.press("I'll say which")
    assert "Send the photo IDs" in said(out)
    out = chat.press("Back")
    assert "Does your child appear in all 3 matched photos" in said(out)
    chat.press("I'll say which")
    chat.text(PIPA[2])
    assert step_now(chat) == "child_name"                   # a child: the name comes next
    chat.press("Leave the name out")
    assert store.load_session(USER)["form"]["shown_photos"] == [PIPA[2]]
    chat.press("Illinois")
    chat.press("Same as where I live")
    contact(chat)
    chat.press("Done")
    chat.press("Destroy now")
    chat.press("Change who is in the photos")
    chat.press("I appear in them")
    out = chat.press("In some, I won't pick")
    assert step_now(chat) == "summary" and "In the photos: you, in some of the photos" in said(out)
    form = store.load_session(USER)["form"]
    assert form["shown_some"] is True and "shown_photos" not in form and "child_name" not in form
    letters = letter_pdfs(chat.press("Make my letters"))
    assert letters and all(all(p in flat(t) for p in PIPA) for t in letters.values())


def test_changing_who_is_shown_from_the_summary_asks_what_the_new_answer_needs(chat, store):
    check_links(chat, PIPA[0])
    chat.press("Write letters")
    chat.press("I only took or uploaded them")
    chat.press("Illinois")
    contact(chat)
    chat.press("Done")
    assert step_now(chat) == "summary"
    chat.press("Change who is in the photos")
    chat.press("I appear in them")
    assert step_now(chat) == "uploaded_from"                # skipped before, needed now
    chat.press("Same as where I live")
    assert step_now(chat) == "bipa_choice"                  # BIPA now: destroy or preserve
    out = chat.press("Destroy now")
    assert step_now(chat) == "summary" and "Destroy or preserve: Destroy now" in said(out)
    chat.press("Change who is in the photos")
    out = chat.press("I only took or uploaded them")
    assert step_now(chat) == "summary" and "Destroy or preserve" not in said(out)
    assert "bipa_choice" not in store.load_session(USER)["form"]
    letters = letter_pdfs(chat.press("Make my letters"))
    assert letters and all("-uploader-" in name for name in letters)
