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
    assert ibm["us_contact"]["address"][1] == "1 North Castle Drive"


def test_datasets_table_lists_slug_creator_and_user_count(capsys):
    code, out, _ = run(capsys, "datasets")
    assert code == 0
    header, rule, *rows = out.splitlines()
    assert header.split() == ["slug", "name", "creator", "year", "size", "status", "users"]
    megaface = next(r for r in rows if r.startswith("megaface "))
    assert "university-of-washington" in megaface and megaface.rstrip().endswith(
        str(len(load_registry().users_of("megaface"))))


def test_companies_table_shows_medium_and_verification(capsys):
    code, out, _ = run(capsys, "companies")
    assert code == 0
    rows = out.splitlines()
    assert rows[0].split()[:4] == ["slug", "name", "medium", "verified"]
    google = next(r for r in rows if r.startswith("google "))
    assert "email" in google and "yes" in google
    laion = next(r for r in rows if r.startswith("laion "))
    assert " no" in laion


def test_one_dataset_and_one_company_in_detail(capsys):
    code, out, _ = run(capsys, "datasets", "dif")
    assert code == 0
    assert "Reported users" in out and "court-record" in out and "summary judgment" in out
    code, out, _ = run(capsys, "datasets", "pipa", "--json")
    assert code == 0 and json.loads(out)["co_creators"] == ["meta"]
    code, out, _ = run(capsys, "companies", "university-of-washington")
    assert code == 0 and "public-university" in out and "none on file" in out
    code, out, _ = run(capsys, "companies", "amazon")
    assert "[unverified]" in out and "Amazon.com, Inc." in out


def test_unknown_slug_is_one_plain_line_and_exit_1(capsys):
    code, out, err = run(capsys, "datasets", "no-such-set")
    assert code == 1 and out == ""
    assert err.strip() == ("rightsbot: error: No dataset called 'no-such-set' is in the registry "
                           "(see `rightsbot datasets`).")
    code, out, err = run(capsys, "companies", "{{evil}}")
    assert code == 1 and "No company called '{{evil}}'" in err and "Traceback" not in err
