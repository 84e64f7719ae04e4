"""``rightsbot campaign run CAMPAIGN.toml --out DIR [--json]``: check and letters for every
active member, sealed per-company bundles, manifest.csv and a ZIP of everything.

Resumable: run the same command again after an interruption and it finishes the run
(same run date, same bytes). ``--json`` prints ``{"members", "letters", "bundles":
[{"company", "pdf", "members", "sha256", ...}], "manifest", "zip", "failed", ...}``.
Exit 1 when any letter (or bundle) failed, with the reasons. Names are never printed.
"""

from __future__ import annotations

import argparse
import sys
from datetime import date
from pathlib import Path

from ..errors import InputError
from .common import add_config_option, add_json_option, load_config, print_json, progress_bar


def register(commands: argparse._SubParsersAction) -> None:
    parser = commands.add_parser(
        "run", help="check and letters for every active member; sealed bundles per company",
        description="Run the check and the authorized-agent letters for every active member "
                    "of the campaign, in parallel, into --out: one folder per member, one "
                    "sealed bundle per company (in parts of at most 50 members), the member's "
                    "own letters where the law has no agent route, manifest.csv and a ZIP of "
                    "everything. Interrupted, the same command finishes the run with the same "
                    "files, byte for byte.",
        epilog="exit status: 0 every letter was made; 1 a letter or a bundle failed (the reasons "
               "are listed), or an error.")
    parser.add_argument("campaign", type=Path, metavar="CAMPAIGN.toml")
    parser.add_argument("--out", type=Path, required=True, metavar="DIR",
                        help="the run folder (created; a later run with the same folder resumes)")
    parser.add_argument("--workers", type=int, default=None, metavar="N",
                        help="worker processes (default: one per core)")
    parser.add_argument("--date", type=date.fromisoformat, default=None, metavar="YYYY-MM-DD",
                        help="the run date of a new run (default: today, UTC); fixed once the "
                             "run has started")
    add_json_option(parser)
    add_config_option(parser)
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    from ..campaigns.definition import load_campaign
    from ..campaigns.members import Roster
    from ..campaigns.run import run_campaign

    if args.workers is not None and not 1 <= args.workers <= 256:
        raise InputError("--workers: give a number from 1 to 256")
    config = load_config(args)
    campaign = load_campaign(args.campaign)
    members = Roster.open(campaign).active()
    bars: dict[str, object] = {}

    def progress(stage: str, done: int, total: int) -> None:
        bar = bars.get(stage)
        if bar is None:
            bar = bars[stage] = progress_bar(total=total, desc=stage, unit="member" if stage ==
                                             "members" else "bundle")
        bar.n = done          # type: ignore[attr-defined]
        bar.refresh()         # type: ignore[attr-defined]

    try:
        report = run_campaign(campaign, config, args.out.expanduser().resolve(), members=members,
                              workers=args.workers, run_date=args.date, progress=progress)
    finally:
        for bar in bars.values():
            bar.close()       # type: ignore[attr-defined]
    if args.json:
        print_json(report.to_json())
    else:
        print(f"Campaign {campaign.slug}, run of {report.run_date.isoformat()}: {report.members} "
              f"members ({report.resumed} already done), {report.letters} letters "
              f"({report.own_letters} the members' own).")
        for bundle in report.bundles:
            print(f"  {bundle['company']}: {bundle['pdf']} ({bundle['members']} members, sealed)")
        print(f"Manifest: {report.manifest}")
        print(f"ZIP: {report.zip}")
        for note in report.notes:
            print(f"  note: {note}")
        if report.cases:
            print(f"Entered into the follow-up for organiser {campaign.organisers[0]}: "
                  f"{len(report.cases)} case(s).")
    for failure in report.failed:
        who = f"member {failure['member_id']}: " if failure["member_id"] else ""
        print(f"failed: {who}{failure['reason']}", file=sys.stderr)
    return 0 if report.ok else 1
