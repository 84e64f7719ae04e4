"""Seal (PAdES B-B with pyHanko) and verify: round trips, trust, and tampering anywhere."""

from __future__ import annotations

import datetime as dt
import io
import json
import re

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.serialization import pkcs12
from pypdf import PdfReader, PdfWriter
from pypdf.generic import NameObject, StreamObject

from bot.cli import main
from bot.errors import SignatureError, VerificationError
from bot.letters.pdf import render_pdf
from bot.letters.seal import Sealer, seal_pdf
from bot.letters.verify import verify_pdf

from pdf_samples import new_keys, sample_letter


@pytest.fixture(scope="module")
def keys(tmp_path_factory):
    return new_keys(tmp_path_factory.mktemp("seal"))


@pytest.fixture(scope="module")
def other_keys(tmp_path_factory):
    return new_keys(tmp_path_factory.mktemp("other"), name="Mallory")


@pytest.fixture(scope="module")
def letter() -> bytes:
    return render_pdf(sample_letter())


@pytest.fixture(scope="module")
def sealed(keys, letter) -> bytes:
    return seal_pdf(letter, *keys)


def passes(data: bytes, trust=()) -> bool:
    try:
        return verify_pdf(data, list(trust)).ok
    except VerificationError:
        return False


def test_sealed_letter_verifies_as_intact_and_trusted(sealed, keys):
    report = verify_pdf(sealed, [keys[1]])
    assert report.to_json() == {"intact": True, "sealed": True, "signer": "Ann Example",
                                "trusted": True, "reference": "RB-2025-0001-IBM",
                                "text_hash_ok": True, "problems": [], "kind": "letter"}
    assert report.ok


def test_seal_is_pades_over_the_whole_file(sealed):
    sig = PdfReader(io.BytesIO(sealed)).trailer["/Root"]["/AcroForm"]["/Fields"][0]["/V"]
    assert sig["/SubFilter"] == "/ETSI.CAdES.detached"
    start, length, resume, rest = (int(v) for v in sig["/ByteRange"])
    assert start == 0 and resume + rest == len(sealed)


def test_sealing_is_deterministic_and_dated_from_the_letter(sealed, keys, letter):
    assert seal_pdf(letter, *keys) == sealed
    sig = PdfReader(io.BytesIO(sealed)).trailer["/Root"]["/AcroForm"]["/Fields"][0]["/V"]
    cert = x509.load_pem_x509_certificate(keys[1].read_bytes())
    # the letter is dated 2025-06-02, before this test key existed: the time moves to the
    # certificate's first valid second instead of claiming a time the key could not sign at
    expected = cert.not_valid_before_utc + dt.timedelta(seconds=1)
    assert sig["/M"].startswith("D:" + expected.strftime("%Y%m%d%H%M%S"))
    chosen = dt.datetime.now(dt.timezone.utc).replace(microsecond=0) - dt.timedelta(minutes=5)
    other = seal_pdf(letter, *keys, signing_time=chosen)
    sig = PdfReader(io.BytesIO(other)).trailer["/Root"]["/AcroForm"]["/Fields"][0]["/V"]
    assert sig["/M"].startswith("D:" + chosen.strftime("%Y%m%d%H%M%S"))


def test_sealing_the_same_letter_in_another_second_gives_the_same_bytes(keys, letter):
    import time
    first = seal_pdf(letter, *keys)
    time.sleep(1.05 - (time.time() % 1))       # cross into the next second of the clock
    assert seal_pdf(letter, *keys) == first    # the modification time is the seal's, not "now"


def test_untrusted_signer_is_reported_as_untrusted(sealed, other_keys):
    without = verify_pdf(sealed, [])
    assert without.intact and not without.trusted and without.ok   # nothing to trust against
    against_other = verify_pdf(sealed, [other_keys[1]])
    assert against_other.intact and not against_other.trusted and not against_other.ok
    assert any("not one of the trusted" in p for p in against_other.problems)


def test_visible_seal_sits_in_the_slot_beside_the_signature(keys, letter):
    visible = seal_pdf(letter, *keys, visible=True)
    reader = PdfReader(io.BytesIO(visible))
    slot = [float(v) for v in reader.metadata["/RightsbotSealSlot"]]
    page = reader.pages[int(slot[0])]
    (widget,) = [a.get_object() for a in page["/Annots"]]
    assert [round(float(v)) for v in widget["/Rect"]] == [round(v) for v in slot[1:]]
    assert "/AP" in widget
    assert int(slot[0]) == len(reader.pages) - 1
    assert verify_pdf(visible, [keys[1]]).ok


