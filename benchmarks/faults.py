"""Fault injection for ``headshot-lint check``: what it tries and what survives (issue 24).

Every scenario runs the real CLI in subprocesses on generated photos (scikit-image's
astronaut on coloured backdrops; nothing from the labelled set) and compares with a
clean reference run (``-f json``, no cache):

* **kill**: SIGKILL, SIGTERM and Ctrl-C (SIGINT to the process group) at several moments
  of a ``--jobs 2`` run writing ``-o report.json`` with a cache. Survives when: the
  report is absent or whole and equal to the reference, no process of the run is left
  after 10 s, nothing printed a traceback, no ``pymp-*`` folder is left in its TMPDIR,
  and a rerun on the same cache equals the reference;
* **full disk**: the cache and the report on a 64 KB tmpfs (mounted when root, else the
  fallback: a file-size limit, RLIMIT_FSIZE, so writes fail with EFBIG). Survives when
  the run still reports (to stdout), the cache holds no ``.tmp`` leftovers and writing
  the report fails cleanly (exit 2, old report untouched);
* **corrupt cache**: every entry replaced by one kind of damage (garbage, truncated,
  100,000-deep nesting, a bogus severity, a FIFO, a symlink to /dev/zero, a 64 MB
  sparse file, a forged entry with a keyed cache). Survives when ``-v`` text and html
  runs exit as the reference and the JSON equals it, within a time limit;
* **concurrent**: three runs at once on one cache. Survives when all equal the reference
  and a fourth, cached run does too;
* **changing photo**: one photo rewritten back and forth during a run; survives when a
  later cached run equals the reference of its final content;
* **device output**: ``-o /dev/null`` leaves /dev/null a character device.

Usage::

    PYTHONPATH=src:. python benchmarks/faults.py [--photos 16]
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import signal
import stat
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
RESULTS: list[tuple[str, str, bool, str]] = []  # (scenario, what was tried, survived, detail)


def record(scenario: str, tried: str, ok: bool, detail: str = "") -> None:
    RESULTS.append((scenario, tried, ok, detail))
    print(f"[{'survived' if ok else 'FAILED  '}] {scenario}: {tried}" + (f" ({detail})" if detail else ""),
          flush=True)


def make_photos(folder: Path, n: int) -> None:
    import numpy as np
    from PIL import Image
    from skimage import data

    face = np.asarray(Image.fromarray(data.astronaut()).resize((300, 300)))
    rng = np.random.default_rng(24)
    folder.mkdir(parents=True, exist_ok=True)
    for i in range(n):
        canvas = np.empty((480, 400, 3), np.uint8)
        canvas[:] = rng.integers(30, 240, 3)
        canvas[140:440, 50:350] = face
        Image.fromarray(canvas).save(folder / f"p{i:02d}.jpg", quality=90)


def env_for(tmpdir: Path, **extra: str) -> dict:
    return {**os.environ, "TMPDIR": str(tmpdir), "HEADSHOT_LINT_FAULTS": str(tmpdir), "CI": "1",
            "PYTHONPATH": os.pathsep.join([str(ROOT / "src"), str(ROOT)]), **extra}


def cli(*args: str, env: dict, **kw) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "headshot_lint", *args], capture_output=True, env=env, **kw)


def ours(marker: str) -> list[int]:
    found = []
    for pid in filter(str.isdigit, os.listdir("/proc")):
        try:
            with open(f"/proc/{pid}/environ", "rb") as fh:
                if f"HEADSHOT_LINT_FAULTS={marker}\0".encode() in fh.read():
                    found.append(int(pid))
        except OSError:
            pass
    return found


def normal(doc: bytes) -> str:
    """A JSON report with the run-dependent parts removed: the photos' folder."""
    return doc.decode("utf-8", "replace")


