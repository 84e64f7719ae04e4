"""The TinyDB store: round trips, JSON checks, batching, cases, corrupt files."""

from __future__ import annotations

import json
import logging
import os
from datetime import datetime, timezone

import pytest

import bot.storage.atomic as atomic
from bot.errors import StorageError
from bot.storage import Store


@pytest.fixture
def store(tmp_path):
    with Store.open(tmp_path / "storage") as s:
        yield s


def test_session_round_trip_replaces_the_whole_session(store):
    assert store.load_session(7) is None
    store.save_session(7, {"step": "consent", "photos": ["abc"], "nested": {"n": 1.5}})
    store.save_session(7, {"step": "letters"})
    assert store.load_session(7) == {"step": "letters"}


def test_loaded_session_is_a_copy(store):
    store.save_session(1, {"list": [1, 2]})
    loaded = store.load_session(1)
    loaded["list"].append(3)
    assert store.load_session(1) == {"list": [1, 2]}


@pytest.mark.parametrize("bad, words", [
    ({"photo": b"\xff\xd8"}, "bytes"),
    ({"when": datetime(2025, 1, 1)}, "datetime"),
    ({1: "x"}, "non-string key"),
    ({"x": float("nan")}, "JSON cannot hold"),
    ({"deep": [{"s": {1, 2}}]}, "set"),
])
def test_session_must_be_json(store, bad, words):
    with pytest.raises(StorageError, match=words):
        store.save_session(3, bad)
    assert store.load_session(3) is None


def test_session_size_is_capped(store):
    with pytest.raises(StorageError, match="at most"):
        store.save_session(3, {"big": "x" * (1024 * 1024 + 1)})


def test_files_live_in_people_folder_and_are_private(store):
    store.save_session(42, {"a": 1})
    path = store.folder / "people" / "42.json"
    assert json.loads(path.read_text())["session"]["1"] == {"a": 1}
    assert oct(path.stat().st_mode & 0o777) == "0o600"


def test_cases_add_update_list(store):
    first = store.add_case(9, {"company": "ibm", "due": "2025-03-01"})
    second = store.add_case(9, {"company": "megvii"})
    assert first != second
    store.update_case(9, first, {"status": "sent"})
    assert store.cases(9) == [
        {"company": "ibm", "due": "2025-03-01", "id": first, "status": "sent"},
        {"company": "megvii", "id": second},
    ]
    assert sorted(c["id"] for _, c in store.iter_cases()) == sorted([first, second])
    with pytest.raises(StorageError, match="no case"):
        store.update_case(9, "nope", {})
    with pytest.raises(StorageError, match="already exists"):
        store.add_case(9, {"id": first})


def test_batch_writes_once_per_update(store, monkeypatch):
    writes = []
    real = atomic.atomic_write_bytes
    monkeypatch.setattr(atomic, "atomic_write_bytes",
                        lambda path, data: (writes.append(path.name), real(path, data)))
    with store.batch(5):
        store.save_session(5, {"step": 1})
        store.add_case(5, {"company": "ibm"})
        store.save_session(5, {"step": 2})
        assert writes == []
    assert writes == ["5.json"]
    assert store.load_session(5) == {"step": 2} and len(store.cases(5)) == 1


def test_failed_batch_writes_nothing(store):
    store.save_session(5, {"step": 1})
    with pytest.raises(RuntimeError):
        with store.batch(5):
            store.save_session(5, {"step": 2})
            raise RuntimeError("journey failed")
    assert store.load_session(5) == {"step": 1}


def test_corrupt_file_is_kept_aside_and_reported(tmp_path, caplog):
    folder = tmp_path / "storage"
    with Store.open(folder) as store:
        store.save_session(11, {"step": "x"})
    path = folder / "people" / "11.json"
    path.write_bytes(b'{"session": {"1": {"step": "x"')   # cut short
    with Store.open(folder) as store:
        with caplog.at_level(logging.ERROR, logger="bot.storage.store"):
            with pytest.raises(StorageError, match="set aside"):
                store.load_session(11)
        aside = [p.name for p in (folder / "people").iterdir()]
        assert len(aside) == 1 and aside[0].startswith("11.json.corrupt-")
        assert "kept aside" in caplog.text
        # the damaged bytes are still there for the operator
        assert (folder / "people" / aside[0]).read_bytes().startswith(b'{"session"')
        # the person can start again
        assert store.load_session(11) is None
    with caplog.at_level(logging.WARNING, logger="bot.storage.store"):
        Store.open(folder).close()
    assert "damaged file(s) kept aside" in caplog.text


def test_not_a_tinydb_document_is_corrupt(store):
    (store.people_dir / "12.json").write_text('{"session": [1, 2]}')
    with pytest.raises(StorageError, match="set aside"):
        store.cases(12)


def test_leftover_temp_files_are_removed_on_open(tmp_path):
    folder = tmp_path / "storage"
    Store.open(folder).close()
    leftover = folder / "people" / ".tmp-3.json-abcd1234"
    leftover.write_text('{"session": {"1": {"name": "half written"')
    Store.open(folder).close()
    assert not leftover.exists()


def test_closed_store_refuses_work(tmp_path):
    store = Store.open(tmp_path)
    store.close()
    with pytest.raises(StorageError, match="closed"):
        store.load_session(1)


def test_user_id_must_be_int(store):
    with pytest.raises(TypeError):
        store.load_session("../../etc/passwd")  # type: ignore[arg-type]


def test_expire_uses_last_activity_and_case_deadlines(tmp_path):
    clock = {"now": datetime(2025, 1, 1, tzinfo=timezone.utc)}
    with Store.open(tmp_path, retention_days=30, clock=lambda: clock["now"]) as store:
        store.save_session(1, {"idle": True})
        store.save_session(2, {"has": "case"})
        store.add_case(2, {"due": "2025-03-01"})
        clock["now"] = datetime(2025, 1, 20, tzinfo=timezone.utc)
        store.save_session(3, {"recent": True})
        assert store.expire(datetime(2025, 1, 30, tzinfo=timezone.utc)) == 0
        assert store.expire(datetime(2025, 1, 31, tzinfo=timezone.utc)) == 1   # user 1
        assert store.people() == [2, 3]
        assert store.expire(datetime(2025, 2, 20, tzinfo=timezone.utc)) == 1   # user 3
        assert store.expire(datetime(2025, 3, 30, 23, 0, tzinfo=timezone.utc)) == 0
        assert store.expire(datetime(2025, 3, 31, tzinfo=timezone.utc)) == 1   # due + 30 days
        assert store.people() == []
        assert os.listdir(store.people_dir) == []
