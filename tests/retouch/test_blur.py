"""Lens blur of the background."""

from __future__ import annotations

import numpy as np

from headshot_lint.retouch.blur import blur_background, disc_kernel


def _scene():
    h, w = 300, 400
    yy, xx = np.mgrid[0:h, 0:w]
    checker = (((xx // 8) + (yy // 8)) % 2 * 200 + 20).astype(np.uint8)
    rgb = np.stack([checker] * 3, -1)
    alpha = (((xx - 200) ** 2 + (yy - 150) ** 2) <= 60 ** 2).astype(np.float32)
    rgb[alpha > 0] = (230, 20, 20)  # a red subject
    return rgb, alpha


def test_disc_kernel_sums_to_one_and_is_round():
    """The bokeh kernel is normalised and zero outside its radius."""
    k = disc_kernel(6)
    assert abs(k.sum() - 1) < 1e-5 and k[0, 0] == 0 and k[6, 6] > 0


def test_blur_smooths_the_background_and_keeps_the_subject():
    """Background texture variance drops a lot; subject pixels are unchanged."""
    rgb, alpha = _scene()
    out = blur_background(rgb, alpha, radius_px=12)
    bg = alpha == 0
    assert out[..., 1][bg][:2000].std() < 0.3 * rgb[..., 1][bg][:2000].std()
    assert (out[alpha > 0] == rgb[alpha > 0]).all()


def test_subject_colour_does_not_bleed_into_the_background():
    """Just outside the red subject the blurred background stays grey (no red smear)."""
    rgb, alpha = _scene()
    out = blur_background(rgb, alpha, radius_px=12).astype(int)
    yy, xx = np.mgrid[0:300, 0:400]
    d = np.hypot(xx - 200, yy - 150)
    near = (d > 64) & (d < 80)
    assert np.abs(out[..., 0][near] - out[..., 1][near]).max() < 8
