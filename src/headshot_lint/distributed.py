"""Auditing a large collection on a Dask cluster (optional extra ``[dask]``).

:func:`audit_dask` cuts the paths into chunks of ``batch_size``, submits one task per
chunk to a :class:`dask.distributed.Client` and yields one
:class:`~headshot_lint.model.Report` per path, in input order. The rules are resolved
here, once (a bad pack or selection raises before anything is submitted), and sent
to the cluster once (scattered, broadcast). On a worker, each task audits its chunk
with :func:`~headshot_lint.engine.audit`: MediaPipe graphs, the text network and
rule packs are cached per process, so a worker process loads its models on its first
chunk and reuses them after. Reports are frozen dataclasses and pickle as they are.

>>> from dask.distributed import Client, LocalCluster     # doctest: +SKIP
>>> from headshot_lint.distributed import audit_dask
>>> with LocalCluster(n_workers=4, threads_per_worker=1) as cluster, Client(cluster) as client:  # doctest: +SKIP
...     for report in audit_dask(paths, client, select=["HL1", "HL5"]):
...         print(report.path, report.score)

Notes
-----
Workers should have one thread each (``threads_per_worker=1``, ``dask worker
--nthreads 1``): MediaPipe calls are serialised by a process-wide lock, so threads of
one process gain little, and the first task in a worker process (not an in-process
cluster's) sets OpenCV to one thread, as the CLI's pool does: the processes are the
parallelism. The workers need headshot-lint installed (the same version) and must read
the photos under the same paths (a shared file system). At most ``window`` chunks are
in flight at once, so ``paths`` may be a long generator.

Differences from ``headshot-lint check --jobs N``: there is no per-photo timeout (Dask
cannot kill a running task: a photo that hangs holds its worker) and no result
cache. A photo whose chunk kills its worker (a crash in native code) is retried
alone; if it kills a worker again it gets an ``unreadable-image`` finding
(``worker-crashed``) and the run goes on.
"""

from __future__ import annotations

import itertools
import multiprocessing
import os
from collections import deque
from typing import Any, Iterable, Iterator, Sequence

from . import _worker_setup
from .engine import _resolve, audit_guarded, unreadable_report
from .errors import HeadshotLintError
from .model import Report
from .rules import Rule, RulePack

#: Photos per Dask task: large enough that scheduling overhead (~1 ms a task) vanishes
#: beside the audit (~0.1-0.5 s a photo), small enough to balance load across workers.
DEFAULT_BATCH_SIZE = 16

_EXTRA_HINT = "audit_dask needs Dask: pip install 'headshot-lint[dask]'"


def _distributed() -> Any:
    """Import ``dask.distributed`` on first use, naming the extra when it is missing."""
    try:
        import dask.distributed
    except ImportError as exc:
        raise HeadshotLintError(f"{_EXTRA_HINT} ({exc})") from exc
    return dask.distributed


def audit_dask(paths: Iterable[str | os.PathLike[str]], client: Any, *, pack: RulePack | str | None = None,
               select: Sequence[str] | None = None, ignore: Sequence[str] | None = None,
               batch_size: int = DEFAULT_BATCH_SIZE, window: int | None = None) -> Iterator[Report]:
    """Audit photos on a Dask cluster, yielding their Reports in input order.

    Parameters
    ----------
    paths : iterable of str or path-like
        Photo files, readable by the workers.
    client : dask.distributed.Client
        A connected client (a ``LocalCluster``'s or a scheduler's).
    pack, select, ignore
        As for :func:`headshot_lint.audit`.
    batch_size : int
        Photos per task (default 16).
    window : int, optional
        Chunks in flight at once (default: four per worker thread, at least 4).

    Yields
    ------
    Report
        One per path, in the order given, as soon as its chunk and every earlier one
        are done.

    Raises
    ------
    HeadshotLintError
        When Dask is not installed (the message names the ``[dask]`` extra).
    RulePackError
        For a bad pack or selection, before anything is submitted.
    """
    dd = _distributed()
    if batch_size < 1:
        raise ValueError(f"batch_size must be at least 1, not {batch_size}")
    rules = _resolve(pack).select(select, ignore)
    [rules_f] = client.scatter([rules], broadcast=True, hash=False)
    if window is None:
        window = max(4, 4 * sum(client.nthreads().values()))
    chunks = (list(c) for c in _chunked((os.fsdecode(p) for p in paths), batch_size))
    in_flight: deque = deque()
    for chunk in itertools.chain(chunks, [None]):
        if chunk is not None:
            in_flight.append((chunk, client.submit(_audit_chunk, chunk, rules_f, pure=False)))
            if len(in_flight) < window:
                continue
        while in_flight and (chunk is None or len(in_flight) >= window):
            done_chunk, future = in_flight.popleft()
            yield from _collect(dd, client, done_chunk, future, rules_f, rules)


def _collect(dd: Any, client: Any, chunk: list[str], future: Any, rules_f: Any,
             rules: Sequence[Rule]) -> Iterator[Report]:
    """A chunk's Reports; a chunk that killed its worker is retried one photo per task."""
    try:
        reports = future.result()
    except dd.KilledWorker:
        singles = [client.submit(_audit_chunk, [p], rules_f, pure=False) for p in chunk]
        reports = []
        for path, single in zip(chunk, singles):
            try:
                reports.extend(single.result())
            except dd.KilledWorker:
                reports.append(unreadable_report(path, rules, "the Dask worker analysing it died",
                                                 "worker-crashed"))
    finally:
        future.release()
    yield from reports


def _chunked(items: Iterable[str], size: int) -> Iterator[tuple[str, ...]]:
    it = iter(items)
    while True:
        chunk = tuple(itertools.islice(it, size))
        if not chunk:
            return
        yield chunk


_prepared = False


def _audit_chunk(paths: list[str], rules: Sequence[Rule]) -> list[Report]:
    """Runs on a Dask worker: audit each path (models are cached per worker process)."""
    global _prepared
    if not _prepared:
        _prepared = True
        if multiprocessing.parent_process() is not None:  # a worker process, not the caller's own
            _worker_setup.prepare()  # as the CLI's pool: one OpenCV thread, freed buffers kept
    return [audit_guarded(path, rules=rules) for path in paths]  # a bug in a measure must not end the batch
