"""10,000 photos end to end through the CLI: throughput, and the RSS of the whole process tree.

    PYTHONPATH=src:. python benchmarks/batch_cli.py [-n 10000] [--jobs 2] [--size 800x600] [--photos DIR]

Generates ``n`` distinct small JPEGs (the scikit-image astronaut, NASA, public domain, on
smooth random backgrounds: even photos the whole square with its own flag-and-shuttle
background pasted, odd ones the person cut out with the matte; 10,000 took 234 s on a
loaded 2-CPU machine), then runs the real entry point as a subprocess::

    python -m headshot_lint check DIR --jobs 2 --no-cache --format json --output FILE --progress

with its stderr on a pseudo-terminal (the progress bar gives the photos done). Every
second it reads ``/proc`` for the tree: the CLI process (the parent, which writes each
Report's piece of the JSON to a spool file as it arrives and keeps only counters, so its
memory should stay flat), the forkserver, and the workers
(recycled every ``MAX_TASKS_PER_WORKER`` photos, so each worker's PID lives for ~500
photos), with RSS and PSS (shared pages split between the processes that map them).
Prints photos/s, RSS per process after warm-up (10 % of the photos), at 50 % and at the
end, the slope in MB per 1,000 photos (least squares over the samples after warm-up:
for the parent against photos done; for each worker against the photos it did), and
checks the JSON holds ``n`` reports, one per photo. Linux only (``/proc``, a pty).
"""

from __future__ import annotations

import argparse
import json
import os
import pty
import re
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT), str(ROOT / "src")]


# ---- photos --------------------------------------------------------------------------------

def generate(n: int, size: tuple[int, int], out: Path) -> list[str]:
    """``n`` distinct JPEGs of ``size`` (w, h) in ``out`` (kept when they already exist)."""
    import cv2
    from skimage import data

    from headshot_lint.perception.segment import person_matte

    out.mkdir(parents=True, exist_ok=True)
    w, h = size
    astro = data.astronaut()
    side = int(h * 0.8)
    square = cv2.resize(astro, (side, side), interpolation=cv2.INTER_AREA)
    alpha = cv2.resize(person_matte(astro), (side, side), interpolation=cv2.INTER_LINEAR)[..., None]
    rng = np.random.default_rng(2024)
    paths = []
    for i in range(n):
        path = out / f"p{i:05d}.jpg"
        paths.append(str(path))
        if path.exists():
            continue
        small = rng.integers(0, 256, (2 + i % 4, 3 + i % 5, 3), dtype=np.uint8)
        img = cv2.resize(small, (w, h), interpolation=cv2.INTER_CUBIC)
        x = int(rng.integers(0, w - side + 1))
        spot = img[h - side:, x:x + side]
        if i % 2 == 0:
            spot[:] = square
        else:
            spot[:] = (alpha * square + (1.0 - alpha) * spot).astype(np.uint8)
        cv2.imwrite(str(path), cv2.cvtColor(img, cv2.COLOR_RGB2BGR), [cv2.IMWRITE_JPEG_QUALITY, 85])
    return paths


# ---- the process tree ----------------------------------------------------------------------

def _children() -> dict[int, list[int]]:
    kids: dict[int, list[int]] = {}
    for name in os.listdir("/proc"):
        if not name.isdigit():
            continue
        try:
            with open(f"/proc/{name}/stat") as fh:
                stat = fh.read()
        except OSError:
            continue
        ppid = int(stat[stat.rindex(")") + 2:].split()[1])
        kids.setdefault(ppid, []).append(int(name))
    return kids


def _memory(pid: int) -> tuple[float, float] | None:
    """(RSS, PSS) in MB, or None when the process is gone."""
    try:
        with open(f"/proc/{pid}/status") as fh:
            rss = next(int(line.split()[1]) for line in fh if line.startswith("VmRSS:"))
        pss = rss
        try:
            with open(f"/proc/{pid}/smaps_rollup") as fh:
                pss = next(int(line.split()[1]) for line in fh if line.startswith("Pss:"))
        except (OSError, StopIteration):
            pass
        return rss / 1024, pss / 1024
    except (OSError, StopIteration):
        return None


def _cmdline(pid: int) -> str:
    try:
        with open(f"/proc/{pid}/cmdline", "rb") as fh:
            return fh.read().replace(b"\0", b" ").decode(errors="replace")
    except OSError:
        return ""


