"""The bundled company directory: valid, sourced records, with the CC0 licence kept."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from jsonschema import Draft202012Validator

from bot.companies import (EEA, ENTITY_TYPES, JURISDICTIONS, MEDIUMS, company_from_record,
                           load_directory)
from bot.errors import DataError
from bot.records import read_record, schema
from bot.regions import is_region
from bot.registry import load_registry
from bot.resources import data_path

COMPANY_DIR = data_path("companies")
COMPANY_FILES = sorted(COMPANY_DIR.glob("*.json"))
SHARED_RECORDS = Path(__file__).resolve().parents[3] / "shared" / "domain" / "company-records"
REQUIRED = ("ibm", "amazon", "microsoft", "google", "meta", "clearview-ai", "snap", "shutterfly",
            "smugmug", "yahoo", "laion", "stability-ai", "university-of-washington", "sensetime",
            "megvii", "tencent", "alibaba", "samsung", "nvidia", "mitsubishi-electric")
# Where a representative or establishment of each kind must be.
ROLE_COUNTRIES = {"eu-establishment": EEA, "eu-representative": EEA,
                  "uk-representative": {"GB"}, "ch-representative": {"CH"}}


def fold(text: str) -> str:
    return " ".join(text.casefold().replace(",", " ").replace(".", " ").split())


@pytest.fixture(scope="module")
def directory():
    return load_directory()


def test_every_required_company_is_in_the_directory(directory):
    for slug in REQUIRED:
        assert slug in directory, slug
    assert len(directory) == len(COMPANY_FILES)


@pytest.mark.parametrize("path", COMPANY_FILES, ids=lambda p: p.stem)
def test_each_record_validates_loads_and_is_named_by_its_slug(path: Path):
    data = json.loads(path.read_text(encoding="utf-8"))
    assert list(Draft202012Validator(schema("company")).iter_errors(data)) == []
    assert data["slug"] == path.stem
    company = company_from_record(read_record(path), path)
    assert company.slug == path.stem
    assert [e.key for e in company.entities] == [e["key"] for e in data["entities"]]
    assert company.controller_key == data.get("controller", data["entities"][0]["key"])


def test_slugs_are_unique_and_every_source_is_https(directory):
    slugs = [c.slug for c in directory]
    assert len(slugs) == len(set(slugs))
    for c in directory:
        assert c.entity_type in ENTITY_TYPES, c.slug
        assert c.sources, c.slug
        for url in c.sources:
            assert url.startswith("https://"), (c.slug, url)
        for e in c.entities:
            assert e.sources, (c.slug, e.key)
            for url in e.sources:
                assert url.startswith("https://"), (c.slug, e.key, url)
            if e.webform:
                assert e.webform.startswith("https://"), (c.slug, e.key)


def test_a_verified_record_has_verified_addresses(directory):
    verified = [c for c in directory if c.quality in ("verified", "tested")]
    assert {"microsoft", "amazon", "google", "smugmug"} <= {c.slug for c in verified}
    for c in verified:
        for e in c.entities:
            if e.address:
                assert e.address_verified, (c.slug, e.key)


def test_no_entity_claims_a_channel_it_does_not_have(directory):
    for c in directory:
        for e in c.entities:
            assert e.medium in MEDIUMS, (c.slug, e.key)
            if e.medium in ("email", "webform", "fax"):
                assert getattr(e, e.medium), (c.slug, e.key, e.medium)
            if e.address_verified:
                assert e.address, (c.slug, e.key)


def test_entity_keys_are_unique_and_each_law_has_one_receiver(directory):
    for c in directory:
        keys = [e.key for e in c.entities]
        assert len(keys) == len(set(keys)), c.slug
        received = [j for e in c.entities for j in e.receives]
        assert len(received) == len(set(received)), c.slug
        assert set(received) <= set(JURISDICTIONS), c.slug


def test_representatives_point_at_another_entity_that_is_not_one(directory):
    found = 0
    for c in directory:
        by_key = {e.key: e for e in c.entities}
        for e in c.entities:
            if e.role.endswith("-representative"):
                assert e.represents, (c.slug, e.key)    # a representative acts for someone
            if e.represents is None:
                continue
            found += 1
            assert e.represents != e.key and e.represents in by_key, (c.slug, e.key)
            assert by_key[e.represents].represents is None, (c.slug, e.key)
    assert found >= 5   # IBM (2), Microsoft, Panasonic, SmugMug (2)


def test_the_controller_exists_and_is_not_a_representative(directory):
    for c in directory:
        assert c.controller_key in {e.key for e in c.entities}, c.slug
        assert c.controller.represents is None, c.slug
        assert c.legal_entity == c.controller.name and c.established_in == c.controller.country


def test_countries_are_real_and_roles_sit_where_they_belong(directory):
    for c in directory:
        for e in c.entities:
            assert is_region(e.country) and len(e.country) == 2, (c.slug, e.key, e.country)
            if e.role in ROLE_COUNTRIES:
                assert e.country in ROLE_COUNTRIES[e.role], (c.slug, e.key, e.role, e.country)


def test_no_address_repeats_its_entity_name(directory):
    """The old defect: "Microsoft Corporation" printed above and again inside the address."""
    for c in directory:
        for e in c.entities:
            assert fold(e.name) not in {fold(line) for line in e.address}, (c.slug, e.key)
            assert len({fold(line) for line in e.address}) == len(e.address), (c.slug, e.key)


def test_every_company_the_registry_names_exists(directory):
    registry = load_registry()
    named = set()
    for d in registry:
        named |= {d.creator, *d.co_creators, *(u.company for u in d.users)}
    missing = sorted(named - set(directory.slugs()))
    assert missing == []


def test_cc0_records_kept_their_licence_and_upstream(directory):
    licence = (COMPANY_DIR / "LICENSE").read_text(encoding="utf-8")
    assert "CC0 1.0 Universal" in licence
    if SHARED_RECORDS.is_dir():   # the research notes sit beside the repository in dev and CI
        assert licence == (SHARED_RECORDS / "LICENSE").read_text(encoding="utf-8")
    upstream = [c for c in directory if c.upstream]
    assert {c.slug for c in upstream} >= {"ibm", "amazon", "microsoft", "google", "meta",
                                          "clearview-ai", "snap", "smugmug", "yahoo", "nvidia"}
    for c in upstream:
        assert c.upstream.startswith("https://github.com/datenanfragen/data/blob/")
        raw = json.loads((COMPANY_DIR / f"{c.slug}.json").read_text(encoding="utf-8"))
        assert raw["upstream"]["license"] == "CC0-1.0"


def test_sourced_facts_of_the_researched_records(directory):
    ibm = directory.get("ibm")
    assert ibm.legal_entity == "International Business Machines Corporation"
    # the IBMid support inbox of the upstream record is not a privacy inbox
    assert all(e.email is None for e in ibm.entities)
    assert ibm.controller.medium == "webform" and ibm.controller.webform
    assert ibm.controller.address[1:3] == ("1 North Castle Drive", "Armonk, New York 10504")
    assert ibm.controller.address_verified
    assert ibm.entity("eu").name == "IBM International Group B.V."
    assert ibm.entity("eu").role == "eu-representative" and not ibm.entity("eu").address_verified

    microsoft = directory.get("microsoft")
    assert microsoft.legal_entity == "Microsoft Corporation"
    assert microsoft.entity("ie").represents is None   # joint controller, addressed itself
    assert microsoft.entity("ie").receives == ("EU", "GB")
    assert microsoft.entity("ch").represents == "ie" and microsoft.entity("ch").receives == ("CH",)

    amazon = directory.get("amazon")
    assert amazon.legal_entity == "Amazon.com, Inc."
    aws = amazon.entity("aws")
    assert aws.name == "Amazon Web Services EMEA SARL" and aws.receives == ()
    assert aws.email == "aws-EU-privacy@amazon.com"     # kept as an alternative contact

    google = directory.get("google")
    assert google.legal_entity == "Google LLC" and google.controller.address_verified
    # datenanfragen's inboxes were not seen on a Google page, so they are not channels
    assert all(e.email is None for e in google.entities)
    assert directory.get("clearview-ai").controller.email == "legal-requests@clearview.ai"
    assert directory.get("smugmug").legal_entity == "Flickr, Inc."

    for slug in ("shutterfly", "university-of-washington"):
        c = directory.get(slug)
        assert c.quality == "unverified" and not c.controller.address, slug
        assert not c.controller.address_verified, slug


def test_public_universities_are_marked_so(directory):
    for slug in ("university-of-washington", "uc-berkeley", "university-of-oxford",
                 "university-of-illinois"):
        c = directory.get(slug)
        assert c.entity_type == "public-university" and c.is_public_body, slug
    assert not directory.get("ibm").is_public_body


def test_to_json_lists_the_entities_and_no_us_contact(directory):
    data = directory.get("microsoft").to_json()
    assert data["controller"] == "us" and "us_contact" not in data
    assert [e["key"] for e in data["entities"]] == ["us", "ie", "ch"]
    ie = data["entities"][1]
    assert ie["represents"] is None and ie["receives"] == ["EU", "GB"]
    assert ie["address"][-1] == "Ireland" and ie["address_verified"] is True
    assert json.loads(json.dumps(data)) == data


def test_unknown_company_or_entity_is_a_plain_data_error(directory):
    with pytest.raises(DataError, match="No company called 'acme'"):
        directory.get("acme")
    with pytest.raises(DataError, match="microsoft: no entity with key 'eu'"):
        directory.get("microsoft").entity("eu")
    assert "acme" not in directory
    assert [c.slug for c in directory.all()] == sorted(directory.slugs())
