"""Letters written to a folder under kill -9 (issue 8, item 12).

A delivery (the cover sheet and every file of every letter of one letters job) is
written into a hidden temp folder beside the letters and moved in whole. Killed
while writing, it leaves nothing half-written once rightsbot starts again; killed
while moving in, the next start finishes the move; a retried delivery replaces its
own files instead of making ``-2`` copies; the person's own files are never touched.

The kills are real: ``rightsbot chat`` and ``rightsbot letters`` run as processes
whose file writes are held at a chosen point (``os.fsync`` or ``os.replace`` wrapped in
the child), then get SIGKILL."""

from __future__ import annotations

import json
import os
import re
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from bot.index import build_demo_index
from bot.journey.io import Document, Reply, Text
from bot.terminal.chat import TerminalChat

ROOT = Path(__file__).resolve().parents[2]
NAME, EMAIL, ADDRESS = "Ann Example", "ann@example.org", "12 Main St, Springfield, IL 62701"
# the terminal journey up to and including "Make my letters" (a PIPA photo, Illinois)
JOURNEY = ["1", "2", "1808093328", "1", "1", "1", "1", NAME, ADDRESS, EMAIL, "1", "5", "2", "1"]
USER_FILES = {                       # the person's own files in the letters folder
    "notes.txt": b"my own notes about Meta",
    ".my-hidden-note": b"hidden, mine",
    ".tmp-notes": b"a name that only looks like a temp file",
    "draft.pdf": b"%PDF-1.4 my own draft",
    ".rightsbot-delivery-mine/keep.txt": b"a folder of mine with a similar name",
}

# Runs a rightsbot command whose writes into the letters folder are held at one point:
#   cut:N   the N-th fsync of a file in the letters folder (or below it): the file is cut
#           to half its size first (the kill cut the write short), then the process waits
#   hold:N  the same without cutting
#   move:N  right after the N-th os.replace that puts a file into the letters folder
# and writes the file READY when it is held, for the test to kill it.
HELD_WRITE = r"""
import os, stat, sys, time
from pathlib import Path

letters, mode, ready = Path(sys.argv[1]).resolve(), sys.argv[2], Path(sys.argv[3])
kind, nth = mode.split(":")
seen = 0
real_fsync, real_replace = os.fsync, os.replace

def hold():
    ready.write_text("held")
    time.sleep(600)

def fsync(fd):
    global seen
    if kind in ("cut", "hold") and stat.S_ISREG(os.fstat(fd).st_mode) \
            and os.readlink(f"/proc/self/fd/{fd}").startswith(str(letters) + os.sep):
        seen += 1
        if seen == int(nth):
            if kind == "cut":
                os.ftruncate(fd, os.fstat(fd).st_size // 2)
            hold()
    real_fsync(fd)

def replace(src, dst, *args, **kwargs):
    global seen
    real_replace(src, dst, *args, **kwargs)
    if kind == "move" and Path(dst).resolve().parent == letters:
        seen += 1
        if seen == int(nth):
            hold()

os.fsync, os.replace = fsync, replace
from bot.cli import main
sys.exit(main(sys.argv[4:]))
"""


