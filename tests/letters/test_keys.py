"""`rightsbot keys new`: EC P-256 key (0600), self-signed certificate, never overwrites."""

from __future__ import annotations

import datetime as dt
import os
import stat
from pathlib import Path

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

from bot.cli import main
from bot.errors import SignatureError
from bot.letters.keys import load_key_material

from pdf_samples import new_keys


def test_keys_new_writes_a_p256_key_and_matching_certificate(tmp_path):
    key_path, cert_path = new_keys(tmp_path / "seal", name="Анна Іваненко")
    assert stat.S_IMODE(key_path.stat().st_mode) == 0o600
    key = serialization.load_pem_private_key(key_path.read_bytes(), password=None)
    assert isinstance(key, ec.EllipticCurvePrivateKey) and key.curve.name == "secp256r1"
    cert = x509.load_pem_x509_certificate(cert_path.read_bytes())
    assert cert.subject.get_attributes_for_oid(NameOID.COMMON_NAME)[0].value == "Анна Іваненко"
    assert cert.issuer == cert.subject
    usage = cert.extensions.get_extension_for_class(x509.KeyUsage).value
    assert usage.digital_signature and usage.content_commitment and not usage.key_cert_sign
    lifetime = cert.not_valid_after_utc - cert.not_valid_before_utc
    assert dt.timedelta(days=3 * 365) <= lifetime <= dt.timedelta(days=3 * 365 + 1)
    material = load_key_material(key_path, cert_path)
    assert material.certificate == cert


def test_keys_new_refuses_to_overwrite(tmp_path, capsys):
    key_path, _ = new_keys(tmp_path)
    before = key_path.read_bytes()
    assert main(["keys", "new", "--name", "Someone Else", "--out", str(tmp_path)]) == 1
    err = capsys.readouterr().err.strip()
    assert err.count("\n") == 0 and "never overwritten" in err
    assert key_path.read_bytes() == before


@pytest.mark.parametrize("name, message", [
    ("", "Give the name"),
    ("   ", "Give the name"),
    ("Ann\x00Example", "control or invisible"),
    ("Ann\u202eelpmaxE", "control or invisible"),
    ("A" * 65, "too long"),
])
def test_keys_new_rejects_bad_names_in_one_line(tmp_path, capsys, name, message):
    assert main(["keys", "new", "--name", name, "--out", str(tmp_path / "k")]) == 1
    err = capsys.readouterr().err.strip()
    assert err.startswith("rightsbot: error:") and message in err and "\n" not in err
    assert not (tmp_path / "k" / "key.pem").exists()


def test_markup_in_name_is_kept_literally_in_the_certificate(tmp_path):
    _, cert_path = new_keys(tmp_path, name="CN=Evil, O=<b>x</b>")
    cert = x509.load_pem_x509_certificate(cert_path.read_bytes())
    assert len(cert.subject) == 1     # one attribute, not parsed as a DN string
    assert cert.subject.get_attributes_for_oid(NameOID.COMMON_NAME)[0].value == "CN=Evil, O=<b>x</b>"


def test_encrypted_key_needs_the_password(tmp_path, monkeypatch):
    monkeypatch.setenv("RIGHTSBOT_SEAL_PASSWORD", "correct horse")
    assert main(["keys", "new", "--name", "Ann", "--out", str(tmp_path), "--encrypt"]) == 0
    key_path, cert_path = tmp_path / "key.pem", tmp_path / "cert.pem"
    assert b"ENCRYPTED" in key_path.read_bytes()
    assert load_key_material(key_path, cert_path, password="correct horse")
    with pytest.raises(SignatureError, match="RIGHTSBOT_SEAL_PASSWORD"):
        load_key_material(key_path, cert_path)
    with pytest.raises(SignatureError, match="wrong password"):
        load_key_material(key_path, cert_path, password="wrong")


def test_key_that_does_not_belong_to_the_certificate_is_refused(tmp_path):
    key_a, _ = new_keys(tmp_path / "a")
    _, cert_b = new_keys(tmp_path / "b")
    with pytest.raises(SignatureError, match="does not belong"):
        load_key_material(key_a, cert_b)


@pytest.mark.parametrize("content", [b"", b"garbage", b"-----BEGIN PRIVATE KEY-----\nxx\n"])
def test_unreadable_key_files_are_refused_plainly(tmp_path, content):
    bad = tmp_path / "key.pem"
    bad.write_bytes(content)
    _, cert = new_keys(tmp_path / "good")
    with pytest.raises(SignatureError):
        load_key_material(bad, cert)
    with pytest.raises(SignatureError, match="does not exist"):
        load_key_material(tmp_path / "missing.pem", cert)


def test_key_paths_that_are_pipes_or_devices_are_refused_without_reading(tmp_path):
    """[letters] seal_key = "/dev/zero" was read forever; a named pipe blocked forever."""
    _, cert = new_keys(tmp_path / "good")
    pipe = tmp_path / "key.pem"
    os.mkfifo(pipe)
    for path in (pipe, Path("/dev/zero")):
        with pytest.raises(SignatureError, match="is not a regular file"):
            load_key_material(path, cert)
