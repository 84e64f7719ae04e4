"""Seal keys: a new EC P-256 key with a self-signed certificate, and loading key material.

``rightsbot keys new`` writes ``key.pem`` (PKCS#8, mode 0600, optionally
encrypted) and ``cert.pem`` (X.509, subject CN = the name given, valid for 3
years, key usage digitalSignature + nonRepudiation). A self-signed certificate
proves nothing by itself: a recipient trusts it when they got it from the
sender some other way (``rightsbot verify --trust cert.pem``).

:func:`load_key_material` reads what ``[letters] seal_key`` / ``seal_cert``
name: a PEM key plus a PEM/DER certificate, or one PKCS#12 file with both.
"""

from __future__ import annotations

import datetime as dt
import os
import stat
import unicodedata
from dataclasses import dataclass
from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, ed448, ed25519, rsa
from cryptography.hazmat.primitives.serialization import pkcs12
from cryptography.x509.oid import NameOID

from ..errors import InputError, SignatureError

VALIDITY_DAYS = 3 * 365
MAX_NAME_CHARS = 64           # upper bound of an X.509 commonName
MAX_KEY_FILE_BYTES = 1_000_000
KEY_FILE = "key.pem"
CERT_FILE = "cert.pem"


@dataclass(frozen=True)
class KeyFiles:
    key: Path
    cert: Path


@dataclass(frozen=True)
class KeyMaterial:
    private_key: ec.EllipticCurvePrivateKey | rsa.RSAPrivateKey | ed25519.Ed25519PrivateKey
    certificate: x509.Certificate
    chain: tuple[x509.Certificate, ...] = ()


def check_signer_name(name: str) -> str:
    """The name as it will stand in the certificate, or InputError with a plain reason."""
    name = unicodedata.normalize("NFC", name or "").strip()
    if not name:
        raise InputError("Give the name the seal should carry, e.g. --name \"Ann Example\".")
    if len(name) > MAX_NAME_CHARS:
        raise InputError(f"The name is too long for a certificate (at most {MAX_NAME_CHARS} characters).")
    if any(unicodedata.category(c) in ("Cc", "Cf", "Zl", "Zp") for c in name):
        raise InputError("The name contains control or invisible characters.")
    return name


def new_key_files(name: str, out_dir: Path, *, password: str | None = None,
                  now: dt.datetime | None = None) -> KeyFiles:
    """Make an EC P-256 key and a self-signed certificate in ``out_dir``; never overwrites."""
    name = check_signer_name(name)
    out_dir = Path(out_dir).expanduser()
    files = KeyFiles(key=out_dir / KEY_FILE, cert=out_dir / CERT_FILE)
    existing = [p.name for p in (files.key, files.cert) if p.exists() or p.is_symlink()]
    if existing:
        raise InputError(f"{out_dir} already has {' and '.join(existing)}; "
                         "choose another folder (existing keys are never overwritten).")
    try:
        out_dir.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise InputError(f"Cannot create the folder {out_dir} ({exc.strerror}).") from None
    key = ec.generate_private_key(ec.SECP256R1())
    cert = self_signed_certificate(key, name, now=now)
    encryption = (serialization.BestAvailableEncryption(password.encode("utf-8")) if password
                  else serialization.NoEncryption())
    key_pem = key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                encryption)
    _write_new(files.key, key_pem, mode=0o600)
    try:
        _write_new(files.cert, cert.public_bytes(serialization.Encoding.PEM), mode=0o644)
    except InputError:
        files.key.unlink(missing_ok=True)
        raise
    return files


def self_signed_certificate(key: ec.EllipticCurvePrivateKey, name: str, *,
                            now: dt.datetime | None = None) -> x509.Certificate:
    now = now or dt.datetime.now(dt.timezone.utc)
    subject = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, name)])
    public = key.public_key()
    return (
        x509.CertificateBuilder()
        .subject_name(subject).issuer_name(subject)
        .public_key(public)
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(hours=1))   # tolerate small clock differences
        .not_valid_after(now + dt.timedelta(days=VALIDITY_DAYS))
        .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
        .add_extension(x509.KeyUsage(digital_signature=True, content_commitment=True,
                                     key_encipherment=False, data_encipherment=False,
                                     key_agreement=False, key_cert_sign=False, crl_sign=False,
                                     encipher_only=False, decipher_only=False), critical=True)
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(public), critical=False)
        .add_extension(x509.AuthorityKeyIdentifier.from_issuer_public_key(public), critical=False)
        .sign(key, hashes.SHA256())
    )


