"""The journey from a match to delivered letters, /status, /forget and reminders."""

from __future__ import annotations

import io
import os
from datetime import date, timedelta

from PIL import Image, ImageDraw
from pypdf import PdfReader

from bot.journey.engine import Journey
from bot.journey.io import Press
from tests.imaging import make_photo, png_bytes
from tests.journey.chatting import (TODAY, USER, Chat, contact, delivered_files, documents, flat,
                                    pdf_text, said, step_now)

PIPA_PHOTO = "1808093328"
DIF_PHOTO = "9000000000008"     # synthetic: DiF and YFCC100M (five more organisations)
NAME = "<b>Ann</b> {{ x }} & Co"
EMAIL = "ann.example@example.org"


def matched(chat: Chat, *photos: str) -> None:
    chat.start()
    chat.press("Flickr photo links")
    chat.text("\n".join(photos or (PIPA_PHOTO,)))
    chat.press("Write letters")
    chat.press("I appear in them")
    if len(photos) > 1:
        chat.press("In all of them")


def fill_illinois(chat: Chat, *photos: str, name: str = NAME) -> None:
    matched(chat, *photos)
    chat.press("Illinois")
    chat.press("Same as where I live")
    chat.text(name)
    chat.text("12 Main St\nSpringfield, IL 62701\nUSA")
    chat.text(EMAIL)
    chat.press("Typed signature")
    chat.press("Done")
    chat.press("Preserve until resolved")


def test_form_reaches_a_summary_with_everything(chat, services):
    fill_illinois(chat)
    text = said(chat.outputs[-1:])
    bipa, general = (services.letters.rules.get(k).title for k in ("bipa-demand", "generic"))
    for part in ("In the photos: you", f"Name: {NAME}",
                 "Address: 12 Main St, Springfield, IL 62701, USA", f"Email: {EMAIL}",
                 "Where you live: Illinois, United States",
                 "Where you uploaded from: Illinois, United States", "Signature: typed",
                 "Destroy or preserve: Preserve until resolved, then destroy",
                 f"- Meta (Facebook): {bipa}\n", f"- UC Berkeley: {general}"):
        assert part in text
    assert "SenseTime" not in text and "Toyota" not in text     # activist-only: left out
    assert "Make my letters" in chat.buttons


def test_letters_are_delivered_saved_and_listed(chat, store):
    fill_illinois(chat, PIPA_PHOTO, DIF_PHOTO)
    out = chat.press("Make my letters")
    cover, bundle = documents(out)                 # the cover sheet, then more than 4 letters
    assert cover.filename.startswith("cover-sheet-") and bundle.filename == "rightsbot-letters.zip"
    assert "not legal advice" in flat(pdf_text(cover.data)).lower()
    files = delivered_files(out)
    pdfs = [n for n in files if n.endswith(".pdf") and not n.startswith("cover-sheet-")]
    emls = [n for n in files if n.endswith(".eml")]
    assert len(pdfs) == len(emls) == 7
    demand = next(n for n in pdfs if n.startswith("meta") and "bipa-demand" in n)
    text = pdf_text(files[demand])
    assert NAME in text                       # markup and template syntax print literally
    assert PIPA_PHOTO in text and "not legal advice" not in flat(text).lower()
    assert "740 ILCS 14" in text
    assert "Flickr account concerned" not in text      # a bare PIPA photo ID names no account
    assert "How to send them" in said(out) and "remind you when replies are due" in said(out)
    cases = store.cases(USER)
    assert len(cases) == 1 and len(cases[0]["letters"]) == len(pdfs)
    assert all(date.fromisoformat(letter["due"]) > TODAY for letter in cases[0]["letters"])
    # the signature image (none here) and the form stay only as long as needed
    noted = said(chat.press("Today, by email or web form"))      # the deadlines count from today
    assert "Noted: 7 letters sent on 2026-11-26" in noted
    status = said(chat.command("status"))
    assert "sent, waiting for a reply; next: " in status and "not sent yet" not in status
    assert cases[0]["letters"][0]["reference"] in status


def test_few_letters_come_as_separate_documents(chat):
    fill_illinois(chat)
    chat.press("Change companies")
    chat.press("Meta")
    chat.press("Done")
    out = chat.press("Make my letters")
    cover, *names = [d.filename for d in documents(out)]
    assert cover.startswith("cover-sheet-")
    assert sorted(n.rsplit(".", 1)[1] for n in names) == ["eml", "pdf"]   # UC Berkeley: one letter
    assert names[0].startswith("uc-berkeley-generic-")


