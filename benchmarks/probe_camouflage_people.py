"""Why does HL302 clothing-camouflage disagree with people, and would another reading fix it? (issue #22)

    python benchmarks/probe_camouflage_people.py [--photos ../shared/photos] [--cache FILE] [--seeds 5]
                                                 [--sheets DIR]

A sequel to ``probe_camouflage.py`` (outline readings: ΔE levels and percentiles, edge
gradient, separability, other views, forward selection; none beat the rule) and
``fit_subject_heads.py`` (embedding heads over the outline band: worse). This one starts
from looking at the photos the rule gets wrong (``--sheets DIR`` renders them: the photo,
the judged outline red where lost / green where kept, yellow / blue for outline above the
chin, the chin row magenta, and the person matte) and tests what they suggest.

What the contact sheets show (the 60 false and 21 missed photos at the rule's threshold):

- tight crops with no clothing: the rule falls back to the whole outline and judges dark
  hair on a dark ground (photomaker_yangmi6, deepface_img51, fairface_race_asian,
  prnet_image01322, gpen_ffhq00001, simswap_iron_man): people do not call hair camouflage;
- skin on the outline below the chin (neck, bare shoulders, arms) against a light or
  beige ground (deep3dface_015384, paddleseg_mattinghuman, pulid_zcy);
- the matte spilling past the body into the ground, so both bands sample background
  (retinexvm_5, expocorr_a2039, expocorr_justinchiaratti, facerec_alex_lacamoire_img1's
  left shoulder), or a wrong chin row (backlitovd_32: the rocks below the body are judged);
- dark clothes on a dark ground that people still read (deep3dface_vd070, facerec_biden2,
  instantid_yannlecun, insightface_d1), and missed ones where people see dark on dark
  despite a hue difference (facerec_obama, facerec_lin-manuel-miranda) or a grey suit on a
  grey gradient (deepface_img35), whole groups and crowds (gpen_solvay1927,
  retinaface_img3, dlib_2008_002470), and mattes that miss the person (retinexvm_800).

Candidates, one number per photo, from the rule's own outline at 160 px unless said:

- (a) the matte as evidence: share of outline points in a soft matte (0.15-0.85 in a
  5x5 window), soft pixels per outline pixel below the chin at 320 px, the lost fraction
  counting only crisp / only soft points; bands taken from the matte's core (>= 0.8-0.95)
  and the firm background (< 0.05-0.15) to dodge spill;
- (b) the large-scale silhouette: ΔE2000 / ΔL* between the clothing's median colour and
  the median of a background ring 8 % of the view wide beside it; the Lab histogram
  overlap of the two 4 / 8 px bands; lost with wide bands 3-13 px off the outline;
- (c) the edge people may see: median Lab gradient along the outline;
- (d) how much clothing shows: clothing share of the frame, face height, body outline
  length, lost outline length;
- (e) clothing only: the inside band without facial-skin colours (ΔLab > 12 from the
  face's skin), the share of skin in it, the rule without the tight-crop fallback;
- (f) less noisy readings of the rule: a soft count (sigmoid of 15 - ΔE2000), the mean
  lost fraction over ΔE 10-20, over views 128/160/200 px x bands 3/4/5, CIE76, and
  points weighted towards the shoulders; and the rule's neighbours (gap 0 or 2, band 3 or
  5 px) to show how rough the F1 landscape is.

Printed: per candidate AUC, in-sample best-F1 and 5-fold threshold CV (mean +- spread over
``--seeds`` shuffles, and on the unanimous photos); each candidate beside the rule's value
as an AND rule (both thresholds fitted in the fold) and as a ridge logistic pair (weights and
threshold fitted in the fold); a menu of the best-looking of those chosen by an inner CV
inside every outer fold (the honest figure for "one of these"); and a ridge logistic of 16 of
them with the ridge chosen inside the folds.

Result on the 321 three-rater photos (session 9; 5 fold shuffles), the rule 0.533 +- 0.007
(unanimous 0.558; in-sample 0.537, TP 47 FP 60 FN 21 TN 193). Every outline reading has AUC
0.70-0.74 and a single-value CV F1 of 0.42-0.54: the rule without the tight-crop fallback
0.537 +- 0.012, the mean over views and bands 0.530, a soft count 0.51-0.52, clothing only
0.503, CIE76 0.502, bands from the matte's core 0.49-0.50, lost with a soft matte 0.500,
shoulders weighted 0.499, silhouette ΔE 0.468, histogram overlap 0.42-0.46, wide bands
0.441; the matte, edge and size readings alone 0.32-0.44 (soft share 0.443, edge 0.388).
Beside the rule, fitted in the folds: AND rules 0.48-0.55 (skin share 0.547 +- 0.021, sil_de
0.543 +- 0.008, clothing only 0.538 +- 0.013), logistic pairs 0.45-0.54 (without fallback
0.535, skin share 0.532); the best-looking eight of those chosen by an inner CV in every outer
fold 0.501 +- 0.026 (the honest figure for "one of these"); a ridge logistic of 16 readings
0.51-0.54 by ridge, 0.519 +- 0.015 with the ridge chosen in the folds. Nothing beats the rule
by more than its spread, so HL302 keeps its measure. The readings share their errors (matte
spill, hair in tight crops, skin on the outline, dark pairs people still read, groups the
matte merges), and the rule's own neighbours score 0.46-0.53 (gap 0 0.459, band 5 0.500,
band 3 0.524, gap 2 0.532): a pixel moves the figure more than any new reading. What would
help is a better outline (a matte that stops at the clothes, a clothing / skin / hair parse,
people in a group told apart), not another statistic of this one.

Another matte, tried once (session 10, not part of this script): the segmentation mask of the
BlazePose model that ships in the mediapipe wheel (``pose_landmark_full``, static images,
detection confidence 0.3; ~42 ms a photo) in place of the selfie matte, the rule's measure
unchanged: 5-fold CV F1 0.379 (296 photos judged); the two mattes' minimum 0.386, the pose
matte where it finds a person and the selfie matte elsewhere 0.427, the mean of the two
lost fractions 0.466, against the rule's 0.533. On the photos viewed (deepface_img35,
facerec_obama, deep3dface_vd070) the two masks mostly agree, and the pose mask keeps a rim of
background around the head of deepface_img35: no better outline. ``probe_pose_matte.py``
(session 12) measures that again with the pose landmarks choosing the outline: no better either.
"""

