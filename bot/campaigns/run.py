"""``campaign run``: check and letters for every active member, bundles, manifest, ZIP.

Resumable and idempotent. The first run in a folder fixes the run date (UTC) and
the seal's signing time (the run date at 00:00 UTC, so never in the future) in
``DIR/run.json``, with fingerprints of the campaign file and the active roster; every
date in the letters and bundles derives from it. Each member's folder appears whole
(bot.campaigns.member_work.write_member) and is skipped when present; bundles,
manifest and ZIP are written atomically. Killed at any point and run again, the
folder ends with the same files, byte for byte, as a clean run made on the same run
date. A roster or campaign changed since the first run is refused (start a new
folder): the letters must not mix two states of the campaign.

Members and bundles run in parallel worker processes (``spawn``); the per-member work
is a pure function of campaign, member, run date and index (member_work.member_outputs).
The letters enter the follow-up machinery as one case per company for the first
organiser (bot.cases.book.record_delivery), recorded once: a resumed run finds them.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import logging
import multiprocessing
import os
import shutil
import sys
from collections import Counter
from concurrent.futures import FIRST_COMPLETED, Future, ProcessPoolExecutor, wait
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from types import SimpleNamespace
from typing import TYPE_CHECKING, Any, Callable

from ..errors import InputError, RightsbotError, StorageError
from ..storage.atomic import TEMP_PREFIX, atomic_write_bytes
from ..storage.lock import FolderLock
from . import member_work
from .bundle import BUNDLES, BundlePlan, build_bundle, bundle_reference, plan_bundles
from .manifest import MANIFEST, manifest_rows, write_manifest, write_zip
from .member_work import MEMBERS, RunContext, member_folder, read_member

if TYPE_CHECKING:  # pragma: no cover
    from ..config import Config
    from .definition import Campaign
    from .members import Member

log = logging.getLogger(__name__)

RUN_FILE = "run.json"
RUN_VERSION = 1
Progress = Callable[[str, int, int], None]


@dataclass
class RunReport:
    members: int
    letters: int
    own_letters: int
    bundles: list[dict[str, Any]]
    manifest: Path
    zip: Path
    run_date: date
    failed: list[dict[str, str]] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    resumed: int = 0                 # member folders found complete
    cases: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.failed

    def to_json(self) -> dict[str, Any]:
        return {"members": self.members, "letters": self.letters, "bundles": self.bundles,
                "manifest": str(self.manifest), "zip": str(self.zip),
                "run_date": self.run_date.isoformat(), "own_letters": self.own_letters,
                "failed": self.failed, "notes": self.notes, "resumed": self.resumed,
                "cases": self.cases}


def signing_time_for(on: date) -> dt.datetime:
    return dt.datetime(on.year, on.month, on.day, tzinfo=dt.timezone.utc)


def _fingerprint(campaign: "Campaign", members: list["Member"]) -> tuple[str, str]:
    roster = json.dumps([m.to_json() for m in members], sort_keys=True, ensure_ascii=False)
    return (hashlib.sha256(campaign.source.read_bytes()).hexdigest(),
            hashlib.sha256(roster.encode("utf-8")).hexdigest())


def run_state(out: Path, campaign: "Campaign", members: list["Member"],
              run_date: date | None) -> dict[str, Any]:
    """Load DIR/run.json, or start it; refuses a folder of another campaign or roster."""
    path = out / RUN_FILE
    campaign_sha, roster_sha = _fingerprint(campaign, members)
    today = dt.datetime.now(dt.timezone.utc).date()
    if path.exists():
        try:
            state = json.loads(path.read_text("utf-8"))
            recorded = date.fromisoformat(state["run_date"])
        except (OSError, ValueError, KeyError, TypeError):
            raise InputError(f"{path} is damaged; remove the folder and run again") from None
        if state.get("campaign") != campaign.slug:
            raise InputError(f"{out} holds a run of the campaign {state.get('campaign')!r}; "
                             "give this one its own --out folder")
        if run_date is not None and run_date != recorded:
            raise InputError(f"{out} holds a run dated {recorded.isoformat()}; its date cannot "
                             "change (give a new run its own --out folder)")
        if state.get("campaign_sha256") != campaign_sha or state.get("roster_sha256") != roster_sha:
            raise InputError(f"the campaign file or its active members changed since the run in "
                             f"{out} began on {recorded.isoformat()}; finish it with the same "
                             "members, or start a new run in another --out folder")
        return state
    on = run_date or today
    if on > today:
        raise InputError(f"--date {on.isoformat()} is in the future")
    state = {"version": RUN_VERSION, "campaign": campaign.slug, "run_date": on.isoformat(),
             "signing_time": signing_time_for(on).isoformat(), "members": len(members),
             "campaign_sha256": campaign_sha, "roster_sha256": roster_sha}
    atomic_write_bytes(path, (json.dumps(state, indent=1, sort_keys=True) + "\n").encode("utf-8"))
    return state


def _clean_temps(out: Path) -> None:
    for folder in (out, out / MEMBERS, out / BUNDLES):
        if not folder.is_dir():
            continue
        for entry in folder.iterdir():
            if entry.name.startswith(TEMP_PREFIX):
                if entry.is_dir():
                    shutil.rmtree(entry, ignore_errors=True)
                else:
                    entry.unlink(missing_ok=True)


def run_bundle(plan: BundlePlan) -> tuple[str, str]:
    """Worker side: build, seal and write one bundle part; returns (file, sha256)."""
    context: RunContext = member_work._tools["context"]
    sealer = member_work._tools.get("sealer")
    if sealer is None:
        from ..config import secret
        from ..letters.seal import Sealer
        org = context.campaign.organisation
        sealer = member_work._tools["sealer"] = Sealer.from_files(
            org.sign_key, org.sign_cert, password=secret("RIGHTSBOT_SEAL_PASSWORD"))
    data = build_bundle(context.campaign, plan, context.on, signing_time_for(context.on), sealer)
    path = context.out / plan.file
    path.parent.mkdir(exist_ok=True)
    atomic_write_bytes(path, data)
    return plan.file, hashlib.sha256(data).hexdigest()


def _pool(context: RunContext, workers: int,
          initializer: Callable[[RunContext], None] = member_work.init_worker) -> ProcessPoolExecutor:
    return ProcessPoolExecutor(workers, mp_context=multiprocessing.get_context("spawn"),
                               initializer=initializer, initargs=(context,))


def _map(executor: ProcessPoolExecutor, fn: Callable, items: list, window: int,
         done: Callable[[Any, Any], None]) -> None:
    """fn over items with at most ``window`` in flight (bounded memory); done(item, result)."""
    pending: dict[Future, Any] = {}
    queue = iter(items)
    for item in queue:
        pending[executor.submit(fn, item)] = item
        if len(pending) >= window:
            break
    while pending:
        finished, _ = wait(pending, return_when=FIRST_COMPLETED)
        for future in finished:
            item = pending.pop(future)
            done(item, future.result())
            nxt = next(queue, None)
            if nxt is not None:
                pending[executor.submit(fn, nxt)] = nxt


def run_campaign(campaign: "Campaign", config: "Config", out: Path, *, members: list["Member"],
                 workers: int | None = None, run_date: date | None = None,
                 progress: Progress | None = None, record_cases: bool = True) -> RunReport:
    """The whole run into ``out``; ``members``: the campaign's active members."""
    out = Path(out)
    try:
        out.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise InputError(f"cannot create {out}: {exc.strerror}") from None
    lock = FolderLock(out)
    lock.acquire()
    try:
        report = _run_locked(campaign, config, out, members, workers, run_date, progress, record_cases)
    finally:
        lock.release()
    lock.path.unlink(missing_ok=True)   # a clean run leaves no lock file behind
    return report


