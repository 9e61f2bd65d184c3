"""Private helpers of :mod:`headshot_lint.load`: open, check and normalise images with Pillow.

Nothing here is public; ``load.py`` is the boundary that other modules use.
"""

from __future__ import annotations

import contextlib
import errno
import functools
import io
import os
import re
import stat
import struct
import threading
import types
import warnings
import zlib
from typing import IO, Iterator

import numpy as np
from PIL import Image, ImageCms

from .errors import (
    CorruptImageError,
    EmptyFileError,
    LoadError,
    NotAFileError,
    NotAnImageError,
    TooManyPixelsError,
    TooElongatedImageError,
    TooSmallImageError,
    UnsupportedImageError,
)

MIN_SIDE = 16  # px; smaller than this on either side there is no background to judge
MAX_ASPECT = 20.0  # long side / short side; beyond this it is a strip, not a photo
ORIENTATION_TAG = 0x0112
# Alpha is composited over mid grey: a transparent background is neither white nor black,
# and grey (sRGB 128) sits in the middle of every background rule (brightness, contrast,
# colour cast), so transparency never passes or fails a rule by accident.
MATTE_GREY = 128

# EXIF orientation -> the transpose that makes the stored pixels upright. The same table as
# ImageOps.exif_transpose; applied here by hand so it can run after the resize (cheap).
_T = Image.Transpose
UPRIGHT = types.MappingProxyType(
    {2: _T.FLIP_LEFT_RIGHT, 3: _T.ROTATE_180, 4: _T.FLIP_TOP_BOTTOM, 5: _T.TRANSPOSE,
     6: _T.ROTATE_270, 7: _T.TRANSVERSE, 8: _T.ROTATE_90}
)

# Image.MAX_IMAGE_PIXELS is a Pillow process global. It is swapped for our own limit only
# while one of our images is opened and decoded, under this lock, and always restored.
_PIL_LIMIT_LOCK = threading.Lock()

_IMAGE_MAGIC = (
    (b"\xff\xd8\xff", "JPEG"), (b"\x89PNG\r\n\x1a\n", "PNG"), (b"GIF87a", "GIF"),
    (b"GIF89a", "GIF"), (b"II*\x00", "TIFF"), (b"MM\x00*", "TIFF"), (b"BM", "BMP"),
)
_OTHER_MAGIC = (
    (b"%PDF", "a PDF document"), (b"PK\x03\x04", "a ZIP archive (or an Office document)"),
    (b"\x1f\x8b", "gzip-compressed data"), (b"\x7fELF", "an executable program"),
    (b"OggS", "Ogg audio/video"), (b"ID3", "an MP3 audio file"),
)


def sniff(head: bytes) -> tuple[str | None, str]:
    """Guess what the first bytes of a file are: ``(image format or None, description)``."""
    for magic, fmt in _IMAGE_MAGIC:
        if head.startswith(magic):
            return fmt, f"a {fmt} image"
    for magic, fmt in _IMAGE_MAGIC:  # a file cut inside its own signature is still that format
        if len(head) >= 2 and magic.startswith(head):
            return fmt, f"a {fmt} image"
    if head[:4] == b"RIFF" and head[8:12] == b"WEBP":
        return "WEBP", "a WEBP image"
    if head[4:8] == b"ftyp":
        brand = head[8:12].decode("latin-1").strip()
        if brand in ("heic", "heix", "hevc", "heim", "heis", "mif1", "msf1", "avif", "avis"):
            return "HEIF", f"a HEIF/AVIF image (brand {brand!r})"
        return None, f"an MP4/QuickTime video (brand {brand!r})"
    for magic, what in _OTHER_MAGIC:
        if head.startswith(magic):
            return None, what
    text = head.lstrip(b"\xef\xbb\xbf \t\r\n").lower()
    if text.startswith((b"<svg", b"<?xml")) and b"<svg" in head.lower():
        return None, "an SVG vector drawing (export it as PNG or JPEG)"
    if text.startswith((b"<!doctype html", b"<html")):
        return None, "an HTML page"
    try:
        decoded = head.decode("utf-8")
    except UnicodeDecodeError:  # may be cut inside a multi-byte character
        decoded = head[:-3].decode("utf-8", "replace")
    if decoded and all(c.isprintable() or c in "\t\r\n" for c in decoded):
        return None, "text"
    return None, f"unrecognised binary data (starts {head[:8].hex(' ')})"


