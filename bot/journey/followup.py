"""Following the letters up in the chat: when they were sent, /status, recording what a
company answered, reminders, and the calendar file.

Buttons about one letter carry ``L:<reference>:<action>`` instead of a step's nonce:
they stay valid on any older message (a reminder pressed days later), and the
reference is a random code, not personal data. The domain is :mod:`bot.cases`.
"""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass
from datetime import date, datetime
from typing import TYPE_CHECKING, Iterator

from ..cases import book, lifecycle
from ..cases.calendar import calendar
from ..cases.escalation import next_steps
from ..cases.quiet import parse_zone
from ..errors import InputError, RightsbotError
from . import texts
from .io import Button, Document, Reply
from .keyboards import rows
from .steps import Outputs, Step, Turn

if TYPE_CHECKING:  # pragma: no cover
    from ..storage import Store

log = logging.getLogger(__name__)

LETTER_PRESS = "L:"
CALENDAR_NAME = "rightsbot-reply-dates.ics"
_ISO = re.compile(r"(\d{4})-(\d{1,2})-(\d{1,2})")
_DMY = re.compile(r"(\d{1,2})[./](\d{1,2})[./](\d{4})")


def letter_button(label: str, reference: str, action: str) -> Button:
    return Button(label, f"{LETTER_PRESS}{reference}:{action}")


def parse_letter_press(data: str) -> tuple[str, str] | None:
    if not data.startswith(LETTER_PRESS):
        return None
    reference, _, action = data[len(LETTER_PRESS):].partition(":")
    return (reference, action) if reference and action else None


def _counter(turn: Turn):
    return turn.services.deadline_counter()


def _mark(turn: Turn, reference: str, status: str, on: date, medium: str | None = None) -> dict:
    counter = _counter(turn)
    return book.update(turn.store, turn.user_id, reference, lambda letter: lifecycle.mark(
        letter, status, on, due_from=counter.due_from, extended_from=counter.extended_from,
        medium=medium))


def parse_sent_date(text: str, earliest: date, today: date) -> tuple[date, str | None]:
    """A sending date typed by a person ("2026-11-30", "30.11.2026", "... post")."""
    medium = "post" if re.search(r"\bpost\b", text, re.IGNORECASE) else None
    found = _ISO.search(text)
    parts = (found.group(1), found.group(2), found.group(3)) if found else None
    if parts is None and (found := _DMY.search(text)):
        parts = (found.group(3), found.group(2), found.group(1))
    if parts is None:
        raise InputError(texts.BAD_SENT_DATE)
    try:
        day = date(int(parts[0]), int(parts[1]), int(parts[2]))
    except ValueError:
        raise InputError(texts.BAD_SENT_DATE) from None
    if not earliest <= day <= today:
        raise InputError(texts.BAD_SENT_DATE)
    return day, medium


