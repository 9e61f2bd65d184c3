"""benchmarks/probe_small_size.py: its thumbnail readings on generated thumbnails, and its
in-fold selection on generated data."""

import numpy as np

from benchmarks.probe_small_size import forward, nested, structure
from headshot_lint import color
from headshot_lint.measures._views import Thumbnail


def _thumb(n, face_rgb, ground_rgb, frame_rgb=None):
    """A face disc (radius n/6) in the middle of a flat ground, optionally inside a ring of
    ``frame_rgb`` (hair) two pixels wide that the person matte covers."""
    yy, xx = np.mgrid[:n, :n]
    r = np.hypot(yy - n / 2 + 0.5, xx - n / 2 + 0.5)
    face = (r <= n / 6).astype(np.float32)
    person = face.copy()
    rgb = np.empty((n, n, 3), np.uint8)
    rgb[:] = ground_rgb
    if frame_rgb is not None:
        ring = (r > n / 6) & (r <= n / 6 + 2)
        rgb[ring] = frame_rgb
        person[ring] = 1.0
    rgb[face > 0] = face_rgb
    visible = (r <= n / 2) if n == 32 else np.ones((n, n), bool)
    return Thumbnail(size=n, rgb=rgb, lab=color.rgb_to_lab(rgb), face=face, person=person, visible=visible)


def _views(face_rgb, ground_rgb, frame_rgb=None):
    return {n: _thumb(n, face_rgb, ground_rgb, frame_rgb) for n in (32, 48)}


def test_a_face_on_its_own_colour_leaks_and_is_not_separated():
    same = structure(_views((200, 160, 140), (198, 162, 138)), None)
    apart = structure(_views((200, 160, 140), (40, 60, 90)), None)
    for n in (32, 48):
        assert same[f"leak_{n}"] > 0.5 > 0.01 > apart[f"leak_{n}"]
        assert same[f"ring3_de_{n}"] < 3 < 30 < apart[f"ring3_de_{n}"]
        assert same[f"ring_sector_q25_{n}"] < 3 < 30 < apart[f"ring_sector_q25_{n}"]
        assert same[f"near_melt_{n}"] == 1.0 and apart[f"near_melt_{n}"] == 0.0


def test_dark_hair_stops_the_leak_and_frames_the_face():
    bare = structure(_views((200, 160, 140), (198, 162, 138)), None)
    framed = structure(_views((200, 160, 140), (198, 162, 138), frame_rgb=(30, 25, 20)), None)
    for n in (32, 48):
        assert framed[f"leak_{n}"] < 0.01 < bare[f"leak_{n}"]
        assert framed[f"dark_frame_{n}"] > 0.2 > bare[f"dark_frame_{n}"]
        assert framed[f"face_edge_grad_{n}"] > bare[f"face_edge_grad_{n}"]


def test_selection_and_nested_folds_find_the_informative_column():
    rng = np.random.default_rng(0)
    y = np.zeros(200, bool)
    y[:50] = True
    x = rng.normal(size=(200, 5))
    x[:, 3] += 4.0 * y
    cols, lam = forward(x, y.astype(float), y, (), 3, (1.0, 10.0))
    assert cols[0] == 3
    pred, picks = nested(x, y, y.astype(float), np.ones(200, bool), 0, lambda xt, tt, yt: ([3], 10.0))
    tp = int((pred & y).sum())
    assert tp >= 45 and int((pred & ~y).sum()) <= 8
    assert all(p == [3] for p in picks)
