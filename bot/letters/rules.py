"""Which letter kinds a person gets: rules as data (``bot/data/letter_rules.toml``).

The rules decide from where a person lives (``residence``) and where they
uploaded the photos from (``uploaded_from``) which kinds apply, and, per
recipient, which of them that recipient gets: a public body only what binds
public bodies (one rule for every law), a controller established in the EU or
the UK a GDPR letter from anyone (Art. 3(1)), and someone not shown in the
photos only the plain ``uploader`` request. Each kind carries its reply dates,
the jurisdiction whose entity receives it, and its escalation text.
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any, Mapping, Sequence

from ..errors import DataError
from ..resources import data_path
from .deadlines import UNITS, Period, next_business_day
from .regions import Region, matches

RULES_PATH = data_path("letter_rules.toml")
BASES = ("residence", "residence-or-upload")


JURISDICTIONS = ("US", "EU", "GB", "CA", "CH")


@dataclass(frozen=True)
class StateLaw:
    """One state's consumer privacy act (for the ``us-state-privacy`` kind)."""
    region: str
    act: str
    verified: bool
    reply_days: int | None = None
    photo_exclusion: bool = False   # "biometric data" leaves out photos and data generated from them
    delete_cite: str = ""           # pinpoint of the right to delete, where verified


@dataclass(frozen=True)
class Variant:
    """Region-specific wording of a kind, e.g. the UK GDPR for "GB"."""
    region: str
    law: str
    escalation: str
    verified: bool
    note: str = ""
    jurisdiction: str | None = None


@dataclass(frozen=True)
class PublicBodies:
    """One rule for every law: which recipient types are public bodies, and what the sender is told."""
    entity_types: tuple[str, ...]
    note: str


@dataclass(frozen=True)
class ReplyRule:
    count: int | None            # None: the sender's choice ([letters] deadline_days)
    unit: str
    statutory: bool
    extension: Period | None = None
    acknowledge: Period | None = None
    calendar: str | None = None
    opt_out: Period | None = None   # acting on opt-out/limit requests (CCPA: 15 business days)

    def period(self, default_days: int) -> Period:
        if self.count is None:
            return Period(default_days, "days")
        return Period(self.count, self.unit, self.calendar)


@dataclass(frozen=True)
class Deadlines:
    """The dates a letter asks for and the tracker watches."""
    due: date                     # reply due
    period: Period                # how ``due`` was counted from the letter date
    statutory: bool
    acknowledge_by: date | None = None
    acknowledge_period: Period | None = None
    extended_until: date | None = None  # latest date with the law's extension
    extension_period: Period | None = None
    opt_out_by: date | None = None      # opt-out and limit requests acted on (CCPA)
    opt_out_period: Period | None = None


@dataclass(frozen=True)
class KindRule:
    kind: str
    order: int
    title: str
    law: str
    regions: tuple[str, ...]
    basis: str
    excluded_entity_types: tuple[str, ...]
    exclusion_note: str
    escalation: str
    verified: bool
    note: str
    reply: ReplyRule
    states: Mapping[str, StateLaw] = field(default_factory=dict)
    variants: Mapping[str, Variant] = field(default_factory=dict)
    jurisdiction: str | None = None   # whose entity receives it ("US", "EU", ...); None: the controller
    biometric: bool = True        # claims rights over biometric data about the person shown
    private_action: bool = False  # the person may sue: destroy-or-preserve is their choice
    public_bodies: bool = False   # the law binds public universities and government bodies
    establishment: bool = False   # also applies when the recipient is established in `regions`
    aliases: tuple[str, ...] = ()

    def applies(self, residence: Region, uploaded_from: Region) -> tuple[str, ...]:
        """Why this kind applies (facts as short phrases), or () when it does not."""
        reasons = []
        if any(matches(residence, r) for r in self.regions):
            reasons.append(f"lives in {residence.label()}")
        if self.basis == "residence-or-upload" and any(matches(uploaded_from, r) for r in self.regions):
            reasons.append(f"uploaded from {uploaded_from.label()}")
        return tuple(reasons)

    def state_law(self, residence: Region) -> StateLaw | None:
        return self.states.get(residence.code)

    def variant(self, residence: Region) -> Variant | None:
        return self.variants.get(residence.code) or self.variants.get(residence.country)

    def variant_for(self, residence: Region, jurisdiction: str | None) -> Variant | None:
        """The wording of one letter: where the variants name a jurisdiction (the UK GDPR),
        the one for the letter's jurisdiction, whoever sends it; else by where the sender lives."""
        if any(v.jurisdiction for v in self.variants.values()):
            return next((v for v in self.variants.values() if v.jurisdiction == jurisdiction), None)
        return self.variant(residence)

    def covers_country(self, country: str) -> bool:
        """Whether an organisation established in ``country`` is inside this law's regions."""
        return any(r == country for r in self.regions if "-" not in r)

    def deadlines(self, on: date, default_days: int, residence: Region | None = None,
                  roll: tuple[str, ...] = ()) -> Deadlines:
        """The dates this kind's letter asks for, dated ``on``; each moved to the
        next day that is a business day in every calendar of ``roll`` (the
        sender's and the recipient's places)."""
        reply = self.reply
        state = self.state_law(residence) if residence is not None else None
        if state is not None and state.reply_days is not None:
            reply = ReplyRule(state.reply_days, "days", reply.statutory, reply.extension,
                              reply.acknowledge, reply.calendar, reply.opt_out)
        period = reply.period(default_days)
        due = period.after(on)
        ack = _on_calendar(reply.acknowledge, reply.calendar)
        opt_out = _on_calendar(reply.opt_out, reply.calendar)
        extended = _extended(on, due, period, reply.extension)

        def rolled(day: date | None) -> date | None:
            return next_business_day(day, roll) if day is not None else None

        return Deadlines(
            due=next_business_day(due, roll), period=period, statutory=reply.statutory,
            acknowledge_by=rolled(ack.after(on) if ack else None), acknowledge_period=ack,
            extended_until=rolled(extended), extension_period=reply.extension,
            opt_out_by=rolled(opt_out.after(on) if opt_out else None), opt_out_period=opt_out)


