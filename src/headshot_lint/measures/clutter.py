"""Busy background: how much of the background is covered by sharp, dense detail.

Furniture, shelves, foliage and crowds behind a subject show up as many strong,
crisp edges running in several directions; a studio wall, a smooth gradient or
well-blurred bokeh has almost none (blur removes exactly the strong local
gradients Canny looks for), and a horizon, railing or row of sea glitter runs one
way. Edge strength is judged relative to the background's brightness, so a dim
bar or night street counts like a daylit one. The measure is the share of the
background, cell by cell, that is dense with such edges, with the boxes of the
worst areas as evidence.
"""

from __future__ import annotations

import cv2
import numpy as np

from ..model import Measurement, Region
from ..scene import PERSON_LOOSE, Scene
from . import measure
from ._edges import CANNY_HIGH, CANNY_LOW, CELL, cell_means, strong_edges
from ._learned import judge

#: A cell is judged when at least this fraction of it is background.
_CELL_BG = 0.6
#: Mean background grey level (0-255) at and above which the thresholds apply as
#: they are; a darker background scales them by mean / BRIGHT_REF (Weber: the same
#: relative contrast gives a smaller gradient in the dark) ...
BRIGHT_REF = 100.0
#: ... but never below this factor, so sensor noise in a near-black frame is not clutter.
MIN_SCALE = 0.4
#: Orientation bins (over 180 degrees) of each cell's edge-direction histogram.
_ORIENT_BINS = 4
#: A dense cell is clutter only when its edge directions have at least this normalised
#: entropy: a horizon, railing or row of glitter (one direction, ~0-0.3) is not;
#: outlines of objects (several directions, ~0.7-1) are. BRIGHT_REF, MIN_SCALE and
#: this value were chosen by 5-fold CV on the labelled photos (neighbouring values
#: 80-120 / 0.3-0.5 / 0.5-0.8 give CV F1 0.75-0.77).
MIN_CELL_DIVERSITY = 0.5
#: A cell is cluttered when this fraction of its background pixels are edges
#: (about one crossing edge every 12 px).
DENSE_EDGES = 0.08
#: Evidence boxes reported, largest cluttered areas first.
_MAX_REGIONS = 3
#: Around the head, background closer than this many face widths to the person is
#: not judged: flyaway hair, earrings and a raised hand escape the matte there and
#: read as crisp clutter (tight crops have almost no other background).
HAIR_MARGIN = 0.15
#: The learned head (``rules/heads/busy.json``) whose log-odds the rule judges.
HEAD = "busy"


@measure("busy_background", units={"busy_log_odds": "log-odds", "clutter_fraction": "fraction", "edge_density": "fraction",
                                   "contrast_scale": "ratio", "other_faces": "count"},
          data=(f"heads/{HEAD}.json",))
def busy_background(scene: Scene) -> Measurement:
    """Share of the background covered by dense, crisp, multi-directional edges, fraction in [0, 1] (0 = plain).

    Values
    ------
    busy_log_odds : log-odds that people would call the background busy, from the
        learned head ``rules/heads/busy.json`` on the background-pooled EfficientNet-Lite0
        features (``measures/_learned.py``), combined by the file's second stage with
        ``clutter_fraction`` and ``other_faces``; real, typically [-8, 8], 0 = even odds.
    clutter_fraction : share of the background cells whose edge density is at
        least ``DENSE_EDGES`` and whose edge directions are diverse (normalised
        entropy >= ``MIN_CELL_DIVERSITY``), in [0, 1].
    edge_density : share of all background pixels on a strong edge, in [0, 1].
    contrast_scale : factor applied to the Canny thresholds for the background's
        brightness, in [``MIN_SCALE``, 1] (1 = a background of mean grey >= 100).
    other_faces : faces detected besides the subject's (at least a quarter of its
        width), count; reported, not judged (group photos are not busy by definition).

    Notes
    -----
    Edges are Canny ``CANNY_LOW``/``CANNY_HIGH`` x ``contrast_scale`` on the
    scene's shared gradient. Only the background mask is measured (the person and
    the hair halo are never background), and around the head (the scene's head region) only background
    more than ``HAIR_MARGIN`` face widths from the person: flyaway hair and
    jewellery are not clutter. Cells less than 60 % background are skipped.
    Evidence regions: the background cells that raise the head's log-odds most (up to
    three, "looks busy to the head"), then the bounding boxes of the largest
    8-connected groups of cluttered cells.

    References
    ----------
    J. Canny, "A computational approach to edge detection", IEEE PAMI 8 (1986).
    Guide: sharp furniture, objects or people behind the subject compete with the face.
    """
    name = "busy_background"
    bg = clear_of_hair(scene)
    if bg.sum() < 4 * CELL * CELL:
        return Measurement.not_assessable(name, "too little background visible to judge")
    dx, dy = scene.gradient  # Sobel after a 1 px Gaussian, shared with unblurred_environment
    scale = float(np.clip(cv2.mean(scene.gray, bg.view(np.uint8))[0] / BRIGHT_REF, MIN_SCALE, 1.0))
    # at full scale these are the blur measure's strong edges: computed once for both
    edges = (strong_edges(scene) if scale == 1.0 else cv2.Canny(dx, dy, CANNY_LOW * scale, CANNY_HIGH * scale) > 0) & bg
    share, density = cell_densities(edges, bg)
    judged = share >= _CELL_BG
    if not judged.any():
        return Measurement.not_assessable(name, "no background cell large enough to judge")
    busy = judged & (density >= DENSE_EDGES) & (cell_diversity(edges, dx, dy) >= MIN_CELL_DIVERSITY)
    primary = scene.face
    others = [f for f in scene.faces
              if f is not primary and (primary is None or f.box.width >= 0.25 * primary.box.width)]
    values = {"clutter_fraction": round(float(busy.sum() / judged.sum()), 4),
              "edge_density": round(np.count_nonzero(edges) / np.count_nonzero(bg), 4),
              "contrast_scale": round(scale, 3), "other_faces": float(len(others))}
    # The head sees the background; its second stage adds the clutter share and the other
    # faces (people right behind the subject are inside the person matte, unseen by the head).
    log_odds, cells = judge(scene, HEAD, "looks busy to the head", values)
    values = {"busy_log_odds": log_odds, **values}
    return Measurement(name, values, regions=cells + _worst_areas(busy, scene.width, scene.height))


