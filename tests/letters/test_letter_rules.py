"""Which letter kinds apply (rules as data), and the reply deadlines they carry."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from bot.errors import DataError, InputError
from bot.letters.deadlines import Period, add_business_days, add_months, is_business_day
from bot.letters.regions import parse_region
from bot.letters.rules import load_rules
from tests.letters.samples import JURISDICTIONS

RULES = load_rules()


def kinds(residence: str, uploaded: str | None = None) -> list[str]:
    return [c.kind for c in RULES.choose(parse_region(residence, "residence"),
                                         parse_region(uploaded or residence, "uploaded_from",
                                                      allow_unknown=True))]


@pytest.mark.parametrize("residence, expected", sorted(JURISDICTIONS.items()))
def test_kinds_per_jurisdiction(residence, expected):
    assert kinds(residence) == expected


def test_every_reachable_kind_is_reached_and_has_a_template(project_root):
    reachable = {k for v in JURISDICTIONS.values() for k in v} | {RULES.uploader}
    assert reachable == set(RULES.kinds())
    for kind in RULES.kinds():
        assert (project_root / "templates" / "en" / f"{kind}.txt.j2").is_file(), kind


def test_illinois_upload_alone_gives_the_bipa_letter_next_to_the_home_law():
    assert kinds("US-CA", "US-IL") == ["bipa-demand", "ccpa"]
    assert kinds("DE", "US-IL") == ["bipa-demand", "gdpr"]
    choice = RULES.choose(parse_region("US-CA", "r"), parse_region("US-IL", "u"))[0]
    assert choice.reasons == ("uploaded from Illinois, United States",)


def test_illinois_resident_uploading_from_california_gets_no_ccpa():
    # the CCPA protects California residents; BIPA follows residence or upload
    assert kinds("US-IL", "US-CA") == ["bipa-demand"]
    choice = RULES.choose(parse_region("US-IL", "r"), parse_region("US-IL", "u"))[0]
    assert choice.reasons == ("lives in Illinois, United States",
                              "uploaded from Illinois, United States")


def test_unknown_upload_place_and_other_countries():
    assert kinds("US-NY", "unknown") == ["generic"]
    assert kinds("US-IL", "unknown") == ["bipa-demand"]
    assert kinds("US-CT") == ["us-state-privacy"]
    assert kinds("NO") == ["gdpr"] and kinds("IS") == ["gdpr"]   # EEA
    assert kinds("CH") == ["fadp"] and kinds("CA") == ["pipeda"]  # their own laws, not "generic"
    assert kinds("CA", "US-IL") == ["bipa-demand", "pipeda"]


def test_bipa_notice_is_an_alias_of_the_one_bipa_letter():
    assert "bipa-notice" not in RULES.kinds()
    assert RULES.known("bipa-notice") and RULES.canonical("bipa-notice") == "bipa-demand"
    assert RULES.get("bipa-demand").title.startswith("Notice and demand")


@pytest.mark.parametrize("kind, entity, expected", [
    ("bipa-demand", "public-university", "generic"),
    ("bipa-demand", "government", "generic"),
    ("bipa-demand", "private-university", "bipa-demand"),
    ("bipa-demand", "company", "bipa-demand"),
    ("ccpa", "nonprofit", "generic"),
    ("gdpr", "public-university", "gdpr"),       # the GDPR binds public bodies too
])
def test_recipient_type_can_swap_the_kind(kind, entity, expected):
    chosen = RULES.for_recipient(kind, entity)
    assert chosen.kind == expected
    assert bool(chosen.note) == (expected != kind)


@pytest.mark.parametrize("kind", ["bipa-demand", "ccpa", "cubi", "wa-biometric", "colorado",
                                  "us-state-privacy", "pipeda", "fadp"])
@pytest.mark.parametrize("entity", ["public-university", "government"])
def test_one_public_body_rule_for_every_law(kind, entity):
    """UC Berkeley and UW used to get Texas and Colorado letters while every other law
    left them out: now no law but the GDPR (and the plain requests) binds a public body."""
    chosen = RULES.for_recipient(kind, entity)
    assert chosen.kind == "generic" and chosen.note == RULES.public_bodies.note
    assert RULES.for_recipient("gdpr", entity).kind == "gdpr"
    assert RULES.for_recipient("uploader", entity).kind == "uploader"


def test_gdpr_for_anyone_when_the_recipient_is_established_in_the_union():
    """Art. 3(1): a French uploader living in Illinois, or a Canadian, writes a GDPR letter to
    Toyota Motor Europe (BE) or Philips (NL); a US company gets none."""
    il = RULES.choose(parse_region("US-IL", "r"), parse_region("US-IL", "u"))
    toyota = RULES.recipient_kinds(il, "company", "BE")
    assert [(k.kind, k.basis) for k in toyota] == [("bipa-demand", "residence"),
                                                    ("gdpr", "establishment")]
    assert [k.kind for k in RULES.recipient_kinds(il, "company", "US")] == ["bipa-demand"]
    canada = RULES.choose(parse_region("CA", "r"), parse_region("CA", "u"))
    assert [k.kind for k in RULES.recipient_kinds(canada, "company", "NL")] == ["gdpr", "pipeda"]
    # the UK GDPR binds UK-established controllers; a public university in the UK too
    brazil = RULES.choose(parse_region("BR", "r"), parse_region("BR", "u"))
    assert [k.kind for k in RULES.recipient_kinds(brazil, "public-university", "GB")] == ["gdpr"]
    # someone living in the EU already has the GDPR letter: one, not two
    de = RULES.choose(parse_region("DE", "r"), parse_region("DE", "u"))
    assert [(k.kind, k.basis) for k in RULES.recipient_kinds(de, "company", "IE")] == [
        ("gdpr", "establishment")]


def test_each_kind_names_the_jurisdiction_whose_entity_receives_it():
    assert {k: RULES.get(k).jurisdiction for k in RULES.kinds()} == {
        "bipa-demand": "US", "ccpa": "US", "cubi": "US", "wa-biometric": "US", "colorado": "US",
        "us-state-privacy": "US", "gdpr": "EU", "pipeda": "CA", "fadp": "CH", "generic": None,
        "uploader": None}
    assert RULES.get("gdpr").variants["GB"].jurisdiction == "GB"
    assert not RULES.get("uploader").biometric
    # laws that let the person go to court themselves (laws.md): BIPA §20, the MHMDA through the
    # Consumer Protection Act, GDPR Arts. 79/82, FADP Art. 32, PIPEDA s. 14
    assert {k for k in RULES.kinds() if RULES.get(k).private_action} == {
        "bipa-demand", "wa-biometric", "gdpr", "fadp", "pipeda"}


def test_us_state_details_are_data_and_marked_unverified():
    rule = RULES.get("us-state-privacy")
    assert rule.state_law(parse_region("US-VA", "r")).verified
    assert rule.state_law(parse_region("US-CT", "r")).verified
    assert not rule.state_law(parse_region("US-OR", "r")).verified
    assert rule.state_law(parse_region("US-TX", "r")).act == "Texas Data Privacy and Security Act"
    # Virginia and the Texas TDPSA leave photographs and data generated from them out of
    # "biometric data" (laws.md): the letter must not call face data from photos sensitive data
    assert rule.state_law(parse_region("US-VA", "r")).photo_exclusion
    assert rule.state_law(parse_region("US-TX", "r")).photo_exclusion
    assert not rule.state_law(parse_region("US-CT", "r")).photo_exclusion
    assert rule.state_law(parse_region("US-VA", "r")).delete_cite == "Va. Code §59.1-577(A)(3)"


ON = date(2026, 11, 26)   # Thanksgiving; the 27th is a California state holiday


def test_deadlines_per_kind():
    il = parse_region("US-IL", "r")
    bipa = RULES.get("bipa-demand").deadlines(ON, 30, il)
    # 30 days = Saturday 26 December: a date a letter asks for is never on a weekend
    assert (bipa.due, bipa.statutory, bipa.extended_until) == (date(2026, 12, 28), False, None)
    assert RULES.get("bipa-demand").deadlines(ON, 14, il).due == date(2026, 12, 10)
    ccpa = RULES.get("ccpa").deadlines(ON, 30, parse_region("US-CA", "r"))
    assert ccpa.due == date(2027, 1, 11)                 # 45 calendar days = Sunday 10 January
    assert ccpa.acknowledge_by == date(2026, 12, 11)     # 10 business days, 27 Nov off
    assert ccpa.extended_until == date(2027, 2, 24)      # 90 days in all
    gdpr = RULES.get("gdpr").deadlines(date(2027, 1, 31), 30, parse_region("DE", "r"))
    assert gdpr.due == date(2027, 3, 1)                  # one month, clamped: Sunday 28 February
    assert gdpr.extended_until == date(2027, 4, 30)      # three months from the letter
    iowa = RULES.get("us-state-privacy").deadlines(ON, 30, parse_region("US-IA", "r"))
    assert iowa.due == date(2027, 2, 24)                 # Iowa's 90 days (data override)
    assert RULES.get("cubi").deadlines(ON, 30, il).statutory is False
    assert RULES.get("colorado").deadlines(ON, 30, il).due == date(2027, 1, 11)
    assert RULES.get("colorado").verified                # 45 + 45 days, C.R.S. 6-1-1306(2)
    assert RULES.get("pipeda").deadlines(ON, 30, parse_region("CA", "r")).due == date(2026, 12, 28)
    wa = RULES.get("wa-biometric").deadlines(ON, 30, parse_region("US-WA", "r"))
    assert (wa.due, wa.statutory) == (date(2027, 1, 11), True)   # My Health My Data: 45 (+45)


@pytest.mark.parametrize("on, roll, due", [
    (date(2026, 12, 2), ("US-IL", "US"), date(2027, 1, 4)),   # 30 days = 1 January (holiday), then a weekend
    (date(2026, 11, 26), ("US-IL", "US"), date(2026, 12, 28)),  # 26 December is a Saturday
    (date(2026, 11, 25), ("DE", "IE"), date(2026, 12, 28)),    # 25 Dec, 26 (Stephen's Day), 27 Sunday
    (date(2026, 12, 3), ("GB",), date(2027, 1, 4)),            # 2 January 2027 is a Saturday
])
def test_a_date_a_letter_asks_for_never_falls_on_a_weekend_or_holiday(on, roll, due):
    deadlines = RULES.get("bipa-demand").deadlines(on, 30, parse_region("US-IL", "r"), roll)
    assert deadlines.due == due
    assert is_business_day(deadlines.due, roll[0]) and deadlines.due.weekday() < 5


def test_every_requested_date_is_rolled_for_every_kind_and_day_of_a_year():
    for kind in RULES.kinds():
        rule = RULES.get(kind)
        for offset in range(0, 366, 7):
            on = date(2026, 1, 1) + timedelta(days=offset)
            d = rule.deadlines(on, 30, parse_region("US-CA", "r"), ("US-CA", "US"))
            for day in (d.due, d.acknowledge_by, d.opt_out_by, d.extended_until):
                if day is not None:
                    assert day.weekday() < 5 and is_business_day(day, "US-CA"), (kind, on, day)


def test_add_months_clamps_to_month_end():
    assert add_months(date(2027, 1, 31), 1) == date(2027, 2, 28)
    assert add_months(date(2028, 1, 31), 1) == date(2028, 2, 29)
    assert add_months(date(2026, 12, 15), 1) == date(2027, 1, 15)
    assert add_months(date(2026, 11, 30), 3) == date(2027, 2, 28)
    assert add_months(date(2026, 3, 31), 1) == date(2026, 4, 30)


def test_business_days_skip_weekends_and_holidays():
    friday = date(2026, 12, 4)
    assert add_business_days(friday, 1) == date(2026, 12, 7)
    assert add_business_days(friday, 5) == date(2026, 12, 11)
    assert add_business_days(friday, 0) == friday
    assert add_business_days(ON, 10) == date(2026, 12, 10)          # weekends only
    assert add_business_days(ON, 10, "US-CA") == date(2026, 12, 11)  # + the day after Thanksgiving
    assert not is_business_day(date(2026, 12, 25), "US-CA")
    assert is_business_day(date(2026, 12, 24), "US-CA")
    assert add_business_days(date(2026, 12, 23), 2, "US-CA") == date(2026, 12, 28)
    assert Period(10, "business-days").describe() == "10 business days"
    assert Period(1, "months").describe() == "one month"


def test_region_codes_are_checked():
    assert parse_region(" us-il ", "residence").code == "US-IL"
    for bad in ("US", "US-XX", "XX", "Illinois", "", 3):
        with pytest.raises(InputError, match="^residence: "):
            parse_region(bad, "residence")
    with pytest.raises(InputError):
        parse_region("unknown", "residence")
    assert not parse_region("unknown", "uploaded_from", allow_unknown=True).known
    assert parse_region("GB", "r").label() == "the United Kingdom"


@pytest.mark.parametrize("edit, message", [
    (("unit = \"days\"\nstatutory = false", "unit = \"weeks\"\nstatutory = false"), "unit: must be one of"),
    (("basis = \"residence\"", "basis = \"anywhere\""), "basis: must be one of"),
    (("jurisdiction = \"US\"", "jurisdiction = \"Mars\""), "jurisdiction: must be one of"),
    (("biometric = true", "biometric = \"yes\""), "biometric: must be true or false"),
    (("uploader = \"uploader\"", "uploader = \"nobody\""), "uploader kind 'nobody'"),
    (("[public_bodies]\nentity_types", "[public_body]\nentity_types"), "unknown keys public_body"),
    (("fallback = \"generic\"", "fallback = \"nobody\""), "fallback kind 'nobody'"),
    (("order = 10", "order = \"ten\""), "order: must be a whole number"),
    (("count = 45\nunit = \"days\"\nstatutory = true\nextension = { count = 45, unit = \"days\" }\nacknowledge",
      "count = 0\nunit = \"days\"\nstatutory = true\nextension = { count = 45, unit = \"days\" }\nacknowledge"),
     "count: must be a whole number of at least 1"),
])
def test_bad_rules_files_are_refused_naming_the_key(tmp_path, edit, message):
    from bot.letters.rules import RULES_PATH
    text = RULES_PATH.read_text(encoding="utf-8")
    assert edit[0] in text
    bad = tmp_path / "rules.toml"
    bad.write_text(text.replace(edit[0], edit[1], 1), encoding="utf-8")
    with pytest.raises(DataError, match=message):
        load_rules(bad)


def test_a_letters_wording_follows_its_jurisdiction_where_variants_name_one():
    gdpr = RULES.get("gdpr")
    # the UK GDPR wording for a letter under UK law, whoever sends it; none for an EU letter
    assert gdpr.variant_for(parse_region("US-IL", "r"), "GB").region == "GB"
    assert gdpr.variant_for(parse_region("GB", "r"), "EU") is None
    assert RULES.get("ccpa").variant_for(parse_region("US-CA", "r"), "US") is None
