"""A person talking to the journey in tests: sends inputs, remembers the buttons."""

from __future__ import annotations

import io
import zipfile
from dataclasses import dataclass, field
from datetime import date

from pypdf import PdfReader

from bot.journey.engine import Journey
from bot.journey.io import Command, Document, Input, Output, Press, Reply, Text, Typing, Upload

TODAY = date(2026, 11, 26)
USER = 4242


@dataclass
class Chat:
    """A person talking to the journey: remembers the buttons on screen."""

    journey: Journey
    user_id: int = USER
    outputs: list[Output] = field(default_factory=list)
    buttons: dict[str, str] = field(default_factory=dict)   # label -> data, latest keyboard
    old_buttons: dict[str, str] = field(default_factory=dict)

    def send(self, event: Input) -> list[Output]:
        out = list(self.journey.handle(self.user_id, event))
        self.outputs += out
        for item in out:
            if isinstance(item, Reply) and item.buttons:
                self.old_buttons = self.buttons
                self.buttons = {b.label: b.data for row in item.buttons for b in row}
        return out

    def text(self, text: str) -> list[Output]:
        return self.send(Text(text))

    def command(self, name: str, payload: str = "") -> list[Output]:
        return self.send(Command(name, payload))

    def press(self, label: str) -> list[Output]:
        matches = [data for shown, data in self.buttons.items() if label in shown]
        assert matches, f"no button {label!r} among {list(self.buttons)}"
        return self.send(Press(matches[0]))

    def upload(self, data: bytes | None, *, size: int | None = None, filename: str = "p.jpg",
               as_photo: bool = False, group: str | None = None) -> list[Output]:
        return self.send(Upload(data, size if size is not None else len(data or b""),
                                filename, "image/jpeg", as_photo, group))

    def start(self) -> None:
        self.command("start")
        self.press("I agree")


def said(outputs: list[Output]) -> str:
    """Everything the journey said, as one text."""
    return "\n".join(o.text for o in outputs if isinstance(o, Reply))


def documents(outputs: list[Output]) -> list[Document]:
    return [o for o in outputs if isinstance(o, Document)]


def typing(outputs: list[Output]) -> bool:
    return any(isinstance(o, Typing) for o in outputs)


def pdf_text(data: bytes) -> str:
    return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(data)).pages)


def flat(text: str) -> str:
    """``text`` with every run of white space made one space (PDF lines break anywhere)."""
    return " ".join(text.split())


def delivered_files(outputs: list[Output]) -> dict[str, bytes]:
    """Every file handed over, whether one by one or in the ZIP."""
    files = {}
    for doc in documents(outputs):
        if doc.filename.endswith(".zip"):
            archive = zipfile.ZipFile(io.BytesIO(doc.data))
            files.update({name: archive.read(name) for name in archive.namelist()})
        else:
            files[doc.filename] = doc.data
    return files


def letter_pdfs(outputs: list[Output]) -> dict[str, str]:
    """File name -> text of every letter PDF handed over (not the cover sheet)."""
    return {name: pdf_text(data) for name, data in delivered_files(outputs).items()
            if name.endswith(".pdf") and not name.startswith("cover-sheet-")}


def check_links(chat: Chat, *photos: str) -> list[Output]:
    """Agree, then check Flickr photo IDs or links; the results."""
    chat.start()
    chat.press("Flickr photo links")
    return chat.text("\n".join(photos))


def contact(chat: Chat, name: str = "Ann Example", email: str = "ann@example.org",
            address: str = "12 Main St\nSpringfield, IL 62701\nUSA") -> list[Output]:
    """Name, address, email and a typed signature; what the journey asks next."""
    chat.text(name)
    chat.text(address)
    chat.text(email)
    return chat.press("Typed signature")



def step_now(chat: Chat) -> str:
    """The step the person's saved session is at."""
    return chat.journey.store.load_session(chat.user_id)["step"]