def _on_calendar(period: Period | None, calendar: str | None) -> Period | None:
    """Business days count on the rule's holiday calendar unless the period names its own."""
    if period is not None and period.calendar is None and period.unit == "business-days":
        return Period(period.count, period.unit, calendar)
    return period


def _extended(on: date, due: date, period: Period, extension: Period | None) -> date | None:
    """The latest reply date with the law's extension: counted from the letter
    date when the units agree (31 Jan + 3 months = 30 Apr), else from ``due``;
    whichever is later, so the bot never calls a reply late too early."""
    if extension is None:
        return None
    later = extension.after(due)
    if extension.unit == period.unit:
        later = max(later, Period(period.count + extension.count, period.unit, period.calendar).after(on))
    return later


@dataclass(frozen=True)
class KindChoice:
    kind: str
    reasons: tuple[str, ...]      # e.g. ("lives in Illinois, United States",)


@dataclass(frozen=True)
class RecipientKind:
    """The kind a given recipient gets, and why it differs from the chosen one."""
    kind: str
    note: str = ""                # for the person (never in the letter)
    basis: str = "residence"      # "residence" (the person's place) | "establishment" (Art. 3(1))


class LetterRules:
    def __init__(self, kinds: Mapping[str, KindRule], fallback: str, uploader: str | None = None,
                 public_bodies: PublicBodies | None = None) -> None:
        self._kinds = dict(sorted(kinds.items(), key=lambda kv: (kv[1].order, kv[0])))
        if fallback not in self._kinds:
            raise DataError(f"letter rules: fallback kind {fallback!r} is not defined")
        if uploader is not None and uploader not in self._kinds:
            raise DataError(f"letter rules: uploader kind {uploader!r} is not defined")
        self.fallback, self.uploader = fallback, uploader
        self.public_bodies = public_bodies or PublicBodies((), "")
        self._aliases = {alias: kind for kind, rule in self._kinds.items() for alias in rule.aliases}

    def get(self, kind: str) -> KindRule:
        try:
            return self._kinds[kind]
        except KeyError:
            raise DataError(f"unknown letter kind {kind!r} (known: {', '.join(self._kinds)})") from None

    def kinds(self) -> list[str]:
        return list(self._kinds)

    def canonical(self, kind: str) -> str:
        """A kind's current name (``bipa-notice`` is now part of ``bipa-demand``)."""
        return self._aliases.get(kind, kind)

    def known(self, kind: str) -> bool:
        return kind in self._kinds or kind in self._aliases

    def choose(self, residence: Region, uploaded_from: Region) -> list[KindChoice]:
        """Every kind that applies to this person, in the rules' order; the
        fallback kind alone when no statutory kind does."""
        chosen = []
        for kind, rule in self._kinds.items():
            if kind in (self.fallback, self.uploader):
                continue
            reasons = rule.applies(residence, uploaded_from)
            if reasons:
                chosen.append(KindChoice(kind, reasons))
        if not chosen:
            chosen.append(KindChoice(self.fallback, (f"lives in {residence.label()}",)))
        return chosen

    def for_recipient(self, kind: str, entity_type: str | None) -> RecipientKind:
        """The kind a recipient of ``entity_type`` gets in place of ``kind``."""
        rule = self.get(kind)
        if entity_type and entity_type in self.public_bodies.entity_types and not rule.public_bodies:
            return RecipientKind(self.fallback, self.public_bodies.note)
        if entity_type and entity_type in rule.excluded_entity_types:
            return RecipientKind(self.fallback, rule.exclusion_note)
        return RecipientKind(kind)

    def recipient_kinds(self, chosen: Sequence[KindChoice], entity_type: str | None,
                        established_in: str | None) -> list[RecipientKind]:
        """The kinds one recipient gets: the person's kinds, each swapped for the
        fallback where the law does not bind this recipient, plus a kind that
        applies because the recipient is established in its regions (the GDPR for
        an EU or UK controller, Art. 3(1)), each once, in the rules' order."""
        out: dict[str, RecipientKind] = {}
        for choice in chosen:
            recipient = self.for_recipient(choice.kind, entity_type)
            out.setdefault(recipient.kind, recipient)
        if established_in:
            for kind, rule in self._kinds.items():
                if rule.establishment and rule.covers_country(established_in):
                    recipient = self.for_recipient(kind, entity_type)
                    if recipient.kind == kind:
                        out[kind] = RecipientKind(kind, basis="establishment")
        if len(out) > 1:   # a statutory letter makes the general one redundant
            out.pop(self.fallback, None)
        return sorted(out.values(), key=lambda r: (self.get(r.kind).order, r.kind))


