"""The letter as an email: a plain-text body and an .eml file with the PDF attached.

The .eml opens in any mail client as a draft (``X-Unsent: 1``: To, From,
Subject, the letter as text, the PDF attached). It is deterministic: the Date
header comes from the letter date, the Message-ID and the MIME boundary from
the reference, so re-running gives the same bytes. Lines end in CRLF.

From and To are written here, not by the email package, whose folding can cut a
long quoted name in two and so turn part of a name into an address. A name is
one quoted string when it is plain ASCII, else one RFC 2047 encoded word
(Python's parser and RFC 2047 readers disagree on the space between two
encoded words, so a name is split over several only past ``MAX_WORD``).
Line breaks and control characters in a name are refused as a plain
:class:`LetterError`. The address is written exactly as given, and only an
address every mail program reads as written is accepted
(:func:`plain_email_address`), so the letter and the header name the same one.
"""

from __future__ import annotations

import base64
import hashlib
import re
import unicodedata
from dataclasses import dataclass
from datetime import datetime, timezone
from email.message import EmailMessage
from email.policy import SMTP
from email.utils import format_datetime

from ..errors import LetterError
from .model import LetterDocument

MESSAGE_ID_DOMAIN = "rightsbot.invalid"
FOLD_AT = 78            # RFC 5322's "SHOULD" line length; a header is folded past it
MAX_WORD = 900          # longest unbreakable piece of a header line (RFC 5322: 998 a line)
EW_CHUNK = 45           # UTF-8 bytes per encoded word when split: 72 characters (RFC 2047: 75)
_ATEXT = "A-Za-z0-9!#$%&'*+/=?^_`{|}~-"
_LABEL = r"[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?"
_PLAIN_ADDRESS = re.compile(rf"(?P<local>[{_ATEXT}]+(?:\.[{_ATEXT}]+)*)@{_LABEL}(?:\.{_LABEL})+")
_REFUSED_IN_NAMES = {"Cc", "Cs", "Zl", "Zp"}


def plain_email_address(text: str) -> bool:
    """Whether ``text`` is an email address that every mail program reads as written:
    ASCII, a dot-atom before the @ (no quotes, comments, spaces, encoded words, ``..``),
    host names after it, at most 64 characters before the @ and 254 in all.

    The .eml refuses any other address, since the header would carry a different one
    than the letter (``a(comment)@example.org`` is ``a@example.org`` to a mail program).
    Validators of a person's email can call this to refuse such an address up front."""
    if not isinstance(text, str) or len(text) > 254 or "=?" in text:
        return False
    match = _PLAIN_ADDRESS.fullmatch(text)
    return match is not None and len(match["local"]) <= 64


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
    addresses = address_header("From", sender_name, sender_email, who="the email address")
    if recipient_email:
        addresses += address_header("To", recipient_name or "", recipient_email,
                                    who="the recipient's email address")
    message = EmailMessage(policy=SMTP)
    try:
        message["Subject"] = f"{doc.subject} [{doc.reference}]"
    except (ValueError, IndexError, TypeError) as exc:
        raise LetterError(f"cannot write the email headers: {_why(exc)}") from None
    noon = datetime(doc.date.year, doc.date.month, doc.date.day, 9, 0, tzinfo=timezone.utc)
    message["Date"] = format_datetime(noon)
    message["Message-ID"] = f"<{doc.reference}@{MESSAGE_ID_DOMAIN}>"
    message["X-Unsent"] = "1"
    message.set_content(email_body(doc, pdf_name), cte="quoted-printable")
    for attachment in attachments:
        message.add_attachment(attachment.data, maintype=attachment.maintype,
                               subtype=attachment.subtype, filename=attachment.filename)
    if attachments:
        boundary = hashlib.sha256(doc.reference.encode("ascii")).hexdigest()[:32]
        message.set_boundary(f"=_rightsbot_{boundary}")
    try:
        return addresses + message.as_bytes()
    except (ValueError, UnicodeError) as exc:
        raise LetterError(f"cannot write the email: {_why(exc)}") from None


def address_header(field: str, name: str, address: str, *, who: str = "the email address") -> bytes:
    """One address header line (``From: "Name" <address>``), folded with CRLF, that a mail
    program reads back as exactly one address, ``address``, named exactly ``name``."""
    if not plain_email_address(address):
        raise LetterError(f"cannot write the email: {who} is not one that mail programs read "
                          "as written; use a plain address like ann@example.org, without "
                          "spaces, quotes, brackets or comments")
    if any(unicodedata.category(ch) in _REFUSED_IN_NAMES for ch in name):
        raise LetterError("cannot write the email headers: a name or address contains a line "
                          "break or control character")
    tokens = [*_display_name_words(name), f"<{address}>"] if name else [address]
    lines, line = [], f"{field}:"
    for token in tokens:
        if line != f"{field}:" and len(line) + 1 + len(token) > FOLD_AT:
            lines.append(line)
            line = ""
        line += " " + token
    lines.append(line)
    return ("\r\n".join(lines) + "\r\n").encode("ascii")


def _display_name_words(name: str) -> list[str]:
    """The name as header words joined by single spaces (a fold may take any of them).
    Plain ASCII becomes one quoted string, cut at its spaces; anything else (and any
    ``=?``, which a parser would decode) one encoded word of the whole name."""
    if all(" " <= ch <= "~" for ch in name) and "=?" not in name:
        quoted = '"' + name.replace("\\", "\\\\").replace('"', '\\"') + '"'
        words = re.split(r" (?=[^ ])", quoted)
        if max(len(word) for word in words) <= MAX_WORD:
            return words
    whole = _encoded_word(name.encode("utf-8"))
    if len(whole) <= MAX_WORD:
        return [whole]
    chunks, chunk = [], b""
    for ch in name:
        data = ch.encode("utf-8")
        if len(chunk) + len(data) > EW_CHUNK:
            chunks.append(chunk)
            chunk = b""
        chunk += data
    chunks.append(chunk)
    return [_encoded_word(chunk) for chunk in chunks]


def _encoded_word(data: bytes) -> str:
    return f"=?utf-8?b?{base64.b64encode(data).decode('ascii')}?="


def _why(exc: Exception) -> str:
    text = str(exc)
    if "CR or LF" in text or "linefeed" in text:
        return "a name or address contains a line break"
    return "a name or email address is not valid in an email header"
