"""The campaign TOML: every key validated, errors naming the file and the key."""

from __future__ import annotations

import os
from datetime import date

import pytest

from bot.campaigns.definition import load_campaign
from bot.campaigns.members import Roster, make_member
from bot.campaigns.registered import by_join_code, organised_by, register, registered
from bot.errors import ConfigError, InputError
from bot.letters.keys import new_key_files
from tests.campaigns.conftest import campaign_toml, write_campaign


def test_valid_campaign_loads_with_resolved_paths(campaign_file):
    campaign = load_campaign(campaign_file)
    assert campaign.slug == "test-campaign" and campaign.join_code == "join-test"
    assert campaign.organisers == (111, 222) and campaign.deadline_days == 30
    assert campaign.organisation.address == ("Beispielweg 1", "10117 Berlin", "Germany")
    assert campaign.organisation.sign_key == campaign_file.parent / "key.pem"
    assert campaign.targets.datasets == ("megaface", "flickr30k")
    assert campaign.source == campaign_file and campaign.folder == campaign_file.parent / "test-campaign"


def load_text(tmp_path, text):
    return load_campaign(write_campaign(tmp_path / "c", text))


@pytest.mark.parametrize("change, key", [
    ({"slug": '"Bad Slug"'}, "slug"),
    ({"slug": '"-leading"'}, "slug"),
    ({"slug": '"' + "a" * 41 + '"'}, "slug"),
    ({"slug": "12"}, "slug"),
    ({"slug": None}, "slug"),
    ({"join_code": '"has space"'}, "join_code"),
    ({"join_code": '"' + "x" * 65 + '"'}, "join_code"),
    ({"join_code": '""'}, "join_code"),
    ({"organisers": '"123"'}, "organisers"),
    ({"organisers": '[0]'}, "organisers[0]"),
    ({"organisers": '[1, "2"]'}, "organisers[1]"),
    ({"organisers": '[true]'}, "organisers[0]"),
    ({"deadline_days": "0"}, "deadline_days"),
    ({"deadline_days": "366"}, "deadline_days"),
    ({"deadline_days": '"30"'}, "deadline_days"),
    ({"deadline_days": None}, "deadline_days"),
    ({"colour": '"red"'}, "colour"),
])
def test_each_top_level_key_wrong_in_turn(tmp_path, change, key):
    with pytest.raises(ConfigError) as info:
        load_text(tmp_path, campaign_toml(**change))
    assert f"campaign.toml: {key}" in str(info.value)


ORG_CASES = [
    ('name = "Faces Back e.V."', 'name = ""', "organisation.name"),
    ('name = "Faces Back e.V."', 'name = "x\u200by"', "organisation.name"),
    ('name = "Faces Back e.V."', 'name = "' + "N" * 150 + '"', "organisation.name"),
    ('signatory = "Dana Organiser"', 'signatory = 5', "organisation.signatory"),
    ('address = ["Beispielweg 1", "10117 Berlin", "Germany"]', 'address = "one line"',
     "organisation.address"),
    ('address = ["Beispielweg 1", "10117 Berlin", "Germany"]', 'address = []',
     "organisation.address"),
    ('address = ["Beispielweg 1", "10117 Berlin", "Germany"]', 'address = ["a","b","c","d","e","f","g"]',
     "organisation.address"),
    ('address = ["Beispielweg 1", "10117 Berlin", "Germany"]', 'address = ["line\\nbreak"]',
     "organisation.address[0]"),
    ('email = "campaign@facesback.example"', 'email = "campaign@"', "organisation.email"),
    ('sign_key = "key.pem"', 'sign_key = "missing.pem"', "organisation.sign_key"),
    ('sign_key = "key.pem"', 'sign_key = "../../etc/passwd"', "organisation.sign_key"),
    ('sign_key = "key.pem"', 'sign_key = "."', "organisation.sign_key"),
    ('sign_cert = "cert.pem"', 'sign_cert = ""', "organisation.sign_cert"),
    ('sign_cert = "cert.pem"', 'sign_cert = "campaign.toml"', "organisation.sign_key"),
    ('sign_cert = "cert.pem"', 'sign_cert = "cert.pem"\nwebsite = "x"', "organisation.website"),
    ('sign_cert = "cert.pem"\n', '', "organisation.sign_cert"),
    ('datasets = ["megaface", "flickr30k"]', 'datasets = ["no-such-dataset"]', "targets.datasets[0]"),
    ('datasets = ["megaface", "flickr30k"]', 'datasets = ["Bad Slug"]', "targets.datasets[0]"),
    ('companies = []', 'companies = ["no-such-company"]', "targets.companies[0]"),
    ('kinds = []', 'kinds = ["no-such-kind"]', "targets.kinds[0]"),
    ('kinds = []', 'kinds = "gdpr"', "targets.kinds"),
    ('kinds = []', 'kinds = []\nlaws = []', "targets.laws"),
]


