"""`campaign report`: figures from a real run (bot.campaigns.run via run_fixtures), the PNG
chart read back with Pillow, the one-page PDF summary read back with pypdf, and the rule
that the summary and the chart never carry a member's name, id or email."""

from __future__ import annotations

import io
import json
from datetime import date

import pytest
from PIL import Image
from pypdf import PdfReader

from bot.campaigns.chart import HEIGHT_PX, WIDTH_PX, render_chart
from bot.campaigns.members import Roster
from bot.campaigns.report import build_report, latest_run
from bot.campaigns.summary_pdf import render_summary
from bot.cli import main
from bot.storage import Store
from tests.campaigns.run_fixtures import member_rows, run_once

ON = date(2026, 11, 30)


@pytest.fixture(scope="module")
def ran(tmp_path_factory):
    root = tmp_path_factory.mktemp("report")
    setup, run = run_once(root)
    Roster.open(setup.campaign).leave("m5", ON)       # one member left after the run
    return setup, run


def member_strings() -> list[str]:
    out = []
    for row in member_rows():
        out += [row["member_id"], row["name"], row["email"], *row["address"]]
        out += [a for a in [row.get("authorization")] if a]
    return out


def test_report_counts_members_matches_letters_and_statuses(ran):
    setup, run = ran
    with Store.from_config(setup.config) as store:
        cases = store.cases(111)
    report = build_report(setup.campaign, run=setup.root / "out", on=ON, cases=cases)
    assert (report.members_total, report.members_active, report.members_left) == (5, 4, 1)
    assert report.by_source == {"csv": 4, "telegram": 1}
    assert report.checked == 5 and report.matched == 4          # m5's account is in no dataset
    assert [(d.dataset, d.members) for d in report.datasets] == [("pipa", 4)]
    assert report.letters_total == run.letters
    by_company = dict(report.letters_by_company())
    assert sum(by_company.values()) == run.letters and len(by_company) == report.companies
    assert any(c.direct for c in report.letters)                  # m1's BIPA letter is their own
    assert report.statuses_from == "cases" and set(report.statuses) == {"drafted"}
    data = report.to_json()
    assert data["members"]["by_source"] == {"csv": 4, "telegram": 1}
    assert data["letters"]["total"] == run.letters and data["matches"][0]["dataset"] == "pipa"


def test_statuses_fall_back_to_the_manifest_without_cases(ran):
    setup, run = ran
    report = build_report(setup.campaign, run=setup.root / "out", on=ON, cases=None)
    assert report.statuses_from == "manifest" and report.statuses == {"drafted": run.letters}


def test_no_run_yet_reports_the_roster_only(ran):
    setup, _ = ran
    report = build_report(setup.campaign, on=ON)
    assert report.run is None and report.letters_total == 0 and report.members_active == 4
    assert "No run yet" in report.text()


def test_chart_is_a_png_of_the_documented_size(ran):
    setup, _ = ran
    report = build_report(setup.campaign, run=setup.root / "out", on=ON)
    png = render_chart(report)
    image = Image.open(io.BytesIO(png))
    assert image.format == "PNG" and image.size == (WIDTH_PX, HEIGHT_PX) and image.mode == "RGBA"
    assert len(image.convert("RGB").getcolors(maxcolors=1 << 20)) > 10          # something was drawn
    assert render_chart(report) == png                               # reproducible


def test_summary_is_one_page_of_aggregates_and_names_no_member(ran):
    setup, run = ran
    report = build_report(setup.campaign, run=setup.root / "out", on=ON)
    pdf = render_summary(report)
    reader = PdfReader(io.BytesIO(pdf))
    assert len(reader.pages) == 1
    text = " ".join(reader.pages[0].extract_text().split())
    assert "Faces Back e.V.: campaign summary" in text
    assert "Active members 4" in text and f"Letters {run.letters}" in text
    assert "no member is named" in text
    meta = " ".join(str(v) for v in (reader.metadata or {}).values())
    words = set(f"{text} {meta} {json.dumps(report.to_json(), ensure_ascii=False)} "
                f"{report.text()}".replace(",", " ").split())
    for secret in member_strings():
        assert secret not in text and secret not in meta, secret
        assert not set(secret.split()) <= words, secret
    assert render_summary(report) == pdf                             # deterministic


def test_hostile_public_names_do_not_break_chart_or_summary(ran):
    from dataclasses import replace
    setup, _ = ran
    report = build_report(setup.campaign, run=setup.root / "out", on=ON)
    hostile = replace(report, organisation="$\\frac{1}{0}$ <b>Org</b> & Co",
                      letters=tuple(replace(c, company_name="=cmd|'/C calc'!A0 $x$") for c in report.letters))
    assert Image.open(io.BytesIO(render_chart(hostile))).size == (WIDTH_PX, HEIGHT_PX)
    text = PdfReader(io.BytesIO(render_summary(hostile))).pages[0].extract_text()
    assert "<b>Org</b> & Co" in text


def test_cli_report_writes_png_and_pdf_and_remembers_the_run(ran, tmp_path, capsys):
    setup, run = ran
    out = tmp_path / "report"
    code = main(["campaign", "report", str(setup.campaign_file), "--config", str(setup.config_file),
                 "--run", str(setup.root / "out"), "--out", str(out), "--json"])
    assert code == 0
    data = json.loads(capsys.readouterr().out)
    assert data["members"]["active"] == 4 and data["letters"]["total"] == run.letters
    assert data["statuses"]["from"] == "cases"
    assert Image.open(data["files"]["chart"]).size == (WIDTH_PX, HEIGHT_PX)
    assert len(PdfReader(data["files"]["summary"]).pages) == 1
    assert latest_run(setup.campaign) == (setup.root / "out").resolve()
    # without --run: the remembered run; plain text
    assert main(["campaign", "report", str(setup.campaign_file), "--config",
                 str(setup.config_file)]) == 0
    text = capsys.readouterr().out
    assert f"Letters: {run.letters} to" in text and "Members: 4 active, 1 left" in text


def test_cli_refuses_a_folder_that_is_not_a_run(ran, tmp_path, capsys):
    setup, _ = ran
    code = main(["campaign", "report", str(setup.campaign_file), "--config",
                 str(setup.config_file), "--run", str(tmp_path)])
    assert code != 0
    assert "not a campaign run folder" in capsys.readouterr().err
