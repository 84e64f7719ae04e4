"""A person's cases in the store: recording a delivery, finding a letter, recording what
happened to it, and the reminders due across everyone. Plain functions over
:class:`bot.storage.Store` (its ``add_case`` / ``cases`` / ``update_case``)."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any, Callable, Iterable, Iterator, Sequence

from ..errors import InputError
from . import lifecycle, quiet, reminders

log = logging.getLogger(__name__)

MAX_KEPT_TEXTS = 400_000    # characters of letter texts kept in one case (enclosures)


def record_delivery(store: Any, user_id: int, produced: Sequence[Any], on: date,
                    residence: str, sender: dict | None = None) -> str:
    """Store the letters of one delivery as a case (all drafted); returns its id.
    ``sender`` (name, address lines, email) signs the follow-ups and complaints; it is
    deleted with the case."""
    letters = [lifecycle.new_letter(p, on, residence) for p in produced]
    budget = MAX_KEPT_TEXTS
    for letter in letters:      # a case must stay well inside the store's size limit
        budget -= len(letter["text"])
        if budget < 0:
            letter["text"] = ""
    zone = next((c.get("tz") for c in store.cases(user_id) if c.get("tz")), None)
    return store.add_case(user_id, {"created": on.isoformat(), "due": _latest_due(letters),
                                    "sender": sender or {}, "tz": zone or quiet.zone_for(residence),
                                    "letters": letters})


def zone_of(store: Any, user_id: int) -> str:
    """The time zone the person's reminders follow (their latest case's)."""
    zones = [c.get("tz") for c in store.cases(user_id) if c.get("tz")]
    return zones[-1] if zones else quiet.DEFAULT_ZONE


def set_zone(store: Any, user_id: int, zone: str) -> None:
    for case in store.cases(user_id):
        store.update_case(user_id, case["id"], {"tz": zone})


def sender_of(store: Any, user_id: int, reference: str) -> dict:
    for case in store.cases(user_id):
        if any(letter.get("reference") == reference for letter in case.get("letters", [])):
            return dict(case.get("sender") or {})
    raise InputError(f"no letter with reference {reference}")


def letters(store: Any, user_id: int) -> list[tuple[str, dict]]:
    """Every letter of the person as (case id, letter), oldest case first."""
    out = []
    for case in store.cases(user_id):
        for letter in case.get("letters", []):
            out.append((case["id"], _upgraded(case, letter)))
    return out


def find(store: Any, user_id: int, reference: str) -> tuple[str, dict]:
    for case_id, letter in letters(store, user_id):
        if letter.get("reference") == reference:
            return case_id, letter
    raise InputError(f"no letter with reference {reference}")


def update(store: Any, user_id: int, reference: str,
           change: Callable[[dict], dict]) -> dict:
    """Apply ``change`` to the letter ``reference``; store and return the new letter."""
    for case in store.cases(user_id):
        items = [_upgraded(case, letter) for letter in case.get("letters", [])]
        for i, letter in enumerate(items):
            if letter.get("reference") == reference:
                items[i] = change(letter)
                store.update_case(user_id, case["id"], {"letters": items,
                                                        "due": _latest_due(items)})
                return items[i]
    raise InputError(f"no letter with reference {reference}")


def mark_all(store: Any, user_id: int, references: Iterable[str],
             change: Callable[[dict], dict]) -> int:
    count = 0
    for reference in references:
        update(store, user_id, reference, change)
        count += 1
    return count


@dataclass(frozen=True)
class DueReminder:
    user_id: int
    reference: str
    key: str                 # which reminder of the schedule (see bot.cases.reminders)
    letter: dict


def due_reminders(store: Any, today: date, now: datetime | None = None) -> Iterator[DueReminder]:
    """Every reminder due by ``today`` that was not sent, one per letter; with ``now``,
    only for people for whom it is not quiet hours (bot.cases.quiet)."""
    for user_id, case in store.iter_cases():
        if now is not None:
            zone = case.get("tz") or quiet.zone_for(
                next((l.get("residence", "") for l in case.get("letters", [])), ""))
            if quiet.quiet(zone, now):
                continue
        for letter in case.get("letters", []):
            letter = _upgraded(case, letter)
            key, _ = reminders.due_now(letter, today)
            if key is not None:
                yield DueReminder(user_id, letter["reference"], key, letter)


def claim_reminder(store: Any, reminder: DueReminder, today: date) -> bool:
    """Record ``reminder`` (and the earlier ones it replaces) as sent, before sending
    it; False if another run already did (then do not send it)."""
    return reminder.reference in claim_reminders(store, reminder.user_id, [reminder], today)


def claim_reminders(store: Any, user_id: int, due: Sequence[DueReminder], today: date) -> set[str]:
    """:func:`claim_reminder` for several reminders of one person, with one write per
    case; returns the references claimed now."""
    wanted = {r.reference: r.key for r in due}
    claimed: set[str] = set()
    for case in store.cases(user_id):
        items = [_upgraded(case, letter) for letter in case.get("letters", [])]
        changed = False
        for i, letter in enumerate(items):
            key = wanted.get(letter.get("reference"))
            if key is None:
                continue
            now, skipped = reminders.due_now(letter, today)
            if now != key:
                continue
            items[i] = {**letter, "reminded": [*letter.get("reminded", []), *skipped, key]}
            claimed.add(letter["reference"])
            changed = True
        if changed:
            store.update_case(user_id, case["id"], {"letters": items})
    return claimed


def _upgraded(case: dict, letter: dict) -> dict:
    if "created" not in letter and case.get("created"):
        letter = {**letter, "created": case["created"]}
    return lifecycle.upgrade(letter)


def _latest_due(items: Sequence[dict]) -> str | None:
    """The case keeps the latest date any letter may still need (retention keeps it)."""
    dates = [letter["due"] for letter in items if letter.get("due")]
    return max(dates) if dates else None
