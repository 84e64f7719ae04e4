"""``rightsbot campaign run``: JSON shape and exit status, agent wording read back from the
PDFs, the member's own letters where there is no agent route, manifest (sha256s and
neutralised cells), the deterministic ZIP, cases entered once, a changed roster refused."""

from __future__ import annotations

import hashlib
import io
import json
import zipfile
from datetime import date
from pathlib import Path

import pytest

from bot.campaigns.manifest import COLUMNS, read_manifest, render_manifest
from bot.campaigns.members import Roster, make_member
from bot.campaigns.run import run_campaign
from bot.cli import main
from bot.errors import InputError
from tests.campaigns.run_fixtures import PIPA_PHOTO, RUN_DATE, make_run_setup, pdf_text


@pytest.fixture(scope="module")
def cli_run(tmp_path_factory):
    """One CLI run with --json of a roster holding a member whose letters cannot be made."""
    root = tmp_path_factory.mktemp("run")
    setup = make_run_setup(root, failing=True)
    out = root / "out"
    argv = ["campaign", "run", str(setup.campaign_file), "--out", str(out), "--json",
            "--config", str(setup.config_file), "--date", RUN_DATE, "--workers", "2"]
    return setup, out, argv


@pytest.fixture(scope="module")
def result(cli_run):
    setup, out, argv = cli_run
    capture = pytest.MonkeyPatch()
    buf_out, buf_err = io.StringIO(), io.StringIO()
    capture.setattr("sys.stdout", buf_out)
    capture.setattr("sys.stderr", buf_err)
    try:
        code = main(argv)
    finally:
        capture.undo()
    return code, json.loads(buf_out.getvalue()), buf_err.getvalue()


def rows(out: Path) -> list[dict]:
    return read_manifest((out / "manifest.csv").read_bytes())


def test_json_shape_and_exit_1_with_the_failed_letters_reason(result, cli_run):
    setup, out, _ = cli_run
    code, data, err = result
    assert code == 1
    assert set(data) >= {"members", "letters", "bundles", "manifest", "zip", "failed"}
    assert data["members"] == 6 and data["letters"] == len(rows(out))
    assert [b["company"] for b in data["bundles"]] == ["meta", "uc-berkeley"]
    for b in data["bundles"]:
        assert set(b) >= {"company", "pdf", "members", "sha256"}
        assert hashlib.sha256(Path(b["pdf"]).read_bytes()).hexdigest() == b["sha256"]
    assert data["manifest"] == str(out / "manifest.csv") and Path(data["zip"]).is_file()
    assert data["failed"] == [{"member_id": "m9", "reason": data["failed"][0]["reason"]}]
    assert "shown" in data["failed"][0]["reason"]
    assert "failed: member m9: shown" in err
    # names never reach the output
    assert "Ann Example" not in json.dumps(data) and "Ann Example" not in err


def test_agent_letters_carry_the_agent_wording_and_the_authorization_reference(result, cli_run):
    _, out, _ = cli_run
    ccpa = next(r for r in rows(out) if r["member_id"] == "m3" and r["kind"] == "ccpa")
    assert ccpa["route"] == "agent" and ccpa["bundle"] == "bundles/meta.pdf"
    text = pdf_text((out / ccpa["file"]).read_bytes())
    assert ("This letter is sent on my behalf by Faces Back e.V., whom I have authorized in writing "
            "to act as my agent (Cal. Code Regs. tit. 11, §7063") in text
    assert "A copy of my signed authorization, reference AUTH-0003, is enclosed." in text
    assert "c/o Faces Back e.V." in text and "campaign@facesback.example" in text
    gdpr = next(r for r in rows(out) if r["member_id"] == "m2" and r["company"] == "meta")
    assert gdpr["kind"] == "gdpr" and gdpr["route"] == "transmitted"
    assert "reference AUTH-0002, is enclosed" in pdf_text((out / gdpr["file"]).read_bytes())


