"""fit_text_head's gate of HL401's second looks: kept below the true finds, never above them."""

from __future__ import annotations

import numpy as np

from benchmarks import fit_text_head as fth
from benchmarks._evaluation import stratified_folds


def test_the_gate_keeps_its_margin_below_the_lowest_true_find():
    scores = np.array([-1.9, -1.5, -0.9, -5.0])
    kept = np.array([True, True, True, False])  # the -5.0 photo's find is a false one: not kept
    assert fth.gate_threshold(scores, kept) == -3.0  # -1.9 - 0.75 = -2.65: -3.0 is the highest below
    assert fth.gate_threshold(scores, np.zeros(4, bool)) == max(fth.GATE_CANDIDATES)  # nothing to keep
    assert fth.gate_threshold(np.array([-3.5]), np.array([True])) == -np.inf  # no candidate that low: always look


def test_the_rule_with_the_gate_counts_a_second_look_find_only_where_the_gate_lets_it_run():
    marks = np.array([2, 0, 0, 0])  # the first look found text on photo 0
    reach = np.array([False, True, True, True])
    finds = np.array([False, True, True, False])
    scores = np.array([-9.0, -1.0, -4.0, 0.0])
    decided = fth.rule_with_gate(marks, reach, finds, scores, np.full(4, -3.0))
    assert decided.tolist() == [True, True, False, False]


def test_the_nested_gate_never_sits_above_a_held_out_true_find_of_its_training_folds():
    rng = np.random.default_rng(3)
    y = np.arange(100) < 30
    reach = rng.random(100) < 0.7
    finds = reach & y & (rng.random(100) < 0.3)
    scores = rng.normal(-2, 1, 100)
    gates = fth.nested_gate(y, reach, finds, scores)
    assert set(np.unique(gates)) <= set(fth.GATE_CANDIDATES) | {-np.inf}
    for fold in stratified_folds(list(y), 5, 0):
        held = np.zeros(100, bool)
        held[fold] = True
        train_finds = finds & y & ~held
        if train_finds.any():
            assert (gates[held] <= scores[train_finds].min() - fth.GATE_MARGIN).all()
