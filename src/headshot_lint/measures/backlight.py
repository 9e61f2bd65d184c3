"""Backlighting: a window, sky or lamp behind the subject silhouettes the face.

The guide's third failure: "windows or light sources behind the subject create
silhouetting (subject underexposed, background overexposed)". The measure compares
the subject's own exposure with the bright part of the background around them.
"""

from __future__ import annotations

import functools
import json
from dataclasses import dataclass

import cv2
import numpy as np

from ..color import lightness_to_luminance
from ..model import Measurement, Region
from ..scene import FACE_ON_PERSON, Scene
from . import measure
from ._learned import heads_dir
from ._views import half_view, masked_sample, skin_lab

#: Percentile of background L* that stands for "the bright part" (a window, the sky).
BRIGHT_PERCENTILE = 90
#: Width of the band around the person searched for the light source, fraction of the long side.
NEAR_BAND = 0.12
#: Without a usable face, the subject is the top fraction of the person's height (head and hair).
HEAD_FRACTION = 0.2
#: ... and its lightness is this percentile of the whole person's L*: a silhouette is dark
#: throughout, while a person seen from behind or with the head cropped still shows lit
#: clothing or skin somewhere.
PERSON_PERCENTILE = 90
#: Percentile of the facial skin's L* that stands for the face's lit side: a backlit face is
#: dark all over, while a front- or side-lit face that is dark on average (dark skin, low-key
#: light) still has a lit cheek or forehead. The same percentile as ``PERSON_PERCENTILE``, so
#: a face and a faceless silhouette are judged on one scale.
LIT_PERCENTILE = 90
#: Floor of a luminance when converting to stops (L* about 2), so a pitch-black silhouette
#: (or background) gives a finite value.
_Y_FLOOR = 2e-3
#: The fitted weights of the evidence (``rules/heads/backlit.json``: bias, per stop of
#: ``stops_lit``, per unit of ``clipped_fraction``, per L* of ``person_l``), a ridge-penalised
#: logistic regression on the labelled photos written by ``benchmarks/fit_backlight.py --write``
#: with its figures. Clipping counts against backlight: a backdrop clipped all over is a white
#: studio sweep (white-background-clipping's business), while a window or the sky fills only
#: part of the frame behind a subject far darker than it. A lighter person counts against it
#: too: a silhouette is dark throughout, a face lit from the front shows lit clothing and skin.
#: A brighter surround (per stop of ``stops_near``) counts for it: a silhouette is ringed by the light.
WEIGHTS = "backlit"
#: The values the evidence weighs, in the order of :func:`evidence_weights`.
FEATURES = ("stops_lit", "clipped_fraction", "person_l", "stops_near")


@functools.lru_cache(maxsize=None)
def evidence_weights() -> tuple[float, ...]:
    """(bias, then one weight per value of ``FEATURES``: per stop of ``stops_lit``, per unit
    of ``clipped_fraction``, per L* of ``person_l``, per stop of ``stops_near``) from
    ``rules/heads/backlit.json``, read
    once per process. A value the file does not weigh counts 0 (``fit_backlight.py`` measures
    the photos with the old file before it writes the new one)."""
    doc = json.loads((heads_dir() / f"{WEIGHTS}.json").read_text(encoding="utf-8"))
    w = doc["weights"]
    return (float(doc["bias"]),) + tuple(float(w.get(k, 0.0)) for k in FEATURES)


@dataclass(frozen=True)
class Exposure:
    """The subject's exposure against the bright part of the background (see :func:`backlight`)."""

    subject: np.ndarray  #: bool mask of what stands for the face, half-view size
    source: str  #: "face" or "top of the person"
    subject_l: float
    subject_dark_l: float
    bright_l: float
    background_l: float
    stops: float
    top_l: float  #: 95th percentile L* of the background (where the brightest patch is sought)
    lit_l: float  #: the face's lit side (``LIT_PERCENTILE`` of its skin L*), or ``subject_l`` without a face
    person_l: float  #: mean L* of the whole person (of the face's mask when the matte is empty)
    near_l: float  #: median L* of the background right around the person's upper half (``background_l`` without it)


def subject_exposure(scene: Scene) -> Exposure | None:
    """The subject's :class:`Exposure`, or None without background or subject; cached
    per scene (the clothing-camouflage measure reads it too)."""
    return scene.derived(_exposure)


