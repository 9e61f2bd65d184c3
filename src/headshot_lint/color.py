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

import threading

import cv2
import numpy as np

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


#: The thread building OpenCV's CIELAB tables ahead of the first conversion (see :func:`prepare_lab`).
_LAB_TABLES: threading.Thread | None = None
_LAB_LOCK = threading.Lock()


def prepare_lab() -> None:
    """Have OpenCV build its CIELAB tables now, in a background thread.

    OpenCV computes them (in software floating point, for bit-exact results) on the first
    Lab conversion of a process: 0.16 s whatever the image size. The thread runs that
    first conversion on one pixel while this one does other work (OpenCV releases the GIL);
    every conversion here waits for it first, so no two threads ever build the tables. The
    tables, and so every value, are the same either way. Idempotent. The thread is not a
    daemon: a process that ends before the tables are built (``check --help``) waits up to
    0.16 s for it, where a daemon thread still inside OpenCV aborted the interpreter's exit
    ("terminate called without an active exception").
    """
    global _LAB_TABLES
    with _LAB_LOCK:
        if _LAB_TABLES is None:
            _LAB_TABLES = threading.Thread(target=cv2.cvtColor, args=(np.zeros((1, 1, 3), np.float32),
                                                                       cv2.COLOR_RGB2Lab),
                                           name="opencv-lab-tables")  # not a daemon: see the docstring
            _LAB_TABLES.start()


def _lab_tables_ready() -> None:
    if _LAB_TABLES is not None:
        _LAB_TABLES.join()


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
    _lab_tables_ready()
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
    _lab_tables_ready()
    rgb = cv2.cvtColor(np.ascontiguousarray(lab.reshape(-1, 1, 3)), cv2.COLOR_Lab2RGB)
    return np.clip(np.round(rgb * 255.0), 0, 255).astype(np.uint8).reshape(shape)


def delta_e(lab1: np.ndarray, lab2: np.ndarray) -> np.ndarray:
    """CIEDE2000 colour difference; 0 = identical, 2.3 = just noticeable, > 5 = two colours."""
    return np.asarray(_ciede2000(np.asarray(lab1, np.float64), np.asarray(lab2, np.float64)), np.float32)


def _ciede2000(lab1: np.ndarray, lab2: np.ndarray) -> np.ndarray:
    """CIEDE2000 of float64 Lab arrays (channels last; kL = kC = kH = 1), float64.

    scikit-image's ``deltaE_ciede2000`` (BSD-3-Clause) step for step, so the values are
    the same to within 1e-12 (tested: numpy's SIMD loops may round the last bit of an element
    differently with the array's alignment, in either); written here because importing it pulls in
    ``skimage.color`` and SciPy's linalg, 0.1-0.2 s of every single-photo check's start-up.
    """
    channel_axis = -1 % lab1.ndim
    unroll = False
    if lab1.ndim == 1 and lab2.ndim == 1:
        unroll = True
        lab1, lab2 = lab1[None, :], lab2[None, :]
        channel_axis += 1
    L1, a1, b1 = np.moveaxis(lab1, source=channel_axis, destination=0)[:3]
    L2, a2, b2 = np.moveaxis(lab2, source=channel_axis, destination=0)[:3]
    # `a` distorted by the average chroma; everything after in these "prime" coordinates
    Cbar = 0.5 * (np.hypot(a1, b1) + np.hypot(a2, b2))
    c7 = Cbar**7
    G = 0.5 * (1 - np.sqrt(c7 / (c7 + 25**7)))
    scale = 1 + G
    C1, h1 = _cart2polar_2pi(a1 * scale, b1)
    C2, h2 = _cart2polar_2pi(a2 * scale, b2)
    # lightness term
    Lbar = 0.5 * (L1 + L2)
    tmp = (Lbar - 50) ** 2
    SL = 1 + 0.015 * tmp / np.sqrt(20 + tmp)
    L_term = (L2 - L1) / (1 * SL)
    # chroma term
    Cbar = 0.5 * (C1 + C2)
    SC = 1 + 0.045 * Cbar
    C_term = (C2 - C1) / (1 * SC)
    # hue term
    h_diff = h2 - h1
    h_sum = h1 + h2
    CC = C1 * C2
    dH = h_diff.copy()
    dH[h_diff > np.pi] -= 2 * np.pi
    dH[h_diff < -np.pi] += 2 * np.pi
    dH[CC == 0.0] = 0.0  # if r == 0, dtheta == 0
    dH_term = 2 * np.sqrt(CC) * np.sin(dH / 2)
    Hbar = h_sum.copy()
    mask = np.logical_and(CC != 0.0, np.abs(h_diff) > np.pi)
    Hbar[mask * (h_sum < 2 * np.pi)] += 2 * np.pi
    Hbar[mask * (h_sum >= 2 * np.pi)] -= 2 * np.pi
    Hbar[CC == 0.0] *= 2
    Hbar *= 0.5
    T = (
        1
        - 0.17 * np.cos(Hbar - np.deg2rad(30))
        + 0.24 * np.cos(2 * Hbar)
        + 0.32 * np.cos(3 * Hbar + np.deg2rad(6))
        - 0.20 * np.cos(4 * Hbar - np.deg2rad(63))
    )
    SH = 1 + 0.015 * Cbar * T
    H_term = dH_term / (1 * SH)
    # hue rotation
    c7 = Cbar**7
    Rc = 2 * np.sqrt(c7 / (c7 + 25**7))
    dtheta = np.deg2rad(30) * np.exp(-(((np.rad2deg(Hbar) - 275) / 25) ** 2))
    R_term = -np.sin(2 * dtheta) * Rc * C_term * H_term
    dE2 = L_term**2
    dE2 += C_term**2
    dE2 += H_term**2
    dE2 += R_term
    ans = np.sqrt(np.maximum(dE2, 0))
    return ans[0] if unroll else ans


