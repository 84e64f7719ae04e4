"""/forget against what storage keeps aside, and what the bot never keeps (issue 8, items 12, 13).

A damaged storage file is moved aside as ``<id>.json.corrupt-<stamp>-<hex>`` for the
operator, with the person's name, email and address still in it. /forget must erase it
like every other file of the person, and say that something was deleted. Damaged copies
also expire with the retention period. And the Telegram bot keeps no letters on disk at
all: a delivery leaves no file with the person's data in the bot's folders."""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest

from bot.config import Config
from bot.errors import StorageError
from bot.index import build_demo_index
from bot.journey.engine import Journey
from bot.journey.io import Command, Press, Reply, Text
from bot.journey.services import Services
from bot.storage import Store
from tests.botapi import BotApiServer, SimulatedUser, wait_until

ROOT = Path(__file__).resolve().parents[2]
NAME, EMAIL, STREET = "Zoë Q. Example", "zoe.q@example.org", "77 Hidden Lane"
PERSON = 918273645         # a Telegram id no pid or stamp in the folders can contain


def secrets_of_the_person() -> list[bytes]:
    return [NAME.encode(), EMAIL.encode(), STREET.encode()]


def everything(folder: Path) -> bytes:
    """Every file name and every byte below ``folder`` (hidden files included)."""
    chunks = []
    for path in folder.rglob("*"):
        chunks.append(str(path.relative_to(folder)).encode())
        if path.is_file():
            chunks.append(path.read_bytes())
    return b"\n".join(chunks)


def damage(store: Store, user_id: int) -> Path:
    path = store.people_dir / f"{user_id}.json"
    data = path.read_bytes()
    path.write_bytes(data[:-3])                     # the end lost by a failing disk
    return path


def a_session() -> dict:
    return {"consented": True, "step": "form_email",
            "form": {"name": NAME, "email": EMAIL, "address": [STREET, "Springfield, IL 62701"]}}


# ---- the store ---------------------------------------------------------------------------

def test_forget_after_a_damaged_file_was_set_aside_erases_it(tmp_path):
    with Store.open(tmp_path / "storage") as store:
        store.save_session(PERSON, a_session())
        store.add_case(PERSON, {"due": "2026-12-26", "signer": NAME})
        store.save_session(PERSON + 1, {"name": "Somebody Else"})
        damage(store, PERSON)
        with pytest.raises(StorageError, match="set aside"):
            store.load_session(PERSON)                      # quarantined here
        (aside,) = [p for p in store.people_dir.iterdir() if ".corrupt-" in p.name]
        assert aside.name.startswith(f"{PERSON}.json.corrupt-")
        assert NAME.encode() in aside.read_bytes()          # the premise: the copy has data
        assert store.load_session(PERSON) is None           # the person starts again

        counts = store.forget(PERSON)

        assert counts["files"] == 1 and sum(counts.values()) > 0   # not "nothing was stored"
        left = everything(store.folder)
        for secret in secrets_of_the_person():
            assert secret not in left, secret
        assert store.load_session(PERSON + 1) == {"name": "Somebody Else"}


def test_forget_erases_the_new_file_and_every_damaged_copy(tmp_path):
    with Store.open(tmp_path / "storage") as store:
        for _ in range(2):                                  # damaged twice, started again
            store.save_session(PERSON, a_session())
            damage(store, PERSON)
            with pytest.raises(StorageError):
                store.cases(PERSON)
        store.save_session(PERSON, a_session())
        assert store.forget(PERSON) == {"sessions": 1, "cases": 0, "files": 3}
        assert os.listdir(store.people_dir) == []


def test_forget_of_a_damaged_file_never_read_erases_it(tmp_path):
    folder = tmp_path / "storage"
    with Store.open(folder) as store:
        store.save_session(PERSON, a_session())
        damage(store, PERSON)
    with Store.open(folder) as store:                      # a restart: nobody read it yet
        counts = store.forget(PERSON)
        assert counts["files"] == 1
        for secret in secrets_of_the_person():
            assert secret not in everything(folder), secret


