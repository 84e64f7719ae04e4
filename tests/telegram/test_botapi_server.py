"""The fake Bot API server answers python-telegram-bot's real ``Bot`` like Telegram does."""

from __future__ import annotations

import asyncio
import io
import json

import httpx
import pytest
from aiohttp import web
from PIL import Image
from telegram import (Bot, BotCommand, InlineKeyboardButton, InlineKeyboardMarkup,
                      InputMediaDocument)
from telegram.error import BadRequest, Conflict, Forbidden, InvalidToken, RetryAfter

from tests.botapi import SECRET_HEADER, BotApiServer, NoReply


def jpeg(width: int = 2000, height: int = 1500, *, exif: bool = False) -> bytes:
    img = Image.new("RGB", (width, height))
    for x in range(0, width, 50):          # some structure so JPEG sizes differ
        img.paste((x % 255, (x * 3) % 255, 90), (x, 0, x + 25, height))
    out = io.BytesIO()
    if exif:
        info = Image.Exif()
        info[0x010F] = "CameraMaker"
        img.save(out, "JPEG", quality=95, exif=info)
    else:
        img.save(out, "JPEG", quality=95)
    return out.getvalue()


@pytest.fixture
async def bot(botapi: BotApiServer):
    async with Bot(botapi.token, base_url=botapi.base_url,
                   base_file_url=botapi.base_file_url) as b:
        yield b


def keyboard(*pairs: tuple[str, str]) -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup([[InlineKeyboardButton(label, callback_data=data)]
                                 for label, data in pairs])


async def test_get_me_looks_like_telegram(bot):
    me = await bot.get_me()
    assert me.is_bot and me.username == "rightsbot_test_bot" and me.id == 123456789
    assert me.can_join_groups is True and me.supports_inline_queries is False


async def test_wrong_token_is_unauthorized(botapi):
    other = Bot("999:wrong", base_url=botapi.base_url)
    with pytest.raises(InvalidToken):
        await other.initialize()
    await other.shutdown()


async def test_updates_offset_confirms_and_long_poll_wakes(bot, botapi):
    alice = botapi.user(1001, "Alice")
    first = alice.send_text("/start campaign-1")
    second = alice.send_text("hello")
    updates = await bot.get_updates(timeout=0)
    assert [u.update_id for u in updates] == [first, second]
    message = updates[0].message
    assert message.text == "/start campaign-1" and message.chat.type == "private"
    assert message.entities[0].type == "bot_command" and message.entities[0].length == 6
    assert message.date.year >= 2024                      # seconds, not milliseconds
    # not confirmed yet: delivered again
    assert [u.update_id for u in await bot.get_updates(timeout=0)] == [first, second]
    # offset confirms
    assert await bot.get_updates(offset=second + 1, timeout=0) == ()
    assert botapi.pending_updates() == 0
    assert botapi.deliveries() == {first: 2, second: 2}
    # a long poll is woken by a new update
    poll = asyncio.create_task(bot.get_updates(offset=second + 1, timeout=20))
    await asyncio.sleep(0.1)
    third = alice.send_text("later")
    assert [u.update_id for u in await asyncio.wait_for(poll, 15)] == [third]


async def test_negative_offset_and_allowed_updates(bot, botapi):
    alice = botapi.user(1002)
    ids = [alice.send_text(f"m{i}") for i in range(3)]
    assert [u.update_id for u in await bot.get_updates(offset=-1, timeout=0)] == [ids[-1]]
    await bot.get_updates(offset=ids[-1] + 1, timeout=0)
    await bot.send_message(1002, "pick", reply_markup=keyboard(("A", "a")))
    alice.send_text("ignored kind")
    press = alice.press("A")
    updates = await bot.get_updates(timeout=0, allowed_updates=["callback_query"])
    assert [u.update_id for u in updates] == [press]


async def test_second_poll_terminates_the_first(bot, botapi):
    first = asyncio.create_task(bot.get_updates(timeout=20))
    while not botapi.calls("getUpdates"):          # the first poll is waiting in the server
        await asyncio.sleep(0.01)
    async with httpx.AsyncClient() as client:      # a second bot process, say
        second = await client.get(f"{botapi.base_url}{botapi.token}/getUpdates",
                                  params={"timeout": "0"})
    assert second.json() == {"ok": True, "result": []}
    with pytest.raises(Conflict, match="(?i)terminated by other getUpdates"):
        await asyncio.wait_for(first, 15)


async def test_send_message_validation(bot, botapi):
    botapi.user(1003)
    with pytest.raises(BadRequest, match="(?i)message text is empty"):
        await bot.send_message(1003, "   ")
    with pytest.raises(BadRequest, match="(?i)message is too long"):
        await bot.send_message(1003, "x" * 4097)
    with pytest.raises(BadRequest, match="(?i)message is too long"):
        await bot.send_message(1003, "😀" * 2049)          # 4098 UTF-16 code units
    with pytest.raises(BadRequest, match="(?i)BUTTON_DATA_INVALID"):
        await bot.send_message(1003, "hi", reply_markup=keyboard(("A", "x" * 65)))
    with pytest.raises(BadRequest, match="(?i)chat not found"):
        await bot.send_message(555, "nobody here")
    sent = await bot.send_message(1003, "x" * 4096)
    assert sent.text == "x" * 4096
    assert [c.status for c in botapi.calls("sendMessage")] == [400, 400, 400, 400, 400, 200]


