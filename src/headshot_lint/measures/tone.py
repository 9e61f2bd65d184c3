"""Background tone: what the background is, and what this face needs.

The guide's advice, as data: medium grey (~#808080) is the most reliable tone;
light grey suits darker complexions; medium-to-dark grey, charcoal or navy suit
lighter ones; off-white is second best; pure white is risky (clipping, halation).
"""

from __future__ import annotations

import functools
import weakref
from dataclasses import dataclass

import cv2
import numpy as np

from .. import color
from ..model import Measurement, Region
from ..scene import Scene
from . import measure


@dataclass(frozen=True)
class HalfView:
    """The scene at half the analysis size, shared by the exposure and outline measures.

    Region statistics (medians, percentiles, bands around the outline) are as good from
    a quarter of the pixels; computing the view and the two distance transforms once per
    scene is what keeps these measures cheap. Arrays are read-only.
    """

    factor: int  #: analysis px per view px (2, or 1 for small images)
    lab: np.ndarray  #: CIELAB, float32 (h, w, 3), each pixel the mean of a 2x2 block
    darkest: np.ndarray  #: smallest of the 2x2-averaged sRGB channels, uint8 (h, w)
    gray: np.ndarray  #: 8-bit grey, uint8 (h, w)
    matte: np.ndarray  #: soft person alpha, float32 (h, w) in [0, 1]
    person: np.ndarray  #: matte >= 0.5, bool (h, w)
    background: np.ndarray  #: ``scene.background_mask`` subsampled, bool (h, w)
    outside: np.ndarray  #: distance to the person, view px, float32 (0 on the person)
    inside: np.ndarray  #: distance from a person pixel to the background, view px, float32


_VIEWS: "weakref.WeakKeyDictionary[Scene, HalfView]" = weakref.WeakKeyDictionary()
_SKIN: "weakref.WeakKeyDictionary[Scene, np.ndarray]" = weakref.WeakKeyDictionary()


def skin_lab(scene: Scene) -> np.ndarray:
    """Median CIELAB of ``scene.skin_mask``, float32 (3,), cached per scene; NaN without skin."""
    lab = _SKIN.get(scene)
    if lab is None:
        skin = scene.lab[scene.skin_mask]
        lab = _SKIN[scene] = (np.median(skin, axis=0).astype(np.float32) if len(skin)
                              else np.full(3, np.nan, np.float32))
    return lab


def half_view(scene: Scene) -> HalfView:
    """The :class:`HalfView` of ``scene``, computed on first use and cached with it."""
    view = _VIEWS.get(scene)
    if view is None:
        view = _VIEWS[scene] = _make_view(scene)
    return view


def _make_view(scene: Scene) -> HalfView:
    f = 2 if max(scene.width, scene.height) > 320 else 1
    w, h = scene.width // f, scene.height // f

    def small(a: np.ndarray) -> np.ndarray:  # halving bilinearly is the 2x2 mean, and faster than INTER_AREA
        return a if f == 1 else cv2.resize(np.ascontiguousarray(a), (w, h), interpolation=cv2.INTER_LINEAR)

    r, g, b = cv2.split(small(scene.rgb))
    darkest = cv2.min(cv2.min(r, g), b)  # numpy's min over a last axis of 3 is ten times slower
    matte = small(scene.matte)
    person = matte >= 0.5
    p8 = person.astype(np.uint8)
    arrays = dict(lab=small(scene.lab), darkest=darkest, gray=small(scene.gray), matte=matte, person=person,
                  background=scene.background_mask[:h * f:f, :w * f:f],
                  outside=cv2.distanceTransform(1 - p8, cv2.DIST_L2, 3),
                  inside=cv2.distanceTransform(p8, cv2.DIST_L2, 3))
    for a in arrays.values():
        a.flags.writeable = False
    return HalfView(factor=f, **arrays)


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


def complexion(skin_l: float) -> str:
    """Complexion class ("darker", "medium", "lighter") of a median skin L* in [0, 100]."""
    if skin_l < DARKER_BELOW:
        return "darker"
    return "lighter" if skin_l >= LIGHTER_FROM else "medium"


def recommend_tone(skin_l: float) -> Tone:
    """The guide's tone for a face of median skin L* (CIE, [0, 100]).

    The first tone in the complexion's preference order that differs from the skin
    by at least ``MIN_SEPARATION_L``; if none does, the one that differs most.

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
    """
    tones = PREFERENCE[complexion(skin_l)]
    for tone in tones:
        if abs(float(tone.lab[0]) - skin_l) >= MIN_SEPARATION_L:
            return tone
    return max(tones, key=lambda t: abs(float(t.lab[0]) - skin_l))


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
    distances = [float(color.delta_e(background_lab, t.lab)) for t in tones]
    i = int(np.argmin(distances))
    return tones[i], distances[i]


@measure("background_tone", cost_ms=2.5)
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
    bg_px = view.lab[view.background]
    bg_lab = np.median(bg_px[:: max(1, len(bg_px) // 8000)], axis=0)
    skin_l = float(skin_lab(scene)[0])
    rec = recommend_tone(skin_l)
    near, de_near = nearest_suitable(bg_lab, skin_l)
    de_rec = float(color.delta_e(bg_lab, rec.lab))
    bg_hex = color.rgb_to_hex(color.lab_to_rgb(bg_lab))
    h, w = bg.shape
    return Measurement(
        name,
        {"background_l": round(float(bg_lab[0]), 2), "background_chroma": round(float(color.chroma(bg_lab)), 2),
         "skin_l": round(skin_l, 2), "delta_e_recommended": round(de_rec, 2), "delta_e_suitable": round(de_near, 2)},
        {"background_l": "L*", "background_chroma": "C*ab", "skin_l": "L*",
         "delta_e_recommended": "ΔE2000", "delta_e_suitable": "ΔE2000"},
        regions=(Region.from_pixels(0, 0, w, h, w, h, "background"),),
        details={"recommended_hex": rec.hex, "recommended_name": rec.name, "complexion": complexion(skin_l),
                 "background_hex": bg_hex, "nearest_suitable_name": near.name, "nearest_suitable_hex": near.hex},
    )
