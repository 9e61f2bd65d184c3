"""Peak memory of ``check`` on small files that decode to a lot (issue 24: 1-5 GB each).

Each file of :data:`tests.hostile._heavy.HEAVY` is written to a temporary folder and
checked by ``headshot-lint check FILE --no-cache -f json`` in its own process; the peak
RSS is that process tree's largest (``wait4`` rusage, Linux ``ru_maxrss``), with the
wall time and what the report said. The target is at most 600 MB each. Usage::

    PYTHONPATH=src:. python benchmarks/hostile_memory.py [--jobs 2] [--only NAME]
    PYTHONPATH=src:. python benchmarks/hostile_memory.py --together --jobs 2

``--together`` checks all the files in one run instead and prints the largest total RSS of
the run's processes (the batch, its fork server and workers), sampled every 50 ms.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time

TARGET_MB = 600


def peak_of(cmd: list[str], env: dict) -> tuple[float, float, str]:
    """(peak RSS MB of the process and its reaped children, wall s, stdout)."""
    t0 = time.perf_counter()
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, env=env)
    out = proc.stdout.read().decode("utf-8", "replace") if proc.stdout else ""
    _, _, usage = os.wait4(proc.pid, 0)
    proc.returncode = 0
    return usage.ru_maxrss / 1024, time.perf_counter() - t0, out


def _tree_rss_mb(root: int) -> float:
    """Total RSS of ``root`` and its descendants, MB (from /proc)."""
    parents: dict[int, int] = {}
    rss: dict[int, float] = {}
    for pid in filter(str.isdigit, os.listdir("/proc")):
        try:
            with open(f"/proc/{pid}/status") as fh:
                fields = dict(line.split(":", 1) for line in fh if ":" in line)
            parents[int(pid)] = int(fields["PPid"])
            rss[int(pid)] = int(fields.get("VmRSS", "0 kB").split()[0]) / 1024
        except (OSError, ValueError, KeyError):
            continue
    tree, grew = {root}, True
    while grew:
        grew = False
        for pid, ppid in parents.items():
            if ppid in tree and pid not in tree:
                tree.add(pid)
                grew = True
    return sum(rss.get(p, 0.0) for p in tree)


def together(paths: list[str], jobs: int, env: dict) -> float:
    """Largest total RSS of one check of all ``paths``, MB."""
    cmd = [sys.executable, "-m", "headshot_lint", "check", *paths, "--no-cache", "-f", "json", "--jobs", str(jobs)]
    proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=env)
    peak = 0.0
    while proc.poll() is None:
        peak = max(peak, _tree_rss_mb(proc.pid))
        time.sleep(0.05)
    return peak


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--jobs", type=int, default=1)
    ap.add_argument("--only", default=None)
    ap.add_argument("--together", action="store_true", help="one run of all the files; total RSS")
    args = ap.parse_args(argv)
    sys.path.insert(0, os.getcwd())
    from tests.hostile._heavy import HEAVY

    env = {**os.environ, "PYTHONPATH": os.pathsep.join(filter(None, ["src", ".", os.environ.get("PYTHONPATH")]))}
    worst = 0.0
    with tempfile.TemporaryDirectory(prefix="hostile-memory-") as tmp:
        if args.together:
            paths = []
            for name, write in HEAVY.items():
                paths.append(os.path.join(tmp, name))
                write(paths[-1])
            total = together(paths, args.jobs, env)
            print(f"{len(paths)} heavy files in one check --jobs {args.jobs}: largest total RSS {total:.0f} MB")
            return 0
        print(f"{'file':22} {'bytes':>9} {'peak MB':>8} {'wall s':>7}  outcome")
        for name, write in HEAVY.items():
            if args.only and args.only not in name:
                continue
            path = os.path.join(tmp, name)
            write(path)
            cmd = [sys.executable, "-m", "headshot_lint", "check", path, "--no-cache", "-f", "json",
                   "--jobs", str(args.jobs)]
            peak, wall, out = peak_of(cmd, env)
            try:
                doc = json.loads(out)
                photo = doc["photos"][0] if isinstance(doc, dict) and "photos" in doc else doc[0]
                codes = [f.get("code") for f in photo.get("findings", [])]
                first = next((f.get("message", "") for f in photo.get("findings", []) if f.get("code") == "HL001"), "")
                outcome = f"score {photo.get('score')} {codes[:4]} {first[:70]}"
            except Exception:  # noqa: BLE001 - a benchmark prints what it got
                outcome = out[:100].replace("\n", " ")
            worst = max(worst, peak)
            print(f"{name:22} {os.path.getsize(path):9d} {peak:8.0f} {wall:7.1f}  {outcome}")
    print(f"worst peak {worst:.0f} MB (target <= {TARGET_MB} MB): {'OK' if worst <= TARGET_MB else 'OVER'}")
    return 0 if worst <= TARGET_MB else 1


if __name__ == "__main__":
    sys.exit(main())
