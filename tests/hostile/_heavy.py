"""Small files that decode to a lot of memory, made here by code (nothing downloaded).

Each writer streams its output, so making a file costs little memory itself; the pixels
are uniform or repeat, which is what lets a few bytes declare hundreds of megapixels.
:data:`HEAVY` names them all with a writer ``(path) -> None``; issue 24 measured each at
gigabytes of peak RSS in a single-photo ``check``.
"""

from __future__ import annotations

import struct
import zlib
from typing import Callable, Dict

from tests.hostile._make import png_chunk


class _Bits:
    """An LSB-first bit writer (the WebP lossless bitstream's order)."""

    def __init__(self) -> None:
        self.value = 0
        self.n = 0

    def put(self, value: int, bits: int) -> None:
        self.value |= (value & ((1 << bits) - 1)) << self.n
        self.n += bits

    def bytes(self) -> bytes:
        return self.value.to_bytes((self.n + 7) // 8, "little")


def webp_lossless(width: int = 14100, height: int = 14100) -> bytes:
    """A lossless WebP of one grey colour: every prefix code has one symbol, so each pixel
    costs zero bits and 199 MP fit in ~40 bytes."""
    b = _Bits()
    b.put(0x2F, 8)
    b.put(width - 1, 14)
    b.put(height - 1, 14)
    b.put(0, 1)  # no alpha
    b.put(0, 3)  # version
    b.put(0, 1)  # no transform
    b.put(0, 1)  # no colour cache
    b.put(0, 1)  # no meta prefix codes
    for symbol in (128, 128, 128, 255, 0):  # green, red, blue, alpha, distance
        b.put(1, 1)  # simple code
        b.put(0, 1)  # one symbol
        b.put(1, 1)  # 8-bit symbol
        b.put(symbol, 8)
    data = b.bytes()
    chunk = b"VP8L" + struct.pack("<I", len(data)) + data + (b"\0" if len(data) % 2 else b"")
    return b"RIFF" + struct.pack("<I", 4 + len(chunk)) + b"WEBP" + chunk


def _write_png(path: str, width: int, height: int, colour_type: int, depth: int,
               row: Callable[[int], bytes]) -> None:
    """A PNG streamed row by row (filter 0), compressed as it goes."""
    comp = zlib.compressobj(6)
    with open(path, "wb") as fh:
        fh.write(b"\x89PNG\r\n\x1a\n")
        fh.write(png_chunk(b"IHDR", struct.pack(">IIBBBBB", width, height, depth, colour_type, 0, 0, 0)))
        pending = []
        size = 0
        for y in range(height):
            out = comp.compress(b"\x00" + row(y))
            if out:
                pending.append(out)
                size += len(out)
            if size > 1 << 20:
                fh.write(png_chunk(b"IDAT", b"".join(pending)))
                pending, size = [], 0
        pending.append(comp.flush())
        fh.write(png_chunk(b"IDAT", b"".join(pending)))
        fh.write(png_chunk(b"IEND", b""))


def grey16_png(path: str, width: int = 10000, height: int = 10000) -> None:
    """A 16-bit grey PNG: a vertical ramp (Pillow mode I;16, 2 bytes a pixel decoded)."""
    _write_png(path, width, height, 0, 16,
               lambda y: struct.pack(">H", 20000 + 4 * (y // 16)) * width)


def rgba16_png(path: str, width: int = 7000, height: int = 7000) -> None:
    """A 16-bit RGBA PNG, half transparent (Pillow reads it as 8-bit RGBA)."""
    _write_png(path, width, height, 6, 16,
               lambda y: struct.pack(">HHHH", 50000, 40000, 30000 + y, 32768) * width)


def float_tiff(path: str, width: int = 7000, height: int = 7000, rows_per_strip: int = 16) -> None:
    """An uncompressed float32 grey TIFF whose strips all point at the same bytes: a few
    hundred KB on disk, ``width * height * 4`` bytes decoded (Pillow mode F)."""
    strips = (height + rows_per_strip - 1) // rows_per_strip
    strip = struct.pack("<f", 0.6) * (width * rows_per_strip)
    entries = [  # tag, type (3 SHORT, 4 LONG), count, value or offset
        (256, 4, 1, width), (257, 4, 1, height), (258, 3, 1, 32), (259, 3, 1, 1), (262, 3, 1, 1),
        (273, 4, strips, None), (277, 3, 1, 1), (278, 4, 1, rows_per_strip), (279, 4, strips, None),
        (284, 3, 1, 1), (339, 3, 1, 3),
    ]
    ifd_at = 8
    ifd_size = 2 + 12 * len(entries) + 4
    offsets_at = ifd_at + ifd_size
    counts_at = offsets_at + 4 * strips
    data_at = counts_at + 4 * strips
    out = bytearray(b"II*\x00" + struct.pack("<I", ifd_at) + struct.pack("<H", len(entries)))
    for tag, typ, count, value in entries:
        if tag == 273:
            value = offsets_at
        elif tag == 279:
            value = counts_at
        fmt = "<HHIHH" if typ == 3 and count == 1 else "<HHII"
        out += struct.pack(fmt, tag, typ, count, value, 0) if fmt == "<HHIHH" else struct.pack(fmt, tag, typ, count, value)
    out += struct.pack("<I", 0)
    last_rows = height - rows_per_strip * (strips - 1)
    out += struct.pack(f"<{strips}I", *([data_at] * strips))
    out += struct.pack(f"<{strips}I", *([len(strip)] * (strips - 1) + [width * last_rows * 4]))
    out += strip
    with open(path, "wb") as fh:
        fh.write(out)


def big_gif(path: str, width: int = 12000, height: int = 9000) -> None:
    """A single-frame palette GIF of one colour (Pillow mode P, 1 byte a pixel decoded)."""
    from PIL import Image

    im = Image.new("P", (width, height), 3)
    im.putpalette([v for i in range(256) for v in (i, 255 - i, (3 * i) % 256)])
    im.save(path, "GIF")


def _write_bytes(data: bytes) -> Callable[[str], None]:
    def write(path: str) -> None:
        with open(path, "wb") as fh:
            fh.write(data)
    return write


#: name -> writer; the files issue 24 measured at 1-5 GB of peak RSS each.
HEAVY: Dict[str, Callable[[str], None]] = {
    "webp-199mp.webp": _write_bytes(webp_lossless()),
    "grey16-100mp.png": grey16_png,
    "float32-49mp.tif": float_tiff,
    "rgba16-49mp.png": rgba16_png,
    "big-108mp.gif": big_gif,
}
