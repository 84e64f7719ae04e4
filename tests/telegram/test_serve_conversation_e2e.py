"""Issue 8's conversation findings, end to end: `rightsbot serve` in its own process, the
real python-telegram-bot Application, the Bot API server on 127.0.0.1, a person pressing
buttons on the messages they were sent.

1. A sentence is "not understood", not checked as user names, and never reaches a letter.
2. A user name with no lookup configured says "Nothing was checked", in the person's words.
3. After an unexpected "🙂", the newest message's buttons work.
6. "Making your letters..." arrives while the letters are still being made (the letter
   workers are frozen with SIGSTOP, so nothing else can have arrived yet).
7. The bot is then killed (SIGKILL, workers too); on restart the person is told, without
   writing first, and gets their letters on one press.
"""

from __future__ import annotations

import io
import os
import signal
import zipfile

import pytest

from bot.journey import texts
from tests.botapi import wait_until
from tests.telegram.serving import descendants, kill_hard, pdf_text, serve, step, stop, \
    write_config

PIPA_PHOTO = "1808093328"
DIF_PHOTO = "9000000000008"
NAME = "Bea Example"
pytestmark = pytest.mark.e2e


def test_conversation_findings_end_to_end(botapi, tmp_path):
    config, log = write_config(botapi, tmp_path), tmp_path / "bot.log"
    bea = botapi.user(6101, "Bea")
    proc = serve(botapi, config, log)
    try:
        step(bea, "text", "/start", "I agree")
        step(bea, "press", "I agree, let's start", "How would you like to check?")
        # 1. a sentence
        reply = step(bea, "text", "my photos are on flickr i think? can you check",
                     "How would you like to check?")
        assert "I didn't understand that" in reply and "Checked:" not in reply
        # 2. a user name, and no FLICKR_API_KEY on this server
        step(bea, "press", "My Flickr account", "Send your Flickr account")
        reply = step(bea, "text", "janedoe", "Check more")
        assert reply.startswith("Nothing was checked") and "No match" not in reply
        assert "API" not in reply and "links to your photos" in reply
        step(bea, "press", "Check more", "How would you like to check?")
        step(bea, "press", "Flickr photo links", "Send one or more Flickr photo links")
        results = step(bea, "text", f"{PIPA_PHOTO}\n{DIF_PHOTO}", "Write letters")
        assert "Found 3 matches" in results and "janedoe: not checked" in results
        # 1 again, on the results; 3. an emoji, then the newest buttons
        assert "I didn't understand" in step(bea, "text", "ok thanks, what now?", "Write letters")
        assert "I didn't understand" in step(bea, "text", "\U0001F642", "Write letters")
        reply = step(bea, "press", "Write letters", "who appears in these photos?")
        assert texts.STALE_BUTTON not in reply
        step(bea, "press", "I appear in them", "Do you appear in both")
        step(bea, "press", "In all of them", "Where do you live?")
        step(bea, "press", "Other US state", "Which US state?")
        step(bea, "press", "Washington", "Where did you upload these photos from")
        step(bea, "press", "Same as where I live now", "full name")
        step(bea, "text", NAME, "postal address")
        step(bea, "text", "1 Pine St\nSeattle, WA 98101\nUSA", "email address")
        step(bea, "text", "bea@example.org", "How do you want to sign?")
        step(bea, "press", "Typed signature", "Choose one to leave it out")
        step(bea, "press", "Done", "destroy")          # Washington's MHMDA: a private action
        step(bea, "press", "Preserve until resolved, then destroy (suggested)",
             "Please check before I make your letters")

        # 6. freeze the letter workers, then ask for the letters
        workers = descendants(proc.pid)
        assert workers, "the bot should have started its letter workers"
        for pid in workers:
            os.kill(pid, signal.SIGSTOP)
        before = len(bea.messages)
        bea.press("Make my letters")
        assert wait_until(lambda: any((m.text or "").startswith("Making your letters")
                                      for m in bea.messages[before:]), timeout=30)
        assert not any(m.filename for m in bea.messages[before:])   # no letter could exist yet
        # 7. the process dies while the letters are being made
        kill_hard(proc)
        told_from = len(bea.messages)
        proc = serve(botapi, config, log)
        assert wait_until(lambda: any(texts.LETTERS_INTERRUPTED in (m.text or "")
                                      for m in bea.messages[told_from:]), timeout=60)
        made = step(bea, "press", "Make my letters", "When do you send them?", timeout=120)
        assert "Making your letters" in made
    finally:
        if proc.poll() is None:
            stop(proc, log)

    files = {}
    for document in bea.documents:
        if document.filename.endswith(".zip"):
            archive = zipfile.ZipFile(io.BytesIO(document.data))
            files.update({n: archive.read(n) for n in archive.namelist()})
        else:
            files[document.filename] = document.data
    letters = {n: pdf_text(d) for n, d in files.items()
               if n.endswith(".pdf") and not n.startswith("cover-sheet-")}
    assert letters and all(NAME in t for t in letters.values())
    for name, text in letters.items():
        assert "concerned:" not in text and "janedoe" not in text, name    # nothing unverified
    assert set(botapi.deliveries().values()) == {1}
