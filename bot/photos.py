"""Hash an uploaded photo in memory: sha256, md5 and a 64-bit perceptual hash.

:func:`hash_image` takes the bytes a person sent and returns
:class:`ImageHashes`: the sha256 and md5 of the exact bytes (they match only
unchanged files) and ``imagehash.phash`` (8x8 DCT bits, as an unsigned 64-bit
int) of the picture as it is meant to be seen, i.e. after the EXIF
orientation. Nothing is written to disk, nothing is kept, and nothing about
faces is computed: the perceptual hash is a coarse summary of brightness
patterns in the whole picture.

Guard rails, each a :class:`~bot.errors.PhotoError` with a plain sentence:

- size: ``max_bytes`` is checked before anything is decoded;
- decompression bombs: width x height, read from the header by ``Image.open``
  before any pixel is decoded, must not exceed ``max_pixels`` nor Pillow's own
  ``Image.MAX_IMAGE_PIXELS``. So every image for which Pillow would only *warn*
  (``DecompressionBombWarning``) is already refused here, and Pillow's
  ``DecompressionBombError`` is caught too. This module changes no global
  Pillow or ``warnings`` state (``warnings.catch_warnings`` is not thread-safe
  and photos are hashed in worker threads); Pillow's warning may still be
  emitted once for such an image, but it never lets one through;
- formats: JPEG (and MPO), PNG (first frame of APNG), WebP, GIF (first frame)
  and AVIF where this Pillow has it; every other decoder Pillow has stays
  unreachable (``Image.open(formats=...)``). TIFF is left out on purpose: no
  photo workflow needs it, libtiff is a large attack surface and prints its
  warnings straight to stderr. HEIC/HEIF, the iPhone's default, is recognised
  but cannot be decoded: no HEIF plugin is installed;
- truncated or damaged files are refused: ``ImageFile.LOAD_TRUNCATED_IMAGES``
  must stay False (a RuntimeError says so if something turned it on);
- tiny images (under 32 px a side) and flat ones (one colour) are refused:
  their hash would match unrelated pictures.

Modes: palette and alpha images are flattened onto white (as an export to JPEG
would); 16-bit grey keeps its top 8 bits; CMYK, YCbCr and the rest go through
Pillow's RGB conversion; LAB uses its lightness channel.
"""

from __future__ import annotations

import hashlib
import io
import logging
from dataclasses import dataclass

import imagehash
import numpy as np
from PIL import ExifTags, Image, ImageFile, UnidentifiedImageError, features

from .errors import PhotoError

__all__ = [
    "ACCEPTED_FORMATS",
    "MIN_SIDE",
    "ImageHashes",
    "hamming",
    "hash_image",
    "phash_from_hex",
    "phash_hex",
]

log = logging.getLogger(__name__)

MIN_SIDE = 32            # pHash works on 32x32; smaller images carry too little
FLAT_STDDEV = 1.0        # grey-level spread below which a picture is one flat colour
_MASK64 = (1 << 64) - 1

ACCEPTED_FORMATS: tuple[str, ...] = ("JPEG", "PNG", "WEBP", "GIF") + (
    ("AVIF",) if features.check("avif") else ())
_FORMAT_NAMES = "JPEG, PNG, WebP or GIF" + (" (or AVIF)" if "AVIF" in ACCEPTED_FORMATS else "")

# EXIF orientation -> the transpose that makes the picture upright (as ImageOps.exif_transpose)
_UPRIGHT = {
    2: Image.Transpose.FLIP_LEFT_RIGHT,
    3: Image.Transpose.ROTATE_180,
    4: Image.Transpose.FLIP_TOP_BOTTOM,
    5: Image.Transpose.TRANSPOSE,
    6: Image.Transpose.ROTATE_270,
    7: Image.Transpose.TRANSVERSE,
    8: Image.Transpose.ROTATE_90,
}
# what the decoders raise on damaged data (libavif's decoder raises RuntimeError)
_DAMAGED = (OSError, SyntaxError, ValueError, EOFError, IndexError, KeyError, TypeError,
            ZeroDivisionError, OverflowError, RuntimeError)


