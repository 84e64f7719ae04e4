"""Helpers for the campaign run, bundle and authorization tests (not a test module).

:func:`make_run_setup` writes a campaign (fresh seal key), a config (demo index and
storage in the folder) and a roster of members built with the real
:func:`bot.campaigns.members.make_member`, and returns them. Members:

- ``m1`` Illinois, PIPA photo: BIPA (the member's own letter) to Meta, the general
  request (sent by the organisation) to UC Berkeley;
- ``m2`` Germany, PIPA photo: GDPR letters, transmitted by the organisation;
- ``m3`` California, their child shown: CCPA (agent route) to Meta;
- ``m4`` Illinois, joined by Telegram (a generated authorization PDF);
- ``m5`` a Flickr account in no dataset: no letter;
- with ``failing=True`` also ``m9``, who did not say who is shown: their biometric letters
  cannot be made, so the run exits 1.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from bot.campaigns.definition import Campaign, load_campaign
from bot.campaigns.members import Member, Roster, make_member
from bot.config import Config
from bot.letters.keys import new_key_files

PIPA_PHOTO = "1808093328"
RUN_DATE = "2026-11-26"

CAMPAIGN_TOML = """slug = "faces-back"
join_code = "join-faces"
organisers = [111, 222]
deadline_days = 30

[organisation]
name = "Faces Back e.V."
address = ["Beispielweg 1", "10117 Berlin", "Germany"]
signatory = "Dana Organiser"
email = "campaign@facesback.example"
sign_key = "key.pem"
sign_cert = "cert.pem"

[targets]
datasets = ["pipa"]
companies = []
kinds = []
"""


@dataclass(frozen=True)
class RunSetup:
    root: Path
    campaign_file: Path
    config_file: Path
    campaign: Campaign
    config: Config
    members: list[Member]


def member_rows(failing: bool = False) -> list[dict]:
    rows = [
        dict(member_id="m1", name="Ann Example", address=("1 Main Street", "Springfield, IL 62701"),
             email="ann@example.org", residence="US-IL", uploaded_from="US-IL", shown="me",
             flickr=(f"https://www.flickr.com/photos/12345678@N00/{PIPA_PHOTO}/",),
             authorization="AUTH-0001"),
        dict(member_id="m2", name="Jörg Müller", address=("Hauptstraße 5", "10115 Berlin"),
             email="joerg@example.de", residence="DE", uploaded_from="DE", shown="me",
             flickr=(PIPA_PHOTO,), authorization="AUTH-0002"),
        dict(member_id="m3", name="Carla Díaz", address=("9 Ocean Ave", "Los Angeles, CA 90001"),
             email="carla@example.com", residence="US-CA", uploaded_from="US-CA", shown="child",
             flickr=(PIPA_PHOTO,), authorization="AUTH-0003"),
        dict(member_id="tg-4242", name="Dee Telegram", address=("4 Lake Shore Dr", "Chicago, IL 60601"),
             email="dee@example.org", residence="US-IL", uploaded_from="US-IL", shown="me",
             flickr=(PIPA_PHOTO,), authorization="", source="telegram", telegram_id=4242,
             joined="2026-11-20"),
        dict(member_id="m5", name="Eve Nomatch", address=("5 Elm St", "Austin, TX 78701"),
             email="eve@example.org", residence="US-TX", uploaded_from="US-TX", shown="me",
             flickr=("99999999@N00",), authorization="AUTH-0005"),
    ]
    if failing:
        rows.append(dict(member_id="m9", name="Fay Unsaid", address=("9 Pine St", "Peoria, IL 61602"),
                         email="fay@example.org", residence="US-IL", uploaded_from="US-IL", shown="",
                         flickr=(PIPA_PHOTO,), authorization="AUTH-0009"))
    return rows


def make_run_setup(root: Path, *, failing: bool = False, extra: int = 0) -> RunSetup:
    """A campaign folder with keys, a config and the roster; ``extra`` adds synthetic
    Illinois/California/German members (for the kill-and-resume test)."""
    folder = root / "campaign"
    folder.mkdir(parents=True, exist_ok=True)
    new_key_files("Faces Back e.V.", folder)
    campaign_file = folder / "campaign.toml"
    campaign_file.write_text(CAMPAIGN_TOML, encoding="utf-8")
    config_file = root / "config.toml"
    config_file.write_text(f'[index]\npath = "{root / "index.sqlite"}"\ndemo = true\n'
                           f'[storage]\npath = "{root / "storage"}"\n', encoding="utf-8")
    campaign = load_campaign(campaign_file)
    rows = member_rows(failing)
    homes = [("US-CA", "9 Ocean Ave", "Los Angeles, CA 90001"), ("DE", "Hauptstraße 5", "10115 Berlin"),
             ("US-CO", "1 Colfax Ave", "Denver, CO 80202")]
    for i in range(extra):
        residence, line1, line2 = homes[i % len(homes)]
        rows.append(dict(member_id=f"x{i:04d}", name=f"Member Number {i}", address=(line1, line2),
                         email=f"member{i}@example.org", residence=residence, uploaded_from=residence,
                         shown="me", flickr=(PIPA_PHOTO,), authorization=f"PAPER-{i:04d}"))
    members = [make_member(require_authorization=False, **row) for row in rows]
    roster = Roster.open(campaign)
    roster.upsert_many(members)
    return RunSetup(root, campaign_file, config_file, campaign, Config.load(config_file),
                    roster.active())


def run_once(root: Path, *, failing: bool = False, workers: int = 2):
    """make_run_setup + one run into ``root/out`` dated RUN_DATE; (setup, report)."""
    from datetime import date

    from bot.campaigns.run import run_campaign
    setup = make_run_setup(root, failing=failing)
    report = run_campaign(setup.campaign, setup.config, root / "out", members=setup.members,
                          workers=workers, run_date=date.fromisoformat(RUN_DATE))
    return setup, report


def pdf_text(data: bytes) -> str:
    """All pages' text, whitespace squashed."""
    import io

    from pypdf import PdfReader
    reader = PdfReader(io.BytesIO(data))
    return " ".join(" ".join((page.extract_text() or "") for page in reader.pages).split())


def signature_png() -> bytes:
    """A drawn signature: dark strokes on white, big enough to print."""
    import io

    from PIL import Image, ImageDraw
    image = Image.new("RGB", (400, 120), "white")
    draw = ImageDraw.Draw(image)
    draw.line([(20, 90), (80, 20), (140, 100), (200, 30), (260, 95), (380, 40)], fill="black", width=6)
    out = io.BytesIO()
    image.save(out, format="PNG")
    return out.getvalue()
