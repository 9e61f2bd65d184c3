"""Calibrate HL302 clothing-camouflage and HL501 small-size-contrast on the labelled photos.

    python benchmarks/fit_subject.py [--photos ../shared/photos] [--dump values.json] [--seeds 5] [--write]

Measures every photo once with ``clothing_camouflage`` and ``small_size_contrast``
(``--dump`` keeps the values, and a later run with the same ``--dump`` reads them
instead of measuring again). HL501 judges a log-odds of two values: the script fits
its weights (ridge-penalised logistic regression, ``--lam``) and with ``--write``
stores them in ``rules/heads/low_contrast.json``; it prints the
threshold of each rule for its TOML. For the fitted log-odds and for each single
candidate value (baselines) it reports:

- the best-F1 threshold on all photos and its in-sample P/R/F1 with confusion counts;
- the cross-validated figure: stratified 5-fold, each held-out fold judged by weights
  and a threshold fitted on the other four only (nested), pooled over folds, mean F1
  over ``--seeds`` shuffles;
- both again on the unanimous photos only (``agree_<label> == 3``), with the
  threshold still chosen on all photos (held out as above);
- the median CPU time of each measure per photo, perception done beforehand (faces,
  matte and the scene's shared views are not the measure's cost), and the photos the
  rule still gets wrong. A photo the measure cannot judge counts as not flagged.
"""

from __future__ import annotations

import argparse
import json
import math
import statistics
import sys
import time
from pathlib import Path
from typing import Dict, List, Sequence, Tuple

sys.path[:0] = [str(Path(__file__).resolve().parents[1]), str(Path(__file__).resolve().parents[1] / "src")]

import numpy as np  # noqa: E402

from benchmarks._evaluation import Counts, best_threshold, count, fmt, read_labels, stratified_folds  # noqa: E402
from benchmarks._logistic import fit_and_threshold, log_odds  # noqa: E402
from benchmarks.evaluate import DEFAULT_PHOTOS  # noqa: E402

#: rule -> (label, measure, candidate values (the judged one first) with their direction).
RULES: Dict[str, Tuple[str, str, Tuple[Tuple[str, bool], ...]]] = {
    "HL302": ("camouflage", "clothing_camouflage",
              (("lost_fraction", True), ("median_delta_e", False), ("median_delta_l", False))),
    "HL501": ("low_contrast", "small_size_contrast",
              (("evidence", True), ("melted_48", True), ("background_delta_e_48", False), ("melted_32", True),
               ("background_delta_e_32", False), ("contrast_near", False))),
}
#: rule -> the values its log-odds weighs (fitted here); rules absent judge one value.
FITTED = {"HL501": ("melted_48", "background_delta_e_48")}
WEIGHTS = Path(__file__).resolve().parents[1] / "rules" / "heads" / "low_contrast.json"


def measure_all(photos: Path, files: Sequence[str]) -> Dict[str, dict]:
    """{file: {measure: values or None, measure + "_ms": seconds * 1000}} for every photo."""
    from headshot_lint.load import load
    from headshot_lint.measures import call, specs
    from headshot_lint.measures._views import half_view, skin_lab
    from headshot_lint.scene import Scene

    sp = specs()
    out: Dict[str, dict] = {}
    for name in files:
        scene = Scene(load(photos / name))
        row: dict = {}
        # perception and the shared views first: they are not either measure's cost
        _ = (scene.faces, scene.face, scene.landmarks, scene.matte, scene.person_mask, scene.skin_mask,
             scene.head_ring, scene.lab, scene.luminance, scene.faces_on_person)
        if scene.face is not None:
            skin_lab(scene)
        half_view(scene)  # shared with the tone and backlight measures; the thumbnails are HL501's own cost
        for _, measure, _ in RULES.values():
            t0 = time.process_time()  # CPU time of this process (all threads): on a shared machine
            m = call(sp[measure], scene)  # wall time mostly measures the other processes
            row[measure + "_ms"] = 1000 * (time.process_time() - t0)
            row[measure] = dict(m.values) if m.status == "ok" else None
        out[name] = row
    return out


