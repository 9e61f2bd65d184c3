"""Unblurred environment: how much crisp structure the background shows, for the face's focus.

An environmental background (an office, a street) is acceptable in a headshot only
when it is blurred enough that nothing in it is recognisable. Recognisable things
show as many crisp edges; blur removes them. The face is the in-focus reference:
its contrast-normalised edge sharpness says how sharp this photo can be at all
(resolution, JPEG quality, camera shake), so a soft, low-resolution photo is not
judged by the edge count of a crisp one. Recognisable objects (furniture, windows,
buildings, branches) also have strong edges running in many directions, while the
sharp edges of a horizon, sea glitter rows or blurred lettering's remains run one
way or are too weak; the two pieces of evidence are combined into log-odds.
"""

from __future__ import annotations

import cv2
import numpy as np

from ..model import Measurement, Region
from ..scene import Scene
from . import measure
# The evidence cells, and the strong edges (object outlines, not soft texture) whose
# orientations are counted, are the busy-background measure's.
from ._edges import CANNY_HIGH as STRONG_HIGH, CANNY_LOW as STRONG_LOW, CELL, cell_means, strong_edges
from ._learned import judge

#: Canny hysteresis thresholds on the shared Sobel gradient (1 px Gaussian first):
#: crisp edges of moderate contrast; well-blurred bokeh stays below them.
CANNY_LOW, CANNY_HIGH = 50, 100
#: A cell is judged when at least this fraction of it is background.
_CELL_BG = 0.6
#: Contrast-normalised edge sharpness (99th percentile of gradient / (local std + 2),
#: Sobel magnitude / 8; real faces span 0.54-0.89, 5th-95th percentile)
#: of a face in focus at analysis size; faces softer than this lower the bar for
#: the background proportionally, sharper ones do not raise it.
FACE_IN_FOCUS = 0.6
#: The focus factor never goes below this (a badly blurred face does not excuse everything).
_MIN_FOCUS = 0.5
#: Blur (Gaussian sigma) at which background detail stops being recognisable, in face
#: widths: features smaller than about a tenth of a face are averaged away.
UNRECOGNISABLE_SIGMA_FACE = 0.05
#: The least blur worth suggesting, Gaussian sigma as a fraction of the photo's long side:
#: less does not show at viewing size (the blur fix never applies less). It also keeps the
#: advice meaningful where the edge-based estimate calls detail already soft that the rule
#: still judges recognisable (a group's tiny faces set a tiny target).
MIN_BLUR_SIGMA_FRACTION = 0.005
#: Re-blur sigma of the defocus estimate, px at analysis size (Zhuo & Sim 2011).
_REBLUR = 1.0
#: Orientation bins over 180 degrees of the diversity histogram.
_ORIENT_BINS = 8
#: With strong edges on less than this share of the background there is no structure
#: to speak of (a stray strand, a clipped corner): diversity 0.
_MIN_STRONG = 0.001
#: Logistic combination, fitted by ``benchmarks/fit_blur.py`` on the labelled photos:
#: log-odds = B0 + W_DENSITY * sqrt(sharp_edge_density) + W_DIVERSITY * sqrt(orientation_diversity).
#: Now a supporting value: the rule judges the learned head (``rules/heads/sharp_env.json``).
B0 = -3.103
W_DENSITY = 12.420
W_DIVERSITY = 1.533
#: The learned head whose log-odds the rule judges.
HEAD = "sharp_env"


@measure("unblurred_environment",
          units={"environment_log_odds": "log-odds", "environment_evidence": "log-odds",
                 "orientation_diversity": "fraction",
                 "sharp_edge_density": "fraction", "edge_density": "fraction", "face_focus": "ratio",
                 "background_blur_px": "px", "blur_sigma_px": "px"},
          details=("reference",), data=(f"heads/{HEAD}.json",))
