"""Tests for the seeded fixture generator (fixtures/generate.py).

The pixel checks guard the generator itself: a fixture labelled "busy" that is
not busy, or a "white-clipped" one that is not clipped, would make every
evaluation built on these fixtures wrong.
"""

from __future__ import annotations

import csv
import dataclasses
import json
import os
import re
import subprocess
import sys
from pathlib import Path

import cv2
import numpy as np
import pytest
from skimage.color import deltaE_ciede2000, rgb2lab

# The generator's second subject and its fonts come from matplotlib, a dev-only
# dependency (not in the package's requirements).
pytest.importorskip("matplotlib")

from fixtures.generate import CLASSES, COLUMNS, Case, generate  # noqa: E402

REPO = Path(__file__).resolve().parents[1]
HEADER = ("file,repo,commit,path,license,faces,bg_kind,busy,pattern,backlit,camouflage,text_logo,"
          "low_contrast,white_bg,bg_tone,skin,verdict,notes")


@pytest.fixture(scope="module")
def run1(tmp_path_factory) -> tuple[Path, list[Case]]:
    out = tmp_path_factory.mktemp("seed1")
    return out, generate(out, seed=1)


def _by_class(cases: list[Case]) -> dict[str, Case]:
    return {case.labels["path"]: case for case in cases}


def _load(case: Case) -> tuple[np.ndarray, np.ndarray]:
    """(RGB uint8 image, ground-truth subject alpha in [0, 1]) of a written case."""
    rgb = cv2.cvtColor(cv2.imread(str(case.path), cv2.IMREAD_COLOR), cv2.COLOR_BGR2RGB)
    alpha = cv2.imread(str(case.path.parent / "masks" / case.path.name), cv2.IMREAD_UNCHANGED)
    return rgb, alpha.astype(np.float32) / 255.0


def _background(alpha: np.ndarray, margin: int = 6) -> np.ndarray:
    """Background pixels well clear of the subject's edge."""
    subject = (alpha > 0.02).astype(np.uint8)
    return cv2.dilate(subject, np.ones((2 * margin + 1, 2 * margin + 1), np.uint8)) == 0


def test_writes_image_json_and_labels_for_every_class(run1):
    out, cases = run1
    assert [c.labels["path"] for c in cases] == list(CLASSES)
    assert len(CLASSES) >= 18
    for case in cases:
        assert re.fullmatch(r"[a-z0-9_-]+", case.name), case.name
        assert case.path == out / f"{case.name}.png" and case.path.is_file()
        sidecar = json.loads(case.path.with_suffix(".json").read_text(encoding="utf-8"))
        assert {k: sidecar[k] for k in COLUMNS} == case.labels
        assert sidecar["seed"] == 1 and sidecar["class"] == case.labels["path"]
        assert sidecar["params"] == json.loads(json.dumps(case.params))
        image = cv2.imread(str(case.path))
        assert image.shape == (640, 512, 3)
    with pytest.raises(dataclasses.FrozenInstanceError):
        cases[0].name = "x"  # type: ignore[misc]

    text = (out / "labels.csv").read_text(encoding="utf-8")
    assert text.splitlines()[0] == HEADER
    rows = list(csv.DictReader(text.splitlines()))
    assert len(rows) == len(cases) == len(list(out.glob("*.png")))
    for row, case in zip(rows, cases):
        assert row["file"] == case.path.name
        assert row["repo"] == "generated" and row["commit"] == "" and row["faces"] == "1"
        assert row["license"].startswith("public-domain")
        assert row["bg_kind"] in {"studio-plain", "wall-plain", "gradient", "blurred-env", "sharp-env",
                                  "outdoor-blurred", "outdoor-sharp", "mixed"}
        assert row["skin"] in {"light", "medium", "dark"} and row["verdict"] in {"good", "fair", "poor"}
        assert row["bg_tone"] and row["notes"]
        for flag in ("busy", "pattern", "backlit", "camouflage", "text_logo", "low_contrast", "white_bg"):
            assert row[flag] in {"0", "1"}


def test_labels_match_the_failure_mode(run1):
    _, cases = run1
    c = _by_class(cases)
    assert c["studio-clean"].labels["verdict"] == "good"
    assert c["white-clipped"].labels["white_bg"] == 1
    assert c["busy-scene"].labels["busy"] == 1 and c["busy-scene"].labels["bg_kind"] == "sharp-env"
    assert c["blurred-env"].labels["busy"] == 0 and c["blurred-env"].labels["bg_kind"] == "blurred-env"
    assert c["backlit-window"].labels["backlit"] == 1
    assert c["clothing-camouflage"].labels["camouflage"] == 1
    assert c["text-logo"].labels["text_logo"] == 1
    assert c["pattern-step-repeat"].labels["text_logo"] == 1
    assert c["skin-tone-bg"].labels["low_contrast"] == 1
    assert "skin-tone camouflage" in c["skin-tone-bg"].labels["notes"]
    assert c["low-contrast-grey"].labels["low_contrast"] == 1
    assert c["outdoor-sharp"].labels["bg_kind"] == "outdoor-sharp"
    for name, case in c.items():
        if name.startswith("pattern-"):
            assert case.labels["pattern"] == 1 and case.labels["verdict"] == "poor"


