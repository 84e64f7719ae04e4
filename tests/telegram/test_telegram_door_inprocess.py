"""The door's translation both ways, in process: updates in, Bot API calls out
(a recording transport, no network)."""

from __future__ import annotations

import logging

import pytest
from telegram import Update

from bot.config import Config
from bot.journey.io import Command, Press, Text, Unsupported, Upload
from bot.telegram import build_application
from bot.telegram.commands import SOMETHING_WRONG
from bot.telegram.inputs import safe_filename, text_to_input
from bot.telegram.outputs import split_text, utf16_len
from tests.telegram.recording_request import RecordingRequest, callback, private_message
from tests.telegram.scripted_journey import PDF, ScriptedJourney


@pytest.fixture
async def door(tmp_path):
    config = Config.defaults(tmp_path).with_overrides(photos={"max_bytes": 50_000})
    journey = ScriptedJourney()
    request = RecordingRequest()
    app = build_application(config, journey, "4242:TEST", request=request)
    async with app:
        yield app, journey, request


async def feed(app, data):
    await app.process_update(Update.de_json(data, app.bot))


@pytest.mark.parametrize("text, expected", [
    ("/start", Command("start", "")),
    ("/start campaign_2024-x", Command("start", "campaign_2024-x")),
    ("/Status", Command("status", "")),
    ("/help@rightsbot_test_bot", Command("help", "")),
    ("/forget  yes please ", Command("forget", "yes please")),
    ("/start@some_other_bot", Text("/start@some_other_bot")),
    ("/not-a-command", Text("/not-a-command")),
    ("hello /start", Text("hello /start")),
    ("https://www.flickr.com/photos/someone/", Text("https://www.flickr.com/photos/someone/")),
])
def test_text_to_input(text, expected):
    assert text_to_input(text, "rightsbot_test_bot") == expected


@pytest.mark.parametrize("name, expected", [
    ("photo.jpg", "photo.jpg"), ("../../etc/passwd", "passwd"), ("C:\\x\\y.png", "y.png"),
    ("a\x00b\u202e.jpg", "ab.jpg"), (".hidden", "hidden"), ("", None), (None, None),
    ("x" * 500, "x" * 200),
])
def test_safe_filename(name, expected):
    assert safe_filename(name) == expected


def test_split_text_respects_utf16_and_boundaries():
    text = ("paragraph one. " * 200).strip() + "\n\n" + "😀 " * 3000
    parts = split_text(text)
    assert all(utf16_len(p) <= 4096 for p in parts)
    assert parts[0].endswith("paragraph one.")
    assert "".join(parts).replace(" ", "").replace("\n", "") == text.replace(" ", "").replace("\n", "")
    assert split_text("short") == ["short"]
    assert split_text("x" * 5000) == ["x" * 4096, "x" * 904]
    assert split_text("   ") == []


async def test_commands_and_deep_links_reach_the_journey(door):
    app, journey, request = door
    await feed(app, private_message(1, 10, text="/start ref_abc",
                                    entities=[{"type": "bot_command", "offset": 0, "length": 6}]))
    assert journey.received(10) == [Command("start", "ref_abc")]
    (sent,) = request.params("sendMessage")
    assert sent["text"] == "welcome ref_abc" and sent["chat_id"] == 10
    assert sent["reply_markup"]["inline_keyboard"][0][0] == {"text": "Yes", "callback_data": "yes"}
    assert "parse_mode" not in sent                  # plain text: no markup injection


async def test_press_is_answered_first_and_edits_the_pressed_message(door):
    app, journey, request = door
    await feed(app, callback(2, 10, "yes", message_id=7))
    assert request.methods() == ["answerCallbackQuery", "editMessageText"]
    assert request.params("editMessageText")[0]["message_id"] == 7
    assert journey.received(10) == [Press("yes")]


async def test_failed_edit_falls_back_to_a_new_message(door):
    app, journey, request = door
    request.fail["editMessageText"] = (400, "Bad Request: message to edit not found")
    await feed(app, callback(3, 10, "next"))
    assert request.methods() == ["answerCallbackQuery", "editMessageText", "sendMessage"]
    assert request.params("sendMessage")[0]["text"] == "pressed next"


async def test_late_callback_answer_does_not_lose_the_press(door):
    app, journey, request = door
    request.fail["answerCallbackQuery"] = (400, "Bad Request: query is too old and response "
                                                "timeout expired or query ID is invalid")
    await feed(app, callback(4, 10, "yes"))
    assert journey.received(10) == [Press("yes")]
    assert request.params("editMessageText")[0]["text"] == "pressed yes"


async def test_oversize_photo_is_refused_without_download(door):
    app, journey, request = door
    await feed(app, private_message(5, 10, photo=[
        {"file_id": "small", "file_unique_id": "s", "width": 90, "height": 60, "file_size": 900},
        {"file_id": "big", "file_unique_id": "b", "width": 1280, "height": 853,
         "file_size": 60_000}]))
    assert journey.received(10) == [Upload(None, 60_000, None, "image/jpeg", True, None)]
    assert "getFile" not in request.methods() and "download" not in request.methods()


