"""unblurred_environment: crisp-edge density of synthetic backgrounds behind the astronaut."""

from __future__ import annotations

import cv2
import numpy as np

from headshot_lint.measures.blur import unblurred_environment
from headshot_lint.model import NOT_ASSESSABLE
from tests.conftest import assert_in_range, scene_of
from tests.measures.test_clutter import composite, objects, stripes


def _measure(bg: np.ndarray):
    m = unblurred_environment(scene_of(composite(bg)))
    assert m.status == "ok", m.reason
    return m


def test_more_blur_lower_density():
    """sharp_edge_density does not increase as the same environment is blurred more, and blur removes it."""
    values = [_measure(objects(150, blur=s)).values["sharp_edge_density"] for s in (0.0, 1.5, 4.0, 10.0)]
    assert all(a >= b for a, b in zip(values, values[1:])), values
    assert values[0] > 0.02 and values[-1] < 0.2 * values[0], values


def test_more_blur_less_needed():
    """The extra blur the fix needs shrinks as the background gets blurrier."""
    sharp = _measure(objects(150)).values["blur_sigma_px"]
    soft = _measure(objects(150, blur=10.0)).values["blur_sigma_px"]
    assert sharp > soft >= 0.0, (sharp, soft)


def test_needed_blur_is_in_full_size_pixels():
    """The same scene shot at 3x the resolution needs about 3x the blur in its own pixels
    (the fix applies it at full size); it was once divided instead of multiplied."""
    small = cv2.resize(composite(objects(150)), (640, 640), interpolation=cv2.INTER_AREA)
    large = cv2.resize(small, (1920, 1920), interpolation=cv2.INTER_CUBIC)
    a, b = (unblurred_environment(scene_of(img)).values["blur_sigma_px"] for img in (small, large))
    assert 2.5 < b / a < 3.5, (a, b)


def test_needed_blur_never_rounds_to_nothing():
    """Advice is at least MIN_BLUR_SIGMA_FRACTION of the long side, even when the edge
    estimate calls the background already soft (a group's tiny faces set a tiny target)."""
    from headshot_lint.measures.blur import MIN_BLUR_SIGMA_FRACTION
    m = _measure(objects(150, blur=10.0))
    assert m.values["blur_sigma_px"] >= MIN_BLUR_SIGMA_FRACTION * 512 - 0.05, m.values


def test_flat_grey_is_clean():
    """A plain grey wall is not an environment: its crisp-edge density is near 0."""
    m = _measure(objects(0))
    assert_in_range(m.values["sharp_edge_density"], 0.0, 0.005, photo="astronaut-flat", code="HL103",
                    unit="fraction")


def test_range():
    """A sharp busy environment gives a density in (0, 1], and the in-focus astronaut's face excuses nothing."""
    m = _measure(objects(150))
    assert_in_range(m.values["sharp_edge_density"], 0.02, 1.0, photo="astronaut-objects", code="HL103",
                    unit="fraction")
    assert_in_range(m.values["face_focus"], 0.99, 1.0, photo="astronaut-objects", code="HL103", unit="ratio",
                    name="face_focus")
    assert m.details["reference"] == "face"


def test_soft_face_lowers_the_bar():
    """A blurred (soft, low-resolution) photo scores a higher sharp_edge_density than its edge density alone."""
    soft = cv2.GaussianBlur(composite(objects(150)), (0, 0), 3.0)
    m = unblurred_environment(scene_of(soft))
    assert m.status == "ok", m.reason
    assert m.values["face_focus"] < 1.0, m.values
    assert m.values["sharp_edge_density"] > m.values["edge_density"], m.values


def test_empty_background_is_not_assessable():
    """With no background pixels the measure says not-assessable."""
    scene = scene_of(composite(objects(40)))
    scene.__dict__["background_mask"] = np.zeros((scene.height, scene.width), bool)
    assert unblurred_environment(scene).status == NOT_ASSESSABLE


def test_evidence_falls_with_blur():
    """environment_evidence (log-odds) does not increase as the same environment is blurred more."""
    values = [_measure(objects(150, blur=s)).values["environment_evidence"] for s in (0.0, 1.5, 4.0, 10.0)]
    assert all(a >= b for a, b in zip(values, values[1:])), values
    assert values[0] - values[-1] > 1.0, values


def test_plain_wall_below_rule_threshold():
    """A plain grey wall's evidence is below HL103's warning threshold, a sharp cluttered scene's above it."""
    from headshot_lint.rules import load_pack

    threshold = load_pack().find("HL103").warning
    plain, busy = _measure(objects(0)), _measure(objects(150))
    assert plain.values["environment_evidence"] < threshold < busy.values["environment_evidence"], (
        plain.values, busy.values, threshold)


def test_orientation_diversity_range_and_direction():
    """orientation_diversity is 0 on a flat wall, low for one edge direction, high for objects at every angle."""
    flat = _measure(objects(0)).values["orientation_diversity"]
    one_way = _measure(stripes(24, bar=1 / 3, dark=40)).values["orientation_diversity"]
    every_way = _measure(objects(150)).values["orientation_diversity"]
    assert flat == 0.0, flat
    assert_in_range(every_way, 0.0, 1.0, photo="astronaut-objects", code="HL103", unit="fraction",
                    name="orientation_diversity")
    assert one_way < 0.5 < every_way, (one_way, every_way)


def test_orientation_diversity_of_gradients():
    """orientation_diversity on raw gradients: 0 below the edge minimum, ~0 for one angle, 1 for all bins equal."""
    from headshot_lint.measures.blur import orientation_diversity

    img = np.zeros((128, 128), np.uint8)
    img[:, 64:] = 255  # one vertical step edge
    g = cv2.GaussianBlur(img, (0, 0), 1.0)
    dx, dy = cv2.Sobel(g, cv2.CV_16S, 1, 0), cv2.Sobel(g, cv2.CV_16S, 0, 1)
    mask = np.ones(img.shape, bool)
    assert orientation_diversity(dx, dy, mask) < 0.1
    assert orientation_diversity(dx, dy, np.zeros(img.shape, bool)) == 0.0
    disc = cv2.circle(np.zeros((256, 256), np.uint8), (128, 128), 90, 255, -1)  # edges at every angle
    g = cv2.GaussianBlur(disc, (0, 0), 1.0)
    dx, dy = cv2.Sobel(g, cv2.CV_16S, 1, 0), cv2.Sobel(g, cv2.CV_16S, 0, 1)
    assert orientation_diversity(dx, dy, np.ones(disc.shape, bool)) > 0.95
