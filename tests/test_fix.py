"""Fix planning, the `fix` command, and the gain of a fix on a generated photo."""

from __future__ import annotations

import os

import cv2
import numpy as np
import pytest
from PIL import Image
from typer.testing import CliRunner

from headshot_lint import fix as fixes
from headshot_lint.cli import app
from headshot_lint.engine import audit
from headshot_lint.load import load
from headshot_lint.model import Finding, Fix
from headshot_lint.perception.segment import person_matte
from headshot_lint.scene import Scene

from tests.conftest import astronaut

runner = CliRunner()


def finding(code: str, action: str, safety: str, score: float = 40.0, **params) -> Finding:
    return Finding(code=code, rule=f"rule-{code.lower()}", severity="warning", score=score, value=1.0,
                   unit="", threshold=1.0, message="m", fix=Fix(f"fix {code}", action, params, safety))


def test_retouch_needs_unsafe_and_safe_applies():
    """Retouching fixes wait for --unsafe-fixes; safe ones apply by default."""
    fs = [finding("HL301", "replace-background", "retouch", recommended_hex="#808080"),
          finding("HL201", "lift-face-exposure", "safe")]
    by = {p.action: p.status for p in fixes.plan(fs)}
    assert by == {"replace-background": fixes.NEEDS_UNSAFE, "lift-face-exposure": fixes.APPLY}
    assert {p.status for p in fixes.plan(fs, unsafe=True)} == {fixes.APPLY}


def test_same_action_is_merged_worst_first_and_replace_covers_blur():
    """Two findings asking to replace merge (worst's params win); blur is then superseded."""
    fs = [finding("HL501", "replace-background", "retouch", 10, recommended_hex="#5E5E5E"),
          finding("HL301", "replace-background", "retouch", 40, recommended_hex="#808080"),
          finding("HL103", "blur-background", "retouch", 50, blur_sigma_px=8)]
    p = fixes.plan(fs, unsafe=True)
    rep = next(x for x in p if x.action == "replace-background")
    assert rep.codes == ("HL501", "HL301") and rep.params["recommended_hex"] == "#5E5E5E"
    assert next(x for x in p if x.action == "blur-background").status == fixes.SUPERSEDED
    assert [x.action for x in p if x.applies] == ["replace-background"]


def test_only_unsupported_and_advice():
    """--only limits by code, prefix or name; unknown kinds are unsupported; '' is advice."""
    fs = [finding("HL301", "replace-background", "retouch"), finding("HL103", "blur-background", "retouch"),
          finding("HL003", "crop-to-subject-someday", "retouch"), finding("HL101", "", "none")]
    p = {x.codes[0]: x.status for x in fixes.plan(fs, unsafe=True, only=["HL1"])}
    assert p == {"HL103": fixes.APPLY, "HL301": fixes.NOT_SELECTED, "HL003": fixes.NOT_SELECTED,
                 "HL101": fixes.ADVICE}
    p = {x.codes[0]: x.status for x in fixes.plan(fs, unsafe=True, only=["rule-hl003"])}
    assert p["HL003"] == fixes.UNSUPPORTED and p["HL103"] == fixes.NOT_SELECTED


def _composite(background: np.ndarray) -> np.ndarray:
    """The astronaut cut out with the person matte and put on ``background``."""
    rgb = astronaut()
    a = person_matte(np.ascontiguousarray(rgb))[..., None]
    return np.rint(rgb * a + background * (1 - a)).astype(np.uint8)


@pytest.fixture(scope="module")
def photos(tmp_path_factory):
    d = tmp_path_factory.mktemp("fix-photos")
    skin = np.empty((512, 512, 3), np.float32)
    skin[:] = (200, 160, 130)  # skin-toned wall: background-tone and contrast fail
    Image.fromarray(_composite(skin)).save(d / "skin.png")
    from skimage import data

    gravel = cv2.resize(data.gravel(), (512, 512)).astype(np.float32)
    busy = np.stack([gravel, gravel * 0.9, gravel * 0.8], -1)  # sharp, busy texture: blur fixes it
    Image.fromarray(_composite(busy)).save(d / "busy.jpg", quality=90)
    Image.fromarray(np.full((300, 240, 3), 128, np.uint8)).save(d / "grey.png")
    return d


