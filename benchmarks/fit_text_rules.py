"""Check the changes to HL401's text search on the labelled photos, as one package, and set its numbers.

    python benchmarks/fit_text_rules.py [--photos ../shared/photos] [--cache FILE] [--k 5] [--seeds 5]

The changes (``measures/text.py``), each also measured alone:

- ``distinct``: a line that must read (a lone background line, a second look's line, a corner
  watermark) reads as at least ``_MIN_DISTINCT`` = 2 *different* characters: a repeated pattern
  (a row of oval openings, railings) reads as one character over and over ("0000").
- ``zoom``: a small line the sharper second look (512 px) finds but cannot read is looked at
  again on an enlarged tile around it (``_SECOND_ZOOMS`` = 1, the most confident), as a lone
  line of the first look already is; what is found there counts when it reads.
- ``conf``: the recogniser confidence a reading needs, ``_MIN_CONFIDENCE``, from a grid.
- ``corners``: on a plain background, where the search used to be skipped, the corners of the
  frame whose edges are as dense as lettering are looked at for a legible watermark.

1. ``_CORNER_EDGES``, from cost alone (no label is read): every corner's edge density
   (``text.plain_corners``) on the plain photos; the threshold is the lowest at which at most
   ``--searched`` (a third) of the plain photos have a corner at or above it, so the median
   plain photo is still skipped at ~1 ms.
2. Every photo is measured once (perception untimed, one thread as in the batch pool) with each
   setting of the busy-photo search, and a plain one corner by corner (density, watermarks
   found at each confidence, CPU ms), so any corner threshold can be replayed.
3. Confusion counts and P/R/F1 in-sample for the rule as shipped before, each change alone and
   the package at each confidence of the grid; nested ``--k``-fold CV over ``--seeds`` fold
   shuffles, where the training folds choose between the rule as it was and the package at each
   confidence, by F1 (ties go to the rule as it was): pooled counts per seed, the mean F1 and
   its min-max spread; all photos and the unanimous ones (``agree_text_logo == 3``); CPU ms
   per photo, busy and plain (median, p90); the photos each change gains or loses, by name.

``--write`` records HL401's figures with the package chosen on all photos in
``rules/heads/text_logo.json`` (what ``evaluate.py`` reports for the rule), replacing those
``fit_text_head.py`` wrote for the search as it was.
``--cache FILE`` keeps the per-photo measurements (JSON); ``--scenes DIR`` what the search reads
from perception (never commit either: they hold the photos). About 25 min on a loaded 2-core
machine, most of it perception; ~10 min with ``--scenes`` filled.
The shipped ``_MIN_CONFIDENCE`` is the confidence the package chooses on all photos.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

sys.path[:0] = [str(Path(__file__).resolve().parents[1]), str(Path(__file__).resolve().parents[1] / "src")]

import numpy as np  # noqa: E402

from benchmarks._evaluation import Counts, count, fmt, nested_choice, read_labels  # noqa: E402
from benchmarks.evaluate import DEFAULT_PHOTOS  # noqa: E402

CONFS = (0.3, 0.4, 0.5, 0.6)
#: name -> (distinct characters, second-look zooms, confidence, plain corners searched)
SETTINGS = {"before": (1, 0, 0.5, False), "distinct": (2, 0, 0.5, False), "zoom": (1, 1, 0.5, False),
            "conf 0.4": (1, 0, 0.4, False), "corners": (1, 0, 0.5, True),
            **{f"package {c}": (2, 1, c, True) for c in CONFS}}
CHOICES = ("before",) + tuple(f"package {c}" for c in CONFS)
_KNOBS = ("_MIN_DISTINCT", "_SECOND_ZOOMS", "_MIN_CONFIDENCE")


def _scene(photos: Path, name: str, scenes: Path | None, load, Scene, text, gate):
    """The photo's scene, perception done (not timed). With ``scenes`` (a folder), what the text
    search reads from perception (analysis image, person and background masks, face box, the
    gate head's log-odds) is kept there and read back instead, so a rerun skips perception."""
    from types import SimpleNamespace

    import cv2

    kept = scenes / f"{name}.npz" if scenes else None
    if kept is None or not kept.exists():
        scene = Scene(load(photos / name))
        scene.background_mask, scene.person_mask, scene.gray, scene.face
        if kept is None:
            return scene
        judged = gate(scene)
        face = scene.face.box if scene.face is not None else None
        np.savez_compressed(kept, rgb=scene.rgb, person=scene.person_mask, background=scene.background_mask,
                            face=np.array([] if face is None else [face.x0, face.y0, face.x1, face.y1], float),
                            gate=np.array([] if judged is None else [judged[0]], float))
    z = np.load(kept)
    rgb = z["rgb"]
    face = SimpleNamespace(box=SimpleNamespace(**dict(zip(("x0", "y0", "x1", "y1"), z["face"])))) if z["face"].size else None
    log_odds = float(z["gate"][0]) if z["gate"].size else None
    text._gate = lambda scene: None if log_odds is None or text._skip_below() is None else (log_odds, text._skip_below())
    return SimpleNamespace(rgb=rgb, gray=cv2.cvtColor(rgb, cv2.COLOR_RGB2GRAY), person_mask=z["person"],
                           background_mask=z["background"], face=face, height=rgb.shape[0], width=rgb.shape[1])


def measure_all(photos: Path, rows: list, cache: Path | None, scenes: Path | None = None) -> dict:
    """file -> {"plain": bool, "assessable": bool, "marks": {busy setting: text_marks},
    "ms": {busy setting: cpu ms}, "gate_ms": ms, "corners": [[density, {conf: watermarks}, {conf: ms}], ...]}.
    A busy setting is "distinct,zooms,conf"; the corners are measured on plain photos only."""
    import cv2

    cv2.setNumThreads(1)
    from headshot_lint.load import load
    from headshot_lint.measures import text
    from headshot_lint.scene import Scene

    done = json.loads(cache.read_text()) if cache and cache.exists() else {}
    shipped = {k: getattr(text, k) for k in _KNOBS + ("_CORNER_EDGES", "_gate")}
    busy = sorted({s[:3] for s in SETTINGS.values()})
    warm = False
    try:
        text._CORNER_EDGES = float("inf")  # the corners are replayed below, one by one
        for k, r in enumerate(rows):
            if r["file"] in done:
                continue
            scene = _scene(photos, r["file"], scenes, load, Scene, text, shipped["_gate"])
            if not warm:
                text.text_or_logo(scene)  # warm-up: sessions built
                warm = True
            entry: dict = {"marks": {}, "ms": {}, "corners": []}
            for setting in busy:
                for knob, value in zip(_KNOBS, setting):
                    setattr(text, knob, value)
                c0 = time.process_time()
                m = text.text_or_logo(scene)
                key = ",".join(map(str, setting))
                entry["ms"][key] = (time.process_time() - c0) * 1e3
                entry["marks"][key] = m.values.get("text_marks", 0) if m.values else 0
                entry["plain"] = m.details.get("search", "").startswith("skipped: plain")
                entry["assessable"] = bool(m.values)
            if entry["plain"]:
                c0 = time.process_time()
                corners = text.plain_corners(scene.gray)
                entry["gate_ms"] = (time.process_time() - c0) * 1e3
                for density, tile in corners:
                    found, ms = {}, {}
                    for conf in CONFS:
                        text._MIN_DISTINCT, text._MIN_CONFIDENCE = 2, conf
                        c0 = time.process_time()
                        found[str(conf)] = len(text._corner_watermarks(scene.rgb, tile))
                        ms[str(conf)] = (time.process_time() - c0) * 1e3
                    entry["corners"].append([density, found, ms])
            done[r["file"]] = entry
            if cache and k % 20 == 0:
                cache.write_text(json.dumps(done))
    finally:
        for knob, value in shipped.items():
            setattr(text, knob, value)
    if cache:
        cache.write_text(json.dumps(done))
    return done


def corner_threshold(measured: dict, searched: float) -> float:
    """The lowest corner edge density at which at most ``searched`` of the plain photos have a
    corner at or above it (cost only: no label)."""
    tops = sorted((max(c[0] for c in m["corners"]) for m in measured.values() if m.get("plain")), reverse=True)
    allowed = int(np.floor(searched * len(tops)))
    if allowed >= len(tops):
        return 0.0
    return float(np.ceil(tops[allowed] * 100 + 1e-9)) / 100  # two decimals, just above the first photo skipped


def predict(m: dict, name: str, threshold: float) -> tuple:
    """(text found, CPU ms) for one photo under the setting ``name``."""
    distinct, zooms, conf, corners = SETTINGS[name]
    if m.get("plain"):
        if not corners:
            return False, m.get("gate_ms", 0.0)
        hit = [(c[1][str(conf)], c[2][str(conf)]) for c in m["corners"] if c[0] >= threshold]
        return sum(n for n, _ in hit) >= 1, m.get("gate_ms", 0.0) + sum(ms for _, ms in hit)
    key = f"{distinct},{zooms},{conf}"
    return m["marks"][key] >= 1, m["ms"][key]


def _line(name: str, c: Counts) -> str:
    return (f"{name:26} TP {c.tp:3d} FP {c.fp:3d} FN {c.fn:3d} TN {c.tn:3d}  "
            f"P {fmt(c.precision)} R {fmt(c.recall)} F1 {fmt(c.f1)}")


def report(rows: list, measured: dict, threshold: float, k: int, seeds: int) -> tuple:
    """Print the figures; return (the choice on all these photos, its predictions, the held-out
    predictions of each seed, each seed's nested F1)."""
    truth = [r["text_logo"] == "1" for r in rows]
    preds = {v: [predict(measured[r["file"]], v, threshold)[0] for r in rows] for v in SETTINGS}
    for v in SETTINGS:
        print(_line(f"  {v} (in-sample)", count(truth, preds[v])))
    f1s, held_out = [], []
    for seed in range(seeds):
        pooled, chosen, out = nested_choice(truth, preds, CHOICES, k, seed)
        f1s.append(pooled.f1)
        held_out.append(out)
        print(_line(f"  nested {k}-fold, seed {seed}", pooled) + f"  (chosen: {', '.join(chosen)})")
    print(f"  nested F1 mean {np.mean(f1s):.3f} (min {min(f1s):.3f}, max {max(f1s):.3f}, {seeds} seeds); "
          f"'before' in-sample {count(truth, preds['before']).f1:.3f}")
    best = max(CHOICES, key=lambda v: (count(truth, preds[v]).f1, -CHOICES.index(v)))
    print(f"  chosen on all these photos: {best}")
    return best, preds[best], held_out, f1s


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--photos", type=Path, default=DEFAULT_PHOTOS)
    ap.add_argument("--cache", type=Path, default=None, help="JSON file keeping the measurements")
    ap.add_argument("--scenes", type=Path, default=None,
                    help="folder keeping what the search reads from perception (skips it on a rerun)")
    ap.add_argument("--k", type=int, default=5)
    ap.add_argument("--seeds", type=int, default=5)
    ap.add_argument("--write", action="store_true",
                    help="record HL401's figures with the chosen package in rules/heads/text_logo.json")
    ap.add_argument("--searched", type=float, default=1 / 3,
                    help="largest share of plain photos whose corners may be searched")
    args = ap.parse_args(argv)

    rows = read_labels(args.photos)
    if args.scenes:
        args.scenes.mkdir(parents=True, exist_ok=True)
    measured = measure_all(args.photos, rows, args.cache, args.scenes)
    threshold = corner_threshold(measured, args.searched)
    plain = [m for m in measured.values() if m.get("plain")]
    print(f"_CORNER_EDGES = {threshold:.2f}: corners searched on "
          f"{sum(max(c[0] for c in m['corners']) >= threshold for m in plain)} of {len(plain)} plain photos")
    for subset, keep in (("all photos", lambda r: True),
                         ("unanimous (agree_text_logo == 3)", lambda r: r.get("agree_text_logo") == "3")):
        sel = [r for r in rows if keep(r)]
        print(f"\n== {subset}: {len(sel)} photos, {sum(r['text_logo'] == '1' for r in sel)} with text or logos")
        result = report(sel, measured, threshold, args.k, args.seeds)
        if subset == "all photos":
            best, decided, held_out, f1s = result
    print("\nCPU ms per photo (analysis size, one thread):")
    for v in SETTINGS:
        busy = [predict(m, v, threshold)[1] for m in measured.values() if not m.get("plain") and m.get("assessable")]
        pl = [predict(m, v, threshold)[1] for m in plain]
        print(f"  {v:12} busy median {np.median(busy):5.0f} p90 {np.percentile(busy, 90):5.0f}   "
              f"plain median {np.median(pl):5.1f} p90 {np.percentile(pl, 90):5.1f}")
    base = {r["file"]: predict(measured[r["file"]], "before", threshold)[0] for r in rows}
    for v in list(SETTINGS)[1:]:
        gained = [r["file"] for r in rows if predict(measured[r["file"]], v, threshold)[0] != base[r["file"]]]
        print(f"\n{v}: changed " + (" ".join(f"{f} ({'+' if not base[f] else '-'}, label "
                                              f"{next(r['text_logo'] for r in rows if r['file'] == f)})"
                                              for f in gained) or "nothing"))
    if args.write:
        write(rows, best, decided, held_out[0], f1s, threshold)
    return 0


def write(rows: list, best: str, decided: list, held_out: list, f1s: list, threshold: float) -> None:
    """Record HL401's figures with the chosen package in ``rules/heads/text_logo.json`` (the
    file the rule names; ``evaluate.py`` reads its nested figure): in-sample, and nested CV from
    the first fold seed (every seed's F1 beside)."""
    from benchmarks.fit_heads import figures
    from headshot_lint.rules import rules_dir

    y = np.array([r["text_logo"] == "1" for r in rows])
    unanimous = np.array([r.get("agree_text_logo") == "3" for r in rows])
    path = rules_dir() / "heads" / "text_logo.json"
    record = json.loads(path.read_text(encoding="utf-8"))
    record["figures"] = {"rule": f"HL401: text_marks >= 1 with this gate and the text search's {best} "
                                 f"(benchmarks/fit_text_rules.py; _CORNER_EDGES {threshold:.2f})",
                         "in_sample": figures(y, np.array(decided), unanimous),
                         "nested_cv": figures(y, np.array(held_out), unanimous),
                         "nested_cv_f1_by_seed": [round(f, 3) for f in f1s]}
    path.write_text(json.dumps(record, indent=1) + "\n", encoding="utf-8")
    print(f"wrote the figures to {path}")


if __name__ == "__main__":
    sys.exit(main())
