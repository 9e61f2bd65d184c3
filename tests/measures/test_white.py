"""white_background: white fraction, clipping and halation on astronaut composites."""

from __future__ import annotations

import functools

import cv2
import numpy as np

from headshot_lint.measures.white import white_background
from headshot_lint.model import NOT_ASSESSABLE
from tests.conftest import assert_in_range, scene_of
from tests.measures.test_backlight import alpha, composite


@functools.lru_cache(maxsize=None)
def _measure(level: int, noise: float = 0.0, glow: float = 0.0):
    bg = np.full((512, 512, 3), float(level), np.float32)
    if noise:
        grain = np.random.default_rng(0).normal(0, noise, (256, 256)).astype(np.float32)
        bg += np.kron(grain, np.ones((2, 2), np.float32))[..., None]  # 2 px grain: measured at half size
    if glow:  # a bright rim hugging the subject's outline, fading outwards
        rim = cv2.GaussianBlur((alpha()[..., 0] > 0.5).astype(np.float32), (0, 0), 6)
        bg += glow * rim[..., None]
    m = white_background(scene_of(composite(np.clip(bg, 0, 255))))
    assert m.status == "ok", m.reason
    return m


def test_brighter_background_more_white():
    """white_fraction rises with the background level and is near 1 on pure white."""
    values = [_measure(level).values["white_fraction"] for level in (128, 225, 240, 255)]
    assert values[0] < 0.01 and values[1] < 0.01 and values[2] > 0.8 and values[3] >= values[2], values


def test_texture_is_not_flat_white():
    """Grain (2 px) on a near-white background lowers white_fraction (it is no longer flat)."""
    assert _measure(240, noise=6.0).values["white_fraction"] < _measure(240).values["white_fraction"] - 0.3


def test_clipping():
    """clipped_fraction is ~1 on a 255 background and ~0 on a 235 one (a few subject highlights aside)."""
    assert_in_range(_measure(255).values["clipped_fraction"], 0.95, 1.0, photo="astronaut-white255",
                    code="HL202", unit="fraction", name="clipped_fraction")
    assert _measure(235).values["clipped_fraction"] < 0.01


def test_halation_glow():
    """A bright rim around the hair raises halo_glow_l; without one it is near 0."""
    plain, glowing = _measure(200), _measure(200, glow=50.0)
    assert_in_range(plain.values["halo_glow_l"], -5, 5, photo="astronaut-grey200", code="HL202", unit="ΔL*",
                    name="halo_glow_l")
    assert glowing.values["halo_glow_l"] > plain.values["halo_glow_l"] + 3, (plain.values, glowing.values)
    assert any(r.label == "hair edge" for r in glowing.regions)


def test_empty_background_is_not_assessable():
    """With no background pixels the measure says not-assessable."""
    scene = scene_of(composite((255, 255, 255)))
    scene.__dict__["background_mask"] = np.zeros((scene.height, scene.width), bool)
    assert white_background(scene).status == NOT_ASSESSABLE