def sample_tree(root: int) -> dict[int, tuple[str, float, float]]:
    """pid -> (role, RSS MB, PSS MB) for ``root`` and its descendants.

    Roles: ``parent`` (the CLI), ``forkserver``, ``worker`` (a child of the forkserver,
    or of the parent under ``spawn``), ``other`` (the resource tracker)."""
    kids = _children()
    out: dict[int, tuple[str, float, float]] = {}
    stack = [(root, "parent")]
    while stack:
        pid, role = stack.pop()
        mem = _memory(pid)
        if mem is not None:
            out[pid] = (role, *mem)
        for kid in kids.get(pid, []):
            cmd = _cmdline(kid)  # a forked worker shows its forkserver's command line: go by the tree
            if role == "forkserver":
                kid_role = "worker"
            elif "forkserver" in cmd:
                kid_role = "forkserver"
            elif "resource_tracker" in cmd:
                kid_role = "other"
            else:
                kid_role = "worker"
            stack.append((kid, kid_role))
    return out


# ---- the run -------------------------------------------------------------------------------

def run_cli(folder: str, n: int, jobs: int, output: str) -> tuple[float, list, int]:
    """Run the CLI over ``folder``; returns (wall seconds, samples, exit code).

    A sample is ``(seconds, photos done, {pid: (role, rss, pss)})``, one a second."""
    env = dict(os.environ, COLUMNS="160", TERM="xterm",
               PYTHONPATH=os.pathsep.join([str(ROOT / "src"), str(ROOT), os.environ.get("PYTHONPATH", "")]))
    env.pop("CI", None)
    master, slave = pty.openpty()
    cmd = [sys.executable, "-m", "headshot_lint", "check", folder, "--jobs", str(jobs), "--no-cache",
           "--format", "json", "--output", output, "--progress"]
    t0 = time.perf_counter()
    proc = subprocess.Popen(cmd, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=slave, env=env,
                            cwd=tempfile.gettempdir())
    os.close(slave)
    done = [0]
    tail = [b""]

    def read_progress() -> None:
        pattern = re.compile(rb"(\d+)/" + str(n).encode())
        buf = b""
        while True:
            try:
                chunk = os.read(master, 65536)
            except OSError:  # the child closed the pty
                return
            if not chunk:
                return
            buf = (buf + chunk)[-4096:]
            found = pattern.findall(buf)
            if found:
                done[0] = max(done[0], int(found[-1]))
            tail[0] = buf

    reader = threading.Thread(target=read_progress, daemon=True)
    reader.start()
    samples = []
    while proc.poll() is None:
        samples.append((time.perf_counter() - t0, done[0], sample_tree(proc.pid)))
        time.sleep(1.0)
    wall = time.perf_counter() - t0
    reader.join(timeout=2)
    os.close(master)
    if proc.returncode not in (0, 1):
        sys.stderr.write(tail[0].decode(errors="replace")[-2000:] + "\n")
    return wall, samples, proc.returncode


def _slope(xs: list[float], ys: list[float]) -> float:
    """Least-squares slope dy/dx (0 for fewer than 3 points)."""
    if len(xs) < 3 or max(xs) == min(xs):
        return 0.0
    return float(np.polyfit(np.asarray(xs, float), np.asarray(ys, float), 1)[0])


