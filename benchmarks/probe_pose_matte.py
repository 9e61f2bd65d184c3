"""Would the BlazePose network shipped in the mediapipe wheel improve HL302 clothing-camouflage? (issue #22)

    python benchmarks/probe_pose_matte.py [--photos ../shared/photos] [--cache DIR] [--seeds 5] [--sheets DIR]
                                          [--sheet-keys KEY ...] [--no-network]

A sequel to ``probe_camouflage.py`` (readings of the outline), ``probe_camouflage_people.py``
(what the rule gets wrong: matte spill, wrong chin row, tight crops judged on hair, skin on the
outline; and, session 10, the pose mask in place of the selfie matte, 0.379) and
``fit_subject_heads.py`` (embedding heads). mediapipe 0.10.21 ships one pose model,
``modules/pose_landmark/pose_landmark_full.tflite``: the legacy ``mediapipe.python.solutions.pose.Pose``
(static images, ``model_complexity=1`` -- 0 and 2 are not in the wheel and would be downloaded --,
``enable_segmentation=True``, detection confidence 0.3) gives 33 landmarks with visibility and a
segmentation mask from a network other than the selfie segmenter. It runs once per photo on the
analysis image (640 px long side, upright), MediaPipe imported the package's way; the per-photo
result is cached under ``--cache``. ``--no-network`` makes every socket raise: the whole pass over
the 321 photos ran that way, so nothing is fetched.

Candidates, one number per photo (the rule's bands, ΔE2000 < 15 at the 160 px view, frame edge left
out; a photo a candidate cannot judge is not flagged):

- ``matte:`` the rule's measure with the pose mask (raw, or guided-filter refined like the selfie
  matte) in place of the selfie matte, or the two mattes' product or minimum;
- ``agree:`` the rule's outline points where the pose mask's outline lies within 1.5 / 3 px (both
  networks see an edge there), with and without the rule's fallback to the head's outline;
- ``arms:`` outline points within k = 0.3 / 0.5 / 0.8 shoulder widths of the shoulder-elbow segments
  (the elbows BlazePose predicts, in or out of frame) and below the shoulder line less 0.15 / 0.3
  shoulder widths, both shoulders visible (0.5 / 0.8) and in frame, else not judged; ``arms+torso``
  adds the shoulder-hip segments; ``arms_one`` needs one shoulder (width 2.2 face widths);
  ``arms_agree`` also needs the two mattes to agree; ``below_shoulders`` the shoulder line in place
  of the chin row, no fallback;
- from the contact sheets: the two networks *disagreeing* as the evidence (``disagree``: share of the
  outline with no pose edge near, ``mask_disagreement``: 1 - IoU of the masks, ``lost_or_disagree``,
  ``lost_and_disagree``); ``confirmed_bands``: the inside band only where the pose mask says person and
  the outside band only where it says ground (against matte spill); ``or_rule:`` each pose reading
  where it can judge and the rule's value elsewhere; ``rule_if_shoulders``: the rule only where both
  shoulders are found.

Printed per candidate: photos judged, AUC (unjudged ranked lowest; and on the photos both it and the
rule judge, beside the rule's AUC there), in-sample best F1, 5-fold threshold-CV F1 mean +- sd over
``--seeds`` shuffles and on the unanimous photos; each family's best chosen inside every outer fold by
an inner CV (nested); five readings beside the rule as AND rules and ridge logistic pairs fitted in
the folds; ``--sheets DIR`` renders the photos whose decision a candidate changes (the rule's outline,
the landmarks and the outline they choose, the selfie matte with the pose mask's outline, the pose mask).

Result on the 321 three-rater photos (session 12; 68 positives, 279 unanimous; 5 shuffles), the rule
0.533 +- 0.007 (unanimous 0.558, AUC 0.739, in-sample 0.537 TP 47 FP 60 FN 21). Nothing comes near it:

    candidate                          judged  AUC    CV F1            unanimous
    matte: pose mask raw / refined       293   0.584  0.382 +- 0.023   0.381
                                               0.589  0.350 +- 0.024   0.354
    matte: min / product (refined)       294   0.602  0.385 +- 0.013   0.409
                                               0.600  0.377 +- 0.008   0.399
    agree: r1.5 / r1.5 no fallback   278/256   0.512  0.320 +- 0.017   0.302
                                               0.537  0.368 +- 0.011   0.370
    arms: vis 0.5, k 0.5, margin 0.15    210   0.571  0.390 +- 0.008   0.388  (other k/margin/vis 0.32-0.38)
    arms+torso                           217   0.595  0.362 +- 0.017   0.381
    arms, one shoulder enough            228   0.556  0.360 +- 0.012   0.352
    below the shoulder line (m 0.3)      231   0.632  0.403 +- 0.010   0.434  (m 0 / 0.15: 0.34 / 0.38)
    confirmed bands (raw)                293   0.552  0.346 +- 0.008   0.354
    disagree r3 / 1 - mask IoU           316   0.611  0.332 +- 0.017   0.327
                                               0.612  0.326 +- 0.016   0.324
    lost or disagree r3                  316   0.719  0.423 +- 0.017   0.418
    or_rule: min_ref / arms / below      316   0.73+  0.466 / 0.455 / 0.446 (+- 0.011-0.015)
    rule only where shoulders found      236   0.641  0.465 +- 0.008   0.496
    nested best of matte / agree / arms / or_rule: 0.365 / 0.353 / 0.354 / 0.416 (+- 0.011-0.020)
    beside the rule, fitted in the folds: AND 0.40-0.52 (disagree r3 0.522 +- 0.008), logistic
    0.48-0.52 (arms 0.516 +- 0.005)

Why: the pose readings lose on two counts. (a) Coverage: BlazePose finds no person on 23 photos, 11 of
them positives (silhouettes against the sun, backlitenh_fig1, backlitovd_19/38/41; tight crops,
bopbl_a, bopbl_old_w_scratch_a; a washed-out expocorr_a3354), and both shoulders on 239 (16 of the 68
positives lack them); in groups it takes one person, often not the subject (dlib_2008_007676,
faceclass_test_image, codeformer_whole02, deepface_selfie-many-people). The rule itself restricted
to the photos a candidate judges scores 0.40-0.46 (arms 0.406, below the shoulder line 0.461, pose
matte 0.450), so coverage alone costs 0.07-0.13. (b) On those photos the readings are no better than
the rule and at thresholds a little worse (AUC where both judge: arms 0.729 vs 0.741, below the
shoulder line 0.753 vs 0.751, pose matte 0.712 vs 0.755, agreement 0.68-0.72 vs 0.73-0.76; CV F1
0.39 vs 0.41, 0.40 vs 0.46, 0.38 vs 0.45): below the chin the selfie outline already is mostly the
shoulders' and arms' one; the arms' selection drops the neck and moves the best threshold down,
flagging near-threshold suits (facerec_alex_lacamoire1, deca_2). Requiring the two networks to agree
removes the evidence, since neither finds a camouflaged edge: on positives' outlines 36 % of the
points where the mattes disagree are lost against 30 % where they agree (negatives 23 % / 13 %), and
the pose mask spills over camouflaged clothing into the ground (deepface_img7, a white top on a
pale wall: its lost shoulder 0.25 under the selfie matte, 0.00 under the pose mask). Disagreement itself is weak evidence (AUC 0.61). Verdict:
nothing to ship; HL302 keeps the selfie matte and its chin row. Cost had it won: one more MediaPipe
graph per photo, 33 ms (wall = CPU, median of 321 photos at the analysis size, load ~2 on 2 cores),
134 ms to build and warm the graph once per process, 14 ms to import its module (urllib, ssl).
"""

