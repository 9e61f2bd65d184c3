"""Probes for HL501 small-size-contrast beyond its two fitted values (issue #22): none beat them.

    python benchmarks/probe_small_size.py [--photos ../shared/photos] [--dump probes.npz] [--seeds 10]

HL501 judges a log-odds of ``melted_48`` and ``background_delta_e_48`` (``fit_subject.py``).
This script measures every labelled photo once (``--dump`` keeps the values; a later run
with the same ``--dump`` reads them) with three families of candidates computed on the
profile-picture thumbnails the raters saw (``_views.thumbnails``: 32 px circle, 48 px square):

- structure: the thumbnail's lightness spread, the face against a ring 3 px around it,
  against each of 16 directions just outside it, and the head's outline (hair counts as
  separation), a flood fill of face-coloured pixels from the face outwards (how far the face
  "leaks" into its surround), the background's hue against the face's, a dark frame
  around the face, spectral-residual saliency on the face, the background right beside
  the head at 48 px;
- a perceptual detector: MediaPipe face detection (both ranges, confidence floor 0.01) on
  the 48 px square and the 32 px circle upscaled bilinearly to 128 px, and the face mesh's
  presence at 192 px: is a face findable at that size;
- an embedding: EfficientNet-Lite0 (``perception/embedding.py``) of the 48 px square
  upscaled to 224 px, stride-8 and stride-16 maps mean-pooled (152 values).

It reports, everything fitted inside the folds (stratified 5-fold, mean F1 over
``--seeds`` fold shuffles with its standard deviation and range):

- each candidate alone (AUC, and nested F1 of a threshold chosen on the training folds);
- the shipped pair fitted to the majority label (the rule) and to the share of raters;
- the shipped pair plus each candidate (ridge logistic, lambda 10 as the rule);
- forward selection from all candidates inside every fold (inner-CV deviance, lambda 1 or
  10, at most 4 values), and a free forward selection;
- the embedding as a PCA + ridge logistic head (``benchmarks._heads.nested_scores``: size
  and ridge chosen by an inner CV), and the detector values as a logistic of their own;
- confusion counts of the shipped pair on all and on the unanimous photos, and the median
  CPU ms per photo of each family (perception done beforehand).

Photos without a face cannot be judged by any of them and count as not flagged.
"""

from __future__ import annotations

import argparse
import csv
import json
import math
import statistics
import sys
import time
from pathlib import Path
from typing import Callable, Dict, List, Sequence, Tuple

sys.path[:0] = [str(Path(__file__).resolve().parents[1]), str(Path(__file__).resolve().parents[1] / "src")]

import cv2  # noqa: E402
import numpy as np  # noqa: E402

from benchmarks._evaluation import Counts, auc, best_threshold, count, fmt, read_labels, stratified_folds  # noqa: E402
from benchmarks._heads import nested_scores  # noqa: E402
from benchmarks._logistic import fit_logistic  # noqa: E402
from benchmarks.evaluate import DEFAULT_PHOTOS  # noqa: E402

SHIPPED = ("melted_48", "background_delta_e_48")
#: The ridge of the rule's fit (``fit_subject.py --lam``).
LAM = 10.0
_K3, _K5, _K7 = (np.ones((k, k), np.uint8) for k in (3, 5, 7))


