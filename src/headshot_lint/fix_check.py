"""Does a corrected copy still show the subject's face where it was?

:func:`~headshot_lint.fix.correct` runs this check on the exact bytes it is about to
write. The subject is :func:`subject_box` (the primary face *on the person*, not a
face-like patch of the background); the check compares each MediaPipe detector range's
box of that face before with the same range's box after (:func:`face_check`). After a
crop the copy shows another frame: the original box is first mapped into it
(:class:`Crop`), and edges are measured in the new frame's width and height.
"""

from __future__ import annotations

from typing import Any, List, NamedTuple, Optional, Tuple

import cv2
import numpy as np

from .perception.faces import Box, detect_faces_by_range, primary_face
from .scene import Scene

#: A corrected copy keeps the face when each edge of its face box moved by at most this
#: fraction of the image width (x) or height (y).
FACE_BOX_TOLERANCE = 0.02
#: A corrected copy has lost the face when no face box overlaps the original's by this IoU.
#: (The detector's box itself moves by a few % when a distracting background goes away.)
FACE_LOST_IOU = 0.5
#: A face box whose centre half has at least this mean person matte lies on the person.
_ON_PERSON = 0.5
#: Two boxes are one face when their intersection covers this much of the smaller.
_SAME_FACE = 0.6


class Crop(NamedTuple):
    """The part of the original a copy shows: ``x0, y0, x1, y1`` in the original's
    full-resolution px, and that original's ``width`` and ``height``."""

    x0: int
    y0: int
    x1: int
    y1: int
    width: int
    height: int

    def map_box(self, box: Box, size: Tuple[int, int], to: Tuple[int, int]) -> Box:
        """``box`` in an image of the original's frame at ``size`` (w, h) -> the same
        place in the cropped frame at ``to`` (w, h)."""
        kx, ky = self.width / size[0], self.height / size[1]  # -> original px
        sx, sy = to[0] / (self.x1 - self.x0), to[1] / (self.y1 - self.y0)  # cropped px -> target
        return Box((box.x0 * kx - self.x0) * sx, (box.y0 * ky - self.y0) * sy,
                   (box.x1 * kx - self.x0) * sx, (box.y1 * ky - self.y0) * sy)


class FaceCheck(NamedTuple):
    """Where the subject's face is in a corrected copy, against the original.

    ``iou`` is the intersection over union of the subject's face box before and after,
    ``shift`` the largest move of a box edge as a fraction of the image width (x) or
    height (y). ``(0.0, 1.0)`` when the face is not found again; ``(1.0, 0.0)`` when the
    original shows no face on the person (nothing a fix could lose).
    """

    iou: float
    shift: float

    @property
    def found(self) -> bool:
        """The face is still detected where it was (IoU >= :data:`FACE_LOST_IOU`)."""
        return self.iou >= FACE_LOST_IOU

    @property
    def kept(self) -> bool:
        """Found, and every edge of its box within :data:`FACE_BOX_TOLERANCE`."""
        return self.found and self.shift <= FACE_BOX_TOLERANCE

    def describe(self) -> str:
        """For people: what happened to the face."""
        if not self.found:
            return "the corrected copy lost the face (not detected where it was)"
        if not self.kept:
            return (f"the face box moved by {100 * self.shift:.1f} % of the photo "
                    f"(more than {100 * FACE_BOX_TOLERANCE:.0f} %)")
        return "face kept"

    def short(self) -> str:
        """A few words: "face lost", "box moved 3.1 %" or "face kept"."""
        if not self.found:
            return "face lost"
        return f"box moved {100 * self.shift:.1f} %" if not self.kept else "face kept"


def subject_box(scene: Scene) -> Optional[Box]:
    """The face box of the person the fix keeps, analysis px; None without one.

    Not simply ``scene.face``: a face-like patch of the *background* (a window, a crowd)
    can be the largest detection, and replacing the background rightly removes it; and
    the detector's two ranges can report one face twice, a tight confident box inside a
    loose, barely-confident one. So only faces on the person matte count, a box nested
    in a more confident one is dropped, and of the rest the primary face is taken.
    """
    matte = np.asarray(scene.matte, np.float32)

    def on_person(b: Box) -> bool:
        cx, cy = b.center
        x0, x1 = int(max(0, cx - b.width / 4)), int(min(scene.width, cx + b.width / 4 + 1))
        y0, y1 = int(max(0, cy - b.height / 4)), int(min(scene.height, cy + b.height / 4 + 1))
        return x1 > x0 and y1 > y0 and float(matte[y0:y1, x0:x1].mean()) >= _ON_PERSON

    faces = [f for f in scene.faces if on_person(f.box)]
    faces = [f for f in faces if not any(g is not f and g.score > f.score and f.box.overlap(g.box) >= _SAME_FACE
                                         for g in faces)]
    face = primary_face(tuple(faces), scene.width, scene.height)
    return None if face is None else face.box


