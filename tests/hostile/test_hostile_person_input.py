"""Hostile person input (issue 8, items 14 and 15).

Whatever the person file or the chat accepts must lay out in every letter kind and
on the cover sheet; one over a limit is refused at once, with the limit in the
message; invisible characters are refused and named; odd paths and wrong types in
a person file are plain errors naming the key; and an unexpected failure while
rendering reaches a person as a plain sentence, never as reportlab's internals.
"""

from __future__ import annotations

import io
import json
import re
from dataclasses import replace

import pytest
from PIL import Image
from pypdf import PdfReader

from bot.cli import main
from bot.config import Config
from bot.errors import InputError, LetterError
from bot.journey.services import Services
from bot.letters.person_file import load_person_file, parse_person
from bot.letters.pipeline import LetterMaker
from bot.letters.rules import load_rules
from bot.letters.verify_text import check_letter_text
from tests.letters.pdf_samples import sample_letter
from tests.letters.samples import LETTER_DATE, MATCHES, SampleResult

BASE = {"name": "Ann Example", "address": ["12 Main St", "Springfield"],
        "email": "ann@example.org", "residence": "US-IL", "uploaded_from": "US-IL",
        "flickr": ["12345678@N00"], "shown": "me"}
# (residence, shown): together they reach every letter kind the rules know
CASES = [("US-IL", "me"), ("US-CA", "me"), ("US-TX", "me"), ("US-WA", "me"), ("US-CO", "me"),
         ("DE", "me"), ("GB", "me"), ("CA", "me"), ("CH", "me"), ("BR", "me"), ("DE", "not-me"),
         ("US-IL", "child")]
INVISIBLE = {"\u200b": "ZERO WIDTH SPACE", "\u200c": "ZERO WIDTH NON-JOINER",
             "\u200d": "ZERO WIDTH JOINER", "\u200e": "LEFT-TO-RIGHT MARK",
             "\u200f": "RIGHT-TO-LEFT MARK", "\u2060": "WORD JOINER",
             "\ufeff": "ZERO WIDTH NO-BREAK SPACE", "\u00ad": "SOFT HYPHEN",
             "\u202a": "LEFT-TO-RIGHT EMBEDDING", "\u202b": "RIGHT-TO-LEFT EMBEDDING",
             "\u202c": "POP DIRECTIONAL FORMATTING", "\u202d": "LEFT-TO-RIGHT OVERRIDE",
             "\u202e": "RIGHT-TO-LEFT OVERRIDE", "\u2066": "LEFT-TO-RIGHT ISOLATE",
             "\u2067": "RIGHT-TO-LEFT ISOLATE", "\u2068": "FIRST STRONG ISOLATE",
             "\u2069": "POP DIRECTIONAL ISOLATE"}


def parse(tmp_path, **changes):
    data = {**BASE, **changes}
    return parse_person({k: v for k, v in data.items() if v is not None}, base=tmp_path)


def squash(text: str) -> str:
    return " ".join(text.split())


def pdf_text(data: bytes) -> str:
    return squash(" ".join(page.extract_text() for page in PdfReader(io.BytesIO(data)).pages))


def longest_accepted(tmp_path, field: str, pattern: str, most: int, wrap=lambda v: v, **extra) -> str:
    """The longest prefix of ``pattern`` repeated that the person file accepts for ``field``."""
    best = ""
    for n in range(1, most + 1):
        value = (pattern * most)[:n]
        if value != value.strip():
            continue
        try:
            parse(tmp_path, **{field: wrap(value)}, **extra)
        except InputError:
            break
        best = value
    assert best, field
    return best


@pytest.fixture(scope="module")
def maker() -> LetterMaker:
    return LetterMaker.from_config(Config.defaults())


@pytest.fixture(scope="module")
def services(tmp_path_factory) -> Services:
    folder = tmp_path_factory.mktemp("hostile-services")
    config = Config.defaults(base=folder).with_overrides(
        index={"path": folder / "index.sqlite", "demo": True})
    return Services.from_config(config)


