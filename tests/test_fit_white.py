"""benchmarks/fit_white.py chooses the band and flatness inside the folds (synthetic values,
no labelled photos)."""

from __future__ import annotations

import random

from benchmarks import fit_white


def _values(n: int = 80, seed: int = 0):
    """Two candidate pairs: one separates the labels, the other is noise."""
    rnd = random.Random(seed)
    y = [i % 4 == 0 for i in range(n)]
    good, noise = (0.08, 6), (1.0, 30)
    values = {good: [0.9 + 0.05 * rnd.random() if t else 0.5 * rnd.random() for t in y],
              noise: [rnd.random() for _ in y]}
    return values, y, good, noise


def test_the_separating_pair_is_chosen_and_judged_on_held_out_photos():
    values, y, good, noise = _values()
    pair, t, f1 = fit_white._choose(values, y, list(range(len(y))), [noise, good])
    assert pair == good and f1 == 1.0 and 0.5 <= t <= 0.9
    assert fit_white.nested(values, y, [noise, good], seeds=3) == [1.0, 1.0, 1.0]


def test_noise_alone_scores_far_below_the_separating_pair():
    values, y, _, noise = _values()
    assert max(fit_white.nested(values, y, [noise], seeds=3)) < 0.7
