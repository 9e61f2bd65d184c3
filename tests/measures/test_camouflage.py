"""clothing_camouflage and skin_tone_camouflage on the astronaut (orange suit) composites."""

from __future__ import annotations

import functools

import numpy as np
import pytest

from headshot_lint.measures.camouflage import clothing_camouflage, skin_tone_camouflage
from headshot_lint.model import NOT_ASSESSABLE
from tests.conftest import assert_in_range, scene_of
from tests.measures.test_backlight import composite

#: The suit's colour just inside its outline, and the median facial skin (sRGB).
SUIT = np.array([200, 100, 70], np.float32)
SKIN = np.array([207, 173, 145], np.float32)
GREY = np.array([128, 128, 128], np.float32)


@functools.lru_cache(maxsize=None)
def _scene(colour: tuple):
    return scene_of(composite(colour))


def _toward_grey(colour: np.ndarray, t: float) -> tuple:
    return tuple(float(c) for c in np.round(colour * (1 - t) + GREY * t))


def test_suit_coloured_background_loses_outline():
    """lost_fraction falls as the background moves from the suit's colour to grey."""
    values = []
    for t in (0.0, 0.5, 1.0):
        m = clothing_camouflage(_scene(_toward_grey(SUIT, t)))
        assert m.status == "ok", m.reason
        values.append(m.values["lost_fraction"])
    assert values[0] > values[1] > values[2], values
    assert_in_range(values[0], 0.2, 1.0, photo="astronaut-on-suit-colour", code="HL302", unit="fraction")


def test_grey_background_keeps_outline():
    """On mid grey almost none of the orange suit's outline is lost; the median ΔE2000 is large."""
    m = clothing_camouflage(_scene(tuple(GREY)))
    assert_in_range(m.values["lost_fraction"], 0.0, 0.05, photo="astronaut-grey128", code="HL302", unit="fraction")
    assert m.values["median_delta_e"] > 15
    assert m.regions and 0.0 <= m.regions[0].x0 <= m.regions[0].x1 <= 1.0


def test_message_speaks_of_clothes_only_where_there_is_a_face():
    """With the subject's face found the words are about the clothes below the chin; with no
    face on the person (a person from behind, a cup the segmenter took for one) they name
    neither clothes nor a chin, and the same outline is still judged."""
    with_face = clothing_camouflage(_scene(_toward_grey(SUIT, 0.0)))
    assert "your clothes" in with_face.details["impression"]
    assert with_face.details["outline"] == "outline below the chin"
    faceless = scene_of(composite(_toward_grey(SUIT, 0.0)))
    faceless.__dict__["face"] = None  # as if the detector had found none
    m = clothing_camouflage(faceless)
    assert m.status == "ok", m.reason
    words = m.details["impression"]
    assert words.startswith("the subject") and "clothes" not in words and "your" not in words, words
    assert "chin" not in m.details["outline"], m.details
    assert f"{m.values['lost_fraction']:.0%}" in words


def test_a_tight_crop_is_judged_on_hair_and_clothes():
    """Judged on the whole outline (a tight crop), the words name the hair and the head."""
    from headshot_lint.measures.camouflage import impression, outline_phrase

    assert "hair" in impression(60.0, True, True) and "head and shoulders" in impression(60.0, True, True)
    assert "hair" not in impression(60.0, True, False)
    assert "tight crop" in outline_phrase(True, True)


def test_no_person_is_not_assessable():
    """A photo with no person has no outline to judge."""
    scene = _scene(tuple(GREY))
    blank = scene_of(np.full((512, 512, 3), 128, np.uint8))
    blank.__dict__["matte"] = np.zeros((blank.height, blank.width), np.float32)
    assert clothing_camouflage(blank).status == NOT_ASSESSABLE
    assert scene.person_mask.any()


