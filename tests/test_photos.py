"""hash_image on real images made in the test: robustness, orientation, guard rails."""

from __future__ import annotations

import builtins
import hashlib
import io
import itertools
import os
import shutil
import subprocess
import sys
import threading
import warnings

import imagehash
import numpy as np
import pytest
from PIL import Image, ImageFile, ImageOps

from bot.errors import InputError, PhotoError
from bot.photos import (ACCEPTED_FORMATS, MIN_SIDE, ImageHashes, hamming, hash_image,
                        phash_from_hex, phash_hex)
from tests.imaging import (encode, jpeg_bytes, make_photo, png_bomb, png_bytes, png_declaring,
                           telegram_recompress, truncated, with_orientation)

LIMITS = {"max_bytes": 20 * 1024 * 1024, "max_pixels": 50_000_000}
# What the measurements in docs and telegram.md support: recompression moves a
# pHash by 0-2 bits; unrelated photos sit around 32 bits apart, rarely under 20.
RECOMPRESSION_BOUND = 6
UNRELATED_FLOOR = 16


def phash_of(data: bytes) -> int:
    return hash_image(data, **LIMITS).phash


@pytest.fixture(scope="module")
def photos() -> list[Image.Image]:
    return [make_photo(seed) for seed in range(10)]


@pytest.fixture(scope="module")
def photo() -> Image.Image:
    return make_photo(1234)


# --- what is hashed -------------------------------------------------------------------

def test_file_hashes_are_of_the_exact_bytes(photo):
    data = jpeg_bytes(photo)
    hashes = hash_image(data, **LIMITS)
    assert hashes.sha256 == hashlib.sha256(data).hexdigest()
    assert hashes.md5 == hashlib.md5(data).hexdigest()
    assert isinstance(hashes, ImageHashes) and 0 <= hashes.phash < 2**64
    # a single changed byte in a JPEG comment: other file hashes, same picture
    other = jpeg_bytes(photo, comment=b"x")
    assert hash_image(other, **LIMITS).sha256 != hashes.sha256
    assert hash_image(other, **LIMITS).phash == hashes.phash


def test_phash_is_imagehash_phash_of_the_picture(photo):
    data = png_bytes(photo.resize((640, 480)))
    expected = imagehash.phash(Image.open(io.BytesIO(data)), hash_size=8)
    hashes = hash_image(data, **LIMITS)
    assert hashes.phash == int(str(expected), 16)
    assert hashes.phash_hex == str(expected)
    assert imagehash.hex_to_hash(phash_hex(hashes.phash)) == expected


def test_bytearray_and_memoryview_are_accepted(photo):
    data = png_bytes(photo.resize((200, 150)))
    assert hash_image(bytearray(data), **LIMITS) == hash_image(memoryview(data), **LIMITS)


# --- robustness: what Telegram does, and what unrelated photos look like -----------------

def test_telegram_recompression_moves_the_hash_a_few_bits(photos):
    distances = []
    for img in photos:
        original = jpeg_bytes(img, quality=92)
        sent = telegram_recompress(original)
        with Image.open(io.BytesIO(sent)) as im:
            assert max(im.size) == 1280 and "exif" not in im.info
        distances.append(hamming(phash_of(original), phash_of(sent)))
    assert max(distances) <= RECOMPRESSION_BOUND, distances


def test_unrelated_photos_are_far_apart(photos):
    hashes = [phash_of(jpeg_bytes(img)) for img in photos]
    distances = [hamming(a, b) for a, b in itertools.combinations(hashes, 2)]
    assert min(distances) >= UNRELATED_FLOOR, sorted(distances)[:5]
    assert 24 <= float(np.median(distances)) <= 40


def test_a_recompressed_photo_is_nearer_its_original_than_any_other(photos):
    originals = [phash_of(jpeg_bytes(img)) for img in photos]
    for i, img in enumerate(photos[:5]):
        sent = phash_of(telegram_recompress(jpeg_bytes(img)))
        nearest = min(range(len(originals)), key=lambda j: hamming(sent, originals[j]))
        assert nearest == i


def test_downscaling_and_format_changes_keep_the_hash_close(photo):
    photo = photo.resize((1000, 750), Image.Resampling.LANCZOS)
    reference = phash_of(png_bytes(photo, compress_level=1))
    variants = {
        "jpeg q60": jpeg_bytes(photo, quality=60),
        "webp q75": encode(photo, "WEBP", quality=75),
        "half size": png_bytes(photo.resize((500, 375), Image.Resampling.LANCZOS)),
        "320 px": jpeg_bytes(photo.resize((320, 240), Image.Resampling.BILINEAR), quality=85),
        "grey": png_bytes(photo.convert("L"), compress_level=1),
    }
    for name, data in variants.items():
        assert hamming(reference, phash_of(data)) <= RECOMPRESSION_BOUND, name


