"""Training-set augmentation for the learned heads (issue #19), compared by nested CV.

The heads overfit 321 photos (pattern: in-sample F1 0.92, nested 0.58); would augmented copies
of the training photos (the same background seen mirrored, at another input size, cropped,
recoloured) teach them what does not matter? Not on these photos. Measured 2026-12-06, nested
F1 over outer fold seeds 0-4, mean +- sd (shipped = ``fit_heads.py``'s method, reproduced here
seed for seed: pattern 0.588 at seed 0 as in ``pattern.json``):

============  ===============  ===================  =================  ===============  ===============
head          shipped          + 7 views, training  + 7 views and TTA  + s288/s352      + 6 strong views
============  ===============  ===================  =================  ===============  ===============
pattern       0.577 +- 0.020   0.576 +- 0.014       0.562 +- 0.024     0.589 +- 0.011   0.563 +- 0.045
sharp_env     0.858 +- 0.007   0.857 +- 0.009       0.847 +- 0.014     0.851 +- 0.010   0.857 +- 0.012
busy (stage)  0.858 +- 0.010   0.850 +- 0.013       0.862 +- 0.014     0.856 +- 0.015   0.863 +- 0.013
verdict_good  0.758 +- 0.025   0.758 +- 0.018       -                  0.758 +- 0.018   -
verdict_poor  0.849 +- 0.009   0.846 +- 0.015       -                  0.850 +- 0.009   -
============  ===============  ===================  =================  ===============  ===============

The 7 views (``VIEWS``): mirror, long side 288 / 352, 90 % crop around the face, mirror + crop,
colour jitter, mirror + jitter. The strong ones (``--strong``, ``STRONG_VIEWS``): 70 % crops
(around the face, mirrored, shifted at random), long side 256 / 448, mirror + 448; busy's +0.005
there is fold noise: at outer seeds 5-9 shipped 0.850 +- 0.011, strong views 0.844 +- 0.018. The
verdict (``--verdict``: the nested part of ``fit_heads.verdict_fit``, every head and the stacker
refitted per outer fold, seeds 0-2): shipped agreement 0.771 +- 0.005 (0.766 at seed 0, the
shipped figure), heads trained with the s288/s352 views 0.774 +- 0.013 (+0.003 paired).

Other pattern variants (training views, no TTA): the standardiser and PCA basis over every row,
augmented ones included, 0.596 at seed 0 (0.597 without) at 190 s a seed, stopped; the ridge not
scaled by the rows per photo (8x weaker per photo) 0.578 +- 0.024; mirror and crop views only
0.584 +- 0.031; the 16 directions in which the views differ most from their original projected
out before the PCA (nuisance attribute projection), fitted with the views 0.573 +- 0.055, on
the originals only 0.586 +- 0.031. The scale views' +0.012 on pattern (never worse seed by seed)
is less than the seed spread and does not carry over (sharp_env -0.007, busy -0.002,
verdict_good 0), so it is noise. The backlit head (``--backlit``: its two exposure values measured
again on each view analysed as a new photo; outer seeds 0-7 as ``fit_backlight.py --compare``):
shipped 0.813 +- 0.020, + mirror 0.809, + crop 0.815, + colour 0.817, + all three 0.814
(+- 0.017-0.021): a two-weight model does not overfit, its misses are structural.

Why: in the standardised PCA-64 space each view sits 0.06 (colour) to 0.19 (mirror + crop) of
the mean distance between two photos from its original (the strong ones 0.27-0.30), so they add
rows, not information: what a head lacks is photos of the rare kinds it misses (see
``fit_pattern.py``), and an ImageNet network trained with flips, crops and colour jitter is
already nearly invariant to them. Test-time averaging over the 7 views costs about 260 ms CPU
per photo more (embedding and pooling of each view: 32-44 ms, against 30 ms for the one pass the
engine makes), loses on pattern and sharp_env and gains busy 0.004 (paired, seeds 0-4: +0.001,
-0.001, +0.001, +0.005, +0.014), inside the spread. Nothing is shipped; the script writes nothing.

    python benchmarks/probe_augment.py --heads-cache FILE [--photos ../shared/photos] [--cache DIR]
        [--seeds 0 1 2 3 4] [--heads busy pattern sharp_env] [--train VIEW ...] [--strong] [--shipped]
        [--verdict] [--backlit] [--no-tta]

``--heads-cache``: ``fit_heads.py``'s feature cache (its ``--cache``; busy's stage inputs and the
verdict's rule qualities). Features of the views are cached in ``--cache`` (one pass, ~4 min).

1. Features: every labelled photo is analysed upright as the engine does (``_upright_scene``);
   the pooled blocks of ``fit_heads.LAYOUT`` are computed from the EfficientNet-Lite0 maps
   of the analysis image and its background matte (``pooled_blocks``, as the engine), and
   again for each view in ``VIEWS``: the mirror image (matte mirrored), input long side 288
   and 352 px instead of 320 (same matte), a crop keeping 90 % of the area around the face
   (matte cropped), a mild brightness / colour jitter, and two combinations. Cached in
   ``--cache`` (one pass, a few minutes).
2. Nested 5-fold CV exactly as ``_heads.nested_scores`` (PCA size, ridge, threshold chosen by
   an inner 5-fold CV on the training folds), except that the training photos of every fit,
   inner ones included, bring their augmented views as extra rows; held-out photos are
   judged on their original view (``train``), or on the mean log-odds over the original and
   the augmented views (``train+tta``; the threshold chosen on the same averaged values).
   Folds are over photos, so no view of a held-out photo is ever trained on. The standardising
   and PCA basis come from the training photos' original views (the augmented rows are
   projected on it), and the ridge is scaled by the number of rows per photo so a ridge of 10
   means the same per photo as in the shipped fit. busy keeps its second stage (``STACKS``):
   only the head inside it is trained on augmented rows.
"""