from __future__ import annotations

import argparse
import importlib
import pickle
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Dict, List, Optional, Tuple

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT), str(ROOT / "src")]

import cv2  # noqa: E402
import numpy as np  # noqa: E402

from benchmarks import probe_camouflage_people as people  # noqa: E402
from benchmarks.probe_camouflage import cv_decisions  # noqa: E402
from benchmarks._evaluation import auc, best_threshold, count, read_labels, stratified_folds  # noqa: E402
from benchmarks.evaluate import DEFAULT_PHOTOS  # noqa: E402

LOST_DE = people.LOST_DE
#: BlazePose landmark indices (mediapipe ``PoseLandmark``).
L_SHOULDER, R_SHOULDER, L_ELBOW, R_ELBOW, L_WRIST, R_WRIST, L_HIP, R_HIP = 11, 12, 13, 14, 15, 16, 23, 24
#: Pose readings tried beside the rule's value.
PAIRED = ("mask_disagreement", "disagree:r3", "confirmed_bands:raw", "arms:v0.5_k0.5_m0.15", "matte:pose_raw")
#: Fewest outline points worth judging, as the rule's ``_MIN_OUTLINE``.
MIN_PTS = 8


# --- the pose pass ---------------------------------------------------------------------


def disable_network() -> None:
    """Make every socket fail, so a model that tried to download would raise."""
    import socket

    class _NoNetwork(socket.socket):
        def __init__(self, *args, **kwargs):
            raise OSError("network disabled by probe_pose_matte --no-network")

    def _refuse(*args, **kwargs):
        raise OSError("network disabled by probe_pose_matte --no-network")

    socket.socket = _NoNetwork  # type: ignore[misc]
    socket.create_connection = _refuse  # type: ignore[assignment]


