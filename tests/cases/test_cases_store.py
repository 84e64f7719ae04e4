"""Cases in the real store: a delivery recorded, letters marked, reminders claimed once
(across a restart, and with a kill between handing out and sending), and the calendar
file read back by an independent parser."""

from __future__ import annotations

from datetime import date, timedelta
from types import SimpleNamespace

import pytest
from icalendar import Calendar

from bot.cases import book, lifecycle
from bot.cases.calendar import calendar
from bot.cases.deadlines import DeadlineCounter
from bot.letters.rules import load_rules
from bot.storage import Store

USER = 777
MADE = date(2026, 11, 2)
COUNTER = DeadlineCounter(load_rules(), 30)


def produced(company: str, reference: str) -> SimpleNamespace:
    return SimpleNamespace(reference=reference, company=company,
                           company_name=f"{company.title()}, Inc.; \"Q\"", kind="bipa-demand",
                           kind_title="Notice and demand", escalation="Talk to a lawyer.",
                           due=MADE + timedelta(days=30), calendars=("US-IL",))


@pytest.fixture
def store(tmp_path):
    with Store.open(tmp_path / "storage") as opened:
        yield opened


def deliver(store) -> list[str]:
    refs = ["RB-20261102-AAAAAAAAAAAAAAA1", "RB-20261102-AAAAAAAAAAAAAAA2"]
    book.record_delivery(store, USER, [produced("meta", refs[0]), produced("ibm", refs[1])],
                         MADE, "US-IL")
    return refs


def mark_sent(store, reference: str, on: date) -> dict:
    return book.update(store, USER, reference, lambda item: lifecycle.mark(
        item, "sent", on, due_from=COUNTER.due_from, medium="email"))


def test_a_delivery_is_a_case_of_drafted_letters(store):
    refs = deliver(store)
    items = book.letters(store, USER)
    assert [item["reference"] for _, item in items] == refs
    assert all(item["status"] == "drafted" for _, item in items)
    sent = mark_sent(store, refs[0], MADE + timedelta(days=1))
    (case,) = store.cases(USER)
    assert case["due"] == max(item["due"] for item in case["letters"])     # retention keeps it
    assert book.find(store, USER, refs[0])[1] == sent


def test_each_reminder_is_handed_out_once_even_across_restarts(store, tmp_path):
    refs = deliver(store)
    item = mark_sent(store, refs[0], MADE)
    due = date.fromisoformat(item["due"])
    found = list(book.due_reminders(store, due))
    mine = [r for r in found if r.reference == refs[0]]
    assert [r.key for r in mine] == ["due"]
    assert book.claim_reminder(store, mine[0], due)            # recorded before sending ...
    # ... the process is killed before the message goes out, then starts again:
    store.close()
    with Store.open(tmp_path / "storage") as again:
        assert [r for r in book.due_reminders(again, due) if r.reference == refs[0]] == []
        assert not book.claim_reminder(again, mine[0], due)   # a second claim is refused
        later = [r for r in book.due_reminders(again, due + timedelta(days=7))
                 if r.reference == refs[0]]
        assert [r.key for r in later] == ["overdue-1"]         # the schedule goes on


def test_the_calendar_reads_back_with_stable_uids(store):
    refs = deliver(store)
    mark_sent(store, refs[0], MADE)
    items = [item for _, item in book.letters(store, USER)]
    first = calendar(items, MADE)
    again = calendar([item for _, item in book.letters(store, USER)], MADE + timedelta(days=3))
    parsed = Calendar.from_ical(first)
    events = parsed.walk("VEVENT")
    assert [str(e["uid"]) for e in events] == [f"{r}@rightsbot" for r in refs]
    assert [str(e["uid"]) for e in Calendar.from_ical(again).walk("VEVENT")] == \
        [str(e["uid"]) for e in events]
    sent = next(e for e in events if str(e["uid"]).startswith(refs[0]))
    assert sent.decoded("dtstart") == date.fromisoformat(items[0]["due"])
    assert str(sent["summary"]) == 'Reply due: Meta, Inc.; "Q"'     # escaped, read back whole
    (alarm,) = sent.walk("VALARM")
    assert alarm.decoded("trigger") == timedelta(days=-1)
    assert all(len(line) <= 75 for line in first.split(b"\r\n"))
    closed = book.update(store, USER, refs[1], lambda item: lifecycle.mark(
        item, "closed", MADE, due_from=COUNTER.due_from))
    assert closed["status"] == "closed"
    remaining = Calendar.from_ical(calendar([i for _, i in book.letters(store, USER)], MADE))
    assert [str(e["uid"]) for e in remaining.walk("VEVENT")] == [f"{refs[0]}@rightsbot"]


def test_letters_saved_before_tracking_are_read_in_todays_shape(store):
    store.add_case(USER, {"created": "2026-11-02", "due": "2026-12-02", "letters": [
        {"company": "meta", "company_name": "Meta", "kind": "bipa-notice",
         "reference": "RB-OLD", "due": "2026-12-02", "escalation": "x", "reminded": True}]})
    ((_, item),) = book.letters(store, USER)
    assert item["status"] == "drafted" and item["created"] == "2026-11-02"
    assert item["reminded"] == ["due"] and item["history"][0]["status"] == "drafted"
