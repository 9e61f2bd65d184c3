"""benchmarks/probe_cross_values.py: every value of a report, and which become candidates."""

import math

import numpy as np

from benchmarks.probe_cross_values import candidates, values_of
from headshot_lint.model import Measurement


def test_every_numeric_value_of_every_measure_is_kept_under_its_measure_name():
    got = values_of({"a": Measurement("a", {"x": 1, "y": 0.5}), "b": Measurement("b", {"x": 2.0}),
                     "c": Measurement.not_assessable("c", "no face")})
    assert got == {"a.x": 1.0, "a.y": 0.5, "b.x": 2.0}


def test_candidates_drop_values_mostly_missing_or_constant():
    rng = np.random.default_rng(0)
    rows = [{"kept": float(v), "flat": 3.0} for v in rng.normal(size=20)]
    for r in rows[4:]:  # missing on a fifth of the photos: over the 15 % allowed
        r["rare"] = float(rng.normal())
    rows[0].pop("kept")  # missing on one photo in twenty: kept, NaN there
    names, x = candidates(rows)
    assert names == ["kept"]
    assert x.shape == (20, 1) and math.isnan(x[0, 0]) and not np.isnan(x[1:, 0]).any()
