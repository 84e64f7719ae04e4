"""PAdES seal: sign a letter PDF with a configured key and certificate (pyHanko).

The seal is a PAdES B-B signature (``/SubFilter /ETSI.CAdES.detached``, SHA-256)
over the whole file, invisible or shown as a stamp in the space the renderer
kept free beside the signature (``/RightsbotSealSlot``, last page).

Determinism, as far as pyHanko allows: the signing time written into the
signature dictionary (``/M``) is the letter's date at 12:00 UTC (read from the
PDF's creation date), moved into the certificate's validity and never later
than now; ECDSA uses RFC 6979 deterministic nonces where OpenSSL supports them;
the second half of the trailer ``/ID`` is derived from the input instead of
being random. Sealing the same PDF with the same key then gives the same bytes.
With an RSA key (PKCS#1 v1.5 is deterministic too) the same holds. Pass
``signing_time`` to record another moment.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import hashlib
import io
import logging
from dataclasses import dataclass
from pathlib import Path

from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.backends.openssl.backend import backend as _openssl
from pyhanko.pdf_utils import generic
from pyhanko.pdf_utils.content import PdfContent
from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
from pyhanko.pdf_utils.metadata.model import DocumentMetadata
from pyhanko.pdf_utils.layout import BoxConstraints
from pyhanko.pdf_utils.misc import PdfError
from pyhanko.pdf_utils.reader import PdfFileReader
from pyhanko.sign import fields, signers
from pyhanko.sign.general import get_pyca_cryptography_hash
from pyhanko.stamp import StaticStampStyle
from pyhanko_certvalidator.registry import SimpleCertificateStore
from asn1crypto import keys as asn1_keys, x509 as asn1_x509

from ..config import Config, secret
from ..errors import SignatureError
from .keys import KeyMaterial, common_name, load_key_material
from .pdf import INFO_SEAL_SLOT
from .seal_stamp import render_stamp

log = logging.getLogger(__name__)

SEAL_FIELD = "RightsbotSeal"
MAX_PDF_BYTES = 50 * 1024 * 1024
_DETERMINISTIC_ECDSA = bool(getattr(_openssl, "ecdsa_deterministic_supported", lambda: False)())


class _SealSigner(signers.SimpleSigner):
    """pyHanko's in-memory signer, with RFC 6979 deterministic ECDSA when available."""

    def __init__(self, material: KeyMaterial):
        key_der = material.private_key.private_bytes(
            serialization.Encoding.DER, serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption())
        cert = asn1_x509.Certificate.load(material.certificate.public_bytes(serialization.Encoding.DER))
        chain = [asn1_x509.Certificate.load(c.public_bytes(serialization.Encoding.DER))
                 for c in material.chain]
        super().__init__(signing_cert=cert, signing_key=asn1_keys.PrivateKeyInfo.load(key_der),
                         cert_registry=SimpleCertificateStore.from_certs(chain))
        self._private_key = material.private_key

    def sign_raw(self, data: bytes, digest_algorithm: str) -> bytes:
        if _DETERMINISTIC_ECDSA and isinstance(self._private_key, ec.EllipticCurvePrivateKey):
            algorithm = ec.ECDSA(get_pyca_cryptography_hash(digest_algorithm),
                                 deterministic_signing=True)
            return self._private_key.sign(data, algorithm)
        return super().sign_raw(data, digest_algorithm)


class _DatedPdfSigner(signers.PdfSigner):
    """A PdfSigner that records a chosen signing time instead of the clock's."""

    def __init__(self, *args, signing_time: dt.datetime, **kwargs):
        super().__init__(*args, **kwargs)
        self._signing_time = signing_time

    def init_signing_session(self, pdf_out, existing_fields_only=False):
        session = super().init_signing_session(pdf_out, existing_fields_only=existing_fields_only)
        session.system_time = self._signing_time
        return session


