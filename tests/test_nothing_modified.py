"""Nothing modified, nothing lost: inputs keep their bytes and mtimes through `check` and
`fix --out`; reports land atomically; no temporary file is left behind."""

from __future__ import annotations

import hashlib
import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
from PIL import Image
from typer.testing import CliRunner

from headshot_lint.cli import app

from tests._disk import fill_disk
from tests.conftest import astronaut, astronaut_on_wall

SRC = str(Path(__file__).resolve().parents[1] / "src")
runner = CliRunner()


def _has_command(name: str) -> bool:
    return any((c.name or c.callback.__name__) == name for c in app.registered_commands)


@pytest.fixture
def photos(tmp_path):
    """A small folder: a face, a flat grey, a PNG, an unreadable text file, in a subfolder too."""
    d = tmp_path / "in"
    (d / "sub").mkdir(parents=True)
    Image.fromarray(astronaut_on_wall()).resize((256, 256)).save(d / "face.jpg", quality=90)
    Image.fromarray(np.full((120, 160, 3), 128, np.uint8)).save(d / "sub" / "grey.png")
    Image.fromarray(astronaut()[::3, ::3]).save(d / "small.png")
    (d / "notes.jpg").write_text("not a photo", encoding="utf-8")
    return d


def _state(folder: Path) -> dict:
    """path -> (sha256, size, mtime_ns, mode) of every file under folder."""
    out = {}
    for p in sorted(folder.rglob("*")):
        if p.is_file():
            st = p.stat()
            out[str(p.relative_to(folder))] = (hashlib.sha256(p.read_bytes()).hexdigest(), st.st_size,
                                               st.st_mtime_ns, st.st_mode)
    return out


def _cli(args, tmpdir: Path):
    env = {**os.environ, "TMPDIR": str(tmpdir), "TEMP": str(tmpdir), "TMP": str(tmpdir),
           "PYTHONPATH": SRC + os.pathsep + os.environ.get("PYTHONPATH", "")}
    return subprocess.run([sys.executable, "-m", "headshot_lint", *args], capture_output=True, env=env,
                          timeout=240)


def test_check_modifies_no_input_and_leaves_no_temp_file(photos, tmp_path):
    """check --output: every input keeps bytes, size, mtime and mode; TMPDIR and the output folder hold nothing extra."""
    before = _state(photos)
    tmpdir = tmp_path / "tmpdir"
    tmpdir.mkdir()
    out = tmp_path / "out"
    out.mkdir()
    proc = _cli(["check", str(photos), "--format", "json", "--select", "HL0", "--output",
                 str(out / "report.json")], tmpdir)
    assert proc.returncode in (0, 1), proc.stderr.decode("utf-8", "replace")
    assert _state(photos) == before
    assert sorted(os.listdir(tmpdir)) == []
    assert sorted(os.listdir(out)) == ["report.json"]


def test_fix_modifies_no_input_and_leaves_no_temp_file(photos, tmp_path):
    """fix --out: inputs untouched, TMPDIR empty afterwards, corrected copies only in --out."""
    if not _has_command("fix"):
        pytest.skip("fix command not present yet")
    before = _state(photos)
    tmpdir = tmp_path / "tmpdir"
    tmpdir.mkdir()
    out = tmp_path / "fixed"
    proc = _cli(["fix", str(photos), "--out", str(out)], tmpdir)
    assert proc.returncode in (0, 1), proc.stderr.decode("utf-8", "replace")
    assert b"Traceback" not in proc.stderr
    assert _state(photos) == before
    assert sorted(os.listdir(tmpdir)) == []
    leftovers = [p for p in out.rglob("*") if p.name.startswith(".") or p.suffix in (".tmp", ".part")]
    assert leftovers == []


def _check_json(photos: Path, output: Path):
    return runner.invoke(app, ["check", str(photos / "notes.jpg"), "--format", "json", "--select", "HL001",
                               "--output", str(output)])


