"""Blur an environmental background like a wide-open lens, without the subject bleeding in.

A lens renders out-of-focus points as discs (bokeh), in linear light, so bright
points bloom; a Gaussian in sRGB looks smeared instead. The subject must not
smear into the background either: the person region is first filled with the
background around it (push-pull, see :func:`.background.fill`), the filled plate
is disc-blurred, and the sharp subject is composited back over it with the
refined alpha and the fringe decontaminated (:func:`.background.composite`).

The blur is computed at a reduced size where the disc is at most ``MAX_DISC_PX``
wide, then upsampled: a blurred background has nothing finer to lose.
"""

from __future__ import annotations

import cv2
import numpy as np

from ._points import shrink
from .background import composite, fill, old_background

#: Default disc radius as a fraction of the photo's long side (a portrait lens near f/2).
DEFAULT_RADIUS_FRACTION = 0.02
#: Largest disc radius computed directly, px; larger blurs are computed downscaled.
MAX_DISC_PX = 10
#: Alpha under which a pixel is background that feeds the blur.
BACKGROUND_BELOW = 0.25

_TO_LINEAR = (((np.arange(256) / 255.0) <= 0.04045).choose(
    (((np.arange(256) / 255.0) + 0.055) / 1.055) ** 2.4, np.arange(256) / 255.0 / 12.92)).astype(np.float32)


def disc_kernel(radius: float) -> np.ndarray:
    """Normalised anti-aliased disc, float32 (2r+1, 2r+1), summing to 1."""
    r = max(0.5, float(radius))
    n = int(np.ceil(r))
    yy, xx = np.mgrid[-n:n + 1, -n:n + 1].astype(np.float32)
    k = np.clip(r + 0.5 - np.hypot(xx, yy), 0.0, 1.0)
    return (k / k.sum()).astype(np.float32)


def _to_srgb(lin: np.ndarray) -> np.ndarray:
    lin = np.clip(lin, 0.0, 1.0)
    return np.where(lin <= 0.0031308, lin * 12.92, 1.055 * np.power(lin, 1 / 2.4) - 0.055) * 255.0


def blurred_plate(rgb: np.ndarray, alpha: np.ndarray, radius_px: float) -> np.ndarray:
    """Background with the person filled in and disc-blurred, float32 (h, w, 3) in [0, 255]
    at a reduced size (upsample it to use it)."""
    h, w = rgb.shape[:2]
    s = min(1.0, MAX_DISC_PX / max(radius_px, 1e-6))
    size = (max(8, round(w * s)), max(8, round(h * s)))
    small = shrink(rgb, size)
    a = shrink(np.asarray(alpha, np.float32), size)
    lin = _TO_LINEAR[small]
    # Known = clearly background; dilating the person by the disc keeps any subject
    # colour out of the disc's reach.
    person = (a >= BACKGROUND_BELOW).astype(np.uint8)
    r = max(1, int(round(radius_px * s)))
    person = cv2.dilate(person, cv2.getStructuringElement(cv2.MORPH_ELLIPSE, (2 * r + 1, 2 * r + 1)))
    plate = fill(lin, 1.0 - person.astype(np.float32))
    plate = cv2.filter2D(plate, -1, disc_kernel(radius_px * s), borderType=cv2.BORDER_REFLECT)
    return _to_srgb(plate).astype(np.float32)


def blur_background(rgb: np.ndarray, alpha: np.ndarray, radius_px: float | None = None) -> np.ndarray:
    """The photo with its background lens-blurred, uint8 (H, W, 3).

    Parameters
    ----------
    rgb : ndarray, uint8 (H, W, 3)
        Full-resolution photo.
    alpha : ndarray, float32 (H, W) in [0, 1]
        Person alpha at the same size.
    radius_px : float, optional
        Disc radius in full-resolution px; default ``DEFAULT_RADIUS_FRACTION`` of the
        long side.
    """
    if radius_px is None or radius_px <= 0:
        radius_px = DEFAULT_RADIUS_FRACTION * max(rgb.shape[:2])
    new = blurred_plate(rgb, alpha, radius_px)
    old, texture = old_background(rgb, alpha)
    return composite(rgb, alpha, old, new, texture)
