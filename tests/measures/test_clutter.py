"""busy_background: clutter_fraction on the astronaut composited onto synthetic backgrounds."""

from __future__ import annotations

import functools

import cv2
import numpy as np

from headshot_lint.measures.clutter import busy_background
from headshot_lint.model import NOT_ASSESSABLE
from tests.conftest import assert_in_range, astronaut, scene_of


@functools.lru_cache(maxsize=None)
def _alpha() -> np.ndarray:
    from headshot_lint.perception.segment import person_matte

    return person_matte(astronaut())[..., None]


def composite(background: np.ndarray) -> np.ndarray:
    """The astronaut cut out by the person matte over ``background`` (512x512x3 uint8)."""
    a = _alpha()
    return np.clip(a * astronaut() + (1 - a) * background, 0, 255).astype(np.uint8)


def objects(n: int, seed: int = 0, blur: float = 0.0) -> np.ndarray:
    """Mid-grey background with ``n`` sharp random rectangles and lines (optionally blurred)."""
    rng = np.random.default_rng(seed)
    bg = np.full((512, 512, 3), 128, np.uint8)
    for _ in range(n):
        x, y = rng.integers(0, 512, 2)
        w, h = rng.integers(10, 60, 2)
        colour = tuple(int(c) for c in rng.integers(0, 256, 3))
        if rng.random() < 0.5:
            cv2.rectangle(bg, (int(x), int(y)), (int(x + w), int(y + h)), colour, -1)
        else:
            cv2.line(bg, (int(x), int(y)), (int(x + w), int(y + h)), colour, 2)
    return cv2.GaussianBlur(bg, (0, 0), blur) if blur > 0 else bg


def _clutter(bg: np.ndarray) -> float:
    m = busy_background(scene_of(composite(bg)))
    assert m.status == "ok", m.reason
    return m.values["clutter_fraction"]


def test_more_objects_more_clutter():
    """clutter_fraction is monotonic in the number of sharp objects behind the subject."""
    values = [_clutter(objects(n)) for n in (0, 30, 120, 400)]
    assert all(a <= b for a, b in zip(values, values[1:])), values
    assert values[-1] > values[0] + 0.1, values


def test_flat_grey_is_clean():
    """A flat grey background has no cluttered cells."""
    assert_in_range(_clutter(objects(0)), 0.0, 0.0, photo="astronaut-flat", code="HL101", unit="fraction")


def test_blur_removes_clutter():
    """Well-blurred bokeh of the same objects scores far lower than the sharp scene."""
    sharp, blurred = _clutter(objects(400)), _clutter(objects(400, blur=8.0))
    assert blurred < 0.25 * sharp, (sharp, blurred)


def test_range_and_regions():
    """Values are fractions in [0, 1] and cluttered areas come with evidence boxes."""
    m = busy_background(scene_of(composite(objects(400))))
    for key in ("clutter_fraction", "edge_density"):
        assert_in_range(m.values[key], 0.0, 1.0, photo="astronaut-objects", code="HL101", unit="fraction", name=key)
    assert m.regions and all(0 <= r.x0 < r.x1 <= 1 and 0 <= r.y0 < r.y1 <= 1 for r in m.regions)


def test_empty_background_is_not_assessable():
    """With no background pixels the measure says not-assessable."""
    scene = scene_of(composite(objects(40)))
    scene.__dict__["background_mask"] = np.zeros((scene.height, scene.width), bool)
    assert busy_background(scene).status == NOT_ASSESSABLE


def _strands_near_head(rgb: np.ndarray, matte: np.ndarray, distance: float) -> np.ndarray:
    """``rgb`` with short crisp dark strands drawn ``distance`` px outside the person's
    outline above and beside the head (flyaway hair escaping the matte)."""
    out = np.ascontiguousarray(rgb).copy()
    outside = (matte < 0.15).astype(np.uint8)
    dist = cv2.distanceTransform(outside, cv2.DIST_L2, 3)
    ys, xs = np.nonzero((np.abs(dist - distance) < 0.5) & (np.arange(matte.shape[0])[:, None] < 200))
    for x, y in list(zip(xs, ys))[::2]:
        cv2.line(out, (int(x) - 4, int(y) - 4), (int(x) + 4, int(y) + 4), (20, 20, 20), 1)
    return out


