"""The jobs: reminders and retention notices every hour (each person's arrive in their
daytime), the store's retention sweep daily, and the start-up notice to people whose
letters were being made when the bot last stopped."""

from __future__ import annotations

import asyncio
import logging
from datetime import datetime, timezone
from typing import Any

from telegram import Bot
from telegram.error import BadRequest, Forbidden, TelegramError
from telegram.ext import ContextTypes

from .door import TelegramDoor
from .outputs import TurnRenderer

log = logging.getLogger(__name__)


async def send_reminders(bot: Bot, door: TelegramDoor, now: datetime) -> tuple[int, int]:
    """Send every due reminder; returns (sent, not delivered). The journey records each
    one before handing it out, so a crash or restart never sends one twice (and a
    restart catches up on what a stopped bot missed: it runs at start-up too)."""
    loop = asyncio.get_running_loop()
    due = await loop.run_in_executor(door.executor, door.journey.due_reminders, now.date(), now)
    sent = failed = 0
    for reminder in due:
        user_id = reminder.user_id
        try:
            await TurnRenderer(bot, user_id).reply(reminder.reply)
            sent += 1
        except (Forbidden, BadRequest) as exc:
            # blocked the bot or deleted the chat: trying again tomorrow would not help
            failed += 1
            log.info("reminder for user %s not delivered: %s", user_id, exc.message)
        except TelegramError as exc:
            failed += 1    # a network or server problem: the next reminder still comes
            log.warning("reminder for user %s failed: %s", user_id, type(exc).__name__)
    log.info("reminders: %d sent, %d not delivered", sent, failed)
    return sent, failed


async def send_interrupted(bot: Bot, door: TelegramDoor) -> int:
    """At start: tell each person whose letters were being made when the process stopped,
    and offer them again (the journey moves them back to the summary). Returns how many
    were told. Runs before updates are taken, so no turn of theirs is in progress."""
    loop = asyncio.get_running_loop()
    notices = await loop.run_in_executor(door.executor, door.journey.interrupted)
    return await _tell(bot, notices, "interrupted-letters notice")


async def send_retention_notices(bot: Bot, door: TelegramDoor, now: datetime) -> int:
    """Tell each person whom retention deletes within a week, with a button to keep their
    records (recorded before sending: never twice). Returns how many were told."""
    loop = asyncio.get_running_loop()
    notices = await loop.run_in_executor(door.executor, door.journey.retention_notices, now)
    return await _tell(bot, notices, "retention notice")


async def _tell(bot: Bot, notices: list, what: str) -> int:
    told = 0
    for user_id, outputs in notices:
        renderer = TurnRenderer(bot, user_id)
        try:
            for output in outputs:
                await renderer.render(output)
            told += 1
        except TelegramError as exc:    # blocked, or Telegram is down: they see it on return
            log.info("%s for user %s not delivered (%s)", what, user_id, type(exc).__name__)
    return told


async def hourly_job(context: ContextTypes.DEFAULT_TYPE) -> None:
    """JobQueue callback, every hour: the reminders and retention notices of people whose
    day (9:00-20:00 their time) it now is; ``context.job.data`` is ``{"door": TelegramDoor}``."""
    data: dict[str, Any] = context.job.data  # type: ignore[union-attr,assignment]
    now = datetime.now(timezone.utc)
    await send_retention_notices(context.bot, data["door"], now)
    await send_reminders(context.bot, data["door"], now)


async def daily_job(context: ContextTypes.DEFAULT_TYPE) -> None:
    """JobQueue callback; ``context.job.data`` is ``{"door": TelegramDoor, "store": Store|None}``."""
    data: dict[str, Any] = context.job.data  # type: ignore[union-attr,assignment]
    now = datetime.now(timezone.utc)
    store = data.get("store")
    if store is not None:
        door: TelegramDoor = data["door"]
        told = await send_retention_notices(context.bot, door, now)
        log.info("retention: %d person(s) told of their deletion a week ahead", told)
        deleted = await asyncio.get_running_loop().run_in_executor(door.executor,
                                                                    store.expire, now)
        log.info("retention: %d person(s) deleted", deleted)
    await send_reminders(context.bot, data["door"], now)