def test_pkcs12_key_seals_too(tmp_path, keys, letter):
    key = serialization.load_pem_private_key(keys[0].read_bytes(), password=None)
    cert = x509.load_pem_x509_certificate(keys[1].read_bytes())
    p12 = tmp_path / "seal.p12"
    p12.write_bytes(pkcs12.serialize_key_and_certificates(
        b"seal", key, cert, None, serialization.BestAvailableEncryption(b"pw")))
    sealed = seal_pdf(letter, p12, None, password="pw")
    report = verify_pdf(sealed, [keys[1]])
    assert report.ok and report.trusted and report.signer == "Ann Example"
    with pytest.raises(SignatureError, match="PKCS#12"):
        seal_pdf(letter, p12, None, password="wrong")


def test_only_pdfs_are_sealed(keys):
    with pytest.raises(SignatureError, match="Only a PDF"):
        Sealer.from_files(*keys).seal(b"hello")


def flip(data: bytes, offset: int) -> bytes:
    out = bytearray(data)
    char = chr(out[offset])
    if char in "0123456789abcdefABCDEF":
        out[offset] = ord("7") if char != "7" else ord("8")
    else:
        out[offset] ^= 0x01
    return bytes(out)


def offsets_of_interest(sealed: bytes) -> dict[str, int]:
    contents = re.search(rb"/Contents <([0-9A-Fa-f]+)>", sealed)
    text_hash = sample_letter().text_sha256().encode()
    first_stream = sealed.index(b"stream\n", sealed.index(b"/FlateDecode")) + 40
    return {
        "header": 5,
        "first content stream": first_stream,
        "middle of the file": len(sealed) // 2,
        "text hash in the document information": sealed.index(text_hash) + 10,
        "attached text stream": sealed.index(b"stream", sealed.index(b"/EmbeddedFile")) + 30,
        "CMS container start": contents.start(1) + 6,
        "CMS digest algorithms": contents.start(1) + 2 * 30,
        "CMS certificate": contents.start(1) + 2 * 200,
        "CMS signer info": contents.end(1) - 2 * 400,
        "CMS signature value": contents.end(1) - 2 * 20,
        "zero padding of /Contents": contents.end(1) - 3,
        "byte range": sealed.index(b"/ByteRange") + 14,
        "signature dictionary /M": sealed.index(b"/M (D") + 10,
        "end of file": len(sealed) - 3,
    }


def test_one_changed_byte_anywhere_is_rejected(sealed, keys):
    for where, offset in offsets_of_interest(sealed).items():
        assert not passes(flip(sealed, offset), [keys[1]]), where
        assert not passes(flip(sealed, offset)), where        # also without --trust


def test_every_byte_of_the_signature_container_matters(sealed):
    contents = re.search(rb"/Contents <([0-9A-Fa-f]+)>", sealed)
    for offset in range(contents.start(1), contents.end(1), 97):
        assert not passes(flip(sealed, offset)), offset
    upper = next(i for i in range(contents.start(1), contents.end(1)) if chr(sealed[i]) in "ABCDEF")
    lowered = bytearray(sealed)
    lowered[upper] = ord(chr(lowered[upper]).lower())      # same value, different byte
    assert not passes(bytes(lowered))


def test_appended_bytes_are_rejected(sealed):
    assert not passes(sealed + b"\n% appended\n")


def rewrite_first_page_text(pdf: bytes, old: bytes, new: bytes) -> bytes:
    """An edited letter: one word of the first page's content stream replaced, re-saved by pypdf."""
    writer = PdfWriter(clone_from=PdfReader(io.BytesIO(pdf)))
    page = writer.pages[0]
    contents = page.get_contents()
    data = contents.get_data()
    assert old in data
    replacement = StreamObject()
    replacement.set_data(data.replace(old, new, 1))
    page[NameObject("/Contents")] = writer._add_object(replacement)
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def test_unsealed_letter_with_changed_text_fails_the_hash_check(letter):
    # the signer's name under the signature, "Ann Example" -> "Ann Exampel", on page 1 (sender)
    original, changed = b"(Ann Example) Tj", b"(Ann Exampel) Tj"
    edited = rewrite_first_page_text(letter, original, changed)
    report = verify_pdf(edited, [])
    assert not report.text_hash_ok and not report.ok
    assert any("printed text differs" in p for p in report.problems)