def test_bad_answers_are_corrected_without_losing_anything(chat, store):
    matched(chat)
    assert "could be the US state California or Canada" in said(chat.text("CA"))
    chat.text("Germany")
    # the Land names the authority: a typo keeps the list, "I'd rather not say" keeps "DE"
    assert "I don't know the German state" in said(chat.text("Gotham"))
    assert "Berlin" in chat.buttons
    chat.press("I'd rather not say")
    chat.press("Same as where I live")
    assert "between 2 and 100 characters" in said(chat.text("x"))
    assert ("invisible character (U+202E RIGHT-TO-LEFT OVERRIDE) at position 5"
            in said(chat.text("line\u202eevil")))
    chat.text("Анна Кузнецова")
    assert "2 to 6 lines" in said(chat.text("nowhere"))
    chat.text("Hauptstr. 1, 10115 Berlin, Germany")
    assert "doesn't look like an email" in said(chat.text("ann@"))
    assert "doesn't look like an email" in said(chat.text("ann@example.org\r\nBcc: x@y.z"))
    chat.text("anna@example.de")
    chat.press("Typed signature")
    chat.press("Done")
    assert step_now(chat) == "bipa_choice"             # the GDPR lets a German go to court
    chat.press("Destroy now")
    assert step_now(chat) == "summary"
    form = store.load_session(USER)["form"]
    assert form["name"] == "Анна Кузнецова" and form["residence"] == "DE"
    assert form["address"] == ["Hauptstr. 1", "10115 Berlin", "Germany"]


def test_gdpr_letters_for_an_eu_resident(chat):
    matched(chat)
    chat.press("EU / EEA")
    chat.press("Germany")
    assert "Which German state (Land)?" in said(chat.outputs[-1:])
    chat.text("Bavaria")                                # typed, in English
    chat.press("Same as where I live")
    contact(chat, "Anna Kuznetsova", "anna@example.de", "Hauptstr. 1\n10115 Berlin\nGermany")
    chat.press("Done")
    summary = said(chat.press("Destroy now"))
    assert "General Data Protection Regulation" in summary and "Illinois" not in summary
    files = delivered_files(chat.press("Make my letters"))
    text = pdf_text(next(data for name, data in files.items() if "gdpr" in name and name.endswith(".pdf")))
    assert "Article 17" in text or "Art. 17" in text
    assert "Bavarian State Office for Data Protection Supervision (BayLDA)" in " ".join(text.split())


def test_every_state_can_be_picked_from_the_list(chat):
    matched(chat)
    chat.press("Other US state")
    assert "Wyoming" in chat.buttons
    chat.press("Wyoming")
    assert "Noted: Wyoming, United States" in said(chat.outputs[-3:])


def test_editing_from_the_summary_returns_to_it(chat, store):
    fill_illinois(chat)
    chat.press("Change email")
    out = chat.text("new@example.org")
    assert "Email: new@example.org" in said(out)
    chat.press("Change where I live")
    chat.press("California")
    out = chat.press("Same as where I live")
    text = said(out)
    assert "Destroy or preserve" not in text and "California Consumer Privacy Act" in text
    assert store.load_session(USER)["form"].get("bipa_choice") is None


def test_recipients_cannot_all_be_removed(chat):
    fill_illinois(chat)
    chat.press("Change companies")
    for company in ("Meta", "UC Berkeley"):
        chat.press(company)
    assert "[ ] Meta (Facebook)" in chat.buttons
    assert "keep at least one" in said(chat.press("Done"))


def test_signature_picture_is_used_then_dropped(chat, store):
    matched(chat)
    chat.press("Texas")
    chat.press("Same as where I live")
    chat.text("Ann Example")
    chat.text("1 Main St, Austin, TX 78701")
    chat.text("ann@example.org")
    chat.press("Photo of my signature")
    assert "could not use that image" in said(chat.upload(b"not an image", filename="sig.png"))
    photo = make_photo(5, size=(600, 200)).convert("RGBA")       # a photo, not handwriting
    assert "does not look like a signature" in said(chat.upload(png_bytes(photo), filename="p.png"))
    signature = Image.new("RGBA", (600, 200), (255, 255, 255, 0))
    ImageDraw.Draw(signature).line([(30, 150), (150, 40), (260, 160), (400, 50), (560, 120)],
                                   fill=(20, 30, 90, 255), width=6)
    assert "Signature received" in said(chat.upload(png_bytes(signature), filename="sig.png"))
    assert store.load_session(USER)["form"]["signature_image"]
    chat.press("Done")
    files = delivered_files(chat.press("Make my letters"))
    data = next(data for name, data in files.items()
                if name.endswith(".pdf") and not name.startswith("cover-sheet-"))
    reader = PdfReader(io.BytesIO(data))
    assert sum(len(page.images) for page in reader.pages) >= 1
    assert "signature_image" not in store.load_session(USER)["form"]


