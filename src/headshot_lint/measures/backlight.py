"""Backlighting: a window, sky or lamp behind the subject silhouettes the face.

The guide's third failure: "windows or light sources behind the subject create
silhouetting (subject underexposed, background overexposed)". The measure compares
the subject's own exposure with the bright part of the background around them.
"""

from __future__ import annotations

import cv2
import numpy as np

from ..model import Measurement, Region
from ..scene import Scene
from . import measure

#: Percentile of background L* that stands for "the bright part" (a window, the sky).
BRIGHT_PERCENTILE = 90
#: Width of the band around the person searched for the light source, fraction of the long side.
NEAR_BAND = 0.12
#: Without a usable face, the subject is the top fraction of the person's height (head and hair).
HEAD_FRACTION = 0.2
#: A detected face counts only when the person matte covers it on average at least this much
#: (a "face" found in the sun or in a background poster is not the subject's).
_FACE_ON_PERSON = 0.5
#: Floor of the subject's luminance when converting to stops (L* about 2), so a pitch-black
#: silhouette gives a finite value.
_Y_FLOOR = 2e-3


@measure("backlight", cost_ms=10.0)
def backlight(scene: Scene) -> Measurement:
    """Lightness gap from the bright background to the subject's face, ΔL* in [-100, 100].

    Values
    ------
    gap_l : bright background L* minus subject L* (what the rule judges), [-100, 100].
    stops : the same gap in photographic stops, log2 of the luminance ratio.
    subject_l : median L* of the facial skin (or, without a usable face, of the
        top of the person), [0, 100].
    subject_dark_l : 10th percentile of the same pixels (the face's dark tail), [0, 100].
    bright_l : the ``BRIGHT_PERCENTILE`` L* of the background, or of the background band
        around the person's upper half if that is brighter, [0, 100].
    background_l : median L* of the whole background, [0, 100].
    clipped_fraction : fraction of background pixels with all channels >= 250, [0, 1].
    bright_offset : horizontal distance from the head's centre to the centre of the
        brightest background region, in head widths (0 = straight behind the head);
        absent when the background has no bright patch.

    Details: ``stops_to_lift`` (the lift that brings the face within one stop of the
    bright background, the fix's parameter), ``light_position`` ("behind the head"
    within one head width, else "beside the subject") and ``subject_source``.

    Notes
    -----
    The face counts only when the person matte covers it (detections in the sun or a
    poster are ignored); silhouettes often have no detectable face, and then the top
    ``HEAD_FRACTION`` of the person stands in for it. Dark skin lit from the front is
    also far darker than a bright background; the rule's threshold sits above the gaps
    well-exposed dark faces reach on light grey, but this is a known limit.

    References
    ----------
    OFIQ UnderExposurePrevention judges the face's own dark tail; here the face is judged
    against its surroundings, as OFIQ issue #93 (skin-tone dependence) advises.
    """
    name = "backlight"
    bg = scene.background_mask
    person = scene.person_mask
    if bg.sum() < 0.02 * bg.size:
        return Measurement.not_assessable(name, "the subject fills the frame: almost no background")
    subject, label = _subject(scene)
    if subject is None or subject.sum() < 20:
        return Measurement.not_assessable(name, "no subject found: neither a face nor a person")
    lightness = scene.lab[..., 0]
    subject_px = _sample(lightness[subject])
    subject_l = float(np.median(subject_px))
    dark_l = float(np.percentile(subject_px, 10))
    bg_px = _sample(lightness[bg])
    bright_l = float(np.percentile(bg_px, BRIGHT_PERCENTILE))
    near = _upper_band(person, bg)
    if near.sum() >= 50:
        bright_l = max(bright_l, float(np.percentile(_sample(lightness[near]), BRIGHT_PERCENTILE)))
    clipped = float((scene.rgb[bg].min(axis=1) >= 250).mean())
    stops = float(np.log2(_l_to_y(bright_l) / max(_l_to_y(subject_l), _Y_FLOOR)))
    ys, xs = np.nonzero(subject)
    head = (float(xs.min()), float(ys.min()), float(xs.max() + 1), float(ys.max() + 1))
    region, offset = _brightest_region(lightness, bg, head, float(np.percentile(bg_px, 95)))
    w, h = scene.width, scene.height
    regions = (Region.from_pixels(*head, w, h, label),) + ((region,) if region is not None else ())
    values = {"gap_l": bright_l - subject_l, "stops": stops, "subject_l": subject_l, "subject_dark_l": dark_l,
              "bright_l": bright_l, "background_l": float(np.median(bg_px)), "clipped_fraction": clipped}
    if region is not None:
        values["bright_offset"] = offset
    units = {"gap_l": "ΔL*", "stops": "EV", "subject_l": "L*", "subject_dark_l": "L*", "bright_l": "L*",
             "background_l": "L*", "clipped_fraction": "fraction", "bright_offset": "head widths"}
    return Measurement(name, {k: round(v, 3) for k, v in values.items()}, units, regions=regions,
                       details={"stops_to_lift": round(max(stops - 1.0, 0.0), 1),
                                "light_position": ("behind the head" if offset <= 1.0 else "beside the subject")
                                if region is not None else "none",
                                "subject_source": label})