def load_rules(path: Path | None = None) -> LetterRules:
    """Load and validate the rules file; errors name the offending key."""
    path = path or RULES_PATH
    try:
        with open(path, "rb") as fh:
            data = tomllib.load(fh)
    except (OSError, tomllib.TOMLDecodeError) as exc:
        raise DataError(f"letter rules {path.name}: cannot read ({exc})") from None
    kinds_raw = data.get("kinds")
    if not isinstance(kinds_raw, dict) or not kinds_raw:
        raise DataError(f"letter rules {path.name}: no [kinds.*] tables")
    kinds = {name: _kind(name, raw) for name, raw in kinds_raw.items()}
    unknown = sorted(set(data) - {"kinds", "fallback", "uploader", "public_bodies"})
    if unknown:
        raise DataError(f"letter rules {path.name}: unknown keys {', '.join(unknown)}")
    public = _table(data, "public_bodies", "letter rules")
    bodies = PublicBodies(tuple(_str_list(public, "entity_types", "public_bodies")),
                          str(public.get("note", "")))
    if bodies.entity_types and not bodies.note:
        raise DataError("public_bodies.note: required when entity_types is set")
    uploader = data.get("uploader")
    if uploader is not None and not isinstance(uploader, str):
        raise DataError("letter rules: uploader must be a kind name")
    return LetterRules(kinds, _str(data, "fallback", "letter rules"), uploader, bodies)


def _kind(name: str, raw: Any) -> KindRule:
    where = f"kinds.{name}"
    if not isinstance(raw, dict):
        raise DataError(f"{where}: must be a table")
    known = {"jurisdiction", "order", "title", "law", "regions", "basis", "excluded_entity_types",
             "exclusion_note", "escalation", "verified", "note", "reply", "states", "variants",
             "biometric", "private_action", "public_bodies", "establishment", "aliases"}
    unknown = sorted(set(raw) - known)
    if unknown:
        raise DataError(f"{where}: unknown keys {', '.join(unknown)}")
    basis = _str(raw, "basis", where)
    if basis not in BASES:
        raise DataError(f"{where}.basis: must be one of {', '.join(BASES)}")
    states = {code: _state(f"{where}.states.{code}", code, s)
              for code, s in _table(raw, "states", where).items()}
    variants = {code: _variant(f"{where}.variants.{code}", code, v)
                for code, v in _table(raw, "variants", where).items()}
    regions = tuple(_str_list(raw, "regions", where)) + tuple(states)
    excluded = tuple(_str_list(raw, "excluded_entity_types", where))
    exclusion_note = str(raw.get("exclusion_note", ""))
    if excluded and not exclusion_note:
        raise DataError(f"{where}.exclusion_note: required when excluded_entity_types is set")
    order = raw.get("order")
    if not isinstance(order, int) or isinstance(order, bool):
        raise DataError(f"{where}.order: must be a whole number")
    return KindRule(
        kind=name, order=order, title=_str(raw, "title", where), law=str(raw.get("law", "")),
        regions=regions, basis=basis, excluded_entity_types=excluded,
        exclusion_note=exclusion_note, escalation=_str(raw, "escalation", where),
        verified=_bool(raw, "verified", where), note=str(raw.get("note", "")),
        reply=_reply(f"{where}.reply", raw.get("reply")), states=states, variants=variants,
        jurisdiction=_jurisdiction(raw.get("jurisdiction"), where),
        biometric=_bool(raw, "biometric", where),
        private_action=_optional_bool(raw, "private_action", where),
        public_bodies=_bool(raw, "public_bodies", where),
        establishment=_optional_bool(raw, "establishment", where),
        aliases=tuple(_str_list(raw, "aliases", where)))


