"""Every letter kind renders with every element its law needs, and nothing it must not say."""

from __future__ import annotations

import re

import pytest

from bot.errors import LetterError
from bot.letters.compose import compose_letter, contains_money, letter_reference, redact_money
from bot.letters.model import Bullets, Heading, Paragraph, Table
from bot.letters.rules import load_rules
from bot.letters.templates import LetterTemplates, parse_blocks
from tests.letters.samples import (JURISDICTIONS, LETTER_DATE, MATCHES, NSID, PHOTO_IDS, company,
                                   letter_input, person)

RULES = load_rules()
TEMPLATES = LetterTemplates()
MONEY = re.compile(r"\$|€|£|\bUSD\b|\bEUR\b|\bGBP\b|\d[\d,.]*\s*(dollars?|euros?)\b|liquidated damages",
                   re.IGNORECASE)
ASSERTIONS = re.compile(r"found liable|\bis liable\b|\bviolated\b|\bunlawfully\b|\bguilty\b",
                        re.IGNORECASE)

# exact strings each law's letter must carry (laws.md: elements and citations)
REQUIRED = {
    "bipa-demand": ["Notice and demand", "740 ILCS 14", "740 ILCS 14/10", "740 ILCS 14/15(a)",
                    "740 ILCS 14/15(b)", "740 ILCS 14/20", "§15(c)", "§15(d)", "§15(e)",
                    "within three years of the individual's last interaction",
                    "face geometry", "embeddings", "retention schedule", "written release",
                    "legally authorized representative",
                    "Stop collecting, using, disclosing", "Permanently destroy",
                    "confirm to me in writing", "not concern the photographs as such",
                    "BIPA sets no deadline", "I live in Illinois, United States (since 2009)."],
    "ccpa": ["§1798.110", "§1798.105", "§1798.120", "§1798.121", "§1798.140(v)(2)",
             "§1798.130(a)(2)", "11 CCR §7021", "11 CCR §§7026, 7027", "10 business days",
             "45 calendar days", "15 business days", "sensitive personal information",
             "periods run from when you receive", "I ask you to confirm receipt by",
             "California Privacy Protection Agency"],
    "gdpr": ["Article 15", "Article 17", "Article 21", "Article 9", "Article 19",
             "Article 15(1)(a)", "Article 15(1)(b)", "Article 15(1)(c)", "Article 15(1)(g)",
             "Article 15(1)(h)", "Article 15(2)", "Article 15(3)", "Article 17(1)(c)",
             "Article 17(1)(d)", "Article 14", "Article 9(2)(e)", "Article 3(2)", "Article 27",
             "special category", "one month", "Article 77"],
    "cubi": ["§503.001(a)", "§503.001(b)", "§503.001(c)", "record of face geometry", "consent",
             "reasonable care", "including those added on that date",
             "Texas Attorney General", "Texas law sets no deadline"],
    "wa-biometric": ["chapter 19.373 RCW", "RCW 19.373.040", "consumer health data",
                     "faceprint", "RCW 19.373.090", "chapter 19.375 RCW", "RCW 19.375.020(1)",
                     "RCW 19.375.010(1)",
                     "providing notice, obtaining consent, or providing a mechanism",
                     "photographs and data generated from them", "Consumer Protection Act",
                     "45 days", "Washington Attorney General"],
    "colorado": ["Colorado Privacy Act", "C.R.S. §6-1-1301", "§6-1-1314", "§6-1-1304(1)(a)(II)",
                 "§6-1-1306(2)", "45 days", "consent", "Colorado Attorney General"],
    "us-state-privacy": ["Attorney General", "appeal", "Permanently delete all data about"],
    "pipeda": ["S.C. 2000, c. 5", "principle 4.3", "principle 4.3.8", "principle 4.5.3",
               "principle 4.9", "section 8(3)", "section 8(4)", "30 days",
               "Office of the Privacy Commissioner of Canada", "section 11"],
    "fadp": ["SR 235.1", "Art. 5(c) FADP", "Art. 19 FADP", "Art. 25 FADP", "Art. 30(2)(b) FADP",
             "Art. 32(2) FADP", "Art. 14 FADP", "30 days", "Federal Data Protection and Information Commissioner"],
    "generic": ["stop using", "delete", "confirm to me in writing"],
}
DUE = {"bipa-demand": "28 December 2026", "ccpa": "11 January 2027", "gdpr": "28 December 2026",
       "cubi": "28 December 2026", "wa-biometric": "11 January 2027", "colorado": "11 January 2027",
       "us-state-privacy": "11 January 2027", "pipeda": "28 December 2026",
       "fadp": "28 December 2026", "generic": "28 December 2026"}
