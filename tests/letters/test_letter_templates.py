"""Every letter kind renders with every element its law needs, and nothing it must not say."""

from __future__ import annotations

import re

import pytest

from bot.errors import LetterError
from bot.letters.compose import compose_letter, contains_money, letter_reference, redact_money
from bot.letters.model import Bullets, Heading, Paragraph, Table
from bot.letters.rules import load_rules
from bot.letters.templates import LetterTemplates, parse_blocks
from tests.letters.samples import (JURISDICTIONS, LETTER_DATE, NSID, PHOTO_IDS, company,
                                   letter_input, person)

RULES = load_rules()
TEMPLATES = LetterTemplates()
DISCLAIMER = "It is not legal advice"
MONEY = re.compile(r"\$|€|£|\bUSD\b|\bEUR\b|\bGBP\b|\d[\d,.]*\s*(dollars?|euros?)\b|liquidated damages",
                   re.IGNORECASE)
ASSERTIONS = re.compile(r"found liable|\bis liable\b|\bviolated\b|\bunlawfully\b|\bguilty\b",
                        re.IGNORECASE)

# exact strings each law's letter must carry (laws.md: elements and citations)
REQUIRED = {
    "bipa-demand": ["740 ILCS 14", "740 ILCS 14/10", "740 ILCS 14/15(a)", "740 ILCS 14/15(b)",
                    "740 ILCS 14/20", "§15(c)", "§15(d)", "§15(e)",
                    "within three years of the individual's last interaction",
                    "face geometry", "embeddings", "retention schedule", "written release",
                    "Stop collecting, using, disclosing", "Permanently destroy",
                    "confirm to me in writing", "not concern the photographs as such",
                    "BIPA sets no deadline"],
    "bipa-notice": ["740 ILCS 14", "740 ILCS 14/10", "740 ILCS 14/15", "740 ILCS 14/20",
                    "§15(a)", "§15(b)", "§15(c)", "§15(d)", "§15(e)",
                    "face geometry", "embeddings", "written release", "Stop using",
                    "Permanently destroy it", "not the photographs as such"],
    "ccpa": ["§1798.110", "§1798.105", "§1798.120", "§1798.121", "§1798.140(v)(2)",
             "§1798.130(a)(2)", "11 CCR §7021", "11 CCR §§7026, 7027", "10 business days",
             "45 calendar days", "15 business days", "sensitive personal information",
             "California Privacy Protection Agency"],
    "gdpr": ["Article 15", "Article 17", "Article 21", "Article 9", "Article 19",
             "Article 15(1)(c)", "Article 15(1)(g)", "Article 9(2)(e)", "Article 3(2)",
             "Article 27", "special category", "one month"],
    "cubi": ["§503.001(a)", "§503.001(b)", "§503.001(c)", "record of face geometry", "consent",
             "reasonable care", "uniquely identifying a specific individual",
             "Texas Attorney General", "Texas law sets no deadline"],
    "wa-biometric": ["chapter 19.375 RCW", "RCW 19.375.020(1)", "RCW 19.375.010(1)",
                     "providing notice, obtaining consent, or providing a mechanism",
                     "photographs and data generated from them", "Consumer Protection Act",
                     "Washington Attorney General"],
    "colorado": ["Colorado Privacy Act", "C.R.S. §6-1-1301", "House Bill 24-1130", "consent",
                 "Colorado Attorney General"],
    "us-state-privacy": ["sensitive data", "Attorney General", "appeal"],
    "generic": ["stop using", "delete", "confirm the deletion"],
}
DUE = {"bipa-demand": "26 December 2026", "bipa-notice": "26 December 2026",
       "ccpa": "10 January 2027", "gdpr": "26 December 2026", "cubi": "26 December 2026",
       "wa-biometric": "26 December 2026", "colorado": "10 January 2027",
       "us-state-privacy": "10 January 2027", "generic": "26 December 2026"}


def compose(kind, who, recipient=None, templates=TEMPLATES, **kw):
    return compose_letter(letter_input(kind, who, recipient, **kw), rules=RULES,
                          templates=templates, deadline_days=30)


CASES = [(residence, kind) for residence, kinds in JURISDICTIONS.items() for kind in kinds]


