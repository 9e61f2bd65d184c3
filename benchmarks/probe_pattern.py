"""Third round on HL102 patterned-background (issue #19): what else was tried, by nested CV.

The shipped head (``rules/heads/pattern.json``, ``benchmarks/fit_heads.py``) reaches nested
5-fold CV F1 0.577 +- 0.017 over outer fold seeds 0-4 (0.588 / 0.553 / 0.586 / 0.558 / 0.597;
seed 0: P 0.53 R 0.67, unanimous photos 0.564; in-sample 0.922), against 0.75 aimed at and a
human ceiling of 0.94. ``benchmarks/fit_pattern.py`` records the first two rounds (Gram
matrices, ImageNet class probabilities, local energy, near-duplicate cells, autocorrelation and
Fourier repetition, fewer PCA components, k-NN). This round, after looking at contact sheets of
the nested-CV misses (seed 0: 20 FN, 36 FP, 40 TP):

- misses (all three raters said patterned): step-and-repeat banners that are blurred or whose
  logos are small (a blue press wall, a Marvel wall), flags behind a politician, railings and
  fences, rough stone walls, the windows of a facade, a kitchen wall, a flowering hedge;
- false alarms (none said patterned): press walls with a few BIG letters or one large seal,
  groups of people in rooms, street crowds, a dance studio wall, a taekwondo arena, skylines.
  The line between a positive "step-and-repeat" wall and a negative "big letters" wall is
  semantic (how many repeats), and blurred banners carry no pixel-level repetition at all.

Candidates, every choice (PCA size, ridge, second-stage weights, top fraction, threshold) made
inside the outer fold by an inner 5-fold CV; F1 per outer seed, mean and sd. Measured
2026-12-07 on the 321 photos (60 positive):

==========================================================  =====================================  =====
candidate                                                   F1 per seed                            mean (sd)
==========================================================  =====================================  =====
head as shipped (whitened PCA 16-128, ridge 1-100)          0.588 0.553 0.586 0.558 0.597          0.577 (0.017)
  ... ridge grid up to 1000                                 0.588 0.553 0.586                      0.576
  ... PCA not whitened, ridge 10-1e5, PCA up to 256         0.583 0.540 0.575 0.543 0.590          0.566 (0.021)
  ... fitted to the raters' share (soft target)             0.588 0.588 0.547 0.551 0.571          0.569 (0.018)
  ... whitened, soft target                                 0.571 0.548 0.603 0.541 0.567          0.566 (0.021)
pooling: background mean only                               0.591 0.573 0.582                      0.582 (0.007)
pooling: mean + 90th percentile of the cells                0.607 0.582 0.591                      0.593 (0.010)
pooling: GeM (p = 3) + spread                               0.573 0.604 0.623                      0.600 (0.021)
pooling: mean + spread + max                                0.590 0.526 0.576                      0.564 (0.027)
pooling: max only                                           0.571 0.626 0.547                      0.581 (0.033)
pooling: signed square root of the cells, mean + spread     0.571 0.500 0.576                      0.549 (0.035)
signed square root of the pooled features                   0.519 0.535 0.550                      0.535 (0.013)
input long side 448 px (51 ms CPU)                          0.599 0.582 0.623                      0.601 (0.017)
input long side 640 px (120 ms CPU)                         0.530 0.573 0.529                      0.544 (0.021)
320 + 640 px blocks side by side                            0.561 0.563 0.575                      0.566 (0.006)
cell classifier (stride 16 + 8 cells, photo label on every
  background cell, mean of the top 10-100 % cell log-odds)  0.540 0.534 0.537                      0.537 (0.002)
stage: head + busy head (multi-task, out-of-fold log-odds)  0.606 0.588 0.588 0.586 0.612          0.596 (0.011)
stage: head + text_logo head                                0.599 0.592 0.593 0.538 0.590          0.582 (0.022)
stage: head + sharp_env head                                0.573 0.571 0.559 0.541 0.586          0.566 (0.015)
stage: head + busy + text_logo heads                        0.616 0.570 0.608 0.582 0.609          0.597 (0.018)
stage: head + busy + sharp_env + text_logo heads            0.593 0.568 0.595 0.537 0.583          0.575 (0.021)
stage: ... + verdict good / poor heads                      0.597 0.571 0.575 0.556 0.625          0.585 (0.024)
stage: head alone (the stage's own refit, reference)        0.593 0.586 0.583 0.554 0.600          0.583 (0.016)
stage: head + 28 hand texture values (ridge 10)             0.581 0.549 0.539 0.549 0.565          0.557 (0.015)
stage: head + Gabor (8 orientation shares, anisotropy,
  energy at wavelengths 6 and 12 px of half size)           0.590 0.562 0.555 0.571 0.595          0.575 (0.016)
stage: head + LBP (uniform P 8 R 1 histogram, ridge 10)     0.570 0.541 0.553 0.529 0.582          0.555 (0.019)
stage: head + Hough lines (count, parallel share, parallel
  count)                                                    0.580 0.549 0.556 0.571 0.583          0.568 (0.013)
stage: head + patch self-similarity (NCC of 12 px patches
  at quarter size: share with a repeat > 0.7, mean best,
  share with a repeat 3 patches away)                       0.592 0.577 0.597 0.558 0.583          0.581 (0.014)
==========================================================  =====================================  =====

AUC of single hand values against the head's out-of-fold 0.84 (seed 0): Gabor energy 0.81 /
0.79 (how much texture, not repetition), Hough line count 0.77, parallel-line share 0.73,
LBP bins 0.35-0.69, Gabor anisotropy 0.66, NCC repetition 0.55 (crowds, foliage and skylines
repeat as much as banners). Hand values cost 45-53 ms CPU per photo here (median; Gabor 14 ms,
LBP 8 ms, Hough 1 ms, NCC self-similarity the rest), over the 10 ms a measure may take.

Nothing beats the head by more than the seed spread: the best (GeM pooling, 448 px input, the
busy + text_logo multi-task stage) gain 0.015-0.025 on 0.577 with sd 0.01-0.02, and 448 px would
double the embedding's cost (51 ms against 24 ms; the budget is 25). The multi-task stage with
the busy head, +0.020 on every one of seeds 0-4, was checked on fresh outer seeds 5-9: head
0.635 / 0.564 / 0.541 / 0.574 / 0.576 (0.578, sd 0.031), stage + busy 0.613 / 0.577 / 0.594 /
0.543 / 0.567 (0.579, sd 0.024): the gain does not hold (over seeds 0-9: head 0.577 sd 0.025,
stage 0.587 sd 0.020, paired difference +0.010 +- 0.025); stage + busy + text_logo on seeds 5-9:
0.616 / 0.547 / 0.577 / 0.563 / 0.567 (0.574, sd 0.023). Resolution is not what limits the head
(640 px is worse), nor the pooling or the linear model's regularisation; what would help is more
labelled patterned photos (60 positives over some twelve kinds of pattern) or a representation
that knows "step-and-repeat" from "big letters". Nothing is shipped; this script writes nothing.

    python benchmarks/probe_pattern.py [--photos ../shared/photos] [--seeds 0 1 2 3 4] [--only NAME ...]

Features are cached in the temp folder (one pass over the photos, about 4 minutes on one core).
"""

