"""Would another reading of the body's outline beat HL302 clothing-camouflage? (issue #22)

    python benchmarks/probe_camouflage.py [--photos ../shared/photos] [--cache FILE] [--seeds 5] [--forward-seeds 3]

Measures every photo once (``--cache`` keeps the per-point outline data, so later runs
read it) and scores candidate per-photo values against the three-rater ``camouflage``
labels. The outline is the measure's own (person matte >= 0.5, frame edge left out,
bands 4 px wide 1 px off the outline, local means), at a viewer scale of 64, 96, 160
(the rule's) and 240 px on the long side, plus the profile-picture crop (2.6 face boxes)
at 96 px. At each outline point it keeps the CIELAB inside and outside, their local
spread and the strongest Lab gradient within 2 px (the edge the image shows, not the
matte). Candidates, each a number per photo:

- lost fractions at ΔE2000 10 / 15 (and relative to the photo's own colour spread), the
  10th / 25th percentile ΔE2000 along the outline, the longest lost stretch;
- edge visibility: the outline's 25th percentile image gradient, the share of outline
  with a gradient under 8 ΔLab/px, a separability (ΔLab over the bands' local spread);
- per photo: person-vs-background median ΔE2000, dark-on-dark (the lighter of the two
  bands' median L*), faces on the person, body outline per face height;
- which outline: below the chin (the rule), without the tight-crop fallback to the whole
  outline, with 6 px at the frame's bottom left out, heads of every face left out,
  everything inside the profile crop, and the other view sizes.

Printed per candidate: AUC, the in-sample best-F1, and the 5-fold CV F1 with the threshold
chosen on the other folds, mean and spread over ``--seeds`` fold shuffles; then a ridge
logistic regression whose features (forward selection, at most 4), weights and threshold
are all chosen inside each outer fold (nested; ``--forward-seeds`` shuffles, as it is slow).
Photos a candidate cannot judge count as not flagged.

Result on the 321 three-rater photos (session 8): nothing beats the rule's lost fraction
at ΔE2000 15 (5-fold CV F1 0.533 +- 0.007) by more than its spread: the best single
candidates stay at 0.49-0.54 CV (no tight-crop fallback 0.537 +- 0.012, 6 px at the bottom
left out 0.533, ΔE < 10 0.528, 10th percentile 0.490), edge visibility 0.44, separability
0.41, other views 0.46-0.50, the profile crop 0.36, and the nested logistic selection scores
0.489 +- 0.010 over 5 shuffles. So HL302 keeps its measure.
"""

from __future__ import annotations

import argparse
import pickle
import statistics
import sys
import tempfile
from pathlib import Path
from typing import Dict, List, Optional

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT), str(ROOT / "src")]

import cv2  # noqa: E402
import numpy as np  # noqa: E402

from benchmarks._evaluation import auc, best_threshold, count, read_labels, stratified_folds  # noqa: E402
from benchmarks._logistic import fit_logistic, log_odds  # noqa: E402
from benchmarks.evaluate import DEFAULT_PHOTOS  # noqa: E402

VIEWS = (64, 96, 160, 240)
BAND, GAP = 4, 1
#: Profile-picture crop, face-box sides (as ``_views.PROFILE_CROP_SIDES``), and its view size.
CROP_SIDES, CROP_PX, CROP_BAND = 2.6, 96, 3


def _local(lab: np.ndarray, mask: np.ndarray, k: int):
    """Local mean Lab, local spread (root of summed channel variances) and where defined."""
    m = mask.astype(np.float32)
    n = cv2.boxFilter(m, -1, (k, k), normalize=True, borderType=cv2.BORDER_CONSTANT)
    s = cv2.boxFilter(lab * m[..., None], -1, (k, k), normalize=True, borderType=cv2.BORDER_CONSTANT)
    s2 = cv2.boxFilter(lab * lab * m[..., None], -1, (k, k), normalize=True, borderType=cv2.BORDER_CONSTANT)
    nn = np.maximum(n, 1e-6)[..., None]
    mu = s / nn
    return mu, np.sqrt(np.maximum(s2 / nn - mu * mu, 0).sum(-1)), n >= 0.1