# what a letter to a company must never carry: notes for the sender (laws.md ground rules)
SENDER_NOTES = re.compile(r"not legal advice|rightsbot|address unverified|check .* before sending|"
                          r"talk to a lawyer|no postal address", re.IGNORECASE)
ALLEGATION_AS_FACT = re.compile(r"the personal data you process about|data you hold about me|"
                                r"you (collected|processed|used) my", re.IGNORECASE)


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
    # the person, the material, the dates, the reply channel
    assert "Ann Example" in doc.sender and "ann@example.org" in text
    for photo in PHOTO_IDS:
        assert photo in text
    assert f"https://www.flickr.com/photos/{NSID}/{PHOTO_IDS[0]}/" in text
    assert "People In Photo Albums (PIPA)" in text
    due = "29 December 2026" if residence == "GB" else DUE[kind]   # 28 December: UK bank holiday
    assert due in text and doc.date == LETTER_DATE and "2026-11-26" in text
    assert doc.reference in text
    assert doc.signer == "Ann Example" and doc.closing
    # the sender is shown in the photos, and the letter says so, counting distinct photos
    assert "I appear in each of these photographs." in text
    assert "found 3 photographs" in text
    # nothing for the sender in the letter: no notices, no "not legal advice"
    assert doc.notices == () and not SENDER_NOTES.search(text), SENDER_NOTES.search(text)
    assert not MONEY.search(text), MONEY.search(text)
    assert not ASSERTIONS.search(text), ASSERTIONS.search(text)
    assert not ALLEGATION_AS_FACT.search(text), ALLEGATION_AS_FACT.search(text)
    # the exhibit is a real table with one row per photo
    tables = [b for b in doc.blocks if isinstance(b, Table)]
    assert len(tables) == 1 and [r[1] for r in tables[0].rows] == list(PHOTO_IDS)
    assert any(isinstance(b, Heading) for b in doc.blocks)
    assert any(isinstance(b, Bullets) for b in doc.blocks)


def test_the_upload_place_is_stated_only_where_the_law_rests_on_it():
    """laws.md: a BIPA letter states Illinois residence and does not volunteer where the
    photos were uploaded from (Vance); someone living elsewhere who uploaded from Illinois
    has only the upload to rest on, so that letter states it, and not where they live."""
    resident = compose("bipa-demand", person("US-IL", "US-CA", upload_dates="2011")).document.text()
    assert "I live in Illinois, United States (since 2009)." in resident
    assert "uploaded" not in resident.split("# Exhibit")[0].replace("took or uploaded", "")
    assert "California" not in resident and "2011" not in resident
    visitor = compose("bipa-demand", person("US-CA", "US-IL", upload_dates="2011")).document.text()
    assert "The photographs were uploaded from Illinois, United States (2011)." in visitor
    assert "I live in" not in visitor and "California" not in visitor
    for kind, residence in (("ccpa", "US-CA"), ("gdpr", "DE"), ("pipeda", "CA"), ("generic", "BR")):
        text = compose(kind, person(residence, "US-TX", upload_dates="2011")).document.text()
        assert "Texas" not in text and "2011" not in text, kind


def test_bipa_choice_destroy_or_preserve():
    destroy = compose("bipa-demand", person(), choice="destroy").document.text()
    preserve = compose("bipa-demand", person(), choice="preserve").document.text()
    assert "Permanently destroy all " in destroy and "Preserve all " not in destroy
    assert "Permanently destroy all " not in preserve
    # the preserve variant names what is kept, until when, and asks to pass it on
    # BIPA concerns biometric data, not the photographs (§10): that is what is kept or destroyed
    assert ("Preserve all biometric identifiers and biometric information about me derived from "
            "these photographs, and any records of them, and the records of how it was obtained, "
            "used and disclosed, until any claim that I may bring concerning this data has been "
            "finally resolved, or until I tell you in writing that you may destroy it.") in preserve
    assert ("Permanently destroy all biometric identifiers and biometric information about me derived "
            "from these photographs, and any records of them, including copies") in destroy
    assert "pass this request on to your vendors, contractors" in preserve
    assert "pass this request on to them" in destroy and "vendors, contractors" in destroy


