"""The retention notice in the conversation: sent once with "Keep" and "Delete everything
now"; pressing either works whatever step the person is in."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest

from bot.journey.engine import Journey
from bot.journey.io import Reply
from bot.storage import Store
from tests.journey.chatting import TODAY, Chat, said, step_now

T0 = datetime(2026, 11, 26, 12, 0, tzinfo=timezone.utc)


class Clock:
    now = T0

    def __call__(self) -> datetime:
        return self.now


@pytest.fixture
def clock():
    return Clock()


@pytest.fixture
def chat(services, config, clock):
    with Store.open(config.storage.path, retention_days=services.retention_days,
                    clock=clock) as store:
        yield Chat(Journey(services, store, today=lambda: TODAY))


def test_the_notice_keeps_the_records_once_pressed(chat, clock):
    journey, days = chat.journey, chat.journey.services.retention_days
    chat.start()
    chat.press("My Flickr account")
    deletion = T0 + timedelta(days=days)
    assert journey.retention_notices(T0 + timedelta(days=days - 8)) == []
    [(user_id, [notice])] = journey.retention_notices(T0 + timedelta(days=days - 6))
    assert user_id == chat.user_id and isinstance(notice, Reply)
    assert deletion.date().isoformat() in notice.text and "/forget" in notice.text
    assert journey.retention_notices(T0 + timedelta(days=days - 5)) == []     # once
    chat.buttons = {b.label: b.data for row in notice.buttons for b in row}
    clock.now = T0 + timedelta(days=days - 2)
    out = chat.press("Keep my records")
    kept = clock.now + timedelta(days=days)
    assert f"Kept. I will delete them on {kept.date().isoformat()}" in said(out)
    assert "Flickr" in said(out)                       # back to the question they were on
    assert journey.store.keep_until(chat.user_id) == kept
    assert journey.store.expire(deletion) == 0


def test_delete_everything_now_asks_to_confirm_and_erases(chat):
    journey, days = chat.journey, chat.journey.services.retention_days
    chat.start()
    [(_, [notice])] = journey.retention_notices(T0 + timedelta(days=days - 3))
    chat.buttons = {b.label: b.data for row in notice.buttons for b in row}
    chat.press("Delete everything now")
    assert step_now(chat) == "confirm_forget"
    yes = [label for label in chat.buttons if "delete" in label.lower()]
    chat.press(yes[0])
    assert journey.store.people() == []