def maximal_values(tmp_path, pattern: str) -> dict:
    """The longest name, address lines, email and child's name the person file accepts,
    made of ``pattern`` (an ordinary or a very wide text)."""
    name = longest_accepted(tmp_path, "name", pattern, 130)
    line = longest_accepted(tmp_path, "address", pattern, 110, wrap=lambda v: [v])
    child = longest_accepted(tmp_path, "child_name", pattern, 130, shown="child")
    local = "ann.example"
    domain_part = longest_accepted(
        tmp_path, "email", "abcdefghij" * 30, 300,
        wrap=lambda v: f"{local}@{'.'.join(v[i:i + 60] for i in range(0, len(v), 60))}.org")
    domain = ".".join(domain_part[i:i + 60] for i in range(0, len(domain_part), 60))
    lines = [line] * 9
    most_lines = 0
    for count in range(1, 10):
        try:
            parse(tmp_path, address=lines[:count])
        except InputError:
            break
        most_lines = count
    return {"name": name, "address": lines[:most_lines], "email": f"{local}@{domain}.org",
            "child_name": child}


@pytest.mark.parametrize("pattern", [
    "Maria-Fernanda Konstantinopoulou de la Cruz ",      # an ordinary long name
    "WMШЩЖ WMШЩЖ ",                                        # the widest letters the font has
])
def test_the_longest_accepted_values_lay_out_in_every_letter_kind(tmp_path, maker, pattern):
    values = maximal_values(tmp_path, pattern)
    if pattern.startswith("Maria"):   # an ordinary text reaches the limits in characters
        assert len(values["name"]) == 100 and len(values["child_name"]) == 100
        assert len(values["address"][0]) >= 79 and len(values["email"]) >= 240   # 80th: a space
    assert len(values["address"]) == 6
    kinds = set()
    for residence, shown in CASES:
        loaded = parse(tmp_path, residence=residence, uploaded_from=residence, shown=shown,
                       name=values["name"], address=values["address"], email=values["email"],
                       child_name=values["child_name"] if shown == "child" else None)
        outcome = maker.make(loaded.person, SampleResult(MATCHES), LETTER_DATE)
        assert outcome.letters, residence
        for letter in outcome.letters:
            kinds.add(letter.kind)
            text = pdf_text(letter.pdf)
            assert squash(values["name"]) in text, (residence, letter.kind)
            assert check_letter_text(letter.pdf).ok, (residence, letter.kind)
            if shown == "child":
                assert squash(values["child_name"]) in text
        cover = pdf_text(outcome.cover.pdf)
        assert f"Prepared for {squash(values['name'])}" in cover
    assert kinds == set(load_rules().kinds())


@pytest.mark.parametrize("changes, message", [
    ({"name": "A" * 101}, r"^name: too long \(101 characters; at most 100\)"),
    ({"address": ["B" * 81, "Springfield"]}, r"^address\[0\]: too long \(81 characters; at most 80\)"),
    ({"address": [f"line {i}" for i in range(7)]}, r"^address: at most 6 lines \(got 7\)"),
    ({"email": "a" * 65 + "@" + ".".join(["b" * 60, "b" * 60, "b" * 63]) + ".org"}, r"^email: too long \(255 characters; at most 254\)"),
    ({"shown": "child", "child_name": "C" * 101}, r"^child_name: too long \(101 characters; at most 100\)"),
    ({"name": "Щ" * 99}, r"^name: too wide to print in the letter's heading"),
    ({"name": "張偉"}, r"^name: contains characters the letter font cannot print: 張 偉"),
    ({"address": ["東京都", "Japan"]}, r"^address\[0\]: contains characters the letter font cannot"),
])
def test_one_over_a_limit_is_refused_in_the_person_file_with_the_limit(tmp_path, changes, message):
    with pytest.raises(InputError, match=message):
        parse(tmp_path, **changes)


