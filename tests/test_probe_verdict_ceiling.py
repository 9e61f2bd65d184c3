"""The verdict-ceiling probe scores an oracle the way fit_heads scores the stacker (generated labels)."""

import random

import numpy as np

from benchmarks.probe_verdict_ceiling import LABELS, inputs, nested_agreement


def _rows(n, verdict_of, seed=0):
    rng = random.Random(seed)
    rows = []
    for _ in range(n):
        r = {k: str(int(rng.random() < 0.3)) for k in LABELS}
        r.update(faces=rng.choice("0112"), bg_kind=rng.choice(["studio-plain", "sharp-env", "wall-plain"]))
        r["verdict"] = verdict_of(r, rng)
        rows.append(r)
    return rows


def test_a_verdict_the_labels_decide_is_recovered_and_a_random_one_is_not():
    def by_count(r, rng):
        bad = sum(r[k] == "1" for k in LABELS)
        return "good" if bad == 0 else "fair" if bad == 1 else "poor"

    decided = _rows(240, by_count)
    truth = np.array([r["verdict"] for r in decided])
    assert nested_agreement(inputs(decided)["the number of labelled problems"], truth, 0) > 0.95
    noise = _rows(240, lambda r, rng: rng.choice(["good", "fair", "poor"]), seed=1)
    truth = np.array([r["verdict"] for r in noise])
    assert nested_agreement(inputs(noise)["the eight labels"], truth, 0) < 0.5


def test_inputs_have_one_row_per_photo_and_the_documented_columns():
    rows = _rows(30, lambda r, rng: "good")
    got = inputs(rows)
    assert got["the eight labels"].shape == (30, 8)
    assert got["+ no face / several faces"].shape == (30, 10)
    assert got["the number of labelled problems"].shape == (30, 1)