# --- EXIF orientation -----------------------------------------------------------------

@pytest.mark.parametrize("orientation", range(2, 9))
def test_exif_orientation_is_applied_before_hashing(photo, orientation):
    upright = photo.resize((480, 360))
    stored_png = with_orientation(upright, orientation, "PNG")
    # lossless: the upright picture hashes exactly like the sideways one plus its tag
    assert phash_of(stored_png) == phash_of(png_bytes(upright))
    # and exactly as Pillow's own exif_transpose would have it
    via_pillow = imagehash.phash(ImageOps.exif_transpose(Image.open(io.BytesIO(stored_png))))
    assert phash_of(stored_png) == int(str(via_pillow), 16)
    # JPEG: the same within compression noise; ignoring the tag would be far off
    stored_jpeg = with_orientation(upright, orientation, "JPEG", quality=92)
    assert hamming(phash_of(stored_jpeg), phash_of(jpeg_bytes(upright, quality=92))) <= 4
    if orientation in (3, 5, 6, 7, 8):  # a rotation, not just a mirror along one axis
        raw = imagehash.phash(Image.open(io.BytesIO(stored_jpeg)))
        assert hamming(int(str(raw), 16), phash_of(stored_jpeg)) >= UNRELATED_FLOOR


def test_rotated_phone_photo_matches_its_telegram_copy(photo):
    sideways = with_orientation(photo, 6, "JPEG", quality=90)  # how phones store portrait shots
    sent = telegram_recompress(sideways)                       # Telegram applies and strips EXIF
    assert hamming(phash_of(sideways), phash_of(sent)) <= RECOMPRESSION_BOUND


@pytest.mark.filterwarnings("ignore:Corrupt EXIF data")
def test_broken_exif_is_ignored_not_fatal(photo):
    data = jpeg_bytes(photo.resize((320, 240)), exif=b"Exif\x00\x00MM\x00*\xff\xff\xff\xff")
    assert phash_of(data) == phash_of(jpeg_bytes(photo.resize((320, 240))))


# --- formats and modes ----------------------------------------------------------------

def test_accepted_formats_hash_like_the_original(photo):
    small = photo.resize((400, 300), Image.Resampling.LANCZOS)
    reference = phash_of(png_bytes(small))
    cases = {
        "jpeg": jpeg_bytes(small),
        "jpeg grey": jpeg_bytes(small.convert("L")),
        "jpeg cmyk": jpeg_bytes(small.convert("CMYK")),
        "png palette": png_bytes(small.quantize(256)),
        "png rgba opaque": png_bytes(small.convert("RGBA")),
        "png la": png_bytes(small.convert("LA")),
        "png 1-bit dithered": png_bytes(small.convert("1")),
        "webp lossless": encode(small, "WEBP", lossless=True),
        "gif": encode(small, "GIF"),
        "apng": encode(small, "PNG", save_all=True, append_images=[small.rotate(90)]),
    }
    if "AVIF" in ACCEPTED_FORMATS:
        cases["avif"] = encode(small, "AVIF", quality=90)
    for name, data in cases.items():
        limit = 14 if "1-bit" in name else RECOMPRESSION_BOUND
        assert hamming(reference, phash_of(data)) <= limit, name


def test_sixteen_bit_grey_keeps_its_top_bits(photo):
    grey = photo.resize((300, 200)).convert("L")
    wide = np.asarray(grey, dtype=np.uint16) * 257            # 0..255 -> 0..65535
    png16 = png_bytes(Image.fromarray(wide))
    with Image.open(io.BytesIO(png16)) as im:
        assert im.mode.startswith("I")
    assert phash_of(png16) == phash_of(png_bytes(grey))


def test_transparency_is_flattened_onto_white(photo):
    rgb = photo.resize((300, 200))
    rgba = rgb.convert("RGBA")
    alpha = Image.new("L", rgba.size, 255)
    alpha.paste(0, (0, 0, 150, 200))                           # left half see-through
    rgba.putalpha(alpha)
    flattened = rgb.copy()
    flattened.paste((255, 255, 255), (0, 0, 150, 200))
    assert phash_of(png_bytes(rgba)) == phash_of(png_bytes(flattened))
    assert hamming(phash_of(png_bytes(rgba)), phash_of(png_bytes(rgb))) > 0


