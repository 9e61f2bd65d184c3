"""benchmarks/probe_camouflage.py: the outline points it scores, on generated images."""

import numpy as np

from benchmarks.probe_camouflage import candidates, outline_points


def _figure(person_rgb, ground_rgb, h=120, w=160):
    """A body (rectangle from row 40 down to the frame's bottom) on a flat ground, and its matte."""
    rgb = np.empty((h, w, 3), np.uint8)
    rgb[:] = ground_rgb
    matte = np.zeros((h, w), np.float32)
    rgb[40:, 50:110] = person_rgb
    matte[40:, 50:110] = 1.0
    return rgb, matte


def test_outline_leaves_out_the_frame_edge():
    p = outline_points(*_figure((30, 30, 30), (220, 220, 220)))
    assert len(p["ys"]) > 50
    assert p["ys"].max() < 118 and p["xs"].min() >= 2


def test_same_colour_is_lost_and_shows_no_edge():
    near = outline_points(*_figure((40, 40, 45), (42, 42, 46)))
    far = outline_points(*_figure((40, 40, 45), (220, 215, 210)))
    from headshot_lint import color

    de_near = color.delta_e(near["lab_in"], near["lab_out"])
    de_far = color.delta_e(far["lab_in"], far["lab_out"])
    assert np.median(de_near) < 3 < 40 < np.median(de_far)
    assert np.median(near["grad"]) < 1 < np.median(far["grad"])


def test_candidates_of_a_dark_figure_on_a_dark_ground():
    row_views = {}
    for dark_ground in (True, False):
        rgb, matte = _figure((35, 35, 40), (38, 36, 40) if dark_ground else (225, 225, 225))
        p = outline_points(rgb, matte)
        row = {"views": {px: p for px in (64, 96, 160, 240)}, "chin": {px: 0 for px in (64, 96, 160, 240)},
               "faces": {px: [] for px in (64, 96, 160, 240)}, "face_h": {px: 30.0 for px in (64, 96, 160, 240)},
               "crop": None, "n_faces": 0}
        row_views[dark_ground] = candidates(row)
    assert row_views[True]["lost15@160"] == 1.0 and row_views[False]["lost15@160"] == 0.0
    assert row_views[True]["noedge8"] > row_views[False]["noedge8"]
