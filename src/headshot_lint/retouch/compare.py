"""A before/after image of a corrected copy, for people to judge the fix by eye."""

from __future__ import annotations

import cv2
import numpy as np

#: Height of each half of the before/after image, px (the original is never upscaled).
COMPARE_HEIGHT = 800
#: White gap between the halves, px.
_GAP = 12


def before_after(before: np.ndarray, after: np.ndarray, crop: tuple[int, int, int, int] | None = None,
                 height: int = COMPARE_HEIGHT) -> np.ndarray:
    """The original and the copy side by side at the same height, labelled, uint8 (h, w, 3).

    Parameters
    ----------
    before, after : ndarray, uint8 (H, W, 3)
        The original and the corrected copy (upright sRGB; any sizes).
    crop : (x0, y0, x1, y1), optional
        The part of the original the copy shows (crop-to-subject): outlined on the original.
    height : int
        Height of each half, px (at most the original's).
    """
    h = int(min(height, before.shape[0]))
    left = _fit(before, h)
    if crop is not None:
        k = h / before.shape[0]
        x0, y0, x1, y1 = (int(round(v * k)) for v in crop)
        cv2.rectangle(left, (x0, y0), (max(x0, x1 - 1), max(y0, y1 - 1)), (255, 200, 0), max(2, h // 200))
    right = _fit(after, h)
    gap = np.full((h, _GAP, 3), 255, np.uint8)
    out = np.ascontiguousarray(np.concatenate([left, gap, right], axis=1))
    _label(out, "before", 0)
    _label(out, "after", left.shape[1] + _GAP)
    return out


def _fit(rgb: np.ndarray, h: int) -> np.ndarray:
    w = max(1, int(round(rgb.shape[1] * h / rgb.shape[0])))
    return np.ascontiguousarray(cv2.resize(rgb, (w, h), interpolation=cv2.INTER_AREA))


def _label(img: np.ndarray, text: str, x: int) -> None:
    """``text`` in white on a dark tab at the top left of the half starting at ``x``."""
    scale = max(0.5, img.shape[0] / 900)
    (tw, th), base = cv2.getTextSize(text, cv2.FONT_HERSHEY_SIMPLEX, scale, 2)
    pad = int(6 * scale)
    cv2.rectangle(img, (x, 0), (x + tw + 2 * pad, th + base + 2 * pad), (30, 30, 30), -1)
    cv2.putText(img, text, (x + pad, th + pad), cv2.FONT_HERSHEY_SIMPLEX, scale, (255, 255, 255), 2, cv2.LINE_AA)
