"""Verify a letter PDF: its seal (pyHanko) and its text (footer hash, attached text, printed words).

``intact`` answers "was this file changed after it was made?":
- for a sealed letter, every signature must be cryptographically valid, cover
  the whole file (or be followed only by updates adding validation data: a DSS,
  document timestamps), and carry no stray bytes in its ``/Contents``; an
  update touching anything else, the document information (/Info) and XMP
  metadata included, is a change (:data:`LATER_CHANGES`);
- for an unsealed letter nothing can prove that, so ``intact`` only says the
  text checks passed: anyone can re-make an unsealed letter consistently.
``trusted`` says whether the sealing certificate chains to one of the
certificates given with ``--trust`` (a self-signed certificate given there is
trusted). ``text_hash_ok`` is the check of :mod:`bot.letters.verify_text`.
"""

from __future__ import annotations

import hashlib
import io
import logging
from dataclasses import dataclass, field
from pathlib import Path

from asn1crypto import cms, core, parser as asn1_parser, x509 as asn1_x509
from cryptography.hazmat.primitives import serialization
from pyhanko.pdf_utils import generic
from pyhanko.pdf_utils.reader import PdfFileReader
from pyhanko.sign.diff_analysis import CatalogModificationRule, DSSCompareRule, FormUpdatingRule, \
    ModificationLevel, ObjectStreamRule, SigFieldCreationRule, SigFieldModificationRule, \
    StandardDiffPolicy, XrefStreamRule
from pyhanko.sign.validation import validate_pdf_signature
from pyhanko.sign.validation.status import SignatureCoverageLevel
from pyhanko_certvalidator import ValidationContext

from ..errors import InputError, VerificationError
from ..files import read_file_capped
from .keys import load_certificates
from .verify_text import check_letter_text

log = logging.getLogger(__name__)

MAX_PDF_BYTES = 50 * 1024 * 1024
MAX_CERT_FILE_BYTES = 1024 * 1024      # a certificate (chain) file to trust
_ACCEPTABLE_LATER_CHANGES = (ModificationLevel.NONE, ModificationLevel.LTA_UPDATES)
# What an update after the seal may do: add validation data (DSS) and document timestamps.
# pyHanko's default policy also lets /Info and the XMP metadata change at that level, so an
# edited author or title would pass; here such an update is unexplained, i.e. a change.
LATER_CHANGES = StandardDiffPolicy(
    global_rules=[
        CatalogModificationRule(ignored_keys=frozenset({"/AcroForm", "/DSS", "/Extensions",
                                                        "/Version"})),
        XrefStreamRule().as_qualified(ModificationLevel.LTA_UPDATES),
        ObjectStreamRule().as_qualified(ModificationLevel.LTA_UPDATES),
        DSSCompareRule().as_qualified(ModificationLevel.LTA_UPDATES),
    ],
    form_rule=FormUpdatingRule(field_rules=[SigFieldCreationRule(), SigFieldModificationRule()]),
)
_INFO_DEPTH = 6    # nesting compared in /Info values (real ones are strings, names, numbers)
# tokens of a PDF signature; one changed byte cannot remove all of them
_SEAL_MARKERS = (b"/ByteRange", b"/Type /Sig", b"/Type/Sig", b"/FT /Sig", b"/FT/Sig",
                 b"/SubFilter", b"ETSI.CAdES.detached", b"adbe.pkcs7")


BUNDLE_KEYWORD = "rightsbot-campaign-bundle"   # /Keywords of a campaign bundle (bot.campaigns)


@dataclass(frozen=True)
class VerifyReport:
    intact: bool
    sealed: bool
    signer: str | None
    trusted: bool
    reference: str | None
    text_hash_ok: bool
    problems: tuple[str, ...] = field(default=())
    trust_given: bool = False
    kind: str = "letter"      # "bundle": a campaign's sealed bundle of many letters


    @property
    def ok(self) -> bool:
        """Passes: intact, text checks fine, and trusted when trust anchors were given."""
        return self.intact and self.text_hash_ok and (self.trusted or not self.trust_given)

    def to_json(self) -> dict:
        return {"intact": self.intact, "sealed": self.sealed, "signer": self.signer,
                "trusted": self.trusted, "reference": self.reference,
                "text_hash_ok": self.text_hash_ok, "problems": list(self.problems),
                "kind": self.kind}