@pytest.mark.parametrize("old, new, key", ORG_CASES)
def test_each_table_key_wrong_in_turn(tmp_path, old, new, key):
    text = campaign_toml()
    assert old in text
    with pytest.raises(ConfigError) as info:
        load_text(tmp_path, text.replace(old, new, 1))
    assert f"campaign.toml: {key}" in str(info.value)


def test_unknown_keys_are_named_all_at_once(tmp_path):
    with pytest.raises(ConfigError) as info:
        load_text(tmp_path, campaign_toml(members='["ann"]', extra="1"))
    assert "extra, members: unknown keys" in str(info.value)


def test_unknown_table_and_storage_keys(tmp_path):
    with pytest.raises(ConfigError, match=r"storage\.size: unknown key"):
        load_text(tmp_path, campaign_toml() + '\n[storage]\npath = "m"\nsize = 3\n')
    with pytest.raises(ConfigError, match=r"targets: must be a table"):
        load_text(tmp_path, campaign_toml(targets="3").split("[targets]")[0])


def test_kinds_companies_and_storage_path(tmp_path):
    text = campaign_toml().replace('companies = []', 'companies = ["meta"]').replace(
        'kinds = []', 'kinds = ["gdpr", "ccpa", "gdpr"]') + '\n[storage]\npath = "members-data"\n'
    campaign = load_text(tmp_path, text)
    assert campaign.targets.companies == ("meta",) and campaign.targets.kinds == ("gdpr", "ccpa")
    assert campaign.folder == tmp_path / "c" / "members-data"


def test_absolute_key_paths_outside_the_folder_are_allowed(tmp_path):
    keys = new_key_files("Elsewhere", tmp_path / "keys")
    campaign = load_text(tmp_path, campaign_toml(key=str(keys.key), cert=str(keys.cert)))
    assert campaign.organisation.sign_key == keys.key


def test_symlink_pointing_out_of_the_folder_is_refused(tmp_path):
    keys = new_key_files("Elsewhere", tmp_path / "keys")
    folder = tmp_path / "c"
    write_campaign(folder)
    os.symlink(keys.key, folder / "link.pem")
    with pytest.raises(ConfigError, match="sign_key: 'link.pem' points outside"):
        load_text(tmp_path, campaign_toml(key="link.pem"))


def test_key_that_does_not_belong_to_the_certificate(tmp_path):
    other = new_key_files("Other", tmp_path / "c" / "other")
    with pytest.raises(ConfigError, match="sign_key: The seal key does not belong"):
        load_text(tmp_path, campaign_toml(cert="other/cert.pem"))
    assert other.cert.exists()


def test_encrypted_key_needs_the_password_from_the_environment(tmp_path, monkeypatch):
    folder = tmp_path / "c"
    new_key_files("Faces Back e.V.", folder, password="s3cret")
    monkeypatch.delenv("RIGHTSBOT_SEAL_PASSWORD", raising=False)
    with pytest.raises(ConfigError, match="RIGHTSBOT_SEAL_PASSWORD"):
        load_text(tmp_path, campaign_toml())
    assert load_campaign(folder / "campaign.toml", check_key=False).slug == "test-campaign"
    monkeypatch.setenv("RIGHTSBOT_SEAL_PASSWORD", "s3cret")
    assert load_campaign(folder / "campaign.toml").slug == "test-campaign"


@pytest.mark.parametrize("content, message", [
    (b"slug = \"a\xff\"\n", "not UTF-8"),
    (b"slug = [\n", "not valid TOML"),
    (b"x" * (256 * 1024 + 1), "too large"),
])
def test_file_level_problems(tmp_path, content, message):
    path = tmp_path / "campaign.toml"
    path.write_bytes(content)
    with pytest.raises(ConfigError, match=message):
        load_campaign(path)


