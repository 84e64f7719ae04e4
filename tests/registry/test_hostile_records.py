"""Hostile or broken records are refused with a DataError naming the file and the field."""

from __future__ import annotations

import json
import os
import shutil
from pathlib import Path

import pytest

from bot.companies import load_directory
from bot.errors import DataError
from bot.registry import load_registry
from bot.resources import data_path

GOOD_ENTITY = {
    "key": "uk", "name": "Acme Vision Ltd.", "country": "GB", "role": "parent",
    "address": ["1 Road", "London", "United Kingdom"], "address_verified": False,
    "email": "privacy@acme.example", "medium": "email", "sources": ["https://acme.example/privacy"],
}

GOOD_COMPANY = {
    "slug": "acme", "display_name": "Acme Vision", "entity_type": "company", "controller": "uk",
    "entities": [GOOD_ENTITY], "quality": "unverified", "sources": ["https://acme.example/privacy"],
}

GOOD_DATASET = """\
slug = "faces"
name = "Faces"
creator = "acme"
year = 2019
size = "10 photos"
source = "https://acme.example/faces"
status = "public"
availability = "public"
license = "CC BY 4.0"
links = []
description = "A test dataset."
match_keys = ["flickr-photo"]

[[users]]
company = "acme"
strength = "press"
source = "https://news.example/faces"
note = "A newspaper reported in 2020 that Acme used it."
"""


def entity(**changes) -> dict:
    """GOOD_ENTITY with some fields changed (a value of None removes the field)."""
    out = {**GOOD_ENTITY, **changes}
    return {k: v for k, v in out.items() if v is not None}


def write_company(folder: Path, record: dict, name: str | None = None) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"{name or record['slug']}.json"
    path.write_text(json.dumps(record), encoding="utf-8")
    return path


def record_error(tmp_path: Path, record: dict) -> str:
    write_company(tmp_path / "companies", record)
    with pytest.raises(DataError) as info:
        load_directory(tmp_path / "companies")
    message = str(info.value)
    assert message.isprintable(), message   # hostile characters are shown escaped, never raw
    return message


def company_error(tmp_path: Path, **changes) -> str:
    record = {**GOOD_COMPANY, **changes}
    return record_error(tmp_path, {k: v for k, v in record.items() if v is not None})


def entity_error(tmp_path: Path, **changes) -> str:
    return company_error(tmp_path, entities=[entity(**changes)])


def test_a_good_record_loads(tmp_path):
    write_company(tmp_path / "companies", GOOD_COMPANY)
    company = load_directory(tmp_path / "companies").get("acme")
    assert company.controller.email == "privacy@acme.example"
    assert company.legal_entity == "Acme Vision Ltd." and company.established_in == "GB"
    assert company.contact_for("GB").recipient_lines() == (
        "Acme Vision Ltd.", "1 Road", "London", "United Kingdom")


@pytest.mark.parametrize("changes, field, words", [
    ({"owner": "someone"}, "owner", "unknown field"),
    # the pre-entities shape: its fields are now unknown, and the message names them
    ({"us_contact": {"entity": "Acme Inc.", "address": [], "sources": ["https://a.example"],
                     "verified": False}}, "us_contact", "unknown field"),
    ({"legal_entity": "Acme Vision Ltd."}, "legal_entity", "unknown field"),
    ({"address_verified": False}, "address_verified", "unknown field"),
    ({"sources": ["http://acme.example/privacy"]}, "sources[0]", "https://"),
    ({"sources": []}, "sources", "at least 1"),
    ({"sources": ["javascript:alert(1)"]}, "sources[0]", "https://"),
    ({"sources": [f"https://acme.example/{i}" for i in range(31)]}, "sources", "at most 30"),
    ({"entity_type": "startup"}, "entity_type", "must be one of"),
    ({"quality": "excellent"}, "quality", "must be one of"),
    ({"display_name": "{{ config.secret }}"}, "display_name", "template syntax"),
    ({"display_name": "{% include 'x' %}"}, "display_name", "template syntax"),
    ({"display_name": "<script>alert(1)</script>"}, "display_name", "markup"),
    ({"display_name": "Acme\u202eLtd"}, "display_name", "control characters"),
    ({"display_name": None}, "display_name", "missing"),
    ({"notes": ["fine", 42]}, "notes[1]", "must be text"),
    ({"notes": ["{# hidden #}"]}, "notes[0]", "template syntax"),
    ({"controller": "nobody"}, "controller", "no entity with key 'nobody'"),
    ({"controller": "Main Office"}, "controller", "short key"),
    ({"entities": []}, "entities", "at least 1"),
    ({"entities": GOOD_ENTITY}, "entities", "must be a list"),
    ({"entities": [entity(key=f"e{i}", receives=[]) for i in range(13)]}, "entities",
     "at most 12"),
    ({"entities": None}, "entities", "missing"),
    ({"runs": [f"Service {i}" for i in range(101)]}, "runs", "at most 100"),
    ({"upstream": {"project": "datenanfragen", "slug": "acme", "license": "MIT",
                   "url": "https://github.com/x"}}, "upstream.license", "CC0-1.0"),
])
def test_bad_company_records_name_file_and_field(tmp_path, changes, field, words):
    message = company_error(tmp_path, **changes)
    assert message.startswith("companies/acme.json: "), message
    assert repr(field) in message, message
    assert words in message, message


