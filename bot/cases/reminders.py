"""When to remind a person about a letter: before its reply date, on it, and after it.

For a letter waiting for the company (sent, acknowledged, extended): 3 days before
the reply date, on the day, then weekly while it is overdue, at most 3 times. For a
letter not sent yet: one nudge a week after it was made. If the bot was down, only
the latest reminder due is sent (the earlier ones are recorded as skipped), so a
person never gets a burst of stale messages.

Each reminder has a key stored in the letter's ``reminded`` list. The daily job
records the key *before* sending (at most once: a crash between recording and
sending loses that one reminder, and the next one in the schedule still comes;
a crash after sending can never send it twice).
"""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any, Mapping

from .lifecycle import WAITING

BEFORE_DAYS = 3
OVERDUE_EVERY_DAYS = 7
OVERDUE_TIMES = 3
NUDGE_AFTER_DAYS = 7


def schedule(letter: Mapping[str, Any]) -> list[tuple[str, date]]:
    """Every reminder of ``letter`` as (key, date), in date order."""
    status = letter.get("status", "drafted")
    if status == "drafted":
        created = date.fromisoformat(letter["created"])
        return [("nudge", created + timedelta(days=NUDGE_AFTER_DAYS))]
    if status not in WAITING or not letter.get("due"):
        return []
    due = date.fromisoformat(letter["due"])
    plan = [("before", due - timedelta(days=BEFORE_DAYS)), ("due", due)]
    plan += [(f"overdue-{n}", due + timedelta(days=OVERDUE_EVERY_DAYS * n))
             for n in range(1, OVERDUE_TIMES + 1)]
    return plan


def due_now(letter: Mapping[str, Any], today: date) -> tuple[str | None, list[str]]:
    """The reminder to send today (or None) and the earlier ones to record as skipped."""
    done = set(letter.get("reminded") or ())
    waiting = [(key, day) for key, day in schedule(letter) if day <= today and key not in done]
    if not waiting:
        return None, []
    return waiting[-1][0], [key for key, _ in waiting[:-1]]