def _value(row: dict, measure: str, key: str, higher_is_worse: bool) -> float:
    v = (row.get(measure) or {}).get(key)
    return (-math.inf if higher_is_worse else math.inf) if v is None else float(v)


def held_out(values: Sequence[float], truth: Sequence[bool], higher_is_worse: bool, seed: int) -> List[bool]:
    """Each photo's prediction by a threshold chosen on the folds it is not in."""
    pred = [False] * len(values)
    for fold in stratified_folds(truth, 5, seed):
        held = set(fold)
        train = [i for i in range(len(values)) if i not in held]
        t, _ = best_threshold([values[i] for i in train], [truth[i] for i in train], higher_is_worse)
        for i in fold:
            pred[i] = values[i] >= t if higher_is_worse else values[i] <= t
    return pred


def held_out_fitted(x: np.ndarray, truth: Sequence[bool], lam: float, seed: int) -> List[bool]:
    """Each photo's prediction by log-odds weights and a threshold fitted on the folds it is not in."""
    y = np.array(truth)
    pred = [False] * len(y)
    for fold in stratified_folds(list(truth), 5, seed):
        held = np.zeros(len(y), bool)
        held[fold] = True
        w, t = fit_and_threshold(x[~held], y[~held], lam)
        for i, p in zip(fold, log_odds(w, x[fold]) >= t):
            pred[i] = bool(p)
    return pred


def _line(tag: str, c: Counts) -> str:
    return (f"{tag:<28} P {fmt(c.precision)} R {fmt(c.recall)} F1 {fmt(c.f1)}  "
            f"(TP {c.tp} FP {c.fp} FN {c.fn} TN {c.tn})")


def report(rows: List[dict], data: Dict[str, dict], seeds: int, lam: float, write: bool,
           photos: Path) -> None:
    files = [r["file"] for r in rows]
    for code, (label, measure, candidates) in RULES.items():
        truth = [r[label] == "1" for r in rows]
        unanimous = [r.get(f"agree_{label}") == "3" for r in rows]
        judged = sum(data[f][measure] is not None for f in files)
        print(f"\n== {code} {measure} against '{label}': {sum(truth)} positives of {len(rows)}, "
              f"{len(rows) - judged} not judged; {sum(unanimous)} unanimous photos")
        fitted = FITTED.get(code)
        if fitted:
            x = np.array([[(data[f][measure] or {}).get(k, math.nan) for k in fitted] for f in files], float)
            w, _ = fit_and_threshold(x, np.array(truth), lam)
            print(f"log-odds weights (lambda {lam}): b0 {w[0]:.4f}, " + ", ".join(
                f"{k} {wk:.4f}" for k, wk in zip(fitted, w[1:])))
        for j, (key, hi) in enumerate(candidates):
            if fitted and key == "evidence":
                v = list(log_odds(w, x))
                pred_cv = held_out_fitted(x, truth, lam, 0)
                cv_f1 = statistics.mean(count(truth, held_out_fitted(x, truth, lam, s)).f1 for s in range(seeds))
            else:
                v = [_value(data[f], measure, key, hi) for f in files]
                pred_cv = held_out(v, truth, hi, 0)
                cv_f1 = statistics.mean(count(truth, held_out(v, truth, hi, s)).f1 for s in range(seeds))
            t, c = best_threshold(v, truth, hi)
            pred_in = [x_ >= t if hi else x_ <= t for x_ in v]
            print(f"-- {key} ({'higher' if hi else 'lower'} is worse){' [judged by the rule]' if j == 0 else ''}: "
                  f"threshold {t:.4g}" + (f" (stands_out {1 / (1 + math.exp(t)):.4f}, lower is worse)"
                                          if fitted and key == "evidence" else ""))
            print(_line("  in-sample, all", c))
            print(_line("  5-fold CV, all", count(truth, pred_cv)) + f"  mean F1 over {seeds} shuffles {fmt(cv_f1)}")
            sub = [i for i, u in enumerate(unanimous) if u]
            print(_line("  in-sample, unanimous", count([truth[i] for i in sub], [pred_in[i] for i in sub])))
            print(_line("  5-fold CV, unanimous", count([truth[i] for i in sub], [pred_cv[i] for i in sub])))
            if write and fitted and key == "evidence":
                def both(pred: Sequence[bool]) -> dict:
                    return {"all": _figures(truth, pred),
                            "unanimous": _figures([truth[i] for i in sub], [pred[i] for i in sub])}

                _write_weights(label, len(rows), lam, fitted, w, {
                    "source": f"benchmarks/fit_subject.py output of the fit that wrote these weights (log-odds "
                              f"threshold {t:.4g} for the rule file); nested_cv: fold seed 0",
                    "in_sample": both(pred_in), "nested_cv": both(pred_cv),
                    "nested_cv_mean_f1": {"seeds": seeds, "f1": round(cv_f1, 3)}}, photos)
            if j == 0:
                fn = [f for f, y, p in zip(files, truth, pred_cv) if y and not p]
                fp = [f for f, y, p in zip(files, truth, pred_cv) if p and not y]
                print(f"  still missed (CV): {', '.join(fn)}")
                print(f"  false alarms (CV): {', '.join(fp)}")
        ms = sorted(data[f][measure + "_ms"] for f in files)
        print(f"  CPU time per photo: median {statistics.median(ms):.1f} ms, 90th percentile {ms[int(0.9 * len(ms))]:.1f} ms")


