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
import importlib
import importlib.abc
import importlib.machinery
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
    try:  # (absl's Python logging, which this once quietened, is not imported by these parts)
        with _without_unused_parts():
            import mediapipe as mp
    except Exception as exc:  # pragma: no cover - depends on the install
        raise PerceptionError(f"MediaPipe could not be imported: {exc}") from exc
    return mp.solutions


#: The Tasks API (``mediapipe.tasks.python``: audio, text and vision tasks, sounddevice, a
#: few hundred protobuf modules), which MediaPipe's ``__init__`` imports and this project
#: never calls: an empty module stands in for it during the import.
_UNUSED = ("mediapipe.tasks", "mediapipe.tasks.python")
_SOLUTIONS = "mediapipe.python.solutions"
#: The solutions this project runs. ``mp.solutions``' own ``__init__`` imports all eleven:
#: hands, pose (urllib, ssl), holistic, objectron (attrs) and the drawing helpers (matplotlib).
_USED_SOLUTIONS = ("face_detection", "face_mesh", "selfie_segmentation")


@contextlib.contextmanager
def _without_unused_parts() -> Iterator[None]:
    """Import MediaPipe with only the solutions this project runs and without its Tasks API.

    Plain, ``import mediapipe`` costs 230 ms of CPU after numpy and OpenCV (440 ms wall on
    a loaded 2-core machine); with the Tasks API stood in for and ``mp.solutions`` holding
    only :data:`_USED_SOLUTIONS`, 40 ms; paid by every ``check`` of one photo and every
    worker. Only for a program that has not imported MediaPipe already (one that did keeps
    its modules). Afterwards a later ``import mediapipe.tasks.python`` gets the real module,
    ``mediapipe.tasks`` is imported for real on first access, and so is any other solution
    (``mp.solutions.hands``, ``from mediapipe.python.solutions import drawing_utils``).
    """
    if "mediapipe" in sys.modules:
        yield
        return
    stubs = {name: types.ModuleType(name) for name in _UNUSED}
    sys.modules.update(stubs)
    finder = _OnlyUsedSolutions()
    sys.meta_path.insert(0, finder)
    try:
        yield
    finally:
        sys.meta_path.remove(finder)
        for name, stub in stubs.items():
            if sys.modules.get(name) is stub:
                del sys.modules[name]
        mp = sys.modules.get("mediapipe")
        if mp is not None and getattr(mp, "tasks", None) is stubs["mediapipe.tasks.python"]:
            delattr(mp, "tasks")
            mp.__getattr__ = _real_tasks  # type: ignore[attr-defined]  # PEP 562: on first access


class _OnlyUsedSolutions(importlib.abc.MetaPathFinder, importlib.abc.Loader):
    """Installed during MediaPipe's import: finds ``mediapipe.python.solutions`` (the real
    package folder) and executes it as importing :data:`_USED_SOLUTIONS` alone; any other
    solution is imported when first asked for (:func:`_solution_on_access`)."""

    def find_spec(self, fullname: str, path: Any, target: Any = None) -> Any:
        if fullname != _SOLUTIONS:
            return None
        real = importlib.machinery.PathFinder.find_spec(fullname, path)
        if real is None or not real.submodule_search_locations:
            return None
        spec = importlib.machinery.ModuleSpec(fullname, self, origin=real.origin, is_package=True)
        spec.submodule_search_locations = list(real.submodule_search_locations)
        spec.has_location = real.has_location
        return spec

    def create_module(self, spec: Any) -> None:
        return None  # the default module

    def exec_module(self, module: types.ModuleType) -> None:
        module.__getattr__ = _solution_on_access  # type: ignore[attr-defined]  # PEP 562
        for name in _USED_SOLUTIONS:
            importlib.import_module(f"{_SOLUTIONS}.{name}")


def _solution_on_access(name: str) -> Any:
    """A solution of ``mp.solutions`` this module left out of the import, imported on first access."""
    if not name.startswith("_"):
        try:
            return importlib.import_module(f"{_SOLUTIONS}.{name}")
        except ModuleNotFoundError as exc:
            if exc.name != f"{_SOLUTIONS}.{name}":
                raise
    raise AttributeError(f"module {_SOLUTIONS!r} has no attribute {name!r}")


def _real_tasks(name: str) -> Any:
    """``mediapipe.tasks`` (which MediaPipe binds to ``mediapipe.tasks.python``) imported
    on first access, for a program that uses the Tasks API after this module imported
    MediaPipe without it."""
    if name != "tasks":
        raise AttributeError(f"module 'mediapipe' has no attribute {name!r}")
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