def load_trust_roots(paths: list[Path]) -> list[asn1_x509.Certificate]:
    roots = []
    for path in paths:
        path = Path(path).expanduser()
        if not path.exists():
            raise InputError(f"Trusted certificate {path} does not exist.")
        # a pipe, a device or a huge file is refused before it is read
        data = read_file_capped(path, MAX_CERT_FILE_BYTES, what="certificate",
                                label=f"Trusted certificate {path}")
        try:
            certs = load_certificates(data)
        except ValueError:
            raise InputError(f"{path} is not a certificate in PEM or DER format.") from None
        roots += [asn1_x509.Certificate.load(c.public_bytes(serialization.Encoding.DER))
                  for c in certs]
    return roots


def verify_pdf(data: bytes, trust: list[Path]) -> VerifyReport:
    """Check a letter PDF; raises VerificationError only when it is not a readable PDF at all."""
    roots = load_trust_roots(trust)
    if not data or not bytes(data[:1024]).lstrip().startswith(b"%PDF-"):
        raise VerificationError("This is not a PDF file.")
    if len(data) > MAX_PDF_BYTES:
        raise VerificationError("The file is too large to be a letter.")
    try:
        reader = PdfFileReader(io.BytesIO(bytes(data)), strict=False)
        signatures = list(reader.embedded_signatures)
    except Exception as exc:  # noqa: BLE001 - a damaged file makes pyHanko raise anything
        log.info("unreadable PDF: %s", type(exc).__name__)
        raise VerificationError("The PDF is damaged or changed so that it cannot be read "
                                "(treat it as tampered).") from None
    problems: list[str] = []
    sealed = bool(signatures)
    if not signatures and _looks_sealed(bytes(data)):
        # a seal whose dictionary or container was damaged is not recognised as a
        # signature any more: the file must not pass as a plain unsealed letter
        sealed = True
        problems.append("the letter carries a seal that cannot be read: it was damaged or changed")
        signatures_ok = False
    else:
        signatures_ok = True
    signer, trusted, seal_ok = None, False, True
    for embedded in signatures:
        name, sig_trusted, sig_problems = _check_signature(embedded, roots, bytes(data))
        signer = signer or name
        trusted = sig_trusted if embedded is signatures[0] else trusted and sig_trusted
        if sig_problems:
            seal_ok = False
            problems += sig_problems
    bundle = _bundle_reference(reader)
    if bundle is not None:
        # many letters merged and sealed once: the seal over the whole file is the check
        # (the letters' own text attachments do not survive the merge)
        if not sealed:
            problems.append("a campaign bundle must be sealed, and this one is not")
        elif roots and not trusted:
            problems.append("the seal's certificate is not one of the trusted certificates")
        return VerifyReport(
            intact=sealed and seal_ok and signatures_ok, sealed=sealed, signer=signer,
            trusted=trusted, reference=bundle, text_hash_ok=sealed and seal_ok and signatures_ok,
            problems=tuple(problems), trust_given=bool(roots), kind="bundle")
    text = check_letter_text(bytes(data))
    problems += text.problems
    if not sealed:
        problems.append("not sealed: only the text and its hash could be checked")
    elif roots and not trusted:
        problems.append("the seal's certificate is not one of the trusted certificates")
    return VerifyReport(
        intact=(seal_ok and signatures_ok if sealed else text.ok), sealed=sealed, signer=signer,
        trusted=trusted, reference=text.reference, text_hash_ok=text.ok,
        problems=tuple(problems), trust_given=bool(roots))


def _bundle_reference(reader: PdfFileReader) -> str | None:
    """A campaign bundle's reference (from its document information), or None."""
    try:
        info = reader.trailer["/Info"]
        if str(info.get("/Keywords", "")) != BUNDLE_KEYWORD:
            return None
        subject = str(info.get("/Subject", ""))
    except (KeyError, TypeError, ValueError, AttributeError):
        return None
    reference = subject.removeprefix("Bundle ").strip()
    return reference[:64] if reference.isprintable() and reference else "unknown"