from __future__ import annotations

import argparse
import pickle
import sys
import time
from pathlib import Path
from typing import Callable

import cv2
import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT), str(ROOT / "src")]

import benchmarks._heads as heads  # noqa: E402
from benchmarks._evaluation import auc, best_threshold, count, feature_cache, read_labels, stratified_folds  # noqa: E402
from benchmarks._logistic import fit_logistic  # noqa: E402
from benchmarks.evaluate import DEFAULT_PHOTOS  # noqa: E402
from benchmarks.fit_pattern import _nested_select  # noqa: E402

#: The head's blocks (as fit_heads.LAYOUT).
LAYOUT = ("stride8_mean", "stride8_std", "stride16_mean", "stride16_std", "final_mean", "final_std")
#: Labels whose heads a multi-task second stage may read beside the pattern head.
AUX = ("busy", "text_logo", "sharp_env")
#: The hand texture values, in order.
HAND_KEYS = tuple([f"lbp{i}" for i in range(10)] + [f"gabor_l{s}_o{o}" for s in (0, 1) for o in range(4)]
                  + ["gabor_aniso0", "gabor_aniso1", "gabor_energy0", "gabor_energy1",
                     "lines_n", "lines_par_share", "lines_par_n", "ncc_repeat", "ncc_mean_best", "ncc_repeat_far"])