async def test_message_ids_increase_per_chat_and_actions_are_recorded(bot, botapi):
    alice, bob = botapi.user(1, "A"), botapi.user(2, "B")
    alice.send_text("hi")
    a1 = await bot.send_message(1, "one")
    a2 = await bot.send_message(1, "two")
    b1 = await bot.send_message(2, "one")
    assert (a1.message_id, a2.message_id, b1.message_id) == (2, 3, 1)
    assert await bot.send_chat_action(1, "typing") is True
    with pytest.raises(BadRequest):
        await bot.send_chat_action(1, "dancing")
    assert alice.actions == ["typing"] and bob.actions == []
    assert [m.text for m in await alice.wait_for_replies(2)] == ["one", "two"]
    with pytest.raises(NoReply):
        await alice.wait_for_reply(timeout=0.2)


async def test_press_answer_and_edit(bot, botapi):
    alice = botapi.user(1004, "Alice")
    old = await bot.send_message(1004, "Consent?", reply_markup=keyboard(("Yes", "consent:yes"),
                                                                       ("No", "consent:no")))
    alice.press("Yes")
    (update,) = await bot.get_updates(timeout=0)
    query = update.callback_query
    assert query.data == "consent:yes" and query.chat_instance
    assert query.message.message_id == old.message_id and query.from_user.id == 1004
    assert await query.answer() is True
    with pytest.raises(BadRequest, match="(?i)query is too old"):
        await query.answer()
    edited = await bot.edit_message_text("Thanks", chat_id=1004, message_id=old.message_id)
    assert edited.text == "Thanks" and edited.edit_date is not None
    with pytest.raises(BadRequest, match="(?i)message is not modified"):
        await bot.edit_message_text("Thanks", chat_id=1004, message_id=old.message_id)
    with pytest.raises(BadRequest, match="(?i)message to edit not found"):
        await bot.edit_message_text("x", chat_id=1004, message_id=999)
    await bot.edit_message_reply_markup(1004, old.message_id,
                                        reply_markup=keyboard(("Undo", "undo")))
    assert alice.messages[-1].buttons == [("Undo", "undo")]
    assert alice.callback_answers[0]["callback_query_id"] == query.id
    # a stale button on an older keyboard can still be pressed by the person
    await bot.send_message(1004, "newer", reply_markup=keyboard(("Go", "go")))
    alice.press("undo", message_id=old.message_id)
    (stale,) = await bot.get_updates(offset=update.update_id + 1, timeout=0)
    assert stale.callback_query.data == "undo"
    with pytest.raises(LookupError, match="(?i)no button"):
        alice.press("Missing")


async def test_documents_and_media_groups_keep_bytes(bot, botapi):
    alice = botapi.user(1005)
    pdf = b"%PDF-1.7\n" + bytes(range(256)) * 100
    message = await bot.send_document(1005, pdf, filename="letter-ibm.pdf", caption="Your letter")
    assert message.document.file_name == "letter-ibm.pdf" and message.caption == "Your letter"
    with pytest.raises(BadRequest, match="(?i)caption is too long"):
        await bot.send_document(1005, pdf, filename="x.pdf", caption="c" * 1025)
    group = await bot.send_media_group(1005, [
        InputMediaDocument(b"one", filename="a.pdf"), InputMediaDocument(b"two", filename="b.pdf")])
    assert len({m.media_group_id for m in group}) == 1
    assert [(d.filename, d.data) for d in alice.documents] == [
        ("letter-ibm.pdf", pdf), ("a.pdf", b"one"), ("b.pdf", b"two")]
    file = await bot.get_file(message.document.file_id)
    assert bytes(await file.download_as_bytearray()) == pdf


async def test_photos_come_in_sizes_largest_last_recompressed(bot, botapi):
    alice = botapi.user(1006)
    original = jpeg(3000, 2000, exif=True)
    alice.send_photo(original, caption="me")
    (update,) = await bot.get_updates(timeout=0)
    sizes = update.message.photo
    assert len(sizes) >= 3
    assert [s.width for s in sizes] == sorted(s.width for s in sizes)
    largest = sizes[-1]
    assert max(largest.width, largest.height) == 1280
    data = bytes(await (await bot.get_file(largest.file_id)).download_as_bytearray())
    assert len(data) == largest.file_size and data != original
    with Image.open(io.BytesIO(data)) as img:
        assert img.format == "JPEG" and img.size == (largest.width, largest.height)
        assert not img.getexif()
    assert botapi.downloads == [f"photos/file_{len(sizes)}.jpg"]


