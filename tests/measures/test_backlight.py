"""backlight: the astronaut composited in front of backgrounds of rising brightness."""

from __future__ import annotations

import functools

import numpy as np

import json

import cv2

from headshot_lint.measures._learned import heads_dir
from headshot_lint.measures.backlight import FEATURES, backlight, evidence_weights, near_stops
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
    """stops, stops_lit and gap_l rise with the background's brightness, the subject unchanged."""
    for key in ("stops", "stops_lit", "gap_l"):
        gaps = [_measure(level).values[key] for level in (60, 128, 200, 255)]
        assert all(a < b for a, b in zip(gaps, gaps[1:])), (key, gaps)


def test_evidence_rises_with_an_unclipped_background_and_a_darker_face():
    """evidence (the judged value) rises with the background's brightness below clipping, and as the face dims."""
    by_level = [_measure(level, 0.2).values["evidence"] for level in (60, 128, 200, 245)]
    assert all(a < b for a, b in zip(by_level, by_level[1:])), by_level
    by_gain = [_measure(245, gain).values["evidence"] for gain in (1.0, 0.2, 0.05)]
    assert all(a < b for a, b in zip(by_gain, by_gain[1:])), by_gain


def test_clipped_backdrop_lowers_the_evidence():
    """A background clipped edge to edge (a white sweep) gives less evidence than one just below clipping."""
    near, clipped = _measure(245, 0.2).values, _measure(255, 0.2).values
    assert near["clipped_fraction"] == 0.0 and clipped["clipped_fraction"] > 0.9
    assert abs(clipped["stops_lit"] - near["stops_lit"]) < 0.3, (near, clipped)
    w_clipped = evidence_weights()[1 + FEATURES.index("clipped_fraction")]
    assert w_clipped < 0  # the fitted weights keep clipping as evidence against backlight
    assert clipped["evidence"] < near["evidence"], (near, clipped)


def test_side_lit_face_is_judged_by_its_lit_side():
    """Darkening only the shadow half of the face raises the median gap (stops) far more than stops_lit."""
    subject = astronaut().astype(np.float32)
    gain = np.ones(subject.shape[:2], np.float32)
    gain[:, :226] = 0.1  # the astronaut's face spans about x 178-274: its left half in shadow
    subject = 255.0 * np.clip((subject / 255.0) ** 2.2 * gain[..., None], 0, 1) ** (1 / 2.2)
    a = alpha()
    side = backlight(scene_of(np.clip(np.round(a * subject + (1 - a) * 230.0), 0, 255).astype(np.uint8))).values
    even = _measure(230, 1.0).values
    assert side["stops"] > even["stops"] + 2.0, (even, side)
    assert side["stops_lit"] < even["stops_lit"] + 1.0, (even, side)
    assert side["lit_l"] > side["subject_l"] + 20, side


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
    assert m.values["subject_l"] <= m.values["lit_l"] <= 100 and m.values["stops_lit"] <= m.values["stops"]
    b0, *weights = evidence_weights()  # the fitted weights of rules/heads/backlit.json
    expected = b0 + sum(w * m.values[k] for w, k in zip(weights, FEATURES))
    assert abs(m.values["evidence"] - expected) < 0.01, m.values
    assert 0 <= m.values["person_l"] <= 100 and 0 <= m.values["near_l"] <= 100
    assert -9 <= m.values["stops_near"] <= 9
    labels = [r.label for r in m.regions]
    assert labels[0] in ("face", "top of the person") and "brightest background" in labels
    assert m.details["stops_to_lift"] >= 0


def test_empty_background_is_not_assessable():
    """With no background pixels the measure says not-assessable."""
    scene = scene_of(composite((128, 128, 128)))
    scene.__dict__["background_mask"] = np.zeros((scene.height, scene.width), bool)
    assert backlight(scene).status == NOT_ASSESSABLE


def _relit(face_gain: float, body_gain: float, level: int, highlights: bool = False) -> np.ndarray:
    """The astronaut on grey ``level``, its facial skin's linear light scaled by ``face_gain``
    (softly feathered) and the rest of the person by ``body_gain``; with ``highlights`` the
    forehead keeps a specular sheen (a face lit from the front), uint8 (512, 512, 3)."""
    skin = scene_of(astronaut()).skin_mask.astype(np.uint8)
    face = cv2.GaussianBlur(cv2.dilate(skin, np.ones((9, 9), np.uint8)).astype(np.float32), (0, 0), 3)
    gain = body_gain * (1 - face) + face_gain * face
    if highlights:
        ys = np.nonzero(skin.any(axis=1))[0]
        sheen = skin.astype(bool).copy()
        sheen[int(ys[0] + 0.25 * (ys[-1] - ys[0])):] = False  # the top quarter of the face: the forehead
        gain[sheen] = 4 * face_gain
    subject = 255.0 * np.clip((astronaut().astype(np.float32) / 255.0) ** 2.2 * gain[..., None], 0, 1) ** (1 / 2.2)
    a = alpha()
    return np.clip(np.round(a * subject + (1 - a) * float(level)), 0, 255).astype(np.uint8)


