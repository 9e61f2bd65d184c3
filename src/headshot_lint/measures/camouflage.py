"""Camouflage: where the subject's outline dissolves into the background.

Two failures of the guide's fourth kind: clothing the same colour or tone as the
background beside it, so the body outline is lost; and a background near the head
close to this face's own skin colour, so the head does not separate.
"""

from __future__ import annotations

import cv2
import numpy as np

from .. import color
from ..model import Measurement, Region
from ..scene import Scene
from . import measure
from .backlight import subject_exposure
from ._views import clothing, half_view, skin_lab

#: An outline point is "lost" when the clothing and the background beside it differ
#: by less than this CIEDE2000 (two colours read as one at a glance; RESEARCH.md
#: puts "clear difference" at 3.5-5, photos add noise and texture on top).
LOST_DELTA_E = 10.0
#: ... and by less than this many L* units (tone alone separates a silhouette).
LOST_DELTA_L = 10.0
#: A subject this many stops darker than the bright background (the backlight measure's
#: gap) is a silhouette: its outline is lost to the lighting, not to the clothing's
#: colour, and the backlit-subject rule reports it.
SILHOUETTE_STOPS = 3.5
#: Width of the bands sampled each side of the outline, fraction of the long side.
BAND = 0.025
#: Gap left between the outline and each band (matte edge, halo), px.
_GAP_PX = 2
#: Matte value above which a pixel may be the person (hair wisps, soft edges).
_PERSON_LOOSE = 0.15
#: Fewest valid outline pixels worth judging (at the working size).
_MIN_OUTLINE = 15


@measure("clothing_camouflage", units={"lost_fraction": "fraction", "median_delta_e": "ΔE2000", "median_delta_l": "ΔL*",
                                       "worst_delta_e": "ΔE2000", "outline_px": "px"},
          details=("lost_percent",))
