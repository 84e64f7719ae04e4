"""The journey in a terminal: buttons as numbers, file paths for uploads,
letters written to a folder.

This door only translates: a typed line becomes a journey input, and each
output is printed (or, for documents, saved). All decisions stay in the journey.

Documents that come one after another are one delivery (the cover sheet and the
letters of one letters job): each is written into the delivery's temp folder as it
comes, and the whole delivery is moved into the letters folder when the next
non-document output arrives or the turn ends (:class:`bot.files.Delivery`).
"""

from __future__ import annotations

import contextlib
import mimetypes
import os
import re
import shlex
import sys
from pathlib import Path
from typing import Callable, Iterable, TextIO

from ..errors import RightsbotError
from ..files import Delivery, clean_stale_temps, safe_filename
from ..journey.io import Album, Command, Document, Input, Output, Press, Reply, Text, Typing, Upload

_COMMAND = re.compile(r"^/[A-Za-z_]{1,32}(?:@\w+)?(?:\s|$)")
TERMINAL_USER_ID = 0   # Telegram ids are positive; 0 is the person at this terminal

INTRO = ("rightsbot, in your terminal. Buttons are shown as [numbers]: type a number to press one. "
         "To check a photo, type the path of the image file. Type /help for help, "
         "Ctrl-D to quit.")


IMAGE_SUFFIXES = {".jpg", ".jpeg", ".png", ".webp", ".gif", ".avif", ".heic", ".heif", ".tif",
                  ".tiff", ".bmp"}
NO_SUCH_FILE = ("There is no file at {path}. To check a photo, type the full path of an image "
                "file (in quotes if it has spaces).")
NOT_A_FILE_FOLDER = "{path} is a folder. Type the path of one image file in it."
NOT_A_FILE_SPECIAL = "{path} is not a regular file (a pipe or a device?), so it cannot be sent."


CANNOT_READ = "Could not read {path} ({reason})."
NO_SUCH_BUTTON = "There is no button {number}: type a number from 1 to {last}."
CANNOT_SAVE = ("Could not save {path} ({reason}). Nothing was recorded and no letter was kept: "
               "free some space or choose another folder (rightsbot chat --out DIR), then "
               "choose \u201cMake my letters\u201d again.")
FINISHED_EARLIER = ("The letters that were being saved when rightsbot stopped last time are now "
                    "complete in {folder}.")


class _SaveFailed(Exception):
    def __init__(self, path: Path, reason: str) -> None:
        super().__init__(reason)
        self.path, self.reason = path, reason


