"""A photo read from standard input (``check -``, ``fix -``), for the commands that take it."""

from __future__ import annotations

import sys
import tempfile
from pathlib import Path
from typing import Optional, Tuple

import typer
from rich.console import Console

from .exit_codes import ExitCode

#: The path that stands for standard input.
STDIN = "-"

_err = Console(stderr=True)


def spool_stdin(ctx: typer.Context, name: Optional[str]) -> Tuple[Path, str]:
    """(private file holding the photo read from standard input, the name to report it under).

    The bytes go to a temporary folder that lives as long as the command (the batch reads
    photos by path, and the cache keys them by content as any other); nothing is written
    beside the user's files. Reading a terminal would wait forever, so that is an error.
    """
    if sys.stdin is None or sys.stdin.isatty():
        _err.print(f"[red]error:[/red] '{STDIN}' reads a photo from standard input, but nothing is piped in "
                   f"(try: cat me.jpg | headshot-lint {ctx.info_name or 'check'} {STDIN} ...)")
        raise typer.Exit(ExitCode.ERROR)
    data = getattr(sys.stdin, "buffer", sys.stdin).read()
    if isinstance(data, str):  # a text-only stream (embedding): the bytes it decoded
        data = data.encode("utf-8", "surrogateescape")
    folder = ctx.with_resource(tempfile.TemporaryDirectory(prefix="headshot-lint-stdin-"))
    label = name or STDIN
    spool = Path(folder) / (Path(name).name if name and Path(name).name else "stdin")
    spool.write_bytes(data)
    return spool, label
