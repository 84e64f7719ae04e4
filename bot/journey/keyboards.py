"""Small pure builders for the journey's buttons.

Button data is ``"<nonce>:<action>[:<arg>]"``: the nonce ties a keyboard to
the step that drew it, so a press on an older keyboard is recognised as stale.
Data never carries personal data: actions and args are fixed words, page
numbers, list positions or company slugs.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Iterable, Sequence

from .io import Button, Keyboard


@dataclass(frozen=True)
class Pressed:
    nonce: int
    action: str
    arg: str


def button(nonce: int, label: str, action: str, arg: str = "") -> Button:
    data = f"{nonce}:{action}:{arg}" if arg else f"{nonce}:{action}"
    return Button(label, data)


def parse_press(data: str) -> Pressed | None:
    """The parts of a button's data, or None when it is not ours."""
    parts = data.split(":", 2)
    if len(parts) < 2 or not (parts[0].isascii() and parts[0].isdigit()) or not parts[1]:
        return None
    return Pressed(int(parts[0]), parts[1], parts[2] if len(parts) == 3 else "")


def rows(buttons: Sequence[Button], per_row: int) -> Keyboard:
    return tuple(tuple(buttons[i:i + per_row]) for i in range(0, len(buttons), per_row))


def keyboard(*button_rows: Iterable[Button]) -> Keyboard:
    return tuple(tuple(r) for r in button_rows if r)
