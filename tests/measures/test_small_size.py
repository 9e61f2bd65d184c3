"""small_size_contrast: how far the face stands out in the profile thumbnails, on astronaut composites."""

from __future__ import annotations

import functools

import numpy as np

from headshot_lint.measures._views import PROFILE_CROP_SIDES, head_box, profile_crop, thumbnails
from headshot_lint.measures.small_size import impression, small_size_contrast
from headshot_lint.model import NOT_ASSESSABLE
from tests.conftest import assert_in_range, scene_of
from tests.measures.test_backlight import composite

#: Grey level whose L* is close to the astronaut's median skin L* (about 73).
SKIN_GREY = 182
#: The astronaut's median facial skin, sRGB.
SKIN = (207, 173, 145)


@functools.lru_cache(maxsize=None)
def _measure(background: tuple):
    m = small_size_contrast(scene_of(composite(background)))
    assert m.status == "ok", m.reason
    return m


def test_thumbnails_are_the_profile_crop_area_averaged():
    """The 48 px square is the crop around the face box (2.6 x its larger side) area-averaged;
    the 32 px view shows only its inscribed circle."""
    scene = scene_of(composite((128, 128, 128)))
    x0, y0, side = profile_crop(scene)
    b = scene.face.box
    assert side == min(round(PROFILE_CROP_SIDES * max(b.width, b.height)), scene.width, scene.height)
    assert x0 <= b.x0 and b.x1 <= x0 + side and y0 <= b.y0 and b.y1 <= y0 + side
    thumbs = thumbnails(scene)
    assert sorted(thumbs) == [32, 48]
    crop = scene.rgb[y0:y0 + side, x0:x0 + side].astype(np.float64)
    assert abs(thumbs[48].rgb.mean() - crop.mean()) < 1.5  # area averaging keeps the mean
    circle = thumbs[32].visible
    assert circle[16, 16] and not circle[0, 0] and 0.7 < circle.mean() < 0.85
    assert thumbs[48].face[24, 24] > 0.5 > thumbs[48].face[0, 0]  # the face sits in the middle


def test_background_of_the_face_lightness_melts():
    """A grey of the face's own lightness melts (most of the background within 10 L*); far darker or
    lighter greys do not, and the face stands out more the further the grey moves, either way."""
    at_skin = _measure((SKIN_GREY,) * 3).values
    assert at_skin["melted_48"] > 0.8 and at_skin["melted_32"] > 0.8, at_skin
    for greys in ((SKIN_GREY, 120, 40), (SKIN_GREY, 250)):
        stands = [_measure((v, v, v)).values["stands_out"] for v in greys]
        assert all(a < b for a, b in zip(stands, stands[1:])), (greys, stands)
        assert _measure((greys[-1],) * 3).values["melted_48"] < 0.1


def test_the_words_are_as_strong_as_the_judgement():
    """"Melts" (with the share at the face's lightness) only where people more likely than not
    call the face lost; near the threshold the face "barely stands out" and people "may not"
    pick it out. A face on a grey of its own lightness melts."""
    assert impression(0.2, 0.83).startswith("your face melts into the background: 83% of the background")
    assert "will not pick it out" in impression(0.49, 0.6)
    weak = impression(0.7, 0.2)
    assert weak.startswith("your face barely stands out") and "may not pick it out" in weak and "%" not in weak
    headless = impression(0.2, 0.83, face_found=False)  # judged on the head read off the matte
    assert headless.startswith("your head melts") and "face" not in headless
    assert "face" not in impression(0.7, 0.2, face_found=False)
    at_skin = _measure((SKIN_GREY,) * 3)
    assert at_skin.values["stands_out"] < 0.5 and at_skin.details["impression"].startswith("your face melts")


def test_colour_counts_as_well_as_lightness():
    """A blue of the face's own lightness melts in lightness but differs in colour: the face stands out
    more there than on the grey of the same lightness, and most against a skin-coloured backdrop least."""
    blue = _measure((120, 180, 250)).values
    grey = _measure((SKIN_GREY,) * 3).values
    skin = _measure(SKIN).values
    assert skin["background_delta_e_48"] < grey["background_delta_e_48"] < blue["background_delta_e_48"]
    assert skin["stands_out"] < grey["stands_out"] < blue["stands_out"], (skin, grey, blue)


def test_skin_coloured_backdrop_is_flagged_and_dark_grey_is_not():
    """Against HL501's threshold: a skin-coloured backdrop falls below it, a dark grey stays above."""
    from headshot_lint.rules import load_pack

    threshold = load_pack("default").find("HL501").warning
    assert_in_range(_measure(SKIN).values["stands_out"], 0.0, threshold, photo="astronaut-on-skin",
                    code="HL501", unit="probability", name="stands_out")
    assert _measure((40, 40, 40)).values["stands_out"] > threshold


