"""Full-resolution person alpha from the analysis-size matte.

The analysis matte (640 px long side, itself MediaPipe's 256 px mask snapped to
luminance edges) is too coarse for hair at 12 MP. It is upsampled to a working
level and refined there with a *colour* guided filter, whose local linear model
``alpha = a . I + b`` is then carried to full resolution (the "fast guided
filter": coefficients at low resolution, applied to the full-resolution guide), so
strands finer than the working level still get their own alpha at the cost of a
few full-size multiply-adds.

References
----------
He, Sun, Tang, "Guided Image Filtering", TPAMI 2013 (colour guide, Eq. 14-16).
He, Sun, "Fast Guided Filter", arXiv:1505.00996, 2015.
"""

from __future__ import annotations

import cv2
import numpy as np

from ._points import nonzero, sample, shrink

#: Long side of the level where the guided-filter coefficients are solved, px.
WORK_LONG_SIDE = 1024
#: Guided-filter window radius as a fraction of the working long side.
RADIUS_FRACTION = 0.008
#: Regulariser (guide in [0, 1]): small keeps hair edges, large smooths the matte.
EPS = 2e-3
#: Erosion of the sure regions of the matte that leaves the uncertain band, fraction of
#: the working long side.
BAND_FRACTION = 0.02
#: Colour distance |F - B| (8-bit RGB units) below which colour says nothing about
#: alpha, and the extra distance over which it becomes fully trusted.
CONTRAST_MIN = 6.0
CONTRAST_FULL = 18.0
#: How many background RMS deviations |F - B| must exceed before colour is trusted.
TEXTURE_K = 2.5
#: Background RMS deviation (8-bit RGB units) up to which it counts as flat, and the extra
#: deviation at which it is fully textured.
SPREAD_FLAT = 8.0
SPREAD_FULL = 20.0
#: Alpha under LOW_CUT becomes 0 and over 1 - LOW_CUT becomes 1 (faint tails of the filter
#: would show the old background as a glow on a new one).
LOW_CUT = 0.05
#: Below the chin the outline is clothing and shoulders, which have no wisps: there the soft
#: alpha outside the opaque subject must fade out within this fraction of the long side
#: (linearly from 0.5 at the opaque edge). Lumps of a lettered or patterned wall the colour
#: model half-keeps beside a shoulder (up to 2 % out on facerec_obama1) would show as ghosts of
#: the old background on the new one. benchmarks/fix_gain.py over the 321 labelled photos,
#: copies written (median halo): without the hold 141 (14 %), 0.012: 141 (15 %), 0.008: 146
#: (15 %), 0.005: 149 (13 %); at 0.005 a 12 MP photo's shoulder still fades over 20 px, long
#: hair over the shoulders keeps its look (contact sheets of the changed copies).
FRINGE_BELOW_CHIN = 0.005


def refine_matte(rgb: np.ndarray, matte: np.ndarray, *, work_long_side: int = WORK_LONG_SIDE,
                 eps: float = EPS, chin: float | None = None) -> np.ndarray:
    """Person alpha at the size of ``rgb``, float32 (H, W) in [0, 1], 1 = person.

    Parameters
    ----------
    rgb : ndarray, uint8 (H, W, 3)
        Full-resolution upright sRGB.
    matte : ndarray, float (h, w)
        Soft person matte of the same photo at any smaller size (``Scene.matte``).
    work_long_side : int
        Long side of the level where the filter is solved, px; smaller is faster.
    eps : float
        Guided-filter regulariser.
    chin : float, optional
        Height of the subject's chin as a fraction of the photo's height (0 top, 1 bottom);
        below it the soft edge is held to :data:`FRINGE_BELOW_CHIN` (:func:`hold_fringe`).
    """
    h, w = rgb.shape[:2]
    s = min(1.0, work_long_side / max(h, w))
    ws = (max(1, round(w * s)), max(1, round(h * s)))
    small = shrink(rgb, ws)
    guide_lo = small.astype(np.float32) / 255.0
    prior = cv2.resize(np.asarray(matte, np.float32), ws, interpolation=cv2.INTER_LINEAR)
    src_lo, texture = colour_alpha(small.astype(np.float32), prior)
    radius = max(2, round(RADIUS_FRACTION * max(ws)))
    a, b = _coefficients(guide_lo, src_lo, radius, eps)
    if texture is not None:
        # Over a textured background the edge cannot be told from the texture: there the
        # alpha ignores the guide and is the prior, tightened (no pebbles left at the hair).
        x = np.clip((prior - 0.5) / 0.45, 0.0, 1.0)
        tight = cv2.GaussianBlur(x * x * (3 - 2 * x), (0, 0), max(1.0, radius / 2))
        a = a * (1.0 - texture)[..., None]
        b = b * (1.0 - texture) + tight * texture
    if ws == (w, h):
        alpha = _stretch(np.einsum("hwc,hwc->hw", a, guide_lo) + b)
        alpha = np.clip(alpha, 0.0, 1.0, out=alpha).astype(np.float32, copy=False)
    else:
        alpha = _apply_in_band(rgb, a, b)
    if chin is not None:
        hold_fringe(alpha, round(float(np.clip(chin, 0.0, 1.0) * h)))
    return alpha


