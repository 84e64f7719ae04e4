"""Shared campaign fixtures: a campaign TOML with a fresh seal key, and a members CSV.

Fixtures:
- ``campaign_file``: ``<tmp>/campaign/campaign.toml`` with key.pem/cert.pem beside it
  (``bot.letters.keys.new_key_files``), organisers [111, 222], join code "join-test".
- ``campaign``: the loaded :class:`bot.campaigns.definition.Campaign`.
- ``members_csv``: ``<tmp>/members.csv`` with three valid members (m1 in Illinois with a
  demo-index Flickr photo, m2 in Germany, m3 in California) in UTF-8.
- ``config_file``: a config.toml whose ``[storage] path`` is ``<tmp>/storage``.

Helpers for other test modules: :func:`write_campaign` (a TOML with some keys
replaced or removed) and :func:`csv_text` (CSV text from rows of dicts).
"""

from __future__ import annotations

import csv
import io
from pathlib import Path
from typing import Any

import pytest

from bot.campaigns.definition import load_campaign
from bot.letters.keys import new_key_files

HEADER = ("member_id", "name", "address", "email", "residence", "uploaded_from", "shown",
          "flickr", "urls", "authorization")

MEMBERS = [
    {"member_id": "m1", "name": "Ann Example", "address": "1 Main Street\nSpringfield, IL 62701",
     "email": "ann@example.org", "residence": "US-IL", "uploaded_from": "US-IL", "shown": "me",
     "flickr": "https://www.flickr.com/photos/12345678@N00/1808093328/", "urls": "",
     "authorization": "AUTH-0001"},
    {"member_id": "m2", "name": "Jörg Müller", "address": "Hauptstraße 5\n10115 Berlin",
     "email": "joerg@example.de", "residence": "DE", "uploaded_from": "DE", "shown": "me",
     "flickr": "1808093328", "urls": "https://example.org/photos/a.jpg",
     "authorization": "AUTH-0002"},
    {"member_id": "m3", "name": "Carla Díaz", "address": "9 Ocean Ave\nLos Angeles, CA 90001",
     "email": "carla@example.com", "residence": "US-CA", "uploaded_from": "", "shown": "child",
     "flickr": "12345678@N00", "urls": "", "authorization": "AUTH-0003"},
]


def campaign_toml(*, key: str = "key.pem", cert: str = "cert.pem", **top: Any) -> str:
    """The text of a valid campaign TOML; ``top`` replaces top-level keys (TOML literals)."""
    values = {"slug": '"test-campaign"', "join_code": '"join-test"', "organisers": "[111, 222]",
              "deadline_days": "30"}
    values.update(top)
    lines = [f"{k} = {v}" for k, v in values.items() if v is not None]
    return "\n".join(lines) + f"""

[organisation]
name = "Faces Back e.V."
address = ["Beispielweg 1", "10117 Berlin", "Germany"]
signatory = "Dana Organiser"
email = "campaign@facesback.example"
sign_key = "{key}"
sign_cert = "{cert}"

[targets]
datasets = ["megaface", "flickr30k"]
companies = []
kinds = []
"""


def write_campaign(folder: Path, text: str | None = None, *, keys: bool = True) -> Path:
    """``folder/campaign.toml`` (``text``, else the default), with a fresh key pair."""
    folder.mkdir(parents=True, exist_ok=True)
    if keys and not (folder / "key.pem").exists():
        new_key_files("Faces Back e.V.", folder)
    path = folder / "campaign.toml"
    path.write_text(text if text is not None else campaign_toml(), encoding="utf-8")
    return path


def csv_text(rows: list[dict[str, str]], header: tuple[str, ...] = HEADER) -> str:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(header)
    for row in rows:
        writer.writerow([row.get(h, "") for h in header])
    return out.getvalue()


@pytest.fixture
def campaign_file(tmp_path: Path) -> Path:
    return write_campaign(tmp_path / "campaign")


@pytest.fixture
def campaign(campaign_file: Path):
    return load_campaign(campaign_file)


@pytest.fixture
def members_csv(tmp_path: Path) -> Path:
    path = tmp_path / "members.csv"
    path.write_text(csv_text(MEMBERS), encoding="utf-8", newline="")
    return path


@pytest.fixture
def config_file(tmp_path: Path) -> Path:
    path = tmp_path / "config.toml"
    path.write_text(f'[index]\npath = "{tmp_path / "index.sqlite"}"\ndemo = true\n'
                    f'[storage]\npath = "{tmp_path / "storage"}"\n', encoding="utf-8")
    return path