@contextlib.contextmanager
def open_source(source: object, name: str | None) -> Iterator[IO[bytes]]:
    """Yield a read-only binary stream for a path or bytes; OS errors become LoadError."""
    if isinstance(source, (bytes, bytearray, memoryview)):
        data = bytes(source)
        if not data:
            raise EmptyFileError("empty input (0 bytes)", path=name)
        yield io.BytesIO(data)
        return
    path = os.fspath(source)  # type: ignore[call-overload]
    try:  # non-blocking: opening a FIFO nobody writes to would wait for ever
        fd = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_CLOEXEC", 0))
    except OSError as exc:  # FileNotFound, IsADirectory, Permission, ...
        raise LoadError(f"cannot read {name}: {exc.strerror or exc}", path=name) from exc
    try:
        st = os.fstat(fd)
        if stat.S_ISDIR(st.st_mode):  # os.open opens a folder for reading where open() refused it
            raise LoadError(f"cannot read {name}: {os.strerror(errno.EISDIR)}", path=name) from IsADirectoryError(
                errno.EISDIR, os.strerror(errno.EISDIR), path)
        if not stat.S_ISREG(st.st_mode):  # a FIFO or device could block or never end
            raise NotAFileError(f"cannot read {name}: not a regular file ({_file_kind(st.st_mode)})", path=name)
        if hasattr(os, "set_blocking"):
            os.set_blocking(fd, True)
        fp = os.fdopen(fd, "rb")
    except BaseException:
        os.close(fd)
        raise
    with fp:
        if st.st_size == 0:
            raise EmptyFileError("empty file (0 bytes)", path=name)
        yield fp


def _file_kind(mode: int) -> str:
    """What a path that is not a regular file is, in a word: "a pipe", "a device", ..."""
    if stat.S_ISFIFO(mode):
        return "a pipe"
    if stat.S_ISCHR(mode) or stat.S_ISBLK(mode):
        return "a device"
    if stat.S_ISSOCK(mode):
        return "a socket"
    return "a special file"


@contextlib.contextmanager
def pillow_limits() -> Iterator[None]:
    """Hold Pillow's pixel limit for us; the caller sets ``Image.MAX_IMAGE_PIXELS`` inside.

    DecompressionBombWarning is raised as an error in here, so it can be turned into
    TooManyPixelsError instead of letting an over-limit image through.
    """
    with _PIL_LIMIT_LOCK, warnings.catch_warnings():
        warnings.simplefilter("error", Image.DecompressionBombWarning)
        saved = Image.MAX_IMAGE_PIXELS
        try:
            yield
        finally:
            Image.MAX_IMAGE_PIXELS = saved


@contextlib.contextmanager
def decode_errors(fmt: str, name: str | None, max_pixels: int) -> Iterator[None]:
    """Turn whatever Pillow raises while decoding into a LoadError subclass (``from`` it)."""
    try:
        yield
    except (LoadError, MemoryError):
        raise
    except (Image.DecompressionBombError, Image.DecompressionBombWarning) as exc:
        raise TooManyPixelsError(bomb_message(exc, max_pixels), path=name) from exc
    except Exception as exc:  # anything else from Pillow, LittleCMS, numpy while decoding
        raise CorruptImageError(f"truncated or corrupt {fmt}: {exc}", path=name) from exc


#: What to install for HEIC/HEIF photos (iPhones save them by default).
HEIF_EXTRA = "pip install 'headshot-lint[heic]'"


@functools.lru_cache(maxsize=None)
def heif_support() -> bool:
    """Register pillow-heif's HEIC/HEIF opener and writer with Pillow (once: registering
    again would be harmless); False when the optional extra is not installed. Called only
    when a HEIF file turns up, so other runs never import it."""
    try:
        import pillow_heif
    except ImportError:
        return False
    pillow_heif.register_heif_opener()  # applies the irot/imir rotation itself
    return True