def test_palette_transparency_is_flattened_too(photo):
    pal = photo.resize((300, 200)).quantize(64)
    opaque = png_bytes(pal.convert("RGB"))
    commonest = int(np.bincount(np.asarray(pal).ravel()).argmax())
    pal.info["transparency"] = commonest            # that palette entry is see-through
    data = png_bytes(pal)
    with Image.open(io.BytesIO(data)) as im:
        assert im.mode == "P" and im.info.get("transparency") == commonest
    flattened = Image.alpha_composite(Image.new("RGBA", pal.size, "white"), pal.convert("RGBA"))
    assert hash_image(data, **LIMITS).phash == phash_of(png_bytes(flattened.convert("RGB")))
    assert hash_image(data, **LIMITS).phash != phash_of(opaque)


def test_animated_gif_hashes_its_first_frame(photos):
    first, second = (p.resize((320, 240)) for p in photos[:2])
    buf = io.BytesIO()
    first.save(buf, "GIF", save_all=True, append_images=[second], duration=100, loop=0)
    assert phash_of(buf.getvalue()) == phash_of(encode(first, "GIF"))


@pytest.mark.parametrize("fmt", ["TIFF", "BMP", "ICO", "PPM", "TGA", "PCX", "JPEG2000", "SGI"])
def test_formats_outside_the_list_are_refused(photo, fmt):
    data = encode(photo.resize((64, 64)), fmt)
    with pytest.raises(PhotoError, match="not an image that can be checked"):
        hash_image(data, **LIMITS)


# --- guard rails ----------------------------------------------------------------------

def test_oversized_file_is_refused_before_decoding():
    data = b"\xff\xd8\xff" + os.urandom(2048)   # not even a valid JPEG: size comes first
    with pytest.raises(PhotoError) as caught:
        hash_image(data, max_bytes=1024, max_pixels=LIMITS["max_pixels"])
    assert "1.0 MB" not in str(caught.value) and "MB" in str(caught.value)
    assert "smaller copy" in str(caught.value)


def test_a_capped_read_is_not_reported_as_the_files_size():
    """Readers pass at most max_bytes + 1 bytes: a 30 MB file was reported as "The file is
    20.0 MB; files up to 20.0 MB can be checked"."""
    cap = 20 * 1024 * 1024
    with pytest.raises(PhotoError) as caught:
        hash_image(b"\xff\xd8\xff" + bytes(cap - 2), max_bytes=cap, max_pixels=LIMITS["max_pixels"])
    assert str(caught.value).startswith("The file is larger than 20.0 MB, the most that can be")


def test_decompression_bomb_is_refused_before_its_pixels_are_decoded():
    bomb = png_bomb(20_000, 20_000)                  # 400 megapixels in ~50 kB
    assert len(bomb) < 200_000
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", Image.DecompressionBombWarning)
        with pytest.raises(PhotoError) as caught:
            hash_image(bomb, **LIMITS)
    assert "megapixels" in str(caught.value) or "decompression bomb" in str(caught.value)


def test_bomb_under_pillows_limit_is_caught_by_max_pixels():
    bomb = png_bomb(8_000, 8_000)                    # 64 megapixels: Pillow would decode it
    with warnings.catch_warnings():
        warnings.simplefilter("error")               # and Pillow does not even warn
        with pytest.raises(PhotoError, match=r"8000 × 8000 pixels \(64 megapixels\)"):
            hash_image(bomb, **LIMITS)


def test_header_declaring_huge_dimensions_is_a_bomb():
    with pytest.raises(PhotoError, match="decompression bomb"):
        hash_image(png_declaring(100_000, 100_000), **LIMITS)  # above Pillow's hard limit


def test_gif_declaring_a_huge_screen_is_a_bomb():
    header = b"GIF89a" + (65535).to_bytes(2, "little") * 2 + b"\x00\x00\x00"
    gif = header + b",\x00\x00\x00\x00\x01\x00\x01\x00\x00\x02\x02D\x01\x00;"
    with pytest.raises(PhotoError, match="decompression bomb"):
        hash_image(gif, **LIMITS)


def test_max_pixels_setting_is_the_limit(photo):
    data = jpeg_bytes(photo)                          # 1600 x 1200 = 1.92 megapixels
    with pytest.raises(PhotoError, match=r"1600 × 1200 pixels"):
        hash_image(data, max_bytes=LIMITS["max_bytes"], max_pixels=1_000_000)
    assert hash_image(data, max_bytes=LIMITS["max_bytes"], max_pixels=2_000_000)


