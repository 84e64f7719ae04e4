"""Member intake by CSV: encodings, header, bad rows, duplicates, caps, re-runs."""

from __future__ import annotations

import codecs
import tracemalloc
from datetime import date

import pytest

from bot.campaigns import intake
from bot.campaigns.intake import CsvFileError, import_members
from bot.campaigns.members import Roster, make_member
from tests.campaigns.conftest import HEADER, MEMBERS, csv_text

TODAY = date(2026, 5, 4)
MB = 1024 * 1024


def write(tmp_path, text: str, encoding: str = "utf-8", name: str = "members.csv"):
    path = tmp_path / name
    path.write_bytes(text.encode(encoding))
    return path


def run(campaign, path):
    return import_members(campaign, path, today=TODAY)


def row(**change):
    values = dict(MEMBERS[0])
    values.update(change)
    return values


def test_valid_file_imports_every_member(campaign, members_csv):
    report = run(campaign, members_csv)
    assert (report.imported, report.updated, report.unchanged) == (3, 0, 0)
    assert report.rejected == [] and report.encoding == "utf-8" and report.rows == 3
    roster = Roster.open(campaign)
    ann = roster.get("m1")
    assert ann.address == ("1 Main Street", "Springfield, IL 62701") and ann.joined == "2026-05-04"
    assert roster.get("m3").uploaded_from == "US-CA"            # empty: same as residence
    assert roster.get("m2").urls == ("https://example.org/photos/a.jpg",)


def test_rerun_imports_nothing_twice(campaign, members_csv):
    run(campaign, members_csv)
    again = import_members(campaign, members_csv, today=date(2026, 6, 1))
    assert (again.imported, again.updated, again.unchanged) == (0, 0, 3)
    assert len(Roster.open(campaign).all()) == 3
    assert Roster.open(campaign).get("m1").joined == "2026-05-04"   # first import's date kept


def test_changed_row_is_an_update(campaign, tmp_path, members_csv):
    run(campaign, members_csv)
    changed = [dict(MEMBERS[0], name="Ann B. Example"), *MEMBERS[1:]]
    report = run(campaign, write(tmp_path, csv_text(changed), name="v2.csv"))
    assert (report.imported, report.updated, report.unchanged) == (0, 1, 2)
    assert Roster.open(campaign).get("m1").name == "Ann B. Example"


@pytest.mark.parametrize("encoding, expected", [
    ("utf-8", "utf-8"), ("utf-8-sig", "utf-8-sig"), ("latin-1", "latin-1"),
    ("cp1252", "windows-1252"),
])
def test_accepted_encodings(campaign, tmp_path, encoding, expected):
    rows = [row(name="Jörg Müller"), row(member_id="m2", email="b@example.org",
                                           name="Zoë “Zo” Ørsted" if encoding == "cp1252" else "Zoë")]
    report = run(campaign, write(tmp_path, csv_text(rows), encoding))
    assert report.encoding == expected and report.rejected == [] and report.imported == 2
    assert Roster.open(campaign).get("m1").name == "Jörg Müller"


@pytest.mark.parametrize("encoding", ["utf-16", "utf-16-le", "utf-16-be", "utf-32"])
def test_utf16_and_utf32_are_refused(campaign, tmp_path, encoding):
    with pytest.raises(CsvFileError, match="UTF-(16|32)|NUL") as info:
        run(campaign, write(tmp_path, csv_text(MEMBERS), encoding))
    assert "UTF-8" in str(info.value)
    assert Roster.open(campaign).all() == []


def test_binary_file_is_refused(campaign, tmp_path):
    path = tmp_path / "members.csv"
    path.write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(range(256)))
    with pytest.raises(CsvFileError, match="NUL bytes"):
        run(campaign, path)


@pytest.mark.parametrize("content", [b"", b"\n\n  \r\n", codecs.BOM_UTF8])
def test_empty_file(campaign, tmp_path, content):
    path = tmp_path / "members.csv"
    path.write_bytes(content)
    with pytest.raises(CsvFileError, match="empty") as info:
        run(campaign, path)
    assert info.value.line == 1


def test_header_only_imports_nothing(campaign, tmp_path):
    report = run(campaign, write(tmp_path, ",".join(HEADER) + "\n"))
    assert (report.imported, report.rows, report.rejected) == (0, 0, [])


def test_header_is_case_insensitive_in_any_order(campaign, tmp_path):
    header = tuple(reversed([h.upper().replace("_", " ") for h in HEADER]))
    rows = [{h: MEMBERS[0][h.lower().replace(" ", "_")] for h in header}]
    report = run(campaign, write(tmp_path, csv_text(rows, header)))
    assert report.imported == 1 and Roster.open(campaign).get("m1").name == "Ann Example"


def test_optional_columns_may_be_left_out(campaign, tmp_path):
    header = ("member_id", "name", "address", "residence", "authorization", "flickr")
    report = run(campaign, write(tmp_path, csv_text([MEMBERS[0]], header)))
    member = Roster.open(campaign).get("m1")
    assert report.imported == 1 and member.email == "" and member.shown == ""