from __future__ import annotations

import argparse
import pickle
import statistics
import sys
import tempfile
from pathlib import Path
from typing import Dict, List

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT), str(ROOT / "src")]

import cv2  # noqa: E402
import numpy as np  # noqa: E402

from benchmarks._evaluation import auc, best_threshold, count, read_labels, stratified_folds  # noqa: E402
from benchmarks._logistic import fit_logistic, log_odds  # noqa: E402
from benchmarks.evaluate import DEFAULT_PHOTOS  # noqa: E402

LOST_DE = 15.0


def measure_all(photos: Path, files: List[str], cache: Path) -> Dict[str, dict]:
    """Per photo: the 160 and 320 px views (RGB, matte), chin, face box, skin Lab and the
    rule's own values; cached, since the segmentation is the slow part."""
    if cache.is_file():
        with open(cache, "rb") as fh:
            data = pickle.load(fh)
        if data.get("files") == files:
            return data["per"]
    from headshot_lint.engine import _upright_scene
    from headshot_lint.load import load

    per: Dict[str, dict] = {}
    for i, name in enumerate(files):
        per[name] = photo_row(_upright_scene(load(photos / name)))
        if i % 40 == 0:
            print(f"  {i}/{len(files)} {name}", file=sys.stderr, flush=True)
    with open(cache, "wb") as fh:
        pickle.dump({"files": files, "per": per}, fh)
    return per


def photo_row(scene) -> dict:
    """One photo's cached data (see :func:`measure_all`) from its scene."""
    from headshot_lint.measures._views import clothing, half_view, skin_lab
    from headshot_lint.measures.camouflage import clothing_camouflage

    d: dict = {"W": scene.width, "H": scene.height}
    for px in (160, 320):
        f = px / max(scene.width, scene.height)
        w, h = max(1, int(round(scene.width * f))), max(1, int(round(scene.height * f)))
        d[f"rgb{px}"] = cv2.resize(scene.rgb, (w, h), interpolation=cv2.INTER_AREA)
        d[f"matte{px}"] = cv2.resize(scene.matte, (w, h), interpolation=cv2.INTER_AREA)
    ok = scene.person_mask.sum() >= 0.01 * scene.person_mask.size
    d["chin_an"] = clothing(scene)[1] * half_view(scene).factor if ok else None
    d["face"] = None if scene.face is None else (scene.face.box.x0, scene.face.box.y0,
                                                 scene.face.box.x1, scene.face.box.y1)
    d["skin"] = skin_lab(scene) if scene.face is not None and scene.skin_mask.sum() >= 20 else None
    m = clothing_camouflage(scene)
    d["meas"] = dict(m.values) if m.status == "ok" else None
    return d