def outline_points(rgb: np.ndarray, matte: np.ndarray, band: int = BAND, gap: int = GAP) -> dict:
    """Per measurable outline point of one view: position, Lab in / out, spreads, gradient."""
    from headshot_lint import color
    from headshot_lint.scene import PERSON_FIRM, PERSON_LOOSE

    lab = color.rgb_to_lab(rgb)
    h, w = matte.shape
    person = (matte >= PERSON_FIRM).astype(np.uint8)
    ind = cv2.distanceTransform(person, cv2.DIST_L2, 3)
    outd = cv2.distanceTransform(1 - person, cv2.DIST_L2, 3)
    outline = (person > 0) & (ind < 1.5)
    outline[:2] = outline[-2:] = False
    outline[:, :2] = outline[:, -2:] = False
    bg = matte < PERSON_LOOSE
    k = 2 * (band + gap) + 1
    li, si, oi = _local(lab, (ind > gap) & (ind <= gap + band), k)
    lo, so, oo = _local(lab, bg & (outd > gap) & (outd <= gap + band), k)
    pts = outline & oi & oo
    g = np.zeros((h, w), np.float32)
    for c in range(3):
        g += (cv2.Sobel(lab[..., c], cv2.CV_32F, 1, 0, ksize=3) / 8) ** 2
        g += (cv2.Sobel(lab[..., c], cv2.CV_32F, 0, 1, ksize=3) / 8) ** 2
    g = cv2.dilate(np.sqrt(g), np.ones((5, 5), np.uint8))
    ys, xs = np.nonzero(pts)
    return dict(h=h, w=w, xs=xs, ys=ys, lab_in=li[pts], lab_out=lo[pts], sd_in=si[pts], sd_out=so[pts], grad=g[pts],
                lab_sd=float(np.sqrt(lab.reshape(-1, 3).var(0).sum())),
                bg_med=np.median(lab[bg], axis=0) if bg.any() else None,
                person_med=np.median(lab[person > 0], axis=0) if person.any() else None)


def measure_all(photos: Path, files: List[str], cache: Path) -> dict:
    """{file: {"views": {px: points}, "crop": points or None, "chin": {px: row}, "faces": boxes per view}}."""
    if cache.is_file():
        with open(cache, "rb") as fh:
            data = pickle.load(fh)
        if data.get("files") == files:
            return data
    from headshot_lint.engine import _upright_scene
    from headshot_lint.load import load
    from headshot_lint.measures._views import clothing, half_view

    per: Dict[str, dict] = {}
    for i, name in enumerate(files):
        scene = _upright_scene(load(photos / name))
        row: dict = {"views": {}, "chin": {}, "faces": {}, "face_h": {}, "crop": None}
        if scene.person_mask.sum() >= 0.01 * scene.person_mask.size:
            chin_an = clothing(scene)[1] * half_view(scene).factor
            for px in VIEWS:
                f = px / max(scene.width, scene.height)
                w, h = max(1, round(scene.width * f)), max(1, round(scene.height * f))
                row["views"][px] = outline_points(cv2.resize(scene.rgb, (w, h), interpolation=cv2.INTER_AREA),
                                                  cv2.resize(scene.matte, (w, h), interpolation=cv2.INTER_AREA))
                row["chin"][px] = int(np.clip(round(chin_an * f), 0, h))
                row["faces"][px] = [(fc.box.x0 * f, fc.box.y0 * f, fc.box.x1 * f, fc.box.y1 * f)
                                    for fc in scene.faces_on_person]
                row["face_h"][px] = scene.face.box.height * f if scene.face is not None else None
            if scene.face is not None:
                b = scene.face.box
                side = max(8, min(int(round(CROP_SIDES * max(b.width, b.height))), scene.width, scene.height))
                cx, cy = b.center
                x0 = int(np.clip(round(cx - side / 2), 0, scene.width - side))
                y0 = int(np.clip(round(cy - side / 2), 0, scene.height - side))
                win = np.s_[y0:y0 + side, x0:x0 + side]
                crop = outline_points(cv2.resize(scene.rgb[win], (CROP_PX, CROP_PX), interpolation=cv2.INTER_AREA),
                                      cv2.resize(scene.matte[win], (CROP_PX, CROP_PX), interpolation=cv2.INTER_AREA),
                                      band=CROP_BAND, gap=0)
                crop["chin"] = (chin_an - y0) * CROP_PX / side
                row["crop"] = crop
        row["n_faces"] = len(scene.faces_on_person)
        per[name] = row
        if i % 40 == 0:
            print(f"  {i}/{len(files)} {name}", file=sys.stderr, flush=True)
    data = {"files": files, "per": per}
    with open(cache, "wb") as fh:
        pickle.dump(data, fh)
    return data


