"""Quiet hours: a person's reminders come between 9:00 and 20:00 their time, in a zone
taken from where they live and changeable in the chat."""

from __future__ import annotations

from datetime import date, datetime, timedelta, timezone
from types import SimpleNamespace

import pytest

from bot.cases import book, lifecycle, quiet
from bot.cases.deadlines import DeadlineCounter
from bot.errors import InputError
from bot.letters.rules import load_rules
from bot.storage import Store

COUNTER = DeadlineCounter(load_rules(), 30)
MADE = date(2026, 11, 2)


@pytest.mark.parametrize("residence, zone", [
    ("US-IL", "America/Chicago"), ("US-CA", "America/Los_Angeles"), ("US-AZ", "America/Phoenix"),
    ("DE-BE", "Europe/Berlin"), ("FR", "Europe/Paris"), ("GB", "Europe/London"),
    ("CA", "America/Toronto"), ("JP", "Asia/Tokyo"), ("", "UTC"), ("XX", "UTC"),
])
def test_the_zone_follows_the_residence(residence, zone):
    assert quiet.zone_for(residence) == zone


def test_quiet_hours_in_the_persons_zone():
    at = datetime(2026, 12, 1, 16, 0, tzinfo=timezone.utc)     # 10:00 Chicago, 17:00 Berlin
    assert not quiet.quiet("America/Chicago", at) and not quiet.quiet("Europe/Berlin", at)
    assert quiet.quiet("Asia/Tokyo", at)                          # 01:00 there
    assert quiet.quiet("America/Los_Angeles", at)                 # 08:00: not yet
    assert quiet.parse_zone(" europe/berlin ") == "Europe/Berlin"
    assert quiet.parse_zone("utc") == "UTC"
    with pytest.raises(InputError, match="Europe/Berlin"):
        quiet.parse_zone("Springfield")


def test_reminders_wait_for_the_persons_day(tmp_path):
    produced = SimpleNamespace(reference="RB-20261102-QQQQQQQQQQQQQQQQ", company="meta",
                               company_name="Meta", kind="bipa-demand", kind_title="Notice",
                               escalation="x", due=MADE + timedelta(days=30), calendars=())
    with Store.open(tmp_path / "storage") as store:
        book.record_delivery(store, 1, [produced], MADE, "US-CA")
        book.update(store, 1, produced.reference, lambda item: lifecycle.mark(
            item, "sent", MADE, due_from=COUNTER.due_from))
        (_, item), = book.letters(store, 1)
        due = date.fromisoformat(item["due"])
        night = datetime.combine(due, datetime.min.time(), timezone.utc) + timedelta(hours=9)
        assert list(book.due_reminders(store, due, night)) == []      # 1:00 in California
        day = night + timedelta(hours=9)                                # 10:00 there
        assert [r.key for r in book.due_reminders(store, due, day)] == ["due"]
        book.set_zone(store, 1, "Asia/Tokyo")
        assert list(book.due_reminders(store, due, day)) == []        # 3:00 in Tokyo
        assert book.zone_of(store, 1) == "Asia/Tokyo"
