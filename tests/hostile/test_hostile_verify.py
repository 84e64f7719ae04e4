"""`rightsbot verify` against edits after sealing and encrypted letters (issue 8, item 16).

Hostile PDFs are made here with pyHanko and pypdf from letters sealed by the
project's own sealing code: an incremental update that rewrites the document
information (author, title) or adds XMP metadata must not pass as intact; an
update that only adds validation data (a DSS) may. An unsealed letter encrypted
with an empty user password (it opens without one) is reported as encrypted."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from pyhanko.keys import load_cert_from_pemder
from pyhanko.pdf_utils import generic
from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
from pyhanko.pdf_utils.reader import PdfFileReader
from pyhanko.sign.validation import add_validation_info
from pyhanko.sign.validation.dss import DocumentSecurityStore
from pyhanko_certvalidator import ValidationContext
from pypdf import PdfReader, PdfWriter

from bot.cli import main
from bot.letters.pdf import render_pdf
from bot.letters.seal import seal_pdf
from bot.letters.verify import verify_pdf
from tests.letters.pdf_samples import new_keys, sample_letter

INFO_CHANGED = "document information"


@pytest.fixture(scope="module")
def keys(tmp_path_factory) -> tuple[Path, Path]:
    return new_keys(tmp_path_factory.mktemp("hostile-seal"))


@pytest.fixture(scope="module")
def letter() -> bytes:
    return render_pdf(sample_letter())


@pytest.fixture(scope="module")
def sealed(keys, letter) -> bytes:
    return seal_pdf(letter, *keys)


def incremental(sealed: bytes, change, *, restamp: bool = True) -> bytes:
    """``sealed`` plus one incremental update made by pyHanko; ``restamp=False`` keeps
    pyHanko from stamping its own modification date into /Info and XMP."""
    writer = IncrementalPdfFileWriter(io.BytesIO(sealed))
    change(writer)
    if not restamp:
        writer._update_meta = lambda: None     # noqa: SLF001 - a tool that leaves metadata alone
    out = io.BytesIO()
    writer.write(out)
    assert out.getvalue().startswith(sealed)    # an incremental update: the sealed bytes stay
    return out.getvalue()


def rewrite_info(writer: IncrementalPdfFileWriter) -> None:
    info = writer.trailer["/Info"].get_object()
    info["/Author"] = generic.pdf_string("Mallory Forger")
    info["/Title"] = generic.pdf_string("Withdrawal of my request")
    writer.update_container(info)


def new_info_object(writer: IncrementalPdfFileWriter) -> None:
    info = generic.DictionaryObject(writer.trailer["/Info"].get_object())
    info["/Title"] = generic.pdf_string("Withdrawal of my request")
    writer.set_info(writer.add_object(info))


def forged_xmp(writer: IncrementalPdfFileWriter) -> None:
    xmp = (b'<?xpacket begin="" id="W5M0MpCehiHzreSzNTczkc9d"?>'
           b'<x:xmpmeta xmlns:x="adobe:ns:meta/"><rdf:RDF '
           b'xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#">'
           b'<rdf:Description rdf:about="" xmlns:dc="http://purl.org/dc/elements/1.1/">'
           b'<dc:title><rdf:Alt><rdf:li xml:lang="x-default">Withdrawal of my request</rdf:li>'
           b'</rdf:Alt></dc:title></rdf:Description></rdf:RDF></x:xmpmeta><?xpacket end="r"?>')
    stream = generic.StreamObject({generic.pdf_name("/Type"): generic.pdf_name("/Metadata"),
                                   generic.pdf_name("/Subtype"): generic.pdf_name("/XML")},
                                  stream_data=xmp)
    writer.root["/Metadata"] = writer.add_object(stream)
    writer.update_root()


def dss_only(sealed: bytes, cert_path: Path):
    def change(writer: IncrementalPdfFileWriter) -> None:
        embedded = PdfFileReader(io.BytesIO(sealed)).embedded_signatures[0]
        DocumentSecurityStore.supply_dss_in_writer(
            writer, embedded.pkcs7_content, certs=[load_cert_from_pemder(str(cert_path))])
    return change


def pypdf_info_edit(sealed: bytes) -> bytes:
    writer = PdfWriter(PdfReader(io.BytesIO(sealed)), incremental=True)
    writer.add_metadata({"/Author": "Mallory Forger", "/Title": "Withdrawal of my request"})
    out = io.BytesIO()
    writer.write(out)
    assert out.getvalue().startswith(sealed)
    return out.getvalue()


def test_the_sealed_letter_itself_is_intact(sealed, keys):
    report = verify_pdf(sealed, [keys[1]])
    assert report.intact and report.ok and report.problems == ()


@pytest.mark.parametrize("change", [rewrite_info, new_info_object])
@pytest.mark.parametrize("restamp", [True, False], ids=["pyhanko-stamp", "no-stamp"])
def test_rewriting_author_and_title_after_sealing_is_reported(sealed, keys, change, restamp):
    edited = incremental(sealed, change, restamp=restamp)
    info = PdfReader(io.BytesIO(edited)).metadata
    assert info["/Title"] == "Withdrawal of my request"       # the edit is what a viewer shows
    report = verify_pdf(edited, [keys[1]])
    assert report.sealed and report.trusted and report.signer == "Ann Example"
    assert not report.intact and not report.ok
    assert any(INFO_CHANGED in p for p in report.problems), report.problems


def test_an_info_edit_saved_by_pypdf_is_reported(sealed, keys):
    edited = pypdf_info_edit(sealed)
    assert PdfReader(io.BytesIO(edited)).metadata["/Author"] == "Mallory Forger"
    report = verify_pdf(edited, [keys[1]])
    assert not report.intact and not report.ok
    assert any(INFO_CHANGED in p for p in report.problems), report.problems


def test_forged_xmp_metadata_after_sealing_is_reported(sealed, keys):
    edited = incremental(sealed, forged_xmp, restamp=False)
    report = verify_pdf(edited, [keys[1]])
    assert not report.intact and not report.ok
    assert any("changed or extended after it was sealed" in p for p in report.problems)


def test_an_update_adding_only_validation_data_is_accepted(sealed, keys):
    """A DSS (certificates for long-term validation) changes nothing a reader sees."""
    extended = incremental(sealed, dss_only(sealed, keys[1]), restamp=False)
    assert "/DSS" in PdfFileReader(io.BytesIO(extended)).root
    report = verify_pdf(extended, [keys[1]])
    assert report.intact and report.ok, report.problems


def test_validation_data_that_also_restamps_the_metadata_is_reported(sealed, keys):
    """pyHanko's own LTV update also rewrites /ModDate in /Info and the XMP: a change to
    the document information all the same, so it is reported, not waved through."""
    embedded = PdfFileReader(io.BytesIO(sealed)).embedded_signatures[0]
    context = ValidationContext(trust_roots=[load_cert_from_pemder(str(keys[1]))],
                                allow_fetching=False)
    extended = add_validation_info(embedded, context, skip_timestamp=True,
                                   in_place=False).getvalue()
    report = verify_pdf(extended, [keys[1]])
    assert not report.intact
    assert any(INFO_CHANGED in p for p in report.problems), report.problems


def test_cli_says_not_intact_for_an_info_edit(tmp_path, sealed, keys, capsys):
    path = tmp_path / "letter.pdf"
    path.write_bytes(incremental(sealed, rewrite_info))
    assert main(["verify", str(path), "--trust", str(keys[1])]) == 1
    out = capsys.readouterr().out
    assert "intact:     NO" in out and INFO_CHANGED in out
    assert "FAILED: do not rely on this letter" in out


def test_an_unsealed_letter_encrypted_with_an_empty_password_is_reported(tmp_path, letter, capsys):
    writer = PdfWriter(clone_from=PdfReader(io.BytesIO(letter)))
    writer.encrypt(user_password="", owner_password="owner-secret", algorithm="AES-256")
    out = io.BytesIO()
    writer.write(out)
    encrypted = out.getvalue()
    reader = PdfReader(io.BytesIO(encrypted))
    assert reader.is_encrypted and reader.pages[0].extract_text()   # opens without a password

    report = verify_pdf(encrypted, [])
    assert not report.sealed and not report.ok
    assert any("encrypted" in p for p in report.problems), report.problems

    path = tmp_path / "encrypted.pdf"
    path.write_bytes(encrypted)
    assert main(["verify", str(path)]) == 1
    printed = capsys.readouterr().out
    assert "encrypted" in printed and "FAILED" in printed
    assert "text hash:  matches" not in printed
