"""`rightsbot serve` with the real journey, driven through the Bot API server on 127.0.0.1:
consent, a check that matches PIPA, a restart in the middle, the letter form, the letters
as a ZIP of PDFs read back, and /forget leaving nothing of the person in the storage folder."""

from __future__ import annotations

import io
import os
import signal
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest
from pypdf import PdfReader

from tests.botapi import BotApiServer, SimulatedUser, wait_until
from tests.imaging import jpeg_bytes, make_photo

ROOT = Path(__file__).resolve().parents[2]
PIPA_PHOTO = "1808093328"
NAME = "Ann Q. Example"
EMAIL = "ann.q.example@example.org"
pytestmark = pytest.mark.e2e


def write_config(server: BotApiServer, folder: Path) -> Path:
    config = folder / "config.toml"
    config.write_text(
        f'[index]\npath = "{folder / "index.sqlite"}"\n'
        f'[storage]\npath = "{folder / "storage"}"\n'
        f'[letters]\noutput_dir = "{folder / "letters"}"\n'
        f'[telegram]\nbase_url = "{server.base_url}"\nbase_file_url = "{server.base_file_url}"\n')
    return config


def serve(server: BotApiServer, config: Path, log: Path) -> subprocess.Popen:
    env = {k: v for k, v in os.environ.items() if k not in ("FLICKR_API_KEY",)}
    env["TELEGRAM_BOT_TOKEN"] = server.token
    before = len(server.calls("getUpdates"))
    proc = subprocess.Popen([sys.executable, "-m", "bot", "serve", "--config", str(config)],
                            cwd=ROOT, env=env, stdout=log.open("a"), stderr=subprocess.STDOUT)
    assert wait_until(lambda: len(server.calls("getUpdates")) > before or proc.poll() is not None,
                      timeout=120), log.read_text()
    assert proc.poll() is None, log.read_text()
    return proc


def stop(proc: subprocess.Popen, log: Path) -> None:
    proc.send_signal(signal.SIGTERM)
    assert proc.wait(timeout=60) == 0, log.read_text()


def step(person: SimulatedUser, action: str, value: str, until: str, timeout: float = 60) -> str:
    """Send or press, then read replies until one contains ``until`` (in its text, caption,
    file name or button labels); returns all their text."""
    if action == "text":
        person.send_text(value)
    else:
        person.press(value)
    seen = []
    while True:
        reply = person.wait_for_reply_sync(timeout=timeout)
        seen.append(" ".join([reply.text or reply.caption or reply.filename or ""]
                             + [label for label, _ in reply.buttons]))
        if until in seen[-1]:
            return "\n".join(seen)


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
        results = step(ann, "text", PIPA_PHOTO, "People In Photo Albums (PIPA)")
        assert "not findings that anyone broke the law" in results

        stop(proc, log)                                  # restart in the middle of the journey
        proc = serve(botapi, config, log)

        step(ann, "press", "Write letters", "Where do you live?")   # a button from before
        step(ann, "press", "Illinois", "Where did you upload these photos from")
        step(ann, "press", "Same as where I live now", "full name")
        step(ann, "text", NAME, "postal address")
        step(ann, "text", "12 Main St\nSpringfield, IL 62701\nUSA", "email address")
        step(ann, "text", EMAIL, "How do you want to sign?")
        step(ann, "press", "Typed signature", "Illinois law")
        step(ann, "press", "Preserve until resolved, then destroy", "Tap a company")
        step(ann, "press", "Done", "Please check before I make your letters")
        step(ann, "press", "Make my letters", "What next?", timeout=120)
    finally:
        if proc.poll() is None:
            stop(proc, log)

    (bundle,) = [d for d in ann.documents if d.filename.endswith(".zip")]
    archive = zipfile.ZipFile(io.BytesIO(bundle.data))
    pdfs = [n for n in archive.namelist() if n.endswith(".pdf")]
    assert pdfs and any(n.endswith(".eml") for n in archive.namelist())
    texts = ["\n".join(p.extract_text() for p in PdfReader(io.BytesIO(archive.read(n))).pages)
             for n in pdfs]
    assert all(NAME in t for t in texts)
    assert any("740 ILCS 14" in t for t in texts)           # BIPA cited in the Illinois letters
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
