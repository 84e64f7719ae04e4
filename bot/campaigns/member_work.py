"""One member's share of a campaign run: check, letters, authorization. A pure function.

:func:`member_outputs` takes the campaign, the member, the run date and the tools
(a :class:`~bot.check.Checker` over the dataset index, a
:class:`~bot.letters.pipeline.LetterMaker`) and returns the files to write and a
JSON-able record; it reads no clock and writes nothing, so the same inputs give the
same bytes on any machine (see docs/campaigns.md on splitting a run across machines).
:func:`run_member` is the worker-process wrapper: it writes the member's folder
atomically (a temp folder renamed into place), so a folder that exists is complete.

Letters whose kind the organisation may send (bot.campaigns.routes: ``agent`` or
``transmitted``) are made with ``Person.agent`` set and go into the company's bundle;
the others are made without the agent, as the member's own letters
(``own-letters/``, with their .eml, text and the member's cover sheet).
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import shutil
from dataclasses import dataclass, replace
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ..errors import RightsbotError
from ..files import safe_filename
from ..storage.atomic import TEMP_PREFIX, fsync_dir, temp_name
from .authorization import authorization_reference, render_authorization, render_authorization_record
from .routes import route_for, sent_by_organisation

if TYPE_CHECKING:  # pragma: no cover
    from ..check import Checker
    from ..config import Config
    from ..letters.pipeline import LetterMaker, ProducedLetter
    from .definition import Campaign
    from .members import Member

log = logging.getLogger(__name__)

RECORD = "member.json"
OWN = "own-letters"
MEMBERS = "members"


@dataclass(frozen=True)
class RunContext:
    """What every worker needs (picklable)."""
    campaign: "Campaign"
    config: "Config"
    on: date
    out: Path


def member_folder(member_id: str) -> str:
    """A folder name for the member: safe on every OS and distinct per id."""
    digest = hashlib.sha256(member_id.encode("utf-8")).hexdigest()[:8]
    return f"{safe_filename(member_id, default='member')[:60]}-{digest}"


def new_maker(config: "Config", campaign: "Campaign") -> "LetterMaker":
    """The letters job without per-letter seals (the bundle is sealed once) and with the
    campaign's reply deadline."""
    from ..companies import load_directory
    from ..letters.pipeline import LetterMaker
    from ..letters.rules import load_rules
    from ..letters.templates import LetterTemplates
    from ..registry import load_registry
    letters = config.letters
    return LetterMaker(rules=load_rules(), templates=LetterTemplates(letters.language, letters.templates_dir),
                       registry=load_registry(), directory=load_directory(),
                       deadline_days=campaign.deadline_days, seal=None, share_link=letters.share_link)


