"""`rightsbot campaign add | list | import` through bot.cli.main: JSON shapes and exit codes."""

from __future__ import annotations

import json

from bot.campaigns.registered import registered
from bot.cli import main
from bot.config import Config
from tests.campaigns.conftest import MEMBERS, csv_text


def run(capsys, *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def test_import_json_shape_exit_codes_and_rerun(capsys, campaign_file, members_csv, config_file,
                                                tmp_path):
    code, out, _ = run(capsys, "campaign", "import", str(campaign_file), str(members_csv),
                       "--json", "--config", str(config_file))
    data = json.loads(out)
    assert code == 0 and (data["imported"], data["updated"], data["rejected"]) == (3, 0, [])
    assert {"imported", "updated", "rejected", "corrected", "encoding"} <= set(data)
    code, out, _ = run(capsys, "campaign", "import", str(campaign_file), str(members_csv),
                       "--json", "--config", str(config_file))
    data = json.loads(out)
    assert code == 0 and (data["imported"], data["updated"], data["unchanged"]) == (0, 0, 3)
    # importing registered the campaign
    storage = Config.load(config_file).storage.path
    assert [c.slug for c in registered(storage)] == ["test-campaign"]

    bad = tmp_path / "bad.csv"
    bad.write_text(csv_text([dict(MEMBERS[0], member_id="m4", email="x@example.org",
                                  residence="Nowhere")]), encoding="utf-8")
    code, out, _ = run(capsys, "campaign", "import", str(campaign_file), str(bad), "--json",
                       "--config", str(config_file))
    data = json.loads(out)
    assert code == 1 and [r["line"] for r in data["rejected"]] == [2]
    assert data["rejected"][0]["reason"].startswith("residence")


def test_import_text_output_names_lines(capsys, campaign_file, config_file, tmp_path):
    path = tmp_path / "m.csv"
    path.write_bytes(csv_text([MEMBERS[0], dict(MEMBERS[1], shown="nobody")]).encode("latin-1"))
    code, out, _ = run(capsys, "campaign", "import", str(campaign_file), str(path),
                       "--config", str(config_file))
    assert code == 1 and "(Latin-1)" in out and "line 4: rejected: shown" in out
    assert "1 imported" in out


def test_file_level_error_in_json_and_text(capsys, campaign_file, config_file, tmp_path):
    path = tmp_path / "m.csv"
    path.write_bytes(csv_text(MEMBERS).encode("utf-16"))
    code, out, _ = run(capsys, "campaign", "import", str(campaign_file), str(path), "--json",
                       "--config", str(config_file))
    data = json.loads(out)
    assert code == 1 and data["imported"] == 0 and data["rejected"][0]["line"] == 1
    assert "UTF-16" in data["rejected"][0]["reason"]
    code, out, err = run(capsys, "campaign", "import", str(campaign_file), str(path),
                         "--config", str(config_file))
    assert code == 1 and out == "" and "UTF-16" in err


def test_add_and_list(capsys, campaign_file, members_csv, config_file):
    code, out, _ = run(capsys, "campaign", "list", "--json", "--config", str(config_file))
    assert code == 0 and json.loads(out) == {"campaigns": []}
    code, out, _ = run(capsys, "campaign", "add", str(campaign_file), "--json",
                       "--config", str(config_file))
    data = json.loads(out)
    assert code == 0 and data["added"] is True and data["join_code"] == "join-test"
    code, out, _ = run(capsys, "campaign", "add", str(campaign_file), "--config", str(config_file))
    assert code == 0 and "Already registered" in out and "start=join-test" in out
    run(capsys, "campaign", "import", str(campaign_file), str(members_csv), "--config",
        str(config_file))
    code, out, _ = run(capsys, "campaign", "list", "--json", "--config", str(config_file))
    (entry,) = json.loads(out)["campaigns"]
    assert code == 0 and entry["slug"] == "test-campaign" and entry["members"] == 3
    assert entry["organisation"] == "Faces Back e.V." and entry["join_code"] == "join-test"
    code, out, _ = run(capsys, "campaign", "list", "--config", str(config_file))
    assert code == 0 and "test-campaign" in out and "/start join-test" in out
    assert "Ann" not in out                 # member data is not listed


def test_list_shows_a_campaign_whose_file_went_away(capsys, campaign_file, config_file):
    run(capsys, "campaign", "add", str(campaign_file), "--config", str(config_file))
    campaign_file.unlink()
    code, out, _ = run(capsys, "campaign", "list", "--json", "--config", str(config_file))
    (entry,) = json.loads(out)["campaigns"]
    assert code == 0 and "not found" in entry["problem"]


def test_bad_campaign_file_is_one_error_line(capsys, campaign_file, members_csv, config_file):
    campaign_file.write_text(campaign_file.read_text().replace('slug = "test-campaign"',
                                                                'slug = "Bad Slug"'))
    code, out, err = run(capsys, "campaign", "add", str(campaign_file), "--config",
                         str(config_file))
    assert code == 1 and "campaign.toml: slug" in err and out == ""