def test_preservation_names_the_pending_case_for_a_recipient_in_it():
    google = company("google")
    from bot.registry import load_registry
    involvements = tuple(i for i in load_registry().involvements(["dif"]) if i.company == "google")
    text = compose("bipa-demand", person(), google, involvements=involvements,
                   choice="preserve").document.text()
    assert ("until the claims in Vance v. Google LLC, No. 5:20-cv-04696 (N.D. Cal.) and any claim "
            "that I may bring concerning this data have been finally resolved") in text


@pytest.mark.parametrize("kind, residence, preserve, destroy", [
    ("gdpr", "DE", "Restriction (Article 18(1)(c) GDPR)", "erase all such data, including biometric data, without undue delay"),
    ("ccpa", "US-CA", "once it no longer has to be preserved",
     "including any biometric information, and direct your service providers"),
    ("cubi", "US-TX", "Preserve all ", "Permanently destroy all "),
    ("wa-biometric", "US-WA", "Preserve all ", "Permanently delete all data about"),
    ("us-state-privacy", "US-TX", "Preserve all ", "Permanently delete all data about"),
    ("pipeda", "CA", "Preserve all ", "Permanently destroy or erase all data about"),
    ("generic", "BR", "Preserve all ", "Permanently delete all data about"),
])
def test_one_choice_governs_every_law(kind, residence, preserve, destroy):
    """No contradictory demands in one delivery: "preserve" in the BIPA letter and "delete
    all" under the TDPSA was a defect; every kind follows the person's choice."""
    kept = compose(kind, person(residence), choice="preserve").document.text()
    gone = compose(kind, person(residence), choice="destroy").document.text()
    assert preserve in kept and destroy not in kept
    assert destroy in gone and preserve not in gone


def test_a_parent_writes_for_a_child_shown_in_the_photos_and_invents_nothing_about_them():
    for kind, residence in (("bipa-demand", "US-IL"), ("gdpr", "DE"), ("ccpa", "US-CA"),
                            ("generic", "BR")):
        text = compose(kind, person(residence, shown="child", child_name="Mia Example")).document.text()
        assert ("I am the parent or legal guardian of Mia Example, my minor child, who appears in "
                "the photographs listed in the exhibit") in text, kind
        assert "My child appears in each of these photographs." in text
        assert "my child's face geometry" in text or "about my child" in text
        assert "I appear" not in text, kind
        assert "so does my child" not in text        # where the child lives was never asked
    anonymous = compose("bipa-demand", person(shown="child")).document.text()
    assert "I am the parent or legal guardian of my minor child, who appears" in anonymous


def test_some_photos_without_picking_are_said_so():
    text = compose("bipa-demand", person(shown_some=True)).document.text()
    assert ("I appear in some of these photographs, but not necessarily in all of them; I have not "
            "marked which. The requests in this letter concern only data about me") in text
    # one photo in a letter: no "some of this photograph"
    one = compose("bipa-demand", person(shown_some=True), matches=MATCHES[:1]).document.text()
    assert ("I appear in some of the photographs the check found, and may appear in this one; I have "
            "not marked which. The requests in this letter concern only data about me") in one
    assert "some of this photograph" not in one


def test_a_letter_about_biometric_data_needs_the_person_shown():
    for shown in ("", "not-me"):
        with pytest.raises(LetterError, match="shown"):
            compose("bipa-demand", person(shown=shown))


def test_someone_not_shown_gets_a_plain_request_without_biometric_or_copyright_claims():
    doc = compose("uploader", person("US-IL", shown="not-me")).document
    text = doc.text()
    assert doc.subject.startswith("Request about photographs I took or uploaded")
    assert "I am not shown in these photographs, and I do not write on behalf of the people who are" in text
    for word in ("biometric", "face geometry", "BIPA", "740 ILCS", "copyright", "licen"):
        assert word.lower() not in text.lower(), word
    assert "Delete your copies" in text and not SENDER_NOTES.search(text)


def test_distinct_photos_are_counted_not_exhibit_rows():
    """DiF is a subset of YFCC100M: a photo in both is one photo in two rows (93 rows for
    61 photos was the defect)."""
    from tests.letters.samples import SampleMatch
    both = [SampleMatch(d, "flickr-photo", pid, NSID, None, query=pid)
            for pid in PHOTO_IDS for d in ("yfcc100m", "dif")]
    text = compose("generic", person("BR"), company("amazon"), matches=both).document.text()
    assert "found 3 photographs in them, listed in 6 rows of the exhibit" in text
    one = compose("generic", person("BR"), matches=both[:2]).document.text()
    assert "found one photograph in them, listed in 2 rows" in one
    assert "I appear in this photograph." in one


