"""``rightsbot campaign add | list | import``: register campaigns and import members.

- ``add CAMPAIGN.toml``: validate the campaign (its seal key opens) and register it in
  ``[storage] path`` so ``serve`` and ``chat`` answer its join link and organisers.
- ``list``: the registered campaigns (slug, organisation, members, join payload).
- ``import CAMPAIGN.toml members.csv``: register the campaign and import its members;
  ``--json`` prints ``{"imported", "updated", "rejected": [{"line", "reason"}],
  "corrected", "unchanged", "rows", "encoding"}``; exit 1 when any row was rejected
  (or the file as a whole was: then "rejected" holds one entry, line 0 = the whole file).

Member data is never printed except in the rejection reasons shown to the organiser.
"""

from __future__ import annotations

import argparse
from pathlib import Path

from ..campaigns.definition import load_campaign
from ..campaigns.intake import ENCODING_NAMES, CsvFileError, import_members
from ..campaigns.members import Roster
from ..campaigns.registered import register as register_campaign
from ..campaigns.registered import registrations
from .common import add_config_option, add_json_option, format_table, load_config, print_json


def register(commands: argparse._SubParsersAction) -> None:
    add = commands.add_parser("add", help="register a campaign in the bot's storage",
                              description="Validate CAMPAIGN.toml and register it in [storage] "
                                          "path, so the bot answers its join link.")
    add.add_argument("campaign", metavar="CAMPAIGN.toml", type=Path)
    add_config_option(add)
    add_json_option(add)
    add.set_defaults(func=run_add)

    listing = commands.add_parser("list", help="show the registered campaigns",
                                  description="The campaigns registered in [storage] path.")
    add_config_option(listing)
    add_json_option(listing)
    listing.set_defaults(func=run_list)

    imp = commands.add_parser(
        "import", help="import members from a CSV file",
        description="Import a campaign's members from a CSV file (UTF-8, UTF-8 with BOM or "
                    "Latin-1). Columns: member_id, name, address, email, residence, "
                    "uploaded_from, shown, flickr, urls, authorization (see docs/campaigns.md). "
                    "Exit 1 when any row was rejected.")
    imp.add_argument("campaign", metavar="CAMPAIGN.toml", type=Path)
    imp.add_argument("members", metavar="members.csv", type=Path)
    add_config_option(imp)
    add_json_option(imp)
    imp.set_defaults(func=run_import)


def run_add(args: argparse.Namespace) -> int:
    config = load_config(args)
    campaign = load_campaign(args.campaign)
    added = register_campaign(config.storage.path, campaign)
    if args.json:
        print_json({"slug": campaign.slug, "organisation": campaign.organisation.name,
                    "join_code": campaign.join_code, "source": str(campaign.source),
                    "folder": str(campaign.folder), "added": added})
    else:
        verb = "Registered" if added else "Already registered:"
        print(f"{verb} campaign {campaign.slug} ({campaign.organisation.name}).")
        print(f"Join link: https://t.me/<your bot>?start={campaign.join_code}")
    return 0


def run_list(args: argparse.Namespace) -> int:
    config = load_config(args)
    rows = []
    for entry in registrations(config.storage.path):
        item: dict = {"slug": entry.slug, "source": str(entry.path)}
        if entry.campaign is None:
            item["problem"] = entry.problem
        else:
            members = Roster(entry.campaign).all()
            item.update({"organisation": entry.campaign.organisation.name,
                         "members": len(members), "active": sum(m.active for m in members),
                         "join_code": entry.campaign.join_code,
                         "folder": str(entry.campaign.folder)})
        rows.append(item)
    if args.json:
        print_json({"campaigns": rows})
        return 0
    if not rows:
        print(f"No campaigns registered in {config.storage.path}. "
              "Add one with: rightsbot campaign add CAMPAIGN.toml")
        return 0
    table = [[r["slug"], r.get("organisation", "-"), str(r.get("members", "-")),
              str(r.get("active", "-")), f"/start {r['join_code']}" if "join_code" in r
              else f"problem: {r['problem']}"] for r in rows]
    print(format_table(["slug", "organisation", "members", "active", "join"], table))
    return 0


def run_import(args: argparse.Namespace) -> int:
    config = load_config(args)
    campaign = load_campaign(args.campaign)
    register_campaign(config.storage.path, campaign)
    try:
        report = import_members(campaign, args.members)
    except CsvFileError as exc:
        if not args.json:
            raise
        print_json({"imported": 0, "updated": 0, "rejected": [{"line": exc.line,
                                                               "reason": str(exc)}],
                    "corrected": [], "unchanged": 0, "rows": 0, "encoding": ""})
        return 1
    if args.json:
        print_json(report.to_json())
    else:
        print(f"Campaign {campaign.slug}: read {report.rows} rows "
              f"({ENCODING_NAMES.get(report.encoding, report.encoding)}).")
        print(f"{report.imported} imported, {report.updated} updated, {report.unchanged} "
              f"unchanged, {len(report.rejected)} rejected, {len(report.corrected)} corrected.")
        for line, reason in report.rejected:
            print(f"  line {line}: rejected: {reason}")
        for line, note in report.corrected:
            print(f"  line {line}: corrected: {note}")
    return 0 if report.ok else 1
