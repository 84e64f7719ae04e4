"""Letters made in worker processes equal letters made in-process."""

from __future__ import annotations

import os
from datetime import date

import pytest

from bot.config import Config
from bot.errors import LetterError
from bot.letters.pipeline import LetterMaker
from bot.letters.pool import LetterPool
from tests.letters.samples import SampleResult, MATCHES, person


@pytest.fixture
def pool(tmp_path):
    opened = LetterPool(Config.defaults(base=tmp_path), workers=1)
    yield opened
    opened.close()


def test_pool_makes_the_same_letters_as_the_process(pool, tmp_path):
    here = LetterMaker.from_config(Config.defaults(base=tmp_path)).make(
        person("US-IL"), SampleResult(MATCHES), date(2026, 11, 26))
    there = pool.make(person("US-IL"), SampleResult(MATCHES), date(2026, 11, 26))
    assert [l.pdf for l in there.letters] == [l.pdf for l in here.letters]
    assert [l.reference for l in there.letters] == [l.reference for l in here.letters]


def test_a_dead_worker_is_a_plain_error_and_the_pool_recovers(pool):
    pool.warm_up()
    for process in list(pool._executor._processes.values()):
        os.kill(process.pid, 9)
    with pytest.raises(LetterError, match="try again"):
        pool.make(person("US-IL"), SampleResult(MATCHES), date(2026, 11, 26))
    assert pool.make(person("US-IL"), SampleResult(MATCHES), date(2026, 11, 26)).letters


def test_progress_comes_back_from_the_worker_process(pool):
    seen: list[tuple[int, int]] = []
    outcome = pool.make(person("US-IL"), SampleResult(MATCHES), date(2026, 11, 26),
                        lambda done, total: seen.append((done, total)))
    total = len(outcome.letters)
    assert total > 1 and seen == [(n, total) for n in range(1, total + 1)]
    assert pool._manager is not None
    worker_pids = {p.pid for p in pool._executor._processes.values()}
    assert os.getpid() not in worker_pids      # made elsewhere, reported here