class _ImportedStamp(PdfContent):
    """The first page of an in-memory PDF as the stamp's appearance."""

    def __init__(self, pdf: bytes):
        super().__init__()
        self.pdf = pdf

    def render(self) -> bytes:
        xobject = self._ensure_writer.import_page_as_xobject(PdfFileReader(io.BytesIO(self.pdf)))
        self.resources.xobject["/RightsbotStamp"] = xobject
        x1, y1, x2, y2 = xobject.get_object()["/BBox"]
        self.box = BoxConstraints(width=abs(x2 - x1), height=abs(y2 - y1))
        return b"/RightsbotStamp Do"


@dataclass(frozen=True)
class Sealer:
    """Loaded key material, reusable for many letters."""

    material: KeyMaterial

    @classmethod
    def from_files(cls, key_path: Path | str, cert_path: Path | str | None = None, *,
                   password: str | None = None) -> "Sealer":
        return cls(load_key_material(Path(key_path), Path(cert_path) if cert_path else None,
                                     password=password))

    @classmethod
    def from_config(cls, config: Config) -> "Sealer | None":
        """The configured seal, or None when ``[letters] seal_key`` is empty."""
        letters = config.letters
        if letters.seal_key is None:
            return None
        return cls.from_files(letters.seal_key, letters.seal_cert,
                              password=secret("RIGHTSBOT_SEAL_PASSWORD"))

    @property
    def signer_name(self) -> str | None:
        return common_name(self.material.certificate)

    def seal(self, pdf: bytes, *, visible: bool = False,
             signing_time: dt.datetime | None = None) -> bytes:
        if not isinstance(pdf, (bytes, bytearray)) or not bytes(pdf[:1024]).lstrip().startswith(b"%PDF-"):
            raise SignatureError("Only a PDF can be sealed.")
        if len(pdf) > MAX_PDF_BYTES:
            raise SignatureError("The PDF is too large to seal.")
        certificate = self.material.certificate
        now = dt.datetime.now(dt.timezone.utc)
        if now > certificate.not_valid_after_utc:
            raise SignatureError("The seal certificate has expired; make a new key with "
                                 "`rightsbot keys new`.")
        if now < certificate.not_valid_before_utc:
            raise SignatureError("The seal certificate is not valid yet (check the clock).")
        try:
            writer = IncrementalPdfFileWriter(io.BytesIO(bytes(pdf)), strict=False)
            when = _signing_time(writer, certificate, now, signing_time)
            field_spec = None
            stamp_style = None
            if visible:
                page_index, box = _seal_slot(writer)
                field_spec = fields.SigFieldSpec(SEAL_FIELD, on_page=page_index, box=box)
                stamp = render_stamp(self.signer_name or "unknown signer", when,
                                     width=box[2] - box[0], height=box[3] - box[1])
                stamp_style = StaticStampStyle(background=_ImportedStamp(stamp), border_width=0,
                                               background_opacity=1.0)
            _fix_document_id(writer, pdf, certificate, when)
            _pin_modification_time(writer, when)
            meta = signers.PdfSignatureMetadata(
                field_name=SEAL_FIELD, md_algorithm="sha256",
                subfilter=fields.SigSeedSubFilter.PADES)
            pdf_signer = _DatedPdfSigner(meta, _SealSigner(self.material), signing_time=when,
                                         stamp_style=stamp_style, new_field_spec=field_spec)
            out = pdf_signer.sign_pdf(writer)
        except (PdfError, ValueError, KeyError, TypeError) as exc:
            log.warning("sealing failed: %s", type(exc).__name__)
            raise SignatureError("This PDF cannot be sealed: it is damaged or not a letter "
                                 f"rightsbot can read ({type(exc).__name__}).") from None
        return out.getvalue()


def seal_pdf(pdf: bytes, key_path: Path | str, cert_path: Path | str | None = None, *,
             visible: bool = False, password: str | None = None,
             signing_time: dt.datetime | None = None) -> bytes:
    """Seal ``pdf`` with the key (PEM or PKCS#12) and certificate; returns the sealed PDF."""
    return Sealer.from_files(key_path, cert_path, password=password).seal(
        pdf, visible=visible, signing_time=signing_time)


