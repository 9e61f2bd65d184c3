"""The text-head probe (benchmarks/probe_text_head.py) on generated data: gate thresholds, what a
gate skips and loses, the OR rule and the text-class blocks; never the labelled photos."""

from __future__ import annotations

import numpy as np

from benchmarks import probe_text_head as p
from benchmarks._evaluation import count


def test_gate_thresholds_come_from_the_training_photos_only():
    # two folds: each held-out fold's threshold sits below the *other* fold's lowest protected photo
    held_a = np.array([True, True, False, False])
    oof_a = np.array([0.0, 0.0, -1.0, -3.0])  # training photos of fold a: 2 and 3
    oof_b = np.array([-5.0, -2.0, 0.0, 0.0])  # training photos of fold b: 0 and 1
    folds = [(held_a, None, 0.0, oof_a), (~held_a, None, 0.0, oof_b)]
    protected = np.array([True, True, True, False])
    got = p.gate_thresholds(folds, protected, 0.5)
    assert np.allclose(got, [-1.5, -1.5, -5.5, -5.5])  # fold a: lowest protected training photo is 2 (-1.0)
    # the shipped recipe: the highest candidate at least GATE_MARGIN (0.75) below the lowest
    assert p.below_lowest(np.array([-1.9, 0.3]), np.array([True, True]), None) == -3.0
    assert p.below_lowest(np.array([-9.0]), np.array([True]), None) == -np.inf
    assert p.below_lowest(np.array([-9.0]), np.array([False]), 0.0) == np.inf


def test_second_gate_counts_skips_lost_finds_and_saved_ms():
    scores = np.array([-5.0, -5.0, -5.0, -5.0, 0.0, -5.0])
    reach = np.array([True, True, True, True, True, False])
    sharp = np.array([False, True, False, False, True, False])
    coarse = np.array([False, False, True, False, False, False])
    y = np.array([False, True, False, False, True, False])
    g = p.second_gate(scores, np.full(6, -1.0), reach, sharp, coarse, y)
    assert g["skipped"] == 4 and g["reach"] == 5  # photo 5 never reaches the second looks
    assert g["lost"] == 1 and g["fp_lost"] == 1  # the 512 find on text, the 192 find on none
    want = (p.SHARP_MS + p.SECOND_MS + p.SECOND_MS + p.SECOND_MS) / 6
    assert abs(g["ms"] - want) < 1e-9


def test_first_gate_reports_what_skipping_the_search_loses():
    scores = np.array([-4.0, -4.0, -4.0, -4.0, 2.0])
    searched = np.array([True, True, True, False, True])
    hit = np.array([True, True, False, False, True])
    clothing = np.array([False, False, True, False, False])
    y = np.array([True, False, False, False, True])
    g = p.first_gate(scores, np.full(5, 0.0), searched, hit, clothing, y, np.full(5, 50.0))
    assert (g["skipped"], g["text_lost"], g["tp_lost"], g["fp_lost"], g["clothing_lost"]) == (3, 1, 1, 1, 1)
    assert g["ms"] == 3 * 50.0 / 5


def test_or_rule_adds_high_scoring_photos_and_honours_the_precision_floor():
    rng = np.random.default_rng(0)
    n = 200
    y = rng.random(n) < 0.3
    hit = y & (rng.random(n) < 0.6)  # the rule finds 60 % of the text, no false alarm
    oof = np.where(y, 2.0, -2.0) + rng.normal(0, 0.5, n)
    held = np.zeros(n, bool)
    held[::5] = True
    folds = [(held, oof[held], 0.0, np.where(held, 0.0, oof))]
    got = p.or_rule(folds, hit, y)
    assert got[~held].tolist() == hit[~held].tolist()  # only the held-out fold is decided
    assert count(list(y[held]), list(got[held])).f1 > count(list(y[held]), list(hit[held])).f1
    # a floor nothing can meet leaves the rule alone
    none = p.or_rule([(held, oof[held], 0.0, np.where(held, 0.0, rng.normal(0, 1, n)))], hit, y, 1.01)
    assert none.tolist() == hit.tolist()


def test_text_classes_are_log_probabilities_of_the_named_classes():
    rng = np.random.default_rng(1)
    logits = rng.normal(0, 3, (3, 1000))
    logits[0, 919] = 40.0  # photo 0 is all "street sign"
    each, anyone = p.text_classes({"blocks": [{"logits": v} for v in logits]})
    assert each.shape == (3, len(p.TEXT_CLASSES)) and anyone.shape == (3, 1)
    assert np.all(each <= 0) and np.all(anyone <= 0)
    assert anyone[0, 0] > -1e-6  # P(any text class) = 1
    assert np.allclose(np.exp(anyone[:, 0]), np.exp(each).sum(axis=1))
