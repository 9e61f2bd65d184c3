"""Turn a headshot file, bytes or array into pixels: upright sRGB uint8 RGB.

:func:`load` gives the small analysis image every rule works on; :func:`load_full`
gives full-resolution pixels plus what a writer needs to save a corrected copy.
Every failure is one of the :class:`~headshot_lint.errors.LoadError` subclasses,
with a message that names the problem. Files are only ever opened read-only.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from typing import Union

import numpy as np
from PIL import Image

from . import _imageio as _io
from .errors import TooManyPixelsError

__all__ = ["ANALYSIS_LONG_SIDE", "MAX_DECODED_BYTES", "MAX_FULL_DECODED_BYTES", "MAX_PIXELS", "ImageMeta",
           "Photo", "load", "load_full"]

ANALYSIS_LONG_SIDE = 640  # px; the long side of the analysis image
MAX_PIXELS = 200_000_000  # decoded pixel limit (decompression-bomb guard); 100 MP photos load
#: Memory the decoded pixels of one photo may take for analysis, bytes (checked from the
#: header, after a JPEG's reduced-size draft, before a pixel is decoded). A process that
#: audits costs ~310 MB before its first photo (MediaPipe, OpenCV, the models); with this
#: and the band-wise conversion any photo stays under ~600 MB. It admits a 50 MP RGB or
#: 100 MP 16-bit grey PNG/TIFF/WebP-sized decode and any JPEG up to MAX_PIXELS (decoded
#: at 1/8 scale).
MAX_DECODED_BYTES = 200 << 20
#: The same for :func:`load_full` (a corrected copy needs every pixel): 100 MP JPEGs fix.
MAX_FULL_DECODED_BYTES = 1 << 30

Source = Union[str, "os.PathLike[str]", bytes, np.ndarray]


@dataclass(frozen=True, eq=False)  # eq=False: ndarray fields cannot be compared or hashed
class Photo:
    """A photo ready for analysis.

    Attributes
    ----------
    rgb : ndarray, uint8 (H, W, 3)
        sRGB, EXIF-upright, long side <= the requested ``long_side`` px (never upscaled),
        C-contiguous and read-only.
    original_size : tuple of int
        ``(width, height)`` of the full-resolution upright image, px.
    source : str
        The path as given (``str(path)``), or ``"<bytes>"`` / ``"<array>"``.
    format : str
        Pillow's format name (``"JPEG"``, ``"PNG"``, ``"WEBP"``, ...), ``"ARRAY"`` for arrays.
    """

    rgb: np.ndarray
    original_size: tuple[int, int]
    source: str
    format: str

    @property
    def scale(self) -> float:
        """Analysis px per original px (``rgb`` width / original width), in (0, 1]."""
        return self.rgb.shape[1] / self.original_size[0]


@dataclass(frozen=True)
class ImageMeta:
    """What a writer needs to save a corrected copy like the original.

    Attributes
    ----------
    format : str
        Pillow's format name (MPO, the multi-picture JPEG of many cameras, is ``"JPEG"``).
    icc_profile : bytes or None
        The original embedded ICC profile (the returned pixels are already sRGB).
    exif : bytes or None
        The original EXIF block with its orientation tag set to 1 (pixels are upright).
    jpeg_quality : int or None
        Estimated quality 1..100 of a JPEG source, from its quantisation tables.
    original_size : tuple of int
        ``(width, height)`` of the upright image, px.
    """

    format: str
    icc_profile: bytes | None
    exif: bytes | None
    jpeg_quality: int | None
    original_size: tuple[int, int]


def load(
    source: Source, *, long_side: int = ANALYSIS_LONG_SIDE, max_pixels: int = MAX_PIXELS,
    max_bytes: int = MAX_DECODED_BYTES,
) -> Photo:
    """Load an image for analysis: upright sRGB, long side at most ``long_side`` px.

    Parameters
    ----------
    source : str, os.PathLike, bytes or ndarray
        A file path, the bytes of an image file, or pixels: uint8 ``(H, W)`` grey,
        ``(H, W, 3)`` RGB or ``(H, W, 4)`` RGBA, or a float array of those shapes in [0, 1].
    long_side : int
        Long side of the analysis image, px (>= 1). Smaller images are not upscaled.
    max_pixels : int
        Largest accepted width * height, checked from the header before decoding.
    max_bytes : int
        Largest memory the decoded pixels may take (Pillow's storage of the image's mode,
        at a JPEG's reduced decode size), checked before decoding.

    Returns
    -------
    Photo

    Raises
    ------
    LoadError
        Or one of its subclasses (empty, not an image, corrupt, too many pixels,
        unsupported); the message names the problem.
    """
    if long_side < 1:
        raise ValueError(f"long_side must be >= 1 px, got {long_side}")
    rgb, meta = _decode(source, long_side, max_pixels, max_bytes)
    rgb = np.ascontiguousarray(rgb)
    rgb.setflags(write=False)
    return Photo(rgb=rgb, original_size=meta.original_size, source=_source_name(source),
                 format=meta.format)


def load_full(source: Source, *, max_pixels: int = MAX_PIXELS,
              max_bytes: int = MAX_FULL_DECODED_BYTES) -> tuple[np.ndarray, ImageMeta]:
    """Full-resolution upright sRGB uint8 (H, W, 3), plus what a writer needs to save a
    corrected copy like the original.

    Takes the same sources and raises the same errors as :func:`load`; the array is a
    fresh, writable, C-contiguous copy.
    """
    return _decode(source, None, max_pixels, max_bytes)


def _source_name(source: object) -> str:
    if isinstance(source, np.ndarray):
        return "<array>"
    if isinstance(source, (bytes, bytearray, memoryview)):
        return "<bytes>"
    return str(source)


def _target(size: tuple[int, int], long_side: int | None) -> tuple[int, int] | None:
    """Analysis size (w, h) for an image of ``size``; None to keep it (never upscale)."""
    w, h = size
    if long_side is None or max(w, h) <= long_side:
        return None
    s = long_side / max(w, h)
    return max(1, round(w * s)), max(1, round(h * s))


def _decode(
    source: object, long_side: int | None, max_pixels: int, max_bytes: int
) -> tuple[np.ndarray, ImageMeta]:
    """The one decode path of :func:`load` and :func:`load_full`."""
    if not isinstance(source, (str, os.PathLike, bytes, bytearray, memoryview)):
        im = _io.array_to_image(source, None)
        if im.size[0] * im.size[1] > max_pixels:
            raise TooManyPixelsError(_io.too_many(im.size, max_pixels))
        rgb = _io.to_rgb(im, _target(im.size, long_side), 1, None)
        return rgb, ImageMeta("ARRAY", None, None, None, im.size)

    name = None if isinstance(source, (bytes, bytearray, memoryview)) else str(source)
    with _io.open_source(source, name) as fp, _io.pillow_limits():  # until the pixels are in
        # Header only: Pillow's own limit is off, ours is checked just below, exactly,
        # before a single pixel is decoded.
        Image.MAX_IMAGE_PIXELS = None
        im = _io.open_image(fp, name)
        fmt = "JPEG" if im.format == "MPO" else (im.format or "image")
        w, h = im.size  # stored (not yet upright) size, from the header
        if w * h > max_pixels:
            raise TooManyPixelsError(_io.too_many((w, h), max_pixels), path=name)
        # Rotation-invariant (min side, aspect), so the stored size will do before decoding.
        _io.check_shape((w, h), name)
        # Pillow's checks of frame/tile sizes while decoding use our limit, as errors.
        Image.MAX_IMAGE_PIXELS = max_pixels
        target = _target((w, h), long_side)
        with _io.decode_errors(fmt, name, max_pixels):
            if fmt == "PNG":
                _io.check_png_crc(fp, name)
            # The target is in the *stored* orientation, which is what draft() and the
            # resize see: the EXIF transpose comes after both, on the small image, so a
            # rotated (5-8) photo's long side is still cut to `long_side`, not its short side.
            if target is not None and fmt == "JPEG":
                # Reduced DCT decode: libjpeg scales by 1/2, 1/4 or 1/8 while decoding, to at
                # least `target`. Measured on a 4000x3000 (12 MP) q92 JPEG, 2-core dev machine,
                # median of 15: decode without draft 100 ms, with draft 43 ms (to 1000x750);
                # the whole load() to 640x480: 143 ms without draft, 62 ms with it.
                im.draft("RGB", target)
            need = _io.decoded_bytes(im, fmt)
            if need > max_bytes:
                raise TooManyPixelsError(_io.too_large(im.size, im.mode, need, max_bytes), path=name)
            im.load()
            turn = _io.orientation(im)  # TIFF reads its EXIF IFD from the open file
    # The pixels are in memory: convert outside the lock (and with the file closed).
    with _io.decode_errors(fmt, name, max_pixels):
        rgb = _io.to_rgb(im, target, turn, name)
    exif = im.info.get("exif")
    meta = ImageMeta(
        format=fmt,
        icc_profile=im.info.get("icc_profile") or None,
        exif=_io.exif_upright(exif if isinstance(exif, bytes) else None),
        jpeg_quality=_io.jpeg_quality(getattr(im, "quantization", None)),
        original_size=(h, w) if turn >= 5 else (w, h),  # orientations 5-8 swap the axes
    )
    return rgb, meta
