"""Can the text search's sharper second look be gated by its own first look? (issues #26, #21)

    python benchmarks/probe_text_gate.py [--photos ../shared/photos] [--cache FILE] [--seeds 5]

When the first look (the PP-OCRv5 detector on the whole photo at ``DETECTOR_SIDE`` px) counts no
background text, HL401's search looks again at 512 px (about 100 ms of the detector at 4:3, plus
an enlarged tile around its best small line) and then at 192 px (about 15 ms). On the labelled
photos the 512 px look runs on most busy photos and finds text on a handful. This probe asks
whether the first look's own probability map, already computed, tells where the sharper look
cannot find anything: text too small to be boxed at 384 px should still raise the map there.

Every labelled photo is measured once (``--cache`` keeps the rows; never commit it):

- the shipped measure, timed (CPU, one thread): its ``text_marks``, the looks it ran
  (``details["detector"]``);
- the same without the 512 px look (``SECOND_LOOK_SIDES = (192,)``), timed;
- cues from the first look's map over the background (off the person mask, at the map's size):
  its maximum, its 99.9th percentile, the share above 0.05 and 0.1, the kernels above the DB
  binarisation (0.3) of any size, and the learned gate head's log-odds (what gates the second
  looks now).

Printed: the photos the 512 px look decides (its finds, with their labels and cue values); for
each cue, the photos that reach the 512 px look and would skip it at the threshold that keeps
every true find (the lowest cue of a labelled find, less a margin), the CPU saved per photo
(mean over all photos), and, nested (the threshold from the other folds' finds only, stratified
5-fold over ``--seeds`` shuffles), how many true finds a held-out fold loses. Photos as in
``fit_text.py``; a probe: nothing it prints is read by the rule. Also timed: the search without
the enlarged tile the 512 px look ends with (``_SECOND_ZOOMS = 0``).

Result on the 321 three-rater photos (2026-12-07, one thread, CPU ms of the text search alone,
perception done beforehand):

    arm                          median    p90   mean   TP  FP   (HL401, text_marks >= 1)
    shipped                       102.9  369.4  182.9   44   2
    no 512 px look                 79.2  137.6   83.4   40   2
    512 px look, no tile after    100.4  241.1  124.6   42   2

139 photos reach the 512 px look; it costs 247 ms there (median; the look ~100 ms, the tile
around its best small line, enlarged 1.5x and mirrored out to twice its size, most of the
rest), 110 ms a photo over all photos: 60 % of the search. It decides 4 photos, all labelled
text (deep3dface_015270, dlib_2008_002470, insightface_d4, ultraface_2); the tile decides 2 of
them (dlib_2008_002470, insightface_d4). The first look's map cannot gate it: at three of the
four finds its maximum over the background is 4e-6 to 0.04 (nothing there at 384 px; the
sharper look sees text the coarser one does not see at all), so every map cue keeps them only
by keeping every photo, and nested CV loses 3 of the 4 at one seed in five. The learned gate
head at the threshold keeping the four skips 21 more photos (18 ms a photo) and loses one find
in nested CV at every seed. So the 512 px look stays whole: dropping it or its tile trades
2-4 of the 64 labelled text photos (F1 0.800 -> 0.778 / 0.755) for 58-100 ms a photo, the
trade issue #21 rules out.

The first look gated by the learned head too (2026-12-07, a scratch run over the same photos,
not a mode of this probe): 77 of the 255 searched photos lie below the second looks' -3.0 with
the shipped head's in-sample log-odds, and there the search costs ~52 ms wall (the 384 px look
40 ms); the 38 true first-look finds start at -2.41. Held out (``fit_heads.measure_all`` and
``_heads.nested_scores``, as ``fit_text_head.py`` computes the second looks' gate) the lowest
true first-look find is at -3.09: at -3.0 32 photos would skip and 1 of the 38 finds be lost;
at the second looks' margin rule (-4.0) 12 of 255 would skip, ~1.7 ms a photo. Not worth a find.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT), str(ROOT / "src")]

from benchmarks._evaluation import read_labels, stratified_folds  # noqa: E402
from benchmarks.evaluate import DEFAULT_PHOTOS  # noqa: E402

#: The search's settings per arm (``measures/text.py`` module attributes): as shipped, without the
#: 512 px look, and without the enlarged tile after it (``_SECOND_ZOOMS``).
ARMS = {"shipped": {}, "no512": {"SECOND_LOOK_SIDES": (192,)}, "nozoom": {"_SECOND_ZOOMS": 0}}
#: Cue names, in print order; each is "higher means text more likely".
CUES = ("map_max", "map_p999", "share_05", "share_10", "kernels", "gate_head")
#: Below the lowest true find, a threshold keeps this fraction of the cue's spread over the
#: photos as a margin (a find on an unseen photo need not sit exactly where these do).
MARGIN = 0.1


def cues_of(prob: np.ndarray, off_person: np.ndarray) -> dict:
    """Cues from a DB probability map (float (h, w) in [0, 1]) over the background
    ``off_person`` (bool, any size; resized to the map): see the module docstring."""
    import cv2

    bg = cv2.resize(off_person.astype(np.uint8), (prob.shape[1], prob.shape[0]),
                    interpolation=cv2.INTER_NEAREST).astype(bool)
    if not bg.any():
        return {k: 0.0 for k in CUES if k != "gate_head"}
    p = prob[bg]
    n, _, stats, _ = cv2.connectedComponentsWithStats(((prob > 0.3) & bg).astype(np.uint8), connectivity=4)
    return {"map_max": float(p.max()), "map_p999": float(np.percentile(p, 99.9)),
            "share_05": float((p > 0.05).mean()), "share_10": float((p > 0.1).mean()),
            "kernels": float(n - 1)}


def measure(photos: Path, files: list, cache: Path | None) -> list:
    """One row per photo (see the module docstring), cached in ``cache``."""
    if cache is not None and cache.is_file():
        rows = json.loads(cache.read_text(encoding="utf-8"))
        if [r["file"] for r in rows] == files:
            return rows
    import cv2

    cv2.setNumThreads(1)
    from headshot_lint.engine import _upright_scene
    from headshot_lint.load import load
    from headshot_lint.measures import text
    from headshot_lint.perception import text_detector as ocr

    rows = []
    for i, name in enumerate(files):
        scene = _upright_scene(load(photos / name))
        scene.embedding, scene.background_mask, scene.person_mask, scene.gray  # perception: not timed
        row = {"file": name}
        for arm, settings in ARMS.items():
            saved = {k: getattr(text, k) for k in settings}
            try:
                for k, v in settings.items():
                    setattr(text, k, v)
                t = time.process_time()
                m = text.text_or_logo(scene)
                row[arm] = {"ms": 1000 * (time.process_time() - t), "status": m.status,
                            "marks": m.values.get("text_marks", 0) if m.status == "ok" else 0,
                            "looks": m.details.get("detector", "")}
            finally:
                for k, v in saved.items():
                    setattr(text, k, v)
        if row["shipped"]["status"] == "ok" and "px" in row["shipped"]["looks"] and ocr.available():
            row.update(cues_of(ocr.text_probability(scene.rgb, text.DETECTOR_SIDE), ~scene.person_mask))
            judged = text._gate(scene)
            row["gate_head"] = judged[0] if judged is not None else 0.0
        rows.append(row)
        if i % 25 == 0:
            print(f"  {i}/{len(files)} {name}", flush=True)
    if cache is not None:
        cache.write_text(json.dumps(rows), encoding="utf-8")
    return rows


def reached_512(row: dict) -> bool:
    """Whether the shipped search looked at 512 px."""
    return "512 px" in row["shipped"]["looks"]


def found_at_512(row: dict) -> bool:
    """Whether the 512 px look decided the photo: text counted with it and not without."""
    return reached_512(row) and row["shipped"]["marks"] >= 1 and row["no512"]["marks"] == 0


def gate_threshold(values: np.ndarray, spread: float) -> float:
    """The threshold keeping every one of ``values`` (true finds' cues) with the margin; -inf
    without any (then nothing is skipped)."""
    return float(values.min() - MARGIN * spread) if values.size else -np.inf


def main(argv: list | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--photos", type=Path, default=DEFAULT_PHOTOS)
    ap.add_argument("--cache", type=Path, default=None)
    ap.add_argument("--seeds", type=int, default=5)
    args = ap.parse_args(argv)
    labels = read_labels(args.photos)
    files = [r["file"] for r in labels]
    truth = {r["file"]: r["text_logo"] == "1" for r in labels}
    rows = measure(args.photos, files, args.cache)
    n = len(rows)
    reach = [r for r in rows if reached_512(r)]
    finds = [r for r in reach if found_at_512(r)]
    cost = np.array([r["shipped"]["ms"] - r["no512"]["ms"] for r in reach])
    print(f"{n} photos; {len(reach)} reach the 512 px look, which decides {len(finds)} "
          f"({sum(truth[r['file']] for r in finds)} labelled text); its cost where it runs: "
          f"median {np.median(cost):.1f} ms, mean {cost.mean():.1f} ms CPU, i.e. {cost.sum() / n:.1f} ms a photo")
    ship = np.array([r["shipped"]["ms"] for r in rows])
    print(f"the text search as shipped: median {np.median(ship):.1f}, p90 {np.percentile(ship, 90):.1f}, "
          f"mean {ship.mean():.1f} ms CPU a photo")
    for r in finds:
        print(f"  find {r['file']:40s} labelled {'text' if truth[r['file']] else 'none'}: "
              + ", ".join(f"{k} {r.get(k, float('nan')):.3g}" for k in CUES))
    true = [r for r in finds if truth[r["file"]]]
    y = [int(truth[r["file"]]) for r in rows]
    print(f"\n{'cue':10s} {'threshold':>10s} {'skipped':>8s} {'saved ms/photo':>15s}   nested: true finds lost, skipped")
    for cue in CUES:
        v = np.array([r.get(cue, 0.0) for r in reach])
        spread = float(np.percentile(v, 90) - np.percentile(v, 10)) if v.size else 0.0
        t = gate_threshold(np.array([r.get(cue, 0.0) for r in true]), spread)
        skip = v < t
        lost_by_seed, skipped_by_seed = [], []
        for seed in range(args.seeds):
            lost = skipped = 0
            for fold in stratified_folds(y, 5, seed):
                held = {rows[i]["file"] for i in fold}
                train_true = np.array([r.get(cue, 0.0) for r in true if r["file"] not in held])
                tt = gate_threshold(train_true, spread)
                lost += sum(1 for r in true if r["file"] in held and r.get(cue, 0.0) < tt)
                skipped += sum(1 for r in reach if r["file"] in held and r.get(cue, 0.0) < tt)
            lost_by_seed.append(lost)
            skipped_by_seed.append(skipped)
        print(f"{cue:10s} {t:10.4g} {int(skip.sum()):8d} {cost[skip].sum() / n:15.1f}   "
              f"lost {np.mean(lost_by_seed):.1f} of {len(true)} (per seed {lost_by_seed}), "
              f"skipped {np.mean(skipped_by_seed):.0f}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
