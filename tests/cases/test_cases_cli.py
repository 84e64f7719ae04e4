"""`rightsbot cases` on the same storage as the terminal chat: list, show, mark, ics."""

from __future__ import annotations

import json
import shutil
from datetime import date

import pytest
from icalendar import Calendar

from bot.cli import main
from bot.config import Config
from bot.index.demo import build_demo_index
from bot.journey.engine import Journey
from bot.journey.services import Services
from bot.storage import Store
from tests.journey.chatting import Chat, contact

TODAY = date(2026, 11, 26)


@pytest.fixture
def config_file(tmp_path):
    build_demo_index(tmp_path / "index.sqlite")
    path = tmp_path / "config.toml"
    path.write_text(f'[index]\npath = "{tmp_path / "index.sqlite"}"\ndemo = false\n'
                    f'[storage]\npath = "{tmp_path / "storage"}"\n', encoding="utf-8")
    config = Config.load(path)
    with Store.from_config(config) as store:       # the terminal chat's person: id 0
        chat = Chat(Journey(Services.from_config(config), store, today=lambda: TODAY,
                            reminders=False), user_id=0)
        chat.start()
        chat.press("Flickr photo links")
        chat.text("1808093328")
        chat.press("Write letters")
        chat.press("I appear in them")
        chat.press("Illinois")
        chat.press("Same as where I live")
        contact(chat)
        chat.press("Done")
        chat.press("Preserve until resolved")
        chat.press("Make my letters")
    return path


def run(capsys, *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def test_list_mark_show_and_calendar(config_file, capsys, tmp_path):
    code, out, _ = run(capsys, "cases", "list", "--json", "--config", str(config_file),
                       "--today", "2026-11-26")
    data = json.loads(out)
    (case,) = data["cases"]
    assert code == 0 and {l["status"] for l in case["letters"]} == {"drafted"}
    reference = next(l["reference"] for l in case["letters"] if l["company"] == "meta")
    code, out, _ = run(capsys, "cases", "mark", reference, "sent", "--date", "2026-11-27",
                       "--medium", "post", "--config", str(config_file), "--today", "2026-11-30",
                       "--json")
    marked = json.loads(out)
    assert code == 0 and marked["status"] == "sent" and marked["sent"] == "2026-11-27"
    assert marked["due"] > "2026-12-27"                    # 30 days from arrival by post
    code, out, _ = run(capsys, "cases", "show", reference, "--config", str(config_file),
                       "--today", "2026-11-30")
    assert "sent, waiting for a reply" in out and "2026-11-27  sent" in out and "medium=post" in out
    target = tmp_path / "dates.ics"
    code, out, _ = run(capsys, "cases", "ics", "--out", str(target), "--config", str(config_file),
                       "--today", "2026-11-30")
    events = Calendar.from_ical(target.read_bytes()).walk("VEVENT")
    assert code == 0 and len(events) == 2 and f"{reference}@rightsbot" in {str(e["uid"]) for e in events}
    exported = tmp_path / "cases.json"
    code, out, _ = run(capsys, "cases", "export", "--out", str(exported), "--config", str(config_file))
    data = json.loads(exported.read_text(encoding="utf-8"))
    assert code == 0 and data["cases"][0]["sender"]["name"] == "Ann Example"
    assert any(l["reference"] == reference and l["history"][-1]["status"] == "sent"
               for l in data["cases"][0]["letters"])


def test_mistakes_are_plain_errors(config_file, capsys):
    code, _, err = run(capsys, "cases", "mark", "RB-NOPE", "sent", "--config", str(config_file))
    assert code == 1 and "no letter with reference RB-NOPE" in err
    code, out, _ = run(capsys, "cases", "list", "--json", "--config", str(config_file))
    reference = json.loads(out)["cases"][0]["letters"][0]["reference"]
    code, _, err = run(capsys, "cases", "mark", reference, "sent", "--date", "2026-01-01",
                       "--config", str(config_file), "--today", "2026-11-30")
    assert code == 1 and "before the letter was made" in err
    with pytest.raises(SystemExit) as stopped:
        main(["cases", "mark", reference, "overdue", "--config", str(config_file)])
    assert stopped.value.code == 2


def test_the_next_letter_after_a_refusal_is_written(config_file, capsys, tmp_path):
    code, out, _ = run(capsys, "cases", "list", "--json", "--config", str(config_file))
    reference = next(l["reference"] for l in json.loads(out)["cases"][0]["letters"]
                     if l["company"] == "meta")
    code, _, err = run(capsys, "cases", "letters", reference, "--out", str(tmp_path / "next"),
                       "--config", str(config_file), "--today", "2026-11-27")
    assert code == 1 and "no next letter is due" in err
    run(capsys, "cases", "mark", reference, "sent", "--date", "2026-11-26", "--config",
        str(config_file), "--today", "2026-11-27")
    run(capsys, "cases", "mark", reference, "refused", "--reason", "we do not hold it",
        "--config", str(config_file), "--today", "2026-12-10")
    code, out, _ = run(capsys, "cases", "letters", reference, "--out", str(tmp_path / "next"),
                       "--json", "--config", str(config_file), "--today", "2026-12-10")
    (made,) = json.loads(out)["letters"]
    assert code == 0 and made["kind"] == "followup"          # BIPA: a second demand
    from pypdf import PdfReader
    text = " ".join("".join(p.extract_text() for p in PdfReader(made["pdf"]).pages).split())
    assert "You declined the requests in that letter" in text and reference in text
    assert "Ann Example" in text
    code, out, _ = run(capsys, "cases", "show", reference, "--config", str(config_file),
                       "--today", "2026-12-10")
    assert "followed-up" in out and "we do not hold it" in out


def test_letters_from_a_person_file_can_be_recorded_as_a_case(tmp_path, capsys, monkeypatch):
    monkeypatch.delenv("FLICKR_API_KEY", raising=False)
    build_demo_index(tmp_path / "index.sqlite")
    config = tmp_path / "config.toml"
    config.write_text(f'[index]\npath = "{tmp_path / "index.sqlite"}"\ndemo = false\n'
                      f'[storage]\npath = "{tmp_path / "storage"}"\n', encoding="utf-8")
    person = tmp_path / "person.toml"
    shutil.copyfile("docs/person-example.toml", person)
    code, out, _ = run(capsys, "letters", "--person", str(person), "--out", str(tmp_path / "out"),
                       "--case", "--json", "--config", str(config), "--date", "2026-11-26")
    made = json.loads(out)
    assert code == 0 and made["case"] and made["letters"]
    code, out, _ = run(capsys, "cases", "list", "--json", "--config", str(config),
                       "--today", "2026-11-26")
    (case,) = json.loads(out)["cases"]
    assert case["id"] == made["case"]
    assert {l["reference"] for l in case["letters"]} == {l["reference"] for l in made["letters"]}