def pose_graph():
    """The legacy BlazePose solution, full model (the only one in the wheel: complexity 0 or 2 would be
    downloaded), with its segmentation mask; MediaPipe imported the package's way (no Tasks API)."""
    from headshot_lint.perception import _mediapipe

    _mediapipe._solutions()  # MediaPipe imported with only the parts the package runs
    pose = importlib.import_module("mediapipe.python.solutions.pose")
    with _mediapipe._quiet_stderr():
        return _mediapipe._warm(pose.Pose(static_image_mode=True, model_complexity=1, enable_segmentation=True,
                                          min_detection_confidence=0.3))


def run_pose(graph, rgb: np.ndarray) -> Tuple[Optional[np.ndarray], Optional[np.ndarray], float]:
    """(landmarks float32 (33, 4): x, y in [0, 1] of the image, z, visibility; segmentation mask at the
    image's size; ms) of one analysis-size RGB image; None, None where no person is found."""
    from headshot_lint.perception import _mediapipe

    t = time.perf_counter()
    r = _mediapipe.run(graph, rgb)
    ms = 1000 * (time.perf_counter() - t)
    if r.pose_landmarks is None:
        return None, None, ms
    lm = np.array([(p.x, p.y, p.z, p.visibility) for p in r.pose_landmarks.landmark], np.float32)
    mask = None if r.segmentation_mask is None else np.asarray(r.segmentation_mask, np.float32)
    return lm, mask, ms


def measure_all(photos: Path, files: List[str], cache: Path) -> Dict[str, dict]:
    """Per photo: the people probe's row (views, selfie matte, chin, face, skin, the rule's values)
    plus the pose landmarks, the pose mask (raw and guided-filter refined like the selfie matte) at
    the 160 and 320 px views, and the pose pass's time; one pickle per photo under ``cache``."""
    from headshot_lint.engine import _upright_scene
    from headshot_lint.load import load
    from headshot_lint.perception.segment import _refine

    cache.mkdir(parents=True, exist_ok=True)
    graph = None
    per: Dict[str, dict] = {}
    for i, name in enumerate(files):
        path = cache / (name + ".pkl")
        if path.is_file():
            with open(path, "rb") as fh:
                per[name] = pickle.load(fh)
            continue
        if graph is None:
            graph = pose_graph()
        scene = _upright_scene(load(photos / name))
        d = people.photo_row(scene)
        lm, mask, ms = run_pose(graph, scene.rgb)
        d["pose_lm"], d["pose_ms"] = lm, ms
        for px in (160, 320):
            size = d[f"matte{px}"].shape[::-1]
            for tag, m in (("raw", mask), ("ref", None if mask is None else _refine(scene.rgb, mask))):
                d[f"pose_{tag}{px}"] = (np.zeros(size[::-1], np.float32) if m is None
                                        else cv2.resize(m, size, interpolation=cv2.INTER_AREA))
        per[name] = d
        with open(path, "wb") as fh:
            pickle.dump(d, fh)
        if i % 20 == 0:
            print(f"  {i}/{len(files)} {name} pose {ms:.0f} ms", file=sys.stderr, flush=True)
    return per



# --- candidates ------------------------------------------------------------------------


def _outline(person: np.ndarray) -> np.ndarray:
    """Outline pixels of a binary matte (inside, within 1.5 px of its edge)."""
    ind = cv2.distanceTransform(person.astype(np.uint8), cv2.DIST_L2, 3)
    return person & (ind < 1.5)


