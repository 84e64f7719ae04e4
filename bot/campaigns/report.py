"""The campaign report: members, matches per dataset, letters per company and law,
rejected rows and statuses, as aggregate figures.

:func:`build_report` reads the roster (``<campaign.folder>/members.json``) and, when a
run folder is known, the run's ``manifest.csv`` and its members' records
(``members/*/member.json``). Statuses come from the follow-up cases when the run
recorded them (one case letter per company, law and bundle part, in the first organiser's
cases: :func:`case_letters`), else from the manifest (every letter made, none marked sent:
"drafted"). The run folders of a campaign are recorded in ``<campaign.folder>/runs.json``
(:func:`record_run`) so the bot finds the latest one.

A :class:`CampaignReport` holds counts and public names only (organisation, datasets,
companies, laws): never a member's name, id, address or email, so its text, JSON, chart
(:mod:`.chart`) and one-page PDF (:mod:`.summary_pdf`) can go to members, the press and
funders. Rejected rows are reported by line number and reason in the organiser's
JSON/CLI output only (a reason may quote the row); the summary counts them.
"""

from __future__ import annotations

import json
import logging
from collections import Counter
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any, Iterable

from ..errors import DataError, StorageError
from .definition import Campaign
from .members import Roster

log = logging.getLogger(__name__)

MANIFEST = "manifest.csv"
MEMBERS_DIR = "members"
RECORD = "member.json"
MAX_MANIFEST_BYTES = 512 * 1024 * 1024
MAX_RECORD_BYTES = 16 * 1024 * 1024


@dataclass(frozen=True)
class LetterCount:
    company: str          # company slug
    company_name: str
    kind: str             # letter kind (one kind = one law)
    law: str              # the kind's title, e.g. "Requests under the General Data Protection Regulation"
    letters: int
    direct: int = 0       # of these, the members send themselves (no agent route)


@dataclass(frozen=True)
class DatasetCount:
    dataset: str          # dataset slug
    name: str
    members: int          # members whose check matched a photo in it


@dataclass(frozen=True)
class CampaignReport:
    slug: str
    organisation: str
    on: date
    members_total: int
    members_active: int
    members_left: int
    by_source: dict[str, int]              # "csv" / "telegram" -> members (active and left)
    run: str | None = None                 # the run folder read, if any
    checked: int = 0                       # members with a check record in the run
    matched: int = 0                       # members with at least one match
    failed: int = 0                        # members whose letters failed in the run
    datasets: tuple[DatasetCount, ...] = ()
    letters: tuple[LetterCount, ...] = ()
    rejected: tuple[dict[str, Any], ...] = ()
    statuses: dict[str, int] = field(default_factory=dict)
    statuses_from: str = "none"            # "cases" | "manifest" | "none"

    @property
    def letters_total(self) -> int:
        return sum(c.letters for c in self.letters)

    @property
    def companies(self) -> int:
        return len({c.company for c in self.letters})

    def letters_by_company(self) -> list[tuple[str, int]]:
        """(company name, letters), most letters first."""
        totals: Counter[str] = Counter()
        for count in self.letters:
            totals[count.company_name] += count.letters
        return sorted(totals.items(), key=lambda item: (-item[1], item[0]))

    def letters_by_law(self) -> list[tuple[str, int]]:
        totals: Counter[str] = Counter()
        for count in self.letters:
            totals[count.law] += count.letters
        return sorted(totals.items(), key=lambda item: (-item[1], item[0]))

    def to_json(self, *, rejected_reasons: bool = True) -> dict[str, Any]:
        return {
            "campaign": self.slug, "organisation": self.organisation, "date": self.on.isoformat(),
            "run": self.run,
            "members": {"total": self.members_total, "active": self.members_active,
                        "left": self.members_left, "by_source": dict(self.by_source),
                        "checked": self.checked, "matched": self.matched, "failed": self.failed},
            "matches": [{"dataset": d.dataset, "name": d.name, "members": d.members}
                        for d in self.datasets],
            "letters": {"total": self.letters_total, "companies": self.companies,
                        "by_company_and_law": [
                            {"company": c.company, "company_name": c.company_name, "kind": c.kind,
                             "law": c.law, "letters": c.letters, "direct": c.direct}
                            for c in self.letters]},
            "rejected": [dict(r) if rejected_reasons else {"line": r.get("line")}
                         for r in self.rejected],
            "statuses": {"from": self.statuses_from, "letters": dict(self.statuses)},
        }

    def text(self, *, rejected_reasons: bool = True) -> str:
        """The report as plain text (the CLI; /campaign_stats without rejected reasons)."""
        lines = [f"Campaign {self.slug} ({self.organisation}), {self.on.isoformat()}", "",
                 f"Members: {self.members_active} active, {self.members_left} left "
                 f"({self.members_total} in all; "
                 + ", ".join(f"{n} by {_SOURCE_LABELS.get(s, s)}" for s, n in
                             sorted(self.by_source.items())) + ")"
                 if self.by_source else
                 f"Members: {self.members_active} active, {self.members_left} left"]
        if self.run is None:
            lines += ["", "No run yet: matches, letters and statuses come from a run "
                          "(rightsbot campaign run)."]
        else:
            lines += ["", f"Checked: {self.checked} member(s); {self.matched} with a match"
                          + (f"; {self.failed} failed" if self.failed else "")]
            if self.datasets:
                lines.append("Matches per dataset (members):")
                lines += [f"  {d.name}: {d.members}" for d in self.datasets]
            lines += ["", f"Letters: {self.letters_total} to {self.companies} organisation(s)"]
            for count in self.letters:
                direct = f" ({count.direct} sent by the members themselves)" if count.direct else ""
                lines.append(f"  {count.company_name} - {count.law}: {count.letters}{direct}")
            if self.statuses:
                source = "follow-up cases" if self.statuses_from == "cases" else "the run manifest"
                lines += ["", f"Statuses (from {source}):"]
                lines += [f"  {status}: {n}" for status, n in sorted(self.statuses.items())]
        if self.rejected:
            lines += ["", f"Rejected rows in the last import: {len(self.rejected)}"]
            for row in self.rejected:
                reason = f": {row.get('reason', '')}" if rejected_reasons else ""
                lines.append(f"  line {row.get('line')}{reason}")
        return "\n".join(lines)


