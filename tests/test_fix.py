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
    """After fix --unsafe-fixes: original bytes and mtime unchanged, score up, face box within 2 %."""
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
    check = fixes.face_check(Scene(load(src)), dst.read_bytes())
    assert check.kept and check.shift <= fixes.FACE_BOX_TOLERANCE, check


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


def _erase_face_unless(protected: bool):
    """A stand-in replace-background that paints the whole photo grey (the face too),
    unless the canvas asks to protect the head and ``protected`` is set."""
    def run(canvas, params):
        if protected and canvas.fallback.protect_head:
            out = canvas.rgb.copy()
            out[:, :8] = 128  # still a change, away from the face
            return out
        return np.full_like(canvas.rgb, 128)
    return fixes.ActionKind("replace-background", 20, run, ("blur-background",))


def test_a_copy_that_would_lose_the_face_is_refused(photos, tmp_path, monkeypatch):
    """When every attempt loses the face: no file, exit 1, and the message says why."""
    monkeypatch.setitem(fixes.ACTIONS, "replace-background", _erase_face_unless(False))
    res = runner.invoke(app, ["fix", str(photos / "skin.png"), "--out", str(tmp_path), "--unsafe-fixes"])
    assert res.exit_code == 1, res.output
    assert "lost the face" in res.output and "not written" in res.output and "refused" in res.output
    assert not (tmp_path / "skin.png").exists()


def test_a_fallback_that_keeps_the_face_is_written(photos, monkeypatch):
    """If the plan as asked loses the face but the conservative retry keeps it, that copy is used."""
    monkeypatch.setitem(fixes.ACTIONS, "replace-background", _erase_face_unless(True))
    src = photos / "skin.png"
    todo = [p for p in fixes.plan(audit(src).findings, unsafe=True) if p.applies]
    rgb = np.array(load(src).rgb)
    result = fixes.correct(todo, rgb, Scene(load(src)))
    assert result.ok and result.fallback == "conservative" and result.check.kept
    assert not result.attempts[0][1].found and (result.rgb[:, :8] == 128).all()


def _face(box, score):
    from headshot_lint.perception.faces import Box, Face

    return Face(Box(*box), score, ())


def test_subject_is_the_face_on_the_person_not_a_background_blob_or_a_loose_duplicate():
    """A larger face-like box on the background and a loose low-score box around the real
    face are not the subject; the confident box on the person is."""
    from types import SimpleNamespace

    matte = np.zeros((200, 300), np.float32)
    matte[60:200, 180:260] = 1
    real = _face((200, 70, 240, 110), 0.95)
    loose = _face((185, 55, 255, 125), 0.55)  # the other range, barely confident
    window = _face((10, 10, 120, 120), 0.6)  # background
    scene = SimpleNamespace(faces=(window, loose, real), matte=matte, width=300, height=200)
    assert fixes.subject_box(scene) == real.box


def test_face_check_compares_each_detector_range_with_itself(monkeypatch):
    """Two ranges box one face 8 % apart; when their confidences swap after a fix the merged
    box jumps, but each range's own box stayed put: the face is kept. A range that moves
    its box 5 % is not."""
    from types import SimpleNamespace

    from headshot_lint.perception.faces import Box

    short, full = Box(50, 80, 150, 180), Box(45, 64, 155, 178)
    scene = SimpleNamespace(faces=(_face((50, 80, 150, 180), 0.9),),
                            matte=np.ones((200, 200), np.float32), width=200, height=200,
                            rgb=np.zeros((200, 200, 3), np.uint8))
    monkeypatch.setattr(fixes, "_analysis_rgb", lambda after, before: after)
    before = [(0, 0.90, short), (1, 0.89, full)]
    swapped = [(0, 0.88, Box(51, 80, 151, 181)), (1, 0.91, full)]
    moved = [(0, 0.90, Box(60, 80, 160, 180)), (1, 0.89, Box(55, 64, 165, 178))]
    for after, kept in ((swapped, True), (moved, False)):
        answers = iter([before, after])
        monkeypatch.setattr(fixes, "_detections", lambda rgb: next(answers))
        check = fixes.face_check(scene, "after")
        assert check.found and check.kept is kept, check
    answers = iter([before, []])
    monkeypatch.setattr(fixes, "_detections", lambda rgb: next(answers))
    assert not fixes.face_check(scene, "after").found


def test_no_face_and_hardly_any_person_refuses_to_retouch():
    """Without a face to check and with the person matte under 10 % of the photo, replacing
    the background is refused (it would erase whoever the segmenter missed)."""
    from skimage import data

    gravel = cv2.cvtColor(cv2.resize(data.gravel(), (480, 360)), cv2.COLOR_GRAY2RGB)
    scene = Scene(load(gravel))
    todo = [fixes.PlannedFix("replace-background", "", {"recommended_hex": "#808080"}, "retouch",
                             ("HL301",), ("background-tone",), fixes.APPLY)]
    result = fixes.correct(todo, gravel, scene)
    assert not result.ok and result.rgb is None and "no face" in result.refused
