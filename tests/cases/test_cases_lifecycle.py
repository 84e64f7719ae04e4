"""A letter's life as data: marks append to the history, reply dates are counted again
from the sending date by each law's rule (business days without weekends and public
holidays, month ends, leap days), reminders fall on the right days, exactly once."""

from __future__ import annotations

from datetime import date, timedelta
from types import SimpleNamespace

import pytest

from bot.cases import lifecycle, reminders
from bot.cases.deadlines import DeadlineCounter
from bot.errors import InputError
from bot.letters.rules import load_rules

RULES = load_rules()
COUNTER = DeadlineCounter(RULES, 30)


def letter(kind: str, made: date, residence: str, calendars=("US-IL",)) -> dict:
    produced = SimpleNamespace(reference="RB-20260101-AAAAAAAAAAAAAAAA", company="meta",
                               company_name="Meta", kind=kind, kind_title=RULES.get(kind).title,
                               escalation="Complain.", due=made + timedelta(days=30),
                               calendars=calendars)
    return lifecycle.new_letter(produced, made, residence)


def sent(item: dict, on: date, medium: str = "email") -> dict:
    return lifecycle.mark(item, "sent", on, due_from=COUNTER.due_from,
                          extended_from=COUNTER.extended_from, medium=medium)


@pytest.mark.parametrize("kind, residence, calendars, made, on, medium, due", [
    # BIPA: the sender's 30 days; 26 Nov 2026 is Thanksgiving: the next business day
    ("bipa-demand", "US-IL", ("US-IL",), date(2026, 10, 20), date(2026, 10, 27), "email",
     date(2026, 11, 27)),
    # by post: 5 more days for the letter to arrive (by email the same day: 23 November)
    ("bipa-demand", "US-IL", ("US-IL",), date(2026, 10, 20), date(2026, 10, 22), "post",
     date(2026, 11, 27)),
    ("bipa-demand", "US-IL", ("US-IL",), date(2026, 10, 20), date(2026, 10, 22), "email",
     date(2026, 11, 23)),
    # CCPA: 45 calendar days, Christmas moves it on
    ("ccpa", "US-CA", ("US-CA",), date(2026, 11, 1), date(2026, 11, 10), "email",
     date(2026, 12, 28)),
    # GDPR one month from 31 January of a leap year: 29 February (a Tuesday)
    ("gdpr", "DE", ("DE",), date(2028, 1, 20), date(2028, 1, 31), "email", date(2028, 2, 29)),
    # GDPR one month from 31 March: 30 April (a Sunday in 2028 -> Monday 1 May is a holiday
    # in Germany -> Tuesday 2 May)
    ("gdpr", "DE", ("DE",), date(2028, 3, 1), date(2028, 3, 31), "email", date(2028, 5, 2)),
])
def test_sending_counts_the_reply_date_again(kind, residence, calendars, made, on, medium, due):
    item = sent(letter(kind, made, residence, calendars), on, medium)
    assert item["status"] == "sent" and item["sent"] == on.isoformat()
    assert item["due"] == due.isoformat()
    assert item["history"][-1] == {"on": on.isoformat(), "status": "sent", "due": due.isoformat(),
                                   "medium": medium}


def test_history_is_appended_never_overwritten():
    item = letter("ccpa", date(2026, 11, 1), "US-CA", ("US-CA",))
    item = sent(item, date(2026, 11, 2))
    first_due = item["due"]
    item = lifecycle.mark(item, "extended", date(2026, 12, 1), due_from=COUNTER.due_from,
                          extended_from=COUNTER.extended_from)
    assert date.fromisoformat(item["due"]) >= date.fromisoformat(first_due) + timedelta(days=45)
    item = lifecycle.mark(item, "refused", date(2027, 1, 5), due_from=COUNTER.due_from,
                          reason="  we   do not\nhold it ")
    assert [h["status"] for h in item["history"]] == ["drafted", "sent", "extended", "refused"]
    assert item["history"][1]["due"] == first_due              # the first date is still there
    assert item["history"][-1]["reason"] == "we do not hold it"
    assert lifecycle.view(item, date(2027, 1, 6)).label == "refused"


def test_an_extension_under_a_law_without_one_keeps_the_date():
    item = sent(letter("bipa-demand", date(2026, 11, 1), "US-IL"), date(2026, 11, 2))
    extended = lifecycle.mark(item, "extended", date(2026, 11, 20), due_from=COUNTER.due_from,
                              extended_from=COUNTER.extended_from)
    assert extended["due"] == item["due"] and extended["history"][-1]["status"] == "extended"


@pytest.mark.parametrize("status, on, medium, words", [
    ("overdue", date(2026, 11, 2), None, "unknown status"),
    ("sent", date(2026, 10, 1), None, "before the letter was made"),
    ("sent", date(2026, 11, 2), "pigeon", "unknown medium"),
])
def test_bad_marks_are_plain_errors(status, on, medium, words):
    with pytest.raises(InputError, match=words):
        lifecycle.mark(letter("ccpa", date(2026, 11, 1), "US-CA"), status, on,
                       due_from=COUNTER.due_from, medium=medium)


def test_overdue_is_derived_not_stored():
    item = sent(letter("bipa-demand", date(2026, 11, 1), "US-IL"), date(2026, 11, 2))
    due = date.fromisoformat(item["due"])
    assert not lifecycle.view(item, due).overdue
    later = lifecycle.view(item, due + timedelta(days=1))
    assert later.overdue and later.label == f"overdue since {due.isoformat()}"
    assert item["status"] == "sent"


def test_the_reminder_schedule_and_catching_up():
    item = sent(letter("bipa-demand", date(2026, 11, 1), "US-IL"), date(2026, 11, 2))
    due = date.fromisoformat(item["due"])
    plan = dict(reminders.schedule(item))
    assert plan == {"before": due - timedelta(days=3), "due": due,
                    "overdue-1": due + timedelta(days=7), "overdue-2": due + timedelta(days=14),
                    "overdue-3": due + timedelta(days=21)}
    assert reminders.due_now(item, due - timedelta(days=4)) == (None, [])
    assert reminders.due_now(item, due - timedelta(days=3)) == ("before", [])
    # the bot was down for a fortnight: only the latest one, the others recorded as skipped
    assert reminders.due_now(item, due + timedelta(days=15)) == (
        "overdue-2", ["before", "due", "overdue-1"])
    item["reminded"] = ["before", "due", "overdue-1", "overdue-2", "overdue-3"]
    assert reminders.due_now(item, due + timedelta(days=100)) == (None, [])


def test_a_letter_not_sent_gets_one_nudge_and_a_closed_one_none():
    item = letter("bipa-demand", date(2026, 11, 1), "US-IL")
    assert reminders.schedule(item) == [("nudge", date(2026, 11, 8))]
    closed = lifecycle.mark(sent(item, date(2026, 11, 2)), "closed", date(2026, 11, 3),
                            due_from=COUNTER.due_from)
    assert reminders.schedule(closed) == []
