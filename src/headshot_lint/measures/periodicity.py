"""Patterned background: how strongly the background repeats itself.

Wallpaper, brick, tiles, stripes, blinds and step-and-repeat banners repeat at a
fixed period. In a small patch such a pattern shows as a strong secondary peak of
the 2-D autocorrelation, with a trough halfway to it; a single edge, a gradient or
random texture (foliage, gravel) has no such peak. Patches are small, so
perspective (a period that changes across the wall) and the person partly hiding
the pattern matter little.
"""

from __future__ import annotations

import cv2
import numpy as np
from scipy.ndimage import maximum_filter

from ..model import Measurement, Region
from ..scene import Scene
from . import measure

#: Side of the square background patches (a non-overlapping grid), px at analysis size.
PATCH = 64
#: A patch is judged when at least this fraction of it is background.
_PATCH_BG = 0.9
#: Periods searched, px at analysis size: shorter is texture or JPEG blocks, longer
#: does not repeat often enough inside a patch.
MIN_PERIOD, MAX_PERIOD = 4, 24
#: Detail coarser than this Gaussian sigma (px) is removed first (gradients, shading).
_DETREND_SIGMA = 8.0
#: Patches below this standard deviation of detail (grey levels) are plain: score 0.
_MIN_DETAIL = 6.0
#: Fraction of judged patches, strongest first, whose scores make the photo's value:
#: a pattern must cover a noticeable part of the background, not one patch.
TOP_FRACTION = 0.25
#: Autocorrelation peaks examined per patch.
_CANDIDATES = 4
#: Evidence patches reported.
_MAX_REGIONS = 3


@measure("patterned_background", cost_ms=35.0)
def patterned_background(scene: Scene) -> Measurement:
    """Strength of a repeating pattern in the background, autocorrelation contrast in [0, 2] (0 = none).

    Values
    ------
    periodicity : mean score of the strongest quarter of background patches, in
        [0, 2]; a patch's score is the normalised autocorrelation at its best
        secondary peak minus the autocorrelation halfway to it (1 = clear stripes).
    max_periodicity : the best single patch's score, in [0, 2].
    period_px : lag of the best patch's peak, px at analysis size.
    orientation_deg : direction of that lag, degrees in [0, 180) (0 = horizontal
        repeat, i.e. vertical stripes).
    patterned_fraction : share of judged patches scoring at least half the best
        score, in [0, 1] (how much of the background repeats).

    Notes
    -----
    Non-overlapping patches of ``PATCH`` px, at least 90 % background; the grey
    image is detrended (minus an 8 px Gaussian), the person set to zero, multiplied
    by a Hann window, and the autocorrelation computed by FFT (zero-padded, so not
    circular) and divided by the window's own autocorrelation (unbiased).

    References
    ----------
    R. M. Haralick, L. G. Shapiro, Computer and Robot Vision vol. 1, ch. 9 (texture,
    autocorrelation). Guide: avoid wallpaper, brick, stripes, tiles, blinds.
    """
    name = "patterned_background"
    bg = scene.background_mask
    patches, xs, ys = _patches(scene.gray, bg)
    if patches.shape[0] == 0:
        return Measurement.not_assessable(name, "no background patch large enough to judge")
    scores, lags = patch_periodicity(patches)
    order = np.argsort(-scores)
    k = max(1, int(round(TOP_FRACTION * scores.size)))
    best = order[0]
    dy, dx = lags[best]
    values = {"periodicity": round(float(scores[order[:k]].mean()), 4),
              "max_periodicity": round(float(scores[best]), 4),
              "period_px": round(float(np.hypot(dx, dy)), 1),
              "orientation_deg": round(float(np.degrees(np.arctan2(dy, dx)) % 180.0), 1),
              "patterned_fraction": round(float((scores >= 0.5 * scores[best]).mean()) if scores[best] > 0 else 0.0,
                                          4)}
    units = {"periodicity": "autocorrelation", "max_periodicity": "autocorrelation", "period_px": "px",
             "orientation_deg": "deg", "patterned_fraction": "fraction"}
    regions = tuple(Region.from_pixels(xs[i], ys[i], xs[i] + PATCH, ys[i] + PATCH, scene.width, scene.height,
                                       f"repeating pattern, period {np.hypot(*lags[i]):.0f} px")
                    for i in order[:_MAX_REGIONS] if scores[i] > 0)
    return Measurement(name, values, units, regions=regions)