@measure("backlight", units={"evidence": "log-odds", "stops_lit": "EV", "lit_l": "L*", "gap_l": "ΔL*", "stops": "EV",
                             "subject_l": "L*", "subject_dark_l": "L*", "bright_l": "L*", "background_l": "L*",
                             "clipped_fraction": "fraction", "person_l": "L*", "stops_near": "EV", "near_l": "L*",
                             "bright_offset": "head widths"},
          details=("stops_to_lift", "light_position", "subject_source"), data=(f"heads/{WEIGHTS}.json",))
def backlight(scene: Scene) -> Measurement:
    """Backlight evidence, log-odds in about [-16, 6], from the exposure gap between the
    bright background and the lit side of the subject's face, and how dark the whole
    person is.

    Values
    ------
    evidence : ``bias + w_stops_lit * stops_lit + w_clipped * clipped_fraction
        + w_person * person_l + w_near * stops_near`` (what the rule judges), log-odds that the
        subject is backlit.
    stops_lit : log2 of the luminance ratio of the bright background to the face's lit
        side ``lit_l``, [-9, 9] (EV).
    lit_l : ``LIT_PERCENTILE`` L* of the facial skin, or without a usable face the same
        as ``subject_l``, [0, 100].
    stops : log2 of the luminance ratio of the bright background to the subject's
        median (the message's figure and the fix's), [-9, 9]; both luminances are floored
        at L* about 2, so a pitch-black silhouette gives a finite value.
    gap_l : the same gap in lightness, bright background L* minus subject L*, [-100, 100].
    subject_l : median L* of the facial skin, or without a usable face the
        ``PERSON_PERCENTILE`` L* of the person, [0, 100].
    subject_dark_l : 10th percentile of the same pixels (the face's dark tail), [0, 100].
    bright_l : the ``BRIGHT_PERCENTILE`` L* of the background, or of the background band
        around the person's upper half if that is brighter, [0, 100].
    background_l : median L* of the whole background, [0, 100].
    clipped_fraction : fraction of background pixels with all channels >= 250, [0, 1].
    person_l : mean L* of the whole person (matte >= ``PERSON_FIRM``, face, hair, body and
        clothes), [0, 100]: a silhouette is dark throughout, while a face that is dark only
        because of its skin, or a face in some shade, comes with lit clothes or arms.
    stops_near : log2 of the luminance ratio of ``near_l`` to the face's lit side ``lit_l``,
        [-9, 9] (EV) (:func:`near_stops`): how much brighter the background right around the
        head and shoulders is than the face, where ``stops_lit`` takes the brightest patch
        anywhere near; a silhouette is ringed by the light, a face that merely has a window
        or a bright street somewhere beside it is not.
    near_l : median L* of the background within ``NEAR_BAND`` of the person, above the
        person's middle (the band whose brightest tenth can set ``bright_l``), or
        ``background_l`` when that band has fewer than 12 pixels (no person matte), [0, 100].
    bright_offset : horizontal distance from the head's centre to the centre of the
        brightest background region, in head widths (0 = straight behind the head);
        absent when the background has no bright patch.

    Details: ``stops_to_lift`` (the lift that brings the face within one stop of the
    bright background, the fix's parameter), ``light_position`` ("behind the head"
    within one head width, else "beside the subject") and ``subject_source``.

    Notes
    -----
    Stops rather than ΔL*: L* compresses the dark end, so a silhouette at L* 3 against a
    dim glow (L* 40) is 5 stops apart but only 37 L* units; on 237 labelled photos stops
    predicted "backlit" better (F1 0.83 against 0.81). The face is judged by its lit side
    rather than its median: a backlit face is dark all over, a side-lit or dark-skinned
    face has a lit cheek; this also puts a face on the scale of the faceless fallback
    (the person's 90th percentile). On 321 labelled photos the evidence from the gap and
    clipping reached nested 5-fold CV F1 0.811 +- 0.019 over 10 fold seeds; adding the
    person's mean lightness ``person_l`` 0.88 +- 0.01 (``benchmarks/fit_backlight.py``): it
    removes most false alarms on normal faces before light backdrops (a profile whose "face"
    is the hair, a dark-skinned face lit from the front, faces in some shade outdoors). It
    also counts dark clothes as evidence: a figure in black before a bright, unclipped
    backdrop scores higher than the same figure in white. The face counts only when the
    person matte covers it (detections in the sun or a poster are ignored); silhouettes
    often have no detectable face, and then the person stands in for it. Dark skin lit
    from the front is also far darker than a bright background; the rule's threshold
    sits above the gaps well-exposed dark faces reach on light grey, but this is a known
    limit. Adding ``stops_near``, the gap from the background right around the person's
    upper half to the face's lit side, lifted the nested figure to 0.91 +- 0.01 (0.90 +- 0.02
    when this fourth value is chosen inside the folds among 38 candidates,
    ``benchmarks/probe_backlight.py``): it removes a driver ringed by his dark car interior
    beside a bright side window and a figure in a street crowd with a bright shop front
    beyond. Statistics are taken on the half-size view (:func:`~.tone.half_view`).

    References
    ----------
    OFIQ UnderExposurePrevention judges the face's own dark tail; here the face is judged
    against its surroundings, as OFIQ issue #93 (skin-tone dependence) advises.
    """
    name = "backlight"
    if scene.background_mask.mean() < 0.02:
        return Measurement.not_assessable(name, "the subject fills the frame: almost no background")
    e = subject_exposure(scene)
    if e is None:
        return Measurement.not_assessable(name, "no subject found: neither a face nor a person")
    view = half_view(scene)
    f, bg = view.factor, view.background
    clipped = float((view.darkest[bg] >= 250).mean())
    ys, xs = np.nonzero(e.subject)
    head = (float(f * xs.min()), float(f * ys.min()), float(f * (xs.max() + 1)), float(f * (ys.max() + 1)))
    region, offset = _brightest_region(view.lab[..., 0], bg, head, e.top_l, f)
    w, h = scene.width, scene.height
    regions = (Region.from_pixels(*head, w, h, e.source),) + ((region,) if region is not None else ())
    stops_lit = _stops(e.bright_l, e.lit_l)
    features = {"stops_lit": stops_lit, "clipped_fraction": clipped, "person_l": e.person_l,
                "stops_near": near_stops(e.near_l, e.lit_l)}
    b0, *weights = evidence_weights()
    values = {"evidence": b0 + sum(wk * round(features[k], 3) for wk, k in zip(weights, FEATURES)),
              "lit_l": e.lit_l, "stops": e.stops, "gap_l": e.bright_l - e.subject_l, "subject_l": e.subject_l,
              "subject_dark_l": e.subject_dark_l, "bright_l": e.bright_l, "background_l": e.background_l,
              "near_l": e.near_l, **features}
    if region is not None:
        values["bright_offset"] = offset
    return Measurement(name, {k: round(v, 3) for k, v in values.items()}, regions=regions,
                       details={"stops_to_lift": round(max(e.stops - 1.0, 0.0), 1),
                                "light_position": ("behind the head" if offset <= 1.0 else "beside the subject")
                                if region is not None else "none",
                                "subject_source": e.source})


