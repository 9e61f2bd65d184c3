"""Models built at first use, kept between runs in the user's cache folder.

The background embedding's ONNX graph is built from the shipped PyTorch weights (about
0.1-0.2 s of CPU, paid by every ``check`` of one photo); :func:`load_or_build` keeps the
built bytes in one file per key under the user's cache folder, never beside the photos
or in the working folder (the result cache ``.headshot-lint-cache`` lives there; this is
not results, and a pre-commit hook's working folder is the user's repository):

- ``$HEADSHOT_LINT_MODEL_CACHE`` when set (a folder; ``off`` turns the cache off);
- else ``$XDG_CACHE_HOME/headshot-lint/models``, ``~/.cache/headshot-lint/models``
  (``~/Library/Caches/...`` on macOS, ``%LOCALAPPDATA%\\headshot-lint\\Cache\\models``
  on Windows).

The key is a sha256 over whatever the caller says the bytes depend on (the embedding:
package version, its builder's source, the weights file's sha256, numpy's version).
Entries are written with :func:`~headshot_lint._atomic.write_atomic` (whole or not at
all), carry their length and CRC-32, and are read only as regular files (no symlink
followed) of a sane size; anything else is ignored and the model rebuilt. A read-only or
missing home only costs the speed-up. Safe to delete.
"""

from __future__ import annotations

import hashlib
import os
import stat
import struct
import sys
import zlib
from pathlib import Path
from typing import Callable, Iterable

#: Environment variable: the folder for built models, or ``off``.
ENV = "HEADSHOT_LINT_MODEL_CACHE"
#: An entry starts with this line, then its payload's length (uint64) and CRC-32 (uint32), little-endian.
MAGIC = b"headshot-lint built model 1\n"
_HEADER = struct.Struct("<QI")
#: Entries larger than this are not read (the embedding's graph is ~18 MB).
MAX_BYTES = 256 << 20
_OFF = ("off", "0", "no", "false", "none")


def cache_dir() -> Path | None:
    """The folder built models are kept in (absolute; it may not exist yet), or None when
    the cache is off or no user cache folder can be named (no home)."""
    raw = os.environ.get(ENV, "").strip()
    if raw:
        if raw.lower() in _OFF:
            return None
        return Path(os.path.abspath(os.path.expanduser(raw)))
    if sys.platform == "win32":
        base = os.environ.get("LOCALAPPDATA", "")
        return Path(base, "headshot-lint", "Cache", "models") if base else None
    if sys.platform == "darwin":
        home = os.path.expanduser("~")
        return Path(home, "Library", "Caches", "headshot-lint", "models") if home != "~" else None
    xdg = os.environ.get("XDG_CACHE_HOME", "").strip()
    if xdg and os.path.isabs(xdg):
        return Path(xdg, "headshot-lint", "models")
    home = os.path.expanduser("~")
    return Path(home, ".cache", "headshot-lint", "models") if home != "~" and os.path.isabs(home) else None


def key_of(parts: Iterable[bytes | str]) -> str:
    """sha256 hex over ``parts`` (each length-prefixed, so no two lists collide)."""
    h = hashlib.sha256()
    for p in parts:
        b = p.encode() if isinstance(p, str) else bytes(p)
        h.update(struct.pack("<Q", len(b)) + b)
    return h.hexdigest()


def entry_path(folder: Path, name: str, key: str) -> Path:
    """Where the entry ``name`` with ``key`` lives in ``folder``."""
    return folder / f"{name}-{key[:40]}.bin"


def load_or_build(name: str, key: str, build: Callable[[], bytes]) -> bytes:
    """The bytes ``build()`` returns, read from the cache when an intact entry for ``key``
    is there, else built and stored (best effort). ``name`` is a plain file-name stem."""
    if not name.replace("-", "").replace("_", "").isalnum():
        raise ValueError(f"bad cache entry name {name!r}")
    folder = cache_dir()
    if folder is None:
        return build()
    path = entry_path(folder, name, key)
    data = read_entry(path)
    if data is not None:
        return data
    data = build()
    store(folder, name, path, data)
    return data


def read_entry(path: Path) -> bytes | None:
    """An entry's payload, or None when it is absent, not a regular file, too large,
    truncated or fails its CRC (never raises)."""
    flags = os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_CLOEXEC", 0)
    flags |= getattr(os, "O_BINARY", 0)
    try:
        fd = os.open(path, flags)
    except OSError:
        return None
    head = len(MAGIC) + _HEADER.size
    try:
        st = os.fstat(fd)
        if not stat.S_ISREG(st.st_mode) or not head < st.st_size <= MAX_BYTES:
            return None
        start = _read_exactly(fd, head)
        if len(start) < head or start[:len(MAGIC)] != MAGIC:
            return None
        length, crc = _HEADER.unpack_from(start, len(MAGIC))
        if length != st.st_size - head:
            return None
        payload = _read_exactly(fd, length)
        if os.read(fd, 1):  # the file grew after fstat
            return None
    except OSError:
        return None
    finally:
        os.close(fd)
    if len(payload) != length or zlib.crc32(payload) != crc:
        return None
    return payload


def _read_exactly(fd: int, n: int) -> bytes:
    """Up to ``n`` bytes from ``fd``, fewer only at the end of the file. The payload is read
    into the bytes returned, not sliced out of a larger buffer: a slice copied the 18 MB
    embedding graph once more (read and CRC 27 -> 11 ms a check)."""
    data = os.read(fd, n)
    if len(data) == n or not data:
        return data
    parts, left = [data], n - len(data)
    while left:
        more = os.read(fd, left)
        if not more:
            break
        parts.append(more)
        left -= len(more)
    return b"".join(parts)


def store(folder: Path, name: str, path: Path, data: bytes) -> bool:
    """Write ``data`` as the entry at ``path`` (inside ``folder``), atomically, and remove
    the folder's other entries of ``name`` (older keys); True if written. Never raises for
    a disk that cannot be written."""
    from ._atomic import write_atomic

    try:
        folder.mkdir(parents=True, exist_ok=True, mode=0o700)
        real = folder.resolve()
        dest = real / path.name
        if os.path.islink(dest) or (os.path.lexists(dest) and not os.path.isfile(dest)):
            os.unlink(dest)  # a link or device planted at the entry's name is replaced, not followed
        if dest.resolve().parent != real:
            return False
        write_atomic(dest, MAGIC + _HEADER.pack(len(data), zlib.crc32(data)) + data)
    except (OSError, ValueError):
        return False
    for old in real.glob(f"{name}-*.bin"):  # entries of another version or weights
        try:
            if old.name != dest.name and old.is_file() and not old.is_symlink():
                old.unlink()
        except OSError:
            continue
    return True