def bands(d: dict, px: int = 160, band: int = 4, gap: int = 1, core: float = 0.5, ground: float | None = None) -> dict:
    """The rule's outline and bands at ``px`` (160: the rule itself, bit for bit), optionally
    with the inside band from the matte's ``core`` and the outside from below ``ground``."""
    from headshot_lint import color
    from headshot_lint.measures.camouflage import _local_mean
    from headshot_lint.scene import PERSON_FIRM, PERSON_LOOSE

    ground = PERSON_LOOSE if ground is None else ground
    if px in (160, 320):
        rgb, matte = d[f"rgb{px}"], d[f"matte{px}"]
    else:  # other views from the 320 px one
        f = px / max(d["W"], d["H"])
        size = (max(1, int(round(d["W"] * f))), max(1, int(round(d["H"] * f))))
        rgb = cv2.resize(d["rgb320"], size, interpolation=cv2.INTER_AREA)
        matte = cv2.resize(d["matte320"], size, interpolation=cv2.INTER_AREA)
    h, w = matte.shape
    f = px / max(d["W"], d["H"])
    lab = color.rgb_to_lab(rgb)
    person = (matte >= PERSON_FIRM).astype(np.uint8)
    ind = cv2.distanceTransform(person, cv2.DIST_L2, 3)
    cind = ind if core == PERSON_FIRM else cv2.distanceTransform((matte >= core).astype(np.uint8), cv2.DIST_L2, 3)
    outd = cv2.distanceTransform(1 - person, cv2.DIST_L2, 3)
    chin = int(np.clip(round(d["chin_an"] * f), 0, h))
    outline = (person > 0) & (ind < 1.5)
    outline[:2] = outline[-2:] = False
    outline[:, :2] = outline[:, -2:] = False
    inside = (cind > gap) & (cind <= gap + band)
    outside = (matte < ground) & (outd > gap) & (outd <= gap + band)
    k = 2 * (band + gap) + 1 + (4 if core != PERSON_FIRM else 0)
    li, oi = _local_mean(lab, inside, k)
    lo, oo = _local_mean(lab, outside, k)
    meas = outline & oi & oo
    pts = meas.copy()
    pts[:chin] = False
    fallback = pts.sum() < 8
    if fallback:
        pts = meas
    return dict(lab=lab, li=li, lo=lo, pts=pts, meas=meas, outline=outline, chin=chin, h=h, w=w, ind=ind,
                outd=outd, matte=matte, person=person, fallback=fallback, f=f, de=color.delta_e(li, lo))


