"""The journey engine: one input in, the outputs out, the session saved.

Doors call :meth:`Journey.handle` once per input, one input per person at a
time, and render what it yields. Commands (/start, /help, /privacy, /cancel,
/status, /forget) work in every step; anything a step does not expect gets a
plain re-prompt; nothing is stored before the person agrees.
"""

from __future__ import annotations

import logging
from datetime import date, datetime
from typing import TYPE_CHECKING, Callable, Iterator

from . import texts
from . import campaign
from .campaign import CAMPAIGN_STEPS
from .checking import CHECKING_STEPS
from ..errors import RightsbotError
from .delivery import DELIVERY_STEPS, MAKING
from .followup import FOLLOWUP_STEPS, Reminder, claim_reminders, due_summary, on_letter_press, \
    parse_letter_press, status
from .form import FORM_STEPS
from .keeping import on_keep_press, parse_keep_press, retention_notices
from .shown import SHOWN_STEPS
from .io import Command, Input, Output, Press, Reply, Text, Typing, Upload
from .keyboards import button, keyboard, parse_press
from .session import Session
from .steps import Step, Turn

if TYPE_CHECKING:  # pragma: no cover
    from ..storage import Store
    from .services import Services

log = logging.getLogger(__name__)

WELCOME_NONCE = 0
_INTERRUPTED = Command("_interrupted")    # internal: the last letters job never finished


def _is_command(event: Input, *names: str) -> bool:
    return isinstance(event, Command) and event.name.lower() in names