def test_data_minimisation_only_what_the_letter_needs():
    """The person's Flickr accounts appear only where they own a listed photo; the postal
    address is in the letterhead, not repeated in the body; no upload place."""
    mine = person("US-IL", flickr_accounts=(NSID, "otheraccount"))
    text = compose("bipa-demand", mine).document.text()
    assert f"Flickr account concerned: {NSID}." in text and "otheraccount" not in text
    body = text.split("Reference:")[1]
    assert "12 Main St" not in body
    assert "12 Main St" in compose("bipa-demand", mine).document.sender


def test_verification_is_offered_in_every_law_and_can_be_left_out():
    mine = person("US-IL", flickr_accounts=(NSID,))
    for kind, residence in (("bipa-demand", "US-IL"), ("gdpr", "DE"), ("pipeda", "CA"),
                            ("generic", "BR"), ("colorado", "US-CO")):
        text = compose(kind, person(residence, flickr_accounts=(NSID,))).document.text()
        assert "Verifying this request" in text and "adding to its public profile a short code" in text
        assert "I will not send a copy of an identity document" in text
    off = compose("bipa-demand", person(verification=False)).document.text()
    assert "Verifying this request" not in off
    assert mine.verification


def test_authorized_agent_wording_for_campaigns():
    from bot.letters.model import Agent
    agent = Agent("Faces Back e.V.", ("1 Example Street", "Springfield"), "letters@facesback.example",
                  "AUTH-0042", "Jo Organiser")
    ccpa = compose("ccpa", person("US-CA", agent=agent)).document
    text = ccpa.text()
    assert ("This letter is sent on my behalf by Faces Back e.V., whom I have authorized in writing "
            "to act as my agent (Cal. Code Regs. tit. 11, §7063, and for the request to opt out "
            "§7026(j)). A copy of my signed authorization, reference AUTH-0042, is enclosed.") in text
    assert "Please send your reply to letters@facesback.example" in text
    assert ccpa.sender[:2] == ("Ann Example", "c/o Faces Back e.V.")
    assert "C.R.S. §6-1-1306(1)(a)(II)" in compose("colorado", person("US-CO", agent=agent)).document.text()
    assert "authorized in writing to act as my agent." in compose("gdpr", person("DE", agent=agent)).document.text()


def test_virginia_and_texas_privacy_letters_respect_the_photo_exclusion():
    for state, cite in (("US-VA", "(Va. Code §59.1-575)"), ("US-TX", "")):
        text = compose("us-state-privacy", person(state)).document.text()
        assert "leaves out photographs and data generated from them" + (f" {cite}" if cite else ",") in text
        assert "I do not ask you to treat data derived from these photographs as sensitive data" in text
        assert "is sensitive data under that Act" not in text
        assert "Do not process sensitive data" not in text
    assert "(Va. Code §59.1-577(A)(3))" in compose("us-state-privacy", person("US-VA")).document.text()
    ct = compose("us-state-privacy", person("US-CT")).document.text()
    assert "Where the Act treats biometric data processed to identify a person as sensitive data" in ct


def test_ccpa_rests_on_the_sections_that_reach_dataset_data_and_asks_for_dates():
    text = compose("ccpa", person("US-CA")).document.text()
    assert ("To the extent you collected it from me, §1798.105 provides for this; to the extent you "
            "obtained it otherwise, I ask you to delete it all the same.") in text
    assert ("I ask you to confirm receipt by 11 December 2026, to act on my requests to opt out and "
            "to limit by 18 December 2026, and to respond to my requests to know and to delete by "
            "11 January 2027.") in text
    assert "Counting from the date of this letter" not in text


def test_allegations_carry_their_source_and_stay_allegations():
    text = compose("bipa-demand", person(), company("sensetime")).document.text()
    assert "lists SenseTime among organisations that used PIPA" in text
    assert "report by researchers or activists: https://www.aiaaic.org/" in text
    assert "I do not know whether they are complete or accurate for SenseTime" in text
    creator = compose("generic", person("BR"), company("uc-berkeley")).document.text()
    assert "public sources name UC Berkeley as one of the creators of this dataset" in creator
    co = compose("gdpr", person("DE"), company("meta")).document.text()
    assert "as a co-creator of this dataset" in co