def candidates(d: dict) -> Dict[str, float]:
    """Every candidate value of one photo (absent where it cannot be judged)."""
    from headshot_lint import color
    from headshot_lint.measures.camouflage import _local_mean
    from headshot_lint.scene import PERSON_LOOSE

    out: Dict[str, float] = {}
    if d["meas"] is None:
        return out
    out["lost"] = d["meas"]["lost_fraction"]
    b = bands(d)
    lab, pts, meas, chin, h, w, de = b["lab"], b["pts"], b["meas"], b["chin"], b["h"], b["w"], b["de"]
    if pts.sum() < 8:
        return out
    lost = de < LOST_DE
    rows = np.arange(h)[:, None] >= chin
    body = meas & rows
    big = max(h, w)
    dp = de[pts]
    # (e) clothing only
    skin = d["skin"]
    notskin = (np.sqrt(((lab - skin) ** 2).sum(-1)) > 12.0) if skin is not None and not np.isnan(skin).any() \
        else np.ones((h, w), bool)
    ring_in = (b["ind"] > 1) & (b["ind"] <= 5)
    li, oi = _local_mean(lab, ring_in & notskin, 11)
    lo, oo = _local_mean(lab, (b["matte"] < PERSON_LOOSE) & (b["outd"] > 1) & (b["outd"] <= 5), 11)
    base = b["outline"] & oo & rows
    cp = base & oi
    out["cloth_lost"] = float((color.delta_e(li[cp], lo[cp]) < LOST_DE).mean()) if cp.sum() >= 8 else 0.0
    if base.any():
        share, _ = _local_mean(np.repeat((ring_in & ~notskin).astype(np.float32)[..., None], 3, axis=2), ring_in, 11)
        out["skin_share"] = float(share[base][:, 0].mean())
    out["lost_nofb"] = float(lost[body].mean()) if body.sum() >= 8 else 0.0
    # (a) the matte as evidence
    matte = b["matte"]
    soft = cv2.boxFilter(((matte > 0.15) & (matte < 0.85)).astype(np.float32), -1, (5, 5)) >= 0.3
    out["soft_pts"] = float(soft[pts].mean())
    out["lost_soft"] = float((lost & soft)[pts].mean())
    out["lost_crisp"] = float((lost & ~soft)[pts].mean())
    m3 = d["matte320"]
    chin3 = int(round(d["chin_an"] * 320 / max(d["W"], d["H"])))
    firm = (m3 >= 0.5).astype(np.uint8)
    edge = cv2.dilate(firm, np.ones((3, 3), np.uint8)) != cv2.erode(firm, np.ones((3, 3), np.uint8))
    edge[:chin3] = False
    edge[:3] = edge[-3:] = False
    edge[:, :3] = edge[:, -3:] = False
    if edge.sum() >= 10:
        band3 = (m3 > 0.2) & (m3 < 0.8)
        band3[:chin3] = False
        out["soft_width"] = float(band3.sum() / edge.sum())
    for tag, core, ground, gap in (("core9", 0.9, None, 1), ("core8_gap2", 0.8, None, 2), ("core9_ground05", 0.9, 0.05, 1)):
        c = bands(d, core=core, ground=ground, gap=gap)
        if c["pts"].sum() >= 8:
            out[f"lost_{tag}"] = float((c["de"][c["pts"]] < LOST_DE).mean())
    # (b) the large-scale silhouette
    cloth = (b["person"] > 0) & rows & notskin
    ring_w = max(6, int(round(0.08 * big)))
    ring = (matte < PERSON_LOOSE) & (b["outd"] > 1) & (b["outd"] <= ring_w) & (np.arange(h)[:, None] >= chin - ring_w)
    if cloth.sum() >= 30:
        ring &= cv2.distanceTransform((~cloth).astype(np.uint8), cv2.DIST_L2, 3) <= ring_w + 2
        if ring.sum() >= 30:
            cm, rm = np.median(lab[cloth], 0).astype(np.float32), np.median(lab[ring], 0).astype(np.float32)
            out["sil_de"] = float(color.delta_e(cm[None], rm[None])[0])
            out["sil_dl"] = float(abs(cm[0] - rm[0]))
    for bw in (4, 8):
        ha = _hist(lab, (b["ind"] > 1) & (b["ind"] <= 1 + bw) & rows)
        hb = _hist(lab, (matte < PERSON_LOOSE) & (b["outd"] > 1) & (b["outd"] <= 1 + bw) & rows)
        if ha is not None and hb is not None:
            out[f"overlap{bw}"] = float(np.minimum(ha, hb).sum())
    wide = bands(d, band=10, gap=3)
    if wide["pts"].sum() >= 8:
        out["lost_wide"] = float((wide["de"][wide["pts"]] < LOST_DE).mean())
    # (c) the edge people may see
    g = np.zeros((h, w), np.float32)
    for c in range(3):
        g += (cv2.Sobel(lab[..., c], cv2.CV_32F, 1, 0, ksize=3) / 8) ** 2 + (cv2.Sobel(lab[..., c], cv2.CV_32F, 0, 1, ksize=3) / 8) ** 2
    out["edge_med"] = float(np.median(cv2.dilate(np.sqrt(g), np.ones((5, 5), np.uint8))[pts]))
    # (d) how much clothing shows
    out["cloth_area"] = float(cloth.mean())
    out["body_len"] = float(body.sum() / big)
    out["lost_len"] = float((lost & body).sum() / big)
    fh = (d["face"][3] - d["face"][1]) * b["f"] if d["face"] is not None else None
    if fh:
        out["face_h"] = fh / h
    # (f) less noisy readings of the rule
    for k in (1.5, 5.0):
        out[f"soft_count{k}"] = float((1 / (1 + np.exp((dp - LOST_DE) / k))).mean())
    out["mean_over_de"] = float(np.mean([(dp < t).mean() for t in (10, 12.5, 15, 17.5, 20)]))
    views = []
    for px in (128, 160, 200):
        for bw in (3, 4, 5):
            v = bands(d, px=px, band=bw)
            if v["pts"].sum() >= 8:
                views.append((v["de"][v["pts"]] < LOST_DE).mean())
    out["mean_over_views"] = float(np.mean(views))
    for gap, bw in ((0, 4), (2, 4), (1, 3), (1, 5)):  # the rule's neighbours: how rough the landscape is
        v = bands(d, band=bw, gap=gap)
        if v["pts"].sum() >= 8:
            out[f"lost_gap{gap}_band{bw}"] = float((v["de"][v["pts"]] < LOST_DE).mean())
    li_p, lo_p = b["li"][pts], b["lo"][pts]
    out["lost_cie76"] = float((np.linalg.norm(li_p - lo_p, axis=1) < LOST_DE).mean())
    ys = np.nonzero(pts)[0]
    wt = np.exp(-np.maximum(ys - chin, 0) / (fh or 0.2 * h))
    out["lost_shoulders"] = float((wt * (dp < LOST_DE)).sum() / wt.sum())
    return out