@dataclass(frozen=True)
class ImageHashes:
    """The keys an uploaded photo can match on."""

    sha256: str     # hex, of the exact bytes
    md5: str        # hex, of the exact bytes
    phash: int      # unsigned 64-bit perceptual hash (imagehash.phash, EXIF-upright)

    @property
    def phash_hex(self) -> str:
        return phash_hex(self.phash)


def hash_image(data: bytes, *, max_bytes: int, max_pixels: int) -> ImageHashes:
    """Hash an image held in memory; raises PhotoError when it cannot be checked."""
    if not isinstance(data, (bytes, bytearray, memoryview)):
        raise PhotoError("A photo must be sent as a file of bytes.")
    data = bytes(data)
    if not data:
        raise PhotoError("The file is empty.")
    if len(data) > max_bytes:
        # callers read at most max_bytes + 1, so the length here says "over", not the size
        raise PhotoError(
            f"The file is larger than {_megabytes(max_bytes)}, the most that can be checked. "
            "Please send a smaller copy of the photo.")
    if ImageFile.LOAD_TRUNCATED_IMAGES:
        raise RuntimeError("PIL.ImageFile.LOAD_TRUNCATED_IMAGES must stay False: truncated "
                           "uploads would be hashed as if they were whole")
    sha256 = hashlib.sha256(data).hexdigest()
    md5 = hashlib.md5(data, usedforsecurity=False).hexdigest()
    gray = _decode_upright_gray(data, max_pixels)
    _refuse_flat(gray)
    value = int(str(imagehash.phash(gray, hash_size=8)), 16)
    log.debug("photo hashed: sha256 %s phash %016x", sha256[:16], value)
    return ImageHashes(sha256=sha256, md5=md5, phash=value)


def hamming(a: int, b: int) -> int:
    """Bits that differ between two 64-bit hashes."""
    return ((a ^ b) & _MASK64).bit_count()


def phash_hex(value: int) -> str:
    """16 hex digits, the same spelling as ``str(imagehash.ImageHash)``."""
    if not 0 <= value <= _MASK64:
        raise ValueError("a pHash is an unsigned 64-bit number")
    return f"{value:016x}"


def phash_from_hex(text: str) -> int:
    """The number behind 16 hex digits; ValueError for anything else."""
    text = text.strip()
    if len(text) != 16 or any(ch not in "0123456789abcdefABCDEF" for ch in text):
        raise ValueError("a pHash in hex is exactly 16 hex digits")
    return int(text, 16)


# --- decoding -------------------------------------------------------------------------

def _decode_upright_gray(data: bytes, max_pixels: int) -> Image.Image:
    """The first frame, upright, as 8-bit grey ("L"), after every guard rail."""
    try:
        with Image.open(io.BytesIO(data), formats=ACCEPTED_FORMATS) as im:
            _check_dimensions(im.size, max_pixels)
            im.load()
            orientation = _orientation(im)
            gray = _to_gray(im)
    except PhotoError:
        raise
    except Image.DecompressionBombError:
        raise PhotoError(
            "The image declares more pixels than can safely be decoded; it looks like a "
            "decompression bomb.") from None
    except UnidentifiedImageError:
        raise PhotoError(_unreadable_message(data)) from None
    except MemoryError:
        raise PhotoError("The image is too large to decode here.") from None
    except _DAMAGED:
        raise PhotoError(
            "The image file is damaged or incomplete (it ends early or has broken data). "
            "Please send the original file again.") from None
    method = _UPRIGHT.get(orientation)
    if method is not None:
        gray = gray.transpose(method)
    return gray