def other_faces(scene: Scene, subject: Box) -> List[Box]:
    """Every detected face box but the subject's (and its duplicates from the other
    detector range), analysis px: what a crop to the subject must leave out."""
    return [f.box for f in scene.faces if f.box.overlap(subject) < _SAME_FACE]


def _detections(rgb: np.ndarray) -> List[Tuple[int, float, Box]]:
    """Every face box of both detector ranges, unmerged: (range, score, box)."""
    return [(model, f.score, f.box) for model, faces in detect_faces_by_range(rgb).items() for f in faces]


def _analysis_rgb(after: Any, before: Scene, crop: Optional[Crop] = None) -> np.ndarray:
    """The corrected copy at analysis size, from pixels or encoded bytes (decoded as
    ``check`` would decode the written file): the original's analysis size, or for a
    crop the original's analysis scale (the face as many px tall as it was)."""
    from .load import load

    long_side = max(before.width, before.height)
    if crop is not None:
        long_side = max(1, round(max(crop.x1 - crop.x0, crop.y1 - crop.y0) * before.width / crop.width))
    source = bytes(after) if isinstance(after, (bytes, bytearray, memoryview)) else np.ascontiguousarray(after)
    rgb = np.asarray(load(source, long_side=long_side).rgb)
    if crop is None and rgb.shape[:2] != (before.height, before.width):
        rgb = cv2.resize(rgb, (before.width, before.height), interpolation=cv2.INTER_AREA)
    return np.ascontiguousarray(rgb)


def face_check(before: Scene, after: Any, crop: Optional[Crop] = None) -> FaceCheck:
    """Where the subject's face is in the corrected pixels (or encoded copy), against the
    original; see :class:`FaceCheck`.

    The subject's face is :func:`subject_box`. MediaPipe's two detector ranges box the
    same face differently (the short range square and low, the full range taller: 5-8 %
    of a close-up apart) and the merged detection follows whichever scores higher, so a
    change of confidence in the second decimal flips the merged box although the face
    did not move. The check therefore compares like with like: each range's box of the
    subject before with the same range's box after, taking the range that was most
    confident about the subject in the original and is still matched after.

    With ``crop`` (the copy shows only that part of the original) the copy is looked at
    with the original's analysis scale, the boxes before are mapped into the cropped
    frame, and edge moves are still fractions of the *original* photo's width and height:
    the same 2 % of the photo the subject was in (a crop to a third of the photo would
    otherwise judge the detector's own jitter, a few % of the face, three times as hard).
    """
    ref = subject_box(before)
    if ref is None:
        return FaceCheck(1.0, 0.0)
    rgb = _analysis_rgb(after, before, crop)
    h, w = rgb.shape[:2]
    # The original photo's width and height in the copy's analysis px.
    full_w, full_h = (w, h) if crop is None else (w * crop.width / (crop.x1 - crop.x0),
                                                  h * crop.height / (crop.y1 - crop.y0))
    was = [(m, s, b) for m, s, b in _detections(np.asarray(before.rgb)) if b.overlap(ref) >= _SAME_FACE]
    if crop is not None:
        was = [(m, s, crop.map_box(b, (before.width, before.height), (w, h))) for m, s, b in was]
    now = _detections(rgb)
    best: Optional[Tuple[float, float, float]] = None  # (score before, iou, shift)
    for model, score, b in was:
        cands = [a for m, _, a in now if m == model and a.iou(b) > 0]
        if not cands:
            continue
        a = max(cands, key=b.iou)
        dx = max(abs(a.x0 - b.x0), abs(a.x1 - b.x1)) / full_w
        dy = max(abs(a.y0 - b.y0), abs(a.y1 - b.y1)) / full_h
        key = (score, float(a.iou(b)), float(max(dx, dy)))
        if best is None or key[0] > best[0]:
            best = key
    if best is None:
        return FaceCheck(0.0, 1.0)
    return FaceCheck(best[1], best[2])


def face_kept(before: Scene, after_rgb: Any, tolerance: float = FACE_BOX_TOLERANCE,
              crop: Optional[Crop] = None) -> bool:
    """Whether the corrected copy shows the face in the same box: each edge within
    ``tolerance`` of the image width/height (see :func:`face_check`)."""
    check = face_check(before, after_rgb, crop)
    return check.found and check.shift <= tolerance


def face_lost(before: Scene, after_rgb: Any, crop: Optional[Crop] = None) -> bool:
    """Whether the corrected copy lost the subject's face: not found where it was (box
    overlap under :data:`FACE_LOST_IOU`)."""
    return not face_check(before, after_rgb, crop).found


__all__ = ["Crop", "FACE_BOX_TOLERANCE", "FACE_LOST_IOU", "FaceCheck", "face_check", "face_kept",
           "face_lost", "other_faces", "subject_box"]