def test_missing_file_and_folder(tmp_path):
    with pytest.raises(ConfigError, match="not found"):
        load_campaign(tmp_path / "nope.toml")
    with pytest.raises(ConfigError, match="is a folder"):
        load_campaign(tmp_path)


# --- the roster ------------------------------------------------------------------------

def member(member_id="m1", **change):
    values = dict(member_id=member_id, name="Ann Example", address=["1 Main St", "Springfield"],
                  email="ann@example.org", residence="us-il", flickr=["1808093328"],
                  authorization="AUTH-1")
    values.update(change)
    return make_member(**values)


def test_roster_upsert_leave_forget_and_private_files(campaign):
    roster = Roster.open(campaign)
    assert roster.upsert(member()) == "imported"
    assert roster.upsert(member()) == "unchanged"
    assert roster.upsert(member(name="Ann B. Example")) == "updated"
    tg = make_member(member_id="tg-42", name="Tom", address=["2 High St"], residence="GB",
                     urls=["https://example.org/a.jpg"], source="telegram", telegram_id=42,
                     authorization="AUTH-TG-42")
    assert roster.upsert(tg) == "imported"
    assert roster.by_telegram(42) == tg
    left = roster.leave("m1", date(2026, 5, 1))
    assert left.left == "2026-05-01" and [m.member_id for m in roster.active()] == ["tg-42"]
    assert Roster.open(campaign).get("m1").left == "2026-05-01"      # stored, reread
    assert roster.forget(42) is True and roster.forget(42) is False
    assert [m.member_id for m in Roster.open(campaign).all()] == ["m1"]
    assert oct(campaign.folder.stat().st_mode & 0o777) == "0o700"
    assert oct((campaign.folder / "members.json").stat().st_mode & 0o777) == "0o600"
    with pytest.raises(InputError):
        roster.leave("nobody", date(2026, 5, 1))


def test_member_person_carries_the_organisation_as_agent(campaign):
    person = member(shown="me").person(campaign)
    assert person.agent.name == "Faces Back e.V." and person.agent.authorization == "AUTH-1"
    assert person.agent.signatory == "Dana Organiser" and person.residence == "US-IL"
    assert person.uploaded_from == "US-IL" and person.shown == "me"
    assert member().check_inputs().flickr == ("1808093328",)


@pytest.mark.parametrize("change, field", [
    ({"member_id": "tg-5"}, "member_id"),
    ({"member_id": "../x"}, "member_id"),
    ({"name": ""}, "name"),
    ({"address": []}, "address"),
    ({"residence": "US"}, "residence"),
    ({"residence": "Narnia"}, "residence"),
    ({"uploaded_from": "XX"}, "uploaded_from"),
    ({"shown": "maybe"}, "shown"),
    ({"flickr": ["https://example.org/x.jpg"]}, "flickr"),
    ({"flickr": [], "urls": []}, "flickr, urls"),
    ({"urls": ["javascript:alert(1)"]}, "urls"),
    ({"authorization": ""}, "authorization"),
    ({"email": "ann@"}, "email"),
])
def test_make_member_names_the_bad_field(change, field):
    with pytest.raises(InputError) as info:
        member(**change)
    assert str(info.value).startswith(field)


def test_register_and_find_campaigns(tmp_path, campaign):
    storage = tmp_path / "storage"
    assert register(storage, campaign) is True and register(storage, campaign) is False
    assert [c.slug for c in registered(storage)] == ["test-campaign"]
    assert by_join_code(storage, "join-test").slug == "test-campaign"
    assert by_join_code(storage, "other") is None
    assert [c.slug for c in organised_by(storage, 222)] == ["test-campaign"]
    assert organised_by(storage, 333) == []
    # another campaign with the same join code is refused
    clash = load_campaign(write_campaign(tmp_path / "other", campaign_toml(slug='"other"')))
    with pytest.raises(InputError, match="join_code"):
        register(storage, clash)
    fine = load_campaign(write_campaign(tmp_path / "third", campaign_toml(
        slug='"third"', join_code='"third-code"')))
    assert register(storage, fine) is True
    assert [c.slug for c in registered(storage)] == ["test-campaign", "third"]
