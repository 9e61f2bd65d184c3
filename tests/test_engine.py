"""The engine on generated photos: findings move the right way, input problems are
findings, only needed measures run, the user's files are untouched."""

from __future__ import annotations

import hashlib
import os

import numpy as np
import pytest
from PIL import Image

from headshot_lint import audit
from headshot_lint.engine import overall_score
from headshot_lint.scene import Scene
from headshot_lint.load import load

from tests.conftest import astronaut


@pytest.fixture(scope="module")
def cases(tmp_path_factory):
    from fixtures.generate import generate

    out = tmp_path_factory.mktemp("fixtures")
    found = generate(out, seed=3, classes=["studio-clean", "skin-tone-bg", "white-clipped"])
    return {c.labels.get("path") or c.name.rsplit("-s3", 1)[0]: c for c in found}


def _case(cases, cls):
    return next(c for c in cases.values() if c.name.startswith(cls))


def test_skin_toned_background_has_less_contrast_than_mid_grey(cases):
    """small-size-contrast: a skin-toned backdrop is far closer to the face's colour than mid grey, and
    the evidence that the face melts into it is higher."""
    grey = audit(_case(cases, "studio-clean").path, select=["HL501"])
    skin = audit(_case(cases, "skin-tone-bg").path, select=["HL501"])
    v_grey = grey.measurements["small_size_contrast"].values
    v_skin = skin.measurements["small_size_contrast"].values
    assert v_skin["background_delta_e_48"] + 10 < v_grey["background_delta_e_48"], (v_skin, v_grey)
    assert v_skin["evidence"] > v_grey["evidence"], (v_skin, v_grey)
    assert "small-size-contrast" in {f.rule for f in skin.findings}
    # this seed's grey sits within 9 L* of the face, so both are flagged: compare the probability
    # the score is made from (the scores themselves are deep in the quality curve's tail, both ~0)
    assert v_grey["stands_out"] > v_skin["stands_out"]
    assert grey.scores["small-size-contrast"] >= skin.scores["small-size-contrast"]


def test_darker_face_measures_darker_skin_and_gets_lighter_tone_advice():
    """background-tone: darkening the face lowers skin L* and moves the advice to lighter tones."""
    img = astronaut().astype(np.float32)
    scene = Scene(load(astronaut()))
    person = scene.matte[..., None]
    dark = np.clip(img * (1 - 0.55 * person), 0, 255).astype(np.uint8)
    light_m = audit(astronaut(), select=["HL301"]).measurements["background_tone"]
    dark_m = audit(dark, select=["HL301"]).measurements["background_tone"]
    assert dark_m.values["skin_l"] < light_m.values["skin_l"] - 15
    from headshot_lint.color import hex_to_rgb, rgb_to_lab

    def lightness(hex_):
        return float(rgb_to_lab(hex_to_rgb(hex_))[0])

    assert lightness(dark_m.details["recommended_hex"]) > lightness(light_m.details["recommended_hex"])


def test_no_face_is_a_finding_and_face_rules_are_skipped_not_passed():
    """A flat grey image: no-face fires; the contrast rule says it could not judge."""
    report = audit(np.full((400, 320, 3), 128, np.uint8))
    assert "no-face" in {f.rule for f in report.findings}
    skipped = {s.rule: s.reason for s in report.skipped}
    assert "small-size-contrast" in skipped and "face" in skipped["small-size-contrast"]
    assert "small-size-contrast" not in report.scores


def test_two_people_side_by_side_are_multiple_faces():
    """Two equally large faces: multiple-faces fires."""
    pair = np.concatenate([astronaut(), astronaut()[:, ::-1]], axis=1)
    report = audit(pair, select=["HL0"])
    assert "multiple-faces" in {f.rule for f in report.findings}
    assert report.measurements["face_count"].values["comparable_faces"] == 2


