"""Replace the background: estimate the old one, decontaminate the hair fringe, composite.

Compositing model (Porter-Duff "over", the matting equation)::

    I = alpha * F + (1 - alpha) * B

with I the photo, F the subject's own colour, B the old background. In the hair
fringe I mixes both; pasting I over a new backdrop N would keep a rim of the old
background. So the foreground is decontaminated first, ``alpha * F = I - (1 - alpha) B``
(clipped to [0, 255 * alpha]), with B estimated by filling the person region with
nearby background (push-pull, normalised convolution over a Gaussian pyramid), and
the result is ``alpha * F + (1 - alpha) * N``.
"""

from __future__ import annotations

import cv2
import numpy as np

from .. import color
from ._points import band, sample, shrink

#: Long side of the level at which the old background is estimated, px.
PLATE_LONG_SIDE = 512
#: Alpha under which a pixel counts as clean background for the estimate.
CLEAN_BELOW = 0.1
#: RMS deviation of the background from its smooth estimate (8-bit levels) up to which it
#: counts as flat, and the extra deviation at which it is fully textured.
TEXTURE_FLAT = 6.0
TEXTURE_FULL = 14.0
#: Darkening of the backdrop at the far corners of the vignette, CIE L* units.
VIGNETTE_L = 10.0
#: Standard deviation of the grain added to a synthetic backdrop, 8-bit levels (dither
#: against banding after JPEG, and so it does not look pasted against a grainy subject).
GRAIN = 0.8


def fill(image: np.ndarray, weight: np.ndarray) -> np.ndarray:
    """Fill where ``weight`` is low with the weighted colours around it (push-pull).

    Parameters
    ----------
    image : ndarray, float32 (h, w, c)
    weight : ndarray, float32 (h, w) in [0, 1]; 1 = known pixel.

    Returns
    -------
    ndarray, float32 (h, w, c): known pixels kept, unknown ones smoothly interpolated
    from the nearest known ones at every scale.
    """
    img = image.astype(np.float32)
    if img.ndim == 2:
        return fill(img[..., None], weight)[..., 0]
    w = np.clip(weight.astype(np.float32), 0.0, 1.0)
    if float(w.max(initial=0.0)) <= 0.0:
        return np.broadcast_to(img.reshape(-1, img.shape[-1]).mean(0), img.shape).astype(np.float32)

    def down(x: np.ndarray) -> np.ndarray:
        y = cv2.pyrDown(x)
        return y.reshape(y.shape[:2] + x.shape[2:])  # OpenCV drops a single channel

    levels: list[tuple[np.ndarray, np.ndarray]] = []
    while min(w.shape[:2]) > 4:
        levels.append((img, w))
        wi = down(img * w[..., None])
        ww = cv2.pyrDown(w)
        img = wi / np.maximum(ww, 1e-6)[..., None]
        w = np.clip(ww * 4.0, 0.0, 1.0)  # a coarse pixel is known if a quarter of it is
    for fine, fw in reversed(levels):
        up = cv2.pyrUp(img, dstsize=(fine.shape[1], fine.shape[0]))
        up = up.reshape(fine.shape)
        img = fine * fw[..., None] + up * (1.0 - fw[..., None])
    return img


def old_background(rgb: np.ndarray, alpha: np.ndarray,
                   long_side: int = PLATE_LONG_SIDE) -> tuple[np.ndarray, np.ndarray]:
    """The background behind the subject, estimated at low resolution.

    Returns the smooth estimate, float32 (h, w, 3) in [0, 255], and how textured the
    background is around each point, float32 (h, w) in [0, 1] (RMS deviation from the
    estimate, between ``TEXTURE_FLAT`` and ``TEXTURE_FLAT + TEXTURE_FULL`` levels), both at
    ``long_side`` (upsample them to use them).
    """
    h, w = rgb.shape[:2]
    s = min(1.0, long_side / max(h, w))
    size = (max(1, round(w * s)), max(1, round(h * s)))
    small = shrink(rgb, size).astype(np.float32)
    a = shrink(np.asarray(alpha, np.float32), size)
    # Clean background only; erode the known region by a pixel so hair wisps stay out.
    known = (a < CLEAN_BELOW).astype(np.uint8)
    known = cv2.erode(known, np.ones((3, 3), np.uint8)).astype(np.float32)
    smooth = fill(cv2.GaussianBlur(small, (0, 0), 2.0), known)
    dev = small - smooth
    spread = np.sqrt(fill(np.einsum("hwc,hwc->hw", dev, dev)[..., None], known)[..., 0])
    texture = np.clip((spread - TEXTURE_FLAT) / TEXTURE_FULL, 0.0, 1.0).astype(np.float32)
    return smooth, texture