class SentWhen(Step):
    """Right after delivery: when are the letters sent? One answer for all of them, or one
    per company ("sent_queue" holds the companies still to ask, each with its letters)."""

    name = "sent_when"

    def prompt(self, turn: Turn) -> Outputs:
        queue = turn.session.data.get("sent_queue")
        if queue:
            company, references = queue[0]
            number = turn.session.data.get("sent_companies", len(queue)) - len(queue) + 1
            yield Reply(texts.ask_sent_company(company, len(references), number,
                                               turn.session.data.get("sent_companies", 1)),
                        ((turn.btn(texts.SENT_TODAY_EMAIL, "today", "email"),),
                         (turn.btn(texts.SENT_TODAY_POST, "today", "post"),),
                         (turn.btn(texts.SENT_OTHER_DAY, "other"),
                          turn.btn(texts.SENT_NOT_YET, "later"))))
            return
        companies = len(self._by_company(turn))
        yield Reply(texts.ASK_SENT, ((turn.btn(texts.SENT_TODAY_EMAIL, "today", "email"),),
                                     (turn.btn(texts.SENT_TODAY_POST, "today", "post"),),
                                     (turn.btn(texts.SENT_OTHER_DAY, "other"),
                                      turn.btn(texts.SENT_NOT_YET, "later")),
                                     *(((turn.btn(texts.SENT_EACH, "each"),),)
                                       if companies > 1 else ()),
                                     (turn.btn(texts.CHECK_MORE, "more"),
                                      turn.btn(texts.STATUS_BUTTON, "status"))))

    def on_press(self, turn: Turn, action: str, arg: str) -> Outputs:
        data = turn.session.data
        if action == "today" and arg in ("email", "post"):
            yield from self.record(turn, turn.today, arg)
        elif action == "other":
            data["asking_sent_date"] = True
            yield Reply(texts.ASK_SENT_DATE_ONE if data.get("sent_queue") else texts.ASK_SENT_DATE,
                        ((turn.btn(texts.SENT_NOT_YET, "later"),),))
        elif action == "each" and not data.get("sent_queue"):
            queue = [[company, refs] for company, refs in self._by_company(turn).items()]
            data.update(sent_queue=queue, sent_companies=len(queue), sent_dues=[], sent_later=[])
            yield from self.prompt(turn)
        elif action == "later" and data.get("sent_queue"):
            data.pop("asking_sent_date", None)
            company, _ = data["sent_queue"].pop(0)
            data["sent_later"].append(company)
            yield from self._next_company(turn)
        elif action == "later":
            data.pop("asking_sent_date", None)
            yield from turn.go("delivered", texts.NOT_SENT_YET)
        elif action == "more":          # not now: their letters stay "not sent yet"
            self._clear(turn)
            turn.session.clear_inputs()
            yield from turn.go("menu")
        elif action == "status":
            yield from status(turn)
        else:
            yield from super().on_press(turn, action, arg)

    def on_text(self, turn: Turn, text: str) -> Outputs:
        if not turn.session.data.get("asking_sent_date"):
            yield from super().on_text(turn, text)
            return
        created = date.fromisoformat(turn.session.data.get("delivered_on") or turn.today.isoformat())
        try:
            day, medium = parse_sent_date(text, created, turn.today)
        except InputError as exc:
            yield Reply(str(exc), ((turn.btn(texts.SENT_NOT_YET, "later"),),))
            return
        yield from self.record(turn, day, medium or "email")

    def record(self, turn: Turn, day: date, medium: str) -> Outputs:
        data = turn.session.data
        data.pop("asking_sent_date", None)
        queue = data.get("sent_queue")
        references = queue[0][1] if queue else (data.get("delivered_refs") or [])
        dues = []
        for reference in references:
            letter = _mark(turn, reference, "sent", day, medium)
            dues.append((letter["company_name"], date.fromisoformat(letter["due"])))
        log.info("user %s: %d letters marked sent", turn.user_id, len(dues))
        if not queue:
            yield from turn.go("delivered", texts.sent_noted(len(dues), day, dues))
            return
        queue.pop(0)
        data["sent_dues"] += [[company, day.isoformat(), due.isoformat()] for company, due in dues]
        yield from self._next_company(turn)

    def _next_company(self, turn: Turn) -> Outputs:
        data = turn.session.data
        if data.get("sent_queue"):
            yield from self.prompt(turn)
            return
        dues = [(c, date.fromisoformat(s), date.fromisoformat(d))
                for c, s, d in data.get("sent_dues", [])]
        later = list(data.get("sent_later", []))
        self._clear(turn)
        yield from turn.go("delivered", texts.sent_each_noted(dues, later))

    @staticmethod
    def _clear(turn: Turn) -> None:
        for key in ("asking_sent_date", "sent_queue", "sent_companies", "sent_dues", "sent_later"):
            turn.session.data.pop(key, None)

    @staticmethod
    def _by_company(turn: Turn) -> dict[str, list[str]]:
        """The delivered letters' references by company name, in the order they were made."""
        out: dict[str, list[str]] = {}
        for reference in turn.session.data.get("delivered_refs") or []:
            try:
                _, letter = book.find(turn.store, turn.user_id, reference)
            except InputError:
                continue          # deleted since (retention, /forget)
            out.setdefault(letter["company_name"], []).append(reference)
        return out


def status(turn: Turn) -> Outputs:
    """/status: every letter with where it stands, a button per open letter, a calendar."""
    items = book.letters(turn.store, turn.user_id)
    if not items:
        yield Reply(texts.NO_CASES)
        return
    lines, buttons = [texts.STATUS_HEAD], []
    for _, letter in items:
        state = lifecycle.view(letter, turn.today)
        lines.append(texts.status_line(letter["company_name"], _title(turn, letter),
                                       letter["reference"], state.label, state.next_date))
        if state.open:
            buttons.append(letter_button(texts.update_button(letter["company_name"]),
                                         letter["reference"], "open"))
    buttons.append(letter_button(texts.CALENDAR_BUTTON, "all", "ics"))
    buttons.append(letter_button(texts.ZONE_BUTTON.format(zone=book.zone_of(turn.store, turn.user_id)),
                                 "all", "tz"))
    yield Reply("\n".join(lines), rows(buttons, 2))