def _hist(lab: np.ndarray, mask: np.ndarray) -> np.ndarray | None:
    v = lab[mask]
    if len(v) < 20:
        return None
    il = np.clip((v[:, 0] / 10).astype(int), 0, 10)
    ia = np.clip(((v[:, 1] + 64) / 8).astype(int), 0, 15)
    ib = np.clip(((v[:, 2] + 64) / 8).astype(int), 0, 15)
    hist = np.bincount(il * 256 + ia * 16 + ib, minlength=11 * 256).astype(float)
    return hist / hist.sum()


# --- scoring ---------------------------------------------------------------------------


def _f1(y: np.ndarray, p: np.ndarray) -> float:
    tp = int((y & p).sum())
    d = 2 * tp + int((p & ~y).sum()) + int((y & ~p).sum())
    return 2 * tp / d if d else 0.0


def _single(v, tr, te, hi=True):
    vv = np.where(np.isnan(v), -np.inf if hi else np.inf, v)
    t, _ = best_threshold(list(vv[tr]), list(_Y[tr]), hi)
    return vv[te] >= t if hi else vv[te] <= t


def _grid(v, n):
    return np.unique(np.nanquantile(v, np.linspace(0.02, 0.98, n)))


def _and(a, b, tr, te, hi2):
    """(a >= t1) and (b >= / <= t2), both thresholds the best F1 on ``tr``."""
    def decide(idx, t1, t2):
        pa = np.nan_to_num(a[idx], nan=-9) >= t1
        pb = np.nan_to_num(b[idx], nan=-1e9) >= t2 if hi2 else np.nan_to_num(b[idx], nan=1e9) <= t2
        return pa & pb
    best = max(((_f1(_Y[tr], decide(tr, t1, t2)), t1, t2) for t1 in _grid(a[tr], 30) for t2 in _grid(b[tr], 20)),
               key=lambda z: z[0])
    return decide(te, best[1], best[2])


def _logistic(a, tr, te, lam):
    med = np.nanmedian(a[tr], axis=0)
    x = np.where(np.isnan(a), med, a)
    w = fit_logistic(x[tr], _Y[tr].astype(float), lam)
    t, _ = best_threshold(list(log_odds(w, x[tr])), list(_Y[tr]), True)
    return log_odds(w, x[te]) >= t


_Y = np.zeros(0, bool)


def held_out(decide, ok: np.ndarray, seed: int) -> np.ndarray:
    """Held-out decisions of ``decide(train, test)`` over stratified 5 folds; photos the rule
    cannot judge (``~ok``) are neither trained on nor flagged."""
    pred = np.zeros(len(_Y), bool)
    for fold in stratified_folds(list(_Y), 5, seed):
        te = np.zeros(len(_Y), bool)
        te[fold] = True
        pred[te & ok] = decide(~te & ok, te & ok)
    return pred


def _menu_decide(options, ok, seed):
    """Inside the outer training folds, pick the option with the best inner-CV F1."""
    def decide(tr, te):
        idx = np.nonzero(tr)[0]
        scores = {}
        for name, fn in options.items():
            p = np.zeros(len(_Y), bool)
            for ifold in stratified_folds(list(_Y[idx]), 5, 100 + seed):
                ite = np.zeros(len(_Y), bool)
                ite[idx[ifold]] = True
                p[ite] = fn(tr & ~ite, ite)
            scores[name] = _f1(_Y[tr], p[tr])
        best = max(options, key=lambda k: scores[k])
        return options[best](tr, te)
    return decide