def test_missing_columns_are_named(campaign, tmp_path):
    header = ("member_id", "name", "email", "flickr")
    with pytest.raises(CsvFileError) as info:
        run(campaign, write(tmp_path, csv_text([MEMBERS[0]], header)))
    assert "missing columns address, residence, authorization" in str(info.value)
    assert info.value.line == 1


def test_unknown_and_repeated_columns_are_named(campaign, tmp_path):
    with pytest.raises(CsvFileError, match="unknown columns 'phone', 'ssn'"):
        run(campaign, write(tmp_path, csv_text([MEMBERS[0]], HEADER + ("phone", "SSN"))))
    with pytest.raises(CsvFileError, match="name given twice"):
        run(campaign, write(tmp_path, csv_text([MEMBERS[0]], HEADER + ("Name",))))


def test_formula_cells_are_kept_as_text(campaign, tmp_path):
    rows = [row(name="=HYPERLINK(\"http://evil.example\",\"x\")",
                address="+1 Main Street\n-Springfield\n@home"),
            row(member_id="m2", email="b@example.org", name="@SUM(A1:A9)")]
    report = run(campaign, write(tmp_path, csv_text(rows)))
    assert report.rejected == [] and report.imported == 2
    member = Roster.open(campaign).get("m1")
    assert member.name.startswith("=HYPERLINK") and member.address[0] == "+1 Main Street"


def test_formula_cells_in_ids_are_rejected_with_their_line(campaign, tmp_path):
    rows = [row(member_id="=1+2"), row(member_id="m2", email="b@example.org",
                                      authorization="-cmd|' /C calc'!A0")]
    report = run(campaign, write(tmp_path, csv_text(rows)))
    assert [line for line, _ in report.rejected] == [2, 4]
    assert report.rejected[0][1].startswith("member_id") and report.rejected[1][1].startswith(
        "authorization")


def test_bad_rows_are_rejected_with_the_line_where_they_start(campaign, tmp_path):
    rows = [row(),                                                             # line 2-3
            row(member_id="m2", email="b@example.org", residence="Atlantis"),  # line 4-5
            row(member_id="m3", email="c@example.org",
                address="\n".join(f"line {i}" for i in range(7))),             # line 6-12
            row(member_id="m4", email="d@example.org", flickr="https://example.org/x"),  # 13-14
            row(member_id="m5", email="e@example.org", urls="ftp://example.org/a.jpg"),  # 15-16
            row(member_id="m6", email="f@example.org", residence="US"),        # 17-18
            row(member_id="m7", email="g@example.org", shown="somebody"),      # 19-20
            row(member_id="m8", email="h@example.org", name="A\u202eB"),      # 21-22
            row(member_id="m9", email="i@example.org")]                        # 23-24
    report = run(campaign, write(tmp_path, csv_text(rows)))
    reasons = dict(report.rejected)
    assert sorted(reasons) == [4, 6, 13, 15, 17, 19, 21]
    assert reasons[4].startswith("residence") and reasons[6].startswith("address: at most 6")
    assert reasons[13].startswith("flickr") and reasons[15].startswith("urls")
    assert "invisible" in reasons[21]
    assert report.imported == 2 and report.rows == 9
    assert Roster.open(campaign).rejected() == [{"line": l, "reason": r} for l, r in report.rejected]


def test_row_with_wrong_cell_count(campaign, tmp_path):
    text = csv_text([MEMBERS[0]]) + "m2,Bob\r\n" + csv_text([MEMBERS[1]]).split("\r\n", 1)[1]
    report = run(campaign, write(tmp_path, text))
    assert [(line, reason.split(",")[0]) for line, reason in report.rejected] == [
        (4, "has 2 cells")]
    assert report.imported == 2


def test_duplicates_by_id_later_row_wins(campaign, tmp_path):
    rows = [row(), row(member_id="m2", email="b@example.org"), row(name="Ann Later")]
    report = run(campaign, write(tmp_path, csv_text(rows)))
    assert report.imported == 2 and report.rejected == []
    assert report.corrected == [(6, "same member_id as line 2: this row's values replace "
                                    "that row's")]
    assert Roster.open(campaign).get("m1").name == "Ann Later"


def test_duplicates_by_email_merge_into_the_first_id(campaign, tmp_path):
    rows = [row(), row(member_id="m1-again", email="ANN@example.org", name="Ann Again")]
    report = run(campaign, write(tmp_path, csv_text(rows)))
    assert report.imported == 1 and [line for line, _ in report.corrected] == [4]
    assert "merged into 'm1'" in report.corrected[0][1]
    (member,) = Roster.open(campaign).all()
    assert member.member_id == "m1" and member.name == "Ann Again"


def test_conflicting_duplicate_is_rejected(campaign, tmp_path):
    rows = [row(), row(member_id="m2", email="b@example.org"),
            row(member_id="m2", email="ann@example.org")]
    report = run(campaign, write(tmp_path, csv_text(rows)))
    assert [line for line, _ in report.rejected] == [6]
    assert "which one is meant" in report.rejected[0][1]