def on_letter_press(turn: Turn, reference: str, action: str) -> Outputs:
    """A button about one letter (from /status, a card or a reminder)."""
    if action == "ics" and reference == "all":
        yield from _calendar(turn)
        return
    if action == "tz" and reference == "all":
        if turn.session.step != "reminder_zone":
            turn.session.data["before_zone"] = turn.session.step
        yield from turn.go("reminder_zone")
        return
    try:
        _, letter = book.find(turn.store, turn.user_id, reference)
    except InputError:
        yield Reply(texts.NO_CASES)      # forgotten or deleted since
        return
    if action == "open":
        yield _card(turn, letter)
        return
    marks = {"sent": "sent", "acknowledged": "acknowledged", "complied": "complied",
             "refused": "refused", "asked-id": "asked-id", "extended": "extended",
             "closed": "closed", "partly": "partly"}
    if action in ("followup", "complaint", "id-reply"):
        yield from _next_letter(turn, letter, action)
        return
    if action == "nothing":       # nothing recorded: guidance, then the card's buttons
        yield Reply(texts.AFTER["nothing"], _buttons(turn, letter, ("closed",)))
        return
    if action == "channel":       # nothing recorded until they send it again
        yield Reply(texts.AFTER["channel"], _buttons(turn, letter, ("sent", "closed")))
        return
    if action not in marks:
        yield Reply(texts.STALE_BUTTON)
        return
    try:
        letter = _mark(turn, reference, marks[action], turn.today,
                       "email" if action == "sent" else None)
    except RightsbotError as exc:
        yield Reply(str(exc))
        return
    log.info("user %s: letter marked %s", turn.user_id, marks[action])
    text = texts.AFTER.get(action, "Noted.").format(due=letter["due"],
                                                    escalation=letter.get("escalation", ""))
    steps = next_steps(letter, turn.today, turn.services.letters.rules)
    follow = {"complied": ("closed",), "asked-id": (*steps, "acknowledged", "refused", "closed"),
              "refused": (*steps, "closed"), "partly": (*steps, "complied", "closed")}.get(action, ())
    yield Reply(text, _buttons(turn, letter, follow) if follow else ())


def _next_letter(turn: Turn, letter: dict, kind: str) -> Outputs:
    """Make the follow-up or the complaint, hand it over, record it in the letter's life."""
    if kind not in next_steps(letter, turn.today, turn.services.letters.rules):
        yield Reply(texts.NOT_YET_NEXT)
        return
    try:
        sender = book.sender_of(turn.store, turn.user_id, letter["reference"]) or {
            k: turn.session.form.get(k) for k in ("name", "address", "email")}
        made = turn.services.next_letters().make(kind, letter, sender, turn.today)
    except RightsbotError as exc:
        yield Reply(texts.LETTERS_FAILED.format(reason=str(exc)))
        return
    book.update(turn.store, turn.user_id, letter["reference"], lambda item: lifecycle.record_next(
        item, kind, turn.today, made.due, made.recipient, made.document.reference,
        made.own_text))
    log.info("user %s: %s letter made", turn.user_id, kind)
    name, pdf = made.files()[0]
    yield Document(name, pdf, texts.next_letter_made(kind, made.recipient, made.how, made.note,
                                                     made.due))
    yield Document(made.files()[1][0], made.eml, texts.EML_CAPTION)


def _card(turn: Turn, letter: dict) -> Reply:
    state = lifecycle.view(letter, turn.today)
    steps = next_steps(letter, turn.today, turn.services.letters.rules)
    actions = (("sent",) if state.status == "drafted" else
               (*steps, "acknowledged", "complied", "refused", "asked-id", "nothing", "channel",
                "extended", "closed"))
    return Reply(texts.letter_card(letter["company_name"], _title(turn, letter),
                                   letter["reference"], state.label, letter.get("history", [])),
                 _buttons(turn, letter, actions))


