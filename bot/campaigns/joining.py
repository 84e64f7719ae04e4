"""Members in Telegram: joining by link, authorizing, leaving, and the organisers' view.

The journey (:mod:`bot.journey.campaign`) calls these; nothing here knows about Telegram.

- :func:`campaign_for_code`: the registered campaign whose join code a ``/start`` payload
  names (``https://t.me/<bot>?start=<join code>``), or None.
- :func:`join`: the person's details and check inputs become a roster member
  (``tg-<telegram id>``, source "telegram"); a drawn signature is kept as a PNG in the
  campaign folder (the run re-renders the authorization from it); returns the member and
  the signed authorization PDF.
- :func:`leave`: revokes (Roster.leave: the record is kept, excluded from runs) and lists
  the letters already made in the member's name, from the manifests of the runs recorded
  for the campaign (bot.campaigns.report.record_run).
- :func:`forget_everywhere`: /forget removes the person from every registered roster.
- :func:`organiser_campaigns`, :func:`stats`, :func:`export`: organisers only (the
  journey checks the Telegram id against ``Campaign.organisers`` before calling).

A member's data is only ever read for that member (by their own Telegram id).
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, replace
from datetime import date
from pathlib import Path
from typing import Any, Iterable, Sequence

from ..errors import RightsbotError
from ..storage.atomic import atomic_write_bytes
from .definition import JOIN_CODE, Campaign
from .members import Member, Roster, make_member, telegram_member_id
from .registered import by_join_code, by_slug, registered

log = logging.getLogger(__name__)

MAX_EXPORT_BYTES = 50 * 1024 * 1024     # Telegram bots may send files up to 50 MB


@dataclass(frozen=True)
class SentLetter:
    """A letter already made in a member's name (shown to that member when they leave)."""
    company: str
    company_name: str
    kind_title: str
    reference: str
    run_date: str


def campaign_for_code(storage: Path, code: str) -> Campaign | None:
    """The registered campaign with this join code; None for anything else."""
    code = (code or "").strip()
    if not JOIN_CODE.fullmatch(code):
        return None
    try:
        return by_join_code(storage, code)
    except RightsbotError as exc:      # a damaged campaigns.json: the normal bot answers
        log.error("campaigns: cannot look up a join code (%s)", type(exc).__name__)
        return None


def campaign_by_slug(storage: Path, slug: str) -> Campaign | None:
    try:
        return by_slug(storage, slug)
    except RightsbotError as exc:
        log.error("campaigns: cannot look up campaign %s (%s)", slug, type(exc).__name__)
        return None


def member_of(campaign: Campaign, telegram_id: int) -> Member | None:
    return Roster.open(campaign).by_telegram(telegram_id)


def memberships(storage: Path, telegram_id: int) -> list[tuple[Campaign, Member]]:
    """The campaigns the person is an active member of (joined by link)."""
    out = []
    for campaign in _registered(storage):
        member = Roster.open(campaign).by_telegram(telegram_id)
        if member is not None and member.active:
            out.append((campaign, member))
    return out


def signature_file(telegram_id: int) -> str:
    return f"signature-{telegram_member_id(telegram_id)}.png"


def join(campaign: Campaign, telegram_id: int, *, name: str, address: Sequence[str], email: str,
         residence: str, uploaded_from: str, shown: str, flickr: Iterable[str],
         urls: Iterable[str], signature: bytes | None, on: date) -> tuple[Member, bytes]:
    """Add (or renew) the member and return it with the signed authorization PDF.
    InputError (naming the field) when the details do not make a valid member."""
    from .authorization import authorization_reference, render_authorization
    fields: dict[str, Any] = dict(
        member_id=telegram_member_id(telegram_id), name=name, address=tuple(address), email=email,
        residence=residence, uploaded_from="" if uploaded_from == residence else uploaded_from,
        shown=shown, flickr=tuple(flickr), urls=tuple(urls), source="telegram",
        telegram_id=telegram_id, joined=on.isoformat())
    draft = make_member(**fields, require_authorization=False)
    member = replace(draft, authorization=authorization_reference(campaign, draft))
    pdf = render_authorization(campaign, member, on, signature)
    roster = Roster.open(campaign)
    if signature is not None:
        atomic_write_bytes(campaign.folder / signature_file(telegram_id), signature)
        member = replace(member, signature=signature_file(telegram_id))
    elif (campaign.folder / signature_file(telegram_id)).exists():
        (campaign.folder / signature_file(telegram_id)).unlink()
    roster.upsert(member)
    log.info("campaign %s: member %s joined by link", campaign.slug, member.member_id)
    return member, pdf


