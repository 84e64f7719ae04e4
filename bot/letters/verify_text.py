"""Reading a letter PDF's text back, and checking it against its attached text.

A rightsbot letter carries its canonical text three ways: attached as
``letter.txt``, as a SHA-256 in every page footer (and in the document
information), and as the printed words themselves. :func:`check_letter_text`
checks that all three agree:

1. sha256(attached text) equals the hash in every footer (and in the info);
2. the printed words equal the attached text's words.

For (2) the page content is read with pypdf, skipping everything drawn as a PDF
artifact (footers, page numbers, the return-address line, repeated table
headers: see :mod:`bot.letters.pdf`). Both texts are then compared with all
whitespace removed, because line wrapping (also inside long URLs) is layout,
not content; the only other characters ignored are the column separators
``|`` that ``doc.text()`` uses for table rows. Any other added, removed or
changed character is a mismatch.
"""

from __future__ import annotations

import hashlib
import io
import re
import unicodedata
from dataclasses import dataclass, field

from pypdf import PdfReader

from .pdf import EMBEDDED_TEXT_NAME, FOOTER_HASH_LABEL, INFO_REFERENCE, INFO_TEXT_SHA256

MAX_ATTACHED_TEXT_BYTES = 1_000_000
_IGNORED = dict.fromkeys(map(ord, "|\u200b\u200c\u200d\u2060\ufeff\u00ad"), None)
_FOOTER_HASH = re.compile(re.escape(FOOTER_HASH_LABEL) + r"\s*([0-9a-f]{64})")
_FOOTER_PAGE = re.compile(r"Page\s+(\d+)\s+of\s+(\d+)")
_FOOTER_REFERENCE = re.compile(r"Reference:\s*(.+?)\s*(?:Page\s+\d+\s+of\s+\d+|$)", re.M)


@dataclass
class PageText:
    content: str = ""     # the letter's own text on this page
    artifacts: str = ""   # footer, page number and other furniture


@dataclass
class TextCheck:
    reference: str | None = None
    text_sha256: str | None = None   # hash of the attached text, when present
    ok: bool = False
    problems: list[str] = field(default_factory=list)


def normalise(text: str) -> str:
    """Text without whitespace or layout-only characters, for comparing printed and attached text."""
    text = unicodedata.normalize("NFC", text).translate(_IGNORED)
    return "".join(text.split())


def read_pages(reader: PdfReader) -> list[PageText]:
    """Each page's text, split into the letter's content and its artifacts."""
    pages = []
    for page in reader.pages:
        parts = PageText()
        depth = [0]   # nesting of marked content; > 0 inside an /Artifact

        def before(operator, operands, _cm, _tm):
            if operator in (b"BMC", b"BDC"):
                is_artifact = bool(operands) and operands[0] == "/Artifact"
                if depth[0] or is_artifact:
                    depth[0] += 1
            elif operator == b"EMC" and depth[0]:
                depth[0] -= 1

        def text(fragment, _cm, _tm, _font, _size):
            if depth[0]:
                parts.artifacts += fragment
            else:
                parts.content += fragment

        page.extract_text(visitor_operand_before=before, visitor_text=text)
        pages.append(parts)
    return pages


def attached_text(reader: PdfReader) -> bytes | None:
    try:
        files = reader.attachments
        versions = files.get(EMBEDDED_TEXT_NAME) if files else None
    except Exception:  # noqa: BLE001 - pypdf raises anything on a damaged file
        return None
    if not versions or len(versions) != 1:
        return None
    return versions[0]


def _first_difference(printed: str, attached: str) -> str:
    index = next((i for i, (a, b) in enumerate(zip(printed, attached)) if a != b),
                 min(len(printed), len(attached)))
    return printed[max(0, index - 20):index + 20] or attached[max(0, index - 20):index + 20]


def check_letter_text(data: bytes) -> TextCheck:
    """Check the footer hash, the attached text and the printed words against each other."""
    result = TextCheck()
    problems = result.problems
    try:
        reader = PdfReader(io.BytesIO(data), strict=False)
        pages = read_pages(reader)
        info = reader.metadata or {}
    except Exception as exc:  # noqa: BLE001 - pypdf raises anything on a damaged file
        if type(exc).__name__ == "FileNotDecryptedError":
            problems.append("the PDF is encrypted (password-protected), which a rightsbot "
                            "letter never is: it was re-saved by another program, or it is "
                            "not a rightsbot letter")
        else:
            problems.append(f"the page text cannot be read ({type(exc).__name__}): "
                            "the file is damaged or was changed")
        return result
    if reader.is_encrypted:   # with an empty user password it opens, but was still re-saved
        problems.append("the PDF is encrypted (it opens without a password, but a rightsbot "
                        "letter is never encrypted): it was re-saved by another program, or it "
                        "is not a rightsbot letter")
    footer_hashes, references, numbering = set(), set(), []
    for page in pages:
        footer_hashes.update(_FOOTER_HASH.findall(page.artifacts))
        references.update(m.strip() for m in _FOOTER_REFERENCE.findall(page.artifacts))
        match = _FOOTER_PAGE.search(page.artifacts)
        numbering.append((int(match[1]), int(match[2])) if match else None)
    info_reference = info.get("/" + INFO_REFERENCE)
    info_hash = info.get("/" + INFO_TEXT_SHA256)
    if len(references) == 1:
        result.reference = references.pop()
    elif isinstance(info_reference, str):
        result.reference = info_reference
    if info_reference is not None and result.reference != info_reference:
        problems.append("the reference in the footer differs from the document information")

    raw = attached_text(reader)
    if raw is None:
        problems.append(f"the letter's text ({EMBEDDED_TEXT_NAME}) is not attached: "
                        "this is not a rightsbot letter, or it was re-saved by another program")
        return result
    if len(raw) > MAX_ATTACHED_TEXT_BYTES:
        problems.append("the attached letter text is implausibly large")
        return result
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError:
        problems.append("the attached letter text is not UTF-8")
        return result
    result.text_sha256 = digest = hashlib.sha256(raw).hexdigest()

    expected_pages = [(i, len(pages)) for i in range(1, len(pages) + 1)]
    if numbering != expected_pages:
        problems.append("the page numbers in the footers do not match the pages "
                        f"(the file has {len(pages)} pages)")
    if not footer_hashes:
        problems.append("no SHA-256 was found in the page footers")
    elif footer_hashes != {digest}:
        problems.append("the SHA-256 in the footer does not match the attached letter text")
    elif any(len(_FOOTER_HASH.findall(p.artifacts)) != 1 for p in pages):
        problems.append("a page has no footer hash, or more than one")
    if info_hash is not None and info_hash != digest:
        problems.append("the SHA-256 in the document information does not match the attached text")

    printed = normalise("".join(p.content for p in pages))
    expected = normalise(text)
    if printed != expected:
        problems.append("the printed text differs from the attached letter text, near "
                        f"“{_first_difference(printed, expected)}”")
    result.ok = not problems
    return result
