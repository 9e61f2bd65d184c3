"""Start-up of one ``headshot-lint check``: the pre-commit case, a fresh process per photo.

Times ``python -m headshot_lint check --no-cache PHOTO`` in new processes: median, min and
max wall time and the median user+sys CPU of the child (threads included, so CPU can
exceed wall), with the load average, since a shared machine's load moves wall time most.
PHOTO defaults to scikit-image's astronaut (NASA, public domain) upscaled to 12 MP and
saved as a quality-92 JPEG in a temporary folder. ``--against DIR`` times another source
tree (a checkout of main: its ``src`` goes first on PYTHONPATH) in alternation with this
one, run by run, so a slow spell lands on both.

The first run of each tree is a warm-up (untimed): it fills the page cache and the model
cache in the user's cache folder (``_model_cache``), as any earlier run would have.

Usage: ``python benchmarks/startup.py [-n 9] [--photo one.jpg] [--against ../main]``
"""

from __future__ import annotations

import argparse
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parents[1]


def astronaut_photo(folder: Path, size: tuple[int, int] = (4000, 3000)) -> Path:
    """scikit-image's astronaut centred on a 12 MP canvas of its own edge colours, JPEG q92."""
    import cv2
    import numpy as np
    from skimage import data

    img = data.astronaut()
    w, h = size
    scale = h / img.shape[0]
    face = cv2.resize(img, (round(img.shape[1] * scale), h), interpolation=cv2.INTER_CUBIC)
    canvas = cv2.resize(img[:, :8], (w, h), interpolation=cv2.INTER_LINEAR)
    x0 = (w - face.shape[1]) // 2
    canvas[:, x0:x0 + face.shape[1]] = face
    path = folder / "astronaut-12mp.jpg"
    cv2.imwrite(str(path), cv2.cvtColor(np.ascontiguousarray(canvas), cv2.COLOR_RGB2BGR),
                [cv2.IMWRITE_JPEG_QUALITY, 92])
    return path


def once(tree: Path, photo: Path) -> tuple[float, float, int]:
    """(wall s, user+sys CPU s, exit code) of one check in a new process."""
    env = dict(os.environ, PYTHONPATH=os.pathsep.join([str(tree / "src"), os.environ.get("PYTHONPATH", "")]))
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    t0 = time.perf_counter()
    code = subprocess.run([sys.executable, "-m", "headshot_lint", "check", "--no-cache", str(photo)], env=env,
                          cwd=tempfile.gettempdir(), stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL).returncode
    wall = time.perf_counter() - t0
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    return wall, (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime), code


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("-n", type=int, default=9, help="timed runs per tree (default 9)")
    ap.add_argument("--photo", type=Path, default=None, help="the photo to check (default: a generated 12 MP JPEG)")
    ap.add_argument("--against", type=Path, default=None, help="another source tree, timed in alternation")
    args = ap.parse_args(argv)
    trees = [HERE] + ([args.against.resolve()] if args.against else [])
    with tempfile.TemporaryDirectory() as tmp:
        photo = args.photo or astronaut_photo(Path(tmp))
        for tree in trees:
            once(tree, photo)  # warm-up
        runs: dict[Path, list[tuple[float, float, int]]] = {t: [] for t in trees}
        load0 = os.getloadavg()
        for i in range(args.n):
            for tree in trees if i % 2 == 0 else trees[::-1]:
                runs[tree].append(once(tree, photo))
        load1 = os.getloadavg()
    print(f"check --no-cache {photo.name}: {args.n} runs per tree; load average {load0[0]:.1f} -> {load1[0]:.1f} "
          f"({os.cpu_count()} CPUs)")
    for tree, r in runs.items():
        wall = [x[0] for x in r]
        print(f"  {tree}: wall median {statistics.median(wall):.3f} s (min {min(wall):.3f}, max {max(wall):.3f}), "
              f"user+sys median {statistics.median(x[1] for x in r):.3f} s, exit codes {sorted({x[2] for x in r})}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
