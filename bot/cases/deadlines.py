"""Reply dates of a tracked letter, counted again when it is sent or extended, by the
letter kind's own rule (:meth:`bot.letters.rules.KindRule.deadlines`)."""

from __future__ import annotations

from datetime import date
from typing import Any, Mapping

from ..errors import InputError
from ..letters.deadlines import next_business_day
from ..letters.regions import parse_region
from ..letters.rules import LetterRules


class DeadlineCounter:
    """``due_from(letter, start)`` and ``extended_from(letter, due)`` for :func:`mark`."""

    def __init__(self, rules: LetterRules, default_days: int) -> None:
        self.rules = rules
        self.default_days = default_days

    def due_from(self, letter: Mapping[str, Any], start: date) -> date:
        rule = self.rules.get(self.rules.canonical(letter["kind"]))
        try:
            residence = parse_region(letter.get("residence") or "", "residence")
        except InputError:
            residence = None
        calendars = tuple(letter.get("calendars") or ())
        return rule.deadlines(start, self.default_days, residence, calendars).due

    def extended_from(self, letter: Mapping[str, Any], due: date) -> date | None:
        """The reply date once the company invokes the law's extension (None: the law
        has none, so the date stays)."""
        extension = self.rules.get(self.rules.canonical(letter["kind"])).reply.extension
        if extension is None:
            return None
        return next_business_day(extension.after(due), tuple(letter.get("calendars") or ()))
