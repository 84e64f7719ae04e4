"""The reply dates of a person's letters as an iCalendar file (RFC 5545), written with
the ``icalendar`` library (folding, escaping and line ends are its job).

One all-day event per open letter on its reply date, with an alarm the day before.
Each event's UID is built from the letter's reference, so importing a newer export
updates the events instead of duplicating them (its SEQUENCE grows with the letter's
history); DTSTAMP is the day the letter was made, so the same letters always give
the same file.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta, timezone
from typing import Any, Iterable, Mapping

from icalendar import Alarm, Calendar, Event

from .lifecycle import view

PRODID = "-//rightsbot//letters//EN"


def calendar(letters: Iterable[Mapping[str, Any]], today: date) -> bytes:
    """The .ics bytes for ``letters`` (letters at an end are left out)."""
    cal = Calendar()
    cal.add("prodid", PRODID)
    cal.add("version", "2.0")
    cal.add("calscale", "GREGORIAN")
    cal.add("method", "PUBLISH")
    for letter in letters:
        state = view(letter, today)
        if not state.open or state.next_date is None:
            continue
        company = letter.get("company_name") or letter.get("company", "")
        title = letter.get("kind_title") or letter.get("kind", "")
        made = date.fromisoformat(letter.get("created") or state.next_date.isoformat())
        event = Event()
        event.add("uid", f"{letter['reference']}@rightsbot")
        event.add("sequence", len(letter.get("history", ())))
        event.add("dtstamp", datetime(made.year, made.month, made.day, tzinfo=timezone.utc))
        event.add("dtstart", state.next_date)
        event.add("dtend", state.next_date + timedelta(days=1))
        event.add("summary", f"Reply due: {company}")
        event.add("description", f"{title}. Reference {letter['reference']}. Status: "
                                 f"{state.label}. Not legal advice.")
        event.add("transp", "TRANSPARENT")
        alarm = Alarm()
        alarm.add("action", "DISPLAY")
        alarm.add("trigger", timedelta(days=-1))
        alarm.add("description", f"Tomorrow: {company}'s reply is due")
        event.add_component(alarm)
        cal.add_component(event)
    return cal.to_ical()