def near_other_edge(matte_a: np.ndarray, matte_b: np.ndarray, r: float) -> np.ndarray:
    """Where ``matte_b``'s outline (at 0.5) lies within ``r`` px: the outline points of ``matte_a``
    the other matte agrees are an edge."""
    e = _outline(matte_b >= 0.5)
    if not e.any():
        return np.zeros(matte_a.shape, bool)
    return cv2.distanceTransform((~e).astype(np.uint8), cv2.DIST_L2, 3) <= r


def shoulders(lm: Optional[np.ndarray], w: int, h: int, vis: float = 0.5) -> Optional[dict]:
    """Shoulder and elbow positions in view px, and the shoulder width, when both shoulders are
    visible (``vis``) and inside the frame; None otherwise (a tight crop, no person found)."""
    if lm is None:
        return None
    sh = lm[[L_SHOULDER, R_SHOULDER]]
    if (sh[:, 3] < vis).any() or (sh[:, 0] < 0).any() or (sh[:, 0] > 1).any() or (sh[:, 1] < 0).any() \
            or (sh[:, 1] > 1).any():
        return None
    xy = lm[:, :2] * np.array([w, h], np.float32)
    sw = float(np.linalg.norm(xy[L_SHOULDER] - xy[R_SHOULDER]))
    if sw < 4:
        return None
    return dict(xy=xy, vis=lm[:, 3], sw=sw, top=float(xy[[L_SHOULDER, R_SHOULDER], 1].min()))


