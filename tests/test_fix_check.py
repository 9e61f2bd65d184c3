"""The face check of a corrected copy: which face is the subject, and whether it stayed put."""

from __future__ import annotations

from types import SimpleNamespace

import numpy as np

from headshot_lint import fix, fix_check
from headshot_lint.perception.faces import Box, Face


def _face(box, score):
    return Face(Box(*box), score, ())


def test_subject_is_the_face_on_the_person_not_a_background_blob_or_a_loose_duplicate():
    """A larger face-like box on the background and a loose low-score box around the real
    face are not the subject; the confident box on the person is."""
    matte = np.zeros((200, 300), np.float32)
    matte[60:200, 180:260] = 1
    real = _face((200, 70, 240, 110), 0.95)
    loose = _face((185, 55, 255, 125), 0.55)  # the other range, barely confident
    window = _face((10, 10, 120, 120), 0.6)  # background
    scene = SimpleNamespace(faces=(window, loose, real), matte=matte, width=300, height=200)
    assert fix_check.subject_box(scene) == real.box


def test_face_check_compares_each_detector_range_with_itself(monkeypatch):
    """Two ranges box one face 8 % apart; when their confidences swap after a fix the merged
    box jumps, but each range's own box stayed put: the face is kept. A range that moves
    its box 5 % is not."""
    short, full = Box(50, 80, 150, 180), Box(45, 64, 155, 178)
    scene = SimpleNamespace(faces=(_face((50, 80, 150, 180), 0.9),),
                            matte=np.ones((200, 200), np.float32), width=200, height=200,
                            rgb=np.zeros((200, 200, 3), np.uint8))
    monkeypatch.setattr(fix_check, "_analysis_rgb", lambda after, before, crop=None: np.zeros((200, 200, 3)))
    before = [(0, 0.90, short), (1, 0.89, full)]
    swapped = [(0, 0.88, Box(51, 80, 151, 181)), (1, 0.91, full)]
    moved = [(0, 0.90, Box(60, 80, 160, 180)), (1, 0.89, Box(55, 64, 165, 178))]
    for after, kept in ((swapped, True), (moved, False)):
        answers = iter([before, after])
        monkeypatch.setattr(fix_check, "_detections", lambda rgb: next(answers))
        check = fix_check.face_check(scene, "after")
        assert check.found and check.kept is kept, check
    answers = iter([before, []])
    monkeypatch.setattr(fix_check, "_detections", lambda rgb: next(answers))
    assert not fix_check.face_check(scene, "after").found


def test_fix_re_exports_the_check():
    """The public names of the check stay importable from headshot_lint.fix."""
    assert fix.face_check is fix_check.face_check and fix.subject_box is fix_check.subject_box
    assert fix.FaceCheck is fix_check.FaceCheck and fix.FACE_BOX_TOLERANCE == 0.02


def test_after_a_crop_the_box_is_compared_in_the_new_frame(monkeypatch):
    """A crop moves the box by the crop's offset and scale: the mapped box is kept; the
    same box not mapped (as if the crop were ignored) is lost."""
    scene = SimpleNamespace(faces=(_face((100, 40, 140, 90), 0.9),),
                            matte=np.ones((200, 300), np.float32), width=300, height=200,
                            rgb=np.zeros((200, 300, 3), np.uint8))
    crop = fix_check.Crop(160, 40, 360, 290, 600, 400)  # full-res px of a 600x400 original
    # Before: analysis box (100, 40, 140, 90) = full px (200, 80, 280, 180) -> crop px (40, 40, 120, 140);
    # the copy is looked at with the original's analysis scale (0.5): (20, 20, 60, 70) in a 100x125 image.
    monkeypatch.setattr(fix_check, "_analysis_rgb", lambda after, before, crop=None: np.zeros((125, 100, 3)))
    assert crop.map_box(Box(100, 40, 140, 90), (300, 200), (100, 125)) == Box(20, 20, 60, 70)
    for after, kept in (((20.5, 20, 60.5, 70), True), ((100, 40, 140, 90), False)):
        answers = iter([[(0, 0.9, Box(100, 40, 140, 90))], [(0, 0.9, Box(*after))]])
        monkeypatch.setattr(fix_check, "_detections", lambda rgb: next(answers))
        assert fix_check.face_check(scene, "after", crop).kept is kept
