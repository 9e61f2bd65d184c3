"""Tests of headshot_lint.load: every input is made here, in tmp_path, with Pillow/numpy."""

from __future__ import annotations

import dataclasses
import io
import os
import struct
import time
import warnings
import zlib
from pathlib import Path

import cv2
import numpy as np
import pytest
from PIL import Image, ImageCms, ImageFile, JpegImagePlugin
from skimage import data as skdata

from headshot_lint.errors import (
    CorruptImageError,
    EmptyFileError,
    LoadError,
    NotAnImageError,
    TooManyPixelsError,
    UnsupportedImageError,
)
from headshot_lint.load import ANALYSIS_LONG_SIDE, MAX_PIXELS, ImageMeta, Photo, load, load_full

from tests.hostile._make import STORE  # orientation k -> how a camera stores an upright scene


# ---------------------------------------------------------------- helpers


@pytest.fixture(scope="module")
def astronaut() -> Image.Image:
    return Image.fromarray(skdata.astronaut())  # 512x512 RGB photo


@pytest.fixture(scope="module")
def big_jpeg(tmp_path_factory, astronaut) -> str:
    """A 4000x3000 (12 MP) JPEG."""
    path = tmp_path_factory.mktemp("big") / "12mp.jpg"
    astronaut.resize((4000, 3000), Image.Resampling.BILINEAR).save(path, quality=90)
    return str(path)


def _save(im: Image.Image, path, fmt: str | None = None, **kw) -> str:
    im.save(path, fmt, **kw)
    return str(path)


def _encode(im: Image.Image, fmt: str, **kw) -> bytes:
    buf = io.BytesIO()
    im.save(buf, fmt, **kw)
    return buf.getvalue()


def _chunk(ctype: bytes, payload: bytes) -> bytes:
    crc = struct.pack(">I", zlib.crc32(ctype + payload))
    return struct.pack(">I", len(payload)) + ctype + payload + crc


def _crafted_png(w: int, h: int, idat: bytes | None = None) -> bytes:
    """A 1-bit grey PNG that declares w x h but carries almost no data (valid CRCs)."""
    ihdr = struct.pack(">IIBBBBB", w, h, 1, 0, 0, 0, 0)
    idat = zlib.compress(b"\x00" * 64) if idat is None else idat
    chunks = _chunk(b"IHDR", ihdr) + _chunk(b"IDAT", idat) + _chunk(b"IEND", b"")
    return b"\x89PNG\r\n\x1a\n" + chunks


def _mad(a: np.ndarray, b: np.ndarray) -> float:
    return float(np.abs(a.astype(np.float64) - b.astype(np.float64)).mean())


def _s15(x: float) -> bytes:
    return struct.pack(">i", round(x * 65536))


def _adobe_rgb_profile() -> bytes:
    """A minimal ICC v2 matrix/TRC profile with Adobe RGB (1998) primaries (D50-adapted)."""
    def xyz(x, y, z):
        return b"XYZ " + b"\0" * 4 + _s15(x) + _s15(y) + _s15(z)

    text = b"Adobe RGB (1998) test"
    desc = (b"desc" + b"\0" * 4 + struct.pack(">I", len(text) + 1) + text + b"\0"
            + struct.pack(">II", 0, 0) + struct.pack(">HB", 0, 0) + b"\0" * 67)
    curve = b"curv" + b"\0" * 4 + struct.pack(">IH", 1, 563) + b"\0\0"  # gamma 563/256 = 2.2
    tags = [(b"desc", desc), (b"cprt", b"text" + b"\0" * 4 + b"none\0"),
            (b"wtpt", xyz(0.9642, 1.0, 0.8249)), (b"rXYZ", xyz(0.60974, 0.31111, 0.01947)),
            (b"gXYZ", xyz(0.20528, 0.62567, 0.06087)), (b"bXYZ", xyz(0.14919, 0.06322, 0.74457)),
            (b"rTRC", curve), (b"gTRC", curve), (b"bTRC", curve)]
    offset = 128 + 4 + 12 * len(tags)
    table, body = b"", b""
    for sig, payload in tags:
        payload += b"\0" * (-len(payload) % 4)
        table += sig + struct.pack(">II", offset + len(body), len(payload))
        body += payload
    size = offset + len(body)
    header = (struct.pack(">I", size) + b"\0" * 4 + struct.pack(">I", 0x02100000) + b"mntrRGB XYZ "
              + b"\0" * 12 + b"acsp" + b"\0" * 24 + struct.pack(">I", 0)
              + _s15(0.9642) + _s15(1.0) + _s15(0.8249))
    header += b"\0" * (128 - len(header))
    return header + struct.pack(">I", len(tags)) + table + body


