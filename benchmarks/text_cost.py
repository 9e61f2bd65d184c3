"""Cost of HL401's text search on 12-megapixel photos, one core.

    python benchmarks/text_cost.py [--photos ../shared/photos] [--limit 60] [--megapixels 12]
        [--without-second-looks]

Makes 12 MP copies of labelled photos (upscaled to 12 MP at their own aspect ratio, JPEG
quality 92) in a temporary folder that is deleted afterwards (never committed), loads each
as the linter does, computes what the measure reads from perception beforehand (faces,
person matte: shared with other rules, not timed), then times the whole text search,
``text_or_logo`` (plain gate, every detector look, reading, marks, clothing), with one
thread as in the batch pool's workers. Prints the median and 90th percentile, wall and CPU,
for busy backgrounds (the search ran) and for plain ones (skipped by the gate), the
decode time beside, and the load average (the machine may be shared).
Photos: every ``--step``-th labelled photo up to ``--limit``.

``--without-second-looks`` also times, on the same scene and alternately with the shipped
search (which goes first alternates), the search without its second looks (``SECOND_LOOK_SIDES``
empty: no whole-photo look at 512 and 192 px when the first reads nothing): what giving up
that recall would save (issue #26). It prints both arms' median, 90th percentile and mean
CPU ms over every photo, and on how many photos each counts background text. 2026-12-07,
60 photos (step 5), load average 0.9: shipped median 86.5 / p90 162.9 / mean 83.9 ms, without
the second looks 47.2 / 100.2 / 49.2 ms, text counted on 9 photos by both (none of these 60
needs a second look; ``fit_text.py`` over all 321: the 512 px look adds 2 TP and 1 FP, the
192 px look 1 TP, so HL401 would fall from F1 0.800 to about 0.774).

Session 18 (another machine, the same 60 photos), before and after the detector's session
left out onnxruntime's NCHWc layout (``text_detector.DISABLED_OPTIMISERS``; the same boxes):
busy photos CPU median 135.7 -> 117.4 ms, p90 368.9 -> 322.5 ms; mean over all 60 111.7 ->
92.9 ms (shipped), 58.7 -> 52.6 ms (without the second looks); text counted on 9 photos in
every arm. The two runs were minutes apart on a shared machine (load average 0.3 and 0.7).
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

from benchmarks._evaluation import read_labels  # noqa: E402
from benchmarks.evaluate import DEFAULT_PHOTOS  # noqa: E402


def _twelve_mp(src: Path, dst: Path, megapixels: float) -> None:
    from PIL import Image

    with Image.open(src) as im:
        im = im.convert("RGB")
        s = (megapixels * 1e6 / (im.width * im.height)) ** 0.5
        im.resize((round(im.width * s), round(im.height * s)), Image.LANCZOS).save(dst, quality=92)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--photos", type=Path, default=DEFAULT_PHOTOS)
    ap.add_argument("--limit", type=int, default=60, help="photos timed")
    ap.add_argument("--step", type=int, default=5, help="every STEP-th labelled photo")
    ap.add_argument("--megapixels", type=float, default=12.0)
    ap.add_argument("--without-second-looks", action="store_true",
                    help="also time the search without its second looks, alternately with the shipped one")
    args = ap.parse_args(argv)

    import cv2

    cv2.setNumThreads(1)  # read when the onnxruntime sessions are built
    from headshot_lint.load import load
    from headshot_lint.measures import text
    from headshot_lint.scene import Scene

    rows = read_labels(args.photos)[::args.step][:args.limit]
    busy, plain, decode, loads = [], [], [], []
    arms: dict[str, list[tuple[float, bool]]] = {"shipped": [], "without second looks": []}
    shipped_sides = text.SECOND_LOOK_SIDES
    with tempfile.TemporaryDirectory() as tmp:
        for k, r in enumerate(rows):
            big = Path(tmp) / r["file"]
            _twelve_mp(args.photos / r["file"], big, args.megapixels)
            t0 = time.perf_counter()
            scene = Scene(load(big))
            decode.append((time.perf_counter() - t0) * 1e3)
            scene.background_mask, scene.person_mask, scene.gray, scene.face  # perception: not timed
            if k == 0:
                text.text_or_logo(scene)  # warm-up: sessions built
            t0, c0 = time.perf_counter(), time.process_time()
            m = text.text_or_logo(scene)
            wall, cpu = (time.perf_counter() - t0) * 1e3, (time.process_time() - c0) * 1e3
            (busy if m.details.get("search") == "ran" else plain).append((wall, cpu))
            if args.without_second_looks:
                order = list(arms) if k % 2 == 0 else list(arms)[::-1]
                for arm in order:
                    text.SECOND_LOOK_SIDES = shipped_sides if arm == "shipped" else ()
                    try:
                        c0 = time.process_time()
                        found = text.text_or_logo(scene).values.get("text_marks", 0) > 0
                        arms[arm].append(((time.process_time() - c0) * 1e3, found))
                    finally:
                        text.SECOND_LOOK_SIDES = shipped_sides
            loads.append(os.getloadavg()[0])
            big.unlink()

    def stats(xs: list, i: int) -> str:
        v = [x[i] for x in xs]
        return f"median {np.median(v):7.1f}  p90 {np.percentile(v, 90):7.1f}" if v else "none"

    print(f"{len(rows)} photos at {args.megapixels:g} MP, one thread; load average {np.median(loads):.1f} "
          f"(median while running) on {os.cpu_count()} cores; decode to the analysis image "
          f"median {np.median(decode):.0f} ms (not part of the search)")
    print(f"busy  ({len(busy):3d}) wall ms {stats(busy, 0)}   CPU ms {stats(busy, 1)}")
    print(f"plain ({len(plain):3d}) wall ms {stats(plain, 0)}   CPU ms {stats(plain, 1)}")
    for arm, got in arms.items():
        if got:
            ms = [g[0] for g in got]
            print(f"{arm:22s} CPU ms over all {len(got)}: median {np.median(ms):6.1f}  p90 "
                  f"{np.percentile(ms, 90):6.1f}  mean {np.mean(ms):6.1f}; text counted on {sum(g[1] for g in got)} photos")
    return 0


if __name__ == "__main__":
    sys.exit(main())
