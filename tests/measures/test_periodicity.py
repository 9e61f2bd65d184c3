"""patterned_background: periodicity of synthetic stripes and textures behind the astronaut."""

from __future__ import annotations

import numpy as np
from skimage import data

from headshot_lint.measures.periodicity import patch_periodicity, patterned_background
from headshot_lint.model import NOT_ASSESSABLE
from tests.conftest import assert_in_range, scene_of
from tests.measures.test_clutter import composite


def stripes(amplitude: float, period: float = 12.0, angle_deg: float = 20.0, seed: int = 0) -> np.ndarray:
    """Mid-grey background with sinusoidal stripes of ``amplitude`` grey levels plus mild noise."""
    rng = np.random.default_rng(seed)
    yy, xx = np.mgrid[:512, :512].astype(np.float32)
    t = np.radians(angle_deg)
    wave = amplitude * np.sin(2 * np.pi * (xx * np.cos(t) + yy * np.sin(t)) / period)
    g = 128 + wave + rng.normal(0, 3, (512, 512))
    return np.repeat(np.clip(g, 0, 255).astype(np.uint8)[..., None], 3, axis=2)


def _periodicity(bg: np.ndarray) -> float:
    m = patterned_background(scene_of(composite(bg)))
    assert m.status == "ok", m.reason
    return m.values["periodicity"]


def test_stronger_stripes_stronger_periodicity():
    """periodicity is monotonic in the stripes' amplitude."""
    values = [_periodicity(stripes(a)) for a in (0, 8, 20, 60)]
    assert all(a <= b + 0.02 for a, b in zip(values, values[1:])), values
    assert values[-1] > values[0] + 0.5, values


def test_flat_grey_is_clean():
    """A flat grey background (noise only) has no periodicity."""
    assert_in_range(_periodicity(stripes(0)), 0.0, 0.05, photo="astronaut-flat", code="HL102", unit="autocorrelation")


def test_random_texture_below_stripes():
    """Random texture (skimage gravel) scores below clear stripes of similar contrast."""
    def score(img: np.ndarray) -> float:
        g = img.astype(np.float32)[:448, :448]
        patches = np.stack([g[y:y + 64, x:x + 64] - g[y:y + 64, x:x + 64].mean()
                            for y in range(0, 448, 64) for x in range(0, 448, 64)])
        return float(np.median(patch_periodicity(patches)[0]))
    gravel, striped = score(data.gravel()), score(stripes(20)[..., 0])
    assert gravel < striped - 0.3, (gravel, striped)


def test_period_and_range():
    """Strong stripes give a value in [0, 2] and the period found matches the one drawn."""
    m = patterned_background(scene_of(composite(stripes(60, period=12.0, angle_deg=0.0))))
    assert_in_range(m.values["periodicity"], 0.0, 2.0, photo="astronaut-stripes", code="HL102",
                    unit="autocorrelation")
    assert_in_range(m.values["period_px"], 11.0, 13.0, photo="astronaut-stripes", code="HL102", unit="px",
                    name="period_px")
    assert m.regions


def test_empty_background_is_not_assessable():
    """With no background pixels the measure says not-assessable."""
    scene = scene_of(composite(stripes(60)))
    scene.__dict__["background_mask"] = np.zeros((scene.height, scene.width), bool)
    assert patterned_background(scene).status == NOT_ASSESSABLE


def test_partly_hidden_patch_keeps_its_period():
    """Stripes in a patch whose left third is masked out still score high and give the drawn period."""
    g = stripes(60, period=10.0, angle_deg=90.0)[:64, :64, 0].astype(np.float32)
    mask = np.ones((1, 64, 64), np.float32)
    mask[:, :, :22] = 0.0
    patch = ((g - g.mean()) * mask[0])[None]
    scores, lags = patch_periodicity(patch, mask)
    assert scores[0] > 0.8, scores
    assert_in_range(float(np.hypot(*lags[0])), 9.0, 11.0, photo="stripes-hidden", code="HL102", unit="px",
                    name="period_px")


def test_plain_patches_score_zero_without_a_period():
    """Patches with less detail than the plain limit score 0 with lag (0, 0); a striped one beside them still scores."""
    from headshot_lint.measures.periodicity import PATCH, patch_periodicity

    rng = np.random.default_rng(0)
    plain = rng.normal(0.0, 1.0, (2, PATCH, PATCH)).astype(np.float32)
    stripes = (20.0 * np.sin(2 * np.pi * np.arange(PATCH) / 8.0))[None, None, :].repeat(PATCH, axis=1).astype(np.float32)
    scores, lags = patch_periodicity(np.concatenate([plain, stripes]))
    assert scores[:2].tolist() == [0.0, 0.0] and lags[:2].tolist() == [[0, 0], [0, 0]]
    assert scores[2] > 0.5 and abs(lags[2][1]) == 8
