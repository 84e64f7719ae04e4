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

GOOD_COMPANY = {
    "slug": "acme", "display_name": "Acme Vision", "legal_entity": "Acme Vision Ltd.",
    "entity_type": "company", "address": ["1 Road", "London", "United Kingdom"],
    "address_verified": False, "email": "privacy@acme.example", "medium": "email",
    "quality": "unverified", "sources": ["https://acme.example/privacy"],
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


def write_company(folder: Path, record: dict, name: str | None = None) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"{name or record['slug']}.json"
    path.write_text(json.dumps(record), encoding="utf-8")
    return path


def company_error(tmp_path: Path, **changes) -> str:
    record = {**GOOD_COMPANY, **changes}
    record = {k: v for k, v in record.items() if v is not None}
    write_company(tmp_path / "companies", record)
    with pytest.raises(DataError) as info:
        load_directory(tmp_path / "companies")
    return str(info.value)


def test_a_good_record_loads(tmp_path):
    write_company(tmp_path / "companies", GOOD_COMPANY)
    directory = load_directory(tmp_path / "companies")
    assert directory.get("acme").email == "privacy@acme.example"


@pytest.mark.parametrize("changes, field, words", [
    ({"owner": "someone"}, "owner", "unknown field"),
    ({"email": "not-an-email"}, "email", "email address"),
    ({"email": "a@b"}, "email", "email address"),
    ({"address_verified": "yes"}, "address_verified", "must be true or false"),
    ({"address": "1 Road, London"}, "address", "must be a list"),
    ({"sources": ["http://acme.example/privacy"]}, "sources[0]", "https://"),
    ({"sources": []}, "sources", "at least 1"),
    ({"sources": ["javascript:alert(1)"]}, "sources[0]", "https://"),
    ({"medium": "pigeon"}, "medium", "must be one of"),
    ({"entity_type": "startup"}, "entity_type", "must be one of"),
    ({"display_name": "{{ config.secret }}"}, "display_name", "template syntax"),
    ({"display_name": "<script>alert(1)</script>"}, "display_name", "markup"),
    ({"legal_entity": "Acme\u202eLtd"}, "legal_entity", "control characters"),
    ({"legal_entity": "Acme\nLtd"}, "legal_entity", "one line"),
    ({"legal_entity": "x" * 500}, "legal_entity", "too long"),
    ({"notes": ["fine", 42]}, "notes[1]", "must be text"),
    ({"display_name": None}, "display_name", "missing"),
    ({"medium": "webform"}, "medium", "no 'webform'"),
    ({"address": [], "address_verified": True}, "address_verified", "no address"),
    ({"us_contact": {"entity": "Acme Inc.", "address": [], "sources": ["https://a.example"],
                     "verified": "no"}}, "us_contact.verified", "true or false"),
    ({"us_contact": {"entity": "Acme Inc.", "address": [], "sources": ["https://a.example"],
                     "verified": False, "fax": "+1 2 3"}}, "us_contact", "unknown field 'fax'"),
    ({"upstream": {"project": "datenanfragen", "slug": "acme", "license": "MIT",
                   "url": "https://github.com/x"}}, "upstream.license", "CC0-1.0"),
])
def test_bad_company_records_name_file_and_field(tmp_path, changes, field, words):
    message = company_error(tmp_path, **changes)
    assert message.startswith("companies/acme.json: "), message
    assert repr(field) in message, message
    assert words in message, message


def test_slug_must_equal_file_name(tmp_path):
    write_company(tmp_path / "companies", GOOD_COMPANY, name="other")
    with pytest.raises(DataError, match=r"companies/other.json: field 'slug': must equal the file name"):
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


def test_a_good_dataset_loads(tmp_path):
    write_company(tmp_path / "companies", GOOD_COMPANY)
    (tmp_path / "datasets").mkdir()
    (tmp_path / "datasets" / "faces.toml").write_text(GOOD_DATASET, encoding="utf-8")
    registry = load_registry(tmp_path / "datasets",
                             companies=load_directory(tmp_path / "companies"))
    assert registry.users_of("faces")[0].company == "acme"


@pytest.mark.parametrize("old, new, field, words", [
    ('strength = "press"', 'strength = "rumour"', "users[0].strength", "must be one of"),
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


def test_bundled_data_copied_with_one_broken_record_fails_loudly(tmp_path):
    """A realistic edit mistake in a copy of the real data is caught at load time."""
    companies = tmp_path / "companies"
    shutil.copytree(data_path("companies"), companies)
    record = json.loads((companies / "ibm.json").read_text(encoding="utf-8"))
    record["us_contact"]["email"] = "cpo at ibm.com"
    (companies / "ibm.json").write_text(json.dumps(record), encoding="utf-8")
    with pytest.raises(DataError, match=r"companies/ibm.json: field 'us_contact.email': must be an "
                                        r"email address"):
        load_directory(companies)