def _stamp(path):
    st = os.stat(path)
    return path.read_bytes(), st.st_mtime_ns


@pytest.mark.parametrize("name", ["skin.png", "busy.jpg"])
def test_fix_writes_a_better_copy_and_never_touches_the_original(photos, tmp_path, name):
    """After fix --unsafe-fixes: original bytes and mtime unchanged, score up, face kept in place."""
    src = photos / name
    before = _stamp(src)
    out = tmp_path / "out"
    res = runner.invoke(app, ["fix", str(src), "--out", str(out), "--unsafe-fixes"])
    assert res.exit_code == 0, res.output
    assert _stamp(src) == before
    dst = out / name
    with Image.open(dst) as im:
        assert im.format == ("PNG" if name.endswith(".png") else "JPEG") and im.size == (512, 512)
    r0, r1 = audit(src), audit(dst)
    assert r1.score > r0.score + 10, (r0.score, r1.score)
    s0 = Scene(load(src))
    iou, shift = fixes.face_check(s0, np.array(load(dst).rgb))
    # MediaPipe's box on this face has two modes 2.9 % of the height apart (the untouched
    # astronaut gives one, some composites the other), so 3 % here, not 2 %.
    assert iou >= 0.7 and shift <= 0.03, (iou, shift)


def test_retouch_is_not_applied_without_unsafe_fixes(photos, tmp_path):
    """Without --unsafe-fixes a background-only finding writes nothing and says why."""
    res = runner.invoke(app, ["fix", str(photos / "skin.png"), "--out", str(tmp_path)])
    assert res.exit_code == 0, res.output
    assert "--unsafe-fixes" in res.output and not (tmp_path / "skin.png").exists()


def test_dry_run_writes_nothing_and_existing_output_needs_force(photos, tmp_path):
    """--dry-run writes no file; an existing output is kept (exit 1) unless --force."""
    src = str(photos / "skin.png")
    res = runner.invoke(app, ["fix", src, "--out", str(tmp_path), "--unsafe-fixes", "--dry-run"])
    assert res.exit_code == 0 and "replace-background" in res.output and os.listdir(tmp_path) == []
    (tmp_path / "skin.png").write_bytes(b"mine")
    res = runner.invoke(app, ["fix", src, "--out", str(tmp_path), "--unsafe-fixes"])
    assert res.exit_code == 1 and (tmp_path / "skin.png").read_bytes() == b"mine"
    res = runner.invoke(app, ["fix", src, "--out", str(tmp_path), "--unsafe-fixes", "--force"])
    assert res.exit_code == 0 and (tmp_path / "skin.png").read_bytes()[:4] == b"\x89PNG"


def test_gradient_backdrop_and_only(photos, tmp_path):
    """--backdrop gradient writes a vignette (corners darker than behind the head); --only
    a rule without findings writes nothing."""
    src = str(photos / "skin.png")
    res = runner.invoke(app, ["fix", src, "--out", str(tmp_path / "g"), "--unsafe-fixes",
                              "--backdrop", "gradient"])
    assert res.exit_code == 0, res.output
    out = cv2.cvtColor(np.array(load(tmp_path / "g" / "skin.png").rgb), cv2.COLOR_RGB2GRAY).astype(float)
    assert out[-20:, :20].mean() < out[:40, 200:320].mean() - 5 or out[:20, :20].mean() < out[:40, 200:320].mean()
    res = runner.invoke(app, ["fix", src, "--out", str(tmp_path / "o"), "--unsafe-fixes", "--only", "HL002"])
    assert res.exit_code == 0 and not (tmp_path / "o").exists()
