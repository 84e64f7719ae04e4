"""The week-ahead retention notice: told once per deletion date, in the person's daytime,
"keep" moves the date, and the sweep deletes on the date it announced. Clock-controlled."""

from __future__ import annotations

from datetime import date, datetime, timedelta, timezone
from types import SimpleNamespace

import pytest

from bot.cases import book, retention
from bot.storage import Store

USER = 5150
T0 = datetime(2026, 1, 5, 12, 0, tzinfo=timezone.utc)


class Clock:
    def __init__(self, now: datetime) -> None:
        self.now = now

    def __call__(self) -> datetime:
        return self.now


@pytest.fixture
def clock():
    return Clock(T0)


@pytest.fixture
def store(tmp_path, clock):
    with Store.open(tmp_path / "storage", retention_days=30, clock=clock) as opened:
        yield opened


def told(store, now):
    return list(retention.due_notices(store, now))


def test_told_once_a_week_ahead_and_the_sweep_deletes_on_that_day(store):
    store.save_session(USER, {"step": "menu"})
    deletion = T0 + timedelta(days=30)
    assert store.keep_until(USER) == deletion
    assert told(store, T0 + timedelta(days=22)) == []                 # eight days ahead: not yet
    [notice] = told(store, T0 + timedelta(days=23, hours=1))
    assert (notice.user_id, notice.deletion, notice.cases) == (USER, deletion, 0)
    assert told(store, T0 + timedelta(days=23, hours=2)) == []        # never twice
    assert store.keep_until(USER) == deletion                          # telling is not activity
    assert store.expire(deletion - timedelta(seconds=1)) == 0
    assert store.expire(deletion) == 1
    assert store.people() == []


def test_keep_moves_the_date_and_the_new_date_gets_its_own_notice(store, clock):
    store.save_session(USER, {"step": "menu"})
    [first] = told(store, T0 + timedelta(days=24))
    clock.now = T0 + timedelta(days=25)
    assert retention.keep(store, USER) == clock.now + timedelta(days=30)
    assert store.expire(first.deletion) == 0                           # kept past the old date
    assert told(store, clock.now + timedelta(days=20)) == []
    [second] = told(store, clock.now + timedelta(days=24))
    assert second.deletion == clock.now + timedelta(days=30)


def test_a_case_waits_for_its_reply_date_and_is_counted(store):
    letter = SimpleNamespace(reference="RB-20260105-AAAAAAAAAAAAAAA1", company="ibm",
                             company_name="IBM", kind="bipa-demand", kind_title="Notice",
                             escalation="", due=date(2026, 3, 1), calendars=("US-IL",))
    book.record_delivery(store, USER, [letter], T0.date(), "US-IL")
    deletion = store.keep_until(USER)
    assert deletion.date() == date(2026, 3, 1) + timedelta(days=30)
    assert told(store, T0 + timedelta(days=40)) == []
    # Illinois: America/Chicago; 18:00 UTC is midday there
    [notice] = told(store, deletion.replace(hour=18) - timedelta(days=3))
    assert notice.cases == 1


def test_quiet_hours_wait_for_the_persons_day(store):
    letter = SimpleNamespace(reference="RB-20260105-AAAAAAAAAAAAAAA2", company="ibm",
                             company_name="IBM", kind="bipa-demand", kind_title="Notice",
                             escalation="", due=T0.date(), calendars=("US-IL",))
    book.record_delivery(store, USER, [letter], T0.date(), "US-IL")
    day = T0.replace(hour=0) + timedelta(days=26)
    assert told(store, day + timedelta(hours=7)) == []        # 01:00 in Chicago
    assert len(told(store, day + timedelta(hours=17))) == 1   # 11:00 in Chicago


def test_set_meta_refuses_to_fake_activity(store):
    from bot.errors import StorageError
    store.save_session(USER, {"step": "menu"})
    with pytest.raises(StorageError):
        store.set_meta(USER, {"last_active": "2030-01-01T00:00:00+00:00"})
