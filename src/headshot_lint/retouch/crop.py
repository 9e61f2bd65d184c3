"""Crop a photo of several people to a headshot of one: the subject, and no other face.

The frame is a 4:5 portrait (:data:`ASPECT`) in which the subject's face box is
:data:`FACE_HEIGHT` of the frame height, centred horizontally, with head room above
(:data:`HEAD_ROOM`: the face box starts that far down). Where that frame would take in
another face (its box grown by :data:`OTHER_MARGIN` for hair and ears), or leave the
photo, it is moved and then shrunk, keeping the 4:5 shape, until it does not; it never
shrinks past the subject's face with a small margin (:data:`FACE_MARGIN`). When even that
would show another face, there is no crop (:class:`NoCrop` says why).

All geometry is in full-resolution px; the crop itself is a slice (no resampling).
"""

from __future__ import annotations

from typing import Iterable, Sequence, Tuple

import numpy as np

#: Frame width / height: a 4:5 portrait.
ASPECT = 0.8
#: Fraction of the frame height the subject's face box takes in the preferred frame.
FACE_HEIGHT = 0.40
#: Fraction of the frame height above the face box (hair and head room).
HEAD_ROOM = 0.22
#: The crop always keeps the face box grown by this fraction of its size (forehead and
#: hair above, ears and chin): cutting into it is not a headshot.
FACE_MARGIN = (0.10, 0.20, 0.10, 0.10)  # left, top, right, bottom
#: Other faces' boxes grown by this fraction of their size before they are kept out.
OTHER_MARGIN = 0.15
#: Each step shrinks the frame height by this fraction of the preferred one.
_STEP = 0.02

Rect = Tuple[float, float, float, float]  # x0, y0, x1, y1


class NoCrop(ValueError):
    """No 4:5 crop holds the subject's face without another face; the message says why."""


def _grow(box: Rect, margins: Sequence[float]) -> Rect:
    x0, y0, x1, y1 = box
    w, h = x1 - x0, y1 - y0
    left, top, right, bottom = margins
    return x0 - left * w, y0 - top * h, x1 + right * w, y1 + bottom * h


def _hits(x0: np.ndarray, y0: np.ndarray, w: float, h: float, others: Sequence[Rect]) -> np.ndarray:
    """For each (x0, y0) pair on a grid: whether the frame overlaps any of ``others``."""
    hit = np.zeros((len(y0), len(x0)), bool)
    for ox0, oy0, ox1, oy1 in others:
        hit |= ((y0[:, None] < oy1) & (y0[:, None] + h > oy0)) & ((x0[None, :] < ox1) & (x0[None, :] + w > ox0))
    return hit


def _candidates(lo: float, hi: float, ideal: float, edges: Iterable[float]) -> np.ndarray:
    """Positions worth trying on one axis: the ideal one, the range's ends and every
    position where the frame just touches another face (the only places the free
    intervals start or end)."""
    vals = [lo, hi, min(max(ideal, lo), hi)] + [e for e in edges if lo <= e <= hi]
    return np.unique(np.asarray(vals, np.float64))


def crop_box(size: Tuple[int, int], face: Rect, others: Iterable[Rect] = ()) -> Tuple[int, int, int, int]:
    """The headshot crop around ``face`` that shows none of ``others``.

    Parameters
    ----------
    size : (int, int)
        Width and height of the photo, px.
    face : (x0, y0, x1, y1)
        The subject's face box, px.
    others : iterable of (x0, y0, x1, y1)
        Every other face's box, px (the subject's own duplicates left out).

    Returns
    -------
    (x0, y0, x1, y1) : int
        The crop, inside the photo, 4:5 where the photo allows it.

    Raises
    ------
    NoCrop
        When the face itself (with :data:`FACE_MARGIN`) cannot be framed without
        another face's box.
    """
    width, height = size
    keep = _grow(face, FACE_MARGIN)
    keep = (max(0.0, keep[0]), max(0.0, keep[1]), min(float(width), keep[2]), min(float(height), keep[3]))
    grown = [_grow(o, (OTHER_MARGIN,) * 4) for o in others]
    for o in grown:
        if o[0] < keep[2] and o[2] > keep[0] and o[1] < keep[3] and o[3] > keep[1]:
            raise NoCrop("another face overlaps the subject's face: no crop shows one face only")
    fh = face[3] - face[1]
    fcx = (face[0] + face[2]) / 2
    kw, kh = keep[2] - keep[0], keep[3] - keep[1]
    h_min = max(kh, kw / ASPECT)
    h_max = min(float(height), width / ASPECT)
    if h_min > h_max:  # the photo is too small for 4:5 around the face: the face's own box
        raise NoCrop("the photo is too small around the face for a 4:5 crop")
    preferred = min(max(fh / FACE_HEIGHT, h_min), h_max)
    hh = preferred
    while True:
        ww = ASPECT * hh
        # Frame positions that keep the face margin inside and stay in the photo.
        xlo, xhi = max(0.0, keep[2] - ww), min(width - ww, keep[0])
        ylo, yhi = max(0.0, keep[3] - hh), min(height - hh, keep[1])
        if xlo <= xhi and ylo <= yhi:
            ideal_x, ideal_y = fcx - ww / 2, face[1] - HEAD_ROOM * hh
            xs = _candidates(xlo, xhi, ideal_x, [e for o in grown for e in (o[2], o[0] - ww)])
            ys = _candidates(ylo, yhi, ideal_y, [e for o in grown for e in (o[3], o[1] - hh)])
            free = ~_hits(xs, ys, ww, hh, grown)
            if free.any():
                cost = np.abs(ys[:, None] - ideal_y) / hh + np.abs(xs[None, :] - ideal_x) / ww
                iy, ix = np.unravel_index(np.argmin(np.where(free, cost, np.inf)), cost.shape)
                return _rounded(xs[ix], ys[iy], ww, hh, width, height)
        if hh <= h_min:
            raise NoCrop("another face is too close to the subject's: even the tightest crop "
                         "around the face would show it")
        hh = max(h_min, hh - _STEP * preferred)


def _rounded(x0: float, y0: float, w: float, h: float, width: int, height: int) -> Tuple[int, int, int, int]:
    """The frame on whole pixels, inside the photo."""
    ix0, iy0 = int(np.floor(x0 + 1e-6)), int(np.floor(y0 + 1e-6))
    ix1, iy1 = int(np.ceil(x0 + w - 1e-6)), int(np.ceil(y0 + h - 1e-6))
    return max(0, ix0), max(0, iy0), min(width, ix1), min(height, iy1)


def crop(rgb: np.ndarray, box: Tuple[int, int, int, int]) -> np.ndarray:
    """``rgb`` cut to ``box`` (x0, y0, x1, y1), a contiguous copy."""
    x0, y0, x1, y1 = box
    return np.ascontiguousarray(rgb[y0:y1, x0:x1])


def crop_to_subject(rgb: np.ndarray, face: Rect, others: Iterable[Rect] = (),
                    box: Tuple[int, int, int, int] | None = None) -> np.ndarray:
    """``rgb`` cut to :func:`crop_box` (or to ``box`` when given)."""
    return crop(rgb, box if box is not None else crop_box((rgb.shape[1], rgb.shape[0]), face, others))
