"""`--help` as a new user reads it at 80 columns: short value names, wide help text, every
command's one-line summary whole, examples unwrapped, and square brackets printed."""

from __future__ import annotations

import enum
import re
from pathlib import Path
from types import SimpleNamespace
from typing import List, Optional

import pytest
from typer.testing import CliRunner

from headshot_lint.cli import app
from headshot_lint.cli._help import metavar, type_metavar

runner = CliRunner()
COMMANDS = ("check", "clean", "explain", "rules", "example", "fix", "serve")


def _help(*args: str) -> str:
    r = runner.invoke(app, [*args, "--help"], env={"COLUMNS": "80"})
    assert r.exit_code == 0, r.output
    return r.output


@pytest.mark.parametrize("command", COMMANDS)
def test_options_have_short_value_names_and_room_for_their_help(command):
    """No typer type labels (<bool>, <list[str]>, <float range>), and the help text starts
    within the first 40 columns, so it is not squeezed into a narrow column."""
    text = _help(command)
    assert not re.search(r"<(bool|str|int|float|path|list\[[^]]*\]|float range|int range)>", text), text
    starts = [len(m.group(1)) for m in re.finditer(r"^(  -.*?  +)\S", text, re.M)]
    assert starts and max(starts) <= 40, text
    assert all(len(line) <= 80 for line in text.splitlines())


def test_the_command_list_is_not_cut_short():
    """Each command's summary in `headshot-lint --help` is a whole sentence, not "...": cut."""
    text = _help()
    listed = {line.split()[0]: line for line in text.split("Commands:")[1].splitlines() if line.strip()}
    assert set(listed) == set(COMMANDS)
    assert not any(line.rstrip().endswith("...") for line in listed.values()), listed


def test_examples_keep_their_lines_and_brackets_print():
    """An example command is one line as written (not rewrapped), and "[tool.headshot-lint]"
    in --config's help is printed, not eaten as markup."""
    text = _help("check")
    assert "    headshot-lint check staff/ --format sarif -o headshots.sarif --jobs 4\n" in text
    assert "[tool.headshot-lint]" in re.sub(r"\s+", "", text)


def test_documentation_formats_are_only_text_and_json():
    """`explain` and `rules` refuse a report format (they used to print text for --format sarif)."""
    r = runner.invoke(app, ["explain", "HL101", "--format", "sarif"])
    assert r.exit_code == 2
    assert runner.invoke(app, ["explain", "HL101", "--format", "json"]).output.lstrip().startswith("{")
    assert runner.invoke(app, ["rules", "-f", "csv"]).exit_code == 2


class _Few(str, enum.Enum):
    a = "error"
    b = "warning"


class _Many(str, enum.Enum):
    a = "concise"
    b = "gitlab"
    c = "github"


@pytest.mark.parametrize("annotation,is_flag,expected", [
    (bool, True, ""),
    (Path, False, "PATH"),
    (Optional[Path], False, "PATH"),
    (List[str], False, "TEXT"),
    (Optional[List[str]], False, "TEXT"),
    (int, False, "N"),
    (Optional[float], False, "NUMBER"),
    (_Few, False, "error|warning"),
    (_Many, False, "FORMAT"),
])
def test_metavar_names_a_value_by_its_annotation(annotation, is_flag, expected):
    assert metavar(["-f", "--format"], annotation, is_flag) == expected


@pytest.mark.parametrize("param_type,is_flag,expected", [
    (SimpleNamespace(name="boolean"), True, ""),
    (SimpleNamespace(name="path"), False, "PATH"),
    (SimpleNamespace(name="str"), False, "TEXT"),
    (SimpleNamespace(name="int range"), False, "N"),
    (SimpleNamespace(name="float range"), False, "NUMBER"),
    (SimpleNamespace(name="choice", choices=list(_Few)), False, "error|warning"),
    (SimpleNamespace(name="choice", choices=["concise", "gitlab", "github"]), False, "FORMAT"),
])
def test_type_metavar_names_a_value_by_its_parameter_type(param_type, is_flag, expected):
    """typer before 0.29 keeps no annotation: the same names come from the parameter's type."""
    assert type_metavar(["-f", "--format"], param_type, is_flag) == expected


def test_a_process_that_only_asked_for_help_exits_cleanly():
    """`check --help` from Python starts OpenCV's Lab tables in a thread; the interpreter's exit
    waits for it instead of aborting inside OpenCV (it exited 134 while the thread was a daemon)."""
    import subprocess
    import sys

    code = ("from typer.testing import CliRunner; from headshot_lint.cli import app; "
            "assert CliRunner().invoke(app, ['check', '--help']).exit_code == 0")
    r = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert r.returncode == 0, r.stderr