def test_duplicate_email_against_the_roster(campaign, tmp_path, members_csv):
    run(campaign, members_csv)
    report = run(campaign, write(tmp_path, csv_text([row(member_id="new-id", name="Ann New")]),
                                 name="later.csv"))
    assert report.updated == 1 and "merged into 'm1'" in report.corrected[0][1]
    assert Roster.open(campaign).get("new-id") is None


def test_email_of_a_telegram_member_is_not_taken_over(campaign, tmp_path):
    Roster.open(campaign).upsert(make_member(
        member_id="tg-7", telegram_id=7, source="telegram", name="Tess", address=["1 Road"],
        email="ann@example.org", residence="DE", flickr=["1808093328"], authorization="A-TG-7"))
    report = run(campaign, write(tmp_path, csv_text([row()])))
    assert [line for line, _ in report.rejected] == [2] and "Telegram" in report.rejected[0][1]
    assert Roster.open(campaign).get("tg-7").name == "Tess"


def test_member_who_left_stays_out_of_runs(campaign, members_csv):
    run(campaign, members_csv)
    Roster.open(campaign).leave("m1", date(2026, 5, 10))
    report = run(campaign, members_csv)
    assert report.unchanged == 3 and "left the campaign on 2026-05-10" in report.corrected[0][1]
    assert [m.member_id for m in Roster.open(campaign).active()] == ["m2", "m3"]


def test_quoted_cells_with_commas_quotes_and_crlf(campaign, tmp_path):
    rows = [row(name='Ann "Nan" Example, Jr.', address="1 Main St, Apt 2\r\nSpringfield\r\n")]
    report = run(campaign, write(tmp_path, csv_text(rows)))
    member = Roster.open(campaign).get("m1")
    assert report.imported == 1 and member.name == 'Ann "Nan" Example, Jr.'
    assert member.address == ("1 Main St, Apt 2", "Springfield")


def test_too_many_flickr_references(campaign, tmp_path):
    rows = [row(flickr=" ".join(str(1000000 + i) for i in range(101)))]
    report = run(campaign, write(tmp_path, csv_text(rows)))
    assert report.rejected[0][1].startswith("flickr: at most 100")


def test_over_long_cell_is_rejected(campaign, tmp_path):
    rows = [row(urls="https://example.org/" + "a" * 30_000), row(member_id="m2",
                                                                 email="b@example.org")]
    report = run(campaign, write(tmp_path, csv_text(rows)))
    assert report.rejected == [(2, "urls: too long (more than 20,000 characters)")]
    assert report.imported == 1


def test_fifty_megabyte_cell_stops_the_file_with_bounded_memory(campaign, tmp_path):
    path = tmp_path / "big.csv"
    with open(path, "wb") as fh:
        fh.write(csv_text([MEMBERS[0]]).encode())
        fh.write(b'm2,"Bob","')
        block = b"x" * 1023 + b"\n"
        for _ in range(50 * 1024):
            fh.write(block)
        fh.write(b'",,DE,,me,1808093328,,A2\r\n')
    assert path.stat().st_size > 50 * MB
    tracemalloc.start()
    try:
        with pytest.raises(CsvFileError) as info:
            run(campaign, path)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert info.value.line == 4 and "longer than 131,072 characters" in str(info.value)
    assert peak < 16 * MB
    assert Roster.open(campaign).all() == []          # nothing imported from a broken file


def test_fifty_megabyte_file_of_rows_hits_the_row_cap(campaign, tmp_path, monkeypatch):
    monkeypatch.setattr(intake, "MAX_ROWS", 20_000)   # the cap's logic, without 250,000 rows
    path = tmp_path / "big.csv"
    with open(path, "wb") as fh:
        fh.write(csv_text([]).encode())
        line = b"x" * 1023 + b"\n"
        fh.write(line * (50 * 1024))
    assert path.stat().st_size > 50 * MB
    with pytest.raises(CsvFileError, match="more than 20,000 member rows") as info:
        run(campaign, path)
    assert info.value.line == 20_002


def test_fifty_megabyte_single_line_is_refused(campaign, tmp_path):
    path = tmp_path / "big.csv"
    with open(path, "wb") as fh:
        fh.write(b"member_id," + b"y" * (50 * MB))
    with pytest.raises(CsvFileError, match="line 1 is longer than 1,000,000 characters"):
        run(campaign, path)


def test_file_over_the_byte_cap_is_refused_at_once(campaign, tmp_path, monkeypatch):
    monkeypatch.setattr(intake, "MAX_CSV_BYTES", 1000)
    path = write(tmp_path, csv_text(MEMBERS * 5))
    with pytest.raises(CsvFileError, match="at most 1,000 bytes"):
        run(campaign, path)


def test_not_a_file(campaign, tmp_path):
    with pytest.raises(CsvFileError, match="not found"):
        run(campaign, tmp_path / "nope.csv")
    with pytest.raises(CsvFileError, match="not a regular file"):
        run(campaign, tmp_path)