def test_one_over_a_limit_is_refused_in_the_chat_with_the_limit(services):
    assert services.clean_name("A" * 100) == "A" * 100
    with pytest.raises(InputError, match="between 2 and 100 characters"):
        services.clean_name("A" * 101)
    six = "\n".join("x" * 80 for _ in range(6))
    assert services.clean_address(six) == ["x" * 80] * 6
    with pytest.raises(InputError, match="2 to 6 lines") as seven:
        services.clean_address(six + "\nmore")
    assert "80 characters" in str(seven.value)
    with pytest.raises(InputError, match="at most 80 characters"):
        services.clean_address("12 Main St\n" + "y" * 81)
    email = "a" * 64 + "@" + ".".join(["b" * 60, "b" * 60, "b" * 63]) + ".org"
    assert len(email) == 254
    assert services.clean_email(email) == email
    with pytest.raises(InputError, match=r"^Your email address is too long \(255 characters; at most 254\)"):
        services.clean_email("a" + email)
    with pytest.raises(InputError, match="^Your name contains characters the letter font cannot print: 張"):
        services.clean_name("張偉")
    assert services.clean_child_name("M" * 100) == "M" * 100
    with pytest.raises(InputError, match="child's name as plain text, between 2 and 100 characters"):
        services.clean_child_name("M" * 101)


@pytest.mark.parametrize("char, name", sorted(INVISIBLE.items()))
def test_invisible_characters_are_refused_and_named_in_the_person_file(tmp_path, char, name):
    code = f"U+{ord(char):04X}"
    expected = (rf"contains an invisible character \({re.escape(code)} {name}\) at position 4; "
                "please type it again without it$")
    for field, value in [("name", f"Ann{char} Example"), ("email", f"ann{char}@example.org"),
                         ("address", ["12 Main St", f"Spr{char}ingfield"]),
                         ("residence_dates", f"sin{char}ce 2009"), ("upload_dates", f"201{char}0"),
                         ("flickr", [f"123{char}45678@N00"]), ("companies", [f"met{char}a"]),
                         ("signature", f"sig{char}.png"), ("photos", [f"pic{char}.jpg"])]:
        key = {"address": r"address\[1\]", "flickr": r"flickr\[0\]", "companies": r"companies\[0\]",
               "photos": r"photos\[0\]"}.get(field, field)
        with pytest.raises(InputError, match=f"^{key}: {expected}"):
            parse(tmp_path, **{field: value})
    with pytest.raises(InputError, match=f"^child_name: {expected}"):
        parse(tmp_path, shown="child", child_name=f"Mia{char} Example")


@pytest.mark.parametrize("char, name", sorted(INVISIBLE.items()))
def test_invisible_characters_are_refused_and_named_in_the_chat(services, char, name):
    code = f"U+{ord(char):04X}"
    tail = f"contains an invisible character ({code} {name}) at position 4; please type it again without it."
    with pytest.raises(InputError) as caught:
        services.clean_name(f"Ann{char} Example")
    assert str(caught.value) == f"Your name {tail}"
    with pytest.raises(InputError) as caught:
        services.clean_address(f"12 Main St\nSpr{char}ingfield")
    assert str(caught.value) == f"Line 2 of your address {tail}"
    with pytest.raises(InputError) as caught:
        services.clean_email(f"ann{char}@example.org")
    assert str(caught.value) == f"Your email address {tail}"
    with pytest.raises(InputError) as caught:
        services.clean_child_name(f"Mia{char} Example")
    assert str(caught.value) == f"Your child's name {tail}"


def test_a_sender_too_long_for_the_heading_is_refused_without_reportlab_internals():
    doc = sample_letter(page_size="A4", sender=tuple("Line %d " % i + "x" * 70 for i in range(30)))
    with pytest.raises(LetterError) as caught:
        from bot.letters.pdf import render_pdf
        render_pdf(doc)
    message = str(caught.value)
    assert message.startswith("The sender's name and address are too long")
    assert "handle_" not in message and "args=" not in message