def _check_signature(embedded, roots, data: bytes) -> tuple[str | None, bool, list[str]]:
    problems: list[str] = []
    try:
        context = ValidationContext(trust_roots=roots, allow_fetching=False,
                                    revocation_mode="soft-fail")
        status = validate_pdf_signature(embedded, context, diff_policy=LATER_CHANGES)
    except Exception as exc:  # pyHanko raises many kinds on malformed signatures
        log.info("signature validation failed: %s", type(exc).__name__)
        return None, False, ["the seal cannot be validated: the signature is damaged"]
    cert = status.signing_cert
    try:
        name = cert.subject.native.get("common_name")
    except (ValueError, AttributeError):
        name = None
    if not status.intact:
        problems.append("the seal does not match the file: the letter was changed after sealing")
    elif not status.valid:
        problems.append("the seal's signature is not valid")
    coverage = status.coverage
    if coverage != SignatureCoverageLevel.ENTIRE_FILE:
        if _document_info_changed(embedded):
            problems.append("the document information (title, author, dates) was changed "
                            "after the letter was sealed")
        if not (coverage == SignatureCoverageLevel.ENTIRE_REVISION
                and status.modification_level in _ACCEPTABLE_LATER_CHANGES):
            problems.append("the file was changed or extended after it was sealed")
    if _junk_after(embedded, data):
        problems.append("data was appended to the file after it was sealed")
    if not _contents_padding_clean(embedded) or not _contents_hex_clean(embedded, data):
        problems.append("the seal's signature field holds extra or altered data: the file was changed")
    if not _signing_certificate_matches(embedded, cert):
        problems.append("the certificate in the seal was altered")
    if not _cms_structure_ok(embedded):
        problems.append("the seal's signature container was altered")
    return (name if isinstance(name, str) else None), bool(status.trusted), problems


def _document_info_changed(embedded) -> bool:
    """Whether the document information (/Info) the file shows now differs from the one
    in the sealed revision: changed, added or dropped entries, or a new /Info object."""
    try:
        reader = embedded.reader
        sealed = reader.get_historical_resolver(embedded.signed_revision)
        then = sealed.trailer_view.raw_get("/Info", None)
        now = reader.trailer_view.raw_get("/Info", None)
        if then != now:
            return True
        return _plain(then, sealed, 0) != _plain(now, reader, 0)
    except Exception as exc:  # noqa: BLE001 - a damaged file makes pyHanko raise anything
        log.info("document information unreadable: %s", type(exc).__name__)
        return True


def _plain(value: object, resolver, depth: int) -> object:  # noqa: ANN001 - pyHanko resolver
    """A comparable copy of a PDF value, references resolved as of ``resolver``'s revision."""
    if isinstance(value, generic.IndirectObject):
        value = resolver.get_object(value.reference)
    if depth > _INFO_DEPTH:
        return "..."
    if isinstance(value, generic.StreamObject):
        return ("stream", _plain(generic.DictionaryObject(value), resolver, depth + 1),
                value.encoded_data)
    if isinstance(value, dict):
        return tuple(sorted((str(k), repr(_plain(v, resolver, depth + 1)))
                            for k, v in value.items()))
    if isinstance(value, list):
        return tuple(_plain(v, resolver, depth + 1) for v in value)
    return (type(value).__name__, repr(value))


def _contents_padding_clean(embedded) -> bool:
    """/Contents is one ContentInfo (exactly two parts) followed only by zero padding."""
    try:
        raw = bytes(embedded.sig_object.raw_get("/Contents"))
        _, _, _, header, contents, trailer = asn1_parser.parse(raw)
        used = len(header) + len(contents) + len(trailer)
        parts, offset = [], 0
        while offset < len(contents):
            class_, _, tag, part_header, part, part_trailer = asn1_parser.parse(contents[offset:])
            parts.append((class_, tag))
            offset += len(part_header) + len(part) + len(part_trailer)
    except (ValueError, KeyError, TypeError, AttributeError):
        return False
    # contentType OID (universal 6), then [0] EXPLICIT content (context class 2, tag 0)
    return parts == [(0, 6), (2, 0)] and not raw[used:].strip(b"\x00")


