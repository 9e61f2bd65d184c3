"""Auditing many photos: a worker pool with per-photo timeouts, the cache, in input order.

:func:`run` yields one :class:`~headshot_lint.model.Report` per path, in the order
given, as soon as it and every earlier one are done. Photos are audited by ``jobs``
worker processes (``spawn`` or ``forkserver`` context: MediaPipe graphs are built
inside each worker, once, before its first photo; one OpenCV thread per worker). The
pool is managed here rather than by ``concurrent.futures`` because a hung photo must
be killable: a worker that passes ``timeout`` seconds on one photo is killed and
replaced, and the photo gets an ``unreadable-image`` finding saying it timed out; a
worker that dies (a crash in native code) does the same with the exit status. The
batch goes on either way: the next photo, already sent ahead to that worker
(:data:`IN_FLIGHT`), goes to another.

``jobs=1`` is the same pool with ONE worker process, so timeouts and crashes are
handled as with ``jobs=N``. Photos are audited in this process instead (no worker to
start, models loaded here) only when that cannot lose a timeout worth having: when a
single photo is left to audit after the cache (a one-photo check stays fast: the
worker's start-up would cost more than the photo), or when ``jobs=1`` and
``timeout`` is None or 0 (no limit asked for).

A run is three parts, each testable alone: a :class:`CacheLookup` (hash each photo's
bytes, find or store its Report), a :class:`ReorderBuffer` (results back in input
order) and an executor chosen once by :func:`_executor` (this process, or the pool).

Memory is flat in the number of photos: the jobs are read lazily, each photo hashed
and looked up as it is read, misses handed to the workers as they are
found (hashing goes on while the workers audit), and a cache hit that cannot be
yielded yet waits as its cache key once :data:`HELD_REPORTS` Reports are waiting.
"""

from __future__ import annotations

import contextlib
import dataclasses
import multiprocessing as mp
import os
import stat
import sys
import time
from collections import deque
from dataclasses import dataclass, field
from multiprocessing.connection import wait
from typing import Any, Callable, Generic, Iterable, Iterator, Protocol, Sequence, Tuple, TypeVar

from . import _worker_setup
from .cache import Cache, file_digest, read_photo, rules_fingerprint
from .engine import audit, crash_report, unreadable_report
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
    """forkserver where it exists, else spawn.

    The fork server imports numpy, OpenCV, the measures, MediaPipe and onnxruntime once
    (:mod:`headshot_lint._preload`), so a worker is ready ~0.3 s after its fork instead of
    ~1.6 s (each used to import MediaPipe itself); graphs and sessions, which start
    threads, are still built after the fork, in the worker."""
    methods = mp.get_all_start_methods()
    if "forkserver" in methods and sys.platform != "darwin":
        ctx = mp.get_context("forkserver")
        ctx.set_forkserver_preload(["headshot_lint._preload", "headshot_lint.batch"])
        return ctx
    return mp.get_context("spawn")


#: At most this many finished Reports wait for their turn; further cache hits behind an
#: unfinished photo keep only their cache key and are read again when their turn comes.
HELD_REPORTS = 32

_T = TypeVar("_T")
#: A photo handed to an executor: its input index and job.
_Item = Tuple[int, Job]
#: What an executor gives back for a photo: (index, job, report, transient); a transient
#: report (timeout, crash) is not cached.
_Result = Tuple[int, Job, Report, bool]


def rules_for(rules: Sequence[Rule], skip: frozenset) -> tuple[Rule, ...]:
    """The rules that apply to one photo: all but the codes switched off for it."""
    return tuple(r for r in rules if r.code not in skip)


class ReorderBuffer(Generic[_T]):
    """Results that finish in any order, given back in input order (index 0, 1, 2, ...).

    ``counts(item)`` says which items count as :attr:`held` (the Reports, not the cache
    keys parked in their place), so the run can bound what waits in memory."""

    def __init__(self, counts: Callable[[_T], bool] = lambda item: True) -> None:
        self._waiting: dict[int, _T] = {}
        self._counts = counts
        self.next = 0  #: the index given back next
        self.held = 0  #: waiting items that ``counts``

    def put(self, i: int, item: _T) -> None:
        """Keep the result of photo ``i`` until every earlier one has been given back."""
        self._waiting[i] = item
        self.held += bool(self._counts(item))

    def head(self) -> _T | None:
        """The result of photo :attr:`next` if it has come, else None (it stays until taken)."""
        return self._waiting.get(self.next)

    def take(self) -> _T:
        """Remove the head (see :meth:`head`) and move on to the next index."""
        item = self._drop()
        self.next += 1
        return item

    def reopen(self) -> None:
        """Remove the head without moving on: its photo will be put again (audited after all)."""
        self._drop()

    def _drop(self) -> _T:
        item = self._waiting.pop(self.next)
        self.held -= bool(self._counts(item))
        return item

    def __len__(self) -> int:
        return len(self._waiting)