def _sha(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def _letter_record(letter: "ProducedLetter", file: str, data: bytes, route: str) -> dict[str, Any]:
    return {"company": letter.company, "company_name": letter.company_name, "kind": letter.kind,
            "kind_title": letter.kind_title, "reference": letter.reference, "file": file,
            "sha256": _sha(data), "date": letter.date.isoformat(), "due": letter.due.isoformat(),
            "route": route, "entity": letter.entity, "jurisdiction": letter.jurisdiction,
            "escalation": letter.escalation}


def member_outputs(campaign: "Campaign", member: "Member", on: date, checker: "Checker",
                   maker: "LetterMaker") -> tuple[list[tuple[str, bytes]], dict[str, Any]]:
    """(files as (relative name, bytes), record) for one member; never raises for a
    member's own data (the reason is recorded under ``failed``)."""
    record: dict[str, Any] = {"member_id": member.member_id, "name": member.name,
                              "residence": member.residence, "letters": [], "notes": [],
                              "failed": [], "authorization": None, "check": None}
    files: list[tuple[str, bytes]] = []
    try:
        result = checker.check(member.check_inputs())
        if campaign.targets.datasets:   # only the campaign's datasets count
            wanted = set(campaign.targets.datasets)
            result = replace(result, matches=tuple(m for m in result.matches if m.dataset in wanted))
        record["check"] = {"inputs": result.inputs, "matches": len(result.matches),
                           "datasets": result.datasets(), "problems": list(result.problems),
                           "notes": list(result.notes)}
        if not result.matches:
            record["notes"].append("no match in the index: no letter")
            return files, record
        reference = authorization_reference(campaign, member)
        person = member.person(campaign)
        agent = replace(person.agent, authorization=reference) if person.agent else None
        kinds = [c.kind for c in maker.kinds_for(person)]
        by_org = tuple(k for k in kinds if sent_by_organisation(k))
        own = tuple(k for k in kinds if not sent_by_organisation(k))
        if by_org:
            outcome = maker.make(replace(person, kinds=by_org, agent=agent), result, on, cover=False)
            record["notes"] += list(outcome.notes)
            for letter in outcome.letters:
                if not sent_by_organisation(letter.kind):   # a swapped kind (never happens today)
                    record["failed"].append(f"{letter.company} {letter.kind}: not an agent route")
                    continue
                files.append((letter.pdf_name, letter.pdf))
                if letter.csv is not None and letter.csv_name:
                    files.append((letter.csv_name, letter.csv))
                record["letters"].append(_letter_record(letter, letter.pdf_name, letter.pdf,
                                                        route_for(letter.kind).route))
        if own:
            outcome = maker.make(replace(person, kinds=own, agent=None), result, on)
            record["notes"] += list(outcome.notes)
            for letter in outcome.letters:
                for name, data in letter.files():
                    files.append((f"{OWN}/{name}", data))
                record["letters"].append(_letter_record(letter, f"{OWN}/{letter.pdf_name}",
                                                        letter.pdf, "direct"))
                note = route_for(letter.kind).note or (
                    f"{letter.kind_title}: no verified agent route; the member sends it themselves.")
                record["notes"].append(note)
            if outcome.cover is not None:
                files.append((f"{OWN}/{outcome.cover.name}", outcome.cover.pdf))
        if any(l["route"] != "direct" for l in record["letters"]):
            if member.source == "telegram":
                signature = member.signature_bytes(campaign)
                signed_on = date.fromisoformat(member.joined) if member.joined else on
                pdf = render_authorization(campaign, member, signed_on,
                                           signature if isinstance(signature, bytes) else None)
                kind = "signed"
            else:
                pdf = render_authorization_record(campaign, member, on)
                kind = "record"
            name = safe_filename(f"authorization-{reference}.pdf")
            files.append((name, pdf))
            record["authorization"] = {"reference": reference, "file": name, "kind": kind,
                                       "sha256": _sha(pdf)}
    except RightsbotError as exc:
        files = []
        record["letters"], record["authorization"] = [], None
        record["failed"].append(str(exc))
    record["notes"] = list(dict.fromkeys(record["notes"]))
    return files, record


# -- the worker process ------------------------------------------------------------------

_tools: dict[str, Any] = {}


def init_worker(context: RunContext) -> None:
    from ..check import Checker
    _tools["context"] = context
    _tools["checker"] = Checker.from_config(context.config)
    _tools["maker"] = new_maker(context.config, context.campaign)


def init_bundle_worker(context: RunContext) -> None:
    """A bundle worker needs the run's context only (no index, no letter maker)."""
    _tools["context"] = context


def run_member(member: "Member") -> dict[str, Any]:
    """Make and write one member's folder (worker side); returns the record."""
    context: RunContext = _tools["context"]
    try:
        files, record = member_outputs(context.campaign, member, context.on, _tools["checker"],
                                       _tools["maker"])
    except Exception as exc:  # noqa: BLE001 - a bug is reported per member, the run goes on
        log.error("member %s: internal error %s", member.member_id, type(exc).__name__)
        files, record = [], {"member_id": member.member_id, "name": member.name,
                             "residence": member.residence, "letters": [], "notes": [],
                             "failed": [f"internal error ({type(exc).__name__}); please report it"],
                             "authorization": None, "check": None}
    write_member(context.out / MEMBERS / member_folder(member.member_id), files, record)
    return record


def write_member(folder: Path, files: list[tuple[str, bytes]], record: dict[str, Any]) -> None:
    """All of a member's files appear at once: written into a temp folder, then renamed."""
    if folder.is_dir():
        return
    folder.parent.mkdir(parents=True, exist_ok=True)
    tmp = temp_name(folder)
    tmp.mkdir(mode=0o700)
    try:
        for name, data in [*files, (RECORD, json.dumps(record, indent=1, sort_keys=True,
                                                       ensure_ascii=False).encode("utf-8"))]:
            path = tmp / name
            path.parent.mkdir(exist_ok=True)
            with open(path, "wb") as fh:
                fh.write(data)
                fh.flush()
                os.fsync(fh.fileno())
        for sub in {p.parent for p in tmp.rglob("*")}:
            fsync_dir(sub)
        try:
            os.rename(tmp, folder)
        except OSError:
            if not folder.is_dir():   # not a race with another writer of the same member
                raise
        fsync_dir(folder.parent)
    finally:
        if tmp.exists():
            shutil.rmtree(tmp, ignore_errors=True)


def read_member(folder: Path) -> dict[str, Any] | None:
    try:
        return json.loads((folder / RECORD).read_text("utf-8"))
    except (OSError, ValueError):
        return None


def clean_member_temps(members: Path) -> int:
    """Remove what a killed run left half-written (temp folders); returns how many."""
    count = 0
    if members.is_dir():
        for entry in members.iterdir():
            if entry.name.startswith(TEMP_PREFIX):
                shutil.rmtree(entry, ignore_errors=True)
                count += 1
    return count