def scenario_kill(photos: Path, work: Path, reference: str) -> None:
    for how in ("SIGKILL", "SIGTERM", "SIGINT-group"):
        for after in (1.0, 3.0, 5.0):
            run_dir = work / f"kill-{how}-{after:g}"
            tmp = run_dir / "tmp"
            tmp.mkdir(parents=True)
            env = env_for(tmp)
            report = run_dir / "report.json"
            proc = subprocess.Popen([sys.executable, "-m", "headshot_lint", "check", str(photos), "--jobs", "2",
                                     "-f", "json", "-o", str(report), "--cache-dir", str(run_dir / "cache")],
                                    stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, env=env,
                                    start_new_session=True)
            time.sleep(after)
            finished_first = proc.poll() is not None
            if not finished_first:
                if how == "SIGINT-group":
                    os.killpg(proc.pid, signal.SIGINT)
                else:
                    os.kill(proc.pid, getattr(signal, how))
            _, err = proc.communicate(timeout=120)
            deadline = time.monotonic() + 10
            while ours(str(tmp)) and time.monotonic() < deadline:
                time.sleep(0.1)
            problems = []
            if ours(str(tmp)):
                problems.append(f"{len(ours(str(tmp)))} process(es) left")
            if b"Traceback" in err:
                problems.append("a traceback: " + err.decode("utf-8", "replace").strip().splitlines()[-1][:80])
            if list(tmp.glob("pymp-*")):
                problems.append("pymp folder left")
            if report.exists() and normal(report.read_bytes()) != reference:
                problems.append("report differs from the reference (half-written?)")
            leftovers = [p.name for p in run_dir.iterdir() if p.name.startswith(".report.json")]
            if leftovers:
                problems.append(f"temporary report files {leftovers}")
            again = cli("check", str(photos), "--jobs", "2", "-f", "json", "--cache-dir", str(run_dir / "cache"),
                        env=env)
            if normal(again.stdout) != reference:
                problems.append("the rerun on the same cache differs from the reference")
            state = "finished before the signal" if finished_first else f"rc {proc.returncode}"
            record("kill", f"{how} after {after:g} s", not problems, "; ".join(problems) or state)
            for pid in ours(str(tmp)):
                os.kill(pid, signal.SIGKILL)


def _mount_tmpfs(where: Path, size: str = "64k") -> bool:
    where.mkdir(parents=True, exist_ok=True)
    if os.geteuid() != 0:
        return False
    return subprocess.run(["mount", "-t", "tmpfs", "-o", f"size={size}", "tmpfs", str(where)],
                          capture_output=True).returncode == 0


def scenario_full_disk(photos: Path, work: Path, reference: str) -> None:
    disk = work / "full"
    mounted = _mount_tmpfs(disk)
    how = "a 64 KB tmpfs" if mounted else "RLIMIT_FSIZE 16 KB (fallback: no tmpfs mount)"
    tmp = work / "full-tmp"
    tmp.mkdir()
    env = env_for(tmp)

    def limit() -> None:
        if not mounted:
            import resource

            signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
            resource.setrlimit(resource.RLIMIT_FSIZE, (16 << 10, 16 << 10))
    try:
        if mounted:  # fill it up to the last few KB
            with open(disk / "filler", "wb") as fh:
                try:
                    fh.write(b"\0" * (60 << 10))
                except OSError:
                    pass
        out = subprocess.run([sys.executable, "-m", "headshot_lint", "check", str(photos), "--jobs", "2", "-f",
                              "json", "--cache-dir", str(disk / "cache")], capture_output=True, env=env,
                             preexec_fn=limit)
        problems = []
        if normal(out.stdout) != reference:
            problems.append(f"report differs (rc {out.returncode}: "
                            f"{out.stderr.decode('utf-8', 'replace').strip()[-100:]})")
        tmps = [p for p in (disk / "cache").rglob("*") if ".tmp" in p.name] if (disk / "cache").exists() else []
        if tmps:
            problems.append(f"{len(tmps)} cache temporaries left")
        record("full disk", f"cache on {how}", not problems, "; ".join(problems) or "report intact, no leftovers")
        old = disk / "report.json"
        if mounted:
            (disk / "filler").unlink()
            old.write_text("previous report\n")
            with open(disk / "filler", "wb") as fh:
                try:
                    fh.write(b"\0" * (64 << 10))
                except OSError:
                    pass
        else:
            old.write_text("previous report\n")
        wrote = subprocess.run([sys.executable, "-m", "headshot_lint", "check", str(photos), "--jobs", "2", "-f",
                                "json", "--no-cache", "-o", str(old)], capture_output=True, env=env, preexec_fn=limit)
        problems = []
        if wrote.returncode != 2:
            problems.append(f"exit {wrote.returncode}, expected 2")
        if b"Traceback" in wrote.stderr:
            problems.append("a traceback")
        if old.read_text() != "previous report\n":
            problems.append("the previous report was damaged")
        if [p for p in disk.iterdir() if p.name.startswith(".report.json")]:
            problems.append("temporary report file left")
        record("full disk", f"report -o on {how}", not problems,
               "; ".join(problems) or f"exit 2: {wrote.stderr.decode('utf-8', 'replace').strip()[-90:]}")
    finally:
        if mounted:
            subprocess.run(["umount", str(disk)], capture_output=True)


