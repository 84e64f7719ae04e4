"""A simulated person in a private chat with the bot.

Sending (text, photos, documents, albums, stickers, button presses) queues
updates exactly as Telegram would deliver them; reading (``messages``,
``documents``, ``wait_for_reply``) shows what the bot sent, document bytes
included. Safe to use from any thread or event loop.
"""

from __future__ import annotations

from typing import Any

from .objects import (BotMessage, ChatEvent, now, photo_variants, private_chat_json, short_id,
                      user_json)
from .world import World

REPLY_KINDS = ("message", "edit")


class NoReply(AssertionError):
    """The bot did not answer in time."""


class SimulatedUser:
    def __init__(self, world: World, user_id: int, first_name: str, *,
                 username: str | None = None, language_code: str = "en") -> None:
        self.world = world
        self.user_id = user_id
        self.profile = user_json(user_id, first_name, username=username,
                                 language_code=language_code)
        self.chat_json = private_chat_json(self.profile)
        self.chat = world.ensure_chat(self.profile, self.chat_json)
        self.chat_instance = short_id("chat_instance", world.bot_user["id"], user_id)[:19]
        self._cursor = 0            # seq of the last event handed out by wait_for_reply

    # ---- sending --------------------------------------------------------------------

    def _message(self, **fields: Any) -> dict[str, Any]:
        return {"message_id": self.world.next_message_id(self.user_id), "from": self.profile,
                "chat": self.chat_json, "date": now(), **fields}

    def send_raw(self, kind: str = "message", **fields: Any) -> int:
        """Queue any message-like update (``kind`` "message" or "edited_message")."""
        return self.world.push_update(kind, self._message(**fields))

    def send_text(self, text: str) -> int:
        """Send text; a leading /command gets its ``bot_command`` entity like Telegram adds."""
        fields: dict[str, Any] = {"text": text}
        if text.startswith("/"):
            command = text.split(maxsplit=1)[0]
            fields["entities"] = [{"type": "bot_command", "offset": 0,
                                   "length": len(command.encode("utf-16-le")) // 2}]
        return self.send_raw(**fields)

    def send_photo(self, data: bytes, *, caption: str | None = None,
                   media_group_id: str | None = None) -> int:
        """Send an image as a photo: the server recompresses it and offers several sizes."""
        sizes = []
        for variant, width, height in photo_variants(data):
            stored = self.world.store_file(variant, kind="photos", mime_type="image/jpeg",
                                           width=width, height=height)
            sizes.append(stored.photo_size_json())
        fields: dict[str, Any] = {"photo": sizes}
        if caption:
            fields["caption"] = caption
        if media_group_id:
            fields["media_group_id"] = media_group_id
        return self.send_raw(**fields)

    def send_document(self, data: bytes, filename: str | None = "file.bin",
                      mime: str | None = "application/octet-stream", *,
                      file_size: int | None = None, media_group_id: str | None = None,
                      caption: str | None = None) -> int:
        """Send a file as is. ``file_size`` pretends a bigger file (no need to allocate it)."""
        stored = self.world.store_file(data, size=file_size, kind="documents",
                                       file_name=filename, mime_type=mime)
        fields: dict[str, Any] = {"document": stored.document_json()}
        if caption:
            fields["caption"] = caption
        if media_group_id:
            fields["media_group_id"] = media_group_id
        return self.send_raw(**fields)

    def send_album(self, images: list[bytes], *, as_documents: bool = False) -> list[int]:
        """Several photos (or files) at once: one update each, sharing a media_group_id."""
        group = short_id("album", self.user_id, now(), len(images))[:18]
        if as_documents:
            return [self.send_document(data, f"photo{i + 1}.jpg", "image/jpeg",
                                       media_group_id=group) for i, data in enumerate(images)]
        return [self.send_photo(data, media_group_id=group) for data in images]

    def send_sticker(self) -> int:
        stored = self.world.store_file(b"RIFF\x00\x00\x00\x00WEBP", kind="stickers",
                                       mime_type="image/webp", width=512, height=512)
        return self.send_raw(sticker={"file_id": stored.file_id,
                                      "file_unique_id": stored.file_unique_id, "width": 512,
                                      "height": 512, "is_animated": False, "is_video": False,
                                      "type": "regular", "emoji": "🙂"})

    def send_voice(self, seconds: int = 2) -> int:
        stored = self.world.store_file(b"OggS" + b"\x00" * 60, kind="voice", mime_type="audio/ogg")
        return self.send_raw(voice={"file_id": stored.file_id,
                                    "file_unique_id": stored.file_unique_id,
                                    "duration": seconds, "mime_type": "audio/ogg",
                                    "file_size": stored.size})

    def send_location(self, latitude: float = 52.52, longitude: float = 13.405) -> int:
        return self.send_raw(location={"latitude": latitude, "longitude": longitude})

    def edit_text(self, message_id: int, text: str) -> int:
        """The person edits one of their own messages (an ``edited_message`` update)."""
        return self.world.push_update("edited_message", {
            "message_id": message_id, "from": self.profile, "chat": self.chat_json,
            "date": now(), "edit_date": now(), "text": text})

    def press(self, label_or_data: str, *, message_id: int | None = None) -> int:
        """Press an inline button (by label or callback data) of the newest message with a
        keyboard, or of ``message_id`` (an older message: a stale button)."""
        with self.world.lock:
            if message_id is None:
                candidates = [m for m in self.chat.messages.values() if m.keyboard]
                if not candidates:
                    raise LookupError("the bot has sent no inline keyboard to press")
                message = max(candidates, key=lambda m: m.message_id)
            else:
                message = self.chat.messages[message_id]
            data = None
            for label, button_data in message.buttons:
                if label_or_data in (label, button_data):
                    data = button_data
                    break
            if data is None:
                raise LookupError(f"no button {label_or_data!r} on message "
                                  f"{message.message_id}; buttons: {message.buttons}")
            query_id = self.world.new_query_id()
            self.world.callback_queries[query_id] = {"answered": False, "chat_id": self.user_id}
            payload = {"id": query_id, "from": self.profile,
                       "message": self.world.message_json(message),
                       "chat_instance": self.chat_instance, "data": data}
        return self.world.push_update("callback_query", payload)

    def block(self) -> None:
        """The person blocks the bot: further sends fail with 403 Forbidden."""
        with self.world.lock:
            self.chat.blocked = True

    # ---- reading ---------------------------------------------------------------------

    @property
    def events(self) -> list[ChatEvent]:
        with self.world.lock:
            return list(self.chat.events)

    @property
    def messages(self) -> list[BotMessage]:
        """Every message the bot sent here (current state, edits applied), oldest first."""
        with self.world.lock:
            return [self.chat.messages[k] for k in sorted(self.chat.messages)]

    @property
    def texts(self) -> list[str]:
        return [m.text for m in self.messages if m.text is not None]

    @property
    def documents(self) -> list[BotMessage]:
        """The documents the bot sent, each with ``.data`` (bytes) and ``.filename``."""
        return [m for m in self.messages if m.document is not None]

    @property
    def actions(self) -> list[str]:
        return [e.action for e in self.events if e.kind == "action" and e.action]

    @property
    def callback_answers(self) -> list[dict[str, Any]]:
        with self.world.lock:
            return list(self.chat.answers)

    async def wait_for_reply(self, timeout: float = 10.0,
                             kinds: tuple[str, ...] = REPLY_KINDS) -> BotMessage:
        """The next message (or edit) the bot sends here that this handle has not returned
        yet; raises :class:`NoReply` after ``timeout`` seconds."""
        return (await self.wait_for_event(timeout, kinds)).message  # type: ignore[return-value]

    async def wait_for_event(self, timeout: float = 10.0,
                             kinds: tuple[str, ...] = REPLY_KINDS) -> ChatEvent:
        """Like :meth:`wait_for_reply`, with the event's server-side time (``.at``)."""
        event = await self.world.wait_event_async(self.user_id, kinds, self._cursor, timeout)
        self._take(event, timeout)
        return event  # type: ignore[return-value]

    def wait_for_reply_sync(self, timeout: float = 10.0,
                            kinds: tuple[str, ...] = REPLY_KINDS) -> BotMessage:
        event = self.world.wait_event(self.user_id, kinds, self._cursor, timeout)
        return self._take(event, timeout)

    async def wait_for_replies(self, count: int, timeout: float = 10.0) -> list[BotMessage]:
        return [await self.wait_for_reply(timeout) for _ in range(count)]

    def _take(self, event: ChatEvent | None, timeout: float) -> BotMessage:
        if event is None or event.message is None:
            raise NoReply(f"no reply to user {self.user_id} within {timeout:g} s; "
                          f"so far: {self.texts!r}")
        self._cursor = event.seq
        return event.message