def _cart2polar_2pi(x: np.ndarray, y: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(radius, angle in [0, 2 pi)) of Cartesian coordinates (scikit-image's helper)."""
    r, t = np.hypot(x, y), np.arctan2(y, x)
    t += np.where(t < 0.0, 2 * np.pi, 0)
    return r, t


def chroma(lab: np.ndarray) -> np.ndarray:
    """CIELAB chroma C*ab = sqrt(a*^2 + b*^2), >= 0 (grey is 0, vivid colours 60-130)."""
    lab = np.asarray(lab, np.float32)
    return np.hypot(lab[..., 1], lab[..., 2])


#: A photo is black-and-white (or faintly toned, cool or warm) when 99 % of its pixels lie within
#: this chroma distance (ΔC*ab) of the photo's median a*b*: on the 321 labelled photos the nine
#: black-and-white ones spread 0.1-6.3, the nearest colour photo (a dim room) 8.1. A strong sepia
#: spreads further (its chroma grows with lightness: two scratched prints 10.8 and 12.2, beside a
#: pale colour photo at 12.3) and counts as colour.
MONOCHROME_SPREAD = 7.0


def monochrome_tint(lab: np.ndarray) -> tuple[float, float] | None:
    """The (a*, b*) tint of a black-and-white photo, or None for a colour photo.

    ``lab``: CIELAB pixels, (..., 3) float (a regular subsample is enough). A neutral print's
    tint is about (0, 0), a cool one's b* < 0, a faint warm one's b* > 0. See
    :data:`MONOCHROME_SPREAD`.

    Examples
    --------
    >>> monochrome_tint(np.array([[50.0, 0.5, 1.0], [80.0, 0.4, 0.8], [20.0, 0.6, 1.2]]))
    (0.5, 1.0)
    >>> monochrome_tint(np.array([[50.0, 0.5, 1.0], [60.0, 18.0, 22.0], [20.0, 0.6, 1.2]])) is None
    True
    """
    ab = np.asarray(lab, np.float32).reshape(-1, 3)[:, 1:]
    if len(ab) == 0:
        return None
    tint = np.median(ab, axis=0)
    d2 = np.square(ab[:, 0] - tint[0]) + np.square(ab[:, 1] - tint[1])
    if np.count_nonzero(d2 > MONOCHROME_SPREAD ** 2) > 0.01 * len(ab):  # the 99th percentile, without sorting
        return None
    return round(float(tint[0]), 2), round(float(tint[1]), 2)


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
