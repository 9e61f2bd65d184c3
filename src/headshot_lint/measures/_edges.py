"""Background cells and strong edges, shared by the busy-background and blur measures.

Here rather than in :mod:`.clutter` so that the blur measure reads the same cell grid
and "strong edge" without importing another measure.
"""

from __future__ import annotations

import cv2
import numpy as np

from ..scene import Scene

#: Side of the square background cells, px at analysis size (long side 640).
CELL = 32
#: Canny hysteresis thresholds on the grey image after a 1 px Gaussian, for a
#: background of mean grey ``clutter.BRIGHT_REF`` or brighter: only strong, crisp edges
#: (blurred bokeh and JPEG noise stay below them).
CANNY_LOW, CANNY_HIGH = 100, 200


def cell_means(a: np.ndarray) -> np.ndarray:
    """Share of true pixels of bool ``a`` in each whole CELL x CELL cell, float32 (rows, cols)
    in [0, 1] (partial cells at the right and bottom edges are dropped)."""
    h, w = a.shape
    rows, cols = h // CELL, w // CELL
    # Area resampling of whole cells is their exact mean, and much faster than a reshape-sum.
    return cv2.resize(a[:rows * CELL, :cols * CELL].astype(np.float32), (cols, rows),
                      interpolation=cv2.INTER_AREA).reshape(rows, cols)


def strong_edges(scene: Scene) -> np.ndarray:
    """Canny ``CANNY_LOW``/``CANNY_HIGH`` on the scene's shared gradient, bool (H, W), over the
    whole frame, cached per scene: the blur measure's strong edges and, on a background of mean
    grey >= ``clutter.BRIGHT_REF`` (thresholds unscaled), the busy measure's (~1 ms each)."""
    return scene.derived(_strong_edges)


def _strong_edges(scene: Scene) -> np.ndarray:
    dx, dy = scene.gradient
    edges = cv2.Canny(dx, dy, CANNY_LOW, CANNY_HIGH) > 0
    edges.flags.writeable = False
    return edges