@pytest.mark.parametrize("residence, kind", CASES)
def test_every_kind_renders_with_its_required_elements(residence, kind):
    letter = compose(kind, person(residence))
    doc, text = letter.document, letter.document.text()
    for element in REQUIRED[kind]:
        assert element in text, f"{kind}: missing {element!r}"
    # the person, the material, the dates, the reply channel, the disclaimer
    assert "Ann Example" in doc.sender and "ann@example.org" in text
    for photo in PHOTO_IDS:
        assert photo in text
    assert NSID in text
    assert f"https://www.flickr.com/photos/{NSID}/{PHOTO_IDS[0]}/" in text
    assert "People In Photo Albums (PIPA)" in text
    assert DUE[kind] in text and doc.date == LETTER_DATE and "2026-11-26" in text
    assert DISCLAIMER in text and doc.notices[0].startswith("Not legal advice")
    assert doc.reference in text
    assert doc.signer == "Ann Example" and doc.closing
    assert not MONEY.search(text), MONEY.search(text)
    assert not ASSERTIONS.search(text), ASSERTIONS.search(text)
    # the exhibit is a real table with one row per photo
    tables = [b for b in doc.blocks if isinstance(b, Table)]
    assert len(tables) == 1 and [r[1] for r in tables[0].rows] == list(PHOTO_IDS)
    assert any(isinstance(b, Heading) for b in doc.blocks)
    assert any(isinstance(b, Bullets) for b in doc.blocks)


def test_residence_and_upload_place_are_both_stated():
    text = compose("bipa-demand", person("US-CA", "US-IL", upload_dates="2011")).document.text()
    assert "I live in California, United States (since 2009)." in text
    assert "I uploaded the photographs concerned from Illinois, United States (2011)." in text
    text = compose("bipa-notice", person("US-IL", "unknown")).document.text()
    assert "I cannot say with certainty from where" in text


def test_bipa_choice_destroy_or_preserve():
    destroy = compose("bipa-demand", person(bipa_choice="destroy")).document.text()
    preserve = compose("bipa-demand", person(bipa_choice="preserve")).document.text()
    assert "Permanently destroy all such data" in destroy and "Preserve all such data" not in destroy
    assert "Preserve all such data" in preserve and "until this matter is resolved" in preserve
    assert "Permanently destroy all such data" not in preserve


def test_allegations_carry_their_source_and_stay_allegations():
    text = compose("bipa-demand", person(), company("sensetime")).document.text()
    assert "lists SenseTime among organisations that used PIPA" in text
    assert "report by researchers or activists: https://www.aiaaic.org/" in text
    assert "I do not know whether they are complete or accurate for SenseTime" in text
    creator = compose("generic", person("BR"), company("uc-berkeley")).document.text()
    assert "public sources name UC Berkeley as the creator of this dataset" in creator
    co = compose("gdpr", person("DE"), company("meta")).document.text()
    assert "as a co-creator of this dataset" in co


def test_eu_letter_cites_article_12_and_77():
    text = compose("gdpr", person("FR")).document.text()
    for element in ("Regulation (EU) 2016/679", "Article 12(3) GDPR", "within one month of receipt",
                    "two further months", "Article 77 GDPR", "please reply by 26 December 2026"):
        assert element in text


def test_uk_letter_cites_uk_gdpr_and_flags_the_clock():
    text = compose("gdpr", person("GB")).document.text()
    assert "UK GDPR" in text and "Data Protection Act 2018" in text
    assert "The UK GDPR (Articles 12 and 12A)" in text and "Information Commissioner's Office" in text
    assert "within one month of receipt" in text and "please reply by 26 December 2026" in text
    assert "Article 3(2) UK GDPR" in text and "established in the United Kingdom" in text
    assert "Regulation (EU) 2016/679" not in text


def test_state_privacy_letter_names_the_state_act():
    text = compose("us-state-privacy", person("US-VA")).document.text()
    assert "Virginia Consumer Data Protection Act" in text and "I am a Virginia resident" in text


def test_unverified_address_gets_the_notice():
    unverified = compose("bipa-demand", person(), company("amazon")).document
    assert unverified.recipient[0] == "Amazon.com, Inc."
    assert "Address unverified: check the recipient's address before sending." in unverified.notices
    missing = compose("generic", person("BR"), company("sensetime")).document
    assert missing.recipient == ("SenseTime Group Inc.",)
    assert ("No postal address on file: find the recipient's privacy contact and add its address "
            "before sending.") in missing.notices
    assert not any(n.startswith("Address unverified") for n in missing.notices)
    verified = compose("gdpr", person("DE"), company("google")).document
    assert not any(n.startswith("Address unverified") for n in verified.notices)
    assert verified.recipient[0] == "Google LLC"


