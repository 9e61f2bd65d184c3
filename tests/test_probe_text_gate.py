"""benchmarks/probe_text_gate.py on generated maps and rows (no photos, no network)."""

from __future__ import annotations

import numpy as np
import pytest

from benchmarks.probe_text_gate import cues_of, found_at_512, gate_threshold, reached_512


def test_cues_read_the_map_over_the_background_only():
    """A strong text kernel on the person does not count; one on the background does."""
    prob = np.zeros((96, 128), np.float32)
    prob[40:50, 60:70] = 0.9  # on the person
    person = np.zeros((384, 512), bool)
    person[100:300, 200:330] = True
    quiet = cues_of(prob, ~person)
    assert quiet["map_max"] == 0.0 and quiet["kernels"] == 0.0 and quiet["share_10"] == 0.0
    prob[5:9, 5:30] = 0.8  # a line in the background's corner
    loud = cues_of(prob, ~person)
    assert loud["map_max"] == pytest.approx(0.8) and loud["kernels"] == 1.0
    assert 0.0 < loud["share_05"] == loud["share_10"] < 0.05


def test_a_find_of_the_sharper_look_is_one_it_decides():
    """The 512 px look decides a photo only when text is counted with it and not without it."""
    looks = "pp-ocrv5-det at 384 px, 512 px"
    row = {"shipped": {"looks": looks, "marks": 1}, "no512": {"marks": 0}}
    assert reached_512(row) and found_at_512(row)
    assert not found_at_512({**row, "no512": {"marks": 1}})  # the 192 px look finds it anyway
    first = {"shipped": {"looks": "pp-ocrv5-det at 384 px", "marks": 2}, "no512": {"marks": 2}}
    assert not reached_512(first) and not found_at_512(first)


def test_the_gate_keeps_every_true_find_with_a_margin():
    """The threshold lies below the lowest true find by a tenth of the spread; none: no gate."""
    assert gate_threshold(np.array([0.5, 0.2, 0.9]), spread=1.0) == pytest.approx(0.1)
    assert gate_threshold(np.array([]), spread=1.0) == -np.inf
