"""The terminal door: lines in, journey inputs out; documents saved to a folder.
And the whole `rightsbot chat` run as a real process, letters read back."""

from __future__ import annotations

import io
import os
import subprocess
import sys
from pathlib import Path

import pytest
from pypdf import PdfReader

from bot.journey.io import Button, Command, Document, Press, Reply, Text, Upload
from bot.terminal.chat import TerminalChat
from tests.imaging import jpeg_bytes, make_photo

ROOT = Path(__file__).resolve().parents[2]


def door(tmp_path, lines=(), outputs=()):
    seen = []

    def handle(user_id, event):
        seen.append(event)
        return list(outputs)

    feed = iter(lines)

    def read_line(prompt):
        try:
            return next(feed)
        except StopIteration:
            raise EOFError from None

    out = io.StringIO()
    chat = TerminalChat(handle, letters_dir=tmp_path / "letters", max_upload_bytes=1000,
                        read_line=read_line, out=out)
    return chat, seen, out


def test_lines_become_journey_inputs(tmp_path):
    chat, _, _ = door(tmp_path)
    chat.show(Reply("Pick", ((Button("One", "1:a"), Button("Two", "1:b")),)))
    assert chat.parse("2") == Press("1:b")
    assert chat.parse("3") is None               # no button 3: the door says so
    assert "There is no button 3: type a number from 1 to 2." in chat.out.getvalue()
    assert chat.parse("1808093328") == Text("1808093328")   # a photo ID is text
    assert chat.parse("/start payload") == Command("start", "payload")
    assert chat.parse("/HELP@rightsbot") == Command("help", "")
    assert chat.parse("   ") is None
    assert chat.parse("Anna\\nStreet 1") == Text("Anna\nStreet 1")
    small = tmp_path / "small photo.jpg"
    small.write_bytes(b"x" * 10)
    assert chat.parse(f"'{small}'") == Upload(b"x" * 10, 10, "small photo.jpg", "image/jpeg", False)
    big = tmp_path / "big.png"
    big.write_bytes(b"x" * 5000)
    assert chat.parse(str(big)) == Upload(None, 5000, "big.png", "image/png", False)
    assert chat.parse("flickr.com/photos/jane/1808093328") == Text("flickr.com/photos/jane/1808093328")
    assert chat.parse("https://example.com/a.jpg") == Text("https://example.com/a.jpg")


def test_paths_that_are_not_files_are_answered_by_the_door(tmp_path):
    """A mistyped path used to reach the journey as text: '/no/such.jpg' got the /help text,
    'photo.jpg' was added as a Flickr user name, a path with spaces needed quotes."""
    chat, seen, out = door(tmp_path)
    spaced = tmp_path / "My Photos" / "beach day.jpg"
    spaced.parent.mkdir()
    spaced.write_bytes(b"y" * 20)
    assert chat.parse(str(spaced)) == Upload(b"y" * 20, 20, "beach day.jpg", "image/jpeg", False)
    fifo = tmp_path / "pipe.jpg"
    os.mkfifo(fifo)
    answers = {
        "/no/such/file.jpg": "There is no file at /no/such/file.jpg.",
        str(tmp_path / "My Photos" / "gone.jpg"): "There is no file at ",
        "photo.jpg": "There is no file at photo.jpg.",
        "~/nothing-here.png": "There is no file at ~/nothing-here.png.",
        str(spaced.parent): "is a folder",
        str(fifo): "is not a regular file",
        "/dev/zero": "is not a regular file",
    }
    for line, answer in answers.items():
        out.truncate(0)
        out.seek(0)
        assert chat.parse(line) is None, line          # nothing reaches the journey
        assert answer in out.getvalue(), (line, out.getvalue())
    # ordinary answers still reach the journey as text
    for line in ("Ann Example", "12 Main St/Apt 3, Springfield", "ann@example.org", "docs",
                 "/s/ Ann Example", "live.staticflickr.com/65535/123_abcdef_b.jpg"):
        assert chat.parse(line) == Text(line), line


def test_outputs_are_printed_and_documents_saved_safely(tmp_path):
    chat, _, out = door(tmp_path, outputs=[
        Reply("Hello", ((Button("Yes", "1:y"),), (Button("No", "1:n"),))),
        Document("../../evil name.pdf", b"%PDF-1.7 x", "a letter"),
        Document("../../evil name.pdf", b"%PDF-1.7 y")])
    chat.feed(Text("hi"))        # documents are saved once their delivery is complete
    text = out.getvalue()
    assert "Hello" in text and "[1] Yes" in text and "[2] No" in text
    saved = sorted(p.name for p in (tmp_path / "letters").iterdir())
    assert saved == ["evil_name-2.pdf", "evil_name.pdf"]
    assert (tmp_path / "letters" / "evil_name.pdf").read_bytes() == b"%PDF-1.7 x"


def test_run_resumes_and_ends_on_eof(tmp_path):
    chat, seen, out = door(tmp_path, lines=["hi"], outputs=[Reply("ok")])
    assert chat.run() == 0
    assert seen == [Command("resume"), Text("hi")]
    assert "progress is saved" in out.getvalue()


