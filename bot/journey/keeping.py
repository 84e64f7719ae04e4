"""Before retention deletes a person: the week-ahead notice, with "Keep" and "Delete
everything now". Its buttons carry ``R:<action>`` instead of a step's nonce, so they
work on the notice whenever it is pressed, whatever step the person is in. The domain
is :mod:`bot.cases.retention`."""

from __future__ import annotations

import logging
from datetime import datetime
from typing import TYPE_CHECKING

from ..cases import retention
from . import texts
from .io import Button, Output, Reply
from .steps import Outputs, Turn

if TYPE_CHECKING:  # pragma: no cover
    from ..storage import Store

log = logging.getLogger(__name__)

KEEP_PRESS = "R:"
ACTIONS = ("keep", "forget")


def parse_keep_press(data: str) -> str | None:
    if not data.startswith(KEEP_PRESS):
        return None
    action = data[len(KEEP_PRESS):]
    return action if action in ACTIONS else None


def retention_notices(store: "Store", now: datetime,
                      retention_days: int) -> list[tuple[int, list[Output]]]:
    """(user id, what to send) for everyone to tell now, each recorded as told first."""
    keyboard = ((Button(texts.KEEP_BUTTON, f"{KEEP_PRESS}keep"),),
                (Button(texts.FORGET_NOW_BUTTON, f"{KEEP_PRESS}forget"),))
    return [(n.user_id, [Reply(texts.retention_notice(n.deletion.date(), n.cases, retention_days),
                               keyboard)])
            for n in retention.due_notices(store, now)]


def on_keep_press(turn: Turn, action: str) -> Outputs:
    if action == "forget":
        session = turn.session
        if session.step != "confirm_forget":
            session.data["before_forget"] = session.step
        yield from turn.go("confirm_forget")
        return
    until = retention.keep(turn.store, turn.user_id)
    log.info("user %s kept their records", turn.user_id)
    yield from turn.reprompt(texts.kept(until.date()) if until else "")
