"""A person's signature picture, checked and re-encoded before it goes into a PDF.

The bytes come from a person (a file, a Telegram upload), so they are hostile:
size-capped before decoding, pixel-capped before the pixels are decoded (no
decompression bombs), fully decoded once (truncated files fail here, not in
the renderer), then re-encoded as a fresh PNG through Pillow. Re-encoding
drops every piece of metadata (EXIF with GPS, XMP, ICC profiles, comments).

Then the paper is taken out: a signature is photographed on paper that is grey,
yellowish or unevenly lit, so each pixel is compared with the paper around it
(:func:`paper_level`); what is about as light as that paper becomes transparent
and the strokes are darkened, so the signature prints on the page
without a grey box. A picture with no handwriting in it (blank paper, one dot)
or one that is not handwriting on light paper (black, a photo, noise) is refused.
"""

from __future__ import annotations

import io
import warnings
from dataclasses import dataclass

import numpy as np
from PIL import Image, ImageOps, UnidentifiedImageError

from ..errors import PhotoError

MAX_SIGNATURE_BYTES = 2 * 1024 * 1024
MAX_SIGNATURE_PIXELS = 12_000_000
# 60 x 20 mm at about 500 dpi: sharper than any printer needs
MAX_EMBEDDED_SIZE = (1200, 400)
ACCEPTED_FORMATS = ("PNG", "JPEG")
MIN_SIGNATURE_SIZE = (40, 12)   # pixels: anything smaller prints as a speck

# Ink and paper, as a fraction of the lightness of the paper around a pixel. Paper
# photographed with a phone varies by some 10 % (grain, JPEG noise, light falling
# off towards a corner); a pen stroke is at least half as dark again.
INK_LEVEL = 0.6          # darker than this: ink
PLAIN_LEVEL = 0.85       # at least this light: plain paper, printed transparent
SOLID_LEVEL = 0.55       # at most this light: printed fully opaque
INK_LIGHTNESS = 0.25     # the ink prints at most this light (pencil grey becomes dark grey)
MIN_PAPER = 60           # the paper (0-255) must not be dark: not a black or a night photo
MIN_PLAIN_FRACTION = 0.7  # a signature is mostly plain paper; photos and noise are not
MIN_INK_FRACTION = 0.001  # of the pixels (a thin pen line on a large photo is ~0.5 %)
MIN_INK_EXTENT = 0.15    # the ink spans at least this part of the width or the height
NO_INK = ("I found no handwriting in the signature image: it looks blank, or holds only a dot "
          "or a smudge. Send a photo or scan of your signature, in dark ink on white paper.")
NOT_HANDWRITING = ("The signature image does not look like a signature on light paper: most of it "
                   "is dark or busy, like a photo. Send a photo or scan of just your signature, in "
                   "dark ink on white paper.")


@dataclass(frozen=True)
class SignatureImage:
    png: bytes        # the re-encoded picture
    width: int        # pixels
    height: int
    has_alpha: bool

    @property
    def aspect(self) -> float:
        return self.width / self.height


def prepare_signature_image(data: bytes, *, max_bytes: int = MAX_SIGNATURE_BYTES,
                            max_pixels: int = MAX_SIGNATURE_PIXELS) -> SignatureImage:
    """Check and re-encode a PNG or JPEG signature; raises PhotoError with a plain message."""
    if not isinstance(data, (bytes, bytearray)) or not data:
        raise PhotoError("The signature image is empty.")
    if len(data) > max_bytes:
        raise PhotoError(f"The signature image is too large ({len(data) // 1024} KB); "
                         f"the limit is {max_bytes // 1024} KB.")
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            with Image.open(io.BytesIO(data), formats=ACCEPTED_FORMATS) as image:
                width, height = image.size
                if width < MIN_SIGNATURE_SIZE[0] or height < MIN_SIGNATURE_SIZE[1]:
                    raise PhotoError(f"The signature image is too small ({width} x {height} "
                                     f"pixels) to print; send a photo or scan of at least "
                                     f"{MIN_SIGNATURE_SIZE[0]} x {MIN_SIGNATURE_SIZE[1]} pixels.")
                if width * height > max_pixels:
                    raise PhotoError(f"The signature image is too large ({width} x {height} pixels); "
                                     f"the limit is {max_pixels:,} pixels.")
                image.load()
                clean = _normalise(image)
    except PhotoError:
        raise
    except (UnidentifiedImageError, Image.DecompressionBombError, Image.DecompressionBombWarning):
        raise PhotoError("The signature must be a PNG or JPEG picture of a reasonable size.") from None
    except (OSError, ValueError, SyntaxError, EOFError):
        raise PhotoError("The signature image is damaged or truncated; please send it again.") from None
    clean.thumbnail(MAX_EMBEDDED_SIZE, Image.Resampling.LANCZOS)
    clean = whiten(clean)
    out = io.BytesIO()
    clean.save(out, format="PNG", optimize=False, compress_level=6)
    return SignatureImage(png=out.getvalue(), width=clean.width, height=clean.height,
                          has_alpha=clean.mode in ("RGBA", "LA"))


