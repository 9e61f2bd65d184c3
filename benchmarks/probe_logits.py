"""Probe: the network's ImageNet class scores as extra inputs of the learned rule heads
(HL101 busy, HL102 pattern, HL103 sharp_env), judged by ``fit_heads.py``'s own nested machinery.

    python benchmarks/probe_logits.py [--photos ../shared/photos] [--cache FILE] [--seeds 5]
        [--first-seed 0] [--only CANDIDATE ...] [--heads busy pattern sharp_env] [--greyed FILE.npy]
        [--greyed-side 320]

The verdict heads gained from the 1000 ImageNet logits of the whole photo (0.763 -> 0.776 nested
agreement); do the rule heads? Forms of the class scores: raw ``logits``, ``log_softmax``,
``probs``; of the whole photo (one forward pass, as shipped), of the background (the network's
last layer applied to ``final_mean``, the final map pooled over the background cells: the logits
are exactly that layer applied to the frame mean (checked, max difference 2e-6), so this costs a
1000 x 1280 product, no forward pass), and of the photo with the person greyed out (every
non-background pixel set to 128, the network's zero input: a second forward pass, ``--greyed``).
Two ways in: one block joined to the shipped layout before the standardise + PCA ("one PCA"),
or a separate head on the class scores (its own PCA size and ridge) whose out-of-fold log-odds
join the shipped head's in a second stage (``fit_heads.fit_stacked``'s recipe with two heads:
stage ridge 1, threshold on the stage's own out-of-fold values; busy's stage also reads its
clutter share and other faces, as shipped). Every choice is made inside the outer folds.

Nested 5-fold CV F1 over outer fold seeds 0-4, mean +- sd (321 photos; 2026-12-07):

    candidate                                  busy (stacked)   pattern          sharp_env
    shipped layout                             0.858 +- 0.009   0.577 +- 0.017   0.858 +- 0.007
    + logits (one PCA)                         0.837 +- 0.016   0.575 +- 0.029   0.860 +- 0.014
    + log_softmax (one PCA)                    0.850 +- 0.010   0.579 +- 0.022   0.859 +- 0.012
    + probs (one PCA)                          0.839 +- 0.020   0.582 +- 0.021   0.840 +- 0.005
    + head on logits (stacked)                 0.844 +- 0.014   0.573 +- 0.032   0.854 +- 0.010
    + head on log_softmax (stacked)            0.845 +- 0.009   0.566 +- 0.025   0.857 +- 0.010
    logits alone                               0.813 +- 0.008   0.470 +- 0.044   0.815 +- 0.018
    + background log_softmax (one PCA)         0.849 +- 0.013   0.573 +- 0.022   0.852 +- 0.015
    + background probs (one PCA)               0.838 +- 0.013   0.591 +- 0.018   0.850 +- 0.009
    + head on background log_softmax (st.)     0.846 +- 0.010   0.573 +- 0.014   0.854 +- 0.011
    + greyed-person logits (one PCA)           0.848 +- 0.010   0.565 +- 0.024   0.863 +- 0.007
    + greyed-person log_softmax (one PCA)      0.854 +- 0.013   0.577 +- 0.020   0.869 +- 0.012
    + head on greyed-person log_softmax (st.)  0.851 +- 0.013   0.580 +- 0.033   0.868 +- 0.010

The whole-photo class scores that help the verdict do not help the rule heads: busy loses
0.01-0.02 in every form, pattern and sharp_env move within the seed spread; background class
scores the same (background probs on pattern +0.014, less than the spread, and busy -0.02).
The one consistent gain is sharp_env with the greyed-person scores: the stacked head gives
+0.012 / +0.001 / +0.021 / +0.012 / +0.004 at seeds 0-4 and, checked on seeds 5-9, 0.867 +- 0.010
against 0.855 +- 0.005 (+0.015 / +0.018 / +0.011 / +0.010 / +0.001); the shipped head through
a one-head second stage (``nested_multi([layout], y, None, seed)``, the recalibration alone) gives 0.857 +- 0.009 / 0.854 +- 0.008, so the
gain is the greyed scores'. About +0.012 F1, not clearly more than the seed spread (0.005-0.010),
busy loses 0.007 with it, and it costs a second forward pass (about 17 ms CPU at 320 px, which
doubles the network's cost): not shipped. The greyed pass at 224 px (``--greyed-side 224``, about
half the cost, so the two passes stay near the 25 ms budget), seeds 0-9: 0.865 +- 0.009 against
0.856 +- 0.006 shipped, better at 9 of 10 seeds by +0.009 on average, again about one spread and
short of the 0.88 target: not shipped either. Nothing here is written; features are cached (the
``fit_heads.py`` cache plus the class-score blocks; ``--greyed`` a .npy of the greyed logits).
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path
from typing import Sequence

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT), str(ROOT / "src")]

from benchmarks import fit_heads  # noqa: E402
from benchmarks._evaluation import best_threshold, count, feature_cache, read_labels, stratified_folds  # noqa: E402
from benchmarks._heads import choose, fit_head, nested_scores, out_of_fold_logistic  # noqa: E402
from benchmarks._logistic import fit_logistic  # noqa: E402
from benchmarks.evaluate import DEFAULT_PHOTOS  # noqa: E402

HEADS = ("busy", "pattern", "sharp_env")


# -- class-score blocks -------------------------------------------------------------
def log_softmax(logits: np.ndarray) -> np.ndarray:
    """log p of each class (rows: photos), computed stably."""
    z = logits - logits.max(axis=-1, keepdims=True)
    return z - np.log(np.exp(z).sum(axis=-1, keepdims=True))


def class_blocks(logits: np.ndarray) -> dict[str, np.ndarray]:
    """The three forms tried of a photo's class scores: raw ``logits``, ``log_softmax``, ``probs``."""
    logits = np.asarray(logits, np.float64)
    lp = log_softmax(logits)
    return {"logits": logits, "log_softmax": lp, "probs": np.exp(lp)}


