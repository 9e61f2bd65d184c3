"""Face-versus-background contrast as a viewer sees it at thumbnail sizes.

Profile photos are mostly seen tiny: Instagram's 32 px circle, LinkedIn's 48 px
notification square. Downsampling averages texture away, so what is left is the
low-frequency brightness difference between the face and the background around
the head. This measure renders those thumbnails and compares the two there.
"""

from __future__ import annotations

import cv2
import numpy as np

from .. import color
from ..model import Measurement, Region
from ..scene import Scene
from . import measure
from ._views import HalfView, half_view, masked_sample, skin_lab
from .tone import recommend_tone, tone_for

#: Thumbnail sizes, px: Instagram's circle and LinkedIn's notification square.
SIZES = (32, 48)
#: Side of the square crop a platform shows, in face-box heights (head and shoulders).
CROP_FACE_HEIGHTS = 3.2
#: A thumbnail pixel counts as face (or background) when this fraction of its
#: source pixels is face (or background).
_PURE = 0.6
#: The background "right beside the head" reaches this many face widths from the
#: person's outline (what the rule judges).
NEAR_FACE_WIDTHS = 0.3
#: A photo with this many faces or more (``Scene.faces``) is a group photo: no single
#: face-and-background pair is what a thumbnail shows, and people do not judge it so
#: (1 of 16 such labelled photos was "low contrast"); multiple-faces reports it.
GROUP_FACES = 3


@measure("small_size_contrast",
          units={**{f"delta_l_{k}": "ΔL*" for k in ("32", "48", "full", "near")}, "worst_delta_l": "ΔL*",
                 **{f"contrast_{k}": "ratio" for k in ("32", "48", "full", "near")}, "worst_contrast": "ratio"},
          details=("recommended_hex", "recommended_name", "crop_px"))
def small_size_contrast(scene: Scene) -> Measurement:
    """WCAG contrast ratio between the face and the background beside the head, in [1, 21].

    Values
    ------
    delta_l_32, delta_l_48, delta_l_full : |L*face - L*background| on the 32 px
        circle, the 48 px square and the analysis image, in [0, 100].
    contrast_32, contrast_48, contrast_full : WCAG contrast ratio of the mean
        luminances, in [1, 21].
    worst_delta_l : the smallest of the three ΔL*.
    worst_contrast : the smallest of the three ratios.
    delta_l_near : |median skin L* - median L* of the background right beside the
        head|, in [0, 100].
    contrast_near : WCAG contrast ratio of those two medians (what the rule judges), in [1, 21].

    Notes
    -----
    The crop is a square centred on the face, ``CROP_FACE_HEIGHTS`` face heights
    wide (or the image's short side if smaller), as platforms crop profile photos.
    Means are taken in linear light (what downsampling does to the eye) and then
    expressed as L*; compare photos at the same analysis size.

    The judged value uses medians over the background within ``NEAR_FACE_WIDTHS``
    face widths of the person's outline, level with the head (on the half-size
    :func:`~.tone.half_view`): on 237 labelled real photos it predicted "similar
    brightness" judgements better (F1 0.58 against 0.50) than the thumbnail means,
    which a window, a lamp or a dark doorway in the ring pulls far from the tone a
    viewer reads as "the background". As a ratio rather than an L* difference it
    counts a pale face on white (L* 75 against 100, 2:1) as closer than a mid-grey
    pair the same L* apart, as viewers do (cross-validated F1 0.58 against 0.52).
    Judging the whole head (face and hair) against the ring instead, or the contrast
    across the head's outline, did worse there (F1 0.43-0.55): viewers credit dark
    hair framing a face only sometimes.

    A group photo (``GROUP_FACES`` faces or more) is not assessable: its thumbnail shows
    no single face against a background (on the labelled photos this lifted the
    cross-validated F1 from 0.558 to 0.582; logistic combinations of up to six of the
    values here with skin and background lightness, background variety and clutter,
    face count and hair contrast did not beat the single ratio: nested CV 0.46-0.57).

    References
    ----------
    WCAG 2.x contrast ratio (SC 1.4.11: 3:1 for graphical objects). Guide: "At 32px,
    a face against a similar-toned background becomes a blur."
    """
    name = "small_size_contrast"
    if scene.face is None:
        return Measurement.not_assessable(name, "no face: contrast is measured between face and background")
    if len(scene.faces) >= GROUP_FACES:
        return Measurement.not_assessable(
            name, f"a group photo ({len(scene.faces)} faces): a thumbnail shows no single face against its background "
                  "(see multiple-faces)")
    skin = scene.skin_mask
    ring = scene.head_ring
    if skin.sum() < 20:
        return Measurement.not_assessable(name, "too little facial skin visible to measure")
    if ring.sum() < 50:
        return Measurement.not_assessable(name, "no background visible around the head")

    values: dict[str, float] = {}
    full = _contrast(scene.luminance, skin, ring)
    values["delta_l_full"], values["contrast_full"] = full
    x0, y0, side = _crop(scene)
    crop = np.s_[y0:y0 + side, x0:x0 + side]
    # Y is linear in linear RGB, so averaging Y is what downsampling the photo does to it;
    # the two masks ride along as channels, so each thumbnail is one resize
    planes = np.dstack([scene.luminance[crop], skin[crop], ring[crop]]).astype(np.float32)
    for size in SIZES:
        thumb = cv2.resize(planes, (size, size), interpolation=cv2.INTER_AREA)
        lum, face_frac, bg_frac = thumb[..., 0], thumb[..., 1], thumb[..., 2]
        face_px = face_frac >= _PURE
        bg_px = bg_frac >= _PURE
        if size == 32:  # Instagram shows the inscribed circle only
            yy, xx = np.mgrid[:size, :size]
            bg_px &= (xx - size / 2 + 0.5) ** 2 + (yy - size / 2 + 0.5) ** 2 <= (size / 2) ** 2
        if face_px.sum() < 1 or bg_px.sum() < 2:
            face_px, bg_px = face_frac >= 0.3, bg_frac >= 0.3  # tiny face: accept mixed pixels
        if face_px.sum() < 1 or bg_px.sum() < 1:
            values[f"delta_l_{size}"], values[f"contrast_{size}"] = full
        else:
            values[f"delta_l_{size}"], values[f"contrast_{size}"] = _contrast(lum, face_px, bg_px)
    values["worst_delta_l"] = min(values[k] for k in ("delta_l_32", "delta_l_48", "delta_l_full"))
    values["worst_contrast"] = min(values[k] for k in ("contrast_32", "contrast_48", "contrast_full"))
    view = half_view(scene)
    near = _near_head(scene, view)
    skin_l = float(skin_lab(scene)[0])
    near_l = float(np.median(masked_sample(view.lab, near, 10000, channel=0)))
    values["delta_l_near"] = abs(skin_l - near_l)
    values["contrast_near"] = color.contrast_ratio(color.lightness_to_luminance(skin_l), color.lightness_to_luminance(near_l))
    values = {k: round(float(v), 3) for k, v in values.items()}
    tone = tone_for(scene) or recommend_tone(skin_l)
    b = scene.face.box
    r = scene.head_region
    regions = (
        Region.from_pixels(x0, y0, x0 + side, y0 + side, scene.width, scene.height, "thumbnail crop"),
        Region.from_pixels(b.x0, b.y0, b.x1, b.y1, scene.width, scene.height, "face"),
    ) + ((Region.from_pixels(r.x0, r.y0, r.x1, r.y1, scene.width, scene.height, "background around head"),)
         if r is not None else ())
    return Measurement(name, values, regions=regions,
                       details={"recommended_hex": tone.hex, "recommended_name": tone.name,
                                "crop_px": [int(x0), int(y0), int(side)]})


