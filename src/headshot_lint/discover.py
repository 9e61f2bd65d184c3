"""Finding the photos to check under the paths a user gives."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Iterable, Iterator

#: File endings treated as photos when walking a folder. Files named explicitly
#: are always checked, whatever their ending.
IMAGE_SUFFIXES = frozenset({".jpg", ".jpeg", ".jpe", ".png", ".webp", ".tif", ".tiff", ".bmp", ".gif"})


def discover(paths: Iterable[str | os.PathLike[str]]) -> Iterator[str]:
    """Photos under ``paths`` in a stable order: explicit files as given, folders
    walked recursively (sorted, hidden entries skipped, symlinked folders not
    followed so a loop can't trap the walk). A missing path is yielded as is, so
    the audit reports it like any other unreadable file."""
    seen: set[str] = set()
    for raw in paths:
        path = Path(raw)
        if path.is_dir():
            for found in _walk(path):
                if found not in seen:
                    seen.add(found)
                    yield found
        else:
            key = os.fspath(raw)
            if key not in seen:
                seen.add(key)
                yield key


def _walk(root: Path) -> Iterator[str]:
    for dirpath, dirnames, filenames in os.walk(root, followlinks=False):
        dirnames[:] = sorted(d for d in dirnames if not d.startswith("."))
        for name in sorted(filenames):
            if name.startswith("."):
                continue
            if os.path.splitext(name)[1].lower() in IMAGE_SUFFIXES:
                yield os.path.join(dirpath, name)