def readable_formats() -> tuple[str, ...]:
    """The photo formats this installation opens, in the words people use (the page lists them).

    HEIC only with the optional extra installed; asking does not import it."""
    import importlib.util

    heic = ("HEIC",) if importlib.util.find_spec("pillow_heif") is not None else ()
    return ("JPEG", "PNG", "WebP", "TIFF", "BMP", "GIF") + heic


def open_image(fp: IO[bytes], name: str | None) -> Image.Image:
    """Parse the header only (no pixels are decoded); unknown bytes say what they look like."""
    head = fp.read(64)
    fp.seek(0)
    fmt, what = sniff(head)
    if fmt == "HEIF":
        heif_support()
    declared = _declared_size(head, fmt)
    if declared is not None and 0 in declared:  # Pillow only says "not identified"
        raise CorruptImageError(
            f"corrupt {fmt} image: the header declares {declared[0]}x{declared[1]} px", path=name)
    try:
        return Image.open(fp)
    except Image.UnidentifiedImageError as exc:
        if fmt == "HEIF":
            hint = (f"install HEIC support with `{HEIF_EXTRA}`, or convert it to JPEG or PNG"
                    if not heif_support() else "convert it to JPEG or PNG")
            raise UnsupportedImageError(f"unsupported image: {what}, which cannot be decoded here; {hint}",
                                        path=name, advice=hint[0].upper() + hint[1:]) from exc
        if fmt is None:
            raise NotAnImageError(f"not an image: the bytes look like {what}", path=name) from exc
        raise CorruptImageError(
            f"truncated or corrupt {fmt}: {_plugin_error(fp, fmt) or exc}", path=name) from exc
    except (LoadError, MemoryError):
        raise
    except Exception as exc:
        raise CorruptImageError(f"truncated or corrupt {fmt or 'image'}: {exc}", path=name) from exc


def _declared_size(head: bytes, fmt: str | None) -> tuple[int, int] | None:
    """(w, h) from a PNG IHDR or a GIF screen descriptor in the first bytes; None if not there."""
    if fmt == "PNG" and len(head) >= 24 and head[12:16] == b"IHDR":
        return struct.unpack(">II", head[16:24])
    if fmt == "GIF" and len(head) >= 10:
        return struct.unpack("<HH", head[6:10])
    return None


def _plugin_error(fp: IO[bytes], fmt: str) -> str | None:
    """Pillow's own reason why the format's plugin rejects the header (Image.open hides it)."""
    entry = getattr(Image, "OPEN", {}).get(fmt)
    if entry is None:
        return None
    try:
        fp.seek(0)
        entry[0](fp, "")
    except Exception as exc:  # noqa: BLE001 - only for the message
        return str(exc) or type(exc).__name__
    return None


def megapixels(n: float) -> str:
    """``n`` pixels as a person writes megapixels: ``"0.1 MP"``, ``"12 MP"``, ``"3,600 MP"``
    (three significant figures, never in exponent form)."""
    mp = n / 1e6
    if mp >= 100:
        return f"{round(mp):,} MP"
    return f"{float(f'{mp:.3g}'):g} MP"


def too_many(size: tuple[int, int], max_pixels: int) -> str:
    """Human message for an over-limit image: ``too many pixels: WxH = N MP exceeds ...``."""
    w, h = size
    return f"too many pixels: {w}x{h} = {megapixels(w * h)} exceeds the {megapixels(max_pixels)} limit"


def bomb_message(exc: Exception, max_pixels: int) -> str:
    """Message for a DecompressionBombError/Warning raised by Pillow while decoding."""
    found = re.search(r"\((\d+) pixels\)", str(exc))
    n = megapixels(int(found.group(1))) if found else "a part of the image"
    return f"too many pixels: {n} exceeds the {megapixels(max_pixels)} limit (Pillow: {exc})"


