"""Calibrate a rule's threshold on labelled photos.

    python benchmarks/calibrate.py RULE [--photos ../shared/photos] [--k 5]
    python benchmarks/calibrate.py --verdict        # the overall score's good/fair/poor bands

Sweeps the rule's warning threshold over every measured value, prints the
precision/recall points, the threshold with the best F1, and a k-fold
cross-validated F1 beside the in-sample one (overfitting shows as a gap). Paste the
chosen threshold and both figures into the rule file's ``calibration`` field.
"""

from __future__ import annotations

import argparse
import math
import sys
from pathlib import Path

sys.path[:0] = [str(Path(__file__).resolve().parents[1]), str(Path(__file__).resolve().parents[1] / "src")]

from benchmarks._evaluation import (  # noqa: E402
    LABEL_RULES, best_threshold, count, cross_validate, fmt, read_labels, run_audits, sweep,
)
from benchmarks.evaluate import DEFAULT_PHOTOS  # noqa: E402


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[1])
    ap.add_argument("rule", nargs="?", help="rule code or name, e.g. HL501 or small-size-contrast")
    ap.add_argument("--verdict", action="store_true",
                    help="calibrate the overall score's verdict bands against the verdict column instead")
    ap.add_argument("--photos", type=Path, default=DEFAULT_PHOTOS)
    ap.add_argument("--k", type=int, default=5, help="folds for cross-validation (>= 5 recommended)")
    ap.add_argument("--points", type=int, default=15, help="curve points to print")
    args = ap.parse_args(argv)

    from headshot_lint.rules import HIGHER_IS_WORSE, load_pack

    if args.verdict:
        return _verdict_bands(args)
    if not args.rule:
        ap.error("name a RULE, or pass --verdict")
    rule = load_pack().find(args.rule)
    if rule is None:
        ap.error(f"no rule {args.rule!r}")
    label = next((lab for lab, names in LABEL_RULES.items() if rule.name in names), None)
    if label is None:
        ap.error(f"no label column judges {rule.name}")
    rows = read_labels(args.photos)
    results = run_audits(args.photos, [r["file"] for r in rows])
    worse = rule.direction == HIGHER_IS_WORSE
    # A photo the rule could not judge is never flagged: give it the best possible value.
    fill = -math.inf if worse else math.inf
    values = [res.values.get(rule.name, fill) for res in results]
    truth = [r[label] == "1" for r in rows]
    print(f"{rule.code} {rule.name} vs label '{label}': {sum(truth)} positives of {len(rows)}; "
          f"{sum(v == fill for v in values)} not assessable; {rule.direction}")
    points = sweep(values, truth, worse)
    step = max(1, len(points) // args.points)
    print(f"\n{'threshold':>10} {'precision':>9} {'recall':>7} {'F1':>6}  flagged")
    for t, c in points[::step]:
        if math.isinf(t):
            continue
        print(f"{t:>10.3f} {fmt(c.precision):>9} {fmt(c.recall):>7} {fmt(c.f1):>6}  {c.tp + c.fp}")
    t, c = best_threshold(values, truth, worse)
    cv, ths = cross_validate(values, truth, worse, k=args.k)
    current = rule.warning if rule.warning is not None else rule.error
    cur = count(truth, [(v >= current) if worse else (v <= current) for v in values])
    print(f"\ncurrent threshold {current:g}: P {fmt(cur.precision)} R {fmt(cur.recall)} F1 {fmt(cur.f1)}")
    print(f"best in-sample threshold {t:.3f}: P {fmt(c.precision)} R {fmt(c.recall)} F1 {fmt(c.f1)} "
          f"(TP {c.tp} FP {c.fp} FN {c.fn})")
    print(f"{args.k}-fold cross-validated: P {fmt(cv.precision)} R {fmt(cv.recall)} F1 {fmt(cv.f1)}; "
          f"fold thresholds {', '.join(f'{x:.2f}' for x in ths)}")
    print(f'\ncalibration = "benchmarks/calibrate.py on {len(rows)} photos: threshold {t:.2f}, in-sample '
          f'F1 {fmt(c.f1)}, {args.k}-fold CV F1 {fmt(cv.f1)}"')
    return 0


def _verdict_bands(args: argparse.Namespace) -> int:
    """Grid-search the two score bands (good from G, fair from F) for agreement with the
    labelled verdicts, with a k-fold cross-validated agreement beside the in-sample one."""
    import random

    from headshot_lint.model import FAIR_FROM, GOOD_FROM

    rows = read_labels(args.photos)
    results = run_audits(args.photos, [r["file"] for r in rows])
    scores = [r.score if r.score is not None else 0.0 for r in results]
    truth = [r["verdict"] for r in rows]
    grid = [(g, f) for g in range(40, 100, 2) for f in range(20, 100, 2) if f < g]

    def agreement(idx: list, good: float, fair: float) -> float:
        hits = sum(("good" if scores[i] >= good else "fair" if scores[i] >= fair else "poor") == truth[i] for i in idx)
        return hits / len(idx)

    everyone = list(range(len(rows)))
    best = max(grid, key=lambda gf: agreement(everyone, *gf))
    order = everyone[:]
    random.Random(0).shuffle(order)
    held_hits, chosen = 0.0, []
    for f in range(args.k):
        test = order[f::args.k]
        train = [i for i in order if i not in set(test)]
        b = max(grid, key=lambda gf: agreement(train, *gf))
        chosen.append(b)
        held_hits += agreement(test, *b) * len(test)
    print(f"current bands good >= {GOOD_FROM:g}, fair >= {FAIR_FROM:g}: agreement "
          f"{agreement(everyone, GOOD_FROM, FAIR_FROM):.3f}")
    print(f"best in-sample bands good >= {best[0]}, fair >= {best[1]}: agreement {agreement(everyone, *best):.3f}")
    print(f"{args.k}-fold cross-validated agreement {held_hits / len(rows):.3f}; fold bands "
          + ", ".join(f"{g}/{f}" for g, f in chosen))
    return 0


if __name__ == "__main__":
    sys.exit(main())