def _signing_time(writer: IncrementalPdfFileWriter, certificate, now: dt.datetime,
                  chosen: dt.datetime | None) -> dt.datetime:
    when = chosen
    if when is None:
        when = _letter_noon(writer) or now
    if when.tzinfo is None:
        when = when.replace(tzinfo=dt.timezone.utc)
    earliest = certificate.not_valid_before_utc + dt.timedelta(seconds=1)
    return max(earliest, min(when, now)).replace(microsecond=0)


def _letter_noon(writer: IncrementalPdfFileWriter) -> dt.datetime | None:
    """12:00 UTC on the day of the PDF's creation date (the letter's date), if readable."""
    try:
        raw = str(writer.prev.trailer["/Info"]["/CreationDate"])
        day = dt.date(int(raw[2:6]), int(raw[6:8]), int(raw[8:10]))
    except (KeyError, TypeError, ValueError, IndexError, PdfError):
        return None
    return dt.datetime(day.year, day.month, day.day, 12, tzinfo=dt.timezone.utc)


def _seal_slot(writer: IncrementalPdfFileWriter) -> tuple[int, tuple[int, int, int, int]]:
    """Page index and box kept free for the stamp; bottom right of the last page otherwise."""
    pages = int(writer.root["/Pages"]["/Count"])
    try:
        slot = writer.prev.trailer["/Info"]["/" + INFO_SEAL_SLOT]
        values = [float(slot[i]) for i in range(len(slot))]
        page_index = int(values[0])
        box = tuple(int(round(v)) for v in values[1:5])
        if len(box) == 4 and 0 <= page_index < pages and box[2] > box[0] + 50 and box[3] > box[1] + 20:
            return page_index, box  # type: ignore[return-value]
    except (KeyError, TypeError, ValueError, IndexError, PdfError):
        pass
    log.info("no seal slot recorded; the stamp goes to the lower right of the last page")
    page_ref, _ = writer.find_page_for_modification(pages - 1)
    x1, y1, x2, y2 = (float(v) for v in page_ref.get_object()["/MediaBox"])
    return pages - 1, (int(x2) - 200, int(y1) + 40, int(x2) - 30, int(y1) + 100)


class _PinnedMetadata(DocumentMetadata):
    """pyHanko's document metadata with the modification time pinned to the seal's time.

    pyHanko sets "last modified" to the current second when it writes the
    update, so two seals of the same letter would differ in that second; the
    letter's own date is the honest modification time of a sealed letter."""

    def __setattr__(self, name: str, value: object) -> None:
        pinned = self.__dict__.get("_pinned")
        if name == "last_modified" and value == "now" and pinned is not None:
            value = pinned
        super().__setattr__(name, value)


def _pin_modification_time(writer: IncrementalPdfFileWriter, when: dt.datetime) -> None:
    meta = getattr(writer, "_meta", None)
    if not isinstance(meta, DocumentMetadata):   # pyHanko changed: keep its own behaviour
        return
    pinned = _PinnedMetadata(**{f.name: getattr(meta, f.name) for f in dataclasses.fields(meta)})
    pinned.__dict__["_pinned"] = when
    pinned.last_modified = when
    writer._meta = pinned


def _fix_document_id(writer: IncrementalPdfFileWriter, pdf: bytes, certificate,
                     when: dt.datetime) -> None:
    """Replace the random second half of the trailer /ID with one derived from the input."""
    document_id = getattr(writer, "_document_id", None)
    if not isinstance(document_id, generic.ArrayObject) or len(document_id) != 2:
        return
    seed = hashlib.sha256(bytes(pdf) + certificate.fingerprint(hashes.SHA256())
                          + when.isoformat().encode()).digest()
    document_id[1] = generic.ByteStringObject(seed[:16])