def whiten(image: Image.Image) -> Image.Image:
    """The signature as dark strokes on a transparent background (RGBA); PhotoError for a
    picture with no handwriting, or one that is not handwriting on light paper."""
    rgba = np.asarray(image.convert("RGBA"), dtype=np.float32)
    alpha = rgba[..., 3:] / 255
    rgb = rgba[..., :3] * alpha + 255 * (1 - alpha)       # transparent parts are white paper
    grey = rgb @ np.array([0.299, 0.587, 0.114], dtype=np.float32)
    paper = paper_level(grey)
    level = np.clip(grey / np.maximum(paper, 1), 0, 1)     # 1: as light as the paper around
    ink = level < INK_LEVEL
    if float(np.median(paper)) < MIN_PAPER or float(np.mean(level >= PLAIN_LEVEL)) < MIN_PLAIN_FRACTION:
        raise PhotoError(NOT_HANDWRITING)
    if float(np.mean(ink)) < MIN_INK_FRACTION or _extent(ink) < MIN_INK_EXTENT:
        raise PhotoError(NO_INK)
    # one ink colour (the median of the ink, darkened to at most INK_LIGHTNESS); how much of
    # it each pixel shows comes from how dark the pixel is against its paper, so the
    # paper vanishes and the edges of the strokes stay smooth
    flat = np.clip(rgb[ink] / np.maximum(paper[ink], 1)[:, None], 0, 1)
    colour = np.median(flat, axis=0)
    lightness = float(colour @ np.array([0.299, 0.587, 0.114], dtype=np.float32))
    colour = colour * min(1.0, INK_LIGHTNESS / max(lightness, 1e-3)) * 255
    opacity = np.clip((PLAIN_LEVEL - level) / (PLAIN_LEVEL - SOLID_LEVEL), 0, 1) * 255
    out = np.empty(grey.shape + (4,), dtype=np.float32)
    out[..., :3] = np.where(opacity[..., None] > 0, colour, 255)
    out[..., 3] = opacity
    out = out.round().astype(np.uint8)
    return Image.fromarray(out, "RGBA")


def paper_level(grey: np.ndarray) -> np.ndarray:
    """The lightness of the paper around each pixel: the 90th percentile of blocks about a
    sixth of the picture's short side (strokes cover far less of a block than that), the
    lightest of each block's neighbours (a thick stroke filling a block is still ink), then
    smoothly interpolated between block centres."""
    height, width = grey.shape
    size = max(8, min(height, width) // 6)
    rows, cols = -(-height // size), -(-width // size)
    padded = np.pad(grey, ((0, rows * size - height), (0, cols * size - width)), mode="edge")
    blocks = padded.reshape(rows, size, cols, size).transpose(0, 2, 1, 3).reshape(rows, cols, -1)
    grid = np.percentile(blocks, 90, axis=2).astype(np.float32)
    edged = np.pad(grid, 1, mode="edge")
    grid = np.max([edged[i:i + rows, j:j + cols] for i in range(3) for j in range(3)], axis=0)
    return np.asarray(Image.fromarray(grid, "F").resize((width, height), Image.Resampling.BILINEAR))


def _extent(ink: np.ndarray) -> float:
    """How much of the width or the height the ink spans (0 to 1)."""
    cols, rows = np.flatnonzero(ink.any(axis=0)), np.flatnonzero(ink.any(axis=1))
    if not len(cols):
        return 0.0
    return max((cols[-1] - cols[0] + 1) / ink.shape[1], (rows[-1] - rows[0] + 1) / ink.shape[0])


def _normalise(image: Image.Image) -> Image.Image:
    """Upright, 8-bit RGB/RGBA (or grey), with no metadata left."""
    upright = ImageOps.exif_transpose(image) or image
    has_alpha = upright.mode in ("RGBA", "LA", "PA") or (
        upright.mode == "P" and "transparency" in upright.info) or (
        upright.mode in ("RGB", "L") and "transparency" in upright.info)
    if has_alpha:
        mode = "LA" if upright.mode in ("L", "LA") else "RGBA"
    else:
        mode = "L" if upright.mode in ("1", "L", "I;16", "I") else "RGB"
    converted = upright.convert(mode)
    clean = Image.new(mode, converted.size)
    clean.paste(converted)
    clean.info = {}
    return clean


def fit_box(image: SignatureImage, box_width: float, box_height: float) -> tuple[float, float]:
    """The largest (width, height) with the image's aspect ratio inside the box."""
    scale = min(box_width / image.width, box_height / image.height)
    return image.width * scale, image.height * scale