def composite(rgb: np.ndarray, alpha: np.ndarray, old: np.ndarray, new: np.ndarray,
              texture: np.ndarray | None = None) -> np.ndarray:
    """``alpha * F + (1 - alpha) * new`` with ``alpha * F = I - (1 - alpha) * old``, uint8.

    ``old``, ``new`` and ``texture`` may be at any size (they are upsampled bilinearly);
    ``new`` may also be a single colour (3,), or the full-size uint8 backdrop itself.
    Where ``texture`` is 1 the smooth ``old`` cannot describe the background (a pebble
    would survive the subtraction), so the fringe falls back to the plain ``alpha * I``.

    Where alpha is 1 the result is the photo, where it is 0 the new backdrop; the
    matting equation runs only on the band in between (see :mod:`._points`).
    """
    h, w = rgb.shape[:2]
    a = np.asarray(alpha, np.float32)
    out = _plate(new, w, h)
    out = cv2.copyTo(rgb, cv2.compare(a, 1.0, cv2.CMP_GE), out)
    idx = band(a)
    if not idx.size:
        return out
    flat_out = out.reshape(-1, 3)
    al = a.reshape(-1)[idx][:, None]
    inv = 1.0 - al
    img = rgb.reshape(-1, 3)[idx].astype(np.float32)
    fg = img - inv * sample(old, idx, (w, h))
    np.clip(fg, 0.0, None, out=fg)
    np.minimum(fg, al * 255.0, out=fg)
    if texture is not None and float(texture.max(initial=0.0)) > 0.0:
        t = sample(texture, idx, (w, h))[:, None]
        fg += t * (al * img - fg)
    res = fg + inv * flat_out[idx].astype(np.float32)
    flat_out[idx] = np.clip(np.rint(res), 0, 255).astype(np.uint8)
    return out


def _plate(new: np.ndarray, w: int, h: int) -> np.ndarray:
    """The new background as a fresh uint8 (h, w, 3) array."""
    new = np.asarray(new)
    if new.ndim == 1:
        out = np.empty((h, w, 3), np.uint8)
        out[:] = np.clip(np.rint(new.astype(np.float32)), 0, 255).astype(np.uint8)
        return out
    if new.dtype != np.uint8:
        # Round at the low resolution: the plate is smooth, upsampling adds nothing finer.
        new = np.clip(np.rint(new.astype(np.float32, copy=False)), 0, 255).astype(np.uint8)
    if new.shape[:2] == (h, w):
        return new.copy()
    return cv2.resize(new, (w, h), interpolation=cv2.INTER_LINEAR)


def backdrop(size: tuple[int, int], hex_colour: str, *, style: str = "flat",
             center: tuple[float, float] | None = None, seed: int = 0) -> np.ndarray:
    """A studio backdrop, float32 (h, w, 3) in [0, 255], ``size = (w, h)``.

    ``"flat"`` is the tone itself; ``"gradient"`` is a subtle studio vignette: the tone
    behind the head (``center``, fractions of the width and height), falling off
    smoothly to ``VIGNETTE_L`` L* darker at the far corners. Both get a faint grain.
    Built at low resolution (it is smooth) and upsampled. :func:`backdrop_u8` is the
    same plate rounded to 8 bits (what a corrected copy gets).
    """
    w, h = size
    plate = _smooth_plate(size, hex_colour, style, center)
    plate += _grain(w, h, seed)[..., None]
    return plate


