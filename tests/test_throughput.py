"""benchmarks/throughput.py's account of where --jobs 2 loses against twice --jobs 1."""

from __future__ import annotations

import pytest

pytest.importorskip("headshot_lint.batch")
from benchmarks.throughput import shortfall  # noqa: E402


def test_the_shortfall_adds_up_and_names_contention_and_the_parent():
    """Workers 5 % slower side by side and a parent busy 2 ms a photo: those two parts, and
    what neither explains, add up to the time lost."""
    d = shortfall(jobs1_wall=30.0, jobs2_wall=16.5, cpu1=0.28, cpu2=0.294, parent2=0.4, n=100)
    assert d["lost"] == pytest.approx(1.5)
    assert d["contention"] == pytest.approx(0.7) and d["parent"] == pytest.approx(0.2)
    assert d["contention"] + d["parent"] + d["rest"] == pytest.approx(d["lost"])
    perfect = shortfall(30.0, 15.0, 0.28, 0.28, 0.0, 100)
    assert perfect == {"lost": 0.0, "contention": 0.0, "parent": 0.0, "rest": 0.0}
