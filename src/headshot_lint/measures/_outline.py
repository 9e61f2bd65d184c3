"""The body's outline as a viewer sees it: the bands each side of it, shared by
clothing camouflage (HL302), the tone advice (a backdrop must keep the outline visible)
and the replace-background fix, so the three judge one outline.
"""

from __future__ import annotations

from typing import NamedTuple, Tuple

import cv2
import numpy as np

from .. import color
from ..scene import PERSON_FIRM, PERSON_LOOSE, Scene
from ._views import clothing, half_view

#: An outline point is "lost" when the clothing and the background beside it differ
#: by less than this CIEDE2000 at the viewing scale (RESEARCH.md puts "clear
#: difference" at 3.5-5; area averaging, texture and the matte's edge add the rest:
#: on the labelled photos 15 beat 10, 12 and 20).
LOST_DELTA_E = 15.0
#: The photo is judged as a viewer sees it: its long side resized to this many px
#: (area averaging), where a fold or a stitch no longer separates anything.
VIEW_PX = 160
#: Width of the bands sampled each side of the outline, view px.
BAND_PX = 4
#: Gap left between the outline and each band (matte edge, halo), view px.
_GAP_PX = 1
#: Fewest valid outline pixels worth judging (at the view size).
_MIN_OUTLINE = 8
#: A backdrop tone may leave at most this share of the body's outline lost against it (the
#: clothing-camouflage test at the viewing size: within ``LOST_DELTA_E`` of the clothes there):
#: what the tone advice and the replace-background fix keep to.
OUTLINE_LOST_MAX = 0.10


class _Bands(NamedTuple):
    lab_in: np.ndarray  #: mean CIELAB just inside the person at every view pixel, float32 (h, w, 3)
    lab_out: np.ndarray  #: ... just outside it
    pts: np.ndarray  #: the outline pixels judged, bool (h, w)
    factor: float  #: view px per analysis px
    shape: Tuple[int, int]  #: (h, w) of the view
    whole: bool  #: the whole outline, head included (a tight crop), not only below the chin


def outline_bands(scene: Scene) -> "_Bands | str":
    """The bands each side of the outline HL302 judges, at the viewing size
    (:func:`.camouflage.clothing_camouflage`), or why there is no outline to judge; cached
    per scene (the measure, the tone advice and the fix read it)."""
    return scene.derived(_make_bands)


def _make_bands(scene: Scene) -> "_Bands | str":
    if scene.person_mask.sum() < 0.01 * scene.person_mask.size:
        return "no person found: there is no outline to judge"
    f = VIEW_PX / max(scene.width, scene.height)
    w, h = max(1, int(round(scene.width * f))), max(1, int(round(scene.height * f)))
    rgb = cv2.resize(scene.rgb, (w, h), interpolation=cv2.INTER_AREA)
    matte = cv2.resize(scene.matte, (w, h), interpolation=cv2.INTER_AREA)
    lab = color.rgb_to_lab(rgb)
    person = (matte >= PERSON_FIRM).astype(np.uint8)
    inside_d = cv2.distanceTransform(person, cv2.DIST_L2, 3)
    outside_d = cv2.distanceTransform(1 - person, cv2.DIST_L2, 3)
    chin = int(np.clip(round(clothing(scene)[1] * half_view(scene).factor * f), 0, h))  # the one chin row
    outline = (person > 0) & (inside_d < 1.5)
    outline[:2] = outline[-2:] = False  # the frame's edge is no outline
    outline[:, :2] = outline[:, -2:] = False
    inside = (inside_d > _GAP_PX) & (inside_d <= _GAP_PX + BAND_PX)
    outside = (matte < PERSON_LOOSE) & (outside_d > _GAP_PX) & (outside_d <= _GAP_PX + BAND_PX)
    k = 2 * (BAND_PX + _GAP_PX) + 1
    lab_in, ok_in = _local_mean(lab, inside, k)
    lab_out, ok_out = _local_mean(lab, outside, k)
    measurable = outline & ok_in & ok_out
    pts = measurable.copy()
    pts[:chin] = False
    whole = bool(pts.sum() < _MIN_OUTLINE)
    if whole:  # a tight crop: little body shows, the head's outline is what is seen
        pts = measurable
    if pts.sum() < _MIN_OUTLINE:
        return "the person barely meets the background (cropped or fills the frame)"
    return _Bands(lab_in, lab_out, pts, f, (h, w), whole)


def outline_colours(scene: Scene) -> np.ndarray | None:
    """CIELAB of the person just inside the outline HL302 judges, float32
    (n, 3), one row per outline pixel at the viewing size; None without such an outline.
    What a new background must differ from for the body's shape to stay visible (the
    replace-background fix picks its tone with it)."""
    bands = outline_bands(scene)
    return None if isinstance(bands, str) else bands.lab_in[bands.pts]


def lost_share(inside: np.ndarray, tone_lab: np.ndarray) -> float:
    """Share of the outline, in [0, 1], that a backdrop of CIELAB ``tone_lab`` would hide:
    the :func:`outline_colours` rows ``inside`` within ``LOST_DELTA_E`` ΔE2000 of it."""
    return float(np.mean(color.delta_e(inside, np.broadcast_to(tone_lab, inside.shape)) < LOST_DELTA_E))


def _local_mean(lab: np.ndarray, mask: np.ndarray, k: int) -> tuple[np.ndarray, np.ndarray]:
    """Mean Lab of ``mask`` pixels in a k x k window at every pixel, and where it is defined."""
    m = mask.astype(np.float32)
    n = cv2.boxFilter(m, -1, (k, k), normalize=True, borderType=cv2.BORDER_CONSTANT)
    s = cv2.boxFilter(lab * m[..., None], -1, (k, k), normalize=True, borderType=cv2.BORDER_CONSTANT)
    ok = n >= 0.1
    return s / np.maximum(n, 1e-6)[..., None], ok
