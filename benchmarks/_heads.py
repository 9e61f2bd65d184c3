"""Linear heads on the background embedding: standardise, PCA, ridge logistic regression,
collapsed into one weight vector over the raw features (what a head file stores), and
nested cross-validation with the PCA size and the ridge chosen inside each fold. numpy only."""

from __future__ import annotations

import itertools
from dataclasses import dataclass
from typing import Sequence

import numpy as np

from benchmarks._evaluation import Counts, best_threshold, count, stratified_folds
from benchmarks._logistic import fit_logistic

#: Candidate PCA sizes and ridge penalties searched inside every fold. Measured in place of this
#: head and not used (nested 5-fold CV, outer fold seeds 0-4, 2026-12-07): a shrinkage linear
#: discriminant on the standardised features (shrinkage towards the identity, 0.02-0.7, chosen by
#: the inner CV) busy 0.807 +- 0.012 / pattern 0.557 +- 0.030 / sharp_env 0.854 +- 0.011 against
#: this head's 0.817 +- 0.021 / 0.577 +- 0.017 / 0.858 +- 0.007; the sharp_env head fitted to the
#: raters' vote shares (``target``) 0.865 +- 0.013 over seeds 0-9 against 0.857 +- 0.006, paired
#: +0.008 +- 0.013 per seed: inside the spread.
COMPONENTS = (16, 32, 64, 128)
RIDGES = (1.0, 10.0, 100.0)


@dataclass(frozen=True)
class Head:
    """log-odds = bias + weights @ features (raw features, normalisation folded in)."""

    bias: float
    weights: np.ndarray
    components: int
    ridge: float

    def log_odds(self, x: np.ndarray) -> np.ndarray:
        return self.bias + x @ self.weights


def fit_head(x: np.ndarray, y: np.ndarray, components: int, ridge: float) -> Head:
    """Standardise ``x``, keep ``components`` principal components, fit a ridge logistic
    regression of ``y`` (0/1, or the share of raters who gave the label) on them; the
    weights come back over the raw features."""
    return _fit_many(x, y, [(components, ridge)])[0]


def _fit_many(x: np.ndarray, y: np.ndarray, configs: Sequence[tuple[int, float]]) -> list[Head]:
    """:func:`fit_head` for several (components, ridge) pairs sharing one decomposition."""
    mu, sd = x.mean(axis=0), x.std(axis=0) + 1e-6
    z = (x - mu) / sd
    _, _, vt = np.linalg.svd(z, full_matrices=False)
    heads = []
    for components, ridge in configs:
        basis = vt[:min(components, vt.shape[0])]
        w = fit_logistic(z @ basis.T, y.astype(float), ridge)
        raw = (basis.T @ w[1:]) / sd
        heads.append(Head(float(w[0] - raw @ mu), raw, components, ridge))
    return heads


def choose(x: np.ndarray, y: np.ndarray, k: int = 5, seed: int = 1,
           target: np.ndarray | None = None) -> tuple[int, float, float]:
    """PCA size, ridge and threshold with the best out-of-fold F1 against the labels ``y``
    (stratified ``k`` folds; the threshold is the best one on the out-of-fold log-odds).
    The heads are fitted to ``target`` (default ``y``), e.g. the share of raters who agreed."""
    target = y if target is None else target
    configs = [(c, lam) for c, lam in itertools.product(COMPONENTS, RIDGES) if c < len(y) * (k - 1) / k]
    oof = np.zeros((len(configs), len(y)))
    for fold in stratified_folds(list(y), k, seed):
        held = np.zeros(len(y), bool)
        held[fold] = True
        for j, head in enumerate(_fit_many(x[~held], target[~held], configs)):
            oof[j, held] = head.log_odds(x[held])
    best = None
    for j, (c, lam) in enumerate(configs):
        t, got = best_threshold(list(oof[j]), list(y.astype(bool)), True)
        if best is None or got.f1 > best[0]:
            best = (got.f1, c, lam, t)
    return best[1], best[2], best[3]


def nested_scores(x: np.ndarray, y: np.ndarray, k: int = 5, seed: int = 0,
                  target: np.ndarray | None = None) -> tuple[np.ndarray, np.ndarray]:
    """Held-out log-odds and decisions of every row: in each outer fold the PCA size, ridge
    and threshold are chosen by an inner CV on the other folds only."""
    scores, decided = np.zeros(len(y)), np.zeros(len(y), bool)
    for fold in stratified_folds(list(y), k, seed):
        held = np.zeros(len(y), bool)
        held[fold] = True
        tr = None if target is None else target[~held]
        c, lam, t = choose(x[~held], y[~held], target=tr)
        scores[held] = fit_head(x[~held], (y if target is None else target)[~held], c, lam).log_odds(x[held])
        decided[held] = scores[held] >= t
    return scores, decided


def out_of_fold_logistic(s: np.ndarray, y: np.ndarray, rows: np.ndarray, ridge: float, seed: int = 2) -> np.ndarray:
    """Out-of-fold values of a ridge logistic regression of ``y`` on ``s`` over the photos of
    ``rows`` (5 stratified folds of them, each judged by the weights of the others); 0 elsewhere.
    A second stage's threshold is chosen on these, never on values it was fitted on."""
    oof = np.zeros(len(y))
    idx = np.flatnonzero(rows)
    for fold in stratified_folds(list(y[idx]), 5, seed):
        inner = np.zeros(len(y), bool)
        inner[idx[fold]] = True
        w = fit_logistic(s[rows & ~inner], y[rows & ~inner].astype(float), ridge)
        oof[inner] = w[0] + s[inner] @ w[1:]
    return oof


def counts(y: Sequence[bool], decided: Sequence[bool]) -> Counts:
    return count(list(map(bool, y)), list(map(bool, decided)))
