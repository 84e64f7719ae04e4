"""Which letter kinds apply (rules as data), and the reply deadlines they carry."""

from __future__ import annotations

from datetime import date

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


def test_every_kind_is_reachable_and_has_a_template(project_root):
    reachable = {k for v in JURISDICTIONS.values() for k in v}
    assert reachable == set(RULES.kinds())
    for kind in RULES.kinds():
        assert (project_root / "templates" / "en" / f"{kind}.txt.j2").is_file(), kind


def test_illinois_upload_alone_gives_bipa_letters_next_to_the_home_law():
    assert kinds("US-CA", "US-IL") == ["bipa-notice", "bipa-demand", "ccpa"]
    assert kinds("DE", "US-IL") == ["bipa-notice", "bipa-demand", "gdpr"]
    choice = RULES.choose(parse_region("US-CA", "r"), parse_region("US-IL", "u"))[0]
    assert choice.reasons == ("uploaded from Illinois, United States",)


def test_illinois_resident_uploading_from_california_gets_no_ccpa():
    # the CCPA protects California residents; BIPA follows residence or upload
    assert kinds("US-IL", "US-CA") == ["bipa-notice", "bipa-demand"]
    choice = RULES.choose(parse_region("US-IL", "r"), parse_region("US-IL", "u"))[0]
    assert choice.reasons == ("lives in Illinois, United States",
                              "uploaded from Illinois, United States")


def test_unknown_upload_place_and_other_states():
    assert kinds("US-NY", "unknown") == ["generic"]
    assert kinds("US-IL", "unknown") == ["bipa-notice", "bipa-demand"]
    assert kinds("US-CT") == ["us-state-privacy"]
    assert kinds("NO") == ["gdpr"] and kinds("IS") == ["gdpr"]   # EEA
    assert kinds("CH") == ["generic"]                             # not GDPR


@pytest.mark.parametrize("kind, entity, expected", [
    ("bipa-demand", "public-university", "generic"),
    ("bipa-notice", "government", "generic"),
    ("bipa-demand", "private-university", "bipa-demand"),
    ("bipa-demand", "company", "bipa-demand"),
    ("ccpa", "nonprofit", "generic"),
    ("gdpr", "public-university", "gdpr"),       # the GDPR binds public bodies too
])
def test_recipient_type_can_swap_the_kind(kind, entity, expected):
    chosen = RULES.for_recipient(kind, entity)
    assert chosen.kind == expected
    assert bool(chosen.note) == (expected != kind)


def test_us_state_details_are_data_and_marked_unverified():
    rule = RULES.get("us-state-privacy")
    assert rule.state_law(parse_region("US-VA", "r")).verified
    assert rule.state_law(parse_region("US-CT", "r")).verified
    assert not rule.state_law(parse_region("US-OR", "r")).verified
    assert rule.state_law(parse_region("US-TX", "r")).act == "Texas Data Privacy and Security Act"


ON = date(2026, 11, 26)   # Thanksgiving; the 27th is a California state holiday


def test_deadlines_per_kind():
    il = parse_region("US-IL", "r")
    bipa = RULES.get("bipa-demand").deadlines(ON, 30, il)
    assert (bipa.due, bipa.statutory, bipa.extended_until) == (date(2026, 12, 26), False, None)
    assert RULES.get("bipa-demand").deadlines(ON, 14, il).due == date(2026, 12, 10)
    ccpa = RULES.get("ccpa").deadlines(ON, 30, parse_region("US-CA", "r"))
    assert ccpa.due == date(2027, 1, 10)                 # 45 calendar days
    assert ccpa.acknowledge_by == date(2026, 12, 11)     # 10 business days, 27 Nov off
    assert ccpa.extended_until == date(2027, 2, 24)      # 90 days in all
    gdpr = RULES.get("gdpr").deadlines(date(2027, 1, 31), 30, parse_region("DE", "r"))
    assert gdpr.due == date(2027, 2, 28)                 # one month, clamped
    assert gdpr.extended_until == date(2027, 4, 30)      # three months from the letter
    iowa = RULES.get("us-state-privacy").deadlines(ON, 30, parse_region("US-IA", "r"))
    assert iowa.due == date(2027, 2, 24)                 # Iowa's 90 days (data override)
    assert RULES.get("cubi").deadlines(ON, 30, il).statutory is False
    assert RULES.get("colorado").deadlines(ON, 30, il).due == date(2027, 1, 10)


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
