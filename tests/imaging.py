"""Real images made in the test run, and what Telegram does to them.

Reusable by any test: ``make_photo(seed)`` gives a deterministic, photo-like
RGB picture (smooth colour fields, a light gradient, shapes, grain, slight
blur; every seed a different scene); ``jpeg_bytes``/``png_bytes`` encode it;
``telegram_recompress(data)`` imitates a photo sent to Telegram "as a photo"
(EXIF orientation applied, longest side at most 1280 px, JPEG quality 80,
EXIF stripped); ``with_orientation`` stores a picture sideways with an EXIF
orientation tag that puts it upright again; ``png_bomb`` and
``png_declaring`` make decompression bombs; ``truncated`` cuts a file short.
"""

from __future__ import annotations

import io
import struct
import zlib

import numpy as np
from PIL import Image, ImageDraw, ImageFilter, ImageOps

# The transpose that stores an upright picture so that EXIF orientation N shows it
# upright again (the inverse of what ImageOps.exif_transpose applies).
_STORE_FOR_ORIENTATION = {
    2: Image.Transpose.FLIP_LEFT_RIGHT,
    3: Image.Transpose.ROTATE_180,
    4: Image.Transpose.FLIP_TOP_BOTTOM,
    5: Image.Transpose.TRANSPOSE,
    6: Image.Transpose.ROTATE_90,
    7: Image.Transpose.TRANSVERSE,
    8: Image.Transpose.ROTATE_270,
}


def make_photo(seed: int, size: tuple[int, int] = (1600, 1200)) -> Image.Image:
    """A photo-like RGB image, different for every seed, identical for the same seed."""
    rng = np.random.default_rng(seed)
    width, height = size
    # smooth colour field: a coarse random grid blown up with bicubic interpolation
    grid = (int(rng.integers(3, 9)), int(rng.integers(3, 9)))
    coarse = (rng.random((grid[1], grid[0], 3)) * 255).astype(np.uint8)
    img = Image.fromarray(coarse, "RGB").resize(size, Image.Resampling.BICUBIC)
    # a light gradient in a random direction
    angle = rng.random() * 2 * np.pi
    xs = np.arange(width, dtype=np.float32) * np.float32(np.cos(angle) / width)
    ys = np.arange(height, dtype=np.float32) * np.float32(np.sin(angle) / height)
    ramp = ys[:, None] + xs[None, :]
    arr = np.asarray(img, dtype=np.float32)
    arr += ramp[..., None] * rng.uniform(-60, 60, 3).astype(np.float32)
    img = Image.fromarray(np.clip(arr, 0, 255).astype(np.uint8), "RGB")
    # shapes: ellipses, rectangles and polygons of random colours
    draw = ImageDraw.Draw(img)
    for _ in range(int(rng.integers(4, 12))):
        x0, x1 = sorted(rng.integers(0, width, 2).tolist())
        y0, y1 = sorted(rng.integers(0, height, 2).tolist())
        colour = tuple(int(c) for c in rng.integers(0, 256, 3))
        kind = int(rng.integers(0, 3))
        if kind == 0:
            draw.ellipse((x0, y0, x1 + 1, y1 + 1), fill=colour)
        elif kind == 1:
            draw.rectangle((x0, y0, x1, y1), fill=colour)
        else:
            points = [(int(rng.integers(0, width)), int(rng.integers(0, height)))
                      for _ in range(int(rng.integers(3, 7)))]
            draw.polygon(points, fill=colour)
    # grain, then a slight blur as a lens would give
    arr = np.asarray(img, dtype=np.float32)
    arr += rng.standard_normal((height, width, 3), dtype=np.float32) * 6
    img = Image.fromarray(np.clip(arr, 0, 255).astype(np.uint8), "RGB")
    return img.filter(ImageFilter.GaussianBlur(1.2))


def jpeg_bytes(img: Image.Image, quality: int = 92, **options: object) -> bytes:
    buf = io.BytesIO()
    img.save(buf, "JPEG", quality=quality, **options)
    return buf.getvalue()


def png_bytes(img: Image.Image, **options: object) -> bytes:
    buf = io.BytesIO()
    img.save(buf, "PNG", **options)
    return buf.getvalue()


def encode(img: Image.Image, fmt: str, **options: object) -> bytes:
    buf = io.BytesIO()
    img.save(buf, fmt, **options)
    return buf.getvalue()


def telegram_recompress(data: bytes, *, longest: int = 1280, quality: int = 80) -> bytes:
    """What a photo looks like after Telegram's "send as photo" round trip.

    EXIF orientation applied, the longest side brought down to ``longest`` px
    (never up), JPEG at ``quality`` with 4:2:0 chroma subsampling, no EXIF.
    """
    with Image.open(io.BytesIO(data)) as im:
        img = ImageOps.exif_transpose(im).convert("RGB")
    if max(img.size) > longest:
        scale = longest / max(img.size)
        new_size = (max(1, round(img.width * scale)), max(1, round(img.height * scale)))
        img = img.resize(new_size, Image.Resampling.LANCZOS)
    return jpeg_bytes(img, quality=quality, subsampling="4:2:0")


def with_orientation(img: Image.Image, orientation: int, fmt: str = "JPEG",
                     **options: object) -> bytes:
    """``img`` stored so that EXIF orientation ``orientation`` shows it upright."""
    stored = img.transpose(_STORE_FOR_ORIENTATION[orientation]) if orientation != 1 else img
    exif = Image.Exif()
    exif[0x0112] = orientation
    return encode(stored, fmt, exif=exif.tobytes(), **options)


def _png_chunk(kind: bytes, payload: bytes) -> bytes:
    return (struct.pack(">I", len(payload)) + kind + payload
            + struct.pack(">I", zlib.crc32(kind + payload) & 0xFFFFFFFF))


def png_bomb(width: int, height: int) -> bytes:
    """A complete, valid 1-bit PNG of ``width`` x ``height`` black pixels.

    All zeros compress about 1000:1, so 20000 x 20000 (400 megapixels, 50 MB
    decoded as bits, 400 MB as 8-bit grey) is a file of about 50 kB."""
    row = b"\x00" * (1 + (width + 7) // 8)   # filter byte + packed bits
    compressor = zlib.compressobj(9)
    parts = []
    batch = row * 256
    for _ in range(height // 256):
        parts.append(compressor.compress(batch))
    parts.append(compressor.compress(row * (height % 256)))
    parts.append(compressor.flush())
    ihdr = struct.pack(">IIBBBBB", width, height, 1, 0, 0, 0, 0)
    return (b"\x89PNG\r\n\x1a\n" + _png_chunk(b"IHDR", ihdr)
            + _png_chunk(b"IDAT", b"".join(parts)) + _png_chunk(b"IEND", b""))


def png_declaring(width: int, height: int) -> bytes:
    """A tiny PNG whose header declares ``width`` x ``height`` but carries one row."""
    ihdr = struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0)
    idat = zlib.compress(b"\x00" * (1 + min(width, 4096)))
    return (b"\x89PNG\r\n\x1a\n" + _png_chunk(b"IHDR", ihdr) + _png_chunk(b"IDAT", idat)
            + _png_chunk(b"IEND", b""))


def truncated(data: bytes, fraction: float) -> bytes:
    """The first ``fraction`` of the file."""
    return data[: max(1, int(len(data) * fraction))]
