"""Fit the HL103 unblurred-environment log-odds weights on the labelled photos.

    python benchmarks/fit_blur.py [--photos ../shared/photos] [--k 5] [--lam 3]

Measures every photo once with ``unblurred_environment`` (its two features:
``sharp_edge_density`` and ``orientation_diversity``), fits a ridge-penalised
logistic regression of the ``sharp_env`` label (bg_kind sharp-env or
outdoor-sharp) on their square roots, and prints:

- the in-sample F1 at the best threshold of the fitted log-odds;
- the nested k-fold cross-validated F1 (each held-out fold judged by weights AND a
  threshold fitted on the other folds only; same stratified folds as calibrate.py);
- the constants to paste into ``src/headshot_lint/measures/blur.py`` (B0,
  W_DENSITY, W_DIVERSITY). Then run ``benchmarks/calibrate.py HL103`` for the rule's
  threshold. numpy only; about 20 s.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Sequence

import numpy as np

sys.path[:0] = [str(Path(__file__).resolve().parents[1]), str(Path(__file__).resolve().parents[1] / "src")]

from benchmarks._evaluation import count, fmt, read_labels  # noqa: E402
from benchmarks._logistic import fit_and_threshold, log_odds, nested_cv  # noqa: E402
from benchmarks.evaluate import DEFAULT_PHOTOS  # noqa: E402

FEATURES = ("sharp_edge_density", "orientation_diversity")


def measure_all(photos: Path, files: Sequence[str]) -> np.ndarray:
    """(n, 2) raw features per photo; NaN rows where the measure could not judge."""
    from headshot_lint.load import load
    from headshot_lint.measures.blur import unblurred_environment
    from headshot_lint.scene import Scene

    out = np.full((len(files), len(FEATURES)), np.nan)
    for i, name in enumerate(files):
        m = unblurred_environment(Scene(load(photos / name)))
        if m.status == "ok":
            out[i] = [m.values[k] for k in FEATURES]
    return out


def _sqrt(x: np.ndarray) -> np.ndarray:
    """The measure combines square roots of its features (both fractions in [0, 1])."""
    return np.sqrt(x)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--photos", type=Path, default=DEFAULT_PHOTOS)
    ap.add_argument("--k", type=int, default=5)
    ap.add_argument("--lam", type=float, default=3.0, help="ridge penalty on standardised weights")
    args = ap.parse_args(argv)
    rows = read_labels(args.photos)
    y = np.array([r["sharp_env"] == "1" for r in rows])
    x = measure_all(args.photos, [r["file"] for r in rows])
    unjudged = int(np.isnan(x).any(axis=1).sum())
    print(f"{len(rows)} photos, {int(y.sum())} sharp environments, {unjudged} not assessable")

    z = _sqrt(x)
    w, t = fit_and_threshold(z, y, args.lam)
    c = count(list(y), list(log_odds(w, z) >= t))
    print(f"in-sample: threshold {t:.3f}  P {fmt(c.precision)} R {fmt(c.recall)} F1 {fmt(c.f1)}")
    total = nested_cv(z, y, args.lam, args.k)
    print(f"nested {args.k}-fold CV (weights and threshold from the other folds): "
          f"P {fmt(total.precision)} R {fmt(total.recall)} F1 {fmt(total.f1)}")
    print("\n# paste into src/headshot_lint/measures/blur.py")
    print(f"B0 = {w[0]:.3f}\nW_DENSITY = {w[1]:.3f}\nW_DIVERSITY = {w[2]:.3f}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
