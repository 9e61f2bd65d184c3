"""Imported once by the batch pool's fork server, so every worker forks with the heavy
modules already in memory: MediaPipe (~0.6 s to import), onnxruntime and the measures.

Only imports: no MediaPipe graph or onnxruntime session is built here, as those start
threads that a fork would not carry over; each worker builds its own after the fork.
A worker is ready ~0.3 s after its fork instead of ~1.6 s; ``benchmarks/throughput.py``
prints the fork server's own start-up.
"""

from __future__ import annotations

from .measures import registry
from .perception._mediapipe import _solutions

registry()  # the measure modules (OpenCV, SciPy, scikit-image)
try:
    _solutions()
except Exception:  # pragma: no cover - a broken install: the worker reports it itself
    pass
try:
    import onnxruntime  # noqa: F401  (the text detector's runtime, optional)
except ImportError:  # pragma: no cover
    pass
