"""Save a corrected copy like the original: same format, size, ICC profile and EXIF.

Atomic (:func:`headshot_lint._atomic.write_atomic`): a reader never sees half a file and
a crash leaves at most a hidden ``.name.*.tmp``. An existing destination is refused
unless ``force``.
"""

from __future__ import annotations

import io
import os
from pathlib import Path

import numpy as np
from PIL import Image, ImageCms

from .._atomic import write_atomic
from ..load import ImageMeta

#: JPEG quality when the source's cannot be estimated.
DEFAULT_JPEG_QUALITY = 92
#: Pillow's save plugin for formats it reads but cannot (or should not) write as is.
_WRITE_AS = {"MPO": "JPEG", "ARRAY": "PNG"}
_SUFFIX_FORMAT = {".jpg": "JPEG", ".jpeg": "JPEG", ".jpe": "JPEG", ".png": "PNG", ".webp": "WEBP",
                  ".tif": "TIFF", ".tiff": "TIFF", ".bmp": "BMP", ".gif": "GIF",
                  ".heic": "HEIF", ".heif": "HEIF", ".hif": "HEIF"}
#: HEIC quality of a corrected copy (pillow-heif's scale, 0-100; its default, 50, shows blocks).
HEIF_QUALITY = 90


class OutputExistsError(FileExistsError):
    """The destination exists and ``force`` was not given."""


def suffix_format(dest: str | os.PathLike[str]) -> str | None:
    """The Pillow format an image file name's extension stands for, or None."""
    return _SUFFIX_FORMAT.get(Path(dest).suffix.lower())


def output_format(meta: ImageMeta, dest: str | os.PathLike[str]) -> str:
    """The Pillow format a corrected copy is written in: the source's, else the suffix's."""
    fmt = _WRITE_AS.get(meta.format, meta.format)
    if fmt not in Image.SAVE:
        fmt = suffix_format(dest) or "PNG"
    return fmt


def encode(rgb: np.ndarray, meta: ImageMeta, fmt: str) -> bytes:
    """The bytes of ``rgb`` (upright sRGB uint8) saved in ``fmt`` like the original.

    A non-sRGB ICC profile is kept: the pixels are converted back from sRGB into it
    (``load`` converted them to sRGB) and the profile is embedded. EXIF is kept with
    orientation 1, because the pixels are stored upright.
    """
    im = Image.fromarray(np.ascontiguousarray(rgb), "RGB")
    icc = meta.icc_profile
    if icc:
        im, icc = _to_profile(im, icc)
    kw: dict = {}
    if icc:
        kw["icc_profile"] = icc
    if meta.exif and fmt in ("JPEG", "PNG", "WEBP", "TIFF", "HEIF"):
        kw["exif"] = meta.exif
    if fmt == "JPEG":
        kw.update(quality=int(meta.jpeg_quality or DEFAULT_JPEG_QUALITY))
    elif fmt == "WEBP":
        kw.update(quality=int(meta.jpeg_quality or 90), method=4)
    elif fmt == "PNG":
        kw.update(compress_level=6)
    elif fmt == "HEIF":
        kw.update(quality=HEIF_QUALITY)
    elif fmt == "GIF":
        im = im.quantize(256)
    buf = io.BytesIO()
    im.save(buf, fmt, **kw)
    return buf.getvalue()


def _to_profile(im: Image.Image, icc: bytes) -> tuple[Image.Image, bytes | None]:
    """sRGB pixels -> the original profile (kept), or sRGB pixels and no profile."""
    try:
        src = ImageCms.ImageCmsProfile(io.BytesIO(icc))
        if "srgb" in ImageCms.getProfileDescription(src).lower():
            return im, icc  # load() left these pixels as they were
        out = ImageCms.profileToProfile(im, ImageCms.createProfile("sRGB"), src,
                                        renderingIntent=ImageCms.Intent.RELATIVE_COLORIMETRIC,
                                        outputMode="RGB")
        return (out if out is not None else im), icc
    except Exception:  # noqa: BLE001 - a profile we cannot use: the sRGB pixels, untagged
        return im, None


def write_like(dest: str | os.PathLike[str], rgb: np.ndarray, meta: ImageMeta, *,
               force: bool = False) -> Path:
    """Write ``rgb`` to ``dest`` atomically, in the original's format and metadata.

    Parameters
    ----------
    dest : path
        Destination file; its folder is created if needed.
    rgb : ndarray, uint8 (H, W, 3)
        Upright sRGB pixels.
    meta : ImageMeta
        What :func:`headshot_lint.load.load_full` said about the original.
    force : bool
        Replace an existing ``dest``; without it :class:`OutputExistsError` is raised.

    Returns
    -------
    Path : the destination written.
    """
    dest = Path(dest)
    if dest.exists() and not force:
        raise OutputExistsError(f"{dest} exists (use --force to overwrite it)")
    return write_bytes(dest, encode(rgb, meta, output_format(meta, dest)), force=force)


def write_bytes(dest: str | os.PathLike[str], data: bytes, *, force: bool = False) -> Path:
    """Write already encoded bytes (:func:`encode`) to ``dest`` atomically; the same
    rules as :func:`write_like`."""
    dest = Path(dest)
    if dest.exists() and not force:
        raise OutputExistsError(f"{dest} exists (use --force to overwrite it)")
    dest.parent.mkdir(parents=True, exist_ok=True)
    try:
        return write_atomic(dest, data, overwrite=force, fsync=True)
    except FileExistsError:  # appeared while we encoded
        raise OutputExistsError(f"{dest} exists (use --force to overwrite it)") from None
