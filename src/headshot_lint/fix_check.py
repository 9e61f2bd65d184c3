"""Does a corrected copy still show the subject's face where it was?

:func:`~headshot_lint.fix.correct` runs this check on the exact bytes it is about to
write. The subject is :func:`subject_box` (the primary face *on the person*, not a
face-like patch of the background); the check compares each MediaPipe detector range's
box of that face before with the same range's box after (:func:`face_check`). After a
crop the copy shows another frame: the original box is first mapped into it
(:class:`Crop`), and edges are measured in the new frame's width and height.
"""

from __future__ import annotations

from typing import Any, List, NamedTuple, Tuple

import cv2
import numpy as np

from .perception.faces import Box, detect_faces_by_range, primary_face
from .scene import PERSON_FIRM, Scene

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


def subject_box(scene: Scene) -> Box | None:
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


def other_people(scene: Scene, subject: Box) -> List[Box]:
    """Face boxes of the other people in the photo, analysis px: faces on the person matte
    (not the subject's) at least as tall, relative to the subject's, as multiple-faces
    counts (``COMPARABLE_HEIGHT``). A new background would cut them up."""
    from .measures.faces import COMPARABLE_HEIGHT

    return [f.box for f in scene.faces_on_person if f.box.overlap(subject) < _SAME_FACE
            and f.box.height >= COMPARABLE_HEIGHT * subject.height]


def _detections(rgb: np.ndarray) -> List[Tuple[int, float, Box]]:
    """Every face box of both detector ranges, unmerged: (range, score, box)."""
    return [(model, f.score, f.box) for model, faces in detect_faces_by_range(rgb).items() for f in faces]


def _analysis_rgb(after: Any, before: Scene, crop: Crop | None = None) -> np.ndarray:
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


def original_detections(before: Scene) -> List[Tuple[int, float, Box]]:
    """Every face box of both detector ranges in the original, unmerged (what
    :func:`face_check` compares against; computed once for all attempts of a fix)."""
    return _detections(np.asarray(before.rgb))


