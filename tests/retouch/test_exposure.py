"""Lifting an underexposed subject."""

from __future__ import annotations

import numpy as np

from headshot_lint.retouch.exposure import MAX_EV, ev_for, lift_curve, lift_subject


def test_lift_curve_is_monotonic_and_never_clips_more():
    """The curve rises, keeps black and white, and lifts mid-tones."""
    c = lift_curve(1.0).astype(int)
    assert (np.diff(c) >= 0).all() and c[0] == 0 and c[255] == 255 and c[60] > 80


def test_lift_brightens_the_person_only():
    """Person pixels get brighter with more EV; background far away is untouched."""
    rgb = np.full((200, 200, 3), 60, np.uint8)
    alpha = np.zeros((200, 200), np.float32)
    alpha[50:150, 50:150] = 1
    one, two = lift_subject(rgb, alpha, 0.5), lift_subject(rgb, alpha, 1.0)
    assert 60 < one[100, 100, 0] < two[100, 100, 0]
    assert (two[:20] == 60).all()


def test_ev_for_is_zero_when_bright_enough_and_capped():
    """No lift for a face already at the target; never more than MAX_EV."""
    assert ev_for(60, 58) == 0 and ev_for(5, 60) == MAX_EV and 0 < ev_for(45, 58) < MAX_EV