def check_shape(size: tuple[int, int], name: str | None) -> None:
    """Reject sizes that cannot be analysed: zero, under MIN_SIDE px, or beyond MAX_ASPECT."""
    w, h = size
    if w <= 0 or h <= 0:
        raise CorruptImageError(f"corrupt image: the header declares {w}x{h} px", path=name)
    if min(w, h) < MIN_SIDE:
        raise TooSmallImageError(
            f"too small to analyse: {w}x{h} px (need at least {MIN_SIDE} px on each side)",
            path=name)
    if max(w, h) / min(w, h) > MAX_ASPECT:
        raise TooElongatedImageError(
            f"too elongated to analyse: {w}x{h} px (aspect ratio {max(w, h) / min(w, h):.0f}:1 "
            f"exceeds {MAX_ASPECT:.0f}:1)", path=name)


def orientation(im: Image.Image) -> int:
    """EXIF (or XMP) orientation 1..8 of an opened image; 1 when absent or malformed."""
    try:
        value = int(im.getexif().get(ORIENTATION_TAG, 1))
    except Exception:  # noqa: BLE001 - a broken EXIF block must not stop the load
        return 1
    return value if value in UPRIGHT else 1


def check_png_crc(fp: IO[bytes], name: str | None) -> None:
    """Verify the CRC of every critical PNG chunk and that IEND is present.

    Pillow does not check IDAT CRCs, and accepts a file cut after its last IDAT.
    """
    fp.seek(8)
    while True:
        header = fp.read(8)
        if len(header) < 8:
            raise CorruptImageError("truncated or corrupt PNG: the file ends before IEND",
                                    path=name)
        length, ctype = struct.unpack(">I4s", header)
        kind = ctype.decode("latin-1")
        crc = zlib.crc32(ctype)
        left = length
        while left:
            chunk = fp.read(min(left, 1 << 20))
            if not chunk:
                raise CorruptImageError(
                    f"truncated or corrupt PNG: the file ends inside a {kind} chunk", path=name)
            crc = zlib.crc32(chunk, crc)
            left -= len(chunk)
        stored = fp.read(4)
        critical = not ctype[0] & 0x20
        if critical and (len(stored) < 4 or struct.unpack(">I", stored)[0] != crc):
            raise CorruptImageError(
                f"truncated or corrupt PNG: bad CRC in the {kind} chunk", path=name)
        if ctype == b"IEND":
            fp.seek(0)
            return


def jpeg_quality(quantization: dict[int, list[int]] | None) -> int | None:
    """Estimate the IJG quality (1..100) that produced these JPEG quantisation tables.

    Scales the libjpeg reference tables for every quality and returns the closest match;
    exact for files written by libjpeg/Pillow, an estimate for others.
    """
    if not quantization or 0 not in quantization or len(quantization[0]) != 64:
        return None
    tables = [np.asarray(quantization[k], np.float64) for k in (0, 1) if k in quantization]
    # Every quality at once (rows q = 1..100); the errors are sums of integers, so exact,
    # and argmin keeps the lowest q on a tie, as a loop with a strict "<" would.
    err = np.zeros(100)
    for table, ref in zip(tables, _REF_TABLES):
        err += np.abs(table - ref).sum(axis=1)
    return int(np.argmin(err)) + 1


_STD_LUMA = np.array([
    16, 11, 10, 16, 24, 40, 51, 61, 12, 12, 14, 19, 26, 58, 60, 55, 14, 13, 16, 24, 40, 57,
    69, 56, 14, 17, 22, 29, 51, 87, 80, 62, 18, 22, 37, 56, 68, 109, 103, 77, 24, 35, 55, 64,
    81, 104, 113, 92, 49, 64, 78, 87, 103, 121, 120, 101, 72, 92, 95, 98, 112, 100, 103, 99,
], np.float64)
_STD_CHROMA = np.array([17, 18, 24, 47, 99, 99, 99, 99, 18, 21, 26, 66, 99, 99, 99, 99,
                        24, 26, 56, 99, 99, 99, 99, 99, 47, 66, 99, 99, 99, 99, 99, 99]
                       + [99] * 32, np.float64)
