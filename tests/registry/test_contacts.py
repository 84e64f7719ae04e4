"""Choosing the right entity and channel for where the sender lives."""

from __future__ import annotations

import pytest

from bot.companies import load_directory, residence_region
from bot.errors import InputError


@pytest.fixture(scope="module")
def directory():
    return load_directory()


@pytest.mark.parametrize("residence, region", [
    ("US-IL", "us"), ("us-tx", "us"), (" US ", "us"), ("DE", "eea-uk"), ("GB", "eea-uk"),
    ("UK", "eea-uk"), ("NO", "eea-uk"), ("FR-75", "eea-uk"), ("CH", "other"), ("JP", "other"),
])
def test_residence_regions(residence, region):
    assert residence_region(residence) == region


@pytest.mark.parametrize("bad", ["", "Illinois", "U", "US-ILLINOIS", "{{x}}", "D E", "US-IL-X", "12", None])
def test_bad_residence_is_a_plain_input_error(bad):
    with pytest.raises(InputError, match="country code"):
        residence_region(bad)


def test_us_resident_gets_ibm_chief_privacy_office(directory):
    contact = directory.contact_for("ibm", "US-IL")
    assert contact.is_us_contact and contact.region == "us"
    assert contact.entity == "International Business Machines Corporation"
    assert "1 North Castle Drive" in contact.address
    assert contact.address_verified and contact.gaps() == ()
    assert contact.alternative.entity == "IBM International Group B.V."


def test_eu_resident_gets_the_eu_entity(directory):
    contact = directory.contact_for("ibm", "DE")
    assert not contact.is_us_contact and contact.region == "eea-uk"
    assert contact.entity == "IBM International Group B.V."
    assert contact.address[-1] == "The Netherlands"
    assert contact.alternative.is_us_contact


def test_unverified_us_contact_tells_the_sender_to_check(directory):
    contact = directory.contact_for("amazon", "US-IL")
    assert contact.entity == "Amazon.com, Inc." and contact.address
    assert not contact.address_verified
    assert any("has not been verified" in gap for gap in contact.gaps())
    assert contact.alternative.email == "aws-EU-privacy@amazon.com"


def test_us_contact_without_address_says_what_is_missing(directory):
    contact = directory.contact_for("meta", "US-CA")
    assert contact.entity == "Meta Platforms, Inc." and not contact.reachable
    assert any("no postal address" in gap for gap in contact.gaps())
    assert contact.alternative.webform   # the EU entity's form is offered as the other route


def test_company_without_us_contact_serves_everyone_from_one_record(directory):
    us = directory.contact_for("google", "US-IL")
    eu = directory.contact_for("google", "IE")
    assert us.entity == eu.entity == "Google LLC"
    assert us.alternative is None and not us.is_us_contact
    assert us.email == "data-access-requests@google.com" and us.gaps() == ()


def test_record_with_no_contact_at_all_lists_every_gap(directory):
    contact = directory.contact_for("university-of-washington", "US-WA")
    assert not contact.reachable
    assert len(contact.gaps()) == 2
    assert directory.get("university-of-washington").is_public_body
