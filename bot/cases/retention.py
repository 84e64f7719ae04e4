"""Telling a person before retention deletes them: a week ahead, once per deletion date.

Retention (:meth:`bot.storage.Store.expire`) deletes a person ``retention_days`` after
their last activity or their cases' latest reply date. A week before that day the
person is told once, with a way to keep their cases: any save counts as activity, so
"keep" simply records activity now (:meth:`Store.touch`). The notice is marked in the
person's bookkeeping before it is handed out, so a crash or a restart never sends it
twice; a later deletion date (after "keep") gets its own notice.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from typing import Any, Iterator

from ..errors import RightsbotError
from . import book, quiet

log = logging.getLogger(__name__)

NOTICE_DAYS = 7
NOTICE_MARK = "retention_notice"     # meta key: the deletion time the person was told of


@dataclass(frozen=True)
class RetentionNotice:
    user_id: int
    deletion: datetime        # when retention deletes the person, unless they keep
    cases: int                # how many cases (letter deliveries) they have stored


def due_notices(store: Any, now: datetime, *,
                notice_days: int = NOTICE_DAYS) -> Iterator[RetentionNotice]:
    """The people to tell now (outside their quiet hours: bot.cases.quiet), each marked
    as told before it is yielded (at most once)."""
    now = now if now.tzinfo else now.replace(tzinfo=timezone.utc)
    horizon = now + timedelta(days=notice_days)
    for user_id in store.people():
        try:
            deletion = store.keep_until(user_id)
            if deletion is None or not now < deletion <= horizon:
                continue
            if store.meta(user_id).get(NOTICE_MARK) == deletion.isoformat():
                continue
            if quiet.quiet(book.zone_of(store, user_id), now):
                continue
            cases = len(store.cases(user_id))
            store.set_meta(user_id, {NOTICE_MARK: deletion.isoformat()})
        except RightsbotError as exc:
            log.error("retention notice for user %s skipped: %s", user_id, type(exc).__name__)
            continue
        log.info("retention: user %s told of deletion on %s", user_id, deletion.date())
        yield RetentionNotice(user_id, deletion, cases)


def keep(store: Any, user_id: int) -> datetime | None:
    """Keep the person's cases for another retention period from now; returns the new
    deletion time."""
    store.touch(user_id)
    return store.keep_until(user_id)
