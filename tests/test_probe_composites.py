"""The composites probe (benchmarks/probe_composites.py): without composites it is the shipped
fit, a composite row's weight acts as that many copies, only real photos are judged, and the
composites it generates carry the real set's derived labels."""

from __future__ import annotations

import numpy as np

from benchmarks import _heads
from benchmarks._logistic import fit_logistic
from benchmarks.probe_composites import (Training, degrade, make_composites, make_degraded, nested, pattern_classes,
                                         weighted_logistic)


def _data(n: int = 40, m: int = 20, d: int = 12, seed: int = 0):
    rng = np.random.default_rng(seed)
    x = rng.normal(size=(n, d))
    y = x[:, 0] + 0.5 * rng.normal(size=n) > 0
    xc = rng.normal(size=(m, d)) + 0.5
    yc = xc[:, 1] > 0.5
    return x, y, xc, yc


def test_without_composites_the_fit_is_the_shipped_one():
    x, y, xc, yc = _data()
    idx = np.arange(30)
    shipped = _heads.fit_head(x[idx], y[idx], 4, 10.0)
    for tr, w in ((Training(x), 1.0), (Training(x, xc, yc), 0.0)):
        ours = tr.fit_many(y, idx, [(4, 10.0, w)])[0]
        assert np.allclose(ours.weights, shipped.weights) and np.isclose(ours.bias, shipped.bias)


def test_composites_change_the_fit():
    x, y, xc, yc = _data()
    idx = np.arange(30)
    alone = Training(x).fit_many(y, idx, [(4, 10.0, 1.0)])[0]
    mixed = Training(x, xc, yc).fit_many(y, idx, [(4, 10.0, 1.0)])[0]
    assert not np.allclose(alone.weights, mixed.weights)


def test_a_row_weight_counts_as_copies():
    x, y, xc, yc = _data()
    ones = np.ones(len(x))
    assert np.allclose(weighted_logistic(x, y.astype(float), ones, 3.0), fit_logistic(x, y.astype(float), 3.0))
    sw = np.where(np.arange(len(x)) < 10, 2.0, 1.0)
    doubled = np.concatenate([x[:10], x])
    yd = np.concatenate([y[:10], y]).astype(float)
    assert np.allclose(weighted_logistic(x, y.astype(float), sw, 3.0), fit_logistic(doubled, yd, 3.0), atol=1e-6)


def test_nested_judges_every_real_photo_and_reports_the_chosen_weights():
    x, y, xc, yc = _data(n=60)
    decided, chosen = nested(Training(x, xc, yc), y, [0.1, 1.0], seed=0)
    assert decided.shape == (60,) and len(chosen) == 5 and set(chosen) <= {0.1, 1.0}
    # the real signal is learnable: better than always saying no
    assert (decided == y).mean() > 0.6


def test_the_pca_basis_can_come_from_both():
    x, y, xc, yc = _data()
    idx = np.arange(30)
    real = Training(x, xc, yc).fit_many(y, idx, [(4, 10.0, 0.3)])[0]
    both = Training(x, xc, yc, pca_both=True).fit_many(y, idx, [(4, 10.0, 0.3)])[0]
    assert not np.allclose(real.weights, both.weights)


def test_generated_composites_carry_the_derived_labels(tmp_path):
    classes = ["busy-scene", "pattern-stripes"]
    rows = make_composites(tmp_path, [1], 1, size=160, classes=classes)
    assert [r["file"] for r in rows] == ["busy-scene-s1-0.png", "pattern-stripes-s1-0.png"]
    by = {r["path"]: r for r in rows}
    assert by["busy-scene"]["sharp_env"] == "1" and by["busy-scene"]["busy"] == "1"
    assert by["pattern-stripes"]["sharp_env"] == "0" and by["pattern-stripes"]["pattern"] == "1"
    assert "pattern-stripes" in pattern_classes() and "busy-scene" not in pattern_classes()
    stamp = (tmp_path / "busy-scene-s1-0.png").stat().st_mtime_ns
    assert make_composites(tmp_path, [1], 1, size=160, classes=classes) == rows
    assert (tmp_path / "busy-scene-s1-0.png").stat().st_mtime_ns == stamp  # reused, not redrawn


def test_degrade_blurs_the_background_and_keeps_the_subject():
    rng = np.random.default_rng(0)
    rgb = np.zeros((80, 64, 3), np.uint8)
    rgb[:, ::2] = 255  # one-pixel stripes everywhere
    alpha = np.zeros((80, 64))
    alpha[20:60, 16:48] = 1.0
    out = degrade(rgb, alpha, rng)
    assert out.shape == rgb.shape and out.dtype == np.uint8
    bg = out[:10].astype(float)
    assert bg.std() < 0.2 * rgb[:10].astype(float).std()  # stripes blurred away
    inside = out[30:50, 24:40].astype(float)
    assert np.abs(inside - rgb[30:50, 24:40]).mean() < 40  # only JPEG's loss on the subject


def test_degraded_copies_keep_the_labels_and_are_reused(tmp_path):
    rows = make_composites(tmp_path, [2], 1, size=160, classes=["pattern-brick"])
    out = tmp_path / "degraded"
    assert make_degraded(tmp_path, rows, out) == rows
    path = out / rows[0]["file"]
    first = path.read_bytes()
    stamp = path.stat().st_mtime_ns
    make_degraded(tmp_path, rows, out)
    assert path.stat().st_mtime_ns == stamp and path.read_bytes() == first
