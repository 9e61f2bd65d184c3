"""The command line: thin typer commands over the public API, one module per command.

The commands decide exit codes, from :class:`~headshot_lint.exit_codes.ExitCode` (shared
with the stdin spool): results go to stdout or ``--output``; progress, warnings and errors
go to stderr. ``headshot_lint.cli:main`` is the console script.
"""

from __future__ import annotations

import sys

import typer
from typing_extensions import Annotated

from .. import __version__
from ..exit_codes import ExitCode
from . import check, clean, example, explain, fix, serve
from ._help import Command, Group
from ._common import err

__all__ = ["ExitCode", "app", "main"]

app = typer.Typer(
    name="headshot-lint",
    help="Lint the backgrounds of professional headshots: busy scenes, patterns, backlight, "
         "camouflage, text, small-size contrast, tone.",
    no_args_is_help=True,
    add_completion=False,
    context_settings={"help_option_names": ["-h", "--help"]},
    cls=Group,
    rich_markup_mode=None,
)


def _version(value: bool) -> None:
    if value:
        typer.echo(f"headshot-lint {__version__}")
        raise typer.Exit()


@app.callback()
def _main(
    ctx: typer.Context,
    version: Annotated[bool, typer.Option("--version", callback=_version, is_eager=True,
                                          help="Print the version and exit.")] = False,
) -> None:
    """Lint the backgrounds of professional headshots."""
    if ctx.invoked_subcommand == "check":  # runs before check's options are parsed
        from ..color import prepare_lab

        prepare_lab()  # OpenCV's CIELAB tables built meanwhile, in a thread


# registered in the order `headshot-lint --help` lists them; short_help where the docstring's first
# sentence is longer than an 80-column list shows
app.command(cls=Command)(check.check)
app.command(cls=Command, short_help="Delete the result cache.")(clean.clean)
app.command(cls=Command, short_help="Explain a rule: what it checks, why, thresholds and fix.")(explain.explain)
app.command("rules", cls=Command, short_help="List the rules: code, name, thresholds, whether selected.")(
    explain.list_rules)
app.command(cls=Command, short_help="Write a sample headshot to try the linter on.")(example.example)
app.command("fix", cls=Command, short_help="Write corrected copies of photos (--unsafe-fixes to retouch).")(
    fix.fix_command)
app.command("serve", cls=Command, short_help="Start a local page to drop headshots on and see the verdict.")(
    serve.serve_command)


def main() -> None:
    """Console-script entry point: unexpected exceptions exit 2, not 1; output closed by its
    reader exits 141 (:func:`_output_closed`); the process ends without the interpreter's
    teardown once the command is done (:func:`_exit_now`)."""
    try:
        app()
    except SystemExit as exc:
        code = ExitCode.OUTPUT_CLOSED if _output_closed(exc) else exc.code
        _exit_now(code)
        raise SystemExit(code) from None
    except OSError as exc:
        if not _output_failed(exc):
            err.print(f"[red]internal error:[/red] {type(exc).__name__}: {exc}")
        sys.exit(ExitCode.ERROR)
    except Exception as exc:  # pragma: no cover - last resort
        err.print(f"[red]internal error:[/red] {type(exc).__name__}: {exc}")
        sys.exit(ExitCode.ERROR)


def _output_failed(exc: OSError) -> bool:
    """Say so, in words, when ``exc`` is the report failing to reach standard output (a full
    disk behind ``> report.txt``, ``> /dev/full``, an I/O error on the terminal): a write error
    of no named file. True when it was said; anything else stays an internal error."""
    import errno

    if exc.filename is not None or exc.errno not in (errno.ENOSPC, errno.EIO, errno.EFBIG,
                                                      getattr(errno, "EDQUOT", errno.ENOSPC)):
        return False
    try:
        err.print(f"[red]error:[/red] cannot write to standard output: {exc.strerror}")
    except (OSError, ValueError):
        pass
    return True


def _output_closed(exc: BaseException) -> bool:
    """True when the output's reader has gone (``check staff/ | head``) before all of it was
    written. Either a write met the closed pipe while the command ran: rich (``Console.
    on_broken_pipe``) and click then exit 1, the status that says "findings" here, from
    inside the ``BrokenPipeError`` (found in ``exc``'s context); or the last buffered part
    fails to flush now, and stdout is pointed at the null device, as Python's documentation
    advises, so the interpreter's own flush at exit does not fail again."""
    seen: BaseException | None = exc
    while seen is not None:
        if isinstance(seen, BrokenPipeError):
            return True
        seen = seen.__context__
    try:
        sys.stdout.flush()
    except BrokenPipeError:
        import os

        null = os.open(os.devnull, os.O_WRONLY)
        os.dup2(null, sys.stdout.fileno())
        os.close(null)
        return True
    except (OSError, ValueError, AttributeError):  # closed or replaced stdout: not a reader gone
        return False
    return False


def _exit_now(code: object) -> None:
    """End the process with ``code`` as the interpreter's exit would, minus its teardown.

    Freeing MediaPipe's graphs, onnxruntime's sessions and every module one by one took
    0.18 s wall after a single-photo check had written its report (report to process end:
    0.225 -> 0.045 s, median of 7). The atexit handlers still run (logging, multiprocessing,
    temporary folders) and stdout and stderr are flushed; the usual exit follows instead
    when a non-daemon thread is still running, ``code`` is a message to print, or a stream
    cannot be flushed (a closed pipe: the interpreter reports it as usual)."""
    import atexit
    import os
    import threading

    if not (code is None or isinstance(code, int)) or any(
            t.is_alive() and not t.daemon for t in threading.enumerate() if t is not threading.main_thread()):
        return
    atexit._run_exitfuncs()
    try:
        sys.stdout.flush()
        sys.stderr.flush()
    except (OSError, ValueError):
        return
    os._exit(code or 0)