_STD_LUMA.setflags(write=False)
_STD_CHROMA.setflags(write=False)


def _reference_tables(ref: np.ndarray) -> np.ndarray:
    """libjpeg's scaling of ``ref`` for qualities 1..100, float64 (100, 64)."""
    q = np.arange(1, 101)
    scale = np.where(q < 50, 5000 / q, 200 - 2 * q).astype(np.float64)[:, None]
    out = np.clip(np.floor((ref * scale + 50) / 100), 1, 255)
    out.setflags(write=False)
    return out


_REF_TABLES = (_reference_tables(_STD_LUMA), _reference_tables(_STD_CHROMA))


def exif_upright(exif: bytes | None) -> bytes | None:
    """EXIF bytes with the orientation tag set to 1, patched in place (nothing else changes).

    Falls back to Pillow's re-serialisation, and to None (drop EXIF) rather than keep a
    stale orientation that would rotate the upright pixels a second time.
    """
    if not exif:
        return None
    data = bytearray(exif)
    base = 6 if data.startswith(b"Exif\x00\x00") else 0
    try:
        order = {b"II": "<", b"MM": ">"}[bytes(data[base:base + 2])]
        ifd = base + struct.unpack_from(order + "I", data, base + 4)[0]
        for i in range(struct.unpack_from(order + "H", data, ifd)[0]):
            entry = ifd + 2 + 12 * i
            tag, typ, count = struct.unpack_from(order + "HHI", data, entry)
            if tag == ORIENTATION_TAG and typ == 3 and count == 1:
                struct.pack_into(order + "H", data, entry + 8, 1)
        return bytes(data)
    except (KeyError, struct.error):
        pass
    try:
        parsed = Image.Exif()
        parsed.load(bytes(exif))
        parsed[ORIENTATION_TAG] = 1
        return parsed.tobytes()
    except Exception:  # noqa: BLE001 - unreadable EXIF is dropped, see docstring
        return None


def decoded_bytes(im: Image.Image, fmt: str) -> int:
    """Bytes Pillow (and the format's decoder) hold for the decoded pixels of ``im``, at its
    current (possibly drafted) size: 1 a pixel for 1/L/P, 2 for 16-bit grey, 4 for every
    other mode (Pillow stores RGB as 32 bits); WebP and HEIF decode into a buffer of their
    own first, then copy (twice the bytes)."""
    w, h = im.size
    return w * h * _BYTES_PER_PIXEL.get(im.mode, 4) * _DECODER_COPIES.get(fmt, 1)


_BYTES_PER_PIXEL = types.MappingProxyType(
    {"1": 1, "L": 1, "P": 1, "I;16": 2, "I;16L": 2, "I;16B": 2, "I;16N": 2})
_DECODER_COPIES = types.MappingProxyType({"WEBP": 2, "HEIF": 2})


def too_large(size: tuple[int, int], mode: str, nbytes: int, max_bytes: int) -> str:
    """Human message for an image whose decoded pixels would exceed the memory limit."""
    w, h = size
    return (f"too large to decode: {w}x{h} px in mode {mode} would take {nbytes / 2**20:,.0f} MB of "
            f"memory, over the {max_bytes / 2**20:,.0f} MB limit")


#: Rows are converted and reduced this many bytes of 8-bit output at a time (bounds the
#: temporary float and 32-bit copies that 16-bit, float and palette images need).
_BAND_BYTES = 8 << 20
#: Pillow's ``reducing_gap`` for the analysis resize: box-average by an integer factor
#: (``reduce``) until the image is within 3x of the target, then Lanczos the rest.
_REDUCING_GAP = 3.0
_PREMULTIPLIED = types.MappingProxyType({"LA": "La", "RGBA": "RGBa"})


