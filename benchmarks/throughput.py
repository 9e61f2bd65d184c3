"""Throughput of ``headshot-lint check`` over generated 12 MP JPEGs.

Measures, in one run and on the same photos:

* the floor: decode at analysis size + face detection + segmentation only, in-process;
* the full audit (every rule of the default pack) with ``--jobs 1`` (in-process) and ``--jobs 2``;
* a cache hit: the second run over unchanged photos, per photo, with and without hashing;
* peak resident memory of a worker (and of this process for ``--jobs 1``),

and prints the ratios against the targets (jobs 2 >= 1.8x jobs 1, full <= 1.5x floor,
cache hit <= 1 ms beyond hashing, <= 600 MB per worker).

Usage: ``PYTHONPATH=src:. python benchmarks/throughput.py [-n 200] [--size 4000x3000]``
Photos are the scikit-image astronaut (NASA, public domain) scaled up and pasted on
varied smooth backgrounds; they are cached in a temp folder between runs.
"""

from __future__ import annotations

import argparse
import os
import resource
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

from headshot_lint import batch
from headshot_lint.batch import Job, Stats
from headshot_lint.cache import Cache
from headshot_lint.load import load
from headshot_lint.rules import load_pack
from headshot_lint.scene import Scene


def generate(n: int, size: tuple[int, int], out: Path) -> list[str]:
    """``n`` JPEGs of ``size`` (w, h): astronaut scaled to 80 % of the height on a smooth random background."""
    import cv2
    from skimage import data

    out.mkdir(parents=True, exist_ok=True)
    w, h = size
    astro = cv2.cvtColor(data.astronaut(), cv2.COLOR_RGB2BGR)
    side = int(h * 0.8)
    big = cv2.resize(astro, (side, side), interpolation=cv2.INTER_LINEAR)
    paths = []
    rng = np.random.default_rng(7)
    for i in range(n):
        path = out / f"photo{i:04d}.jpg"
        paths.append(str(path))
        if path.exists():
            continue
        small = rng.integers(0, 256, (3 + i % 5, 4 + i % 7, 3), dtype=np.uint8)
        img = cv2.resize(small, (w, h), interpolation=cv2.INTER_CUBIC)
        x = int(rng.integers(0, w - side))
        img[h - side:, x:x + side] = big
        cv2.imwrite(str(path), img, [cv2.IMWRITE_JPEG_QUALITY, 90])
    return paths


def _floor(paths: list[str]) -> float:
    """Seconds per photo for decode + face detection + segmentation."""
    Scene(load(paths[0])).matte  # warm-up: builds the graphs
    t0 = time.perf_counter()
    for p in paths:
        scene = Scene(load(p))
        scene.faces
        scene.matte
    return (time.perf_counter() - t0) / len(paths)


def _run(paths: list[str], rules, jobs: int, cache: Cache | None = None) -> tuple[float, Stats]:
    stats = Stats()
    t0 = time.perf_counter()
    n = sum(1 for _ in batch.run([Job(p) for p in paths], rules, jobs=jobs, cache=cache, stats=stats))
    assert n == len(paths)
    return time.perf_counter() - t0, stats


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("-n", type=int, default=200, help="number of photos (default 200)")
    ap.add_argument("--size", default="4000x3000", help="photo size WxH (default 4000x3000, 12 MP)")
    ap.add_argument("--dir", type=Path, default=None, help="where to keep the generated photos")
    args = ap.parse_args(argv)
    w, h = (int(v) for v in args.size.split("x"))
    folder = args.dir or Path(tempfile.gettempdir()) / f"headshot-lint-bench-{w}x{h}"
    t0 = time.perf_counter()
    paths = generate(args.n, (w, h), folder)
    print(f"{len(paths)} photos of {w}x{h} px in {folder} ({time.perf_counter() - t0:.1f} s to generate)")
    rules = load_pack("default").select()

    floor = _floor(paths)
    rss_self = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # Linux: KB
    c0 = time.process_time()
    t1, _ = _run(paths, rules, 1)  # graphs already built by the floor run
    cpu1 = (time.process_time() - c0) / len(paths)
    t2, s2 = _run(paths, rules, 2)
    with tempfile.TemporaryDirectory() as tmp:
        cache = Cache(Path(tmp) / "cache")
        _run(paths, rules, 1, cache)
        tc, sc = _run(paths, rules, 1, Cache(Path(tmp) / "cache"))
    assert sc.cached == len(paths), sc
    n = len(paths)
    per1, per2 = t1 / n, t2 / n
    hit = tc / n
    beyond = (tc - sc.hash_seconds) / n
    print(f"floor (decode + faces + segmentation): {floor * 1000:7.1f} ms/photo  {1 / floor:6.2f} photos/s")
    print(f"full audit --jobs 1:                   {per1 * 1000:7.1f} ms/photo  {1 / per1:6.2f} photos/s")
    print(f"full audit --jobs 2 (incl. startup):   {per2 * 1000:7.1f} ms/photo  {1 / per2:6.2f} photos/s")
    print(f"cache hit:                             {hit * 1000:7.3f} ms/photo (hashing {sc.hash_seconds / n * 1000:.3f},"
          f" beyond hashing {beyond * 1000:.3f})")
    print(f"peak RSS: this process (--jobs 1) {rss_self:.0f} MB; a --jobs 2 worker {s2.peak_rss_mb:.0f} MB")
    cpu2 = s2.worker_cpu_seconds / n
    print(f"CPU per photo: in-process {cpu1 * 1000:.0f} ms, in a worker {cpu2 * 1000:.0f} ms; "
          f"load average now {os.getloadavg()[0]:.1f} on {os.cpu_count()} CPUs")
    print(f"  -> on an idle 2-core machine --jobs 2 would be about {2 * cpu1 / max(cpu2, 1e-9):.2f}x --jobs 1 "
          "once the workers are up (CPU-time estimate; wall times above depend on other load)")
    print("ratios (target):")
    print(f"  jobs 2 / jobs 1 speed-up  {t1 / t2:5.2f}x  (>= 1.8x)  cores available: {batch.default_jobs()}")
    print(f"  full / floor              {per1 / floor:5.2f}x  (<= 1.5x)")
    print(f"  cache hit beyond hashing  {beyond * 1000:5.3f} ms (<= 1 ms)")
    print(f"  worker peak RSS           {s2.peak_rss_mb:5.0f} MB (<= 600 MB)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
