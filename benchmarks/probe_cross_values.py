"""Probe: do the other rules' measured values help HL302 camouflage or HL501 small-size contrast? No.

    python benchmarks/probe_cross_values.py [--photos ../shared/photos] [--seeds 5] [--jobs 2]

Every labelled photo is audited once with every rule selected (``--jobs`` processes, cached in
the temp folder by ``_evaluation.feature_cache``) and every numeric value of every measure is
kept: 69 values that are present on at least 85 % of the photos and not constant (face size,
busy / environment / pattern log-odds, backlight stops, tone, white clipping, text counts, the
skin-tone and thumbnail values, ...). For each of the two weakest rules, against its label:

- the rule's judged value through the same logistic + threshold machinery (the baseline);
- forward selection from the rule's value (inner-CV deviance, ridge 1 or 10, at most 4 values),
  weights and best-F1 threshold fitted inside each outer fold (``probe_small_size.forward`` and
  ``nested``: photos the rule cannot judge are not flagged);

nested 5-fold F1 over ``--seeds`` fold shuffles, mean +- sd, and the values picked most often.

Result (2026-12-07, 321 photos, fold seeds 0-4)::

    label         judged value                        alone            + other values
    camouflage    clothing_camouflage.lost_fraction   0.533 +- 0.007   0.465 +- 0.018
    low_contrast  small_size_contrast.evidence        0.582 +- 0.003   0.432 +- 0.031

Single values rank the rule's own family first (AUC: lost_fraction 0.77, its worst and median
ΔE2000 0.70-0.73, then face height and the busy log-odds 0.61; for low contrast melted_48 0.75,
the skin-tone ΔE2000 0.74, the other thumbnail values 0.73). What selection adds (face height,
the thumbnail evidence and unread text lines for camouflage; the backlight's lit-side stops, the
WCAG ratio beside the head and the environment log-odds for low contrast) lowers the deviance on
the training folds but costs 0.07-0.15 F1 held out. Nothing shipped.
"""

from __future__ import annotations

import argparse
import math
import pickle
import statistics
import sys
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path
from typing import Dict, List, Sequence, Tuple

sys.path[:0] = [str(Path(__file__).resolve().parents[1]), str(Path(__file__).resolve().parents[1] / "src")]

import numpy as np  # noqa: E402

from benchmarks._evaluation import auc, count, feature_cache, read_labels  # noqa: E402
from benchmarks.evaluate import DEFAULT_PHOTOS  # noqa: E402
from benchmarks.probe_small_size import forward, nested  # noqa: E402

#: label -> the value its rule judges (higher is worse for both).
RULES = {"camouflage": "clothing_camouflage.lost_fraction", "low_contrast": "small_size_contrast.evidence"}
#: A value enters the candidates when at most this share of photos lacks it.
MAX_MISSING = 0.15


def values_of(measurements: dict) -> Dict[str, float]:
    """Every numeric value of a report's measurements, keyed "measure.value"."""
    return {f"{name}.{key}": float(v) for name, m in measurements.items() for key, v in m.values.items()
            if isinstance(v, (int, float)) and not isinstance(v, bool)}


def _audit(path: str) -> Dict[str, float]:
    import cv2

    cv2.setNumThreads(1)
    from headshot_lint.engine import audit
    from headshot_lint.rules import load_pack

    return values_of(audit(path, rules=load_pack("default").select(["ALL"])).measurements)


def measure_all(photos: Path, files: Sequence[str], jobs: int) -> List[Dict[str, float]]:
    """Every value of every photo, in ``files`` order (cached in the temp folder)."""
    cache = feature_cache(photos, files, "probe-cross-values")
    if cache.exists():
        with open(cache, "rb") as f:
            return pickle.load(f)
    with ProcessPoolExecutor(jobs) as pool:
        rows = list(pool.map(_audit, [str(photos / n) for n in files], chunksize=4))
    with open(cache, "wb") as f:
        pickle.dump(rows, f)
    return rows


def candidates(rows: Sequence[Dict[str, float]], max_missing: float = MAX_MISSING) -> Tuple[List[str], np.ndarray]:
    """(names, matrix with NaN where missing) of the values present on all but ``max_missing``
    of the photos and not constant."""
    names = sorted({k for r in rows for k in r})
    x = np.array([[r.get(k, math.nan) for k in names] for r in rows], float)
    keep = [j for j in range(len(names)) if np.isnan(x[:, j]).mean() <= max_missing
            and np.nanstd(x[:, j]) > 0]
    return [names[j] for j in keep], x[:, keep]


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--photos", type=Path, default=DEFAULT_PHOTOS)
    ap.add_argument("--seeds", type=int, default=5)
    ap.add_argument("--jobs", type=int, default=2)
    args = ap.parse_args(argv)
    labels = read_labels(args.photos)
    names, x = candidates(measure_all(args.photos, [r["file"] for r in labels], args.jobs))
    print(f"{len(names)} values on {len(labels)} photos")
    for label, judged in RULES.items():
        y = np.array([r[label] == "1" for r in labels])
        base = names.index(judged)
        ranked = sorted(((abs(auc(list(x[:, j]), list(y)) - 0.5) + 0.5, names[j]) for j in range(len(names))),
                        reverse=True)[:8]
        print(f"\n{label}: single values by AUC: " + ", ".join(f"{n} {a:.2f}" for a, n in ranked))
        judged_ok = ~np.isnan(x[:, base])
        for tag, most in (("alone", 1), ("+ other values", 4)):
            f1, picked = [], {}
            for seed in range(args.seeds):
                pred, picks = nested(x, y, y.astype(float), judged_ok, seed,
                                     lambda xt, tt, yt: forward(xt, tt, yt, (base,), most, (1.0, 10.0)))
                f1.append(count(list(y), list(pred)).f1)
                for cols in picks:
                    for j in cols[1:]:
                        picked[names[j]] = picked.get(names[j], 0) + 1
            top = sorted(picked.items(), key=lambda kv: -kv[1])[:6]
            print(f"  {judged} {tag:15s} nested F1 {statistics.mean(f1):.3f} +- {statistics.pstdev(f1):.3f}"
                  + (f"; picked: {top}" if top else ""))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
