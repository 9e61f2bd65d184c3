"""backlight: the astronaut composited in front of backgrounds of rising brightness."""

from __future__ import annotations

import functools

import numpy as np

from headshot_lint.measures.backlight import backlight
from headshot_lint.model import NOT_ASSESSABLE
from tests.conftest import assert_in_range, astronaut, scene_of


@functools.lru_cache(maxsize=None)
def alpha() -> np.ndarray:
    """The astronaut's person matte, float32 (512, 512, 1)."""
    from headshot_lint.perception.segment import person_matte

    return person_matte(astronaut())[..., None]


def composite(background, subject_gain: float = 1.0) -> np.ndarray:
    """The astronaut (its linear light scaled by ``subject_gain``) over a background
    colour or image, uint8 (512, 512, 3)."""
    subject = astronaut().astype(np.float32)
    if subject_gain != 1.0:
        subject = 255.0 * np.clip(((subject / 255.0) ** 2.2) * subject_gain, 0, 1) ** (1 / 2.2)
    bg = np.broadcast_to(np.asarray(background, np.float32), subject.shape)
    a = alpha()
    return np.clip(np.round(a * subject + (1 - a) * bg), 0, 255).astype(np.uint8)


@functools.lru_cache(maxsize=None)
def _measure(level: int, gain: float = 1.0):
    m = backlight(scene_of(composite((level, level, level), gain)))
    assert m.status == "ok", m.reason
    return m


def test_brighter_background_bigger_gap():
    """stops (the judged value) and gap_l rise with the background's brightness, the subject unchanged."""
    for key in ("stops", "gap_l"):
        gaps = [_measure(level).values[key] for level in (60, 128, 200, 255)]
        assert all(a < b for a, b in zip(gaps, gaps[1:])), (key, gaps)


def test_without_a_face_a_silhouette_still_reads_backlit():
    """With no face, the person stands in: a dark silhouette on white is stops further down than the lit subject."""
    def faceless(gain: float):
        scene = scene_of(composite((255, 255, 255), gain))
        scene.__dict__["face"] = None
        return backlight(scene)
    lit, dark = faceless(1.0), faceless(0.01)
    assert lit.details["subject_source"] == dark.details["subject_source"] == "top of the person"
    assert dark.values["stops"] > lit.values["stops"] + 3, (lit.values, dark.values)


def test_darker_face_bigger_gap():
    """Underexposing the subject (less light on it) raises gap_l and stops, lowers subject_l."""
    lit, dim = _measure(255, 1.0), _measure(255, 0.2)
    assert dim.values["gap_l"] > lit.values["gap_l"] + 10, (lit.values, dim.values)
    assert dim.values["stops"] > lit.values["stops"] + 1.5
    assert dim.values["subject_l"] < lit.values["subject_l"]


def test_mid_grey_is_clean():
    """A lit face on mid grey is not backlit: the background is darker than the face."""
    m = _measure(128)
    assert_in_range(m.values["gap_l"], -60, 0, photo="astronaut-grey128", code="HL201", unit="ΔL*")
    assert m.values["clipped_fraction"] == 0.0


def test_ranges_and_evidence():
    """On a clipped white field: clipped_fraction near 1, values in range, face and bright region as evidence."""
    m = _measure(255, 0.2)
    assert_in_range(m.values["clipped_fraction"], 0.9, 1.0, photo="astronaut-white-dim", code="HL201",
                    unit="fraction", name="clipped_fraction")
    assert -100 <= m.values["gap_l"] <= 100 and 0 <= m.values["subject_dark_l"] <= m.values["subject_l"] <= 100
    labels = [r.label for r in m.regions]
    assert labels[0] in ("face", "top of the person") and "brightest background" in labels
    assert m.details["stops_to_lift"] >= 0


def test_empty_background_is_not_assessable():
    """With no background pixels the measure says not-assessable."""
    scene = scene_of(composite((128, 128, 128)))
    scene.__dict__["background_mask"] = np.zeros((scene.height, scene.width), bool)
    assert backlight(scene).status == NOT_ASSESSABLE
