"""The augmentation probe (benchmarks/probe_augment.py): without views it is the shipped fit,
its training rows come only from the photos asked for, and its views keep the matte aligned."""

from __future__ import annotations

from types import SimpleNamespace

import numpy as np

from benchmarks import _heads
from benchmarks.probe_augment import Views, _crop_box, fit_many, view
from headshot_lint.perception.faces import Box


def _data(n: int = 40, d: int = 12, seed: int = 0) -> tuple[dict, np.ndarray]:
    rng = np.random.default_rng(seed)
    x = rng.normal(size=(n, d))
    y = x[:, 0] + 0.5 * rng.normal(size=n) > 0
    return {"orig": x, "mirror": x + 0.1 * rng.normal(size=(n, d)), "s288": x + 0.1 * rng.normal(size=(n, d))}, y


def test_without_views_the_fit_is_the_shipped_one():
    x, y = _data()
    idx = np.arange(30)
    ours = fit_many(Views(x, [], []), y, idx, [(4, 10.0)])[0]
    shipped = _heads.fit_head(x["orig"][idx], y[idx], 4, 10.0)
    assert np.allclose(ours.weights, shipped.weights) and np.isclose(ours.bias, shipped.bias)


def test_training_rows_come_only_from_the_photos_asked_for():
    x, _ = _data()
    rows, photo = Views(x, ["mirror", "s288"], []).rows(np.array([3, 7]))
    assert rows.shape == (6, 12)
    assert sorted(photo.tolist()) == [3, 3, 3, 7, 7, 7]
    for r, p in zip(rows, photo):
        assert any(np.array_equal(r, x[v][p]) for v in x)


def test_test_time_views_average_the_log_odds():
    x, y = _data()
    views = Views(x, ["mirror"], ["mirror", "s288"])
    head = fit_many(views, y, np.arange(30), [(4, 1.0)])[0]
    want = np.mean([head.log_odds(x[v][30:]) for v in ("orig", "mirror", "s288")], axis=0)
    assert np.allclose(views.score([head], np.arange(30, 40))[0], want)


def test_the_crop_keeps_the_share_and_the_face():
    face = SimpleNamespace(box=Box(170.0, 10.0, 198.0, 40.0))
    y0, y1, x0, x1 = _crop_box(300, 200, 0.9, face)
    assert abs((y1 - y0) * (x1 - x0) / (300 * 200) - 0.9) < 0.01
    assert 0 <= x0 and x1 == 200 and y0 == 0  # pushed against the frame, face inside
    assert x0 <= 170 and y1 >= 40


def test_the_mirror_flips_the_matte_with_the_image():
    rgb = np.zeros((64, 96, 3), np.uint8)
    rgb[:, :10] = 255
    bg = np.zeros((64, 96), bool)
    bg[:, :10] = True
    r, b, side = view(rgb, bg, None, (True, 320, 1.0, False), np.random.default_rng(0))
    assert side == 320 and b[:, -10:].all() and not b[:, :-10].any()
    assert (r[b] == 255).all()


def test_the_shifted_crop_moves_but_keeps_the_face_centre():
    face = SimpleNamespace(box=Box(90.0, 140.0, 110.0, 160.0))
    rng = np.random.default_rng(3)
    boxes = {_crop_box(300, 200, 0.7, face, rng) for _ in range(20)}
    assert len(boxes) > 5
    for y0, y1, x0, x1 in boxes:
        assert y0 <= 150 <= y1 and x0 <= 100 <= x1