from __future__ import annotations

import argparse
import hashlib
import itertools
import pickle
import sys
import time
from pathlib import Path
from typing import Callable, Sequence

import cv2
import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT), str(ROOT / "src")]

from benchmarks import fit_heads  # noqa: E402
from benchmarks._evaluation import best_threshold, count, read_labels, stratified_folds  # noqa: E402
from benchmarks._heads import COMPONENTS, RIDGES, Head  # noqa: E402
from benchmarks._logistic import fit_logistic  # noqa: E402
from benchmarks.evaluate import DEFAULT_PHOTOS  # noqa: E402

LAYOUT = fit_heads.LAYOUT
#: Augmented views: name -> (mirror, input long side, crop to this share of the area around the
#: face, colour jitter).
VIEWS = {
    "mirror": (True, 320, 1.0, False),
    "s288": (False, 288, 1.0, False),
    "s352": (False, 352, 1.0, False),
    "crop90": (False, 320, 0.9, False),
    "mirror_crop90": (True, 320, 0.9, False),
    "colour": (False, 320, 1.0, True),
    "mirror_colour": (True, 320, 1.0, True),
}
#: ``--strong``: views further from the original (crops of 70 % of the area, one around the face,
#: one anywhere that keeps the face's centre; input long side 256 and 448 px).
STRONG_VIEWS = {
    "crop70": (False, 320, 0.7, False),
    "mirror_crop70": (True, 320, 0.7, False),
    "crop70_shifted": (False, 320, -0.7, False),
    "s256": (False, 256, 1.0, False),
    "s448": (False, 448, 1.0, False),
    "mirror_s448": (True, 448, 1.0, False),
}
#: Brightness factor and per-channel gain ranges of the colour jitter (uniform, seeded per photo).
BRIGHTNESS = (0.85, 1.15)
GAIN = (0.95, 1.05)


# -- features -------------------------------------------------------------------
def _crop_box(h: int, w: int, share: float, face, rng: np.random.Generator | None = None
              ) -> tuple[int, int, int, int]:
    """(y0, y1, x0, x1) of a window with ``share`` of the area, the frame's aspect, centred on
    the face (or the frame) and kept inside the frame; with ``rng``, shifted at random as far
    as keeps the face's centre inside the middle 80 % of the window."""
    f = share ** 0.5
    ch, cw = int(round(h * f)), int(round(w * f))
    cy, cx = (h / 2, w / 2) if face is None else ((face.box.y0 + face.box.y1) / 2, (face.box.x0 + face.box.x1) / 2)
    if rng is not None:
        cy, cx = cy + rng.uniform(-0.4, 0.4) * ch, cx + rng.uniform(-0.4, 0.4) * cw
    y0 = int(np.clip(round(cy - ch / 2), 0, h - ch))
    x0 = int(np.clip(round(cx - cw / 2), 0, w - cw))
    return y0, y0 + ch, x0, x0 + cw