async def test_documents_from_people_and_the_download_cap(bot, botapi):
    alice = botapi.user(1007)
    alice.send_document(b"\x89PNG\r\n", "../../etc/passwd.png", "image/png")
    alice.send_document(b"small", "huge.jpg", "image/jpeg", file_size=25 * 1024 * 1024)
    small, huge = await bot.get_updates(timeout=0)
    assert small.message.document.file_name == "../../etc/passwd.png"
    assert huge.message.document.file_size == 25 * 1024 * 1024
    with pytest.raises(BadRequest, match="(?i)file is too big"):
        await bot.get_file(huge.message.document.file_id)
    with pytest.raises(BadRequest, match="(?i)invalid file_id"):
        await bot.get_file("nope")


async def test_unsupported_kinds_and_albums_are_delivered(bot, botapi):
    alice = botapi.user(1008)
    alice.send_sticker()
    alice.send_voice()
    alice.send_location()
    alice.send_album([jpeg(400, 300), jpeg(300, 400)])
    sticker, voice, location, p1, p2 = await bot.get_updates(timeout=0)
    assert sticker.message.sticker and voice.message.voice and location.message.location
    assert p1.message.media_group_id == p2.message.media_group_id is not None


async def test_commands(bot, botapi):
    await bot.set_my_commands([BotCommand("start", "Begin"), BotCommand("forget", "Delete me")])
    assert [c.command for c in await bot.get_my_commands()] == ["start", "forget"]
    assert botapi.commands == [{"command": "start", "description": "Begin"},
                               {"command": "forget", "description": "Delete me"}]
    with pytest.raises(BadRequest, match="(?i)BOT_COMMAND_INVALID"):
        await bot.set_my_commands([BotCommand("Bad-Name", "x")])
    assert await bot.close() is True and await bot.log_out() is True


async def test_injected_429_and_blocked_user(bot, botapi):
    alice = botapi.user(1009)
    botapi.inject_error("sendMessage", 429, retry_after=3)
    with pytest.raises(RetryAfter) as caught:
        await bot.send_message(1009, "hi")
    assert "Retry in 3" in str(caught.value)
    assert (await bot.send_message(1009, "hi")).text == "hi"
    alice.block()
    with pytest.raises(Forbidden, match="(?i)blocked"):
        await bot.send_message(1009, "still there?")


async def test_raw_http_get_json_and_unknown_method(botapi):
    async with httpx.AsyncClient() as client:
        got = await client.get(f"{botapi.base_url}{botapi.token}/getMe")
        assert got.json()["result"]["is_bot"] is True
        botapi.user(77)
        posted = await client.post(f"{botapi.base_url}{botapi.token}/sendMessage",
                                   json={"chat_id": 77, "text": "json body",
                                         "reply_markup": {"inline_keyboard": [
                                             [{"text": "A", "callback_data": "a"}]]}})
        assert posted.json()["result"]["reply_markup"]["inline_keyboard"][0][0]["text"] == "A"
        query = await client.get(f"{botapi.base_url}{botapi.token}/sendMessage",
                                 params={"chat_id": "77", "text": "query"})
        assert query.json()["ok"] is True
        missing = await client.get(f"{botapi.base_url}{botapi.token}/noSuchMethod")
        assert missing.status_code == 404 and missing.json()["ok"] is False
        bad = await client.get(f"{botapi.base_url}{botapi.token}/sendMessage",
                               params={"chat_id": "77"})
        assert bad.status_code == 400 and bad.json() == {
            "ok": False, "error_code": 400, "description": "Bad Request: message text is empty"}


async def test_webhook_delivery_with_secret_token(bot, botapi):
    received: list[tuple[str | None, dict]] = []

    async def hook(request: web.Request) -> web.Response:
        received.append((request.headers.get(SECRET_HEADER), await request.json()))
        return web.Response()

    app = web.Application()
    app.router.add_post("/hook", hook)
    runner = web.AppRunner(app)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    port = runner.addresses[0][1]
    try:
        assert await bot.set_webhook(f"http://127.0.0.1:{port}/hook", secret_token="s3cret_-X")
        assert botapi.webhook["secret_token"] == "s3cret_-X"
        with pytest.raises(Conflict, match="(?i)webhook is active"):
            await bot.get_updates(timeout=0)
        update_id = botapi.user(1010).send_text("via webhook")
        for _ in range(200):
            if received:
                break
            await asyncio.sleep(0.02)
        assert received[0][0] == "s3cret_-X"
        assert received[0][1]["update_id"] == update_id
        assert received[0][1]["message"]["text"] == "via webhook"
        status = await asyncio.to_thread(botapi.post_to_webhook, {"update_id": 99}, secret="no")
        assert status == 200 and received[-1][0] == "no"       # this hook does not check
        assert (await bot.get_webhook_info()).url.endswith("/hook")
        assert await bot.delete_webhook()
        assert await bot.get_updates(timeout=0) == ()
    finally:
        await runner.cleanup()


def test_sync_use_from_threads():
    with BotApiServer() as server:
        alice = server.user(5)
        with httpx.Client() as client:
            client.post(f"{server.base_url}{server.token}/sendMessage",
                        data={"chat_id": "5", "text": "from a thread",
                              "reply_markup": json.dumps({"inline_keyboard": []})})
        assert alice.wait_for_reply_sync(timeout=5).text == "from a thread"
