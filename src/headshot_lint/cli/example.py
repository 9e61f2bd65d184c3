"""``headshot-lint example``: write a sample headshot to try the linter on."""

from __future__ import annotations

import io
import shlex
from pathlib import Path

import typer
from typing_extensions import Annotated

from ..exit_codes import ExitCode
from ._common import err

#: What a sample can be written as: file-name suffix -> Pillow format. The photo is checked
#: the same whatever its format; JPEG is what people upload.
FORMATS = {".jpg": "JPEG", ".jpeg": "JPEG", ".png": "PNG", ".webp": "WEBP"}
DEFAULT_NAME = "astronaut.jpg"


def example(
    out: Annotated[Path, typer.Argument(help="Where to write the sample photo: a new .jpg, .jpeg, .png or "
                                             ".webp file, or an existing folder (it gets astronaut.jpg).")
                   ] = Path(DEFAULT_NAME),
) -> None:
    """Write a sample headshot to try the linter on (NASA's portrait of Eileen Collins, from scikit-image).

    The photo is public domain and ships inside scikit-image, so this works offline.
    An existing file is never overwritten.

    Example:

    \b
      headshot-lint example astronaut.jpg && headshot-lint check astronaut.jpg
    """
    from .._atomic import OutputError, check_writable, write_atomic

    target = out / DEFAULT_NAME if out.is_dir() else out
    fmt = FORMATS.get(target.suffix.lower())
    if fmt is None:
        err.print(f"[red]error:[/red] cannot tell which image format {target} should be; give a name ending in "
                  f"{', '.join(FORMATS)}, or an existing folder")
        raise typer.Exit(ExitCode.ERROR)
    if target.exists() or target.is_symlink():
        err.print(f"[red]error:[/red] {target} exists; not overwriting it")
        raise typer.Exit(ExitCode.ERROR)
    try:
        check_writable(target)
        write_atomic(target, _sample_bytes(fmt), overwrite=False, fsync=True)
    except FileExistsError:
        err.print(f"[red]error:[/red] {target} appeared while writing it; not overwriting it")
        raise typer.Exit(ExitCode.ERROR) from None
    except OutputError as exc:
        err.print(f"[red]error:[/red] {exc}")
        raise typer.Exit(ExitCode.ERROR) from None
    except OSError as exc:
        err.print(f"[red]error:[/red] cannot write {target}: {exc.strerror or exc}")
        raise typer.Exit(ExitCode.ERROR) from None
    err.print(f"wrote {target}; now run: headshot-lint check {shlex.quote(str(target))}", highlight=False)


def _sample_bytes(fmt: str) -> bytes:
    """The sample photo encoded as ``fmt`` (a Pillow format name)."""
    from PIL import Image
    from skimage import data

    buf = io.BytesIO()
    Image.fromarray(data.astronaut()).save(buf, format=fmt, quality=92)
    return buf.getvalue()
