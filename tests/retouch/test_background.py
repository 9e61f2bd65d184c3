"""Background replacement: fill, decontaminating composite, backdrops."""

from __future__ import annotations

import numpy as np

from headshot_lint import color
from headshot_lint.retouch.background import VIGNETTE_L, backdrop, composite, fill, replace_background


def test_fill_keeps_known_pixels_and_fills_holes_from_them():
    """Known pixels are kept; a hole in a flat colour is filled with that colour."""
    img = np.zeros((64, 64, 3), np.float32)
    img[:] = (10, 120, 200)
    img[20:40, 20:40] = (255, 0, 0)  # what the hole hides
    known = np.ones((64, 64), np.float32)
    known[16:44, 16:44] = 0
    out = fill(img, known)
    assert np.allclose(out[known > 0], img[known > 0])
    assert np.abs(out[30, 30] - (10, 120, 200)).max() < 1.0


def test_composite_removes_the_old_background_from_the_fringe():
    """With the right alpha and old background, a mixed fringe pixel keeps only the subject."""
    f, b, n = np.array([200, 150, 120.]), np.array([0, 200, 0.]), np.array([128, 128, 128.])
    alpha = np.linspace(0, 1, 11, dtype=np.float32)[None, :].repeat(4, 0)
    rgb = np.rint(alpha[..., None] * f + (1 - alpha[..., None]) * b).astype(np.uint8)
    old = np.broadcast_to(b, rgb.shape).astype(np.float32)
    out = composite(rgb, alpha, old, n.astype(np.float32))
    expect = alpha[..., None] * f + (1 - alpha[..., None]) * n
    assert np.abs(out - expect).max() <= 2


def test_composite_keeps_subject_and_replaces_background():
    """alpha 1 keeps the photo exactly; alpha 0 is the new backdrop."""
    rgb = np.random.default_rng(0).integers(0, 256, (20, 20, 3), dtype=np.uint8)
    alpha = np.zeros((20, 20), np.float32)
    alpha[:, 10:] = 1
    out = composite(rgb, alpha, np.zeros((5, 5, 3), np.float32), np.array([1, 2, 3], np.float32))
    assert (out[:, 10:] == rgb[:, 10:]).all()
    assert (out[:, :10] == (1, 2, 3)).all()


def test_gradient_backdrop_is_the_tone_at_the_head_and_darker_at_the_corners():
    """The vignette is the recommended tone behind the head, VIGNETTE_L darker at a far corner."""
    plate = backdrop((400, 300), "#808080", style="gradient", center=(0.5, 0.4))
    lab = color.rgb_to_lab(np.clip(np.rint(plate), 0, 255).astype(np.uint8))
    centre = float(np.median(lab[110:130, 190:210, 0]))
    corner = float(np.median(lab[-10:, -10:, 0]))
    assert abs(centre - float(color.rgb_to_lab(np.array([128, 128, 128], np.uint8))[0])) < 1.5
    assert VIGNETTE_L * 0.6 < centre - corner <= VIGNETTE_L + 1


def test_replace_background_gives_the_tone_where_alpha_is_zero():
    """Far from the subject the new background is the requested tone (within the grain)."""
    rgb = np.zeros((120, 160, 3), np.uint8)
    rgb[..., 0] = np.arange(160, dtype=np.uint8)[None, :]  # a gradient old background
    alpha = np.zeros((120, 160), np.float32)
    alpha[40:80, 60:100] = 1
    out = replace_background(rgb, alpha, "#5E5E5E")
    assert np.abs(out[:20].astype(int) - 0x5E).mean() < 1.5
    assert (out[40:80, 60:100] == rgb[40:80, 60:100]).all()


def test_backdrop_u8_is_the_float_backdrop_rounded():
    """The 8-bit plate a copy gets is the float backdrop rounded (same grain, same vignette)."""
    from headshot_lint.retouch.background import backdrop_u8

    for style in ("flat", "gradient"):
        f = backdrop((120, 90), "#7A7A7A", style=style, center=(0.5, 0.4))
        u = backdrop_u8((120, 90), "#7A7A7A", style=style, center=(0.5, 0.4))
        assert u.dtype == np.uint8 and np.abs(u.astype(float) - np.clip(f, 0, 255)).max() <= 0.5 + 1e-3


def test_composite_with_a_full_size_uint8_backdrop():
    """A full-size uint8 backdrop is used as is where alpha is 0."""
    rgb = np.full((10, 12, 3), 200, np.uint8)
    alpha = np.zeros((10, 12), np.float32)
    alpha[:, 6:] = 1
    plate = np.random.default_rng(0).integers(0, 256, (10, 12, 3), dtype=np.uint8)
    out = composite(rgb, alpha, np.zeros((2, 2, 3), np.float32), plate)
    assert (out[:, :6] == plate[:, :6]).all() and (out[:, 6:] == 200).all()