def test_unsealed_letter_with_changed_footer_hash_or_attachment_fails(letter):
    digest = sample_letter().text_sha256().encode()
    report = verify_pdf(flip(letter, letter.index(digest) + 3), [])
    assert not report.text_hash_ok and not report.ok
    writer = PdfWriter(clone_from=PdfReader(io.BytesIO(letter)))
    writer.add_attachment("notes.txt", b"extra")
    other_text = sample_letter().text().replace("Illinois", "Iowa", 1).encode()
    reader = PdfReader(io.BytesIO(letter))
    swapped = PdfWriter()
    for page in reader.pages:
        swapped.add_page(page)
    swapped.add_metadata(dict(reader.metadata))
    swapped.add_attachment("letter.txt", other_text)
    out = io.BytesIO()
    swapped.write(out)
    report = verify_pdf(out.getvalue(), [])
    assert not report.text_hash_ok
    assert any("footer does not match" in p for p in report.problems)


def test_unsealed_untouched_letter_passes_with_a_note(letter):
    report = verify_pdf(letter, [])
    assert report.ok and not report.sealed and report.text_hash_ok and report.signer is None
    assert report.problems == ("not sealed: only the text and its hash could be checked",)


# -- the CLI ----------------------------------------------------------------------------------

def test_cli_verify_ok_and_json(tmp_path, sealed, keys, capsys):
    path = tmp_path / "letter.pdf"
    path.write_bytes(sealed)
    assert main(["verify", str(path), "--trust", str(keys[1])]) == 0
    out = capsys.readouterr().out
    assert "sealed:     yes, by Ann Example" in out and "result:     OK" in out
    assert main(["verify", str(path), "--json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["intact"] and data["sealed"] and data["trusted"] is False


def test_cli_verify_tampered_exits_1_with_plain_reasons(tmp_path, sealed, capsys):
    path = tmp_path / "letter.pdf"
    path.write_bytes(flip(sealed, len(sealed) // 2))
    assert main(["verify", str(path)]) == 1
    captured = capsys.readouterr()
    assert "FAILED" in captured.out and "changed after sealing" in captured.out
    assert "Traceback" not in captured.err


@pytest.mark.parametrize("content", [b"", b"just text", b"%PDF-1.7\n garbage \x00\x01", b"\x89PNG\r\n"])
def test_cli_verify_non_pdf_is_a_one_line_error(tmp_path, capsys, content):
    path = tmp_path / "x.pdf"
    path.write_bytes(content)
    assert main(["verify", str(path)]) == 1
    err = capsys.readouterr().err.strip()
    assert err.startswith("rightsbot: error:") and "\n" not in err


def test_cli_verify_truncated_sealed_letter_fails(tmp_path, sealed, capsys):
    path = tmp_path / "cut.pdf"
    path.write_bytes(sealed[: len(sealed) * 2 // 3])
    assert main(["verify", str(path)]) == 1
    assert "Traceback" not in capsys.readouterr().err


def test_cli_verify_missing_file_and_bad_trust_file(tmp_path, sealed, capsys):
    assert main(["verify", str(tmp_path / "none.pdf")]) == 1
    assert "does not exist" in capsys.readouterr().err
    path = tmp_path / "letter.pdf"
    path.write_bytes(sealed)
    bad = tmp_path / "trust.pem"
    bad.write_text("not a certificate")
    assert main(["verify", str(path), "--trust", str(bad)]) == 1
    assert "not a certificate" in capsys.readouterr().err


def test_a_later_revision_changing_a_page_is_rejected(sealed, keys):
    from pyhanko.pdf_utils import generic
    from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter

    writer = IncrementalPdfFileWriter(io.BytesIO(sealed))
    page_ref, _ = writer.find_page_for_modification(0)
    page = page_ref.get_object()
    page["/Rotate"] = generic.NumberObject(90)
    writer.update_container(page)
    out = io.BytesIO()
    writer.write(out)
    report = verify_pdf(out.getvalue(), [keys[1]])
    assert not report.intact and not report.ok
    assert any("changed or extended after it was sealed" in p for p in report.problems)


def test_sealer_from_config_reads_the_password_from_the_environment(tmp_path, monkeypatch, letter):
    from bot.config import Config

    monkeypatch.setenv("RIGHTSBOT_SEAL_PASSWORD", "s3cret")
    assert main(["keys", "new", "--name", "Ann Example", "--out", str(tmp_path), "--encrypt"]) == 0
    config = Config.defaults(tmp_path).with_overrides(
        letters={"seal_key": tmp_path / "key.pem", "seal_cert": tmp_path / "cert.pem"})
    sealer = Sealer.from_config(config)
    assert sealer is not None and sealer.signer_name == "Ann Example"
    assert verify_pdf(sealer.seal(letter), [tmp_path / "cert.pem"]).ok
    assert Sealer.from_config(Config.defaults(tmp_path)) is None