def test_eu_letter_cites_article_12_and_77_and_names_the_authority():
    text = compose("gdpr", person("FR")).document.text()
    for element in ("Regulation (EU) 2016/679", "Article 12(3) GDPR", "within one month of receipt",
                    "two further months", "Article 77 GDPR", "I ask you to reply by 28 December 2026",
                    "in particular the Commission nationale de l'informatique et des libertés (CNIL)"):
        assert element in text


def test_uk_letter_cites_uk_gdpr_and_flags_the_clock():
    text = compose("gdpr", person("GB")).document.text()
    assert "UK GDPR" in text and "Data Protection Act 2018" in text
    assert "The UK GDPR (Articles 12 and 12A)" in text
    assert "in particular the Information Commissioner's Office (ICO)" in text
    # 26 December 2026 is a Saturday and 28 December the Boxing Day substitute holiday
    assert "within one month of receipt" in text and "I ask you to reply by 29 December 2026" in text
    assert "Article 3(2) UK GDPR" in text and "established in the United Kingdom" in text
    assert "Regulation (EU) 2016/679" not in text


def test_gdpr_letter_for_an_illinois_resident_to_an_eu_established_controller():
    """Art. 3(1): Toyota Motor Europe (Belgium) gets a GDPR letter from an Illinois resident,
    which rests on its establishment, not on where the sender lives."""
    toyota = company("toyota-motor-europe")
    doc = compose("gdpr", person("US-IL"), toyota, basis="establishment").document
    text = doc.text()
    assert doc.recipient[0] == "Toyota Motor Europe NV/SA"
    assert "is established in the European Union or the European Economic Area" in text
    assert "(Article 3(1) GDPR)" in text and "Article 3(2)" not in text
    assert "I live in" not in text      # the law does not rest on it: not volunteered
    assert "in particular the Belgian Data Protection Authority" in text
    uk = compose("gdpr", person("US-IL"), company("university-of-oxford"),
                 basis="establishment").document.text()
    assert "UK GDPR" in uk and "(Article 3(1) UK GDPR)" in uk and "Information Commissioner" in uk


def test_a_representative_gets_the_letter_for_the_controller():
    doc = compose("gdpr", person("DE"), company("ibm")).document
    assert doc.recipient[:2] == ("International Business Machines Corporation",
                                 "c/o IBM International Group B.V.")
    assert len(doc.recipient) == len(set(doc.recipient)) <= 6
    text = doc.text()
    assert ("I send this letter to International Business Machines Corporation care of IBM "
            "International Group B.V., which IBM's privacy information names as its representative "
            "or establishment for people in the European Union.") in text


def test_an_eu_established_addressee_is_reached_by_article_3_1():
    """Microsoft Ireland is named joint controller for people in the EEA: no concession that
    the GDPR reaches the addressee only by Art. 3(2)."""
    text = compose("gdpr", person("DE"), company("microsoft")).document.text()
    assert "Microsoft Ireland Operations Limited is established in the European Union" in text
    assert "(Article 3(1) GDPR)" in text and "Article 3(2)" not in text
    uk = compose("gdpr", person("GB"), company("microsoft")).document.text()
    assert "If you are not established in the United Kingdom, Article 3(2) UK GDPR" in uk
    assert "establishment or representative in the United Kingdom" not in uk


def test_state_privacy_letter_names_the_state_act():
    text = compose("us-state-privacy", person("US-VA")).document.text()
    assert "Virginia Consumer Data Protection Act" in text and "I live in Virginia" in text


def test_each_law_goes_to_its_entity():
    """US-law letters to the US entity, GDPR letters to the EU establishment or
    representative, else the controller (Amazon.com, Inc. for DiF, not AWS EMEA)."""
    assert compose("bipa-demand", person(), company("meta")).document.recipient[0] == "Meta Platforms, Inc."
    assert compose("gdpr", person("DE"), company("amazon")).document.recipient[0] == "Amazon.com, Inc."
    assert compose("ccpa", person("US-CA"), company("samsung")).document.recipient[0] == \
        "Samsung Electronics America, Inc."
    assert compose("pipeda", person("CA"), company("microsoft")).document.recipient[0] == \
        "Microsoft Corporation"
    assert "Yahoo EMEA" not in " ".join(compose("bipa-demand", person(), company("yahoo")).document.recipient)


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
              letter_reference(ann, "meta", "ccpa", LETTER_DATE),
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
    write_template(flat, "_contact.txt.j2", "! Custom notice.\n")
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