# -- candidates on the thumbnails --------------------------------------------------------------
def _masks(th) -> Tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(face, background, not-face) of one thumbnail, as ``small_size_contrast`` draws them."""
    face = (th.face >= 0.5) & th.visible
    if face.sum() < 2:
        face = (th.face >= 0.25) & th.visible
    bg = th.visible & (th.person < 0.5) & (th.face < 0.1)
    if bg.sum() < 4:
        bg = th.visible & (th.face < 0.1)
    return face, bg, th.visible & (th.face < 0.1)


def _grad(lightness: np.ndarray) -> np.ndarray:
    return np.hypot(cv2.Sobel(lightness, cv2.CV_32F, 1, 0), cv2.Sobel(lightness, cv2.CV_32F, 0, 1))


def _sr_saliency(g: np.ndarray) -> np.ndarray:
    """Spectral-residual saliency (Hou and Zhang 2007) of a grey image in [0, 1]."""
    f = np.fft.fft2(g)
    amp = np.log(np.abs(f) + 1e-6)
    s = np.abs(np.fft.ifft2(np.exp(amp - cv2.blur(amp, (3, 3)) + 1j * np.angle(f)))) ** 2
    return cv2.GaussianBlur(s, (0, 0), 1.5)


def structure(thumbs: dict, skin_l: float | None) -> Dict[str, float]:
    """Thumbnail-structure candidates of ``_views.thumbnails``' {size: Thumbnail} (names end
    in the size); ``skin_l`` is the face's lightness (the thumbnail face's mean without)."""
    from headshot_lint import color

    out: Dict[str, float] = {}
    for n, th in sorted(thumbs.items()):
        lab = th.lab.astype(np.float32)
        face, bg, notface = _masks(th)
        if face.sum() < 1 or bg.sum() < 4:
            continue
        fl = lab[face].mean(axis=0)
        if skin_l is not None:
            fl[0] = skin_l
        light = lab[..., 0]
        de = color.delta_e(lab.reshape(-1, 3), np.broadcast_to(fl, (n * n, 3))).reshape(n, n)
        lv = light[th.visible]
        out[f"range_{n}"] = float(np.percentile(lv, 95) - np.percentile(lv, 5))
        out[f"std_{n}"] = float(lv.std())
        g = _grad(light)
        fm = face.astype(np.uint8)
        edge = ((cv2.dilate(fm, _K3) - cv2.erode(fm, _K3)) > 0) & th.visible
        out[f"face_edge_grad_{n}"] = float(g[edge].mean()) if edge.any() else math.nan
        ring = (cv2.dilate(fm, _K7) > 0) & ~face & th.visible
        out[f"ring3_de_{n}"] = float(np.median(de[ring])) if ring.any() else math.nan
        # 16 directions from the face centre, 1.15-1.7 face radii out: the least separated quarter
        yy, xx = np.mgrid[:n, :n]
        cy, cx = np.argwhere(face).mean(axis=0)
        rad = math.sqrt(face.sum() / math.pi)
        dist = np.hypot(yy - cy, xx - cx)
        sector = (((np.arctan2(yy - cy, xx - cx) + np.pi) / (2 * np.pi) * 16).astype(int)) % 16
        band = (dist > 1.15 * rad) & (dist < 1.7 * rad) & th.visible
        per = [np.median(de[band & (sector == s)]) for s in range(16) if (band & (sector == s)).any()]
        out[f"ring_sector_q25_{n}"] = float(np.percentile(per, 25)) if per else math.nan
        # flood fill of face-coloured pixels (dE < 20) from the face's core
        core = cv2.erode(fm, _K3) > 0
        core = core if core.any() else face
        _, comp = cv2.connectedComponents((((de < 20) & th.visible) | face).astype(np.uint8), connectivity=4)
        ids = np.unique(comp[core])
        leak = np.isin(comp, ids[ids > 0]) & ~(cv2.dilate(fm, _K3) > 0)
        out[f"leak_{n}"] = float(leak.sum() / th.visible.sum())
        # the head's outline (person matte or face) down to 0.3 face heights below the chin
        fg = ((th.person >= 0.5) | (th.face >= 0.1)).astype(np.uint8)
        ys = np.nonzero(face)[0]
        zone = (yy <= ys.max() + 0.3 * (ys.max() - ys.min() + 1)) & th.visible
        outline = (cv2.dilate(fg, _K3) > 0) & ~(cv2.erode(fg, _K3) > 0) & zone
        out[f"head_outline_grad_{n}"] = float(g[outline].mean()) if outline.any() else math.nan
        near = (cv2.dilate(fg, _K7) > 0) & bg
        near[int(ys.max()) + 2:] = False
        out[f"near_melt_{n}"] = float((np.abs(light[near] - fl[0]) < 10).mean()) if near.sum() >= 3 else math.nan
        # hue of the background against the face's
        fh = math.degrees(math.atan2(lab[face][:, 2].mean(), lab[face][:, 1].mean()))
        ba, bb = np.median(lab[bg][:, 1]), np.median(lab[bg][:, 2])
        out[f"hue_gap_{n}"] = (abs((math.degrees(math.atan2(bb, ba)) - fh + 180) % 360 - 180)
                               if math.hypot(ba, bb) > 3 else 180.0)
        frame = cv2.dilate(fm, _K7) > 0
        out[f"dark_frame_{n}"] = float(((light < fl[0] - 25) & notface)[frame].mean())
        sal = _sr_saliency(light / 100.0)
        around = (cv2.dilate(fm, _K5) > 0) & th.visible
        out[f"saliency_face_share_{n}"] = float(sal[around].sum() / (sal[th.visible].sum() + 1e-12))
    return out


def _circled(th) -> np.ndarray:
    rgb = th.rgb.copy()
    rgb[~th.visible] = 255  # the card's page around the circle
    return rgb


def detector(scene, graphs) -> Dict[str, float]:
    """Best MediaPipe face confidence (0 when none) on the upscaled thumbnails; mesh presence."""
    from headshot_lint.measures._views import thumbnails

    th = thumbnails(scene)
    out: Dict[str, float] = {}
    for name, img in (("s48", th[48].rgb), ("c32", _circled(th[32]))):
        big = np.ascontiguousarray(cv2.resize(img, (128, 128), interpolation=cv2.INTER_LINEAR))
        for m in (0, 1):
            res = graphs[m].process(big)
            out[f"detect{m}_{name}_128"] = max((float(d.score[0]) for d in res.detections or ()), default=0.0)
    big = np.ascontiguousarray(cv2.resize(th[48].rgb, (192, 192), interpolation=cv2.INTER_LINEAR))
    out["mesh_s48_192"] = float(bool(graphs["mesh"].process(big).multi_face_landmarks))
    return out


def thumb_embedding(scene) -> np.ndarray:
    """EfficientNet-Lite0 stride-8 and stride-16 means of the 48 px square at 224 px (152 values)."""
    from headshot_lint.measures._views import thumbnails
    from headshot_lint.perception import embedding

    big = cv2.resize(thumbnails(scene)[48].rgb, (224, 224), interpolation=cv2.INTER_LINEAR)
    maps = embedding.run(big)
    return np.concatenate([maps.stride8.mean(axis=(1, 2)), maps.stride16.mean(axis=(1, 2))]).astype(np.float32)


def measure_all(photos: Path, files: Sequence[str]) -> dict:
    """{"values": {file: {name: value}} (None without a face), "embedding": (n, 152), "ms": {family: [ms]}}."""
    from headshot_lint.load import load
    from headshot_lint.measures import call, specs
    from headshot_lint.measures._views import skin_lab, thumbnails
    from headshot_lint.perception import _mediapipe
    from headshot_lint.scene import Scene

    sol = _mediapipe._solutions()
    graphs = {m: sol.face_detection.FaceDetection(model_selection=m, min_detection_confidence=0.01) for m in (0, 1)}
    graphs["mesh"] = sol.face_mesh.FaceMesh(static_image_mode=True, max_num_faces=1, refine_landmarks=False,
                                            min_detection_confidence=0.01)
    spec = specs()["small_size_contrast"]
    values: Dict[str, dict | None] = {}
    emb = np.full((len(files), 152), np.nan, np.float32)
    ms: Dict[str, List[float]] = {"structure": [], "detector": [], "embedding": []}
    for i, name in enumerate(files):
        scene = Scene(load(photos / name))
        m = call(spec, scene)
        if m.status != "ok":
            values[name] = None
            continue
        skin_l = float(skin_lab(scene)[0]) if scene.skin_mask.sum() >= 20 else None
        thumbs = thumbnails(scene)  # the measure's own views, already made
        row = {k: float(v) for k, v in m.values.items()}
        for family, fn in (("structure", lambda: structure(thumbs, skin_l)), ("detector", lambda: detector(scene, graphs))):
            t0 = time.process_time()
            row.update(fn())
            ms[family].append(1000 * (time.process_time() - t0))
        t0 = time.process_time()
        emb[i] = thumb_embedding(scene)
        ms["embedding"].append(1000 * (time.process_time() - t0))
        values[name] = row
    return {"values": values, "embedding": emb, "ms": ms}


# -- nested cross-validation -------------------------------------------------------------------
def _impute(x: np.ndarray, ref: np.ndarray) -> np.ndarray:
    return np.where(np.isnan(x), np.nanmedian(ref, axis=0), x)


def _oof(x: np.ndarray, target: np.ndarray, y: np.ndarray, lam: float, seed: int = 101) -> np.ndarray:
    s = np.zeros(len(y))
    for fold in stratified_folds(list(y), 5, seed):
        held = np.zeros(len(y), bool)
        held[fold] = True
        w = fit_logistic(x[~held], target[~held], lam)
        s[held] = w[0] + x[held] @ w[1:]
    return s


def _deviance(s: np.ndarray, target: np.ndarray) -> float:
    p = np.clip(1 / (1 + np.exp(-s)), 1e-6, 1 - 1e-6)
    return float(-np.mean(target * np.log(p) + (1 - target) * np.log(1 - p)))


def forward(x: np.ndarray, target: np.ndarray, y: np.ndarray, forced: Sequence[int], most: int,
            lams: Sequence[float]) -> Tuple[List[int], float]:
    """Columns added one at a time while the inner-CV deviance falls (``forced`` first), and the ridge."""
    cols, lam, best = list(forced), lams[0], math.inf
    if cols:
        best, lam = min((_deviance(_oof(x[:, cols], target, y, la), target), la) for la in lams)
    while len(cols) < most:
        d, j, la = min((_deviance(_oof(x[:, cols + [j]], target, y, la), target), j, la)
                       for j in range(x.shape[1]) if j not in cols for la in lams)
        if d >= best - 1e-4:
            break
        best, lam = d, la
        cols.append(j)
    return cols, lam


Chooser = Callable[[np.ndarray, np.ndarray, np.ndarray], Tuple[List[int], float]]


def nested(x: np.ndarray, y: np.ndarray, target: np.ndarray, judged: np.ndarray, seed: int,
           choose: Chooser) -> Tuple[np.ndarray, List[List[int]]]:
    """Held-out decisions: per outer fold ``choose`` picks columns and ridge on the training
    photos, the weights and the best-F1 threshold are fitted there; unjudged photos are not flagged."""
    pred = np.zeros(len(y), bool)
    picks = []
    for fold in stratified_folds(list(y), 5, seed):
        held = np.zeros(len(y), bool)
        held[fold] = True
        train = ~held & judged
        xt = _impute(x[train], x[train])
        cols, lam = choose(xt, target[train], y[train])
        w = fit_logistic(xt[:, cols], target[train], lam)
        score = np.where(judged, w[0] + _impute(x, x[train])[:, cols] @ w[1:], -math.inf)
        t, _ = best_threshold(list(score[~held]), list(y[~held]), True)
        pred[held] = score[held] >= t
        picks.append(cols)
    return pred, picks


def _summary(f1: Sequence[float]) -> str:
    return f"nested F1 {statistics.mean(f1):.3f} ± {statistics.pstdev(f1):.3f} [{min(f1):.3f}, {max(f1):.3f}]"


def _counts(tag: str, c: Counts) -> str:
    return f"{tag} P {fmt(c.precision)} R {fmt(c.recall)} F1 {fmt(c.f1)} (TP {c.tp} FP {c.fp} FN {c.fn} TN {c.tn})"


def report(rows: List[dict], data: dict, seeds: int) -> None:
    files = [r["file"] for r in rows]
    y = np.array([r["low_contrast"] == "1" for r in rows])
    unanimous = np.array([r["agree_low_contrast"] == "3" for r in rows])
    votes: Dict[str, List[int]] = {}
    with open(Path(data["photos"]) / "ratings.csv", newline="", encoding="utf-8") as fh:
        for r in csv.DictReader(fh):
            votes.setdefault(r["file"], []).append(int(r["low_contrast"]))
    share = np.array([statistics.mean(votes[f]) for f in files])
    values = data["values"]
    judged = np.array([values[f] is not None for f in files])
    names = sorted({k for v in values.values() if v for k in v} - {"evidence", "stands_out"})
    x = np.array([[(values[f] or {}).get(k, math.nan) for k in names] for f in files], float)
    col = {k: j for j, k in enumerate(names)}
    hard = y.astype(float)
    print(f"{len(files)} photos, {y.sum()} low_contrast, {(~judged).sum()} without a face "
          f"({(y & ~judged).sum()} of them low_contrast); {unanimous.sum()} unanimous")

    print("\n== each candidate alone: AUC (judged photos) and a threshold chosen in the folds")
    for k in names:
        v = x[:, col[k]]
        a = auc(v[judged], y[judged])
        hi = a >= 0.5
        filled = np.where(np.isnan(v), -math.inf if hi else math.inf, v)
        f1 = []
        for s in range(seeds):
            pred = np.zeros(len(y), bool)
            for fold in stratified_folds(list(y), 5, s):
                held = np.zeros(len(y), bool)
                held[fold] = True
                t, _ = best_threshold(list(filled[~held]), list(y[~held]), hi)
                pred[held] = filled[held] >= t if hi else filled[held] <= t
            f1.append(count(list(y), list(pred)).f1)
        print(f"  {k:<26} AUC {max(a, 1 - a):.3f} ({'higher' if hi else 'lower'} is worse)  {_summary(f1)}")

    shipped = [col[k] for k in SHIPPED]

    def fixed(cols: List[int], lam: float = LAM) -> Chooser:
        return lambda xt, tt, yt: (cols, lam)

    def run(tag: str, target: np.ndarray, choose: Chooser, show: bool = False) -> np.ndarray:
        f1, first = [], None
        for s in range(seeds):
            pred, picks = nested(x, y, target, judged, s, choose)
            f1.append(count(list(y), list(pred)).f1)
            if first is None:
                first, first_picks = pred, picks
        c, cu = count(list(y), list(first)), count(list(y[unanimous]), list(first[unanimous]))
        print(f"  {tag:<52} {_summary(f1)}; seed 0 TP {c.tp} FP {c.fp} FN {c.fn}, unanimous F1 {fmt(cu.f1)}")
        if show:
            print("    picked per fold (seed 0): " + "; ".join("+".join(names[j] for j in p) for p in first_picks))
        return first

    print(f"\n== ridge logistic regressions, weights and threshold fitted in the folds, {seeds} fold shuffles")
    base = run("shipped pair (the rule)", hard, fixed(shipped))
    run("shipped pair fitted to the share of raters", share, fixed(shipped))
    for k in names:
        if k not in SHIPPED:
            run(f"shipped pair + {k}", hard, fixed(shipped + [col[k]]))
    run("forward selection from the pair, <= 4 values", hard,
        lambda xt, tt, yt: forward(xt, tt, yt, shipped, 4, (1.0, 10.0)), show=True)
    run("free forward selection, <= 4 values", hard,
        lambda xt, tt, yt: forward(xt, tt, yt, (), 4, (1.0, 10.0)), show=True)
    det = [col[k] for k in names if k.startswith(("detect", "mesh"))]
    run("detector values alone", hard, fixed(det))

    print("\n== thumbnail embedding head (PCA size and ridge chosen by an inner CV in each fold)")
    emb = data["embedding"]
    emb = np.where(np.isnan(emb), np.nanmean(emb, axis=0), emb)
    for tag, target in (("majority label", None), ("share of raters", share)):
        f1 = []
        for s in range(seeds):
            _, decided = nested_scores(emb, y, seed=s, target=target)
            f1.append(count(list(y), list(decided & judged)).f1)
        print(f"  EfficientNet-Lite0 of the 48 px square at 224 px, {tag:<16} {_summary(f1)}")

    print("\n== the rule (shipped pair), held out with fold shuffle 0")
    print(_counts("  all      ", count(list(y), list(base))))
    print(_counts("  unanimous", count(list(y[unanimous]), list(base[unanimous]))))
    print("  still missed: " + ", ".join(f for f, t, p in zip(files, y, base) if t and not p))
    print("  false alarms: " + ", ".join(f for f, t, p in zip(files, y, base) if p and not t))
    print("\n== CPU ms per photo (median, perception and the thumbnails done beforehand)")
    for family, ms in data["ms"].items():
        if ms:
            print(f"  {family:<10} {statistics.median(ms):.2f} ms")


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--photos", type=Path, default=DEFAULT_PHOTOS)
    ap.add_argument("--dump", type=Path, help="measured values (.npz): read if it exists, else written")
    ap.add_argument("--seeds", type=int, default=10, help="fold shuffles to average the nested F1 over")
    args = ap.parse_args(argv)
    rows = read_labels(args.photos)
    files = [r["file"] for r in rows]
    if args.dump and args.dump.exists():
        z = np.load(args.dump, allow_pickle=False)
        data = {"values": json.loads(str(z["values"])), "embedding": z["embedding"], "ms": json.loads(str(z["ms"]))}
    else:
        data = measure_all(args.photos, files)
        if args.dump:
            np.savez_compressed(args.dump, values=json.dumps(data["values"]), embedding=data["embedding"],
                                ms=json.dumps(data["ms"]))
    data["photos"] = str(args.photos)
    report(rows, data, args.seeds)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
