"""Shared per-scene views: the fast masked subsample equals the plain numpy expression."""

from __future__ import annotations

import numpy as np
import pytest

from headshot_lint.measures._views import masked_sample


@pytest.mark.parametrize("n", [1, 7, 500, 10**6])
def test_masked_sample_is_the_expression_it_replaces(n):
    rng = np.random.default_rng(n)
    lab = rng.normal(50, 20, (37, 53, 3)).astype(np.float32)
    mask = rng.random((37, 53)) < 0.4
    px = lab[mask]
    step = max(1, len(px) // n)
    np.testing.assert_array_equal(masked_sample(lab, mask, n), px[::step])
    np.testing.assert_array_equal(masked_sample(lab, mask, n, channel=0), lab[..., 0][mask][::step])
    np.testing.assert_array_equal(masked_sample(lab[..., 2].copy(), mask, n), lab[..., 2][mask][::step])
    # a strided mask (a subsampled view of a larger one) works the same
    big = np.repeat(np.repeat(mask, 2, axis=0), 2, axis=1)
    np.testing.assert_array_equal(masked_sample(lab, big[::2, ::2], n), px[::step])


def test_masked_sample_of_an_empty_mask_is_empty():
    lab = np.zeros((4, 5, 3), np.float32)
    assert masked_sample(lab, np.zeros((4, 5), bool), 10).shape == (0, 3)