def backdrop_u8(size: tuple[int, int], hex_colour: str, *, style: str = "flat",
                center: tuple[float, float] | None = None, seed: int = 0) -> np.ndarray:
    """:func:`backdrop` rounded to uint8 (h, w, 3): the grain dithers the vignette."""
    w, h = size
    noise = _grain(w, h, seed)
    if style != "gradient":
        tone = color.hex_to_rgb(hex_colour).astype(np.float32)
        return cv2.merge([cv2.add(noise, float(t), dtype=cv2.CV_8U) for t in tone])
    plate = _smooth_plate(size, hex_colour, style, center)
    return cv2.add(plate, cv2.merge([noise, noise, noise]), dtype=cv2.CV_8U)


def _smooth_plate(size: tuple[int, int], hex_colour: str, style: str,
                  center: tuple[float, float] | None) -> np.ndarray:
    w, h = size
    tone = color.hex_to_rgb(hex_colour).astype(np.float32).reshape(1, 1, 3)
    if style != "gradient":
        plate = np.empty((h, w, 3), np.float32)
        plate[:] = tone
        return plate
    sw, sh = max(2, round(w * 256 / max(w, h))), max(2, round(h * 256 / max(w, h)))
    cx, cy = center or (0.5, 0.4)
    yy, xx = np.mgrid[0:sh, 0:sw].astype(np.float32)
    dx, dy = xx / sw - cx, (yy / sh - cy) * (h / w)
    r2 = dx * dx + dy * dy
    corners = [(0 - cx) ** 2, (1 - cx) ** 2]
    far = max(corners) + max((0 - cy) ** 2, (1 - cy) ** 2) * (h / w) ** 2
    lab = np.broadcast_to(color.rgb_to_lab(tone.astype(np.uint8)), (sh, sw, 3)).copy()
    lab[..., 0] -= VIGNETTE_L * np.clip(r2 / far, 0, 1) ** 1.2
    small = color.lab_to_rgb(lab).astype(np.float32)
    return cv2.resize(small, (w, h), interpolation=cv2.INTER_CUBIC)


#: Side of the tile of grain repeated over a backdrop, px (drawing 12 M normal samples
#: costs ~50 ms; a 1024 px period of sub-level noise cannot be seen).
GRAIN_TILE = 1024


def _grain(w: int, h: int, seed: int) -> np.ndarray:
    """Gaussian grain of ``GRAIN`` levels, float32 (h, w), the same for a given seed."""
    if GRAIN <= 0:
        return np.zeros((h, w), np.float32)
    tile = np.empty((min(h, GRAIN_TILE), min(w, GRAIN_TILE)), np.float32)
    cv2.setRNGSeed(seed)
    cv2.randn(tile, 0.0, GRAIN)
    if tile.shape == (h, w):
        return tile
    reps = (-(-h // tile.shape[0]), -(-w // tile.shape[1]))
    return np.ascontiguousarray(cv2.repeat(tile, *reps)[:h, :w])


def replace_background(rgb: np.ndarray, alpha: np.ndarray, hex_colour: str, *, style: str = "flat",
                       center: tuple[float, float] | None = None) -> np.ndarray:
    """The photo with its background replaced by ``hex_colour``, uint8 (H, W, 3).

    Parameters
    ----------
    rgb : ndarray, uint8 (H, W, 3)
        Full-resolution photo.
    alpha : ndarray, float32 (H, W) in [0, 1]
        Person alpha at the same size (:func:`..matte.refine_matte`).
    hex_colour : str
        The new tone, "#RRGGBB".
    style : str
        "flat" or "gradient" (see :func:`backdrop`).
    center : tuple of float, optional
        Where the head is, fractions of width and height (vignette centre).
    """
    h, w = rgb.shape[:2]
    new = backdrop_u8((w, h), hex_colour, style=style, center=center)
    old, texture = old_background(rgb, alpha)
    return composite(rgb, alpha, old, new, texture)
