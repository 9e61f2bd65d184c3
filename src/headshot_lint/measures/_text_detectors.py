"""Text and mark detectors behind :mod:`headshot_lint.measures.text` (numpy and OpenCV,
and the PP-OCR networks through :mod:`headshot_lint.perception.text_detector`).

Kept free of the rest of the package so ``benchmarks/text_detectors.py`` and
``benchmarks/fit_text.py`` can run the same code. Every function works on
analysis-size arrays (long side 640) and returns boxes in pixels of that image.

* :func:`boxes_from_probability` turns the DB detector's probability map into line
  boxes; :func:`db_text_boxes` runs the detector on a whole image, :func:`tile_boxes`
  on an enlarged tile of it, :func:`zoom_boxes` on an enlarged tile around one line.
* :func:`read_text` reads a box with the PP-OCR CTC recogniser.
* :func:`mser_text_boxes`: a classical detector (maximally stable extremal regions
  chained into lines), kept for the benchmark's comparison.
* :func:`mark_boxes` finds logos without letters: compact, high-contrast marks on a
  locally flat surround, and repeated marks (step-and-repeat).
"""

from __future__ import annotations

from typing import List, NamedTuple, Sequence, Tuple

import cv2
import numpy as np

from ..perception.text_detector import read_line, text_probability

#: Grey-level step (0-255, half-resolution Sobel magnitude / 4) above which a pixel is an edge for the plain gate.
_GATE_EDGE = 10.0
#: Letter height range, px at analysis size.
_MIN_H, _MAX_H_FRAC = 7, 0.25
#: Minimum grey-level contrast between a letter and the ring around it.
_MIN_CONTRAST = 28.0
#: Letters per line needed to call a chain text.
_MIN_LETTERS = 3


class Box(NamedTuple):
    """An axis-aligned detection, px at analysis size."""

    x0: int
    y0: int
    x1: int
    y1: int
    score: float  #: detector confidence in [0, 1]
    kind: str  #: "text" or "mark"
    #: the line's rotated rectangle ((cx, cy), (w, h), degrees) as cv2.minAreaRect gives it, or ()
    rect: tuple = ()

    @property
    def area(self) -> int:
        return max(0, self.x1 - self.x0) * max(0, self.y1 - self.y0)


# -- the plain-background gate ---------------------------------------------------

def edge_density(gray: np.ndarray, region: np.ndarray) -> float:
    """Fraction of ``region`` pixels on an edge, in [0, 1], at half resolution (~1 ms).

    An edge is a Sobel gradient above ``_GATE_EDGE`` grey levels per pixel after a
    2x area downsample, which keeps JPEG noise and smooth gradients out.
    """
    edges = edge_map(gray)
    m = cv2.resize(region.astype(np.uint8), (edges.shape[1], edges.shape[0]), interpolation=cv2.INTER_NEAREST)
    n = int(m.sum())
    if n == 0:
        return 0.0
    return float(np.count_nonzero(edges & (m > 0))) / n