def to_rgb(
    im: Image.Image, target: tuple[int, int] | None, turn: int, name: str | None
) -> np.ndarray:
    """Decoded Pillow image -> upright sRGB uint8 (H, W, 3).

    Resized to ``target`` (w, h, stored orientation) if given, then transposed for EXIF
    orientation ``turn`` (1..8).

    16-bit and float data are scaled (not clipped) to 8 bit, palettes expanded, an embedded
    non-sRGB ICC profile converted to sRGB, and alpha composited over MATTE_GREY.

    Memory: the decoded image is never copied whole. Deep, palette and alpha images are
    converted to 8 bit (and premultiplied) in bands of rows, each band box-reduced at once,
    so the extra memory is one band plus the reduced image. The result is the same as
    Pillow's ``resize(target, LANCZOS, reducing_gap=3)`` of the whole 8-bit image.
    """
    icc = im.info.get("icc_profile")
    resize = target is not None and im.size != target
    factors = _reduce_factors(im.size, target) if resize else (1, 1)
    size = im.size
    im = _eight_bit_reduced(im, factors, premultiply=resize)
    if resize:
        im = im.resize(target, Image.Resampling.LANCZOS,
                       box=(0, 0, size[0] / factors[0], size[1] / factors[1]))
    if im.mode in ("La", "RGBa"):
        im = im.convert(im.mode.upper())
    if turn in UPRIGHT:
        im = im.transpose(UPRIGHT[turn])
    alpha = None
    if im.mode in ("RGBA", "LA"):
        alpha = np.asarray(im.getchannel("A"), np.float32) / 255.0
        im = im.convert(im.mode[:-1])
    if icc:
        im = _icc_to_srgb(im, icc)
    if im.mode != "RGB":
        try:
            im = im.convert("RGB")
        except ValueError as exc:
            raise UnsupportedImageError(
                f"unsupported image: colour mode {im.mode}", path=name) from exc
    rgb = np.array(im, np.uint8)
    if alpha is not None:
        a = alpha[..., None]
        rgb = np.rint(rgb * a + MATTE_GREY * (1.0 - a)).astype(np.uint8)
    return rgb


def _reduce_factors(size: tuple[int, int], target: tuple[int, int]) -> tuple[int, int]:
    """The integer box-reduction Pillow's resize does first with ``reducing_gap`` (per axis)."""
    return (int(size[0] / target[0] / _REDUCING_GAP) or 1, int(size[1] / target[1] / _REDUCING_GAP) or 1)


