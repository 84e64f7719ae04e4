"""Updates of different people run concurrently; one person's updates run in order,
and one person never holds more than one of the shared slots.

python-telegram-bot's ``concurrent_updates`` alone would let a person's second
message overtake the first (two turns of the same journey at once). This
processor adds a lock per person: it is taken in arrival order (asyncio locks
are fair), so each person's turns run one after another while others proceed.

The shared slots (``max_concurrent_updates`` turns at once) are taken only *after*
the person's lock. python-telegram-bot's own semaphore, which wraps every update
before it reaches this processor, would otherwise be the limit: a person sending
more updates than there are slots would fill them all with updates that only wait
for that person's earlier ones, and everybody else would wait behind the flood.
So PTB's semaphore is left unbounded here and the limit is applied per turn that
can actually run: each person holds at most one slot.
"""

from __future__ import annotations

import asyncio
from typing import Any, Awaitable, Callable

from telegram import Update
from telegram.ext import BaseUpdateProcessor

UNBOUNDED = 2**31 - 1     # PTB's own semaphore: every update may wait here, holding nothing


class PerPersonUpdateProcessor(BaseUpdateProcessor):
    def __init__(self, max_concurrent_updates: int = 256, *,
                 on_arrival: Callable[[object], Awaitable[None]] | None = None) -> None:
        if max_concurrent_updates < 1:
            raise ValueError("max_concurrent_updates must be a positive integer")
        # 1 keeps PTB's one-update-at-a-time mode (a baseline in bench/telegram_load.py)
        super().__init__(1 if max_concurrent_updates == 1 else UNBOUNDED)
        self.slots = max_concurrent_updates
        self._slots = asyncio.BoundedSemaphore(max_concurrent_updates)
        self._running = 0
        self._locks: dict[int, tuple[asyncio.Lock, list[int]]] = {}
        # runs before waiting for the person's earlier updates (e.g. answer a button press
        # at once, so the person's spinner stops even while a slow turn is still running)
        self.on_arrival = on_arrival

    async def do_process_update(self, update: object, coroutine: Awaitable[Any]) -> None:
        if self.on_arrival is not None:
            await self.on_arrival(update)
        key = person_key(update)
        if key is None:
            await self._run(coroutine)
            return
        lock, users = self._locks.setdefault(key, (asyncio.Lock(), [0]))
        users[0] += 1
        try:
            async with lock:           # the person's earlier updates first, holding no slot
                await self._run(coroutine)
        finally:
            users[0] -= 1
            if users[0] == 0:
                del self._locks[key]

    async def _run(self, coroutine: Awaitable[Any]) -> None:
        async with self._slots:
            self._running += 1
            try:
                await coroutine
            finally:
                self._running -= 1

    @property
    def people_waiting(self) -> int:
        """People with at least one update running or waiting."""
        return len(self._locks)

    @property
    def running(self) -> int:
        """Updates running now (holding a slot); at most :attr:`slots`."""
        return self._running

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
