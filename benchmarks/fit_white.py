"""Choose HL202's band and flatness, and its threshold, by nested cross-validation.

    python benchmarks/fit_white.py [--photos ../shared/photos] [--seeds 10]

HL202 white-background-clipping judges the share of flat near-white pixels (every channel
>= ``white.WHITE_LEVEL``) in the background near the person (``measures/white.py``). Two
choices set what "near" and "flat" mean: the band around the person (``NEAR_BAND``,
fraction of the long side; 1.0 = the whole background) and the flatness (``FLAT_GRADIENT``,
the 3x3 grey gradient allowed). Every photo is measured once for each pair of
``BANDS`` x ``FLATS``; then, against the three-rater ``white_bg`` labels:

- each pair's threshold cross-validated alone (5 folds, threshold chosen on the others);
- nested: inside every outer fold the pair AND its threshold are chosen on the training
  folds (best F1), then judged on the held-out fold; mean and spread over ``--seeds``
  fold shuffles (one seed moves F1 by about 0.02 with 32 positives);
- the pair and threshold chosen on all photos (what ships), with its in-sample counts,
  on all photos and on the unanimous ones (``agree_white_bg == 3``).

Measured 2026-12-06 on the 321 photos (32 positive), 10 fold seeds: the shipped pair
before (band 0.15, flatness 10) 0.854 +- 0.015 threshold CV; nested choice over the 16
pairs 0.921 +- 0.000 (it chose band 0.08, flatness 6 in every fold); band alone at
flatness 10, nested, 0.909 +- 0.006. People judge the white right around the person: the
wider band let shadows and room edges far from the subject dilute pure white backdrops.
The chosen pair goes into ``measures/white.py`` and the threshold into
``rules/HL202-white-background-clipping.toml`` by hand (with the quality's centre).

2026-12-07 (helper ``photometric``), why the threshold CV (0.921) sits below in-sample (0.938, TP 30
FP 2 FN 2): it loses one photo in every fold seed, apdrawing_model2911332 (a studio sweep at
about 239, white fraction 0.739, labelled white unanimously). Held out, the training folds put the
threshold halfway between pidm_fashion_18 (0.820, white) and idmvton_0003400 (0.732, not white,
split 2-1), at 0.776, above it; with it in training the threshold is 0.7355. The in-sample errors
are near-white studio backdrops either side of "about 240" (contact sheet looked at: FP
pidm_fashion_13 at 239 flat, labelled not white unanimously, though it looks like pidm_fashion_18;
FP prnet_0 at 233; FN aniportrait_aragaki at 231, split 2-1; FN deepface_img7, a cream wall whose
blue channel sits at 226). Tried, from cached half views, threshold CV F1 over 10 seeds: the
white fraction at levels 220/225/235/240 (band 0.08, flatness 6) 0.870/0.894/0.889/0.875, at level
220 flatness 10 0.924 +- 0.005 (in-sample 0.925, 31/4/1: worse), level 235 flatness 10 0.912; the
band's darkest-channel median 0.86-0.92 (band 0.04-0.15), p25 0.873-0.889, mean 0.902-0.911, its
flat pixels' mean 0.909; L* p10/p25 0.85-0.89. One value chosen inside the folds among these 60:
0.865 +- 0.016. A second value beside the white fraction (ridge-3 logistic, nested): the hair-edge
contrast hair_edge_l 0.931 +- 0.008 (in-sample unchanged, 30/2/2: it only moves the threshold
past model2911332), level 235 0.924, clipped fraction, glow and the level statistics 0.921; the
second value chosen inside the folds among 37: 0.924 +- 0.007 over 5 seeds (hair_edge_l or none,
each in 10 of 25 folds). Nothing clears the spread: the shipped value and threshold stay.
"""

from __future__ import annotations

import argparse
import itertools
import statistics
import sys
from pathlib import Path

sys.path[:0] = [str(Path(__file__).resolve().parents[1]), str(Path(__file__).resolve().parents[1] / "src")]

from benchmarks._evaluation import best_threshold, count, read_labels, stratified_folds  # noqa: E402
from benchmarks.evaluate import DEFAULT_PHOTOS  # noqa: E402

