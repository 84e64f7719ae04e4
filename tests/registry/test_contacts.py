"""Choosing the addressee, the "c/o" line and the channels for each law's letter."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from bot.companies import JURISDICTIONS, load_directory, residence_region
from bot.errors import DataError, InputError


@pytest.fixture(scope="module")
def directory():
    return load_directory()


def fold(text: str) -> str:
    return " ".join(text.casefold().replace(",", " ").replace(".", " ").split())


def hand_made(tmp_path: Path, entities: list[dict], **fields):
    """Load one hand-made record (slug "acme") from a folder in tmp_path."""
    record = {"slug": "acme", "display_name": "Acme", "entity_type": "company",
              "quality": "unverified", "sources": ["https://acme.example/about"],
              "entities": entities, **fields}
    folder = tmp_path / "companies"
    folder.mkdir(parents=True)
    (folder / "acme.json").write_text(json.dumps(record), encoding="utf-8")
    return load_directory(folder).get("acme")


def acme_entity(key: str, name: str, country: str, role: str, **fields) -> dict:
    return {"key": key, "name": name, "country": country, "role": role, "address": [],
            "address_verified": False, "medium": "letter",
            "sources": [f"https://acme.example/{key}"], **fields}


# --- residence (still used by the doors to read what a person typed) ------------------

@pytest.mark.parametrize("residence, region", [
    ("US-IL", "us"), ("us-tx", "us"), (" US ", "us"), ("DE", "eea-uk"), ("GB", "eea-uk"),
    ("UK", "eea-uk"), ("NO", "eea-uk"), ("FR-75", "eea-uk"), ("CH", "other"), ("JP", "other"),
])
def test_residence_regions(residence, region):
    assert residence_region(residence) == region


@pytest.mark.parametrize("bad", ["", "Illinois", "U", "US-ILLINOIS", "{{x}}", "D E", "US-IL-X",
                                 "12", None])
def test_bad_residence_is_a_plain_input_error(bad):
    with pytest.raises(InputError, match="country code"):
        residence_region(bad)


# --- the real records -----------------------------------------------------------------

def test_microsoft_fadp_letters_go_to_its_irish_company_care_of_its_swiss_representative(directory):
    contact = directory.contact_for("microsoft", "CH")
    assert (contact.entity, contact.care_of) == ("Microsoft Ireland Operations Limited",
                                                 "Microsoft Schweiz GmbH")
    assert contact.recipient_lines()[:2] == ("Microsoft Ireland Operations Limited",
                                             "c/o Microsoft Schweiz GmbH")
    assert contact.affiliate_note == ""      # a representative in Switzerland (Art. 14 FADP)


@pytest.mark.parametrize("jurisdiction", ["EU", "GB"])
def test_microsoft_gdpr_letters_go_to_its_irish_joint_controller(directory, jurisdiction):
    """Microsoft's privacy statement names Microsoft Ireland Operations Limited as (joint)
    controller for people in the EEA, the UK and Switzerland: the letter goes to it directly,
    so the GDPR applies through its establishment (Art. 3(1)), not by Art. 3(2) alone."""
    contact = directory.contact_for("microsoft", jurisdiction)
    assert contact.entity == "Microsoft Ireland Operations Limited" and contact.care_of is None
    assert contact.receiver == "Microsoft Ireland Operations Limited"
    assert contact.entity_key == "ie" and contact.country == "IE"
    assert contact.jurisdiction == jurisdiction
    lines = contact.recipient_lines()
    assert lines[:2] == ("Microsoft Ireland Operations Limited", "Attn: Data Protection Officer")
    assert lines[-1] == "Ireland"
    assert contact.address_verified
    if jurisdiction == "EU":
        assert contact.gaps() == () and contact.affiliate_note == ""
    else:   # an Irish entity for a UK or Swiss law: the cover sheet says the reach may be disputed
        assert contact.gaps() == (contact.affiliate_note,)
        assert "so the " + {"GB": "UK GDPR", "CH": "FADP"}[jurisdiction] + \
            " letter goes to Microsoft Ireland Operations Limited in Ireland" in contact.affiliate_note


@pytest.mark.parametrize("jurisdiction", ["US", "CA", None])
def test_microsoft_other_letters_go_to_the_corporation_itself(directory, jurisdiction):
    contact = directory.contact_for("microsoft", jurisdiction)
    assert contact.entity == "Microsoft Corporation" and contact.care_of is None
    assert contact.receiver == "Microsoft Corporation"
    assert contact.recipient_lines() == ("Microsoft Corporation", "Microsoft Privacy",
                                         "One Microsoft Way", "Redmond, Washington 98052",
                                         "United States of America")
    # printed once: the old record had "Microsoft Corporation" above and inside the address
    assert contact.recipient_lines().count("Microsoft Corporation") == 1


@pytest.mark.parametrize("jurisdiction", JURISDICTIONS)
def test_amazon_letters_go_to_amazon_com_not_aws_emea(directory, jurisdiction):
    contact = directory.contact_for("amazon", jurisdiction)
    assert contact.entity == "Amazon.com, Inc." and contact.care_of is None
    assert contact.entity_key == "us" and contact.country == "US"
    assert "Amazon Web Services EMEA SARL" not in contact.recipient_lines()
    assert contact.email is None
    assert contact.webform == "https://www.amazon.com/hz/contact-us/request-data"
    assert contact.medium == "webform"
    if jurisdiction == "US":
        assert contact.gaps() == ()
    else:   # no Amazon entity in that law's area is on file: the cover sheet says so
        (note,) = contact.gaps()
        if jurisdiction == "EU":   # AWS EMEA is on file, but not as controller for this
            assert note.startswith("Amazon: Amazon Web Services EMEA SARL in the EU or EEA is on "
                                   "file, but Amazon's privacy notice does not make it the controller")
        else:
            assert note.startswith("Amazon: no entity of Amazon in ")
        assert "letter goes to Amazon.com, Inc. in the United States" in note


def test_samsung_us_letters_go_to_samsung_electronics_america(directory):
    contact = directory.contact_for("samsung", "US")
    assert contact.entity == "Samsung Electronics America, Inc." and contact.care_of is None
    assert contact.country == "US"
    # a subsidiary that public reports do not name: the sender is told to ask it to pass it on
    assert contact.affiliate_note == (
        "Samsung: Samsung Electronics America, Inc. is the group's entity for the United States, "
        "but public reports name the group, not this company: ask it to pass the letter on to the "
        "group company that used the dataset.")
    # the record has its California privacy portal, but no postal address
    assert contact.webform == "https://privacypost.sea.samsung.com/ccpa/consumer_privacy"
    assert contact.address == () and not contact.address_verified and contact.reachable
    assert contact.recipient_lines() == ("Samsung Electronics America, Inc.",)
    assert contact.gaps() == (
        "Samsung Electronics America, Inc.: no postal address is on file; find it on the "
        "organisation's own privacy or contact page before sending by post, and address the "
        "envelope by hand (the letter's address block shows only the name).", contact.affiliate_note)


def test_samsung_other_laws_go_to_other_entities(directory):
    uk = directory.contact_for("samsung", "GB")
    assert uk.entity == "Samsung Electronics (UK) Limited" and uk.address[-1] == "United Kingdom"
    assert any("has not been verified" in gap for gap in uk.gaps())
    assert directory.contact_for("samsung", "EU").entity == "Samsung Electronics (UK) Limited"
    # CA is received by no entity: the controller, the Korean parent
    assert directory.contact_for("samsung", "CA").entity == "Samsung Electronics Co., Ltd."


def test_representative_letters_name_the_represented_company(directory):
    ibm = directory.contact_for("ibm", "EU")
    assert ibm.entity == "International Business Machines Corporation"
    assert ibm.care_of == "IBM International Group B.V." and ibm.address[-1] == "The Netherlands"
    # the gap names the one the envelope goes to
    assert ibm.gaps() == ("IBM International Group B.V.: the postal address has not been "
                          "verified; check it against the organisation's own privacy or "
                          "contact page before sending.",)
    flickr = directory.contact_for("smugmug", "GB")
    assert flickr.entity == "Flickr, Inc."
    assert flickr.care_of == "DP Data Protection Services UK Ltd."
    assert flickr.email == "flickr@gdpr-rep.com" and flickr.medium == "email"


def test_an_establishment_that_represents_no_one_is_addressed_itself(directory):
    openai = directory.contact_for("openai", "EU")
    assert openai.entity == "OpenAI Ireland Limited" and openai.care_of is None
    assert directory.contact_for("openai", "GB").entity == "OpenAI OpCo, LLC"
    assert directory.contact_for("philips", "US").entity == "Philips North America LLC"


def test_recipient_lines_never_repeat_a_line(directory):
    for company in directory:
        for jurisdiction in (None, *JURISDICTIONS):
            lines = company.contact_for(jurisdiction).recipient_lines()
            assert lines[0] == company.contact_for(jurisdiction).entity
            folded = [fold(line) for line in lines]
            assert len(folded) == len(set(folded)), (company.slug, jurisdiction, lines)


def test_gaps_match_what_is_on_file(directory):
    for company in directory:
        for jurisdiction in (None, *JURISDICTIONS):
            contact = company.contact_for(jurisdiction)
            gaps = " ".join(contact.gaps())
            assert ("no postal address" in gaps) == (not contact.address), company.slug
            assert ("has not been verified" in gaps) == bool(
                contact.address and not contact.address_verified), company.slug
            assert ("no privacy email or web form" in gaps or "privacy email or web form is on"
                    in gaps) == (not (contact.email or contact.webform)), company.slug


def test_an_entity_with_nothing_on_file_lists_every_gap(directory):
    contact = directory.contact_for("intellivision", "US")
    assert not contact.reachable
    # one sentence for everything missing about one entity, not one per channel
    assert contact.gaps() == (
        "IntelliVision: no postal address, privacy email or web form is on file; find them on "
        "the organisation's own privacy or contact page before sending. The letter's address "
        "block shows only the name: if you post it, address the envelope by hand.",)
    uw = directory.contact_for("university-of-washington", "EU")
    assert uw.email == "uwprivacy@uw.edu"
    assert uw.gaps()[0].startswith("University of Washington: no postal address is on file")


def test_unknown_jurisdiction_is_a_data_error(directory):
    for bad in ("DE", "us", "US-IL", ""):
        with pytest.raises(DataError, match="unknown jurisdiction"):
            directory.contact_for("microsoft", bad)
    with pytest.raises(DataError, match="No company called"):
        directory.contact_for("acme", "US")


# --- hand-made records ----------------------------------------------------------------

def test_a_subsidiary_abroad_gets_the_foreign_affiliate_note(tmp_path):
    acme = hand_made(tmp_path, [acme_entity(
        "cn", "Acme Shenzhen Co., Ltd.", "CN", "subsidiary",
        address=["1 Science Road", "Shenzhen", "China"], address_verified=True,
        email="privacy@acme.example", medium="email")])
    eu = acme.contact_for("EU")
    assert eu.entity == "Acme Shenzhen Co., Ltd." and eu.care_of is None
    assert eu.affiliate_note == (
        "Acme: no entity of Acme in the EU or EEA is on file, so the GDPR letter goes to Acme "
        "Shenzhen Co., Ltd. in China. Whether the law reaches it there may be disputed (for the "
        "GDPR, Article 3(2) and the company's Article 27 representative, if it has one; look for "
        "it in the company's privacy notice).")
    assert eu.gaps() == (eu.affiliate_note,)      # address and email are on file
    assert "no entity of Acme in the United States is on file, so the US-law letter" in \
        acme.contact_for("US").affiliate_note
    assert "so the PIPEDA letter goes to Acme Shenzhen Co., Ltd. in China" in \
        acme.contact_for("CA").affiliate_note
    assert acme.contact_for(None).affiliate_note == ""   # a plain request names no law


def test_a_parent_abroad_is_named_as_abroad_and_a_controller_at_home_gets_no_note(tmp_path):
    parent = hand_made(tmp_path / "a", [acme_entity("cn", "Acme Holdings Ltd.", "CN", "parent")])
    note = parent.contact_for("EU").affiliate_note     # the company itself, abroad: Art. 3(2)
    assert "so the GDPR letter goes to Acme Holdings Ltd. in China" in note
    assert "group company" not in note
    local = hand_made(tmp_path / "b", [acme_entity("de", "Acme GmbH", "DE", "subsidiary")])
    assert local.contact_for("EU").affiliate_note == ""   # the only entity, the controller, at home
    assert local.contact_for("GB").affiliate_note != ""    # Germany is not in the UK


def test_a_representative_for_a_subsidiary_keeps_the_note_about_the_addressee(tmp_path):
    acme = hand_made(tmp_path, [
        acme_entity("us", "Acme Labs LLC", "US", "subsidiary", address=["9 Main St", "Austin, TX"]),
        acme_entity("eu", "Rep GmbH", "DE", "eu-representative", represents="us",
                    receives=["EU"], address=["Acme Labs LLC", "Attn: Acme", "20095 Hamburg"])])
    eu = acme.contact_for("EU")
    assert (eu.entity, eu.care_of, eu.entity_key, eu.country) == ("Acme Labs LLC", "Rep GmbH",
                                                                  "eu", "DE")
    # the represented company's name in the representative's address is not printed twice
    assert eu.recipient_lines() == ("Acme Labs LLC", "c/o Rep GmbH", "Attn: Acme", "20095 Hamburg")
    assert eu.affiliate_note == ""       # reached through its representative in the EU
    assert eu.gaps() == ("Rep GmbH: the postal address has not been verified; check it against the "
                         "organisation's own privacy or contact page before sending.",
                         "Rep GmbH: no privacy email or web form is on file.")
    assert acme.contact_for("US").care_of is None and acme.contact_for("US").affiliate_note == ""


def test_a_c_o_line_already_in_the_address_is_printed_once(tmp_path):
    acme = hand_made(tmp_path, [
        acme_entity("us", "Acme Inc.", "US", "parent"),
        acme_entity("uk", "Acme Rep Ltd", "GB", "uk-representative", represents="us",
                    receives=["GB"], address=["c/o Acme Rep Ltd.", "1 Road", "London"],
                    address_verified=True, webform="https://acme.example/form", medium="webform")],
        controller="us")
    contact = acme.contact_for("GB")
    assert contact.recipient_lines() == ("Acme Inc.", "c/o Acme Rep Ltd", "1 Road", "London")
    assert contact.gaps() == ()
    assert acme.contact_for("EU").entity == "Acme Inc."      # received by no one: the controller
    assert acme.contact_for("EU").gaps()[0].startswith("Acme Inc.: no postal address")