def test_no_agent_route_gives_the_member_their_own_letter_and_the_organiser_a_note(result, cli_run):
    _, out, _ = cli_run
    _, data, _ = result
    bipa = next(r for r in rows(out) if r["member_id"] == "m1" and r["kind"] == "bipa-demand")
    assert bipa["route"] == "direct" and bipa["bundle"] == "" and "/own-letters/" in bipa["file"]
    text = pdf_text((out / bipa["file"]).read_bytes())
    assert "on my behalf by" not in text and "ann@example.org" in text
    assert (out / bipa["file"]).with_suffix(".eml").is_file()
    assert any(n.startswith("Illinois (BIPA): the notice and demand is the member's own letter")
               for n in data["notes"])


def test_manifest_sha256s_match_the_files(result, cli_run):
    _, out, _ = cli_run
    listed = rows(out)
    assert listed and list(listed[0]) == list(COLUMNS)
    for row in listed:
        assert hashlib.sha256((out / row["file"]).read_bytes()).hexdigest() == row["sha256"]
        assert date.fromisoformat(row["due"]) > date.fromisoformat(RUN_DATE)
    assert not any(r["member_id"] in ("m5", "m9") for r in listed)    # no match / failed


@pytest.mark.parametrize("cell", ["=HYPERLINK(\"http://x\")", "+1+1", "-2", "@SUM(A1)",
                                  "\tindent", "\rcr"])
def test_manifest_cells_that_start_a_formula_are_neutralised_and_read_back(cell):
    data = render_manifest([[cell, "meta", "ccpa", "RB-1", "f.pdf", "0" * 64, "2027-01-01",
                             "agent", ""]])
    raw = data.decode("utf-8").splitlines()[1]
    assert raw.startswith("'") or raw.startswith("\"'")
    assert read_manifest(data)[0]["member_id"] == cell


def test_zip_holds_every_file_sorted_with_fixed_timestamps(result, cli_run):
    _, out, _ = cli_run
    _, data, _ = result
    with zipfile.ZipFile(data["zip"]) as archive:
        infos = archive.infolist()
        names = [i.filename for i in infos]
        assert names == sorted(names)
        assert {i.date_time for i in infos} == {(2026, 11, 26, 0, 0, 0)}
        on_disk = sorted(str(p.relative_to(out)) for p in out.rglob("*")
                         if p.is_file() and p.name != Path(data["zip"]).name)
        assert names == on_disk
        assert archive.read("manifest.csv") == (out / "manifest.csv").read_bytes()


def test_a_second_run_changes_nothing_and_enters_the_cases_once(result, cli_run, capsys):
    setup, out, argv = cli_run
    before = {p: p.read_bytes() for p in out.rglob("*") if p.is_file()}
    from bot.cases import book
    from bot.storage import Store
    with Store.from_config(setup.config) as store:
        cases = store.cases(111)
    assert len(cases) == 2                      # one per company: meta and uc-berkeley
    letters = [l for c in cases for l in c["letters"]]
    assert {l["company"] for l in letters} == {"meta", "uc-berkeley"}
    assert all(l["reference"].startswith("CB-20261126-") for l in letters)
    assert main(argv) == 1
    data = json.loads(capsys.readouterr().out)
    assert data["resumed"] == 5 and data["cases"] == []     # m9 failed: tried again, fails again
    assert {p: p.read_bytes() for p in out.rglob("*") if p.is_file()} == before
    with Store.from_config(setup.config) as store:
        assert len(store.cases(111)) == 2
        assert book.find(store, 111, letters[0]["reference"])


def test_a_roster_changed_mid_run_is_refused(tmp_path):
    setup = make_run_setup(tmp_path)
    out = tmp_path / "out"
    run_campaign(setup.campaign, setup.config, out, members=setup.members[:1], workers=1,
                 run_date=date.fromisoformat(RUN_DATE), record_cases=False)
    newcomer = make_member(member_id="late", name="Late Joiner", address=("1 A St", "Chicago, IL"),
                           email="late@example.org", residence="US-IL", shown="me",
                           flickr=(PIPA_PHOTO,), authorization="AUTH-LATE")
    Roster.open(setup.campaign).upsert(newcomer)
    with pytest.raises(InputError, match="changed since the run"):
        run_campaign(setup.campaign, setup.config, out, members=Roster.open(setup.campaign).active(),
                     workers=1, record_cases=False)