@pytest.mark.parametrize("changes, field, words", [
    ({"name": "{{ config.secret }}"}, "name", "template syntax"),
    ({"name": "{% for x in y %}Acme{% endfor %}"}, "name", "template syntax"),
    ({"name": "<b>Acme</b> Ltd"}, "name", "markup"),
    ({"name": "Acme\u202eLtd"}, "name", "control characters"),    # right-to-left override
    ({"name": "Acme\u2067Ltd"}, "name", "control characters"),    # right-to-left isolate
    ({"name": "Acme\u200fLtd"}, "name", "control characters"),    # right-to-left mark
    ({"name": "Acme\x00Ltd"}, "name", "control characters"),
    ({"name": "Acme\x1b[31mLtd"}, "name", "control characters"),  # terminal escape
    ({"name": "Acme\nLtd"}, "name", "one line"),
    ({"name": "   "}, "name", "plain text"),
    ({"name": "x" * 500}, "name", "too long"),
    ({"name": None}, "name", "missing"),
    ({"address": ["1 Road", "{{ evil }}"]}, "address[1]", "template syntax"),
    ({"address": ["1 Road\u202e", "London"]}, "address[0]", "control characters"),
    ({"address": ["1 Road\r\nBcc: x@y.example"]}, "address[0]", "one line"),
    ({"address": "1 Road, London"}, "address", "must be a list"),
    ({"address": [f"line {i}" for i in range(9)]}, "address", "at most 8"),
    ({"notes": ["<img src=x onerror=alert(1)>"]}, "notes[0]", "markup"),
    ({"notes": ["fine."] * 21}, "notes", "at most 20"),
    ({"country": "us"}, "country", "ISO 3166-1"),
    ({"country": "USA"}, "country", "ISO 3166-1"),
    ({"country": "U1"}, "country", "ISO 3166-1"),
    ({"country": "UK"}, "country", "ISO 3166-1"),      # the United Kingdom is GB
    ({"country": "XX"}, "country", "ISO 3166-1"),
    ({"country": "EU"}, "country", "ISO 3166-1"),      # a jurisdiction, not a country
    ({"country": 49}, "country", "must be text"),
    ({"receives": ["EU", "DE"]}, "receives[1]", "must be one of"),
    ({"receives": ["eu"]}, "receives[0]", "must be one of"),
    ({"receives": ["EU", "EU"]}, "receives", "same entry twice"),
    ({"receives": "EU"}, "receives", "must be a list"),
    ({"role": "ceo"}, "role", "must be one of"),
    ({"key": "Main Office"}, "key", "short key"),
    ({"key": "x" * 33}, "key", "too long"),
    ({"email": "not-an-email"}, "email", "email address"),
    ({"email": "a@b"}, "email", "email address"),
    ({"email": "privacy@acme.example\nBcc: all@acme.example"}, "email", "email address"),
    ({"webform": "http://acme.example/form"}, "webform", "https://"),
    ({"webform": "javascript:alert(1)"}, "webform", "https://"),
    ({"phone": "call us"}, "phone", "international format"),
    ({"fax": "+1 (555) 0100"}, "fax", "international format"),
    ({"medium": "pigeon"}, "medium", "must be one of"),
    ({"medium": None}, "medium", "missing"),
    ({"medium": "webform"}, "medium", "no 'webform'"),
    ({"medium": "fax"}, "medium", "no 'fax'"),
    ({"medium": "email", "email": None}, "medium", "no 'email'"),
    ({"address_verified": "yes"}, "address_verified", "must be true or false"),
    ({"address": [], "address_verified": True}, "address_verified", "no address"),
    ({"sources": ["http://acme.example/privacy"]}, "sources[0]", "https://"),
    ({"sources": []}, "sources", "at least 1"),
    ({"verified": True}, "entities[0]", "unknown field 'verified'"),
    ({"legal_entity": "Acme"}, "entities[0]", "unknown field 'legal_entity'"),
    ({"represents": "uk"}, "represents", "no other entity with key 'uk'"),
    # the old "Microsoft Corporation printed twice" defect: the name above the address is enough
    ({"address": ["Acme Vision Ltd.", "1 Road", "London"]}, "address", "repeats the entity's name"),
    ({"address": ["1 Road", "ACME VISION LTD", "London"]}, "address", "repeats the entity's name"),
])
def test_bad_entities_name_file_and_field(tmp_path, changes, field, words):
    message = entity_error(tmp_path, **changes)
    assert message.startswith("companies/acme.json: "), message
    shown = field if field.startswith("entities[") else f"entities[0].{field}"
    assert repr(shown) in message, message
    assert words in message, message