def report(n: int, jobs: int, wall: float, samples: list) -> None:
    """Print the figures (see the module docstring)."""
    active = [s for s in samples if 0 < s[1] < n]
    first = next((s for s in samples if s[1] > 0), None)
    warm = next((s for s in samples if s[1] >= 0.1 * n), None)
    half = next((s for s in samples if s[1] >= 0.5 * n), None)
    end = next((s for s in samples if s[1] >= n), samples[-1] if samples else None)
    print(f"{n} photos, --jobs {jobs}: {wall:.0f} s wall, {n / wall:.2f} photos/s overall", end="")
    if warm and end and end[1] > warm[1]:
        print(f", {(end[1] - warm[1]) / (end[0] - warm[0]):.2f} photos/s after warm-up "
              f"(first photo done at {first[0]:.0f} s)")
    else:
        print()

    def line(label: str, s) -> None:
        if s is None:
            return
        roles: dict[str, list[tuple[float, float]]] = {}
        for role, rss, pss in s[2].values():
            roles.setdefault(role, []).append((rss, pss))
        parent = roles.get("parent", [(0.0, 0.0)])[0]
        fork = roles.get("forkserver", [(0.0, 0.0)])[0]
        workers = sorted(roles.get("worker", []))
        total_rss = sum(r for v in roles.values() for r, _ in v)
        total_pss = sum(p for v in roles.values() for _, p in v)
        print(f"  {label:<16} {s[1]:>6} done  parent {parent[0]:6.0f} MB  forkserver {fork[0]:5.0f} MB  workers "
              f"{' '.join(f'{r:5.0f}' for r, _ in workers) or '-':>12} MB  tree RSS {total_rss:6.0f} MB, "
              f"PSS {total_pss:6.0f} MB")

    print("RSS per process (PSS: shared pages split between the processes mapping them):")
    line("warm-up (10 %)", warm)
    line("50 %", half)
    line("all done", end)
    line("last sample", samples[-1] if samples else None)

    after = [s for s in active if warm and s[1] >= warm[1]]
    par = [(s[1], r) for s in after for role, r, _ in s[2].values() if role == "parent"]
    parent_slope = _slope([d for d, _ in par], [r for _, r in par]) * 1000
    # each worker: RSS against the photos it has done (~ photos done overall / jobs), skipping
    # its first 10 % (warm-up: graphs, arenas); slopes of workers that lived long enough
    lives: dict[int, list[tuple[int, float]]] = {}
    for s in active:
        for pid, (role, rss, _) in s[2].items():
            if role == "worker":
                lives.setdefault(pid, []).append((s[1], rss))
    slopes, peaks = [], []
    for pid, pts in lives.items():
        start = pts[0][0]
        own = [((d - start) / jobs, r) for d, r in pts]
        span = own[-1][0]
        kept = [(d, r) for d, r in own if d >= 0.1 * span]
        if span >= 200 and len(kept) >= 5:
            slopes.append(_slope([d for d, _ in kept], [r for _, r in kept]) * 1000)
        peaks.append((start, max(r for _, r in pts)))
    fork = [(s[1], r) for s in after for role, r, _ in s[2].values() if role == "forkserver"]
    print(f"slope after warm-up, MB per 1,000 photos: parent {parent_slope:+.2f}, forkserver {_slope([d for d, _ in fork], [r for _, r in fork]) * 1000:+.2f}")
    if slopes:
        print(f"  workers, each against its own photos ({len(slopes)} worker lives of ~500 photos): median "
              f"{np.median(slopes):+.2f}, range {min(slopes):+.2f} to {max(slopes):+.2f}")
    if len(peaks) >= 2:
        peaks.sort()
        early, late = peaks[:max(1, len(peaks) // 2)], peaks[max(1, len(peaks) // 2):]
        print(f"  worker peak RSS: {len(peaks)} worker processes; mean of the first half "
              f"{np.mean([p for _, p in early]):.0f} MB, of the second half {np.mean([p for _, p in late]):.0f} MB, "
              f"max {max(p for _, p in peaks):.0f} MB")
    parents = [r for s in samples for role, r, _ in s[2].values() if role == "parent"]
    if parents:
        print(f"  parent peak RSS {max(parents):.0f} MB (incl. assembling the JSON at the end)")


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("-n", type=int, default=10000, help="photos (default 10000)")
    ap.add_argument("--jobs", type=int, default=2, help="--jobs for the CLI (default 2)")
    ap.add_argument("--size", default="800x600", help="photo size WxH (default 800x600)")
    ap.add_argument("--photos", type=Path, default=None,
                    help="folder for the generated photos (kept and reused; default: a temporary folder)")
    args = ap.parse_args(argv)
    w, h = (int(v) for v in args.size.split("x"))
    with tempfile.TemporaryDirectory(prefix="headshot-lint-cli-") as tmp:
        folder = args.photos or Path(tmp) / "photos"
        t0 = time.perf_counter()
        paths = generate(args.n, (w, h), folder)
        print(f"{len(paths)} photos of {w}x{h} px in {folder} ({time.perf_counter() - t0:.0f} s to generate); "
              f"load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} CPUs", flush=True)
        output = str(Path(tmp) / "report.json")
        wall, samples, code = run_cli(str(folder), args.n, args.jobs, output)
        report(args.n, args.jobs, wall, samples)
        if code not in (0, 1):
            print(f"FAILED: the CLI exited {code}")
            return 1
        doc = json.loads(Path(output).read_text(encoding="utf-8"))
        got = [p["path"] for p in doc["photos"]]
        ok = len(got) == doc["summary"]["photos"] == args.n and len(set(got)) == args.n
        print(f"JSON output: {len(got)} reports for {len(set(got))} distinct photos "
              f"(summary: {doc['summary']['photos']} photos, {doc['summary']['errors']} errors, "
              f"{doc['summary']['warnings']} warnings); exit code {code}: {'OK' if ok else 'MISMATCH'}")
        return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