def test_an_unexpected_failure_while_rendering_becomes_a_plain_letter_error(monkeypatch, tmp_path):
    from bot.letters import cover, pdf

    def explode(*_args, **_kwargs):
        raise RuntimeError("\nhandle_pageBegin args=() Flowable <Paragraph 'Ann Example'> too large")

    monkeypatch.setattr(pdf.BaseDocTemplate, "build", explode)
    with pytest.raises(LetterError) as caught:
        pdf.render_pdf(sample_letter())
    assert "handle_" not in str(caught.value) and "Ann Example" not in str(caught.value)
    assert "could not be made into a PDF" in str(caught.value)
    monkeypatch.undo()
    monkeypatch.setattr(cover.SimpleDocTemplate, "build", explode)
    loaded = parse(tmp_path)
    maker = LetterMaker.from_config(Config.defaults())
    with pytest.raises(LetterError) as caught:
        maker.make(loaded.person, SampleResult(MATCHES), LETTER_DATE)
    assert "handle_" not in str(caught.value) and "Ann Example" not in str(caught.value)


def test_make_letters_turns_any_unexpected_error_into_a_plain_letter_error(services, monkeypatch):
    from bot.journey import results

    def explode(*_args, **_kwargs):
        raise KeyError("Ann Example's secret internals")

    monkeypatch.setattr(services.letters, "make", explode)
    monkeypatch.setattr(results, "count", lambda result: 1)
    monkeypatch.setattr(results, "to_check_result", lambda result: SampleResult(MATCHES))
    form = {"name": "Ann Example", "address": ["1 Main St", "Springfield"],
            "email": "ann@example.org", "residence": "US-IL", "shown": "me"}
    with pytest.raises(LetterError) as caught:
        services.make_letters(form, None, {"matches": []}, LETTER_DATE)
    assert "Ann Example" not in str(caught.value) and "KeyError" not in str(caught.value)


# -- the person file through `rightsbot letters --person FILE` ----------------------------------

@pytest.fixture
def cli(tmp_path, monkeypatch):
    monkeypatch.delenv("FLICKR_API_KEY", raising=False)
    monkeypatch.chdir(tmp_path)
    config = tmp_path / "config.toml"
    config.write_text('[index]\npath = "index.sqlite"\ndemo = true\n', encoding="utf-8")
    (tmp_path / "folder").mkdir()
    (tmp_path / "notes.png").write_text("not a picture", encoding="utf-8")
    (tmp_path / "notes.jpg").write_text("not a picture either", encoding="utf-8")
    (tmp_path / "huge.png").write_bytes(b"\x89PNG\r\n\x1a\n" + b"\0" * (3 * 1024 * 1024))
    Image.new("RGB", (10, 10), "white").save(tmp_path / "tiny.png")
    return tmp_path, config


def toml_value(value) -> str:
    if isinstance(value, str) and value.startswith("RAW:"):
        return value[4:]
    return json.dumps(value, ensure_ascii=True)


PATHS = [".", "./", "..", "../", "/", "/etc/passwd", "", " ", "folder", "folder/", "~", "~/x.png",
         "C:evil.png", "nul\u0000.png", "a" * 300, "x/" * 200 + "y.png", "notes.png", "notes.jpg",
         "huge.png", "tiny.png", "missing.png", "folder/../../x.png"]
WRONG = [5, 1.5, True, [], [1], {}, "RAW:{a = 1}", [["x"]], "RAW:1979-05-27", "RAW:{a = [1]}"]
KEYS = ("name", "address", "email", "residence", "uploaded_from", "flickr", "urls", "photos",
        "signature", "bipa_choice", "companies", "kinds", "shown", "shown_photos", "child_name",
        "verification", "residence_dates", "upload_dates")
VALID = {("urls", "[]"), ("photos", "[]"), ("companies", "[]"), ("kinds", "[]"),
         ("shown_photos", "[]"), ("verification", "true"), ("photos", '["tiny.png"]')}