def unblurred_environment(scene: Scene) -> Measurement:
    """Evidence that the background is a sharp, recognisable environment, log-odds (real; -3.1 = plain wall).

    Values
    ------
    environment_log_odds : log-odds that people would call the background a sharp,
        recognisable environment, from the learned head ``rules/heads/sharp_env.json``
        on the background-pooled EfficientNet-Lite0 features (``measures/_learned.py``);
        real, typically [-8, 8], 0 = even odds.
    environment_evidence : log-odds that the background is an unblurred
        environment, ``B0 + W_DENSITY * sqrt(sharp_edge_density) + W_DIVERSITY *
        sqrt(orientation_diversity)``; typically [-3.1, 3], B0 = -3.1 for a plain wall.
    orientation_diversity : normalised entropy of the orientations (8 bins over
        180 degrees) of the background's strong edges (Canny 100/200), in [0, 1];
        0 when they cover less than 0.1 % of the background, low for one direction
        (a horizon, blinds), ~1 for edges in every direction (furniture, foliage).
    sharp_edge_density : share of background pixels on a crisp edge, divided by the
        face's focus factor, >= 0, typically [0, 0.15]; ~0 = plain wall or
        well-blurred bokeh.
    edge_density : share of background pixels on a crisp edge, in [0, 1].
    face_focus : the face's contrast-normalised edge sharpness over that of a face
        in focus, clipped to [0.5, 1] (1 when no face is found).
    background_blur_px : estimated defocus blur of the background's edges, Gaussian
        sigma in analysis px (0 when it has no edges).
    blur_sigma_px : extra Gaussian blur that would make the background unrecognisable,
        sigma in px at FULL image size, at least ``MIN_BLUR_SIGMA_FRACTION`` of the long side.

    Notes
    -----
    The weights are fitted by logistic regression (``benchmarks/fit_blur.py``); the
    decision threshold lives in the rule. Edges are Canny 50/100 on the scene's
    shared Sobel gradient; only the background mask counts (person and hair halo
    excluded). The face's sharpness is the 99th
    percentile, inside the face box's inner 80 %, of the gradient magnitude divided
    by the local standard deviation (4 px Gaussian) plus 2 grey levels: edge width,
    not contrast, so a dark or backlit face does not pass for a blurred one. The
    needed blur is ``sqrt(target² - current²)`` with ``target =
    UNRECOGNISABLE_SIGMA_FACE x face width`` and the current blur estimated by
    re-blurring (gradient ratio at edges, Zhuo & Sim 2011).

    References
    ----------
    S. Zhuo, T. Sim, "Defocus map estimation from a single image", Pattern
    Recognition 44 (2011). Guide: environmental backgrounds only when blurred so
    that nothing is recognisable.
    """
    name = "unblurred_environment"
    bg = scene.background_mask
    n_bg = int(np.count_nonzero(bg))
    if n_bg < 4 * CELL * CELL:
        return Measurement.not_assessable(name, "too little background visible to judge")
    dx, dy = scene.gradient
    edges = (cv2.Canny(dx, dy, CANNY_LOW, CANNY_HIGH) > 0) & bg
    density = float(np.count_nonzero(edges)) / n_bg
    mag = cv2.magnitude(dx.astype(np.float32), dy.astype(np.float32)) / 8.0
    focus = face_focus(scene.gray, mag, scene.face.box if scene.face is not None else None)
    current = defocus_sigma(scene.gray, edges, mag)
    width = scene.face.box.width if scene.face is not None else 0.25 * min(scene.width, scene.height)
    target = UNRECOGNISABLE_SIGMA_FACE * width
    needed = max(float(np.sqrt(max(0.0, target ** 2 - current ** 2))) / scene.photo.scale,  # -> full-size px
                 MIN_BLUR_SIGMA_FRACTION * max(scene.photo.original_size))
    diversity = orientation_diversity(dx, dy, bg, strong_edges(scene))
    sharp = density / focus
    evidence = B0 + W_DENSITY * np.sqrt(sharp) + W_DIVERSITY * np.sqrt(diversity)
    log_odds, cells = judge(scene, HEAD, "recognisable to the head")
    values = {"environment_log_odds": log_odds, "environment_evidence": round(float(evidence), 3), "orientation_diversity": round(diversity, 3),
              "sharp_edge_density": round(sharp, 4), "edge_density": round(density, 4),
              "face_focus": round(focus, 3), "background_blur_px": round(current, 2),
              "blur_sigma_px": round(needed, 1)}
    return Measurement(name, values, regions=cells + _sharpest_cells(edges, bg, scene.width, scene.height),
                       details={"reference": "face" if scene.face is not None else "none"})


