"""Point sampling of upsampled low-resolution estimates."""

from __future__ import annotations

import cv2
import numpy as np

from headshot_lint.retouch._points import band, sample


def test_sample_reads_what_resize_would_give():
    """At any pixels, sample() equals cv2.resize(INTER_LINEAR) there (within remap's 1/32 px)."""
    rng = np.random.default_rng(0)
    small = cv2.GaussianBlur(rng.random((30, 40, 3)).astype(np.float32), (0, 0), 2)
    w, h = 403, 297
    idx = rng.choice(w * h, 5000, replace=False)
    full = cv2.resize(small, (w, h), interpolation=cv2.INTER_LINEAR).reshape(-1, 3)
    assert np.abs(sample(small, idx, (w, h)) - full[idx]).max() < 2e-3


def test_band_is_strictly_between_zero_and_one():
    """band() lists exactly the pixels with 0 < alpha < 1."""
    alpha = np.array([[0, 0.5, 1], [1e-4, 0.9999, 1.2]], np.float32)
    assert band(alpha).tolist() == [1, 3, 4]


def test_shrink_is_an_area_reduction():
    """shrink() matches cv2's INTER_AREA on photo-like content (integer pre-reduction, then area)."""
    from headshot_lint.retouch._points import shrink

    rng = np.random.default_rng(2)
    img = cv2.GaussianBlur(rng.integers(0, 256, (600, 800, 3), dtype=np.uint8), (0, 0), 3)
    for size in ((256, 192), (133, 100), (800, 600)):
        ref = cv2.resize(img, size, interpolation=cv2.INTER_AREA).astype(int)
        out = shrink(img, size)
        d = np.abs(out.astype(int) - ref)
        assert out.shape == ref.shape and d.max() <= 3 and d.mean() < 0.3, (size, d.max(), d.mean())


def test_nonzero_is_flatnonzero():
    """nonzero() lists the same flat indices, in the same order, as np.flatnonzero."""
    from headshot_lint.retouch._points import nonzero

    mask = (np.random.default_rng(3).random((37, 53)) > 0.7).astype(np.uint8)
    assert nonzero(mask).tolist() == np.flatnonzero(mask).tolist()
    assert nonzero(np.zeros((4, 4), np.uint8)).size == 0