def test_wcag_ratio_is_still_reported():
    """The WCAG ratio beside the head stays a reported value: near 1 on the skin's grey, above 3 on dark grey."""
    assert_in_range(_measure((SKIN_GREY,) * 3).values["contrast_near"], 1.0, 1.3, photo="astronaut-grey182",
                    code="HL501", unit="ratio", name="contrast_near")
    assert _measure((40, 40, 40)).values["contrast_near"] > 3


def test_ranges():
    """Probabilities and fractions in [0, 1], ΔE2000 >= 0, ratios in [1, 21]; the tone advice is a hex colour."""
    m = _measure((40, 40, 40))
    for key, value in m.values.items():
        if key == "evidence":
            assert abs(1 / (1 + np.exp(value)) - m.values["stands_out"]) < 1e-3
            continue
        lo, hi = (1.0, 21.0) if key.startswith("contrast") else (0.0, 100.0) if "delta" in key else (0.0, 1.0)
        assert lo <= value <= hi, (key, value)
    assert m.details["recommended_hex"].startswith("#") and len(m.details["crop_px"]) == 3


def _faceless(background: tuple):
    """The composite as a face detector that found nothing sees it (a silhouette, a face turned away)."""
    scene = scene_of(composite(background))
    true_face = scene.face.box
    scene.__dict__.update(face=None, landmarks=None)
    return scene, true_face


def test_without_a_face_the_head_the_matte_shows_is_judged():
    """No face found: the profile picture centres on the head read off the person matte, which
    lies over the real face, and the region says so."""
    scene, face = _faceless((40, 40, 40))
    m = small_size_contrast(scene)
    assert m.status == "ok", m.reason
    head = next(r for r in m.regions if r.label == "head (no face found)")
    cx, cy = (head.x0 + head.x1) / 2 * scene.width, (head.y0 + head.y1) / 2 * scene.height
    fx, fy = face.center
    assert abs(cx - fx) < 0.5 * face.width and abs(cy - fy) < 0.8 * face.height, (cx, cy, face)
    assert "contrast_near" not in m.values  # no skin measured without a face
    # no complexion to choose for: the guide's reliable default, as the fix paints it
    assert (m.details["recommended_name"], m.details["recommended_hex"]) == ("medium grey", "#808080")


def test_without_a_face_a_ground_of_the_head_s_lightness_still_melts():
    """The faceless judgement tells a head on a ground of its own lightness (hair and face
    together, L* about 58: grey 140) from one on a dark ground."""
    dark = small_size_contrast(_faceless((40, 40, 40))[0])
    alike = small_size_contrast(_faceless((140, 140, 140))[0])
    assert alike.values["melted_48"] > dark.values["melted_48"] + 0.3
    assert alike.values["stands_out"] < dark.values["stands_out"]


def test_no_face_and_no_person_is_not_assessable():
    """Without a face or a person on the matte there is no profile picture to judge."""
    scene, _ = _faceless((40, 40, 40))
    scene.__dict__["matte"] = np.zeros((scene.height, scene.width), np.float32)
    assert small_size_contrast(scene).status == NOT_ASSESSABLE


def test_head_box_is_the_top_of_the_figure_above_its_shoulders():
    matte = np.zeros((400, 300), np.float32)
    yy, xx = np.mgrid[:400, :300]
    matte[((xx - 150) / 40.0) ** 2 + ((yy - 110) / 50.0) ** 2 <= 1] = 1.0  # head: 80 wide, rows 60-160
    matte[150:, 60:240] = 1.0  # shoulders and body to the bottom edge
    x0, y0, x1, y1 = head_box(matte)
    assert abs(y0 - 60) <= 1 and abs((x0 + x1) / 2 - 150) <= 2
    assert 40 <= x1 - x0 <= 80 and y1 > y0


def test_head_box_is_none_where_the_frame_cuts_the_head_or_nobody_is_there():
    matte = np.zeros((400, 300), np.float32)
    matte[0:300, 80:220] = 1.0  # a garment shot: the figure runs out of the top edge
    assert head_box(matte) is None
    assert head_box(np.zeros((400, 300), np.float32)) is None
    speck = np.zeros((400, 300), np.float32)
    speck[200:205, 100:105] = 1.0  # far less than 1 % of the frame
    assert head_box(speck) is None


def test_group_photo_is_judged_on_the_main_face():
    """Four faces detected: still judged, on the subject's face."""
    scene = scene_of(composite((SKIN_GREY,) * 3))
    scene.__dict__["faces"] = (scene.face,) * 4
    assert small_size_contrast(scene).status == "ok"


def test_face_without_mesh_or_skin_uses_the_box():
    """A face the mesh misses and without measurable skin (a silhouette) is judged from an ellipse in its box."""
    scene = scene_of(composite((SKIN_GREY,) * 3))
    scene.__dict__["landmarks"] = None
    scene.__dict__["skin_mask"] = np.zeros((scene.height, scene.width), bool)
    m = small_size_contrast(scene)
    assert m.status == "ok", m.reason
    assert m.values["melted_48"] > 0.5 and "contrast_near" not in m.values
