"""`rightsbot verify` over several files (`verify letters/*.pdf`, as the README shows),
and files that are not letters at all: pipes, folders, bad trust files."""

from __future__ import annotations

import json
import os

from bot.cli import main
from bot.letters.pdf import render_pdf
from bot.letters.seal import seal_pdf

from pdf_samples import new_keys, sample_letter


def test_verify_several_letters_one_report_each(tmp_path, capsys):
    key, cert = new_keys(tmp_path / "keys")
    letter = render_pdf(sample_letter())
    sealed, plain, broken = tmp_path / "a.pdf", tmp_path / "b.pdf", tmp_path / "c.pdf"
    sealed.write_bytes(seal_pdf(letter, key, cert))
    plain.write_bytes(letter)
    broken.write_bytes(b"%PDF-1.7\n" + bytes(range(256)) * 40)

    assert main(["verify", str(sealed), str(plain), "--trust", str(cert)]) == 1
    out = capsys.readouterr().out
    assert out.count("file:       ") == 2 and "trusted:    yes" in out
    assert "2 letters checked: 1 FAILED" in out          # the unsealed one, against --trust

    assert main(["verify", str(sealed), str(broken), "--json"]) == 1
    reports = json.loads(capsys.readouterr().out)
    assert [(r["file"], r["ok"]) for r in reports] == [(str(sealed), True), (str(broken), False)]
    assert reports[0]["sealed"] is True and "damaged" in reports[1]["error"]

    assert main(["verify", str(sealed), str(sealed)]) == 0
    assert "2 letters checked: all OK" in capsys.readouterr().out

    bad_trust = tmp_path / "trust.pem"
    bad_trust.write_text("not a certificate")
    assert main(["verify", str(sealed), str(plain), "--trust", str(bad_trust)]) == 1
    captured = capsys.readouterr()
    assert captured.out == "" and captured.err.count("\n") == 1
    assert "not a certificate" in captured.err


def test_verify_refuses_pipes_and_devices_without_reading_them(tmp_path, capsys):
    """Reading a named pipe would block forever; /dev/zero would never end."""
    fifo = tmp_path / "letter.pdf"
    os.mkfifo(fifo)
    for target in (fifo, "/dev/zero"):
        assert main(["verify", str(target)]) == 1
        err = capsys.readouterr().err
        assert err.count("\n") == 1 and "not a regular file" in err
    key, cert = new_keys(tmp_path / "keys")
    letter = tmp_path / "sealed.pdf"
    letter.write_bytes(seal_pdf(render_pdf(sample_letter()), key, cert))
    trust_pipe = tmp_path / "cert-pipe.pem"
    os.mkfifo(trust_pipe)
    assert main(["verify", str(letter), "--trust", str(trust_pipe)]) == 1
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "not a regular file" in err


def test_an_encrypted_pdf_is_named_as_such_not_as_damaged(tmp_path, capsys):
    import io

    from pypdf import PdfReader, PdfWriter
    writer = PdfWriter(clone_from=PdfReader(io.BytesIO(render_pdf(sample_letter()))))
    writer.encrypt("secret")
    path = tmp_path / "encrypted.pdf"
    with open(path, "wb") as fh:
        writer.write(fh)
    assert main(["verify", str(path)]) == 1
    out = capsys.readouterr().out
    assert "encrypted (password-protected)" in out and "damaged" not in out
    assert "FAILED" in out


def test_a_cover_sheet_is_skipped_not_failed(tmp_path, capsys):
    """`verify letters/*.pdf` also meets the sender's cover sheet: it is not a letter (no
    reference, no hash, no seal) and must neither fail the run nor pass as a letter."""
    from bot.config import Config
    from bot.letters.pipeline import LetterMaker
    from tests.letters.samples import LETTER_DATE, MATCHES, SampleResult, person
    key, cert = new_keys(tmp_path / "keys")
    outcome = LetterMaker.from_config(Config.defaults()).make(
        person("DE", companies=("meta",)), SampleResult(MATCHES), LETTER_DATE)
    cover = tmp_path / outcome.cover.name
    cover.write_bytes(outcome.cover.pdf)
    letter = tmp_path / "letter.pdf"
    letter.write_bytes(seal_pdf(outcome.letters[0].pdf, key, cert))
    assert main(["verify", str(cover), str(letter), "--trust", str(cert)]) == 0
    out = capsys.readouterr().out
    assert "result:     skipped: a rightsbot cover sheet" in out
    assert "1 cover sheet skipped (not letters).\n1 letters checked: all OK" in out
    assert main(["verify", str(cover)]) == 0
    assert "it is for you, not a letter" in capsys.readouterr().out
    assert main(["verify", str(cover), str(letter), "--json"]) == 0
    reports = json.loads(capsys.readouterr().out)
    assert reports[0]["skipped"].startswith("a rightsbot cover sheet") and reports[1]["sealed"]
    # a letter whose Keywords claim to be a cover sheet is still checked as a letter
    from pypdf import PdfReader, PdfWriter
    from bot.letters.cover import COVER_KEYWORD, is_cover_sheet
    assert not is_cover_sheet(outcome.letters[0].pdf) and is_cover_sheet(outcome.cover.pdf)
    assert not is_cover_sheet(b"%PDF-1.7 garbage")
    writer = PdfWriter(clone_from=PdfReader(letter))
    writer.add_metadata({"/Keywords": COVER_KEYWORD})
    forged = tmp_path / "forged.pdf"
    with open(forged, "wb") as fh:
        writer.write(fh)
    assert not is_cover_sheet(forged.read_bytes())
    assert main(["verify", str(forged), "--trust", str(cert)]) == 1   # changed after sealing