async def test_document_is_fetched_into_memory(door):
    app, journey, request = door
    request.files["doc1"] = b"\x89PNG fake"
    await feed(app, private_message(6, 10, document={
        "file_id": "doc1", "file_unique_id": "d", "file_name": "../me.png",
        "mime_type": "image/png", "file_size": 9}))
    assert journey.received(10) == [Upload(b"\x89PNG fake", 9, "me.png", "image/png", False, None)]


async def test_sticker_becomes_unsupported(door):
    app, journey, _ = door
    await feed(app, private_message(7, 10, sticker={
        "file_id": "st", "file_unique_id": "st", "width": 512, "height": 512,
        "is_animated": False, "is_video": False, "type": "regular"}))
    await feed(app, private_message(8, 10, location={"latitude": 1.0, "longitude": 2.0}))
    assert journey.received(10) == [Unsupported("sticker"), Unsupported("location")]


async def test_outputs_typing_document_progress_and_long_text(door):
    app, journey, request = door
    await feed(app, private_message(9, 10, text="doc"))
    assert request.methods() == ["sendChatAction", "sendDocument"]
    assert request.params("sendChatAction")[0]["action"] == "typing"
    document = request.params("sendDocument")[0]
    assert document["caption"] == "Your letter to IBM"
    (upload,) = document["_files"].values()
    assert upload == ("letter-ibm.pdf", PDF)
    request.calls.clear()
    request.results.clear()
    await feed(app, private_message(10, 10, text="progress"))
    assert request.methods() == ["sendMessage", "editMessageText", "sendMessage"]
    first_id = request.results[0][1]["message_id"]
    assert request.params("editMessageText")[0] == {
        "chat_id": 10, "message_id": first_id, "text": "checking 3/3"}
    request.calls.clear()
    await feed(app, private_message(11, 10, text="long"))
    parts = request.params("sendMessage")
    assert len(parts) == 3 and all(len(p["text"]) <= 4096 for p in parts)
    assert [("reply_markup" in p) for p in parts] == [False, False, True]
    request.calls.clear()
    await feed(app, private_message(12, 10, text="longcaption"))
    assert request.methods() == ["sendDocument", "sendMessage"]
    assert "caption" not in request.params("sendDocument")[0]


async def test_error_handler_logs_ids_only_and_tells_the_person(door, caplog):
    app, journey, request = door
    with caplog.at_level(logging.ERROR, logger="bot.telegram.door"):
        await feed(app, private_message(13, 10, text="boom: Jane Doe, 1 Main St"))
    assert request.params("sendMessage")[0]["text"] == SOMETHING_WRONG
    (record,) = [r for r in caplog.records if r.name == "bot.telegram.door"]
    message = record.getMessage()
    assert "update 13 failed: RuntimeError" in message
    assert "_text" in message                       # the frames are there for debugging
    assert "Jane Doe" not in message and "Main St" not in message


async def test_send_failure_still_runs_the_journey_to_its_end(door):
    app, journey, request = door
    request.fail["sendChatAction"] = (403, "Forbidden: bot was blocked by the user")
    await feed(app, private_message(14, 10, text="doc"))
    assert (10, Text("doc")) in journey.finished        # the journey saved its state
    assert "sendDocument" not in request.methods()      # nothing more sent after the failure


async def test_group_commands_get_the_private_only_note(door):
    app, journey, request = door
    user = {"id": 10, "is_bot": False, "first_name": "Ann"}
    await feed(app, {"update_id": 15, "message": {
        "message_id": 3, "date": 0, "from": user, "chat": {"id": -100, "type": "group",
                                                           "title": "g"},
        "text": "/start", "entities": [{"type": "bot_command", "offset": 0, "length": 6}]}})
    assert journey.received() == []
    assert "private chat" in request.params("sendMessage")[0]["text"]


async def test_typing_is_repeated_while_a_slow_step_runs(door, monkeypatch):
    app, journey, request = door
    monkeypatch.setattr("bot.telegram.door.TYPING_REFRESH_SECONDS", 0.2)
    await feed(app, private_message(16, 10, text="sleep"))      # 1.5 s of work after Typing
    methods = request.methods()
    assert methods[-1] == "sendMessage" and methods.count("sendChatAction") >= 3
    assert set(methods[:-1]) == {"sendChatAction"}


async def test_a_turn_runs_in_one_worker_thread(door):
    # thread-bound resources (an SQLite connection, say) stay usable through a turn
    import threading
    app, journey, request = door
    await feed(app, private_message(17, 10, text="threads"))
    first, second = [p["text"] for p in request.params("sendMessage")]
    assert first == second and first != f"thread {threading.get_ident()}"