def _select(p: dict, chin: int, mode: str, faces: list) -> Optional[np.ndarray]:
    ys, xs = p["ys"], p["xs"]
    sel = ys >= chin
    if mode == "bottom6":
        sel &= ys < p["h"] - 6
    if mode == "heads" and faces:
        sel = np.ones(len(ys), bool)
        for x0, y0, x1, y1 in faces:
            fw, fh = x1 - x0, y1 - y0
            sel &= ~((ys < max(y1 + 0.05 * fh, chin if y1 >= chin - 1e-6 else 0)) & (xs >= x0 - 0.6 * fw)
                     & (xs <= x1 + 0.6 * fw) & (ys >= y0 - fh))
        sel &= ys >= min(b[1] for b in faces)
    if sel.sum() < 8:
        if mode == "nofallback":
            return None
        sel = np.ones(len(ys), bool)  # the rule's fallback: a tight crop is judged on the whole outline
    return sel if sel.sum() >= 8 else None


def _run_fraction(xs, ys, lost, h, w) -> float:
    if not lost.any():
        return 0.0
    canvas = np.zeros((h, w), np.uint8)
    canvas[ys[lost], xs[lost]] = 1
    canvas = cv2.dilate(canvas, np.ones((5, 5), np.uint8))
    _, lab = cv2.connectedComponents(canvas, connectivity=8)
    return float(np.bincount(lab[ys[lost], xs[lost]]).max() / len(lost))


def candidates(row: dict) -> Dict[str, float]:
    """Every candidate value of one photo (NaN where it cannot be judged)."""
    from headshot_lint import color

    out: Dict[str, float] = {}
    if not row["views"]:
        return out

    def de_of(p, sel):
        return color.delta_e(p["lab_in"][sel], p["lab_out"][sel])

    for px in VIEWS:
        p, chin = row["views"][px], row["chin"][px]
        sel = _select(p, chin, "chin", [])
        if sel is None:
            continue
        de = de_of(p, sel)
        out[f"lost15@{px}"] = float((de < 15).mean())
        if px != 160:
            continue
        out["lost10"] = float((de < 10).mean())
        out["de_p10"] = float(np.percentile(de, 10))
        out["de_p25"] = float(np.percentile(de, 25))
        out["lost_rel"] = float((de < 0.4 * p["lab_sd"]).mean())
        out["run15"] = _run_fraction(p["xs"][sel], p["ys"][sel], de < 15, p["h"], p["w"])
        g = p["grad"][sel]
        out["grad_p25"] = float(np.percentile(g, 25))
        out["noedge8"] = float((g < 8).mean())
        sep = np.linalg.norm(p["lab_in"][sel] - p["lab_out"][sel], axis=1) / (np.hypot(p["sd_in"][sel], p["sd_out"][sel]) + 1)
        out["sep_p25"] = float(np.percentile(sep, 25))
        out["lost15_or_sep1"] = float(((de < 15) | (sep < 1)).mean())
        out["dark_dark"] = float(max(np.median(p["lab_in"][sel][:, 0]), np.median(p["lab_out"][sel][:, 0])))
        if p["bg_med"] is not None and p["person_med"] is not None:
            out["global_de"] = float(color.delta_e(p["person_med"][None].astype(np.float32),
                                                   p["bg_med"][None].astype(np.float32))[0])
        out["faces"] = float(row["n_faces"])
        fh = row["face_h"][px]
        if fh:
            out["body_per_face"] = float(sel.sum() / fh)
            out["lost15_x_body"] = float((de < 15).mean() * min(1.0, sel.sum() / fh / 1.5))
        for mode in ("nofallback", "bottom6", "heads"):
            s2 = _select(p, chin, mode, row["faces"][px])
            if s2 is not None:
                out[f"lost15_{mode}"] = float((de_of(p, s2) < 15).mean())
    c = row["crop"]
    if c is not None:
        sel = c["ys"] >= c["chin"]
        if sel.sum() >= 4:
            de = de_of(c, sel)
            out["crop_lost15"] = float((de < 15).mean())
            out["crop_de_p10"] = float(np.percentile(de, 10))
    return out