def face_check(before: Scene, after: Any, crop: Crop | None = None,
               original: List[Tuple[int, float, Box]] | None = None) -> FaceCheck:
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
    ``original`` is :func:`original_detections` of ``before``, when already computed.
    """
    ref = subject_box(before)
    if ref is None:
        return FaceCheck(1.0, 0.0)
    rgb = _analysis_rgb(after, before, crop)
    h, w = rgb.shape[:2]
    # The original photo's width and height in the copy's analysis px.
    full_w, full_h = (w, h) if crop is None else (w * crop.width / (crop.x1 - crop.x0),
                                                  h * crop.height / (crop.y1 - crop.y0))
    if original is None:
        original = original_detections(before)
    was = [(m, s, b) for m, s, b in original if b.overlap(ref) >= _SAME_FACE]
    if crop is not None:
        was = [(m, s, crop.map_box(b, (before.width, before.height), (w, h))) for m, s, b in was]
    now = _detections(rgb)
    best: Tuple[float, float, float] | None = None  # (score before, iou, shift)
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
              crop: Crop | None = None) -> bool:
    """Whether the corrected copy shows the face in the same box: each edge within
    ``tolerance`` of the image width/height (see :func:`face_check`)."""
    check = face_check(before, after_rgb, crop)
    return check.found and check.shift <= tolerance


def face_lost(before: Scene, after_rgb: Any, crop: Crop | None = None) -> bool:
    """Whether the corrected copy lost the subject's face: not found where it was (box
    overlap under :data:`FACE_LOST_IOU`)."""
    return not face_check(before, after_rgb, crop).found


# -- leftovers of the old background --------------------------------------------------------

#: A kept patch smaller than this share of the photo is noise, not a visible remnant
#: (at the 640 px analysis size: ~60 px, a blob 8 px across).
REMNANT_MIN_AREA = 0.0002
#: A copy shows a remnant when its kept patches of the old background together cover
#: more than this share of the photo (0.1 %: a 20 x 20 px patch at 640 px).
REMNANT_MAX_AREA = 0.001
#: A halo: the ring just outside the kept subject still carries this fraction (or more)
#: of the old background's difference from the new one, on average.
HALO_MAX = 0.30
#: Old and new background must differ by this many 8-bit RGB units for a halo to show.
_HALO_CONTRAST = 24.0


class RemnantCheck(NamedTuple):
    """Leftovers of the old background in a copy whose background was replaced or blurred.

    ``fragments`` is the share of the photo kept as "person" but cut off from the
    subject (patches floating in the new background; faint ones, kept at 10-50 %, count
    by their opacity); ``patches`` the share kept at the
    subject's uncertain edge whose colour is the old background's nearby rather than the
    subject's (a flag, a curtain, a window wedge at the shoulder); ``halo`` the mean
    fraction of the old background left in the ring just outside the subject (0 clean,
    1 the old background itself; 0 when old and new are alike there); ``smears`` the
    share of the photo, by opacity, of faint old background still joined to the subject
    below the face but away from its body (the rock a person sits on kept at 20 %, a
    shadow on the floor): what the segmenter half-kept there shows on a new backdrop;
    ``ghosts`` the share of the photo where the subject itself is kept half-transparent
    over the new backdrop, well inside its soft edge (arms or legs the segmenter was unsure
    of, a washed-out face): the new backdrop shows through the person; ``face`` the share of
    the middle of the face (:func:`..retouch.matte.face_core`: an ellipse in the face box where
    the segmenter sees the person) kept under the opaque level where the copy differs visibly:
    the backdrop shows through the face, however small a share of the photo it is.
    """

    fragments: float
    patches: float
    halo: float
    smears: float = 0.0
    ghosts: float = 0.0
    face: float = 0.0

    @property
    def area(self) -> float:
        """Share of the photo where the old background shows: every kind but the halo."""
        return self.fragments + self.patches + self.smears + self.ghosts

    @property
    def clean(self) -> bool:
        """No remnant a person would see."""
        return self.area <= REMNANT_MAX_AREA and self.halo <= HALO_MAX and self.face <= FACE_SEE_THROUGH_MAX

    def describe(self) -> str:
        """For people: what was left of the old background."""
        parts = [f"{what} ({100 * share:.1f} % of the photo{how})" for share, what, how in (
            (self.fragments, "pieces of the old background float in the new one", ""),
            (self.patches, "patches of the old background stay beside the subject", ""),
            (self.smears, "a faint smear of the old background trails from the subject", ""),
            (self.ghosts, "the new background shows through parts of the subject", " kept half-transparent"),
        ) if share > REMNANT_MAX_AREA / 2]
        if self.face > FACE_SEE_THROUGH_MAX:
            parts.append(f"the new background shows through the face ({100 * self.face:.0f} % of it kept "
                         f"half-transparent, at most {100 * FACE_SEE_THROUGH_MAX:.0f} %)")
        if self.halo > HALO_MAX:
            parts.append(f"a halo of the old background rims the subject ({100 * self.halo:.0f} % of it left, "
                         f"at most {100 * HALO_MAX:.0f} %)")
        return "; ".join(parts) or "no remnant of the old background"

    def short(self) -> str:
        """A few words for a list of attempts."""
        if self.clean:
            return "no remnant"
        face = f", face see-through {100 * self.face:.0f} %" if self.face > FACE_SEE_THROUGH_MAX else ""
        return f"remnants {100 * self.area:.2f} %, halo {100 * self.halo:.0f} %{face}"


def _blobs(mask: np.ndarray, min_px: int) -> np.ndarray:
    """``mask`` without its connected parts smaller than ``min_px`` pixels, bool."""
    n, labels, stats, _ = cv2.connectedComponentsWithStats(mask.astype(np.uint8), connectivity=8)
    keep = np.zeros(n, bool)
    keep[1:] = stats[1:, cv2.CC_STAT_AREA] >= min_px
    return keep[labels]


def subject_part(kept: np.ndarray, face: Box | None) -> np.ndarray:
    """The connected part of ``kept`` (bool, analysis px) that holds the subject: the one
    under the face box, else the largest; bool, same size."""
    n, labels, stats, _ = cv2.connectedComponentsWithStats(kept.astype(np.uint8), connectivity=8)
    if n <= 1:
        return np.zeros_like(kept, bool)
    ids = np.arange(1, n)
    if face is not None:
        h, w = kept.shape
        x0, y0 = int(np.clip(face.x0, 0, w - 1)), int(np.clip(face.y0, 0, h - 1))
        x1, y1 = int(np.clip(face.x1, x0 + 1, w)), int(np.clip(face.y1, y0 + 1, h))
        under = np.bincount(labels[y0:y1, x0:x1].ravel(), minlength=n)[1:]
        if under.max() > 0:
            return labels == int(ids[np.argmax(under)])
    return labels == int(ids[np.argmax(stats[1:, cv2.CC_STAT_AREA])])


def remnant_check(original: np.ndarray, copy: np.ndarray, alpha: np.ndarray, face: Box | None,
                  matte: np.ndarray) -> Tuple[RemnantCheck, np.ndarray]:
    """What is left of the old background in a copy (see :class:`RemnantCheck`), and where.

    Parameters
    ----------
    original, copy : ndarray, uint8 (h, w, 3)
        The photo before and after the background fix, both at analysis size, same frame.
    alpha : ndarray, float32 (h, w) in [0, 1]
        The person alpha the fix used, at that size (1 = kept from the photo).
    face : Box or None
        The subject's face box, analysis px.
    matte : ndarray, float32 (h, w)
        The segmenter's person matte of the original.

    Returns
    -------
    (RemnantCheck, ndarray of bool (h, w))
        The shares, and the kept pixels found to be old background (floating pieces and
        patches beside the subject), for a retry to give to the new background.
    """
    from .retouch.background import fill

    h, w = alpha.shape
    min_px = max(4, int(round(REMNANT_MIN_AREA * h * w)))
    kept = alpha >= 0.5
    subject = subject_part(kept, face)
    floating = _blobs(kept & ~subject, min_px)
    # Faint pieces too: parts of the soft alpha (a ghost of a wall, a smear of a curtain at
    # 10-50 % opacity) not connected to the subject, counted by their opacity. Hair wisps
    # stay connected to the subject through the soft alpha.
    soft = alpha >= _FAINT
    n, labels = cv2.connectedComponents(soft.astype(np.uint8), connectivity=8)
    touching = np.unique(labels[subject & soft])
    faint = _blobs(soft & ~np.isin(labels, touching) & ~floating, min_px)
    # Patches: kept where the segmenter was unsure, and looking like the old background
    # nearby rather than like the subject nearby (a flag, a window frame, a wall wedge).
    m = np.asarray(matte, np.float32)
    # The middle of the face, where the segmenter sees the person: never old background, and
    # never to be seen through (what the fix holds opaque, retouch.matte.hold_face).
    middle = np.zeros_like(kept)
    if face is not None:
        from .retouch.matte import face_core

        middle = face_core(m, (face.x0, face.y0, face.x1, face.y1), PERSON_FIRM) > 0
    img = original.astype(np.float32)
    k = max(3, int(round(_SURE_FRACTION * max(h, w))) | 1)
    sure_fg = cv2.erode((m > 0.9).astype(np.uint8), cv2.getStructuringElement(cv2.MORPH_ELLIPSE, (k, k)))
    clean_bg = (alpha < 0.02).astype(np.float32)
    patches = np.zeros_like(kept)
    if sure_fg.any() and clean_bg.any():
        fg = fill(img, sure_fg.astype(np.float32))
        bg = fill(img, clean_bg)
        d_bg = np.linalg.norm(img - bg, axis=2)
        d_fg = np.linalg.norm(img - fg, axis=2)
        unsure = subject & (m < _SURE_PERSON) & _near_outside(kept, _PATCH_REACH * max(h, w))
        like_bg = unsure & (d_bg < _CLOSER * d_fg) & (d_fg > _UNLIKE_SUBJECT)
        like_bg &= ~middle  # white teeth before a light wall are the face, not the wall
        like_bg = cv2.morphologyEx(like_bg.astype(np.uint8), cv2.MORPH_OPEN, np.ones((2, 2), np.uint8)).astype(bool)
        patches = _blobs(like_bg, min_px)
    # Halo: in the ring just outside the subject, how much of (old - new) is still there.
    ring = cv2.dilate(kept.astype(np.uint8), np.ones((5, 5), np.uint8)).astype(bool) & ~kept
    halo = 0.0
    if ring.any() and clean_bg.any():
        old = fill(cv2.GaussianBlur(img, (0, 0), 1.5), cv2.erode(clean_bg, np.ones((5, 5), np.uint8)))
        # The new background from away from the subject (the ring itself is what is judged).
        new = fill(copy.astype(np.float32), cv2.erode(clean_bg, np.ones((9, 9), np.uint8)))
        diff = (old - new)[ring]
        norm2 = np.einsum("nc,nc->n", diff, diff)
        seen = norm2 >= _HALO_CONTRAST ** 2
        if seen.sum() >= min_px:
            left = np.einsum("nc,nc->n", (copy.astype(np.float32) - new)[ring][seen], diff[seen]) / norm2[seen]
            halo = float(np.clip(np.mean(np.clip(left, 0.0, 1.0)), 0.0, 1.0))
    # Smears: faint parts joined to the subject (so not "faint" pieces) below the face and
    # away from the kept body, that still differ visibly from the new background.
    smear = np.zeros_like(kept)
    if subject.any() and clean_bg.any():
        away = cv2.distanceTransform((~subject).astype(np.uint8), cv2.DIST_L2, 3) > _SMEAR_AWAY * max(h, w)
        smear = soft & ~kept & away & ~faint
        if face is not None:
            smear[:int(np.clip(face.y1, 0, h))] = False  # hair wisps around the head are the subject's
        if smear.any():
            new_bg = fill(copy.astype(np.float32), cv2.erode(clean_bg, np.ones((9, 9), np.uint8)))
            seen = np.linalg.norm(copy.astype(np.float32) - new_bg, axis=2) >= _HALO_CONTRAST
            smear = _blobs(smear & seen, min_px)
    ghost = ghosts(alpha, original, copy, face)
    through = 0.0
    if middle.any():
        seen_face = np.linalg.norm(img[middle] - copy[middle].astype(np.float32), axis=1) >= _HALO_CONTRAST
        through = float(np.mean((alpha[middle] < _GHOST_ALPHA[1]) & seen_face))
    area = float(h * w)
    pieces = float(floating.sum()) + float(alpha[faint].sum())
    check = RemnantCheck(pieces / area, float(patches.sum()) / area, halo, float(alpha[smear].sum()) / area,
                         float(ghost.sum()) / area, through)
    return check, floating | faint | patches | smear


def _near_outside(kept: np.ndarray, reach: float) -> np.ndarray:
    """Pixels within ``reach`` px of the background outside the subject
    (:func:`..retouch.matte.outside` of ``~kept``), bool: the subject's edge, not a badge on
    its chest."""
    from .retouch.matte import outside

    labels, _, outer = outside(~kept)
    return cv2.distanceTransform((~outer[labels]).astype(np.uint8), cv2.DIST_L2, 3) <= reach


def ghosts(alpha: np.ndarray, original: np.ndarray, copy: np.ndarray, face: Box | None) -> np.ndarray:
    """Where the subject is kept half-transparent well inside its soft edge: bool (h, w).

    A soft edge is a few pixels wide at analysis size (the alpha goes from 0 to 1 across the
    outline); a pixel kept at :data:`_GHOST_ALPHA` that is more than :data:`_GHOST_DEPTH`
    of the long side from both the opaque subject and the clean background lies in a broad
    translucent zone; where the alpha also stays level there (:data:`_GHOST_SLOPE`: a
    plateau, not the steady ramp of an out-of-focus edge) and the copy differs visibly from
    the photo, a person sees
    the backdrop through the body. Hair above and beside the face is soft by nature and not
    judged; the face box itself and everything below it are.
    """
    h, w = alpha.shape
    lo, hi = _GHOST_ALPHA
    soft = (alpha > lo) & (alpha < hi)
    if face is not None:
        y0, y1 = int(np.clip(face.y0, 0, h)), int(np.clip(face.y1, 0, h))
        x0, x1 = int(np.clip(face.x0, 0, w)), int(np.clip(face.x1, 0, w))
        judged = np.zeros_like(soft)
        judged[y1:] = True
        judged[y0:y1, x0:x1] = True
        soft &= judged
    if not soft.any():
        return soft
    depth = _GHOST_DEPTH * max(h, w)
    from_opaque = cv2.distanceTransform((alpha < hi).astype(np.uint8), cv2.DIST_L2, 3)
    from_clear = cv2.distanceTransform((alpha > lo).astype(np.uint8), cv2.DIST_L2, 3)
    deep = soft & (from_opaque > depth) & (from_clear > depth)
    # A plateau, not a ramp: the alpha of an out-of-focus edge rises steadily across a wide
    # band (rightly soft); a half-kept arm stays at one opacity.
    a = cv2.GaussianBlur(alpha.astype(np.float32), (0, 0), 1.0)
    slope = np.hypot(cv2.Sobel(a, cv2.CV_32F, 1, 0, ksize=3), cv2.Sobel(a, cv2.CV_32F, 0, 1, ksize=3)) / 8.0
    deep &= slope < _GHOST_SLOPE
    seen = np.linalg.norm(original.astype(np.float32) - copy.astype(np.float32), axis=2) >= _HALO_CONTRAST
    return _blobs(deep & seen, max(4, int(round(REMNANT_MIN_AREA * h * w))))


#: Alpha from which a pixel shows the old background faintly (a floating ghost counts).
_FAINT = 0.1
#: A faint part of the alpha this far from the kept subject (fraction of the long side)
#: is a smear of the old background, not the subject's soft edge.
_SMEAR_AWAY = 0.01
#: Alpha between these is half-transparent: the new backdrop shows through the subject.
_GHOST_ALPHA = (0.15, 0.85)
#: A copy may keep at most this share of the middle of the face under the opaque level
#: (visibly changed). The fix holds that middle opaque (``retouch.matte.hold_face``), feathered
#: inwards, so what remains is its rim: on the labelled photos the written copies keep 0-4 %
#: (pidm_fashion_37 4 %, fcanet_vv_p1010880 4 %, both faces intact) and bopbl_b, whose faded face
#: and forehead showed the grey through, 9 %. Before the hold, backlitovd_15's backlit face was
#: kept at alpha 0.6-0.8 over 20 % of that middle while counting as 0.08 % of the photo.
FACE_SEE_THROUGH_MAX = 0.05
#: A half-transparent pixel this far (fraction of the long side) from both the opaque
#: subject and the clean background is in a broad translucent zone, not a soft edge.
_GHOST_DEPTH = 0.005
#: ... and where the alpha changes by less than this per pixel (analysis px): a plateau of
#: half-opacity. An out-of-focus edge ramps from 0 to 1 across 8-10 px (0.1-0.12 per px).
_GHOST_SLOPE = 0.04
#: Sure person for the colour of the subject nearby: matte over 0.9, eroded by this
#: fraction of the long side (as the matte refinement's trimap).
_SURE_FRACTION = 0.03
#: Kept pixels with a segmenter matte under this are "unsure" and may be old background.
_SURE_PERSON = 0.95
#: An unsure kept pixel is old background when its colour is nearer the old background
#: nearby than this fraction of its distance to the subject nearby ...
_CLOSER = 0.8
#: ... and at least this far (8-bit RGB units) from the subject's colour, within this
#: fraction of the long side of the background outside the subject (its edge, where a flag
#: or a window wedge is kept; a badge deep in a jacket is the subject's).
_UNLIKE_SUBJECT = 20.0
_PATCH_REACH = 0.03


__all__ = ["Crop", "FACE_BOX_TOLERANCE", "FACE_LOST_IOU", "FACE_SEE_THROUGH_MAX", "FaceCheck", "RemnantCheck",
           "face_check", "face_kept", "face_lost", "ghosts", "original_detections", "other_faces", "other_people",
           "remnant_check", "subject_box", "subject_part"]
