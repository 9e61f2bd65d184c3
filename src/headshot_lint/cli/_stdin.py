"""A photo read from standard input (``check -``, ``fix -``), for the commands that take it."""

from __future__ import annotations

import os
import sys
import tempfile
from pathlib import Path
from typing import Tuple

import typer
from rich.console import Console

from ..exit_codes import ExitCode

#: The path that stands for standard input.
STDIN = "-"

_err = Console(stderr=True)


#: Largest photo read from standard input by default, MB (``check --max-stdin-mb``).
DEFAULT_MAX_STDIN_MB = 100.0
#: The spool folders' name prefix; one older than this (s) is a leftover of a killed run.
SPOOL_PREFIX = "headshot-lint-stdin-"
STALE_SECONDS = 3600.0


def spool_stdin(ctx: typer.Context, name: str | None,
                max_mb: float = DEFAULT_MAX_STDIN_MB) -> Tuple[Path, str]:
    """(private file holding the photo read from standard input, the name to report it under).

    The bytes go to a temporary folder that lives as long as the command (the batch reads
    photos by path, and the cache keys them by content as any other); nothing is written
    beside the user's files. They are copied a megabyte at a time and refused past
    ``max_mb`` (exit 2), so a stream that never ends cannot fill memory or the disk.
    Reading a terminal would wait forever, so that is an error. Folders left by a run
    killed mid-way are removed here, once they are an hour old.
    """
    if sys.stdin is None or sys.stdin.isatty():
        _err.print(f"[red]error:[/red] '{STDIN}' reads a photo from standard input, but nothing is piped in "
                   f"(try: cat me.jpg | headshot-lint {ctx.info_name or 'check'} {STDIN} ...)")
        raise typer.Exit(ExitCode.ERROR)
    _remove_stale_spools()
    folder = ctx.with_resource(tempfile.TemporaryDirectory(prefix=SPOOL_PREFIX))
    label = name or STDIN
    spool = Path(folder) / (Path(name).name if name and Path(name).name else "stdin")
    limit = int(max_mb * 1024 * 1024)
    stream = getattr(sys.stdin, "buffer", sys.stdin)
    size = 0
    with open(spool, "wb") as out:
        while True:
            chunk = stream.read(1 << 20)
            if not chunk:
                break
            if isinstance(chunk, str):  # a text-only stream (embedding): the bytes it decoded
                chunk = chunk.encode("utf-8", "surrogateescape")
            size += len(chunk)
            if size > limit:
                _err.print(f"[red]error:[/red] the photo on standard input is larger than {max_mb:g} MB "
                           "(--max-stdin-mb sets the limit)")
                raise typer.Exit(ExitCode.ERROR)
            out.write(chunk)
    return spool, label


def _remove_stale_spools() -> None:
    """Spool folders of runs killed before they could remove theirs (ours, an hour old)."""
    import shutil
    import time

    cutoff = time.time() - STALE_SECONDS
    base = Path(tempfile.gettempdir())
    try:
        found = list(base.glob(SPOOL_PREFIX + "*"))
    except OSError:
        return
    for folder in found:
        try:
            st = folder.lstat()
            if folder.is_dir() and not folder.is_symlink() and st.st_uid == os.getuid() and st.st_mtime < cutoff:
                shutil.rmtree(folder, ignore_errors=True)
        except (OSError, AttributeError):
            continue
