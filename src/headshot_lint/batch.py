"""Auditing many photos: a worker pool with per-photo timeouts, the cache, in input order.

:func:`run` yields one :class:`~headshot_lint.model.Report` per path, in the order
given, as soon as it and every earlier one are done. Photos are audited by ``jobs``
worker processes (``spawn`` or ``forkserver`` context: MediaPipe graphs are built
inside each worker, once, before its first photo; one OpenCV thread per worker). The
pool is managed here rather than by ``concurrent.futures`` because a hung photo must
be killable: a worker that passes ``timeout`` seconds on one photo is killed and
replaced, and the photo gets an ``unreadable-image`` finding saying it timed out; a
worker that dies (a crash in native code) does the same with the exit status. The
batch goes on either way.

``jobs=1`` is the same pool with ONE worker process, so timeouts and crashes are
handled as with ``jobs=N``. Photos are audited in this process instead (no worker to
start, models loaded here) only when that cannot lose a timeout worth having: when a
single photo is left to audit after the cache (a one-photo check stays fast: the
worker's start-up would cost more than the photo), or when ``jobs=1`` and
``timeout`` is None or 0 (no limit asked for).
"""

from __future__ import annotations

import multiprocessing as mp
import os
import sys
import time
from dataclasses import dataclass, field
from multiprocessing.connection import wait
from typing import Any, Callable, Iterable, Iterator, Sequence

from .cache import Cache, file_digest, rules_fingerprint
from .engine import unreadable_report
from .engine import audit
from .errors import HeadshotLintError
from .model import Report
from .rules import Rule

#: Worker processes are replaced after this many photos (bounds any slow leak).
MAX_TASKS_PER_WORKER = 500
DEFAULT_TIMEOUT = 120.0  # s per photo
#: A worker that has not warmed up (imported MediaPipe, built its graphs) in this long is broken.
STARTUP_SECONDS = 120.0


@dataclass
class Job:
    """One photo to audit: its path and the rule codes that apply to it (None: all)."""

    path: str
    skip: frozenset = field(default_factory=frozenset)  #: codes switched off for this photo
    digest: str | None = None  #: sha256 of its bytes (filled in by :func:`run`)


@dataclass
class Stats:
    """What a run did, for the benchmark and ``--statistics``."""

    audited: int = 0
    cached: int = 0
    timeouts: int = 0
    crashes: int = 0
    hash_seconds: float = 0.0
    cache_seconds: float = 0.0
    digests: dict = field(default_factory=dict)  #: path -> sha256 hex
    worker_cpu_seconds: float = 0.0  #: CPU time the workers spent auditing (not starting up)
    peak_rss_mb: float = 0.0  #: largest peak resident memory of a worker process (Linux), MB


def default_jobs() -> int:
    """Worker processes by default: the CPUs this process may use."""
    try:
        return max(1, len(os.sched_getaffinity(0)))  # type: ignore[attr-defined]
    except AttributeError:  # pragma: no cover - macOS, Windows
        return max(1, os.cpu_count() or 1)


def _context() -> Any:
    """forkserver where it exists (workers fork from a server that has already imported
    numpy, OpenCV and the measures, but not MediaPipe: graphs are built after the fork),
    else spawn."""
    methods = mp.get_all_start_methods()
    if "forkserver" in methods and sys.platform != "darwin":
        ctx = mp.get_context("forkserver")
        ctx.set_forkserver_preload(["headshot_lint.batch"])
        return ctx
    return mp.get_context("spawn")


