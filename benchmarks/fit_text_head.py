"""Fit the text/logo head on the background embedding (HL401), and the gate it gives the text
search's second looks; write ``rules/heads/text_logo.json``.

    python benchmarks/fit_text_head.py [--photos ../shared/photos] [--cache FILE]
                                       [--text-cache FILE] [--write]

1. Features: the pooled embedding blocks and every measure's values per photo, as
   ``benchmarks/fit_heads.py`` measures them (``--cache``: its pickle); the text search's
   looks per photo as ``benchmarks/fit_text.py`` measures them (``--text-cache``: its JSON,
   which records, where the first look counted nothing, what each second look finds).
2. Can the head judge HL401? Against the ``text_logo`` label, nested 5-fold CV (PCA size,
   ridge and threshold chosen inside each fold; ``benchmarks/_heads.py``): the head alone,
   and the head stacked with the text search's counts (text lines, unread lines, watermarks,
   repeated marks; log(1 + n)), beside the rule (``text_marks >= 1``); P/R/F1, confusion
   counts and the F1's 95 % bootstrap interval, all photos and unanimous ones.
3. The gate: each photo's held-out head log-odds (nested CV), and for candidate thresholds
   how many of the photos that reach the second looks would skip them, how many of the
   second looks' finds would be lost, and how many labelled photos with text are among the
   skipped. The threshold written is the highest candidate that loses no find and keeps a
   ``GATE_MARGIN`` log-odds margin below the lowest find.
4. HL401 as it judges with the gate (``text_marks >= 1``; a second looks' find is lost where
   the gate skips them), in-sample and nested (head and gate threshold chosen without the
   held-out fold): these are the file's ``figures`` (what ``evaluate.py`` reports for the
   rules naming the file); the head's own figures go to ``head_figures``.
5. ``--write``: the head fitted on all photos (weights over the raw layout), its threshold
   for the label, ``skip_second_looks_below``, the figures and the sha256 of labels.csv.

The layout is ``fit_heads.LAYOUT``. The network's ImageNet class scores (``logits``, which lift
the verdict heads) were tried here by ``benchmarks/probe_text_head.py`` (nested 5-fold CV, fold
seeds 0-4): the head alone 0.572 +- 0.029 -> 0.521 +- 0.027 F1 (AUC 0.808 -> 0.783), stacked with
the counts 0.792 -> 0.789, the gate no more photos skipped at no find lost, HL401 OR the head
below HL401 alone: not used. The text cache records ``text_marks`` as the search ran *with* the
gate then shipped, so the second looks' finds are read from its ``second`` entries (what each
look finds, gated or not), and the gate keeps the *true* finds (photos labelled text): losing a
false find is a gain (one, ``human_stock-models-14``, on the labelled photos in 2026-12).
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT), str(ROOT / "src")]

from benchmarks import fit_heads as fh  # noqa: E402
from benchmarks._evaluation import count, read_labels, stratified_folds  # noqa: E402
from benchmarks._heads import choose, fit_head, nested_scores  # noqa: E402
from benchmarks.evaluate import DEFAULT_PHOTOS  # noqa: E402
from headshot_lint.measures import text  # noqa: E402

NAME, LABEL = "text_logo", "text_logo"
#: The text search's counts the stacked head reads beside its log-odds (log(1 + n)).
STACK_INPUTS = ("text_marks", "unread_lines", "watermarks", "logo_marks")
#: Gate thresholds tried, log-odds; the written one keeps this margin below the lowest true find.
GATE_CANDIDATES = (-4.0, -3.5, -3.0, -2.5, -2.0, -1.5, -1.0)
GATE_MARGIN = 0.75


def _show(title: str, y: np.ndarray, decided: np.ndarray, unanimous: np.ndarray) -> dict:
    fig = fh.figures(y, decided, unanimous)
    for part, keep in (("all", np.ones(len(y), bool)), ("unanimous", unanimous)):
        c = count(list(y[keep]), list(decided[keep]))
        f = fig[part]
        print(f"  {title:<34} {part:<9} TP {c.tp:3d} FP {c.fp:3d} FN {c.fn:3d} TN {c.tn:3d}  P {f['precision']} "
              f"R {f['recall']} F1 {f['f1']} [{f['f1_95'][0]}, {f['f1_95'][1]}]")
    return fig


def gate_threshold(scores: np.ndarray, kept: np.ndarray) -> float:
    """The highest of ``GATE_CANDIDATES`` lying ``GATE_MARGIN`` below the lowest of ``scores``
    (log-odds) over ``kept`` (the photos whose text only the second looks find); -inf, so the
    second looks always run, when no candidate is that low."""
    lowest = float(scores[kept].min()) if kept.any() else float("inf")
    return max([t for t in GATE_CANDIDATES if t <= lowest - GATE_MARGIN], default=-np.inf)


def gate_table(scores: np.ndarray, y: np.ndarray, reach: np.ndarray, finds: np.ndarray) -> float:
    """Print the gate's effect per candidate threshold; return the one written
    (:func:`gate_threshold` of the held-out log-odds of the true finds, ``finds & y``)."""
    kept = finds & y
    shown = ", ".join(f"{v:+.2f}" + ("" if t else " (false)") for v, t in sorted(zip(scores[finds], y[finds])))
    print(f"\ngate of the second looks ({int(reach.sum())} photos reach them; their looks find legible text "
          f"on {int(finds.sum())}, {int(kept.sum())} labelled text: held-out log-odds {shown}):")
    for t in GATE_CANDIDATES:
        skip = reach & (scores < t)
        print(f"  skip below {t:+.2f}: {int(skip.sum()):3d} of {int(reach.sum())} skip "
              f"({100 * skip.sum() / max(1, reach.sum()):.0f}%), true finds lost {int((skip & kept).sum())}, "
              f"false finds dropped {int((skip & finds & ~y).sum())}, labelled text among the skipped "
              f"{int((skip & y).sum())}")
    chosen = gate_threshold(scores, kept)
    print(f"  chosen: {chosen:+.2f} (lowest true find {scores[kept].min() if kept.any() else np.inf:+.2f}, "
          f"margin {GATE_MARGIN})")
    return chosen


def rule_with_gate(marks: np.ndarray, reach: np.ndarray, finds: np.ndarray, scores: np.ndarray,
                   skip_below: np.ndarray) -> np.ndarray:
    """HL401's decisions (``text_marks >= 1``) when the second looks are skipped below
    ``skip_below`` (per photo): where the first look counted nothing (``reach``), text is
    found when a second look finds it and the gate lets them run."""
    return np.where(reach, finds & (scores >= skip_below), marks >= 1)


def nested_gate(y: np.ndarray, reach: np.ndarray, finds: np.ndarray, scores: np.ndarray) -> np.ndarray:
    """Per photo, the :func:`gate_threshold` of the training folds' true finds, for held-out
    decisions."""
    out = np.zeros(len(y))
    for fold in stratified_folds(list(y), 5, 0):
        held = np.zeros(len(y), bool)
        held[fold] = True
        out[held] = gate_threshold(scores, finds & y & ~held)
    return out


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--photos", type=Path, default=DEFAULT_PHOTOS)
    ap.add_argument("--cache", type=Path, default=None, help="fit_heads.py's feature cache (pickle)")
    ap.add_argument("--text-cache", type=Path, required=True, help="fit_text.py's --cache (JSON)")
    ap.add_argument("--write", action="store_true", help=f"write rules/heads/{NAME}.json")
    args = ap.parse_args(argv)

    rows = read_labels(args.photos)
    files = [r["file"] for r in rows]
    cache = args.cache or Path(tempfile.gettempdir()) / "headshot-lint-text-head.pkl"
    data = fh.measure_all(args.photos, files, cache)
    looks = json.loads(args.text_cache.read_text())
    x = fh.matrix(data, fh.LAYOUT)
    y = fh.truth_of(rows, LABEL)
    unanimous = np.array([r.get(f"agree_{LABEL}") == "3" for r in rows])
    marks = np.array([looks[f]["values"].get("text_marks", 0) for f in files], float)

    print(f"{len(files)} photos, {int(y.sum())} with text or logos; nested 5-fold CV unless said")
    _show("rule: text_marks >= 1", y, marks >= 1, unanimous)
    scores, decided = nested_scores(x, y)
    nested = _show("head alone", y, decided, unanimous)
    supp = np.log1p(np.array([[looks[f]["values"].get(k, 0) for k in STACK_INPUTS] for f in files], float))
    stacked = _show("head + the search's counts", y, fh.nested_stacked(x, y, supp), unanimous)

    # the photos whose first look counted nothing reach the second looks (fit_text.py tried them)
    reach = np.array([bool(looks[f].get("second")) for f in files])
    finds = reach & np.array([any(looks[f].get("second", {}).get(str(side), False)
                                  for side in text.SECOND_LOOK_SIDES) for f in files])
    skip_below = gate_table(scores, y, reach, finds)

    c, lam, t = choose(x, y)
    head = fit_head(x, y, c, lam)
    in_sample = _show(f"head alone, in-sample ({c} comp., ridge {lam:g})", y, head.log_odds(x) >= t, unanimous)
    print("\nHL401 (text_marks >= 1) with the gate: what the rules judge (the figures the file records)")
    rule_in = _show("in-sample (head fitted on all)", y,
                    rule_with_gate(marks, reach, finds, head.log_odds(x), np.full(len(y), skip_below)), unanimous)
    rule_nested = _show("nested CV (head and gate held out)", y,
                        rule_with_gate(marks, reach, finds, scores, nested_gate(y, reach, finds, scores)), unanimous)
    if args.write:
        record = {"name": NAME, "label": LABEL, "photos": len(y), "labels_sha256": fh.labels_digest(args.photos),
                  "fitted_by": "benchmarks/fit_text_head.py",
                  "features": "EfficientNet-Lite0 maps (input long side 320 px) pooled over the background cells; "
                              "see measures/_learned.py",
                  "use": "gate of HL401's second looks (measures/text.py); too weak to judge HL401 itself",
                  "layout": [[b, int(data["blocks"][0][b].size)] for b in fh.LAYOUT],
                  "components": c, "ridge": lam, "threshold": round(float(t), 4),
                  "skip_second_looks_below": skip_below,
                  "figures": {"rule": "HL401: text_marks >= 1 with this gate", "in_sample": rule_in,
                              "nested_cv": rule_nested},
                  "head_figures": {"in_sample": in_sample, "nested_cv": nested, "stacked_nested_cv": stacked},
                  "bias": head.bias, "weights": [float(v) for v in head.weights]}
        path = ROOT / "rules" / "heads" / f"{NAME}.json"
        path.write_text(json.dumps(record, indent=1) + "\n", encoding="utf-8")
        print(f"wrote {path}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
