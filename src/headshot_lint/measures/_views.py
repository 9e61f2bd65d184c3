"""Per-scene views shared by several measures, computed once and cached with the scene.

The half-size view (:class:`HalfView`), the facial skin's median colour, the clothing
region (and its chin row) and the profile-picture thumbnails (:func:`thumbnails`) live
here rather than in one measure's module, so that the tone advice, the exposure, outline
and small-size measures (and the report's previews, through the crop) read one
definition of each.
"""

from __future__ import annotations

from dataclasses import dataclass

import cv2
import numpy as np

from .. import color
from ..scene import PERSON_FIRM, Scene, bounding_box

#: Face-mesh index of the chin's lowest point.
_CHIN = 152
#: Pixels within this Lab distance of the median facial skin are skin, not clothing.
_SKIN_LAB = 12.0


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
    person: np.ndarray  #: matte >= ``PERSON_FIRM``, bool (h, w)
    background: np.ndarray  #: ``scene.background_mask`` subsampled, bool (h, w)
    outside: np.ndarray  #: distance to the person, view px, float32 (0 on the person)
    inside: np.ndarray  #: distance from a person pixel to the background, view px, float32


def tint(scene: Scene) -> tuple[float, float] | None:
    """The (a*, b*) tint of a black-and-white photo (:func:`color.monochrome_tint`), None for a
    colour photo; cached per scene. What the tone advice, the backdrop a fix paints and the
    words of the colour rules follow: a black-and-white photo has no skin colour to match and
    takes no navy backdrop."""
    return scene.derived(_tint)


def _tint(scene: Scene) -> tuple[float, float] | None:
    lab = half_view(scene).lab
    step = max(1, round((lab.shape[0] * lab.shape[1] / 5000) ** 0.5))  # ~5000 pixels: 50 may differ (~0.3 ms)
    return color.monochrome_tint(lab[::step, ::step])


def skin_lab(scene: Scene) -> np.ndarray:
    """Median CIELAB of ``scene.skin_mask``, float32 (3,), cached per scene; NaN without skin."""
    return scene.derived(_skin_lab)


def _skin_lab(scene: Scene) -> np.ndarray:
    mask = scene.skin_mask
    if not mask.any():
        return np.full(3, np.nan, np.float32)
    # channel by channel from contiguous planes of the mask's box: the same medians as over lab[mask]
    box = bounding_box(mask)
    lab, inner = scene.lab[box], mask[box]
    return np.array([np.median(cv2.extractChannel(lab, c)[inner]) for c in range(3)], np.float32)