def test_us_law_letters_go_to_the_us_contact():
    doc = compose("bipa-demand", person(), company("meta")).document
    assert doc.recipient[0] == "Meta Platforms, Inc."
    assert compose("gdpr", person("DE"), company("meta")).document.recipient[0] == \
        "Meta Platforms Ireland Limited"


@pytest.mark.parametrize("name", [
    "<b>Ann</b> {{ x }} & Co",
    "{% raw %}Ann{% endraw %} {# c #}",
    "- Ann",
    "# Ann",
    "= Ann ~ !",
    "@exhibit",
    "Ann\r\nBcc: evil@example.com",
    "Ann\x01- injected\x01= subject",
])
def test_person_values_print_literally_and_cannot_make_blocks(name):
    doc = compose("bipa-demand", person(name=name, address=("{{ 7*7 }}", "<i>x</i>"),
                                        residence_dates="{% if 1 %}yes{% endif %}")).document
    text = doc.text()
    shown = " ".join(name.replace("\x01", "").split())
    assert f"My name is {shown}." in text
    assert doc.signer == shown and doc.sender[0] == shown
    assert "{{ 7*7 }}" in text and "49" not in text and "<i>x</i>" in text
    assert "({% if 1 %}yes{% endif %})" in text
    assert "\x01" not in text and "\r" not in text
    # the structure is the template's: one subject, the same headings as a plain name
    plain = compose("bipa-demand", person()).document
    assert [b.text for b in doc.blocks if isinstance(b, Heading)] == \
        [b.text for b in plain.blocks if isinstance(b, Heading)]
    assert doc.subject == plain.subject
    assert len(doc.blocks) == len(plain.blocks)


@pytest.mark.parametrize("name", ["Анна Иванова", "Ελένη Παπαδοπούλου", "Łukasz Żółć-Ørsted",
                                  "Nguyễn Thị Ánh", "محمد", "李小龙"])
def test_non_latin_names(name):
    doc = compose("gdpr", person("DE", name=name)).document
    assert f"My name is {name}." in doc.text() and doc.signer == name


def test_reference_is_deterministic_and_unique_per_inputs():
    ann = person()
    ref = letter_reference(ann, "meta", "bipa-demand", LETTER_DATE)
    assert re.fullmatch(r"RB-20261126-[A-Z2-7]{16}", ref)
    assert ref == letter_reference(person(), "meta", "bipa-demand", LETTER_DATE)
    others = {letter_reference(ann, "google", "bipa-demand", LETTER_DATE),
              letter_reference(ann, "meta", "bipa-notice", LETTER_DATE),
              letter_reference(ann, "meta", "bipa-demand", LETTER_DATE.replace(day=27)),
              letter_reference(person(email="bob@example.org"), "meta", "bipa-demand", LETTER_DATE)}
    assert ref not in others and len(others) == 4
    assert compose("ccpa", person("US-CA")).document == compose("ccpa", person("US-CA")).document


def test_money_never_reaches_a_letter():
    assert redact_money("Facebook settled for $650M in 2021.") == \
        "Facebook settled for [amount omitted] in 2021."
    assert redact_money("a fine of EUR 20 million and 5,000 dollars") == \
        "a fine of [amount omitted] and [amount omitted]"
    assert redact_money("4.75M faces from 48,383 accounts") == "4.75M faces from 48,383 accounts"
    from bot.registry import Involvement
    inv = (Involvement("meta", "pipa", "user", "press", "https://example.org/a",
                       "Facebook paid $650 million to settle a BIPA suit in 2021 (reported)."),)
    text = compose("bipa-demand", person(), company("meta"), involvements=inv).document.text()
    assert "[amount omitted]" in text and not MONEY.search(text)
    assert contains_money("liquidated damages of 1,000") and contains_money("USD 5")
    # what the person wrote is theirs: a name with a "$" is not an amount the letter states
    doc = compose("generic", person("BR", name="Ke$ha €uro", address=("£1 Lane",))).document
    assert "My name is Ke$ha €uro." in doc.text()


def write_template(folder, name, body):
    folder.mkdir(parents=True, exist_ok=True)
    (folder / name).write_text(body, encoding="utf-8")


