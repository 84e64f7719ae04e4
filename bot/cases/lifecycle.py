"""A letter's life after it is made: sent, answered, overdue, escalated, closed.

A case is what one delivery of letters left in storage; each of its letters is a
JSON-safe dict (the store keeps it as is)::

    {"reference", "company", "company_name", "kind", "kind_title", "escalation",
     "status", "created", "sent", "medium", "due", "residence", "calendars",
     "history": [{"on", "status", "medium"?, "reason"?}, ...], "reminded": [...]}

Every change is appended to ``history`` with its date; nothing is overwritten.
"overdue" is never stored: a letter waiting for an answer whose ``due`` date has
passed *is* overdue (:func:`view`). The vocabulary follows Consumer Reports' Data
Rights Protocol (open, needs user verification, fulfilled, denied, ...) in words a
person uses.

Deadlines count from the day the letter was sent, plus :data:`POST_ALLOWANCE_DAYS`
for a letter sent by post (the law counts from receipt; a first-class letter within
the US takes one to five days), by the letter kind's own rule
(:mod:`bot.letters.rules`, business days without weekends and public holidays).
"""

from __future__ import annotations

import copy
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any, Callable, Mapping

from ..errors import InputError

STATUSES = ("drafted", "sent", "acknowledged", "extended", "asked-id", "partly", "refused",
            "complied", "followed-up", "escalated", "closed")
# what a person (or `rightsbot cases mark`) can record; "drafted" is where a letter starts
MARKS = ("sent", "acknowledged", "extended", "asked-id", "partly", "refused", "complied",
         "escalated", "closed")
WAITING = frozenset({"sent", "acknowledged", "extended", "followed-up"})   # the company's turn
OPEN = WAITING | {"drafted", "asked-id", "partly", "refused"}  # not yet at an end
MEDIA = ("post", "email", "webform")
POST_ALLOWANCE_DAYS = 5
MAX_KEPT_TEXT = 40_000     # characters of a letter's text kept to enclose later

# (new letter due date) for a letter of ``kind`` counted from ``start``: given by the
# letters' rules (see bot.cases.deadlines.DeadlineCounter)
DueFrom = Callable[[Mapping[str, Any], date], date]
ExtendedFrom = Callable[[Mapping[str, Any], date], date | None]


def new_letter(produced: Any, on: date, residence: str) -> dict[str, Any]:
    """The case record of a letter just made (a ProducedLetter): drafted, not yet sent."""
    return {
        "reference": produced.reference, "company": produced.company,
        "company_name": produced.company_name, "kind": produced.kind,
        "kind_title": produced.kind_title, "escalation": produced.escalation,
        "status": "drafted", "created": on.isoformat(), "sent": None, "medium": None,
        "due": produced.due.isoformat(), "residence": residence,
        "recipient": list(getattr(getattr(produced, "document", None), "recipient", ()) or ()),
        "calendars": list(getattr(produced, "calendars", ()) or ()),
        "history": [{"on": on.isoformat(), "status": "drafted"}], "reminded": [],
        # a copy of the letter's text, enclosed with its follow-up and complaint (deleted with
        # the case); too long a letter is not kept, and the sender encloses their own copy
        "text": text if len(text := getattr(produced, "text", "") or "") <= MAX_KEPT_TEXT else "",
    }


