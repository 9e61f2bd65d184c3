"""Generated composites in the learned heads' training set (issue #19), compared by nested CV.

The issue allows "generated composites may be added to the training set if nested CV says they
help": earlier probes (``probe_augment.py``, ``probe_pattern.py``, ``fit_pattern.py``) concluded
that what a head lacks is photos of the rare kinds it misses. Do the project's own composites
(``fixtures/generate.py``: real public-domain faces pasted on painted backgrounds) supply them?
No. Measured 2026-12-07: 288 composites (generator seeds 1-4, 4 per class, 640 px; 18 classes x
16, the seven pattern classes 112 of them), nested 5-fold F1 over the 321 real photos only, outer
fold seeds 0-4, mean +- sd (shipped = ``fit_heads.py``'s method reproduced seed for seed: pattern
0.588, busy 0.857, sharp_env 0.859 at seed 0; "all": composites of every class, "pattern": of
the pattern classes only, "other": of every class but them; w: a composite row's weight in the
loss, "chosen": by the inner CV among 0.1 / 0.3 / 1; PCA basis from the real training photos
unless "PCA both"):

=========================================  ===============================  ===============
variant                                    F1 per outer seed 0-4            mean +- sd
=========================================  ===============================  ===============
pattern, shipped                           0.588 0.553 0.586 0.558 0.597    0.577 +- 0.020
pattern, all, w 0.1                        0.597 0.567 0.558 0.537 0.534    0.559 +- 0.026
pattern, all, w 0.3                        0.605 0.612 0.557 0.585 0.602    0.592 +- 0.022
pattern, all, w 1                          0.574 0.565 0.530 0.576 0.614    0.572 +- 0.030
pattern, all, w chosen                     0.583 0.591 0.559 0.560 0.569    0.572 +- 0.014
pattern, pattern, w 0.1                    0.586 0.590 0.576 0.574 0.583    0.582 +- 0.007
pattern, pattern, w 0.3                    0.581 0.603 0.589 0.592 0.557    0.585 +- 0.017
pattern, pattern, w 1                      0.574 0.562 0.580 0.594 0.551    0.572 +- 0.016
pattern, pattern, w chosen                 0.571 0.593 0.556 0.581 0.569    0.574 +- 0.014
pattern, all, PCA both, w 0.1              0.532 0.626 0.588 0.590 0.557    0.579 +- 0.036
pattern, all, PCA both, w 0.3              0.555 0.584 0.620 0.576 0.535    0.574 +- 0.032
pattern, all, PCA both, w 1                0.588 0.617 0.638 0.569 0.638    0.610 +- 0.031
pattern, all, PCA both, w chosen           0.574 0.591 0.652 0.569 0.638    0.605 +- 0.038
pattern, pattern, PCA both, w 1            0.607 0.569 0.576 0.585 0.579    0.583 +- 0.014
pattern, all + degraded, w 0.3             0.585 0.620 0.576 0.550 0.600    0.586 +- 0.026
pattern, all + degraded, w 1               0.560 0.602 0.543 0.547 0.619    0.574 +- 0.034
pattern, all + degraded, w chosen          0.592 0.630 0.591 0.562 0.588    0.593 +- 0.024
pattern, pattern + degraded, w 1           0.587 0.496 0.540 0.555 0.589    0.553 +- 0.038
pattern, pattern + degraded, w chosen      0.598 0.489 0.586 0.541 0.598    0.562 +- 0.048
pattern, degraded only, all, w 0.3         0.576 0.585 0.586 0.534 0.603    0.577 +- 0.026
pattern, degraded only, all, w 1           0.551 0.593 0.615 0.520 0.557    0.567 +- 0.037
pattern, degraded only, all, w chosen      0.576 0.608 0.578 0.541 0.612    0.583 +- 0.029
pattern, degraded only, pattern, w 0.3     0.571 0.523 0.582 0.547 0.553    0.555 +- 0.023
pattern, degraded only, pattern, w 1       0.509 0.452 0.583 0.591 0.584    0.544 +- 0.062
pattern, degraded only, pattern, chosen    0.571 0.523 0.586 0.538 0.545    0.553 +- 0.026
sharp_env, shipped                         0.859 0.867 0.858 0.859 0.846    0.858 +- 0.007
sharp_env, all, w 0.1                      0.850 0.852 0.873 0.836 0.869    0.856 +- 0.015
sharp_env, all, w 0.3                      0.843 0.839 0.871 0.854 0.850    0.851 +- 0.012
sharp_env, all, w 1                        0.822 0.838 0.856 0.865 0.858    0.848 +- 0.017
sharp_env, all, w chosen                   0.829 0.834 0.868 0.848 0.864    0.849 +- 0.018
sharp_env, other, w 0.1                    0.837 0.865 0.864 0.862 0.842    0.854 +- 0.013
sharp_env, other, w 0.3                    0.853 0.862 0.875 0.848 0.843    0.856 +- 0.013
sharp_env, other, w 1                      0.844 0.859 0.854 0.832 0.861    0.850 +- 0.012
sharp_env, other, w chosen                 0.837 0.867 0.873 0.852 0.854    0.856 +- 0.014
sharp_env, all, PCA both, w 1              0.863 0.865 0.844 0.855 0.850    0.855 +- 0.009
busy (stage), shipped                      0.857 0.848 0.868 0.848 0.868    0.858 +- 0.010
busy (stage), all, w 0.1                   0.856 0.830 0.869 0.817 0.860    0.846 +- 0.022
busy (stage), all, w 0.3                   0.838 0.863 0.854 0.829 0.874    0.852 +- 0.018
busy (stage), all, w 1                     0.830 0.854 0.819 0.833 0.860    0.839 +- 0.017
busy (stage), all, w chosen                0.856 0.830 0.869 0.811 0.860    0.845 +- 0.024
busy (stage), other, w 0.1                 0.856 0.838 0.856 0.824 0.854    0.846 +- 0.014
busy (stage), other, w 0.3                 0.829 0.855 0.864 0.821 0.840    0.842 +- 0.018
busy (stage), other, w 1                   0.842 0.851 0.833 0.822 0.843    0.838 +- 0.011
busy (stage), other, w chosen              0.849 0.844 0.848 0.809 0.854    0.841 +- 0.018
busy (stage), all, PCA both, w 1           0.853 0.856 0.880 0.847 0.831    0.853 +- 0.018
=========================================  ===============================  ===============

The ones that looked like gains, checked on fresh outer seeds 5-9 (shipped 0.635 0.564 0.541
0.574 0.576, 0.578 +- 0.035): pattern, all, w 0.3: 0.618 0.580 0.500 0.567 0.607, 0.574 +- 0.046
(pattern classes only, w 0.3: 0.543 +- 0.047); pattern, all, PCA both, w 1: 0.602 0.578 0.578
0.586 0.590, 0.587 +- 0.010 (+0.009, inside the spread; over seeds 0-9 paired +0.021 +- 0.028;
the same basis at w 0.1 / 0.3 gives 0.579 / 0.574 on seeds 0-4, so the weight's effect is not
even monotone); PCA both, w chosen: 0.590 0.569 0.578 0.612 0.580, 0.586 +- 0.016 (+0.008).
None beats shipped by more than the spread on both seed sets, nor comes near 0.75. Busy is the
head inside its second stage (``fit_heads.STACKS``; the stage and its threshold fitted on real
photos only, as in ``probe_augment.py``). The weights the inner CV picks wander between 0.1 and
1 from fold to fold (with PCA both it leans to 1): it cannot tell them apart.

Why: the composites teach nothing the real photos do not. The shipped heads (fitted on the real
photos alone) already get the composites right where they matter: the pattern head flags all 112
generated patterns (stripes, checks, brick, tiles, wallpaper, blinds, step-and-repeat: 16/16
each), the sharp_env head all 32 busy rooms and sharp streets, the busy head 31 of them; so the
positives added are easy ones, far from the real misses (blurred or small-logo press walls, flags, railings,
rough stone, facades). Their false alarms on composites (pattern: busy room 16/16, street 14/16,
window 9/16, text wall 5/16; busy: checks / brick / tiles / wallpaper / step-and-repeat 9-15/16;
sharp_env: blurred room 12/16, blinds 13/16) are where the generator's labels and the raters'
part: 39 of the 60 real patterned photos are also labelled busy and 45 are sharp environments
(bg_kind sharp-env / outdoor-sharp), while every generated pattern is busy 0 and wall-plain
(sharp_env 0); so pattern composites pull busy and sharp_env away from the real labels, and the
"other" subset (no pattern classes) does not help either. The contact sheets show why the
features see them as a separate cluster: two sitters (the same two faces, recoloured), flat
vector-drawn walls, cartoon bookshelves and streets. Blurring the composites' backgrounds
(``--degrade``: Gaussian sigma 2-8 px at 640 px, subject kept sharp, JPEG q 60-85; they then look
like the blurred step-and-repeat walls the head misses) changes nothing beyond the spread either.
Cost, for the record: 0.15 s per composite to generate, ~1.3 s to measure (niced, all rules).
Nothing is shipped; the script writes nothing but its caches. What would help remains labelled
real photos of the missed kinds, not more painted ones.


    python benchmarks/probe_composites.py [--photos ../shared/photos] [--heads-cache FILE]
        [--composites DIR] [--gen-seeds 1 2 3 4] [--per-class 4] [--seeds 0 1 2 3 4]
        [--heads pattern busy sharp_env] [--weights 0.1 0.3 1] [--subset all pattern other] [--pca-both]
        [--degrade no|only|both] [--no-fixed] [--no-chosen] [--no-shipped]

1. Composites: ``fixtures/generate.py`` (every class, or ``--subset pattern``: its seven
   pattern classes only) at generator seeds ``--gen-seeds``, ``--per-class`` each, 640 px,
   written into ``--composites`` (reused when already there); their labels are the generator's
   labels.csv rows with the derived ones of the real set (``_evaluation.derived_labels``:
   sharp_env is bg_kind in ``SHARP_KINDS``, as for the photos). Their pooled blocks come from
   ``fit_heads.measure_all`` (the same code path as the shipped fit), cached in
   ``DIR/features.pkl``; the real photos' from ``--heads-cache`` (``fit_heads.py``'s cache).
2. Nested 5-fold CV over the REAL photos only, outer folds exactly as ``_heads.nested_scores``
   (shipped reproduced seed for seed: pattern 0.588 at seed 0): in each outer fold the head is
   fitted on the real training photos plus every composite, a composite row weighing ``w``
   in the logistic loss (a real one 1; the ridge as in the shipped fit). The standardising and
   the PCA basis come from the real training photos (``--pca-both``: from them and the
   composites), the composites projected on it. PCA size, ridge and threshold are chosen by
   the inner 5-fold CV over the real training photos only (the composites are in every inner
   training set, never judged); ``w`` is either fixed (one row per w) or chosen by that same
   inner CV among ``--weights`` (``w chosen``). Held-out real photos are judged by the head
   alone; busy keeps its second stage (``fit_heads.STACKS``): only the head inside it sees
   composites, the stage and threshold are fitted on real photos' out-of-fold values, as
   ``probe_augment.py`` does. ``--degrade`` adds (``both``) or substitutes (``only``) the
   composites with their background blurred and JPEG-compressed (:func:`degrade`), measured
   the same way (cached in ``DIR/degraded``).
"""