def _exposure(scene: Scene) -> Exposure | None:
    view = half_view(scene)
    bg, person, f = view.background, view.person, view.factor
    if bg.sum() < 0.02 * bg.size or not person.any() and scene.face is None:
        return None
    subject, source = _subject(scene, person, f)
    if subject is None or subject.sum() < 5:
        return None
    person_px = _lightness(view, person if person.any() else subject)
    if source == "face":
        subject_px = _lightness(view, subject)
        subject_l = float(skin_lab(scene)[0])
        lit_l = float(np.percentile(subject_px, LIT_PERCENTILE))
    else:
        subject_px = person_px
        subject_l = lit_l = float(np.percentile(subject_px, PERSON_PERCENTILE))
    levels = np.percentile(_lightness(view, bg), [50, BRIGHT_PERCENTILE, 95])
    background_l, bright_l, top_l = (float(v) for v in levels)
    near = _upper_band(view.outside, person, bg)
    near_l = background_l
    if near.sum() >= 12:
        near_px = _lightness(view, near)
        bright_l = max(bright_l, float(np.percentile(near_px, BRIGHT_PERCENTILE)))
        near_l = float(np.median(near_px))
    return Exposure(subject, source, subject_l, float(np.percentile(subject_px, 10)), bright_l, background_l,
                    _stops(bright_l, subject_l), top_l, lit_l, float(person_px.mean()), near_l)


