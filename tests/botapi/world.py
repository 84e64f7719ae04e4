"""The state behind the fake Bot API server: chats, updates, files, what the bot did.

Everything here is guarded by one re-entrant lock, so the server thread and any
number of test threads (or event loops) can use it at once. Waiting for the bot
works from threads (:meth:`World.wait_event`) and from any asyncio loop
(:meth:`World.wait_event_async`).
"""

from __future__ import annotations

import asyncio
import itertools
import threading
import time
from collections import Counter
from dataclasses import dataclass, field
from typing import Any, Callable

from .objects import BotMessage, ChatEvent, StoredFile, short_id


@dataclass
class PendingUpdate:
    update_id: int
    kind: str                       # "message", "callback_query", "edited_message", ...
    payload: dict[str, Any]
    queued_at: float                # time.monotonic()


@dataclass
class Chat:
    chat_id: int
    user: dict[str, Any]
    chat: dict[str, Any]
    next_message_id: int = 1
    messages: dict[int, BotMessage] = field(default_factory=dict)   # bot messages, current state
    events: list[ChatEvent] = field(default_factory=list)
    answers: list[dict[str, Any]] = field(default_factory=list)     # answerCallbackQuery calls
    blocked: bool = False


@dataclass
class _Waiter:
    chat_id: int
    kinds: tuple[str, ...]
    after_seq: int
    deliver: Callable[[ChatEvent], None]
    fired: ChatEvent | None = None


@dataclass
class Call:
    """One Bot API call the bot made (parameters without file bytes)."""
    method: str
    params: dict[str, Any]
    at: float
    status: int = 200


