"""Full-resolution matte refinement."""

from __future__ import annotations

import cv2
import numpy as np
import pytest

from headshot_lint.retouch.matte import refine_matte


def _disc_photo(size: int = 800):
    yy, xx = np.mgrid[0:size, 0:size]
    truth = ((xx - size / 2) ** 2 + (yy - size / 2) ** 2 <= (size / 4) ** 2).astype(np.float32)
    rgb = np.where(truth[..., None] > 0, (60, 40, 30), (200, 205, 210)).astype(np.uint8)
    # A coarse, blurry analysis-size matte, as a segmenter gives it.
    coarse = cv2.GaussianBlur(cv2.resize(truth, (160, 160), interpolation=cv2.INTER_AREA), (0, 0), 3)
    return rgb, truth, coarse


def test_refined_matte_has_full_size_and_range():
    """The alpha has the photo's size and stays in [0, 1]."""
    rgb, _, coarse = _disc_photo()
    alpha = refine_matte(rgb, coarse)
    assert alpha.shape == rgb.shape[:2] and alpha.dtype == np.float32
    assert alpha.min() >= 0.0 and alpha.max() <= 1.0


def test_refinement_snaps_a_blurry_matte_to_the_edge():
    """Refined alpha is much closer to the true edge than the upsampled coarse matte."""
    rgb, truth, coarse = _disc_photo()
    up = cv2.resize(coarse, (rgb.shape[1], rgb.shape[0]), interpolation=cv2.INTER_LINEAR)
    alpha = refine_matte(rgb, coarse)
    assert np.abs(alpha - truth).mean() < 0.3 * np.abs(up - truth).mean()


def test_no_glow_outside_the_subject():
    """Background a few px beyond the edge gets alpha ~0 (no halo of the old background)."""
    rgb, truth, coarse = _disc_photo()
    ring = cv2.dilate(truth.astype(np.uint8), np.ones((15, 15), np.uint8)) == 0
    assert refine_matte(rgb, coarse)[ring].max() < 0.05


def _dense(rgb, coarse, work):
    """The refinement computed densely (every pixel) at full resolution."""
    from headshot_lint.retouch import matte as m
    from headshot_lint.retouch._points import shrink

    h, w = rgb.shape[:2]
    s = work / max(h, w)
    ws = (round(w * s), round(h * s))
    small = shrink(rgb, ws)
    prior = cv2.resize(coarse.astype(np.float32), ws, interpolation=cv2.INTER_LINEAR)
    src, _ = m.colour_alpha(small.astype(np.float32), prior)
    a, b = m._coefficients(small.astype(np.float32) / 255, src, max(2, round(m.RADIUS_FRACTION * max(ws))), m.EPS)
    a_up = cv2.resize(a, (w, h), interpolation=cv2.INTER_LINEAR)
    b_up = cv2.resize(b, (w, h), interpolation=cv2.INTER_LINEAR)
    alpha = np.einsum("hwc,hwc->hw", a_up, rgb.astype(np.float32) / 255) + b_up
    return np.clip((alpha - m.LOW_CUT) / (1 - 2 * m.LOW_CUT), 0, 1)


def test_band_only_refinement_equals_the_dense_one():
    """Computing full resolution only in the uncertain band gives the dense result (<= 0.01)."""
    rgb, _, coarse = _disc_photo(800)
    rng = np.random.default_rng(1)
    rgb = np.clip(rgb.astype(int) + rng.integers(-12, 13, rgb.shape), 0, 255).astype(np.uint8)
    alpha = refine_matte(rgb, coarse, work_long_side=300)
    assert np.abs(alpha - _dense(rgb, coarse, 300)).max() < 0.01


def test_protect_region_keeps_the_matte_around_the_head_only():
    """Inside the head ellipse alpha becomes at least the coarse matte; far away it is unchanged."""
    from headshot_lint.retouch.matte import protect_region

    alpha = np.zeros((400, 400), np.float32)
    matte = np.ones((100, 100), np.float32)
    out = protect_region(alpha, matte, (40, 40, 60, 60))
    assert out[200, 200] > 0.99  # face centre
    assert out[120, 200] > 0.9  # above the face: hair
    assert out[390, 10] == 0 and out[10, 390] == 0


def _shoulder_alpha(size: int = 400):
    """An opaque subject filling the bottom half, with a soft ramp 3 px wide along its top
    edge and a half-kept lump (alpha 0.3, 20 px across) standing off it by 8-28 px."""
    alpha = np.zeros((size, size), np.float32)
    alpha[200:] = 1.0
    for i, a in enumerate((0.4, 0.25, 0.1)):
        alpha[199 - i] = a
    alpha[172:192, 100:120] = 0.3  # the lump: old background the colour model half-kept
    alpha[60:80, 100:120] = 0.3  # the same lump above the chin (hair is soft by nature)
    return alpha


def test_fringe_below_the_chin_keeps_a_soft_edge_and_drops_a_lump():
    """Below the chin a lump of soft alpha standing off the subject is dropped; the soft edge
    hugging it fades as before; above the chin nothing changes."""
    from headshot_lint.retouch.matte import FRINGE_BELOW_CHIN, hold_fringe

    alpha = _shoulder_alpha()
    held = alpha.copy()
    hold_fringe(held, row=150)
    reach = FRINGE_BELOW_CHIN * 400  # a few px
    assert held[172:192, 100:120].max() == 0.0  # 8+ px out: beyond the reach
    assert np.array_equal(held[:150], alpha[:150])  # the lump above the chin is kept
    assert np.array_equal(held[200:], alpha[200:])  # the opaque subject is untouched
    # the ramp right at the edge survives (capped by the linear fade, never raised)
    assert 0.0 < held[199, 10] <= alpha[199, 10] and held[199, 10] >= 0.5 * (1 - 1.0 / reach) - 1e-6
    assert (held <= alpha).all()