def test_flyaway_hair_beside_head_is_not_clutter():
    """Crisp strands just outside the matte around the head are not clutter, the same strands far out are."""
    from headshot_lint.measures import clutter

    matte = _alpha()[..., 0]
    plain = composite(objects(0))
    base = scene_of(plain)
    width = base.face.box.width
    near_d = 0.5 * (base.halo_px + clutter.HAIR_MARGIN * width) + 1  # outside the halo, inside the margin
    values = {}
    for label, d in (("near", near_d), ("far", clutter.HAIR_MARGIN * width + 40)):
        scene = scene_of(_strands_near_head(plain, matte, d))
        scene.__dict__["matte"] = matte  # the strands are background by construction
        values[label] = busy_background(scene).values["clutter_fraction"]
    assert values["near"] == 0.0 and values["far"] > 0.0, values


def stripes(period: int = 16, bar: float = 0.5, dark: int = 30) -> np.ndarray:
    """Mid-grey background crossed by sharp horizontal dark bars, ``bar`` of each period
    (a railing or blinds: edges in one direction only)."""
    bg = np.full((512, 512, 3), 128, np.uint8)
    for y in range(0, 512, period):
        bg[y:y + int(period * bar)] = dark
    return bg


def test_dark_scene_clutter_still_counts():
    """The same sharp objects dimmed to a night scene keep a good part of their clutter (thresholds follow brightness)."""
    bright = busy_background(scene_of(composite(objects(400))))
    dark_bg = (objects(400).astype(np.float32) * 0.3).astype(np.uint8)
    dark = busy_background(scene_of(composite(dark_bg)))
    assert bright.values["contrast_scale"] == 1.0 and dark.values["contrast_scale"] < 0.5, (bright.values, dark.values)
    assert dark.values["clutter_fraction"] > 0.4 * bright.values["clutter_fraction"] > 0.0, (bright.values, dark.values)


def test_dark_noise_is_not_clutter():
    """A near-black wall with sensor noise has no cluttered cells (the threshold scale has a floor)."""
    rng = np.random.default_rng(0)
    bg = np.clip(15 + rng.normal(0, 3, (512, 512, 1)), 0, 255).repeat(3, axis=2).astype(np.uint8)
    assert_in_range(_clutter(bg), 0.0, 0.0, photo="astronaut-dark-noise", code="HL101", unit="fraction")


def test_one_direction_is_not_clutter():
    """Dense edges all running one way (railing bars) are not clutter; the same density of objects is."""
    m = busy_background(scene_of(composite(stripes())))
    assert m.values["edge_density"] > 0.05, m.values
    assert_in_range(m.values["clutter_fraction"], 0.0, 0.0, photo="astronaut-stripes", code="HL101", unit="fraction")
    assert _clutter(objects(400)) > 0.1


def test_cell_diversity_of_edges():
    """cell_diversity is 0 for a cell with one edge direction and near 1 for a circle's outline."""
    from headshot_lint.measures.clutter import CELL, cell_diversity

    def diversity(img: np.ndarray) -> np.ndarray:
        g = cv2.GaussianBlur(img, (0, 0), 1.0)
        dx, dy = cv2.Sobel(g, cv2.CV_16S, 1, 0), cv2.Sobel(g, cv2.CV_16S, 0, 1)
        return cell_diversity(cv2.Canny(dx, dy, 100, 200) > 0, dx, dy)

    step = np.zeros((2 * CELL, 2 * CELL), np.uint8)
    step[:, CELL // 2:] = 255
    d = diversity(step)
    assert d.shape == (2, 2) and d.max() < 0.1, d
    ring = cv2.circle(np.zeros((CELL, CELL), np.uint8), (CELL // 2, CELL // 2), CELL // 3, 255, -1)
    assert diversity(ring)[0, 0] > 0.9
