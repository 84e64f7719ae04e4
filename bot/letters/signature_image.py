"""A person's signature picture, checked and re-encoded before it goes into a PDF.

The bytes come from a person (a file, a Telegram upload), so they are hostile:
size-capped before decoding, pixel-capped before the pixels are decoded (no
decompression bombs), fully decoded once (truncated files fail here, not in
the renderer), then re-encoded as a fresh PNG through Pillow. Re-encoding
drops every piece of metadata (EXIF with GPS, XMP, ICC profiles, comments) and
normalises the format; transparency is kept, so a signature scanned onto a
transparent background prints over the page without a white box.
"""

from __future__ import annotations

import io
import warnings
from dataclasses import dataclass

from PIL import Image, ImageOps, UnidentifiedImageError

from ..errors import PhotoError

MAX_SIGNATURE_BYTES = 2 * 1024 * 1024
MAX_SIGNATURE_PIXELS = 12_000_000
# 60 x 20 mm at about 500 dpi: sharper than any printer needs
MAX_EMBEDDED_SIZE = (1200, 400)
ACCEPTED_FORMATS = ("PNG", "JPEG")
MIN_SIGNATURE_SIZE = (40, 12)   # pixels: anything smaller prints as a speck


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
    out = io.BytesIO()
    clean.save(out, format="PNG", optimize=False, compress_level=6)
    return SignatureImage(png=out.getvalue(), width=clean.width, height=clean.height,
                          has_alpha=clean.mode in ("RGBA", "LA"))


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
