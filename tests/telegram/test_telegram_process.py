"""The door in its own process: SIGTERM finishes the turn in progress, and a restart
loses and repeats nothing (long polling with offsets, no dropped pending updates).
Also `rightsbot serve`'s start-up checks."""

from __future__ import annotations

import signal
import subprocess
import sys
from pathlib import Path

import pytest

from bot.cli import main as cli_main
from tests.botapi import BotApiServer, wait_until

ROOT = Path(__file__).resolve().parents[2]
pytestmark = pytest.mark.e2e


def start_bot(server: BotApiServer) -> subprocess.Popen:
    before = len(server.calls("getUpdates"))
    proc = subprocess.Popen(
        [sys.executable, "-m", "tests.telegram.run_scripted_bot", "--base-url", server.base_url,
         "--file-url", server.base_file_url, "--token", server.token],
        cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    assert wait_until(lambda: len(server.calls("getUpdates")) > before or proc.poll() is not None,
                      timeout=60)
    assert proc.poll() is None, proc.communicate()
    return proc


def stop_bot(proc: subprocess.Popen) -> str:
    proc.send_signal(signal.SIGTERM)
    out, err = proc.communicate(timeout=60)
    assert proc.returncode == 0, err
    return out


def test_sigterm_mid_turn_and_restart_lose_nothing(botapi):
    alice = botapi.user(4001)
    proc = start_bot(botapi)
    try:
        first = alice.send_text("n1")
        assert alice.wait_for_reply_sync(timeout=30).text == "echo n1"
        alice.send_text("sleep")                       # a slow turn ...
        assert wait_until(lambda: alice.actions == ["typing"], timeout=30)
        out = stop_bot(proc)                           # ... is finished before the exit
        assert "STOPPED" in out
        assert alice.wait_for_reply_sync(timeout=5).text == "slept"
        alice.send_text("n2")                          # sent while the bot is down
        proc = start_bot(botapi)
        assert alice.wait_for_reply_sync(timeout=30).text == "echo n2"
        assert alice.texts == ["echo n1", "slept", "echo n2"]
        assert botapi.deliveries()[first] == 1
        assert set(botapi.deliveries().values()) == {1}
    finally:
        if proc.poll() is None:
            stop_bot(proc)


def test_serve_without_token_points_to_the_terminal_chat(monkeypatch, capsys):
    monkeypatch.delenv("TELEGRAM_BOT_TOKEN", raising=False)
    assert cli_main(["serve"]) == 1
    err = capsys.readouterr().err
    assert "TELEGRAM_BOT_TOKEN is not set" in err and "rightsbot chat" in err


def test_serve_rejects_a_malformed_token(monkeypatch, capsys):
    monkeypatch.setenv("TELEGRAM_BOT_TOKEN", "not a token")
    assert cli_main(["serve"]) == 1
    assert "does not look like a bot token" in capsys.readouterr().err


@pytest.mark.parametrize("argv, env, words", [
    (["serve", "--webhook"], {"TELEGRAM_WEBHOOK_SECRET": "abc"}, "needs a public URL"),
    (["serve", "--webhook", "--webhook-url", "https://bot.example.org/hook"], {},
     "needs TELEGRAM_WEBHOOK_SECRET"),
    (["serve", "--webhook", "--webhook-url", "https://bot.example.org/hook"],
     {"TELEGRAM_WEBHOOK_SECRET": "has spaces!"}, "may only hold"),
    (["serve", "--webhook", "--webhook-url", "ftp://x"], {"TELEGRAM_WEBHOOK_SECRET": "abc"},
     "must be an https"),
    # Telegram itself only posts to https; plain http only with a Bot API server on this machine
    (["serve", "--webhook", "--webhook-url", "http://bot.example.org/hook"],
     {"TELEGRAM_WEBHOOK_SECRET": "abc"}, "must be an https"),
])
def test_serve_webhook_settings_are_checked(monkeypatch, capsys, argv, env, words):
    monkeypatch.setenv("TELEGRAM_BOT_TOKEN", "123456:" + "A" * 30)
    monkeypatch.delenv("TELEGRAM_WEBHOOK_SECRET", raising=False)
    for key, value in env.items():
        monkeypatch.setenv(key, value)
    assert cli_main(argv) == 1
    assert words in capsys.readouterr().err


def test_webhook_settings_prefer_the_command_line(tmp_path):
    from bot.config import Config
    from bot.telegram import webhook_settings
    config = Config.defaults(tmp_path).with_overrides(telegram={
        "webhook_url": "https://a.example/x", "webhook_port": 8443})
    settings = webhook_settings(config, url="https://b.example/tg/hook", listen="0.0.0.0",
                                port=9000, secret="s_1")
    assert (settings.url, settings.listen, settings.port, settings.path) == (
        "https://b.example/tg/hook", "0.0.0.0", 9000, "tg/hook")
    assert webhook_settings(config, url=None, listen=None, port=None, secret="s").port == 8443
    local = config.with_overrides(telegram={"base_url": "http://127.0.0.1:8081/bot"})
    assert webhook_settings(local, url="http://127.0.0.1:9000/hook", listen=None, port=None,
                            secret="s").url == "http://127.0.0.1:9000/hook"
