"""Tone advice: the guide's palette by complexion, and background_tone on composites."""

from __future__ import annotations

import numpy as np
import pytest

from headshot_lint import color
from headshot_lint.measures import tone
from headshot_lint.model import NOT_ASSESSABLE
from tests.conftest import assert_in_range, astronaut, scene_of
from tests.measures.test_backlight import composite


@pytest.mark.parametrize("skin_l", [20.0, 35.0, 45.0, 55.0, 60.0, 65.0, 72.0, 85.0])
def test_recommended_tone_separates_from_skin(skin_l):
    """Every recommended tone differs from the skin by at least MIN_SEPARATION_L L*."""
    rec = tone.recommend_tone(skin_l)
    assert abs(float(rec.lab[0]) - skin_l) >= tone.MIN_SEPARATION_L, (skin_l, rec)


def test_follows_the_guide():
    """Darker complexions get light grey; lighter ones medium grey where it separates by 15 L*, else a darker grey."""
    assert tone.recommend_tone(35.0) == tone.LIGHT_GREY
    assert tone.recommend_tone(66.0) in (tone.MEDIUM_DARK_GREY, tone.CHARCOAL, tone.NAVY)
    assert tone.recommend_tone(70.0) == tone.MEDIUM_GREY
    assert tone.recommend_tone(85.0) == tone.MEDIUM_GREY
    assert tone.recommend_tone(55.0) == tone.OFF_WHITE  # medium: grey would match the face's L*
    assert tone.OFF_WHITE.lab[0] < 95  # off-white, never pure white


def test_complexion_classes_are_ordered():
    """complexion() is monotonic in skin L*: darker, then medium, then lighter."""
    order = {"darker": 0, "medium": 1, "lighter": 2}
    classes = [order[tone.complexion(x)] for x in np.linspace(10, 95, 50)]
    assert classes == sorted(classes) and set(classes) == {0, 1, 2}


def test_background_at_recommended_tone_is_close():
    """A backdrop painted the recommended hex measures ΔE2000 below 3 from it; one far away measures more."""
    probe = tone.background_tone(scene_of(composite((128, 128, 128))))
    rec_hex = probe.details["recommended_hex"]
    good = tone.background_tone(scene_of(composite(tuple(int(c) for c in color.hex_to_rgb(rec_hex)))))
    bad = tone.background_tone(scene_of(composite((230, 120, 30))))
    assert_in_range(good.values["delta_e_recommended"], 0.0, 3.0, photo=f"astronaut-on-{rec_hex}", code="HL301",
                    unit="ΔE2000")
    assert bad.values["delta_e_suitable"] > 20 > good.values["delta_e_suitable"]


def test_no_face_is_not_assessable():
    """Without a face the tone advice cannot be given."""
    scene = scene_of(np.full((256, 256, 3), 128, np.uint8))
    scene.__dict__["face"] = None
    assert tone.background_tone(scene).status == NOT_ASSESSABLE


@pytest.mark.parametrize("seed", [0, 2])
def test_fixture_advice_follows_the_sitters_complexion(seed):
    """On fixtures the advice is the guide's tone for the sitter's complexion; a skin-coloured backdrop suits no one."""
    from fixtures.generate import render

    results = {}
    for cls in ("studio-clean", "studio-offwhite", "skin-tone-bg"):
        image, _, labels, _ = render(cls, seed)
        m = tone.background_tone(scene_of(image))
        assert m.status == "ok", m.reason
        results[cls] = (labels["skin"], m)
    skin, clean = results["studio-clean"]
    expected = {"dark": {"light grey"}, "medium": {"off-white", "medium grey"},
                "light": {"medium grey", "medium-dark grey", "charcoal", "navy"}}[skin]
    assert clean.details["recommended_name"] in expected, (skin, clean.values, clean.details)
    assert results["studio-offwhite"][1].values["delta_e_suitable"] < 5  # off-white suits every complexion
    assert results["skin-tone-bg"][1].values["delta_e_suitable"] > 15  # too close to the face for any tone


def test_tone_for_a_scene_avoids_the_clothing(monkeypatch):
    """When the clothes are the face's tone, the scene's tone is another one, apart from skin and clothes."""
    from headshot_lint.measures import _palette as P
    from headshot_lint.measures import tone as T

    scene = scene_of(astronaut())
    skin_l = float(T.skin_lab(scene)[0])
    alone = T.recommend_tone(skin_l)
    monkeypatch.setattr(P, "clothing_lab", lambda s: alone.lab)  # the palette reads the clothes
    monkeypatch.setattr(P, "outline_colours", lambda s: None)  # ... and not the outline (tested below)
    chosen = T.tone_for(scene)
    assert chosen != alone
    assert abs(float(chosen.lab[0]) - skin_l) >= T.MIN_SEPARATION_L and P._apart(chosen, alone.lab)
    assert T.background_tone(scene).details["recommended_hex"] == chosen.hex


def _black_and_white(rgb: np.ndarray, tint_rgb=(1.0, 1.0, 1.0)) -> np.ndarray:
    grey = rgb.astype(np.float32) @ np.array([0.299, 0.587, 0.114], np.float32)
    return np.clip(grey[..., None] * np.array(tint_rgb, np.float32), 0, 255).astype(np.uint8)


