"""Making and handing over the letters, /status, /forget and deadline reminders."""

from __future__ import annotations

import io
import logging
import zipfile
from dataclasses import dataclass
from datetime import date
from typing import TYPE_CHECKING

from ..errors import RightsbotError
from . import texts
from .io import Document, Reply, Typing
from .steps import Outputs, Step, Turn

if TYPE_CHECKING:  # pragma: no cover
    from ..storage import Store

log = logging.getLogger(__name__)

ZIP_NAME = "rightsbot-letters.zip"
MAKING = "making_letters"    # session key: set while letters are being made (ISO date)
_ZIP_DATE = (1980, 1, 1, 0, 0, 0)


def zip_letters(files: list[tuple[str, bytes]]) -> bytes:
    """One ZIP of the letters, byte-identical for the same files."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for name, data in files:
            info = zipfile.ZipInfo(name, date_time=_ZIP_DATE)
            info.compress_type = zipfile.ZIP_DEFLATED
            info.external_attr = 0o644 << 16
            archive.writestr(info, data)
    return buffer.getvalue()


class Delivered(Step):
    name = "delivered"

    def prompt(self, turn: Turn) -> Outputs:
        yield Reply(texts.delivered_next(), ((turn.btn(texts.CHECK_MORE, "more"),
                                              turn.btn(texts.STATUS_BUTTON, "status")),))

    def on_press(self, turn: Turn, action: str, arg: str) -> Outputs:
        if action == "more":
            turn.session.clear_inputs()
            yield from turn.go("menu")
        elif action == "status":
            yield from self.status(turn)
        else:
            yield from super().on_press(turn, action, arg)

    def on_text(self, turn: Turn, text: str) -> Outputs:
        yield from turn.steps["menu"].on_text(turn, text)

    def make(self, turn: Turn) -> Outputs:
        """Produce the letters from the confirmed form and hand them over: the cover
        sheet first (read this first), then the letters and the files they name."""
        session, services = turn.session, turn.services
        yield Reply(texts.MAKING_LETTERS)
        yield Typing()          # the engine sends what came before a Typing at once
        # Saved now: if the process dies while the letters are made, the person is told
        # when it starts again (Journey.interrupted) and can make them again.
        session.data[MAKING] = turn.today.isoformat()
        turn.store.save_session(turn.user_id, session.data)
        outcome = None
        try:
            for kind, payload in services.make_letters_steps(
                    session.form, session.signature_image(), session.result, turn.today,
                    session.inputs["flickr"]):
                if kind == "progress":
                    yield Reply(texts.letters_progress(*payload), replace="letters-progress")
                    yield Typing()
                else:
                    outcome = payload
        except RightsbotError as exc:
            log.info("user %s: letters failed: %s", turn.user_id, type(exc).__name__)
            session.data.pop(MAKING, None)
            yield from turn.go("summary", texts.LETTERS_FAILED.format(reason=str(exc)))
            return
        session.data.pop(MAKING, None)
        letters = list(outcome.letters) if outcome is not None else []
        if not letters:
            yield from turn.go("summary", texts.NO_LETTERS_MADE)
            return
        cover = outcome.cover
        if cover is not None:
            yield Reply(cover.text())
            yield Document(cover.name, cover.pdf, texts.COVER_CAPTION)
        zipped = services.zip_threshold is not None and len(letters) > services.zip_threshold
        if zipped:
            files = [item for letter in letters for item in letter.files()]
            yield Document(ZIP_NAME, zip_letters(files), texts.zip_caption(len(letters)))
        else:
            for letter in letters:
                yield Document(letter.pdf_name, letter.pdf, texts.letter_caption(
                    letter.company_name, letter.kind_title, letter.due))
                yield Document(letter.eml_name, letter.eml, texts.EML_CAPTION)
                # the files the letter or its sending instructions name: the full exhibit
                # ("the complete list is in the file ... sent with this letter") and the
                # text to paste into a web form
                if letter.csv is not None and letter.csv_name:
                    yield Document(letter.csv_name, letter.csv, texts.CSV_CAPTION)
                if letter.txt_name in letter.how_to_send:
                    yield Document(letter.txt_name, letter.text.encode("utf-8"), texts.TXT_CAPTION)
        turn.store.add_case(turn.user_id, {
            "created": turn.today.isoformat(),
            "due": max(letter.due for letter in letters).isoformat(),   # retention keeps it till then
            "letters": [{"company": letter.company, "company_name": letter.company_name,
                         "kind": letter.kind, "reference": letter.reference,
                         "due": letter.due.isoformat(), "escalation": letter.escalation,
                         "reminded": False} for letter in letters],
        })
        session.set_signature_image(None)   # no longer needed: drop it
        log.info("user %s: %d letters delivered", turn.user_id, len(letters))
        yield from turn.go("delivered", texts.delivered(len(letters), zipped, turn.reminders))

    def status(self, turn: Turn) -> Outputs:
        cases = turn.store.cases(turn.user_id)
        if not any(case.get("letters") for case in cases):
            yield Reply(texts.NO_CASES)
        else:
            yield Reply(texts.status(cases, turn.today, turn.services.kind_title))


class ConfirmForget(Step):
    name = "confirm_forget"

    def prompt(self, turn: Turn) -> Outputs:
        yield Reply(texts.CONFIRM_FORGET, ((turn.btn(texts.FORGET_YES, "yes"),
                                            turn.btn(texts.FORGET_NO, "no")),))

    def on_press(self, turn: Turn, action: str, arg: str) -> Outputs:
        if action == "yes":
            counts = turn.store.forget(turn.user_id)
            turn.forgotten = True
            log.info("user %s: forgotten", turn.user_id)
            yield Reply(texts.forgotten(counts))
        elif action == "no":
            previous = turn.session.data.pop("before_forget", None) or "menu"
            yield from turn.go(previous if previous in turn.steps else "menu", texts.FORGET_KEPT)
        else:
            yield from super().on_press(turn, action, arg)


@dataclass(frozen=True)
class Reminder:
    """A reminder to send; :func:`mark_reminded` once it has been delivered."""
    user_id: int
    reply: Reply
    case_id: str
    reference: str


def due_reminders(store: "Store", today: date) -> list[Reminder]:
    """A reminder for each letter due by ``today`` that has not been reminded of."""
    out: list[Reminder] = []
    for user_id, case in store.iter_cases():
        for letter in case.get("letters", []):
            due = date.fromisoformat(letter["due"])
            if letter.get("reminded") or due > today:
                continue
            out.append(Reminder(user_id, Reply(texts.reminder(
                letter["company_name"], letter["reference"], due, letter["escalation"])),
                case["id"], letter["reference"]))
    return out


def mark_reminded(store: "Store", reminder: Reminder) -> None:
    """Record that ``reminder`` reached the person, so it is not sent again."""
    for case in store.cases(reminder.user_id):
        if case["id"] != reminder.case_id:
            continue
        letters = case.get("letters", [])
        for letter in letters:
            if letter["reference"] == reminder.reference:
                letter["reminded"] = True
        store.update_case(reminder.user_id, case["id"], {"letters": letters})


DELIVERY_STEPS: tuple[Step, ...] = (Delivered(), ConfirmForget())