#: The ways a cache entry is damaged (the test suite uses the same ones: tests/test_reliability.py).
DAMAGES = ("garbage", "truncated", "bad-second-line", "deep-nesting", "bogus-severity", "fifo",
           "symlink-to-dev-zero", "huge", "folder")


def damage(kind: str, entry: Path) -> None:
    """Replace the cache entry file ``entry`` by one of :data:`DAMAGES`."""
    head = entry.read_bytes().split(b"\n")[0]
    entry.unlink()
    if kind == "garbage":
        entry.write_bytes(os.urandom(300))
    elif kind == "truncated":
        entry.write_bytes(head[: len(head) // 2])
    elif kind == "bad-second-line":
        entry.write_bytes(head + b"\n{not json\n")
    elif kind == "deep-nesting":
        entry.write_bytes(b"[" * 100_000 + b"]" * 100_000 + b"\n{}\n")
    elif kind == "bogus-severity":
        doc = json.loads(head)
        doc["findings"] = [{"code": "HL101", "rule": "x", "severity": "catastrophic", "score": 1, "value": 1,
                            "unit": "", "threshold": 1, "message": "m", "fix": None, "values": {}, "regions": []}]
        entry.write_bytes(json.dumps(doc).encode() + b"\n{}\n")
    elif kind == "fifo":
        os.mkfifo(entry)
    elif kind == "symlink-to-dev-zero":
        os.symlink("/dev/zero", entry)
    elif kind == "huge":
        with open(entry, "wb") as fh:
            fh.truncate(64 << 20)
    elif kind == "folder":
        entry.mkdir()
    else:
        raise ValueError(f"unknown damage {kind!r}")


def scenario_corrupt(photos: Path, work: Path, reference: str) -> None:
    for kind in DAMAGES:
        run_dir = work / f"corrupt-{kind}"
        tmp = run_dir / "tmp"
        tmp.mkdir(parents=True)
        env = env_for(tmp)
        cache = run_dir / "cache"
        cli("check", str(photos), "--jobs", "2", "-f", "json", "--cache-dir", str(cache), env=env)
        entries = list(cache.glob("*/*.json"))
        for entry in entries:
            damage(kind, entry)
        problems = []
        for fmt in (["-v"], ["-f", "html"], ["-f", "json"]):
            try:
                got = cli("check", str(photos), "--jobs", "2", *fmt, "--cache-dir", str(cache), env=env, timeout=120)
            except subprocess.TimeoutExpired:
                problems.append(f"{' '.join(fmt)} hung")
                continue
            if got.returncode not in (0, 1) or b"Traceback" in got.stderr:
                problems.append(f"{' '.join(fmt)} exit {got.returncode}")
            if fmt == ["-f", "json"] and normal(got.stdout) != reference:
                problems.append("JSON differs from the reference")
        rewritten = sum(1 for e in cache.glob("*/*.json") if e.is_file() and not e.is_symlink()
                        and e.stat().st_size < (4 << 20))
        record("corrupt cache", f"{len(entries)} entries: {kind}", not problems,
               "; ".join(problems) or f"served the reference; {rewritten}/{len(entries)} entries rewritten good")
    # A forged entry against a keyed cache.
    run_dir = work / "corrupt-forged"
    tmp = run_dir / "tmp"
    tmp.mkdir(parents=True)
    keyed = env_for(tmp, HEADSHOT_LINT_CACHE_KEY="faults-secret")
    cache = run_dir / "cache"
    cli("check", str(photos), "--jobs", "2", "-f", "json", "--cache-dir", str(cache), env=keyed)
    for entry in cache.glob("*/*.json"):
        head, tail = entry.read_bytes().split(b"\n")[:2]
        doc = json.loads(head)
        doc.update(score=100.0, findings=[])
        entry.write_bytes(json.dumps(doc).encode() + b"\n" + tail + b"\n")  # no valid HMAC
    got = cli("check", str(photos), "--jobs", "2", "-f", "json", "--cache-dir", str(cache), env=keyed)
    record("corrupt cache", "forged entries (score 100, no findings) with HEADSHOT_LINT_CACHE_KEY set",
           normal(got.stdout) == reference, "the forgeries were misses" if normal(got.stdout) == reference
           else "a forged entry was served")


def scenario_concurrent(photos: Path, work: Path, reference: str) -> None:
    run_dir = work / "concurrent"
    tmp = run_dir / "tmp"
    tmp.mkdir(parents=True)
    env = env_for(tmp)
    cache = run_dir / "cache"
    procs = [subprocess.Popen([sys.executable, "-m", "headshot_lint", "check", str(photos), "--jobs", "1", "-f",
                               "json", "-o", str(run_dir / f"r{k}.json"), "--cache-dir", str(cache)],
                              stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, env=env) for k in range(3)]
    errs = [p.communicate(timeout=600)[1] for p in procs]
    problems = [f"run {k} differs" for k in range(3) if normal((run_dir / f"r{k}.json").read_bytes()) != reference]
    problems += [f"run {k} traceback" for k, e in enumerate(errs) if b"Traceback" in e]
    again = cli("check", str(photos), "--jobs", "2", "-f", "json", "--cache-dir", str(cache), env=env)
    if normal(again.stdout) != reference:
        problems.append("the cached rerun differs")
    tmps = [p for p in cache.rglob("*") if ".tmp" in p.name]
    if tmps:
        problems.append(f"{len(tmps)} temporaries left")
    record("concurrent", "3 runs at once on one cache, then a cached run", not problems,
           "; ".join(problems) or "all equal the reference")


def scenario_changing_photo(photos: Path, work: Path) -> None:
    run_dir = work / "changing"
    tmp = run_dir / "tmp"
    tmp.mkdir(parents=True)
    env = env_for(tmp)
    folder = run_dir / "photos"
    shutil.copytree(photos, folder)
    victim = folder / "p00.jpg"
    original = victim.read_bytes()
    other = (folder / "p01.jpg").read_bytes()
    stop = threading.Event()

    def flip() -> None:
        while not stop.is_set():
            for data in (other, b"", original):
                tmpf = victim.with_suffix(".swap")
                tmpf.write_bytes(data)
                os.replace(tmpf, victim)
                time.sleep(0.05)
    t = threading.Thread(target=flip, daemon=True)
    t.start()
    cli("check", str(folder), "--jobs", "2", "-f", "json", "--cache-dir", str(run_dir / "cache"), env=env)
    stop.set()
    t.join()
    victim.write_bytes(original)
    ref = cli("check", str(folder), "--jobs", "2", "-f", "json", "--no-cache", env=env).stdout
    got = cli("check", str(folder), "--jobs", "2", "-f", "json", "--cache-dir", str(run_dir / "cache"), env=env).stdout
    record("changing photo", "a photo rewritten (other photo, empty, itself) every 50 ms during a cached run",
           got == ref, "the later cached run equals an uncached one" if got == ref else "the cache was poisoned")


def scenario_device(photos: Path, work: Path) -> None:
    tmp = work / "device-tmp"
    tmp.mkdir()
    before = os.stat("/dev/null")
    got = cli("check", str(photos / "p00.jpg"), "-f", "json", "-o", "/dev/null", "--no-cache", env=env_for(tmp))
    after = os.stat("/dev/null")
    ok = stat.S_ISCHR(after.st_mode) and after.st_rdev == before.st_rdev
    record("device output", "-o /dev/null", ok and got.returncode in (0, 1),
           f"exit {got.returncode}; /dev/null is {'still a character device' if ok else 'REPLACED'}")


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--photos", type=int, default=16)
    ap.add_argument("--only", default=None, help="run only scenarios whose name contains this")
    args = ap.parse_args(argv)
    work = Path(tempfile.mkdtemp(prefix="headshot-lint-faults-"))
    try:
        photos = work / "photos"
        make_photos(photos, args.photos)
        ref_tmp = work / "ref-tmp"
        ref_tmp.mkdir()
        reference = normal(cli("check", str(photos), "--jobs", "2", "-f", "json", "--no-cache",
                               env=env_for(ref_tmp)).stdout)
        scenarios = [("kill", lambda: scenario_kill(photos, work, reference)),
                     ("full disk", lambda: scenario_full_disk(photos, work, reference)),
                     ("corrupt", lambda: scenario_corrupt(photos, work, reference)),
                     ("concurrent", lambda: scenario_concurrent(photos, work, reference)),
                     ("changing", lambda: scenario_changing_photo(photos, work)),
                     ("device", lambda: scenario_device(photos, work))]
        for name, fn in scenarios:
            if args.only is None or args.only in name:
                fn()
    finally:
        shutil.rmtree(work, ignore_errors=True)
    failed = [r for r in RESULTS if not r[2]]
    print(f"\n{len(RESULTS)} faults tried, {len(RESULTS) - len(failed)} survived, {len(failed)} failed")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