def test_a_black_and_white_photo_is_told_from_a_colour_one():
    """The astronaut in colour has no tint; in black and white its tint is about neutral; a
    faint cool toning is kept as the tint; colour noise of a JPEG does not make a photo colour."""
    rgb = astronaut()
    assert color.monochrome_tint(color.rgb_to_lab(rgb)) is None
    a, b = color.monochrome_tint(color.rgb_to_lab(_black_and_white(rgb)))
    assert abs(a) < 0.5 and abs(b) < 0.5
    cool = color.monochrome_tint(color.rgb_to_lab(_black_and_white(rgb, (0.97, 0.99, 1.03))))
    assert cool is not None and cool[1] < -1.0
    noisy = _black_and_white(rgb).astype(np.int16) + np.random.default_rng(0).integers(-2, 3, rgb.shape)
    assert color.monochrome_tint(color.rgb_to_lab(np.clip(noisy, 0, 255).astype(np.uint8))) is not None


def test_a_black_and_white_photo_is_advised_a_grey_in_its_own_tint():
    """No navy for a black-and-white photo (the grey of its lightness, near-black, instead),
    and every tone offered keeps the photo's tint; a colour photo keeps the guide's palette."""
    assert tone.recommend_tone(66.0, tone.MEDIUM_DARK_GREY.lab) == tone.NAVY  # in colour
    grey = tone.recommend_tone(66.0, tone.MEDIUM_DARK_GREY.lab, tint=(0.0, 0.0))
    assert grey.name == "near-black" and float(color.chroma(grey.lab)) < 1.0
    assert abs(float(grey.lab[0]) - float(tone.NAVY.lab[0])) < 1.0
    warm = tone.in_photo(tone.PALETTE, (2.0, 9.0))
    assert [t.name for t in warm] == [t.name if t is not tone.NAVY else "near-black" for t in tone.PALETTE]
    for t in warm:
        lab = t.lab
        assert abs(lab[1] - 2.0) < 1.5 and abs(lab[2] - 9.0) < 1.5, t
    assert tone.in_photo(tone.PALETTE, None) == tone.PALETTE


def test_black_and_white_words_and_advice_on_a_photo():
    """On the astronaut in black and white the tone advice and the backdrop are neutral, and
    the skin-tone rule speaks of lightness, not skin colour; in colour it speaks of colour."""
    from headshot_lint.measures._palette import advised_tone
    from headshot_lint.measures.camouflage import skin_tone_camouflage

    colour, mono = scene_of(astronaut()), scene_of(_black_and_white(astronaut()))
    assert "skin colour" in skin_tone_camouflage(colour).details["likeness"]
    words = skin_tone_camouflage(mono).details["likeness"]
    assert "lightness" in words and "colour" not in words
    assert float(color.chroma(advised_tone(mono).lab)) < 1.0
    assert tone.background_tone(mono).details["recommended_name"] != "navy"


@pytest.mark.parametrize("tint", [(0.0, 0.0), (0.4, -4.3), (2.0, 9.0), (-3.0, 3.0)])
def test_no_tone_in_a_photos_tint_is_clipped_white(tint):
    """HL202 calls a backdrop white where every channel reaches its level: no tone the palette
    offers a black-and-white photo may be one (a neutral off-white of the palette's lightness
    would be, and a copy with it was refused for the new white backdrop)."""
    from headshot_lint.measures import white
    from headshot_lint.measures._palette import NOT_WHITE_BELOW

    assert NOT_WHITE_BELOW == white.WHITE_LEVEL
    for t in tone.in_photo(tone.PALETTE, tint):
        assert min(color.hex_to_rgb(t.hex)) < white.WHITE_LEVEL, (t, tint)
    assert min(color.hex_to_rgb(tone.OFF_WHITE.hex)) < white.WHITE_LEVEL  # the colour palette's own


def test_the_tone_advised_keeps_the_outline_and_is_the_one_a_fix_paints():
    """The astronaut cut out onto a skin-toned wall, in black and white: against the guide's
    medium grey its suit would lose most of its outline; the advice names a tone that hides at
    most a tenth (or the least), the same one the replace-background fix paints, so the report
    and the copy agree (they differed on 82 of the 305 labelled photos with a face before)."""
    from headshot_lint.fix.actions import _keeping_the_outline
    from headshot_lint.measures import _palette as P
    from headshot_lint.measures._outline import OUTLINE_LOST_MAX, lost_share, outline_colours
    from tests.conftest import astronaut_on_wall

    scene = scene_of(_black_and_white(astronaut_on_wall()))
    inside = outline_colours(scene)
    guide = P.recommend_tone(float(tone.skin_lab(scene)[0]), P.clothing_lab(scene), P.tint(scene))
    advised = P.tone_for(scene)
    assert lost_share(inside, guide.lab) > OUTLINE_LOST_MAX and advised != guide
    assert lost_share(inside, advised.lab) < lost_share(inside, guide.lab)
    assert _keeping_the_outline(scene, advised.hex) == (advised.hex, "")  # the fix keeps it as it is
    assert tone.background_tone(scene).details["recommended_hex"] == advised.hex
    moved, why = _keeping_the_outline(scene, guide.hex)  # a colour from elsewhere is still checked
    assert moved == advised.hex and "of your outline" in why