def hold_fringe(alpha: np.ndarray, row: int, reach: float = FRINGE_BELOW_CHIN) -> None:
    """Cap, in place, the soft alpha at and below ``row`` outside the opaque subject (alpha
    >= 0.5) to ``0.5 * (1 - d / (reach * long side))``, d its distance in px from the
    nearest opaque pixel: a soft edge fades out within ``reach``; what lies further out
    (a half-kept lump of the old background) is dropped.

    ``alpha`` float32 (H, W) in [0, 1]; only the rows from ``row - reach`` down are looked at
    (the opaque subject just above the chin counts for the distance).
    """
    h, w = alpha.shape
    if int(row) >= h:
        return
    r = max(1.0, reach * max(h, w))
    top = max(0, int(row) - int(np.ceil(r)))
    part = alpha[top:]
    open_ = cv2.compare(part, 0.5, cv2.CMP_LT)  # 255 where not opaque
    soft = cv2.bitwise_and(open_, cv2.compare(part, 0.0, cv2.CMP_GT))
    soft[: int(row) - top] = 0
    x, y, bw, bh = cv2.boundingRect(soft)
    if not bw:
        return
    # Only opaque pixels within the reach of a soft one matter: the distances are taken in
    # the soft pixels' bounding box grown by the reach (the hair and edge band, not the frame).
    m = int(np.ceil(r)) + 1
    ys, xs = slice(max(0, y - m), y + bh + m), slice(max(0, x - m), x + bw + m)
    box, sub = part[ys, xs], soft[ys, xs]
    iy, ix = np.nonzero(sub)
    dist = cv2.distanceTransform(open_[ys, xs], cv2.DIST_L2, 3)[iy, ix]
    box[iy, ix] = np.minimum(box[iy, ix], np.clip(0.5 * (1.0 - dist / r), 0.0, 0.5))


def _stretch(alpha: np.ndarray) -> np.ndarray:
    """Map [LOW_CUT, 1 - LOW_CUT] onto [0, 1] (not clipped)."""
    return cv2.addWeighted(alpha, 1.0 / (1.0 - 2 * LOW_CUT), alpha, 0.0, -LOW_CUT / (1.0 - 2 * LOW_CUT))