def _run_locked(campaign, config, out, members, workers, run_date, progress, record_cases) -> RunReport:
    members = sorted(members, key=lambda m: m.member_id)
    state = run_state(out, campaign, members, run_date)
    on = date.fromisoformat(state["run_date"])
    _clean_temps(out)
    context = RunContext(campaign=campaign, config=config, on=on, out=out)
    todo = []
    for m in members:
        folder = out / MEMBERS / member_folder(m.member_id)
        record = read_member(folder) if folder.is_dir() else None
        if record is not None and record.get("failed"):
            shutil.rmtree(folder)    # failed before: try again (a fixed signature file, ...)
            record = None
        if record is None:
            todo.append(m)
    resumed = len(members) - len(todo)
    if todo:   # build the demo index here once, not in every worker at the same time
        from ..index import open_index
        open_index(config).close()
    workers = max(1, workers or os.cpu_count() or 1)
    log.info("campaign %s: %d members (%d already done), %d workers", campaign.slug,
             len(members), resumed, workers)
    counter = {"members": resumed}
    if progress:
        progress("members", resumed, len(members))
    executor = _pool(context, workers) if todo else None
    try:
        if executor is not None:
            def member_done(_member: Any, _record: Any) -> None:
                counter["members"] += 1
                if progress:
                    progress("members", counter["members"], len(members))
            _map(executor, member_work.run_member, todo, workers * 4, member_done)
            # the bundles get fresh workers: what the letters' workers hold (fonts, index,
            # templates, freed memory the allocator keeps) would add to the merge's peak
            executor.shutdown(wait=True)
            executor = None
        records, note_counts = [], Counter()
        for m in members:
            rel = f"{MEMBERS}/{member_folder(m.member_id)}"
            record = read_member(out / rel)
            if record is None:
                raise StorageError(f"the member folder {rel} is incomplete; remove it and run again")
            records.append((rel, _slim(record, note_counts)))
        plans = plan_bundles([(out / rel, r) for rel, r in records])
        # bundles are remade whenever a member was (re)made now; else those present are kept
        # half the workers for bundles: a merge and its seal hold a whole part (pikepdf, then
        # pyHanko's parse of it), so two at once on two cores would set the run's memory peak
        # for about 10% less wall time (docs/performance.md)
        bundles, failed = _bundles(context, plans, executor, max(1, workers // 2), progress,
                                   keep=not todo)
    finally:
        if executor is not None:
            executor.shutdown(wait=True, cancel_futures=True)
    for _rel, record in records:
        failed += [{"member_id": record["member_id"], "reason": reason} for reason in record["failed"]]
    bundle_of = {(e.member_id, p.company): p.file for p in plans for e in p.entries}
    rows = manifest_rows(records, bundle_of)
    write_manifest(out / MANIFEST, rows)
    notes = [f"{note} ({n} member{'s' if n != 1 else ''})" for note, n in sorted(note_counts.items())]
    cases: list[str] = []
    if record_cases and campaign.organisers:
        try:
            cases = record_campaign_cases(config, campaign, plans, records, on)
        except StorageError as exc:
            notes.append(f"The letters were not entered into the follow-up (the bot's store is "
                         f"busy: {exc}); run the same command again once it is free.")
    zip_path = out / f"{campaign.slug}.zip"
    write_zip(out, zip_path, on, skip={lock_name()})
    try:   # the bot's /campaign_export, /campaign_stats and /leave find the latest run here
        from .report import record_run
        record_run(campaign, out)
    except OSError as exc:
        notes.append(f"The run was not recorded in the campaign folder ({exc.strerror}); "
                     "`campaign report --run` can still be pointed at it.")
    letters = sum(len(r["letters"]) for _rel, r in records)
    own = sum(1 for _rel, r in records for l in r["letters"] if l["route"] == "direct")
    return RunReport(members=len(members), letters=letters, own_letters=own, bundles=bundles,
                     manifest=out / MANIFEST, zip=zip_path, run_date=on, failed=failed,
                     notes=notes, resumed=resumed, cases=cases)


def lock_name() -> str:
    return FolderLock(Path(".")).path.name


def _bundles(context: RunContext, plans: list[BundlePlan], executor: ProcessPoolExecutor | None,
             workers: int, progress: Progress | None, keep: bool) -> tuple[list[dict], list[dict]]:
    out = context.out
    results: dict[str, str] = {}
    todo = []
    expected = {p.file for p in plans}
    if (out / BUNDLES).is_dir():
        for stale in (out / BUNDLES).glob("*.pdf"):
            if f"{BUNDLES}/{stale.name}" not in expected:
                stale.unlink()
    for plan in plans:
        path = out / plan.file
        if keep and path.exists():
            results[plan.file] = hashlib.sha256(path.read_bytes()).hexdigest()
        else:
            todo.append(plan)
    failed: list[dict[str, str]] = []
    if todo:
        own = executor is None
        if own:
            executor = _pool(context, workers, member_work.init_bundle_worker)
        done_count = {"n": len(plans) - len(todo)}

        def bundle_done(_plan: BundlePlan, result: tuple[str, str]) -> None:
            results[result[0]] = result[1]
            done_count["n"] += 1
            if progress:
                progress("bundles", done_count["n"], len(plans))
        try:
            _map(executor, run_bundle, todo, workers * 2, bundle_done)
        except RightsbotError as exc:
            failed.append({"member_id": "", "reason": f"bundle: {exc}"})
        finally:
            if own:
                executor.shutdown(wait=True, cancel_futures=True)
    bundles = [{"company": p.company, "pdf": str(out / p.file), "members": len(p.entries),
                "letters": p.letter_count(), "part": p.part, "parts": p.parts,
                "sha256": results.get(p.file, "")} for p in plans]
    return bundles, failed


LETTER_KEYS = ("company", "company_name", "kind", "kind_title", "reference", "file", "sha256", "due",
               "route", "escalation")


def _slim(record: dict, notes: Counter) -> dict:
    """What the rest of the run needs of a member's record, repeated texts shared: at 10,000
    members the full records (notes, check details) would hold the run's memory up. The
    notes are counted into ``notes`` (for the organiser: counts, not names)."""
    for note in record.get("notes", []):
        notes[note] += 1
    return {"member_id": record["member_id"], "name": record["name"],
            "residence": sys.intern(record.get("residence", "")), "failed": record["failed"],
            "authorization": record.get("authorization"),
            "letters": [{k: sys.intern(l[k]) if isinstance(l.get(k), str) else l.get(k)
                         for k in LETTER_KEYS} for l in record.get("letters", [])]}


def record_campaign_cases(config: "Config", campaign: "Campaign", plans: list[BundlePlan],
                          records: list[tuple[str, dict]], on: date) -> list[str]:
    """One case per company for the first organiser: one case letter per bundle part and
    letter kind (reference CB-...), due on the latest reply date among those letters."""
    from ..cases import book
    from ..storage import Store
    organiser = campaign.organisers[0]
    residence = {r["member_id"]: r.get("residence", "") for _rel, r in records}
    org = campaign.organisation
    sender = {"name": org.name, "address": list(org.address), "email": org.email}
    made: list[str] = []
    with Store.from_config(config) as store:
        known = {letter.get("reference") for _cid, letter in book.letters(store, organiser)}
        for company in sorted({p.company for p in plans}):
            produced = []
            homes: Counter[str] = Counter()
            for plan in (p for p in plans if p.company == company):
                by_kind: dict[str, list[dict]] = {}
                for entry in plan.entries:
                    homes[residence.get(entry.member_id, "")] += 1
                    for letter in entry.letters:
                        by_kind.setdefault(letter["kind"], []).append(letter)
                for kind, letters in sorted(by_kind.items()):
                    first = letters[0]
                    produced.append(SimpleNamespace(
                        reference=bundle_reference(campaign, f"{company}/{kind}", plan.part, on),
                        company=company, company_name=first["company_name"], kind=kind,
                        kind_title=f"{first['kind_title']} ({len(letters)} letters, bundle "
                                   f"{plan.part} of {plan.parts})",
                        escalation=first["escalation"],
                        due=max(date.fromisoformat(l["due"]) for l in letters),
                        document=SimpleNamespace(recipient=(first["company_name"],))))
            if not produced or all(p.reference in known for p in produced):
                continue
            home = homes.most_common(1)[0][0] or "US"
            made.append(book.record_delivery(store, organiser, produced, on, home, sender))
    log.info("campaign %s: %d cases recorded for the organiser", campaign.slug, len(made))
    return made