def _buttons(turn: Turn, letter: dict, actions: tuple[str, ...]):
    return rows([letter_button(texts.BUTTONS[a], letter["reference"], a) for a in actions], 2)


def _title(turn: Turn, letter: dict) -> str:
    return turn.services.kind_title(letter.get("kind", ""))


def _calendar(turn: Turn) -> Outputs:
    letters = [letter for _, letter in book.letters(turn.store, turn.user_id)]
    if not any(lifecycle.view(letter, turn.today).open for letter in letters):
        yield Reply(texts.NO_OPEN_LETTERS)
        return
    yield Document(CALENDAR_NAME, calendar(letters, turn.today), texts.CALENDAR_CAPTION)


def due_summary(store: "Store", user_id: int, today: date, within_days: int = 7) -> str:
    """What is overdue or due within a week, for a door that cannot send reminders (the
    terminal chat shows it when it starts); "" when nothing is."""
    lines = []
    for _, letter in book.letters(store, user_id):
        state = lifecycle.view(letter, today)
        if state.open and state.next_date is not None and (
                state.overdue or (state.next_date - today).days <= within_days):
            lines.append(f"- {letter['company_name']} (ref {letter['reference']}): {state.label}"
                         + ("" if state.overdue else f", due {state.next_date.isoformat()}"))
    return texts.due_summary(lines) if lines else ""


@dataclass(frozen=True)
class Reminder:
    """A reminder to send (already recorded as sent: see bot.cases.reminders)."""
    user_id: int
    reply: Reply
    reference: str
    key: str


def claim_reminders(store: "Store", today: date, now: datetime | None = None) -> Iterator[Reminder]:
    """Every reminder due today (outside the person's quiet hours when ``now`` is given),
    each recorded before it is handed out (at most once), with one write per person."""
    by_person: dict[int, list[book.DueReminder]] = {}
    for due in book.due_reminders(store, today, now):
        by_person.setdefault(due.user_id, []).append(due)
    for user_id, dues in by_person.items():
        try:
            claimed = book.claim_reminders(store, user_id, dues, today)
        except RightsbotError as exc:
            log.error("reminders for user %s not recorded: %s", user_id, type(exc).__name__)
            continue
        for due in dues:
            if due.reference in claimed:
                yield _reminder(due)


def _reminder(due: "book.DueReminder") -> Reminder:
    letter = due.letter
    if due.key == "nudge":
        actions: tuple[str, ...] = ("sent",)
    elif due.key.startswith("overdue"):
        actions = ("followup", "acknowledged", "complied", "refused", "asked-id", "extended")
    else:
        actions = ("acknowledged", "complied", "refused", "asked-id", "extended")
    buttons = rows([letter_button(texts.BUTTONS[a], letter["reference"], a) for a in actions], 2)
    text = texts.reminder(due.key, letter["company_name"], letter["reference"],
                          date.fromisoformat(letter["due"]), letter.get("escalation", ""))
    return Reminder(due.user_id, Reply(text, buttons), letter["reference"], due.key)


class ReminderZone(Step):
    """The time zone of the person's reminders (9:00 to 20:00 there)."""

    name = "reminder_zone"

    def prompt(self, turn: Turn) -> Outputs:
        yield Reply(texts.ask_zone(book.zone_of(turn.store, turn.user_id)),
                    ((turn.btn(texts.BACK, "back"),),))

    def on_press(self, turn: Turn, action: str, arg: str) -> Outputs:
        if action == "back":
            yield from turn.go(self._previous(turn))
        else:
            yield from super().on_press(turn, action, arg)

    def on_text(self, turn: Turn, text: str) -> Outputs:
        try:
            zone = parse_zone(text)
        except InputError as exc:
            yield Reply(str(exc), ((turn.btn(texts.BACK, "back"),),))
            return
        book.set_zone(turn.store, turn.user_id, zone)
        log.info("user %s: reminder time zone changed", turn.user_id)
        yield from turn.go(self._previous(turn), texts.zone_set(zone))

    @staticmethod
    def _previous(turn: Turn) -> str:
        previous = turn.session.data.pop("before_zone", None) or "menu"
        return previous if previous in turn.steps and previous != "reminder_zone" else "menu"


FOLLOWUP_STEPS: tuple[Step, ...] = (SentWhen(), ReminderZone())