def seg_distance(px: np.ndarray, py: np.ndarray, a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """Distance of points (px, py) to the segment a-b."""
    d = b - a
    t = np.clip(((px - a[0]) * d[0] + (py - a[1]) * d[1]) / max(float(d @ d), 1e-9), 0, 1)
    return np.hypot(px - (a[0] + t * d[0]), py - (a[1] + t * d[1]))


def arm_select(pts: np.ndarray, s: dict, k: float, margin: float, torso: bool = False) -> np.ndarray:
    """Outline points (bool (h, w)) within ``k`` shoulder widths of a shoulder-elbow segment (the
    elbow BlazePose predicts, in or out of the frame) and below the shoulder line less ``margin``
    shoulder widths; with ``torso`` also near the shoulder-hip segments."""
    ys, xs = np.nonzero(pts)
    xy, sw = s["xy"], s["sw"]
    segs = [(L_SHOULDER, L_ELBOW), (R_SHOULDER, R_ELBOW)]
    if torso:
        segs += [(L_SHOULDER, L_HIP), (R_SHOULDER, R_HIP)]
    dist = np.min([seg_distance(xs, ys, xy[a], xy[b]) for a, b in segs], axis=0)
    keep = (dist <= k * sw) & (ys >= s["top"] - margin * sw)
    out = np.zeros_like(pts)
    out[ys[keep], xs[keep]] = True
    return out


def _lost(b: dict, sel: np.ndarray) -> float:
    return float((b["de"][sel] < LOST_DE).mean()) if sel.sum() >= MIN_PTS else float("nan")


def candidates(d: dict) -> Dict[str, float]:
    """Every candidate value of one photo (absent or NaN where it cannot be judged: not flagged)."""
    from headshot_lint import color
    from headshot_lint.measures.camouflage import _local_mean
    from headshot_lint.scene import PERSON_LOOSE

    out: Dict[str, float] = {}
    if d["meas"] is None:
        return out
    out["rule"] = d["meas"]["lost_fraction"]
    b = people.bands(d)  # the rule's own outline and bands at 160 px
    h, w = b["h"], b["w"]
    rows = np.arange(h)[:, None] >= b["chin"]
    # (1) the pose mask as the matte, alone and with the selfie matte
    for tag in ("raw", "ref"):
        pm = d[f"pose_{tag}160"]
        if (pm >= 0.5).sum() < 0.01 * pm.size:
            continue
        for name, m in ((f"pose_{tag}", pm), (f"product_{tag}", d["matte160"] * pm),
                        (f"min_{tag}", np.minimum(d["matte160"], pm))):
            c = people.bands({**d, "matte160": m})
            out[f"matte:{name}"] = _lost(c, c["pts"])
        for r in (1.5, 3.0):  # the selfie outline where the pose mask also has an edge
            agree = b["pts"] & near_other_edge(d["matte160"], pm, r)
            out[f"agree:{tag}_r{r:g}"] = _lost(b, agree)
            agree_body = b["meas"] & rows & near_other_edge(d["matte160"], pm, r)
            out[f"agree:{tag}_r{r:g}_nofb"] = _lost(b, agree_body)  # no fallback to the head's outline
    # (2) the landmarks choose the judged outline
    for vis in (0.5, 0.8):
        s = shoulders(d["pose_lm"], w, h, vis)
        if s is None:
            continue
        for k in (0.3, 0.5, 0.8):
            for margin in (0.15, 0.3):
                sel = arm_select(b["meas"], s, k, margin)
                out[f"arms:v{vis:g}_k{k:g}_m{margin:g}"] = _lost(b, sel)
        out[f"arms+torso:v{vis:g}_k0.5_m0.3"] = _lost(b, arm_select(b["meas"], s, 0.5, 0.3, torso=True))
        for margin in (0.0, 0.15, 0.3):  # the shoulder line in place of the chin row, no fallback
            sel = b["meas"] & (np.arange(h)[:, None] >= s["top"] - margin * s["sw"])
            out[f"below_shoulders:v{vis:g}_m{margin:g}"] = _lost(b, sel)
        pm = d["pose_ref160"]
        sel = arm_select(b["meas"], s, 0.5, 0.3) & near_other_edge(d["matte160"], pm, 1.5)
        out[f"arms_agree:v{vis:g}_k0.5_m0.3"] = _lost(b, sel)
    # one shoulder is enough (the other cut by the frame): its own upper arm, its width from the face
    one = one_shoulder(d, w, h)
    if one is not None:
        for k, margin in ((0.5, 0.15), (0.8, 0.3)):
            out[f"arms_one:k{k:g}_m{margin:g}"] = _lost(b, arm_select(b["meas"], one, k, margin))
    # (3) the two networks disagreeing about the edge as the evidence: neither finds a camouflaged edge
    pm = d["pose_raw160"]
    for r in (1.5, 3.0):
        near = near_other_edge(d["matte160"], pm, r)
        n = int(b["pts"].sum())
        out[f"disagree:r{r:g}"] = float((~near[b["pts"]]).mean()) if n >= MIN_PTS else float("nan")
        out[f"lost_or_disagree:r{r:g}"] = float(((b["de"] < LOST_DE) | ~near)[b["pts"]].mean()) \
            if n >= MIN_PTS else float("nan")
        out[f"lost_and_disagree:r{r:g}"] = float(((b["de"] < LOST_DE) & ~near)[b["pts"]].mean()) \
            if n >= MIN_PTS else float("nan")
    # the selfie outline with bands the pose mask confirms (inside band on the pose's person, outside band
    # off it): the spill of the selfie matte into the ground no longer sampled as clothing
    for tag in ("raw", "ref"):
        pm = d[f"pose_{tag}160"]
        li, oi = _local_mean(b["lab"], (b["ind"] > 1) & (b["ind"] <= 5) & (pm >= 0.5), 11)
        ground = (b["matte"] < PERSON_LOOSE) & (pm < 0.5)
        lo, oo = _local_mean(b["lab"], ground & (b["outd"] > 1) & (b["outd"] <= 5), 11)
        sel = b["outline"] & oi & oo
        body = sel & rows
        sel = body if body.sum() >= MIN_PTS else sel
        out[f"confirmed_bands:{tag}"] = float((color.delta_e(li[sel], lo[sel]) < LOST_DE).mean()) \
            if sel.sum() >= MIN_PTS else float("nan")
        out[f"or_rule:confirmed_bands:{tag}"] = out["rule"] if np.isnan(out[f"confirmed_bands:{tag}"]) \
            else out[f"confirmed_bands:{tag}"]
    pm, sm = d["pose_raw160"] >= 0.5, d["matte160"] >= 0.5
    out["mask_disagreement"] = float(1 - (pm & sm).sum() / max(1, (pm | sm).sum()))  # 1 - IoU
    # hybrids: the pose-based value where it can be judged, the rule's elsewhere (tight crops, silhouettes
    # and groups the pose detector misses)
    for k in ("arms:v0.5_k0.5_m0.15", "arms:v0.5_k0.8_m0.3", "below_shoulders:v0.5_m0.3", "matte:pose_raw",
              "matte:min_ref", "agree:raw_r1.5_nofb", "arms_one:k0.5_m0.15"):
        v = out.get(k, float("nan"))
        out[f"or_rule:{k}"] = out["rule"] if np.isnan(v) else v
    s = shoulders(d["pose_lm"], w, h, 0.5)
    out["rule_if_shoulders"] = out["rule"] if s is not None else float("nan")
    return out


def one_shoulder(d: dict, w: int, h: int, vis: float = 0.5) -> Optional[dict]:
    """Like :func:`shoulders` with one shoulder visible in the frame or both; the shoulder width from
    the two when both are in, else 2.2 face-box widths (a typical adult's ratio)."""
    lm = d["pose_lm"]
    if lm is None:
        return None
    both = shoulders(lm, w, h, vis)
    if both is not None:
        return both
    f = w / d["W"]
    ok = [j for j in (L_SHOULDER, R_SHOULDER) if lm[j, 3] >= vis and 0 <= lm[j, 0] <= 1 and 0 <= lm[j, 1] <= 1]
    if not ok or d["face"] is None:
        return None
    sw = 2.2 * (d["face"][2] - d["face"][0]) * f
    xy = lm[:, :2] * np.array([w, h], np.float32)
    for j in (L_SHOULDER, R_SHOULDER):  # the hidden side's arm collapses onto the visible shoulder
        if j not in ok:
            xy[j] = xy[ok[0]]
            xy[j + 2] = xy[ok[0] + 2]
    return dict(xy=xy, vis=lm[:, 3], sw=sw, top=float(xy[ok, 1].min()))


# --- scoring ---------------------------------------------------------------------------


def held_out(v: np.ndarray, y: np.ndarray, seed: int, hi: bool = True) -> np.ndarray:
    """5-fold threshold-CV decisions of one value (NaN: not flagged)."""
    return cv_decisions(v, y, hi, seed)


def nested_menu(x: Dict[str, np.ndarray], keys: List[str], y: np.ndarray, seed: int) -> Tuple[np.ndarray, List[str]]:
    """Decisions when the candidate (of ``keys``) and its threshold are both chosen inside each outer
    training fold by an inner 5-fold threshold CV: the honest figure for "the best of this family"."""
    pred = np.zeros(len(y), bool)
    chosen = []
    for fold in stratified_folds(list(y), 5, seed):
        tr = np.ones(len(y), bool)
        tr[fold] = False
        idx = np.nonzero(tr)[0]
        best = max(keys, key=lambda k: count(list(y[idx]), list(held_out(x[k][idx], y[idx], 100 + seed))).f1)
        chosen.append(best)
        vv = np.where(np.isnan(x[best]), -np.inf, x[best])
        t, _ = best_threshold(list(vv[idx]), list(y[idx]), True)
        pred[fold] = vv[fold] >= t
    return pred, chosen


def report(name: str, v: np.ndarray, y: np.ndarray, unan: np.ndarray, seeds: int,
           rule: np.ndarray) -> Tuple[float, float]:
    a = auc(v, y, missing="lowest")
    both = ~np.isnan(v) & ~np.isnan(rule)  # where both judge: the candidate's AUC against the rule's
    sub = f"{auc(v[both], y[both]):.3f}/{auc(rule[both], y[both]):.3f}"
    vv = np.where(np.isnan(v), -np.inf, v)
    t, c = best_threshold(list(vv), list(y), True)
    f, fu, fr = [], [], []
    same = np.where(np.isnan(v), np.nan, rule)  # the rule's value on the photos the candidate judges
    for s in range(seeds):
        p = held_out(v, y, s)
        f.append(count(list(y), list(p)).f1)
        fu.append(count(list(y[unan]), list(p[unan])).f1)
        fr.append(count(list(y), list(held_out(same, y, s))).f1)
    miss = np.isnan(v) & ~np.isnan(rule)
    print(f"  {name:34s} judged {int((~np.isnan(v)).sum()):3d}  AUC {a:.3f} (where judged {sub} rule)  "
          f"in-sample F1 {c.f1:.3f} (TP {c.tp} FP {c.fp} FN {c.fn})  "
          f"CV F1 {statistics.mean(f):.3f} +- {statistics.pstdev(f):.3f}  unanimous {statistics.mean(fu):.3f}  "
          f"(the rule on its photos {statistics.mean(fr):.3f}; {int(miss.sum())} the rule judges left out, "
          f"{int(y[miss].sum())} positive)", flush=True)
    return statistics.mean(f), statistics.pstdev(f)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--photos", type=Path, default=DEFAULT_PHOTOS)
    ap.add_argument("--cache", type=Path, default=Path(tempfile.gettempdir()) / "posematte" / "cache")
    ap.add_argument("--seeds", type=int, default=5)
    ap.add_argument("--sheets", type=Path, help="render contact sheets of the photos a candidate decides differently")
    ap.add_argument("--sheet-keys", nargs="*",
                    default=["arms:v0.5_k0.5_m0.15", "matte:pose_raw", "agree:raw_r1.5_nofb"])
    ap.add_argument("--no-network", action="store_true", help="make every socket fail (proves nothing is downloaded)")
    args = ap.parse_args(argv)
    if args.no_network:
        disable_network()
    rows = read_labels(args.photos)
    files = [r["file"] for r in rows]
    y = np.array([r["camouflage"] == "1" for r in rows])
    unan = np.array([r["agree_camouflage"] == "3" for r in rows])
    per = measure_all(args.photos, files, args.cache)
    ms = np.array([per[f]["pose_ms"] for f in files])
    print(f"pose pass at the analysis size: median {np.median(ms):.1f} ms, mean {ms.mean():.1f} ms a photo; "
          f"no person on {sum(per[f]['pose_lm'] is None for f in files)} of {len(files)}")
    vals = [candidates(per[f]) for f in files]
    keys = ["rule"] + sorted({k for v in vals for k in v} - {"rule"})
    x = {k: np.array([v.get(k, np.nan) for v in vals], float) for k in keys}
    n_sh = sum(shoulders(per[f]["pose_lm"], 160, 160) is not None for f in files)
    print(f"camouflage: {int(y.sum())} positives of {len(y)} ({int(unan.sum())} unanimous); both shoulders visible "
          f"on {n_sh}; 5-fold threshold CV over {args.seeds} shuffles")
    for k in keys:
        report(k, x[k], y, unan, args.seeds, x["rule"])
    for fam in ("matte:", "agree:", "arms:", "or_rule:", "disagree:", "lost_or_disagree:", "confirmed_bands:"):
        fk = [k for k in keys if k.startswith(fam)]
        f, fu, picks = [], [], []
        for s in range(args.seeds):
            p, ch = nested_menu(x, fk, y, s)
            f.append(count(list(y), list(p)).f1)
            fu.append(count(list(y[unan]), list(p[unan])).f1)
            picks += ch
        common = max(set(picks), key=picks.count)
        print(f"  nested: best of {fam:10s} ({len(fk)} chosen in the folds) CV F1 {statistics.mean(f):.3f} +- "
              f"{statistics.pstdev(f):.3f} unanimous {statistics.mean(fu):.3f}; most chosen {common}", flush=True)
    # beside the rule's value: AND rules (both thresholds) and ridge logistic pairs, fitted in the folds
    people._Y = y
    ok = ~np.isnan(x["rule"])
    print("beside the rule's value (fitted in the folds; photos the rule cannot judge not flagged):")
    for k in PAIRED:
        hi = auc(x[k], y, missing="drop") >= 0.5
        for tag, decide in (("AND", lambda tr, te, k=k, hi=hi: people._and(x["rule"], x[k], tr, te, hi)),
                            ("logistic +", lambda tr, te, k=k: people._logistic(np.column_stack([x["rule"], x[k]]),
                                                                                 tr, te, 1.0))):
            f, fu = [], []
            for s in range(args.seeds):
                p = people.held_out(decide, ok, s)
                f.append(count(list(y), list(p)).f1)
                fu.append(count(list(y[unan]), list(p[unan])).f1)
            print(f"  rule {tag:10s} {k:30s} CV F1 {statistics.mean(f):.3f} +- {statistics.pstdev(f):.3f}  "
                  f"unanimous {statistics.mean(fu):.3f}", flush=True)
    if args.sheets:
        args.sheets.mkdir(parents=True, exist_ok=True)
        agree = {r["file"]: r["agree_camouflage"] for r in rows}
        flags = {}
        for k in keys:
            vv = np.nan_to_num(x[k], nan=-1)
            t, _ = best_threshold(list(vv), list(y), True)
            flags[k] = vv >= t
        for k in args.sheet_keys:
            changed = [i for i in range(len(files)) if flags[k][i] != flags["rule"][i]]
            changed.sort(key=lambda i: (flags[k][i] == y[i], files[i]))  # the candidate's new errors first
            items = [(files[i], per[files[i]], f"label {int(y[i])} ({agree[files[i]]}/3) rule {x['rule'][i]:.2f}"
                      f"{'*' if flags['rule'][i] else ''} {k.split(':')[0]} {x[k][i]:.2f}{'*' if flags[k][i] else ''}")
                     for i in changed]
            for j in range(0, min(len(items), 24), 4):
                sheet(items[j:j + 4], args.sheets / f"{k.replace(':', '_')}_{j // 4:02d}.png")
            print(f"  {k}: {len(changed)} decisions differ from the rule's (in-sample thresholds); "
                  f"sheets in {args.sheets}")
    return 0



def sheet(items, path: Path, arms: Tuple[float, float, float] = (0.5, 0.5, 0.15)) -> None:
    """Per photo: the rule's judged outline (red lost, green kept, chin row magenta) | the outline the
    landmarks choose (arms ``(vis, k, margin)``), with shoulders, elbows, wrists and hips (cyan: visible,
    grey: not) | the selfie matte with the pose mask's outline (yellow) | the pose mask."""
    tiles = []
    for name, d, head in items:
        big = d["rgb320"]
        s = big.shape[0] / d["matte160"].shape[0]
        panes = [big.copy(), big.copy()]
        if d["meas"] is not None:
            b = people.bands(d)
            h, w = b["h"], b["w"]
            sh = shoulders(d["pose_lm"], w, h, arms[0])
            sel = arm_select(b["meas"], sh, arms[1], arms[2]) if sh is not None else np.zeros_like(b["pts"])
            for pane, pts in zip(panes, (b["pts"], sel)):
                for yy, xx in zip(*np.nonzero(pts)):
                    cv2.circle(pane, (int((xx + .5) * s), int((yy + .5) * s)), 1,
                               (255, 0, 0) if b["de"][yy, xx] < LOST_DE else (0, 255, 0), -1)
            cv2.line(panes[0], (0, int(b["chin"] * s)), (big.shape[1], int(b["chin"] * s)), (255, 0, 255), 1)
        lm = d["pose_lm"]
        if lm is not None:
            hh, ww = big.shape[:2]
            pt = lambda j: (int(lm[j, 0] * ww), int(lm[j, 1] * hh))  # noqa: E731
            for a, c in ((L_SHOULDER, R_SHOULDER), (L_SHOULDER, L_ELBOW), (R_SHOULDER, R_ELBOW), (L_ELBOW, L_WRIST),
                         (R_ELBOW, R_WRIST), (L_SHOULDER, L_HIP), (R_SHOULDER, R_HIP)):
                cv2.line(panes[1], pt(a), pt(c), (255, 255, 255), 1)
            for j in (L_SHOULDER, R_SHOULDER, L_ELBOW, R_ELBOW, L_WRIST, R_WRIST, L_HIP, R_HIP):
                cv2.circle(panes[1], pt(j), 3, (0, 255, 255) if lm[j, 3] >= arms[0] else (128, 128, 128), -1)
        selfie = cv2.cvtColor((np.clip(d["matte320"], 0, 1) * 255).astype(np.uint8), cv2.COLOR_GRAY2RGB)
        selfie[_outline(d["pose_raw320"] >= 0.5)] = (255, 255, 0)
        pose = cv2.cvtColor((np.clip(d["pose_raw320"], 0, 1) * 255).astype(np.uint8), cv2.COLOR_GRAY2RGB)
        w = int(big.shape[1] * 240 / big.shape[0])
        row = np.hstack([cv2.resize(im, (w, 240)) for im in (*panes, selfie, pose)])
        tiles.append((row, name[:44], head))
    people.write_sheet(tiles, path)


if __name__ == "__main__":
    raise SystemExit(main())
