"""The member's authorization PDF and the organisation's record of a paper authorization,
read back with pypdf."""

from __future__ import annotations

import io
from dataclasses import replace
from datetime import date

import pytest
from pypdf import PdfReader

from bot.campaigns.authorization import (authorization_reference, render_authorization,
                                         render_authorization_record)
from bot.errors import LetterError
from tests.campaigns.run_fixtures import make_run_setup, pdf_text, signature_png

SIGNED_ON = date(2026, 11, 20)


@pytest.fixture(scope="module")
def setup(tmp_path_factory):
    return make_run_setup(tmp_path_factory.mktemp("auth"))


def member(setup, member_id):
    return next(m for m in setup.members if m.member_id == member_id)


def test_typed_authorization_states_parties_scope_duration_revocation_and_date(setup):
    tg = member(setup, "tg-4242")
    pdf = render_authorization(setup.campaign, tg, SIGNED_ON, None)
    text = pdf_text(pdf)
    reference = authorization_reference(setup.campaign, tg)
    assert reference.startswith("AUTH-faces-back-") and reference in text
    assert "I, Dee Telegram, of 4 Lake Shore Dr, Chicago, IL 60601 (dee@example.org), authorize" in text
    assert "Faces Back e.V., Beispielweg 1, 10117 Berlin, Germany (campaign@facesback.example)" in text
    assert "People In Photo Albums (PIPA)" in text                       # scope: the target dataset
    assert "until I revoke it, and at most until 2027-11-20 (12 months)" in text
    assert "/leave" in text and "by email to campaign@facesback.example" in text
    assert "may not settle, waive or release any claim" in text
    assert "/s/ Dee Telegram" in text and "2026-11-20" in text
    info = PdfReader(io.BytesIO(pdf)).metadata
    assert info["/Keywords"] == "rightsbot-campaign-authorization"
    assert info["/Subject"] == f"Authorization {reference}"
    # deterministic: the same inputs give the same bytes
    assert render_authorization(setup.campaign, tg, SIGNED_ON, None) == pdf


def test_drawn_signature_is_embedded_as_a_picture(setup):
    tg = member(setup, "tg-4242")
    typed = render_authorization(setup.campaign, tg, SIGNED_ON, None)
    drawn = render_authorization(setup.campaign, tg, SIGNED_ON, signature_png())
    reader = PdfReader(io.BytesIO(drawn))
    images = [img for page in reader.pages for img in page.images]
    assert images and not [img for page in PdfReader(io.BytesIO(typed)).pages for img in page.images]
    assert "/s/ Dee Telegram" in pdf_text(drawn)


def test_broken_signature_picture_is_a_plain_error(setup):
    with pytest.raises(Exception) as info:
        render_authorization(setup.campaign, member(setup, "tg-4242"), SIGNED_ON, b"not a picture")
    assert "signature" in str(info.value).lower()


def test_record_says_plainly_it_is_the_organisations_record(setup):
    m1 = member(setup, "m1")
    assert authorization_reference(setup.campaign, m1) == "AUTH-0001"   # the organisation's own
    text = pdf_text(render_authorization_record(setup.campaign, m1, date(2026, 11, 26)))
    assert "Record of an authorization held by the organisation" in text
    assert "It is not the member's signature and not a copy of the signed authorization." in text
    assert "holds a written authorization signed by Ann Example, filed under the reference AUTH-0001" in text
    assert "A copy of the signed authorization will be provided on request" in text
    assert "/s/" not in text                                            # nobody's signature


def test_markup_in_a_name_is_printed_as_typed(setup):
    hostile = replace(member(setup, "m3"), name="<b>Carla</b> {{ agent }} &amp;")
    text = pdf_text(render_authorization(setup.campaign, hostile, SIGNED_ON, None))
    assert "<b>Carla</b> {{ agent }} &amp;" in text


def test_unprintable_name_is_refused_plainly(setup):
    hostile = replace(member(setup, "m3"), name="Carla \u0007 Díaz")
    with pytest.raises(LetterError, match="control characters"):
        render_authorization(setup.campaign, hostile, SIGNED_ON, None)


def test_generated_reference_is_stable_and_per_member(setup):
    tg = member(setup, "tg-4242")
    assert authorization_reference(setup.campaign, tg) == authorization_reference(setup.campaign, tg)
    other = replace(tg, member_id="tg-4243")
    assert authorization_reference(setup.campaign, other) != authorization_reference(setup.campaign, tg)