#: Bands around the person tried, fraction of the long side (1.0: the whole background).
BANDS = (0.08, 0.15, 0.30, 1.0)
#: Flatness tried: the largest 3x3 grey gradient a flat pixel may have (0-255).
FLATS = (6, 10, 16, 30)


def measure(photos: Path) -> dict[str, dict[tuple[float, float], float] | None]:
    """Per photo, the white fraction for every (band, flatness); None where the measure
    is not assessable (the subject fills the frame)."""
    from headshot_lint.load import load
    from headshot_lint.measures import white
    from headshot_lint.measures._views import half_view
    from headshot_lint.scene import Scene

    out: dict[str, dict[tuple[float, float], float] | None] = {}
    for path in sorted(photos.glob("*.jpg")):
        scene = Scene(load(str(path)))
        if white.white_background(scene).status != "ok":
            out[path.name] = None
            continue
        view = half_view(scene)
        nears = {b: white.near_person(view, b) for b in BANDS}
        whites = {g: white.flat_white(view, g) for g in FLATS}
        out[path.name] = {(b, g): float(whites[g][nears[b]].mean()) for b, g in itertools.product(BANDS, FLATS)}
    return out


def _choose(values: dict, y: list[bool], rows: list[int], pairs) -> tuple[tuple[float, float], float, float]:
    """The pair and threshold with the best F1 on ``rows``: (pair, threshold, F1)."""
    best = None
    for pair in pairs:
        t, got = best_threshold([values[pair][i] for i in rows], [y[i] for i in rows], True)
        if best is None or got.f1 > best[2]:
            best = (pair, t, got.f1)
    return best


def nested(values: dict, y: list[bool], pairs, seeds: int) -> list[float]:
    """Nested F1 per fold seed: pair and threshold chosen on the training folds only."""
    scores = []
    for seed in range(seeds):
        pred = [False] * len(y)
        for fold in stratified_folds(y, 5, seed):
            held = set(fold)
            pair, t, _ = _choose(values, y, [i for i in range(len(y)) if i not in held], pairs)
            for i in fold:
                pred[i] = values[pair][i] >= t
        scores.append(count(y, pred).f1)
    return scores


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--photos", type=Path, default=DEFAULT_PHOTOS)
    ap.add_argument("--seeds", type=int, default=10)
    args = ap.parse_args(argv)

    labels = {r["file"]: r for r in read_labels(args.photos)}
    measured = measure(args.photos)
    names = [n for n in sorted(labels) if n in measured]
    y = [labels[n]["white_bg"] == "1" for n in names]
    pairs = list(itertools.product(BANDS, FLATS))
    values = {p: [(measured[n] or {}).get(p, 0.0) for n in names] for p in pairs}  # not assessable: not flagged

    def fmt(xs: list[float]) -> str:
        return f"{statistics.mean(xs):.3f} +- {statistics.pstdev(xs):.3f}"

    print(f"{len(names)} photos, {sum(y)} with a white background; F1 over {args.seeds} fold seeds\n")
    print("band  flat  threshold-CV F1")
    for p in pairs:
        print(f"{p[0]:4.2f}  {p[1]:4d}  {fmt(nested(values, y, [p], args.seeds))}")
    print(f"\nnested, pair and threshold chosen inside the folds: {fmt(nested(values, y, pairs, args.seeds))}")
    print(f"nested, band only (flatness 10): {fmt(nested(values, y, [(b, 10) for b in BANDS], args.seeds))}")
    pair, t, f1 = _choose(values, y, list(range(len(y))), pairs)
    c = count(y, [v >= t for v in values[pair]])
    una = [i for i, n in enumerate(names) if labels[n].get("agree_white_bg") == "3"]
    cu = count([y[i] for i in una], [values[pair][i] >= t for i in una])
    print(f"\nchosen on all photos: band {pair[0]}, flatness {pair[1]}, threshold {t:.4f}: "
          f"TP {c.tp} FP {c.fp} FN {c.fn} TN {c.tn}, P {c.precision:.3f} R {c.recall:.3f} F1 {c.f1:.3f}; "
          f"unanimous ({len(una)}) F1 {cu.f1:.3f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