def cv_decisions(v: np.ndarray, y: np.ndarray, hi: bool, seed: int) -> np.ndarray:
    """5-fold threshold-CV decisions of one value per photo (the threshold chosen on the other
    folds; NaN, a photo the value cannot judge, is not flagged)."""
    vv = np.where(np.isnan(v), -np.inf if hi else np.inf, v)
    pred = np.zeros(len(v), bool)
    for fold in stratified_folds(list(y), 5, seed):
        tr = np.ones(len(v), bool)
        tr[fold] = False
        t, _ = best_threshold(list(vv[tr]), list(y[tr]), hi)
        pred[fold] = vv[fold] >= t if hi else vv[fold] <= t
    return pred


def cv_single(v: np.ndarray, y: np.ndarray, hi: bool, seed: int) -> float:
    """F1 of :func:`cv_decisions`."""
    return count(list(y), list(cv_decisions(v, y, hi, seed))).f1


def _fit_predict(xtr, ytr, xte, cols, lam):
    med = np.nanmedian(xtr[:, cols], axis=0)
    a = np.where(np.isnan(xtr[:, cols]), med, xtr[:, cols])
    b = np.where(np.isnan(xte[:, cols]), med, xte[:, cols])
    w = fit_logistic(a, ytr.astype(float), lam)
    t, _ = best_threshold(list(log_odds(w, a)), list(ytr), True)
    return log_odds(w, b) >= t


def _cv_cols(x, y, cols, lam, seed):
    pred = np.zeros(len(y), bool)
    for fold in stratified_folds(list(y), 5, seed):
        tr = np.ones(len(y), bool)
        tr[fold] = False
        pred[fold] = _fit_predict(x[tr], y[tr], x[fold], cols, lam)
    return count(list(y), list(pred)).f1


def forward(x, y, lam, most=4):
    """Features chosen by forward selection on an inner 5-fold CV (two shuffles)."""
    chosen: List[int] = []
    best = -1.0
    while len(chosen) < most:
        f, j = max((statistics.mean(_cv_cols(x, y, chosen + [j], lam, s) for s in (101, 102)), j)
                   for j in range(x.shape[1]) if j not in chosen)
        if f <= best + 0.005:
            break
        chosen.append(j)
        best = f
    return chosen


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--photos", type=Path, default=DEFAULT_PHOTOS)
    ap.add_argument("--cache", type=Path, default=Path(tempfile.gettempdir()) / "headshot-lint-camouflage-probe.pkl")
    ap.add_argument("--seeds", type=int, default=5)
    ap.add_argument("--forward-seeds", type=int, default=3)
    ap.add_argument("--lam", type=float, default=3.0)
    args = ap.parse_args(argv)
    rows = read_labels(args.photos)
    files = [r["file"] for r in rows]
    y = np.array([r["camouflage"] == "1" for r in rows])
    data = measure_all(args.photos, files, args.cache)
    vals = [candidates(data["per"][f]) for f in files]
    keys = sorted({k for v in vals for k in v})
    x = np.array([[v.get(k, np.nan) for k in keys] for v in vals], float)
    print(f"camouflage: {int(y.sum())} positives of {len(y)}; 5-fold CV over {args.seeds} shuffles")
    for j, k in enumerate(keys):
        a = auc(x[:, j], y, missing="lowest")
        hi = a >= 0.5
        vv = np.where(np.isnan(x[:, j]), -np.inf if hi else np.inf, x[:, j])
        _, c = best_threshold(list(vv), list(y), hi)
        f = [cv_single(x[:, j], y, hi, s) for s in range(args.seeds)]
        print(f"  {k:22s} {'higher' if hi else 'lower '} is worse  AUC {max(a, 1 - a):.3f}  in-sample F1 {c.f1:.3f}  "
              f"CV F1 {statistics.mean(f):.3f} +- {statistics.pstdev(f):.3f}")
    res = []
    for seed in range(args.forward_seeds):
        pred = np.zeros(len(y), bool)
        picked = []
        for fold in stratified_folds(list(y), 5, seed):
            tr = np.ones(len(y), bool)
            tr[fold] = False
            cols = forward(x[tr], y[tr], args.lam)
            picked.append("+".join(keys[c] for c in cols))
            pred[fold] = _fit_predict(x[tr], y[tr], x[fold], cols, args.lam)
        c = count(list(y), list(pred))
        res.append(c.f1)
        print(f"  nested logistic, seed {seed}: F1 {c.f1:.3f} (TP {c.tp} FP {c.fp} FN {c.fn}); folds chose {picked}", flush=True)
    if res:
        print(f"  nested logistic: F1 {statistics.mean(res):.3f} +- {statistics.pstdev(res):.3f}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