def view(rgb: np.ndarray, bg: np.ndarray, face, spec: tuple, rng: np.random.Generator
         ) -> tuple[np.ndarray, np.ndarray, int]:
    """The augmented (rgb, background, long side) of one view."""
    mirror, side, share, jitter = spec
    if abs(share) < 1.0:  # negative: the window shifted at random
        y0, y1, x0, x1 = _crop_box(*rgb.shape[:2], abs(share), face, rng if share < 0 else None)
        rgb, bg = rgb[y0:y1, x0:x1], bg[y0:y1, x0:x1]
    if mirror:
        rgb, bg = rgb[:, ::-1], bg[:, ::-1]
    if jitter:
        gain = rng.uniform(*BRIGHTNESS) * rng.uniform(*GAIN, size=3)
        rgb = np.clip(rgb.astype(np.float32) * gain, 0, 255).round().astype(np.uint8)
    return np.ascontiguousarray(rgb), np.ascontiguousarray(bg), side


def measure_views(photos: Path, files: Sequence[str], cache: Path, views: dict = VIEWS) -> dict:
    """Per view name ("orig" first): (n, features) pooled blocks in ``LAYOUT``; and the
    embedding CPU ms per photo and view."""
    if cache.is_file():
        with open(cache, "rb") as f:
            data = pickle.load(f)
        if data.get("files") == list(files) and set(data["x"]) == {"orig", *views}:
            return data
    from headshot_lint.engine import _upright_scene
    from headshot_lint.load import load
    from headshot_lint.measures._learned import pooled_blocks
    from headshot_lint.perception.embedding import feature_maps

    x = {name: [] for name in ("orig", *views)}
    ms = {name: [] for name in x}
    for i, name in enumerate(files):
        scene = _upright_scene(load(photos / name))
        rgb, bg, face = scene.rgb, scene.background_mask, scene.face
        rng = np.random.default_rng(int(hashlib.sha256(name.encode()).hexdigest()[:8], 16))
        for v, spec in (("orig", (False, 320, 1.0, False)), *views.items()):
            r, b, side = view(rgb, bg, face, spec, rng)
            c0 = time.process_time()
            blocks = pooled_blocks(feature_maps(r, side), b)
            ms[v].append(1000 * (time.process_time() - c0))
            x[v].append(np.concatenate([blocks[k] for k in LAYOUT]).astype(np.float32))
        if i % 40 == 0:
            print(f"  {i}/{len(files)} {name}", file=sys.stderr, flush=True)
    data = {"files": list(files), "x": {k: np.array(v) for k, v in x.items()}, "ms": ms}
    with open(cache, "wb") as f:
        pickle.dump(data, f)
    return data


