"""The real python-telegram-bot Application (long polling, webhook) against the fake Bot API
server on 127.0.0.1, with a scripted journey behind the door."""

from __future__ import annotations

import asyncio
import io
import socket
from dataclasses import dataclass
from datetime import datetime, timezone

import pytest
from PIL import Image
from telegram.ext import Application

from bot.config import Config
from bot.journey import texts
from bot.journey.io import Command, Press, Reply, Text
from bot.telegram import build_application
from bot.telegram.app import ALLOWED_UPDATES
from bot.telegram.commands import SOMETHING_WRONG
from bot.journey.followup import Reminder
from bot.telegram.reminders import send_reminders
from tests.botapi import BotApiServer
from tests.telegram.scripted_journey import PDF, ScriptedJourney


def jpeg(width: int, height: int, shade: int) -> bytes:
    img = Image.new("RGB", (width, height), (shade, 255 - shade, 120))
    out = io.BytesIO()
    img.save(out, "JPEG", quality=90)
    return out.getvalue()


def config_for(server: BotApiServer, tmp_path, **sections) -> Config:
    return Config.defaults(tmp_path).with_overrides(
        telegram={"base_url": server.base_url, "base_file_url": server.base_file_url},
        photos={"max_bytes": 200_000}, **sections)


@dataclass
class Live:
    app: Application
    journey: ScriptedJourney
    server: BotApiServer


@pytest.fixture
async def live(botapi, tmp_path):
    journey = ScriptedJourney()
    app = build_application(config_for(botapi, tmp_path), journey, botapi.token)
    async with app:
        await app.post_init(app)
        await app.start()
        await app.updater.start_polling(poll_interval=0, timeout=1,
                                        allowed_updates=ALLOWED_UPDATES)
        try:
            yield Live(app, journey, botapi)
        finally:
            await app.updater.stop()
            await app.stop()
            await app.post_shutdown(app)


async def test_commands_are_set_at_start_up(live):
    assert [(c["command"], c["description"]) for c in live.server.commands] == \
        list(texts.COMMANDS)


async def test_reply_keyboard_press_and_edit(live):
    alice = live.server.user(1001, "Alice")
    alice.send_text("/start from-a-link")
    welcome = await alice.wait_for_reply()
    assert welcome.text == "welcome from-a-link"
    assert welcome.buttons == [("Yes", "yes"), ("No", "no")]
    alice.press("Yes")
    edited = await alice.wait_for_reply()
    assert edited.edited and edited.message_id == welcome.message_id
    assert edited.text == "pressed yes" and edited.buttons == []
    assert len(alice.callback_answers) == 1
    assert live.journey.received(1001) == [Command("start", "from-a-link"), Press("yes")]


async def test_edit_that_changes_nothing_falls_back_to_a_new_message(live):
    alice = live.server.user(1002)
    alice.send_text("/keyboard")
    first = await alice.wait_for_reply()
    alice.press("Same")
    again = await alice.wait_for_reply()
    assert not again.edited and again.message_id > first.message_id
    assert again.text == "Pick one" and again.buttons == first.buttons
    assert [c.status for c in live.server.calls("editMessageText")] == [400]


async def test_stale_button_is_answered_and_reaches_the_journey(live):
    alice = live.server.user(1003)
    alice.send_text("/start")
    old = await alice.wait_for_reply()
    alice.send_text("/keyboard")
    await alice.wait_for_reply()
    alice.press("no", message_id=old.message_id)      # a button of the older keyboard
    await alice.wait_for_reply()
    assert len(alice.callback_answers) == 1
    assert live.journey.received(1003)[-1] == Press("no")


async def test_typing_then_document_with_bytes(live):
    alice = live.server.user(1004)
    alice.send_text("doc")
    letter = await alice.wait_for_reply()
    assert letter.filename == "letter-ibm.pdf" and letter.data == PDF
    assert letter.caption == "Your letter to IBM"
    assert alice.actions == ["typing"]
    assert alice.events[0].kind == "action"           # typing came first


async def test_oversize_upload_is_refused_without_download(live):
    alice = live.server.user(1005)
    alice.send_document(b"tiny", "huge.jpg", "image/jpeg", file_size=5_000_000)
    reply = await alice.wait_for_reply()
    assert reply.text.startswith("upload size=5000000 data=no photo=False")
    assert live.server.calls("getFile") == [] and live.server.downloads == []


