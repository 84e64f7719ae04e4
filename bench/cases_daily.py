"""The daily follow-up job over many stored letters: finding and claiming due reminders.

``python -m bench.cases_daily [--letters N ...] [--runs R]``

Builds a real store (one TinyDB file per person, 5 letters per person, as the bot
writes them) with letters in every state: not sent, sent with reply dates spread
over 90 days, answered and closed. Then times, on a day when about 1 letter in 18
has a reminder due (the steady state: earlier reminders recorded; ``--worst``: none
recorded, so about 45% are due at once):

- ``scan``: :func:`bot.cases.book.due_reminders` over everyone (reads every file);
- ``claim``: what the daily job does, :meth:`Journey.due_reminders`: the scan plus
  recording each due reminder before it is handed out (an atomic, fsynced write per
  person with one due).

The baseline is reading every person's file once with ``json.load`` (no TinyDB, no
logic): the floor for a job that must look at every letter. Median of ``--runs``.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import tempfile
import time
from datetime import date, timedelta
from pathlib import Path

from bot.cases import book
from bot.journey.followup import claim_reminders
from bot.storage import Store

TODAY = date(2026, 12, 1)
PER_PERSON = 5


def _steady(letter: dict) -> dict:
    """As the letter stands after the daily job ran every day so far: the reminders of
    earlier days recorded."""
    from bot.cases.reminders import schedule
    letter["reminded"] = [key for key, day in schedule(letter) if day < TODAY]
    return letter


def _letter(n: int) -> dict:
    made = TODAY - timedelta(days=30 + n % 60)
    due = TODAY + timedelta(days=(n * 7) % 90 - 45)
    status = ("drafted", "sent", "sent", "sent", "acknowledged", "refused", "closed")[n % 7]
    return {"reference": f"RB-20261101-{n:016d}", "company": "meta", "company_name": "Meta",
            "kind": "ccpa", "kind_title": "Requests under the CCPA", "escalation": "x",
            "status": status, "created": made.isoformat(), "sent": made.isoformat(),
            "medium": "email", "due": due.isoformat(), "residence": "US-CA", "calendars": [],
            "recipient": ["Meta Platforms, Inc."], "reminded": [],
            "history": [{"on": made.isoformat(), "status": "drafted"}]}


def build(folder: Path, letters: int, worst: bool = False) -> None:
    """Write the people files directly in the store's own format (fast set-up)."""
    people = folder / "people"
    people.mkdir(parents=True)
    for person in range(letters // PER_PERSON):
        items = [_letter(person * PER_PERSON + i) for i in range(PER_PERSON)]
        if not worst:
            items = [_steady(item) for item in items]
        record = {"cases": {"1": {"id": f"c{person:012x}", "created": "2026-10-01",
                                  "due": max(i["due"] for i in items), "letters": items}},
                  "meta": {"1": {"last_active": "2026-11-01T00:00:00+00:00"}}}
        (people / f"{person + 1}.json").write_text(json.dumps(record), encoding="utf-8")


def timed(fn) -> float:
    start = time.perf_counter()
    fn()
    return time.perf_counter() - start


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.cases_daily")
    parser.add_argument("--letters", type=int, nargs="+", default=[10_000, 50_000, 100_000])
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--worst", action="store_true",
                        help="nothing reminded yet (the first run after an upgrade): every "
                             "overdue letter is due at once")
    args = parser.parse_args(argv)
    print(f"{'letters':>8} {'baseline s':>11} {'scan s':>8} {'claim s':>8} {'due':>6} "
          f"{'claim µs/letter':>16}")
    for count in args.letters:
        base, scan, claim, found = [], [], [], 0
        for _ in range(args.runs):
            folder = Path(tempfile.mkdtemp(prefix="rb-bench-cases-"))
            try:
                build(folder, count, args.worst)
                files = sorted((folder / "people").iterdir())
                base.append(timed(lambda: [json.loads(f.read_bytes()) for f in files]))
                with Store.open(folder) as store:
                    scan.append(timed(lambda: list(book.due_reminders(store, TODAY))))
                    handed: list = []
                    claim.append(timed(lambda: handed.extend(claim_reminders(store, TODAY))))
                    found = len(handed)
                    assert not list(book.due_reminders(store, TODAY))   # all recorded
            finally:
                shutil.rmtree(folder, ignore_errors=True)
        b, s, c = (statistics.median(x) for x in (base, scan, claim))
        print(f"{count:>8} {b:>11.2f} {s:>8.2f} {c:>8.2f} {found:>6} {c / count * 1e6:>16.1f}")
    print(f"(median of {args.runs} runs; {os.cpu_count()} cores)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
