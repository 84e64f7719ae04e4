"""`rightsbot serve` at [logging] level = "DEBUG": the log has the bot's own debug lines,
but never the person's name, address or email, nor the bot token. (python-telegram-bot
logs every update and every API call with its parameters at DEBUG, and the API URL with
the token, so its loggers are held at INFO.)"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from pathlib import Path

import pytest

from tests.botapi import BotApiServer, SimulatedUser, wait_until

ROOT = Path(__file__).resolve().parents[2]
NAME = "Zelda Q. Lognotice"
STREET = "77 Quietlog Lane"
EMAIL = "zelda.lognotice@example.org"
pytestmark = pytest.mark.e2e


def until(person: SimulatedUser, action: str, value: str, text: str) -> None:
    person.send_text(value) if action == "text" else person.press(value)
    while True:
        reply = person.wait_for_reply_sync(timeout=60)
        if text in " ".join([reply.text or ""] + [label for label, _ in reply.buttons]):
            return


def test_debug_log_has_no_personal_data_and_no_token(botapi: BotApiServer, tmp_path):
    config = tmp_path / "config.toml"
    config.write_text(
        f'[index]\npath = "{tmp_path / "index.sqlite"}"\n'
        f'[storage]\npath = "{tmp_path / "storage"}"\n'
        f'[telegram]\nbase_url = "{botapi.base_url}"\nbase_file_url = "{botapi.base_file_url}"\n'
        '[logging]\nlevel = "DEBUG"\n')
    env = {k: v for k, v in os.environ.items() if k != "FLICKR_API_KEY"}
    env["TELEGRAM_BOT_TOKEN"] = botapi.token
    log = tmp_path / "bot.log"
    proc = subprocess.Popen([sys.executable, "-m", "bot", "serve", "--config", str(config)],
                            cwd=ROOT, env=env, stdout=log.open("w"), stderr=subprocess.STDOUT)
    try:
        assert wait_until(lambda: botapi.calls("getUpdates") or proc.poll() is not None,
                          timeout=120), log.read_text()
        person = botapi.user(7001, "Zelda")
        until(person, "text", "/start", "I agree")
        until(person, "press", "I agree, let's start", "How would you like to check?")
        until(person, "press", "Flickr photo links", "Send one or more Flickr photo links")
        until(person, "text", "1808093328", "Write letters")
        until(person, "press", "Write letters", "who appears in these photos?")
        until(person, "press", "I appear in them", "Where do you live?")
        until(person, "press", "Illinois", "Where did you")
        until(person, "press", "Same as where I live now", "full name")
        until(person, "text", NAME, "postal address")
        until(person, "text", f"{STREET}\nSpringfield, IL 62701\nUSA", "email address")
        until(person, "text", EMAIL, "How do you want to sign?")
    finally:
        proc.send_signal(signal.SIGTERM)
        proc.wait(timeout=60)
    text = log.read_text()
    assert "DEBUG bot." in text                      # debug logging was really on
    for secret in (NAME, "Zelda", STREET, "Quietlog", EMAIL, botapi.token,
                   botapi.token.split(":")[1]):
        assert secret not in text, secret
