"""benchmarks/probe_camouflage_people.py: its candidate readings of the outline, on generated images."""

import cv2
import numpy as np

from benchmarks.probe_camouflage_people import bands, candidates, write_sheet
from headshot_lint import color


def _photo(body_rgb, ground_rgb, sides_rgb=None, h=240, w=320):
    """What ``measure_all`` keeps of one photo: a body from row 80 to the frame's bottom on a
    flat ground (optionally with 12 px sides of another colour: bare arms), chin at row 60."""
    rgb = np.empty((h, w, 3), np.uint8)
    rgb[:] = ground_rgb
    matte = np.zeros((h, w), np.float32)
    rgb[80:, 100:220] = body_rgb
    if sides_rgb is not None:
        rgb[80:, 100:112] = sides_rgb
        rgb[80:, 208:220] = sides_rgb
    matte[80:, 100:220] = 1.0
    d = {"W": w, "H": h, "rgb320": rgb, "matte320": matte, "chin_an": 60.0, "face": (140.0, 20.0, 180.0, 60.0),
         "skin": color.rgb_to_lab(np.array([[[205, 160, 135]]], np.uint8))[0, 0], "meas": {"lost_fraction": 0.5}}
    d["rgb160"] = cv2.resize(rgb, (160, 120), interpolation=cv2.INTER_AREA)
    d["matte160"] = cv2.resize(matte, (160, 120), interpolation=cv2.INTER_AREA)
    return d


def test_bands_follow_the_body_below_the_chin_and_not_the_frame():
    b = bands(_photo((40, 40, 45), (220, 220, 220)))
    ys, xs = np.nonzero(b["pts"])
    assert len(ys) > 50 and not b["fallback"]
    assert ys.min() >= b["chin"] and ys.max() < 118 and xs.min() >= 2
    assert np.median(b["de"][b["pts"]]) > 40


def test_same_colour_is_lost_in_every_reading():
    same = candidates(_photo((60, 70, 90), (62, 71, 92)))
    far = candidates(_photo((60, 70, 90), (225, 220, 210)))
    for key in ("lost_nofb", "cloth_lost", "mean_over_views", "lost_cie76", "soft_count1.5", "lost_core9"):
        assert same[key] > 0.9 and far[key] < 0.1, key
    assert same["sil_de"] < 3 < 40 < far["sil_de"]
    assert candidates(_photo((60, 70, 90), (60, 70, 90)))["overlap4"] > 0.9 > 0.1 > far["overlap4"]


def test_bare_arms_on_a_skin_coloured_ground_are_not_clothing():
    """The rule's reading loses arms on a skin-tone ground; the clothing-only reading does not."""
    c = candidates(_photo((30, 30, 35), (200, 158, 133), sides_rgb=(205, 160, 135)))
    assert c["lost_nofb"] > 0.5
    assert c["cloth_lost"] < 0.5
    assert c["skin_share"] > 0.3


def test_no_person_gives_no_candidates():
    d = _photo((60, 70, 90), (62, 71, 92))
    d["meas"] = None
    assert candidates(d) == {}


def test_a_contact_sheet_stacks_captioned_rows_of_any_width(tmp_path):
    """Each row under a 36 px white caption with 4 px of grey below; narrower rows padded grey."""
    red = np.zeros((240, 300, 3), np.uint8)
    red[..., 0] = 255
    blue = np.zeros((240, 200, 3), np.uint8)
    blue[..., 2] = 255
    path = tmp_path / "sheet.png"
    write_sheet([(red, "first.jpg", "label 1 (3/3)"), (blue, "second.jpg", "label 0 (2/3)")], path)
    sheet = cv2.imread(str(path))[..., ::-1]
    assert sheet.shape == (2 * (36 + 240 + 4), 300, 3)
    assert (sheet[36:276, :300] == (255, 0, 0)).all() and (sheet[316:556, :200] == (0, 0, 255)).all()
    assert (sheet[316:556, 200:] == 128).all()  # the narrower row padded grey
    caption = sheet[:36]
    assert (caption == 255).mean() > 0.8 and (caption < 128).any()  # white, with dark text
