"""unblurred_environment: background sharpness relative to the astronaut's face."""

from __future__ import annotations

import numpy as np

from headshot_lint.measures.blur import unblurred_environment
from headshot_lint.model import NOT_ASSESSABLE
from tests.conftest import assert_in_range, scene_of
from tests.measures.test_clutter import composite, objects


def _measure(bg: np.ndarray):
    m = unblurred_environment(scene_of(composite(bg)))
    assert m.status == "ok", m.reason
    return m


def test_more_blur_lower_ratio():
    """sharpness_ratio decreases as the same environment is blurred more."""
    values = [_measure(objects(150, blur=s)).values["sharpness_ratio"] for s in (0.0, 1.5, 4.0, 10.0)]
    assert all(a > b for a, b in zip(values, values[1:])), values


def test_more_blur_less_needed():
    """The extra blur the fix needs shrinks as the background gets blurrier."""
    sharp = _measure(objects(150)).values["blur_sigma_px"]
    soft = _measure(objects(150, blur=10.0)).values["blur_sigma_px"]
    assert sharp > soft >= 0.0, (sharp, soft)


def test_flat_grey_is_clean():
    """A plain grey wall is not an environment: its ratio is near 0."""
    m = _measure(objects(0))
    assert_in_range(m.values["sharpness_ratio"], 0.0, 0.1, photo="astronaut-flat", code="HL103", unit="ratio")


def test_range():
    """A sharp busy environment gives a positive ratio within [0, 3]."""
    m = _measure(objects(150))
    assert_in_range(m.values["sharpness_ratio"], 0.2, 3.0, photo="astronaut-objects", code="HL103", unit="ratio")
    assert m.details["reference"] == "face"


def test_empty_background_is_not_assessable():
    """With no background pixels the measure says not-assessable."""
    scene = scene_of(composite(objects(40)))
    scene.__dict__["background_mask"] = np.zeros((scene.height, scene.width), bool)
    assert unblurred_environment(scene).status == NOT_ASSESSABLE
