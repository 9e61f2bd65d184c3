"""Ridge-penalised logistic regression for the rules whose value is a fitted log-odds
(``fit_blur.py``, ``fit_backlight.py``): fitting, the value, and nested cross-validation
on the stratified folds of :func:`benchmarks._evaluation.cross_validate`. numpy only."""

from __future__ import annotations

import math
from typing import Tuple

import numpy as np

from benchmarks._evaluation import Counts, count, recall_leaning_threshold, stratified_folds


def fit_logistic(x: np.ndarray, y: np.ndarray, lam: float) -> np.ndarray:
    """Weights (bias first) of a logistic regression of ``y`` on ``x`` (n, d), with ridge
    ``lam`` on the standardised features (Newton steps), returned in raw feature space."""
    mu, sd = x.mean(axis=0), x.std(axis=0) + 1e-9
    a = np.hstack([np.ones((len(x), 1)), (x - mu) / sd])
    w = np.zeros(a.shape[1])
    ridge = lam * np.eye(a.shape[1])
    ridge[0, 0] = 0.0
    for _ in range(100):
        p = 1.0 / (1.0 + np.exp(-a @ w))
        step = np.linalg.solve(a.T @ (a * (p * (1 - p))[:, None]) + ridge, a.T @ (p - y) + ridge @ w)
        w -= step
        if np.abs(step).max() < 1e-10:
            break
    raw = w[1:] / sd
    return np.concatenate([[w[0] - float(raw @ mu)], raw])


def log_odds(w: np.ndarray, x: np.ndarray) -> np.ndarray:
    """The fitted value for features ``x``; -inf on rows with a NaN (not assessable)."""
    s = w[0] + np.nan_to_num(x, nan=0.0) @ w[1:]
    return np.where(np.isnan(x).any(axis=1), -math.inf, s)


def fit_and_threshold(x: np.ndarray, y: np.ndarray, lam: float, slack: float = 0.0) -> Tuple[np.ndarray, float]:
    """Weights fitted on the assessable rows and the best-F1 threshold of their log-odds (the
    one flagging most photos within ``slack`` of the best F1: see ``recall_leaning_threshold``)."""
    ok = ~np.isnan(x).any(axis=1)
    w = fit_logistic(x[ok], y[ok].astype(float), lam)
    t, _ = recall_leaning_threshold(list(log_odds(w, x)), list(y), True, slack)
    return w, t


def nested_cv(x: np.ndarray, y: np.ndarray, lam: float, k: int = 5, seed: int = 0, slack: float = 0.0) -> Counts:
    """Pooled held-out counts, each fold judged by weights AND a threshold fitted on the others."""
    total = Counts()
    for fold in stratified_folds(list(y), k, seed):
        held = np.zeros(len(y), bool)
        held[fold] = True
        wf, tf = fit_and_threshold(x[~held], y[~held], lam, slack)
        total = total + count(list(y[held]), list(log_odds(wf, x[held]) >= tf))
    return total


def fit_ordinal(x: np.ndarray, y: np.ndarray, lam: float) -> Tuple[np.ndarray, np.ndarray]:
    """A proportional-odds (ordinal) logistic regression of ``y`` in {0, 1, 2} on ``x`` (n, d),
    ridge ``lam`` on the standardised features: one direction ``w`` and two cut points
    ``t1 < t2``, P(y >= 1) = sigmoid(s - t1), P(y >= 2) = sigmoid(s - t2), s = x . w.

    Returned as two logistic weight vectors (bias first, raw feature space): "top" gives
    P(y = 2) and "bottom" P(y = 0) = 1 - P(y >= 1), so a reader of one-vs-rest pairs reads it
    unchanged. One direction for both ends halves the weights of two one-vs-rest fits."""
    from scipy.optimize import minimize

    mu, sd = x.mean(axis=0), x.std(axis=0) + 1e-9
    z = (x - mu) / sd
    k = z.shape[1]
    y = np.asarray(y, int)

    def nll(p: np.ndarray) -> Tuple[float, np.ndarray]:
        w, t1, dt = p[:k], p[k], p[k + 1]
        t2 = t1 + math.exp(dt)
        s = z @ w
        a, b = _sigmoid(s - t1), _sigmoid(s - t2)
        mid = np.maximum(a - b, 1e-12)
        prob = np.where(y == 0, 1 - a, np.where(y == 1, mid, b))
        ds = np.where(y == 0, -a, np.where(y == 1, (a * (1 - a) - b * (1 - b)) / mid, 1 - b))
        d1 = np.where(y == 0, a, np.where(y == 1, -a * (1 - a) / mid, 0.0))
        d2 = np.where(y == 0, 0.0, np.where(y == 1, b * (1 - b) / mid, -(1 - b)))
        f = -float(np.sum(np.log(np.maximum(prob, 1e-12)))) + 0.5 * lam * float(w @ w)
        g = np.concatenate([-(z.T @ ds) + lam * w, [-float(np.sum(d1 + d2)), -float(np.sum(d2)) * math.exp(dt)]])
        return f, g

    p0 = np.zeros(k + 2)
    p0[k] = -1.0
    p = minimize(nll, p0, jac=True, method="L-BFGS-B").x
    w, t1, t2 = p[:k] / sd, p[k], p[k] + math.exp(p[k + 1])
    shift = float(w @ mu)
    top = np.concatenate([[-shift - t2], w])
    bottom = np.concatenate([[shift + t1], -w])
    return top, bottom


def _sigmoid(v: np.ndarray) -> np.ndarray:
    return 1.0 / (1.0 + np.exp(-v))