class World:
    def __init__(self, *, bot_id: int, bot_username: str, bot_name: str) -> None:
        self.lock = threading.RLock()
        self.bot_user = {"id": bot_id, "is_bot": True, "first_name": bot_name,
                         "username": bot_username}
        self.chats: dict[int, Chat] = {}
        self.updates: list[PendingUpdate] = []
        self.update_times: dict[int, float] = {}
        self.deliveries: Counter[int] = Counter()
        self._update_ids = itertools.count(1)
        self._seq = itertools.count(1)
        self._file_ids = itertools.count(1)
        self._query_ids = itertools.count(1)
        self.files: dict[str, StoredFile] = {}
        self.files_by_path: dict[str, StoredFile] = {}
        self.downloads: list[str] = []
        self.callback_queries: dict[str, dict[str, Any]] = {}
        self.calls: list[Call] = []
        self.commands: dict[str, list[dict[str, Any]]] = {}
        self.webhook: dict[str, Any] | None = None
        self.allowed_updates: list[str] | None = None
        self._waiters: list[_Waiter] = []
        self.on_update: Callable[[], None] = lambda: None   # set by the server: wakes getUpdates

    # ---- chats and updates ---------------------------------------------------

    def chat(self, chat_id: int) -> Chat:
        with self.lock:
            return self.chats[chat_id]

    def ensure_chat(self, user: dict[str, Any], chat: dict[str, Any]) -> Chat:
        with self.lock:
            existing = self.chats.get(chat["id"])
            if existing is None:
                existing = self.chats[chat["id"]] = Chat(chat["id"], user, chat)
            return existing

    def next_message_id(self, chat_id: int) -> int:
        with self.lock:
            chat = self.chats[chat_id]
            message_id = chat.next_message_id
            chat.next_message_id += 1
            return message_id

    def push_update(self, kind: str, payload: dict[str, Any]) -> int:
        with self.lock:
            update_id = next(self._update_ids)
            at = time.monotonic()
            self.updates.append(PendingUpdate(update_id, kind, payload, at))
            self.update_times[update_id] = at
        self.on_update()
        return update_id

    def take_updates(self, offset: int | None, limit: int,
                     allowed: list[str] | None) -> list[dict[str, Any]]:
        """getUpdates semantics: ``offset`` confirms (drops) every update below it;
        a negative offset keeps only the last ``-offset`` updates."""
        with self.lock:
            if allowed is not None:
                self.allowed_updates = allowed or None
            if offset is not None:
                if offset < 0:
                    self.updates = self.updates[offset:]
                else:
                    self.updates = [u for u in self.updates if u.update_id >= offset]
            wanted = self.allowed_updates
            if wanted:
                self.updates = [u for u in self.updates if u.kind in wanted]
            batch = self.updates[:limit]
            for update in batch:
                self.deliveries[update.update_id] += 1
            return [{"update_id": u.update_id, u.kind: u.payload} for u in batch]

    def confirm(self, update_id: int) -> None:
        with self.lock:
            self.updates = [u for u in self.updates if u.update_id != update_id]

    def drop_pending(self) -> None:
        with self.lock:
            self.updates.clear()

    def new_query_id(self) -> str:
        return f"{next(self._query_ids)}{short_id('query', time.time())[:8]}"

    # ---- files -----------------------------------------------------------------

    def store_file(self, data: bytes | None, *, size: int | None = None, kind: str,
                   file_name: str | None = None, mime_type: str | None = None,
                   width: int | None = None, height: int | None = None) -> StoredFile:
        with self.lock:
            number = next(self._file_ids)
            unique = short_id("unique", kind, number)
            extension = {"photos": ".jpg"}.get(kind, "")
            stored = StoredFile(
                file_id=f"{kind[:3].upper()}{number:06d}{unique}", file_unique_id=unique[:16],
                file_path=f"{kind}/file_{number}{extension}",
                size=size if size is not None else len(data or b""), data=data,
                file_name=file_name, mime_type=mime_type, width=width, height=height)
            self.files[stored.file_id] = stored
            self.files_by_path[stored.file_path] = stored
            return stored

    # ---- what the bot did ----------------------------------------------------------

    def record_call(self, method: str, params: dict[str, Any]) -> Call:
        call = Call(method, params, time.monotonic())
        with self.lock:
            self.calls.append(call)
        return call

    def put_message(self, message: BotMessage, *, kind: str) -> None:
        with self.lock:
            self.chats[message.chat_id].messages[message.message_id] = message
            self._add_event(message.chat_id, ChatEvent(next(self._seq), kind, time.monotonic(),
                                                       message=message))

    def add_action(self, chat_id: int, action: str) -> None:
        with self.lock:
            self._add_event(chat_id, ChatEvent(next(self._seq), "action", time.monotonic(),
                                               action=action))

    def _add_event(self, chat_id: int, event: ChatEvent) -> None:
        self.chats[chat_id].events.append(event)
        for waiter in list(self._waiters):
            if (waiter.chat_id == chat_id and event.kind in waiter.kinds
                    and event.seq > waiter.after_seq):
                self._waiters.remove(waiter)
                waiter.fired = event
                waiter.deliver(event)

    # ---- waiting for the bot -----------------------------------------------------------

    def _find_event(self, chat_id: int, kinds: tuple[str, ...], after_seq: int) -> ChatEvent | None:
        for event in self.chats[chat_id].events:
            if event.seq > after_seq and event.kind in kinds:
                return event
        return None

    def wait_event(self, chat_id: int, kinds: tuple[str, ...], after_seq: int,
                   timeout: float) -> ChatEvent | None:
        done = threading.Event()
        with self.lock:
            found = self._find_event(chat_id, kinds, after_seq)
            if found is not None:
                return found
            waiter = _Waiter(chat_id, kinds, after_seq, lambda _e: done.set())
            self._waiters.append(waiter)
        done.wait(timeout)
        with self.lock:
            if waiter.fired is None:
                self._waiters.remove(waiter)
            return waiter.fired

    async def wait_event_async(self, chat_id: int, kinds: tuple[str, ...], after_seq: int,
                               timeout: float) -> ChatEvent | None:
        loop = asyncio.get_running_loop()
        future: asyncio.Future[ChatEvent] = loop.create_future()

        def deliver(event: ChatEvent) -> None:
            loop.call_soon_threadsafe(lambda: future.done() or future.set_result(event))

        with self.lock:
            found = self._find_event(chat_id, kinds, after_seq)
            if found is not None:
                return found
            waiter = _Waiter(chat_id, kinds, after_seq, deliver)
            self._waiters.append(waiter)
        try:
            return await asyncio.wait_for(future, timeout)
        except asyncio.TimeoutError:
            with self.lock:
                if waiter.fired is None:
                    self._waiters.remove(waiter)
                return waiter.fired
        except BaseException:
            with self.lock:
                if waiter in self._waiters:
                    self._waiters.remove(waiter)
            raise

    def message_json(self, message: BotMessage) -> dict[str, Any]:
        """The JSON of a bot message as Telegram returns it (and as it appears in callbacks)."""
        chat = self.chats[message.chat_id]
        data: dict[str, Any] = {"message_id": message.message_id, "from": self.bot_user,
                                "chat": chat.chat, "date": message.date}
        if message.text is not None:
            data["text"] = message.text
        if message.caption:
            data["caption"] = message.caption
        if message.document is not None:
            data["document"] = message.document.document_json()
        if message.photo is not None:
            data["photo"] = [message.photo.photo_size_json()]
        if message.media_group_id:
            data["media_group_id"] = message.media_group_id
        if message.keyboard:
            data["reply_markup"] = {"inline_keyboard": [list(row) for row in message.keyboard]}
        if message.edit_date is not None:
            data["edit_date"] = message.edit_date
        return data


