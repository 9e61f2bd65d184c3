"""benchmarks/probe_pose_matte.py: its outline selections from the pose landmarks and mask, on generated data."""

import socket

import numpy as np
import pytest

from benchmarks.probe_pose_matte import (L_ELBOW, L_SHOULDER, R_ELBOW, R_SHOULDER, arm_select, candidates,
                                         disable_network, near_other_edge, seg_distance, shoulders)
from tests.test_probe_camouflage_people import _photo as _body


def _photo(body_rgb, ground_rgb, pose_mask=True, h=240, w=320):
    """The camouflage probe's generated body (row 80 to the frame's bottom, columns 100-220, on a
    flat ground, chin at row 60) with BlazePose landmarks on its shoulders (row 90), elbows below
    them, and a pose mask equal to the selfie matte (or none found)."""
    d = _body(body_rgb, ground_rgb, h=h, w=w)
    lm = np.zeros((33, 4), np.float32)
    lm[L_SHOULDER] = (205 / w, 90 / h, 0, 0.99)
    lm[R_SHOULDER] = (115 / w, 90 / h, 0, 0.99)
    lm[L_ELBOW] = (212 / w, 200 / h, 0, 0.9)
    lm[R_ELBOW] = (108 / w, 200 / h, 0, 0.9)
    d["pose_lm"] = lm if pose_mask else None
    for tag in ("raw", "ref"):
        d[f"pose_{tag}160"] = d["matte160"].copy() if pose_mask else np.zeros_like(d["matte160"])
    return d


def test_segment_distance():
    a, b = np.array([0.0, 0.0]), np.array([10.0, 0.0])
    dist = seg_distance(np.array([5.0, -3.0, 13.0]), np.array([2.0, 0.0, 4.0]), a, b)
    assert np.allclose(dist, [2.0, 3.0, 5.0])


def test_shoulders_need_both_visible_and_in_frame():
    lm = _photo((40, 40, 45), (220, 220, 220))["pose_lm"]
    s = shoulders(lm, 160, 120)
    assert s is not None and abs(s["sw"] - 45) < 1 and abs(s["top"] - 45) < 1
    hidden = lm.copy()
    hidden[L_SHOULDER, 3] = 0.2
    out = lm.copy()
    out[R_SHOULDER, 0] = -0.1
    assert shoulders(hidden, 160, 120) is None and shoulders(out, 160, 120) is None
    assert shoulders(None, 160, 120) is None


def test_arm_select_keeps_the_sides_near_the_upper_arms_not_the_far_bottom():
    d = _photo((40, 40, 45), (220, 220, 220))
    pts = np.zeros((120, 160), bool)
    pts[40:, 50] = pts[40:, 109] = True  # the body's two sides
    pts[40, 50:110] = True  # its top edge
    sel = arm_select(pts, shoulders(d["pose_lm"], 160, 120), 0.5, 0.15)
    ys, xs = np.nonzero(sel)
    assert set(np.unique(xs)) >= {50, 109} and ys.min() >= 45 - 0.15 * 45 - 1
    assert not sel[119, 80]  # nowhere near an arm
    assert sel.sum() < pts.sum()


def test_the_other_matte_confirms_only_its_own_edge():
    a = np.zeros((60, 60), np.float32)
    a[20:, 20:40] = 1
    b = np.zeros_like(a)
    b[20:, 20:30] = 1  # agrees on the left side, not on the right
    near = near_other_edge(a, b, 1.5)
    assert near[40, 20] and not near[40, 39]


def test_camouflaged_body_is_lost_in_every_reading_and_no_pose_judges_nothing():
    same = candidates(_photo((60, 70, 90), (62, 71, 92)))
    far = candidates(_photo((60, 70, 90), (225, 220, 210)))
    for key in ("matte:pose_raw", "agree:raw_r1.5", "arms:v0.5_k0.5_m0.15", "below_shoulders:v0.5_m0.15",
                "confirmed_bands:raw"):
        assert same[key] > 0.9 and far[key] < 0.1, key
    assert far["disagree:r1.5"] < 0.05 and far["mask_disagreement"] < 0.05  # the same mask twice
    blind = candidates(_photo((60, 70, 90), (62, 71, 92), pose_mask=False))
    assert not any(k.startswith(("matte:", "agree:", "arms:", "confirmed_bands:")) and not np.isnan(v)
                   for k, v in blind.items())
    assert blind["or_rule:arms:v0.5_k0.5_m0.15"] == blind["rule"] == 0.5  # the rule where the pose sees no one
    assert np.isnan(blind["rule_if_shoulders"])


def test_disable_network_makes_sockets_fail(monkeypatch):
    monkeypatch.setattr(socket, "socket", socket.socket)  # restored after the test
    monkeypatch.setattr(socket, "create_connection", socket.create_connection)
    disable_network()
    with pytest.raises(OSError):
        socket.socket()
    with pytest.raises(OSError):
        socket.create_connection(("127.0.0.1", 9))
