"""Journey outputs → Bot API calls, for one turn in one chat.

Plain text only (no parse mode), so names or links a person typed can never turn
into markup. Texts over Telegram's 4096 UTF-16 units are split at paragraph,
line or word boundaries; a keyboard goes on the last part.
"""

from __future__ import annotations

import logging

from telegram import Bot, InlineKeyboardButton, InlineKeyboardMarkup, InputMediaPhoto
from telegram.constants import ChatAction
from telegram.error import BadRequest

from ..journey import texts
from ..journey.io import Album, Document, Keyboard, Output, Reply, Typing

log = logging.getLogger(__name__)

MAX_TEXT = 4096
MAX_CAPTION = 1024
MEDIA_GROUP = 10          # photos per album (Telegram allows 2-10)


def utf16_len(text: str) -> int:
    return len(text.encode("utf-16-le")) // 2


def split_text(text: str, limit: int = MAX_TEXT) -> list[str]:
    """Parts of at most ``limit`` UTF-16 units, cut at the last paragraph, line or space
    break in the second half of a part, else hard."""
    parts = []
    while utf16_len(text) > limit:
        cut, units = 0, 0
        for i, char in enumerate(text):
            units += 2 if ord(char) > 0xFFFF else 1
            if units > limit:
                cut = i
                break
        window = text[:cut]
        for separator in ("\n\n", "\n", " "):
            at = window.rfind(separator)
            if at >= cut // 2:
                cut = at + len(separator)
                break
        parts.append(text[:cut].rstrip())
        text = text[cut:].lstrip("\n")
    if text.strip():
        parts.append(text)
    return [p for p in parts if p.strip()]


def inline_keyboard(buttons: Keyboard) -> InlineKeyboardMarkup | None:
    if not buttons:
        return None
    return InlineKeyboardMarkup([[InlineKeyboardButton(b.label, callback_data=b.data)
                                  for b in row] for row in buttons])


class TurnRenderer:
    """Renders the outputs of one journey turn into one chat.

    ``pressed_message_id`` is the message whose button started the turn (target of
    ``Reply(edit=True)``); ``Reply(replace=key)`` edits the message sent earlier in
    the same turn under that key. A failed edit falls back to a new message."""

    def __init__(self, bot: Bot, chat_id: int, pressed_message_id: int | None = None) -> None:
        self.bot = bot
        self.chat_id = chat_id
        self.pressed_message_id = pressed_message_id
        self.replaced: dict[str, int] = {}
        self.sent = 0

    async def render(self, output: Output) -> None:
        if isinstance(output, Reply):
            await self.reply(output)
        elif isinstance(output, Document):
            await self.document(output)
        elif isinstance(output, Album):
            await self.album(output)
        elif isinstance(output, Typing):
            await self.bot.send_chat_action(self.chat_id, ChatAction.TYPING)
        else:
            raise TypeError(f"unknown journey output {type(output).__name__}")

    async def reply(self, reply: Reply) -> None:
        parts = split_text(reply.text)
        if not parts:
            log.warning("chat %s: the journey produced an empty reply; skipped", self.chat_id)
            return
        markup = inline_keyboard(reply.buttons)
        target = None
        if reply.replace is not None and reply.replace in self.replaced:
            target = self.replaced[reply.replace]
        elif reply.edit and self.pressed_message_id is not None:
            target = self.pressed_message_id
        first_id = None
        if target is not None:
            try:
                await self.bot.edit_message_text(
                    parts[0], chat_id=self.chat_id, message_id=target,
                    reply_markup=markup if len(parts) == 1 else None)
                first_id = target
                parts = parts[1:]
            except BadRequest as exc:
                log.info("chat %s: edit of message %s failed (%s); sending anew",
                         self.chat_id, target, exc.message)
        for index, part in enumerate(parts):
            message = await self.bot.send_message(
                self.chat_id, part, reply_markup=markup if index == len(parts) - 1 else None)
            self.sent += 1
            first_id = first_id or message.message_id
        if reply.replace is not None and first_id is not None:
            self.replaced[reply.replace] = first_id

    async def album(self, album: Album) -> None:
        """Photos by URL, up to 10 per media group; if Telegram cannot fetch one (deleted
        or made private), each is sent alone so only the dead ones are skipped."""
        captions = list(album.captions) + [""] * (len(album.urls) - len(album.captions))
        items = list(zip(album.urls, captions))
        dead = 0
        for start in range(0, len(items), MEDIA_GROUP):
            chunk = items[start:start + MEDIA_GROUP]
            if len(chunk) > 1:
                try:
                    await self.bot.send_media_group(self.chat_id, [
                        InputMediaPhoto(url, caption=caption[:MAX_CAPTION] or None)
                        for url, caption in chunk])
                    self.sent += len(chunk)
                    continue
                except BadRequest as exc:
                    log.info("chat %s: album refused (%s); photos one by one", self.chat_id,
                             exc.message)
            for url, caption in chunk:
                try:
                    await self.bot.send_photo(self.chat_id, url, caption=caption[:MAX_CAPTION] or None)
                    self.sent += 1
                except BadRequest:
                    dead += 1
        if dead:
            await self.reply(Reply(texts.dead_links(dead)))

    async def document(self, document: Document) -> None:
        caption = document.caption or None
        long_caption = caption if caption and utf16_len(caption) > MAX_CAPTION else None
        await self.bot.send_document(self.chat_id, document.data, filename=document.filename,
                                     caption=None if long_caption else caption)
        self.sent += 1
        if long_caption:
            await self.reply(Reply(long_caption))
