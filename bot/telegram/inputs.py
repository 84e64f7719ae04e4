"""Telegram messages → journey inputs (:mod:`bot.journey.io`).

Files are fetched into memory only (never to disk) and only when Telegram says
they fit under ``[photos] max_bytes``; larger ones become ``Upload(data=None)``
without being downloaded, so the journey can say why.
"""

from __future__ import annotations

import logging
import re
import unicodedata

from telegram import Bot, Message
from telegram.error import BadRequest

from ..journey.io import Command, Input, Text, Unsupported, Upload

log = logging.getLogger(__name__)

_COMMAND = re.compile(r"^/([A-Za-z0-9_]{1,32})(?:@([A-Za-z0-9_]{3,64}))?(?:\s+(.*))?$", re.S)
MAX_FILENAME = 200

# Message kinds the journey cannot read, in the order they are checked.
UNSUPPORTED_KINDS = ("sticker", "voice", "audio", "video", "video_note", "animation",
                     "location", "venue", "contact", "poll", "dice", "game", "story",
                     "invoice", "paid_media")


def text_to_input(text: str, bot_username: str | None = None) -> Input:
    """A command (``/name@bot payload``) or plain text."""
    match = _COMMAND.match(text.strip())
    if match:
        name, addressed_to, payload = match.groups()
        if addressed_to is None or bot_username is None or \
                addressed_to.lower() == bot_username.lower():
            return Command(name.lower(), (payload or "").strip())
    return Text(text)


def safe_filename(name: str | None) -> str | None:
    """A file name as a label only: no folders, no control characters, bounded length."""
    if not name:
        return None
    name = name.replace("\\", "/").rsplit("/", 1)[-1]
    name = "".join(c for c in name if unicodedata.category(c)[0] != "C").strip().lstrip(".")
    return name[:MAX_FILENAME] or None


async def fetch_upload(bot: Bot, file_id: str, size: int | None, max_bytes: int, *,
                       filename: str | None, mime: str | None, as_photo: bool,
                       group: str | None) -> Upload:
    meta = {"filename": filename, "mime": mime, "as_photo": as_photo, "group": group}
    if size is not None and size > max_bytes:
        log.info("refused a %d-byte upload without downloading it (cap %d)", size, max_bytes)
        return Upload(None, size, **meta)
    try:
        file = await bot.get_file(file_id)
    except BadRequest as exc:
        if "too big" in str(exc).lower():
            return Upload(None, max(size or 0, max_bytes + 1), **meta)
        raise
    if file.file_size is not None and file.file_size > max_bytes:
        return Upload(None, file.file_size, **meta)
    data = await file.download_as_bytearray()
    if len(data) > max_bytes:                  # the announced size was wrong
        return Upload(None, len(data), **meta)
    return Upload(bytes(data), len(data), **meta)


async def message_to_input(message: Message, bot: Bot, max_bytes: int) -> Input:
    if message.text is not None:
        return text_to_input(message.text, bot.username)
    if message.photo:
        largest = message.photo[-1]
        return await fetch_upload(bot, largest.file_id, largest.file_size, max_bytes,
                                  filename=None, mime="image/jpeg", as_photo=True,
                                  group=message.media_group_id)
    if message.document is not None:
        document = message.document
        return await fetch_upload(bot, document.file_id, document.file_size, max_bytes,
                                  filename=safe_filename(document.file_name),
                                  mime=document.mime_type, as_photo=False,
                                  group=message.media_group_id)
    for kind in UNSUPPORTED_KINDS:
        if getattr(message, kind, None):
            return Unsupported(kind)
    return Unsupported("message")