_SOURCE_LABELS = {"csv": "CSV", "telegram": "join link"}


def build_report(campaign: Campaign, *, run: Path | None = None, on: date | None = None,
                 cases: Iterable[dict[str, Any]] | None = None) -> CampaignReport:
    """The report of ``campaign``: the roster, and the run in ``run`` (a folder written by
    ``rightsbot campaign run``) when given. ``cases``: the follow-up case letters of the
    campaign (dicts as in bot.cases.lifecycle), when recorded; else :func:`case_letters`."""
    on = on or date.today()
    roster = Roster.open(campaign)
    members = roster.all()
    by_source = Counter(m.source for m in members)
    active = sum(1 for m in members if m.active)
    report = dict(slug=campaign.slug, organisation=campaign.organisation.name, on=on,
                  members_total=len(members), members_active=active,
                  members_left=len(members) - active, by_source=dict(sorted(by_source.items())),
                  rejected=tuple(roster.rejected()))
    if run is None:
        return CampaignReport(**report)
    run = Path(run)
    manifest = read_run_manifest(run)
    records = list(read_records(run))
    matched = [r for r in records if (r.get("check") or {}).get("matches")]
    per_dataset: Counter[str] = Counter()
    for record in matched:
        for slug in set((record.get("check") or {}).get("datasets") or ()):
            per_dataset[str(slug)] += 1
    names = _names()
    datasets = tuple(DatasetCount(slug, names.dataset(slug), n) for slug, n in
                     sorted(per_dataset.items(), key=lambda item: (-item[1], item[0])))
    letters = Counter((row["company"], row["kind"]) for row in manifest)
    direct = Counter((row["company"], row["kind"]) for row in manifest
                     if row.get("route") == "direct")
    counts = tuple(sorted((LetterCount(company, names.company(company), kind, names.law(kind), n,
                                       direct[(company, kind)])
                           for (company, kind), n in letters.items()),
                          key=lambda c: (c.company_name.lower(), c.law.lower())))
    case_list = case_letters(campaign, run, cases)
    if case_list:
        from ..cases.lifecycle import view
        statuses = Counter(view(letter, on).status for letter in case_list)
        statuses_from = "cases"
    elif manifest:
        statuses, statuses_from = Counter({"drafted": len(manifest)}), "manifest"
    else:
        statuses, statuses_from = Counter(), "none"
    return CampaignReport(**report, run=str(run), checked=sum(1 for r in records if r.get("check")),
                          matched=len(matched), failed=sum(1 for r in records if r.get("failed")),
                          datasets=datasets, letters=counts, statuses=dict(sorted(statuses.items())),
                          statuses_from=statuses_from)


def read_run_manifest(run: Path) -> list[dict[str, str]]:
    """The rows of ``run/manifest.csv`` (empty when the run wrote none yet)."""
    from .manifest import read_manifest
    path = Path(run) / MANIFEST
    try:
        size = path.stat().st_size
        if size > MAX_MANIFEST_BYTES:
            raise DataError(f"{path}: too large to read as a run manifest")
        data = path.read_bytes()
    except FileNotFoundError:
        return []
    except OSError as exc:
        raise StorageError(f"cannot read {path} ({exc.strerror})") from None
    try:
        rows = read_manifest(data)
    except (UnicodeDecodeError, ValueError):
        raise DataError(f"{path}: not a run manifest (not UTF-8 CSV)") from None
    needed = {"member_id", "company", "kind", "reference"}
    if rows and not needed <= set(rows[0]):
        raise DataError(f"{path}: not a run manifest (columns {', '.join(sorted(needed))} missing)")
    return rows