from __future__ import annotations

import argparse
import csv
import itertools
import sys
import tempfile
import time
import zlib
from pathlib import Path
from typing import Sequence

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT), str(ROOT / "src")]

from benchmarks import fit_heads  # noqa: E402
from benchmarks._evaluation import (best_threshold, count, derived_labels, feature_cache,  # noqa: E402
                                    read_labels, stratified_folds)
from benchmarks._heads import COMPONENTS, RIDGES, Head, out_of_fold_logistic  # noqa: E402
from benchmarks._logistic import fit_logistic  # noqa: E402
from benchmarks.evaluate import DEFAULT_PHOTOS  # noqa: E402

LAYOUT = fit_heads.LAYOUT
#: Weights of a composite row tried (a real photo's row weighs 1).
WEIGHTS = (0.1, 0.3, 1.0)


# -- composites -------------------------------------------------------------------
def pattern_classes() -> list[str]:
    from fixtures import _patterns

    return list(_patterns.PAINTERS)


def make_composites(out: Path, seeds: Sequence[int], per_class: int, size: int = 640,
                    classes: Sequence[str] | None = None) -> list[dict]:
    """Generate (or reuse) the composites of ``seeds`` in ``out``; their labels rows (with the
    derived labels), in generation order. ``out/composites.csv`` records what is there."""
    from fixtures.generate import CLASSES, COLUMNS, generate

    names = list(CLASSES) if classes is None else list(classes)
    index = out / "composites.csv"
    want = [f"{c}-s{s}-{k}.png" for s in seeds for c in names for k in range(per_class)]
    if index.is_file():
        with open(index, newline="", encoding="utf-8") as f:
            rows = list(csv.DictReader(f))
        if [r["file"] for r in rows] == want and all((out / r["file"]).is_file() for r in rows):
            return [{**r, **derived_labels(r)} for r in rows]
    rows = []
    for s in seeds:
        rows += [{k: str(v) for k, v in case.labels.items()}
                 for case in generate(out, s, per_class, size, names)]
    assert [r["file"] for r in rows] == want
    with open(index, "w", newline="", encoding="utf-8") as f:
        w = csv.DictWriter(f, fieldnames=COLUMNS, lineterminator="\n")
        w.writeheader()
        w.writerows(rows)
    return [{**r, **derived_labels(r)} for r in rows]


