"""Reading TOML files (rule files, packs, configuration) with errors that name the file."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Type

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover
    import tomli as tomllib

from .errors import HeadshotLintError


def read_toml(path: Path, error: Type[HeadshotLintError]) -> dict:
    """The parsed file; an unreadable or invalid one raises ``error`` naming the file."""
    try:
        with open(path, "rb") as fh:
            return tomllib.load(fh)
    except OSError as exc:
        raise error(f"{path}: cannot read: {exc.strerror or exc}") from None
    except tomllib.TOMLDecodeError as exc:
        raise error(f"{path}: not valid TOML: {exc}") from None
