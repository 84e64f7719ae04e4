"""Hostile signature pictures (issue 8, item 8): no ink, all ink, and paper that is not white.

A picture with no handwriting (white, off-white, paper with one dot) or one that is
not handwriting on paper (black, a dark photo, noise, a photo) is refused, in the
renderer, the person file and the chat alike. A signature photographed on grey or
yellowish paper prints with a white (or transparent) background and dark strokes:
checked on the image read back from the PDF.
"""

from __future__ import annotations

import io

import numpy as np
import pytest
from PIL import Image, ImageDraw, ImageFilter
from pypdf import PdfReader

from bot.config import Config
from bot.errors import InputError, PhotoError
from bot.journey.services import Services
from bot.letters.pdf import render_pdf
from bot.letters.person_file import parse_person
from bot.letters.signature_image import prepare_signature_image
from bot.letters.verify_text import check_letter_text
from tests.imaging import jpeg_bytes, make_photo, png_bytes
from tests.letters.pdf_samples import sample_letter

PAPER = (225, 220, 210)
STROKE = [(0.06, 0.72), (0.14, 0.28), (0.22, 0.78), (0.31, 0.22), (0.39, 0.7), (0.47, 0.38),
          (0.56, 0.66), (0.7, 0.3), (0.92, 0.56)]


def paper(size=(900, 300), colour=PAPER, seed=1) -> Image.Image:
    """Paper as a phone photographs it: off-white, darker towards one corner, grainy."""
    rng = np.random.default_rng(seed)
    width, height = size
    pixels = np.zeros((height, width, 3), np.float32) + np.array(colour, np.float32)
    pixels -= np.arange(width, dtype=np.float32)[None, :, None] / width * 30
    pixels -= np.arange(height, dtype=np.float32)[:, None, None] / height * 12
    pixels += rng.standard_normal((height, width, 3)).astype(np.float32) * 5
    return Image.fromarray(np.clip(pixels, 0, 255).astype(np.uint8), "RGB")


