"""Bot API JSON objects as Telegram sends them (dates in seconds, largest photo last)."""

from __future__ import annotations

import hashlib
import io
import time
from dataclasses import dataclass, field
from typing import Any

from PIL import Image, ImageOps

PHOTO_SIZES = (90, 320, 800)        # thumbnails Telegram offers below the main size
MAIN_PHOTO_SIDE = 1280


def now() -> int:
    return int(time.time())


def user_json(user_id: int, first_name: str, *, username: str | None = None,
              is_bot: bool = False, language_code: str | None = "en") -> dict[str, Any]:
    data: dict[str, Any] = {"id": user_id, "is_bot": is_bot, "first_name": first_name}
    if username:
        data["username"] = username
    if language_code and not is_bot:
        data["language_code"] = language_code
    return data


def private_chat_json(user: dict[str, Any]) -> dict[str, Any]:
    chat = {"id": user["id"], "type": "private", "first_name": user["first_name"]}
    if "username" in user:
        chat["username"] = user["username"]
    return chat


@dataclass
class StoredFile:
    """A file the server holds: sent by a simulated person or uploaded by the bot."""
    file_id: str
    file_unique_id: str
    file_path: str
    size: int
    data: bytes | None            # None: a URL reference or a size-only stand-in
    file_name: str | None = None
    mime_type: str | None = None
    width: int | None = None
    height: int | None = None

    def photo_size_json(self) -> dict[str, Any]:
        return {"file_id": self.file_id, "file_unique_id": self.file_unique_id,
                "width": self.width, "height": self.height, "file_size": self.size}

    def document_json(self) -> dict[str, Any]:
        data: dict[str, Any] = {"file_id": self.file_id, "file_unique_id": self.file_unique_id,
                                "file_size": self.size}
        if self.file_name is not None:
            data["file_name"] = self.file_name
        if self.mime_type is not None:
            data["mime_type"] = self.mime_type
        return data

    def file_json(self) -> dict[str, Any]:
        return {"file_id": self.file_id, "file_unique_id": self.file_unique_id,
                "file_size": self.size, "file_path": self.file_path}


@dataclass(frozen=True)
class BotMessage:
    """A message as the simulated person sees it (a snapshot; edits make new snapshots)."""
    message_id: int
    chat_id: int
    date: int
    text: str | None = None
    caption: str | None = None
    keyboard: tuple[tuple[dict[str, Any], ...], ...] = ()   # inline_keyboard rows, raw
    document: StoredFile | None = None
    photo: StoredFile | None = None
    media_group_id: str | None = None
    edit_date: int | None = None
    raw: dict[str, Any] = field(default_factory=dict, compare=False, repr=False)

    @property
    def buttons(self) -> list[tuple[str, str | None]]:
        """Every inline button as (label, callback_data), row by row."""
        return [(b.get("text", ""), b.get("callback_data")) for row in self.keyboard for b in row]

    @property
    def data(self) -> bytes | None:
        """The bytes of the document or photo the bot sent."""
        item = self.document or self.photo
        return item.data if item else None

    @property
    def filename(self) -> str | None:
        return self.document.file_name if self.document else None

    @property
    def edited(self) -> bool:
        return self.edit_date is not None


@dataclass(frozen=True)
class ChatEvent:
    """Something the bot did in a chat, in order: a new message, an edit, a chat action."""
    seq: int
    kind: str                      # "message" | "edit" | "action"
    at: float                      # time.monotonic() when the server handled the call
    message: BotMessage | None = None
    action: str | None = None


def short_id(*parts: object) -> str:
    digest = hashlib.sha256("|".join(map(str, parts)).encode()).hexdigest()
    return digest[:24]


def recompress(data: bytes) -> bytes:
    """What Telegram does to a photo: EXIF dropped, long side at most 1280 px, JPEG ~q80.

    Uses ``tests/imaging.py``'s ``telegram_recompress`` when that module exists."""
    try:
        from tests.imaging import telegram_recompress  # type: ignore[import-not-found]
    except ImportError:
        telegram_recompress = None
    if telegram_recompress is not None:
        return telegram_recompress(data)
    with Image.open(io.BytesIO(data)) as img:
        img = ImageOps.exif_transpose(img).convert("RGB")
        img.thumbnail((MAIN_PHOTO_SIDE, MAIN_PHOTO_SIDE), Image.Resampling.LANCZOS)
        out = io.BytesIO()
        img.save(out, "JPEG", quality=80)
        return out.getvalue()


def photo_variants(data: bytes) -> list[tuple[bytes, int, int]]:
    """Telegram-like sizes of a photo, smallest first, the recompressed main size last."""
    main = recompress(data)
    with Image.open(io.BytesIO(main)) as img:
        width, height = img.size
        variants = []
        for side in PHOTO_SIZES:
            if side >= max(width, height):
                break
            small = img.copy()
            small.thumbnail((side, side), Image.Resampling.LANCZOS)
            out = io.BytesIO()
            small.save(out, "JPEG", quality=80)
            variants.append((out.getvalue(), small.size[0], small.size[1]))
    variants.append((main, width, height))
    return variants
