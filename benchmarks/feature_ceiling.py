"""How far the measured values can go: every value of every measure, combined, per label.

    python benchmarks/feature_ceiling.py [--photos ../shared/photos] [--lam 1 10 100]

Each rule judges one value against one threshold. Before tuning a rule further, this asks
whether *any* combination of everything the measures already report (66 values on the
labelled photos: edge densities, periodicity, exposure, ΔE, contrasts, text counts, ...)
would separate a label better. Per label it prints the shipped rule's in-sample and 5-fold
CV F1 (its best threshold on these photos, so it may differ from the shipped one's; a photo
the rule cannot judge counts as not flagged) beside the nested 5-fold CV F1 of a ridge logistic regression over all values
(weights and threshold fitted on four folds, counted on the fifth), and, when scikit-learn
is importable (it is not a dependency: use a scratch environment), of a random forest and
gradient-boosted trees, thresholds chosen the same way on inner out-of-fold scores.

If the combined figure is not above the rule's, the values hold no more signal for that
label: a better rule needs a new measurement, not a new threshold. Values a measure could
not give (not assessable) enter as -1.

Measured on the 237 labelled photos (scikit-learn 1.9.1 in a scratch environment):

    label           rule F1  rule CV  logistic λ=1/10/100  forest  boosted
    busy              0.777    0.768  0.636 0.688 0.690     0.704    0.662
    pattern           0.452    0.452  0.448 0.493 0.432     0.465    0.529
    backlit           0.886    0.870  0.738 0.829 0.845     0.892    0.827
    camouflage        0.581    0.562  0.315 0.337 0.280     0.424    0.393
    text_logo         0.800    0.800  0.694 0.667 0.611     0.706    0.561
    low_contrast      0.582    0.582  0.556 0.508 0.492     0.575    0.535
    white_bg          0.923    0.923  0.893 0.857 0.815     0.885    0.873
    sharp_env         0.800    0.800  0.738 0.784 0.810     0.800    0.785
    multiple_faces    0.889    0.889  0.727 0.765 0.746     0.857    0.836

No combination reaches 0.85 where the single rule does not; the best gains (pattern 0.529
boosted, sharp_env 0.810 logistic) lie inside the rules' own 95 % bootstrap intervals
(docs/accuracy.md).
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

sys.path[:0] = [str(Path(__file__).resolve().parents[1]), str(Path(__file__).resolve().parents[1] / "src")]

import numpy as np  # noqa: E402

from benchmarks._evaluation import (  # noqa: E402
    LABEL_RULES, best_threshold, count, cross_validate, derived_labels, fmt, read_labels, stratified_folds,
)
from benchmarks._logistic import nested_cv  # noqa: E402
from benchmarks.evaluate import DEFAULT_PHOTOS  # noqa: E402

#: Rows with fewer positives than this are not worth fitting (the face-count labels are
#: judged by counts, not by a mix of background values).
_MIN_POSITIVES = 20


def collect(photos: Path, files: list) -> tuple:
    """(matrix (photos, values) with NaN -> -1, value names, {rule name: rule value per photo})."""
    from headshot_lint.engine import audit
    from headshot_lint.rules import load_pack

    rules = load_pack("default").select(["ALL"])
    per_photo, judged = [], {r.name: [] for r in rules}
    for name in files:
        report = audit(photos / name, rules=rules)
        per_photo.append({f"{m}.{k}": float(v) for m, meas in report.measurements.items()
                          for k, v in meas.values.items()})
        for r in rules:
            m = report.measurements.get(r.measure)
            judged[r.name].append(float(m.values[r.value]) if m is not None and r.value in m.values
                                  else float("nan"))
    names = sorted({k for p in per_photo for k in p})
    x = np.array([[p.get(k, np.nan) for k in names] for p in per_photo])
    return np.where(np.isnan(x), -1.0, x), names, judged, {r.name: r for r in rules}


def _sklearn_nested(x: np.ndarray, y: np.ndarray, make, k: int = 5, seed: int = 0) -> float:
    """Nested CV F1 of a scikit-learn classifier: inner out-of-fold scores pick the threshold."""
    from sklearn.model_selection import StratifiedKFold, cross_val_predict

    pred = np.zeros(len(y), bool)
    for fold in stratified_folds(list(y), k, seed):
        held = np.zeros(len(y), bool)
        held[fold] = True
        inner = cross_val_predict(make(), x[~held], y[~held], method="predict_proba",
                                  cv=StratifiedKFold(4, shuffle=True, random_state=seed))[:, 1]
        t, _ = best_threshold(list(inner), list(y[~held]), True)
        pred[held] = make().fit(x[~held], y[~held]).predict_proba(x[held])[:, 1] >= t
    return count(list(y), list(pred)).f1


def _sklearn_models() -> dict:
    try:
        from sklearn.ensemble import HistGradientBoostingClassifier, RandomForestClassifier
    except ImportError:
        return {}
    return {"forest": lambda: RandomForestClassifier(300, min_samples_leaf=3, class_weight="balanced",
                                                     random_state=0, n_jobs=1),
            "boosted": lambda: HistGradientBoostingClassifier(max_depth=3, learning_rate=0.05, max_iter=150,
                                                              random_state=0)}


def main(argv: list | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--photos", type=Path, default=DEFAULT_PHOTOS, help="folder with JPEGs and labels.csv")
    ap.add_argument("--lam", type=float, nargs="+", default=[1.0, 10.0, 100.0],
                    help="ridge strengths tried for the logistic regression (each reported)")
    args = ap.parse_args(argv)
    rows = read_labels(args.photos)
    x, names, judged, rules = collect(args.photos, [r["file"] for r in rows])
    models = _sklearn_models()
    print(f"{len(rows)} photos, {len(names)} values per photo"
          + ("" if models else "; scikit-learn not installed: logistic regression only"))
    head = ["label", "rule", "rule F1", "rule CV"] + [f"logistic λ={lam:g}" for lam in args.lam] + list(models)
    print("| " + " | ".join(head) + " |\n|" + "---|" * len(head))
    for label, rule_names in LABEL_RULES.items():
        y = np.array([(derived_labels(r).get(label) or r.get(label)) == "1" for r in rows])
        if y.sum() < _MIN_POSITIVES:
            continue
        rule = rules[rule_names[0]]
        worse = rule.direction == "higher-is-worse"
        # a photo the rule cannot judge is not flagged, as in evaluate.py: every column counts all photos
        never = -np.inf if worse else np.inf
        vals = [never if np.isnan(val) else val for val in judged[rule.name]]
        truth = [bool(t) for t in y]
        _, own = best_threshold(vals, truth, worse)
        own_cv, _ = cross_validate(vals, truth, worse)
        cells = [label, rule.name, fmt(own.f1), fmt(own_cv.f1)]
        cells += [fmt(nested_cv(x, y, lam).f1) for lam in args.lam]
        cells += [fmt(_sklearn_nested(x, y, make)) for make in models.values()]
        print("| " + " | ".join(cells) + " |", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
