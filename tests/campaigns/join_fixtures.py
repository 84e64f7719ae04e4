"""Helpers for the join tests (not a test module): a campaign registered in a bot's
storage folder, the journey over it, and a run folder with a manifest naming a member."""

from __future__ import annotations

import json
import shutil
from datetime import date
from pathlib import Path

from bot.campaigns.definition import Campaign, load_campaign
from bot.campaigns.manifest import render_manifest
from bot.campaigns.registered import register
from bot.config import Config
from tests.campaigns.conftest import write_campaign

JOIN_CODE = "join-test"          # conftest.campaign_toml: organisers 111 and 222
ORGANISER, OTHER_ORGANISER = 111, 222
PIPA_PHOTO = "1808093328"


def bot_config(root: Path, demo_index: Path, **telegram: str) -> Config:
    index = root / "index.sqlite"
    shutil.copyfile(demo_index, index)
    overrides = {"index": {"path": index, "demo": False}}
    if telegram:
        overrides["telegram"] = telegram
    return Config.defaults(base=root).with_overrides(**overrides)


def registered_campaign(root: Path, config: Config) -> Campaign:
    """conftest's campaign (join code "join-test"), registered in the bot's storage."""
    campaign = load_campaign(write_campaign(root / "campaign"))
    register(config.storage.path, campaign)
    return campaign


def fake_run(campaign: Campaign, folder: Path, rows: list[list[str]], *, zip_bytes: bytes | None = None,
             on: date = date(2026, 11, 20)) -> Path:
    """A run folder as `campaign run` leaves it (run.json, manifest.csv, optionally the ZIP),
    with the given manifest rows (member_id, company, kind, reference, file, sha256, due,
    route, bundle)."""
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "run.json").write_text(json.dumps({"version": 1, "campaign": campaign.slug,
                                                 "run_date": on.isoformat()}))
    (folder / "manifest.csv").write_bytes(render_manifest(rows))
    if zip_bytes is not None:
        (folder / f"{campaign.slug}.zip").write_bytes(zip_bytes)
    return folder