def test_a_german_residents_land_names_the_authority():
    """The competent supervisory authority by name: in Germany, the Land's."""
    berlin = compose("gdpr", person("DE-BE")).document.text()
    assert "in particular the Berlin Commissioner for Data Protection and Freedom of Information." in berlin
    assert "I live in Berlin, Germany" in berlin
    unsaid = compose("gdpr", person("DE")).document.text()
    assert ("in particular the data protection supervisory authority of the German federal state "
            "(Land) where I live") in unsaid
    # a controller established in Germany (LAION, Hamburg; its Land is not on file)
    laion = compose("gdpr", person("FR"), company("laion")).document.text()
    assert ("in particular the Commission nationale de l'informatique et des libertés (CNIL), or "
            "the data protection supervisory authority of the German federal state (Land), where "
            "you are established.") in laion
    assert compose("gdpr", person("DE-HH"), company("laion")).document.due.weekday() < 5


def test_german_land_codes_are_regions():
    from bot.regions import de_states, is_region, parse_region as parse_text, region_name
    assert len(de_states()) == 16 and is_region("DE-BY") and not is_region("DE-XX")
    assert region_name("DE-NW") == "Nordrhein-Westfalen, Germany"
    assert parse_text("Bavaria", "de-state") == "DE-BY" and parse_text("de-be", "de-state") == "DE-BE"
    with pytest.raises(Exception, match="German state"):
        parse_text("{{ x }}", "de-state")
    from bot.letters.person_file import parse_person
    from pathlib import Path
    loaded = parse_person({"name": "Anna", "address": ["Hauptstr. 1", "10115 Berlin"],
                           "email": "anna@example.de", "residence": "DE-BE",
                           "uploaded_from": "DE", "flickr": ["1808093328"], "shown": "me"},
                          base=Path("."))
    assert loaded.person.residence == "DE-BE"


@pytest.mark.parametrize("residence, kind", CASES)
def test_requests_reach_only_data_from_these_photos_never_the_senders_accounts(residence, kind):
    """Second legal read: a deletion request for 'all personal data about me' sent to Google or
    Meta is an ordinary request that can close the sender's own account. Every letter limits
    its requests to data from these photos and datasets, and says accounts are not concerned."""
    text = compose(kind, person(residence)).document.text()
    assert ("The requests in this letter concern only data about me that you obtained from, or "
            "derived from, these photographs and the dataset named above; they do not concern any "
            "account I may hold with you.") in text
    for broad in ("delete all personal information about me", "erase all personal data about me",
                  "any other personal data about me", "Delete all personal data about me"):
        assert broad not in text, broad


def test_the_opening_says_no_more_than_the_person_did():
    some = compose("colorado", person("US-CO", shown_some=True)).document
    assert some.blocks[1].text.startswith("Photographs, some of which show me, were found in")
    assert some.subject.endswith("derived from photographs, some of which show me")
    one = compose("bipa-demand", person(shown_some=True), matches=MATCHES[:1]).document.text()
    assert "I give you notice that a photograph that may show me was found in" in one
    child = compose("generic", person("BR", shown="child")).document
    assert child.blocks[1].text.startswith("Photographs in which my child appears were found in")


def test_pipeda_states_principle_4_5_3_as_the_recommendation_it_is():
    text = compose("pipeda", person("CA")).document.text()
    assert "retained only as long as necessary for the fulfilment of the purposes identified (principle 4.5)" in text
    assert "should be destroyed, erased or made anonymous (principle 4.5.3)" in text
    assert "must be destroyed" not in text


def test_the_gdpr_objection_gives_grounds_and_a_group_company_is_asked_to_pass_it_on():
    text = compose("gdpr", person("DE")).document.text()
    assert "on grounds relating to my particular situation, I object to any processing of such data" in text
    assert "If another company of your group holds this data, please pass this letter on to it" in text


def test_bipa_and_washington_requests_stay_within_these_photos():
    """Third legal read: 'or from any other photograph of me' and 'consumer health data about
    me' reached the sender's own accounts and health services."""
    bipa = compose("bipa-demand", person()).document.text()
    assert "any other photograph" not in bipa
    wa = compose("wa-biometric", person("US-WA")).document.text()
    assert ("confirm whether you collect, share or sell consumer health data in the form of data "
            "about me that you obtained from, or derived from, these photographs") in wa
    assert "consumer health data about me" not in wa
    assert "enrolled in a database any of my biometric identifiers derived from these photographs" in wa
    for kind, residence in (("ccpa", "US-CA"), ("colorado", "US-CO"), ("us-state-privacy", "US-VA")):
        text = compose(kind, person(residence)).document.text()
        assert "sell personal data about me" not in text and "share personal information about me" not in text
