"""Unblurred environment: how sharp the background's structure is next to the face.

An environmental background (an office, a street) is acceptable in a headshot only
when it is blurred enough that nothing in it is recognisable. The face is the
in-focus reference: comparing the background's edges with the face's own edges
makes the measure independent of resolution, JPEG quality and camera shake.
"""

from __future__ import annotations

import cv2
import numpy as np

from ..model import Measurement, Region
from ..scene import Scene
from . import measure

#: Side of the square background cells whose edge content is compared, px at analysis size.
CELL = 32
#: A cell is judged when at least this fraction of it is background.
_CELL_BG = 0.6
#: Fraction of the background's cells, sharpest first, that define its sharpness:
#: an environment need not fill the frame, a few sharp objects are enough to be recognisable.
TOP_FRACTION = 0.25
#: Percentile of the gradient magnitude that stands for a background cell's edges (ignores flat areas).
EDGE_PERCENTILE = 90
#: Percentile of the gradient magnitude that stands for the face's sharpness: its
#: strongest edges (eyes, lashes, brows) show the focus, whatever the skin's contrast.
REFERENCE_PERCENTILE = 99
#: Blur (Gaussian sigma) at which background detail stops being recognisable, in face
#: widths: features smaller than about a tenth of a face are averaged away.
UNRECOGNISABLE_SIGMA_FACE = 0.05
#: Re-blur sigma of the defocus estimate, px at analysis size (Zhuo & Sim 2011).
_REBLUR = 1.0


@measure("unblurred_environment", cost_ms=30.0)
def unblurred_environment(scene: Scene) -> Measurement:
    """Background edge strength relative to the face's, ratio >= 0 (0 = plain or fully blurred).

    Values
    ------
    sharpness_ratio : edge strength of the sharpest quarter of background cells
        (gradient magnitude, 90th percentile per cell) over the face's strongest
        edges (99th percentile), >= 0, typically [0, 3]; ~0 = plain wall or
        well-blurred bokeh.
    face_sharpness : 99th-percentile gradient magnitude in the face (or the person
        when no face is found), grey levels per px.
    background_sharpness : the same for the background (mean of its sharpest cells).
    background_blur_px : estimated defocus blur of the background's edges, Gaussian
        sigma in analysis px (0 when it has no edges).
    blur_sigma_px : extra Gaussian blur that would make the background unrecognisable,
        sigma in px at FULL image size (0 when it already is).

    Notes
    -----
    Gradients come from a Scharr operator on the grey image after a 0.7 px Gaussian
    (JPEG block noise); the face's box is shrunk to its inner 80 % so hair and
    background never enter it; with no face the person mask is the reference. A plain wall has no edges, so its ratio is near 0:
    it is not an environment. The needed blur is ``sqrt(target² - current²)`` with
    ``target = UNRECOGNISABLE_SIGMA_FACE x face width`` and the current blur estimated
    by re-blurring (gradient ratio at edges, Zhuo & Sim 2011).

    References
    ----------
    S. Zhuo, T. Sim, "Defocus map estimation from a single image", Pattern
    Recognition 44 (2011). Guide: environmental backgrounds only when blurred so
    that nothing is recognisable.
    """
    name = "unblurred_environment"
    bg = scene.background_mask
    if bg.sum() < 4 * CELL * CELL:
        return Measurement.not_assessable(name, "too little background visible to judge")
    mag = gradient_magnitude(scene.gray)
    ref, ref_label = _reference(scene)
    if ref is None:
        return Measurement.not_assessable(name, "no face or person to serve as the in-focus reference")
    ref_px = mag[ref]
    if ref_px.size < 64:
        return Measurement.not_assessable(name, "face too small to serve as the sharpness reference")
    face_sharp = float(np.percentile(ref_px, REFERENCE_PERCENTILE))
    strength, xs, ys = cell_edge_strength(mag, bg)
    if strength.size == 0:
        return Measurement.not_assessable(name, "no background cell large enough to judge")
    order = np.argsort(-strength)[:max(1, int(round(TOP_FRACTION * strength.size)))]
    bg_sharp = float(strength[order].mean())
    ratio = bg_sharp / max(face_sharp, 1.0)
    current = defocus_sigma(scene.gray, bg, mag)
    width = scene.face.box.width if scene.face is not None else 0.25 * min(scene.width, scene.height)
    target = UNRECOGNISABLE_SIGMA_FACE * width
    needed = float(np.sqrt(max(0.0, target ** 2 - current ** 2))) * scene.photo.scale
    values = {"sharpness_ratio": round(ratio, 4), "face_sharpness": round(face_sharp, 2),
              "background_sharpness": round(bg_sharp, 2), "background_blur_px": round(current, 2),
              "blur_sigma_px": round(needed, 1)}
    units = {"sharpness_ratio": "ratio", "face_sharpness": "grey/px", "background_sharpness": "grey/px",
             "background_blur_px": "px", "blur_sigma_px": "px"}
    regions = tuple(Region.from_pixels(xs[i], ys[i], xs[i] + CELL, ys[i] + CELL, scene.width, scene.height,
                                       "sharp background") for i in order[:3])
    yy, xx = np.nonzero(ref)
    regions += (Region.from_pixels(xx.min(), yy.min(), xx.max() + 1, yy.max() + 1, scene.width, scene.height,
                                   f"{ref_label} (sharpness reference)"),)
    return Measurement(name, values, units, regions=regions, details={"reference": ref_label})