@dataclass
class _Hit:
    """A cache hit waiting for its turn: its key and the path to label it with (not the Report)."""

    key: str
    job: Job


class CacheLookup:
    """Hashes each photo's bytes and finds its Report in the cache, and stores the audited
    ones: the cache key is the photo's sha256 with the fingerprint of the rules that apply
    to it (``fingerprint``, the configuration's, mixed in). Timing and digests go to ``stats``."""

    def __init__(self, rules: Sequence[Rule], cache: Cache | None, fingerprint: str, stats: Stats,
                 hash_files: bool = False) -> None:
        self.rules = rules
        self.cache = cache
        self.fingerprint = fingerprint
        self.stats = stats
        self.hashing = cache is not None or hash_files  #: whether photos are hashed at all
        self._fingerprints: dict[frozenset, str] = {}

    def key(self, job: Job) -> str | None:
        """The job's cache key, or None without a cache or a digest."""
        if self.cache is None or job.digest is None:
            return None
        if job.skip not in self._fingerprints:
            self._fingerprints[job.skip] = rules_fingerprint(rules_for(self.rules, job.skip), self.fingerprint)
        return self.cache.key(job.digest, self._fingerprints[job.skip])

    def find(self, job: Job) -> tuple[str, Report] | None:
        """Hash the job's file (filling ``job.digest``) and look it up: (key, Report) on a hit."""
        if not self.hashing:
            return None
        t0 = time.perf_counter()
        job.digest = file_digest(job.path)
        t1 = time.perf_counter()
        self.stats.hash_seconds += t1 - t0
        if job.digest is not None:
            self.stats.digests[job.path] = job.digest
        key = self.key(job)
        hit = self.cache.get(key, job.path) if key and self.cache is not None else None
        self.stats.cache_seconds += time.perf_counter() - t1
        return (key, hit) if key and hit is not None else None

    def read(self, hit: _Hit) -> Report | None:
        """A parked hit's Report, read again at its turn; None if the entry has gone since."""
        if self.cache is None:
            return None
        t0 = time.perf_counter()
        report = self.cache.get(hit.key, hit.job.path)
        self.stats.cache_seconds += time.perf_counter() - t0
        return report

    def store(self, job: Job, report: Report, transient: bool) -> None:
        """Record an audited photo's digest (of the bytes audited) and cache its Report,
        unless ``transient`` (timeouts and crashes: try again next run)."""
        if job.digest is not None and self.hashing:
            self.stats.digests[job.path] = job.digest
        key = self.key(job)
        if key and self.cache is not None and not transient:
            self.cache.put(key, report)


