"""``rightsbot campaign report CAMPAIGN.toml [--run DIR] [--out DIR] [--json]``.

Members (active, left, by source), matches per dataset, letters per company and law,
the last import's rejected rows and the letters' statuses. ``--run DIR`` names the run
folder (``campaign run --out DIR``; it is then remembered as the campaign's latest run),
else the latest recorded run is read. ``--out DIR`` also writes the chart
(``<slug>-report.png``) and the one-page summary for members, press and funders
(``<slug>-summary.pdf``): aggregate figures only, no member named.
"""

from __future__ import annotations

import argparse
import logging
from pathlib import Path

from ..campaigns.definition import load_campaign
from ..errors import InputError, StorageError
from .common import add_config_option, add_json_option, load_config, print_json

log = logging.getLogger(__name__)


def register(commands: argparse._SubParsersAction) -> None:
    parser = commands.add_parser(
        "report", help="a campaign's figures, with a PNG chart and a one-page PDF summary",
        description="Members, matches per dataset, letters per company and law, rejected rows "
                    "and statuses. With --out, also a PNG chart and a one-page PDF summary "
                    "(aggregate figures only) for members, press and funders.")
    parser.add_argument("campaign", metavar="CAMPAIGN.toml", type=Path)
    parser.add_argument("--run", metavar="DIR", type=Path, default=None,
                        help="the run folder to report on (default: the campaign's latest run)")
    parser.add_argument("--out", metavar="DIR", type=Path, default=None,
                        help="write <slug>-report.png and <slug>-summary.pdf into DIR")
    add_config_option(parser)
    add_json_option(parser)
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    from ..campaigns.report import build_report, latest_run, record_run
    config = load_config(args)
    campaign = load_campaign(args.campaign, check_key=False)
    folder = args.run.expanduser().resolve() if args.run is not None else latest_run(campaign)
    if folder is not None and not (folder / "run.json").is_file():
        raise InputError(f"{folder} is not a campaign run folder (no run.json): give the --out "
                         "folder of `rightsbot campaign run`")
    if args.run is not None:
        record_run(campaign, folder)
    report = build_report(campaign, run=folder, cases=_organiser_cases(config, campaign, folder))
    written = {}
    if args.out is not None:
        written = write_outputs(report, args.out.expanduser())
    if args.json:
        print_json({**report.to_json(), "files": {k: str(v) for k, v in written.items()}})
    else:
        print(report.text())
        for what, path in written.items():
            print(f"{what}: {path}")
    return 0


def write_outputs(report, out: Path) -> dict[str, Path]:
    """The chart and the summary PDF, written atomically into ``out``."""
    from ..campaigns.chart import render_chart
    from ..campaigns.summary_pdf import render_summary
    from ..storage.atomic import atomic_write_bytes
    try:
        out.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise InputError(f"cannot create {out}: {exc.strerror}") from None
    chart = render_chart(report)
    files = {"chart": out / f"{report.slug}-report.png",
             "summary": out / f"{report.slug}-summary.pdf"}
    atomic_write_bytes(files["chart"], chart)
    atomic_write_bytes(files["summary"], render_summary(report, chart))
    return files


def _organiser_cases(config, campaign, folder: Path | None) -> list[dict] | None:
    """The first organiser's follow-up cases, where the run recorded the letters; None
    when the bot's store is in use by the running bot (statuses then from the manifest)."""
    if folder is None or not campaign.organisers:
        return None
    from ..storage import Store
    try:
        with Store.from_config(config) as store:
            return store.cases(campaign.organisers[0])
    except StorageError as exc:
        log.warning("campaign %s: follow-up cases not read (%s); statuses from the manifest",
                    campaign.slug, type(exc).__name__)
        return None
