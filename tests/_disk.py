"""A full disk for a test: every file opened through ``os.fdopen`` fails to write (reads still work)."""

from __future__ import annotations

import os
from typing import Any


def fill_disk(monkeypatch: Any, written: float = 0.0) -> None:
    """Make each write through ``os.fdopen`` put down ``written`` of its data (a fraction),
    then fail with ENOSPC, as a disk that fills up mid-write does."""
    real_fdopen = os.fdopen

    class Full:
        def __init__(self, fh: Any) -> None:
            self.fh = fh

        def __enter__(self) -> Full:
            return self

        def __exit__(self, *exc: object) -> bool:
            self.fh.close()
            return False

        def __getattr__(self, name: str) -> Any:  # reading (a photo, a cache entry) still works
            return getattr(self.fh, name)

        def write(self, data: Any) -> None:
            if written:
                self.fh.write(data[: int(len(data) * written)])
                self.fh.flush()
            raise OSError(28, "No space left on device")

    monkeypatch.setattr(os, "fdopen", lambda fd, *a, **k: Full(real_fdopen(fd, *a, **k)))