def _reference(scene: Scene) -> tuple:
    """(bool mask, label) of the in-focus reference: the face box's inner 80 %, else the person."""
    mask = np.zeros((scene.height, scene.width), bool)
    if scene.face is not None:
        b = scene.face.box.clipped(scene.width, scene.height)
        mx, my = 0.1 * b.width, 0.1 * b.height
        mask[int(b.y0 + my):int(b.y1 - my), int(b.x0 + mx):int(b.x1 - mx)] = True
        return mask, "face"
    if scene.person_mask.sum() >= 400:
        return scene.person_mask, "person"
    return None, ""


def gradient_magnitude(gray: np.ndarray) -> np.ndarray:
    """Scharr gradient magnitude of a uint8 grey image after a 0.7 px Gaussian, float32, grey levels per px."""
    g = cv2.GaussianBlur(gray.astype(np.float32), (0, 0), 0.7)
    gx = cv2.Scharr(g, cv2.CV_32F, 1, 0) / 16.0
    gy = cv2.Scharr(g, cv2.CV_32F, 0, 1) / 16.0
    return cv2.magnitude(gx, gy)


def cell_edge_strength(mag: np.ndarray, mask: np.ndarray) -> tuple:
    """Edge strength (``EDGE_PERCENTILE`` of the gradient magnitude over the masked
    pixels) of every CELL x CELL cell that is mostly inside ``mask``, with the
    cells' left and top edges, px: three 1-D arrays."""
    h, w = mag.shape
    rows, cols = h // CELL, w // CELL
    if rows == 0 or cols == 0:
        return np.zeros(0, np.float32), np.zeros(0, int), np.zeros(0, int)

    def blocks(a: np.ndarray) -> np.ndarray:
        return a[:rows * CELL, :cols * CELL].reshape(rows, CELL, cols, CELL).swapaxes(1, 2).reshape(-1, CELL * CELL)

    m = blocks(mask)
    n = m.sum(axis=1)
    keep = n >= _CELL_BG * CELL * CELL
    v = np.sort(np.where(m, blocks(mag), -1.0)[keep], axis=1)  # masked-out pixels sort first
    n = n[keep]
    rank = (CELL * CELL - n) + np.floor(EDGE_PERCENTILE / 100 * (n - 1)).astype(int)
    idx = np.nonzero(keep)[0]
    return v[np.arange(v.shape[0]), rank], (idx % cols) * CELL, (idx // cols) * CELL


def defocus_sigma(gray: np.ndarray, mask: np.ndarray, mag: np.ndarray) -> float:
    """Median defocus blur of the edges inside ``mask``, Gaussian sigma in px (0 without edges).

    At an edge blurred by sigma, re-blurring by s0 divides the gradient by
    R = sqrt(sigma² + s0²) / sigma, hence sigma = s0 / sqrt(R² - 1).
    """
    g = gray.astype(np.float32)
    edges = cv2.Canny(gray, 40, 100) > 0
    edges &= mask
    if edges.sum() < 20:
        return 0.0
    m1 = mag[edges]
    g2 = cv2.GaussianBlur(g, (0, 0), _REBLUR)
    m2 = gradient_magnitude(g2)[edges]
    r = m1 / np.maximum(m2, 1e-3)
    r = r[r > 1.01]
    if r.size == 0:
        return 0.0
    return float(np.median(_REBLUR / np.sqrt(r ** 2 - 1)))