def test_forget_asks_then_erases_everything(chat, store, config):
    fill_illinois(chat)
    chat.press("Make my letters")
    out = chat.command("forget")
    assert "Delete everything?" in said(out)
    out = chat.press("No, keep it")
    assert "Nothing was deleted" in said(out) and store.cases(USER)
    chat.command("forget")
    out = chat.press("Yes, delete everything")
    assert "Deleted:" in said(out) and "1 case," in said(out)
    assert store.load_session(USER) is None and store.cases(USER) == []
    for folder, _, files in os.walk(config.storage.path):
        for name in files:
            data = open(os.path.join(folder, name), "rb").read()
            assert EMAIL.encode() not in data and b"Ann" not in data and b"Springfield" not in data
    # and the person starts from the welcome again
    assert "I agree" in said(chat.text("hello"))


def test_reminders_are_sent_once_when_due(chat, journey, store):
    fill_illinois(chat)
    chat.press("Make my letters")
    chat.press("Today, by email or web form")
    due = min(date.fromisoformat(l["due"]) for l in store.cases(USER)[0]["letters"])
    assert journey.due_reminders(due - timedelta(days=4)) == []
    before = journey.due_reminders(due - timedelta(days=3))       # 3 days before
    assert before and "in a few days" in before[0].reply.text
    reminders = journey.due_reminders(due)
    assert reminders and all(r.user_id == USER for r in reminders)
    assert "is due today" in reminders[0].reply.text and "not legal advice" in reminders[0].reply.text
    assert journey.due_reminders(due) == []           # recorded when handed out: never twice
    overdue = journey.due_reminders(due + timedelta(days=7))
    assert overdue and "was due on" in overdue[0].reply.text
    later = Chat(Journey(journey.services, store, today=lambda: due + timedelta(days=8)))
    assert "overdue since" in said(later.command("status"))


def test_letters_need_a_match(chat):
    chat.start()
    chat.press("Flickr photo links")
    chat.text("https://www.flickr.com/photos/nobody/1234567/")
    assert "Write letters" not in chat.buttons
    # a forged press of the letters button on the results keyboard
    nonce = chat.buttons["Check more"].split(":")[0]
    assert "only write letters about a dataset" in said(chat.send(Press(f"{nonce}:letters")))


def test_owners_of_matched_photos_are_not_called_the_persons_accounts(chat, config, tmp_path):
    from bot.index.images import hash_image_folder
    from tests.imaging import jpeg_bytes, telegram_recompress
    images = tmp_path / "FlickrFinal2" / "901" / "9019583@N08"
    images.mkdir(parents=True)
    original = make_photo(41)
    (images / "8032652775_0.jpg").write_bytes(jpeg_bytes(original))
    hash_image_folder(config.index.path, "megaface", tmp_path / "FlickrFinal2",
                      max_bytes=config.photos.max_bytes, max_pixels=config.photos.max_pixels,
                      workers=1)
    chat.start()
    chat.press("Upload photos")
    chat.upload(telegram_recompress(jpeg_bytes(original)), as_photo=True)
    assert "MegaFace" in said(chat.press("Check now"))
    chat.press("Write letters")
    chat.press("I appear in them")
    chat.press("Illinois")
    chat.press("Same as where I live")
    chat.text("Ann Example")
    chat.text("1 Main St, Springfield, IL")
    chat.text("ann@example.org")
    chat.press("Typed signature")
    chat.press("Done")
    chat.press("Preserve until resolved")       # Google uses MegaFace and is in court over DiF
    files = delivered_files(chat.press("Make my letters"))
    texts = [pdf_text(data) for name, data in files.items()
             if name.endswith(".pdf") and not name.startswith("cover-sheet-")]
    assert texts and all("8032652775" in t for t in texts)        # the photo is in the exhibit
    # its owner is named neutrally, never as the sender's own account
    assert not any("my flickr account" in t.lower() or "my account" in t.lower() for t in texts)


def test_an_unknown_place_in_a_list_asks_again_with_that_list(chat):
    matched(chat)
    chat.press("Other US state")
    out = chat.text("Atlantis")
    assert "Which US state?" in said(out) and "Wyoming" in chat.buttons
    chat.text("wy")
    assert "Noted: Wyoming, United States" in said(chat.outputs[-1:])


def test_country_question_has_a_way_back(chat):
    matched(chat)
    chat.press("Somewhere else")
    assert "Which country?" in said(chat.outputs[-1:])
    chat.press("Back")
    assert "Where do you live?" in said(chat.outputs[-1:])
    chat.press("Somewhere else")
    chat.text("Brasil")
    assert "Noted: Brazil" in said(chat.outputs[-1:])