IE_REP = entity(key="ie", name="Acme Europe Ltd", country="IE", role="eu-representative",
                represents="uk", receives=["EU"], address=["2 Quay", "Dublin 1", "Ireland"])


@pytest.mark.parametrize("entities, controller, field, words", [
    ([GOOD_ENTITY, entity(name="Acme Vision Holdings Ltd.")], "uk",
     "entities[1].key", "'uk' is used twice"),
    ([entity(receives=["EU", "GB"]), entity(key="ie", country="IE", receives=["US", "EU"])],
     "uk", "entities[1].receives", "EU letters already go to 'uk'"),
    ([GOOD_ENTITY, {**IE_REP, "represents": "nobody"}], "uk",
     "entities[1].represents", "no other entity with key 'nobody'"),
    ([GOOD_ENTITY, IE_REP, entity(key="ch", country="CH", role="ch-representative",
                                  represents="ie", receives=["CH"])], "uk",
     "entities[2].represents", "'ie' is itself a representative"),
    ([GOOD_ENTITY, IE_REP], "ie", "controller", "'ie' is a representative"),
    ([IE_REP, GOOD_ENTITY], None, "controller", "'ie' is a representative"),   # default: the first
    ([GOOD_ENTITY, IE_REP], "eu", "controller", "no entity with key 'eu'"),
])
def test_inconsistent_entities_are_refused(tmp_path, entities, controller, field, words):
    message = company_error(tmp_path, entities=entities, controller=controller)
    assert message.startswith("companies/acme.json: "), message
    assert repr(field) in message, message
    assert words in message, message


def test_a_record_with_a_representative_loads(tmp_path):
    write_company(tmp_path / "companies", {**GOOD_COMPANY, "entities": [GOOD_ENTITY, IE_REP]})
    company = load_directory(tmp_path / "companies").get("acme")
    assert [e.key for e in company.entities] == ["uk", "ie"]
    assert company.entity("ie").represents == "uk" and company.receiver_for("EU").key == "ie"
    assert company.receiver_for("GB").key == "uk"      # received by no one: the controller


def test_slug_must_equal_file_name(tmp_path):
    write_company(tmp_path / "companies", GOOD_COMPANY, name="other")
    with pytest.raises(DataError,
                       match=r"companies/other.json: field 'slug': must equal the file name"):
        load_directory(tmp_path / "companies")


@pytest.mark.parametrize("content, words", [
    (b"{not json", "not valid JSON (line 1"),
    (b'{"slug": "acme", "slug": "evil"}', "field 'slug' appears twice"),
    (b"\xff\xfe{}", "not UTF-8"),
    (b"[1, 2, 3]", "must hold one object"),
    (b"[" * 100_000 + b"]" * 100_000, "not valid JSON"),
    (b'{"a": "' + b"x" * 300_000 + b'"}', "larger than 256 KiB"),
])
def test_unreadable_company_files_are_refused(tmp_path, content, words):
    folder = tmp_path / "companies"
    folder.mkdir()
    (folder / "acme.json").write_bytes(content)
    with pytest.raises(DataError) as info:
        load_directory(folder)
    assert str(info.value).startswith("companies/acme.json: ")
    assert words in str(info.value)


def test_duplicate_keys_inside_an_entity_are_refused(tmp_path):
    folder = tmp_path / "companies"
    folder.mkdir()
    text = json.dumps(GOOD_COMPANY).replace('"key": "uk"', '"key": "uk", "key": "us"')
    (folder / "acme.json").write_text(text, encoding="utf-8")
    with pytest.raises(DataError, match=r"companies/acme.json: field 'key' appears twice"):
        load_directory(folder)


