"""The backbone probe's pooling (benchmarks/probe_backbone.py): flip averaging is the mean of the
blocks of the image and of its mirror image; never the labelled photos."""

from __future__ import annotations

import numpy as np

from benchmarks.probe_backbone import CONFIGS, Config, forward_ms, pooled


def _scene(symmetric: bool):
    rng = np.random.default_rng(3)
    half = rng.integers(0, 255, (256, 160, 3), np.uint8)
    rgb = np.concatenate([half, half[:, ::-1]], axis=1) if symmetric else rng.integers(0, 255, (256, 320, 3), np.uint8)
    bg = np.ones((256, 320), bool)
    bg[96:, 112:208] = False  # a centred "person"
    if not symmetric:
        bg[:, :40] = False  # and something on the left that the mirror puts on the right
    return np.ascontiguousarray(rgb), bg


def test_flip_averaging_changes_nothing_on_a_mirror_symmetric_photo():
    rgb, bg = _scene(True)
    plain, flipped = pooled(rgb, bg, Config("a", 0, 320)), pooled(rgb, bg, Config("b", 0, 320, True))
    for k, v in plain.items():
        assert np.allclose(v, flipped[k], atol=1e-3 * (1 + np.abs(v).max())), k


def test_flip_averaging_is_the_mean_of_the_photo_and_its_mirror():
    rgb, bg = _scene(False)
    plain = pooled(rgb, bg, Config("a", 0, 320))
    mirror = pooled(np.ascontiguousarray(rgb[:, ::-1]), np.ascontiguousarray(bg[:, ::-1]), Config("a", 0, 320))
    both = pooled(rgb, bg, Config("b", 0, 320, True))
    assert not np.allclose(plain["final_mean"], mirror["final_mean"])
    for k in plain:
        assert np.allclose(both[k], (plain[k] + mirror[k]) / 2)


def test_the_configurations_have_distinct_names():
    assert len({c.name for c in CONFIGS}) == len(CONFIGS)


def test_forward_ms_times_each_image_and_flip_costs_a_second_pass():
    images = [np.full((300, 200, 3), 90, np.uint8), np.full((200, 200, 3), 30, np.uint8)]
    one = forward_ms(images, Config("a", 0, 128), repeats=2)
    two = forward_ms(images, Config("b", 0, 128, True), repeats=2)
    assert len(one) == 2 and all(ms > 0 for ms in one)
    assert np.median(two) > np.median(one)
