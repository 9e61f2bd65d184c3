"""Scene helpers that stand in for a slower OpenCV call must give its result bit for bit."""

import cv2
import numpy as np
import pytest

from headshot_lint.scene import bounding_box, dilate_disc


@pytest.mark.parametrize("k", [1, 3, 7, 13, 21, 31, 61])
def test_dilate_disc_is_the_ellipse_dilation(k):
    rng = np.random.default_rng(k)
    mask = (rng.random((120, 170)) < 0.003).astype(np.uint8)
    mask[40:90, 30:100] = 1
    mask[0, 0] = mask[-1, 60] = 1  # at the frame's edge too
    want = cv2.dilate(mask, cv2.getStructuringElement(cv2.MORPH_ELLIPSE, (k, k)))
    assert np.array_equal(dilate_disc(mask, k), want)


def test_bounding_box_indexes_the_same_pixels_in_the_same_order():
    rng = np.random.default_rng(3)
    values = rng.random((40, 50, 3)).astype(np.float32)
    mask = np.zeros((40, 50), bool)
    mask[7:19, 22:41] = rng.random((12, 19)) < 0.6
    box = bounding_box(mask)
    assert np.array_equal(values[box][mask[box]], values[mask])
    assert np.array_equal(cv2.extractChannel(values[box], 2)[mask[box]], cv2.extractChannel(values, 2)[mask])
