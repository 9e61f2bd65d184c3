"""Fit the HL103 unblurred-environment log-odds weights on the labelled photos.

    python benchmarks/fit_blur.py [--photos ../shared/photos] [--k 5] [--lam 3]

Measures every photo once with ``unblurred_environment`` (its two features:
``sharp_edge_density`` and ``orientation_diversity``), fits a ridge-penalised
logistic regression of the ``sharp_env`` label (bg_kind sharp-env or
outdoor-sharp) on their square roots, and prints:

- the in-sample F1 at the best threshold of the fitted log-odds;
- the nested k-fold cross-validated F1 (each held-out fold judged by weights AND a
  threshold fitted on the other folds only; same stratified folds as calibrate.py);
- the constants to paste into ``src/headshot_lint/measures/blur.py`` (B0,
  W_DENSITY, W_DIVERSITY). Then run ``benchmarks/calibrate.py HL103`` for the rule's
  threshold. numpy only; about 20 s.
"""

from __future__ import annotations

import argparse
import math
import random
import sys
from pathlib import Path
from typing import List, Sequence, Tuple

import numpy as np

sys.path[:0] = [str(Path(__file__).resolve().parents[1]), str(Path(__file__).resolve().parents[1] / "src")]

from benchmarks._evaluation import best_threshold, count, fmt, read_labels  # noqa: E402
from benchmarks.evaluate import DEFAULT_PHOTOS  # noqa: E402

FEATURES = ("sharp_edge_density", "orientation_diversity")


def measure_all(photos: Path, files: Sequence[str]) -> np.ndarray:
    """(n, 2) raw features per photo; NaN rows where the measure could not judge."""
    from headshot_lint.load import load
    from headshot_lint.measures.blur import unblurred_environment
    from headshot_lint.scene import Scene

    out = np.full((len(files), len(FEATURES)), np.nan)
    for i, name in enumerate(files):
        m = unblurred_environment(Scene(load(photos / name)))
        if m.status == "ok":
            out[i] = [m.values[k] for k in FEATURES]
    return out


def fit_logistic(x: np.ndarray, y: np.ndarray, lam: float) -> np.ndarray:
    """Weights (bias first) of a logistic regression on sqrt(x), ridge ``lam`` on the
    standardised features, returned in raw sqrt-feature space."""
    z = np.sqrt(x)
    mu, sd = z.mean(axis=0), z.std(axis=0) + 1e-9
    a = np.hstack([np.ones((len(z), 1)), (z - mu) / sd])
    w = np.zeros(a.shape[1])
    ridge = lam * np.eye(a.shape[1])
    ridge[0, 0] = 0.0
    for _ in range(100):
        p = 1.0 / (1.0 + np.exp(-a @ w))
        grad = a.T @ (p - y) + ridge @ w
        hess = a.T @ (a * (p * (1 - p))[:, None]) + ridge
        step = np.linalg.solve(hess, grad)
        w -= step
        if np.abs(step).max() < 1e-10:
            break
    raw = w[1:] / sd
    return np.concatenate([[w[0] - float(raw @ mu)], raw])


def log_odds(w: np.ndarray, x: np.ndarray) -> np.ndarray:
    """The measure's value for raw features ``x``; -inf where not assessable."""
    s = w[0] + np.sqrt(np.nan_to_num(x, nan=0.0)) @ w[1:]
    return np.where(np.isnan(x).any(axis=1), -math.inf, s)


def folds_of(truth: Sequence[bool], k: int, seed: int = 0) -> List[List[int]]:
    """The stratified folds of ``_evaluation.cross_validate`` (same seed, same split)."""
    rng = random.Random(seed)
    pos = [i for i, t in enumerate(truth) if t]
    neg = [i for i, t in enumerate(truth) if not t]
    rng.shuffle(pos)
    rng.shuffle(neg)
    folds: List[List[int]] = [[] for _ in range(k)]
    for j, i in enumerate(pos + neg):
        folds[j % k].append(i)
    return folds


def fit_and_threshold(x: np.ndarray, y: np.ndarray, lam: float) -> Tuple[np.ndarray, float]:
    ok = ~np.isnan(x).any(axis=1)
    w = fit_logistic(x[ok], y[ok].astype(float), lam)
    t, _ = best_threshold(list(log_odds(w, x)), list(y), True)
    return w, t


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--photos", type=Path, default=DEFAULT_PHOTOS)
    ap.add_argument("--k", type=int, default=5)
    ap.add_argument("--lam", type=float, default=3.0, help="ridge penalty on standardised weights")
    args = ap.parse_args(argv)
    rows = read_labels(args.photos)
    y = np.array([r["sharp_env"] == "1" for r in rows])
    x = measure_all(args.photos, [r["file"] for r in rows])
    unjudged = int(np.isnan(x).any(axis=1).sum())
    print(f"{len(rows)} photos, {int(y.sum())} sharp environments, {unjudged} not assessable")

    w, t = fit_and_threshold(x, y, args.lam)
    c = count(list(y), list(log_odds(w, x) >= t))
    print(f"in-sample: threshold {t:.3f}  P {fmt(c.precision)} R {fmt(c.recall)} F1 {fmt(c.f1)}")
    total = count([], [])
    for fold in folds_of(list(y), args.k):
        held = np.zeros(len(y), bool)
        held[fold] = True
        wf, tf = fit_and_threshold(x[~held], y[~held], args.lam)
        total = total + count(list(y[held]), list(log_odds(wf, x[held]) >= tf))
    print(f"nested {args.k}-fold CV (weights and threshold from the other folds): "
          f"P {fmt(total.precision)} R {fmt(total.recall)} F1 {fmt(total.f1)}")
    print("\n# paste into src/headshot_lint/measures/blur.py")
    print(f"B0 = {w[0]:.3f}\nW_DENSITY = {w[1]:.3f}\nW_DIVERSITY = {w[2]:.3f}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