def test_user_template_overrides_the_bundled_one(tmp_path):
    write_template(tmp_path / "en", "generic.txt.j2",
                   "= My own subject for {{ recipient.name }}\n! Not legal advice.\n"
                   "Hello {{ person.name }}.\n\n- one\n- two\n  continued\n@exhibit\n~ Cheers,\n")
    mine = LetterTemplates("en", tmp_path)
    doc = compose("generic", person("BR"), templates=mine).document
    assert doc.subject == "My own subject for Meta (Facebook)"
    assert doc.blocks[0] == Paragraph("Hello Ann Example.")
    assert doc.blocks[1] == Bullets(("one", "two continued"))
    assert isinstance(doc.blocks[2], Table) and doc.closing == "Cheers,"
    # kinds the user did not override still come from the bundle
    assert "§1798.105" in compose("ccpa", person("US-CA"), templates=mine).document.text()
    # a flat folder works too, and a partial can be overridden alone
    flat = tmp_path / "flat"
    write_template(flat, "_notices.txt.j2", "! Custom notice.\n")
    doc = compose("gdpr", person("DE"), templates=LetterTemplates("en", flat)).document
    assert doc.notices == ("Custom notice.",)


def test_bad_user_templates_give_plain_errors(tmp_path):
    write_template(tmp_path, "generic.txt.j2", "= S\nHello {{ person.nickname }}\n")
    with pytest.raises(LetterError, match="nickname"):
        compose("generic", person("BR"), templates=LetterTemplates("en", tmp_path))
    write_template(tmp_path, "generic.txt.j2", "= S\n{% if %}\n")
    with pytest.raises(LetterError, match="line 2"):
        compose("generic", person("BR"), templates=LetterTemplates("en", tmp_path))
    write_template(tmp_path, "generic.txt.j2", "no subject here\n")
    with pytest.raises(LetterError, match="subject"):
        compose("generic", person("BR"), templates=LetterTemplates("en", tmp_path))
    write_template(tmp_path, "generic.txt.j2", "= S\nPay me $100.\n")
    with pytest.raises(LetterError, match="amount of money"):
        compose("generic", person("BR"), templates=LetterTemplates("en", tmp_path))
    write_template(tmp_path, "generic.txt.j2", "= S\n{{ ''.__class__.__mro__ }}\n")
    with pytest.raises(LetterError):
        compose("generic", person("BR"), templates=LetterTemplates("en", tmp_path))
    with pytest.raises(LetterError, match="not a folder"):
        LetterTemplates("en", tmp_path / "missing")
    with pytest.raises(LetterError, match="no letter templates"):
        LetterTemplates("xx")
    with pytest.raises(LetterError, match="no template en/nothing.txt.j2"):
        TEMPLATES.render("nothing", {}, None)


def test_block_parser():
    mark = "\x01"
    text = (f"{mark}=Subject\n  continued\n{mark}!Notice\n\nPara one\nline two\n\n"
            f"{mark}#Heading\n{mark}-a\n  more\n{mark}-b\nAfter list\n{mark}@\n{mark}~Bye,\n")
    out = parse_blocks(text, Table(("h",), (("r",),)))
    assert out.subject == "Subject continued" and out.notices == ("Notice",)
    assert out.blocks == (Paragraph("Para one line two"), Heading("Heading"),
                          Bullets(("a more", "b")), Paragraph("After list"),
                          Table(("h",), (("r",),)))
    assert out.closing == "Bye,"


def test_exhibit_takes_the_owner_from_the_persons_own_link():
    from bot.letters.exhibit import build_exhibit
    from tests.letters.samples import SampleMatch
    link = "https://www.flickr.com/photos/99999999@N05/1808093328/"
    exhibit = build_exhibit([SampleMatch("pipa", "flickr-photo", "1808093328", None, None, query=link),
                             SampleMatch("pipa", "flickr-photo", "5", None, None, query=link),
                             SampleMatch("facescrub", "url", None, None, "https://img.example/a.jpg",
                                         query="https://img.example/a.jpg")], {"pipa": "PIPA"})
    assert exhibit.rows == (   # sorted by dataset, then photo ID as a number
        ("PIPA", "5", "", "Flickr photo ID", "https://www.flickr.com/photo.gne?id=5"),
        ("PIPA", "1808093328", "99999999@N05", "Flickr photo ID",
         "https://www.flickr.com/photos/99999999@N05/1808093328/"),
        ("facescrub", "", "", "image URL", "https://img.example/a.jpg"))
    assert b"'=cmd" in build_exhibit([SampleMatch("x", "url", None, None, "=cmd|' /C calc'!A0")],
                                     {}).csv_bytes()
