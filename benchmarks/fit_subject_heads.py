"""Would learned heads on the shared embedding beat HL302 camouflage and HL501 small-size contrast?

    python benchmarks/fit_subject_heads.py [--photos ../shared/photos] [--cache FILE] [--seeds 2] [--soft]

Candidate heads read ``Scene.embedding`` (the EfficientNet-Lite0 maps every learned head
shares, so no extra network pass) pooled over the regions each label is about:

- camouflage: the person's outline band below the chin (feature-map cells the matte
  covers by 15-85 %), its mean; the channel-wise gap between the person cells and the
  background cells next to the band; their cosine similarity (stride 8, 16 and final maps);
- low_contrast: the face box against the background in the raters' thumbnail crop (a
  square 2.6 times the face box), the same three kinds of block.

Each candidate is fitted with ``benchmarks/_heads.py`` (standardise, PCA, ridge logistic;
PCA size, ridge and threshold chosen by an inner 5-fold CV) beside the measure's own
values, and stacked the way ``fit_heads.py`` stacks busy (head log-odds + the value the
rule judges, second stage and threshold fitted inside the fold). Printed: nested 5-fold CV
P/R/F1 with confusion counts and a 95 % bootstrap interval, on all photos and on the
unanimous ones (agree_<label> == 3), for ``--seeds`` fold shuffles; ``--soft`` fits to the
share of raters voting yes (ratings.csv) and still scores against the majority. A photo
the measure cannot judge (HL501 without a face) counts as not flagged.

Nothing is written: no candidate beat the rules' current nested-CV figures (camouflage 0.534,
low_contrast 0.551, ``fit_subject.py``). Best candidates (seed 0): camouflage band similarity
beside the values 0.50, outline band stacked on lost_fraction 0.50, band + values 0.41;
low_contrast face/ring similarity stacked on the evidence 0.54, face vs crop + values 0.42.
Fitting to rater shares (``--soft``) moved nothing beyond noise. So the rules keep their
hand-made measures.
"""

from __future__ import annotations

import argparse
import csv
import pickle
import sys
import tempfile
from pathlib import Path
from typing import Sequence

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT), str(ROOT / "src")]

import cv2  # noqa: E402

from benchmarks import fit_heads  # noqa: E402
from benchmarks._evaluation import bootstrap_f1, count, read_labels  # noqa: E402
from benchmarks._heads import nested_scores  # noqa: E402
from benchmarks.evaluate import DEFAULT_PHOTOS  # noqa: E402

#: label -> (measure, its values beside the head, the value its rule judges (for the stack)).
LABELS = {
    "camouflage": ("clothing_camouflage", ("lost_fraction", "median_delta_e", "median_delta_l", "worst_delta_e"),
                   "lost_fraction"),
    "low_contrast": ("small_size_contrast", ("melted_48", "background_delta_e_48", "melted_32",
                                             "background_delta_e_32", "delta_l_near", "contrast_near"),
                     "evidence"),
}
_MAPS = ("stride8", "stride16", "final")
#: label -> candidate feature sets (block names, see :func:`region_blocks`).
CANDIDATES = {
    "camouflage": {
        "outline band, stride 8+16": [f"{m}_{b}" for m in _MAPS[:2] for b in ("band", "gap", "cos")],
        "outline band, all maps": [f"{m}_{b}" for m in _MAPS for b in ("band", "gap", "cos")],
        "band similarity only": [f"{m}_cos" for m in _MAPS],
    },
    "low_contrast": {
        "face vs crop background, stride 8+16": [f"{m}_{b}" for m in _MAPS[:2]
                                                 for b in ("face", "ring", "fgap", "fcos")],
        "face vs crop background, all maps": [f"{m}_{b}" for m in _MAPS for b in ("face", "ring", "fgap", "fcos")],
        "face/ring similarity only": [f"{m}_fcos" for m in _MAPS],
    },
}
#: Matte share of a feature-map cell that makes it part of the outline band.
_BAND = (0.15, 0.85)
#: Side of the raters' thumbnail crop, in face-box sides (as ``_views.profile_crop``).
_CROP = 2.6