def test_damaged_copies_expire_with_the_retention_period(tmp_path):
    with Store.open(tmp_path / "storage", retention_days=30) as store:
        store.save_session(PERSON, a_session())
        store.save_session(PERSON + 1, a_session())
        for user_id in (PERSON, PERSON + 1):
            damage(store, user_id)
            with pytest.raises(StorageError):
                store.load_session(user_id)
        old, new = sorted(store.people_dir.iterdir())
        long_ago = time.time() - 31 * 86400                  # last written 31 days ago
        os.utime(old, (long_ago, long_ago))
        store.expire(datetime.now(timezone.utc))
        assert sorted(store.people_dir.iterdir()) == [new]  # the recent one is kept
        store.expire(datetime.now(timezone.utc) + timedelta(days=30, minutes=1))
        assert os.listdir(store.people_dir) == []


# ---- the journey: /forget after the damage -----------------------------------------------

@pytest.fixture(scope="module")
def demo_index(tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("forget-index") / "index.sqlite"
    build_demo_index(path)
    return path


def test_forget_in_the_journey_after_a_damaged_file_erases_the_copy(tmp_path, demo_index):
    """The journey used to answer this /forget (no consent, no case left) with "Deleted:
    nothing was stored" without asking the store, and the copy set aside stayed."""
    index = tmp_path / "index.sqlite"
    shutil.copyfile(demo_index, index)
    config = Config.defaults(base=tmp_path).with_overrides(index={"path": index, "demo": False})
    with Store.from_config(config) as store:
        journey = Journey(Services.from_config(config), store)

        def send(event):
            return list(journey.handle(PERSON, event))

        def press(outputs, label):
            (data,) = [b.data for o in outputs if isinstance(o, Reply)
                       for row in o.buttons for b in row if label in b.label]
            return send(Press(data))

        out = press(send(Command("start")), "I agree")
        out = press(out, "Flickr photo links")
        out = press(send(Text("1808093328")), "Write letters")
        out = press(press(out, "I appear in them"), "Illinois")
        out = press(out, "Same as where I live")
        send(Text(NAME))
        send(Text(f"{STREET}, Springfield, IL 62701"))
        send(Text(EMAIL))
        assert all(s in everything(store.folder) for s in secrets_of_the_person())
        damage(store, PERSON)
        restart = " ".join(o.text for o in send(Text("hello")) if isinstance(o, Reply))
        assert "I agree" in restart or "agree" in restart.lower()   # set aside: starts afresh
        assert all(s in everything(store.folder) for s in secrets_of_the_person())  # aside
        said = " ".join(o.text for o in send(Command("forget")) if isinstance(o, Reply))
        for secret in secrets_of_the_person():
            assert secret not in everything(store.folder), secret
        assert "nothing was stored" not in said


def test_forget_as_the_first_message_after_the_damage_erases_the_copy(tmp_path, demo_index):
    folder = tmp_path / "storage"
    with Store.open(folder) as store:
        store.save_session(PERSON, a_session())
        damage(store, PERSON)
        shutil.copyfile(demo_index, tmp_path / "index.sqlite")
        config = Config.defaults(base=tmp_path).with_overrides(
            index={"path": tmp_path / "index.sqlite", "demo": False})
        journey = Journey(Services.from_config(config), store)
        said = " ".join(o.text for o in journey.handle(PERSON, Command("forget"))
                        if isinstance(o, Reply))
        assert "Deleted" in said and "nothing was stored" not in said
        for secret in secrets_of_the_person():
            assert secret not in everything(folder), secret


# ---- the Telegram bot keeps no letters on disk -------------------------------------------

def write_config(server: BotApiServer, folder: Path, index: Path) -> Path:
    config = folder / "config.toml"
    config.write_text(
        f'[index]\npath = "{index}"\ndemo = false\n'
        f'[storage]\npath = "{folder / "storage"}"\n'
        f'[letters]\noutput_dir = "{folder / "letters"}"\n'
        f'[telegram]\nbase_url = "{server.base_url}"\nbase_file_url = "{server.base_file_url}"\n')
    return config


def step(person: SimulatedUser, action: str, value: str, until: str) -> str:
    if action == "text":
        person.send_text(value)
    else:
        person.press(value)
    seen = []
    while True:
        reply = person.wait_for_reply_sync(timeout=120)
        seen.append(" ".join([reply.text or reply.caption or reply.filename or ""]
                             + [label for label, _ in reply.buttons]))
        if until in seen[-1]:
            return "\n".join(seen)


@pytest.mark.e2e
def test_a_telegram_delivery_leaves_no_letter_in_the_bots_folders(tmp_path, demo_index):
    """`rightsbot serve` hands letters over as messages only: nothing of them is written to
    the letters folder, the storage folder, the temp folder or the working folder; the
    storage keeps the person's form (in their one file) and the case, which /forget erases."""
    index, work = tmp_path / "index.sqlite", tmp_path / "cwd"
    # the bot's TMPDIR: short, as multiprocessing puts AF_UNIX sockets there (108 bytes)
    temp = Path(tempfile.mkdtemp(prefix="rb-"))
    shutil.copyfile(demo_index, index)
    work.mkdir()
    with BotApiServer() as server:
        config = write_config(server, tmp_path, index)
        env = {k: v for k, v in os.environ.items() if k != "FLICKR_API_KEY"}
        env.update(TELEGRAM_BOT_TOKEN=server.token, TMPDIR=str(temp), PYTHONPATH=str(ROOT))
        log = tmp_path / "bot.log"
        with log.open("w") as out:
            proc = subprocess.Popen([sys.executable, "-m", "bot", "serve", "--config",
                                     str(config)], cwd=work, env=env, stdout=out,
                                    stderr=subprocess.STDOUT)
        try:
            assert wait_until(lambda: server.calls("getUpdates") or proc.poll() is not None,
                              timeout=120), log.read_text()
            zoe = server.user(PERSON, "Zoe")
            step(zoe, "text", "/start", "I agree")
            step(zoe, "press", "I agree, let's start", "How would you like to check?")
            step(zoe, "press", "Flickr photo links", "Send one or more Flickr photo links")
            step(zoe, "text", "1808093328", "Write letters")
            step(zoe, "press", "Write letters", "I appear in them")
            step(zoe, "press", "I appear in them", "Illinois")
            step(zoe, "press", "Illinois", "Same as where I live")
            step(zoe, "press", "Same as where I live now", "full name")
            step(zoe, "text", NAME, "postal address")
            step(zoe, "text", f"{STREET}\nSpringfield, IL 62701", "email address")
            step(zoe, "text", EMAIL, "How do you want to sign?")
            step(zoe, "press", "Typed signature", "Done")
            step(zoe, "press", "Done", "Preserve")
            step(zoe, "press", "Preserve until resolved, then destroy", "Make my letters")
            zoe.press("Make my letters")
            while True:            # the documents, then the next question (with buttons)
                reply = zoe.wait_for_reply_sync(timeout=120)
                if zoe.documents and reply.buttons and not reply.filename:
                    break
            documents = [d.data for d in zoe.documents]
            assert len(documents) >= 3 and all(documents)     # cover sheet and letters

            def holding(folder: Path) -> list[str]:
                """Files below ``folder`` with a handed-over file or the person's details."""
                found = []
                for path in folder.rglob("*"):
                    if path.is_file():
                        data = path.read_bytes()
                        if any(doc in data for doc in documents) or any(
                                s in data for s in secrets_of_the_person()):
                            found.append(str(path.relative_to(folder)))
                return found

            assert not (tmp_path / "letters").exists()
            assert holding(temp) == [] and holding(work) == []
            # the storage keeps the form in the person's own file, never a letter
            assert holding(tmp_path / "storage") == [f"people/{PERSON}.json"]
            stored = (tmp_path / "storage" / "people" / f"{PERSON}.json").read_bytes()
            assert not any(doc[:64] in stored for doc in documents)

            step(zoe, "text", "/forget", "Yes, delete everything")
            step(zoe, "press", "Yes, delete everything", "Deleted")
            for folder in (tmp_path / "storage", temp, work):
                assert holding(folder) == [], folder
                assert str(PERSON).encode() not in everything(folder)
        finally:
            if proc.poll() is None:
                proc.send_signal(signal.SIGTERM)
                proc.wait(timeout=60)
            shutil.rmtree(temp, ignore_errors=True)
