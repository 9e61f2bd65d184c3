"""Small file-system helpers shared by the writers."""

from __future__ import annotations

import os


def default_mode() -> int:
    """Permission bits a plain ``open(path, "w")`` would give a new file here: 0o666 minus
    the process's umask. ``tempfile.mkstemp`` creates 0o600 files; an atomically written
    report or corrected photo should not end up readable by its owner only."""
    mask = os.umask(0)
    os.umask(mask)
    return 0o666 & ~mask