def extra_blocks(maps, background: np.ndarray) -> dict[str, np.ndarray]:
    """Blocks added to ``measures/_learned.pooled_blocks`` while measuring (the class scores of
    the whole photo in three forms)."""
    return class_blocks(maps.logits)


def measure(photos: Path, files: Sequence[str], cache: Path, fresh: bool = False) -> dict:
    """``fit_heads.measure_all`` with the class-score blocks beside the pooled blocks."""
    return fit_heads.measure_all(photos, files, cache, fresh, extra_blocks=extra_blocks)


def classifier() -> tuple[np.ndarray, np.ndarray]:
    """The network's last layer (weights (1000, 1280), bias (1000,)): the logits are it applied
    to the final map's mean over the frame, so applied to the mean over the background cells it
    gives the background's class scores without another forward pass."""
    from headshot_lint.perception.embedding import load_legacy_state_dict, weights_path

    with open(weights_path(), "rb") as f:
        w = load_legacy_state_dict(f)
    return w["_fc.weight"].astype(np.float64), w["_fc.bias"].astype(np.float64)


def greyed(rgb: np.ndarray, background: np.ndarray) -> np.ndarray:
    """The photo with every non-background pixel (the person) set to mid grey (128, the
    network's zero input)."""
    out = rgb.copy()
    out[~background] = 128
    return out


def measure_greyed(photos: Path, files: Sequence[str], cache: Path, side: int = 320) -> np.ndarray:
    """(photos, 1000) logits of each photo with the person greyed out (a second forward pass at
    long side ``side`` px), cached in ``cache`` (.npy)."""
    if cache.is_file():
        got = np.load(cache)
        if got.shape[0] == len(files):
            return got
    from headshot_lint.engine import _upright_scene
    from headshot_lint.load import load
    from headshot_lint.perception.embedding import feature_maps

    out = np.zeros((len(files), 1000))
    for i, name in enumerate(files):
        scene = _upright_scene(load(photos / name))
        out[i] = feature_maps(greyed(scene.rgb, scene.background_mask), long_side=side).logits
        if i % 40 == 0:
            print(f"  {i}/{len(files)} {name}", file=sys.stderr, flush=True)
    np.save(cache, out)
    return out


def block(data: dict, name: str) -> np.ndarray:
    """(photos, features) of a block; the class-score forms are derived from ``logits``, the
    ``bg_`` ones from the classifier applied to ``final_mean`` (the background cells)."""
    if name.startswith("greyed_"):
        return class_blocks(data["greyed_logits"])[name[7:]]
    if name.startswith("bg_"):
        w, b = classifier()
        return class_blocks(np.array([x["final_mean"] for x in data["blocks"]]) @ w.T + b)[name[3:]]
    if name in ("log_softmax", "probs"):
        return class_blocks(np.array([b["logits"] for b in data["blocks"]]))[name]
    return np.array([b[name] for b in data["blocks"]], np.float64)


# -- nested judging ---------------------------------------------------------------
def fit_multi(xs: Sequence[np.ndarray], y: np.ndarray, supp: np.ndarray | None, rows: np.ndarray,
              ridge: float = fit_heads.STACK_HEAD_RIDGE):
    """Heads on each of ``xs`` (PCA size and ridge chosen on ``rows`` each), a second stage over
    their out-of-fold log-odds (and ``supp``), its threshold on its own out-of-fold values: the
    ``fit_heads.fit_stacked`` recipe with more than one head. Returns a function of the rows it
    scores giving the stage's value, and the threshold."""
    heads, cols = [], []
    for x in xs:
        c, lam, _ = choose(x[rows], y[rows])
        heads.append(fit_head(x[rows], y[rows], c, lam))
        cols.append(fit_heads._oof_head(x, y, rows, c, lam))
    s = np.c_[tuple(cols) + (() if supp is None else (supp,))]
    stage = fit_logistic(s[rows], y[rows].astype(float), ridge)
    oof = out_of_fold_logistic(s, y, rows, ridge)
    t, _ = best_threshold(list(oof[rows]), list(y[rows]), True)

    def value(idx: np.ndarray) -> np.ndarray:
        d = np.c_[tuple(h.log_odds(x[idx]) for h, x in zip(heads, xs)) + (() if supp is None else (supp[idx],))]
        return stage[0] + d @ stage[1:]

    return value, t


