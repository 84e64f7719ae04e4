"""Running `rightsbot serve` as its own process against the Bot API server on 127.0.0.1,
and talking to it as a person: shared by the end-to-end tests."""

from __future__ import annotations

import contextlib
import io
import os
import signal
import subprocess
import sys
from pathlib import Path
from typing import AsyncIterator

from pypdf import PdfReader

from tests.botapi import BotApiServer, SimulatedUser, wait_until

ROOT = Path(__file__).resolve().parents[2]


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


def pdf_text(data: bytes) -> str:
    """A PDF's text, every run of white space made one space (lines break anywhere)."""
    return " ".join(" ".join(p.extract_text() for p in PdfReader(io.BytesIO(data)).pages).split())


def step(person: SimulatedUser, action: str, value: str, until: str, timeout: float = 60) -> str:
    """Send or press, then read replies until one contains ``until`` (in its text, caption,
    file name or button labels); returns all their text."""
    _act(person, action, value)
    seen = []
    while True:
        if _seen(seen, person.wait_for_reply_sync(timeout=timeout), until):
            return "\n".join(seen)


async def step_async(person: SimulatedUser, action: str, value: str, until: str,
                     timeout: float = 60) -> str:
    """:func:`step` for a test that runs the Application in its own event loop."""
    _act(person, action, value)
    seen: list[str] = []
    while True:
        if _seen(seen, await person.wait_for_reply(timeout=timeout), until):
            return "\n".join(seen)


def _act(person: SimulatedUser, action: str, value: str) -> None:
    if action == "text":
        person.send_text(value)
    else:
        person.press(value)


def _seen(seen: list[str], reply, until: str) -> bool:  # noqa: ANN001 - a recorded reply
    seen.append(" ".join([reply.text or reply.caption or reply.filename or ""]
                         + [label for label, _ in reply.buttons]))
    return until in seen[-1]


@contextlib.asynccontextmanager
async def polling(config, journey, token: str, store) -> AsyncIterator:  # noqa: ANN001
    """The real Application for ``journey``, started and polling the Bot API server of
    ``config``; stopped on the way out."""
    from bot.telegram import build_application
    from bot.telegram.app import ALLOWED_UPDATES
    app = build_application(config, journey, token, store=store)
    async with app:
        await app.start()
        await app.updater.start_polling(poll_interval=0, timeout=1,
                                        allowed_updates=ALLOWED_UPDATES)
        try:
            yield app
        finally:
            await app.updater.stop()
            await app.stop()


def descendants(pid: int) -> list[int]:
    """Every process started by ``pid`` and by its children (Linux /proc)."""
    found: list[int] = []
    todo = [pid]
    while todo:
        parent = todo.pop()
        try:
            tasks = os.listdir(f"/proc/{parent}/task")
        except FileNotFoundError:
            continue
        for task in tasks:
            try:
                with open(f"/proc/{parent}/task/{task}/children") as fh:
                    kids = [int(k) for k in fh.read().split()]
            except FileNotFoundError:
                continue
            found += kids
            todo += kids
    return found


def kill_hard(proc: subprocess.Popen) -> None:
    """SIGKILL the bot and everything it started, as a crash or an OOM kill would."""
    family = descendants(proc.pid)
    proc.kill()
    proc.wait(timeout=30)
    for pid in family:
        try:
            os.kill(pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