class Journey:
    """The conversation, independent of any chat system."""

    def __init__(self, services: "Services", store: "Store", *,
                 today: Callable[[], date] = date.today, reminders: bool = True,
                 operator: bool = False) -> None:
        """``reminders``: whether the door sends deadline reminders (the terminal chat,
        closed between runs, cannot: the journey then does not promise them).
        ``operator``: the person at the door runs the bot and can read its files anyway
        (the terminal chat): they are the organiser of every registered campaign."""
        self.services = services
        self.store = store
        self.today = today
        self.reminders = reminders
        self.operator = operator
        self.steps: dict[str, Step] = {}
        for step in (*CHECKING_STEPS, *SHOWN_STEPS, *FORM_STEPS, *DELIVERY_STEPS, *FOLLOWUP_STEPS,
                     *CAMPAIGN_STEPS):
            self.steps[step.name] = step

    # -- the one entry point -------------------------------------------------
    def handle(self, user_id: int, event: Input) -> Iterator[Output]:
        """Advance ``user_id``'s journey by one input.

        The session is saved before the last output is yielded, so a door that
        has shown everything has also persisted it.
        """
        try:
            stored = self.store.load_session(user_id)
        except RightsbotError as exc:
            # a damaged file is set aside by the store (for the operator, erased by /forget
            # and by retention); the person starts afresh instead of being stuck
            log.warning("user %s: session unreadable (%s); starting afresh", user_id,
                        type(exc).__name__)
            stored = self.store.load_session(user_id)
        session = Session(stored)
        if stored is not None and session.step not in self.steps:
            log.warning("user %s: unknown saved step %r, back to the menu", user_id, session.step)
            session.go("menu")
        turn = Turn(user_id, session, self.services, self.today(), self.steps, store=self.store,
                    reminders=self.reminders, operator=self.operator)
        if session.data.get(MAKING) and not _is_command(event, "start", "help", "privacy",
                                                        "status", "forget", "cancel"):
            # the last turn died while making letters (the process stopped): say so
            # instead of answering an input that was sent to a conversation that stopped
            event = _INTERRUPTED
        pending: Output | None = None
        for output in self._dispatch(turn, event):
            if isinstance(output, Typing):
                # a slow step follows: what was said before it must be seen now
                if pending is not None:
                    yield pending
                    pending = None
                yield output
                continue
            if pending is not None:
                yield pending
            pending = output
        if turn.forgotten:
            pass  # the store has already erased this person; save nothing
        elif session.consented:
            session.touch()
            self.store.save_session(user_id, session.data)
        if pending is not None:
            yield pending

    def interrupted(self) -> list[tuple[int, list[Output]]]:
        """Tell everyone whose letters were being made when the process stopped: for each,
        (user id, what to send them). Call once at start, before any input is handled."""
        told = []
        for user_id in self.store.people():
            try:
                stored = self.store.load_session(user_id)
            except RightsbotError as exc:
                log.warning("user %s: session unreadable at start: %s", user_id,
                            type(exc).__name__)
                continue
            if not stored or not stored.get(MAKING):
                continue
            told.append((user_id, list(self.handle(user_id, _INTERRUPTED))))
        if told:
            log.info("start: %d person(s) told their letters were interrupted", len(told))
        return told

    def due_reminders(self, today: date, now: datetime | None = None) -> list[Reminder]:
        """The reminders due by ``today`` (before, on and after each reply date; see
        bot.cases.reminders), each recorded as sent before it is returned: a crash after
        this call loses at most those, and never sends one twice."""
        return list(claim_reminders(self.store, today, now))

    def retention_notices(self, now: datetime) -> list[tuple[int, list[Output]]]:
        """Whom retention deletes within a week, with what to tell them (each recorded as
        told before it is returned, so never twice). Call daily, before the sweep."""
        return retention_notices(self.store, now, self.services.retention_days)

    # -- routing -----------------------------------------------------------------
    def _dispatch(self, turn: Turn, event: Input) -> Iterator[Output]:
        session = turn.session
        if event is _INTERRUPTED:
            session.data.pop(MAKING, None)
            log.info("user %s: letters were interrupted; offered again", turn.user_id)
            yield from turn.go("summary", texts.LETTERS_INTERRUPTED)
            return
        if isinstance(event, Command):
            session.data.pop(MAKING, None)
            yield from self._command(turn, event)
            return
        if not session.consented:
            yield from self._before_consent(turn, event)
            return
        step = self.steps[session.step]
        if isinstance(event, Press) and (keeping := parse_keep_press(event.data)):
            yield from on_keep_press(turn, keeping)      # the retention notice's buttons
            return
        if isinstance(event, Press) and (about := parse_letter_press(event.data)):
            yield from on_letter_press(turn, *about)     # valid on any message, any step
            return
        if isinstance(event, Press):
            pressed = parse_press(event.data)
            if pressed is None or pressed.nonce != session.nonce:
                yield from turn.reprompt(texts.STALE_BUTTON)
                return
            turn.pressed = True
            yield from step.on_press(turn, pressed.action, pressed.arg)
        elif isinstance(event, Text):
            if event.text.startswith("/"):
                yield Reply(texts.help_text(self.reminders))
                yield from turn.reprompt()
            else:
                yield from step.on_text(turn, event.text)
        elif isinstance(event, Upload):
            yield from step.on_upload(turn, event)
        else:
            yield from turn.reprompt(texts.UNSUPPORTED)

    def _before_consent(self, turn: Turn, event: Input) -> Iterator[Output]:
        pressed = parse_press(event.data) if isinstance(event, Press) else None
        if pressed is not None and pressed.action == "agree":
            turn.session.consent()
            log.info("user %s agreed", turn.user_id)
            if pressed.arg:         # the welcome of a campaign's join link (its slug)
                yield from campaign.begin_slug(turn, pressed.arg)
                return
            yield from turn.go("menu")
            return
        if pressed is not None and pressed.action == "privacy":
            yield Reply(texts.privacy(self.services.retention_days))
            yield self._welcome(pressed.arg)
            return
        else:
            yield Reply(texts.NOT_YET_AGREED)
        yield self._welcome()

    def _welcome(self, campaign_slug: str = "") -> Reply:
        """``campaign_slug``: the welcome of a campaign's join link (kept in the buttons:
        nothing is stored before the person agrees)."""
        return Reply(texts.welcome(self.services.retention_days), keyboard(
            [button(WELCOME_NONCE, texts.AGREE, "agree", campaign_slug)],
            [button(WELCOME_NONCE, texts.PRIVACY_BUTTON, "privacy", campaign_slug)]))

    def _command(self, turn: Turn, command: Command) -> Iterator[Output]:
        session, name = turn.session, command.name.lower()
        retention = self.services.retention_days
        if name == "start":
            joined = campaign.lookup(turn, command.payload) if command.payload else None
            if command.payload and joined is None:
                yield Reply(campaign.ctexts.UNKNOWN_JOIN_CODE)   # then the normal bot
            if not session.consented:
                yield campaign.welcome(self._welcome(joined.slug if joined else ""), joined)
                return
            if joined is not None:
                yield from campaign.begin(turn, joined)
                return
            session.clear_inputs()
            yield from turn.go("menu")
        elif name == "resume":     # a door reopening (the terminal chat starting again)
            if not session.consented:
                yield self._welcome()
                return
            due = "" if self.reminders else due_summary(self.store, turn.user_id, turn.today)
            yield from turn.reprompt(f"{due}\n\n{texts.WELCOME_BACK}" if due else texts.WELCOME_BACK)
        elif name in ("help", "privacy"):
            yield Reply(texts.help_text(self.reminders) if name == "help" else texts.privacy(retention))
            if session.consented:
                yield from turn.reprompt()
            else:
                yield self._welcome()
        elif name == "cancel":
            if not session.consented:
                yield self._welcome()
                return
            yield from turn.go("menu", texts.CANCELLED)
        elif name == "status":
            yield from status(turn)
        elif name == "forget":
            if not session.consented and not self.store.cases(turn.user_id):
                # nothing usable is stored, but a damaged file set aside may hold their
                # details: erase every file of theirs all the same, and say what went
                counts = self.store.forget(turn.user_id)
                turn.forgotten = True
                yield Reply(texts.forgotten(counts))
                return
            if session.step != "confirm_forget":
                session.data["before_forget"] = session.step
            yield from turn.go("confirm_forget")
        elif name == "leave" and session.consented:
            yield from campaign.leave_command(turn)
        elif name in campaign.ORGANISER_COMMANDS and (organised := campaign.organised(turn)):
            yield from campaign.organiser_command(turn, name, command.payload, organised)
        else:
            yield Reply(texts.help_text(self.reminders))
            if session.consented:
                yield from turn.reprompt()
