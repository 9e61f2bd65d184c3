"""Peak memory per photo: a 100 MP JPEG must cost at most 2x the RSS of a 12 MP one.

Each photo is audited in a fresh subprocess (so the peaks don't mix), which prints its
peak RSS (``resource.getrusage(RUSAGE_SELF).ru_maxrss``) after the audit and its RSS after
the imports alone (MediaPipe, OpenCV, the models: the baseline every photo pays). The
photos are generated (scikit-image's astronaut, resized; noise added so the JPEG is as
heavy to decode as a real photo). Usage::

    PYTHONPATH=src:. python benchmarks/memory.py [--keep DIR]
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile

SIZES = {"12MP": (4000, 3000), "100MP": (11548, 8660)}

_CHILD = r"""
import json, resource, sys
from headshot_lint.engine import audit
from headshot_lint.load import load
import numpy as np
load(np.zeros((64, 64, 3), np.uint8))
base = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
r = audit(sys.argv[1])
peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
print(json.dumps({"base_kb": base, "peak_kb": peak, "size": r.size, "findings": [f.code for f in r.findings]}))
"""


def make_jpeg(path: str, size: tuple) -> None:
    """A ``size`` JPEG (q 90) of the astronaut with mild noise, written row band by band."""
    import numpy as np
    from PIL import Image
    from skimage import data

    w, h = size
    im = Image.fromarray(data.astronaut()).resize((w, h), Image.Resampling.BILINEAR)
    rng = np.random.default_rng(0)
    a = np.asarray(im).copy()
    for y in range(0, h, 1024):  # noise in bands: keeps this generator's own peak down
        band = a[y:y + 1024]
        band += rng.integers(0, 6, band.shape, dtype=np.uint8)
    Image.fromarray(a).save(path, quality=90)


def measure(path: str) -> dict:
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(filter(None, ["src", os.environ.get("PYTHONPATH")]))}
    out = subprocess.run([sys.executable, "-c", _CHILD, path], capture_output=True, text=True, env=env,
                         check=True).stdout
    return json.loads(out.strip().splitlines()[-1])


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--keep", help="folder to write (and reuse) the generated JPEGs in")
    args = ap.parse_args(argv)
    folder = args.keep or tempfile.mkdtemp(prefix="hl-memory-")
    os.makedirs(folder, exist_ok=True)
    res = {}
    for name, size in SIZES.items():
        path = os.path.join(folder, f"{name}.jpg")
        if not os.path.exists(path):
            subprocess.run([sys.executable, "-c", f"import benchmarks.memory as m; m.make_jpeg({path!r}, {size!r})"],
                           check=True, env={**os.environ, "PYTHONPATH": os.pathsep.join(["src", "."])})
        res[name] = measure(path)
        r = res[name]
        print(f"{name:>6} {size[0]}x{size[1]} ({os.path.getsize(path) / 1e6:.1f} MB file): peak RSS "
              f"{r['peak_kb'] / 1024:.0f} MB (after imports {r['base_kb'] / 1024:.0f} MB, "
              f"audit adds {(r['peak_kb'] - r['base_kb']) / 1024:.0f} MB)")
    ratio = res["100MP"]["peak_kb"] / res["12MP"]["peak_kb"]
    added = ((res["100MP"]["peak_kb"] - res["100MP"]["base_kb"])
             / max(1, res["12MP"]["peak_kb"] - res["12MP"]["base_kb"]))
    print(f"peak RSS ratio 100MP/12MP: {ratio:.2f} (target <= 2); ratio of what the audit adds: {added:.2f}")
    if not args.keep:
        for name in SIZES:
            os.unlink(os.path.join(folder, f"{name}.jpg"))
        os.rmdir(folder)
    return 0 if ratio <= 2.0 else 1


if __name__ == "__main__":
    sys.exit(main())