def _contrast(luminance: np.ndarray, face: np.ndarray, background: np.ndarray) -> tuple[float, float]:
    """(ΔL*, WCAG ratio) between mean luminance of two masks of a Y image in [0, 1]."""
    y_face = float(luminance[face].mean())
    y_bg = float(luminance[background].mean())
    return abs(color.luminance_to_lightness(y_face) - color.luminance_to_lightness(y_bg)), color.contrast_ratio(y_face, y_bg)


def _near_head(scene: Scene, view: HalfView) -> np.ndarray:
    """Background within ``NEAR_FACE_WIDTHS`` of the person, from 0.7 face heights above
    the face to 0.3 below it, bool at the half-size ``view``'s size; the head ring if
    that is nearly empty."""
    b, f = scene.face.box, view.factor
    near = (view.outside <= NEAR_FACE_WIDTHS * b.width / f) & view.background
    near[:max(int((b.y0 - 0.7 * b.height) / f), 0)] = False
    near[max(int((b.y1 + 0.3 * b.height) / f), 0):] = False
    if near.sum() >= 8:
        return near
    h, w = near.shape
    ring = scene.head_ring[:h * f:f, :w * f:f]
    return ring if ring.any() else near


def _crop(scene: Scene) -> tuple[int, int, int]:
    """(x0, y0, side) of the square thumbnail crop, px, inside the image."""
    b = scene.face.box
    side = int(min(scene.width, scene.height, round(CROP_FACE_HEIGHTS * b.height)))
    side = max(side, 8)
    cx, cy = b.center
    cy += 0.35 * b.height  # the crop centres a little below the face: head and shoulders
    x0 = int(np.clip(round(cx - side / 2), 0, scene.width - side))
    y0 = int(np.clip(round(cy - side / 2), 0, scene.height - side))
    return x0, y0, side
