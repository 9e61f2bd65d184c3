"""Start-up of one ``headshot-lint check``: the pre-commit case, a fresh process per photo.

Times ``python -m headshot_lint check --no-cache PHOTO`` in new processes: median, min and
max wall time and the median user+sys CPU of the child (threads included, so CPU can
exceed wall), with the load average, since a shared machine's load moves wall time most.
PHOTO defaults to scikit-image's astronaut (NASA, public domain) upscaled to 12 MP and
saved as a quality-92 JPEG in a temporary folder. ``--against DIR`` times another source
tree (a checkout of main: its ``src`` goes first on PYTHONPATH) in alternation with this
one, run by run, so a slow spell lands on both.

The first run of each tree is a warm-up (untimed): it fills the page cache and the model
cache in the user's cache folder (``_model_cache``: built graphs, onnxruntime's optimised
graphs), as any earlier run would have, and writes the tree's bytecode (``__pycache__``,
PYTHONDONTWRITEBYTECODE is dropped for the children), as installing the package does: a
pre-commit hook's environment is installed, and compiling the package's ~60 modules from
source costs ~0.1 s a run.

``--stages`` also prints where one check's wall and CPU time go, each stage timed in the
child by wrapping the functions that do it (median over the runs; nested stages are
inside their parents): imports, the rule pack, the decode, MediaPipe's import, graphs and
runs, the onnxruntime sessions and runs, the measures, and interpreter start and exit
(the child's wall time outside ``main``). CPU is the whole process's (``time.process_time``),
so a stage's CPU includes any background thread running meanwhile (the CIELAB tables).

Usage: ``python benchmarks/startup.py [-n 9] [--photo one.jpg] [--against ../main] [--stages]``
"""

from __future__ import annotations

import argparse
import json
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


#: The child of ``--stages``: a check with (module, function, stage) wrapped in timers, the
#: totals written as JSON to the file named by argv[1]. A function missing from a tree is
#: skipped (another checkout may not have it).
_STAGED = r"""
import json, sys, time
T0, C0 = time.perf_counter(), time.process_time()
out_file, photo = sys.argv[1], sys.argv[2]
acc = {}
def add(stage, wall, cpu):
    w, c = acc.get(stage, (0.0, 0.0))
    acc[stage] = (w + wall, c + cpu)
t, c = time.perf_counter(), time.process_time()
import numpy, cv2
add("import numpy, OpenCV", time.perf_counter() - t, time.process_time() - c)
t, c = time.perf_counter(), time.process_time()
import headshot_lint.cli as cli
add("import headshot_lint.cli (rest)", time.perf_counter() - t, time.process_time() - c)
import importlib
def wrap(module, name, stage, once=False):
    try:
        mod = importlib.import_module(module)
        fn = getattr(mod, name)
    except (ImportError, AttributeError):
        return
    def timed(*a, **k):
        t, c = time.perf_counter(), time.process_time()
        try:
            return fn(*a, **k)
        finally:
            if not (once and stage in acc):
                add(stage, time.perf_counter() - t, time.process_time() - c)
    for attr in ("cache_info", "cache_clear"):
        if hasattr(fn, attr):
            setattr(timed, attr, getattr(fn, attr))
    setattr(mod, name, timed)
for module, name, stage, once in [
        ("headshot_lint.config", "resolve_rules", "rule pack (measure imports)", False),
        ("headshot_lint.engine", "load", "decode", False),
        ("headshot_lint.engine", "_judge", "perception + measures", False),
        ("headshot_lint.perception._mediapipe", "_solutions", "  MediaPipe import", True),
        ("headshot_lint.perception._mediapipe", "face_detector", "  MediaPipe graphs (+ import)", False),
        ("headshot_lint.perception._mediapipe", "face_mesh", "  MediaPipe graphs (+ import)", False),
        ("headshot_lint.perception._mediapipe", "selfie_segmenter", "  MediaPipe graphs (+ import)", False),
        ("headshot_lint.perception._mediapipe", "run", "  MediaPipe runs", False),
        ("headshot_lint.perception.embedding", "_build_session", "  embedding session", False),
        ("headshot_lint.perception.embedding", "run", "  embedding run (+ session)", False),
        ("headshot_lint.perception.text_detector", "open_session", "  text sessions", False),
        ("headshot_lint.perception.text_detector", "text_probability", "  text detector runs", False),
        ("headshot_lint.perception.text_detector", "read_line", "  text recogniser runs (+ session)", False)]:
    wrap(module, name, stage, once)
import headshot_lint.cli.check as check_cli
check_cli.resolve_rules = importlib.import_module("headshot_lint.config").resolve_rules
sys.argv = ["headshot-lint", "check", "--no-cache", photo]
t, c = time.perf_counter(), time.process_time()
def finish():
    if "in process" not in acc:
        add("cli.main (parse, audit, report)", time.perf_counter() - t, time.process_time() - c)
        acc["in process"] = (time.perf_counter() - T0, time.process_time() - C0)
        with open(out_file, "w") as f:
            json.dump(acc, f)
exit_now = getattr(cli, "_exit_now", None)  # a tree that ends without the interpreter's teardown
if exit_now is not None:
    cli._exit_now = lambda code: (finish(), exit_now(code))
try:
    cli.main()
except SystemExit:
    pass
finish()
"""