def nested_multi(xs: Sequence[np.ndarray], y: np.ndarray, supp: np.ndarray | None, seed: int) -> np.ndarray:
    """Held-out decisions of :func:`fit_multi`, everything fitted without the outer fold."""
    decided = np.zeros(len(y), bool)
    for fold in stratified_folds(list(y), 5, seed):
        held = np.zeros(len(y), bool)
        held[fold] = True
        value, t = fit_multi(xs, y, supp, ~held)
        decided[held] = value(held) >= t
    return decided


def nested(xs: Sequence[np.ndarray], y: np.ndarray, supp: np.ndarray | None, seed: int) -> np.ndarray:
    """The shipped judging for one head (``nested_scores``; ``nested_stacked`` with ``supp``),
    :func:`nested_multi` for several."""
    if len(xs) == 1 and supp is None:
        return nested_scores(xs[0], y, seed=seed)[1]
    if len(xs) == 1:
        return fit_heads.nested_stacked(xs[0], y, supp, seed)
    return nested_multi(xs, y, supp, seed)


def candidates(data: dict) -> dict[str, list[np.ndarray]]:
    """Name -> the feature matrices of its heads (one: one PCA over the joined blocks; two: a
    separate head on the class scores, stacked)."""
    base = fit_heads.matrix(data, fit_heads.LAYOUT)
    out = {"shipped": [base]}
    for form in ("logits", "log_softmax", "probs"):
        out[f"+ {form} (one PCA)"] = [np.c_[base, block(data, form)]]
    for form in ("logits", "log_softmax"):
        out[f"+ head on {form} (stacked)"] = [base, block(data, form)]
    out["logits alone"] = [block(data, "logits")]
    for form in ("log_softmax", "probs"):
        out[f"+ background {form} (one PCA)"] = [np.c_[base, block(data, f"bg_{form}")]]
    out["+ head on background log_softmax (stacked)"] = [base, block(data, "bg_log_softmax")]
    if "greyed_logits" in data:
        for form in ("logits", "log_softmax"):
            out[f"+ greyed-person {form} (one PCA)"] = [np.c_[base, block(data, f"greyed_{form}")]]
        out["+ head on greyed-person log_softmax (stacked)"] = [base, block(data, "greyed_log_softmax")]
    return out


def _summary(v: Sequence[float]) -> str:
    return f"{np.mean(v):.3f} +- {np.std(v):.3f}"


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--photos", type=Path, default=DEFAULT_PHOTOS)
    ap.add_argument("--cache", type=Path, default=None)
    ap.add_argument("--seeds", type=int, default=5)
    ap.add_argument("--first-seed", type=int, default=0, help="outer fold seeds first..first+seeds-1")
    ap.add_argument("--only", nargs="*", default=None)
    ap.add_argument("--heads", nargs="*", default=list(HEADS))
    ap.add_argument("--greyed-side", type=int, default=320,
                    help="long side, px, of the greyed pass (a multiple of 32; 224 costs about half of 320)")
    ap.add_argument("--greyed", type=Path, default=None,
                    help="also the logits of the photos with the person greyed out (a second forward "
                         "pass each), cached in this .npy file")
    args = ap.parse_args(argv)
    rows = read_labels(args.photos)
    files = [r["file"] for r in rows]
    cache = args.cache or feature_cache(args.photos, files, "headshot-lint-logits")
    data = measure(args.photos, files, cache)
    if "logits" not in data["blocks"][0]:
        data = measure(args.photos, files, cache, fresh=True)
    if args.greyed:
        data["greyed_logits"] = measure_greyed(args.photos, files, args.greyed, args.greyed_side)
    for name, xs in candidates(data).items():
        if args.only and name not in args.only:
            continue
        line = [f"{name:<34}"]
        for head in args.heads:
            y = fit_heads.truth_of(rows, head)
            supp = None
            if head in fit_heads.STACKS:
                measure_name, keys = fit_heads.STACKS[head]
                supp = fit_heads.supporting(data, measure_name, keys)
            t0 = time.time()
            seeds = range(args.first_seed, args.first_seed + args.seeds)
            f1s = [count(list(y), list(nested(xs, y, supp, s))).f1 for s in seeds]
            line.append(f"{head} {_summary(f1s)} [{' '.join(f'{f:.3f}' for f in f1s)}] ({time.time() - t0:.0f} s)")
            print(f"{name}: {line[-1]}", flush=True)
        print("  ".join(line), flush=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
