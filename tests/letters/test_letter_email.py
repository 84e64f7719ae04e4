"""The .eml: headers, body, attachment, determinism, header injection."""

from __future__ import annotations

import email
import email.policy

import pytest

from bot.errors import LetterError
from bot.letters.compose import compose_letter
from bot.letters.email import Attachment, build_eml, email_body
from bot.letters.rules import load_rules
from bot.letters.templates import LetterTemplates
from tests.letters.samples import letter_input, person

PDF = b"%PDF-1.7\n% fake bytes for the attachment test\n%%EOF\n"


def doc(**kw):
    return compose_letter(letter_input("gdpr", person("DE", **kw)), rules=load_rules(),
                          templates=LetterTemplates(), deadline_days=30).document


def eml(d, name="Ann Example", mail="ann@example.org", to="privacy@example.com"):
    return build_eml(d, sender_name=name, sender_email=mail, recipient_email=to,
                     recipient_name="Example Ltd.",
                     attachments=(Attachment("letter.pdf", PDF, "application", "pdf"),))


def test_eml_reads_back_with_headers_body_and_pdf():
    d = doc()
    raw = eml(d)
    message = email.message_from_bytes(raw, policy=email.policy.default)
    assert message["From"].addresses[0].addr_spec == "ann@example.org"
    assert message["From"].addresses[0].display_name == "Ann Example"
    assert message["To"].addresses[0].addr_spec == "privacy@example.com"
    assert message["Subject"] == f"{d.subject} [{d.reference}]"
    assert message["Date"] == "Thu, 26 Nov 2026 09:00:00 +0000"
    assert message["Message-ID"] == f"<{d.reference}@rightsbot.invalid>"
    body = message.get_body(("plain",)).get_content().replace("\r\n", "\n")   # CRLF, as mail is
    assert body.startswith(d.text().rstrip("\n"))
    assert d.text_sha256() in body and "attached as a PDF: letter.pdf" in body
    assert "not legal advice" not in body.lower()     # notes for the sender stay on the cover sheet
    attachments = list(message.iter_attachments())
    assert [a.get_filename() for a in attachments] == ["letter.pdf"]
    assert attachments[0].get_content() == PDF
    assert attachments[0].get_content_type() == "application/pdf"
    assert message["X-Unsent"] == "1"                   # mail programs open it as a draft
    # CRLF line ends only, and no line over 998 octets (RFC 5322), even for long paragraphs
    assert raw.count(b"\n") == raw.count(b"\r\n")
    assert max(len(line) for line in raw.split(b"\r\n")) <= 998


def test_eml_is_deterministic():
    assert eml(doc()) == eml(doc())
    assert eml(doc()) != eml(doc(email="bob@example.org"))


def test_no_recipient_email_means_no_to_header():
    message = email.message_from_bytes(eml(doc(), to=None), policy=email.policy.default)
    assert message["To"] is None and message["From"] is not None


@pytest.mark.parametrize("name, mail", [
    ("Ann\r\nBcc: evil@example.com", "ann@example.org"),
    ("Ann\nX-Evil: 1", "ann@example.org"),
    ("Ann", "ann@example.org\r\nBcc: evil@example.com"),
    ("Ann", "not an address"),
])
def test_header_injection_is_refused_plainly(name, mail):
    with pytest.raises(LetterError, match="^cannot write the email"):
        eml(doc(), name=name, mail=mail)


@pytest.mark.parametrize("name", ["<b>Ann</b> {{ x }} & Co, \"Jr\"", "Анна Иванова", "Ελένη"])
def test_odd_and_non_latin_names_round_trip(name):
    d = doc(name=name)
    message = email.message_from_bytes(eml(d, name=name), policy=email.policy.default)
    assert message["From"].addresses[0].display_name == name
    assert f"My name is {name}." in message.get_body(("plain",)).get_content()


def test_email_body_without_attachment_name():
    d = doc()
    body = email_body(d)
    assert "attached" not in body and d.reference in body.splitlines()[-1]