def test_symlinked_record_is_refused(tmp_path):
    outside = write_company(tmp_path / "elsewhere", GOOD_COMPANY)
    folder = tmp_path / "companies"
    folder.mkdir()
    os.symlink(outside, folder / "acme.json")
    with pytest.raises(DataError, match="symbolic links"):
        load_directory(folder)


def test_empty_or_missing_folder_is_a_plain_error(tmp_path):
    (tmp_path / "companies").mkdir()
    with pytest.raises(DataError, match="no company records"):
        load_directory(tmp_path / "companies")
    with pytest.raises(DataError, match="not a folder"):
        load_directory(tmp_path / "missing")


# --- datasets ---------------------------------------------------------------------------

def dataset_error(tmp_path: Path, text: str, name: str = "faces") -> str:
    write_company(tmp_path / "companies", GOOD_COMPANY)
    folder = tmp_path / "datasets"
    folder.mkdir(exist_ok=True)
    (folder / f"{name}.toml").write_text(text, encoding="utf-8")
    with pytest.raises(DataError) as info:
        load_registry(folder, companies=load_directory(tmp_path / "companies"))
    return str(info.value)


def load_dataset(tmp_path: Path, text: str):
    write_company(tmp_path / "companies", GOOD_COMPANY)
    (tmp_path / "datasets").mkdir()
    (tmp_path / "datasets" / "faces.toml").write_text(text, encoding="utf-8")
    return load_registry(tmp_path / "datasets", companies=load_directory(tmp_path / "companies"))


LITIGATION = ('\nlitigation = { case = "Doe v. Acme Vision Ltd., No. 1:21-cv-00001 (N.D. Ill.)", '
              'status = "pending", source = "https://court.example/doe-v-acme" }\n')


def test_a_good_dataset_loads(tmp_path):
    registry = load_dataset(tmp_path, GOOD_DATASET)
    user = registry.users_of("faces")[0]
    assert user.company == "acme" and user.strength == "press" and user.litigation is None
    assert "litigation" not in user.to_json()


def test_a_creator_publication_user_with_litigation_loads(tmp_path):
    text = GOOD_DATASET.replace('strength = "press"',
                                'strength = "creator-publication"') + LITIGATION
    registry = load_dataset(tmp_path, text)
    user = registry.users_of("faces")[0]
    assert user.strength == "creator-publication"
    assert user.litigation.case == "Doe v. Acme Vision Ltd., No. 1:21-cv-00001 (N.D. Ill.)"
    assert user.litigation.pending and user.litigation.source == "https://court.example/doe-v-acme"
    assert user.to_json()["litigation"] == {
        "case": "Doe v. Acme Vision Ltd., No. 1:21-cv-00001 (N.D. Ill.)", "status": "pending",
        "source": "https://court.example/doe-v-acme"}
    closed = load_dataset(tmp_path / "closed", text.replace('"pending"', '"closed"'))
    assert not closed.users_of("faces")[0].litigation.pending


@pytest.mark.parametrize("old, new, field, words", [
    ('strength = "press"', 'strength = "rumour"', "users[0].strength", "must be one of"),
    ('strength = "press"', 'strength = "Press"', "users[0].strength", "must be one of"),
    ('strength = "press"', 'strength = "creator publication"', "users[0].strength",
     "must be one of"),
    ('year = 2019', 'year = "2019"', "year", "must be a whole number"),
    ('year = 2019', 'year = 1066', "year", "at least 1990"),
    ('creator = "acme"', 'creator = "nobody"', "creator", "no company called 'nobody'"),
    ('company = "acme"', 'company = "nobody"', "users[0].company", "no company called 'nobody'"),
    ('source = "https://news.example/faces"', 'source = "ftp://news.example/faces"',
     "users[0].source", "https://"),
    ('match_keys = ["flickr-photo"]', 'match_keys = ["face-template"]', "match_keys[0]",
     "must be one of"),
    ('license = "CC BY 4.0"', 'license = "CC BY 4.0"\nowner = "me"', "owner", "unknown field"),
    ('note = "A newspaper reported in 2020 that Acme used it."', 'note = "{% include x %}"',
     "users[0].note", "template syntax"),
    ('availability = "public"\n', '', "availability", "missing"),
    ('links = []', 'links = ["file:///etc/passwd"]', "links[0]", "http:// or https://"),
    ('note = "A', LITIGATION.strip().replace('"pending"', '"settled"') + '\nnote = "A',
     "users[0].litigation.status", "must be one of"),
    ('note = "A', LITIGATION.strip().replace("Doe v.", "{{ Doe }} v.") + '\nnote = "A',
     "users[0].litigation.case", "template syntax"),
    ('note = "A', LITIGATION.strip().replace("Doe v.", "Doe\u202e v.") + '\nnote = "A',
     "users[0].litigation.case", "control characters"),
    ('note = "A', LITIGATION.strip().replace("https://court", "http://court") + '\nnote = "A',
     "users[0].litigation.source", "https://"),
    ('note = "A', LITIGATION.strip().replace(" }", ', judge = "X" }') + '\nnote = "A',
     "users[0].litigation", "unknown field 'judge'"),
    ('note = "A', 'litigation = { case = "Doe v. Acme", status = "pending" }\nnote = "A',
     "users[0].litigation.source", "missing"),
    ('note = "A', 'litigation = "Doe v. Acme"\nnote = "A', "users[0].litigation",
     "must be a table"),
])
def test_bad_dataset_records_name_file_and_field(tmp_path, old, new, field, words):
    assert old in GOOD_DATASET
    message = dataset_error(tmp_path, GOOD_DATASET.replace(old, new))
    assert message.startswith("datasets/faces.toml: "), message
    assert repr(field) in message, message
    assert words in message, message