def _eight_bit_reduced(im: Image.Image, factors: tuple[int, int], premultiply: bool) -> Image.Image:
    """``im`` in an 8-bit mode, box-reduced by ``factors``; LA/RGBA premultiplied (La/RGBa)
    when ``premultiply`` (as Pillow's resize does before filtering alpha images).

    Plain 8-bit images are reduced whole (the result is small); others band by band."""
    mode = im.mode
    eight_bit = _eight_bit_mode(im)
    convert = eight_bit != mode
    if premultiply and eight_bit in _PREMULTIPLIED:
        convert = True
    if not convert:
        return im.reduce(factors) if factors != (1, 1) else im
    fx, fy = factors
    w, h = im.size
    rows = fy * max(1, _BAND_BYTES // (4 * w * fy))
    scale = _deep_scale(im, rows)
    bands = []
    for y in range(0, h, rows):
        band = _to_8bit(im.crop((0, y, w, min(h, y + rows))), scale)
        if premultiply and band.mode in _PREMULTIPLIED:
            band = band.convert(_PREMULTIPLIED[band.mode])
        bands.append(band.reduce(factors) if factors != (1, 1) else band)
    out = Image.new(bands[0].mode, (bands[0].width, sum(b.height for b in bands)))
    y = 0
    for band in bands:
        out.paste(band, (0, y))
        y += band.height
    return out


def _eight_bit_mode(im: Image.Image) -> str:
    """The mode :func:`_to_8bit` turns ``im`` into."""
    mode = im.mode
    if mode.startswith("I;16") or mode in ("I", "F", "1"):
        return "L"
    if mode in ("P", "PA"):
        return "RGBA" if mode == "PA" or "transparency" in im.info else "RGB"
    if mode in ("RGBa", "La"):
        return mode.upper()
    return mode


def _deep_scale(im: Image.Image, rows: int) -> float:
    """What 16-bit, 32-bit and float pixels are divided by to reach 0..255, from the whole
    image (read band by band): 257 for 16-bit data, 1 for a 32-bit container of 8-bit data,
    and for float 1 when the values fit in [0, 1] (then times 255), else 255."""
    mode = im.mode
    if mode not in ("I", "F"):
        return 257.0
    w, h = im.size
    top = 0.0
    for y in range(0, h, rows):
        a = np.asarray(im.crop((0, y, w, min(h, y + rows))), np.float64)
        if a.size:
            top = max(top, float(np.nan_to_num(a).max()))
    if mode == "I":
        return 1.0 if top <= 255 else 257.0
    return 1.0 if top <= 1.0 else 255.0


def _to_8bit(im: Image.Image, scale: float) -> Image.Image:
    """Deep, bilevel and palette modes -> an 8-bit mode (L, LA, RGB, RGBA, CMYK, ...).

    ``scale`` is :func:`_deep_scale` of the whole image (a band alone cannot tell)."""
    mode = im.mode
    if mode.startswith("I;16") or mode == "I":
        a = np.asarray(im).astype(np.float64)
        if mode == "I" and scale == 1.0:  # 32-bit container of 8-bit data
            return Image.fromarray(np.clip(a, 0, 255).astype(np.uint8))
        return Image.fromarray(np.rint(np.clip(a, 0, 65535) / 257.0).astype(np.uint8))
    if mode == "F":  # float: [0, 1] if it fits there, else [0, 255]
        a = np.nan_to_num(np.asarray(im, np.float64))
        return Image.fromarray(np.rint(np.clip(a / scale, 0, 1) * 255).astype(np.uint8))
    if mode == "1":
        return im.convert("L")
    if mode in ("P", "PA"):
        return im.convert("RGBA" if mode == "PA" or "transparency" in im.info else "RGB")
    if mode in ("RGBa", "La"):  # premultiplied -> straight alpha
        return im.convert(mode.upper())
    return im


def _icc_to_srgb(im: Image.Image, icc: bytes) -> Image.Image:
    """Convert from an embedded ICC profile to sRGB; raw pixels if it is sRGB or unusable."""
    try:
        src = ImageCms.ImageCmsProfile(io.BytesIO(icc))
        if "srgb" in ImageCms.getProfileDescription(src).lower():
            return im
        out = ImageCms.profileToProfile(
            im, src, ImageCms.createProfile("sRGB"),
            renderingIntent=ImageCms.Intent.PERCEPTUAL, outputMode="RGB")
    except Exception:  # noqa: BLE001 - a broken profile must not stop the load (see issue)
        return im
    return out if out is not None else im


def array_to_image(a: object, name: str | None) -> Image.Image:
    """Validate an ndarray (uint8 or float in [0, 1]; (H,W), (H,W,3), (H,W,4)) -> Pillow image."""
    if not isinstance(a, np.ndarray):
        raise UnsupportedImageError(
            f"unsupported image: cannot load a {type(a).__name__}", path=name)
    shape_ok = a.ndim == 2 or (a.ndim == 3 and a.shape[2] in (3, 4))
    if not shape_ok or not (a.dtype == np.uint8 or a.dtype.kind == "f"):
        raise UnsupportedImageError(
            f"unsupported image: array of shape {a.shape} and dtype {a.dtype}; expected uint8 or "
            "float in [0, 1] with shape (H, W), (H, W, 3) or (H, W, 4)", path=name)
    check_shape((a.shape[1], a.shape[0]), name)
    if a.dtype.kind == "f":
        lo, hi = (float(np.min(a)), float(np.max(a))) if a.size else (0.0, 0.0)
        if not (np.isfinite(lo) and np.isfinite(hi) and lo >= 0.0 and hi <= 1.0):
            raise UnsupportedImageError(
                f"unsupported image: float array values must be in [0, 1], got [{lo:g}, {hi:g}]",
                path=name)
        a = np.rint(a.astype(np.float32) * 255.0).astype(np.uint8)
    return Image.fromarray(np.ascontiguousarray(a))