def run(jobs_in: Iterable[Job], rules: Sequence[Rule], *, jobs: int = 1, timeout: float | None = DEFAULT_TIMEOUT,
        cache: Cache | None = None, fingerprint: str = "", stats: Stats | None = None,
        hash_files: bool = False, on_done: Callable[[Report], None] | None = None) -> Iterator[Report]:
    """Audit every job, yielding Reports in input order (see the module docstring).

    ``fingerprint`` is mixed into the cache key (the configuration's); ``stats``,
    when given, is filled in as the run goes (``stats.digests`` holds the files'
    sha256 when caching or ``hash_files``); ``on_done`` is called as each photo
    finishes, in completion order (for a progress bar).
    """
    stats = stats if stats is not None else Stats()
    fp: dict = {}

    def rules_for(skip: frozenset) -> tuple[Rule, ...]:
        return tuple(r for r in rules if r.code not in skip)

    def key_of(job: Job) -> str | None:
        if cache is None or job.digest is None:
            return None
        if job.skip not in fp:
            fp[job.skip] = rules_fingerprint(rules_for(job.skip), fingerprint)
        return cache.key(job.digest, fp[job.skip])

    pending: list[tuple[int, Job]] = []
    done: dict[int, Report] = {}
    order: list[Job] = list(jobs_in)
    for i, job in enumerate(order):
        if cache is not None or hash_files:
            t0 = time.perf_counter()
            job.digest = file_digest(job.path)
            t1 = time.perf_counter()
            stats.hash_seconds += t1 - t0
            if job.digest is not None:
                stats.digests[job.path] = job.digest
            key = key_of(job)
            hit = cache.get(key, job.path) if key else None
            stats.cache_seconds += time.perf_counter() - t1
            if hit is not None:
                done[i] = hit
                stats.cached += 1
                if on_done:
                    on_done(hit)
                continue
        pending.append((i, job))

    def store(i: int, report: Report, transient: bool) -> None:
        job = order[i]
        key = key_of(job)
        if key and cache is not None and not transient:  # timeouts and crashes: try again next run
            cache.put(key, report)
        done[i] = report
        if on_done:
            on_done(report)

    in_process = len(pending) <= 1 or (jobs <= 1 and not timeout)  # see the module docstring
    results = _serial(pending, rules_for) if in_process else _pool(pending, rules, max(1, jobs), timeout, stats)
    nxt = 0
    for i, report, transient in _chain_done(results):
        if i >= 0:
            stats.audited += 1
            store(i, report, transient)
        while nxt in done:
            yield done.pop(nxt)
            nxt += 1


def _chain_done(results: Iterator[tuple[int, Report, bool]]) -> Iterator[tuple[int, Report, bool]]:
    yield -1, None, False  # type: ignore[misc]  # flush cache hits at the head before the first result
    yield from results


def _serial(pending: list[tuple[int, Job]], rules_for: Callable[[frozenset], tuple[Rule, ...]]
            ) -> Iterator[tuple[int, Report, bool]]:
    for i, job in pending:
        yield i, audit(job.path, rules=rules_for(job.skip)), False


# ---- worker side -------------------------------------------------------------------------------

def _worker_main(conn: Any, rules: Sequence[Rule]) -> None:  # pragma: no cover - runs in a child
    try:  # one OpenCV thread per worker: the pool is the parallelism (no oversubscription)
        import cv2

        cv2.setNumThreads(1)
    except Exception:
        pass
    try:  # import MediaPipe and build the graphs before the first photo's clock starts
        import numpy as np

        audit(np.full((64, 64, 3), 128, np.uint8), rules=rules)
    except Exception:
        pass
    conn.send(_READY)
    while True:
        try:
            msg = conn.recv()
        except (EOFError, OSError):
            return
        if msg is None:
            return
        i, path, skip = msg
        chosen = tuple(r for r in rules if r.code not in skip)
        cpu = time.process_time()
        try:
            report = audit(path, rules=chosen)
        except Exception as exc:  # a bug in a measure must not end the batch
            report = unreadable_report(path, chosen, f"internal error: {type(exc).__name__}: {exc}", "internal-error")
        conn.send((i, report, time.process_time() - cpu))


_READY = "ready"