def _subject(scene: Scene, person: np.ndarray, f: int) -> tuple[np.ndarray | None, str]:
    """(mask at the half-view size, label) of what stands for the subject's face: the
    skin mask when the face sits on the person, else the top of the person."""
    face = scene.face
    if face is not None:
        b = face.box.clipped(scene.width, scene.height)
        box = scene.matte[int(b.y0):int(np.ceil(b.y1)), int(b.x0):int(np.ceil(b.x1))]
        skin = scene.skin_mask
        if box.size and float(box.mean()) >= FACE_ON_PERSON and skin.sum() >= 20:
            h, w = person.shape
            small = skin[:h * f:f, :w * f:f]
            return (small if small.any() else person), "face"
    rows = np.nonzero(person.any(axis=1))[0]
    if rows.size == 0:
        return None, ""
    top = person.copy()
    top[int(rows[0] + HEAD_FRACTION * (rows[-1] - rows[0])) + 1:] = False
    return top, "top of the person"


def _upper_band(outside: np.ndarray, person: np.ndarray, bg: np.ndarray) -> np.ndarray:
    """Background within ``NEAR_BAND`` of the person (``outside``: distance to it, px),
    above the person's middle, bool."""
    rows = np.nonzero(person.any(axis=1))[0]
    if rows.size == 0:
        return np.zeros_like(bg)
    near = (outside <= NEAR_BAND * max(person.shape) / 2) & bg
    near[int((rows[0] + rows[-1]) / 2):] = False
    return near


def _brightest_region(lightness: np.ndarray, bg: np.ndarray, head: tuple[float, float, float, float],
                      level: float, f: int) -> tuple[Region | None, float]:  # offset is inf without a region
    """Box (analysis px) of the largest patch of background at or above ``level`` L* (its
    top 5 %) and its horizontal distance from the head's centre, in head widths; the maps
    are ``f`` times smaller than the analysis image."""
    h, w = bg.shape
    bright = ((lightness >= level) & bg).astype(np.uint8)
    small = cv2.resize(bright, (w // 2 or 1, h // 2 or 1), interpolation=cv2.INTER_NEAREST)
    n, labels, stats, centroids = cv2.connectedComponentsWithStats(small, connectivity=8)
    if n <= 1:
        return None, float("inf")
    k = 2 * f
    i = 1 + int(np.argmax(stats[1:, cv2.CC_STAT_AREA]))
    x, y, bw, bh = (k * v for v in stats[i, :4])
    cx = k * centroids[i][0]
    head_cx, head_w = (head[0] + head[2]) / 2, max(head[2] - head[0], 1.0)
    offset = abs(cx - head_cx) / head_w
    return Region.from_pixels(x, y, x + bw, y + bh, w * f, h * f, "brightest background"), float(offset)


def _lightness(view, mask: np.ndarray, n: int = 10000) -> np.ndarray:
    """L* of a regular subsample of at most about ``n`` of the view's ``mask`` pixels:
    enough for percentiles, and fast."""
    return masked_sample(view.lab, mask, n, channel=0)


def near_stops(near_l: float, lit_l: float) -> float:
    """Gap in stops from the background right around the person (median L* ``near_l``,
    [0, 100]) to the face's lit side (L* ``lit_l``, [0, 100]): log2 of their luminance ratio,
    both floored at L* about 2, EV in [-9, 9]; > 0 when the surround is brighter than the face.
    A silhouette is ringed by the window or sky that darkens it, while a face whose frame
    merely holds a bright patch (a car window beside a driver, a shop front beyond a crowd)
    has a darker surround, and a well-lit face is about as bright as its backdrop or more."""
    return _stops(near_l, lit_l)


def _stops(bright_l: float, subject_l: float) -> float:
    """log2 of the luminance ratio of L* ``bright_l`` to L* ``subject_l``, both floored at
    ``_Y_FLOOR``, EV in [-9, 9]."""
    y = lightness_to_luminance
    return float(np.log2(max(y(bright_l), _Y_FLOOR) / max(y(subject_l), _Y_FLOOR)))

