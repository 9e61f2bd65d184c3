"""Faults around a batch run (issue 24): the batch process killed, terminated or
interrupted mid-run leaves no worker running, prints no traceback and leaves no
``pymp-*`` folder; a worker's memory is capped."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]

pytestmark = pytest.mark.skipif(not sys.platform.startswith("linux"), reason="reads /proc")


def _photos(folder: Path, n: int = 80) -> list[str]:
    from tests.hostile._make import encode, photo

    data = encode(photo(900, 1200), "JPEG", quality=90)
    out = []
    for i in range(n):
        path = folder / f"p{i:03d}.jpg"
        path.write_bytes(data[:-2] + bytes([i % 256]) * 16 + data[-2:])  # distinct bytes
        out.append(str(path))
    return out


def _ours(marker: str) -> list[int]:
    """Processes whose environment carries ``marker`` (the run and everything it started)."""
    found = []
    for pid in filter(str.isdigit, os.listdir("/proc")):
        try:
            with open(f"/proc/{pid}/environ", "rb") as fh:
                if marker.encode() in fh.read():
                    found.append(int(pid))
        except OSError:
            pass
    return found


def _workers_busy(marker: str, want: int = 3) -> bool:
    return len(_ours(marker)) >= want


@pytest.mark.parametrize("how", ["SIGKILL", "SIGTERM", "SIGINT-group"])
def test_killing_the_batch_mid_run_stops_its_workers_quietly(how, tmp_path):
    """After the batch process dies (or is interrupted) mid-run, its workers and fork
    server are gone within seconds, nothing printed a traceback, and the run's temporary
    folder is removed (issue 24: workers ran on for 22 s, BrokenPipeError and
    KeyboardInterrupt tracebacks, a /tmp/pymp-* folder per kill)."""
    tmp = tmp_path / "tmp"
    tmp.mkdir()
    photos = _photos(tmp_path)
    marker = f"HEADSHOT_LINT_FAULT_TEST={tmp_path.name}"
    env = {**os.environ, "TMPDIR": str(tmp), "HEADSHOT_LINT_FAULT_TEST": tmp_path.name,
           "PYTHONPATH": os.pathsep.join([str(ROOT / "src"), str(ROOT)])}
    proc = subprocess.Popen([sys.executable, "-m", "headshot_lint", "check", *photos, "--jobs", "2",
                             "--no-cache", "-f", "json"], stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
                            env=env, start_new_session=True)
    deadline = time.monotonic() + 60
    while not _workers_busy(marker) and time.monotonic() < deadline:
        time.sleep(0.1)
    time.sleep(2.0)  # the workers warm up and start on photos
    assert proc.poll() is None, "the run ended before it could be interrupted"
    if how == "SIGINT-group":
        os.killpg(proc.pid, signal.SIGINT)  # Ctrl-C reaches the whole process group
    else:
        os.kill(proc.pid, getattr(signal, how))
    _, err = proc.communicate(timeout=60)
    deadline = time.monotonic() + 15
    while _ours(marker) and time.monotonic() < deadline:
        time.sleep(0.1)
    assert _ours(marker) == [], "workers outlived the batch"
    text = err.decode("utf-8", "replace")
    assert "Traceback" not in text and "BrokenPipeError" not in text, text
    assert not list(tmp.glob("pymp-*")), os.listdir(tmp)


def test_a_worker_memory_ceiling_turns_a_runaway_allocation_into_memory_error():
    """limit_memory caps the data segment: allocating past it raises MemoryError in that
    process (which the worker reports as the photo's finding) instead of growing on."""
    code = ("from headshot_lint import _worker_setup as w\n"
            "assert w.limit_memory(600)\n"
            "try:\n    b = bytearray(1 << 30)\nexcept MemoryError:\n    print('refused')\n")
    env = {**os.environ, "PYTHONPATH": str(ROOT / "src")}
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env, timeout=60)
    assert out.stdout.strip() == "refused", out.stderr


def test_the_worker_memory_ceiling_comes_from_the_environment(monkeypatch):
    """HEADSHOT_LINT_WORKER_MEMORY_MB sets the ceiling (0: none); unset or malformed: 2048 MB."""
    from headshot_lint import _worker_setup as w

    monkeypatch.delenv(w.MEMORY_ENV, raising=False)
    assert w.memory_ceiling_mb() == 2048
    monkeypatch.setenv(w.MEMORY_ENV, "0")
    assert w.memory_ceiling_mb() == 0
    monkeypatch.setenv(w.MEMORY_ENV, "lots")
    assert w.memory_ceiling_mb() == 2048
