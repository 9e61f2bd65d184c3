"""Fit and check HL401 text-or-logo on the labelled photos: threshold, accuracy, misses.

    python benchmarks/fit_text.py [--photos ../shared/photos] [--cache FILE] [--k 5] [--seeds 3]

Measures every photo once with ``text_or_logo`` (one thread, as in the batch pool's
workers; ``--cache FILE`` keeps the values in a JSON file so a second run only refits),
then prints, against the ``text_logo`` label, on all photos and on the unanimous ones
(``agree_text_logo == 3``):

- the rule as it ships (``text_marks`` at the rule file's warning threshold): confusion
  counts, precision, recall, F1;
- the best threshold in-sample, and the nested k-fold cross-validated figures (the
  threshold chosen on the other folds only; the stratified folds of ``calibrate.py``),
  averaged over ``--seeds`` fold shuffles;
- the same for ``text_marks + logo_marks`` (counting repeated letterless marks too);
- the choice of the sharper second look's size (``--sides``; "none" for no sharper look):
  each size's counts, and nested CV with the size chosen on the other folds only;
- which look found the text (first look at ``DETECTOR_SIDE``, or a second look), the
  missed and the false photos by name, and the measure's CPU time per photo.

``SECOND_LOOK_SIDES`` in ``measures/text.py`` takes the size chosen. The rule's threshold lives in ``rules/HL401-text-or-logo.toml`` (``[thresholds]``); paste
the printed threshold there when it changes. The measure's fixed settings (sizes looked
at, reading confidence) were chosen on the same photos (see ``measures/text.py``), so the
cross-validated figure covers the threshold, not those choices. About 5 min on 2 cores.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

sys.path[:0] = [str(Path(__file__).resolve().parents[1]), str(Path(__file__).resolve().parents[1] / "src")]

import numpy as np  # noqa: E402

from benchmarks._evaluation import (Counts, best_threshold, count, cross_validate, fmt, nested_choice,  # noqa: E402
                                    read_labels)
from benchmarks.evaluate import DEFAULT_PHOTOS  # noqa: E402

RULE = "HL401"


def measure_all(photos: Path, rows: list, cache: Path | None, sides: tuple) -> dict:
    """file -> {"values", "detector", "gate", "cpu_ms", "second"} for every labelled photo (cached
    when asked); "second": side -> whether a second look at that size finds legible text, for the
    photos where the first look counted nothing (whether or not the gate skipped the second looks)."""
    import cv2

    cv2.setNumThreads(1)  # as in the batch pool's workers; read when the sessions are built
    from headshot_lint.load import load
    from headshot_lint.measures import text
    from headshot_lint.scene import Scene

    done = json.loads(cache.read_text()) if cache and cache.exists() else {}
    for k, r in enumerate(rows):
        if r["file"] in done and ("," not in done[r["file"]]["detector"]
                                  or set(map(str, sides)) <= set(done[r["file"]].get("second", {}))):
            continue  # measured, and every size asked for was tried where the second looks ran
        scene = Scene(load(photos / r["file"]))
        scene.background_mask, scene.person_mask, scene.gray, scene.face  # perception: not timed
        c0 = time.process_time()
        m = text.text_or_logo(scene)
        cpu = (time.process_time() - c0) * 1e3
        entry = {"values": dict(m.values), "detector": m.details.get("detector", ""),
                 "search": m.details.get("search", ""), "gate": m.details.get("gate", ""),
                 "cpu_ms": cpu if k else None}  # first: warm-up
        if r["file"] in done:  # only new sizes were asked for
            entry = {**done[r["file"]], "second": dict(done[r["file"]].get("second", {}))}
        entry.setdefault("second", {})
        if "," in entry["detector"] or entry.get("gate"):  # the second looks ran or were gated: try each size
            for side in sides:
                found, marked, _ = text._second_look(scene.rgb, side, ~scene.person_mask)
                entry["second"][str(side)] = bool(found or marked)
        done[r["file"]] = entry
        if cache and k % 20 == 0:
            cache.write_text(json.dumps(done))
    if cache:
        cache.write_text(json.dumps(done))
    return done


def _line(name: str, c: Counts) -> str:
    return (f"{name:34} TP {c.tp:3d} FP {c.fp:3d} FN {c.fn:3d} TN {c.tn:3d}  "
            f"P {fmt(c.precision)} R {fmt(c.recall)} F1 {fmt(c.f1)}")


def report(name: str, values: list, truth: list, rule_threshold: float, k: int, seeds: int) -> None:
    """The rule at its threshold, the best threshold in-sample, and nested CV over ``seeds`` shuffles."""
    print(_line(f"{name} >= {rule_threshold:g} (rule)", count(truth, [v >= rule_threshold for v in values])))
    t, best = best_threshold(values, truth, True)
    print(_line(f"{name} best in-sample (>= {t:g})", best))
    cvs = [cross_validate(values, truth, True, k=k, seed=s) for s in range(seeds)]
    pooled = Counts()
    for c, _ in cvs:
        pooled = pooled + c
    print(_line(f"{name} nested {k}-fold CV x{seeds}", pooled)
          + f"  (thresholds {sorted({round(x, 2) for _, ts in cvs for x in ts})})")


def choose_side(rows: list, measured: dict, sides: tuple, k: int, seeds: int) -> None:
    """Counts with each sharper second-look size (the coarse look kept as it ran), and nested
    CV with the size chosen on the training folds only."""
    from headshot_lint.measures import text

    shipped = str(text.SECOND_LOOK_SIDES[0]) if text.SECOND_LOOK_SIDES else "none"
    truth = [r["text_logo"] == "1" for r in rows]

    def predicted(option: str) -> list:
        out = []
        for r in rows:
            m = measured[r["file"]]
            hit = m["values"].get("text_marks", 0) >= 1
            if "," not in m["detector"]:
                out.append(hit)  # decided by the first look: no second look ran
                continue
            coarse = any(m["second"][str(c)] for c in text.SECOND_LOOK_SIDES[1:])
            sharp = option != "none" and m["second"][option]
            out.append(sharp or coarse)
        return out

    options = ["none"] + [str(s) for s in sides]
    preds = {o: predicted(o) for o in options}
    print("\nsharper second look, size in px (the coarse look as shipped):")
    for o in options:
        print(_line(f"  {o}{' (shipped)' if o == shipped else ''}", count(truth, preds[o])))
    for seed in range(seeds):
        pooled, chosen, _ = nested_choice(truth, preds, options, k, seed)
        print(_line(f"  nested {k}-fold CV, seed {seed}", pooled) + f"  (chosen {', '.join(chosen)})")


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--photos", type=Path, default=DEFAULT_PHOTOS)
    ap.add_argument("--cache", type=Path, default=None, help="JSON file keeping the measured values")
    ap.add_argument("--k", type=int, default=5)
    ap.add_argument("--seeds", type=int, default=3)
    ap.add_argument("--sides", default="416,448,480,512,576",
                    help="candidate sizes of the sharper second look, px (comma-separated)")
    args = ap.parse_args(argv)

    from headshot_lint.rules import load_pack

    rule = {r.code: r for r in load_pack("default").rules}[RULE]
    rows = read_labels(args.photos)
    from headshot_lint.measures import text

    sides = tuple(int(x) for x in args.sides.split(","))
    measured = measure_all(args.photos, rows, args.cache, tuple(sorted(set(sides) | set(text.SECOND_LOOK_SIDES))))
    for subset, keep in (("all photos", lambda r: True), ("unanimous (agree_text_logo == 3)",
                                                         lambda r: r.get("agree_text_logo") == "3")):
        sel = [r for r in rows if keep(r)]
        truth = [r["text_logo"] == "1" for r in sel]
        # a photo the measure cannot assess gets no finding: it counts as "no text"
        vals = [{"text_marks": 0, "logo_marks": 0, **measured[r["file"]]["values"]} for r in sel]
        skipped = sum("text_marks" not in measured[r["file"]]["values"] for r in sel)
        print(f"\n== {subset}: {len(sel)} photos, {sum(truth)} with text or logos "
              f"({skipped} not assessable, counted as no text)")
        report("text_marks", [float(v["text_marks"]) for v in vals], truth, rule.warning, args.k, args.seeds)
        report("text_marks + logo_marks", [float(v["text_marks"] + v["logo_marks"]) for v in vals], truth,
               rule.warning, args.k, args.seeds)
    choose_side(rows, measured, sides, args.k, args.seeds)
    print("\nwhich look found the text (rule threshold), by label:")
    found_by: dict = {}
    for r in rows:
        m = measured[r["file"]]
        if m["values"].get("text_marks", 0) >= rule.warning:
            key = (m["detector"].rsplit(", ", 1)[-1] if "," in m["detector"] else "first look", r["text_logo"] == "1")
            found_by[key] = found_by.get(key, 0) + 1
    for (look, pos), n in sorted(found_by.items()):
        print(f"  {look:14} {'TP' if pos else 'FP'} {n}")
    hit = {r["file"]: measured[r["file"]]["values"].get("text_marks", 0) >= rule.warning for r in rows}
    print("\nmissed:", " ".join(r["file"] for r in rows if r["text_logo"] == "1" and not hit[r["file"]]))
    print("false: ", " ".join(r["file"] for r in rows if r["text_logo"] != "1" and hit[r["file"]]))
    busy = [m["cpu_ms"] for m in measured.values() if m["cpu_ms"] is not None and m["search"] == "ran"]
    plain = [m["cpu_ms"] for m in measured.values() if m["cpu_ms"] is not None and m["search"] != "ran"]
    if busy:
        print(f"\nmeasure CPU ms (analysis size, one thread): busy median {np.median(busy):.0f}, "
              f"p90 {np.percentile(busy, 90):.0f} ({len(busy)} photos); plain median "
              f"{np.median(plain) if plain else float('nan'):.2f} ({len(plain)} photos)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
