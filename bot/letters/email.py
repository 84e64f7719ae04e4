"""The letter as an email: a plain-text body and an .eml file with the PDF attached.

The .eml opens in any mail client as a draft-like message (To, From, Subject,
the letter as text, the PDF attached). It is deterministic: the Date header
comes from the letter date, the Message-ID and the MIME boundary from the
reference, so re-running gives the same bytes. Header values built from a
person's name or address cannot inject headers: the email package refuses
line breaks, and that refusal becomes a plain :class:`LetterError`.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import datetime, timezone
from email.headerregistry import Address
from email.message import EmailMessage
from email.utils import format_datetime

from ..errors import LetterError
from .model import LetterDocument

MESSAGE_ID_DOMAIN = "rightsbot.invalid"


@dataclass(frozen=True)
class Attachment:
    filename: str
    data: bytes
    maintype: str
    subtype: str


def email_body(doc: LetterDocument, pdf_name: str | None = None) -> str:
    """The letter's canonical text (what the PDF footer's SHA-256 covers), then a
    short line about the attachment and that checksum."""
    text = doc.text()
    tail = ["-- ", f"Reference {doc.reference}. SHA-256 of the letter text above: "
                   f"{hashlib.sha256(text.encode('utf-8')).hexdigest()}"]
    if pdf_name:
        tail.insert(1, f"The same letter is attached as a PDF: {pdf_name}")
    return text.rstrip("\n") + "\n\n" + "\n".join(tail) + "\n"


def build_eml(doc: LetterDocument, *, sender_name: str, sender_email: str,
              recipient_email: str | None, recipient_name: str | None = None,
              attachments: tuple[Attachment, ...] = ()) -> bytes:
    """The .eml bytes: headers, the text body (quoted-printable) and attachments."""
    pdf_name = next((a.filename for a in attachments if a.subtype == "pdf"), None)
    message = EmailMessage()
    try:
        message["From"] = Address(display_name=sender_name, addr_spec=sender_email)
        if recipient_email:
            message["To"] = Address(display_name=recipient_name or "", addr_spec=recipient_email)
        message["Subject"] = f"{doc.subject} [{doc.reference}]"
    except (ValueError, IndexError, TypeError) as exc:
        raise LetterError(f"cannot write the email headers: {_why(exc)}") from None
    noon = datetime(doc.date.year, doc.date.month, doc.date.day, 9, 0, tzinfo=timezone.utc)
    message["Date"] = format_datetime(noon)
    message["Message-ID"] = f"<{doc.reference}@{MESSAGE_ID_DOMAIN}>"
    message.set_content(email_body(doc, pdf_name), cte="quoted-printable")
    for attachment in attachments:
        message.add_attachment(attachment.data, maintype=attachment.maintype,
                               subtype=attachment.subtype, filename=attachment.filename)
    if attachments:
        boundary = hashlib.sha256(doc.reference.encode("ascii")).hexdigest()[:32]
        message.set_boundary(f"=_rightsbot_{boundary}")
    try:
        return bytes(message)
    except (ValueError, UnicodeError) as exc:
        raise LetterError(f"cannot write the email: {_why(exc)}") from None


def _why(exc: Exception) -> str:
    text = str(exc)
    if "CR or LF" in text or "linefeed" in text:
        return "a name or address contains a line break"
    return "a name or email address is not valid in an email header"
