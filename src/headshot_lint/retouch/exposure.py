"""Lift an underexposed subject: local exposure on the person, background untouched.

A backlit face is dark because the camera exposed for the bright window behind it.
The fix brightens the person only, by ``ev`` stops in linear light with a soft
shoulder so highlights never clip::

    y' = g * y / (1 + (g - 1) * y),  g = 2 ** ev   (y linear, in [0, 1])

(slope g in the shadows, 1 -> 1), blended in with the person alpha feathered by a
Gaussian so there is no visible edge.
"""

from __future__ import annotations

import cv2
import numpy as np

from ..color import lightness_to_luminance
from ._points import shrink

#: Largest lift, stops; more than this makes noise and looks like a different photo.
MAX_EV = 1.5
#: Feather of the person alpha, fraction of the long side.
FEATHER_FRACTION = 0.004


def lift_curve(ev: float) -> np.ndarray:
    """The 8-bit sRGB tone curve of a lift by ``ev`` stops, uint8 (256,)."""
    g = 2.0 ** float(np.clip(ev, 0.0, MAX_EV))
    v = np.arange(256) / 255.0
    lin = np.where(v <= 0.04045, v / 12.92, ((v + 0.055) / 1.055) ** 2.4)
    out = g * lin / (1.0 + (g - 1.0) * lin)
    srgb = np.where(out <= 0.0031308, out * 12.92, 1.055 * out ** (1 / 2.4) - 0.055)
    return np.clip(np.round(srgb * 255.0), 0, 255).astype(np.uint8)


def ev_for(current_l: float, target_l: float) -> float:
    """Stops that bring CIE L* ``current_l`` to ``target_l`` (mid-tones, linear gain), >= 0."""
    def y(l: float) -> float:
        return lightness_to_luminance(float(np.clip(l, 1.0, 99.0)))
    return float(np.clip(np.log2(y(target_l) / y(current_l)), 0.0, MAX_EV))


def lift_subject(rgb: np.ndarray, alpha: np.ndarray, ev: float) -> np.ndarray:
    """The photo with the person brightened by ``ev`` stops (<= ``MAX_EV``), uint8 (H, W, 3).

    Parameters
    ----------
    rgb : ndarray, uint8 (H, W, 3)
    alpha : ndarray, float32 (H, W) in [0, 1], the person alpha.
    ev : float
        Stops of lift, >= 0.
    """
    if ev <= 0:
        return rgb.copy()
    h, w = rgb.shape[:2]
    lifted = cv2.LUT(rgb, lift_curve(ev))
    # Feather at low resolution (it is smooth), then upsample.
    s = min(1.0, 512 / max(h, w))
    size = (max(1, round(w * s)), max(1, round(h * s)))
    small = shrink(np.asarray(alpha, np.float32), size)
    sigma = max(1.0, FEATHER_FRACTION * max(size))
    small = cv2.GaussianBlur(small, (0, 0), sigma)
    m = cv2.resize(small, (w, h), interpolation=cv2.INTER_LINEAR)
    m = np.clip(m, 0.0, 1.0)
    return cv2.blendLinear(lifted, rgb, m, 1.0 - m)
