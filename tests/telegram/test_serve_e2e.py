"""`rightsbot serve` with the real journey, driven through the Bot API server on 127.0.0.1:
consent, a check that matches PIPA and DiF, a restart in the middle, the letter form (who is
in the photos, the recipients, a warned "destroy now" because of Vance v. Google), the cover
sheet and the letters as a ZIP of PDFs read back, and /forget leaving nothing of the person
in the storage folder."""

from __future__ import annotations

import io
import zipfile

import pytest

from tests.imaging import jpeg_bytes, make_photo
from tests.telegram.serving import pdf_text, serve, step, stop, write_config

PIPA_PHOTO = "1808093328"
DIF_PHOTO = "9000000000008"     # synthetic: DiF (Google: Vance v. Google, pending) and YFCC100M
COMPANIES = ("Meta (Facebook)", "UC Berkeley", "Amazon", "Google", "IBM", "Microsoft", "Yahoo")
NAME = "Ann Q. Example"
EMAIL = "ann.q.example@example.org"
pytestmark = pytest.mark.e2e


def test_serve_runs_the_journey_across_a_restart(botapi, tmp_path):
    config, log = write_config(botapi, tmp_path), tmp_path / "bot.log"
    ann = botapi.user(6001, "Ann")
    proc = serve(botapi, config, log)
    try:
        assert [c["command"] for c in botapi.commands][:1] == ["start"]
        step(ann, "text", "/start", "I agree")
        step(ann, "press", "I agree, let's start", "How would you like to check?")
        # photos, as a Telegram photo and as an album of files, fetched through getFile
        step(ann, "press", "Upload photos", "Send the photos you want to check")
        ann.send_photo(jpeg_bytes(make_photo(31)))
        step_replies = ann.wait_for_reply_sync(timeout=60)
        assert "1 photo ready to check" in step_replies.text
        ann.send_album([jpeg_bytes(make_photo(32)), jpeg_bytes(make_photo(33))], as_documents=True)
        assert "photos ready to check" in ann.wait_for_reply_sync(timeout=60).text   # one answer per album
        no_match = step(ann, "press", "Check now", "What a miss does not prove")
        assert "Checked: 3 photos." in no_match and "No match" in no_match
        assert len(botapi.downloads) >= 3                       # the files were fetched ...
        step(ann, "press", "Check something else", "How would you like to check?")
        step(ann, "press", "Flickr photo links", "Send one or more Flickr photo links")
        results = step(ann, "text", f"{PIPA_PHOTO}\n{DIF_PHOTO}", "Diversity in Faces (DiF)")
        assert "People In Photo Albums (PIPA)" in results
        assert "not findings that anyone broke the law" in results

        stop(proc, log)                                  # restart in the middle of the journey
        proc = serve(botapi, config, log)

        step(ann, "press", "Write letters", "who appears in these photos?")   # a button from before
        step(ann, "press", "I appear in them", "Do you appear in both matched photos")
        step(ann, "press", "In all of them", "Where do you live?")
        step(ann, "press", "Illinois", "Where did you upload these photos from")
        step(ann, "press", "Same as where I live now", "full name")
        step(ann, "text", NAME, "postal address")
        step(ann, "text", "12 Main St\nSpringfield, IL 62701\nUSA", "email address")
        step(ann, "text", EMAIL, "How do you want to sign?")
        recipients = step(ann, "press", "Typed signature", "Choose one to leave it out")
        assert "[ ] SenseTime" in recipients and "only activist research" in recipients
        choice = step(ann, "press", "Done", "destroy")
        assert "Vance v. Google" in choice and "(suggested)" in choice
        step(ann, "press", "Destroy now", "Destroy it now anyway?")
        summary = step(ann, "press", "Yes, destroy now", "Please check before I make your letters")
        assert "Destroy or preserve: Destroy now" in summary
        made = step(ann, "press", "Make my letters", "When do you send them?", timeout=120)
    finally:
        if proc.poll() is None:
            stop(proc, log)

    # "Making your letters...", then the cover sheet (text, then PDF), then the letters
    order = [m.filename or (m.text or "")[:40] for m in ann.messages]
    making = next(i for i, text in enumerate(order) if text.startswith("Making your letters..."))
    assert order[making + 1].startswith("Read this first")
    cover, bundle = ann.documents
    assert cover.filename.startswith("cover-sheet-") and cover.filename.endswith(".pdf")
    assert making < order.index(cover.filename) < order.index(bundle.filename)
    assert "Making your letters..." in made and "read it first" in cover.caption
    cover_text = pdf_text(cover.data)
    assert "not legal advice" in cover_text.lower() and "Read this first" in cover_text
    for company in COMPANIES:
        assert company in cover_text, company
    assert bundle.filename.endswith(".zip")
    archive = zipfile.ZipFile(io.BytesIO(bundle.data))
    pdfs = [n for n in archive.namelist() if n.endswith(".pdf")]
    assert len(pdfs) == len(COMPANIES) and any(n.endswith(".eml") for n in archive.namelist())
    texts = {n: pdf_text(archive.read(n)) for n in pdfs}
    assert all(NAME in t and "not legal advice" not in t.lower() for t in texts.values())
    assert all("in which I appear" in t for n, t in texts.items() if "-bipa-demand-" in n)
    assert any("740 ILCS 14" in t for t in texts.values())   # BIPA cited in the Illinois letters
    google = next(t for n, t in texts.items() if n.startswith("google-"))
    assert "Permanently destroy" in google
    assert [c.status for c in botapi.calls("answerCallbackQuery")] == \
        [200] * len(botapi.calls("answerCallbackQuery"))
    assert set(botapi.deliveries().values()) == {1}          # nothing handed out twice

    # /forget leaves nothing of Ann in the storage folder
    proc = serve(botapi, config, log)
    try:
        step(ann, "text", "/forget", "This deletes everything")
        step(ann, "press", "Yes, delete everything", "")
    finally:
        stop(proc, log)
    storage = tmp_path / "storage"
    blob = b"".join(p.read_bytes() + str(p).encode() for p in storage.rglob("*") if p.is_file())
    for secret in (NAME.encode(), EMAIL.encode(), b"Springfield", b"6001"):
        assert secret not in blob, secret
    # ... and no photo was ever written anywhere under the bot's folders
    written = [p for p in tmp_path.rglob("*") if p.is_file()
               and p.read_bytes()[:3] == b"\xff\xd8\xff"]
    assert written == []