def _adobe_to_srgb(rgb8) -> np.ndarray:
    """Reference Adobe RGB -> sRGB by matrix algebra (both through D50 XYZ), 0..255 floats."""
    lin = (np.asarray(rgb8, np.float64) / 255.0) ** (563 / 256)
    adobe = np.array([[0.60974, 0.20528, 0.14919], [0.31111, 0.62567, 0.06322],
                      [0.01947, 0.06087, 0.74457]])
    srgb = np.array([[0.4361, 0.3851, 0.1431], [0.2225, 0.7169, 0.0606], [0.0139, 0.0971, 0.7141]])
    out = np.clip(np.linalg.solve(srgb, adobe @ lin), 0, 1)
    enc = np.where(out <= 0.0031308, 12.92 * out, 1.055 * out ** (1 / 2.4) - 0.055)
    return enc * 255.0


# ---------------------------------------------------------------- orientation


@pytest.mark.parametrize("orientation", range(1, 9))
def test_exif_orientation_jpeg_upright_and_size(tmp_path, astronaut, orientation):
    upright = astronaut.resize((1600, 1200), Image.Resampling.BILINEAR)  # draft halves it
    stored = upright if STORE[orientation] is None else upright.transpose(STORE[orientation])
    exif = Image.Exif()
    exif[0x0112] = orientation
    exif[0x010F] = "TestCam"  # Make: must survive the orientation reset
    ref = load(_save(upright, tmp_path / "ref.jpg", quality=95))
    photo = load(_save(stored, tmp_path / "o.jpg", quality=95, exif=exif.tobytes()))
    assert photo.original_size == (1600, 1200)
    assert photo.rgb.shape == ref.rgb.shape == (480, 640, 3)
    assert _mad(photo.rgb, ref.rgb) < 2.0
    full, meta = load_full(tmp_path / "o.jpg")
    assert full.shape == (1200, 1600, 3) and meta.original_size == (1600, 1200)
    out = Image.Exif()
    out.load(meta.exif)
    assert out[0x0112] == 1 and out[0x010F] == "TestCam"


@pytest.mark.parametrize("orientation", range(1, 9))
def test_exif_orientation_png_is_exact(tmp_path, astronaut, orientation):
    upright = astronaut.crop((0, 0, 200, 120))
    stored = upright if STORE[orientation] is None else upright.transpose(STORE[orientation])
    exif = Image.Exif()
    exif[0x0112] = orientation
    photo = load(_save(stored, tmp_path / "o.png", exif=exif.tobytes()))
    assert photo.original_size == (200, 120)
    np.testing.assert_array_equal(photo.rgb, np.asarray(upright))


def test_exif_orientation_tiff_tag(tmp_path):
    upright = Image.new("RGB", (40, 20), (200, 0, 0))
    upright.paste((0, 0, 200), (0, 0, 20, 20))  # blue left half
    path = _save(upright.transpose(STORE[6]), tmp_path / "o.tif", tiffinfo={0x0112: 6})
    photo = load(path)
    assert photo.original_size == (40, 20) and photo.format == "TIFF"
    np.testing.assert_array_equal(photo.rgb, np.asarray(upright))


# ---------------------------------------------------------------- reduced decode