def edge_map(gray: np.ndarray) -> np.ndarray:
    """The edges :func:`edge_density` counts, bool at half resolution ((h // 2, w // 2))."""
    small = cv2.resize(gray, (gray.shape[1] // 2, gray.shape[0] // 2), interpolation=cv2.INTER_AREA)
    gx = cv2.Sobel(small, cv2.CV_16S, 1, 0, ksize=3)
    gy = cv2.Sobel(small, cv2.CV_16S, 0, 1, ksize=3)
    return cv2.add(cv2.convertScaleAbs(gx, alpha=0.25), cv2.convertScaleAbs(gy, alpha=0.25)) > _GATE_EDGE


# -- classical text: MSER letters chained into lines -------------------------------

def mser_text_boxes(gray: np.ndarray, region: np.ndarray | None = None) -> List[Box]:
    """Text lines found as chains of letter-like MSER blobs, any orientation.

    ``region`` (bool) limits the search to letters whose centre lies in it.
    """
    h, w = gray.shape
    max_h = max(_MIN_H + 1, int(_MAX_H_FRAC * min(h, w)))
    mser = cv2.MSER_create(5, 20, int(0.02 * h * w), 0.25, 0.2)
    letters = []
    seen = set()
    for img in (gray, 255 - gray):
        regions, bboxes = mser.detectRegions(img)
        for pts, (x, y, bw, bh) in zip(regions, bboxes):
            if bh < _MIN_H or bh > max_h or bw > 2.5 * bh or bw * 8 < bh and bh < 3 * _MIN_H:
                continue
            key = (x // 2, y // 2, bw // 2, bh // 2)
            if key in seen:
                continue
            cx, cy = x + bw / 2, y + bh / 2
            if region is not None and not region[int(cy), int(cx)]:
                continue
            fill = len(pts) / float(bw * bh)
            if not 0.12 <= fill <= 0.92:
                continue
            feat = _letter_features(gray, pts, x, y, bw, bh)
            if feat is None:
                continue
            seen.add(key)
            letters.append((x, y, bw, bh) + feat)
    return _chain(letters)


def _letter_features(gray, pts, x, y, bw, bh) -> Tuple[float, float] | None:
    """(stroke width px, mean grey) of a letter-like blob, or None when it is not one."""
    mask = np.zeros((bh + 4, bw + 4), np.uint8)
    mask[pts[:, 1] - y + 2, pts[:, 0] - x + 2] = 1
    dt = cv2.distanceTransform(mask, cv2.DIST_L2, 3)
    # stroke width from the ridge of the distance transform
    ridge = dt[(dt >= cv2.dilate(dt, np.ones((3, 3), np.uint8))) & (dt > 0)]
    if ridge.size < 3:
        return None
    sw_mean = float(ridge.mean())
    if ridge.std() / sw_mean > 0.55 or sw_mean * 2 > 0.45 * max(bw, bh):
        return None
    # contrast with the surrounding ring
    y0, y1 = max(0, y - 2), min(gray.shape[0], y + bh + 2)
    x0, x1 = max(0, x - 2), min(gray.shape[1], x + bw + 2)
    patch = gray[y0:y1, x0:x1]
    m = mask[2 - (y - y0):2 - (y - y0) + (y1 - y0), 2 - (x - x0):2 - (x - x0) + (x1 - x0)].astype(bool)
    ring = cv2.dilate(m.astype(np.uint8), np.ones((5, 5), np.uint8)).astype(bool) & ~m
    if ring.sum() < 4:
        return None
    inner = float(patch[m].mean())
    if abs(inner - float(patch[ring].mean())) < _MIN_CONTRAST:
        return None
    return 2.0 * sw_mean, inner


def _chain(letters: Sequence[tuple]) -> List[Box]:
    """Union letters that look alike and sit next to each other; keep chains of >= 3."""
    n = len(letters)
    if n < _MIN_LETTERS:
        return []
    a = np.array(letters, np.float32)
    x, y, bw, bh, sw, grey = a.T
    cx, cy = x + bw / 2, y + bh / 2
    parent = list(range(n))

    def find(i):
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    order = np.argsort(cx)
    for ii, i in enumerate(order):
        for j in order[ii + 1:]:
            if cx[j] - cx[i] > 3.0 * max(bh[i], bh[j]):
                break
            hr = max(bh[i], bh[j]) / min(bh[i], bh[j])
            if hr > 1.6:
                continue
            d = np.hypot(cx[j] - cx[i], cy[j] - cy[i])
            hh = max(bh[i], bh[j])
            if d > 2.0 * hh or d < 0.3 * hh:  # too far, or the same blob nested
                continue
            if max(sw[i], sw[j]) / max(1e-3, min(sw[i], sw[j])) > 2.0 or abs(grey[i] - grey[j]) > 40:
                continue
            parent[find(i)] = find(j)
    groups: dict = {}
    for i in range(n):
        groups.setdefault(find(i), []).append(i)
    boxes = []
    for idx in groups.values():
        if len(idx) < _MIN_LETTERS:
            continue
        idx = np.array(idx)
        # a line is elongated: its letters spread along one direction
        pts = np.stack([cx[idx], cy[idx]], 1)
        if len(idx) >= 3:
            (_, _), (rw, rh), _ = cv2.minAreaRect(pts.astype(np.float32))
            if max(rw, rh) < 1.5 * float(np.median(bh[idx])):
                continue
        # shapes must differ: letters vary in width, a texture repeats one blob
        widths = bw[idx] / bh[idx]
        variety = float(np.std(widths) / max(1e-3, np.mean(widths)))
        score = float(min(1.0, len(idx) / 8.0) * min(1.0, 0.3 + 2.0 * variety))
        boxes.append(Box(int(x[idx].min()), int(y[idx].min()), int((x[idx] + bw[idx]).max()),
                         int((y[idx] + bh[idx]).max()), score, "text"))
    return boxes


# -- learned text: boxes from the PP-OCR DB detector's probability map -------------

def boxes_from_probability(prob: np.ndarray, shape: Tuple[int, int], *, bin_thresh: float = 0.3,
                           box_thresh: float = 0.5, min_height: float = 0.0,
                           max_height: float = float("inf")) -> List[Box]:
    """Text boxes, px of an image of ``shape`` (h, w), from a DB probability map of it.

    A connected region of ``prob > bin_thresh`` is a text kernel; it is kept when its
    mean probability is at least ``box_thresh`` and its height (px of the image) lies in
    [``min_height``, ``max_height``]: below that the "text" is texture (glints,
    railings), above it a face or a painted shape. The kernel is grown back by DB's
    usual unclip ratio (area * 1.5 / perimeter), as DB shrinks text when training.
    """
    h, w = shape
    nh, nw = prob.shape
    binary = (prob > bin_thresh).astype(np.uint8)
    n, lab, stats, _ = cv2.connectedComponentsWithStats(binary, connectivity=4)
    boxes = []
    fx, fy = w / nw, h / nh
    for i in range(1, n):
        bx, by, bw, bh, area = stats[i]
        if min(bw, bh) < 3 or area < 12 or not min_height <= bh * fy <= max_height:
            continue
        kernel = lab[by:by + bh, bx:bx + bw] == i
        score = float(prob[by:by + bh, bx:bx + bw][kernel].mean())
        if score < box_thresh:
            continue
        d = area * 1.5 / (2.0 * (bw + bh))
        ys, xs = np.nonzero(kernel)
        (cx, cy), (rw, rh), ang = cv2.minAreaRect(np.stack([xs + bx, ys + by], 1).astype(np.float32))
        rect = (((cx + 0.5) * fx, (cy + 0.5) * fy), ((rw + 1 + 2 * d) * fx, (rh + 1 + 2 * d) * fy), ang)
        boxes.append(Box(int(max(0, (bx - d) * fx)), int(max(0, (by - d) * fy)), int(min(w, (bx + bw + d) * fx)),
                         int(min(h, (by + bh + d) * fy)), score, "text", rect))
    return boxes


def db_text_boxes(rgb: np.ndarray, *, side: int = 640, det=None, **filters) -> List[Box]:
    """Text boxes the PP-OCR DB detector finds on ``rgb`` seen at a long side of ``side`` px,
    px of ``rgb`` (``filters``: those of :func:`boxes_from_probability`; ``det``: another
    detection session, for benchmarks)."""
    return boxes_from_probability(text_probability(rgb, side, det), rgb.shape[:2], **filters)


def tile_boxes(rgb: np.ndarray, tile: Tuple[int, int, int, int], *, scale: float, det=None,
               **filters) -> List[Box]:
    """Text boxes the detector finds on the tile (x0, y0, x1, y1) of ``rgb`` enlarged ``scale``
    times, px of ``rgb``, each centred in the tile (clipped to it).

    The network pools over its whole input, so a bare small tile finds little: the tile is
    mirrored out to twice its size first, and boxes centred on the mirror are dropped.
    """
    x0, y0, x1, y1 = tile
    if x1 - x0 < 8 or y1 - y0 < 8:
        return []
    m = max(x1 - x0, y1 - y0) // 2
    view = cv2.copyMakeBorder(np.ascontiguousarray(rgb[y0:y1, x0:x1]), m, m, m, m, cv2.BORDER_REFLECT_101)
    out = []
    for b in db_text_boxes(view, side=int(round(max(view.shape[:2]) * scale)), det=det, **filters):
        bx0, by0, bx1, by1 = b.x0 + x0 - m, b.y0 + y0 - m, b.x1 + x0 - m, b.y1 + y0 - m
        if not (x0 <= (bx0 + bx1) / 2.0 < x1 and y0 <= (by0 + by1) / 2.0 < y1):
            continue  # a mirror image, or beyond the tile
        rect = (((b.rect[0][0] + x0 - m, b.rect[0][1] + y0 - m),) + tuple(b.rect[1:])) if b.rect else ()
        out.append(b._replace(x0=max(x0, bx0), y0=max(y0, by0), x1=min(x1, bx1), y1=min(y1, by1), rect=rect))
    return out


def zoom_boxes(rgb: np.ndarray, around: Box, *, side: int, pad: Tuple[int, int] = (64, 64),
               max_scale: float = float("inf"), det=None, **filters) -> List[Box]:
    """Text boxes from the detector run on an enlarged tile around ``around``, px of ``rgb``.

    The tile reaches ``pad`` (x, y) px, and at least 16 px past the box, beyond the box's
    centre and is enlarged as if the whole image had a long side of ``side`` px, so
    lettering that a first pass saw as one blob (a neon sign's star beside its small word)
    is resolved into lines. The enlargement is at most ``max_scale``: a small photo is not
    blown up past what its pixels hold (a 128 px photo would be enlarged 7.5 times).
    """
    h, w = rgb.shape[:2]
    cx, cy = (around.x0 + around.x1) / 2.0, (around.y0 + around.y1) / 2.0
    hw = max(pad[0], (around.x1 - around.x0) / 2.0 + 16)
    hh = max(pad[1], (around.y1 - around.y0) / 2.0 + 16)
    tile = (int(max(0, cx - hw)), int(max(0, cy - hh)), int(min(w, cx + hw)), int(min(h, cy + hh)))
    return tile_boxes(rgb, tile, scale=min(max_scale, side / float(max(h, w))), det=det, **filters)


def read_text(rgb: np.ndarray, box: Box) -> Tuple[str, float]:
    """(characters, mean confidence in [0, 1]) the PP-OCR recogniser reads in ``box``.

    A tilted line is cut out along its rotated rectangle (``box.rect``) and levelled; a
    crop taller than wide is turned a quarter (vertical lines). ~10 ms per box.
    """
    crop = _line_crop(rgb, box)
    if crop.size and crop.shape[0] > 1.5 * crop.shape[1]:
        crop = np.rot90(crop)
    return read_line(crop)


def _line_crop(rgb: np.ndarray, box: Box) -> np.ndarray:
    """The box's pixels, levelled along its rotated rectangle when it has one."""
    if not box.rect:
        return rgb[box.y0:box.y1, box.x0:box.x1]
    (cx, cy), (rw, rh), ang = box.rect
    if rw < rh:  # keep the long side horizontal
        rw, rh, ang = rh, rw, ang - 90.0
    rw, rh = max(2, int(round(rw))), max(2, int(round(rh)))
    m = cv2.getRotationMatrix2D((cx, cy), ang, 1.0)
    m[:, 2] += (rw / 2.0 - cx, rh / 2.0 - cy)
    return cv2.warpAffine(rgb, m, (rw, rh), flags=cv2.INTER_LINEAR, borderMode=cv2.BORDER_REPLICATE)


# -- marks without letters ---------------------------------------------------------

def mark_boxes(gray: np.ndarray, region: np.ndarray) -> List[Box]:
    """Compact high-contrast marks on a locally flat surround, inside ``region``.

    A mark is a connected blob of strong edges whose bounding box covers 0.05-4 %
    of the image, with a flat ring around it (the wall or banner it is printed on)
    that differs from the blob by a clear grey step. Repeated look-alike blobs
    (step-and-repeat) get a higher score.
    """
    h, w = gray.shape
    edges = cv2.Canny(gray, 60, 150)
    edges[~region] = 0
    blob = cv2.dilate(edges, np.ones((5, 5), np.uint8))
    n, lab, stats, _ = cv2.connectedComponentsWithStats(blob, connectivity=8)
    flat = cv2.blur((edges > 0).astype(np.float32), (9, 9)) < 0.02
    found = []
    for i in range(1, n):
        bx, by, bw, bh, area = stats[i]
        frac = bw * bh / float(h * w)
        if not 0.0005 <= frac <= 0.04 or max(bw, bh) > 4 * min(bw, bh):
            continue
        pad = max(4, int(0.3 * max(bw, bh)))
        x0, y0, x1, y1 = max(0, bx - pad), max(0, by - pad), min(w, bx + bw + pad), min(h, by + bh + pad)
        ring = np.zeros((y1 - y0, x1 - x0), bool)
        ring[:, :] = True
        ring[by - y0:by - y0 + bh, bx - x0:bx - x0 + bw] = False
        ring &= region[y0:y1, x0:x1]
        if ring.sum() < 0.5 * ring.size * 0.5:
            continue
        if flat[y0:y1, x0:x1][ring].mean() < 0.85:  # the surround must be plain
            continue
        inside = gray[by:by + bh, bx:bx + bw][lab[by:by + bh, bx:bx + bw] == i]
        step = abs(float(np.percentile(inside, 10 if inside.mean() < gray[y0:y1, x0:x1][ring].mean() else 90))
                   - float(np.median(gray[y0:y1, x0:x1][ring])))
        if step < 40:
            continue
        found.append((bx, by, bw, bh, min(1.0, step / 100.0)))
    boxes = [Box(bx, by, bx + bw, by + bh, s, "mark") for bx, by, bw, bh, s in found]
    if len(found) >= 3:  # step-and-repeat: look-alike sizes
        sizes = np.array([[f[2], f[3]] for f in found], np.float32)
        for k, (bx, by, bw, bh, s) in enumerate(found):
            alike = np.sum(np.all(np.abs(sizes / sizes[k] - 1) < 0.25, axis=1)) - 1
            if alike >= 2:
                boxes[k] = boxes[k]._replace(score=min(1.0, s + 0.3))
    return boxes


# -- where a box lies --------------------------------------------------------------

def fraction_inside(box: Box, mask: np.ndarray) -> float:
    """Fraction of the box's pixels that ``mask`` marks, in [0, 1]."""
    sub = mask[box.y0:box.y1, box.x0:box.x1]
    return float(sub.mean()) if sub.size else 0.0


def join_words(boxes: Sequence[Box], gap: float = 1.0) -> List[Box]:
    """Boxes side by side on one line (vertical overlap over half the lower one, horizontal
    gap under ``gap`` times their mean height) joined into one: at 640 px the detector
    sees "SUMMIT" and "2026" as two boxes that at 384 px were one line."""
    out = sorted(boxes, key=lambda b: b.x0)
    joined = True
    while joined:
        joined = False
        for i in range(len(out)):
            for j in range(i + 1, len(out)):
                a, b = out[i], out[j]
                ha, hb = a.y1 - a.y0, b.y1 - b.y0
                overlap = min(a.y1, b.y1) - max(a.y0, b.y0)
                space = max(a.x0, b.x0) - min(a.x1, b.x1)
                if overlap > 0.5 * min(ha, hb) and space < gap * (ha + hb) / 2.0:
                    out[i] = Box(min(a.x0, b.x0), min(a.y0, b.y0), max(a.x1, b.x1), max(a.y1, b.y1),
                                 max(a.score, b.score), a.kind if a.kind == b.kind else "text")
                    del out[j]
                    joined = True
                    break
            if joined:
                break
    return out


def merge_overlapping(boxes: Sequence[Box]) -> List[Box]:
    """Boxes with overlapping extents merged (highest score; "text" when any part is text)."""
    out: List[Box] = []
    for b in sorted(boxes, key=lambda b: -b.area):
        for k, o in enumerate(out):
            if b.x0 < o.x1 and o.x0 < b.x1 and b.y0 < o.y1 and o.y0 < b.y1:
                out[k] = Box(min(o.x0, b.x0), min(o.y0, b.y0), max(o.x1, b.x1), max(o.y1, b.y1),
                             max(o.score, b.score), "text" if "text" in (o.kind, b.kind) else o.kind)
                break
        else:
            out.append(b)
    return out
