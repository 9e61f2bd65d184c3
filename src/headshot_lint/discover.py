"""Finding the photos to check under the paths a user gives.

Folders are walked recursively in a stable (sorted) order. A file is a photo when
its first bytes are an image signature (JPEG, PNG, WebP, TIFF, BMP, GIF, HEIC/AVIF), whatever
its name; hidden files and folders are skipped unless asked for; ``--exclude``
globs drop paths; symlinked folders are followed once (a loop cannot trap the
walk). Names that are not valid UTF-8 stay ``str`` with surrogate escapes
(:func:`os.fsdecode`), so the file can still be opened; reports escape them.
"""

from __future__ import annotations

import fnmatch
import hashlib
import os
from pathlib import Path
from typing import Iterable, Iterator, Sequence

from ._imageio import sniff

#: File endings that mark a photo whatever its bytes: an empty, truncated or mislabelled
#: ``jane.jpg`` in a staff folder is reported as unreadable, never silently skipped.
IMAGE_SUFFIXES = frozenset({".jpg", ".jpeg", ".jpe", ".png", ".webp", ".tif", ".tiff", ".bmp", ".gif",
                            ".heic", ".heif", ".hif", ".avif"})


def is_image(path: str | os.PathLike[str]) -> bool:
    """True when the file starts with an image signature (content sniffing, not the name)."""
    try:
        with open(path, "rb") as fh:
            head = fh.read(16)
    except OSError:
        return False
    return len(head) >= 8 and sniff(head)[0] is not None


def discover(paths: Iterable[str | os.PathLike[str]], *, exclude: Sequence[str] = (),
             hidden: bool = False, root: str | None = None) -> Iterator[str]:
    """Photos under ``paths`` in a stable order, each once.

    Explicit files are yielded as given (even hidden or not an image: the audit then
    reports them). Folders are walked recursively (sorted), keeping files whose
    content is an image (whatever their name) or whose name ends like an image (whatever
    their content: the audit reports a broken one; a pipe, device or broken link with a
    photo's name too). ``exclude`` globs are matched against the path relative
    to ``root`` (default: the current folder) and against each name; a missing path
    is yielded as is, so the audit reports it like any other unreadable file.
    """
    seen: set[str] = set()
    base = os.path.abspath(root or os.curdir)
    for raw in paths:
        raw = os.fsdecode(raw)
        if os.path.isdir(raw):
            found_iter: Iterable[str] = _walk(raw, exclude, hidden, base)
        else:
            found_iter = [raw]
        for found in found_iter:
            key = os.path.normpath(found)
            if key not in seen:
                seen.add(key)
                yield found


def is_excluded(path: str, patterns: Sequence[str], base: str) -> bool:
    """True when a glob matches the path relative to ``base``, or its name."""
    if not patterns:
        return False
    rel = os.path.relpath(os.path.abspath(path), base).replace(os.sep, "/")
    name = os.path.basename(path)
    for pat in patterns:
        pat = pat.rstrip("/")
        if fnmatch.fnmatchcase(rel, pat) or fnmatch.fnmatchcase(name, pat) or fnmatch.fnmatchcase(rel, pat + "/*"):
            return True
        if pat.startswith("**/") and fnmatch.fnmatchcase(name, pat[3:]):
            return True
    return False


def _walk(root: str, exclude: Sequence[str], hidden: bool, base: str) -> Iterator[str]:
    visited: set[tuple[int, int]] = set()
    for dirpath, dirnames, filenames in os.walk(root, followlinks=True):
        try:
            st = os.stat(dirpath)
        except OSError:
            dirnames[:] = []
            continue
        ident = (st.st_dev, st.st_ino)
        if ident in visited:  # a symlink loop, or the same folder reached twice
            dirnames[:] = []
            continue
        visited.add(ident)
        dirnames[:] = sorted(d for d in dirnames if (hidden or not d.startswith("."))
                             and not is_excluded(os.path.join(dirpath, d), exclude, base))
        for name in sorted(filenames):
            if not hidden and name.startswith("."):
                continue
            path = os.path.join(dirpath, name)
            if is_excluded(path, exclude, base):
                continue
            named = os.path.splitext(name)[1].lower() in IMAGE_SUFFIXES
            if os.path.isfile(path):  # only a regular file's bytes are sniffed (a FIFO would block)
                if named or is_image(path):
                    yield path
            elif named:  # a pipe, device or broken link named like a photo: reported, not skipped
                yield path


def shard(paths: Iterable[str], index: int, count: int, *, root: str | None = None) -> Iterator[str]:
    """The paths of shard ``index`` (1-based) of ``count``: split by a hash of the
    path relative to ``root`` (default the current folder), so every machine of a
    CI matrix picks the same split, and the shards together are the whole."""
    if count < 1 or not 1 <= index <= count:
        raise ValueError(f"shard must be i/n with 1 <= i <= n, got {index}/{count}")
    base = os.path.abspath(root or os.curdir)
    for path in paths:
        rel = os.path.relpath(os.path.abspath(path), base).replace(os.sep, "/")
        digest = hashlib.sha256(os.fsencode(rel)).digest()
        if int.from_bytes(digest[:8], "big") % count == index - 1:
            yield path


def parse_shard(text: str) -> tuple[int, int]:
    """``"2/4"`` -> ``(2, 4)``; ValueError for anything else."""
    try:
        i, n = (int(p) for p in text.split("/"))
    except ValueError:
        raise ValueError(f"shard must look like 1/4, got {text!r}") from None
    if n < 1 or not 1 <= i <= n:
        raise ValueError(f"shard must be i/n with 1 <= i <= n, got {text!r}")
    return i, n


def common_root(paths: Sequence[str | os.PathLike[str]]) -> Path:
    """Folder of the first path (itself when a folder): where config lookup starts."""
    first = Path(os.fsdecode(paths[0])) if paths else Path(os.curdir)
    return first if first.is_dir() else first.parent