def _share(mask: np.ndarray, h: int, w: int) -> np.ndarray:
    return cv2.resize(mask.astype(np.float32), (w, h), interpolation=cv2.INTER_AREA)


def _mean(x: np.ndarray, weight: np.ndarray) -> np.ndarray | None:
    s = float(weight.sum())
    return None if s < 1e-6 else (x * weight.reshape(-1)).sum(1) / s


def _cos(a: np.ndarray, b: np.ndarray) -> float:
    return float(a @ b / (np.linalg.norm(a) * np.linalg.norm(b) + 1e-9))


def region_blocks(maps, matte: np.ndarray, face_box) -> dict[str, np.ndarray]:
    """Blocks pooled over the outline band and over the face and its crop's background."""
    H, W = matte.shape
    person = matte >= 0.5
    out = {}
    for key in _MAPS:
        m = getattr(maps, key).astype(np.float32)
        c, h, w = m.shape
        x = m.reshape(c, -1)
        zero = np.zeros(c, np.float32)
        ps = _share(person, h, w)
        chin = face_box.y1 / H * h if face_box is not None else 0.0
        below = (np.arange(h)[:, None] + 0.5 >= chin) * np.ones((1, w), np.float32)
        edge = ((ps > _BAND[0]) & (ps < _BAND[1])).astype(np.float32)
        band = edge * below if (edge * below).sum() >= 1 else edge
        near = cv2.dilate(band, np.ones((3, 3), np.uint8)) * (below if (edge * below).sum() >= 1 else 1)
        mean_band = _mean(x, band)
        inner, outer = _mean(x, near * (ps >= _BAND[1])), _mean(x, near * (ps <= _BAND[0]))
        mean_band = zero if mean_band is None else mean_band
        if inner is None or outer is None:
            inner = outer = mean_band
        out[f"{key}_band"] = mean_band
        out[f"{key}_gap"] = np.abs(inner - outer)
        out[f"{key}_cos"] = np.array([_cos(inner, outer), float(band.sum() > 0)], np.float32)
        if face_box is None:
            for b in ("face", "ring", "fgap"):
                out[f"{key}_{b}"] = zero
            out[f"{key}_fcos"] = np.zeros(1, np.float32)
            continue
        fb = face_box
        side = _CROP * max(fb.x1 - fb.x0, fb.y1 - fb.y0)
        cx, cy = (fb.x0 + fb.x1) / 2, (fb.y0 + fb.y1) / 2
        face = np.zeros((H, W), np.float32)
        face[int(max(fb.y0, 0)):int(fb.y1), int(max(fb.x0, 0)):int(fb.x1)] = 1
        crop = np.zeros((H, W), np.float32)
        crop[int(max(cy - side / 2, 0)):int(cy + side / 2), int(max(cx - side / 2, 0)):int(cx + side / 2)] = 1
        fs, cs = _share(face, h, w), _share(crop, h, w)
        ring = np.clip(cs - fs, 0, 1) * (1 - ps)
        f_mean, r_mean = _mean(x, fs), _mean(x, ring)
        f_mean = zero if f_mean is None else f_mean
        r_mean = f_mean if r_mean is None else r_mean
        out[f"{key}_face"], out[f"{key}_ring"] = f_mean, r_mean
        out[f"{key}_fgap"] = np.abs(f_mean - r_mean)
        out[f"{key}_fcos"] = np.array([_cos(f_mean, r_mean)], np.float32)
    return out


def measure_all(photos: Path, files: Sequence[str], cache: Path) -> dict:
    """Region blocks and the two measures' values per photo (cached in ``cache``)."""
    if cache.is_file():
        with open(cache, "rb") as f:
            data = pickle.load(f)
        if data.get("files") == list(files):
            return data
    from headshot_lint.engine import _upright_scene
    from headshot_lint.load import load
    from headshot_lint.measures import registry
    from headshot_lint.model import NOT_ASSESSABLE

    fns = registry()
    blocks, values, has_face = [], [], []
    for i, name in enumerate(files):
        scene = _upright_scene(load(photos / name))
        face = scene.face
        blocks.append(region_blocks(scene.embedding, scene.matte, face.box if face else None))
        v = {}
        for measure, _, _ in LABELS.values():
            m = fns[measure](scene)
            if m.status != NOT_ASSESSABLE:
                v.update({f"{measure}.{k}": float(val) for k, val in m.values.items()})
        values.append(v)
        has_face.append(face is not None)
        if i % 40 == 0:
            print(f"  {i}/{len(files)} {name}", file=sys.stderr, flush=True)
    data = {"files": list(files), "blocks": blocks, "values": values, "has_face": has_face}
    with open(cache, "wb") as f:
        pickle.dump(data, f)
    return data