def test_unreadable_file_becomes_a_finding(tmp_path):
    """Truncated bytes: an unreadable-image finding, score 0, no exception."""
    path = tmp_path / "broken.jpg"
    Image.fromarray(astronaut()).save(path, quality=90)
    path.write_bytes(path.read_bytes()[:2000])
    report = audit(path)
    assert [f.rule for f in report.findings] == ["unreadable-image"]
    assert report.score == 0.0
    assert all(s.reason for s in report.skipped)


def test_only_the_measures_the_selected_rules_need_are_computed():
    """Selecting only no-face computes face_count and nothing else."""
    report = audit(astronaut(), select=["HL002"])
    assert set(report.measurements) == {"face_count"}


def test_overall_score_is_half_min_half_mean():
    """overall = 0.5 min + 0.5 mean; no rules gives 100."""
    assert overall_score([100, 100, 40]) == pytest.approx(0.5 * 40 + 0.5 * 80)
    assert overall_score([]) == 100.0


def test_findings_carry_value_threshold_message_and_fix(cases):
    """A finding states the measured value, the crossed threshold and a fix sentence."""
    report = audit(_case(cases, "skin-tone-bg").path, select=["HL501"])
    f = report.findings[0]
    assert f.value is not None and f.threshold is not None
    assert f"{f.value:.2f}" in f.message + (f.detail or "")
    assert f.fix.title and "#" in f.fix.title and f.fix.params["recommended_hex"].startswith("#")


def test_audit_never_modifies_the_photo(cases, tmp_path):
    """Bytes and mtime of the input are unchanged after an audit."""
    path = _case(cases, "white-clipped").path
    before = (hashlib.sha256(path.read_bytes()).hexdigest(), os.stat(path).st_mtime_ns)
    audit(path)
    after = (hashlib.sha256(path.read_bytes()).hexdigest(), os.stat(path).st_mtime_ns)
    assert before == after


def test_a_sideways_photo_is_reported_with_the_turn_that_fixes_it():
    """HL004 names the rotation that makes the face upright, and stays silent on the upright photo."""
    import numpy as np
    from skimage import data

    from headshot_lint.engine import audit

    def hl004(k):
        report = audit(np.ascontiguousarray(np.rot90(data.astronaut(), k)))
        return [f.message for f in report.findings if f.code == "HL004"]

    assert hl004(0) == []
    assert "90° clockwise" in hl004(1)[0]
    assert "180°" in hl004(2)[0]
    assert "90° counter-clockwise" in hl004(3)[0]


def test_a_turned_photo_is_judged_as_the_upright_one():
    """Stored sideways or upside down, the astronaut gets the upright photo's values (HL004 apart),
    and every evidence region is the upright one's, drawn on the photo as stored."""
    import numpy as np
    from skimage import data

    from headshot_lint.engine import audit

    upright = audit(data.astronaut())
    for k in (1, 2, 3):
        turned = audit(np.ascontiguousarray(np.rot90(data.astronaut(), k)))
        assert turned.measurements["face_count"].values["turn_degrees"] == 90.0 * ((4 - k) % 4)
        for name, m in turned.measurements.items():
            want = upright.measurements[name]
            assert {key: v for key, v in m.values.items() if key != "turn_degrees"} == {
                key: v for key, v in want.values.items() if key != "turn_degrees"}, (k, name)
            drawn = [(r.x0, r.y0, r.x1, r.y1) for r in m.regions]
            expected = [(r.x0, r.y0, r.x1, r.y1) for r in (w.unturned((4 - k) % 4) for w in want.regions)]
            assert np.allclose(drawn, expected, atol=2e-3) if drawn else not expected, (k, name)


def test_input_checks_count_in_the_overall_only_when_they_fail():
    """Passing HL0xx checks leave the overall score as it is; a failing one (no face) pulls it down."""
    import numpy as np
    from skimage import data

    from headshot_lint.engine import audit

    photo = data.astronaut()
    assert audit(photo).score == audit(photo, ignore=["HL003", "HL004"]).score
    grey = np.full((480, 640, 3), 128, np.uint8)
    with_check = audit(grey)
    assert "HL002" in {f.code for f in with_check.findings}
    assert with_check.score < audit(grey, ignore=["HL002"]).score