def main(argv: list[str] | None = None) -> int:
    global _Y
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--photos", type=Path, default=DEFAULT_PHOTOS)
    ap.add_argument("--cache", type=Path, default=Path(tempfile.gettempdir()) / "headshot-lint-camouflage-people.pkl")
    ap.add_argument("--seeds", type=int, default=5)
    ap.add_argument("--sheets", type=Path, help="render contact sheets of the rule's misses and false alarms here")
    args = ap.parse_args(argv)
    rows = read_labels(args.photos)
    files = [r["file"] for r in rows]
    y = _Y = np.array([r["camouflage"] == "1" for r in rows])
    unan = np.array([r["agree_camouflage"] == "3" for r in rows])
    per = measure_all(args.photos, files, args.cache)
    vals = [candidates(per[f]) for f in files]
    keys = ["lost"] + sorted({k for v in vals for k in v} - {"lost"})
    x = {k: np.array([v.get(k, np.nan) for v in vals], float) for k in keys}
    ok = ~np.isnan(x["lost"])
    seeds = range(args.seeds)

    def figure(decide) -> str:
        f, fu = [], []
        for s in seeds:
            p = held_out(decide, ok, s)
            f.append(count(list(y), list(p)).f1)
            fu.append(count(list(y[unan]), list(p[unan])).f1)
        return f"CV F1 {statistics.mean(f):.3f} +- {statistics.pstdev(f):.3f} (unanimous {statistics.mean(fu):.3f})"

    t, c = best_threshold(list(np.nan_to_num(x["lost"], nan=-1)), list(y), True)
    print(f"camouflage: {int(y.sum())} positives of {len(y)} ({int(unan.sum())} unanimous); rule lost_fraction >= {t:.4f} "
          f"in-sample F1 {c.f1:.3f} (TP {c.tp} FP {c.fp} FN {c.fn} TN {c.tn})")
    hi = {}
    print("single values (threshold chosen in the folds):")
    for k in keys:
        a = auc(x[k], y, missing="lowest")
        hi[k] = a >= 0.5
        vv = np.where(np.isnan(x[k]), -np.inf if hi[k] else np.inf, x[k])
        _, c = best_threshold(list(vv), list(y), hi[k])
        print(f"  {k:20s} {'higher' if hi[k] else 'lower '} is worse  AUC {max(a, 1 - a):.3f}  in-sample F1 {c.f1:.3f}  "
              + figure(lambda tr, te, k=k: _single(x[k], tr, te, hi[k])), flush=True)
    print("beside the rule's value (everything fitted in the folds):")
    for k in keys:
        if k == "lost":
            continue
        print(f"  lost AND {k:20s} " + figure(lambda tr, te, k=k: _and(x["lost"], x[k], tr, te, hi[k])), flush=True)
        both = np.column_stack([x["lost"], x[k]])
        print(f"  logistic lost + {k:13s} " + figure(lambda tr, te, a=both: _logistic(a, tr, te, 1.0)), flush=True)
    menu = {"lost": lambda tr, te: _single(x["lost"], tr, te),
            "lost_nofb": lambda tr, te: _single(x["lost_nofb"], tr, te),
            "cloth_lost": lambda tr, te: _single(x["cloth_lost"], tr, te),
            "lost AND sil_de": lambda tr, te: _and(x["lost"], x["sil_de"], tr, te, False),
            "lost AND skin_share": lambda tr, te: _and(x["lost"], x["skin_share"], tr, te, False),
            "lost AND cloth_lost": lambda tr, te: _and(x["lost"], x["cloth_lost"], tr, te, True),
            "logistic lost + skin_share": lambda tr, te: _logistic(np.column_stack([x["lost"], x["skin_share"]]), tr, te, 1.0),
            "logistic lost + soft_width": lambda tr, te: _logistic(np.column_stack([x["lost"], x["soft_width"]]), tr, te, 1.0)}
    print("the best-looking of those, chosen by an inner CV in every outer fold: "
          + figure(lambda tr, te: _menu_decide(menu, ok, 0)(tr, te)), flush=True)
    many = np.column_stack([x[k] for k in ("lost", "lost_nofb", "cloth_lost", "sil_de", "sil_dl", "skin_share", "soft_pts",
                                           "soft_width", "edge_med", "face_h", "cloth_area", "lost_cie76", "overlap4",
                                           "lost_len", "mean_over_views", "lost_shoulders")])
    for lam in (3.0, 10.0, 30.0, 100.0):
        print(f"  ridge logistic of 16 values, ridge {lam:g}: " + figure(lambda tr, te, lam=lam: _logistic(many, tr, te, lam)))
    ridges = {f"ridge {lam:g}": (lambda tr, te, lam=lam: _logistic(many, tr, te, lam)) for lam in (3.0, 10.0, 30.0, 100.0)}
    print("ridge logistic of 16 values, ridge chosen in the folds: " + figure(lambda tr, te: _menu_decide(ridges, ok, 0)(tr, te)))
    pred = np.nan_to_num(x["lost"], nan=-1) >= t
    fp = [files[i] for i in np.argsort(-np.nan_to_num(x["lost"], nan=-1)) if pred[i] and not y[i]]
    fn = [files[i] for i in np.argsort(np.nan_to_num(x["lost"], nan=-1)) if y[i] and not pred[i]]
    agree = {r["file"]: r["agree_camouflage"] for r in rows}
    print(f"missed by the rule ({len(fn)}): " + ", ".join(f"{f} ({agree[f]}/3)" for f in fn))
    print(f"false alarms ({len(fp)}), worst first: " + ", ".join(f"{f} ({agree[f]}/3)" for f in fp))
    if args.sheets:
        args.sheets.mkdir(parents=True, exist_ok=True)
        for tag, names in (("false", fp), ("missed", fn)):
            for k in range(0, len(names), 4):
                _sheet([(n, per[n], agree[n], y[files.index(n)]) for n in names[k:k + 4]], args.sheets / f"{tag}{k // 4:02d}.png")
        print(f"contact sheets in {args.sheets}")
    return 0