def _write_new(path: Path, data: bytes, *, mode: int) -> None:
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, mode)
    except FileExistsError:
        raise InputError(f"{path} already exists; existing keys are never overwritten.") from None
    except OSError as exc:
        raise InputError(f"Cannot write {path} ({exc.strerror}).") from None
    with os.fdopen(fd, "wb") as fh:
        fh.write(data)
        fh.flush()
        os.fsync(fh.fileno())
    os.chmod(path, mode)


def _read(path: Path, what: str) -> bytes:
    path = Path(path).expanduser()
    try:
        info = path.stat()
        if not stat.S_ISREG(info.st_mode) and not stat.S_ISDIR(info.st_mode):
            # a pipe would block the read, a device (/dev/zero) never end it
            raise SignatureError(f"The {what} path {path} is not a regular file.")
        if info.st_size > MAX_KEY_FILE_BYTES:
            raise SignatureError(f"The {what} file {path} is too large to be a key or certificate.")
        return path.read_bytes()
    except FileNotFoundError:
        raise SignatureError(f"The {what} file {path} does not exist.") from None
    except IsADirectoryError:
        raise SignatureError(f"The {what} path {path} is a folder, not a file.") from None
    except OSError as exc:
        raise SignatureError(f"Cannot read the {what} file {path} ({exc.strerror}).") from None


def load_certificates(data: bytes) -> list[x509.Certificate]:
    """Every certificate in PEM (one or more) or DER bytes; ValueError when none."""
    if b"-----BEGIN" in data:
        certs = x509.load_pem_x509_certificates(data)
    else:
        certs = [x509.load_der_x509_certificate(data)]
    if not certs:
        raise ValueError("no certificate")
    return certs


def load_key_material(key_path: Path, cert_path: Path | None = None, *,
                      password: str | None = None) -> KeyMaterial:
    """A private key and its certificate from PEM files or one PKCS#12 file."""
    key_data = _read(key_path, "seal key")
    secret = password.encode("utf-8") if password else None
    certificate, chain = None, ()
    if b"-----BEGIN" in key_data:
        try:
            key = serialization.load_pem_private_key(key_data, password=secret)
        except TypeError:
            raise SignatureError("The seal key is encrypted: set RIGHTSBOT_SEAL_PASSWORD "
                                 "to its password." if not secret else
                                 "The seal key is not encrypted, but a password was given.") from None
        except ValueError:
            raise SignatureError("The seal key cannot be read: wrong password, or not a "
                                 "private key in PEM format.") from None
    else:
        try:
            key, certificate, extra = pkcs12.load_key_and_certificates(key_data, secret)
        except ValueError:
            raise SignatureError("The seal key is neither a PEM private key nor a PKCS#12 file "
                                 "that opens with the given password.") from None
        chain = tuple(extra)
        if key is None:
            raise SignatureError("The PKCS#12 file holds no private key.")
    if cert_path is not None:
        try:
            certs = load_certificates(_read(cert_path, "seal certificate"))
        except ValueError:
            raise SignatureError(f"{cert_path} is not a certificate in PEM or DER format.") from None
        certificate, chain = certs[0], tuple(certs[1:]) + chain
    if certificate is None:
        raise SignatureError("No certificate for the seal key: set [letters] seal_cert.")
    if isinstance(key, ed448.Ed448PrivateKey) or not isinstance(
            key, (ec.EllipticCurvePrivateKey, rsa.RSAPrivateKey, ed25519.Ed25519PrivateKey)):
        raise SignatureError("The seal key must be an EC (recommended), RSA or Ed25519 key.")
    if certificate.public_key().public_bytes(
            serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo) != \
            key.public_key().public_bytes(serialization.Encoding.DER,
                                          serialization.PublicFormat.SubjectPublicKeyInfo):
        raise SignatureError("The seal key does not belong to the certificate.")
    return KeyMaterial(private_key=key, certificate=certificate, chain=chain)


def common_name(certificate: x509.Certificate) -> str | None:
    names = certificate.subject.get_attributes_for_oid(NameOID.COMMON_NAME)
    value = names[0].value if names else None
    return value if isinstance(value, str) else None