def test_large_jpeg_reduced_decode_is_close_to_full_decode(big_jpeg, monkeypatch):
    calls = []
    real = JpegImagePlugin.JpegImageFile.draft

    def spy(self, mode, size):
        calls.append(size)
        return real(self, mode, size)

    monkeypatch.setattr(JpegImagePlugin.JpegImageFile, "draft", spy)
    photo = load(big_jpeg)
    assert calls == [(640, 480)]
    assert photo.rgb.shape == (480, 640, 3) and photo.original_size == (4000, 3000)
    assert photo.scale == pytest.approx(0.16)
    with Image.open(big_jpeg) as im:
        full = cv2.resize(np.asarray(im.convert("RGB")), (640, 480), interpolation=cv2.INTER_AREA)
    assert _mad(photo.rgb, full) < 1.5
    assert np.abs(photo.rgb.mean((0, 1)) - full.mean((0, 1))).max() < 1.0


def test_long_side_parameter_and_no_upscaling(astronaut):
    assert load(_encode(astronaut, "PNG"), long_side=320).rgb.shape == (320, 320, 3)
    small = load(_encode(astronaut.resize((100, 80)), "PNG"))
    assert small.rgb.shape == (80, 100, 3) and small.scale == 1.0
    assert ANALYSIS_LONG_SIDE == 640 and MAX_PIXELS == 200_000_000
    with pytest.raises(ValueError):
        load(_encode(astronaut, "PNG"), long_side=0)


# ---------------------------------------------------------------- modes and formats


def _check_rgb(photo: Photo) -> np.ndarray:
    assert photo.rgb.dtype == np.uint8 and photo.rgb.ndim == 3 and photo.rgb.shape[2] == 3
    assert photo.rgb.flags.c_contiguous
    return photo.rgb


def test_grayscale_and_bilevel():
    ramp = np.tile(np.arange(0, 256, 4, dtype=np.uint8), (32, 1))
    rgb = _check_rgb(load(_encode(Image.fromarray(ramp), "PNG")))
    np.testing.assert_array_equal(rgb, np.repeat(ramp[..., None], 3, axis=2))
    bilevel = Image.fromarray(ramp > 127).convert("1")
    rgb = _check_rgb(load(_encode(bilevel, "PNG")))
    assert set(np.unique(rgb)) == {0, 255}


def test_alpha_is_composited_over_mid_grey():
    la = np.zeros((32, 32, 2), np.uint8)
    la[:, :16] = (200, 255)  # opaque left, fully transparent right
    rgb = _check_rgb(load(_encode(Image.fromarray(la, "LA"), "PNG")))
    assert (rgb[:, :16] == 200).all() and (rgb[:, 16:] == 128).all()
    rgba = np.zeros((32, 32, 4), np.uint8)
    rgba[...] = (255, 0, 0, 128)
    rgb = _check_rgb(load(_encode(Image.fromarray(rgba), "PNG")))
    np.testing.assert_allclose(rgb[5, 5], [192, 64, 64], atol=1)


def test_palette_with_transparency():
    idx = np.zeros((32, 32), np.uint8)
    idx[:, 16:] = 1
    im = Image.fromarray(idx, "P")
    im.putpalette([0, 0, 0, 10, 200, 30] + [0] * 762)
    rgb = _check_rgb(load(_encode(im, "PNG", transparency=0)))
    assert (rgb[:, :16] == 128).all() and (rgb[:, 16:] == (10, 200, 30)).all()


def test_cmyk_jpeg_adobe_inverted():
    cmyk = Image.new("CMYK", (32, 32), (255, 0, 0, 0))  # pure cyan
    cmyk.paste((0, 0, 0, 0), (0, 0, 16, 32))  # white on the left
    data = _encode(cmyk, "JPEG", quality=95)
    assert b"Adobe" in data  # Pillow writes Adobe's inverted CMYK, as Photoshop does
    rgb = _check_rgb(load(data))
    np.testing.assert_allclose(rgb[5, 4], [255, 255, 255], atol=3)
    np.testing.assert_allclose(rgb[5, 28], [0, 255, 255], atol=3)


