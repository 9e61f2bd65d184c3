"""What several commands share: the stderr console, the report formats, option parsing,
rule-pack loading and writing results (stdout, or a file written atomically)."""

from __future__ import annotations

import enum
import sys
from pathlib import Path
from typing import Callable, List, Union

import typer
from rich.console import Console

from .._atomic import write_atomic
from ..errors import HeadshotLintError
from ..exit_codes import ExitCode
from ..report._stream import TextSink
from ..rules import RulePack, load_pack


class OutputFormat(str, enum.Enum):
    text = "text"
    concise = "concise"
    json = "json"
    sarif = "sarif"
    junit = "junit"
    gitlab = "gitlab"
    github = "github"
    csv = "csv"
    html = "html"


#: The commands' stderr: progress, warnings and errors.
err = Console(stderr=True, soft_wrap=True)  # messages never wrapped at 80 columns in a log


def split(values: List[str] | None) -> List[str] | None:
    """--select HL1,HL5 and --select HL1 --select HL5 mean the same."""
    if not values:
        return None
    return [v.strip() for item in values for v in item.split(",") if v.strip()]


def load_pack_or_exit(name: str) -> RulePack:
    """The rule pack ``name``; a pack that does not load is the run's error (exit 2)."""
    try:
        return load_pack(name)
    except HeadshotLintError as exc:
        err.print(f"[red]error:[/red] {exc}")
        raise typer.Exit(ExitCode.ERROR) from None


def esc(obj: object) -> str:
    """Text for the terminal: undecodable file-name bytes shown as \\xNN, control characters
    other than newline and tab as escapes (a file name's ESC sequences are not obeyed), rich
    markup escaped."""
    from rich.markup import escape

    from ..report._paths import for_terminal

    return escape(for_terminal(str(obj), keep="\n\t"))


def safe_stdout() -> None:
    """Never crash printing a file name that is not valid UTF-8."""
    for stream in (sys.stdout, sys.stderr):
        try:
            stream.reconfigure(errors="backslashreplace")  # type: ignore[union-attr]
        except (AttributeError, ValueError):
            pass


def emit(body: Union[str, Callable[[TextSink], None]], output: Path | None) -> None:
    """Write ``body`` (a string, or a function writing pieces to a sink) to stdout, or
    atomically to ``output``; file-name bytes that are not UTF-8 appear as \\udcNN."""
    if output is not None:
        write_output(output, body)
        return
    buffer = getattr(sys.stdout, "buffer", None)
    if buffer is not None:
        sys.stdout.flush()
        sink = _Encoded(buffer.write)
    else:
        sink = _Encoded(lambda data: sys.stdout.write(data.decode("utf-8")))
    if isinstance(body, str):
        sink.write(body)
    else:
        body(sink)
    if buffer is not None:
        buffer.flush()


class _Encoded:
    """A text sink over a bytes writer: UTF-8, undecodable file-name bytes as \\udcNN."""

    def __init__(self, write: Callable[[bytes], object]) -> None:
        self._write = write

    def write(self, text: str) -> None:
        self._write(text.encode("utf-8", "backslashreplace"))


def write_output(path: Path, body: Union[str, Callable[[TextSink], None]]) -> None:
    """Write ``body`` (a string, or a function writing pieces to a file) to ``path``
    whole or not at all (through a device such as /dev/null, never replacing it); a
    failure (a full disk) exits 2 saying so, the previous file left as it was."""
    try:
        write_atomic(path, body)
    except OSError as exc:
        err.print(f"[red]error:[/red] cannot write {esc(path)}: {esc(exc.strerror or exc)}")
        raise typer.Exit(ExitCode.ERROR) from None
