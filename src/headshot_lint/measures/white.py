"""Pure white backgrounds: clipping, and the halation that eats light hair.

The guide: "Pure white is riskier: it can create harsh edge contrast, look clinical,
and cause halation (a glowing edge effect) around light hair."
"""

from __future__ import annotations

import cv2
import numpy as np

from ..model import Measurement, Region
from ..scene import Scene
from . import measure
from ._views import HalfView, half_view

#: A background pixel is near-white when all its channels reach this (sRGB 0-255).
WHITE_LEVEL = 230
#: ... and flat when its 3x3 morphological grey gradient is at most this (no texture).
#: With ``NEAR_BAND`` chosen by ``benchmarks/fit_white.py`` (nested CV F1 0.921 against
#: 0.854 for the former 10 and 0.15).
FLAT_GRADIENT = 6
#: A channel at or above this is clipped.
CLIP_LEVEL = 250
#: Width of the band around the person that is judged, fraction of the long side: people
#: judge the white right around the person (a wider band let shadows and room edges far
#: from the subject dilute a pure white backdrop).
NEAR_BAND = 0.08
#: The hair edge is the person's outline above this fraction of the face height below
#: the face's top (or the top fifth of the person without a face).
_HAIR_DEPTH = 0.5


@measure("white_background", units={"white_fraction": "fraction", "clipped_fraction": "fraction", "halo_glow_l": "ΔL*",
                                    "hair_edge_l": "ΔL*"},
          details=("white_percent",))
def white_background(scene: Scene) -> Measurement:
    """Fraction of the background around the person that is flat near-white, in [0, 1].

    Values
    ------
    white_fraction : fraction of background pixels within ``NEAR_BAND`` of the person whose
        channels are all >= ``WHITE_LEVEL`` and whose grey gradient is <= ``FLAT_GRADIENT``
        (what the rule judges), [0, 1].
    clipped_fraction : fraction of the whole background with all channels >= ``CLIP_LEVEL``, [0, 1].
    halo_glow_l : mean L* of the band just outside the hair edge minus that of the
        background two to four halo widths out; > 0 is a glow, [-100, 100].
    hair_edge_l : mean L* of the background just outside the hair minus that of the hair
        just inside; small values mean the edge is lost in the white, [-100, 100].

    Notes
    -----
    The band around the person, not the whole frame, is judged, so white padding or a
    bright sky corner far from the subject does not count. The halation pair is taken on
    ``scene.halo_px``-wide bands each side of the matte's outline above the hairline.
    Everything is measured on the half-size view (:func:`~.tone.half_view`): channel
    minima area-averaged, the grey gradient over a 3x3 window there (6x6 analysis px).
    """
    name = "white_background"
    if scene.background_mask.mean() < 0.02:
        return Measurement.not_assessable(name, "the subject fills the frame: almost no background")
    view = half_view(scene)
    bg, f = view.background, view.factor
    near = near_person(view, NEAR_BAND)
    white = flat_white(view, FLAT_GRADIENT)
    values = {"white_fraction": float(white[near].mean()),
              "clipped_fraction": float((view.darkest[bg] >= CLIP_LEVEL).mean())}
    regions: tuple[Region, ...] = ()
    halo = _halation(scene, view)
    if halo is not None:
        values["halo_glow_l"], values["hair_edge_l"], box = halo
        regions = (Region.from_pixels(*box, scene.width, scene.height, "hair edge"),)
    ys, xs = np.nonzero(near)
    regions = (Region.from_pixels(f * xs.min(), f * ys.min(), f * (xs.max() + 1), f * (ys.max() + 1),
                                  scene.width, scene.height, "background around the person"),) + regions
    return Measurement(name, {k: round(v, 4) for k, v in values.items()}, regions=regions,
                       details={"white_percent": round(100 * values["white_fraction"], 1)})


def near_person(view: HalfView, band: float) -> np.ndarray:
    """The background within ``band`` (fraction of the long side, > 0; 1 or more: all of
    it) of the person, bool at the half-view size; the whole background when the person or
    that band is too small to judge (under 25 px)."""
    bg, person = view.background, view.person
    if person.sum() < 25 or band >= 1.0:
        return bg
    near = (view.outside <= band * max(person.shape) / 2) & bg
    return near if near.sum() >= 25 else bg


def flat_white(view: HalfView, flat: float) -> np.ndarray:
    """Flat near-white pixels, bool at the half-view size: every channel >= ``WHITE_LEVEL``
    and a 3x3 grey morphological gradient <= ``flat`` (0-255 grey levels)."""
    gradient = cv2.morphologyEx(view.gray, cv2.MORPH_GRADIENT, np.ones((3, 3), np.uint8))
    return (view.darkest >= WHITE_LEVEL) & (gradient <= flat)


def _halation(scene: Scene, view: HalfView) -> tuple[float, float, tuple[int, int, int, int]] | None:
    """(glow ΔL*, edge ΔL*, box in analysis px) on the bands either side of the hair's
    outline, measured on the half-size ``view``, or None."""
    person, f = view.person, view.factor
    rows = np.nonzero(person.any(axis=1))[0]
    if rows.size == 0:
        return None
    if scene.face is not None:
        limit = int((scene.face.box.y0 + _HAIR_DEPTH * scene.face.box.height) / f)
    else:
        limit = int(rows[0] + 0.2 * (rows[-1] - rows[0]))
    r = max(2.0, scene.halo_px / f)
    inner = person & (view.inside <= r)
    just_out = (view.outside > 0) & (view.outside <= r)
    far = (view.outside > 2 * r) & (view.outside <= 4 * r) & view.background
    for m in (inner, just_out, far):
        m[limit:] = False
    if inner.sum() < 5 or just_out.sum() < 5 or far.sum() < 5:
        return None
    lightness = view.lab[..., 0]
    out_l = float(lightness[just_out].mean())
    ys, xs = np.nonzero(just_out)
    box = (f * int(xs.min()), f * int(ys.min()), f * (int(xs.max()) + 1), f * (int(ys.max()) + 1))
    return out_l - float(lightness[far].mean()), out_l - float(lightness[inner].mean()), box
