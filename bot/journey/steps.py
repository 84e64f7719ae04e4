"""The shape every step of the journey has, and the turn it runs in.

A step asks its question (:meth:`Step.prompt`) and reacts to what comes back.
Handlers are generators of outputs; they change ``turn.session`` in place and
move it with ``turn.go(step)``, which also yields the next step's prompt.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from dataclasses import dataclass, field, replace
from datetime import date
from typing import TYPE_CHECKING, Any, Callable, Iterable, Iterator

from . import texts
from .io import Keyboard, Output, Reply, Upload
from .keyboards import button
from .session import Session

if TYPE_CHECKING:  # pragma: no cover
    from .services import Services

Outputs = Iterator[Output]


@dataclass
class Turn:
    """Everything a step handler needs for one input."""

    user_id: int
    session: Session
    services: "Services"
    today: date
    steps: dict[str, "Step"] = field(default_factory=dict)
    store: Any = None          # the bot's Store (cases, forget)
    pressed: bool = False      # this input is a button press (prompts may edit in place)
    forgotten: bool = False    # the person was erased during this turn: save nothing
    reminders: bool = True     # the door sends deadline reminders (not the terminal chat)
    operator: bool = False     # the person at the door runs the bot (the terminal chat)

    def go(self, step: str, lead: str = "") -> Outputs:
        """Move to ``step`` and ask its question, ``lead`` said first in the same message."""
        self.session.go(step)
        yield from with_lead(self.steps[step].prompt(self), lead)

    def reprompt(self, lead: str = "") -> Outputs:
        """Ask the current step's question again, ``lead`` said first in the same message."""
        yield from with_lead(self.steps[self.session.step].prompt(self), lead)

    def btn(self, label: str, action: str, arg: str = ""):
        return button(self.session.nonce, label, action, arg)

    def reply(self, text: str, buttons: Keyboard = ()) -> Reply:
        return Reply(text, buttons)


def with_lead(outputs: Iterable[Output], lead: str) -> Outputs:
    """``outputs`` with ``lead`` put in front of the first message's text.

    One message instead of two: people read one thing at a time, and Telegram
    counts every message against the bot's sending limit."""
    if not lead:
        yield from outputs
        return
    for output in outputs:
        if lead and isinstance(output, Reply):
            output = replace(output, text=f"{lead}\n\n{output.text}")
            lead = ""
        yield output
    if lead:
        yield Reply(lead)


class Step(ABC):
    """Base step: sensible answers for anything unexpected."""

    name = ""

    @abstractmethod
    def prompt(self, turn: Turn) -> Outputs:
        """Ask this step's question."""

    # The re-prompts ask the *current* step's question (turn.reprompt), not this
    # step's: a step that hands an input to another (results -> menu) must never
    # show buttons that the step the person is at cannot answer.
    def on_text(self, turn: Turn, text: str) -> Outputs:
        yield from turn.reprompt(texts.UNEXPECTED_TEXT)

    def on_press(self, turn: Turn, action: str, arg: str) -> Outputs:
        yield from turn.reprompt(texts.STALE_BUTTON)

    def on_upload(self, turn: Turn, upload: Upload) -> Outputs:
        yield from turn.reprompt(texts.UNEXPECTED_UPLOAD)


StepFactory = Callable[[], Step]
