"""Background tone: what the background is, and what this face needs.

The guide's advice, as data: medium grey (~#808080) is the most reliable tone;
light grey suits darker complexions; medium-to-dark grey, charcoal or navy suit
lighter ones; off-white is second best; pure white is risky (clipping, halation).
"""

from __future__ import annotations

import functools
from dataclasses import dataclass

import numpy as np

from .. import color
from ..model import Measurement, Region
from ..scene import Scene
from . import measure
from ._views import clothing_lab, half_view, masked_sample, skin_lab


@dataclass(frozen=True)
class Tone:
    """A backdrop tone of the guide's palette."""

    name: str  #: e.g. "medium grey"
    hex: str  #: sRGB, "#RRGGBB"

    @property
    def lab(self) -> np.ndarray:
        """CIELAB of the tone, float32 (3,), L* in [0, 100]."""
        return _hex_lab(self.hex).copy()


@functools.lru_cache(maxsize=None)
def _hex_lab(hex_colour: str) -> np.ndarray:
    return color.rgb_to_lab(color.hex_to_rgb(hex_colour))


OFF_WHITE = Tone("off-white", "#ECE9E3")
LIGHT_GREY = Tone("light grey", "#B8B8B8")
MEDIUM_GREY = Tone("medium grey", "#808080")
MEDIUM_DARK_GREY = Tone("medium-dark grey", "#5E5E5E")
CHARCOAL = Tone("charcoal", "#3A3D42")
NAVY = Tone("navy", "#1F2A44")

#: Skin L* bounds between complexion classes (CIE L* of the median facial skin as
#: photographed, so exposure matters): below DARKER_BELOW "darker", at or above
#: LIGHTER_FROM "lighter", else "medium". Set on the 189 labelled real photos with a
#: usable face (``skin`` column light/medium/dark): the pair with the best balanced
#: accuracy (0.56; the earlier 48/62 gave 0.48). Median skin L* there: light 67.5,
#: medium 57.8, dark 48.6, with wide overlap, because exposure moves L* as much as
#: complexion does; the advice is about contrast with the face as photographed.
DARKER_BELOW = 50.0
LIGHTER_FROM = 61.0

#: The guide's preference order of tones for each complexion.
PREFERENCE = {
    "darker": (LIGHT_GREY, OFF_WHITE, MEDIUM_GREY),
    "medium": (MEDIUM_GREY, OFF_WHITE, LIGHT_GREY, CHARCOAL),
    "lighter": (MEDIUM_GREY, MEDIUM_DARK_GREY, CHARCOAL, NAVY),
}
#: A recommended tone must differ from the skin by at least this many L* units, so the
#: face still separates at 32 px: about 1.5:1 WCAG at mid tones, above the 1.33:1 that
#: small-size-contrast was calibrated to on the labelled photos.
MIN_SEPARATION_L = 15.0
#: ... and from the clothing by this CIEDE2000 (or by MIN_SEPARATION_L in L*): twice the
#: difference under which clothing-camouflage calls the outline lost, so folds and
#: shadows stay apart too.
MIN_CLOTHING_DELTA_E = 20.0
#: Every tone of the guide's palette, lightest first.
PALETTE = (OFF_WHITE, LIGHT_GREY, MEDIUM_GREY, MEDIUM_DARK_GREY, CHARCOAL, NAVY)


def complexion(skin_l: float) -> str:
    """Complexion class ("darker", "medium", "lighter") of a median skin L* in [0, 100]."""
    if skin_l < DARKER_BELOW:
        return "darker"
    return "lighter" if skin_l >= LIGHTER_FROM else "medium"


def recommend_tone(skin_l: float, clothing_lab: np.ndarray | None = None) -> Tone:
    """The guide's tone for a face of median skin L* (CIE, [0, 100]), and clothes.

    The first tone in the complexion's preference order that differs from the skin by
    at least ``MIN_SEPARATION_L``; if none does, the one that differs most. Given the
    clothing's median CIELAB, the tone must also differ from it (:func:`_apart`): the
    complexion's tones are tried first, then the guide's
    universal ones, then the rest of the palette (each still apart from the skin); if
    none is apart from both, the face decides.

    Examples
    --------
    >>> recommend_tone(66.0).name    # lighter complexion: medium grey is too close
    'medium-dark grey'
    >>> recommend_tone(85.0).name    # very light (or bright) face: medium grey separates
    'medium grey'
    >>> recommend_tone(56.0).name    # medium: medium grey is too close in L*
    'off-white'
    >>> recommend_tone(38.0).name    # darker complexion
    'light grey'
    >>> recommend_tone(38.0, LIGHT_GREY.lab).name    # ... in a light grey jacket
    'off-white'
    >>> recommend_tone(66.0, MEDIUM_DARK_GREY.lab).name    # lighter face in a mid-dark grey suit
    'navy'
    """
    tones = PREFERENCE[complexion(skin_l)]
    if clothing_lab is not None:
        order = tones + tuple(t for t in UNIVERSAL + PALETTE if t not in tones)
        for tone in dict.fromkeys(order):
            if abs(float(tone.lab[0]) - skin_l) >= MIN_SEPARATION_L and _apart(tone, clothing_lab):
                return tone
    for tone in tones:
        if abs(float(tone.lab[0]) - skin_l) >= MIN_SEPARATION_L:
            return tone
    return max(tones, key=lambda t: abs(float(t.lab[0]) - skin_l))


def _apart(tone: Tone, clothing_lab: np.ndarray) -> bool:
    """The tone and the clothes read as two colours: ``MIN_CLOTHING_DELTA_E`` apart, or
    ``MIN_SEPARATION_L`` apart in lightness."""
    return (float(color.delta_e(tone.lab, clothing_lab)) >= MIN_CLOTHING_DELTA_E
            or abs(float(tone.lab[0]) - float(clothing_lab[0])) >= MIN_SEPARATION_L)


def tone_for(scene: Scene) -> Tone | None:
    """:func:`recommend_tone` for this scene's face and clothes; None without measurable
    facial skin. What the background-tone and small-size-contrast advice and the
    replace-background fix use."""
    if scene.face is None or scene.skin_mask.sum() < 20:
        return None
    return recommend_tone(float(skin_lab(scene)[0]), clothing_lab(scene))


#: The guide's two tones that suit every complexion (its "most reliable" and "second
#: most reliable"), whenever they separate from the skin.
UNIVERSAL = (MEDIUM_GREY, OFF_WHITE)


def nearest_suitable(background_lab: np.ndarray, skin_l: float) -> tuple[Tone, float]:
    """Among the tones that suit this face, the one closest to the background and its ΔE2000.

    Suitable: this complexion's tones and the guide's universal ones (medium grey,
    off-white), each only if it separates from the skin by ``MIN_SEPARATION_L``; if none
    does, the recommended tone.

    Examples
    --------
    >>> nearest_suitable(OFF_WHITE.lab, 70.0)[0].name   # off-white suits a lighter face too
    'off-white'
    """
    candidates = PREFERENCE[complexion(skin_l)] + tuple(t for t in UNIVERSAL if t not in PREFERENCE[complexion(skin_l)])
    tones = [t for t in candidates if abs(float(t.lab[0]) - skin_l) >= MIN_SEPARATION_L]
    tones = tones or [recommend_tone(skin_l)]
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
    rec = tone_for(scene) or recommend_tone(skin_l)
    near, de_near = nearest_suitable(bg_lab, skin_l)
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
