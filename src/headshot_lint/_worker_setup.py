"""Settings for a process whose only job is auditing photos: a batch or Dask worker.

Never applied to the caller's own process (``audit()`` in someone's program), only to
processes this package starts or owns.
"""

from __future__ import annotations

import ctypes
import ctypes.util

#: glibc ``mallopt`` parameters (malloc.h) and the values set.
_M_TRIM_THRESHOLD, _M_MMAP_THRESHOLD = -1, -3
#: Blocks up to this size come from the heap, not from a fresh ``mmap`` (glibc's maximum).
MMAP_THRESHOLD = 32 << 20
#: Free memory at the top of the heap is given back to the system beyond this.
TRIM_THRESHOLD = 128 << 20


def prepare() -> None:
    """One OpenCV thread and one BLAS thread (the processes are the parallelism), and a heap
    that keeps freed memory."""
    try:
        import cv2

        cv2.setNumThreads(1)
    except Exception:  # pragma: no cover - OpenCV is a dependency
        pass
    one_blas_thread()
    keep_freed_memory()


#: The OpenBLAS builds numpy and SciPy bundle name their thread setter one of these.
_BLAS_SETTERS = ("openblas_set_num_threads64_", "openblas_set_num_threads", "scipy_openblas_set_num_threads64_",
                 "scipy_openblas_set_num_threads")


def one_blas_thread() -> int:
    """Limit every OpenBLAS loaded in this process to one thread; how many were limited.

    OpenBLAS starts a thread per core for a matrix product (the learned heads' projections)
    and lets it spin for a while after: measured on 12 MP real photos in one process, every
    stage after the first product ran at 1.6-2.0 cores of CPU for the same wall time, so in
    a pool of two workers each worker's spinning thread took the other's core. The variable
    ``OPENBLAS_NUM_THREADS`` would need setting before numpy is imported; the libraries'
    own setter works after. No-op (0) where ``/proc/self/maps`` does not exist (not Linux).
    """
    try:
        with open("/proc/self/maps", encoding="utf-8", errors="replace") as f:
            paths = {line.split()[-1] for line in f if "openblas" in line.lower() and "/" in line}
    except OSError:
        return 0
    limited = 0
    for path in sorted(paths):
        try:
            lib = ctypes.CDLL(path)
        except OSError:
            continue
        setter = next((getattr(lib, name) for name in _BLAS_SETTERS if hasattr(lib, name)), None)
        if setter is not None:
            setter(1)
            limited += 1
    return limited


def keep_freed_memory() -> bool:
    """Let glibc reuse freed image buffers instead of returning them to the kernel; True if set.

    An audit allocates and frees a few dozen arrays of 0.3-4 MB. By default glibc trims
    freed memory off the heap and the next photo faults it in again, page by page, each
    page zeroed by the kernel. Measured on 40 studio photos of 12 MP (plain backdrops, 2-core
    machine, one process, three alternating runs): 2,500-3,500 page faults and 7-11 ms of
    system time per photo by default, 63-81 faults and 1.3-1.8 ms with these thresholds;
    median wall time 126 -> 115 ms; peak RSS 5 MB higher. Photos that run the text network
    gain nothing (~200 faults either way): its large blocks already raise glibc's own
    adaptive threshold. No-op (False) where the C library has no ``mallopt`` (macOS, musl,
    Windows).
    """
    try:
        libc = ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6")
        mallopt = libc.mallopt
    except (OSError, AttributeError):
        return False
    return bool(mallopt(_M_MMAP_THRESHOLD, MMAP_THRESHOLD)) and bool(mallopt(_M_TRIM_THRESHOLD, TRIM_THRESHOLD))


#: Environment variable: a worker's memory ceiling in MB (``0``: none). See :func:`limit_memory`.
MEMORY_ENV = "HEADSHOT_LINT_WORKER_MEMORY_MB"
#: Default ceiling, MB. A worker holds ~0.5 GB of data segment after warming up (MediaPipe,
#: OpenCV, onnxruntime); a photo within the decode limit adds at most ~0.3 GB.
DEFAULT_MEMORY_MB = 2048


def memory_ceiling_mb() -> int:
    """The worker memory ceiling from :data:`MEMORY_ENV`, MB (0: none); the default when unset or malformed."""
    import os

    raw = os.environ.get(MEMORY_ENV, "").strip()
    try:
        return max(0, int(raw)) if raw else DEFAULT_MEMORY_MB
    except ValueError:
        return DEFAULT_MEMORY_MB


def limit_memory(mb: int) -> bool:
    """Cap this process's data segment (heap and private mappings: ``RLIMIT_DATA``) at
    ``mb`` MB, so a photo that would need more fails with MemoryError in its own worker
    instead of swapping the machine. True if set; no-op where the limit does not exist."""
    try:
        import resource

        soft, hard = resource.getrlimit(resource.RLIMIT_DATA)
        want = mb << 20
        if hard != resource.RLIM_INFINITY:
            want = min(want, hard)
        resource.setrlimit(resource.RLIMIT_DATA, (want, hard))
        return True
    except (ImportError, AttributeError, ValueError, OSError):
        return False


def die_with_parent(conn_fd: int) -> None:
    """Exit this worker (quietly, at once) when the process that feeds it dies.

    The worker's parent is the fork server, not the batch process, so a parent-death
    signal would not fire; instead a thread waits for the batch's end of the task pipe
    to close (``POLLRDHUP``/``POLLHUP``: the peer is gone; no data is read), and a
    worker half-way through a photo stops instead of auditing on with no time limit.
    """
    import os
    import select
    import threading

    events = getattr(select, "POLLRDHUP", 0) | select.POLLHUP
    if not hasattr(select, "poll"):  # pragma: no cover - Windows
        return

    def watch() -> None:
        poller = select.poll()
        poller.register(conn_fd, events)
        while True:
            try:
                got = poller.poll()
            except InterruptedError:  # pragma: no cover - retried by Python itself
                continue
            if any(ev & (events | select.POLLERR | select.POLLNVAL) for _, ev in got):
                os._exit(0)

    threading.Thread(target=watch, name="die-with-parent", daemon=True).start()


def quiet_signals() -> None:
    """Ctrl-C reaches the whole process group: the batch process handles it (and stops
    the workers); a worker ignores it rather than print a traceback."""
    import signal

    try:
        signal.signal(signal.SIGINT, signal.SIG_IGN)
    except (ValueError, OSError):  # pragma: no cover - not the main thread
        pass
