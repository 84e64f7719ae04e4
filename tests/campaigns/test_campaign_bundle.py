"""Per-company bundles: sealed once with the organisation's key (pyHanko, and poppler's
pdfsig where installed), a cover letter listing every member, then letters and
authorizations; parts for large campaigns."""

from __future__ import annotations

import io
import shutil
import subprocess
from datetime import date
from pathlib import Path

import pytest
from asn1crypto import pem, x509 as asn1_x509
from pypdf import PdfReader
from pyhanko.pdf_utils.reader import PdfFileReader
from pyhanko.sign.validation import validate_pdf_signature
from pyhanko.sign.validation.status import SignatureCoverageLevel
from pyhanko_certvalidator import ValidationContext

from bot.campaigns.bundle import BundlePlan, plan_bundles
from tests.campaigns.run_fixtures import pdf_text, run_once


@pytest.fixture(scope="module")
def run(tmp_path_factory):
    return run_once(tmp_path_factory.mktemp("bundle"))


def bundle(run, company) -> bytes:
    _setup, report = run
    entry = next(b for b in report.bundles if b["company"] == company)
    return Path(entry["pdf"]).read_bytes()


def trust_root(setup):
    data = setup.campaign.organisation.sign_cert.read_bytes()
    if pem.detect(data):
        _, _, data = pem.unarmor(data)
    return asn1_x509.Certificate.load(data)


@pytest.mark.parametrize("company", ["meta", "uc-berkeley"])
def test_bundle_is_sealed_once_over_the_whole_file_and_validates(run, company):
    setup, _ = run
    data = bundle(run, company)
    signatures = PdfFileReader(io.BytesIO(data)).embedded_signatures
    assert len(signatures) == 1                      # one seal for the whole bundle
    context = ValidationContext(trust_roots=[trust_root(setup)], allow_fetching=False)
    status = validate_pdf_signature(signatures[0], context)
    assert status.intact and status.valid and status.trusted
    assert status.coverage == SignatureCoverageLevel.ENTIRE_FILE
    assert status.signing_cert.subject.native["common_name"] == "Faces Back e.V."


@pytest.mark.skipif(shutil.which("pdfsig") is None, reason="poppler's pdfsig is not installed")
def test_pdfsig_finds_the_bundle_seal_valid(run, tmp_path):
    path = tmp_path / "meta.pdf"
    path.write_bytes(bundle(run, "meta"))
    out = subprocess.run(["pdfsig", str(path)], capture_output=True, text=True, timeout=60)
    assert "Signature Validation: Signature is Valid." in out.stdout, out.stdout + out.stderr
    assert "Total document signed" in out.stdout
    assert out.stdout.count("Signature #") == 1


def test_cover_lists_every_member_then_letters_and_authorizations_follow(run):
    _, report = run
    data = bundle(run, "meta")
    reader = PdfReader(io.BytesIO(data))
    cover = " ".join(reader.pages[0].extract_text().split())
    assert "Requests sent as authorized agent by Faces Back e.V." in cover
    assert "To: Meta (Facebook)" in cover
    # meta's bundle: the German member's GDPR letter and the Californian's CCPA letter;
    # the Illinois members' BIPA letters are their own (no agent route), not in the bundle
    rows = [r for r in _manifest(report) if r["company"] == "meta" and r["bundle"]]
    assert {r["member_id"] for r in rows} == {"m2", "m3"}
    for row in rows:
        assert row["reference"] in cover
    assert "Jörg Müller" in cover and "Carla Díaz" in cover and "AUTH-0002" in cover
    assert "Ann Example" not in cover
    text = pdf_text(data)
    order = [text.index(rows[0]["reference"], len(cover)), text.index("AUTH-0002", len(cover))]
    assert order == sorted(order)                    # m2's letter, then m2's authorization
    assert "Record of an authorization held by the organisation" in text
    outline = [item.title for item in reader.outline]
    assert outline[0] == "Cover letter" and any("authorization AUTH-0003" in t for t in outline)


def test_letters_inside_are_not_sealed_but_the_bundle_is(run):
    setup, report = run
    for row in _manifest(report):
        if row["bundle"]:
            data = (setup.root / "out" / row["file"]).read_bytes()
            assert not PdfFileReader(io.BytesIO(data)).embedded_signatures


def test_large_campaigns_get_bundle_parts_each_listing_its_own_members(tmp_path):
    records = []
    for i in range(5):
        letter = {"company": "meta", "company_name": "Meta", "kind": "ccpa", "route": "agent",
                  "reference": f"RB-{i}", "file": "x.pdf", "sha256": "0", "due": "2027-01-01"}
        records.append((tmp_path, {"member_id": f"m{i}", "name": f"N{i}", "letters": [letter],
                                   "authorization": {"reference": f"A{i}", "file": "a.pdf"}}))
    records.append((tmp_path, {"member_id": "own", "name": "O", "authorization": None,
                               "letters": [{"company": "meta", "route": "direct"}]}))
    plans = plan_bundles(records, size=2)
    assert [(p.part, p.parts, [e.member_id for e in p.entries]) for p in plans] == [
        (1, 3, ["m0", "m1"]), (2, 3, ["m2", "m3"]), (3, 3, ["m4"])]
    assert plans[1].file == "bundles/meta-part-002-of-003.pdf"
    assert BundlePlan("meta", "Meta", 1, 1, ()).file == "bundles/meta.pdf"


def _manifest(report):
    from bot.campaigns.manifest import read_manifest
    return read_manifest(Path(report.manifest).read_bytes())


def test_run_date_is_the_bundle_date(run):
    _, report = run
    assert report.run_date == date(2026, 11, 26)
    assert "Date: 2026-11-26" in pdf_text(bundle(run, "meta"))


def test_rightsbot_verify_passes_a_bundle_and_fails_a_changed_or_unsealed_one(run, tmp_path):
    from pypdf import PdfWriter

    from bot.letters.verify import verify_pdf
    setup, _ = run
    data = bundle(run, "meta")
    cert = setup.campaign.organisation.sign_cert
    good = verify_pdf(data, [cert])
    assert (good.kind, good.ok, good.trusted) == ("bundle", True, True)
    assert good.reference.startswith("CB-")
    at = len(data) // 3
    changed = bytearray(data)
    changed[at] ^= 0x01
    assert not verify_pdf(bytes(changed), [cert]).ok
    # the same pages, unsealed, with the bundle's document information: not a bundle that passes
    reader = PdfReader(io.BytesIO(data))
    writer = PdfWriter()
    for page in reader.pages:
        writer.add_page(page)
    writer.remove_annotations(subtypes=None)      # the seal's widget goes too
    writer.add_metadata({k: v for k, v in reader.metadata.items()})
    out = io.BytesIO()
    writer.write(out)
    unsealed = verify_pdf(out.getvalue(), [cert])
    assert unsealed.kind == "bundle" and not unsealed.ok and not unsealed.trusted
    assert unsealed.problems