def clear_of_hair(scene: Scene) -> np.ndarray:
    """The scene's background mask without, inside its head region, the band within
    ``HAIR_MARGIN`` face widths of the person; bool (H, W). Unchanged without a face."""
    bg = scene.background_mask
    region = scene.head_region
    if scene.face is None or region is None:
        return bg
    x0, y0 = int(region.x0), int(region.y0)
    x1, y1 = int(np.ceil(region.x1)), int(np.ceil(region.y1))
    if x1 <= x0 or y1 <= y0:
        return bg
    outside = (scene.matte[y0:y1, x0:x1] < PERSON_LOOSE).astype(np.uint8)
    near = cv2.distanceTransform(outside, cv2.DIST_L2, 3) <= HAIR_MARGIN * scene.face.box.width
    out = bg.copy()
    out[y0:y1, x0:x1] &= ~near
    return out


def cell_densities(edges: np.ndarray, mask: np.ndarray) -> tuple:
    """Per CELL x CELL cell: the share of it inside ``mask`` and the share of those
    pixels that are ``edges``; two float arrays (rows, cols) in [0, 1]."""
    m, e = cell_means(mask), cell_means(edges & mask)
    return m, e / np.maximum(m, 1.0 / (CELL * CELL))


def cell_diversity(edges: np.ndarray, dx: np.ndarray, dy: np.ndarray) -> np.ndarray:
    """Per CELL x CELL cell: normalised entropy of the directions of its ``edges``
    (``_ORIENT_BINS`` bins of the gradient angle over 180 degrees), float (rows, cols)
    in [0, 1]; 0 for a cell without edges or with edges in one direction only."""
    h, w = edges.shape
    rows, cols = h // CELL, w // CELL
    ys, xs = np.divmod(np.flatnonzero(edges), w)
    inside = (ys < rows * CELL) & (xs < cols * CELL)
    ys, xs = ys[inside], xs[inside]
    angle = np.arctan2(dy[ys, xs].astype(np.float32), dx[ys, xs].astype(np.float32)) % np.pi
    bins = np.minimum((angle * (_ORIENT_BINS / np.pi)).astype(np.int64), _ORIENT_BINS - 1)
    cell = (ys // CELL) * cols + xs // CELL
    hist = np.bincount(cell * _ORIENT_BINS + bins, minlength=rows * cols * _ORIENT_BINS)
    hist = hist.reshape(rows, cols, _ORIENT_BINS)
    p = hist / np.maximum(hist.sum(-1, keepdims=True), 1)
    plogp = np.where(p > 0, p * np.log(np.where(p > 0, p, 1.0)), 0.0)
    return -plogp.sum(-1) / np.log(_ORIENT_BINS)


def _worst_areas(busy: np.ndarray, width: int, height: int) -> tuple:
    """Regions of the largest 8-connected groups of cluttered cells, px boxes."""
    if not busy.any():
        return ()
    n, _, stats, _ = cv2.connectedComponentsWithStats(busy.astype(np.uint8), connectivity=8)
    order = sorted(range(1, n), key=lambda i: -stats[i, cv2.CC_STAT_AREA])[:_MAX_REGIONS]
    out = []
    for i in order:
        x, y, w, h = (int(v) * CELL for v in stats[i, :4])
        out.append(Region.from_pixels(x, y, x + w, y + h, width, height, "cluttered background"))
    return tuple(out)