def test_failed_rename_leaves_no_partial_report_and_no_temp(photos, tmp_path, monkeypatch):
    """If the final rename fails, there is no file at --output (or the old one is intact) and no temp file."""
    output = tmp_path / "report.json"
    real_replace = os.replace

    def failing_replace(src, dst, *a, **kw):
        if os.fspath(dst) == str(output.resolve()):
            raise OSError(28, "No space left on device")
        return real_replace(src, dst, *a, **kw)

    monkeypatch.setattr(os, "replace", failing_replace)
    result = _check_json(photos, output)
    assert result.exit_code == 2, result.output  # a full disk is the run's error, said in words
    assert not output.exists()
    assert os.listdir(tmp_path) == ["in"]
    output.write_text("previous report", encoding="utf-8")
    result = _check_json(photos, output)
    assert result.exit_code == 2, result.output
    assert output.read_text(encoding="utf-8") == "previous report"
    assert sorted(os.listdir(tmp_path)) == ["in", "report.json"]


def test_failure_mid_write_leaves_no_partial_report(photos, tmp_path, monkeypatch):
    """A write that dies half-way (disk full) never exposes a half-written report at --output."""
    output = tmp_path / "report.json"
    output.write_text("previous report", encoding="utf-8")
    fill_disk(monkeypatch, written=0.5)
    result = _check_json(photos, output)
    assert result.exit_code == 2, result.output
    assert output.read_text(encoding="utf-8") == "previous report"
    assert sorted(os.listdir(tmp_path)) == ["in", "report.json"]


def test_fix_killed_mid_write_leaves_no_file_at_the_output_path(photos, tmp_path):
    """SIGKILL while the corrected copy is being written: nothing appears at the output
    path (only a hidden temp file may remain), and a re-run then writes the copy."""
    import signal
    import time

    out = tmp_path / "out"
    marker = tmp_path / "writing"
    script = (
        "import os, sys, time\n"
        f"marker = {str(marker)!r}\n"
        "real_fsync = os.fsync\n"
        "def slow_fsync(fd):\n"
        "    open(marker, 'w').close()\n"
        "    time.sleep(120)\n"
        "os.fsync = slow_fsync\n"
        "from headshot_lint.cli import main\n"
        f"sys.argv = ['headshot-lint', 'fix', {str(photos / 'face.jpg')!r}, '--out', {str(out)!r},"
        " '--unsafe-fixes', '--pack', 'strict']\n"
        "main()\n"
    )
    proc = subprocess.Popen([sys.executable, "-c", script], env={**os.environ, "PYTHONPATH": SRC},
                            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    deadline = time.monotonic() + 240
    while not marker.exists() and proc.poll() is None and time.monotonic() < deadline:
        time.sleep(0.1)
    if not marker.exists():
        proc.kill()
        pytest.skip(f"the fix wrote nothing to interrupt (exit {proc.returncode}): "
                    f"{proc.stderr.read().decode(errors='replace')[-300:]}")
    proc.send_signal(signal.SIGKILL)
    proc.wait(30)
    assert not (out / "face.jpg").exists(), "a partial corrected copy is at the output path"
    assert all(p.name.startswith(".face.jpg.") for p in out.iterdir())
    r = runner.invoke(app, ["fix", str(photos / "face.jpg"), "--out", str(out), "--unsafe-fixes", "--pack", "strict"])
    assert r.exit_code == 0, r.output
    assert Image.open(out / "face.jpg").size == (256, 256)


def test_written_files_get_the_usual_permissions(photos, tmp_path):
    """A report and a corrected copy are 0o666 minus the umask, like any new file, not mkstemp's 0o600."""
    old = os.umask(0o022)
    try:
        report = tmp_path / "report.json"
        assert _check_json(photos, report).exit_code in (0, 1)
        res = runner.invoke(app, ["fix", str(photos / "face.jpg"), "--out", str(tmp_path / "fixed"),
                                  "--unsafe-fixes"])
        assert res.exit_code == 0, res.output
        copy = tmp_path / "fixed" / "face.jpg"
        assert oct(report.stat().st_mode & 0o777) == oct(0o644)
        assert oct(copy.stat().st_mode & 0o777) == oct(0o644)
    finally:
        os.umask(old)