def measure_values(data: dict, measure: str, keys: Sequence[str]) -> np.ndarray:
    """(n, len(keys) + 1): the values (0 where not judged) and a not-judged flag."""
    return np.array([[v.get(f"{measure}.{k}", 0.0) for k in keys] + [float(f"{measure}.{keys[0]}" not in v)]
                     for v in data["values"]], np.float64)


def rater_share(photos: Path, files: Sequence[str], label: str) -> np.ndarray:
    votes: dict[str, list[bool]] = {}
    with open(photos / "ratings.csv", newline="") as f:
        for r in csv.DictReader(f):
            votes.setdefault(r["file"], []).append(r[label] == "1")
    return np.array([np.mean(votes[n]) for n in files])


def _line(title: str, y: np.ndarray, decided: np.ndarray, unanimous: np.ndarray) -> str:
    c, cu = count(list(y), list(decided)), count(list(y[unanimous]), list(decided[unanimous]))
    lo, hi = bootstrap_f1(list(y), list(decided), n=1000)
    return (f"{title:44s} F1 {c.f1:.3f} [{lo:.2f}, {hi:.2f}] P {c.precision:.3f} R {c.recall:.3f} "
            f"(TP {c.tp} FP {c.fp} FN {c.fn} TN {c.tn}) | unanimous F1 {cu.f1:.3f} "
            f"(TP {cu.tp} FP {cu.fp} FN {cu.fn} TN {cu.tn})")


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--photos", type=Path, default=DEFAULT_PHOTOS)
    ap.add_argument("--cache", type=Path, default=Path(tempfile.gettempdir()) / "headshot-lint-subject-heads.pkl")
    ap.add_argument("--seeds", type=int, default=2, help="outer fold shuffles")
    ap.add_argument("--soft", action="store_true", help="fit to the share of raters voting yes")
    ap.add_argument("--only", choices=sorted(LABELS))
    args = ap.parse_args(argv)
    rows = read_labels(args.photos)
    files = [r["file"] for r in rows]
    data = measure_all(args.photos, files, args.cache)
    judged = np.array(data["has_face"])
    for label, (measure, keys, judged_value) in LABELS.items():
        if args.only and label != args.only:
            continue
        y = fit_heads.truth_of(rows, label)
        unanimous = np.array([r[f"agree_{label}"] == "3" for r in rows])
        target = rater_share(args.photos, files, label) if args.soft else None
        own = measure_values(data, measure, keys)
        can = judged if label == "low_contrast" else np.ones(len(y), bool)
        print(f"\n{label} ({int(y.sum())} positives of {len(y)}, {int(unanimous.sum())} unanimous)"
              f"{' fitted to rater shares' if args.soft else ''}; nested 5-fold CV:")
        for seed in range(args.seeds):
            _, d = nested_scores(own, y, seed=seed, target=target)
            print(_line(f"measure values only (seed {seed})", y, d & can, unanimous), flush=True)
        for name, layout in CANDIDATES[label].items():
            x = np.array([np.concatenate([b[k] for k in layout]) for b in data["blocks"]], np.float64)
            for seed in range(args.seeds):
                _, d = nested_scores(np.c_[x, own], y, seed=seed, target=target)
                print(_line(f"{name} + values (seed {seed})", y, d & can, unanimous), flush=True)
            supp = measure_values(data, measure, (judged_value,))[:, :1]
            d = fit_heads.nested_stacked(x, y, supp)
            print(_line(f"{name}, stacked on {judged_value}", y, d & can, unanimous), flush=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
