"""Faces: boxes from MediaPipe's face detector, 468 landmarks from its face mesh."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from . import _mediapipe

#: Faces detected with a lower confidence are ignored (MediaPipe's own default).
MIN_CONFIDENCE = 0.5
#: Overlapping boxes (IoU above this) from the two detector ranges are one face.
_NMS_IOU = 0.4
#: ... and so is a box lying mostly (this share of the smaller box's area) inside a more
#: confident one: the ranges sometimes box one close-up face loosely and tightly.
_NESTED = 0.7
#: When the largest face found on the whole image is shorter than this fraction of the
#: image height (or there is none), the full-range detector also runs on overlapping
#: tiles: it sees the image at 192 px, where a group photo's faces shrink to a few px.
SMALL_FACE = 0.12
#: Tiles per side (with TILE_OVERLAP of a tile's size shared by neighbours).
TILES = 2
TILE_OVERLAP = 0.25
#: A best face scoring below this may be a turned photo's (see :func:`upright_turns`) ...
UPRIGHT_CONFIDENT = 0.85
#: ... which it is when a turned view's face scores this much more.
TURN_MARGIN = 0.1


@dataclass(frozen=True)
class Box:
    """Axis-aligned box in analysis-image pixels, x to the right, y down."""

    x0: float  #: left edge, px
    y0: float  #: top edge, px
    x1: float  #: right edge, px
    y1: float  #: bottom edge, px

    @property
    def width(self) -> float:
        return self.x1 - self.x0

    @property
    def height(self) -> float:
        return self.y1 - self.y0

    @property
    def area(self) -> float:
        return max(0.0, self.width) * max(0.0, self.height)

    @property
    def center(self) -> tuple[float, float]:
        return ((self.x0 + self.x1) / 2, (self.y0 + self.y1) / 2)

    def iou(self, other: "Box") -> float:
        """Intersection over union with ``other``, in [0, 1]."""
        w = min(self.x1, other.x1) - max(self.x0, other.x0)
        h = min(self.y1, other.y1) - max(self.y0, other.y0)
        inter = max(0.0, w) * max(0.0, h)
        union = self.area + other.area - inter
        return inter / union if union > 0 else 0.0

    def overlap(self, other: "Box") -> float:
        """Intersection over the smaller box's area, in [0, 1]: 1 when one box lies inside
        the other (a nested duplicate), where :meth:`iou` can stay low."""
        w = min(self.x1, other.x1) - max(self.x0, other.x0)
        h = min(self.y1, other.y1) - max(self.y0, other.y0)
        smaller = min(self.area, other.area)
        return max(0.0, w) * max(0.0, h) / smaller if smaller > 0 else 0.0

    def clipped(self, width: int, height: int) -> "Box":
        """The box clipped to an image of ``width`` x ``height`` px."""
        return Box(max(0.0, self.x0), max(0.0, self.y0), min(float(width), self.x1), min(float(height), self.y1))


@dataclass(frozen=True)
class Face:
    """One detected face."""

    box: Box  #: face box, analysis px (forehead to chin, cheek to cheek)
    score: float  #: detector confidence in [0, 1]
    keypoints: tuple[tuple[float, float], ...]  #: right eye, left eye, nose, mouth, right ear, left ear (px)


def detect_faces(rgb: np.ndarray) -> tuple[Face, ...]:
    """All faces in an RGB image, largest first.

    Runs both of MediaPipe's detector ranges (short range finds close, large faces;
    full range finds small ones) and merges overlapping boxes, so a tight crop and a
    group photo are both handled. Two runs cost ~4 ms at 640 px. When no face, or only
    a small one (< ``SMALL_FACE`` of the height), is found, the full range also runs on
    2 x 2 overlapping tiles (~8 ms more): on 237 labelled photos this found the groups
    whose faces were too small for one pass (multiple-faces F1 0.67 -> 0.86, no-face
    0.67 -> 0.79 together with the nested-box merge).
    """
    h, w = rgb.shape[:2]
    found = _detect(rgb, 0) + _detect(rgb, 1)
    if not found or max(f.box.height for f in found) < SMALL_FACE * h:
        found += _detect_tiled(rgb)
    return tuple(_merge(found))


def upright_turns(rgb: np.ndarray, faces: tuple[Face, ...]) -> int:
    """Quarter turns counter-clockwise (``np.rot90``'s ``k``, 0-3) that make the photo
    upright: 0 unless its face is only recognised turned.

    A sideways or upside-down photo (its EXIF orientation lost, or never written) still
    yields a face, but a weak one: the astronaut turned a quarter scores 0.65-0.79
    against 0.92 upright, Grace Hopper 0-0.81 against 0.94. So only when the best face
    scores below ``UPRIGHT_CONFIDENT`` are the three other orientations tried (the
    short-range detector; median 13.8 ms CPU for the three, paid by 44 of the 237
    labelled photos, all upright: 2.6 ms a photo on average), and a turn wins when it
    scores ``UPRIGHT_CONFIDENT`` and ``TURN_MARGIN`` more than upright. On the labelled
    photos no turn does: the best turned "faces" there (silhouettes, backlit profiles)
    score at most 0.73.
    """
    upright = max((f.score for f in faces), default=0.0)
    if upright >= UPRIGHT_CONFIDENT or (faces and looks_upright(max(faces, key=lambda f: f.score))):
        return 0
    turned = {k: max((f.score for f in _detect(np.ascontiguousarray(np.rot90(rgb, k)), 0)), default=0.0)
              for k in (1, 2, 3)}
    k = max(turned, key=lambda i: turned[i])
    return k if turned[k] >= UPRIGHT_CONFIDENT and turned[k] >= upright + TURN_MARGIN else 0


#: A weak face whose eye line is within this many degrees of level ...
UPRIGHT_EYE_TILT = 25.0
#: ... and whose mouth lies this many eye distances below the eyes is seen upright.
UPRIGHT_MOUTH_DROP = 0.6


def looks_upright(face: Face) -> bool:
    """Whether a face's keypoints sit as an upright face's do: eyes level within
    ``UPRIGHT_EYE_TILT`` degrees, mouth ``UPRIGHT_MOUTH_DROP`` eye distances below them.

    The gate of the turned search: most weak faces (backlit, small, in profile) are
    upright and say so. On 321 labelled photos 55 best faces score below
    ``UPRIGHT_CONFIDENT``; 33 of them pass (eye tilt at most 20 degrees), saving the three
    turned detections (~14 ms). Turned copies of the astronaut and Grace Hopper, the
    cases the search exists for, show tilts of 35-83 degrees or a mouth level with the
    eyes, so they are still searched, as is every photo with no face at all.
    """
    if len(face.keypoints) < 4:
        return False
    (rx, ry), (lx, ly), _, (mx, my) = face.keypoints[:4]
    eye = float(np.hypot(lx - rx, ly - ry))
    if eye <= 0:
        return False
    tilt = abs(float(np.degrees(np.arctan2(ly - ry, lx - rx))))
    drop = (my - (ry + ly) / 2) / eye
    return tilt <= UPRIGHT_EYE_TILT and drop >= UPRIGHT_MOUTH_DROP


def _detect(rgb: np.ndarray, model: int, offset: tuple[int, int] = (0, 0),
            full: tuple[int, int] | None = None) -> list[Face]:
    """Faces from one detector range on ``rgb``, in the coordinates of the full image of
    size ``full`` (w, h) of which ``rgb`` is the crop at ``offset`` (x, y)."""
    h, w = rgb.shape[:2]
    ox, oy = offset
    fw, fh = full or (w, h)
    out: list[Face] = []
    result = _mediapipe.run(_mediapipe.face_detector(model), rgb)
    for det in result.detections or ():
        score = float(det.score[0]) if det.score else 0.0
        if score < MIN_CONFIDENCE:
            continue
        rel = det.location_data.relative_bounding_box
        box = Box(ox + rel.xmin * w, oy + rel.ymin * h, ox + (rel.xmin + rel.width) * w,
                  oy + (rel.ymin + rel.height) * h).clipped(fw, fh)
        if box.width < 4 or box.height < 4:
            continue
        kps = tuple((ox + kp.x * w, oy + kp.y * h) for kp in det.location_data.relative_keypoints)
        out.append(Face(box, score, kps))
    return out


def _detect_tiled(rgb: np.ndarray) -> list[Face]:
    """Full-range faces found on ``TILES`` x ``TILES`` overlapping tiles (each seen at the
    detector's input size, so small faces are twice as large to it)."""
    h, w = rgb.shape[:2]
    out: list[Face] = []
    tw, th = int(w / (TILES - (TILES - 1) * TILE_OVERLAP)), int(h / (TILES - (TILES - 1) * TILE_OVERLAP))
    for i in range(TILES):
        for j in range(TILES):
            x0 = min(w - tw, round(j * tw * (1 - TILE_OVERLAP)))
            y0 = min(h - th, round(i * th * (1 - TILE_OVERLAP)))
            out += _detect(rgb[y0:y0 + th, x0:x0 + tw], 1, (x0, y0), (w, h))
    return out


def _merge(faces: list[Face]) -> list[Face]:
    """Non-maximum suppression by confidence (a box is dropped when it overlaps a kept
    one by ``_NMS_IOU`` or lies ``_NESTED`` inside it), then order by area, largest first."""
    kept: list[Face] = []
    for face in sorted(faces, key=lambda f: -f.score):
        if all(face.box.iou(k.box) < _NMS_IOU and face.box.overlap(k.box) < _NESTED for k in kept):
            kept.append(face)
    return sorted(kept, key=lambda f: -f.box.area)



def primary_face(faces: tuple[Face, ...], width: int, height: int) -> Face | None:
    """The subject: the largest face, ties broken by closeness to the image centre.

    Score = area / (1 + distance of the box centre from the image centre in
    half-diagonals); a headshot's subject is big and central, a bystander is not.
    """
    if not faces:
        return None
    half_diag = 0.5 * float(np.hypot(width, height))

    def key(face: Face) -> float:
        cx, cy = face.box.center
        dist = float(np.hypot(cx - width / 2, cy - height / 2)) / half_diag
        return face.box.area / (1.0 + dist)

    return max(faces, key=key)


def face_landmarks(rgb: np.ndarray, face: Face) -> np.ndarray | None:
    """468 face-mesh landmarks of ``face``, float32 (468, 2) in analysis px, or None.

    The mesh runs on a crop around the detected box (1.8x its size) so that it
    describes the same face the detector chose, even in a group photo.
    """
    h, w = rgb.shape[:2]
    cx, cy = face.box.center
    half = 0.9 * max(face.box.width, face.box.height)
    x0, y0 = int(max(0, cx - half)), int(max(0, cy - half))
    x1, y1 = int(min(w, cx + half)), int(min(h, cy + half))
    if x1 - x0 < 16 or y1 - y0 < 16:
        return None
    crop = rgb[y0:y1, x0:x1]
    result = _mediapipe.run(_mediapipe.face_mesh(), crop)
    if not result.multi_face_landmarks:
        return None
    lms = result.multi_face_landmarks[0].landmark
    pts = np.array([(p.x * (x1 - x0) + x0, p.y * (y1 - y0) + y0) for p in lms], np.float32)
    return pts


def detect_faces_by_range(rgb: np.ndarray) -> dict[int, tuple[Face, ...]]:
    """Every face each of MediaPipe's two detector ranges finds, unmerged and unclipped.

    ``{0: short-range faces, 1: full-range faces}``, each above :data:`MIN_CONFIDENCE`,
    in the detector's order. The two ranges box one face differently (the short range
    square and low, the full range taller), so comparing a face before and after an
    edit is only stable range by range; :func:`detect_faces` merges them instead.
    """
    h, w = rgb.shape[:2]
    out: dict[int, tuple[Face, ...]] = {}
    for model in (0, 1):
        result = _mediapipe.run(_mediapipe.face_detector(model), rgb)
        found = []
        for det in result.detections or ():
            score = float(det.score[0]) if det.score else 0.0
            if score < MIN_CONFIDENCE:
                continue
            rel = det.location_data.relative_bounding_box
            box = Box(rel.xmin * w, rel.ymin * h, (rel.xmin + rel.width) * w, (rel.ymin + rel.height) * h)
            kps = tuple((kp.x * w, kp.y * h) for kp in det.location_data.relative_keypoints)
            found.append(Face(box, score, kps))
        out[model] = tuple(found)
    return out
