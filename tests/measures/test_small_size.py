"""small_size_contrast: face versus the background beside the head, on astronaut composites."""

from __future__ import annotations

import functools

import numpy as np

from headshot_lint.measures.small_size import small_size_contrast
from headshot_lint.model import NOT_ASSESSABLE
from tests.conftest import assert_in_range, scene_of
from tests.measures.test_backlight import composite

#: Grey level whose L* is close to the astronaut's median skin L* (about 73).
SKIN_GREY = 182


@functools.lru_cache(maxsize=None)
def _measure(level: int):
    m = small_size_contrast(scene_of(composite((level, level, level))))
    assert m.status == "ok", m.reason
    return m


def test_further_from_skin_more_contrast():
    """contrast_near (judged) and delta_l_near grow as the background grey moves away from the face's lightness, either way."""
    for key in ("contrast_near", "delta_l_near"):
        darker = [_measure(level).values[key] for level in (SKIN_GREY, 140, 90, 40)]
        lighter = [_measure(level).values[key] for level in (SKIN_GREY, 215, 250)]
        assert all(a < b for a, b in zip(darker, darker[1:])), (key, darker)
        assert all(a < b for a, b in zip(lighter, lighter[1:])), (key, lighter)


def test_skin_toned_grey_is_low_contrast():
    """A grey of the face's own lightness gives a small ΔL* and a WCAG ratio near 1."""
    m = _measure(SKIN_GREY)
    assert_in_range(m.values["delta_l_near"], 0.0, 5.0, photo="astronaut-grey182", code="HL501", unit="ΔL*")
    assert_in_range(m.values["contrast_near"], 1.0, 1.3, photo="astronaut-grey182", code="HL501", unit="ratio",
                    name="contrast_near")


def test_ranges():
    """All ΔL* lie in [0, 100], ratios in [1, 21], and the tone advice is a hex colour."""
    m = _measure(40)
    for key, value in m.values.items():
        lo, hi = (0.0, 100.0) if "delta" in key else (1.0, 21.0)
        assert lo <= value <= hi, (key, value)
    assert m.details["recommended_hex"].startswith("#")


def test_no_background_is_not_assessable():
    """Without background around the head the measure says not-assessable."""
    scene = scene_of(composite((40, 40, 40)))
    scene.__dict__["head_ring"] = np.zeros((scene.height, scene.width), bool)
    assert small_size_contrast(scene).status == NOT_ASSESSABLE


def test_group_photo_is_not_assessable():
    """With GROUP_FACES faces detected the photo is a group shot: not-assessable; one fewer is still judged."""
    from headshot_lint.measures.small_size import GROUP_FACES

    for n, expected in ((GROUP_FACES, NOT_ASSESSABLE), (GROUP_FACES - 1, "ok")):
        scene = scene_of(composite((SKIN_GREY, SKIN_GREY, SKIN_GREY)))
        face = scene.face  # the subject stays the astronaut's face; only the count changes
        assert face is not None
        scene.__dict__["faces"] = (face,) * n
        m = small_size_contrast(scene)
        assert m.status == expected, (n, m.reason)