def run(jobs_in: Iterable[Job], rules: Sequence[Rule], *, jobs: int = 1, timeout: float | None = DEFAULT_TIMEOUT,
        cache: Cache | None = None, fingerprint: str = "", stats: Stats | None = None,
        hash_files: bool = False, on_done: Callable[[Report], None] | None = None) -> Iterator[Report]:
    """Audit every job, yielding Reports in input order (see the module docstring).

    ``fingerprint`` is mixed into the cache key (the configuration's); ``stats``,
    when given, is filled in as the run goes (``stats.digests`` holds the files'
    sha256 when caching or ``hash_files``); ``on_done`` is called once per photo as it
    finishes, in completion order (for a progress bar).

    Memory is flat in the number of photos (bar ``stats.digests``): ``jobs_in`` is read
    lazily, in order, each photo hashed and looked up as it comes; a hit is yielded at
    once when every earlier photo has been; otherwise it waits as a Report while fewer
    than :data:`HELD_REPORTS` do, else as its cache key alone. Misses go to the workers
    as they are found, so hashing goes on while the workers audit.
    """
    stats = stats if stats is not None else Stats()
    lookup = CacheLookup(rules, cache, fingerprint, stats, hash_files)
    results: ReorderBuffer[Report | _Hit] = ReorderBuffer(lambda item: not isinstance(item, _Hit))
    executor = _executor(rules, jobs, timeout, stats)
    again: set[int] = set()  #: hits whose entry vanished before their turn: audited, on_done already called
    source = enumerate(jobs_in)
    more = True
    try:
        while True:
            while (got := results.head()) is not None:  # everything ready at the head, in order
                report = lookup.read(got) if isinstance(got, _Hit) else got
                if isinstance(got, _Hit) and report is None:  # the entry went (a concurrent clean): audit it
                    stats.cached -= 1
                    again.add(results.next)
                    results.reopen()
                    executor.submit((results.next, got.job))
                    break
                results.take()
                yield report
            if executor.in_process and executor.busy:
                done = executor.poll(block=True)  # audit the photo at the head before reading further
            elif more:
                item = next(source, None)
                if item is None:
                    more = False
                else:
                    _look_up(item, lookup, results, executor, on_done)
                done = executor.poll(block=False)
            elif executor.busy:
                done = executor.poll(block=True)
            else:
                break
            for i, job, report, transient in done:
                stats.audited += 1
                lookup.store(job, report, transient)
                results.put(i, report)
                if on_done and i not in again:
                    on_done(report)
                again.discard(i)
    finally:
        executor.close()


def _look_up(item: _Item, lookup: CacheLookup, results: ReorderBuffer, executor: _Executor,
             on_done: Callable[[Report], None] | None) -> None:
    """One photo read from the input: a cache hit waits in ``results`` (as its key alone when
    :data:`HELD_REPORTS` Reports already wait), a miss goes to the executor."""
    i, job = item
    found = lookup.find(job)
    if found is None and _not_a_file(job.path):  # nothing to audit: said here, as one photo alone is
        report = audit(job.path, rules=rules_for(lookup.rules, job.skip))
        lookup.stats.audited += 1
        if on_done:
            on_done(report)
        results.put(i, report)
        return
    if found is None:
        executor.submit(item)
        return
    key, report = found
    lookup.stats.cached += 1
    if on_done:
        on_done(report)
    results.put(i, report if i == results.next or results.held < HELD_REPORTS else _Hit(key, job))


def _not_a_file(path: str) -> bool:
    """Whether ``path`` exists but is a pipe, device or socket (``/dev/fd/63`` from a shell's
    ``<(...)``, ``/dev/zero``). Such a photo is judged in this process, at once: a worker
    would not even see the parent's ``/dev/fd/63`` ("No such file or directory" where a
    single photo, checked here, said "a pipe"), and there is nothing to decode."""
    try:
        mode = os.stat(path).st_mode
    except (OSError, ValueError):
        return False
    return not (stat.S_ISREG(mode) or stat.S_ISDIR(mode))


class _Executor(Protocol):
    """Where photos are audited: :meth:`submit` them, :meth:`poll` for :data:`_Result` s."""

    @property
    def in_process(self) -> bool:
        """Audits in this process, one photo per blocking poll (so poll before reading on)."""

    @property
    def busy(self) -> bool:
        """Photos submitted and not yet given back."""

    def submit(self, item: _Item) -> None: ...

    def poll(self, block: bool = True) -> list[_Result]: ...

    def close(self) -> None: ...


def _executor(rules: Sequence[Rule], jobs: int, timeout: float | None, stats: Stats) -> _Executor:
    """The one choice of where to audit (module docstring): in this process when ``jobs=1``
    with no timeout; else a pool, unless a single photo is left to audit after the cache."""
    if jobs <= 1 and not timeout:
        return _Serial(rules)
    return _Deferred(lambda: _Pool(rules, max(1, jobs), timeout, stats), lambda: _Serial(rules, timeout, stats))