class _Worker:
    def __init__(self, ctx: Any, rules: Sequence[Rule]) -> None:
        parent, child = ctx.Pipe()
        self.conn = parent
        self.proc = ctx.Process(target=_worker_main, args=(child, tuple(rules)), daemon=True)
        self.proc.start()
        child.close()
        self.task: tuple[int, Job] | None = None
        self.started = 0.0
        self.count = 0
        self.ready = False  #: warmed up (MediaPipe imported, graphs built)

    def deadline(self, timeout: float) -> float:
        """When the current photo times out: its clock starts once the worker is warm."""
        return self.started + timeout + (0.0 if self.ready else STARTUP_SECONDS)

    def send(self, item: tuple[int, Job]) -> None:
        self.task = item
        self.started = time.monotonic()
        self.count += 1
        self.conn.send((item[0], item[1].path, item[1].skip))

    def peak_rss_mb(self) -> float:
        """The worker's peak resident memory (VmHWM), MB; 0 where /proc is absent."""
        try:
            with open(f"/proc/{self.proc.pid}/status") as fh:
                for line in fh:
                    if line.startswith("VmHWM:"):
                        return int(line.split()[1]) / 1024
        except (OSError, ValueError):
            pass
        return 0.0

    def stop(self, kill: bool = False) -> None:
        if kill:
            self.proc.kill()
        else:
            try:
                self.conn.send(None)
            except OSError:
                pass
        self.proc.join(timeout=5)
        if self.proc.is_alive():
            self.proc.kill()
            self.proc.join()
        self.conn.close()


def _pool(pending: list[tuple[int, Job]], rules: Sequence[Rule], jobs: int, timeout: float | None,
          stats: Stats) -> Iterator[tuple[int, Report, bool]]:
    """Yields ``(index, report, transient)``; transient reports (timeout, crash) are not cached."""
    ctx = _context()
    queue = list(reversed(pending))
    workers = [_Worker(ctx, rules) for _ in range(min(jobs, len(pending)))]
    try:
        for w in workers:
            if queue:
                w.send(queue.pop())
        while any(w is not None and w.task is not None for w in workers):
            busy = [w for w in workers if w is not None and w.task is not None]
            wait_for = None
            if timeout:
                now = time.monotonic()
                wait_for = max(0.0, min(w.deadline(timeout) - now for w in busy))
            ready = wait([w.conn for w in busy] + [w.proc.sentinel for w in busy], timeout=wait_for)
            for n, w in enumerate(workers):
                if w is None or w.task is None:
                    continue
                i, job = w.task
                chosen = tuple(r for r in rules if r.code not in job.skip)
                report = None
                replace = False
                if w.conn in ready:
                    try:
                        msg = w.conn.recv()
                    except (EOFError, OSError):
                        msg = None
                    if msg == _READY:  # warmed up: the photo's clock starts now
                        w.started = time.monotonic()
                        w.ready = True
                        continue
                    if msg is not None:
                        got_i, report, cpu = msg
                        assert got_i == i
                        stats.worker_cpu_seconds += cpu
                if report is None and (w.proc.sentinel in ready or not w.proc.is_alive()):
                    code = w.proc.exitcode
                    if not w.ready:
                        raise HeadshotLintError(f"a worker process died while starting (exit status {code}); "
                                                "try --jobs 1 --timeout 0 (audits in this process)")
                    stats.crashes += 1
                    report = unreadable_report(job.path, chosen, f"the worker analysing it died (exit status {code})",
                                         "worker-crashed")
                    replace = True
                elif report is None and timeout and time.monotonic() >= w.deadline(timeout):
                    stats.timeouts += 1
                    report = unreadable_report(job.path, chosen, f"analysis timed out after {timeout:g} s", "timeout")
                    replace = True
                if report is None:
                    continue
                w.task = None
                stats.peak_rss_mb = max(stats.peak_rss_mb, w.peak_rss_mb())
                if replace or (w.count >= MAX_TASKS_PER_WORKER and queue):
                    w.stop(kill=replace)
                    workers[n] = _Worker(ctx, rules) if queue else None
                if queue:
                    workers[n].send(queue.pop())
                yield i, report, replace
    finally:
        for w in filter(None, workers):
            stats.peak_rss_mb = max(stats.peak_rss_mb, w.peak_rss_mb())
            w.stop(kill=w.task is not None)
