"""Patterned background: how strongly the background repeats itself.

Wallpaper, brick, tiles, stripes, blinds and step-and-repeat banners repeat at a
fixed period. In a patch such a pattern shows as a strong secondary peak of the
2-D autocorrelation, with a trough halfway to it; a single edge, a gradient or
random texture (foliage, gravel) has no such peak. Patches are taken at two
scales (full and half resolution) so both fine stripes and coarser tiles fit a
patch several times, and patches partly hidden by the person are still judged
(the autocorrelation is normalised by the visible area's own).
"""

from __future__ import annotations

import cv2
import numpy as np
from ..model import Measurement, Region
from ..scene import Scene
from . import _fft, measure
from ._learned import judge

#: Side of the square patches (a non-overlapping grid at every scale), px of that scale.
PATCH = 64
#: Downsampling factors of the scales searched: periods 4-20 px at full size and
#: 8-40 at half size (analysis px). A quarter-size scale (coarse logo banners) was
#: tried and lowered cross-validated F1 (0.43 against 0.45): crowds and windows repeat too.
SCALES = (1, 2)
#: A patch is judged when at least this fraction of it is background.
_PATCH_BG = 0.75
#: Periods searched at each scale, px of that scale: shorter is texture or JPEG
#: blocks, longer does not repeat often enough inside a patch.
MIN_PERIOD, MAX_PERIOD = 4, 20
#: Detail coarser than this Gaussian sigma (px of the scale) is removed first (shading).
_DETREND_SIGMA = 8.0
#: Patches below this window-weighted standard deviation (grey levels) are plain: score 0.
_MIN_DETAIL = 5.0
#: Fraction of judged patches, strongest first, whose scores make the photo's value.
TOP_FRACTION = 0.25
#: ... but never fewer than this many: one periodic-looking patch is not a pattern.
MIN_PATCHES = 3
#: Autocorrelation peaks examined per patch.
_CANDIDATES = 4
#: Evidence patches reported.
_MAX_REGIONS = 3
#: The learned head (``rules/heads/pattern.json``) whose log-odds the rule judges.
HEAD = "pattern"


@measure("patterned_background", units={"pattern_log_odds": "log-odds", "periodicity": "autocorrelation",
                                       "max_periodicity": "autocorrelation",
                                       "period_px": "px", "orientation_deg": "deg", "patterned_fraction": "fraction"},
          data=(f"heads/{HEAD}.json",))
def patterned_background(scene: Scene) -> Measurement:
    """Strength of a repeating pattern in the background, autocorrelation contrast in [0, 2] (0 = none).

    Values
    ------
    pattern_log_odds : log-odds that people would call the background patterned,
        from the learned head ``rules/heads/pattern.json`` on the background-pooled
        EfficientNet-Lite0 features (``measures/_learned.py``); real, typically
        [-8, 8], 0 = even odds.
    periodicity : mean score of the strongest quarter (at least ``MIN_PATCHES``) of
        background patches over both scales, in [0, 2]; a patch's score is the
        normalised autocorrelation at its best secondary peak minus the value halfway
        to it (1 = clear stripes).
    max_periodicity : the best single patch's score, in [0, 2].
    period_px : lag of the best patch's peak, px at analysis size (0 when every patch is plain).
    orientation_deg : direction of that lag, degrees in [0, 180) (0 = horizontal
        repeat, i.e. vertical stripes).
    patterned_fraction : share of judged patches scoring at least half the best
        score, in [0, 1] (how much of the background repeats).

    Notes
    -----
    Non-overlapping patches of ``PATCH`` px at each scale in ``SCALES``, at least
    75 % background. The grey image is detrended (minus an 8 px Gaussian), the
    person set to zero, multiplied by a Hann window, and the autocorrelation computed
    by one batched float32 FFT (zero-padded, so not circular) and divided by the
    autocorrelation of the window times the background mask (unbiased where the
    person hides part of the patch). Evidence regions: the background cells that raise
    the head's log-odds most (up to three), then the most periodic patches.

    References
    ----------
    R. M. Haralick, L. G. Shapiro, Computer and Robot Vision vol. 1, ch. 9 (texture,
    autocorrelation). Guide: avoid wallpaper, brick, stripes, tiles, blinds.
    """
    name = "patterned_background"
    patches, masks, boxes = _patches(scene.gray, scene.background_mask)
    if patches.shape[0] == 0:
        return Measurement.not_assessable(name, "no background patch large enough to judge")
    scores, lags = patch_periodicity(patches, masks)
    order = np.argsort(-scores)
    k = min(scores.size, max(MIN_PATCHES, int(round(TOP_FRACTION * scores.size))))
    best = order[0]
    f = boxes[best][4]
    dy, dx = lags[best] * f
    log_odds, cells = judge(scene, HEAD, "looks patterned to the head")
    values = {"pattern_log_odds": log_odds, "periodicity": round(float(scores[order[:k]].mean()), 4),
              "max_periodicity": round(float(scores[best]), 4),
              "period_px": round(float(np.hypot(dx, dy)), 1),
              "orientation_deg": round(float(np.degrees(np.arctan2(dy, dx)) % 180.0), 1),
              "patterned_fraction": round(float((scores >= 0.5 * scores[best]).mean()) if scores[best] > 0 else 0.0,
                                          4)}
    regions = cells + tuple(Region.from_pixels(*boxes[i][:4], scene.width, scene.height,
                                       f"repeating pattern, period {np.hypot(*lags[i]) * boxes[i][4]:.0f} px")
                    for i in order[:_MAX_REGIONS] if scores[i] > 0)
    return Measurement(name, values, regions=regions)


