"""Hostile inputs, all made here by code (nothing downloaded, no binary blobs).

:func:`payloads` gives every hostile *file content* with what loading it must give;
:func:`write_folder` writes them all to a folder, plus the hostile *file-system* objects
(a directory named like an image, a symlink loop, names with spaces, a newline and
non-UTF-8 bytes) and one good photo, for the whole-batch CLI test.
"""

from __future__ import annotations

import io
import os
import struct
import zlib
from dataclasses import dataclass
from typing import Callable, Dict, List, Optional

import numpy as np
from PIL import Image

from headshot_lint.errors import (
    CorruptImageError,
    EmptyFileError,
    NotAnImageError,
    TooManyPixelsError,
    UnsupportedImageError,
)

T = Image.Transpose
#: EXIF orientation k -> how a camera stores an upright scene (the inverse of the viewer's fix).
STORE = {1: None, 2: T.FLIP_LEFT_RIGHT, 3: T.ROTATE_180, 4: T.FLIP_TOP_BOTTOM,
         5: T.TRANSPOSE, 6: T.ROTATE_90, 7: T.TRANSVERSE, 8: T.ROTATE_270}
GOOD_NAME = "good.jpg"


@dataclass(frozen=True)
class Hostile:
    """One hostile file: its name, bytes, and the outcome ``load`` must give.

    ``error`` is the LoadError subclass ``load`` must raise and ``match`` a regex its
    message must contain; ``error=None`` means it must load (to uint8 RGB).
    """

    name: str
    data: bytes
    error: Optional[type]
    match: str = ""


# ---------------------------------------------------------------- building blocks


def photo(w: int = 96, h: int = 72) -> Image.Image:
    """scikit-image's astronaut (a real face), resized to ``w`` x ``h`` RGB."""
    from skimage import data

    return Image.fromarray(data.astronaut()).resize((w, h), Image.Resampling.BILINEAR)


def encode(im: Image.Image, fmt: str, **kw) -> bytes:
    buf = io.BytesIO()
    im.save(buf, fmt, **kw)
    return buf.getvalue()


def png_chunk(ctype: bytes, payload: bytes) -> bytes:
    return struct.pack(">I", len(payload)) + ctype + payload + struct.pack(">I", zlib.crc32(ctype + payload))


