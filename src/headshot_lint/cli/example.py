"""``headshot-lint example``: write a sample headshot to try the linter on."""

from __future__ import annotations

from pathlib import Path

import typer
from typing_extensions import Annotated

from ..exit_codes import ExitCode
from ._common import err


def example(
    out: Annotated[Path, typer.Argument(help="Where to write the sample photo (JPEG).")] = Path("astronaut.jpg"),
) -> None:
    """Write a sample headshot to try the linter on (NASA's portrait of Eileen Collins, from scikit-image).

    The photo is public domain and ships inside scikit-image, so this works offline.

    Example: headshot-lint example astronaut.jpg && headshot-lint check astronaut.jpg
    """
    from PIL import Image
    from skimage import data

    if out.exists():
        err.print(f"[red]error:[/red] {out} exists; not overwriting it")
        raise typer.Exit(ExitCode.ERROR)
    Image.fromarray(data.astronaut()).save(out, quality=92)
    err.print(f"wrote {out}")
