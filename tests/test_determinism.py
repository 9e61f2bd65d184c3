"""Determinism: the same input gives byte-identical JSON reports, run after run and
whatever the number of worker processes."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from tests.conftest import astronaut

SRC = str(Path(__file__).resolve().parents[1] / "src")


@pytest.fixture(scope="module")
def folder(tmp_path_factory):
    d = tmp_path_factory.mktemp("det")
    Image.fromarray(astronaut()).resize((256, 256)).save(d / "a-face.jpg", quality=90)
    rng = np.random.default_rng(0)
    Image.fromarray(rng.integers(0, 255, (120, 160, 3), dtype=np.uint8)).save(d / "b-noise.png")
    Image.fromarray(np.full((90, 120, 3), 200, np.uint8)).save(d / "c-flat.png")
    (d / "d-text.jpg").write_bytes(b"\xff\xd8\xff\xe0 truncated")
    return d


def _check(folder: Path, *extra: str, hashseed: str = "0") -> bytes:
    env = {**os.environ, "PYTHONHASHSEED": hashseed,
           "PYTHONPATH": SRC + os.pathsep + os.environ.get("PYTHONPATH", "")}
    proc = subprocess.run([sys.executable, "-m", "headshot_lint", "check", str(folder), "--format", "json",
                           *extra], capture_output=True, env=env, cwd=str(folder), timeout=240)
    assert proc.returncode in (0, 1), proc.stderr.decode("utf-8", "replace")
    return proc.stdout


def _has_jobs() -> bool:
    import typer.main

    from headshot_lint.cli import app

    check = typer.main.get_command(app).commands["check"]
    return any("--jobs" in p.opts for p in check.params)


def test_two_runs_give_byte_identical_json_with_one_or_two_jobs(folder):
    """Two processes (different hash seeds; --jobs 1 then --jobs 2 when it exists) give the same JSON, byte for byte."""
    jobs = _has_jobs()
    first = _check(folder, *(["--jobs", "1"] if jobs else []), hashseed="1")
    second = _check(folder, *(["--jobs", "2"] if jobs else []), hashseed="2")
    assert first == second
    assert first.count(b'"path"') == 4

