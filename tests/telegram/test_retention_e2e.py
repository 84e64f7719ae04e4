"""The retention notice end to end: the real Application against the Bot API server on
127.0.0.1; the store's clock moved to a week before the person's deletion date; the
notice arrives once, "Keep my records" pressed on it moves the date."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest

from bot.config import Config
from bot.index.demo import build_demo_index
from bot.journey.engine import Journey
from bot.journey.services import Services
from bot.storage import Store
from bot.telegram.reminders import send_retention_notices
from tests.telegram.serving import polling, step_async

pytestmark = pytest.mark.e2e
T0 = datetime(2026, 11, 26, 12, 0, tzinfo=timezone.utc)


class Clock:
    now = T0

    def __call__(self) -> datetime:
        return self.now


async def test_notice_arrives_once_and_keep_moves_the_date(botapi, tmp_path):
    build_demo_index(tmp_path / "index.sqlite")
    config = Config.defaults(tmp_path).with_overrides(
        index={"path": tmp_path / "index.sqlite", "demo": False},
        storage={"retention_days": 30},
        telegram={"base_url": botapi.base_url, "base_file_url": botapi.base_file_url})
    clock = Clock()
    dana = botapi.user(7002, "Dana")
    with Store.open(config.storage.path, retention_days=30, clock=clock) as store:
        journey = Journey(Services.from_config(config), store, today=lambda: clock.now.date())
        async with polling(config, journey, botapi.token, store) as app:
            dana.send_text("/start")
            await dana.wait_for_reply(timeout=30)
            dana.press("I agree, let's start")
            await dana.wait_for_reply(timeout=30)
            door = app.bot_data["door"]
            assert await send_retention_notices(app.bot, door, T0 + timedelta(days=20)) == 0
            now = T0 + timedelta(days=24)
            assert await send_retention_notices(app.bot, door, now) == 1
            notice = await dana.wait_for_reply(timeout=30)
            assert "2026-12-26" in notice.text
            assert [label for label, _ in notice.buttons] == ["Keep my records",
                                                             "Delete everything now"]
            assert await send_retention_notices(app.bot, door, now) == 0     # once
            clock.now = now
            dana.press("Keep my records", message_id=notice.message_id)
            kept = await dana.wait_for_reply(timeout=30)
            assert "Kept. I will delete them on 2027-01-19" in kept.text
            assert store.keep_until(7002) == now + timedelta(days=30)
