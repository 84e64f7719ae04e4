"""Hostile names and addresses in the .eml drafts (issue 8, item 11).

Every .eml the letters job produces is parsed back with Python's email parser:
a name must stay a name (one From address, the sender's; one To address, the
company's), whatever quotes, commas, angle brackets or encoded-word look-alikes
it contains, however long it is, in whatever script."""

from __future__ import annotations

import email.parser
import email.policy

import pytest

from bot.companies import load_directory
from bot.config import Config
from bot.errors import LetterError
from bot.letters.email import Attachment, build_eml, plain_email_address
from bot.letters.pipeline import LetterMaker
from tests.letters.samples import LETTER_DATE, MATCHES, SampleResult, person

# names the letter itself can carry (the PDF font and the first page's sender block)
LETTER_NAMES = [
    'Annabelle Mariette Example-Longname "a" <evil@example.com>',
    'Annabellemariettelongnameexample "a" <evil@example.com>',
    'Smith, John "Johnny" Jr., Esq., of the Long Family Name Company',
    "Ann Example, evil@example.com",
    "Ann; Bcc: evil@example.com",
    "Ann <evil@example.com>, Bob <bob@example.com>",
    "=?utf-8?q?evil=40example.com?=",
    "Ann =?utf-8?b?ZXZpbEBleGFtcGxlLmNvbQ==?= Example",
    'back\\slash \\" and "quote',
    "(comment) Ann (evil@example.com)",
    "Zoë Ångström-Łukasz",
    "Zoë Ångström-Łukasz \"a\" <evil@example.com>, x",
    "Ελένη Παπαδοπούλου-Καραγιάννη, \"Ε\" <evil@example.com>",
    "Анна Иванова Петровна Сидорова-Кузнецова",
    "שלום עולם \u05d0 <evil@example.com>",
    "Ann Example",
]
# names only a header carries here: scripts the letter font lacks, lengths past the page
HEADER_NAMES = [
    *LETTER_NAMES,
    "مريم العربية, \"م\" <evil@example.com>",
    "Анна Иванова Петровна Сидорова-Кузнецова фон Кляйнштадт " * 3,
    'Annabellemariettelongnameexamplewithoutanyspacesatallxxxxxxxxxxxxx "a" <evil@example.com>',
    ("Ann \"x\", " * 25).strip(),
    "x" * 190,
]
EMAIL = "ann.example+rights@example.org"


def parse(raw: bytes):
    return email.parser.BytesParser(policy=email.policy.default).parsebytes(raw)


def only_address(message, header: str):
    field = message[header]
    assert field is not None, f"no {header} header"
    assert len(message.get_all(header)) == 1
    assert len(field.addresses) == 1, field.addresses
    return field.addresses[0]


@pytest.fixture(scope="module")
def maker() -> LetterMaker:
    return LetterMaker.from_config(Config.defaults())


@pytest.fixture(scope="module")
def directory():
    return load_directory()


@pytest.mark.parametrize("name", LETTER_NAMES, ids=range(len(LETTER_NAMES)))
def test_every_produced_eml_has_one_from_and_one_to(maker, directory, name):
    outcome = maker.make(person("DE", name=name, email=EMAIL), SampleResult(MATCHES), LETTER_DATE)
    assert outcome.letters
    with_to = 0
    for letter in outcome.letters:
        raw = letter.eml
        message = parse(raw)
        sender = only_address(message, "From")
        assert sender.addr_spec == EMAIL
        assert sender.display_name == name
        contact = directory.contact_for(letter.company, letter.jurisdiction)
        if contact.email:
            with_to += 1
            to = only_address(message, "To")
            assert to.addr_spec == contact.email
            assert to.display_name == contact.receiver
        else:
            assert message["To"] is None
        for header in ("Cc", "Bcc", "Reply-To", "Sender"):
            assert message[header] is None
        assert message["X-Unsent"] == "1"
        # the letter's text names the same address as the header, character for character
        assert EMAIL in letter.text
        # CRLF line ends only, and no line over 998 octets (RFC 5322)
        assert raw.count(b"\n") == raw.count(b"\r\n")
        assert max(len(line) for line in raw.split(b"\r\n")) <= 998
        (attachment, *_) = message.iter_attachments()
        assert attachment.get_content() == letter.pdf
    assert with_to >= 1          # the bundled records give at least one company an address