def draw_strokes(image: Image.Image, colour, width: int) -> Image.Image:
    """The signature's lines (a zigzag of loops and an underline), scaled to ``image``."""
    draw = ImageDraw.Draw(image)
    w, h = image.size
    draw.line([(int(w * x), int(h * y)) for x, y in STROKE], fill=colour, width=width, joint="curve")
    draw.line([(int(w * 0.1), int(h * 0.86)), (int(w * 0.84), int(h * 0.8))], fill=colour,
              width=max(2, width // 2))
    return image


def scribble(image: Image.Image, colour=(25, 30, 70), width=7) -> Image.Image:
    """A handwritten-looking signature, slightly out of focus."""
    return draw_strokes(image, colour, width).filter(ImageFilter.GaussianBlur(0.8))


def with_dot(image: Image.Image, radius=4) -> Image.Image:
    w, h = image.size
    ImageDraw.Draw(image).ellipse((w // 2 - radius, h // 2 - radius, w // 2 + radius, h // 2 + radius),
                                  fill=(10, 10, 10))
    return image


def noise(size=(600, 200), seed=3) -> Image.Image:
    rng = np.random.default_rng(seed)
    return Image.fromarray(rng.integers(0, 256, (size[1], size[0], 3), dtype=np.uint8), "RGB")


BLANK = {
    "white PNG": lambda: png_bytes(Image.new("RGB", (600, 200), "white")),
    "white JPEG": lambda: jpeg_bytes(Image.new("RGB", (600, 200), "white")),
    "transparent PNG": lambda: png_bytes(Image.new("RGBA", (600, 200), (0, 0, 0, 0))),
    "off-white JPEG": lambda: jpeg_bytes(Image.new("RGB", (600, 200), PAPER)),
    "photographed blank paper": lambda: jpeg_bytes(paper()),
    "paper with one dot": lambda: png_bytes(with_dot(paper())),
    "paper with a blot": lambda: jpeg_bytes(with_dot(paper(), radius=18)),
}
NOT_HANDWRITING = {
    "black PNG": lambda: png_bytes(Image.new("RGB", (600, 200), "black")),
    "black JPEG photo": lambda: jpeg_bytes(paper(colour=(18, 16, 20))),
    "noise": lambda: png_bytes(noise()),
    "photo": lambda: jpeg_bytes(make_photo(5, size=(600, 200))),
    "another photo": lambda: png_bytes(make_photo(11, size=(900, 300))),
}
GOOD = {   # (picture, pen width in its pixels)
    "scribble on white PNG": lambda: (png_bytes(scribble(Image.new("RGB", (600, 200), "white"))), 7),
    "scribble on transparent PNG": lambda: (png_bytes(scribble(
        Image.new("RGBA", (600, 200), (0, 0, 0, 0)), colour=(10, 20, 90, 255))), 7),
    "scribble photographed on paper": lambda: (jpeg_bytes(scribble(paper())), 7),
    "thin pen on a large photo": lambda: (jpeg_bytes(scribble(paper((2400, 1600)), width=8)), 8),
    "pencil on yellowish paper": lambda: (jpeg_bytes(scribble(paper(colour=(235, 225, 180)),
                                                              colour=(110, 105, 100), width=5)), 5),
}


@pytest.fixture(scope="module")
def services(tmp_path_factory) -> Services:
    folder = tmp_path_factory.mktemp("signature-services")
    config = Config.defaults(base=folder).with_overrides(
        index={"path": folder / "index.sqlite", "demo": True})
    return Services.from_config(config)


def person_file_signature(folder, data: bytes):
    (folder / "sig.img").write_bytes(data)
    return parse_person({"name": "Ann Example", "address": ["1 Main St", "Springfield"],
                         "email": "ann@example.org", "residence": "US-IL",
                         "uploaded_from": "US-IL", "flickr": ["12345678@N00"],
                         "signature": "sig.img"}, base=folder)


@pytest.mark.parametrize("case", sorted(BLANK))
def test_a_picture_with_no_handwriting_is_refused_everywhere(case, services, tmp_path):
    data = BLANK[case]()
    with pytest.raises(PhotoError, match="no handwriting"):
        prepare_signature_image(data)
    with pytest.raises(PhotoError, match="no handwriting"):
        render_pdf(sample_letter(signature=data))
    with pytest.raises(InputError, match="^signature: .*no handwriting"):
        person_file_signature(tmp_path, data)
    with pytest.raises(InputError, match="no handwriting"):
        services.clean_signature_image(data)


@pytest.mark.parametrize("case", sorted(NOT_HANDWRITING))
def test_a_picture_that_is_not_handwriting_on_paper_is_refused_everywhere(case, services, tmp_path):
    data = NOT_HANDWRITING[case]()
    with pytest.raises(PhotoError, match="does not look like a signature on light paper"):
        prepare_signature_image(data)
    with pytest.raises(InputError, match="^signature: .*does not look like a signature"):
        person_file_signature(tmp_path, data)
    with pytest.raises(InputError, match="does not look like a signature"):
        services.clean_signature_image(data)


def embedded_signature(pdf: bytes) -> Image.Image:
    (image,) = [image.image for page in PdfReader(io.BytesIO(pdf)).pages for image in page.images]
    return image


def background_and_strokes(image: Image.Image) -> tuple[np.ndarray, np.ndarray]:
    """Per pixel: the printed lightness (over white paper) and the alpha, as arrays."""
    rgba = np.asarray(image.convert("RGBA"), np.float32)
    alpha = rgba[..., 3] / 255
    lightness = rgba[..., :3].mean(axis=2) * alpha + 255 * (1 - alpha)
    return lightness, alpha


def stroke_mask(size: tuple[int, int], width: float) -> np.ndarray:
    """Where the signature's lines are, drawn ``width`` pixels wide at ``size``, with round ends."""
    mask = draw_strokes(Image.new("L", size, 0), 255, max(1, round(width)))
    draw, (w, h), r = ImageDraw.Draw(mask), size, width / 2
    for x, y in [*STROKE, (0.1, 0.86), (0.84, 0.8)]:
        draw.ellipse((w * x - r, h * y - r, w * x + r, h * y + r), fill=255)
    return np.asarray(mask) > 0


@pytest.mark.parametrize("case", sorted(GOOD))
def test_a_signature_on_any_paper_prints_dark_on_a_white_background(case, services, tmp_path):
    data, pen = GOOD[case]()
    person_file_signature(tmp_path, data)             # accepted by the person file
    assert services.clean_signature_image(data)      # and by the chat
    pdf = render_pdf(sample_letter(signature=data, page_size="A4"))
    assert check_letter_text(pdf).ok
    image = embedded_signature(pdf)
    scale = image.width / Image.open(io.BytesIO(data)).width
    rgba = np.asarray(image.convert("RGBA"), np.float32)
    lightness, alpha = background_and_strokes(image)
    # the background, every pixel clear of the lines: pure white or fully transparent
    background = ~stroke_mask(image.size, pen * scale + 8)
    assert background.mean() > 0.6
    white = (rgba[..., :3].min(axis=2) >= 250) | (alpha == 0)
    assert white[background].all(), f"{(~white[background]).sum()} grey background pixels"
    # the middle of the lines prints dark
    core = stroke_mask(image.size, max(1.0, pen * scale / 3))
    assert np.median(lightness[core]) < 80, np.median(lightness[core])


def test_the_signature_in_the_chat_prints_the_same_as_from_a_file(services):
    data, _ = GOOD["scribble photographed on paper"]()
    cleaned = services.clean_signature_image(data)
    once = embedded_signature(render_pdf(sample_letter(signature=data)))
    twice = embedded_signature(render_pdf(sample_letter(signature=cleaned)))
    a, _ = background_and_strokes(once)
    b, _ = background_and_strokes(twice)
    assert a.shape == b.shape
    assert np.abs(a - b).mean() < 3    # cleaning a cleaned signature changes next to nothing
