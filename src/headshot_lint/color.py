"""Colour conversions and differences, pure functions over numpy arrays.

Conventions used across headshot-lint:

- sRGB images are uint8 (H, W, 3) in [0, 255], or float in [0, 1].
- CIELAB is float32 with L* in [0, 100] and a*, b* roughly in [-128, 127]
  (D65 white, as OpenCV's float conversion gives). OpenCV's 8-bit Lab encoding
  (L scaled to 0-255, a/b offset by 128) never leaves this module.
- Relative luminance Y is WCAG 2.x's (linearised sRGB, Rec. 709 weights), in [0, 1];
  it is also OFIQ's luminance image.
"""

from __future__ import annotations

import cv2
import numpy as np
from skimage.color import deltaE_ciede2000

_REC709 = np.array([0.2126, 0.7152, 0.0722], np.float32)


def _linearise(x: np.ndarray) -> np.ndarray:
    return np.where(x <= 0.04045, x / 12.92, ((x + 0.055) / 1.055) ** 2.4).astype(np.float32)


#: sRGB code value -> linear light, for uint8 input (a table lookup is ~20x faster than pow).
_LINEAR_LUT = _linearise(np.arange(256, dtype=np.float32) / 255.0)


def srgb_to_linear(rgb: np.ndarray) -> np.ndarray:
    """Linear-light RGB in [0, 1] from sRGB (uint8 in [0, 255] or float in [0, 1]).

    Uses the IEC 61966-2-1 piecewise curve (threshold 0.04045).
    """
    if rgb.dtype == np.uint8:
        if rgb.ndim == 3 and rgb.shape[2] == 3:  # an image: OpenCV's lookup is ~4x faster, same values
            return cv2.LUT(np.ascontiguousarray(rgb), _LINEAR_LUT)
        return _LINEAR_LUT[rgb]
    return _linearise(rgb.astype(np.float32))


def relative_luminance(rgb: np.ndarray) -> np.ndarray:
    """WCAG relative luminance Y in [0, 1], shape rgb.shape[:-1].

    Examples
    --------
    >>> float(relative_luminance(np.array([255, 255, 255], np.uint8)))
    1.0
    >>> round(float(relative_luminance(np.array([128, 128, 128], np.uint8))), 3)
    0.216
    """
    return (srgb_to_linear(rgb) @ _REC709).astype(np.float32)


def lightness_to_luminance(lightness: float) -> float:
    """Relative luminance Y in [0, 1] of a CIE L* in [0, 100] (inverse of CIE 1976 L*).

    Examples
    --------
    >>> round(lightness_to_luminance(50.0), 4), lightness_to_luminance(100.0)
    (0.1842, 1.0)
    """
    return ((lightness + 16.0) / 116.0) ** 3 if lightness > 8.0 else lightness * 27.0 / 24389.0


def luminance_to_lightness(y: float) -> float:
    """CIE L* in [0, 100] of a relative luminance Y in [0, 1] (CIE 1976)."""
    return float(116.0 * np.cbrt(y) - 16.0) if y > 216.0 / 24389.0 else y * 24389.0 / 27.0


def contrast_ratio(y1: float, y2: float) -> float:
    """WCAG contrast ratio of two luminances in [0, 1]; in [1, 21], symmetric.

    Examples
    --------
    >>> contrast_ratio(1.0, 0.0)
    21.0
    """
    hi, lo = max(y1, y2), min(y1, y2)
    return float((hi + 0.05) / (lo + 0.05))


def rgb_to_lab(rgb: np.ndarray) -> np.ndarray:
    """CIELAB (D65) of sRGB pixels: float32, L* in [0, 100], a*/b* in about [-128, 127].

    Accepts uint8 or float [0, 1] arrays of shape (..., 3).

    Examples
    --------
    >>> lab = rgb_to_lab(np.array([128, 128, 128], np.uint8))
    >>> round(float(lab[0]), 1), abs(float(lab[1])) < 0.01
    (53.6, True)
    """
    x = rgb.astype(np.float32) / 255.0 if rgb.dtype == np.uint8 else rgb.astype(np.float32)
    if x.ndim == 3 and x.shape[2] == 3:
        # An image converts as it is: one OpenCV row per pixel (the flat path below) costs
        # ~4x more at 640 px, and the per-pixel results are bit-identical.
        return cv2.cvtColor(np.ascontiguousarray(x), cv2.COLOR_RGB2Lab)
    shape = x.shape
    flat = np.ascontiguousarray(x.reshape(-1, 1, 3))
    return cv2.cvtColor(flat, cv2.COLOR_RGB2Lab).reshape(shape)


def lab_to_rgb(lab: np.ndarray) -> np.ndarray:
    """sRGB uint8 of CIELAB colours (inverse of :func:`rgb_to_lab`), clipped to gamut."""
    lab = np.asarray(lab, np.float32)
    shape = lab.shape
    rgb = cv2.cvtColor(np.ascontiguousarray(lab.reshape(-1, 1, 3)), cv2.COLOR_Lab2RGB)
    return np.clip(np.round(rgb * 255.0), 0, 255).astype(np.uint8).reshape(shape)


def delta_e(lab1: np.ndarray, lab2: np.ndarray) -> np.ndarray:
    """CIEDE2000 colour difference; 0 = identical, 2.3 = just noticeable, > 5 = two colours."""
    return np.asarray(deltaE_ciede2000(np.asarray(lab1, np.float64), np.asarray(lab2, np.float64)), np.float32)


def chroma(lab: np.ndarray) -> np.ndarray:
    """CIELAB chroma C*ab = sqrt(a*^2 + b*^2), >= 0 (grey is 0, vivid colours 60-130)."""
    lab = np.asarray(lab, np.float32)
    return np.hypot(lab[..., 1], lab[..., 2])


def hex_to_rgb(value: str) -> np.ndarray:
    """uint8 (3,) from ``#RRGGBB``."""
    value = value.lstrip("#")
    if len(value) != 6:
        raise ValueError(f"value must be #RRGGBB, got {value!r}")
    return np.array([int(value[i : i + 2], 16) for i in (0, 2, 4)], np.uint8)


def rgb_to_hex(rgb: np.ndarray) -> str:
    """``#RRGGBB`` of a uint8 or float [0, 255] RGB triple."""
    r, g, b = (int(np.clip(round(float(c)), 0, 255)) for c in rgb)
    return f"#{r:02X}{g:02X}{b:02X}"