async def test_photo_is_fetched_largest_size_in_memory(live):
    alice = live.server.user(1006)
    alice.send_photo(jpeg(1600, 1200, 10))
    reply = await alice.wait_for_reply()
    assert "data=yes photo=True" in reply.text and "mime=image/jpeg" in reply.text
    (download,) = live.server.downloads
    (update,) = [e for u, e in live.journey.inputs if u == 1006]
    with Image.open(io.BytesIO(update.data)) as img:
        assert max(img.size) == 1280                  # the largest PhotoSize, not a thumbnail
    assert live.server.world.files_by_path[download].data == update.data


async def test_album_items_arrive_in_order_with_their_group(live):
    alice = live.server.user(1007)
    alice.send_album([jpeg(300, 200, s) for s in (10, 90, 170)])
    replies = await alice.wait_for_replies(3)
    groups = {r.text.split("group=")[1].split()[0] for r in replies}
    assert len(groups) == 1 and groups != {"None"}
    sizes = [e.size for e in live.journey.received(1007)]
    assert len(sizes) == 3 and [r.text.split()[1] for r in replies] == [f"size={s}" for s in sizes]


async def test_failure_is_explained_and_the_next_turn_works(live):
    alice = live.server.user(1008)
    alice.send_text("boom Alice Example")
    assert (await alice.wait_for_reply()).text == SOMETHING_WRONG
    alice.send_text("hello")
    assert (await alice.wait_for_reply()).text == "echo hello"


async def test_unsupported_message_kinds(live):
    alice = live.server.user(1009)
    alice.send_voice()
    assert (await alice.wait_for_reply()).text == "unsupported voice"


async def test_one_person_in_order_others_do_not_wait(live):
    alice, bob = live.server.user(2001), live.server.user(2002)
    alice.send_text("wait-for-bob")                   # blocks until bob's turn has run
    for i in range(6):
        alice.send_text(f"n{i}")
    await asyncio.sleep(0.05)
    bob.send_text("bob")
    assert (await bob.wait_for_reply()).text == "bob here"
    replies = [r.text for r in await alice.wait_for_replies(7)]
    assert replies == ["alice saw bob"] + [f"echo n{i}" for i in range(6)]
    assert live.journey.received(2001) == [Text("wait-for-bob")] + [Text(f"n{i}")
                                                                    for i in range(6)]


async def test_429_is_retried_by_the_rate_limiter(live):
    alice = live.server.user(1010)
    live.server.inject_error("sendMessage", 429, retry_after=1)
    alice.send_text("hello")
    assert (await alice.wait_for_reply(timeout=15)).text == "echo hello"
    assert [c.status for c in live.server.calls("sendMessage")] == [429, 200]


async def test_reminders_skip_people_who_blocked_the_bot(live):
    alice, bob = live.server.user(1011), live.server.user(1012)
    bob.block()
    live.journey.reminders = [Reminder(1011, Reply("Your letter to IBM is due today"), "RB-1", "due"),
                              Reminder(1012, Reply("Your letter to Megvii is due today"), "RB-2", "due")]
    door = live.app.bot_data["door"]
    now = datetime(2025, 5, 1, 9, 0, tzinfo=timezone.utc)
    assert await send_reminders(live.app.bot, door, now) == (1, 1)
    assert (await alice.wait_for_reply()).text == "Your letter to IBM is due today"
    assert now.date() in live.journey.reminder_days
    # delivered, or refused for good (blocked): neither is handed out again
    assert await send_reminders(live.app.bot, door, now) == (0, 0)


async def test_a_reminder_that_failed_in_transit_is_not_sent_twice(live):
    """Reminders are recorded when handed out (bot.cases.reminders): a failure in transit
    loses that one, and the next one of the letter's schedule still comes."""
    user = live.server.user(1014)
    live.server.inject_error("sendMessage", 500, times=10)
    live.journey.reminders = [Reminder(1014, Reply("due"), "RB-3", "due")]
    now = datetime(2025, 5, 1, 9, 0, tzinfo=timezone.utc)
    assert await send_reminders(live.app.bot, live.app.bot_data["door"], now) == (0, 1)
    assert await send_reminders(live.app.bot, live.app.bot_data["door"], now) == (0, 0)
    assert user.texts == []
    jobs = {job.name: job for job in live.app.job_queue.jobs()}
    assert set(jobs) == {"daily-reminders", "hourly-reminders"}
    assert jobs["daily-reminders"].next_t.hour == 9


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