def read_records(run: Path) -> Iterable[dict[str, Any]]:
    """Each member's record of the run (``members/*/member.json``), skipping temp folders
    and anything unreadable."""
    folder = Path(run) / MEMBERS_DIR
    if not folder.is_dir():
        return
    for entry in sorted(folder.iterdir()):
        if entry.name.startswith(".") or not entry.is_dir():
            continue
        record = _read_record(entry)
        if record is not None:
            yield record


RUNS_FILE = "runs.json"
MAX_RUNS = 50


def record_run(campaign: Campaign, run: Path) -> None:
    """Remember ``run`` (a run folder) as the campaign's latest run, in
    ``<campaign.folder>/runs.json``: the bot's /campaign_export, /campaign_stats and
    /leave read it. Atomic; the folder must exist."""
    from ..storage.atomic import atomic_write_bytes, dump_json
    run = str(Path(run).resolve())
    runs = [r for r in (str(p) for p in recorded_runs(campaign)) if r != run] + [run]
    atomic_write_bytes(campaign.folder / RUNS_FILE,
                       dump_json({"version": 1, "runs": runs[-MAX_RUNS:]}))


def recorded_runs(campaign: Campaign) -> list[Path]:
    """The run folders recorded for the campaign, oldest first (those still there)."""
    from ..storage.atomic import CorruptFile, read_json_file
    try:
        data = read_json_file(campaign.folder / RUNS_FILE)
    except (CorruptFile, OSError):
        log.warning("campaign %s: %s unreadable; no run known", campaign.slug, RUNS_FILE)
        return []
    runs = data.get("runs") if isinstance(data, dict) else None
    if not isinstance(runs, list):
        return []
    return [Path(r) for r in runs if isinstance(r, str) and (Path(r) / "run.json").is_file()]


def latest_run(campaign: Campaign) -> Path | None:
    runs = recorded_runs(campaign)
    return runs[-1] if runs else None


def run_zip(campaign: Campaign, run: Path) -> Path | None:
    """The run's ZIP (``<run>/<slug>.zip``), if the run got that far."""
    path = Path(run) / f"{campaign.slug}.zip"
    return path if path.is_file() else None


def bundle_references(campaign: Campaign, run: Path) -> set[str]:
    """The references of the case letters the run recorded for the organiser (one per
    company, law and bundle part: bot.campaigns.run.record_campaign_cases)."""
    from .bundle import bundle_reference, plan_bundles
    state = read_run_state(run)
    if state is None:
        return set()
    on = date.fromisoformat(state["run_date"])
    folder = Path(run) / MEMBERS_DIR
    records = [(folder / entry.name, record) for entry in sorted(folder.iterdir())
               if entry.is_dir() and not entry.name.startswith(".")
               and (record := _read_record(entry)) is not None] if folder.is_dir() else []
    references = set()
    for plan in plan_bundles(records):
        for kind in {letter["kind"] for entry in plan.entries for letter in entry.letters}:
            references.add(bundle_reference(campaign, f"{plan.company}/{kind}", plan.part, on))
    return references


def case_letters(campaign: Campaign, run: Path | None,
                 cases: Iterable[dict[str, Any]] | None) -> list[dict[str, Any]]:
    """The run's letters among the organiser's follow-up ``cases`` (the first organiser's,
    where the run records them); [] when there are none."""
    if run is None or not cases:
        return []
    wanted = bundle_references(campaign, run)
    return [letter for case in cases if isinstance(case, dict)
            for letter in case.get("letters", []) if isinstance(letter, dict)
            and letter.get("reference") in wanted]


def read_run_state(run: Path) -> dict[str, Any] | None:
    try:
        state = json.loads((Path(run) / "run.json").read_text("utf-8"))
        date.fromisoformat(state["run_date"])
    except (OSError, ValueError, KeyError, TypeError):
        return None
    return state if isinstance(state, dict) else None


def _read_record(folder: Path) -> dict[str, Any] | None:
    path = folder / RECORD
    try:
        if path.stat().st_size > MAX_RECORD_BYTES:
            return None
        record = json.loads(path.read_text("utf-8"))
    except (OSError, ValueError):
        return None
    return record if isinstance(record, dict) else None


class _names:
    """Public names of datasets, companies and laws (slugs when unknown)."""

    def __init__(self) -> None:
        from ..companies import load_directory
        from ..letters.rules import load_rules
        from ..registry import load_registry
        self.directory = load_directory()
        self.registry = load_registry(companies=self.directory)
        self.rules = load_rules()

    def dataset(self, slug: str) -> str:
        try:
            return self.registry.get(slug).name
        except DataError:
            return slug

    def company(self, slug: str) -> str:
        try:
            return self.directory.get(slug).name
        except DataError:
            return slug

    def law(self, kind: str) -> str:
        if not self.rules.known(kind):
            return kind
        rule = self.rules.get(kind)
        return rule.title or rule.law or kind