def _canonical_algorithm(algorithm) -> str | None:
    """An AlgorithmIdentifier's OID when its parameters are absent or NULL, as for SHA-2."""
    try:
        oid = algorithm["algorithm"].dotted
        raw = algorithm.dump()
        bare = cms.DigestAlgorithm({"algorithm": oid}).dump()
        with_null = cms.DigestAlgorithm({"algorithm": oid, "parameters": core.Null()}).dump()
    except (ValueError, KeyError, TypeError, AttributeError):
        return None
    return oid if raw in (bare, with_null) else None


def _contents_hex_clean(embedded, data: bytes) -> bool:
    """/Contents is written as one hex string in one letter case, as signers write it."""
    try:
        start, length, resume, _ = (int(v) for v in embedded.byte_range)
    except (ValueError, TypeError, AttributeError):
        return False
    gap = data[start + length:resume]
    if len(gap) < 2 or gap[:1] != b"<" or gap[-1:] != b">":
        return False
    digits = gap[1:-1]
    if digits.strip(b"0123456789abcdefABCDEF"):
        return False
    return not (any(c in b"abcdef" for c in digits) and any(c in b"ABCDEF" for c in digits))


def _signing_certificate_matches(embedded, cert) -> bool:
    """The signed ESS signing-certificate(-v2) hash covers the certificate in the container."""
    try:
        attrs = embedded.signer_info["signed_attrs"]
        for attr in attrs:
            name = attr["type"].native
            if name not in ("signing_certificate_v2", "signing_certificate"):
                continue
            first = attr["values"][0]["certs"][0]
            algorithm = (first["hash_algorithm"]["algorithm"].native
                         if name == "signing_certificate_v2" else "sha1")
            return hashlib.new(algorithm, cert.dump()).digest() == first["cert_hash"].native
    except (KeyError, IndexError, ValueError, TypeError, AttributeError):
        return False
    return False   # PAdES requires the attribute


def _looks_sealed(data: bytes) -> bool:
    return sum(marker in data for marker in _SEAL_MARKERS) >= 2


def _cms_structure_ok(embedded) -> bool:
    """The unsigned parts of the CMS container hold exactly what RFC 5652 implies.

    pyHanko checks what the signature covers; these fields are outside it, so a
    changed byte there would otherwise go unnoticed (see RFC 5652 5.1 and 5.3).
    """
    try:
        signed_data = embedded.signed_data
        signer_info = embedded.signer_info
        signer_infos = list(signed_data["signer_infos"])
        encap = signed_data["encap_content_info"]
        if encap["content_type"].native != "data" or encap["content"].native is not None:
            return False
        used = {_canonical_algorithm(si["digest_algorithm"]) for si in signer_infos}
        listed = {_canonical_algorithm(a) for a in signed_data["digest_algorithms"]}
        if None in used or listed != used:
            return False
        for si in signer_infos:
            sid_kind = si["sid"].name
            if si["version"].native != ("v1" if sid_kind == "issuer_and_serial_number" else "v3"):
                return False
        any_v3 = any(si["version"].native == "v3" for si in signer_infos)
        if signed_data["version"].native != ("v3" if any_v3 else "v1"):
            return False
        content_types = [a["values"][0].native for a in signer_info["signed_attrs"]
                         if a["type"].native == "content_type"]
        return content_types == ["data"]
    except (KeyError, IndexError, ValueError, TypeError, AttributeError):
        return False


def _junk_after(embedded, data: bytes) -> bool:
    """Bytes after the sealed revision that are not a further PDF revision."""
    try:
        _, _, resume, rest = (int(v) for v in embedded.byte_range)
    except (ValueError, TypeError, AttributeError):
        return True
    tail = data[resume + rest:]
    return bool(tail.strip(b" \t\r\n\x00")) and b"%%EOF" not in tail