def _apply_in_band(rgb: np.ndarray, a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """``clip(stretch(a . I / 255 + b))`` at full resolution, evaluated only where it can
    be strictly between 0 and 1; float32 (H, W).

    The coefficients are upsampled bilinearly, so a full-resolution pixel mixes the
    2 x 2 working pixels around it. With I in [0, 1]^3, ``a . I + b`` lies between
    ``b + sum(min(a, 0))`` and ``b + sum(max(a, 0))``; where that whole interval (over
    the neighbours) is under ``LOW_CUT`` the alpha is exactly 0, where it is over
    ``1 - LOW_CUT`` exactly 1. Only the rest (the hair and edge band, typically a few %
    of the pixels) is computed at full resolution -- the same result, ~10x less work.
    """
    h, w = rgb.shape[:2]
    lo = b + np.minimum(a, 0.0).sum(axis=2)
    hi = b + np.maximum(a, 0.0).sum(axis=2)
    # 5 x 5: the 2 x 2 bilinear neighbourhood, plus one px for nearest-neighbour rounding.
    k = np.ones((5, 5), np.uint8)
    one = cv2.erode((lo >= 1.0 - LOW_CUT).astype(np.uint8), k, borderType=cv2.BORDER_REPLICATE)
    zero = cv2.erode((hi <= LOW_CUT).astype(np.uint8), k, borderType=cv2.BORDER_REPLICATE)
    unsure = ((one | zero) == 0).astype(np.uint8)
    alpha = cv2.resize(one.astype(np.float32), (w, h), interpolation=cv2.INTER_NEAREST)
    idx = nonzero(cv2.resize(unsure, (w, h), interpolation=cv2.INTER_NEAREST))
    if idx.size:
        ab = np.empty(b.shape + (4,), np.float32)
        ab[..., :3] = a
        ab[..., 3] = b
        coeff = sample(ab, idx, (w, h))  # (n, 4)
        px = rgb.reshape(-1, 3)[idx].astype(np.float32)
        val = np.einsum("nc,nc->n", coeff[:, :3], px) * (1.0 / 255.0) + coeff[:, 3]
        val = (val - LOW_CUT) * (1.0 / (1.0 - 2 * LOW_CUT))
        alpha.reshape(-1)[idx] = np.clip(val, 0.0, 1.0)
    return alpha


def colour_alpha(image: np.ndarray, prior: np.ndarray) -> tuple[np.ndarray, np.ndarray | None]:
    """Sharpen a soft matte with colour: in the uncertain band, alpha is where the pixel
    lies between the local foreground colour F and background colour B,
    ``alpha = (I - B) . (F - B) / |F - B|^2``, trusted as far as F and B differ.

    F and B are filled in from the sure regions of ``prior`` (push-pull), so they are the
    nearest subject and background colours. Returns the alpha, float32 (h, w) in [0, 1],
    and how textured the background nearby is, float32 (h, w) in [0, 1] (None if unknown).

    A background of a few flat colours (yellow letters on black) blends into a B that is
    none of them, so the model half-keeps the letters where the segmenter spills over them
    (photomaker_scarlett3's jaw). Tried (session 18): B per band pixel chosen among the fills
    of a k-means palette of the sure background (4 colours, within 4 band widths), the
    texture measured against the palette: yellow kept beside that jaw 5097 -> 2540 px and
    ``benchmarks/fix_gain.py`` 146 -> 153 copies written, but dark hair before dark
    furniture was cut (openpose_coco294's crown) and dark gaps between strands kept
    (prnet_image01322, newly written): not adopted.
    """
    from .background import fill

    k = max(3, int(round(BAND_FRACTION * max(prior.shape))) | 1)
    disc = cv2.getStructuringElement(cv2.MORPH_ELLIPSE, (k, k))
    sure_fg = cv2.erode((prior > 0.9).astype(np.uint8), disc)
    sure_bg = cv2.erode((prior < 0.1).astype(np.uint8), disc)
    band = (sure_fg == 0) & (sure_bg == 0)
    if not band.any() or not sure_fg.any() or not sure_bg.any():
        return prior, None
    fg = fill(image, sure_fg.astype(np.float32))
    bg = fill(cv2.GaussianBlur(image, (0, 0), 2.0), sure_bg.astype(np.float32))  # smooth B
    d = fg - bg
    norm2 = np.einsum("hwc,hwc->hw", d, d)
    est = np.einsum("hwc,hwc->hw", image - bg, d) / (norm2 + 1.0)
    est = np.clip((est - LOW_CUT) / (1.0 - 2 * LOW_CUT), 0.0, 1.0)
    # Texture of the background nearby (RMS deviation from its smooth estimate): where
    # it is comparable to |F - B|, a background pixel can look like the subject.
    dev = np.einsum("hwc,hwc->hw", image - bg, image - bg)
    spread = np.sqrt(fill(dev[..., None], sure_bg.astype(np.float32))[..., 0])
    trust = np.clip((np.sqrt(norm2) - TEXTURE_K * spread - CONTRAST_MIN) / CONTRAST_FULL, 0.0, 1.0)
    mixed = trust * est + (1.0 - trust) * prior
    out = prior.copy()
    out[band] = mixed[band]
    out[sure_fg > 0] = 1.0
    out[sure_bg > 0] = 0.0
    texture = np.clip((spread - SPREAD_FLAT) / SPREAD_FULL, 0.0, 1.0).astype(np.float32)
    return out.astype(np.float32), texture


def _coefficients(guide: np.ndarray, src: np.ndarray, radius: int,
                  eps: float) -> tuple[np.ndarray, np.ndarray]:
    """Mean linear coefficients (a: (h, w, 3), b: (h, w)) of the colour guided filter."""
    size = (2 * radius + 1, 2 * radius + 1)

    def mean(x: np.ndarray) -> np.ndarray:
        return cv2.boxFilter(x, cv2.CV_32F, size, borderType=cv2.BORDER_REFLECT)

    mean_i = mean(guide)  # (h, w, 3)
    mean_p = mean(src)
    cov_ip = mean(guide * src[..., None]) - mean_i * mean_p[..., None]
    # Covariance of the guide, 3x3 per pixel (symmetric), regularised.
    idx = ((0, 0), (0, 1), (0, 2), (1, 1), (1, 2), (2, 2))
    var = {}
    for i, j in idx:
        var[i, j] = mean(guide[..., i] * guide[..., j]) - mean_i[..., i] * mean_i[..., j]
    for i in range(3):
        var[i, i] = var[i, i] + eps
    # Closed-form inverse of the symmetric 3x3 (adjugate / determinant), per pixel.
    s00, s01, s02, s11, s12, s22 = (var[k] for k in idx)
    c00 = s11 * s22 - s12 * s12
    c01 = s02 * s12 - s01 * s22
    c02 = s01 * s12 - s02 * s11
    c11 = s00 * s22 - s02 * s02
    c12 = s01 * s02 - s00 * s12
    c22 = s00 * s11 - s01 * s01
    det = s00 * c00 + s01 * c01 + s02 * c02
    p0, p1, p2 = cov_ip[..., 0], cov_ip[..., 1], cov_ip[..., 2]
    a = np.stack([c00 * p0 + c01 * p1 + c02 * p2,
                  c01 * p0 + c11 * p1 + c12 * p2,
                  c02 * p0 + c12 * p1 + c22 * p2], axis=-1) / det[..., None]
    b = mean_p - np.einsum("hwc,hwc->hw", a, mean_i)
    return mean(a), mean(b)


#: The head region kept by :func:`protect_region`: an ellipse around the face box, its
#: centre raised by this fraction of the box height (hair, hat) ...
HEAD_RAISE = 0.25
#: ... and its half-axes these multiples of the box width and height.
HEAD_AXES = (0.95, 1.05)


def protect_region(alpha: np.ndarray, matte: np.ndarray, box: tuple[float, float, float, float]) -> np.ndarray:
    """A more conservative alpha around the head: ``max(alpha, matte)`` inside a feathered
    ellipse around the face box, ``alpha`` elsewhere; float32 (H, W).

    The refined alpha trusts colour, and where hair or a hat is close in colour to the
    background it can cut them away -- enough to move a face detector's box. The
    segmenter's soft matte errs the other way (a slight rim of the old background, but
    the whole head). ``box`` is the face (x0, y0, x1, y1) in ``matte`` px.
    """
    h, w = alpha.shape[:2]
    mh, mw = matte.shape[:2]
    x0, y0, x1, y1 = box
    bw, bh = x1 - x0, y1 - y0
    ellipse = np.zeros((mh, mw), np.float32)
    centre = (int(round((x0 + x1) / 2)), int(round((y0 + y1) / 2 - HEAD_RAISE * bh)))
    axes = (max(1, int(round(HEAD_AXES[0] * bw))), max(1, int(round(HEAD_AXES[1] * bh))))
    cv2.ellipse(ellipse, centre, axes, 0, 0, 360, 1.0, -1)
    ellipse = cv2.GaussianBlur(ellipse, (0, 0), max(1.0, 0.1 * bw))
    keep = cv2.multiply(ellipse, np.asarray(matte, np.float32))
    up = cv2.resize(keep, (w, h), interpolation=cv2.INTER_LINEAR)
    return np.maximum(alpha, up)


#: The face held opaque by :func:`hold_face`: an ellipse centred in the face box with these
#: half-axes, fractions of the box width and height (eyes, nose, mouth; no hair, no ears).
FACE_AXES = (0.35, 0.4)


def hold_face(alpha: np.ndarray, matte: np.ndarray, box: tuple[float, float, float, float],
              firm: float = 0.5) -> np.ndarray:
    """``alpha`` with the middle of the face opaque where the segmenter sees the person
    (``matte`` >= ``firm``, the scene's ``PERSON_FIRM``): ``max(alpha, core)`` with ``core`` a
    feathered ellipse of :data:`FACE_AXES` in the face box; float32 (H, W).

    The colour model reads the face's own light or dark details against a similar background
    as background: white teeth before a light wall came out as the new off-white backdrop
    (faceapi_happy), a backlit face before bright leaves half-transparent (backlitovd_15). The
    face is the subject by definition; only a box overhanging a profile into the background,
    where the segmenter sees none, is left to the alpha. ``box`` is (x0, y0, x1, y1) in
    ``matte`` px.
    """
    h, w = alpha.shape[:2]
    sigma = max(0.5, 0.03 * (box[2] - box[0]))
    r = int(np.ceil(2 * sigma))
    # feathered inwards: eroded by two sigmas first, so nothing is held past the core's edge
    # (a held rim over the jaw's edge kept a glow of a light wall on apdrawing_model2911329)
    core = cv2.erode(face_core(matte, box, firm), cv2.getStructuringElement(cv2.MORPH_ELLIPSE, (2 * r + 1, 2 * r + 1)))
    core = cv2.GaussianBlur(core, (0, 0), sigma)
    up = cv2.resize(core, (w, h), interpolation=cv2.INTER_LINEAR)
    return np.maximum(alpha, np.clip(up * 2.0, 0.0, 1.0))


def face_core(matte: np.ndarray, box: tuple[float, float, float, float], firm: float = 0.5) -> np.ndarray:
    """The middle of the face where the segmenter sees the person: float32 (h, w) of ``matte``'s
    size, 1 inside the ellipse of :data:`FACE_AXES` in ``box`` (x0, y0, x1, y1, ``matte`` px)
    where ``matte`` >= ``firm`` (the scene's ``PERSON_FIRM``), else 0. What :func:`hold_face`
    keeps opaque, and what the remnant check of a copy does not take for old background."""
    x0, y0, x1, y1 = box
    bw, bh = x1 - x0, y1 - y0
    core = np.zeros(matte.shape[:2], np.float32)
    centre = (int(round((x0 + x1) / 2)), int(round((y0 + y1) / 2)))
    axes = (max(1, int(round(FACE_AXES[0] * bw))), max(1, int(round(FACE_AXES[1] * bh))))
    cv2.ellipse(core, centre, axes, 0, 0, 360, 1.0, -1)
    return core * (np.asarray(matte, np.float32) >= firm)



#: A hole the colour model punches inside the person is filled when the segmenter's matte
#: over it averages at least this (it saw the person there, not a gap showing the background) ...
HOLE_PERSON = 0.75
#: ... and it covers at most this share of the photo (a badge, a logo on a jacket; not the
#: space between an arm and the body, where the segmenter sees background anyway).
HOLE_MAX = 0.01
#: ... and lies this far (fraction of the long side) inside the person at its nearest (the
#: astronaut's name tag 4.7 %; gaps between curls or at a hem touch the outline).
HOLE_DEPTH = 0.02
#: ... and its mean colour is this far (8-bit RGB units) from the background nearest to it.
HOLE_UNLIKE = 40.0


def fill_holes(alpha: np.ndarray, matte: np.ndarray, rgb: np.ndarray) -> np.ndarray:
    """``alpha`` with the holes inside the person filled opaque; float32 (H, W).

    A hole is a connected part of ``alpha`` < 0.5 (at the size of ``matte``) that touches
    neither the frame nor the largest such part (the background outside), covers at most
    :data:`HOLE_MAX` of the photo, lies at least :data:`HOLE_DEPTH` inside the person, over
    which ``matte`` averages at least :data:`HOLE_PERSON`, and whose mean colour is at least
    :data:`HOLE_UNLIKE` from the background nearest to it (``rgb``: the photo at the size of
    ``matte``, uint8). The colour model reads a dark badge on a light suit as background when
    the segmenter's matte dips a little there (the astronaut's name tag, matte 0.9, alpha 0.1):
    on a new backdrop it shows as a window through the chest. Gaps that show the wall behind
    (an arm on the hip), and gaps between curls or at a hem, are left open.
    """
    m = np.asarray(matte, np.float32)
    mh, mw = m.shape[:2]
    h, w = alpha.shape[:2]
    small = alpha if (h, w) == (mh, mw) else shrink(alpha, (mw, mh))
    labels, stats, is_out = outside(small < 0.5)
    n = len(is_out)
    if n <= 2:
        return alpha
    area, outer = stats[1:, cv2.CC_STAT_AREA], is_out[1:]
    inner = ~outer & (area <= HOLE_MAX * mh * mw)
    if not inner.any():
        return alpha
    mean_m = np.bincount(labels.ravel(), weights=m.ravel(), minlength=n)[1:] / np.maximum(area, 1)
    # deep inside: every pixel of the hole at least HOLE_DEPTH from the background outside (a
    # gap between curls or at a hem is the outline's, and shows the old background)
    out_px = is_out[labels]
    depth = cv2.distanceTransform((~out_px).astype(np.uint8), cv2.DIST_L2, 3)
    shallow = np.bincount(labels[depth < HOLE_DEPTH * max(mh, mw)], minlength=n)[1:] > 0
    fill = np.zeros(n, bool)
    fill[1:] = inner & (mean_m >= HOLE_PERSON) & ~shallow
    if not fill.any():
        return alpha
    # ... and unlike the background nearest to it: a gap under an arm shows the wall behind
    from .background import fill as push_pull

    img = np.asarray(rgb, np.float32)
    old = push_pull(img, ((small < 0.02) & out_px).astype(np.float32))  # the background outside, not the holes
    gap = (img - old).reshape(-1, 3)
    mean_gap = np.stack([np.bincount(labels.ravel(), weights=gap[:, c], minlength=n)[1:] for c in range(3)], 1)
    mean_gap /= np.maximum(area, 1)[:, None]
    fill[1:] &= np.linalg.norm(mean_gap, axis=1) >= HOLE_UNLIKE
    if not fill.any():
        return alpha
    mask = cv2.dilate(fill[labels].astype(np.uint8), np.ones((3, 3), np.uint8))
    out = alpha.copy()
    if (h, w) == (mh, mw):
        return np.maximum(out, mask.astype(np.float32), out=out)
    # upsampled in the holes' bounding box only (a 12 MP alpha is 48 MB of floats)
    bx, by, bw_, bh_ = cv2.boundingRect(mask)
    x0, y0 = int(np.floor(bx * w / mw)), int(np.floor(by * h / mh))
    x1, y1 = min(w, int(np.ceil((bx + bw_) * w / mw))), min(h, int(np.ceil((by + bh_) * h / mh)))
    idx = (np.arange(y0, y1)[:, None] * w + np.arange(x0, x1)[None, :]).ravel()
    up = sample(mask.astype(np.float32), idx, (w, h)).reshape(y1 - y0, x1 - x0)
    np.maximum(out[y0:y1, x0:x1], up, out=out[y0:y1, x0:x1])
    return out


def outside(low: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The background outside a person: of the connected parts (4-connected) of ``low``
    (bool: not the person), those touching the frame and the largest. Returns the component
    labels (int32 (h, w), 0 where not ``low``), their stats (``cv2`` layout, background row
    first) and which labels are outside (bool, one per label, label 0 False)."""
    n, labels, stats, _ = cv2.connectedComponentsWithStats(low.astype(np.uint8), connectivity=4)
    h, w = low.shape
    x, y, bw, bh, area = (stats[:, i] for i in range(5))
    outer = (x == 0) | (y == 0) | (x + bw == w) | (y + bh == h)
    outer[0] = False
    if n > 1:
        outer[1 + int(np.argmax(area[1:]))] = True
    return labels, stats, outer
