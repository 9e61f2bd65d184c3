"""``headshot-lint clean``: delete the result cache."""

from __future__ import annotations

from pathlib import Path

import typer
from typing_extensions import Annotated

from ..cache import DEFAULT_DIR as DEFAULT_CACHE_DIR
from ..cache import Cache
from ._common import err, esc


def clean(
    cache_dir: Annotated[Path, typer.Option(help="The cache folder to delete.")] = Path(DEFAULT_CACHE_DIR),
) -> None:
    """Delete the result cache (.headshot-lint-cache/ in the current folder).

    Example: headshot-lint clean
    """
    n = Cache(cache_dir).clear()
    err.print(f"removed {n} cached result{'s' * (n != 1)} from {esc(cache_dir)}")