@pytest.mark.parametrize("name", HEADER_NAMES, ids=range(len(HEADER_NAMES)))
def test_hostile_company_names_stay_names(maker, name):
    doc = maker.make(person("DE"), SampleResult(MATCHES), LETTER_DATE).letters[0].document
    raw = build_eml(doc, sender_name=f"Ann Example c/o {name}", sender_email=EMAIL,
                    recipient_email="privacy@example.com", recipient_name=name,
                    attachments=(Attachment("a.pdf", b"%PDF-1.7\n%%EOF\n", "application", "pdf"),))
    message = parse(raw)
    sender = only_address(message, "From")
    assert (sender.display_name, sender.addr_spec) == (f"Ann Example c/o {name}", EMAIL)
    to = only_address(message, "To")
    assert (to.display_name, to.addr_spec) == (name, "privacy@example.com")
    assert max(len(line) for line in raw.split(b"\r\n")) <= 998


def test_a_very_long_name_in_any_script_stays_within_one_address(maker):
    """Names far past what the person file allows still give one address each (the
    display name of the longest, split over several encoded words, may gain spaces)."""
    doc = maker.make(person("DE"), SampleResult(MATCHES), LETTER_DATE).letters[0].document
    for name in ("🙂" * 400, "Zoë, \"Å\" <evil@example.com> " * 40, "a, \"b\" <c@d.e> " * 80):
        raw = build_eml(doc, sender_name=name, sender_email=EMAIL,
                        recipient_email="privacy@example.com", recipient_name=name)
        message = parse(raw)
        assert only_address(message, "From").addr_spec == EMAIL
        assert only_address(message, "To").addr_spec == "privacy@example.com"
        assert max(len(line) for line in raw.split(b"\r\n")) <= 998


@pytest.mark.parametrize("address", [
    "a(comment)@example.org",
    '"ann example"@example.org',
    "=?utf-8?q?evil=40example.com?=@example.org",
    "ann@example.org (Evil)",
    "Ann <ann@example.org>",
    "ann,bob@example.org",
    "ann..b@example.org",
    ".ann@example.org",
    "zoë@example.org",
    "ann@[127.0.0.1]",
])
def test_an_address_a_mail_program_would_read_differently_is_refused(maker, address):
    """The letter shows the address as typed; the header must carry the same one, so an
    address that a mail program would read otherwise (comments, quotes, encoded words)
    is refused, plainly, instead of being changed on the way."""
    assert plain_email_address(address) is False
    with pytest.raises(LetterError, match="^cannot write the email: the email address"):
        maker.make(person("DE", email=address), SampleResult(MATCHES), LETTER_DATE)


@pytest.mark.parametrize("address", ["ann@example.org", "ann.b+x@mail.example.co.uk",
                                     "o'brien@example.ie", "x_y-z@a-b.example"])
def test_ordinary_addresses_pass_unchanged(maker, address):
    assert plain_email_address(address) is True
    letter = maker.make(person("DE", email=address), SampleResult(MATCHES), LETTER_DATE).letters[0]
    sender = only_address(parse(letter.eml), "From")
    assert sender.addr_spec == address and address in letter.text


def test_a_comment_or_quoted_email_is_refused_when_it_is_given():
    """Issue 8 item 11: the letter and the .eml header must carry the same address, so an
    address a mail program would read differently is refused in the person file and in the
    chat, not only when the letters are made."""
    import pytest as _pytest
    from bot.errors import InputError
    from bot.letters.person_file import clean_email
    for address in ("a(comment)@example.org", '"a b"@example.org', "zoë@example.org"):
        with _pytest.raises(InputError):
            clean_email(address)
    assert clean_email("ann.example+rb@example.org") == "ann.example+rb@example.org"
