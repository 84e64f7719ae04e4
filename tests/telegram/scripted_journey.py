"""A small recording journey for door tests: a test double with the Journey's shape
(``handle(user_id, event) -> Iterator[Output]``, ``due_reminders(today)``), whose
answers make each door behaviour visible. The real journey is tested in tests/journey/."""

from __future__ import annotations

import random
import threading
import time
from datetime import date
from typing import Iterator

from bot.journey.io import (Album, Button, Command, Document, Input, Output, Press, Reply, Text, Typing,
                            Unsupported, Upload)

PDF = b"%PDF-1.7\n% scripted test letter\n" + bytes(range(256)) * 40


class ScriptedJourney:
    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.inputs: list[tuple[int, Input]] = []
        self.finished: list[tuple[int, Input]] = []     # turns whose generator ran to the end
        self.bob_arrived = threading.Event()
        self.release = threading.Event()
        self.reminders: list = []          # bot.journey.followup.Reminder items
        self.reminder_days: list[date] = []

    def received(self, user_id: int | None = None) -> list[Input]:
        with self.lock:
            return [e for u, e in self.inputs if user_id is None or u == user_id]

    def handle(self, user_id: int, event: Input) -> Iterator[Output]:
        with self.lock:
            self.inputs.append((user_id, event))
        yield from self._answer(user_id, event)
        with self.lock:
            self.finished.append((user_id, event))

    def _answer(self, user_id: int, event: Input) -> Iterator[Output]:
        if isinstance(event, Command):
            if event.name == "start":
                yield Reply(f"welcome {event.payload}".strip(),
                            ((Button("Yes", "yes"), Button("No", "no")),))
            elif event.name == "keyboard":
                yield Reply("Pick one", ((Button("Same", "same"),), (Button("Next", "next"),)))
            else:
                yield Reply(f"command {event.name} {event.payload}".strip())
        elif isinstance(event, Press):
            if event.data == "same":          # identical text and keyboard: "not modified"
                yield Reply("Pick one", ((Button("Same", "same"),), (Button("Next", "next"),)),
                            edit=True)
            else:
                yield Reply(f"pressed {event.data}", edit=True)
        elif isinstance(event, Upload):
            yield Reply(f"upload size={event.size} data={'yes' if event.data else 'no'} "
                        f"photo={event.as_photo} group={event.group} mime={event.mime} "
                        f"name={event.filename}")
        elif isinstance(event, Unsupported):
            yield Reply(f"unsupported {event.kind}")
        elif isinstance(event, Text):
            yield from self._text(user_id, event.text)

    def _text(self, user_id: int, text: str) -> Iterator[Output]:
        if text == "doc":
            yield Typing()
            yield Document("letter-ibm.pdf", PDF, "Your letter to IBM")
        elif text.startswith("album"):       # "album N": N pictures by URL, the 2nd one dead
            count = int(text.split()[1]) if len(text.split()) > 1 else 3
            urls = tuple(f"https://pics.example.org/{'dead' if i == 1 else 'ok'}/{i}.jpg"
                         for i in range(count))
            yield Album(urls, tuple(f"picture {i}" for i in range(count)))
            yield Reply("shown")
        elif text == "longcaption":
            yield Document("notes.txt", b"notes", "c" * 1500)
        elif text.startswith("boom"):        # a bug whose message quotes what the person typed
            raise RuntimeError(f"journey bug while handling {text!r}")
        elif text == "progress":
            yield Reply("checking 1/3", replace="progress")
            yield Reply("checking 3/3", replace="progress")
            yield Reply("done")
        elif text == "long":
            yield Reply("word " * 2000, ((Button("OK", "ok"),),))
        elif text == "threads":              # which thread runs each part of the turn
            yield Reply(f"thread {threading.get_ident()}")
            yield Typing()
            time.sleep(0.05)
            yield Reply(f"thread {threading.get_ident()}")
        elif text == "block":                # a slow turn that ends when the test says so
            yield Typing()
            released = self.release.wait(15)
            yield Reply("released" if released else "never released")
        elif text == "sleep":                # a slow step, to stop the bot in the middle of
            yield Typing()
            time.sleep(1.5)
            yield Reply("slept")
        elif text == "wait-for-bob":
            seen = self.bob_arrived.wait(15)
            yield Reply("alice saw bob" if seen else "alice waited in vain")
        elif text == "bob":
            self.bob_arrived.set()
            yield Reply("bob here")
        elif text.startswith("n"):           # ordering: a random pause, then an echo
            time.sleep(random.uniform(0, 0.03))
            yield Reply(f"echo {text}")
        else:
            yield Reply(f"echo {text}")

    def due_reminders(self, today: date, now=None) -> list:
        """Like the journey: each reminder is handed out once (recorded before sending)."""
        self.reminder_days.append(today)
        handed, self.reminders = list(self.reminders), []
        return handed

    def interrupted(self) -> list:
        return []

    def retention_notices(self, now) -> list:
        return []

