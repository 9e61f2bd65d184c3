"""Imported once by the batch pool's fork server, so every worker forks with the heavy
modules already in memory: MediaPipe (~0.1 s of CPU to import without matplotlib and its Tasks API), onnxruntime and the measures.

Only imports: no MediaPipe graph or onnxruntime session is built here, as those start
threads that a fork would not carry over; each worker builds its own after the fork.
A worker is ready ~0.3 s after its fork instead of ~1.6 s; ``benchmarks/throughput.py``
prints the fork server's own start-up.
"""

from __future__ import annotations


def _in_fork_server() -> None:
    """In the fork server: ignore Ctrl-C from the start (the batch process handles it; the
    fork server would otherwise print a KeyboardInterrupt traceback while importing), and
    remove the ``pymp-*`` folder holding its socket when it exits. The fork server outlives
    a batch process killed with SIGKILL (it exits once the last worker is gone), which
    could not remove it itself (issue 24: one left in /tmp per kill)."""
    import atexit
    import os
    import shutil
    import socket
    import sys

    frame = sys._getframe()
    while frame is not None and not (frame.f_code.co_name == "main" and "listener_fd" in frame.f_locals):
        frame = frame.f_back
    if frame is None:  # imported elsewhere than in a fork server
        return
    import signal

    signal.signal(signal.SIGINT, signal.SIG_IGN)
    try:
        with socket.socket(fileno=os.dup(frame.f_locals["listener_fd"])) as listener:
            address = listener.getsockname()
    except (OSError, KeyError, TypeError):
        return
    folder = os.path.dirname(address) if isinstance(address, str) and address else ""
    if os.path.basename(folder).startswith("pymp-"):
        atexit.register(shutil.rmtree, folder, True)


_in_fork_server()

from .measures import registry  # noqa: E402 - after the signal is ignored
from .perception._mediapipe import _solutions  # noqa: E402

registry()  # the measure modules (OpenCV, SciPy, scikit-image)
try:
    _solutions()
except Exception:  # pragma: no cover - a broken install: the worker reports it itself
    pass
try:
    import onnxruntime  # noqa: F401  (the text detector's runtime, optional)
except ImportError:  # pragma: no cover
    pass
