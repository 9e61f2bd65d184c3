"""Packaging facts that bite: one OpenCV, rules inside the wheel, no network at run time."""

from __future__ import annotations

import os
import subprocess
import sys
from importlib import metadata
from pathlib import Path

import pytest

from tests._offline import run_offline

ROOT = Path(__file__).resolve().parents[1]
_OPENCV = {"opencv-python", "opencv-python-headless", "opencv-contrib-python", "opencv-contrib-python-headless"}


def test_exactly_one_opencv_distribution_is_installed():
    """All four OpenCV wheels write cv2/; more than one installed means the last one won silently."""
    names = {(d.metadata["Name"] or "").lower() for d in metadata.distributions()}
    found = sorted(names & _OPENCV)
    assert found == ["opencv-contrib-python"], f"OpenCV distributions installed: {found}"
    import cv2

    assert hasattr(cv2, "ximgproc"), "cv2 is not the contrib build mediapipe requires"


def test_mediapipe_is_the_release_that_ships_its_models():
    """mediapipe 0.10.21 carries face detection, mesh and selfie segmentation in its wheel."""
    assert metadata.version("mediapipe") == "0.10.21"
    import mediapipe

    pkg = Path(mediapipe.__file__).parent / "modules"
    for model in ("face_detection/face_detection_short_range.tflite",
                  "face_landmark/face_landmark.tflite",
                  "selfie_segmentation/selfie_segmentation.tflite"):
        assert (pkg / model).is_file(), model


def test_audit_runs_with_sockets_disabled(tmp_path):
    """A full audit in a fresh process, every socket call failing, still completes."""
    run_offline("""
        from skimage import data
        from headshot_lint import audit
        report = audit(data.astronaut())
        assert report.score is not None, report
        assert "small-size-contrast" in report.scores, report.scores
        print("ok", report.score)
    """, tmp_path)


@pytest.mark.slow
def test_wheel_ships_rules_and_cli_works_outside_the_checkout(tmp_path):
    """Build the wheel, install it into a bare folder, and list the rules from elsewhere."""
    wheels = tmp_path / "wheels"
    r = subprocess.run([sys.executable, "-m", "pip", "wheel", "--no-deps", "-q", "-w", str(wheels), str(ROOT)],
                       capture_output=True, text=True, timeout=600)
    assert r.returncode == 0, r.stderr[-2000:]
    wheel = next(wheels.glob("headshot_lint-*.whl"))
    target = tmp_path / "site"
    r = subprocess.run([sys.executable, "-m", "pip", "install", "--no-deps", "-q", "--target", str(target),
                        str(wheel)], capture_output=True, text=True, timeout=600)
    assert r.returncode == 0, r.stderr[-2000:]
    assert (target / "headshot_lint" / "rules" / "HL501-small-size-contrast.toml").is_file()
    assert (target / "headshot_lint" / "rules" / "packs" / "default.toml").is_file()
    env = {**os.environ, "PYTHONPATH": str(target)}
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    code = "import headshot_lint, sys; print(headshot_lint.__file__); sys.argv=['headshot-lint','rules','--format','json']; " \
           "from headshot_lint.cli import main; main()"
    r = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=300,
                       cwd=elsewhere, env=env)
    assert r.returncode == 0, r.stderr[-2000:]
    assert r.stdout.splitlines()[0].startswith(str(target)), r.stdout
    assert "small-size-contrast" in r.stdout and "HL501" in r.stdout
    script = target / "bin" / "headshot-lint"
    assert script.is_file(), "console script headshot-lint not installed"
