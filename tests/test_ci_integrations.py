"""The GitHub Action's steps and the pre-commit hook, run as GitHub and pre-commit would run
them: each step's script in a temporary folder with the environment variables it reads
(no ``act``, no network: the install step runs against a stand-in ``python``)."""

from __future__ import annotations

import json
import os
import re
import shutil
import stat
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
import yaml
from PIL import Image

from headshot_lint.discover import IMAGE_SUFFIXES

ROOT = Path(__file__).resolve().parents[1]
ACTION = yaml.safe_load((ROOT / "action.yml").read_text(encoding="utf-8"))
HOOK = yaml.safe_load((ROOT / ".pre-commit-hooks.yaml").read_text(encoding="utf-8"))[0]
FORMATS = tuple(sorted(s.lstrip(".") for s in IMAGE_SUFFIXES))  # every ending check reads as a photo


def _step(name: str) -> dict:
    return next(s for s in ACTION["runs"]["steps"] if s.get("name") == name)


def _expand(env: dict, values: dict) -> dict:
    """The step's env with ``${{ inputs.x }}`` / ``${{ github.action_path }}`` filled in."""
    return {k: re.sub(r"\$\{\{\s*([\w.-]+)\s*\}\}", lambda m: values[m.group(1)], str(v)) for k, v in env.items()}


def _inputs(**over: str) -> dict:
    values = {f"inputs.{k}": str(v.get("default", "")) for k, v in ACTION["inputs"].items()}
    values["github.action_path"] = str(ROOT)
    values.update({f"inputs.{k}": v for k, v in over.items()})
    return values


def _run(step: dict, values: dict, cwd: Path, path_dirs: list[str]) -> subprocess.CompletedProcess:
    env = {**os.environ, **_expand(step.get("env", {}), values),
           "GITHUB_OUTPUT": str(cwd / "output"), "GITHUB_STEP_SUMMARY": str(cwd / "summary.md"),
           "PATH": os.pathsep.join(path_dirs + [os.environ.get("PATH", "")]), "CI": "true"}
    return subprocess.run(["bash", "-e", "-c", step["run"]], cwd=cwd, env=env, capture_output=True, text=True,
                          timeout=600)


def _fake_python(folder: Path) -> Path:
    """A ``python`` that records its arguments instead of installing anything."""
    folder.mkdir()
    exe = folder / "python"
    exe.write_text('#!/bin/sh\necho "$@" >> "$(dirname "$0")/calls"\n', encoding="utf-8")
    exe.chmod(exe.stat().st_mode | stat.S_IEXEC)
    return folder / "calls"


@pytest.mark.parametrize("version,expected", [("", f"{ROOT}[heic]"), ("0.1.0", "headshot-lint[heic]==0.1.0")])
def test_install_step_installs_the_actions_own_checkout_unless_a_version_is_named(tmp_path, version, expected):
    """``uses: ...@v0.1.0`` pins the tool: by default the action installs its own checkout."""
    calls = _fake_python(tmp_path / "bin")
    r = _run(_step("Install headshot-lint"), _inputs(version=version), tmp_path, [str(tmp_path / "bin")])
    assert r.returncode == 0, r.stderr
    args = calls.read_text(encoding="utf-8").split()
    assert args[:3] == ["-m", "pip", "install"] and args[-1] == expected


def test_cache_key_and_hook_cover_every_format_read():
    key = _step("Cache results")["with"]["key"]
    assert all(f"'**/*.{ext}'" in key for ext in FORMATS), key
    pattern = re.compile(HOOK["files"])
    assert all(pattern.search(f"staff/jane.{ext}") and pattern.search(f"staff/JANE.{ext.upper()}") for ext in FORMATS)
    assert not pattern.search("logo.svg") and not pattern.search("notes.txt")
    assert "--fail-on" in HOOK["args"] and HOOK["args"][HOOK["args"].index("--fail-on") + 1] == "warning"


@pytest.fixture(scope="module")
def workspace(tmp_path_factory):
    """A repository checkout with a faceless photo (no-face: an error) and a clean one."""
    ws = tmp_path_factory.mktemp("ws")
    (ws / "staff").mkdir()
    Image.fromarray(np.full((300, 240, 3), 128, np.uint8)).save(ws / "staff" / "grey.png")
    Image.fromarray(np.full((300, 240, 3), 140, np.uint8)).save(ws / "staff" / "grey|2.jpg")
    return ws


def test_check_step_writes_sarif_annotations_and_a_markdown_summary(workspace):
    exe = shutil.which("headshot-lint", path=str(Path(sys.executable).parent))
    assert exe is not None
    values = _inputs(path="staff/", args="--select HL002 --fail-under 50 --jobs 1")
    r = _run(_step("Check headshots"), values, workspace, [str(Path(sys.executable).parent)])
    assert r.returncode == 1, r.stderr  # no-face is an error
    assert "exit-code=1" in (workspace / "output").read_text(encoding="utf-8")
    sarif = json.loads((workspace / "headshot-lint.sarif").read_text(encoding="utf-8"))
    assert len(sarif["runs"][0]["results"]) == 2
    assert r.stdout.count("::error title=headshot-lint HL002 no-face") == 2
    assert "::error title=headshot-lint fail-under" in r.stdout
    summary = (workspace / "summary.md").read_text(encoding="utf-8")
    assert summary.startswith("### headshot-lint failed: 2 photos, 0 clean, 2 errors, 0 warnings")
    assert "| rule | severity | photos |\n|---|---|---:|\n| HL002 no-face | error | 2 |" in summary
    assert "**2 photos under --fail-under 50:**" in summary and "`staff/grey\\|2.jpg` (0)" in summary
    assert "\t" not in summary


def test_check_step_passes_fail_on_to_every_run():
    script = _step("Check headshots")["run"]
    runs = [line for line in script.splitlines() if line.strip().startswith("headshot-lint check")]
    assert all('--fail-on "$FAIL_ON"' in line for line in runs if "--exit-zero --quiet" not in line), runs
    assert ACTION["inputs"]["fail-on"]["default"] == "warning"