def run_chat(workdir: Path, lines: list[str]) -> str:
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    env.pop("TELEGRAM_BOT_TOKEN", None)
    done = subprocess.run([sys.executable, "-m", "bot", "start"], input="\n".join(lines) + "\n",
                          cwd=workdir, env=env, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    assert "Traceback" not in done.stderr
    return done.stdout


@pytest.mark.e2e
def test_the_main_command_without_a_token_runs_the_whole_journey(tmp_path):
    photo = tmp_path / "holiday.jpg"
    photo.write_bytes(jpeg_bytes(make_photo(21)))
    first = run_chat(tmp_path, [
        "1",                      # I agree
        "3", str(photo), "1",     # upload a photo, check now: the demo has no image hashes
        "4",                      # check something else
        "2", "1808093328",        # a PIPA photo link
    ])
    assert "No match in the datasets I hold" in first
    assert "People In Photo Albums (PIPA): 1 photo" in first
    # a second run continues where the first stopped
    second = run_chat(tmp_path, [
        "1",                                   # write letters
        "1",                                   # I appear in them
        "1", "1",                              # Illinois, same as where I live
        "Ann Example", "12 Main St, Springfield, IL 62701", "ann@example.org",
        "1",                                   # typed signature
        "5", "2",                              # recipients done, preserve
        "1",                                   # make my letters
        "1",                                   # sent today, by email
        "/status",
    ])
    assert "Welcome back" in second
    assert "Saved" in second and "sent, waiting for a reply; next: " in second
    assert "[1] I appear in them" in second and "[2] Preserve until resolved" in second
    folder = tmp_path / "letters"
    (cover,) = folder.glob("cover-sheet-*.pdf")
    assert "not legal advice" in " ".join(
        "".join(page.extract_text() for page in PdfReader(cover).pages).split()).lower()
    pdfs = sorted(set(folder.glob("*.pdf")) - {cover})
    emls = sorted(folder.glob("*.eml"))
    assert len(pdfs) == len(emls) == 2          # Meta (BIPA) and UC Berkeley (general request)
    text = "".join(page.extract_text() for page in PdfReader(pdfs[0]).pages)
    assert "Ann Example" in text and "1808093328" in text
    # the photo was never copied anywhere
    stored = b"".join(p.read_bytes() for p in (tmp_path / "var").rglob("*")    # not the index:
                      if p.is_file() and not p.name.startswith("index.sqlite"))  # its URLs say "holiday"
    assert photo.read_bytes()[:2000] not in stored and b"holiday" not in stored


LIMITED_START = """
import resource, signal, sys
signal.signal(signal.SIGXFSZ, signal.SIG_IGN)      # a write past the limit fails with EFBIG
resource.setrlimit(resource.RLIMIT_FSIZE, (90_000, 90_000))
from bot.cli import main
sys.exit(main(["start"]))
"""


@pytest.mark.e2e
def test_a_full_disk_while_saving_letters_keeps_the_person_before_make_my_letters(tmp_path):
    """No traceback, no half set of letters, no case recorded; the same press works later.
    (Files are capped at 90 kB in the first run: a letter's PDF fits, its .eml does not.)"""
    from bot.index import build_demo_index
    build_demo_index(tmp_path / "var" / "index.sqlite")      # bigger than the cap: made first
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    env.pop("TELEGRAM_BOT_TOKEN", None)
    lines = ["1", "2", "1808093328", "1", "1", "1", "1", "Ann Example",
             "12 Main St, Springfield, IL 62701", "ann@example.org", "1", "5", "2", "1", "/status"]
    first = subprocess.run([sys.executable, "-c", LIMITED_START], input="\n".join(lines) + "\n",
                           cwd=tmp_path, env=env, capture_output=True, text=True, timeout=120)
    assert first.returncode == 0 and "Traceback" not in first.stderr, first.stderr
    assert "Could not save" in first.stdout and "Nothing was recorded" in first.stdout
    assert "You have no saved letters" in first.stdout
    assert list((tmp_path / "letters").glob("*")) == []
    second = run_chat(tmp_path, ["1"])                    # "Make my letters" again, disk fine
    assert "Welcome back" in second and "Make my letters" in second
    assert len(list((tmp_path / "letters").glob("*.eml"))) == 2
    assert len(list((tmp_path / "letters").glob("cover-sheet-*.pdf"))) == 1


def test_an_error_in_a_turn_is_said_and_the_chat_goes_on(tmp_path):
    """The store's "your progress could not be saved just now ... please try again" used
    to end the chat with that line; now the turn stops and the next line is read."""
    from bot.errors import StorageError
    calls = []

    def handle(user_id, event):
        calls.append(event)
        if event == Text("fails"):
            yield Document("letter.pdf", b"%PDF-1.7 x")
            raise StorageError("your progress could not be saved just now (No space left on "
                               "device); please try again in a moment")
        yield Reply("fine")

    feed = iter(["fails", "again"])

    def read_line(prompt):
        try:
            return next(feed)
        except StopIteration:
            raise EOFError from None

    out = io.StringIO()
    chat = TerminalChat(handle, letters_dir=tmp_path / "letters", max_upload_bytes=1000,
                        read_line=read_line, out=out)
    assert chat.run() == 0
    assert calls[1:] == [Text("fails"), Text("again")]
    assert "Your progress could not be saved just now" in out.getvalue()
    assert out.getvalue().rstrip().endswith("continue.") and "fine" in out.getvalue()
    assert list((tmp_path / "letters").iterdir()) == []       # the turn's file was removed