def test_16bit_png_scales_not_clips():
    a = np.full((32, 32), 51400, np.uint16)  # 200 * 257
    a[0, :4] = (65535, 1000, 32896, 0)
    data = _encode(Image.fromarray(a), "PNG")
    with Image.open(io.BytesIO(data)) as im:
        assert im.mode.startswith("I;16")
    rgb = _check_rgb(load(data))
    assert rgb[5, 5].tolist() == [200] * 3
    assert rgb[0, :4, 0].tolist() == [255, 4, 128, 0]  # 1000/257 rounds to 4; a clip gives 255


def test_32bit_int_and_float_tiff():
    f = np.tile(np.linspace(0, 1, 32, dtype=np.float32), (32, 1))
    rgb = _check_rgb(load(_encode(Image.fromarray(f), "TIFF")))
    np.testing.assert_allclose(rgb[0, :, 0], np.rint(f[0] * 255), atol=1)
    i = np.full((32, 32), 50000, np.int32)
    rgb = _check_rgb(load(_encode(Image.fromarray(i), "TIFF")))
    assert rgb[3, 3, 0] == round(50000 / 257)


@pytest.mark.parametrize("fmt, kw", [
    ("WEBP", {"lossless": True}), ("TIFF", {}), ("BMP", {}), ("GIF", {}), ("PNG", {}),
    ("JPEG", {"quality": 95}),
])
def test_formats_load_to_uint8_rgb(astronaut, fmt, kw):
    src = astronaut.resize((128, 96))
    photo = load(_encode(src, fmt, **kw))
    rgb = _check_rgb(photo)
    assert photo.format == fmt and photo.source == "<bytes>" and rgb.shape == (96, 128, 3)
    if fmt == "GIF":  # quantised to 256 colours
        assert _mad(rgb, np.asarray(src)) < 12
    elif fmt == "JPEG":  # lossy, 4:2:0 chroma
        assert _mad(rgb, np.asarray(src)) < 5
    else:  # lossless
        np.testing.assert_array_equal(rgb, np.asarray(src))


@pytest.mark.parametrize("fmt", ["GIF", "WEBP", "TIFF"])
def test_multi_frame_uses_first_frame(fmt):
    frames = [Image.new("RGB", (32, 32), c) for c in ((250, 0, 0), (0, 0, 250), (0, 250, 0))]
    kw = {"lossless": True} if fmt == "WEBP" else {}
    data = _encode(frames[0], fmt, save_all=True, append_images=frames[1:], **kw)
    rgb = _check_rgb(load(data))
    np.testing.assert_allclose(rgb[16, 16], [250, 0, 0], atol=4)


# ---------------------------------------------------------------- ICC


def test_adobe_rgb_profile_is_converted_to_srgb():
    profile = _adobe_rgb_profile()
    ImageCms.ImageCmsProfile(io.BytesIO(profile))  # LittleCMS accepts it
    colour, grey = (200, 100, 50), (128, 128, 128)
    im = Image.new("RGB", (32, 32), colour)
    im.paste(grey, (0, 0, 16, 32))
    data = _encode(im, "PNG", icc_profile=profile)
    rgb = _check_rgb(load(data))
    np.testing.assert_allclose(rgb[5, 24], _adobe_to_srgb(colour), atol=2.5)
    assert np.abs(rgb[5, 24].astype(int) - colour).max() > 10  # it did change
    assert np.ptp(rgb[5, 4].astype(int)) <= 1  # neutral stays neutral
    full, meta = load_full(data)
    assert meta.icc_profile == profile and full.shape == (32, 32, 3)
    np.testing.assert_array_equal(full, rgb)


def test_srgb_profile_leaves_pixels_and_a_broken_profile_is_ignored(astronaut):
    src = astronaut.resize((64, 64))
    srgb = ImageCms.ImageCmsProfile(ImageCms.createProfile("sRGB")).tobytes()
    for profile in (srgb, b"definitely not an ICC profile"):
        photo = load(_encode(src, "PNG", icc_profile=profile))
        np.testing.assert_array_equal(photo.rgb, np.asarray(src))