def orientation_diversity(dx: np.ndarray, dy: np.ndarray, mask: np.ndarray,
                          edges: np.ndarray | None = None) -> float:
    """Normalised entropy of the orientations of the strong (Canny ``STRONG_LOW``/
    ``STRONG_HIGH``) edges inside ``mask``, in [0, 1]; 0 when they cover less than
    ``_MIN_STRONG`` of the mask (or it is empty). ``edges``: those Canny edges (bool), when
    already computed (``_edges.strong_edges``)."""
    if edges is None:
        edges = cv2.Canny(dx, dy, STRONG_LOW, STRONG_HIGH) > 0
    strong = np.flatnonzero(edges & mask)
    if strong.size < 2 or strong.size < _MIN_STRONG * np.count_nonzero(mask):
        return 0.0
    angle = np.arctan2(dy.ravel()[strong].astype(np.float32), dx.ravel()[strong].astype(np.float32)) % np.pi
    hist = np.bincount(np.minimum((angle * (_ORIENT_BINS / np.pi)).astype(int), _ORIENT_BINS - 1),
                       minlength=_ORIENT_BINS).astype(float)
    p = hist[hist > 0] / hist.sum()
    return float(max(0.0, -(p * np.log(p)).sum() / np.log(_ORIENT_BINS)))


def face_focus(gray: np.ndarray, mag: np.ndarray, box) -> float:
    """Contrast-normalised edge sharpness of the face box's inner 80 % over
    ``FACE_IN_FOCUS``, clipped to [``_MIN_FOCUS``, 1]; 1 without a face."""
    if box is None:
        return 1.0
    h, w = gray.shape
    b = box.clipped(w, h)
    y0, y1 = int(b.y0 + 0.1 * b.height), int(b.y1 - 0.1 * b.height)
    x0, x1 = int(b.x0 + 0.1 * b.width), int(b.x1 - 0.1 * b.width)
    if (y1 - y0) * (x1 - x0) < 64:
        return 1.0
    g = gray[y0:y1, x0:x1].astype(np.float32)
    mu = cv2.GaussianBlur(g, (0, 0), 4.0)
    sd = np.sqrt(np.maximum(cv2.GaussianBlur(g * g, (0, 0), 4.0) - mu * mu, 0.0))
    sharp = float(np.percentile(mag[y0:y1, x0:x1] / (sd + 2.0), 99))
    return float(np.clip(sharp / FACE_IN_FOCUS, _MIN_FOCUS, 1.0))


def _sharpest_cells(edges: np.ndarray, bg: np.ndarray, width: int, height: int) -> tuple:
    """Regions of the three CELL x CELL background cells densest in crisp edges."""
    h, w = edges.shape
    rows, cols = h // CELL, w // CELL
    if rows == 0 or cols == 0:
        return ()
    e, m = cell_means(edges).ravel(), cell_means(bg).ravel()
    e = np.where(m >= _CELL_BG, e, 0)
    out = []
    for i in np.argsort(-e)[:3]:
        if e[i] > 0:
            x, y = int(i % cols) * CELL, int(i // cols) * CELL
            out.append(Region.from_pixels(x, y, x + CELL, y + CELL, width, height, "sharp background"))
    return tuple(out)


def defocus_sigma(gray: np.ndarray, edges: np.ndarray, mag: np.ndarray) -> float:
    """Median defocus blur at the ``edges`` pixels, Gaussian sigma in px (0 without edges).

    At an edge blurred by sigma, re-blurring by s0 divides the gradient by
    R = sqrt(sigma² + s0²) / sigma, hence sigma = s0 / sqrt(R² - 1). ``mag`` is the
    gradient magnitude of ``gray`` after the same 1 px Gaussian as the re-blurred one.
    """
    idx = np.flatnonzero(edges)
    if idx.size < 20:
        return 0.0
    g2 = cv2.GaussianBlur(gray, (0, 0), float(np.hypot(1.0, _REBLUR)))
    m2 = cv2.magnitude(cv2.Sobel(g2, cv2.CV_32F, 1, 0), cv2.Sobel(g2, cv2.CV_32F, 0, 1)).ravel()[idx] / 8.0
    r = mag.ravel()[idx] / np.maximum(m2, 1e-3)
    r = r[r > 1.01]
    if r.size == 0:
        return 0.0
    # sigma of the 1 px pre-blurred edge, minus that pre-blur.
    s = _REBLUR / np.sqrt(r ** 2 - 1)
    return float(np.sqrt(max(0.0, float(np.median(s)) ** 2 - 1.0)))