@pytest.mark.filterwarnings("ignore::PIL.Image.DecompressionBombWarning")
def test_pillow_limit_caps_a_generous_setting(monkeypatch, photo):
    monkeypatch.setattr(Image, "MAX_IMAGE_PIXELS", 1_000_000)
    with pytest.raises(PhotoError, match="megapixels"):
        hash_image(jpeg_bytes(photo), max_bytes=LIMITS["max_bytes"], max_pixels=400_000_000)


@pytest.mark.parametrize("fraction", [0.05, 0.3, 0.6, 0.9, 0.98])
@pytest.mark.parametrize("fmt", ["JPEG", "PNG", "WEBP", "GIF"])
def test_truncated_files_are_refused(photo, fmt, fraction):
    whole = encode(photo.resize((400, 300)), fmt)
    with pytest.raises(PhotoError) as caught:
        hash_image(truncated(whole, fraction), **LIMITS)
    assert any(word in str(caught.value) for word in ("damaged", "not an image"))


def test_truncated_jpeg_missing_only_its_last_scan_bytes(photo):
    whole = jpeg_bytes(photo.resize((400, 300)))
    with pytest.raises(PhotoError, match="damaged or incomplete"):
        hash_image(whole[:-200], **LIMITS)


def test_corrupted_png_data_is_refused(photo):
    data = bytearray(png_bytes(photo.resize((200, 150))))
    middle = len(data) // 2
    data[middle:middle + 64] = os.urandom(64)
    with pytest.raises(PhotoError, match="damaged"):
        hash_image(bytes(data), **LIMITS)


def test_loading_truncated_images_must_stay_off(monkeypatch, photo):
    monkeypatch.setattr(ImageFile, "LOAD_TRUNCATED_IMAGES", True)
    with pytest.raises(RuntimeError, match="LOAD_TRUNCATED_IMAGES"):
        hash_image(jpeg_bytes(photo.resize((100, 100))), **LIMITS)


