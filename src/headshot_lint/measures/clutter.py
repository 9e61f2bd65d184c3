"""Busy background: how much of the background is covered by sharp, dense detail.

Furniture, shelves, foliage and crowds behind a subject show up as many strong,
crisp edges; a studio wall, a smooth gradient or well-blurred bokeh has almost
none (blur removes exactly the strong local gradients Canny looks for). The
measure is the share of the background, cell by cell, that is dense with such
edges, with the boxes of the worst areas as evidence.
"""

from __future__ import annotations

import cv2
import numpy as np

from ..model import Measurement, Region
from ..scene import Scene
from . import measure

#: Side of the square background cells, px at analysis size (long side 640).
CELL = 32
#: A cell is judged when at least this fraction of it is background.
_CELL_BG = 0.6
#: Canny hysteresis thresholds on the grey image after a 1 px Gaussian: only
#: strong, crisp edges (blurred bokeh and JPEG noise stay below them).
CANNY_LOW, CANNY_HIGH = 100, 200
#: A cell is cluttered when this fraction of its background pixels are edges
#: (about one crossing edge every 12 px).
DENSE_EDGES = 0.08
#: Evidence boxes reported, largest cluttered areas first.
_MAX_REGIONS = 3
#: Around the head, background closer than this many face widths to the person is
#: not judged: flyaway hair, earrings and a raised hand escape the matte there and
#: read as crisp clutter (tight crops have almost no other background).
HAIR_MARGIN = 0.15
#: Matte value above which a pixel may be the person (the scene's loose threshold).
_PERSON_LOOSE = 0.15


@measure("busy_background", cost_ms=3.0)
def busy_background(scene: Scene) -> Measurement:
    """Share of the background covered by dense, crisp edges, fraction in [0, 1] (0 = plain).

    Values
    ------
    clutter_fraction : share of the background cells whose edge density is at
        least ``DENSE_EDGES``, in [0, 1].
    edge_density : share of all background pixels on a strong edge, in [0, 1].
    other_faces : faces detected besides the subject's (at least a quarter of its
        width), count; reported, not judged (group photos are not busy by definition).

    Notes
    -----
    Only the background mask is measured (the person and the hair halo are never
    background), and around the head (the scene's head region) only background
    more than ``HAIR_MARGIN`` face widths from the person: flyaway hair and
    jewellery are not clutter. Cells less than 60 % background are skipped.
    Evidence regions are the bounding boxes of the largest 8-connected groups of
    cluttered cells.

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
    edges = cv2.Canny(dx, dy, CANNY_LOW, CANNY_HIGH) > 0
    edges &= bg
    share, density = cell_densities(edges, bg)
    judged = share >= _CELL_BG
    if not judged.any():
        return Measurement.not_assessable(name, "no background cell large enough to judge")
    busy = judged & (density >= DENSE_EDGES)
    primary = scene.face
    others = [f for f in scene.faces
              if f is not primary and (primary is None or f.box.width >= 0.25 * primary.box.width)]
    values = {"clutter_fraction": round(float(busy.sum() / judged.sum()), 4),
              "edge_density": round(float(edges.sum() / bg.sum()), 4),
              "other_faces": float(len(others))}
    units = {"clutter_fraction": "fraction", "edge_density": "fraction", "other_faces": "count"}
    return Measurement(name, values, units, regions=_worst_areas(busy, scene.width, scene.height))


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
    outside = (scene.matte[y0:y1, x0:x1] < _PERSON_LOOSE).astype(np.uint8)
    near = cv2.distanceTransform(outside, cv2.DIST_L2, 3) <= HAIR_MARGIN * scene.face.box.width
    out = bg.copy()
    out[y0:y1, x0:x1] &= ~near
    return out


def cell_densities(edges: np.ndarray, mask: np.ndarray) -> tuple:
    """Per CELL x CELL cell: the share of it inside ``mask`` and the share of those
    pixels that are ``edges``; two float arrays (rows, cols) in [0, 1]."""
    h, w = mask.shape
    rows, cols = h // CELL, w // CELL
    m = mask[:rows * CELL, :cols * CELL].reshape(rows, CELL, cols, CELL).sum(axis=(1, 3))
    e = (edges & mask)[:rows * CELL, :cols * CELL].reshape(rows, CELL, cols, CELL).sum(axis=(1, 3))
    return m / float(CELL * CELL), e / np.maximum(m, 1)


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
