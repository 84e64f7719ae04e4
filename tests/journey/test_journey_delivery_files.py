"""Letters handed over one by one (few letters; always in the terminal) come with every
file they name: the complete exhibit CSV that a letter listing only part of a long match
says is "sent with this letter", and the .txt that web-form instructions say to paste.
Only the ZIP used to carry them."""

from __future__ import annotations

import csv
import io

from bot.index import import_manifest
from tests.journey.chatting import Chat, contact, documents, pdf_text, said

OWNER = "11111111@N00"
PHOTOS = 1005           # more than the 1,000 rows a letter lists


def only_recipient(chat: Chat, keep: str) -> None:
    for label in list(chat.buttons):
        if label.startswith("[x] ") and keep not in label:
            chat.press(label)
    chat.press("Done")


def test_a_capped_exhibit_comes_with_its_csv(chat, config, tmp_path):
    manifest = tmp_path / "megaface-urls.txt"
    manifest.write_text("".join(f"https://www.flickr.com/photos/{OWNER}/{7_000_000_000 + i}/\n"
                                for i in range(PHOTOS)))
    import_manifest(config.index.path, "megaface", "urls", [manifest])
    chat.start()
    chat.press("My Flickr account")
    assert "MegaFace" in said(chat.text(OWNER))
    chat.press("Write letters")
    chat.press("I appear in them")
    chat.press("In all of them")
    chat.press("Illinois")
    chat.press("Same as where I live")
    chat.text("Ann Example")
    chat.text("1 Main St, Springfield, IL 62701")
    chat.text("ann@example.org")
    chat.press("Typed signature")
    only_recipient(chat, "University of Washington")
    docs = {d.filename: d for d in documents(chat.press("Make my letters"))}
    pdfs = [name for name in docs if name.endswith(".pdf") and not name.startswith("cover-sheet-")]
    assert pdfs and not any(name.endswith(".zip") for name in docs)
    for name in pdfs:
        text = pdf_text(docs[name].data)
        cited = next(word for word in text.split() if word.endswith("-photos.csv"))
        assert cited in docs, (cited, sorted(docs))           # the file the letter names
        rows = list(csv.reader(io.StringIO(docs[cited].data.decode("utf-8"))))
        assert len(rows) == PHOTOS + 1 and "send it with the letter" in docs[cited].caption


def test_web_form_instructions_come_with_the_text_to_paste(chat):
    chat.start()
    chat.press("Flickr photo links")
    chat.text("1808093328")
    chat.press("Write letters")
    chat.press("I appear in them")
    chat.press("EU / EEA")
    chat.press("Germany")
    chat.press("Berlin")
    chat.press("Same as where I live")
    contact(chat, "Anna Kuznetsova", "anna@example.de", "Hauptstr. 1\n10115 Berlin\nGermany")
    only_recipient(chat, "Meta")
    chat.press("Destroy now")                 # the GDPR lets a German go to court: asked
    out = chat.press("Make my letters")
    docs = {d.filename: d for d in documents(out)}
    (txt,) = [name for name in docs if name.endswith(".txt")]
    assert f"({txt})" in said(out)                      # "paste the letter text (<stem>.txt)"
    assert "Anna Kuznetsova" in docs[txt].data.decode("utf-8")
    assert not any(name.endswith(".csv") for name in docs)   # a short exhibit is in the letter
