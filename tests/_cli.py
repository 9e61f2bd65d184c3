"""Running the CLI in a test, from a given working folder (config discovery and relative paths)."""

from __future__ import annotations

import os

from typer.testing import CliRunner

from headshot_lint.cli import app


def invoke(*args: str, cwd: object) -> object:
    """``headshot-lint *args`` run from ``cwd``; exceptions propagate (a crash fails the test)."""
    old = os.getcwd()
    os.chdir(cwd)
    try:
        return CliRunner().invoke(app, list(args), catch_exceptions=False)
    finally:
        os.chdir(old)
