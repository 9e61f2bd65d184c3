"""A short mutation-fuzz run inside the suite (benchmarks/fuzz.py runs the long one):
bad bytes never crash ``load``/``audit`` and never hang."""

from __future__ import annotations

import functools
import time

from benchmarks import fuzz


def test_short_fuzz_run_has_no_crash_and_no_hang(tmp_path):
    """300 mutated JPEG/PNG/GIF/WebP/TIFF inputs: load raises only LoadError, audit never raises, none stuck.

    "Stuck" is 60 s for an 80 px input: a real hang never answers, while a shared 2-core
    machine under a load of 14 once took over 10 s for one input (this is not a speed test).

    Every input is loaded; every unreadable one and a third of the readable ones are audited
    in full (the long benchmark run audits all of them).
    """
    check = functools.partial(fuzz.check_contract, audit_every=3)
    res = fuzz.run(300, seed=11, timeout=60.0, out=str(tmp_path), side=80, check=check)
    detail = "\n".join(f"i={i} {desc}: {msg.strip().splitlines()[-1]}" for i, desc, msg in res.crashes[:5])
    assert not res.crashes, f"{len(res.crashes)} crashes (re-make with fuzz.make_input(11, i, ...)):\n{detail}"
    assert not res.hangs, res.hangs
    assert sum(res.outcomes.values()) == 300
    assert res.outcomes["loaded"] > 20 and res.outcomes["corrupt-image"] > 20  # both paths exercised


def test_inputs_are_reproducible_from_seed_and_index():
    """make_input(seed, i) depends only on (seed, i): a saved finding can be re-made."""
    seeds = fuzz.make_seeds(64)
    assert fuzz.make_input(5, 42, seeds) == fuzz.make_input(5, 42, seeds)
    assert fuzz.make_input(5, 42, seeds) != fuzz.make_input(5, 43, seeds)


def _picky(data: bytes) -> str:
    """A stand-in contract: raises for some inputs, hangs on others."""
    if data[-1] % 7 == 0:
        raise RuntimeError("boom")
    if data[-1] % 7 == 1:
        time.sleep(30)
    return "loaded"


def test_fuzzer_reports_crashes_and_hangs_and_saves_them(tmp_path):
    """The harness itself sees an exception as a crash and a stuck input as a hang, and saves both."""
    res = fuzz.run(12, seed=3, timeout=0.5, out=str(tmp_path), check=_picky, side=32)
    assert res.crashes and res.hangs
    saved = {p.name.split(".")[1] for p in tmp_path.glob("*.bin")}
    assert saved == {"crash", "hang"}
    assert len(res.crashes) + len(res.hangs) + sum(res.outcomes.values()) == 12


def test_mutators_never_raise_on_any_seed():
    """Every mutator copes with every seed, including tiny and truncated data."""
    seeds = fuzz.make_seeds(32) + [("tiny", b"\xff\xd8"), ("png-sig", b"\x89PNG\r\n\x1a\n")]
    for i in range(400):
        fuzz.make_input(9, i, seeds)
