"""Updates of different people run concurrently; one person's updates run in order.

python-telegram-bot's ``concurrent_updates`` alone would let a person's second
message overtake the first (two turns of the same journey at once). This
processor adds a lock per person: it is taken in arrival order (asyncio locks
are fair), so each person's turns run one after another while others proceed.
"""

from __future__ import annotations

import asyncio
from typing import Any, Awaitable, Callable

from telegram import Update
from telegram.ext import BaseUpdateProcessor


class PerPersonUpdateProcessor(BaseUpdateProcessor):
    def __init__(self, max_concurrent_updates: int = 256, *,
                 on_arrival: Callable[[object], Awaitable[None]] | None = None) -> None:
        super().__init__(max_concurrent_updates)
        self._locks: dict[int, tuple[asyncio.Lock, list[int]]] = {}
        # runs before waiting for the person's earlier updates (e.g. answer a button press
        # at once, so the person's spinner stops even while a slow turn is still running)
        self.on_arrival = on_arrival

    async def do_process_update(self, update: object, coroutine: Awaitable[Any]) -> None:
        if self.on_arrival is not None:
            await self.on_arrival(update)
        key = person_key(update)
        if key is None:
            await coroutine
            return
        lock, users = self._locks.setdefault(key, (asyncio.Lock(), [0]))
        users[0] += 1
        try:
            async with lock:
                await coroutine
        finally:
            users[0] -= 1
            if users[0] == 0:
                del self._locks[key]

    @property
    def people_waiting(self) -> int:
        return len(self._locks)

    async def initialize(self) -> None:
        """Nothing to set up."""

    async def shutdown(self) -> None:
        """Nothing to release."""


def person_key(update: object) -> int | None:
    if isinstance(update, Update):
        if update.effective_user is not None:
            return update.effective_user.id
        if update.effective_chat is not None:
            return update.effective_chat.id
    return None
