"""`rightsbot datasets` and `rightsbot companies` through the real CLI entry point."""

from __future__ import annotations

import json

from bot.cli import main
from bot.companies import load_directory
from bot.registry import load_registry


def run(capsys, *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def test_datasets_json_is_valid_and_complete(capsys):
    code, out, err = run(capsys, "datasets", "--json")
    assert code == 0 and err == ""
    data = json.loads(out)
    slugs = [d["slug"] for d in data["datasets"]]
    assert slugs == load_registry().slugs()
    dif = next(d for d in data["datasets"] if d["slug"] == "dif")
    assert dif["creator"] == "ibm" and {u["company"] for u in dif["users"]} == {
        "amazon", "microsoft", "google"}


def test_companies_json_is_valid_and_complete(capsys):
    code, out, err = run(capsys, "companies", "--json")
    assert code == 0 and err == ""
    data = json.loads(out)
    assert [c["slug"] for c in data["companies"]] == load_directory().slugs()
    ibm = next(c for c in data["companies"] if c["slug"] == "ibm")
    assert "us_contact" not in ibm and ibm["controller"] == "us"
    assert [e["key"] for e in ibm["entities"]] == ["us", "eu", "uk"]
    assert ibm["entities"][0]["address"][1] == "1 North Castle Drive"
    assert ibm["entities"][1]["represents"] == "us" and ibm["entities"][1]["receives"] == ["EU"]
    for company in data["companies"]:
        assert company["entities"], company["slug"]
        for entity in company["entities"]:
            assert set(entity) >= {"key", "name", "country", "role", "receives", "represents",
                                   "address", "address_verified", "email", "webform", "medium",
                                   "sources", "notes"}


def test_one_company_as_json(capsys):
    code, out, err = run(capsys, "companies", "microsoft", "--json")
    assert code == 0 and err == ""
    data = json.loads(out)
    assert data == load_directory().get("microsoft").to_json()
    ie = next(e for e in data["entities"] if e["key"] == "ie")
    assert ie["name"] == "Microsoft Ireland Operations Limited" and ie["represents"] is None


def test_datasets_table_lists_slug_creator_and_user_count(capsys):
    code, out, _ = run(capsys, "datasets")
    assert code == 0
    header, rule, *rows = out.splitlines()
    assert header.split() == ["slug", "name", "creator", "year", "size", "status", "users"]
    megaface = next(r for r in rows if r.startswith("megaface "))
    assert "university-of-washington" in megaface and megaface.rstrip().endswith(
        str(len(load_registry().users_of("megaface"))))


def table_rows(out: str) -> tuple[list[str], list[str]]:
    header, rule, *rows = out.splitlines()
    assert set(rule.replace(" ", "")) == {"-"}
    return header.split(), rows


def test_companies_table_has_one_row_per_entity(capsys):
    code, out, err = run(capsys, "companies")
    assert code == 0 and err == ""
    header, rows = table_rows(out)
    assert header == ["slug", "key", "entity", "country", "role", "receives", "represents",
                      "medium", "address"]
    directory = load_directory()
    assert len(rows) == sum(len(c.entities) for c in directory)
    assert [r.split()[:2] for r in rows] == [[c.slug, e.key] for c in directory for e in c.entities]
    us, ie, ch = [r for r in rows if r.startswith("microsoft ")]
    assert "Microsoft Corporation" in us and "parent, controller" in us
    assert us.split()[-4:] == ["CA", "-", "webform", "verified"]      # receives "US CA"
    assert "Microsoft Ireland Operations Limited" in ie and " IE " in ie
    assert ie.split()[-5:] == ["EU", "GB", "-", "webform", "verified"]
    assert "Microsoft Schweiz GmbH" in ch and ch.split()[-4:] == ["CH", "ie", "letter", "verified"]
    samsung = {r.split()[1]: r for r in rows if r.startswith("samsung ")}
    assert samsung["us"].rstrip().endswith("webform  none")      # no address on file
    assert samsung["uk"].rstrip().endswith("unverified")
    amazon_aws = next(r for r in rows if r.startswith("amazon ") and " aws " in r)
    assert "Amazon Web Services EMEA SARL" in amazon_aws and " - " in amazon_aws


def test_one_dataset_and_one_company_in_detail(capsys):
    code, out, _ = run(capsys, "datasets", "dif")
    assert code == 0
    assert "Reported users" in out and "court-record" in out and "summary judgment" in out
    assert "court case (pending): Vance v. Google LLC, No. 5:20-cv-04696 (N.D. Cal.)" in out
    code, out, _ = run(capsys, "datasets", "pipa", "--json")
    assert code == 0 and json.loads(out)["co_creators"] == ["meta"]
    code, out, _ = run(capsys, "companies", "university-of-washington")
    assert code == 0 and "public-university" in out and "none on file" in out
    assert "uwprivacy@uw.edu" in out


def test_one_company_in_detail_shows_its_entities(capsys):
    code, out, err = run(capsys, "companies", "microsoft")
    assert code == 0 and err == ""
    assert out.startswith("Microsoft (microsoft)\n")
    assert "controller:   Microsoft Corporation [us]" in out
    assert "  EU  Microsoft Ireland Operations Limited" in out
    assert "  US  Microsoft Corporation\n" in out
    us = out[out.index("[us] Microsoft Corporation (controller)"):out.index("[ie] ")]
    assert "country:    United States (US)" in us and "role:       parent" in us
    assert "receives:   US; CA (as the controller" in us
    assert ("address:    Microsoft Privacy, One Microsoft Way, Redmond, Washington 98052, "
            "United States of America\n") in us
    assert "web form:   https://go.microsoft.com/fwlink/?linkid=2126612" in us
    assert "source:     https://privacy.microsoft.com/en-us/privacystatement" in us
    ie = out[out.index("[ie] Microsoft Ireland Operations Limited"):out.index("[ch] ")]
    assert "country:    Ireland (IE)" in ie and "role:       eu-establishment" in ie
    assert "receives:   EU, GB\n" in ie
    assert "represents:" not in ie and "as data controller for people in the EEA, the UK and Switzerland" in ie
    assert "phone:      +353 1 706 3117" in ie
    assert "note:       Microsoft's privacy statement names Microsoft Ireland" in ie
    assert "us_contact" not in out and "US contact" not in out


def test_unverified_and_missing_addresses_are_marked(capsys):
    code, out, _ = run(capsys, "companies", "samsung")
    assert code == 0
    assert "  EU  Samsung Electronics (UK) Limited" in out
    us = out[out.index("[us] Samsung Electronics America, Inc."):out.index("[uk] ")]
    assert "address:    none on file" in us and "[unverified]" not in us
    uk = out[out.index("[uk] Samsung Electronics (UK) Limited"):]
    assert "Chertsey, Surrey, KT16 0RS, United Kingdom  [unverified]" in uk
    assert "email:      dataprotection@samsung.com" in uk
    code, out, _ = run(capsys, "companies", "amazon")
    assert code == 0 and "[unverified]" not in out     # both addresses are verified
    assert "[aws] Amazon Web Services EMEA SARL\n" in out and "receives:   -" in out


def test_unknown_slug_is_one_plain_line_and_exit_1(capsys):
    code, out, err = run(capsys, "datasets", "no-such-set")
    assert code == 1 and out == ""
    assert err.strip() == ("rightsbot: error: No dataset called 'no-such-set' is in the registry "
                           "(see `rightsbot datasets`).")
    code, out, err = run(capsys, "companies", "{{evil}}")
    assert code == 1 and "No company called '{{evil}}'" in err and "Traceback" not in err