def _sheet(items, path: Path) -> None:
    """Photo | outline (red lost, green kept; yellow / blue above the chin; chin magenta) | matte."""
    tiles = []
    for name, d, agree, label in items:
        rgb = d["rgb320"].copy()
        if d["meas"] is not None:
            b = bands(d)
            s = rgb.shape[0] / b["h"]
            for yy, xx in zip(*np.nonzero(b["meas"])):
                lost = b["de"][yy, xx] < LOST_DE
                col = ((255, 0, 0) if lost else (0, 255, 0)) if b["pts"][yy, xx] else ((255, 255, 0) if lost else (0, 128, 255))
                cv2.circle(rgb, (int((xx + .5) * s), int((yy + .5) * s)), 1, col, -1)
            cv2.line(rgb, (0, int(b["chin"] * s)), (rgb.shape[1], int(b["chin"] * s)), (255, 0, 255), 1)
        matte = cv2.cvtColor((np.clip(d["matte320"], 0, 1) * 255).astype(np.uint8), cv2.COLOR_GRAY2RGB)
        w = int(rgb.shape[1] * 240 / rgb.shape[0])
        row = np.hstack([cv2.resize(im, (w, 240)) for im in (d["rgb320"], rgb, matte)])
        v = d["meas"]["lost_fraction"] if d["meas"] else float("nan")
        tiles.append((row, name[:40], f"label {int(label)} ({agree}/3) lost {v:.2f}"))
    write_sheet(tiles, path)


def write_sheet(rows, path: Path) -> None:
    """A contact sheet: each (RGB row of panes, first caption line, second line) under a
    white two-line caption, stacked on grey, written to ``path``."""
    tiles = []
    for row, first, second in rows:
        top = np.full((36, row.shape[1], 3), 255, np.uint8)
        cv2.putText(top, first, (2, 14), cv2.FONT_HERSHEY_SIMPLEX, 0.42, (0, 0, 0), 1)
        cv2.putText(top, second, (2, 31), cv2.FONT_HERSHEY_SIMPLEX, 0.42, (0, 0, 0), 1)
        tiles.append(np.vstack([top, row]))
    width = max(t.shape[1] for t in tiles)
    grid = np.vstack([np.pad(t, ((0, 4), (0, width - t.shape[1]), (0, 0)), constant_values=128) for t in tiles])
    cv2.imwrite(str(path), cv2.cvtColor(grid, cv2.COLOR_RGB2BGR))


if __name__ == "__main__":
    raise SystemExit(main())