def _env(tree: Path) -> dict:
    env = dict(os.environ, PYTHONPATH=os.pathsep.join([str(tree / "src"), os.environ.get("PYTHONPATH", "")]))
    env.pop("PYTHONDONTWRITEBYTECODE", None)  # bytecode as an installed package has it (see the docstring)
    return env


def once(tree: Path, photo: Path) -> tuple[float, float, int]:
    """(wall s, user+sys CPU s, exit code) of one check in a new process."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    t0 = time.perf_counter()
    code = subprocess.run([sys.executable, "-m", "headshot_lint", "check", "--no-cache", str(photo)], env=_env(tree),
                          cwd=tempfile.gettempdir(), stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL).returncode
    wall = time.perf_counter() - t0
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    return wall, (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime), code


def staged(tree: Path, photo: Path, folder: Path) -> dict:
    """{stage: (wall s, CPU s)} of one check in a new process (see ``_STAGED``), with the
    child's start and exit: its whole wall time minus the time inside it."""
    out = folder / "stages.json"
    t0 = time.perf_counter()
    subprocess.run([sys.executable, "-c", _STAGED, str(out), str(photo)], env=_env(tree), cwd=tempfile.gettempdir(),
                   stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=True)
    wall = time.perf_counter() - t0
    with open(out) as f:
        stages = {k: tuple(v) for k, v in json.load(f).items()}
    stages["interpreter start + exit"] = (wall - stages["in process"][0], float("nan"))
    return stages


def _print_stages(runs: dict) -> None:
    names: list = []
    for r in runs.values():
        for one in r:
            names += [k for k in one if k not in names]
    trees = list(runs)
    print("stage (median wall s [min-max], median CPU s) " + " | ".join(str(t) for t in trees))
    for name in names:
        cells = []
        for tree in trees:
            got = [one[name] for one in runs[tree] if name in one]
            if not got:
                cells.append("-")
                continue
            wall = [g[0] for g in got]
            cells.append(f"{statistics.median(wall):.3f} [{min(wall):.3f}-{max(wall):.3f}] "
                         f"cpu {statistics.median(g[1] for g in got):.3f}")
        print(f"  {name:38s} " + " | ".join(cells))


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("-n", type=int, default=9, help="timed runs per tree (default 9)")
    ap.add_argument("--photo", type=Path, default=None, help="the photo to check (default: a generated 12 MP JPEG)")
    ap.add_argument("--against", type=Path, default=None, help="another source tree, timed in alternation")
    ap.add_argument("--stages", action="store_true", help="also time each stage of one check (more runs)")
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
        stage_runs: dict[Path, list[dict]] = {t: [] for t in trees}
        if args.stages:
            for i in range(args.n):
                for tree in trees if i % 2 == 0 else trees[::-1]:
                    stage_runs[tree].append(staged(tree, photo, Path(tmp)))
        load1 = os.getloadavg()
    print(f"check --no-cache {photo.name}: {args.n} runs per tree; load average {load0[0]:.1f} -> {load1[0]:.1f} "
          f"({os.cpu_count()} CPUs)")
    for tree, r in runs.items():
        wall = [x[0] for x in r]
        print(f"  {tree}: wall median {statistics.median(wall):.3f} s (min {min(wall):.3f}, max {max(wall):.3f}), "
              f"user+sys median {statistics.median(x[1] for x in r):.3f} s, exit codes {sorted({x[2] for x in r})}")
    if args.stages:
        _print_stages(stage_runs)
    return 0


if __name__ == "__main__":
    sys.exit(main())
