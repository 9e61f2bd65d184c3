"""Full-resolution matte refinement."""

from __future__ import annotations

import cv2
import numpy as np

from headshot_lint.retouch.matte import refine_matte


def _disc_photo(size: int = 800):
    yy, xx = np.mgrid[0:size, 0:size]
    truth = ((xx - size / 2) ** 2 + (yy - size / 2) ** 2 <= (size / 4) ** 2).astype(np.float32)
    rgb = np.where(truth[..., None] > 0, (60, 40, 30), (200, 205, 210)).astype(np.uint8)
    # A coarse, blurry analysis-size matte, as a segmenter gives it.
    coarse = cv2.GaussianBlur(cv2.resize(truth, (160, 160), interpolation=cv2.INTER_AREA), (0, 0), 3)
    return rgb, truth, coarse


def test_refined_matte_has_full_size_and_range():
    """The alpha has the photo's size and stays in [0, 1]."""
    rgb, _, coarse = _disc_photo()
    alpha = refine_matte(rgb, coarse)
    assert alpha.shape == rgb.shape[:2] and alpha.dtype == np.float32
    assert alpha.min() >= 0.0 and alpha.max() <= 1.0


def test_refinement_snaps_a_blurry_matte_to_the_edge():
    """Refined alpha is much closer to the true edge than the upsampled coarse matte."""
    rgb, truth, coarse = _disc_photo()
    up = cv2.resize(coarse, (rgb.shape[1], rgb.shape[0]), interpolation=cv2.INTER_LINEAR)
    alpha = refine_matte(rgb, coarse)
    assert np.abs(alpha - truth).mean() < 0.3 * np.abs(up - truth).mean()


def test_no_glow_outside_the_subject():
    """Background a few px beyond the edge gets alpha ~0 (no halo of the old background)."""
    rgb, truth, coarse = _disc_photo()
    ring = cv2.dilate(truth.astype(np.uint8), np.ones((15, 15), np.uint8)) == 0
    assert refine_matte(rgb, coarse)[ring].max() < 0.05