# ---------------------------------------------------------------- errors


def test_empty_file_and_empty_bytes(tmp_path):
    (tmp_path / "e.jpg").write_bytes(b"")
    with pytest.raises(EmptyFileError, match="empty file \\(0 bytes\\)") as info:
        load(tmp_path / "e.jpg")
    assert info.value.path == str(tmp_path / "e.jpg") and info.value.kind == "empty-file"
    with pytest.raises(EmptyFileError, match="0 bytes"):
        load(b"")


@pytest.mark.parametrize("payload, words", [
    (b"Dear colleague,\nplease find my headshot attached.\n", "text"),
    (b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj\n", "PDF"),
    (b'<svg xmlns="http://www.w3.org/2000/svg" width="10"/>', "SVG"),
    (b"PK\x03\x04" + b"\x00" * 40, "ZIP"),
])
def test_not_an_image_says_what_it_looks_like(tmp_path, payload, words):
    path = tmp_path / "photo.jpg"
    path.write_bytes(payload)
    with pytest.raises(NotAnImageError, match=f"not an image: .*{words}"):
        load(path)


def test_heif_garbage_is_a_clear_error():
    """Bytes that claim to be HEIC but are not: corrupt with the extra, unsupported without."""
    with pytest.raises((UnsupportedImageError, CorruptImageError), match="HEIF"):
        load(b"\x00\x00\x00\x18ftypheic" + b"\x00" * 64)


def _heic(rgb: np.ndarray, orientation: int = 1) -> bytes:
    """``rgb`` (upright) as an iPhone stores it: HEIC, rotated pixels plus EXIF orientation."""
    pillow_heif = pytest.importorskip("pillow_heif")
    pillow_heif.register_heif_opener()
    up = Image.fromarray(rgb)
    stored = up if STORE[orientation] is None else up.transpose(STORE[orientation])
    exif = Image.Exif()
    exif[0x0112] = orientation
    buf = io.BytesIO()
    stored.save(buf, "HEIF", quality=95, exif=exif.tobytes())
    return buf.getvalue()


@pytest.mark.parametrize("orientation", [1, 6, 8])
def test_heic_loads_upright(tmp_path, astronaut, orientation):
    """An iPhone photo (HEIC, stored turned with an orientation) loads upright, like its JPEG."""
    rgb = np.asarray(astronaut.resize((256, 192)))
    path = tmp_path / "IMG_0001.HEIC"
    path.write_bytes(_heic(rgb, orientation))
    photo = load(path)
    assert photo.format == "HEIF" and photo.original_size == (256, 192)
    assert np.abs(photo.rgb.astype(int) - rgb).mean() < 6  # HEVC at q95, not a turned image


def test_heic_without_the_extra_says_how_to_install(tmp_path, astronaut):
    """Without pillow-heif (a fresh process where it cannot be imported) a HEIC photo is an
    unsupported image whose message names the extra to install."""
    import subprocess
    import sys
    path = tmp_path / "me.heic"
    path.write_bytes(_heic(np.asarray(astronaut.resize((64, 64)))))
    code = ("import sys; sys.modules['pillow_heif'] = None\n"
            "from headshot_lint.load import load\n"
            "from headshot_lint.errors import UnsupportedImageError\n"
            f"try:\n    load({str(path)!r})\nexcept UnsupportedImageError as e:\n    print(e)\n")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert "headshot-lint[heic]" in out and "HEIF" in out, out


def test_truncated_jpeg_at_several_offsets(astronaut):
    data = _encode(astronaut, "JPEG", quality=90)
    for cut in (10, 300, len(data) // 4, len(data) // 2, len(data) - 10, len(data) - 1):
        with pytest.raises(CorruptImageError, match="truncated or corrupt JPEG: .+") as info:
            load(data[:cut])
        assert info.value.__cause__ is not None  # raised `from` Pillow's error
    assert ImageFile.LOAD_TRUNCATED_IMAGES is False


def test_png_bad_crc_and_missing_iend(astronaut):
    data = bytearray(_encode(astronaut.resize((64, 64)), "PNG"))
    bad_ihdr = bytearray(data)
    bad_ihdr[29] ^= 0xFF  # last byte of the IHDR CRC
    with pytest.raises(CorruptImageError, match="PNG.*(checksum|CRC)"):
        load(bytes(bad_ihdr))
    at = data.find(b"IDAT")
    length = struct.unpack(">I", data[at - 4:at])[0]
    bad_idat = bytearray(data)
    bad_idat[at + 4 + length] ^= 0xFF  # IDAT CRC (Pillow itself does not check it)
    with pytest.raises(CorruptImageError, match="bad CRC in the IDAT chunk"):
        load(bytes(bad_idat))
    with pytest.raises(CorruptImageError, match="PNG"):
        load(bytes(data[: data.find(b"IEND") - 4]))


def test_decompression_bomb_is_refused_from_the_header(tmp_path):
    path = tmp_path / "bomb.png"
    path.write_bytes(_crafted_png(30000, 30000))
    assert path.stat().st_size < 200
    start = time.perf_counter()
    for fn in (load, load_full):
        with pytest.raises(TooManyPixelsError,
                           match="too many pixels: 30000x30000 = 900 MP exceeds the 200 MP limit"):
            fn(path)
    assert time.perf_counter() - start < 1.0


def test_max_pixels_is_ours_not_pillows(astronaut):
    default = Image.MAX_IMAGE_PIXELS
    with pytest.raises(TooManyPixelsError, match="0.1 MP limit"):
        load(_encode(astronaut, "PNG"), max_pixels=100_000)
    with pytest.raises(TooManyPixelsError):
        load(np.zeros((512, 512, 3), np.uint8), max_pixels=100_000)
    # 180 MP is over Pillow's default hard limit (~179 MP) but under ours: it is decoded
    # (and fails only because the crafted file carries no pixel data).
    with pytest.raises(CorruptImageError):
        load(_crafted_png(15000, 12000))
    assert Image.MAX_IMAGE_PIXELS == default


def test_100_megapixel_photo_loads_without_bomb_warning():
    data = _encode(Image.new("1", (10000, 10000), 1), "PNG")
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        photo = load(data)
    assert photo.original_size == (10000, 10000) and photo.rgb.shape == (640, 640, 3)
    assert (photo.rgb == 255).all()


@pytest.mark.parametrize("payload, words", [
    (_crafted_png(1, 1), "too small to analyse: 1x1 px"),
    (_encode(Image.new("RGB", (1, 1)), "JPEG"), "too small to analyse: 1x1 px"),
    (_crafted_png(100000, 2), "too small to analyse: 100000x2 px"),
    (_crafted_png(4000, 100), "too elongated to analyse: 4000x100 px .aspect ratio 40:1"),
])
def test_tiny_and_extreme_aspect_images(payload, words):
    with pytest.raises(UnsupportedImageError, match=words):
        load(payload)


def test_zero_size_header():
    with pytest.raises((CorruptImageError, UnsupportedImageError)):
        load(_crafted_png(0, 16))


def test_bomb_found_by_pillow_while_decoding_and_other_decoder_errors(astronaut, monkeypatch):
    data = _encode(astronaut, "PNG")

    def bomb(self):
        raise Image.DecompressionBombError("Image size (300000000 pixels) exceeds limit")

    monkeypatch.setattr(ImageFile.ImageFile, "load", bomb)
    with pytest.raises(TooManyPixelsError, match="too many pixels: 300 MP exceeds the 200 MP"):
        load(data)

    def broken(self):
        raise RuntimeError("decoder exploded")

    monkeypatch.setattr(ImageFile.ImageFile, "load", broken)
    with pytest.raises(CorruptImageError, match="truncated or corrupt PNG: decoder exploded") as info:
        load(data)
    assert isinstance(info.value.__cause__, RuntimeError)


def test_directory_and_missing_file(tmp_path):
    with pytest.raises(LoadError, match="cannot read .*: Is a directory") as info:
        load(tmp_path)
    assert isinstance(info.value.__cause__, IsADirectoryError)
    with pytest.raises(LoadError, match="No such file") as info:
        load(tmp_path / "missing.jpg")
    assert isinstance(info.value.__cause__, FileNotFoundError)
    assert info.value.path == str(tmp_path / "missing.jpg")


@pytest.mark.skipif(not hasattr(os, "geteuid") or os.geteuid() == 0, reason="root reads anything")
def test_unreadable_file(tmp_path, astronaut):
    path = _save(astronaut, tmp_path / "locked.png")
    os.chmod(path, 0)
    with pytest.raises(LoadError, match="Permission denied"):
        load(path)


# ---------------------------------------------------------------- contract


def test_input_file_is_untouched(big_jpeg):
    path = Path(big_jpeg)
    before = (path.read_bytes(), path.stat().st_mtime_ns)
    load(path)
    load_full(path)
    assert (path.read_bytes(), path.stat().st_mtime_ns) == before


def test_photo_is_read_only_and_frozen(tmp_path, astronaut):
    photo = load(_save(astronaut, tmp_path / "a.png"))
    assert photo.source == str(tmp_path / "a.png") and photo.format == "PNG"
    assert not photo.rgb.flags.writeable
    with pytest.raises(ValueError):
        photo.rgb[0, 0, 0] = 1
    with pytest.raises(dataclasses.FrozenInstanceError):
        photo.format = "JPEG"  # type: ignore[misc]


def test_load_full_metadata(tmp_path, astronaut):
    for q in (50, 75, 90):
        full, meta = load_full(_encode(astronaut, "JPEG", quality=q))
        assert isinstance(meta, ImageMeta) and meta.format == "JPEG" and meta.jpeg_quality == q
        assert full.shape == (512, 512, 3) and full.flags.writeable
    full, meta = load_full(_save(astronaut, tmp_path / "a.png"))
    assert meta == ImageMeta("PNG", None, None, None, (512, 512))
    np.testing.assert_array_equal(full, np.asarray(astronaut))


def test_arrays():
    rgb = np.random.default_rng(0).integers(0, 256, (40, 60, 3), dtype=np.uint8)
    photo = load(rgb)
    assert photo.source == "<array>" and photo.format == "ARRAY" and photo.original_size == (60, 40)
    np.testing.assert_array_equal(photo.rgb, rgb)
    assert rgb.flags.writeable and not np.shares_memory(photo.rgb, rgb)
    np.testing.assert_array_equal(load(rgb[..., 0]).rgb[..., 1], rgb[..., 0])
    rgba = np.dstack([rgb, np.zeros((40, 60), np.uint8)])
    assert (load(rgba).rgb == 128).all()
    np.testing.assert_array_equal(load(rgb / 255.0).rgb, rgb)
    assert load(np.zeros((1000, 2000, 3), np.float32)).rgb.shape == (320, 640, 3)
    full, meta = load_full(rgb)
    assert meta.format == "ARRAY" and meta.original_size == (60, 40)
    for bad, words in [(rgb.astype(np.uint16), "uint16"), (rgb[..., :2], r"\(40, 60, 2\)"),
                       (rgb / 100.0, r"\[0, 1\]"), (np.zeros((5, 5, 3), np.uint8), "too small")]:
        with pytest.raises(UnsupportedImageError, match=words):
            load(bad)


@pytest.mark.parametrize("pixels, text", [(100_000, "0.1 MP"), (12_000_000, "12 MP"), (12_345_678, "12.3 MP"),
                                          (200_000_000, "200 MP"), (3_600_000_000, "3,600 MP")])
def test_megapixels_are_written_as_people_write_them(pixels, text):
    """The too-large message never shows 3.6e+03 MP."""
    from headshot_lint._imageio import megapixels, too_many

    assert megapixels(pixels) == text
    assert "e+" not in too_many((60000, 60000), 200_000_000)