def _figures(truth: Sequence[bool], pred: Sequence[bool]) -> dict:
    c = count([bool(v) for v in truth], [bool(v) for v in pred])
    return {"tp": c.tp, "fp": c.fp, "fn": c.fn, "tn": c.tn, "precision": round(float(c.precision), 3),
            "recall": round(float(c.recall), 3), "f1": round(float(c.f1), 3)}


def _write_weights(label: str, photos_n: int, lam: float, fitted: Sequence[str], w: np.ndarray, figures: dict,
                   photos: Path) -> None:
    """Store HL501's weights with the ``figures`` of the fit that made them (what evaluate.py
    reports as the rule's nested figure) and the digest of the labels they were fitted on."""
    from benchmarks.fit_heads import labels_digest

    WEIGHTS.write_text(json.dumps({
        "name": "low_contrast", "label": label, "photos": photos_n, "labels_sha256": labels_digest(photos),
        "fitted_by": f"benchmarks/fit_subject.py --lam {lam} on {photos_n} labelled photos ('{label}')",
        "weights": {"b0": round(float(w[0]), 4), **{k: round(float(wk), 4) for k, wk in zip(fitted, w[1:])}},
        "figures": figures}, indent=1) + "\n")
    print(f"wrote {WEIGHTS}")


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--photos", type=Path, default=DEFAULT_PHOTOS)
    ap.add_argument("--dump", type=Path, help="JSON of the measured values: read if it exists, else written")
    ap.add_argument("--seeds", type=int, default=5, help="fold shuffles to average the CV F1 over")
    ap.add_argument("--lam", type=float, default=10.0, help="ridge penalty on the standardised weights")
    ap.add_argument("--write", action="store_true", help="store the fitted HL501 weights in the package")
    args = ap.parse_args(argv)
    rows = read_labels(args.photos)
    if args.dump and args.dump.exists():
        data = json.loads(args.dump.read_text())
    else:
        data = measure_all(args.photos, [r["file"] for r in rows])
        if args.dump:
            args.dump.write_text(json.dumps(data))
    report(rows, data, args.seeds, args.lam, args.write, args.photos)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