def mark(letter: Mapping[str, Any], status: str, on: date, *, due_from: DueFrom,
         extended_from: ExtendedFrom | None = None, medium: str | None = None,
         reason: str | None = None) -> dict[str, Any]:
    """A copy of ``letter`` with ``status`` recorded on ``on`` (history appended).

    "sent" recounts the reply date from ``on`` (plus the post allowance); "extended"
    moves it to the law's extension; other marks keep it."""
    if status not in MARKS:
        raise InputError(f"unknown status {status!r}; use one of: {', '.join(MARKS)}")
    if medium is not None and medium not in MEDIA:
        raise InputError(f"unknown medium {medium!r}; use one of: {', '.join(MEDIA)}")
    created = date.fromisoformat(letter["created"])
    if on < created:
        raise InputError(f"{on.isoformat()} is before the letter was made ({created.isoformat()})")
    if reason is not None:
        reason = " ".join(reason.split())[:500]
    out = copy.deepcopy(dict(letter))
    entry: dict[str, Any] = {"on": on.isoformat(), "status": status}
    if status == "sent":
        start = on + timedelta(days=POST_ALLOWANCE_DAYS if medium == "post" else 0)
        out["sent"], out["medium"] = on.isoformat(), medium
        out["due"] = due_from(out, start).isoformat()
        out["reminded"] = []                    # reminders count from the new date
        entry["due"] = out["due"]
        if medium:
            entry["medium"] = medium
    elif status == "extended":
        later = extended_from(out, date.fromisoformat(out["due"])) if extended_from else None
        if later is not None and later > date.fromisoformat(out["due"]):
            out["due"] = later.isoformat()
            out["reminded"] = [k for k in out.get("reminded", []) if k.startswith("nudge")]
        entry["due"] = out["due"]
    if reason:
        entry["reason"] = reason
    out["status"] = status
    out["history"] = [*out.get("history", []), entry]
    return out


def record_next(letter: Mapping[str, Any], kind: str, on: date, due: date,
                recipient: str, reference: str = "", text: str = "") -> dict[str, Any]:
    """A copy of ``letter`` after its next letter was made: a follow-up waits for the
    company again until ``due``; a complaint marks it escalated. The next letter's
    ``text`` is kept to enclose with a later complaint."""
    out = copy.deepcopy(dict(letter))
    if text and len(text) <= MAX_KEPT_TEXT and kind != "complaint":
        out["next_letters"] = [*out.get("next_letters", []), {
            "kind": kind, "reference": reference, "on": on.isoformat(), "text": text}][-3:]
    if kind in ("followup", "id-reply"):
        out.update(status="followed-up", due=due.isoformat(), reminded=[])
        entry = {"on": on.isoformat(), "status": "followed-up", "due": due.isoformat()}
        if kind == "id-reply":
            entry["reason"] = "replied to the request for identification"
    else:
        out["status"] = "escalated"
        entry = {"on": on.isoformat(), "status": "escalated", "reason": f"complaint to {recipient}"}
    out["history"] = [*out.get("history", []), entry]
    return out


@dataclass(frozen=True)
class LetterView:
    """Where a letter stands today, in words a person reads."""
    status: str           # as stored
    label: str            # "waiting for a reply", "overdue", ...
    next_date: date | None
    overdue: bool
    open: bool


LABELS = {
    "drafted": "not sent yet", "sent": "sent, waiting for a reply",
    "acknowledged": "received by the company, waiting for a reply",
    "extended": "the company extended its deadline", "asked-id": "the company asked for more information",
    "partly": "partly answered", "refused": "refused", "complied": "done: the company complied",
    "followed-up": "followed up, waiting for a reply",
    "escalated": "complaint made", "closed": "closed",
}


def view(letter: Mapping[str, Any], today: date) -> LetterView:
    status = letter.get("status") or ("sent" if letter.get("sent") else "drafted")
    due = date.fromisoformat(letter["due"]) if letter.get("due") else None
    overdue = status in WAITING and due is not None and due < today
    label = f"overdue since {due.isoformat()}" if overdue else LABELS.get(status, status)
    return LetterView(status, label, due if status in OPEN else None, overdue, status in OPEN)


def upgrade(letter: Mapping[str, Any]) -> dict[str, Any]:
    """A letter saved before its life was tracked (status, history) in today's shape."""
    out = dict(letter)
    if "status" not in out:
        created = out.get("created") or out.get("due")
        out["status"] = "drafted"
        out.setdefault("created", created)
        out.setdefault("sent", None)
        out.setdefault("medium", None)
        out["history"] = [{"on": created, "status": "drafted"}]
        reminded = out.get("reminded")
        out["reminded"] = ["due"] if reminded is True else (reminded if isinstance(reminded, list) else [])
    return out