async def test_webhook_mode_checks_the_secret_token(botapi, tmp_path):
    journey = ScriptedJourney()
    app = build_application(config_for(botapi, tmp_path), journey, botapi.token)
    port = free_port()
    async with app:
        await app.start()
        await app.updater.start_webhook(
            listen="127.0.0.1", port=port, url_path="tg/hook",
            webhook_url=f"http://127.0.0.1:{port}/tg/hook", secret_token="s3cret-T0ken",
            allowed_updates=ALLOWED_UPDATES)
        try:
            assert botapi.webhook["secret_token"] == "s3cret-T0ken"
            alice = botapi.user(3001)
            alice.send_text("over the hook")
            assert (await alice.wait_for_reply()).text == "echo over the hook"
            forged = {"update_id": 9999, "message": {
                "message_id": 1, "date": 0, "chat": {"id": 3001, "type": "private"},
                "from": {"id": 3001, "is_bot": False, "first_name": "Mallory"},
                "text": "forged"}}
            status = await asyncio.to_thread(botapi.post_to_webhook, forged, secret="wrong")
            assert status == 403
            status = await asyncio.to_thread(botapi.post_to_webhook, forged, secret="")
            assert status == 403
            await asyncio.sleep(0.2)
            assert Text("forged") not in journey.received()
            assert all(code == 200 for _, code in botapi.webhook_log)
        finally:
            await app.updater.stop()
            await app.stop()


async def test_daily_job_expires_idle_people_and_sends_reminders(botapi, tmp_path):
    from bot.storage import Store
    old = datetime(2020, 1, 1, tzinfo=timezone.utc)
    journey = ScriptedJourney()
    alice = botapi.user(5001)
    journey.reminders = [Reminder(5001, Reply("A reply to your letter is due today"), "RB", "due")]
    with Store.open(tmp_path / "storage", retention_days=30, clock=lambda: old) as store:
        store.save_session(777, {"step": "menu"})           # idle since 2020
        app = build_application(config_for(botapi, tmp_path), journey, botapi.token, store=store)
        async with app:
            await app.start()
            try:
                (job,) = [j for j in app.job_queue.jobs() if j.name == "daily-reminders"]
                await job.run(app)                             # what the scheduler does daily
            finally:
                await app.stop()
        assert store.people() == []
    assert (await alice.wait_for_reply()).text == "A reply to your letter is due today"
    assert datetime.now(timezone.utc).date() in journey.reminder_days


async def test_press_is_answered_at_once_even_behind_a_slow_turn(live):
    alice = live.server.user(1013)
    alice.send_text("/start")
    await alice.wait_for_reply()
    alice.send_text("block")                          # a turn that runs until released
    while alice.actions != ["typing"]:
        await asyncio.sleep(0.01)
    alice.press("Yes")
    while not alice.callback_answers:                 # answered while the turn still runs
        await asyncio.sleep(0.01)
    assert "released" not in alice.texts
    live.journey.release.set()
    assert [(await alice.wait_for_reply()).text for _ in range(2)] == ["released", "pressed yes"]
    assert len(alice.callback_answers) == 1


async def test_pictures_by_url_skip_dead_links_and_say_how_many(live):
    alice = live.server.user(1020)
    alice.send_text("album 3")
    replies = [await alice.wait_for_reply(timeout=15) for _ in range(4)]
    photos = [r for r in replies if r.photo is not None]
    assert [p.caption for p in photos] == ["picture 0", "picture 2"]      # the dead one skipped
    texts_seen = [r.text for r in replies if r.text]
    assert texts_seen == [texts.dead_links(1), "shown"]
    assert live.server.calls("sendMediaGroup")[0].status == 400            # tried as an album first


async def test_a_full_album_goes_as_one_media_group(live):
    alice = live.server.user(1021)
    alice.send_text("album 1")
    reply = await alice.wait_for_reply(timeout=15)
    assert reply.photo is not None and reply.caption == "picture 0"
    assert live.server.calls("sendMediaGroup") == []                       # one picture: sendPhoto