def test_duplicate_user_is_refused(tmp_path):
    users = GOOD_DATASET[GOOD_DATASET.index("[[users]]"):]
    message = dataset_error(tmp_path, GOOD_DATASET + "\n" + users)
    assert "field 'users[1].company': 'acme' is listed twice" in message


def test_unknown_parent_dataset_is_refused(tmp_path):
    text = GOOD_DATASET.replace('match_keys = ["flickr-photo"]',
                                'match_keys = ["flickr-photo"]\nderived_from = ["nowhere"]')
    message = dataset_error(tmp_path, text)
    assert "datasets/faces.toml: field 'derived_from[0]': no dataset called 'nowhere'" in message


def test_broken_toml_and_wrong_file_name(tmp_path):
    assert "not valid TOML" in dataset_error(tmp_path, 'slug = "faces"\nname = ')
    message = dataset_error(tmp_path / "second", GOOD_DATASET, name="renamed")
    assert "datasets/renamed.toml: field 'slug': must equal the file name 'renamed'" in message


# --- realistic edit mistakes in a copy of the real data ---------------------------------

def broken_copy(tmp_path: Path, slug: str, edit) -> str:
    companies = tmp_path / "companies"
    shutil.copytree(data_path("companies"), companies)
    record = json.loads((companies / f"{slug}.json").read_text(encoding="utf-8"))
    edit(record)
    (companies / f"{slug}.json").write_text(json.dumps(record), encoding="utf-8")
    with pytest.raises(DataError) as info:
        load_directory(companies)
    return str(info.value)


def test_bundled_data_with_a_bad_email_fails_loudly(tmp_path):
    def edit(record):
        record["entities"][0]["email"] = "cpo at ibm.com"
    message = broken_copy(tmp_path, "ibm", edit)
    assert message.startswith("companies/ibm.json: field 'entities[0].email': must be an email "
                              "address"), message


def test_bundled_data_with_an_old_us_contact_fails_loudly(tmp_path):
    def edit(record):
        record["us_contact"] = {"entity": "International Business Machines Corporation",
                                "address": ["1 North Castle Drive"], "verified": True,
                                "sources": ["https://www.ibm.com/privacy"]}
    message = broken_copy(tmp_path, "ibm", edit)
    assert message.startswith("companies/ibm.json: unknown field 'us_contact'"), message


def test_bundled_data_with_a_second_eu_receiver_fails_loudly(tmp_path):
    def edit(record):   # Microsoft's parent made to take EU letters too
        record["entities"][0]["receives"] = ["US", "EU"]
    message = broken_copy(tmp_path, "microsoft", edit)
    assert message == ("companies/microsoft.json: field 'entities[1].receives': EU letters "
                       "already go to 'us'"), message


def test_bundled_data_with_the_name_in_the_address_fails_loudly(tmp_path):
    def edit(record):   # the defect the entity model removed: the name printed twice
        record["entities"][0]["address"].insert(0, "Microsoft Corporation")
    message = broken_copy(tmp_path, "microsoft", edit)
    assert "companies/microsoft.json: field 'entities[0].address': repeats the entity's name" in \
        message