HOSTILE = [(k, v) for k, v in [("signature", p) for p in PATHS] + [("photos", [p]) for p in PATHS]
           + [(k, w) for k in KEYS for w in WRONG] if (k, toml_value(v)) not in VALID]


@pytest.mark.parametrize("key, value", HOSTILE)
def test_person_file_values_are_plain_errors_naming_the_key(cli, capsys, key, value):
    folder, config = cli
    data = {**BASE, key: value}
    text = "".join(f"{k} = {toml_value(v)}\n" for k, v in data.items())
    path = folder / "PERSON.toml"
    path.write_text(text, encoding="utf-8")
    code = main(["letters", "--person", str(path), "--out", str(folder / "out"),
                 "--config", str(config)])
    err = capsys.readouterr().err
    assert code == 1, err
    lines = err.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("rightsbot: error: "), err
    assert key in lines[0] or "flickr, urls, photos" in lines[0], lines[0]
    assert "Traceback" not in err and "Errno" not in err


def test_an_image_signature_that_is_fine_loads_and_a_dot_is_refused(tmp_path):
    from PIL import ImageDraw
    image = Image.new("RGB", (600, 200), "white")
    ImageDraw.Draw(image).line([(30, 150), (150, 40), (260, 160), (400, 50), (560, 120)],
                               fill=(20, 20, 60), width=6)
    image.save(tmp_path / "sig.png")
    assert parse(tmp_path, signature="sig.png").person.signature == (tmp_path / "sig.png").read_bytes()
    dot = Image.new("RGB", (600, 200), "white")
    ImageDraw.Draw(dot).ellipse((300, 100, 306, 106), fill=(0, 0, 0))
    dot.save(tmp_path / "dot.png")
    with pytest.raises(InputError, match="^signature: .*no handwriting"):
        parse(tmp_path, signature="dot.png")


def test_person_file_photos_that_are_not_images_are_refused_by_name(tmp_path):
    (tmp_path / "notes.jpg").write_text("a shopping list", encoding="utf-8")
    with pytest.raises(InputError, match=r"^photos\[0\]: notes.jpg is not a picture"):
        parse(tmp_path, photos=["notes.jpg"])
    (tmp_path / "pics").mkdir()
    with pytest.raises(InputError, match=r"^photos\[0\]: 'pics' is a folder, not a file"):
        parse(tmp_path, photos=["pics"])
    for key, value in [("photos", ["."]), ("signature", "."), ("signature", "./")]:
        path = tmp_path / "P.toml"
        path.write_text("".join(f"{k} = {toml_value(v)}\n" for k, v in {**BASE, key: value}.items()),
                        encoding="utf-8")
        with pytest.raises(InputError, match=rf"^{key}(\[0\])?: '\.' is a folder, not a file"):
            load_person_file(path)


def test_the_letters_command_reports_a_rendering_failure_in_one_plain_line(cli, capsys, monkeypatch):
    from bot.letters import pdf

    def explode(*_args, **_kwargs):
        raise ZeroDivisionError("\nhandle_pageBegin args=() <Paragraph 'Ann Example'>")

    folder, config = cli
    path = folder / "PERSON.toml"
    path.write_text("".join(f"{k} = {toml_value(v)}\n" for k, v in {
        **BASE, "flickr": ["https://www.flickr.com/photos/12345678@N00/1808093328/"]}.items()),
        encoding="utf-8")
    monkeypatch.setattr(pdf.BaseDocTemplate, "build", explode)
    code = main(["letters", "--person", str(path), "--out", str(folder / "out"),
                 "--config", str(config), "--date", "2026-11-26"])
    err = capsys.readouterr().err.strip()
    assert code == 1
    assert err == ("rightsbot: error: The letter could not be made into a PDF because of an "
                   "internal error; please try again, and report it if it happens again.")
    assert not (folder / "out").exists() or not any((folder / "out").glob("*.pdf"))
