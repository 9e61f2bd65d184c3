"""How well could the overall score agree with people if every rule were perfect? (issue #19)

    python benchmarks/probe_verdict_ceiling.py [--photos ../shared/photos] [--seeds 10]

The overall score's target is 0.80 agreement with the three-rater verdict (nested CV; the
stacker reached 0.763 when this was measured, 0.776 +- 0.004 now its verdict heads also read
the ImageNet class scores: ``probe_verdict.py``). This probe asks how much of the
verdict the eight labelled problems explain at all: it gives the verdict stacker of
``fit_heads.py`` (the same ordinal ridge logistic regression, ``fit_stacker``, and the same
whole-number bands, ``best_bands``) the raters' *own* consensus labels in place of the rules'
qualities, an oracle no rule can beat, and scores it by nested 5-fold CV (stacker and bands
fitted without the held-out fold), mean +- sd over ``--seeds`` fold shuffles. Variants add the
face count (none / several) and the labelled backdrop kind (``bg_kind``).

Measured 2026-12-07 on the 321 photos (10 seeds):

=====================================================  ===============
inputs (consensus labels, not rule outputs)            agreement
=====================================================  ===============
the eight labels (busy ... sharp_env)                  0.769 +- 0.010
... + no face / several faces                          0.773 +- 0.009
... + the backdrop kind (9 classes)                    0.747 +- 0.007
the number of labelled problems alone                  0.721 +- 0.011
=====================================================  ===============

So a score built from perfect detectors of the eight problems would agree with people on
about 77 % of photos, less than the 0.80 aimed at: people's verdict weighs more than which
problems a photo has (how strongly, how many at once, the photo's look as a whole). The
score (0.763 then) was already near that bound; what lifts it further is the learned verdict
heads on the embedding, which see the whole background, not better rules alone.
"""

from __future__ import annotations

import argparse
import statistics
import sys
from pathlib import Path
from typing import Dict, List, Sequence

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT), str(ROOT / "src")]

from benchmarks._evaluation import read_labels, stratified_folds  # noqa: E402
from benchmarks.evaluate import DEFAULT_PHOTOS  # noqa: E402
from benchmarks.fit_heads import band, best_bands, fit_stacker, stacked_quality  # noqa: E402

LABELS = ("busy", "pattern", "backlit", "camouflage", "text_logo", "low_contrast", "white_bg", "sharp_env")


def inputs(rows: Sequence[Dict[str, str]]) -> Dict[str, np.ndarray]:
    """The oracle input sets, one row per photo: 0/1 columns from the consensus labels."""
    labels = np.array([[float(r[k] == "1") for k in LABELS] for r in rows])
    faces = np.array([[float(r["faces"] == "0"), float(r["faces"] not in ("0", "1"))] for r in rows])
    kinds = sorted({r["bg_kind"] for r in rows})
    kind = np.array([[float(r["bg_kind"] == k) for k in kinds] for r in rows])
    return {"the eight labels": labels, "+ no face / several faces": np.hstack([labels, faces]),
            "+ the backdrop kind": np.hstack([labels, kind]),
            "the number of labelled problems": labels.sum(axis=1, keepdims=True)}


def nested_agreement(x: np.ndarray, truth: np.ndarray, seed: int) -> float:
    """Agreement of the banded stacked score with ``truth`` (good / fair / poor), each fold
    judged by a stacker and bands fitted on the other four."""
    predicted = np.empty(len(truth), dtype=object)
    for fold in stratified_folds(list(truth == "good"), 5, seed):
        held = np.zeros(len(truth), bool)
        held[fold] = True
        stacker = fit_stacker(x, truth, ~held)
        good, fair, _ = best_bands(stacked_quality(stacker, x[~held]), truth[~held])
        predicted[held] = band(stacked_quality(stacker, x[held]), good, fair)
    return float(np.mean(predicted == truth))


def main(argv: List[str] | None = None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--photos", type=Path, default=DEFAULT_PHOTOS)
    ap.add_argument("--seeds", type=int, default=10)
    args = ap.parse_args(argv)
    rows = read_labels(args.photos)
    truth = np.array([r["verdict"] for r in rows])
    print(f"{len(rows)} photos; nested 5-fold agreement with the consensus verdict over {args.seeds} seeds")
    for name, x in inputs(rows).items():
        got = [nested_agreement(x, truth, s) for s in range(args.seeds)]
        print(f"  {name:<36} {statistics.mean(got):.3f} +- {statistics.pstdev(got):.3f}")


if __name__ == "__main__":
    main()
