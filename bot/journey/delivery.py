"""Making and handing over the letters, and /forget (follow-up: :mod:`.followup`)."""

from __future__ import annotations

import io
import logging
import zipfile
from typing import TYPE_CHECKING

from ..errors import RightsbotError
from . import texts
from ..cases import book
from . import followup
from .io import Document, Reply, Typing
from .steps import Outputs, Step, Turn


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
        # Saved before anything is said: if the process dies while the letters are made
        # (even right after "Making your letters..." arrived), the person is told when it
        # starts again (Journey.interrupted) and can make them again.
        session.data[MAKING] = turn.today.isoformat()
        turn.store.save_session(turn.user_id, session.data)
        yield Reply(texts.MAKING_LETTERS)
        yield Typing()          # the engine sends what came before a Typing at once
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
        form = session.form
        book.record_delivery(turn.store, turn.user_id, letters, turn.today,
                             form.get("residence", ""),
                             {"name": form.get("name", ""), "address": list(form.get("address", [])),
                              "email": form.get("email", "")})
        session.data["delivered_refs"] = [letter.reference for letter in letters]
        for key in ("sent_queue", "sent_companies", "sent_dues", "sent_later", "asking_sent_date"):
            session.data.pop(key, None)      # a new delivery asks afresh
        session.data["delivered_on"] = turn.today.isoformat()
        session.set_signature_image(None)   # no longer needed: drop it
        log.info("user %s: %d letters delivered", turn.user_id, len(letters))
        yield from turn.go("sent_when", texts.delivered(len(letters), zipped, turn.reminders))

    def status(self, turn: Turn) -> Outputs:
        yield from followup.status(turn)


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


DELIVERY_STEPS: tuple[Step, ...] = (Delivered(), ConfirmForget())