def leave(campaign: Campaign, telegram_id: int, on: date) -> tuple[Member, list[SentLetter]]:
    """Revoke the member's authorization; the letters already made in their name."""
    member = Roster.open(campaign).leave(telegram_member_id(telegram_id), on)
    return member, sent_letters(campaign, member.member_id)


def sent_letters(campaign: Campaign, member_id: str) -> list[SentLetter]:
    """The letters the recorded runs made in ``member_id``'s name (manifest rows)."""
    from ..letters.rules import load_rules
    from .report import read_run_manifest, recorded_runs, read_run_state
    rules, names = load_rules(), _company_names()
    out: list[SentLetter] = []
    for run in recorded_runs(campaign):
        try:
            rows = read_run_manifest(run)
        except RightsbotError as exc:
            log.warning("campaign %s: a run manifest is unreadable (%s)", campaign.slug,
                        type(exc).__name__)
            continue
        state = read_run_state(run) or {}
        for row in rows:
            if row.get("member_id") != member_id:
                continue
            kind = row.get("kind", "")
            title = rules.get(kind).title if rules.known(kind) else kind
            out.append(SentLetter(row.get("company", ""), names(row.get("company", "")), title,
                                  row.get("reference", ""), str(state.get("run_date", ""))))
    return out


def forget_everywhere(storage: Path, telegram_id: int) -> int:
    """/forget: remove the person from every registered campaign's roster (with their
    signature file); how many rosters held them."""
    removed = 0
    for campaign in _registered(storage):
        try:
            removed += Roster.open(campaign).forget(telegram_id)
        except RightsbotError as exc:
            log.error("campaign %s: could not forget a member (%s)", campaign.slug,
                      type(exc).__name__)
    return removed


def registered_campaigns(storage: Path) -> list[Campaign]:
    """Every campaign registered here (for the operator at the terminal)."""
    return list(_registered(storage))


def organiser_campaigns(storage: Path, telegram_id: int) -> list[Campaign]:
    return [c for c in _registered(storage) if c.is_organiser(telegram_id)]


def stats(campaign: Campaign, store: Any, on: date) -> str:
    """/campaign_stats: the report's figures as text (rejected rows by line number only)."""
    from .report import build_report, latest_run
    run = latest_run(campaign)
    cases = store.cases(campaign.organisers[0]) if store is not None and campaign.organisers else None
    return build_report(campaign, run=run, on=on, cases=cases).text(rejected_reasons=False)


def export(campaign: Campaign) -> tuple[str, bytes] | str:
    """/campaign_export: (file name, bytes) of the latest run's ZIP, or why there is none:
    "no-run" or "too-large"."""
    from .report import latest_run, run_zip
    run = latest_run(campaign)
    path = run_zip(campaign, run) if run is not None else None
    if path is None:
        return "no-run"
    if path.stat().st_size > MAX_EXPORT_BYTES:
        return "too-large"
    return path.name, path.read_bytes()


def _registered(storage: Path) -> list[Campaign]:
    try:
        return registered(storage)
    except RightsbotError as exc:
        log.error("campaigns: cannot read the registered campaigns (%s)", type(exc).__name__)
        return []


def _company_names():
    from ..companies import load_directory
    directory = load_directory()

    def name(slug: str) -> str:
        try:
            return directory.get(slug).name
        except RightsbotError:
            return slug
    return name