@pytest.mark.parametrize(("data", "fragment"), [
    (b"", "empty"),
    (b"hello, this is text and not a photo", "not an image"),
    (bytes(range(256)) * 4, "not an image"),
    (b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n", "PDF"),
    (b'<svg xmlns="http://www.w3.org/2000/svg" width="10" height="10"/>', "SVG"),
    (b"\x00\x00\x00\x18ftypheic\x00\x00\x00\x00mif1heic" + b"\x00" * 64, "HEIC"),
    (b"\x00\x00\x00\x1cftypmif1\x00\x00\x00\x00mif1heic" + b"\x00" * 64, "HEIC"),
    (b"\xff\xd8\xff\xe0" + b"\x00" * 100, "damaged"),     # a JPEG start and nothing else
    (b"\x89PNG\r\n\x1a\n" + b"\x00" * 50, "damaged"),
    (b"RIFF\x10\x00\x00\x00WEBPVP8 " + b"\x00" * 20, "damaged"),
])
def test_non_images_get_a_plain_message(data, fragment):
    with pytest.raises(PhotoError) as caught:
        hash_image(data, **LIMITS)
    assert fragment.lower() in str(caught.value).lower()
    assert isinstance(caught.value, InputError)


def test_text_instead_of_bytes_is_refused():
    with pytest.raises(PhotoError):
        hash_image("not bytes", **LIMITS)  # type: ignore[arg-type]


def test_tiny_images_are_refused_small_ones_accepted(photo):
    with pytest.raises(PhotoError, match="at least 32 pixels"):
        hash_image(png_bytes(photo.resize((20, 20))), **LIMITS)
    with pytest.raises(PhotoError, match="at least 32 pixels"):
        hash_image(png_bytes(photo.resize((4000, 8))), **LIMITS)
    assert hash_image(png_bytes(photo.resize((MIN_SIDE, MIN_SIDE))), **LIMITS)


def test_flat_images_are_refused():
    for colour in ("white", "black", (120, 30, 200)):
        with pytest.raises(PhotoError, match="flat colour"):
            hash_image(png_bytes(Image.new("RGB", (300, 200), colour)), **LIMITS)


@pytest.mark.parametrize("fmt", ["JPEG", "PNG", "WEBP", "GIF"] + (
    ["AVIF"] if "AVIF" in ACCEPTED_FORMATS else []))
def test_mutated_files_only_ever_give_photo_errors(photo, fmt):
    """Random byte changes and cuts: a hash or a PhotoError, never another exception."""
    base = encode(photo.resize((160, 120)), fmt)
    rng = np.random.default_rng(sum(map(ord, fmt)))
    outcomes = {"hashed": 0, "refused": 0}
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        for _ in range(60):
            data = bytearray(base)
            for _ in range(int(rng.integers(1, 10))):
                data[int(rng.integers(0, len(data)))] = int(rng.integers(0, 256))
            if rng.random() < 0.3:
                data = data[: int(rng.integers(1, len(data)))]
            try:
                hash_image(bytes(data), **LIMITS)
                outcomes["hashed"] += 1
            except PhotoError:
                outcomes["refused"] += 1
    assert outcomes["refused"] > 0 and sum(outcomes.values()) == 60


# --- in memory, no global state ---------------------------------------------------------

STRACE_SCRIPT = """
import os, sys
from bot.photos import hash_image
from tests.imaging import encode, make_photo
img = make_photo(3, (400, 300))
files = [encode(img, f) for f in ("JPEG", "PNG", "WEBP", "GIF")]
limits = dict(max_bytes=10**7, max_pixels=10**7)
for data in files:
    hash_image(data, **limits)              # first round: imports, plugin loading
os.write(2, b"<<<HASHING>>>\\n")
for data in files:
    hash_image(data, **limits)
os.write(2, b"<<<DONE>>>\\n")
"""


def test_hashing_makes_no_file_system_calls_at_all(tmp_path, project_root):
    """Under strace: between the marks, no open, write, rename or unlink of any file."""
    strace = shutil.which("strace")
    if strace is None:
        pytest.skip("strace is not installed")
    trace = tmp_path / "trace.txt"
    result = subprocess.run(
        [strace, "-f", "-qq", "-o", str(trace), "-e",
         "trace=open,openat,creat,write,rename,renameat,unlink,unlinkat,mkdir,truncate",
         sys.executable, "-c", STRACE_SCRIPT],
        cwd=project_root, capture_output=True, text=True, timeout=120)
    if result.returncode != 0 and "ptrace" in result.stderr.lower():
        pytest.skip("strace cannot trace here: " + result.stderr.strip()[:200])
    assert result.returncode == 0, result.stderr[-2000:]
    lines = trace.read_text().splitlines()
    start = next(i for i, line in enumerate(lines) if "<<<HASHING>>>" in line)
    end = next(i for i, line in enumerate(lines) if "<<<DONE>>>" in line)
    calls = [line for line in lines[start + 1:end] if "exited with" not in line]
    assert calls == []


def test_hashing_never_opens_a_file(monkeypatch, photo):
    data = jpeg_bytes(photo)
    expected = hash_image(data, **LIMITS)             # plugins imported, caches warm

    def refuse(*args, **kwargs):
        raise AssertionError(f"hash_image tried to open a file: {args[:1]}")

    monkeypatch.setattr(builtins, "open", refuse)
    monkeypatch.setattr(os, "open", refuse)
    assert hash_image(data, **LIMITS) == expected


def test_no_global_pillow_or_warnings_state_changes(photo):
    filters = list(warnings.filters)
    limit = Image.MAX_IMAGE_PIXELS
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", Image.DecompressionBombWarning)
        inner_filters = list(warnings.filters)
        for data in (png_bomb(10_000, 10_000), png_declaring(100_000, 100_000), b"junk"):
            with pytest.raises(PhotoError):
                hash_image(data, **LIMITS)
        assert warnings.filters == inner_filters
    assert warnings.filters == filters
    assert Image.MAX_IMAGE_PIXELS == limit and ImageFile.LOAD_TRUNCATED_IMAGES is False


def test_threads_hash_consistently(photos):
    inputs = [jpeg_bytes(p.resize((640, 480))) for p in photos[:4]]
    expected = [hash_image(d, **LIMITS) for d in inputs]
    results: dict[int, list[ImageHashes]] = {}

    def work(n: int) -> None:
        results[n] = [hash_image(d, **LIMITS) for d in inputs]

    threads = [threading.Thread(target=work, args=(n,)) for n in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert all(r == expected for r in results.values()) and len(results) == 4


# --- helpers --------------------------------------------------------------------------

def test_hamming():
    assert hamming(0, 0) == 0
    assert hamming(0, 2**64 - 1) == 64
    assert hamming(0b1011, 0b0001) == 2 == hamming(0b0001, 0b1011)
    assert hamming(1 << 63, 0) == 1


def test_phash_hex_round_trip():
    for value in (0, 1, 0xDEADBEEF, 2**64 - 1):
        text = phash_hex(value)
        assert len(text) == 16 and phash_from_hex(text) == value
    assert phash_from_hex("FFFFFFFFFFFFFFFF") == 2**64 - 1
    for bad in ("", "123", "g" * 16, "0x" + "0" * 14, "0" * 17):
        with pytest.raises(ValueError):
            phash_from_hex(bad)
    with pytest.raises(ValueError):
        phash_hex(-1)
    with pytest.raises(ValueError):
        phash_hex(2**64)