def _jurisdiction(value: Any, where: str) -> str | None:
    if value is not None and value not in JURISDICTIONS:
        raise DataError(f"{where}.jurisdiction: must be one of {', '.join(JURISDICTIONS)} or absent")
    return value


def _optional_bool(raw: Mapping[str, Any], key: str, where: str) -> bool:
    return _bool(raw, key, where) if key in raw else False


def _reply(where: str, raw: Any) -> ReplyRule:
    if not isinstance(raw, dict):
        raise DataError(f"{where}: missing table")
    count = raw.get("count")
    if count is not None and (not isinstance(count, int) or isinstance(count, bool) or count < 1):
        raise DataError(f"{where}.count: must be a whole number of at least 1")
    unit = _str(raw, "unit", where)
    if unit not in UNITS:
        raise DataError(f"{where}.unit: must be one of {', '.join(UNITS)}")
    calendar = raw.get("calendar")
    unknown = sorted(set(raw) - {"count", "unit", "statutory", "extension", "acknowledge",
                                 "opt_out", "calendar"})
    if unknown:
        raise DataError(f"{where}: unknown keys {', '.join(unknown)}")
    return ReplyRule(count, unit, _bool(raw, "statutory", where),
                     _period(f"{where}.extension", raw.get("extension"), calendar),
                     _period(f"{where}.acknowledge", raw.get("acknowledge"), calendar),
                     calendar,
                     _period(f"{where}.opt_out", raw.get("opt_out"), calendar))


def _period(where: str, raw: Any, calendar: str | None) -> Period | None:
    if raw is None:
        return None
    if not isinstance(raw, dict):
        raise DataError(f"{where}: must be a table like {{ count = 45, unit = \"days\" }}")
    count, unit = raw.get("count"), raw.get("unit")
    if not isinstance(count, int) or isinstance(count, bool) or count < 1 or unit not in UNITS:
        raise DataError(f"{where}: needs count (>= 1) and unit ({', '.join(UNITS)})")
    return Period(count, unit, calendar if unit == "business-days" else None)


def _state(where: str, code: str, raw: Any) -> StateLaw:
    if not isinstance(raw, dict):
        raise DataError(f"{where}: must be a table")
    unknown = sorted(set(raw) - {"act", "verified", "reply_days", "photo_exclusion", "delete_cite"})
    if unknown:
        raise DataError(f"{where}: unknown keys {', '.join(unknown)}")
    days = raw.get("reply_days")
    if days is not None and (not isinstance(days, int) or days < 1):
        raise DataError(f"{where}.reply_days: must be a whole number of at least 1")
    return StateLaw(code, _str(raw, "act", where), _bool(raw, "verified", where), days,
                    _optional_bool(raw, "photo_exclusion", where), str(raw.get("delete_cite", "")))


def _variant(where: str, code: str, raw: Any) -> Variant:
    if not isinstance(raw, dict):
        raise DataError(f"{where}: must be a table")
    return Variant(code, _str(raw, "law", where), _str(raw, "escalation", where),
                   _bool(raw, "verified", where), str(raw.get("note", "")),
                   _jurisdiction(raw.get("jurisdiction"), where))


def _table(raw: dict, key: str, where: str) -> dict:
    value = raw.get(key, {})
    if not isinstance(value, dict):
        raise DataError(f"{where}.{key}: must be a table")
    return value


def _str(raw: Mapping[str, Any], key: str, where: str) -> str:
    value = raw.get(key)
    if not isinstance(value, str) or not value.strip():
        raise DataError(f"{where}.{key}: must be a non-empty string")
    return value


def _bool(raw: Mapping[str, Any], key: str, where: str) -> bool:
    value = raw.get(key)
    if not isinstance(value, bool):
        raise DataError(f"{where}.{key}: must be true or false")
    return value


def _str_list(raw: Mapping[str, Any], key: str, where: str) -> list[str]:
    value = raw.get(key, [])
    if not isinstance(value, list) or not all(isinstance(v, str) and v for v in value):
        raise DataError(f"{where}.{key}: must be a list of strings")
    return value
