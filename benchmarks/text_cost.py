"""Cost of HL401's text search on 12-megapixel photos, one core.

    python benchmarks/text_cost.py [--photos ../shared/photos] [--limit 60] [--megapixels 12]

Makes 12 MP copies of labelled photos (upscaled to 12 MP at their own aspect ratio, JPEG
quality 92) in a temporary folder that is deleted afterwards (never committed), loads each
as the linter does, computes what the measure reads from perception beforehand (faces,
person matte: shared with other rules, not timed), then times the whole text search,
``text_or_logo`` (plain gate, every detector look, reading, marks, clothing), with one
thread as in the batch pool's workers. Prints the median and 90th percentile, wall and CPU,
for busy backgrounds (the search ran) and for plain ones (skipped by the gate), the
decode time beside, and the load average (the machine may be shared).
Photos: every ``--step``-th labelled photo up to ``--limit``.
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
    args = ap.parse_args(argv)

    import cv2

    cv2.setNumThreads(1)  # read when the onnxruntime sessions are built
    from headshot_lint.load import load
    from headshot_lint.measures import text
    from headshot_lint.scene import Scene

    rows = read_labels(args.photos)[::args.step][:args.limit]
    busy, plain, decode, loads = [], [], [], []
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
    return 0


if __name__ == "__main__":
    sys.exit(main())
