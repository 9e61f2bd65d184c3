"""The only module that imports MediaPipe.

MediaPipe 0.10.21 is the last release whose wheel carries the face detection,
face mesh and selfie segmentation models (``mp.solutions``); nothing is fetched
at run time. Graphs are built once per process and reused: building one costs
~100 ms, running one 2-5 ms. MediaPipe graphs are not thread-safe, so every call
goes through one process-wide lock.
"""

from __future__ import annotations

import contextlib
import functools
import os
import sys
import threading
import types
from typing import Any, Iterator

import numpy as np

from ..errors import PerceptionError

# MediaPipe and TFLite log to stderr at import and at graph creation; a linter's
# stderr is for the user, so silence them before the import.
os.environ.setdefault("GLOG_minloglevel", "2")
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")

_LOCK = threading.Lock()


@contextlib.contextmanager
def _quiet_stderr() -> Iterator[None]:
    """Silence C++ log lines (TFLite, absl) written straight to fd 2 before absl init."""
    try:
        fd = sys.stderr.fileno()
    except (AttributeError, OSError, ValueError):  # pytest capture, no real fd
        fd = 2
    sys.stderr.flush()
    saved = os.dup(fd)
    devnull = os.open(os.devnull, os.O_WRONLY)
    try:
        os.dup2(devnull, fd)
        yield
    finally:
        os.dup2(saved, fd)
        os.close(saved)
        os.close(devnull)


@functools.lru_cache(maxsize=None)
def _solutions() -> Any:
    try:
        from absl import logging as absl_logging

        absl_logging.set_verbosity(absl_logging.ERROR)
        with _without_unused_parts():
            import mediapipe as mp
    except Exception as exc:  # pragma: no cover - depends on the install
        raise PerceptionError(f"MediaPipe could not be imported: {exc}") from exc
    return mp.solutions


#: Modules MediaPipe's ``__init__`` imports that this project never calls, stood in for by
#: empty modules during the import: matplotlib (``drawing_utils`` imports pyplot for
#: drawing helpers) and the Tasks API (``mediapipe.tasks.python``: audio, text and vision
#: tasks, sounddevice, a few hundred protobuf modules). Only ``mp.solutions`` is used.
_UNUSED = (("matplotlib", "matplotlib.pyplot"), ("mediapipe.tasks", "mediapipe.tasks.python"))


@contextlib.contextmanager
def _without_unused_parts() -> Iterator[None]:
    """Import MediaPipe without importing matplotlib or MediaPipe's Tasks API.

    Plain, ``import mediapipe`` costs 230 ms of CPU after numpy and OpenCV (440 ms wall on
    a loaded 2-core machine); with pyplot stood in for, 120 ms; with matplotlib and the
    Tasks API too, 65 ms (110 ms wall); paid by every ``check`` of one photo and every
    worker. Empty modules stand in for :data:`_UNUSED` during the import only, and only
    for what is not imported already (a program that imported matplotlib or MediaPipe
    first keeps its modules). Afterwards the stand-ins are removed, so a later
    ``import matplotlib.pyplot`` or ``import mediapipe.tasks.python`` gets the real module,
    and ``mediapipe.tasks`` is imported for real on first access.
    """
    stubs: dict[str, types.ModuleType] = {}
    for parent, child in _UNUSED:
        root = parent.split(".")[0]
        if parent == "matplotlib" and child not in sys.modules:
            names = (child,) if parent in sys.modules else (parent, child)
        elif parent.startswith("mediapipe.") and root not in sys.modules:
            names = (parent, child)
        else:
            continue
        for name in names:
            stubs[name] = sys.modules[name] = types.ModuleType(name)
    try:
        yield
    finally:
        for name, stub in stubs.items():
            if sys.modules.get(name) is stub:
                del sys.modules[name]
        mp = sys.modules.get("mediapipe")
        if mp is not None and any(getattr(mp, "tasks", None) is stubs.get(n) for n in _UNUSED[1]):
            delattr(mp, "tasks")
            mp.__getattr__ = _real_tasks  # type: ignore[attr-defined]  # PEP 562: on first access


def _real_tasks(name: str) -> Any:
    """``mediapipe.tasks`` (which MediaPipe binds to ``mediapipe.tasks.python``) imported
    on first access, for a program that uses the Tasks API after this module imported
    MediaPipe without it."""
    if name != "tasks":
        raise AttributeError(f"module 'mediapipe' has no attribute {name!r}")
    import importlib

    tasks = importlib.import_module("mediapipe.tasks.python")
    sys.modules["mediapipe"].tasks = tasks
    return tasks


@functools.lru_cache(maxsize=None)
def face_detector(model_selection: int) -> Any:
    """Face detector graph: 0 = short range (faces within ~2 m), 1 = full range."""
    with _quiet_stderr():
        return _warm(_solutions().face_detection.FaceDetection(
            model_selection=model_selection, min_detection_confidence=0.5
        ))


@functools.lru_cache(maxsize=None)
def face_mesh() -> Any:
    """Face mesh graph (468 landmarks) for single still images."""
    with _quiet_stderr():
        return _warm(_solutions().face_mesh.FaceMesh(
            static_image_mode=True, max_num_faces=1, refine_landmarks=False,
            min_detection_confidence=0.3,
        ))


@functools.lru_cache(maxsize=None)
def selfie_segmenter() -> Any:
    """Selfie segmentation graph, general model (256x256 input)."""
    with _quiet_stderr():
        return _warm(_solutions().selfie_segmentation.SelfieSegmentation(model_selection=0))


def _warm(graph: Any) -> Any:
    """Run a graph once on a blank image so its first-call log lines are silenced too."""
    graph.process(np.zeros((64, 64, 3), np.uint8))
    return graph


def run(graph: Any, rgb: np.ndarray) -> Any:
    """Run one graph on a contiguous uint8 RGB image, mapping failures to ours."""
    image = np.ascontiguousarray(rgb, dtype=np.uint8)
    try:
        with _LOCK, _quiet_stderr():
            return graph.process(image)
    except Exception as exc:
        raise PerceptionError(f"MediaPipe failed on a {image.shape} image: {exc}") from exc
