"""The class-score probe (benchmarks/probe_logits.py) on generated data: the score forms, the
two-head second stage and its nested judging; never the labelled photos."""

from __future__ import annotations

import numpy as np

from benchmarks import probe_logits as p
from benchmarks._evaluation import count


def test_log_softmax_is_normalised_and_shift_free():
    rng = np.random.default_rng(0)
    z = rng.normal(0, 5, (4, 1000))
    lp = p.log_softmax(z)
    assert np.allclose(np.exp(lp).sum(axis=1), 1.0)
    assert np.allclose(lp, p.log_softmax(z + 300.0))  # no overflow, shift invariant
    forms = p.class_blocks(z[0])
    assert set(forms) == {"logits", "log_softmax", "probs"}
    assert np.allclose(forms["probs"], np.exp(forms["log_softmax"]))
    assert np.argmax(forms["probs"]) == np.argmax(z[0])


def test_background_class_scores_come_from_the_final_mean(monkeypatch):
    rng = np.random.default_rng(1)
    w, b = rng.normal(size=(1000, 1280)), rng.normal(size=1000)
    blocks = [{"final_mean": rng.normal(size=1280), "logits": rng.normal(size=1000)} for _ in range(3)]
    monkeypatch.setattr(p, "classifier", lambda: (w, b))
    got = p.block({"blocks": blocks}, "bg_log_softmax")
    want = p.log_softmax(np.array([x["final_mean"] for x in blocks]) @ w.T + b)
    assert np.allclose(got, want)
    assert np.allclose(p.block({"blocks": blocks}, "probs").sum(axis=1), 1.0)


def _problem(n: int = 160, seed: int = 0):
    """Two blocks: the label is written in the second block only."""
    rng = np.random.default_rng(seed)
    y = rng.random(n) < 0.3
    a = rng.normal(size=(n, 20))
    b = rng.normal(size=(n, 12))
    b[:, 0] += 2.5 * y
    return a, b, y


def test_a_stacked_second_head_finds_what_the_first_block_lacks():
    a, b, y = _problem()
    alone = count(list(y), list(p.nested([a], y, None, 0))).f1
    both = count(list(y), list(p.nested([a, b], y, None, 0))).f1
    assert both > alone + 0.2
    assert both > 0.7


def test_fit_multi_scores_only_the_rows_asked_and_reads_supporting_values():
    a, b, y = _problem(seed=2)
    supp = np.c_[np.where(y, 1.0, 0.0) + np.random.default_rng(3).normal(0, 0.3, len(y))]
    rows = np.ones(len(y), bool)
    rows[:40] = False
    value, t = p.fit_multi([a], y, supp, rows)
    v = value(~rows)
    assert v.shape == (40,)
    assert count(list(y[~rows]), list(v >= t)).f1 > 0.7
    # the decisions of nested_multi are a boolean per photo
    d = p.nested_multi([a, b], y, supp, 1)
    assert d.dtype == bool and d.shape == y.shape


def test_greying_touches_only_the_person():
    rng = np.random.default_rng(4)
    rgb = rng.integers(0, 255, (64, 48, 3), np.uint8)
    bg = np.ones((64, 48), bool)
    bg[20:, 12:36] = False
    out = p.greyed(rgb, bg)
    assert (out[~bg] == 128).all()
    assert (out[bg] == rgb[bg]).all()
    assert (rgb[~bg] != 128).any()  # the input is left as it was