def clothing_camouflage(scene: Scene) -> Measurement:
    """Fraction of the clothing's outline lost against the background, in [0, 1].

    Values
    ------
    lost_fraction : fraction of the clothing/background boundary where ΔE2000 <
        ``LOST_DELTA_E`` and |ΔL*| < ``LOST_DELTA_L`` (what the rule judges), [0, 1].
    median_delta_e : median ΔE2000 across the boundary, >= 0.
    median_delta_l : median |ΔL*| across the boundary, [0, 100].
    worst_delta_e : ΔE2000 of the worst boundary segment (the evidence region), >= 0.
    outline_px : boundary pixels measured.

    Notes
    -----
    The clothing is the person matte below the chin (the face mesh's lowest chin point;
    without a usable face, below the top fifth of the person), facial-skin colours
    excluded. Work is done on the half-size view (:func:`~.tone.half_view`). At every
    boundary pixel (image borders excluded: a frame edge is no outline) the mean Lab
    colour of a band ``BAND`` wide just inside the clothing is compared with that of a
    band just outside the person, both within a window of twice the band width, so the
    comparison is local: a dark suit against a dark corner of an otherwise light room
    counts as lost there.

    A subject ``SILHOUETTE_STOPS`` or more darker than the bright background
    (:func:`~.backlight.subject_exposure`) is not assessable: a backlit silhouette's
    outline is lost to the lighting, and people call that backlighting, not
    camouflage (on 237 labelled photos this lifted F1 from 0.52 to 0.58).

    References
    ----------
    Guide: "backgrounds the same colour as the subject's clothing - the person blends
    into the background". CIEDE2000 perception scale: RESEARCH.md section 6.
    """
    name = "clothing_camouflage"
    person = scene.person_mask
    if person.sum() < 0.01 * person.size:
        return Measurement.not_assessable(name, "no person found: there is no outline to judge")
    exposure = subject_exposure(scene)
    if exposure is not None and exposure.stops >= SILHOUETTE_STOPS:
        return Measurement.not_assessable(
            name, f"the subject is a silhouette, {exposure.stops:.1f} stops darker than the bright background: "
                  "the outline is lost to backlighting (see backlit-subject)")
    view = half_view(scene)
    lab, person, f = view.lab, view.person, view.factor
    clothing_mask, chin = clothing(scene)
    if clothing_mask.sum() < 50:
        return Measurement.not_assessable(name, "too little clothing visible below the chin")
    h, w = person.shape
    band = max(2, int(round(BAND * max(h, w))))
    outside = (view.matte < _PERSON_LOOSE) & (view.outside > _GAP_PX) & (view.outside <= _GAP_PX + band)
    inside = (view.inside > _GAP_PX) & (view.inside <= _GAP_PX + band) & clothing_mask
    edge = person & (view.inside < 1.5)
    edge[:chin] = False
    edge[:2] = edge[-2:] = False  # the frame's edge is no outline
    edge[:, :2] = edge[:, -2:] = False
    k = 2 * (band + _GAP_PX) + 1
    if not edge.any():
        return Measurement.not_assessable(name, "the clothing barely meets the background (cropped or fills the frame)")
    ey, ex = np.nonzero(edge)  # local means are only needed around the outline
    y0, x0 = max(int(ey.min()) - k, 0), max(int(ex.min()) - k, 0)
    win = np.s_[y0:int(ey.max()) + k + 1, x0:int(ex.max()) + k + 1]
    lab_in, ok_in = _local_mean(lab[win], inside[win], k)
    lab_out, ok_out = _local_mean(lab[win], outside[win], k)
    pts = edge[win] & ok_in & ok_out
    if pts.sum() < _MIN_OUTLINE:
        return Measurement.not_assessable(name, "the clothing barely meets the background (cropped or fills the frame)")
    a, b = lab_in[pts], lab_out[pts]
    de = color.delta_e(a, b)
    dl = np.abs(a[:, 0] - b[:, 0])
    lost = (de < LOST_DELTA_E) & (dl < LOST_DELTA_L)
    ys, xs = np.nonzero(pts)
    ys, xs = ys + y0, xs + x0
    region, worst = _worst_segment(xs, ys, lost, de, band, h, w, f, scene.width, scene.height)
    values = {"lost_fraction": round(float(lost.mean()), 4), "median_delta_e": round(float(np.median(de)), 2),
              "median_delta_l": round(float(np.median(dl)), 2), "worst_delta_e": round(worst, 2),
              "outline_px": int(pts.sum() * f)}
    return Measurement(name, values, regions=(region,) if region is not None else (),
                       details={"lost_percent": round(100 * float(lost.mean()), 1)})


@measure("skin_tone_camouflage",
          units={"delta_e": "ΔE2000", "delta_e_ring": "ΔE2000", "skin_like_fraction": "fraction", "delta_l": "ΔL*"},
          details=("skin_hex", "background_hex"))
