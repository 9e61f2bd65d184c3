"""The third-round pattern probe's hand texture values tell generated stripes, bricks, noise
and a flat wall apart (benchmarks/probe_pattern.py); never the labelled photos."""

from __future__ import annotations

import numpy as np

from benchmarks.probe_pattern import HAND_KEYS, cell_classifier, hand_texture

H, W = 360, 640


def _values(gray: np.ndarray, background: np.ndarray | None = None) -> dict:
    bg = np.ones((H, W), bool) if background is None else background
    v = hand_texture(gray, bg)
    assert v.shape == (len(HAND_KEYS),) and np.all(np.isfinite(v))
    return dict(zip(HAND_KEYS, v))


def _flat() -> np.ndarray:
    return np.full((H, W), 128, np.uint8)


def _stripes(period: int = 24) -> np.ndarray:
    x = np.arange(W)
    return np.tile(np.where((x // (period // 2)) % 2 == 0, 60, 200).astype(np.uint8), (H, 1))


def _bricks(bw: int = 48, bh: int = 24) -> np.ndarray:
    img = np.full((H, W), 170, np.uint8)
    img[::bh, :] = 70  # mortar rows
    img[1::bh, :] = 70
    for row in range(0, H, bh):
        shift = (row // bh % 2) * bw // 2
        for x in range(shift, W, bw):
            img[row:row + bh, x:x + 2] = 70
    return img


def _noise() -> np.ndarray:
    return np.random.default_rng(0).integers(0, 256, size=(H, W)).astype(np.uint8)


def test_a_flat_wall_has_no_texture_lines_or_repeats():
    v = _values(_flat())
    assert v["gabor_energy0"] < 0.01 and v["lines_n"] == 0.0 and v["ncc_repeat"] == 0.0


def test_stripes_are_anisotropic_parallel_lines_that_repeat():
    s, n = _values(_stripes()), _values(_noise())
    assert s["gabor_aniso0"] > 0.5 > n["gabor_aniso0"]
    assert s["lines_par_share"] > 0.9
    assert s["ncc_repeat_far"] > 0.9 > n["ncc_repeat_far"]


def test_bricks_repeat_and_only_the_background_counts():
    b = _values(_bricks())
    assert b["ncc_repeat_far"] > 0.5 and b["lines_n"] > 0
    half = np.zeros((H, W), bool)
    half[:, W // 2:] = True
    mixed = _bricks()
    mixed[:, :W // 2] = 128  # a flat "person" where the mask excludes
    assert abs(_values(mixed, half)["ncc_repeat_far"] - _values(_bricks(), half)["ncc_repeat_far"]) < 0.05


def test_the_cell_classifier_ranks_photos_by_their_cells():
    """Photos whose cells sit on the positive side score higher, one row per setting."""
    rng = np.random.default_rng(1)
    y = np.array([True] * 10 + [False] * 30)
    cells = [(rng.normal(loc=1.5 if t else 0.0, size=(20, 4)).astype(np.float32), np.full(20, 0.05, np.float32))
             for t in y]
    train = np.arange(40) % 4 != 0
    got = cell_classifier(cells, y, lams=(1.0,), tops=(0.5, 1.0))(train, ~train)
    assert got.shape == (2, 10)
    held = y[~train]
    assert got[:, held].min() > got[:, ~held].max()
