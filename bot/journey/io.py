"""What goes into the journey and what comes out of it.

Doors (Telegram, terminal) turn what a person does into an :data:`Input` and
render each :data:`Output`. Nothing here knows about Telegram; button data is
short (at most 64 bytes, Telegram's limit) and never carries personal data.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Union

MAX_BUTTON_DATA_BYTES = 64


@dataclass(frozen=True)
class Button:
    label: str
    data: str

    def __post_init__(self) -> None:
        size = len(self.data.encode("utf-8"))
        if not 1 <= size <= MAX_BUTTON_DATA_BYTES:
            raise ValueError(f"button data must be 1-{MAX_BUTTON_DATA_BYTES} bytes, got {size}")


Keyboard = tuple[tuple[Button, ...], ...]


# ---- inputs -------------------------------------------------------------

@dataclass(frozen=True)
class Command:
    """A slash command such as /start (name without the slash) with its payload."""
    name: str
    payload: str = ""


@dataclass(frozen=True)
class Text:
    text: str


@dataclass(frozen=True)
class Press:
    """A button was pressed; ``data`` is the button's data."""
    data: str


@dataclass(frozen=True)
class Upload:
    """An image (or other file) the person sent.

    ``data`` is None when the door refused to fetch it (``size`` over the cap);
    the journey then answers with the size message. ``as_photo`` is True for
    Telegram photos (recompressed by Telegram), False for files/documents.
    ``group`` is an album id when several uploads arrive together, else None.
    """
    data: bytes | None
    size: int
    filename: str | None = None
    mime: str | None = None
    as_photo: bool = False
    group: str | None = None


@dataclass(frozen=True)
class Unsupported:
    """Something the journey cannot read: ``kind`` names it ("sticker", "voice",
    "location", "video", ...); the journey re-prompts."""
    kind: str


Input = Union[Command, Text, Press, Upload, Unsupported]


# ---- outputs ------------------------------------------------------------

@dataclass(frozen=True)
class Reply:
    """A message to show. With ``edit``, replace the message that carried the
    keyboard just pressed (Telegram: editMessageText) instead of sending anew.
    With ``replace`` set, a later Reply with the same ``replace`` key in the
    same turn edits this message instead of sending a new one (progress)."""
    text: str
    buttons: Keyboard = ()
    edit: bool = False
    replace: str | None = None


@dataclass(frozen=True)
class Document:
    """A file to hand over (a PDF, an .eml, a ZIP)."""
    filename: str
    data: bytes
    caption: str = ""


@dataclass(frozen=True)
class Album:
    """Pictures to show by their web address (Telegram fetches them; the bot never
    downloads or keeps them): ``urls`` with one caption each. A door skips a link that
    no longer works and says how many it skipped (``texts.dead_links``)."""
    urls: tuple[str, ...]
    captions: tuple[str, ...] = ()


@dataclass(frozen=True)
class Typing:
    """A slow step follows: show a typing indicator."""


Output = Union[Reply, Document, Album, Typing]