class _Deferred:
    """Waits for a second photo to audit before starting the pool; when the input ends with
    one photo to audit, that one is audited in this process (a worker's start-up would
    cost more than the photo)."""

    def __init__(self, pool: Callable[[], _Executor], serial: Callable[[], _Executor]) -> None:
        self._pool, self._serial = pool, serial
        self._chosen: _Executor | None = None
        self._first: _Item | None = None

    @property
    def in_process(self) -> bool:
        return self._chosen is not None and self._chosen.in_process

    @property
    def busy(self) -> bool:
        return self._chosen.busy if self._chosen is not None else self._first is not None

    def submit(self, item: _Item) -> None:
        if self._chosen is not None:
            self._chosen.submit(item)
        elif self._first is None:
            self._first = item
        else:
            self._choose(self._pool).submit(item)

    def poll(self, block: bool = True) -> list[_Result]:
        if self._chosen is None:
            if not block or self._first is None:
                return []
            self._choose(self._serial)  # a blocking poll: the input has ended with one photo to audit
        assert self._chosen is not None
        return self._chosen.poll(block)

    def _choose(self, make: Callable[[], _Executor]) -> _Executor:
        self._chosen = make()
        if self._first is not None:
            self._chosen.submit(self._first)
            self._first = None
        return self._chosen

    def close(self) -> None:
        if self._chosen is not None:
            self._chosen.close()


class _Serial:
    """Audits in this process, one photo per blocking :meth:`poll`; with a ``timeout`` (the
    one photo left to audit, see the module docstring) a timer interrupts the audit.

    The timer is SIGALRM, so it lands between Python steps: a single native call runs to
    its end first (each is bounded: the decode by the load limit). Should the audit still
    not stop :data:`HARD_GRACE` s after the timeout, a watchdog ends the process (exit 2)
    with a message rather than let a single-photo check run forever."""

    in_process = True

    def __init__(self, rules: Sequence[Rule], timeout: float | None = None, stats: Stats | None = None) -> None:
        self.rules = rules
        self.queue: deque = deque()
        self.timeout = timeout
        self.stats = stats

    def submit(self, item: _Item) -> None:
        self.queue.append(item)

    @property
    def busy(self) -> bool:
        return bool(self.queue)

    def poll(self, block: bool = True) -> list[_Result]:
        if not self.queue or not block:
            return []
        i, job = self.queue.popleft()
        rules = rules_for(self.rules, job.skip)
        try:
            with _time_limit(self.timeout, job.path):
                report, job.digest = audit_path(job.path, rules)
        except _TimedOut:
            if self.stats is not None:
                self.stats.timeouts += 1
            report = unreadable_report(job.path, rules, f"analysis timed out after {self.timeout:g} s", "timeout")
            return [(i, job, report, True)]
        return [(i, job, report, False)]

    def close(self) -> None:
        self.queue.clear()


#: Seconds past the timeout before the watchdog ends a single-photo audit the timer could not stop.
HARD_GRACE = 10.0


class _TimedOut(BaseException):
    """Raised by the SIGALRM handler (BaseException: no ``except Exception`` swallows it)."""


@contextlib.contextmanager
def _time_limit(timeout: float | None, path: str) -> Iterator[None]:
    import signal
    import threading

    if not timeout or not hasattr(signal, "setitimer") or threading.current_thread() is not threading.main_thread():
        yield
        return

    def expire(signum: int, frame: Any) -> None:
        raise _TimedOut()

    done = threading.Event()

    def watchdog() -> None:
        if not done.wait(timeout + HARD_GRACE):
            sys.stderr.write(f"headshot-lint: error: the analysis of {path} did not stop {timeout:g} s after "
                             "its timeout; exiting\n")
            sys.stderr.flush()
            os._exit(2)

    previous = signal.signal(signal.SIGALRM, expire)
    threading.Thread(target=watchdog, name="timeout-watchdog", daemon=True).start()
    signal.setitimer(signal.ITIMER_REAL, timeout)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)
        done.set()


def audit_path(path: str, rules: Sequence[Rule]) -> tuple[Report, str | None]:
    """Audit the file at ``path`` from one read of its bytes: (report, sha256 of exactly
    the bytes audited, or None when it was audited by path: unreadable, empty or huge).

    Hashing the bytes that are decoded, rather than the file a moment earlier, is what
    keeps a photo that changes mid-run from poisoning the cache (issue 24)."""
    got = read_photo(path)
    if got is None:  # the path gives the specific error (missing, a FIFO, ...) or a big file
        return audit(path, rules=rules), None
    data, digest = got
    return dataclasses.replace(audit(data, rules=rules), path=os.fsdecode(path)), digest


# ---- worker side -------------------------------------------------------------------------------

