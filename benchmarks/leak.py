"""Does memory stay flat over a long run? Audits N photos in one process and prints RSS.

    python benchmarks/leak.py [-n 10000] [--every 500]

Cycles through the labelled fixture classes (generated once, 640 px PNGs written to a
temporary folder), auditing each in turn with every rule, and prints the resident set
size every ``--every`` photos plus the growth after warm-up (the first 10 %).
"""

from __future__ import annotations

import argparse
import resource
import sys
import tempfile
import time
from pathlib import Path

sys.path[:0] = [str(Path(__file__).resolve().parents[1]), str(Path(__file__).resolve().parents[1] / "src")]


def _rss_mb() -> float:
    """Current resident set size, MB (Linux /proc), falling back to the peak."""
    try:
        with open("/proc/self/statm") as fh:
            pages = int(fh.read().split()[1])
        return pages * resource.getpagesize() / 2**20
    except OSError:
        return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("-n", type=int, default=10000, help="photos to audit")
    ap.add_argument("--every", type=int, default=500, help="print RSS every this many photos")
    args = ap.parse_args(argv)

    from fixtures.generate import generate
    from headshot_lint.engine import audit
    from headshot_lint.rules import load_pack

    rules = load_pack().select(["ALL"])
    with tempfile.TemporaryDirectory() as tmp:
        paths = [c.path for c in generate(Path(tmp), seed=1)]
        t0 = time.perf_counter()
        samples = []
        for i in range(args.n):
            audit(paths[i % len(paths)], rules=rules)
            if (i + 1) % args.every == 0 or i + 1 == args.n:
                rss = _rss_mb()
                samples.append((i + 1, rss))
                rate = (i + 1) / (time.perf_counter() - t0)
                print(f"{i + 1:>7} photos  RSS {rss:7.1f} MB  {rate:5.1f} photos/s", flush=True)
    warm = [s for s in samples if s[0] >= args.n * 0.1] or samples
    grow = warm[-1][1] - warm[0][1]
    print(f"RSS after warm-up {warm[0][1]:.1f} MB at {warm[0][0]} photos, {warm[-1][1]:.1f} MB at "
          f"{warm[-1][0]}: growth {grow:+.1f} MB ({grow / max(1, warm[-1][0] - warm[0][0]) * 1000:+.3f} MB "
          f"per 1000 photos)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