def _subject(scene: Scene) -> tuple[np.ndarray | None, str]:
    """(mask, label) of what stands for the subject's face: the skin mask when the face
    sits on the person, else the top of the person."""
    face = scene.face
    if face is not None:
        b = face.box.clipped(scene.width, scene.height)
        box = scene.matte[int(b.y0):int(np.ceil(b.y1)), int(b.x0):int(np.ceil(b.x1))]
        if box.size and float(box.mean()) >= _FACE_ON_PERSON and scene.skin_mask.sum() >= 20:
            return scene.skin_mask, "face"
    person = scene.person_mask
    rows = np.nonzero(person.any(axis=1))[0]
    if rows.size == 0:
        return None, ""
    top = person.copy()
    top[int(rows[0] + HEAD_FRACTION * (rows[-1] - rows[0])) + 1:] = False
    return top, "top of the person"


def _upper_band(person: np.ndarray, bg: np.ndarray) -> np.ndarray:
    """Background within ``NEAR_BAND`` of the person, above the person's middle, bool."""
    rows = np.nonzero(person.any(axis=1))[0]
    if rows.size == 0:
        return np.zeros_like(bg)
    distance = cv2.distanceTransform((~person).astype(np.uint8), cv2.DIST_L2, 3)
    near = (distance <= NEAR_BAND * max(person.shape) / 2) & bg
    near[int((rows[0] + rows[-1]) / 2):] = False
    return near


def _brightest_region(lightness: np.ndarray, bg: np.ndarray, head: tuple[float, float, float, float],
                      level: float) -> tuple[Region | None, float]:  # offset is inf without a region
    """Box of the largest patch of background at or above ``level`` L* (its top 5 %) and
    its horizontal distance from the head's centre, in head widths."""
    h, w = bg.shape
    bright = ((lightness >= level) & bg).astype(np.uint8)
    small = cv2.resize(bright, (w // 4 or 1, h // 4 or 1), interpolation=cv2.INTER_NEAREST)
    n, labels, stats, centroids = cv2.connectedComponentsWithStats(small, connectivity=8)
    if n <= 1:
        return None, float("inf")
    i = 1 + int(np.argmax(stats[1:, cv2.CC_STAT_AREA]))
    x, y, bw, bh = (4 * v for v in stats[i, :4])
    cx = 4 * centroids[i][0]
    head_cx, head_w = (head[0] + head[2]) / 2, max(head[2] - head[0], 1.0)
    offset = abs(cx - head_cx) / head_w
    return Region.from_pixels(x, y, x + bw, y + bh, w, h, "brightest background"), float(offset)


def _sample(values: np.ndarray, n: int = 40000) -> np.ndarray:
    """A regular subsample of at most about ``n`` values: enough for percentiles, and fast."""
    return values[:: max(1, len(values) // n)]


def _l_to_y(lightness: float) -> float:
    """Relative luminance Y in [0, 1] of a CIE L* in [0, 100] (inverse CIE 1976)."""
    return ((lightness + 16.0) / 116.0) ** 3 if lightness > 8.0 else lightness / 903.3
