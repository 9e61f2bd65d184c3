"""The pattern candidates' texture statistics tell repetition, texture and flatness apart
on hand-built feature maps (benchmarks/fit_pattern.py)."""

from __future__ import annotations

import numpy as np

from benchmarks.fit_pattern import gram_correlations, local_energy, repetition

ROWS, COLS, CHANNELS = 12, 16, 40  # channels as the stride-8 map


def _even() -> np.ndarray:
    return np.full((ROWS, COLS), 1.0 / (ROWS * COLS), np.float32)


def _tiled(period: int = 3, seed: int = 0) -> np.ndarray:
    motif = np.random.default_rng(seed).normal(size=(CHANNELS, period, period))
    return np.tile(motif, (1, ROWS // period + 1, COLS // period + 1))[:, :ROWS, :COLS].astype(np.float32)


def _noise(seed: int = 1) -> np.ndarray:
    return np.random.default_rng(seed).normal(size=(CHANNELS, ROWS, COLS)).astype(np.float32)


def test_a_tiled_motif_repeats_and_noise_does_not():
    assert repetition(_tiled(), _even()) > 0.9
    assert repetition(_noise(), _even()) < 0.2


def test_a_flat_map_has_no_texture_energy_and_no_repetition():
    flat = np.ones((CHANNELS, ROWS, COLS), np.float32)
    assert local_energy(flat, _even()) < 1e-5
    assert repetition(flat, _even()) == 0.0
    assert local_energy(_noise(), _even()) > 1.0


def test_only_background_cells_count():
    """A motif on the background cells repeats even when the rest of the map is noise."""
    m = _noise()
    m[:, :, :8] = _tiled()[:, :, :8]
    w = np.zeros((ROWS, COLS), np.float32)
    w[:, :8] = 1.0 / (ROWS * 8)
    assert repetition(m, w) > 0.9
    assert repetition(m, _even()) < 0.7


def test_gram_correlations_are_the_channel_correlations():
    m = _noise()
    m[1] = 2.0 * m[0] + 3.0
    m[2] = -m[0]
    g = gram_correlations(m, _even())
    assert g.shape == (CHANNELS * (CHANNELS - 1) // 2,)
    assert np.all(np.abs(g) <= 1.0 + 1e-9)
    assert g[0] > 0.999 and g[1] < -0.999  # pairs (0, 1) and (0, 2)


def test_class_probabilities_are_the_background_cells_softmax():
    """With all weight on one cell, the block is (the log of) that cell's softmax; the probabilities of
    any weighting sum to one."""
    from benchmarks.fit_pattern import class_log_probabilities

    rng = np.random.default_rng(2)
    fc = (rng.normal(size=(5, CHANNELS)).astype(np.float32), rng.normal(size=5).astype(np.float32))
    m = _noise()
    one = np.zeros((ROWS, COLS), np.float32)
    one[3, 4] = 1.0
    z = fc[0] @ m[:, 3, 4] + fc[1]
    want = np.exp(z) / np.exp(z).sum()
    assert np.allclose(np.exp(class_log_probabilities(m, one, fc)), want, atol=1e-5)
    assert abs(np.exp(class_log_probabilities(m, _even(), fc)).sum() - 1.0) < 1e-3


# -- repetition as seen (second round) ----------------------------------------------
def _values(gray: np.ndarray, background: np.ndarray, maps=None) -> dict:
    from types import SimpleNamespace

    from benchmarks.fit_pattern import REPEAT_KEYS, repeat_as_seen

    if maps is None:
        maps = SimpleNamespace(stride8=_noise(), stride16=_noise(3)[:, :6, :8])
    return dict(zip(REPEAT_KEYS, repeat_as_seen(gray, background, maps)))


def _stripes(period: int = 12, h: int = 480, w: int = 640) -> np.ndarray:
    x = np.arange(w)
    return np.tile(128 + 60 * np.sign(np.sin(2 * np.pi * x / period)), (h, 1)).astype(np.uint8)


def _grain(h: int = 480, w: int = 640, seed: int = 4) -> np.ndarray:
    return np.clip(128 + 25 * np.random.default_rng(seed).normal(size=(h, w)), 0, 255).astype(np.uint8)


def test_stripes_repeat_and_are_coherent_and_grain_is_neither():
    everywhere = np.ones((480, 640), bool)
    stripes, grain = _values(_stripes(), everywhere), _values(_grain(), everywhere)
    assert stripes["ac2_score"] > 0.8 and grain["ac2_score"] < 0.3
    assert stripes["coherence2"] > 0.9 and grain["coherence2"] < 0.5
    assert stripes["global_coherence2"] > 0.9 and grain["global_coherence2"] < 0.1


def test_a_plain_wall_has_no_detail_and_no_repeat():
    v = _values(np.full((480, 640), 140, np.uint8), np.ones((480, 640), bool))
    assert v["energy2"] < 1e-3 and v["ac2_score"] < 0.05


def test_stripes_behind_the_person_do_not_count():
    """Stripes on the person, grain on the background: the background does not repeat."""
    gray = _grain()
    gray[:, 200:440] = _stripes()[:, 200:440]
    background = np.ones((480, 640), bool)
    background[:, 180:460] = False
    assert _values(gray, background)["ac2_score"] < 0.3


def test_a_tiled_feature_map_repeats_and_noise_does_not():
    from types import SimpleNamespace

    flat, everywhere = np.full((480, 640), 128, np.uint8), np.ones((480, 640), bool)
    tiled = _values(flat, everywhere, SimpleNamespace(stride8=_tiled(4), stride16=_tiled(3)[:, :6, :8]))
    noise = _values(flat, everywhere)
    assert tiled["map8_ac_score"] > 0.8 and noise["map8_ac_score"] < 0.5