def _patches(gray: np.ndarray, mask: np.ndarray) -> tuple:
    """Detrended, person-zeroed background patches (N, PATCH, PATCH) float32 and their corners."""
    g = gray.astype(np.float32)
    detail = g - cv2.GaussianBlur(g, (0, 0), _DETREND_SIGMA)
    detail[~mask] = 0.0
    h, w = mask.shape
    step = PATCH
    out, xs, ys = [], [], []
    for y in range(0, h - PATCH + 1, step):
        for x in range(0, w - PATCH + 1, step):
            if mask[y:y + PATCH, x:x + PATCH].mean() >= _PATCH_BG:
                out.append(detail[y:y + PATCH, x:x + PATCH])
                xs.append(x)
                ys.append(y)
    if not out:
        return np.zeros((0, PATCH, PATCH), np.float32), [], []
    return np.stack(out), xs, ys


def patch_periodicity(patches: np.ndarray) -> tuple:
    """Periodicity score in [0, 2] and best lag (dy, dx) px of each (N, P, P) patch.

    Score = max over the strongest local maxima of the normalised autocorrelation,
    at lags between MIN_PERIOD and MAX_PERIOD px, of ac(lag) - ac(lag / 2).
    """
    n, p, _ = patches.shape
    window = np.outer(np.hanning(p), np.hanning(p)).astype(np.float32)
    ac = _autocorrelation(patches * window)
    wac = _autocorrelation(window[None])[0]
    ac = ac / np.maximum(wac, 1e-6)
    zero = ac[:, MAX_PERIOD, MAX_PERIOD].copy()
    ac /= np.maximum(zero, 1e-6)[:, None, None]
    r = MAX_PERIOD
    yy, xx = np.mgrid[-r:r + 1, -r:r + 1]
    radius = np.hypot(yy, xx)
    # Only half the plane: the autocorrelation is symmetric.
    allowed = (radius >= MIN_PERIOD) & (radius <= MAX_PERIOD) & ((yy > 0) | ((yy == 0) & (xx > 0)))
    peaks = (ac == maximum_filter(ac, size=(1, 3, 3))) & allowed[None]
    # Ridges (stripes) tie along their length: a tiny radius penalty prefers the shortest lag.
    cand = np.where(peaks, ac - 0.002 * radius[None], -np.inf).reshape(n, -1)
    top = np.argpartition(-cand, _CANDIDATES, axis=1)[:, :_CANDIDATES]
    ty, tx = np.divmod(top, 2 * r + 1)
    rows = np.arange(n)[:, None]
    peak_val = cand[rows, top]
    mid = ac[rows, np.round((ty - r) / 2).astype(int) + r, np.round((tx - r) / 2).astype(int) + r]
    score = np.where(np.isfinite(peak_val), peak_val - mid, 0.0)
    # The shortest lag among near-best peaks is the period (its multiples score alike).
    lag_r = np.hypot(ty - r, tx - r)
    near = score >= score.max(axis=1, keepdims=True) - 0.1
    best = np.argmin(np.where(near, lag_r, np.inf), axis=1)
    scores = np.clip(score[np.arange(n), best], 0.0, 2.0)
    scores[np.sqrt(np.maximum(zero, 0.0)) < _MIN_DETAIL] = 0.0  # zero lag = window-weighted variance
    lags = np.stack([ty[np.arange(n), best] - r, tx[np.arange(n), best] - r], axis=1)
    return scores.astype(np.float32), lags


def _autocorrelation(x: np.ndarray) -> np.ndarray:
    """Linear (zero-padded) autocorrelation of (N, P, P) arrays, cropped to lags
    within +-MAX_PERIOD, zero lag at [MAX_PERIOD, MAX_PERIOD]."""
    p = x.shape[-1]
    f = np.fft.rfft2(x, s=(2 * p, 2 * p))
    ac = np.fft.irfft2(f * np.conj(f), s=(2 * p, 2 * p))
    ac = np.fft.fftshift(ac, axes=(-2, -1))
    c = p
    r = MAX_PERIOD
    return ac[:, c - r:c + r + 1, c - r:c + r + 1].astype(np.float32)