def test_refine_matte_holds_the_fringe_only_below_the_chin():
    """``chin`` leaves the alpha above the chin row exactly as without it."""
    rgb, _, coarse = _disc_photo()
    free = refine_matte(rgb, coarse)
    held = refine_matte(rgb, coarse, chin=0.5)
    assert np.array_equal(held[:400], free[:400])
    assert (held <= free).all()


def test_the_middle_of_the_face_is_held_opaque_where_the_segmenter_sees_the_person():
    """White teeth the colour model gave to a light wall (alpha 0) come back opaque; the part
    of a profile's box that overhangs into the background (segmenter matte 0) stays as it was,
    and nothing outside the face changes."""
    from headshot_lint.retouch.matte import face_core, hold_face

    alpha = np.ones((200, 200), np.float32)
    alpha[120:130, 105:125] = 0.0  # the teeth, lost to the wall
    alpha[:, 150:] = 0.0  # the background in front of a profile's nose
    matte = np.zeros((100, 100), np.float32)  # the segmenter's matte at half the size
    matte[:, :75] = 1.0
    box = (30.0, 25.0, 90.0, 85.0)  # face box in matte px, overhanging the person by 15 px
    held = hold_face(alpha, matte, box)
    assert held[120:130, 105:125].min() > 0.99  # teeth back
    assert held[:, 160:].max() < 0.01  # the overhang is background still (past a feathered rim)
    assert (held >= alpha).all() and np.array_equal(held[:40], alpha[:40])  # only the face's middle
    core = face_core(matte, box)
    assert core[55, 60] == 1.0 and core[55, 80] == 0.0 and core[5, 5] == 0.0


def _suit(size: int = 200):
    """A person-shaped block (alpha 1, a dark jacket) standing on the bottom edge of a light
    wall, with a 12 px purple badge the colour model read as background (alpha 0.1) and a
    segmenter matte of 0.9 over it; and the photo at that size."""
    alpha = np.zeros((size, size), np.float32)
    alpha[60:, 50:150] = 1.0
    matte = cv2.GaussianBlur(alpha, (0, 0), 2)
    rgb = np.full((size, size, 3), (200, 196, 190), np.uint8)
    rgb[alpha > 0] = (40, 40, 45)
    alpha[120:132, 110:122] = 0.1  # the badge
    matte[120:132, 110:122] = 0.9
    rgb[120:132, 110:122] = (70, 55, 160)
    return alpha, matte, rgb


def test_a_hole_the_segmenter_calls_person_is_filled():
    from headshot_lint.retouch.matte import fill_holes

    alpha, matte, rgb = _suit()
    out = fill_holes(alpha, matte, rgb)
    assert out[120:132, 110:122].min() == 1.0
    assert np.array_equal(out[:50], alpha[:50])  # the background stays as it was


@pytest.mark.parametrize("gap", ["segmenter", "colour"])
def test_a_gap_showing_the_wall_stays_open(gap):
    """An arm on the hip: the segmenter sees background there, or (merging the arm and the
    body) it does not, but the gap has the colour of the wall beside the person."""
    from headshot_lint.retouch.matte import fill_holes

    alpha, matte, rgb = _suit()
    if gap == "segmenter":
        matte[120:132, 110:122] = 0.1
    else:
        rgb[120:132, 110:122] = (198, 195, 192)
    assert np.array_equal(fill_holes(alpha, matte, rgb), alpha)


def test_holes_at_the_frame_at_the_outline_or_too_big_are_not_filled():
    from headshot_lint.retouch.matte import HOLE_MAX, fill_holes

    alpha, matte, rgb = _suit()
    alpha[120:132, 110:122] = 1.0
    alpha[185:, 90:110], matte[185:, 90:110] = 0.0, 0.9  # opens onto the bottom edge
    alpha[100:110, 52:60], matte[100:110, 52:60] = 0.0, 0.9  # a nick 2 px inside the outline
    rgb[100:110, 52:60] = (70, 55, 160)
    assert np.array_equal(fill_holes(alpha, matte, rgb), alpha)
    side = int(np.ceil(np.sqrt(HOLE_MAX * 200 * 200))) + 2  # a hole over the size limit
    big_a, big_m, big_rgb = _suit()
    big_a[80:80 + side, 70:70 + side], big_m[80:80 + side, 70:70 + side] = 0.0, 0.9
    big_rgb[80:80 + side, 70:70 + side] = (70, 55, 160)
    out = fill_holes(big_a, big_m, big_rgb)
    assert out[80:80 + side, 70:70 + side].max() == 0.0 and out[120:132, 110:122].min() == 1.0


def test_holes_are_found_at_the_matte_size_and_filled_at_full_resolution():
    from headshot_lint.retouch.matte import fill_holes

    alpha, matte, rgb = _suit()
    full = cv2.resize(alpha, (800, 800), interpolation=cv2.INTER_NEAREST)
    out = fill_holes(full, matte, rgb)
    assert out.shape == (800, 800) and out[490:520, 450:480].min() == 1.0