#: ``--degrade``: the background of each composite blurred (Gaussian sigma uniform in this range, px
#: at 640 px high; the subject kept sharp through its matte), then a JPEG round trip at a quality
#: in ``JPEG``: the blurred step-and-repeat banners the head misses, and less of the painted look.
BLUR_SIGMA = (2.0, 8.0)
JPEG = (60, 85)


def degrade(rgb: np.ndarray, alpha: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """One composite with its background blurred and JPEG-compressed (uint8 RGB in and out)."""
    import cv2

    sigma = rng.uniform(*BLUR_SIGMA)
    blurred = cv2.GaussianBlur(rgb.astype(np.float32), (0, 0), sigma)
    a = alpha.astype(np.float32)[..., None]
    out = np.clip(a * rgb + (1 - a) * blurred, 0, 255).round().astype(np.uint8)
    ok, buf = cv2.imencode(".jpg", out[..., ::-1], [cv2.IMWRITE_JPEG_QUALITY, int(rng.integers(*JPEG))])
    assert ok
    return np.ascontiguousarray(cv2.imdecode(buf, cv2.IMREAD_COLOR)[..., ::-1])


def make_degraded(src: Path, rows: list[dict], out: Path) -> list[dict]:
    """:func:`degrade` of every composite of ``rows`` (in ``src``, mattes in ``src/masks``) as a
    PNG in ``out`` (reused when there), same labels; seeded by the file name."""
    import cv2

    out.mkdir(parents=True, exist_ok=True)
    for r in rows:
        path = out / r["file"]
        if path.is_file():
            continue
        rgb = cv2.imread(str(src / r["file"]), cv2.IMREAD_COLOR)[..., ::-1]
        alpha = cv2.imread(str(src / "masks" / r["file"]), cv2.IMREAD_GRAYSCALE) / 255.0
        img = degrade(rgb, alpha, np.random.default_rng(zlib.crc32(r["file"].encode())))
        cv2.imwrite(str(path), np.ascontiguousarray(img[..., ::-1]))
    return rows


# -- heads with composite rows ----------------------------------------------------
def weighted_logistic(x: np.ndarray, y: np.ndarray, sw: np.ndarray, lam: float) -> np.ndarray:
    """``_logistic.fit_logistic`` with row weights ``sw`` in the loss (and in the standardising):
    with every weight 1 it is that function."""
    total = sw.sum()
    mu = sw @ x / total
    sd = np.sqrt(sw @ (x - mu) ** 2 / total) + 1e-9
    a = np.hstack([np.ones((len(x), 1)), (x - mu) / sd])
    w = np.zeros(a.shape[1])
    ridge = lam * np.eye(a.shape[1])
    ridge[0, 0] = 0.0
    def loss(w: np.ndarray) -> float:
        s = a @ w
        return float(sw @ (np.logaddexp(0.0, s) - y * s) + 0.5 * w @ ridge @ w)

    for _ in range(100):
        p = 1.0 / (1.0 + np.exp(-np.clip(a @ w, -500, 500)))
        step = np.linalg.solve(a.T @ (a * (sw * p * (1 - p))[:, None]) + ridge, a.T @ (sw * (p - y)) + ridge @ w)
        # Newton steps, halved while they raise the loss (many rows one class can overshoot)
        before, k = loss(w), 0
        while k < 30 and not loss(w - step) <= before:
            step, k = step / 2, k + 1
        w -= step
        if np.abs(step).max() < 1e-10:
            break
    raw = w[1:] / sd
    return np.concatenate([[w[0] - float(raw @ mu)], raw])


class Training:
    """Real features ``x`` (n, d) and composite features ``xc`` (m, d) with their labels ``yc``
    (None: no composites, the shipped fit)."""

    def __init__(self, x: np.ndarray, xc: np.ndarray | None = None, yc: np.ndarray | None = None,
                 pca_both: bool = False):
        self.x = np.asarray(x, np.float64)
        self.xc = None if xc is None or len(xc) == 0 else np.asarray(xc, np.float64)
        self.yc = None if self.xc is None else np.asarray(yc, bool)
        self.pca_both = pca_both

    def fit_many(self, y: np.ndarray, idx: np.ndarray, configs: Sequence[tuple[int, float, float]]) -> list[Head]:
        """``_heads._fit_many`` on the real photos ``idx`` plus the composites at weight ``w``
        for each (components, ridge, w)."""
        real = self.x[idx]
        x0 = real if self.xc is None or not self.pca_both else np.concatenate([real, self.xc])
        mu, sd = x0.mean(axis=0), x0.std(axis=0) + 1e-6
        _, _, vt = np.linalg.svd((x0 - mu) / sd, full_matrices=False)
        z = (real - mu) / sd
        zc = None if self.xc is None else (self.xc - mu) / sd
        heads = []
        for c, lam, w in configs:
            basis = vt[:min(c, vt.shape[0])]
            if zc is None or w == 0:  # the shipped fit, bit for bit
                wt = fit_logistic(z @ basis.T, y[idx].astype(float), lam)
            else:
                rows = np.concatenate([z, zc]) @ basis.T
                target = np.concatenate([y[idx], self.yc]).astype(float)
                sw = np.concatenate([np.ones(len(idx)), np.full(len(zc), w)])
                wt = weighted_logistic(rows, target, sw, lam)
            raw = (basis.T @ wt[1:]) / sd
            heads.append(Head(float(wt[0] - raw @ mu), raw, c, lam))
        return heads

    def choose(self, y: np.ndarray, idx: np.ndarray, weights: Sequence[float], seed: int = 1
               ) -> tuple[int, float, float, float]:
        """``_heads.choose`` over the real photos ``idx`` (inner folds over them only), among
        every (PCA size, ridge, composite weight): (components, ridge, w, threshold)."""
        configs = [(c, lam, w) for c, lam, w in itertools.product(COMPONENTS, RIDGES, weights)
                   if c < len(idx) * 4 / 5]
        oof = np.zeros((len(configs), len(idx)))
        for fold in stratified_folds(list(y[idx]), 5, seed):
            held = np.zeros(len(idx), bool)
            held[fold] = True
            for j, head in enumerate(self.fit_many(y, idx[~held], configs)):
                oof[j, held] = head.log_odds(self.x[idx[held]])
        best = None
        for j, (c, lam, w) in enumerate(configs):
            t, got = best_threshold(list(oof[j]), list(y[idx].astype(bool)), True)
            if best is None or got.f1 > best[0]:
                best = (got.f1, c, lam, w, t)
        return best[1:]


def nested(tr: Training, y: np.ndarray, weights: Sequence[float], seed: int) -> tuple[np.ndarray, list[float]]:
    """Held-out decisions of the real photos (``_heads.nested_scores`` with composite rows), and
    the composite weight each outer fold chose."""
    decided, chosen = np.zeros(len(y), bool), []
    for fold in stratified_folds(list(y), 5, seed):
        held = np.zeros(len(y), bool)
        held[fold] = True
        idx = np.flatnonzero(~held)
        c, lam, w, t = tr.choose(y, idx, weights)
        decided[held] = tr.fit_many(y, idx, [(c, lam, w)])[0].log_odds(tr.x[held]) >= t
        chosen.append(w)
    return decided, chosen


def nested_stacked(tr: Training, y: np.ndarray, supp: np.ndarray, weights: Sequence[float], seed: int
                   ) -> tuple[np.ndarray, list[float]]:
    """``fit_heads.nested_stacked`` with the head inside trained on composite rows too."""
    ridge = fit_heads.STACK_HEAD_RIDGE
    decided, chosen = np.zeros(len(y), bool), []
    for fold in stratified_folds(list(y), 5, seed):
        held = np.zeros(len(y), bool)
        held[fold] = True
        idx, te = np.flatnonzero(~held), np.flatnonzero(held)
        c, lam, w, _ = tr.choose(y, idx, weights)
        head = tr.fit_many(y, idx, [(c, lam, w)])[0]
        oof_head = np.zeros(len(y))
        for inner in stratified_folds(list(y[idx]), 5, 1):
            part = np.zeros(len(idx), bool)
            part[inner] = True
            oof_head[idx[part]] = tr.fit_many(y, idx[~part], [(c, lam, w)])[0].log_odds(tr.x[idx[part]])
        s = np.zeros((len(y), 1 + supp.shape[1]))
        s[idx] = np.c_[oof_head[idx], supp[idx]]
        stage = fit_logistic(s[idx], y[idx].astype(float), ridge)
        oof = out_of_fold_logistic(s, y, ~held, ridge)
        t, _ = best_threshold(list(oof[idx]), list(y[idx]), True)
        decided[te] = stage[0] + np.c_[head.log_odds(tr.x[te]), supp[te]] @ stage[1:] >= t
        chosen.append(w)
    return decided, chosen


# -- main -----------------------------------------------------------------------
def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--photos", type=Path, default=DEFAULT_PHOTOS)
    ap.add_argument("--heads-cache", type=Path, default=None, help="fit_heads.py's feature cache")
    ap.add_argument("--composites", type=Path, default=Path(tempfile.gettempdir()) / "headshot-lint-composites",
                    help="folder the composites are generated into (and their features cached)")
    ap.add_argument("--gen-seeds", type=int, nargs="*", default=[1, 2, 3, 4])
    ap.add_argument("--per-class", type=int, default=4)
    ap.add_argument("--seeds", type=int, nargs="*", default=[0, 1, 2, 3, 4])
    ap.add_argument("--heads", nargs="*", default=["pattern", "busy", "sharp_env"])
    ap.add_argument("--weights", type=float, nargs="*", default=list(WEIGHTS))
    ap.add_argument("--subset", nargs="*", default=["all", "pattern"], choices=["all", "pattern", "other"],
                    help="composites used: all classes, the pattern classes only, or all but them")
    ap.add_argument("--pca-both", action="store_true", help="standardise and PCA over the real training photos "
                    "and the composites (default: the real ones only)")
    ap.add_argument("--degrade", choices=["no", "only", "both"], default="no", help="composites with the background "
                    "blurred and JPEG-compressed (see degrade): instead of the clean ones, or beside them")
    ap.add_argument("--no-fixed", action="store_true", help="only the weight chosen inside (not each fixed w)")
    ap.add_argument("--no-chosen", action="store_true", help="only each fixed w (not the weight chosen inside)")
    ap.add_argument("--no-shipped", action="store_true")
    args = ap.parse_args(argv)

    rows = read_labels(args.photos)
    files = [r["file"] for r in rows]
    cache = args.heads_cache or feature_cache(args.photos, files, "headshot-lint-heads")
    data = fit_heads.measure_all(args.photos, files, cache)
    x = fit_heads.matrix(data, LAYOUT)
    args.composites.mkdir(parents=True, exist_ok=True)
    crow = make_composites(args.composites, args.gen_seeds, args.per_class)
    cdata = fit_heads.measure_all(args.composites, [r["file"] for r in crow], args.composites / "features.pkl")
    xc = fit_heads.matrix(cdata, LAYOUT)
    if args.degrade != "no":
        blurred = args.composites / "degraded"
        make_degraded(args.composites, crow, blurred)
        ddata = fit_heads.measure_all(blurred, [r["file"] for r in crow], blurred / "features.pkl")
        xd = fit_heads.matrix(ddata, LAYOUT)
        xc, crow = (xd, crow) if args.degrade == "only" else (np.concatenate([xc, xd]), crow + crow)
    is_pattern = np.array([r["path"] in pattern_classes() for r in crow])
    print(f"{len(files)} real photos, {len(crow)} composites ({is_pattern.sum()} of the pattern classes)")

    for name in args.heads:
        column = fit_heads.HEADS[name][0]
        y = fit_heads.truth_of(rows, column)
        yc = fit_heads.truth_of(crow, column)
        variants: dict = {}
        if not args.no_shipped:
            variants["shipped"] = (Training(x), [0.0])
        for subset in args.subset:
            keep = {"all": np.ones(len(crow), bool), "pattern": is_pattern, "other": ~is_pattern}[subset]
            tr = Training(x, xc[keep], yc[keep], args.pca_both)
            print(f"{name}: composites {subset}: {keep.sum()} rows, {yc[keep].sum()} positive")
            if not args.no_fixed:
                for w in args.weights:
                    variants[f"{subset} w={w:g}"] = (tr, [w])
            if not args.no_chosen:
                variants[f"{subset} w chosen"] = (tr, list(args.weights))
        for label, (tr, weights) in variants.items():
            f1s, picks = [], []
            for seed in args.seeds:
                t0 = time.time()
                if name in fit_heads.STACKS:
                    measure, keys = fit_heads.STACKS[name]
                    decided, w = nested_stacked(tr, y, fit_heads.supporting(data, measure, keys), weights, seed)
                else:
                    decided, w = nested(tr, y, weights, seed)
                f1s.append(count(list(y), list(decided)).f1)
                picks += w
                print(f"  {name} {label} seed {seed}: F1 {f1s[-1]:.3f} (w {w}; {time.time() - t0:.0f} s)", flush=True)
            sd = np.std(f1s, ddof=1) if len(f1s) > 1 else float("nan")
            print(f"{name:<10} {label:<18} nested F1 {np.mean(f1s):.3f} +- {sd:.3f}  "
                  f"({' / '.join(f'{f:.3f}' for f in f1s)})", flush=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
