"""One person flooding the bot cannot hold back everyone else (issue 8, item 17).

The real Application (long polling) against the fake Bot API server: Mallory sends more
updates than there are concurrency slots, her first turn hangs in the journey, and Bob
sends one message. Bob is answered while Mallory's flood is still being processed; her
turns then run one at a time, in the order she sent them."""

from __future__ import annotations

import threading
from collections import defaultdict
from typing import Iterator

from telegram.ext import AIORateLimiter

from bot.config import Config
from bot.journey.io import Input, Output, Reply, Text
from bot.telegram import build_application
from bot.telegram.app import ALLOWED_UPDATES, CONCURRENT_UPDATES

MALLORY, BOB = 7001, 7002
FLOOD = CONCURRENT_UPDATES + 60          # more updates than the bot has slots


class FloodJourney:
    """Echoes each text; Mallory's first turn waits until the test lets it go."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.release = threading.Event()
        self.started: dict[int, list[str]] = defaultdict(list)
        self.finished: dict[int, list[str]] = defaultdict(list)
        self.running: dict[int, int] = defaultdict(int)
        self.most_at_once: dict[int, int] = defaultdict(int)

    def handle(self, user_id: int, event: Input) -> Iterator[Output]:
        text = event.text if isinstance(event, Text) else type(event).__name__
        with self.lock:
            self.started[user_id].append(text)
            self.running[user_id] += 1
            self.most_at_once[user_id] = max(self.most_at_once[user_id], self.running[user_id])
        try:
            if text == "flood 0":
                assert self.release.wait(120), "the test never released the flood"
            yield Reply(f"echo {text}")
        finally:
            with self.lock:
                self.running[user_id] -= 1
                self.finished[user_id].append(text)

    def due_reminders(self, today):
        return []



async def test_a_flood_from_one_person_does_not_hold_back_another(botapi, tmp_path):
    journey = FloodJourney()
    config = Config.defaults(tmp_path).with_overrides(
        telegram={"base_url": botapi.base_url, "base_file_url": botapi.base_file_url})
    unlimited = AIORateLimiter(overall_max_rate=0, group_max_rate=0, max_retries=3)
    app = build_application(config, journey, botapi.token, rate_limiter=unlimited)
    mallory, bob = botapi.user(MALLORY, "Mallory"), botapi.user(BOB, "Bob")
    for i in range(FLOOD):
        mallory.send_text(f"flood {i}")
    bob.send_text("hello")                    # queued behind the whole flood
    async with app:
        await app.start()
        await app.updater.start_polling(poll_interval=0, timeout=1,
                                        allowed_updates=ALLOWED_UPDATES)
        try:
            answer = await bob.wait_for_reply(timeout=30)
            assert answer.text == "echo hello"
            # causality: the flood was still being processed when Bob got his answer
            with journey.lock:
                assert journey.started[MALLORY] == ["flood 0"]      # the rest still waiting
                assert journey.finished[MALLORY] == []
            assert mallory.messages == []
            journey.release.set()
            replies = await mallory.wait_for_replies(FLOOD, timeout=120)
            assert [r.text for r in replies] == [f"echo flood {i}" for i in range(FLOOD)]
            assert journey.started[MALLORY] == [f"flood {i}" for i in range(FLOOD)]
            assert journey.most_at_once[MALLORY] == 1                # one of hers at a time
        finally:
            journey.release.set()
            await app.updater.stop()
            await app.stop()
            await app.post_shutdown(app)          # the journey's worker threads