def test_skin_coloured_background_is_close():
    """skin_tone_camouflage's ΔE2000 grows as the background moves from the skin's colour to grey."""
    values = []
    for t in (0.0, 0.25, 0.5, 1.0):
        m = skin_tone_camouflage(_scene(_toward_grey(SKIN, t)))
        assert m.status == "ok", m.reason
        values.append(m.values["delta_e"])
    assert all(a < b for a, b in zip(values, values[1:])), values
    assert_in_range(values[0], 0.0, 3.0, photo="astronaut-on-skin-colour", code="HL303", unit="ΔE2000")
    assert values[-1] > 15


def test_skin_like_patch_beside_the_head():
    """A skin-coloured panel beside the head is judged even though most of the ring is grey."""
    bg = np.broadcast_to(GREY, (512, 512, 3)).copy()
    bg[:, :200] = SKIN  # left side of the frame, next to the face
    m = skin_tone_camouflage(scene_of(composite(bg)))
    whole = skin_tone_camouflage(_scene(tuple(GREY)))
    assert m.values["delta_e"] < 5 < whole.values["delta_e"], (m.values, whole.values)
    assert m.values["skin_like_fraction"] >= 0.2


def test_no_face_is_not_assessable():
    """Without a face the skin colour is unknown."""
    scene = scene_of(np.full((256, 256, 3), 128, np.uint8))
    scene.__dict__["face"] = None
    assert skin_tone_camouflage(scene).status == NOT_ASSESSABLE


def test_silhouette_is_judged_against_its_ground():
    """A silhouette is judged too: almost black on a near-black ground its outline is lost,
    on a white field it is not."""
    on_dark = clothing_camouflage(scene_of(composite((8, 8, 8), 0.01)))
    on_white = clothing_camouflage(scene_of(composite((255, 255, 255), 0.01)))
    assert on_dark.status == on_white.status == "ok", (on_dark.reason, on_white.reason)
    assert on_dark.values["lost_fraction"] > 0.5 > 0.05 > on_white.values["lost_fraction"], (on_dark.values,
                                                                                              on_white.values)


def test_frame_edge_is_no_outline():
    """Where the frame cuts the body (the astronaut's shoulders run off the bottom) nothing is
    counted: a background of the suit's colour only along the bottom rows changes next to nothing."""
    bg = np.broadcast_to(GREY, (512, 512, 3)).copy()
    bg[-3:] = SUIT
    m = clothing_camouflage(scene_of(composite(bg)))
    plain = clothing_camouflage(_scene(tuple(GREY)))
    assert abs(m.values["lost_fraction"] - plain.values["lost_fraction"]) < 0.01, (m.values, plain.values)


def test_lost_stretch_is_the_evidence_region():
    """Half the background in the suit's colour: the lost stretch (evidence region) lies on that half."""
    bg = np.broadcast_to(GREY, (512, 512, 3)).copy()
    bg[:, 256:] = SUIT
    m = clothing_camouflage(scene_of(composite(bg)))
    assert m.status == "ok" and 0.05 < m.values["lost_fraction"] < 0.95, m.values
    region = m.regions[0]
    assert region.label == "lost outline" and (region.x0 + region.x1) / 2 > 0.5, region


def _fixture_scene(cls: str, seed: int):
    from fixtures.generate import render

    image, _, labels, _ = render(cls, seed)
    return scene_of(image), labels


def _hl303_threshold() -> float:
    from headshot_lint.rules import load_pack

    return load_pack("default").find("HL303").warning


@pytest.mark.parametrize("seed", [0, 2])
def test_skin_tone_fixture_is_flagged_and_grey_studio_is_not(seed):
    """On fixtures, a backdrop of the sitter's skin colour is below HL303's threshold, a grey studio far above."""
    threshold = _hl303_threshold()
    camo, labels = _fixture_scene("skin-tone-bg", seed)
    clean, _ = _fixture_scene("studio-clean", seed)
    bad = skin_tone_camouflage(camo)
    good = skin_tone_camouflage(clean)
    assert bad.status == good.status == "ok", (bad.reason, good.reason)
    assert_in_range(bad.values["delta_e"], 0.0, threshold, photo=f"skin-tone-bg-s{seed} ({labels['skin']})",
                    code="HL303", unit="ΔE2000")
    assert good.values["delta_e"] > 2 * threshold, good.values