class TerminalChat:
    """Reads lines, feeds the journey, prints what it says."""

    def __init__(self, handle: Callable[[int, Input], Iterable[Output]], *, letters_dir: Path,
                 max_upload_bytes: int, read_line: Callable[[str], str] = input,
                 out: TextIO = sys.stdout, user_id: int = TERMINAL_USER_ID) -> None:
        self.handle = handle
        self.letters_dir = letters_dir
        self.max_upload_bytes = max_upload_bytes
        self.read_line = read_line
        self.out = out
        self.user_id = user_id
        self.buttons: list[str] = []        # data of the buttons on screen, by number - 1
        self.saved: list[Path] = []
        self._delivery: Delivery | None = None   # documents written, not yet moved in
        self._captions: list[str] = []

    def run(self) -> int:
        self.tidy()
        self.say(INTRO + "\n")
        self.feed(Command("resume"))
        while True:
            try:
                line = self.read_line("> ")
            except EOFError:
                self.say("\nBye. Your progress is saved; run the same command to continue.\n")
                return 0
            except KeyboardInterrupt:
                self.say("\nBye.\n")
                return 130
            event = self.parse(line)
            if event is not None:
                self.feed(event)

    # -- input ------------------------------------------------------------------
    def parse(self, line: str) -> Input | None:
        text = line.strip()
        if not text:
            return None
        if text.isdigit() and self.buttons:
            number = int(text)
            if 1 <= number <= len(self.buttons):
                return Press(self.buttons[number - 1])
            if len(text) <= 2:        # a mistyped button, not a Flickr photo ID
                self.say("\n" + NO_SUCH_BUTTON.format(number=number, last=len(self.buttons)) + "\n")
                return None
        if _COMMAND.match(text):
            name, _, payload = text[1:].partition(" ")
            return Command(name.split("@")[0].lower(), payload.strip())
        path = self._as_file(text)
        if path is not None:
            return self._upload(path)
        problem = self._path_problem(text)
        if problem is not None:       # meant as a file, but not one: say so here
            self.say("\n" + problem + "\n")
            return None
        return Text(line.replace("\\n", "\n").strip())

    @staticmethod
    def _candidates(text: str) -> list[Path]:
        """What the line could name as a file: its one shell word (quotes undone), or the
        whole line when it is a path with unquoted spaces (it has a "/")."""
        out = []
        try:
            parts = shlex.split(text)
        except ValueError:
            parts = []
        if len(parts) == 1:
            out.append(Path(parts[0]).expanduser())
        whole = text.strip("'\"")
        if " " in whole and "/" in whole:
            out.append(Path(whole).expanduser())
        return out

    def _as_file(self, text: str) -> Path | None:
        for candidate in self._candidates(text):
            try:
                if candidate.is_file():
                    return candidate
            except (OSError, ValueError):
                continue
        return None

    def _path_problem(self, text: str) -> str | None:
        """A plain sentence when the line is plainly a path (it has a "/" or starts with
        "~") to something that is not a regular file, or to nothing; or a bare image file
        name that does not exist. None for anything else, which goes to the journey."""
        if "://" in text:
            return None
        word = text.strip("'\"")
        if "/" in word or word.startswith("~"):
            for candidate in self._candidates(text):
                try:
                    if candidate.is_dir():
                        return NOT_A_FILE_FOLDER.format(path=candidate)
                    if os.path.lexists(candidate):
                        return NOT_A_FILE_SPECIAL.format(path=candidate)
                except (OSError, ValueError):
                    continue
        explicit = word.startswith(("/", "~", "./", "../"))
        image_name = Path(word).suffix.lower() in IMAGE_SUFFIXES
        if (explicit and (image_name or " " not in word)) or (
                image_name and "/" not in word and " " not in word):
            return NO_SUCH_FILE.format(path=word)
        return None

    def _upload(self, path: Path) -> Upload | None:
        mime = mimetypes.guess_type(path.name)[0]
        try:
            size = path.stat().st_size
            if size > self.max_upload_bytes:
                return Upload(None, size, path.name, mime, as_photo=False)
            with open(path, "rb") as fh:
                data = fh.read(self.max_upload_bytes + 1)
        except OSError as exc:
            self.say("\n" + CANNOT_READ.format(path=path, reason=exc.strerror or exc) + "\n")
            return None
        return Upload(data, len(data), path.name, mime, as_photo=False)

    # -- output ------------------------------------------------------------------
    def tidy(self) -> None:
        """At start-up: clear what a killed save left in the letters folder (rightsbot's own
        temp folders and files only), finishing a delivery that was being moved in."""
        try:
            leftovers = clean_stale_temps(self.letters_dir)
        except OSError:
            return               # an unreadable folder is reported when letters are saved
        if leftovers.finished:
            self.say(FINISHED_EARLIER.format(folder=self.letters_dir) + "\n")

    def feed(self, event: Input) -> None:
        outputs = iter(self.handle(self.user_id, event))
        saved_before = len(self.saved)
        try:
            for output in outputs:
                self.show(output)
            self._move_in()
        except (_SaveFailed, RightsbotError) as failed:
            # Stop the turn where it is: the journey saves nothing of an unfinished turn,
            # so the person is back where they were (before "Make my letters"), with
            # nothing recorded; the chat goes on, as the Telegram bot does.
            close = getattr(outputs, "close", None)
            if close is not None:
                close()
            self._discard()
            for path in self.saved[saved_before:]:      # no half set of letters left behind
                with contextlib.suppress(OSError):
                    path.unlink()
            del self.saved[saved_before:]
            if isinstance(failed, _SaveFailed):
                self.say("\n" + CANNOT_SAVE.format(path=failed.path, reason=failed.reason) + "\n")
            else:
                self.say(f"\n{str(failed)[:1].upper()}{str(failed)[1:]}\n")
        finally:
            self._discard()       # a turn cut short (Ctrl-C, a bug): no temp left behind

    def show(self, output: Output) -> None:
        if isinstance(output, Document):
            self._write(output)
            return
        if isinstance(output, Typing):
            return
        self._move_in()           # the documents before this message were one delivery
        if isinstance(output, Album):          # a terminal shows the links, to open in a browser
            captions = list(output.captions) + [""] * len(output.urls)
            self.say("".join(f"  {url}" + (f"  ({caption})" if caption else "") + "\n"
                             for url, caption in zip(output.urls, captions)))
            return
        if isinstance(output, Reply):
            self.say("\n" + output.text + "\n")
            if output.buttons:
                self.buttons = []
                for row in output.buttons:
                    labels = []
                    for button in row:
                        self.buttons.append(button.data)
                        labels.append(f"[{len(self.buttons)}] {button.label}")
                    self.say("  " + "   ".join(labels) + "\n")
            return

    def _write(self, document: Document) -> None:
        """Write one document into the delivery in progress (started by the first)."""
        try:
            if self._delivery is None:
                self._delivery = Delivery(self.letters_dir)
            self._delivery.add(document.filename, document.data)
        except OSError as exc:
            raise _SaveFailed(self.letters_dir / safe_filename(document.filename),
                              exc.strerror or str(exc)) from None
        self._captions.append(document.caption)

    def _move_in(self) -> None:
        """Move the delivery in progress into the letters folder and say what was saved."""
        delivery, captions = self._delivery, self._captions
        if delivery is None:
            return
        try:
            paths = delivery.commit()
        except OSError as exc:
            raise _SaveFailed(self.letters_dir, exc.strerror or str(exc)) from None
        self._delivery, self._captions = None, []
        for path, caption in zip(paths, captions):
            self.saved.append(path)
            self.say(f"Saved {path}" + (f"  ({caption})" if caption else "") + "\n")

    def _discard(self) -> None:
        if self._delivery is not None:
            self._delivery.discard()
        self._delivery, self._captions = None, []

    def say(self, text: str) -> None:
        self.out.write(text)
        self.out.flush()