_GABOR = [[cv2.getGaborKernel((int(4 * lam) | 1, int(4 * lam) | 1), 0.56 * lam, th, lam, 0.5, 0, ktype=cv2.CV_32F)
           for th in np.arange(4) * np.pi / 4] for lam in (6.0, 12.0)]


# -- features ----------------------------------------------------------------------
def hand_texture(gray: np.ndarray, background: np.ndarray) -> np.ndarray:
    """``HAND_KEYS`` over the background at half analysis size: LBP histogram (uniform, P 8,
    R 1, shares of background pixels), Gabor energy shares per orientation (0/45/90/135 deg)
    at wavelengths 6 and 12 px, their anisotropy and log total energy (detrended by an 8 px
    Gaussian), Hough line segments on Canny 60/150 (log count per 10^4 px, share within +-10
    deg of the dominant direction, log parallel count), and patch self-similarity at quarter
    size (12 px patches every 8 px: share with a normalised cross-correlation above 0.7
    elsewhere, the mean best match, the share with such a repeat 3 patches away or more)."""
    from skimage.feature import local_binary_pattern

    g = cv2.resize(gray, (gray.shape[1] // 2, gray.shape[0] // 2), interpolation=cv2.INTER_AREA).astype(np.float32)
    m = cv2.resize(background.astype(np.float32), (g.shape[1], g.shape[0]), interpolation=cv2.INTER_AREA) > 0.99
    n = max(int(m.sum()), 1)
    lbp = local_binary_pattern(g.astype(np.uint8), 8, 1, "uniform")
    out = list(np.bincount(lbp[m].astype(int), minlength=10)[:10] / n)
    det = g - cv2.GaussianBlur(g, (0, 0), 8)
    energy = [[float(np.abs(cv2.filter2D(det, cv2.CV_32F, k))[m].mean()) if m.any() else 0.0 for k in scale]
              for scale in _GABOR]
    for e in energy:
        out += [v / (sum(e) + 1e-6) for v in e]
    out += [(max(e) - min(e)) / (sum(e) + 1e-6) for e in energy] + [float(np.log1p(sum(e))) for e in energy]
    edges = cv2.Canny(g.astype(np.uint8), 60, 150)
    edges[~m] = 0
    lines = cv2.HoughLinesP(edges, 1, np.pi / 180, 30, minLineLength=25, maxLineGap=3)
    if lines is None or len(lines) < 2:
        out += [0.0, 0.0, 0.0]
    else:
        s = lines[:, 0]
        h = np.histogram(np.degrees(np.arctan2(s[:, 3] - s[:, 1], s[:, 2] - s[:, 0])) % 180, bins=18, range=(0, 180))[0]
        b = int(h.argmax())
        par = h[b] + h[(b - 1) % 18] + h[(b + 1) % 18]
        out += [float(np.log1p(len(s) / n * 1e4)), par / len(s), float(np.log1p(par / n * 1e4))]
    q = cv2.resize(g, (g.shape[1] // 2, g.shape[0] // 2), interpolation=cv2.INTER_AREA)
    mq = cv2.resize(m.astype(np.float32), (q.shape[1], q.shape[0]), interpolation=cv2.INTER_AREA) > 0.99
    p, rep, best, far = 12, [], [], []
    for yy in range(0, q.shape[0] - p, 8):
        for xx in range(0, q.shape[1] - p, 8):
            t = q[yy:yy + p, xx:xx + p]
            if not mq[yy:yy + p, xx:xx + p].all() or t.std() < 6:
                continue
            r = cv2.matchTemplate(q, t, cv2.TM_CCOEFF_NORMED)
            r[max(0, yy - p + 1):yy + p, max(0, xx - p + 1):xx + p] = -1
            r[~mq[:r.shape[0], :r.shape[1]]] = -1
            best.append(float(r.max()))
            rep.append(best[-1] > 0.7)
            r[max(0, yy - 3 * p):yy + 3 * p, max(0, xx - 3 * p):xx + 3 * p] = -1
            far.append(float(r.max()) > 0.7)
    out += [float(np.mean(v)) if v else 0.0 for v in (rep, best, far)]
    return np.nan_to_num(np.array(out, np.float64))


def pooled_variants(maps, background: np.ndarray) -> dict[str, np.ndarray]:
    """Other poolings of the stride 8/16/32 maps over the background cells (the head's cells):
    mean, spread, max, 90th percentile, GeM (p = 3) and the mean and spread of the signed
    square root of the cells."""
    from headshot_lint.measures._learned import cell_weights

    out: dict[str, list] = {k: [] for k in ("mean", "std", "max", "p90", "gem3", "sqrt_mean", "sqrt_std")}
    for name in ("stride8", "stride16", "final"):
        m = getattr(maps, name).astype(np.float64)
        c, h, w = m.shape
        wt = cell_weights(background, h, w).reshape(-1).astype(np.float64)
        x, keep = m.reshape(c, -1), wt > 0
        mean = x @ wt
        out["mean"].append(mean)
        out["std"].append(np.sqrt(np.maximum((x * x) @ wt - mean ** 2, 0)))
        out["max"].append(x[:, keep].max(axis=1))
        out["p90"].append(np.percentile(x[:, keep], 90, axis=1))
        out["gem3"].append(((np.maximum(x, 0) + 1e-6) ** 3 @ wt) ** (1 / 3))
        ss = np.sign(x) * np.sqrt(np.abs(x))
        sm = ss @ wt
        out["sqrt_mean"].append(sm)
        out["sqrt_std"].append(np.sqrt(np.maximum((ss * ss) @ wt - sm ** 2, 0)))
    return {k: np.concatenate(v) for k, v in out.items()}


def background_cells(maps, background: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The background cells of the stride-16 map with the stride-8 map averaged onto them
    (152 values a cell), and their pooling weights."""
    from headshot_lint.measures._learned import cell_weights

    s8, s16 = maps.stride8, maps.stride16
    c, h, w = s16.shape
    s8p = cv2.resize(s8.transpose(1, 2, 0), (w, h), interpolation=cv2.INTER_AREA).reshape(-1, s8.shape[0])
    wt = cell_weights(background, h, w).reshape(-1)
    keep = wt > 0
    return np.c_[s16.reshape(c, -1).T, s8p][keep].astype(np.float32), wt[keep]


def measure_all(photos: Path, files: list[str], cache: Path) -> dict:
    if cache.is_file():
        with open(cache, "rb") as f:
            data = pickle.load(f)
        if data.get("files") == files:
            return data
    from headshot_lint.engine import _upright_scene
    from headshot_lint.load import load
    from headshot_lint.measures._learned import pooled_blocks
    from headshot_lint.perception.embedding import feature_maps

    rows, hand_ms, emb_ms = [], [], {448: [], 640: []}
    for i, name in enumerate(files):
        scene = _upright_scene(load(photos / name))
        maps, bg = scene.embedding, scene.background_mask
        row = {"pool": pooled_variants(maps, bg), "cells": background_cells(maps, bg)}
        for side in (448, 640):
            t0 = time.process_time()
            big = feature_maps(scene.rgb, side)
            emb_ms[side].append(1000 * (time.process_time() - t0))
            b = pooled_blocks(big, bg)
            row[f"blocks{side}"] = np.concatenate([b[k] for k in LAYOUT])
        t0 = time.process_time()
        row["hand"] = hand_texture(scene.gray, bg)
        hand_ms.append(1000 * (time.process_time() - t0))
        rows.append(row)
        if i % 40 == 0:
            print(f"  {i}/{len(files)} {name}", file=sys.stderr, flush=True)
    data = {"files": files, "rows": rows, "hand_ms": hand_ms, "emb_ms": emb_ms}
    with open(cache, "wb") as f:
        pickle.dump(data, f)
    return data


# -- models ------------------------------------------------------------------------
def _logit(a: np.ndarray, t: np.ndarray, lam: float, sw: np.ndarray | None = None) -> np.ndarray:
    """Ridge logistic regression on ``a`` as given (no standardising), bias unpenalised,
    targets ``t`` in [0, 1], optional sample weights; Newton steps."""
    a = np.c_[np.ones(len(a)), a]
    sw = np.ones(len(a)) if sw is None else sw
    w, ridge = np.zeros(a.shape[1]), lam * np.eye(a.shape[1])
    ridge[0, 0] = 0.0
    for _ in range(50):
        p = 1 / (1 + np.exp(-a @ w))
        step = np.linalg.solve(a.T @ (a * (sw * p * (1 - p))[:, None]) + ridge, a.T @ (sw * (p - t)) + ridge @ w)
        w -= step
        if np.abs(step).max() < 1e-8:
            break
    return w


def pca_ridge(x: np.ndarray, target: np.ndarray, comps, lams, whiten: bool) -> Callable:
    """Settings (PCA size x ridge) scored for ``_nested_select``: standardise, PCA, optionally
    whiten the components (what fit_logistic does, as the shipped head), ridge logistic."""
    def scores(train: np.ndarray, test: np.ndarray) -> np.ndarray:
        mu, sd = x[train].mean(axis=0), x[train].std(axis=0) + 1e-6
        z = (x[train] - mu) / sd
        _, _, vt = np.linalg.svd(z, full_matrices=False)
        out = []
        for k in comps:
            a, at = z @ vt[:k].T, ((x[test] - mu) / sd) @ vt[:k].T
            if whiten:
                s = a.std(axis=0) + 1e-9
                a, at = a / s, at / s
            for lam in lams:
                w = _logit(a, target[train], lam)
                out.append(w[0] + at @ w[1:])
        return np.array(out)
    return scores


def cell_classifier(cells: list, y: np.ndarray, lams=(1.0, 10.0, 100.0), tops=(0.1, 0.25, 0.5, 1.0)) -> Callable:
    """A ridge logistic regression on single background cells (every cell of a photo carries
    the photo's label, weighted so a photo sums to 1); a photo's value is the mean of its top
    fraction of cell log-odds."""
    def scores(train: np.ndarray, test: np.ndarray) -> np.ndarray:
        tr = np.flatnonzero(train)
        f = np.concatenate([cells[i][0] for i in tr])
        sw = np.concatenate([cells[i][1] for i in tr])
        t = np.concatenate([np.full(len(cells[i][0]), float(y[i])) for i in tr])
        mu, sd = f.mean(axis=0), f.std(axis=0) + 1e-6
        out = []
        for lam in lams:
            w = _logit((f - mu) / sd, t, lam, sw)
            for top in tops:
                v = []
                for i in np.flatnonzero(test):
                    lo = np.sort(w[0] + ((cells[i][0] - mu) / sd) @ w[1:])[::-1]
                    v.append(lo[:max(1, int(round(top * len(lo))))].mean())
                out.append(v)
        return np.array(out)
    return scores


def _head_log_odds(x: np.ndarray, y: np.ndarray, train: np.ndarray, test: np.ndarray) -> np.ndarray:
    """A head chosen and fitted on ``train`` (fit_heads' way): inner out-of-fold log-odds on
    ``train``, the full fit's on ``test``."""
    idx = np.flatnonzero(train)
    c, lam, _ = heads.choose(x[train], y[train])
    out = np.zeros(len(y))
    for fold in stratified_folds(list(y[idx]), 5, 1):
        inner = np.zeros(len(y), bool)
        inner[idx[fold]] = True
        out[inner] = heads.fit_head(x[train & ~inner], y[train & ~inner], c, lam).log_odds(x[inner])
    out[test] = heads.fit_head(x[train], y[train], c, lam).log_odds(x[test])
    return out


def nested_stage(x: np.ndarray, y: np.ndarray, aux: dict, names, supp: np.ndarray | None, seed: int,
                 ridge: float, memo: dict) -> np.ndarray:
    """Held-out decisions of a second stage over the pattern head's and the ``names`` heads'
    log-odds (each head chosen and fitted on the training folds with its own label) beside the
    standardised ``supp``; its weights fitted on the inner out-of-fold log-odds, its threshold
    on its own out-of-fold values."""
    decided = np.zeros(len(y), bool)
    for fi, fold in enumerate(stratified_folds(list(y), 5, seed)):
        test = np.zeros(len(y), bool)
        test[fold] = True
        train = ~test
        cols = []
        for name in ("pattern", *names):
            key = (seed, fi, name)
            if key not in memo:
                memo[key] = _head_log_odds(x, y if name == "pattern" else aux[name], train, test)
            cols.append(memo[key])
        s = np.array(cols).T
        if supp is not None and supp.shape[1]:
            mu, sd = supp[train].mean(axis=0), supp[train].std(axis=0) + 1e-9
            s = np.c_[s, (supp - mu) / sd]
        oof = heads.out_of_fold_logistic(s, y, train, ridge)
        t, _ = best_threshold(list(oof[train]), list(y[train]), True)
        w = fit_logistic(s[train], y[train].astype(float), ridge)
        decided[test] = (w[0] + s[test] @ w[1:]) >= t
    return decided


def candidates(data: dict, rows: list[dict], y: np.ndarray) -> dict[str, Callable[[int], np.ndarray]]:
    pool = {k: np.array([r["pool"][k] for r in data["rows"]]) for k in data["rows"][0]["pool"]}
    x = np.c_[pool["mean"], pool["std"]]
    hand = np.array([r["hand"] for r in data["rows"]])
    share = np.array([(int(r["agree_pattern"]) if r["pattern"] == "1" else 3 - int(r["agree_pattern"])) / 3
                      for r in rows])
    aux = {k: np.array([r[k] == "1" for r in rows]) for k in AUX}
    yt = y.astype(float)
    memo: dict = {}

    def head(features: np.ndarray, target=yt, comps=(16, 32, 64, 128), lams=(1.0, 10.0, 100.0), whiten=True):
        return lambda s: _nested_select(y, pca_ridge(features, target, comps, lams, whiten), s)

    def stage(names=(), cols=None, ridge=1.0):
        return lambda s: nested_stage(x, y, aux, names, None if cols is None else hand[:, cols], s, ridge, memo)

    return {
        "head as shipped": head(x),
        "ridge up to 1000": head(x, lams=(1.0, 10.0, 100.0, 1000.0)),
        "PCA not whitened": head(x, comps=(16, 32, 64, 128, 256), lams=(10.0, 100.0, 1e3, 1e4, 1e5), whiten=False),
        "soft target, not whitened": head(x, share, (16, 32, 64, 128, 256), (10.0, 100.0, 1e3, 1e4, 1e5), False),
        "soft target, whitened": head(x, share),
        "mean only": head(pool["mean"]),
        "mean + p90": head(np.c_[pool["p90"], pool["mean"]]),
        "GeM + spread": head(np.c_[pool["gem3"], pool["std"]]),
        "mean + spread + max": head(np.c_[x, pool["max"]]),
        "max only": head(pool["max"]),
        "signed sqrt cells": head(np.c_[pool["sqrt_mean"], pool["sqrt_std"]]),
        "signed sqrt pooled": head(np.sign(x) * np.sqrt(np.abs(x))),
        "input 448 px": head(np.array([r["blocks448"] for r in data["rows"]])),
        "input 640 px": head(np.array([r["blocks640"] for r in data["rows"]])),
        "320 + 640 px": head(np.c_[x, np.array([r["blocks640"] for r in data["rows"]])]),
        "cell classifier": lambda s: _nested_select(y, cell_classifier([r["cells"] for r in data["rows"]], y), s),
        "stage: head alone": stage(),
        "stage: + busy": stage(("busy",)),
        "stage: + text_logo": stage(("text_logo",)),
        "stage: + sharp_env": stage(("sharp_env",)),
        "stage: + busy + text_logo": stage(("busy", "text_logo")),
        "stage: + busy + sharp_env + text_logo": stage(("busy", "sharp_env", "text_logo")),
        "stage: + hand (28)": stage(cols=slice(0, 28), ridge=10.0),
        "stage: + Gabor": stage(cols=slice(10, 22)),
        "stage: + LBP": stage(cols=slice(0, 10), ridge=10.0),
        "stage: + Hough lines": stage(cols=slice(22, 25)),
        "stage: + self-similarity": stage(cols=slice(25, 28)),
    }


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--photos", type=Path, default=DEFAULT_PHOTOS)
    ap.add_argument("--seeds", type=int, nargs="*", default=[0, 1, 2, 3, 4], help="outer fold seeds")
    ap.add_argument("--only", nargs="*", default=None, help="candidate names to run (default: all)")
    args = ap.parse_args(argv)

    rows = read_labels(args.photos)
    files = [r["file"] for r in rows]
    cache = feature_cache(args.photos, files, "headshot-lint-probe-pattern")
    print(f"features of {len(files)} photos (cache {cache})")
    data = measure_all(args.photos, files, cache)
    print(f"CPU ms per photo (median): hand texture values {np.median(data['hand_ms']):.1f}; embedding at 448 px "
          f"{np.median(data['emb_ms'][448]):.1f}, at 640 px {np.median(data['emb_ms'][640]):.1f}")
    y = np.array([r["pattern"] == "1" for r in rows])
    unanimous = np.array([r["agree_pattern"] == "3" for r in rows])
    hand = np.array([r["hand"] for r in data["rows"]])
    for k, v in zip(HAND_KEYS, hand.T):
        print(f"  AUC {k:<16} {auc(v, y):.3f}")
    print(f"label pattern: {int(y.sum())} of {len(y)} photos; nested 5-fold CV F1 per outer fold seed")
    for name, run in candidates(data, rows, y).items():
        if args.only and name not in args.only:
            continue
        decided = [run(seed) for seed in args.seeds]
        f1 = [count(list(y), list(d)).f1 for d in decided]
        c = count(list(y), list(decided[0]))
        cu = count(list(y[unanimous]), list(decided[0][unanimous]))
        print(f"  {name:<38} " + " ".join(f"{v:.3f}" for v in f1) + f"   mean {np.mean(f1):.3f} sd {np.std(f1):.3f}"
              f"   (seed {args.seeds[0]}: TP {c.tp} FP {c.fp} FN {c.fn} TN {c.tn}; unanimous F1 {cu.f1:.3f})",
              flush=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
