"""The atomic, format-preserving writer."""

from __future__ import annotations

import os

import numpy as np
import pytest
from PIL import Image, ImageCms

from headshot_lint.load import load_full
from headshot_lint.retouch.write import OutputExistsError, write_like


def _rgb(h=120, w=160):
    yy, xx = np.mgrid[0:h, 0:w]
    return np.stack([xx * 255 // w, yy * 255 // h, np.full_like(xx, 90)], -1).astype(np.uint8)


def test_jpeg_keeps_size_quality_exif_and_profile(tmp_path):
    """A JPEG copy keeps size, quality (within 3), EXIF (orientation 1) and the ICC profile."""
    src = tmp_path / "in.jpg"
    exif = Image.Exif()
    exif[0x0112] = 6  # rotated 90 degrees: stored sideways
    exif[0x010F] = "TestCam"
    icc = ImageCms.ImageCmsProfile(ImageCms.createProfile("sRGB")).tobytes()
    Image.fromarray(_rgb()).save(src, quality=80, exif=exif.tobytes(), icc_profile=icc)
    rgb, meta = load_full(src)
    dst = write_like(tmp_path / "out" / "in.jpg", rgb, meta)
    with Image.open(dst) as im:
        assert im.format == "JPEG" and im.size == (120, 160)  # upright
        assert im.getexif()[0x0112] == 1 and im.getexif()[0x010F] == "TestCam"
        assert im.info.get("icc_profile") == icc
    _, meta2 = load_full(dst)
    assert abs(meta2.jpeg_quality - 80) <= 3


def test_png_stays_png(tmp_path):
    """A PNG source is written as PNG, losslessly."""
    src = tmp_path / "in.png"
    Image.fromarray(_rgb()).save(src)
    rgb, meta = load_full(src)
    dst = write_like(tmp_path / "o.png", rgb, meta)
    assert Image.open(dst).format == "PNG" and (load_full(dst)[0] == rgb).all()


def test_existing_output_is_refused_without_force(tmp_path):
    """An existing destination is left as it was unless force; no temp file is left behind."""
    src = tmp_path / "in.png"
    Image.fromarray(_rgb()).save(src)
    rgb, meta = load_full(src)
    dst = tmp_path / "o.png"
    dst.write_bytes(b"keep me")
    with pytest.raises(OutputExistsError):
        write_like(dst, rgb, meta)
    assert dst.read_bytes() == b"keep me"
    write_like(dst, rgb, meta, force=True)
    assert Image.open(dst).size == (160, 120)
    assert sorted(os.listdir(tmp_path)) == ["in.png", "o.png"]


def test_heic_stays_heic_upright_with_exif(tmp_path):
    """A HEIC source (iPhone) is written as HEIC, upright, its EXIF kept with orientation 1."""
    pillow_heif = pytest.importorskip("pillow_heif")
    pillow_heif.register_heif_opener()
    exif = Image.Exif()
    exif[0x0112] = 6
    exif[0x010F] = "TestCam"
    src = tmp_path / "IMG_0002.heic"
    Image.fromarray(_rgb()).transpose(Image.Transpose.ROTATE_90).save(src, "HEIF", quality=95, exif=exif.tobytes())
    rgb, meta = load_full(src)
    dst = write_like(tmp_path / "out" / "IMG_0002.heic", rgb, meta)
    with Image.open(dst) as im:
        assert im.format == "HEIF" and im.size == (160, 120)
        assert im.getexif().get(0x0112, 1) == 1 and im.getexif()[0x010F] == "TestCam"
        assert np.abs(np.asarray(im.convert("RGB")).astype(int) - _rgb()).mean() < 6