def _warning() -> float:
    return float(json.loads((heads_dir() / "backlit.json").read_text(encoding="utf-8"))["threshold"])


def test_dark_skin_lit_from_the_front_is_not_a_silhouette():
    """A dark face (an eighth of the light) with a sheen on the forehead and the body lit, before a
    light grey backdrop, stays below the warning; the same face with the body as dark (a flat
    silhouette before a bright window) is flagged. The face's gap is the same: the whole person's
    lightness (person_l) tells them apart."""
    front = backlight(scene_of(_relit(0.12, 1.0, 235, highlights=True))).values
    silhouette = backlight(scene_of(_relit(0.12, 0.12, 245))).values
    assert abs(front["stops_lit"] - silhouette["stops_lit"]) < 1.0, (front, silhouette)
    assert front["person_l"] > silhouette["person_l"] + 15, (front, silhouette)
    assert front["evidence"] < _warning() <= silhouette["evidence"], (front, silhouette)


def test_a_darker_person_raises_the_evidence():
    """The face unchanged, a darker body (clothes and arms in shadow too) gives more evidence."""
    by_body = [backlight(scene_of(_relit(0.12, g, 235))).values for g in (1.0, 0.3, 0.12)]
    assert all(a["person_l"] > b["person_l"] for a, b in zip(by_body, by_body[1:])), by_body
    assert all(a["evidence"] < b["evidence"] for a, b in zip(by_body, by_body[1:])), by_body


def test_near_stops_is_the_gap_from_the_surround_to_the_lit_side():
    """near_stops: 0 for equal lightness, about one stop per doubling of luminance, positive when
    the surround is brighter, finite for a pitch-black face, and within [-9, 9]."""
    assert near_stops(60.0, 60.0) == 0.0
    assert abs(near_stops(100.0, 76.07) - 1.0) < 0.02  # L* 76.07 is half the luminance of L* 100
    assert near_stops(90.0, 30.0) > near_stops(60.0, 30.0) > 0 > near_stops(20.0, 30.0)
    assert near_stops(90.0, 30.0) > near_stops(90.0, 50.0)
    assert -9 <= near_stops(0.0, 100.0) < near_stops(100.0, 0.0) <= 9


def _ringed(level_near: int, level_far: int, face_gain: float = 0.2) -> np.ndarray:
    """The dimmed astronaut whose surround (within 80 px of the person, above the person's
    middle) is grey ``level_near`` and the rest of the background ``level_far``, uint8."""
    person = (alpha()[..., 0] >= 0.5).astype(np.uint8)
    ring = cv2.dilate(person, np.ones((161, 161), np.uint8)).astype(bool) & ~person.astype(bool)
    rows = np.nonzero(person.any(axis=1))[0]
    ring[int((rows[0] + rows[-1]) / 2):] = False
    bg = np.full(person.shape + (3,), float(level_far), np.float32)
    bg[ring] = float(level_near)
    return composite(bg, face_gain)


def test_a_bright_surround_raises_the_evidence_over_a_bright_patch_beside():
    """The same dim face with the same bright background elsewhere (stops_lit within a stop):
    ringed by the light it gives a larger stops_near and more evidence than when its own
    surround is dark (a driver before a side window, a figure in a street with a lit shop front)."""
    ringed = backlight(scene_of(_ringed(245, 245))).values
    dark_ring = backlight(scene_of(_ringed(60, 245))).values
    assert abs(ringed["stops_lit"] - dark_ring["stops_lit"]) < 1.0, (ringed, dark_ring)
    assert ringed["near_l"] > dark_ring["near_l"] + 40, (ringed, dark_ring)
    assert ringed["stops_near"] > dark_ring["stops_near"] + 2.0, (ringed, dark_ring)
    assert evidence_weights()[1 + FEATURES.index("stops_near")] > 0
    assert ringed["evidence"] > dark_ring["evidence"] + 1.0, (ringed, dark_ring)
