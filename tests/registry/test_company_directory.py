"""The bundled company directory: valid, sourced records, with the CC0 licence kept."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from jsonschema import Draft202012Validator

from bot.companies import ENTITY_TYPES, load_directory
from bot.errors import DataError
from bot.records import schema
from bot.registry import load_registry
from bot.resources import data_path

COMPANY_DIR = data_path("companies")
COMPANY_FILES = sorted(COMPANY_DIR.glob("*.json"))
SHARED_RECORDS = Path(__file__).resolve().parents[3] / "shared" / "domain" / "company-records"
REQUIRED = ("ibm", "amazon", "microsoft", "google", "meta", "clearview-ai", "snap", "shutterfly",
            "smugmug", "yahoo", "laion", "stability-ai", "university-of-washington", "sensetime",
            "megvii", "tencent", "alibaba", "samsung", "nvidia", "mitsubishi-electric")


@pytest.fixture(scope="module")
def directory():
    return load_directory()


def test_every_required_company_is_in_the_directory(directory):
    for slug in REQUIRED:
        assert slug in directory, slug
    assert len(directory) == len(COMPANY_FILES)


@pytest.mark.parametrize("path", COMPANY_FILES, ids=lambda p: p.stem)
def test_each_record_validates_and_is_named_by_its_slug(path: Path):
    data = json.loads(path.read_text(encoding="utf-8"))
    assert list(Draft202012Validator(schema("company")).iter_errors(data)) == []
    assert data["slug"] == path.stem


def test_slugs_are_unique_and_sources_are_https(directory):
    slugs = [c.slug for c in directory]
    assert len(slugs) == len(set(slugs))
    for c in directory:
        assert c.sources, c.slug
        for url in c.sources:
            assert url.startswith("https://"), (c.slug, url)
        if c.us_contact:
            assert all(u.startswith("https://") for u in c.us_contact.sources)
        assert c.entity_type in ENTITY_TYPES


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


def test_shared_domain_notes_are_applied(directory):
    ibm = directory.get("ibm")
    assert ibm.email is None      # the IBMid support inbox is not a privacy inbox
    assert ibm.webform and ibm.medium == "webform"
    assert ibm.us_contact.address[1:3] == ("1 North Castle Drive", "Armonk, NY 10504")
    assert ibm.us_contact.verified
    for slug in ("google", "clearview-ai", "snap", "smugmug", "yahoo"):
        assert directory.get(slug).address_verified, slug
    assert directory.get("google").legal_entity == "Google LLC"
    assert directory.get("google").email == "data-access-requests@google.com"
    assert directory.get("clearview-ai").email == "legal-requests@clearview.ai"
    for slug in ("shutterfly", "university-of-washington", "laion"):
        c = directory.get(slug)
        assert not c.address_verified and c.quality == "unverified", slug
    assert not directory.get("amazon").us_contact.verified
    assert not directory.get("microsoft").us_contact.verified


def test_public_universities_are_marked_so(directory):
    for slug in ("university-of-washington", "uc-berkeley", "university-of-oxford",
                 "university-of-illinois"):
        c = directory.get(slug)
        assert c.entity_type == "public-university" and c.is_public_body, slug
    assert not directory.get("ibm").is_public_body


def test_unverified_records_never_claim_a_verified_address(directory):
    for c in directory:
        if c.address_verified:
            assert c.address, c.slug
        if not c.address:
            assert not c.address_verified, c.slug
        if c.medium == "email":
            assert c.email, c.slug
        if c.medium == "webform":
            assert c.webform, c.slug


def test_get_unknown_company_is_a_plain_data_error(directory):
    with pytest.raises(DataError, match="No company called 'acme'"):
        directory.get("acme")
    assert "acme" not in directory
    assert [c.slug for c in directory.all()] == sorted(directory.slugs())
