"""Signature pictures: transparency kept, metadata stripped, hostile files refused."""

from __future__ import annotations

import io
import zlib

import pytest
from PIL import Image, ImageDraw
from pypdf import PdfReader

from bot.errors import PhotoError
from bot.letters.layout import us_letter_no10
from bot.letters.pdf import render_pdf
from bot.letters.signature_image import prepare_signature_image
from bot.letters.verify_text import check_letter_text

from pdf_samples import page_texts, sample_letter, signature_png


def image_xobjects(pdf: bytes):
    found = []
    for page in PdfReader(io.BytesIO(pdf)).pages:
        xobjects = page["/Resources"].get("/XObject", {})
        for xobject in xobjects.values():
            xobject = xobject.get_object()
            if xobject["/Subtype"] == "/Image":
                found.append(xobject)
    return found


def test_png_with_alpha_is_embedded_with_a_soft_mask_and_scaled_into_the_box():
    pdf = render_pdf(sample_letter(signature=signature_png(alpha=True, size=(900, 150))))
    (image,) = image_xobjects(pdf)
    assert "/SMask" in image                      # transparency kept
    assert check_letter_text(pdf).ok              # "/s/ Ann Example" still printed under it
    assert "/s/ Ann Example" in page_texts(pdf)[-1].content
    # drawn at most 60 x 20 mm, with the picture's 6:1 aspect ratio
    shown = prepare_signature_image(signature_png(alpha=True, size=(900, 150)))
    box_w, box_h = us_letter_no10().signature_box
    assert shown.aspect == pytest.approx(6.0, rel=0.01)
    assert box_w / box_h < shown.aspect           # so width is the limit: 60 mm wide, 10 mm high


def test_jpeg_is_reencoded_without_its_exif_metadata():
    photo = Image.new("RGB", (400, 120), "white")
    ImageDraw.Draw(photo).line([(20, 90), (120, 20), (220, 100), (380, 30)], fill=(20, 20, 60), width=5)
    exif = Image.Exif()
    exif[0x010F] = "SecretCameraMaker"          # Make
    exif[0x9286] = "private comment"
    out = io.BytesIO()
    photo.save(out, format="JPEG", exif=exif.tobytes())
    assert b"SecretCameraMaker" in out.getvalue()
    prepared = prepare_signature_image(out.getvalue())
    assert b"SecretCameraMaker" not in prepared.png
    assert Image.open(io.BytesIO(prepared.png)).format == "PNG"
    pdf = render_pdf(sample_letter(signature=out.getvalue()))
    assert len(image_xobjects(pdf)) == 1
    assert b"SecretCameraMaker" not in pdf


def test_too_many_bytes_refused_before_decoding():
    with pytest.raises(PhotoError, match="too large"):
        prepare_signature_image(signature_png(), max_bytes=1024)


def test_decompression_bomb_refused():
    # 20000 x 20000 pixels of one colour: a tiny file, 400 megapixels when decoded
    bomb = Image.new("1", (20_000, 20_000))
    out = io.BytesIO()
    bomb.save(out, format="PNG", optimize=True)
    assert len(out.getvalue()) < 200_000
    with pytest.raises(PhotoError, match="too large|reasonable size"):
        prepare_signature_image(out.getvalue())


@pytest.mark.parametrize("data", [
    b"not a picture at all",
    b"GIF89a" + b"\x00" * 50,
    b"%PDF-1.4 pretending",
])
def test_non_images_refused_plainly(data):
    with pytest.raises(PhotoError, match="PNG or JPEG"):
        prepare_signature_image(data)


def test_truncated_png_refused():
    data = signature_png()
    with pytest.raises(PhotoError, match="damaged or truncated|PNG or JPEG"):
        prepare_signature_image(data[: len(data) // 2])


def test_render_pdf_reports_a_bad_signature_as_photo_error():
    with pytest.raises(PhotoError):
        render_pdf(sample_letter(signature=zlib.compress(b"junk")))


@pytest.mark.parametrize("size", [(1, 1), (39, 200), (300, 11)])
def test_a_signature_too_small_to_print_is_refused(size):
    out = io.BytesIO()
    Image.new("L", size, 0).save(out, "PNG")
    with pytest.raises(PhotoError, match="too small"):
        prepare_signature_image(out.getvalue())