#: For the tests of timeouts and crashes: a file name a worker stalls on (sleeps there until it
#: is stopped), as on a hung decoder. Read in the parent when a worker starts and handed to it,
#: since the fork server keeps the environment it started with; unset, nothing changes. (A
#: FIFO served until the loader learnt to refuse one without blocking.)
STALL_ENV = "HEADSHOT_LINT_TEST_STALL_ON"


def _worker_main(conn: Any, rules: Sequence[Rule],
                 stall_on: str | None = None) -> None:  # pragma: no cover - runs in a child
    _worker_setup.quiet_signals()
    _worker_setup.die_with_parent(conn.fileno())
    ceiling = _worker_setup.memory_ceiling_mb()
    if ceiling:
        _worker_setup.limit_memory(ceiling)
    out_of_memory = (f"analysis needed more memory than a worker may use ({ceiling} MB; "
                     f"{_worker_setup.MEMORY_ENV} sets it)")
    _worker_setup.prepare()  # one OpenCV thread (the pool is the parallelism), freed buffers kept
    try:  # import MediaPipe and build the graphs before the first photo's clock starts
        import numpy as np

        audit(np.full((64, 64, 3), 128, np.uint8), rules=rules)
    except Exception:
        pass
    try:
        conn.send(_READY)
    except OSError:  # the batch is gone
        return
    while True:
        try:
            msg = conn.recv()
        except (EOFError, OSError):
            return
        if msg is None:
            return
        i, path, skip = msg
        if stall_on and os.path.basename(path) == stall_on:
            time.sleep(1e6)  # until the batch stops this worker (timeout) or the test kills it
        chosen = rules_for(rules, skip)
        cpu = time.process_time()
        try:
            report, digest = audit_path(path, chosen)
        except Exception as exc:  # a bug in a measure must not end the batch
            report, digest = crash_report(path, chosen, exc, out_of_memory), None
        try:
            conn.send((i, report, time.process_time() - cpu, digest))
        except OSError:  # BrokenPipeError: the batch is gone; nothing to report to
            return


_READY = "ready"


class _Worker:
    """One worker process and the photos sent to it (at most :data:`IN_FLIGHT`, oldest first)."""

    def __init__(self, ctx: Any, rules: Sequence[Rule]) -> None:
        parent, child = ctx.Pipe()
        self.conn = parent
        self.proc = ctx.Process(target=_worker_main, args=(child, tuple(rules), os.environ.get(STALL_ENV) or None),
                                daemon=True)
        with _sigint_ignored():  # the fork server, started by the first worker, inherits it
            self.proc.start()
        child.close()
        self.tasks: deque = deque()  #: (index, Job) sent and not answered, the one being audited first
        self.started = 0.0  #: when the first of ``tasks`` started (its clock for the timeout)
        self.count = 0
        self.ready = False  #: warmed up (MediaPipe imported, graphs built)

    def deadline(self, timeout: float) -> float:
        """When the current photo times out: its clock starts once the worker is warm."""
        return self.started + timeout + (0.0 if self.ready else STARTUP_SECONDS)

    def send(self, item: tuple[int, Job]) -> None:
        if not self.tasks:
            self.started = time.monotonic()
        self.tasks.append(item)
        self.count += 1
        self.conn.send((item[0], item[1].path, item[1].skip))

    def done(self) -> tuple[int, Job]:
        """The current photo answered: the next one sent, if any, starts its clock now."""
        self.started = time.monotonic()
        return self.tasks.popleft()

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


#: Photos sent ahead to a worker: the next path waits in its pipe while it audits the
#: current one, so it never idles waiting for the parent to wake up, read the report
#: and send more (measured: ~7 ms a photo lost with one in flight, --jobs 2 on 2 cores).
IN_FLIGHT = 2


