"""Background tone: what the background is, and what this face needs.

The guide's advice, as data: medium grey (~#808080) is the most reliable tone;
light grey suits darker complexions; medium-to-dark grey, charcoal or navy suit
lighter ones; off-white is second best; pure white is risky (clipping, halation).
"""

from __future__ import annotations

import numpy as np

from .. import color
from ..model import Measurement, Region
from ..scene import Scene
from . import measure
from ._palette import (  # noqa: F401 - the palette's public names, re-exported
    CHARCOAL, DARKER_BELOW, LIGHT_GREY, LIGHTER_FROM, MEDIUM_DARK_GREY, MEDIUM_GREY, MIN_CLOTHING_DELTA_E,
    MIN_SEPARATION_L, NAVY, OFF_WHITE, PALETTE, PREFERENCE, UNIVERSAL, Tone, advised_tone, complexion, in_photo,
    recommend_tone, tone_for)
from ._views import half_view, masked_sample, skin_lab, tint


def nearest_suitable(background_lab: np.ndarray, skin_l: float,
                     tint: tuple[float, float] | None = None) -> tuple[Tone, float]:
    """Among the tones that suit this face, the one closest to the background and its ΔE2000.

    Suitable: this complexion's tones and the guide's universal ones (medium grey,
    off-white), each only if it separates from the skin by ``MIN_SEPARATION_L``; if none
    does, the recommended tone. In a black-and-white photo (its ``tint``), the grey ones in
    that tint (``in_photo``).

    Examples
    --------
    >>> nearest_suitable(OFF_WHITE.lab, 70.0)[0].name   # off-white suits a lighter face too
    'off-white'
    """
    candidates = PREFERENCE[complexion(skin_l)] + tuple(t for t in UNIVERSAL if t not in PREFERENCE[complexion(skin_l)])
    tones = [t for t in in_photo(candidates, tint) if abs(float(t.lab[0]) - skin_l) >= MIN_SEPARATION_L]
    tones = tones or [recommend_tone(skin_l, tint=tint)]
    # one call for every tone: CIEDE2000 is elementwise, and each call costs ~0.3 ms of overhead
    distances = color.delta_e(np.broadcast_to(background_lab, (len(tones), 3)), np.stack([t.lab for t in tones]))
    i = int(np.argmin(distances))
    return tones[i], float(distances[i])


@measure("background_tone", units={"background_l": "L*", "background_chroma": "C*ab", "skin_l": "L*",
                                   "delta_e_recommended": "ΔE2000", "delta_e_suitable": "ΔE2000"},
          details=("recommended_hex", "recommended_name", "complexion", "background_hex",
                   "nearest_suitable_name", "nearest_suitable_hex"))
def background_tone(scene: Scene) -> Measurement:
    """Background colour against the tone this face needs, ΔE2000 >= 0.

    Values
    ------
    background_l : median L* of the background, [0, 100].
    background_chroma : chroma C*ab of the median background colour, >= 0.
    skin_l : median L* of the subject's facial skin, [0, 100].
    delta_e_recommended : ΔE2000 from the background to the recommended tone, >= 0.
    delta_e_suitable : ΔE2000 from the background to the nearest tone that suits
        this complexion (what the rule judges), >= 0.

    Notes
    -----
    Medians over the whole background mask (person dilated away), taken on the
    half-size :func:`half_view`; the skin is the landmark-bounded mask of the subject's face.
    """
    name = "background_tone"
    bg = scene.background_mask
    if scene.face is None:
        return Measurement.not_assessable(name, "no face: the tone advice depends on the face")
    skin = scene.skin_mask
    if skin.sum() < 20:
        return Measurement.not_assessable(name, "too little facial skin visible to measure")
    if bg.sum() < 0.02 * bg.size:
        return Measurement.not_assessable(name, "the face fills the frame: almost no background")
    view = half_view(scene)
    bg_lab = np.median(masked_sample(view.lab, view.background, 8000), axis=0)
    skin_l = float(skin_lab(scene)[0])
    rec = tone_for(scene) or recommend_tone(skin_l, tint=tint(scene))
    near, de_near = nearest_suitable(bg_lab, skin_l, tint(scene))
    de_rec = float(color.delta_e(bg_lab, rec.lab))
    bg_hex = color.rgb_to_hex(color.lab_to_rgb(bg_lab))
    h, w = bg.shape
    return Measurement(
        name,
        {"background_l": round(float(bg_lab[0]), 2), "background_chroma": round(float(color.chroma(bg_lab)), 2),
         "skin_l": round(skin_l, 2), "delta_e_recommended": round(de_rec, 2), "delta_e_suitable": round(de_near, 2)},
        regions=(Region.from_pixels(0, 0, w, h, w, h, "background"),),
        details={"recommended_hex": rec.hex, "recommended_name": rec.name, "complexion": complexion(skin_l),
                 "background_hex": bg_hex, "nearest_suitable_name": near.name, "nearest_suitable_hex": near.hex},
    )
