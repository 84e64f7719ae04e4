"""The bundled dataset registry: every record valid, sourced and tied to known companies."""

from __future__ import annotations

import tomllib
from pathlib import Path

import pytest
from jsonschema import Draft202012Validator

from bot.companies import load_directory
from bot.errors import DataError
from bot.records import schema
from bot.registry import AVAILABILITY, DEFAULT_STRENGTHS, MATCH_KEYS, STRENGTHS, load_registry
from bot.resources import data_path

DATASET_DIR = data_path("datasets")
DATASET_FILES = sorted(DATASET_DIR.glob("*.toml"))
REQUIRED = ("yfcc100m", "dif", "megaface", "pipa", "facescrub", "vggface", "vggface2",
            "ms-celeb-1m", "ijb-c", "laion-400m", "laion-5b", "ffhq")


@pytest.fixture(scope="module")
def registry():
    return load_registry()


@pytest.fixture(scope="module")
def directory():
    return load_directory()


def test_every_required_dataset_is_in_the_registry(registry):
    for slug in REQUIRED:
        assert slug in registry, slug
    assert len(registry) == len(DATASET_FILES)


@pytest.mark.parametrize("path", DATASET_FILES, ids=lambda p: p.stem)
def test_each_record_validates_against_the_schema(path: Path):
    with open(path, "rb") as fh:
        data = tomllib.load(fh)
    validator = Draft202012Validator(schema("dataset"))
    assert list(validator.iter_errors(data)) == []
    assert data["slug"] == path.stem


def test_schema_match_keys_are_the_check_match_kinds():
    enum = schema("dataset")["properties"]["match_keys"]["items"]["enum"]
    assert tuple(enum) == MATCH_KEYS
    strengths = schema("dataset")["properties"]["users"]["items"]["properties"]["strength"]["enum"]
    assert tuple(strengths) == STRENGTHS
    assert tuple(schema("dataset")["properties"]["availability"]["enum"]) == AVAILABILITY
    try:
        from bot.check import MATCH_KINDS
    except ImportError:  # the check module is another area's and may not exist yet
        return
    assert tuple(MATCH_KINDS) == MATCH_KEYS


def test_creators_and_users_exist_in_the_company_directory(registry, directory):
    for d in registry:
        assert d.creator in directory, (d.slug, d.creator)
        for co in d.co_creators:
            assert co in directory, (d.slug, co)
        for u in d.users:
            assert u.company in directory, (d.slug, u.company)


def test_every_source_is_https_and_every_strength_valid(registry):
    for d in registry:
        assert d.source.startswith("https://"), d.slug
        for link in d.links:
            assert link.startswith(("https://", "http://")), (d.slug, link)
        for u in d.users:
            assert u.source.startswith("https://"), (d.slug, u.company)
            assert u.strength in STRENGTHS
            assert u.note.endswith("."), (d.slug, u.company)


def test_no_dataset_lists_a_user_twice(registry):
    for d in registry:
        companies = [u.company for u in d.users]
        assert len(companies) == len(set(companies)), d.slug


def test_reported_users_match_the_research_notes(registry):
    # shared/domain/datasets.md and companies.md, "reported users"
    expected = {
        "dif": {"amazon", "microsoft", "google"},
        "megaface": {"alibaba", "amazon", "google", "cyberlink", "intellivision", "ntechlab",
                     "mitsubishi-electric", "orion-star", "philips", "samsung", "sensetime",
                     "sogou", "tencent", "vision-semantics"},
        "ms-celeb-1m": {"sensetime", "megvii", "alibaba", "hitachi", "huawei", "ibm", "nvidia",
                        "panasonic"},
        "ijb-c": {"sensetime", "nec"},
        "pipa": {"sensetime", "toyota-motor-europe"},
        "laion-5b": {"stability-ai"},
    }
    for slug, companies in expected.items():
        assert {u.company for u in registry.users_of(slug)} == companies, slug
    assert registry.get("pipa").co_creators == ("meta",)


def test_yfcc100m_users_are_recorded_on_the_subsets_they_used(registry):
    # IBM, UW and OpenAI used parts of YFCC100M; each is tied to its own subset only, so its
    # letters list only the photos of that subset
    assert registry.users_of("yfcc100m") == ()
    assert registry.get("yfcc100m").creator == "yahoo"
    subsets = {d.slug: d.creator for d in registry if "yfcc100m" in d.derived_from}
    assert subsets == {"dif": "ibm", "megaface": "university-of-washington",
                       "clip-yfcc15m": "openai"}
    # OpenAI's own cards report evaluating CLIP on Flickr30k and COCO and training DALL-E's
    # dVAE partly on Conceptual Captions; none of these is YFCC100M
    assert {d.slug for d in registry.datasets_used_by("openai")} == {
        "coco", "conceptual-captions", "flickr30k"}
    assert {d.slug for d in registry.datasets_created_by("openai")} == {"clip-yfcc15m"}
    assert "yfcc100m" not in {d.slug for d in registry.datasets_used_by("ibm")}


