"""Point sampling: read an upsampled image only where it is needed.

Full-resolution work in :mod:`.matte` and :mod:`.background` is confined to the
pixels where the alpha is strictly between 0 and 1 (the hair and edge band, a few %
of a photo); the smooth low-resolution estimates they combine (guided-filter
coefficients, the old background, its texture) are read at those pixels only,
interpolated exactly as ``cv2.resize(..., INTER_LINEAR)`` would upsample them.
"""

from __future__ import annotations

import cv2
import numpy as np

#: cv2.remap works on images under 32767 px a side: points are sampled in rows of this many.
_ROW = 16384


def sample(image: np.ndarray, idx: np.ndarray, size: tuple[int, int]) -> np.ndarray:
    """``image`` upsampled bilinearly to ``size = (w, h)`` as ``cv2.resize`` does, read at
    the flat indices ``idx`` of that size.

    Parameters
    ----------
    image : ndarray, float32 (h', w') or (h', w', c), c <= 4
    idx : ndarray of int, flat indices into an (h, w) image (``np.flatnonzero``).
    size : (w, h)

    Returns
    -------
    ndarray, float32 (n,) or (n, c).
    """
    image = np.asarray(image, np.float32)
    w, h = size
    ih, iw = image.shape[:2]
    n = int(idx.size)
    m = max(1, -(-n // _ROW)) * _ROW
    flat = idx.astype(np.int32, copy=False) if w * h < 2 ** 31 else idx
    ys = flat // w
    xs = flat - ys * w
    mx = np.zeros(m, np.float32)
    my = np.zeros(m, np.float32)
    # cv2.resize's pixel-centre convention: src = (dst + 0.5) * scale - 0.5.
    mx[:n] = xs
    my[:n] = ys
    mx[:n] += 0.5
    my[:n] += 0.5
    mx[:n] *= iw / w
    my[:n] *= ih / h
    mx[:n] -= 0.5
    my[:n] -= 0.5
    out = cv2.remap(image, mx.reshape(-1, _ROW), my.reshape(-1, _ROW), cv2.INTER_LINEAR,
                    borderMode=cv2.BORDER_REPLICATE)
    return out.reshape((m,) + image.shape[2:])[:n]


def band(alpha: np.ndarray) -> np.ndarray:
    """Flat indices of the pixels with 0 < alpha < 1, int64 (n,)."""
    a = np.asarray(alpha, np.float32)
    inside = cv2.bitwise_and(cv2.compare(a, 0.0, cv2.CMP_GT), cv2.compare(a, 1.0, cv2.CMP_LT))
    return nonzero(inside)


def nonzero(mask: np.ndarray) -> np.ndarray:
    """``np.flatnonzero(mask)`` for a uint8 (h, w) mask, int64, in row-major order
    (``cv2.findNonZero`` is ~3x faster on a 12 MP mask)."""
    pts = cv2.findNonZero(np.ascontiguousarray(mask, np.uint8))
    if pts is None:
        return np.zeros(0, np.int64)
    pts = pts.reshape(-1, 2).astype(np.int64)
    return pts[:, 1] * mask.shape[1] + pts[:, 0]


def shrink(image: np.ndarray, size: tuple[int, int]) -> np.ndarray:
    """``cv2.resize(image, size, interpolation=INTER_AREA)``, faster for big reductions.

    OpenCV's area filter has a fast path for integer factors only (3x faster at 12 MP);
    so the image is first reduced by an integer factor that divides both sides, at most
    half the whole reduction (or 2), then area-resized the rest of the way. The result
    differs from the one-step filter only at sharp edges, by a few levels (12 MP photo
    to 512 px: max 2, mean 0.06 levels).
    """
    h, w = image.shape[:2]
    tw, th = size
    limit = min(w // max(tw, 1), h // max(th, 1))
    g = int(np.gcd(w, h))
    f = max((d for d in range(1, min(limit, max(2, limit // 2)) + 1) if g % d == 0), default=1)
    if f > 1:
        image = cv2.resize(image, (w // f, h // f), interpolation=cv2.INTER_AREA)
    if image.shape[:2] == (th, tw):
        return image
    return cv2.resize(image, (tw, th), interpolation=cv2.INTER_AREA)
