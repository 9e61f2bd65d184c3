"""The headshot crop: 4:5 around the subject's face, never showing another face."""

from __future__ import annotations

import numpy as np
import pytest

from headshot_lint.retouch.crop import ASPECT, FACE_HEIGHT, NoCrop, crop, crop_box

FACE = (900.0, 300.0, 1100.0, 550.0)  # 200 x 250 px in a 2000 x 1200 photo


def _intersects(a, b) -> bool:
    return a[0] < b[2] and a[2] > b[0] and a[1] < b[3] and a[3] > b[1]


def test_alone_the_frame_is_4_5_with_the_face_at_40_percent_and_head_room():
    """Without other faces: a 4:5 frame, face box ~40 % of its height, centred, head room above."""
    x0, y0, x1, y1 = crop_box((2000, 1200), FACE)
    w, h = x1 - x0, y1 - y0
    assert abs(w / h - ASPECT) < 0.01
    assert abs(250 / h - FACE_HEIGHT) < 0.01
    assert abs((x0 + x1) / 2 - 1000) <= 1
    assert 0.1 < (300 - y0) / h < 0.3


def test_another_face_is_left_out_by_moving_then_shrinking():
    """A face on one side moves the frame; faces on both sides shrink it; none is inside,
    and the subject's face stays whole."""
    alone = crop_box((2000, 1200), FACE)
    right, left = (1180.0, 320.0, 1380.0, 570.0), (620.0, 320.0, 820.0, 570.0)
    moved = crop_box((2000, 1200), FACE, [right])
    assert not _intersects(moved, right) and moved[0] < alone[0]
    assert moved[3] - moved[1] == alone[3] - alone[1]  # same size, moved left
    both = crop_box((2000, 1200), FACE, [right, left])
    assert not _intersects(both, right) and not _intersects(both, left)
    assert both[3] - both[1] < alone[3] - alone[1]  # had to shrink
    for box in (moved, both):
        assert box[0] <= FACE[0] and box[2] >= FACE[2] and box[1] <= FACE[1] and box[3] >= FACE[3]


def test_overlapping_or_touching_faces_cannot_be_cropped_apart():
    """A face overlapping the subject's (with its margin) means no crop: NoCrop says why."""
    with pytest.raises(NoCrop, match="overlaps"):
        crop_box((2000, 1200), FACE, [(1050.0, 350.0, 1250.0, 600.0)])
    with pytest.raises(NoCrop, match="too close"):
        crop_box((2000, 1200), FACE, [(700.0, 300.0, 850.0, 550.0), (1150.0, 300.0, 1300.0, 550.0)])


def test_frame_stays_inside_the_photo_and_the_crop_is_a_slice():
    """A face at the photo's edge gives a crop inside the photo; crop() returns exactly that slice."""
    rgb = np.arange(600 * 500 * 3, dtype=np.uint32).reshape(600, 500, 3).astype(np.uint8)
    box = crop_box((500, 600), (10.0, 20.0, 130.0, 170.0))
    assert box[0] == 0 and box[1] == 0 and box[2] <= 500 and box[3] <= 600
    out = crop(rgb, box)
    assert out.shape == (box[3] - box[1], box[2] - box[0], 3) and (out == rgb[box[1]:box[3], box[0]:box[2]]).all()