def masked_sample(values: np.ndarray, mask: np.ndarray, n: int, channel: int | None = None) -> np.ndarray:
    """``values[mask][::k]`` (``[..., channel]`` first when given), ``k = max(1, count // n)``: a
    regular subsample of at most about ``n`` masked values for medians and percentiles.

    The same elements in the same order as the expression, but the full masked copy is never
    built (on a 320 x 240 view 2-3x faster). ``values`` (H, W) or (H, W, C), ``mask`` bool (H, W).
    """
    idx = np.flatnonzero(mask)
    idx = idx[:: max(1, idx.size // n)]
    if values.ndim == 2:
        return values.reshape(-1)[idx]
    flat = values.reshape(mask.size, values.shape[-1])
    return flat[idx] if channel is None else flat[idx, channel]


def half_view(scene: Scene) -> HalfView:
    """The :class:`HalfView` of ``scene``, computed on first use and cached with it."""
    return scene.derived(_make_view)


def _make_view(scene: Scene) -> HalfView:
    f = 2 if max(scene.width, scene.height) > 320 else 1
    w, h = scene.width // f, scene.height // f

    def small(a: np.ndarray) -> np.ndarray:  # halving bilinearly is the 2x2 mean, and faster than INTER_AREA
        return a if f == 1 else cv2.resize(np.ascontiguousarray(a), (w, h), interpolation=cv2.INTER_LINEAR)

    r, g, b = cv2.split(small(scene.rgb))
    darkest = cv2.min(cv2.min(r, g), b)  # numpy's min over a last axis of 3 is ten times slower
    matte = small(scene.matte)
    person = matte >= PERSON_FIRM
    p8 = person.astype(np.uint8)
    arrays = dict(lab=small(scene.lab), darkest=darkest, gray=small(scene.gray), matte=matte, person=person,
                  background=scene.background_mask[:h * f:f, :w * f:f],
                  outside=cv2.distanceTransform(1 - p8, cv2.DIST_L2, 3),
                  inside=cv2.distanceTransform(p8, cv2.DIST_L2, 3))
    for a in arrays.values():
        a.flags.writeable = False
    return HalfView(factor=f, **arrays)


def clothing(scene: Scene) -> tuple[np.ndarray, int]:
    """(clothing mask, bool at the half-view size; chin row in view px), cached per scene:
    the person below the chin (the face mesh's lowest chin point; without a face on the
    person, below the top fifth of the person), facial-skin colours excluded. Empty
    without a person."""
    return scene.derived(_make_clothing)


def _make_clothing(scene: Scene) -> tuple[np.ndarray, int]:
    view = half_view(scene)
    if not view.person.any():
        got = (np.zeros_like(view.person), 0)
    else:
        got = _clothing(scene, view.lab, view.person, view.factor)
    got[0].flags.writeable = False
    return got


def clothing_lab(scene: Scene) -> np.ndarray | None:
    """Median CIELAB of :func:`clothing`, float32 (3,); None with fewer than 50 clothing px."""
    mask, _ = clothing(scene)
    if mask.sum() < 50:
        return None
    return np.median(masked_sample(half_view(scene).lab, mask, 8000), axis=0).astype(np.float32)


def face_on_person(scene: Scene) -> bool:
    """Whether the subject's face lies on the person matte (its centre firmly inside): then
    the person has a chin, and what lies below it is clothing."""
    face = scene.face
    if face is None:
        return False
    cx, cy = face.box.center
    return bool(scene.matte[int(np.clip(cy, 0, scene.height - 1)),
                            int(np.clip(cx, 0, scene.width - 1))] >= PERSON_FIRM)


def _clothing(scene: Scene, lab: np.ndarray, person: np.ndarray, f: int) -> tuple[np.ndarray, int]:
    """(clothing mask bool, chin row) at the working size (``f`` times smaller than the
    scene): the person below the chin, facial-skin colours excluded."""
    ys = np.nonzero(person.any(axis=1))[0]
    top, bottom = int(ys[0]), int(ys[-1])
    face = scene.face
    if face_on_person(scene):
        lm = scene.landmarks
        bottom_of_face = float(lm[_CHIN, 1]) if lm is not None else face.box.y1
        chin = int(np.clip(bottom_of_face / f, 0, person.shape[0]))
    else:
        chin = int(top + 0.2 * (bottom - top))
    clothing = person.copy()
    clothing[:chin] = False
    if scene.skin_mask.sum() >= 20:  # only the rows below the chin can be clothing
        d = lab[chin:] - skin_lab(scene)
        clothing[chin:] &= np.einsum("ijk,ijk->ij", d, d) > _SKIN_LAB ** 2
    return clothing, chin


#: The profile-picture crop: a square centred on the face box, this many times the box's
#: larger side (how the labelled photos' raters were shown the 32 and 48 px views).
PROFILE_CROP_SIDES = 2.6
#: Thumbnail sizes, px: Instagram's 32 px circle and LinkedIn's 48 px square.
THUMBNAIL_SIZES = (32, 48)
#: Supersampling of the face shape before area averaging to a thumbnail.
_SUPER = 4


@dataclass(frozen=True)
class Thumbnail:
    """The profile picture as a platform shows it small: the :func:`profile_crop` resized
    with area averaging (what a browser's downscaling does). Arrays are read-only."""

    size: int  #: side, px
    rgb: np.ndarray  #: sRGB, uint8 (size, size, 3)
    lab: np.ndarray  #: CIELAB, float32 (size, size, 3)
    face: np.ndarray  #: fraction of each pixel covered by the face (mesh hull or box ellipse), float32
    person: np.ndarray  #: mean person matte of each pixel, float32 in [0, 1]
    visible: np.ndarray  #: pixels the platform shows, bool (the inscribed circle at 32 px)


#: Without a face, the head is read off the person matte: the top this fraction of the
#: person's height (the head, and the neck of a full-length figure) ...
_HEAD_BAND = 0.15
#: ... whose median width, times this (the matte's hair and ears), is the head's width; the
#: head is this many widths tall.
_HEAD_WIDTH, _HEAD_ASPECT = 0.8, 1.25
#: The person must fill this fraction of the frame to have a head worth judging.
_MIN_PERSON = 0.01


def head_box(matte: np.ndarray) -> tuple[float, float, float, float] | None:
    """(x0, y0, x1, y1) px of the head of the largest person in a matte (float (H, W) in
    [0, 1]), for a subject whose face the detector misses: a silhouette against the light, a
    face turned away. None without a person filling ``_MIN_PERSON`` of the frame, or where
    the frame's top edge cuts the person (no head in the picture: a garment shot)."""
    person = (matte >= PERSON_FIRM).astype(np.uint8)
    n, labels, stats, _ = cv2.connectedComponentsWithStats(person, connectivity=8)
    if n < 2:
        return None
    k = 1 + int(np.argmax(stats[1:, cv2.CC_STAT_AREA]))
    if stats[k, cv2.CC_STAT_AREA] < _MIN_PERSON * person.size or stats[k, cv2.CC_STAT_TOP] == 0:
        return None
    top, height = int(stats[k, cv2.CC_STAT_TOP]), int(stats[k, cv2.CC_STAT_HEIGHT])
    band = labels[top:top + max(2, int(round(_HEAD_BAND * height)))] == k
    width = _HEAD_WIDTH * float(np.median(band.sum(axis=1)))
    if width < 4:
        return None
    cx = float(np.median(np.nonzero(band)[1]))
    return cx - width / 2, float(top), cx + width / 2, float(top) + _HEAD_ASPECT * width


def subject_head(scene: Scene) -> tuple[float, float, float, float] | None:
    """(x0, y0, x1, y1) px the profile picture centres on: the face box, else the
    :func:`head_box` of the person matte (cached per scene), else None."""
    if scene.face is not None:
        b = scene.face.box
        return b.x0, b.y0, b.x1, b.y1
    return scene.derived(_make_head)


def _make_head(scene: Scene) -> tuple[float, float, float, float] | None:
    return head_box(scene.matte)


def profile_crop(scene: Scene) -> tuple[int, int, int] | None:
    """(x0, y0, side) of the square profile-picture crop in analysis px, inside the image
    (shifted in, and no larger than the short side), around :func:`subject_head`; None
    without a face or a head."""
    head = subject_head(scene)
    if head is None:
        return None
    hx0, hy0, hx1, hy1 = head
    side = int(round(PROFILE_CROP_SIDES * max(hx1 - hx0, hy1 - hy0)))
    side = max(8, min(side, scene.width, scene.height))
    cx, cy = (hx0 + hx1) / 2.0, (hy0 + hy1) / 2.0
    x0 = int(np.clip(round(cx - side / 2), 0, scene.width - side))
    y0 = int(np.clip(round(cy - side / 2), 0, scene.height - side))
    return x0, y0, side


def thumbnails(scene: Scene) -> dict[int, Thumbnail]:
    """The 32 px circle and 48 px square of :func:`profile_crop`, by size, cached per
    scene; empty without a face or a head."""
    return scene.derived(_make_thumbnails)


def _make_thumbnails(scene: Scene) -> dict[int, Thumbnail]:
    crop = profile_crop(scene)
    if crop is None:
        return {}
    x0, y0, side = crop
    window = np.s_[y0:y0 + side, x0:x0 + side]
    rgb, matte = scene.rgb[window], scene.matte[window]
    shape = _face_shape(scene, x0, y0, side)
    out = {}
    for n in THUMBNAIL_SIZES:
        small = cv2.resize(rgb, (n, n), interpolation=cv2.INTER_AREA)
        yy, xx = np.mgrid[:n, :n]
        visible = ((xx - n / 2 + 0.5) ** 2 + (yy - n / 2 + 0.5) ** 2 <= (n / 2) ** 2) if n == 32 else np.ones((n, n), bool)
        arrays = dict(rgb=small, lab=color.rgb_to_lab(small),
                      face=cv2.resize(shape, (n, n), interpolation=cv2.INTER_AREA),
                      person=cv2.resize(matte, (n, n), interpolation=cv2.INTER_AREA), visible=visible)
        for a in arrays.values():
            a.flags.writeable = False
        out[n] = Thumbnail(size=n, **arrays)
    return out


def _face_shape(scene: Scene, x0: int, y0: int, side: int) -> np.ndarray:
    """The face drawn at ``_SUPER`` x 48 px over the crop, float32 in {0, 1}: the hull of the
    face mesh (forehead to chin, ear to ear), or an ellipse in the face box (the head's box
    without a face) without one."""
    n = _SUPER * max(THUMBNAIL_SIZES)
    s = n / side
    canvas = np.zeros((n, n), np.uint8)
    lm = scene.landmarks
    if lm is not None:
        pts = np.round((lm - (x0, y0)) * s).astype(np.int32)
        cv2.fillConvexPoly(canvas, cv2.convexHull(pts), 1)
    else:
        hx0, hy0, hx1, hy1 = subject_head(scene)
        cx, cy = (hx0 + hx1) / 2.0, (hy0 + hy1) / 2.0
        cv2.ellipse(canvas, (int((cx - x0) * s), int((cy - y0) * s)),
                    (max(1, int(0.45 * (hx1 - hx0) * s)), max(1, int(0.5 * (hy1 - hy0) * s))), 0, 0, 360, 1, -1)
    return canvas.astype(np.float32)