# -- augmented heads ------------------------------------------------------------
class Views:
    """The feature views of every photo: ``orig`` (n, d) and the augmented ones (n, a, d)."""

    def __init__(self, x: dict, train: Sequence[str], tta: Sequence[str], pca_all: bool = False,
                 ridge_per_photo: bool = True, nap: int = 0, nap_only: bool = False):
        self.pca_all, self.ridge_per_photo, self.nap, self.nap_only = pca_all, ridge_per_photo, nap, nap_only
        self.orig = np.asarray(x["orig"], np.float64)
        self.train = np.stack([np.asarray(x[v], np.float64) for v in train], 1) if train else None
        self.tta = np.stack([np.asarray(x[v], np.float64) for v in tta], 1) if tta else None

    def rows(self, idx: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Training rows of photos ``idx``: original and augmented views, and each row's photo."""
        if self.train is None:
            return self.orig[idx], idx
        a = self.train.shape[1]
        x = np.concatenate([self.orig[idx], self.train[idx].reshape(-1, self.orig.shape[1])])
        return x, np.concatenate([idx, np.repeat(idx, a)])

    def score(self, heads: Sequence[Head], idx: np.ndarray) -> np.ndarray:
        """(len(heads), len(idx)) log-odds of photos ``idx``: the original view, or the mean over
        it and the test-time views."""
        w = np.array([h.weights for h in heads]).T
        b = np.array([h.bias for h in heads])[:, None]
        s = (self.orig[idx] @ w).T
        if self.tta is not None:
            s = (s + np.einsum("nad,dh->hn", self.tta[idx], w)) / (1 + self.tta.shape[1])
        return s + b


def fit_many(views: Views, y: np.ndarray, idx: np.ndarray, configs: Sequence[tuple[int, float]]) -> list[Head]:
    """``_heads._fit_many`` on the photos ``idx`` with their augmented rows: standardising and
    PCA basis from the original views, ridge logistic regression on every row (ridge times the
    rows per photo)."""
    xr, photo = views.rows(idx)
    x0 = xr if views.pca_all else views.orig[idx]
    mu, sd = x0.mean(axis=0), x0.std(axis=0) + 1e-6
    z = (xr - mu) / sd
    z0 = z if views.pca_all else (x0 - mu) / sd
    if views.nap:
        z0 = z0 - (z0 @ (u := _nuisance(z, len(idx), views.nap)).T) @ u
    _, _, vt = np.linalg.svd(z0, full_matrices=False)
    if views.nap_only:
        z, photo = z[:len(idx)], photo[:len(idx)]
    per = len(z) / len(idx) if views.ridge_per_photo else 1.0
    heads = []
    for c, lam in configs:
        basis = vt[:min(c, vt.shape[0])]
        w = fit_logistic(z @ basis.T, y[photo].astype(float), lam * per)
        raw = (basis.T @ w[1:]) / sd
        heads.append(Head(float(w[0] - raw @ mu), raw, c, lam))
    return heads


def _nuisance(z: np.ndarray, n: int, k: int) -> np.ndarray:
    """(k, d) orthonormal directions in which the augmented views of the photos differ most from
    their original (``z``: the n original rows, then each photo's views in turn)."""
    a = (len(z) - n) // n
    diff = z[n:] - np.repeat(z[:n], a, axis=0)
    rng = np.random.default_rng(0)
    q = np.linalg.qr(diff.T @ rng.standard_normal((len(diff), k + 16)))[0]
    for _ in range(3):
        q = np.linalg.qr(diff.T @ (diff @ q))[0]
    u, _, _ = np.linalg.svd(q.T @ diff.T @ diff @ q)
    return (q @ u[:, :k]).T


def choose(views: Views, y: np.ndarray, idx: np.ndarray, seed: int = 1) -> tuple[int, float, float]:
    """``_heads.choose`` over photos ``idx`` (inner folds over photos)."""
    configs = [(c, lam) for c, lam in itertools.product(COMPONENTS, RIDGES) if c < len(idx) * 4 / 5]
    oof = np.zeros((len(configs), len(idx)))
    for fold in stratified_folds(list(y[idx]), 5, seed):
        held = np.zeros(len(idx), bool)
        held[fold] = True
        oof[:, held] = views.score(fit_many(views, y, idx[~held], configs), idx[held])
    best = None
    for j, (c, lam) in enumerate(configs):
        t, got = best_threshold(list(oof[j]), list(y[idx].astype(bool)), True)
        if best is None or got.f1 > best[0]:
            best = (got.f1, c, lam, t)
    return best[1], best[2], best[3]


def nested(views: Views, y: np.ndarray, seed: int) -> np.ndarray:
    """Held-out decisions (``_heads.nested_scores`` with augmented training rows)."""
    decided = np.zeros(len(y), bool)
    for fold in stratified_folds(list(y), 5, seed):
        held = np.zeros(len(y), bool)
        held[fold] = True
        tr = np.flatnonzero(~held)
        c, lam, t = choose(views, y, tr)
        decided[held] = views.score(fit_many(views, y, tr, [(c, lam)]), np.flatnonzero(held))[0] >= t
    return decided


def _oof_head(views: Views, y: np.ndarray, idx: np.ndarray, c: int, lam: float) -> np.ndarray:
    """``fit_heads._oof_head`` over photos ``idx``: log-odds of each from the others' fit."""
    out = np.zeros(len(idx))
    for fold in stratified_folds(list(y[idx]), 5, 1):
        held = np.zeros(len(idx), bool)
        held[fold] = True
        out[held] = views.score(fit_many(views, y, idx[~held], [(c, lam)]), idx[held])[0]
    return out


def nested_stacked(views: Views, y: np.ndarray, supp: np.ndarray, seed: int) -> np.ndarray:
    """``fit_heads.nested_stacked`` with the head inside trained on augmented rows."""
    from benchmarks._heads import out_of_fold_logistic

    ridge = fit_heads.STACK_HEAD_RIDGE
    decided = np.zeros(len(y), bool)
    for fold in stratified_folds(list(y), 5, seed):
        held = np.zeros(len(y), bool)
        held[fold] = True
        tr, te = np.flatnonzero(~held), np.flatnonzero(held)
        c, lam, _ = choose(views, y, tr)
        head = fit_many(views, y, tr, [(c, lam)])[0]
        s = np.zeros((len(y), 1 + supp.shape[1]))
        s[tr] = np.c_[_oof_head(views, y, tr, c, lam), supp[tr]]
        stage = fit_logistic(s[tr], y[tr].astype(float), ridge)
        oof = out_of_fold_logistic(s, y, ~held, ridge)
        t, _ = best_threshold(list(oof[tr]), list(y[tr]), True)
        value = stage[0] + np.c_[views.score([head], te)[0], supp[te]] @ stage[1:]
        decided[te] = value >= t
    return decided


# -- the verdict ------------------------------------------------------------------
def head_log_odds(views: Views) -> Callable:
    """``fit_heads.head_log_odds`` with augmented training rows (same signature)."""
    def run(x: np.ndarray, labels: dict, train: np.ndarray, test: np.ndarray) -> dict:
        n = len(train)
        idx = np.flatnonzero(train)
        out = {}
        for name, y in labels.items():
            c, lam, _ = choose(views, y, idx)
            lo = np.zeros(n)
            lo[idx] = _oof_head(views, y, idx, c, lam)
            if test.any():
                lo[test] = views.score(fit_many(views, y, idx, [(c, lam)]), np.flatnonzero(test))[0]
            out[name] = lo
        return out
    return run


def verdict_nested(x: np.ndarray, rows: list[dict], data: dict, seed: int, log_odds: Callable) -> float:
    """The nested part of ``fit_heads.verdict_fit`` at outer fold seed ``seed``: agreement."""
    from headshot_lint.rules import load_pack

    rules = {r.name: r for r in load_pack("default").select(["ALL"])}
    rule_names = sorted(rules)
    truth = np.array([r["verdict"] for r in rows])
    labels = {"verdict_good": truth == "good", "verdict_poor": truth == "poor",
              **{h: fit_heads.truth_of(rows, h) for h in fit_heads.RULE_HEADS}}
    n = len(truth)
    inputs = [name for name in rule_names if rules[name].input_check]
    cap = np.array([min([s.get(k, 100.0) for k in inputs] + [100.0]) for s in data["scores"]])
    stages = fit_heads.written_stages(data)
    held = np.empty(n, dtype=object)
    for fold in stratified_folds(list(truth == "good"), 5, seed):
        test = np.zeros(n, bool)
        test[fold] = True
        lo = log_odds(x, labels, ~test, test)
        d = fit_heads.stack_design(lo, data["scores"], rule_names, rules, stages)
        g, f, _ = fit_heads.best_bands(np.minimum(fit_heads._oof_quality(d, truth, ~test), cap)[~test], truth[~test])
        q = fit_heads.stacked_quality(fit_heads.fit_stacker(d, truth, ~test), d[test])
        held[test] = fit_heads.band(np.minimum(q, cap[test]), g, f)
    return float(np.mean(held == truth))


# -- backlit ----------------------------------------------------------------------
#: Views for the backlit head's two exposure values (the input size does not reach them).
BACKLIT_VIEWS = ("mirror", "crop90", "colour")


def measure_backlit(photos: Path, files: Sequence[str], cache: Path) -> dict:
    """Per view ("orig" first): (n, 2) ``fit_backlight.FEATURES`` of the view analysed as a new
    photo (faces, matte and all), NaN where the measure could not judge."""
    if cache.is_file():
        with open(cache, "rb") as f:
            data = pickle.load(f)
        if data.get("files") == list(files):
            return data
    from benchmarks.fit_backlight import FEATURES
    from headshot_lint.load import Photo, load
    from headshot_lint.measures.backlight import backlight
    from headshot_lint.scene import Scene

    x = {v: np.full((len(files), len(FEATURES)), np.nan) for v in ("orig", *BACKLIT_VIEWS)}
    for i, name in enumerate(files):
        photo = load(photos / name)
        scene = Scene(photo)
        rng = np.random.default_rng(int(hashlib.sha256(name.encode()).hexdigest()[:8], 16))
        for v in x:
            if v == "orig":
                s = scene
            else:
                rgb, _, _ = view(photo.rgb, np.zeros(photo.rgb.shape[:2], bool), scene.face, VIEWS[v], rng)
                rgb.flags.writeable = False
                s = Scene(Photo(rgb, photo.original_size, photo.source, photo.format))
            m = backlight(s)
            if m.status == "ok":
                x[v][i] = [m.values[k] for k in FEATURES]
        if i % 40 == 0:
            print(f"  {i}/{len(files)} {name}", file=sys.stderr, flush=True)
    data = {"files": list(files), "x": x}
    with open(cache, "wb") as f:
        pickle.dump(data, f)
    return data


def nested_backlit(x: dict, y: np.ndarray, train: Sequence[str], seed: int, lam: float = 3.0,
                   slack: float = 0.01) -> float:
    """``_logistic.nested_cv`` (fit_backlight.py's figure) with the training photos' views as
    extra rows (ridge times the rows per photo); threshold on the training photos' originals."""
    from benchmarks._evaluation import Counts, recall_leaning_threshold
    from benchmarks._logistic import log_odds

    total = Counts()
    x0 = x["orig"]
    for fold in stratified_folds(list(y), 5, seed):
        held = np.zeros(len(y), bool)
        held[fold] = True
        xs = np.concatenate([x0[~held]] + [x[v][~held] for v in train])
        ys = np.concatenate([y[~held]] * (1 + len(train)))
        ok = ~np.isnan(xs).any(axis=1)
        w = fit_logistic(xs[ok], ys[ok].astype(float), lam * ok.sum() / (~np.isnan(x0[~held]).any(axis=1)).sum())
        t, _ = recall_leaning_threshold(list(log_odds(w, x0[~held])), list(y[~held]), True, slack)
        total = total + count(list(y[held]), list(log_odds(w, x0[held]) >= t))
    return total.f1


# -- main -----------------------------------------------------------------------
def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--photos", type=Path, default=DEFAULT_PHOTOS)
    ap.add_argument("--cache", type=Path, default=Path("/tmp/augment"))
    ap.add_argument("--heads-cache", type=Path, default=None, help="fit_heads.py's feature cache (busy's stage inputs, "
                    "the verdict's rule qualities)")
    ap.add_argument("--seeds", type=int, nargs="*", default=[0, 1, 2, 3, 4])
    ap.add_argument("--heads", nargs="*", default=["busy", "pattern", "sharp_env"])
    ap.add_argument("--train", nargs="*", default=None, help="augmented views added to training (default: all)")
    ap.add_argument("--strong", action="store_true", help="the views of STRONG_VIEWS instead of VIEWS")
    ap.add_argument("--tta", nargs="*", default=None, help="views averaged at test time (default: none and the "
                    "training views, both reported)")
    ap.add_argument("--shipped", action="store_true", help="also the shipped method (no views) on the same seeds")
    ap.add_argument("--verdict", action="store_true")
    ap.add_argument("--backlit", action="store_true", help="the backlit head (two exposure values) instead")
    ap.add_argument("--pca-all", action="store_true", help="standardise and PCA over every training row, "
                    "augmented ones included (default: the original views only)")
    ap.add_argument("--ridge-per-row", action="store_true", help="the ridge as given (default: times the rows per "
                    "photo, so it means the same per photo as in the shipped fit)")
    ap.add_argument("--nap", type=int, default=0, help="project out this many directions of within-photo view "
                    "variation before the PCA (nuisance attribute projection)")
    ap.add_argument("--nap-only", action="store_true", help="with --nap: fit on the original rows only")
    ap.add_argument("--no-tta", action="store_true", help="skip the test-time averaging variant")
    args = ap.parse_args(argv)

    rows = read_labels(args.photos)
    files = [r["file"] for r in rows]
    args.cache.mkdir(parents=True, exist_ok=True)
    if args.backlit:
        bx = measure_backlit(args.photos, files, args.cache / "backlit.pkl")
        y = np.array([r["backlit"] == "1" for r in rows])
        for label, train in (("shipped", ()), *((v, (v,)) for v in BACKLIT_VIEWS), ("all", BACKLIT_VIEWS)):
            f1s = [nested_backlit(bx["x"], y, train, seed) for seed in args.seeds]
            print(f"backlit    {label:<10} nested F1 {np.mean(f1s):.3f} +- {np.std(f1s, ddof=1):.3f}  "
                  f"({' / '.join(f'{f:.3f}' for f in f1s)})", flush=True)
        return 0
    views_of = STRONG_VIEWS if args.strong else VIEWS
    cache = args.cache / ("views_strong.pkl" if args.strong else "views.pkl")
    data = measure_views(args.photos, files, cache, views_of)
    args.train = list(views_of) if args.train is None else args.train
    for v, ms in data["ms"].items():
        print(f"embedding + pooling, view {v}: CPU ms per photo median {np.median(ms):.1f}")
    heads_data = None
    if args.heads_cache:
        with open(args.heads_cache, "rb") as f:
            heads_data = pickle.load(f)
        x_ref = fit_heads.matrix(heads_data, LAYOUT)
        print(f"original view against fit_heads' features: max |diff| {np.abs(x_ref - data['x']['orig']).max():.2e}")

    variants = {}
    if args.shipped:
        variants["shipped"] = Views(data["x"], [], [])
    opts = {"pca_all": args.pca_all, "ridge_per_photo": not args.ridge_per_row, "nap": args.nap,
            "nap_only": args.nap_only}
    variants["train"] = Views(data["x"], args.train, [], **opts)
    tta = [] if args.no_tta else args.train if args.tta is None else args.tta
    if tta:
        variants["train+tta"] = Views(data["x"], args.train, tta, **opts)
    print(f"training views {args.train}; test-time views {tta}; {opts}")
    for name in args.heads:
        column = fit_heads.HEADS[name][0]
        y = fit_heads.truth_of(rows, column)
        for label, views in variants.items():
            f1s = []
            for seed in args.seeds:
                t0 = time.time()
                if name in fit_heads.STACKS:
                    measure, keys = fit_heads.STACKS[name]
                    decided = nested_stacked(views, y, fit_heads.supporting(heads_data, measure, keys), seed)
                else:
                    decided = nested(views, y, seed)
                f1s.append(count(list(y), list(decided)).f1)
                print(f"  {name} {label} seed {seed}: F1 {f1s[-1]:.3f} ({time.time() - t0:.0f} s)", flush=True)
            print(f"{name:<10} {label:<10} nested F1 {np.mean(f1s):.3f} +- {np.std(f1s, ddof=1):.3f}  "
                  f"({' / '.join(f'{f:.3f}' for f in f1s)})", flush=True)
    if args.verdict:
        for label, views in variants.items():
            agree = []
            for seed in args.seeds:
                fn = fit_heads.head_log_odds if label == "shipped" else head_log_odds(views)
                agree.append(verdict_nested(fit_heads.matrix(heads_data, LAYOUT), rows, heads_data, seed, fn))
                print(f"  verdict {label} seed {seed}: agreement {agree[-1]:.3f}", flush=True)
            print(f"verdict    {label:<10} nested agreement {np.mean(agree):.3f} +- {np.std(agree, ddof=1):.3f}  "
                  f"({' / '.join(f'{a:.3f}' for a in agree)})", flush=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