def skin_tone_camouflage(scene: Scene) -> Measurement:
    """Colour difference between the face's skin and the background around the head, ΔE2000 >= 0.

    Values
    ------
    delta_e : ΔE2000 between the median skin colour and the median colour of the
        skin-like part of ``scene.head_ring`` (what the rule judges, lower is worse).
    delta_e_ring : ΔE2000 between the median skin and the median of the whole ring.
    skin_like_fraction : fraction of the ring within ``LOST_DELTA_E`` of the skin, [0, 1].
    delta_l : |ΔL*| between skin and ring medians, [0, 100].

    Notes
    -----
    A background can be mostly unlike the face yet have a skin-coloured patch right
    beside it (a beige door, a wooden wall): the ring is split into the pixels within
    ``LOST_DELTA_E`` of the skin and the rest, and the skin-like part is judged only
    when it covers a fifth of the ring or more; otherwise the whole ring's median is.
    A detected face that the person matte does not cover (in the sun, on a poster) is
    not the subject's: not assessable.
    """
    name = "skin_tone_camouflage"
    if scene.face is None:
        return Measurement.not_assessable(name, "no face: the skin colour is unknown")
    skin, ring = scene.skin_mask, scene.head_ring
    if scene.face not in scene.faces_on_person:
        return Measurement.not_assessable(name, "the detected face is not on the person (a poster, a reflection?)")
    if skin.sum() < 20:
        return Measurement.not_assessable(name, "too little facial skin visible to measure")
    if ring.sum() < 50:
        return Measurement.not_assessable(name, "no background visible around the head")
    view = half_view(scene)
    f = view.factor
    h, w = view.person.shape
    skin_med = skin_lab(scene)
    ring_lab = view.lab[ring[:h * f:f, :w * f:f]]
    if len(ring_lab) < 12:
        ring_lab = scene.lab[ring]
    if len(ring_lab) > 1500:  # a regular subsample is enough for medians
        ring_lab = ring_lab[:: len(ring_lab) // 1500 + 1]
    de_px = color.delta_e(ring_lab, np.broadcast_to(skin_med, ring_lab.shape))
    close = de_px < LOST_DELTA_E
    ring_med = np.median(ring_lab, axis=0)
    de_ring = float(color.delta_e(skin_med, ring_med))
    frac = float(close.mean())
    de = float(color.delta_e(skin_med, np.median(ring_lab[close], axis=0))) if frac >= 0.2 else de_ring
    r = scene.head_region
    b = scene.face.box
    regions = (Region.from_pixels(b.x0, b.y0, b.x1, b.y1, scene.width, scene.height, "face"),)
    if r is not None:
        regions += (Region.from_pixels(r.x0, r.y0, r.x1, r.y1, scene.width, scene.height, "background around head"),)
    return Measurement(
        name,
        {"delta_e": round(de, 2), "delta_e_ring": round(de_ring, 2), "skin_like_fraction": round(frac, 3),
         "delta_l": round(abs(float(skin_med[0] - ring_med[0])), 2)},
        regions=regions,
        details={"skin_hex": color.rgb_to_hex(color.lab_to_rgb(skin_med)),
                 "background_hex": color.rgb_to_hex(color.lab_to_rgb(ring_med))},
    )


def _local_mean(lab: np.ndarray, mask: np.ndarray, k: int) -> tuple[np.ndarray, np.ndarray]:
    """Mean Lab of ``mask`` pixels in a k x k window at every pixel, and where it is defined."""
    m = mask.astype(np.float32)
    n = cv2.boxFilter(m, -1, (k, k), normalize=True, borderType=cv2.BORDER_CONSTANT)
    s = cv2.boxFilter(lab * m[..., None], -1, (k, k), normalize=True, borderType=cv2.BORDER_CONSTANT)
    ok = n >= 0.1
    return s / np.maximum(n, 1e-6)[..., None], ok


def _worst_segment(xs: np.ndarray, ys: np.ndarray, lost: np.ndarray, de: np.ndarray, band: int,
                   h: int, w: int, f: int, width: int, height: int) -> tuple[Region | None, float]:
    """Box around the largest connected run of lost outline pixels, and its median ΔE2000.

    ``xs``, ``ys`` and ``band`` are in view px (an ``h`` x ``w`` grid, ``f`` analysis px
    each); the box is returned in analysis px (``width`` x ``height``).
    """
    if not lost.any():
        i = int(np.argmin(de))
        x, y, r = xs[i] * f, ys[i] * f, band * f
        return Region.from_pixels(x - r, y - r, x + r, y + r, width, height, "closest outline point"), float(de[i])
    canvas = np.zeros((h, w), np.uint8)  # the view's grid: a quarter of the pixels to label
    canvas[ys[lost], xs[lost]] = 1
    canvas = cv2.dilate(canvas, np.ones((2 * band + 1, 2 * band + 1), np.uint8))
    n, labels, stats, _ = cv2.connectedComponentsWithStats(canvas, connectivity=8)
    best = 1 + int(np.argmax(stats[1:, cv2.CC_STAT_AREA]))
    x, y, bw, bh = (int(v) * f for v in stats[best, :4])
    inside = labels[ys, xs] == best
    return (Region.from_pixels(x, y, x + bw, y + bh, width, height, "lost outline"),
            float(np.median(de[inside & lost])))