def _patches(gray: np.ndarray, mask: np.ndarray) -> tuple:
    """Detrended, person-zeroed background patches (N, PATCH, PATCH) float32 over all
    scales, their background masks (float32) and boxes (x0, y0, x1, y1, factor) in
    analysis px."""
    out, outm, boxes = [], [], []
    g = gray.astype(np.float32)
    m = mask.astype(np.float32)
    for f in SCALES:
        if f > 1:
            size = (gray.shape[1] // f, gray.shape[0] // f)
            gs = cv2.resize(g, size, interpolation=cv2.INTER_AREA)
            ms = (cv2.resize(m, size, interpolation=cv2.INTER_AREA) > 0.99).astype(np.float32)
        else:
            gs, ms = g, m
        detail = (gs - _smooth(gs, _DETREND_SIGMA)) * ms
        rows, cols = ms.shape[0] // PATCH, ms.shape[1] // PATCH
        # background pixels per patch, counted exactly (integers in float32), all patches at once
        counts = ms[:rows * PATCH, :cols * PATCH].reshape(rows, PATCH, cols, PATCH).sum(axis=(1, 3))
        for r, c in zip(*np.nonzero(counts >= _PATCH_BG * PATCH * PATCH)):  # row-major, as a scan
            y, x = int(r) * PATCH, int(c) * PATCH
            out.append(detail[y:y + PATCH, x:x + PATCH])
            outm.append(ms[y:y + PATCH, x:x + PATCH])
            boxes.append((x * f, y * f, (x + PATCH) * f, (y + PATCH) * f, f))
    if not out:
        z = np.zeros((0, PATCH, PATCH), np.float32)
        return z, z, []
    return np.stack(out), np.stack(outm), boxes


def _smooth(img: np.ndarray, sigma: float) -> np.ndarray:
    """Gaussian blur of ``sigma`` px, computed at quarter size and enlarged back (fast;
    only the shading it removes matters), float32 of the same shape."""
    h, w = img.shape
    small = cv2.resize(img, (max(1, w // 4), max(1, h // 4)), interpolation=cv2.INTER_AREA)
    small = cv2.GaussianBlur(small, (0, 0), sigma / 4.0)
    return cv2.resize(small, (w, h), interpolation=cv2.INTER_LINEAR)


def patch_periodicity(patches: np.ndarray, masks: np.ndarray | None = None) -> tuple:
    """Periodicity score in [0, 2] and best lag (dy, dx) px of each (N, P, P) patch.

    Score = max over the strongest local maxima of the normalised autocorrelation, at
    lags L between MIN_PERIOD and MAX_PERIOD px, of ac(L) - ac(L/2).
    ``masks`` (N, P, P) in [0, 1] mark the valid pixels (all valid when None).
    Plain patches (window-weighted detail below ``_MIN_DETAIL`` grey levels) score 0
    with lag (0, 0) and skip the FFT: on a studio backdrop that is nearly all of them.
    """
    n, p, _ = patches.shape
    window = np.outer(np.hanning(p), np.hanning(p)).astype(np.float32)
    # Zero-lag autocorrelation over the window's (x mask's), as below, without the FFT.
    valid = window[None] if masks is None else window[None] * masks
    energy = np.einsum("nij,nij->n", patches * window, patches * window)
    norm = np.einsum("nij,nij->n", valid, valid) if masks is not None else np.full(n, float((window ** 2).sum()))
    detailed = np.sqrt(energy / np.maximum(norm, 1e-6)) >= _MIN_DETAIL
    scores = np.zeros(n, np.float32)
    lags = np.zeros((n, 2), int)
    if detailed.any():
        sub = patches[detailed]
        scores[detailed], lags[detailed] = _scores(sub, None if masks is None else masks[detailed], window)
    return scores, lags


def _scores(patches: np.ndarray, masks: np.ndarray | None, window: np.ndarray) -> tuple:
    """:func:`patch_periodicity` of patches that are not plain."""
    n = patches.shape[0]
    r = MAX_PERIOD
    # Normaliser: the window's own autocorrelation, or the window x mask's for
    # patches the person partly hides (one batched FFT for both).
    partial = np.zeros(n, bool) if masks is None else masks.min(axis=(1, 2)) < 1.0
    stack = [patches * window, window[None]]
    if partial.any():
        stack.append(window[None] * masks[partial])
    both = _autocorrelation(np.concatenate(stack, axis=0), r)
    ac = both[:n]
    wac = np.repeat(both[n:n + 1], n, axis=0)
    wac[partial] = both[n + 1:]
    ac = np.where(wac > 0.05 * wac[:, r:r + 1, r:r + 1], ac / np.maximum(wac, 1e-6), 0.0)
    zero = ac[:, r, r].copy()
    ac /= np.maximum(zero, 1e-6)[:, None, None]
    yy, xx = np.mgrid[-r:r + 1, -r:r + 1]
    radius = np.hypot(yy, xx)
    # Only half the plane: the autocorrelation is symmetric.
    allowed = (radius >= MIN_PERIOD) & (radius <= MAX_PERIOD) & ((yy > 0) | ((yy == 0) & (xx > 0)))
    peaks = (ac == _max_3x3(ac)) & allowed[None]
    # Ridges (stripes) tie along their length: a tiny radius penalty prefers the shortest lag.
    cand = np.where(peaks, ac - 0.002 * radius[None], -np.inf).reshape(n, -1)
    top = np.argpartition(-cand, _CANDIDATES, axis=1)[:, :_CANDIDATES]
    ty, tx = np.divmod(top, 2 * r + 1)
    ty, tx = ty - r, tx - r
    rows = np.arange(n)[:, None]
    mid = ac[rows, np.round(ty / 2).astype(int) + r, np.round(tx / 2).astype(int) + r]
    peak_val = cand[rows, top]
    score = np.where(np.isfinite(peak_val), peak_val - mid, 0.0)
    # The shortest lag among near-best peaks is the period (its multiples score alike).
    lag_r = np.hypot(ty, tx)
    near = score >= score.max(axis=1, keepdims=True) - 0.1
    best = np.argmin(np.where(near, lag_r, np.inf), axis=1)
    idx = np.arange(n)
    scores = np.clip(score[idx, best], 0.0, 2.0)
    scores[np.sqrt(np.maximum(zero, 0.0)) < _MIN_DETAIL] = 0.0  # zero lag = window-weighted variance
    lags = np.stack([ty[idx, best], tx[idx, best]], axis=1)
    return scores.astype(np.float32), lags


def _autocorrelation(x: np.ndarray, r: int) -> np.ndarray:
    """Linear (zero-padded) autocorrelation of (N, P, P) arrays in one batched float32
    FFT, cropped to lags within +-r, zero lag at [r, r]."""
    p = x.shape[-1]
    size = _fft.next_fast_len(p + r)  # >= p + r: no wrap-around within +-r
    f = _fft.rfft2(x.astype(np.float32), size)
    ac = _fft.irfft2(f * np.conj(f), size)
    lags = np.r_[size - r:size, 0:r + 1]  # -r..-1 wrap to the end, 0..r at the start
    return ac[:, lags[:, None], lags[None, :]]


def _max_3x3(a: np.ndarray) -> np.ndarray:
    """Maximum over each element's 3 x 3 neighbourhood in the last two axes, edges
    reflected: ``scipy.ndimage.maximum_filter(a, size=(1, 3, 3))`` for NaN-free input
    (a reflected edge repeats the edge element, already in its window), without SciPy's import."""
    padded = np.pad(a, [(0, 0)] * (a.ndim - 2) + [(1, 1), (1, 1)], mode="edge")
    h, w = a.shape[-2:]
    out = padded[..., 1:h + 1, 1:w + 1].copy()
    for dy in range(3):
        for dx in range(3):
            np.maximum(out, padded[..., dy:dy + h, dx:dx + w], out=out)
    return out