def test_litigation_is_parsed_and_sourced(registry):
    google = next(u for u in registry.users_of("dif") if u.company == "google")
    assert google.litigation.case == "Vance v. Google LLC, No. 5:20-cv-04696 (N.D. Cal.)"
    assert google.litigation.status == "pending" and google.litigation.pending
    assert google.litigation.source.startswith("https://dockets.justia.com/")
    assert google.to_json()["litigation"]["case"] == google.litigation.case
    for d in registry:
        for u in d.users:
            if u.litigation is not None:
                assert u.litigation.source.startswith("https://"), (d.slug, u.company)
                assert u.litigation.status in ("pending", "closed"), (d.slug, u.company)
                assert u.strength == "court-record", (d.slug, u.company)
    pending = {(d.slug, u.company) for d in registry for u in d.users
               if u.litigation and u.litigation.pending}
    assert ("dif", "google") in pending
    involvement = next(i for i in registry.involvements(["dif"]) if i.company == "google")
    assert involvement.litigation == google.litigation


def test_creator_publication_is_a_strength_selected_by_default(registry):
    assert "creator-publication" in STRENGTHS and "creator-publication" in DEFAULT_STRENGTHS
    assert "activist" in STRENGTHS and "activist" not in DEFAULT_STRENGTHS
    assert DEFAULT_STRENGTHS == frozenset(STRENGTHS) - {"activist"}
    ntechlab = next(u for u in registry.users_of("megaface") if u.company == "ntechlab")
    assert ntechlab.strength == "creator-publication"


def test_selected_by_default_follows_the_strength_of_the_report(registry):
    found = registry.involvements(registry.slugs())
    chosen = {(i.dataset, i.company): i.selected_by_default for i in found}
    assert chosen[("megaface", "university-of-washington")]          # creator
    assert chosen[("pipa", "meta")]                                   # co-creator
    assert chosen[("dif", "amazon")]                                  # court-record
    assert chosen[("megaface", "google")]                             # press
    assert chosen[("laion-5b", "stability-ai")]                       # self-reported
    assert chosen[("megaface", "ntechlab")]                           # creator-publication
    assert not chosen[("megaface", "samsung")]                        # activist
    assert not chosen[("ms-celeb-1m", "ibm")]                         # activist
    for i in found:
        if i.role in ("creator", "co-creator"):
            assert i.strength is None and i.selected_by_default, (i.dataset, i.company)
        else:
            assert i.selected_by_default == (i.strength != "activist"), (i.dataset, i.company)
    strengths = {i.strength for i in found if i.role == "user"}
    assert strengths == set(STRENGTHS)      # the bundled data uses every strength


def test_court_records_keep_allegations_and_outcomes_neutral(registry):
    notes = {u.company: u.note for u in registry.users_of("dif")}
    assert "summary judgment" in notes["amazon"] and "no liability" in notes["amazon"]
    assert "summary judgment" in notes["microsoft"] and "no liability" in notes["microsoft"]
    assert "allege" in notes["google"] and "no liability" in notes["google"]
    for d in registry:
        for u in d.users:
            text = u.note.lower()
            assert "$" not in text and "dollar" not in text, (d.slug, u.company)
            assert "violated" not in text and "illegally" not in text, (d.slug, u.company)


def test_derived_datasets_point_at_known_parents(registry):
    assert registry.get("dif").derived_from == ("yfcc100m",)
    assert registry.get("megaface").derived_from == ("yfcc100m",)
    for d in registry:
        for parent in d.derived_from:
            assert parent in registry


def test_lookup_helpers(registry):
    assert {d.slug for d in registry.datasets_used_by("amazon")} == {"dif", "megaface"}
    assert {d.slug for d in registry.datasets_created_by("university-of-oxford")} == {
        "vggface", "vggface2"}
    assert {d.slug for d in registry.datasets_created_by("meta")} == {"pipa"}
    assert [d.slug for d in registry.all()] == sorted(registry.slugs())
    assert registry.users_of("ffhq") == ()
    with pytest.raises(DataError, match="No dataset called 'nope'"):
        registry.get("nope")
    with pytest.raises(DataError):
        registry.users_of("")


def test_involvements_list_creators_then_users_with_reasons(registry):
    found = registry.involvements(["pipa", "dif", "pipa"])
    roles = [(i.company, i.dataset, i.role) for i in found]
    assert roles[:2] == [("uc-berkeley", "pipa", "creator"), ("meta", "pipa", "co-creator")]
    assert ("ibm", "dif", "creator") in roles
    assert ("amazon", "dif", "user") in roles
    assert len([r for r in roles if r[1] == "pipa"]) == 4   # no duplicates for a repeated slug
    amazon = next(i for i in found if i.company == "amazon")
    assert amazon.strength == "court-record" and amazon.source.startswith("https://")


def test_miss_caveat_says_what_a_miss_does_not_prove(registry):
    dif = registry.get("dif").miss_caveat()
    assert "Flickr photo ID or image URL" in dif and "does not prove" in dif
    assert "says nothing" in registry.get("vggface2").miss_caveat()
    assert registry.get("megaface").offers("flickr-owner")
    assert not registry.get("laion-5b").offers("flickr-photo")


def test_to_json_round_trips_every_field(registry):
    data = registry.get("megaface").to_json()
    assert data["slug"] == "megaface" and data["creator"] == "university-of-washington"
    assert len(data["users"]) == len(registry.users_of("megaface"))
    assert set(data["users"][0]) == {"company", "strength", "source", "note"}
    dif = registry.get("dif").to_json()
    google = next(u for u in dif["users"] if u["company"] == "google")
    assert google["litigation"] == {
        "case": "Vance v. Google LLC, No. 5:20-cv-04696 (N.D. Cal.)", "status": "pending",
        "source": "https://dockets.justia.com/docket/california/candce/5:2020cv04696/362392"}
    assert all("litigation" not in u for u in dif["users"] if u["company"] != "google")