class _Pool:
    """The worker processes: :meth:`submit` photos as they are found, :meth:`poll` for
    ``(index, job, report, transient)``; transient reports (timeout, crash) are not cached.

    A photo that times out or kills its worker gets the finding; the photos sent
    ahead to that worker go back to the front of the queue for another."""

    in_process = False

    def __init__(self, rules: Sequence[Rule], jobs: int, timeout: float | None, stats: Stats) -> None:
        self.ctx = _context()
        self.rules = rules
        self.jobs = jobs
        self.timeout = timeout
        self.stats = stats
        self.queue: deque = deque()
        self.workers: list[_Worker | None] = []
        self.saved_sigterm = _exit_on_sigterm()

    def submit(self, item: tuple[int, Job]) -> None:
        self.queue.append(item)
        self._feed()

    @property
    def busy(self) -> bool:
        return bool(self.queue) or any(w is not None and w.tasks for w in self.workers)

    def _feed(self) -> None:
        """Give queued photos to workers: idle ones first, then new ones (up to ``jobs``),
        then ahead to busy ones (up to :data:`IN_FLIGHT` each)."""
        for n, w in enumerate(self.workers):
            if not self.queue:
                return
            if w is not None and w.tasks:
                continue
            if w is not None and w.count >= MAX_TASKS_PER_WORKER:
                w.stop()
                w = None
            if w is None:
                w = self.workers[n] = _Worker(self.ctx, self.rules)
            w.send(self.queue.popleft())
        while self.queue and len(self.workers) < self.jobs:
            w = _Worker(self.ctx, self.rules)
            self.workers.append(w)
            w.send(self.queue.popleft())
        for w in self.workers:
            while (self.queue and w is not None and 0 < len(w.tasks) < IN_FLIGHT
                   and w.count < MAX_TASKS_PER_WORKER):
                w.send(self.queue.popleft())

    def poll(self, block: bool = True) -> list[tuple[int, Job, Report, bool]]:
        """The photos finished now (waiting for one when ``block``, at most until the next deadline)."""
        busy = [w for w in self.workers if w is not None and w.tasks]
        if not busy:
            return []
        timeout, stats = self.timeout, self.stats
        wait_for = None if block else 0.0
        if timeout and block:
            now = time.monotonic()
            wait_for = max(0.0, min(w.deadline(timeout) - now for w in busy))
        ready = wait([w.conn for w in busy] + [w.proc.sentinel for w in busy], timeout=wait_for)
        out = []
        for n, w in enumerate(self.workers):
            if w is None or not w.tasks:
                continue
            i, job = w.tasks[0]
            chosen = rules_for(self.rules, job.skip)
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
                    got_i, report, cpu, job.digest = msg
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
            w.done()
            stats.peak_rss_mb = max(stats.peak_rss_mb, w.peak_rss_mb())
            if replace:
                self.queue.extendleft(reversed(w.tasks))  # sent ahead, not started: to another worker
                w.tasks.clear()
            if replace or (w.count >= MAX_TASKS_PER_WORKER and not w.tasks and self.queue):
                w.stop(kill=replace)
                self.workers[n] = None
            out.append((i, job, report, replace))
        self._feed()
        return out

    def close(self) -> None:
        for w in filter(None, self.workers):
            self.stats.peak_rss_mb = max(self.stats.peak_rss_mb, w.peak_rss_mb())
            w.stop(kill=bool(w.tasks))
        self.workers = []
        if self.saved_sigterm is not None:
            import signal

            signal.signal(signal.SIGTERM, self.saved_sigterm)
            self.saved_sigterm = None


@contextlib.contextmanager
def _sigint_ignored() -> Iterator[None]:
    """Ignore Ctrl-C while a worker (and with the first, the fork server) starts: a process
    started with SIGINT ignored keeps it so from its first instruction, so an early Ctrl-C
    prints no KeyboardInterrupt traceback from a half-started child; the batch process
    handles Ctrl-C itself."""
    import signal
    import threading

    if threading.current_thread() is not threading.main_thread():
        yield
        return
    previous = signal.signal(signal.SIGINT, signal.SIG_IGN)
    try:
        yield
    finally:
        signal.signal(signal.SIGINT, previous)


def _exit_on_sigterm() -> Any:
    """While the pool runs, SIGTERM exits this process through its ``finally`` blocks (the
    workers are stopped, multiprocessing removes its ``/tmp/pymp-*`` folder) instead of
    dying on the spot; the handler it replaced, or None when it left things alone (not
    the main thread, or someone else already handles SIGTERM)."""
    import signal
    import threading

    if threading.current_thread() is not threading.main_thread():
        return None
    previous = signal.getsignal(signal.SIGTERM)
    if previous is not signal.SIG_DFL:
        return None

    def exit_cleanly(signum: int, frame: Any) -> None:
        raise SystemExit(128 + signum)

    signal.signal(signal.SIGTERM, exit_cleanly)
    return previous