def _check_dimensions(size: tuple[int, int], max_pixels: int) -> None:
    width, height = size
    pixels = width * height
    limit = max_pixels
    if Image.MAX_IMAGE_PIXELS is not None:
        limit = min(limit, Image.MAX_IMAGE_PIXELS)
    if pixels > limit:
        raise PhotoError(
            f"The image is {width} × {height} pixels ({pixels / 1e6:.0f} megapixels); images "
            f"up to {limit / 1e6:.0f} megapixels can be checked. Please send a smaller copy.")
    if min(width, height) < MIN_SIDE:
        raise PhotoError(
            f"The image is only {width} × {height} pixels; at least {MIN_SIDE} pixels on each "
            "side are needed to compare it.")


def _orientation(im: Image.Image) -> int:
    """EXIF (or XMP) orientation 1-8; 1 when absent or unreadable."""
    try:
        value = im.getexif().get(ExifTags.Base.Orientation, 1)
    except _DAMAGED:
        log.debug("photo: unreadable EXIF block, orientation taken as upright")
        return 1
    return value if isinstance(value, int) and value in range(1, 9) else 1


def _to_gray(im: Image.Image) -> Image.Image:
    """8-bit grey of any mode, transparent parts on white."""
    mode = im.mode
    if mode == "L":
        return im.copy()
    if mode.startswith("I;16"):
        arr = np.asarray(im, dtype=np.uint16)
        return Image.fromarray((arr >> 8).astype(np.uint8), "L")
    if mode in ("I", "F"):
        arr = np.asarray(im, dtype=np.float64)
        top = float(arr.max()) if arr.size else 0.0
        scale = 255.0 if (mode == "F" and top <= 1.0) else (1 / 257 if top > 255 else 1.0)
        return Image.fromarray(np.clip(arr * scale, 0, 255).astype(np.uint8), "L")
    if mode == "LAB":
        return im.getchannel("L")
    if mode in ("RGBA", "LA", "PA", "La", "RGBa") or (
            mode == "P" and "transparency" in im.info) or (
            mode == "RGB" and "transparency" in im.info):
        rgba = im.convert("RGBA")
        white = Image.new("RGBA", rgba.size, (255, 255, 255, 255))
        return Image.alpha_composite(white, rgba).convert("L")
    if mode in ("RGB", "1"):
        return im.convert("L")
    return im.convert("RGB").convert("L")


def _refuse_flat(gray: Image.Image) -> None:
    small = np.asarray(gray.resize((32, 32), Image.Resampling.BOX), dtype=np.float32)
    if float(small.std()) < FLAT_STDDEV:
        raise PhotoError("The image is a single flat colour, so there is nothing to compare.")


_SIGNATURES = (b"\xff\xd8\xff", b"\x89PNG\r\n\x1a\n", b"GIF87a", b"GIF89a")


def _unreadable_message(data: bytes) -> str:
    head = data[:64]
    if head.startswith(_SIGNATURES) or (head[:4] == b"RIFF" and head[8:12] == b"WEBP"):
        return ("The image file is damaged or incomplete (it ends early or has broken data). "
                "Please send the original file again.")
    if head[4:8] == b"ftyp" and head[8:12] in (b"heic", b"heix", b"hevc", b"hevx", b"mif1",
                                                b"msf1", b"heim", b"heis"):
        return ("HEIC/HEIF photos (the iPhone's default format) cannot be read here. Please "
                "export the photo as JPEG, or share it as a photo rather than as a file, "
                "which converts it.")
    if head.lstrip().startswith((b"<svg", b"<?xml")):
        return f"Drawings (SVG) cannot be checked. Please send a {_FORMAT_NAMES} photo."
    if head.startswith(b"%PDF"):
        return f"That is a PDF, not a photo. Please send a {_FORMAT_NAMES} photo."
    return f"That file is not an image that can be checked. Please send a {_FORMAT_NAMES} photo."


def _megabytes(n: int) -> str:
    return f"{n / (1024 * 1024):.1f} MB"