def crafted_png(w: int, h: int) -> bytes:
    """A 1-bit grey PNG that *declares* ``w`` x ``h`` but holds a few bytes (valid CRCs)."""
    ihdr = struct.pack(">IIBBBBB", w, h, 1, 0, 0, 0, 0)
    # one filter byte + ceil(w/8) zero bytes per row, compressed: tiny for any size
    row = b"\x00" * (1 + (w + 7) // 8)
    comp = zlib.compressobj(9)
    idat = b"".join(comp.compress(row) for _ in range(min(h, 64))) + comp.flush()
    return b"\x89PNG\r\n\x1a\n" + png_chunk(b"IHDR", ihdr) + png_chunk(b"IDAT", idat) + png_chunk(b"IEND", b"")


def bomb_png(side: int = 30000) -> bytes:
    """A real, complete ``side`` x ``side`` 1-bit PNG (all white) of a few KB: a bomb."""
    row = b"\x00" + b"\xff" * ((side + 7) // 8)
    comp = zlib.compressobj(9)
    idat = b"".join(comp.compress(row) for _ in range(side)) + comp.flush()
    ihdr = struct.pack(">IIBBBBB", side, side, 1, 0, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + png_chunk(b"IHDR", ihdr) + png_chunk(b"IDAT", idat) + png_chunk(b"IEND", b"")


def jpeg_scan_start(data: bytes) -> int:
    """Offset of the first entropy-coded byte (just after the SOS segment)."""
    at = data.find(b"\xff\xda")
    return at + 2 + struct.unpack(">H", data[at + 2:at + 4])[0]


def corrupt_huffman(data: bytes, seed: int = 1) -> bytes:
    """Overwrite most of the entropy-coded data with random bytes (no 0xFF: no fake markers)."""
    start, end = jpeg_scan_start(data), data.rfind(b"\xff\xd9")
    rng = np.random.default_rng(seed)
    noise = rng.integers(0, 0xFF, end - start - 8, dtype=np.uint8).tobytes()  # 0..254
    return data[:start + 4] + noise + data[end - 4:]


def bad_huffman_table(data: bytes) -> bytes:
    """The first DHT segment's 16 code-length counts set to 255: more codes than can exist."""
    d = bytearray(data)
    at = d.find(b"\xff\xc4")
    d[at + 5:at + 21] = b"\xff" * 16
    return bytes(d)


def adobe_jpeg(im: Image.Image, transform: int) -> bytes:
    """A 4-component (CMYK) JPEG with an Adobe APP14 marker: transform 0 = CMYK, 2 = YCCK.

    Pillow writes CMYK JPEGs without the marker; libjpeg reads transform 2 as YCCK and
    converts it to CMYK while decoding, the path of Photoshop's YCCK files.
    """
    data = encode(im.convert("CMYK"), "JPEG", quality=90)
    app14 = b"\xff\xee" + struct.pack(">H", 14) + b"Adobe" + struct.pack(">HHHB", 100, 0, 0, transform)
    return data[:2] + app14 + data[2:]


def exif_block(orientation: int, thumbnail: bytes | None = None) -> bytes:
    """A little-endian EXIF APP1 payload: IFD0 with Orientation, optionally IFD1 with a
    JPEG thumbnail (JPEGInterchangeFormat/Length) appended after it."""
    ifd0 = 8
    ifd1 = ifd0 + 2 + 12 + 4
    next_ifd = ifd1 if thumbnail else 0
    out = b"II*\x00" + struct.pack("<I", ifd0)
    out += struct.pack("<H", 1) + struct.pack("<HHIHH", 0x0112, 3, 1, orientation, 0) + struct.pack("<I", next_ifd)
    if thumbnail:
        thumb_at = ifd1 + 2 + 2 * 12 + 4
        out += struct.pack("<H", 2)
        out += struct.pack("<HHII", 0x0201, 4, 1, thumb_at) + struct.pack("<HHII", 0x0202, 4, 1, len(thumbnail))
        out += struct.pack("<I", 0) + thumbnail
    return b"Exif\x00\x00" + out


def oriented_jpeg(k: int, thumbnail: bool, upright: Image.Image | None = None) -> bytes:
    """The upright ``photo()`` stored as a camera with EXIF orientation ``k`` would."""
    up = upright if upright is not None else photo()
    stored = up if STORE[k] is None else up.transpose(STORE[k])
    thumb = encode(stored.resize((stored.width // 4, stored.height // 4)), "JPEG", quality=70) if thumbnail else None
    return encode(stored, "JPEG", quality=95, exif=exif_block(k, thumb))


def animated(fmt: str) -> bytes:
    frames = [Image.new("RGB", (64, 48), c) for c in ((200, 30, 30), (30, 200, 30), (30, 30, 200))]
    return encode(frames[0], fmt, save_all=True, append_images=frames[1:], duration=100, loop=0)


def multipage_tiff() -> bytes:
    pages = [photo(64, 48), Image.new("RGB", (32, 32), (0, 255, 0))]
    return encode(pages[0], "TIFF", save_all=True, append_images=pages[1:])


def palette_png_with_transparency() -> bytes:
    im = photo(64, 48).convert("P", palette=Image.Palette.ADAPTIVE, colors=16)
    return encode(im, "PNG", transparency=0)


def png16() -> bytes:
    a = (np.asarray(photo(64, 48).convert("L"), np.uint16) * 257).astype(np.uint16)
    return encode(Image.fromarray(a), "PNG")  # mode I;16


def bad_crc_png() -> bytes:
    data = bytearray(encode(photo(64, 48), "PNG"))
    at = data.find(b"IDAT")
    length = struct.unpack(">I", data[at - 4:at])[0]
    data[at + 4 + length] ^= 0xFF
    return bytes(data)


# ---------------------------------------------------------------- the catalogue


def payloads() -> List[Hostile]:
    """Every hostile file content, with the outcome ``load`` must give."""
    good_jpeg = encode(photo(160, 120), "JPEG", quality=90)
    out = [
        Hostile("empty.jpg", b"", EmptyFileError, r"empty (file|input) \(0 bytes\)"),
        Hostile("zero-pixel.png", crafted_png(0, 0), CorruptImageError, r"corrupt PNG image: the header declares 0x0 px"),
        Hostile("zero-width.png", crafted_png(0, 64), CorruptImageError, r"the header declares 0x64 px"),
        Hostile("one-pixel.png", encode(Image.new("RGB", (1, 1), (9, 9, 9)), "PNG"),
                UnsupportedImageError, r"too small to analyse: 1x1 px"),
        Hostile("strip-100000x1.png", encode(Image.new("L", (100000, 1), 200), "PNG"),
                UnsupportedImageError, r"too small to analyse: 100000x1 px"),
        Hostile("strip-4000x100.png", crafted_png(4000, 100), UnsupportedImageError,
                r"too elongated to analyse: 4000x100 px"),
        # libjpeg decodes random entropy-coded data with warnings only (as browsers show it)
        Hostile("huffman-garbage.jpg", corrupt_huffman(good_jpeg), None),
        Hostile("bad-huffman-table.jpg", bad_huffman_table(good_jpeg), CorruptImageError,
                r"truncated or corrupt JPEG: broken data stream"),
        Hostile("bad-crc.png", bad_crc_png(), CorruptImageError, r"bad CRC in the IDAT chunk"),
        Hostile("bomb-30000x30000.png", bomb_png(30000), TooManyPixelsError,
                r"too many pixels: 30000x30000 = 900 MP exceeds the 200 MP limit"),
        Hostile("cmyk.jpg", adobe_jpeg(photo(), 0), None),
        Hostile("ycck.jpg", adobe_jpeg(photo(), 2), None),
        Hostile("sixteen-bit.png", png16(), None),
        Hostile("palette-transparent.png", palette_png_with_transparency(), None),
        Hostile("animated.gif", animated("GIF"), None),
        Hostile("animated.webp", animated("WEBP"), None),
        Hostile("multipage.tiff", multipage_tiff(), None),
        Hostile("png-named.jpg", encode(photo(), "PNG"), None),  # wrong extension
        Hostile("jpeg-named.png", encode(photo(), "JPEG"), None),
        Hostile("text.jpg", b"this is a shopping list, not a photo\n", NotAnImageError,
                r"not an image: the bytes look like text"),
        Hostile("html.jpg", b"<!DOCTYPE html><html><body>404</body></html>", NotAnImageError,
                r"not an image: the bytes look like an HTML page"),
        Hostile("zeros.jpg", b"\x00" * 4096, NotAnImageError, r"not an image"),
    ]
    for i, frac in enumerate(np.linspace(0.0, 0.999, 10)):
        cut = max(2, int(frac * len(good_jpeg)))
        out.append(Hostile(f"truncated-{i}-at-{cut}.jpg", good_jpeg[:cut], CorruptImageError,
                           r"truncated or corrupt JPEG"))
    for k in range(1, 9):
        for thumb in (False, True):
            out.append(Hostile(f"orientation-{k}{'-thumb' if thumb else ''}.jpg", oriented_jpeg(k, thumb), None))
    return out


#: Hostile file-system objects written by write_folder: name -> regex of the report message.
FS_OBJECTS: Dict[str, str] = {
    "loop.jpg": r"cannot read .*loop\.jpg: Too many levels of symbolic links",
    "dangling.jpg": r"cannot read .*dangling\.jpg: No such file",
}
#: Photos with awkward names (all good JPEGs): must load and be reported under their name.
ODD_NAMES: List[str] = ["with space.jpg", "new\nline.jpg", os.fsdecode(b"caf\xe9-latin1.jpg"), "emoji-\U0001f600.jpg"]


def write_folder(folder: str, items: Optional[List[Hostile]] = None,
                 extra: Optional[Callable[[str], None]] = None) -> Dict[str, Hostile]:
    """Write every hostile payload, the file-system oddities and ``good.jpg`` into ``folder``.

    Returns ``{path: Hostile}`` for each *file* a folder walk must report (the directory
    named like an image is not a file and is walked into, not reported).
    """
    os.makedirs(folder, exist_ok=True)
    good = Hostile(GOOD_NAME, encode(photo(256, 256), "JPEG", quality=92), None)
    written: Dict[str, Hostile] = {}
    for h in [*(items if items is not None else payloads()), good]:
        path = os.path.join(folder, h.name)
        with open(path, "wb") as fh:
            fh.write(h.data)
        written[path] = h
    for name in ODD_NAMES:
        path = os.path.join(folder, name)
        with open(path, "wb") as fh:
            fh.write(good.data)
        written[path] = Hostile(name, good.data, None)
    os.makedirs(os.path.join(folder, "folder-named.jpg"), exist_ok=True)  # a directory, empty
    loop = os.path.join(folder, "loop.jpg")
    os.symlink("loop.jpg", loop)  # points at itself: ELOOP on open
    written[loop] = Hostile("loop.jpg", b"", None, FS_OBJECTS["loop.jpg"])
    dangling = os.path.join(folder, "dangling.jpg")
    os.symlink("missing-target.jpg", dangling)
    written[dangling] = Hostile("dangling.jpg", b"", None, FS_OBJECTS["dangling.jpg"])
    if extra is not None:
        extra(folder)
    return written