def test_same_seed_is_byte_identical_and_other_seed_differs(run1, tmp_path):
    out1, cases1 = run1
    again = generate(tmp_path / "again", seed=1)
    for a, b in zip(cases1, again):
        assert a.path.read_bytes() == b.path.read_bytes(), a.name
        assert a.path.with_suffix(".json").read_bytes() == b.path.with_suffix(".json").read_bytes()
    assert (out1 / "labels.csv").read_bytes() == (tmp_path / "again" / "labels.csv").read_bytes()

    other = generate(tmp_path / "other", seed=2)
    for a, b in zip(cases1, other):
        assert a.path.name != b.path.name
        assert not np.array_equal(cv2.imread(str(a.path)), cv2.imread(str(b.path))), a.labels["path"]


@pytest.mark.slow
def test_cli_in_a_fresh_process_reproduces_the_api(run1, tmp_path):
    """A new process re-runs MediaPipe: its matte must give the same bytes."""
    out1, cases1 = run1
    names = ["studio-clean", "busy-scene"]
    env = dict(os.environ, PYTHONPATH=os.pathsep.join(
        [str(REPO), str(REPO / "src"), os.environ.get("PYTHONPATH", "")]))
    subprocess.run([sys.executable, str(REPO / "fixtures" / "generate.py"), "--out", str(tmp_path), "--seed", "1",
                    "--classes", *names], check=True, env=env, capture_output=True, timeout=300)
    for case in cases1:
        if case.labels["path"] in names:
            assert (tmp_path / case.path.name).read_bytes() == case.path.read_bytes()


def test_white_clipped_background_is_clipped(run1):
    rgb, alpha = _load(_by_class(run1[1])["white-clipped"])
    bg = _background(alpha)
    assert (rgb[bg] == 255).all(axis=1).mean() >= 0.30


def test_backlit_face_is_much_darker_than_the_window(run1):
    case = _by_class(run1[1])["backlit-window"]
    rgb, alpha = _load(case)
    grey = cv2.cvtColor(rgb, cv2.COLOR_RGB2GRAY).astype(np.float32)
    x0, y0, x1, y1 = case.params["face_box"]
    fw, fh = x1 - x0, y1 - y0
    face = grey[int(y0 + 0.2 * fh):int(y1 - 0.2 * fh), int(x0 + 0.2 * fw):int(x1 - 0.2 * fw)]
    h, w = grey.shape
    wx0, wy0, wx1, wy1 = case.params["window"]
    in_window = np.zeros_like(alpha, bool)
    in_window[int(wy0 * h):int(wy1 * h), int(wx0 * w):int(wx1 * w)] = True
    window = grey[in_window & _background(alpha)]
    assert window.size > 0.05 * grey.size
    assert np.median(window) >= 250
    assert face.mean() < 0.5 * window.mean()


def _edge_density(case: Case) -> float:
    rgb, alpha = _load(case)
    edges = cv2.Canny(cv2.cvtColor(rgb, cv2.COLOR_RGB2GRAY), 50, 150) > 0
    bg = _background(alpha)
    return float(edges[bg].mean())


def test_busy_scene_has_far_more_background_edges(run1):
    c = _by_class(run1[1])
    busy = _edge_density(c["busy-scene"])
    assert busy > 0.04
    assert busy > 5 * _edge_density(c["studio-clean"])
    assert busy > 5 * _edge_density(c["blurred-env"])


def test_camouflaged_clothing_matches_the_background(run1):
    case = _by_class(run1[1])["clothing-camouflage"]
    rgb, alpha = _load(case)
    x0, y0, x1, y1 = case.params["face_box"]
    rows = np.arange(alpha.shape[0])[:, None]
    clothing = (alpha > 0.98) & (rows > y1 + 0.6 * (y1 - y0))
    assert clothing.sum() > 0.05 * alpha.size
    near = cv2.dilate(clothing.astype(np.uint8), np.ones((61, 61), np.uint8)) > 0
    adjacent = near & _background(alpha)
    assert adjacent.sum() > 500
    lab = rgb2lab(rgb)
    de = deltaE_ciede2000(lab[clothing].mean(axis=0), lab[adjacent].mean(axis=0))
    assert de < 10, de


def test_studio_clean_background_is_flat(run1):
    rgb, alpha = _load(_by_class(run1[1])["studio-clean"])
    grey = cv2.cvtColor(rgb, cv2.COLOR_RGB2GRAY).astype(np.float32)
    bg = grey[_background(alpha)]
    assert 0x48 <= np.median(bg) <= 0x98
    assert bg.std() < 6


def test_classes_subset_and_per_class(tmp_path):
    cases = generate(tmp_path, seed=3, per_class=2, size=320, classes=["studio-offwhite"])
    assert [c.name for c in cases] == ["studio-offwhite-s3-0", "studio-offwhite-s3-1"]
    assert cv2.imread(str(cases[0].path)).shape == (320, 256, 3)
    assert len((tmp_path / "labels.csv").read_text().splitlines()) == 3