@pytest.fixture(scope="module")
def demo_index(tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("delivery-index") / "index.sqlite"
    build_demo_index(path)
    return path


def env() -> dict[str, str]:
    out = {k: v for k, v in os.environ.items()
           if k not in ("TELEGRAM_BOT_TOKEN", "FLICKR_API_KEY")}
    out["PYTHONPATH"] = str(ROOT)
    return out


def workdir(folder: Path, demo_index: Path) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(demo_index, folder / "index.sqlite")
    (folder / "config.toml").write_text(
        '[index]\npath = "index.sqlite"\ndemo = false\n'
        '[storage]\npath = "storage"\n[letters]\noutput_dir = "letters"\n'
        '[flickr]\napi_url = "http://127.0.0.1:9/"\ntimeout_seconds = 0.5\nmax_retries = 0\n')
    for name, data in USER_FILES.items():
        (folder / "letters" / name).parent.mkdir(parents=True, exist_ok=True)
        (folder / "letters" / name).write_bytes(data)
    return folder


def chat(work: Path, lines: list[str]) -> str:
    done = subprocess.run([sys.executable, "-m", "bot", "chat", "--config", "config.toml"],
                          input="\n".join(lines) + "\n", cwd=work, env=env(),
                          capture_output=True, text=True, timeout=180)
    assert done.returncode == 0 and "Traceback" not in done.stderr, done.stderr
    return done.stdout


def killed(work: Path, mode: str, argv: list[str], lines: list[str] = ()) -> None:
    """Run ``rightsbot <argv>`` with its writes held at ``mode``; kill -9 it once held."""
    ready = work / "held"
    log = (work / "killed.log").open("w")
    proc = subprocess.Popen([sys.executable, "-c", HELD_WRITE, str(work / "letters"), mode,
                             str(ready), *argv], cwd=work, env=env(), stdin=subprocess.PIPE,
                            stdout=log, stderr=subprocess.STDOUT, text=True)
    try:
        proc.stdin.write("\n".join(lines) + "\n")
        proc.stdin.flush()
        deadline = time.monotonic() + 180
        while not ready.exists():
            assert proc.poll() is None, (work / "killed.log").read_text()
            assert time.monotonic() < deadline, (work / "killed.log").read_text()
            time.sleep(0.05)
        proc.send_signal(signal.SIGKILL)
        assert proc.wait(timeout=30) == -signal.SIGKILL
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
        log.close()
    ready.unlink()


def tree(folder: Path) -> dict[str, bytes]:
    """Every file below ``folder`` (hidden ones included) by relative path."""
    return {str(p.relative_to(folder)): p.read_bytes() for p in folder.rglob("*") if p.is_file()}


def ours(folder: Path) -> dict[str, bytes]:
    """The files below ``folder`` that are not the person's own."""
    return {name: data for name, data in tree(folder).items() if name not in USER_FILES}


def mine(folder: Path) -> dict[str, bytes]:
    """The person's own files below ``folder``."""
    return {name: data for name, data in tree(folder).items() if name in USER_FILES}


@pytest.fixture(scope="module")
def reference(demo_index, tmp_path_factory) -> dict[str, bytes]:
    """The files of the same delivery made without any interruption (same person, same day:
    the same names and, the PDFs and emails being deterministic, the same bytes)."""
    work = workdir(tmp_path_factory.mktemp("reference"), demo_index)
    chat(work, JOURNEY)
    files = ours(work / "letters")
    assert any(n.startswith("cover-sheet-") for n in files) and \
        sum(n.endswith(".eml") for n in files) == 2, sorted(files)
    assert not any(n.startswith(".") for n in files), sorted(files)
    return files


@pytest.mark.e2e
def test_kill_mid_write_leaves_nothing_half_written_and_the_retry_makes_no_copies(
        tmp_path, demo_index, reference):
    work = workdir(tmp_path, demo_index)
    letters = work / "letters"
    killed(work, "cut:2", ["chat", "--config", "config.toml"], JOURNEY)
    left = ours(letters)
    # the premise: the kill left a file of the delivery cut in half, with personal data
    assert any(data not in reference.values() and data for data in left.values()), sorted(left)
    # an earlier, complete save of the same cover sheet (same letters job, same name)
    # and a temp file the old writer left, both with the person's data
    (cover_name,) = [n for n in reference if n.startswith("cover-sheet-")]
    saved = next(letters.rglob(cover_name))
    if saved != letters / cover_name:
        shutil.copyfile(saved, letters / cover_name)
    stale_tmp = letters / f".tmp-{cover_name}-0123abcd"
    stale_tmp.write_bytes(reference[cover_name][:500] + NAME.encode())

    chat(work, [])            # start again and quit: only the start-up clean-up runs

    after = ours(letters)
    assert set(after) <= set(reference), sorted(after)          # no temp, no stray file
    for name, data in after.items():
        assert data == reference[name], f"{name} is not the complete file"
    assert mine(letters) == USER_FILES

    out = chat(work, ["1"])   # "Make my letters" again
    assert "Welcome back" in out and "Saved" in out
    assert ours(letters) == reference                           # every file once: no -2 copy
    assert not any("-2." in name for name in tree(letters))
    assert mine(letters) == USER_FILES


@pytest.mark.e2e
def test_kill_while_moving_in_is_finished_at_the_next_start(tmp_path, demo_index, reference):
    work = workdir(tmp_path, demo_index)
    letters = work / "letters"
    killed(work, "move:2", ["chat", "--config", "config.toml"], JOURNEY)
    moved = [n for n in ours(letters) if n in reference]
    assert 0 < len(moved) < len(reference), sorted(ours(letters))   # held halfway
    out = chat(work, ["/status"])
    assert "now complete in" in out
    assert ours(letters) == reference                           # the whole delivery, once
    references = {re.search(r"RB-\d{8}-[A-Z2-7]{16}", n).group() for n in reference
                  if n.endswith(".pdf") and not n.startswith("cover-sheet-")}
    assert len(references) == 2 and all(ref in out for ref in references)   # case recorded
    assert mine(letters) == USER_FILES


@pytest.mark.e2e
def test_a_delivery_in_progress_in_another_process_is_left_alone(tmp_path, demo_index):
    from bot.files import clean_stale_temps
    work = workdir(tmp_path, demo_index)
    letters = work / "letters"
    child = subprocess.Popen([sys.executable, "-c", HELD_WRITE, str(letters), "hold:2",
                              str(work / "held"), "chat", "--config", "config.toml"],
                             cwd=work, env=env(), stdin=subprocess.PIPE, text=True,
                             stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        child.stdin.write("\n".join(JOURNEY) + "\n")
        child.stdin.flush()
        deadline = time.monotonic() + 180
        while not (work / "held").exists():
            assert child.poll() is None and time.monotonic() < deadline
            time.sleep(0.05)
        in_progress = ours(letters)
        assert in_progress
        assert clean_stale_temps(letters).removed == 0           # held by a live process
        assert ours(letters) == in_progress
    finally:
        child.kill()
        child.wait()
    assert clean_stale_temps(letters).removed == 1               # its writer is gone
    assert ours(letters) == {}
    assert tree(letters) == USER_FILES


@pytest.mark.e2e
def test_cli_letters_killed_mid_write_then_run_again(tmp_path, demo_index):
    work = workdir(tmp_path, demo_index)
    letters = work / "letters"
    (work / "person.toml").write_text(
        f'name = "{NAME}"\naddress = ["12 Main St", "Springfield, IL 62701"]\n'
        f'email = "{EMAIL}"\nresidence = "US-IL"\nuploaded_from = "US-IL"\n'
        'flickr = ["https://www.flickr.com/photos/12345678@N00/1808093328/"]\nshown = "me"\n')
    argv = ["letters", "--person", "person.toml", "--config", "config.toml", "--json"]
    killed(work, "cut:3", argv)
    assert any(NAME.encode() in data for data in ours(letters).values())   # the premise
    done = subprocess.run([sys.executable, "-m", "bot", *argv], cwd=work, env=env(),
                          capture_output=True, text=True, timeout=180)
    assert done.returncode == 0, done.stderr
    report = json.loads(done.stdout)
    named = {Path(p).name for letter in report["letters"]
             for p in (letter["pdf"], letter["txt"], letter["eml"])}
    named |= {Path(report["cover"]).name, Path(report["cover"]).with_suffix(".txt").name}
    assert set(ours(letters)) == named                    # no temp left, no -2 copy
    for letter in report["letters"]:
        assert Path(letter["pdf"]).read_bytes().startswith(b"%PDF")
        assert NAME in Path(letter["txt"]).read_text(encoding="utf-8")
    assert mine(letters) == USER_FILES


# ---- the terminal's part, in process ------------------------------------------------------


def terminal(tmp_path, outputs):
    out = []

    class Out:
        def write(self, text):
            out.append(text)

        def flush(self):
            pass

    chat = TerminalChat(lambda user_id, event: list(outputs), letters_dir=tmp_path / "letters",
                        max_upload_bytes=1000, read_line=lambda prompt: "", out=Out())
    return chat, out


def test_a_repeated_delivery_replaces_its_own_files_and_keeps_the_persons(tmp_path):
    letter = "meta-bipa-demand-RB-20261126-ABCDEFGHIJKLMNOP.pdf"
    cover = "cover-sheet-20261126-0123456789.pdf"
    folder = tmp_path / "letters"
    folder.mkdir()
    (folder / "notes.pdf").write_bytes(b"mine")
    first = [Reply("Read this first"), Document(cover, b"%PDF cover 1"),
             Document(letter, b"%PDF letter 1"), Document("notes.pdf", b"%PDF journey notes"),
             Reply("What next?")]
    again = [Document(cover, b"%PDF cover 2"), Document(letter, b"%PDF letter 2")]
    chat, said = terminal(tmp_path, first)
    chat.feed(Text("make my letters"))
    chat.handle = lambda user_id, event: list(again)
    chat.feed(Text("make my letters"))
    assert tree(folder) == {cover: b"%PDF cover 2", letter: b"%PDF letter 2",
                            "notes.pdf": b"mine", "notes-2.pdf": b"%PDF journey notes"}
    assert "".join(said).count("Saved ") == 5


def test_documents_are_saved_only_once_the_delivery_is_complete(tmp_path):
    folder = tmp_path / "letters"
    seen_by_the_journey = []

    def handle(user_id, event):
        yield Document("cover-sheet-20261126-0123456789.pdf", b"%PDF cover")
        seen_by_the_journey.append(sorted(p.name for p in folder.glob("*.pdf")))
        yield Document("meta-bipa-demand-RB-20261126-ABCDEFGHIJKLMNOP.pdf", b"%PDF letter")
        seen_by_the_journey.append(sorted(p.name for p in folder.glob("*.pdf")))
        yield Reply("What next?")

    chat, _ = terminal(tmp_path, [])
    chat.handle = handle
    chat.feed(Text("make my letters"))
    assert seen_by_the_journey == [[], []]     # nothing in place before the delivery ends
    assert sorted(p.name for p in folder.iterdir()) == [
        "cover-sheet-20261126-0123456789.pdf", "meta-bipa-demand-RB-20261126-ABCDEFGHIJKLMNOP.pdf"]


def test_clean_up_removes_only_rightsbot_temps(tmp_path):
    from bot.files import clean_stale_temps
    folder = tmp_path / "letters"
    for name, data in USER_FILES.items():
        (folder / name).parent.mkdir(parents=True, exist_ok=True)
        (folder / name).write_bytes(data)
    stale = folder / ".tmp-meta-bipa-demand-RB-20261126-ABCDEFGHIJKLMNOP.pdf-0a1b2c3d"
    stale.write_bytes(b"%PDF half of Ann Example's letter")
    unfinished = folder / ".rightsbot-delivery-00112233aabbccdd"     # its writer died
    unfinished.mkdir()
    (unfinished / "letter.pdf").write_bytes(b"%PDF Ann Example")
    assert clean_stale_temps(folder).removed == 2
    assert tree(folder) == USER_FILES
    assert clean_stale_temps(tmp_path / "no-such-folder").removed == 0
