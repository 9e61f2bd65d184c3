"""Scene: everything perceived in one photo, each computed lazily and only once.

A measure asks the scene for what it needs (``scene.skin_mask``,
``scene.background_mask``, ...); nothing is computed that no selected rule reads,
and nothing is computed twice. All arrays are at analysis size and read-only.
"""

from __future__ import annotations

from collections.abc import Callable
import functools
from functools import cached_property
from typing import TypeVar, cast

import cv2
import numpy as np

from . import color
from .load import Photo
from .perception.embedding import FeatureMaps, feature_maps
from .perception.faces import Box, Face, detect_faces, face_landmarks, primary_face, upright_turns
from .perception.segment import person_matte

_T = TypeVar("_T")

# Contours of MediaPipe's 468-point face mesh, in drawing order
# (from mediapipe/python/solutions/face_mesh_connections.py).
_FACE_OVAL = (10, 338, 297, 332, 284, 251, 389, 356, 454, 323, 361, 288, 397, 365, 379, 378, 400,
              377, 152, 148, 176, 149, 150, 136, 172, 58, 132, 93, 234, 127, 162, 21, 54, 103, 67, 109)
_LEFT_EYE = (263, 249, 390, 373, 374, 380, 381, 382, 362, 398, 384, 385, 386, 387, 388, 466)
_RIGHT_EYE = (33, 7, 163, 144, 145, 153, 154, 155, 133, 173, 157, 158, 159, 160, 161, 246)
_LEFT_BROW = (300, 293, 334, 296, 336, 285, 295, 282, 283, 276)
_RIGHT_BROW = (70, 63, 105, 66, 107, 55, 65, 52, 53, 46)
_LIPS = (61, 146, 91, 181, 84, 17, 314, 405, 321, 375, 291, 409, 270, 269, 267, 0, 37, 39, 40, 185)

#: Matte value above which a pixel may belong to the person (hair wisps included); below
#: it a pixel is surely background.
PERSON_LOOSE = 0.15
#: Matte value above which a pixel is the person for region statistics.
PERSON_FIRM = 0.5
#: A face counts as the subject's when the person matte covers its box this much on average.
FACE_ON_PERSON = 0.5


class Scene:
    """Perception results for one :class:`~headshot_lint.load.Photo`."""

    def __init__(self, photo: Photo, turned: int = 0) -> None:
        self.photo = photo
        self.rgb = photo.rgb  #: uint8 (H, W, 3) sRGB, analysis size
        self.height, self.width = photo.rgb.shape[:2]
        #: Quarter turns counter-clockwise already applied to the stored photo to make this
        #: one (the engine analyses a turned photo upright); 0 for a photo as stored.
        self.turned = turned
        self._derived: dict[Callable[[Scene], object], object] = {}

    def derived(self, make: Callable[[Scene], _T]) -> _T:
        """``make(self)``, computed on first use and kept with the scene.

        The one cache for views that measures share but the scene does not define itself
        (``measures/_views.py``'s half-size view, skin colour, clothing, thumbnails; the
        backlight exposure): the function is the key, so each view has one definition
        and dies with its scene, like the cached properties below.
        """
        if make not in self._derived:
            self._derived[make] = make(self)
        return cast(_T, self._derived[make])

    # -- faces ---------------------------------------------------------------
    @cached_property
    def faces(self) -> tuple[Face, ...]:
        """Every detected face, largest first."""
        return detect_faces(self.rgb)

    @cached_property
    def face(self) -> Face | None:
        """The subject's face (largest, most central), or None.

        Faces the person matte covers come first: a "face" in a window, the sky or a
        poster behind the subject is not the subject's.
        """
        return primary_face(self.faces_on_person or self.faces, self.width, self.height)

    @cached_property
    def faces_on_person(self) -> tuple[Face, ...]:
        """The faces the person matte covers (on average ``FACE_ON_PERSON`` of the box),
        largest first: people, not faces in windows, skies or posters."""
        if not self.faces:
            return ()
        return tuple(f for f in self.faces if _coverage(self.matte, f.box) >= FACE_ON_PERSON)

    @cached_property
    def landmarks(self) -> np.ndarray | None:
        """468 face-mesh points of the subject, float32 (468, 2) px, or None."""
        return None if self.face is None else face_landmarks(self.rgb, self.face)

    @cached_property
    def skin_mask(self) -> np.ndarray:
        """Bare facial skin of the subject, bool (H, W): inside the face oval, eyes,
        brows and lips excluded, pixels far from the median skin L* dropped (a fringe
        of hair, glasses, shadows). Falls back to an ellipse in the face box when the
        mesh fails. Empty when there is no face."""
        mask = np.zeros((self.height, self.width), np.uint8)
        if self.face is None:
            return mask.astype(bool)
        pts = self.landmarks
        if pts is not None:
            cv2.fillPoly(mask, [_poly(pts, _FACE_OVAL)], 1)
            holes = np.zeros_like(mask)
            for idx in (_LEFT_EYE, _RIGHT_EYE, _LEFT_BROW, _RIGHT_BROW, _LIPS):
                cv2.fillPoly(holes, [_poly(pts, idx)], 1)
            k = max(3, int(round(self.face.box.width * 0.04)) | 1)
            holes = cv2.dilate(holes, np.ones((k, k), np.uint8))
            mask &= 1 - holes
        else:
            b = self.face.box
            cx, cy = b.center
            cv2.ellipse(mask, (int(cx), int(cy)), (max(1, int(b.width * 0.35)), max(1, int(b.height * 0.4))),
                        0, 0, 360, 1, -1)
        bool_mask = mask.astype(bool)
        box = bounding_box(bool_mask)  # the face's box, not the frame: the same pixels in the same order
        inner = bool_mask[box]
        if inner.sum() >= 20:
            lightness = cv2.extractChannel(self.lab[box], 0)[inner]  # a contiguous plane indexes faster
            med = float(np.median(lightness))
            mad = float(np.median(np.abs(lightness - med))) + 1.0
            inner[inner] = np.abs(lightness - med) <= 3.0 * 1.4826 * mad  # only mask pixels can change
        return _frozen(bool_mask)

    # -- person and background -----------------------------------------------
    @cached_property
    def upright_turns(self) -> int:
        """Quarter turns counter-clockwise (``np.rot90``'s k) that would make the photo
        upright: 0 for almost every photo, 1-3 when its face is only recognised turned
        (a sideways photo that lost its EXIF orientation)."""
        return upright_turns(self.rgb, self.faces)

    @cached_property
    def matte(self) -> np.ndarray:
        """Soft person matte, float32 (H, W) in [0, 1], 1 = person.

        Segmented upright: on the astronaut turned a quarter, the segmenter took the
        neck and collar for background and the flag for the person, and a replaced
        background cut a hole under the chin."""
        k = self.upright_turns
        if not k:
            return _frozen(person_matte(self.rgb))
        upright = person_matte(np.ascontiguousarray(np.rot90(self.rgb, k)))
        return _frozen(np.ascontiguousarray(np.rot90(upright, -k)))

    @cached_property
    def person_mask(self) -> np.ndarray:
        """Pixels that are firmly the person, bool (H, W)."""
        return _frozen(self.matte >= PERSON_FIRM)

    @cached_property
    def halo_px(self) -> int:
        """Width of the band kept away from the person's outline, px (1.5% of the long side, >= 3)."""
        return max(3, int(round(0.015 * max(self.height, self.width))))

    @cached_property
    def background_mask(self) -> np.ndarray:
        """Background, bool (H, W): not the person, with the person (hair wisps
        included) dilated by :attr:`halo_px` so halos never count as background."""
        loose = (self.matte >= PERSON_LOOSE).astype(np.uint8)
        return _frozen(dilate_disc(loose, 2 * self.halo_px + 1) == 0)

    @cached_property
    def head_region(self) -> Box | None:
        """Where a viewer looks for the head's outline: the face box widened by one
        face width each side, from 0.7 face heights above it to 0.5 below. px."""
        if self.face is None:
            return None
        b = self.face.box
        return Box(b.x0 - b.width, b.y0 - 0.7 * b.height, b.x1 + b.width, b.y1 + 0.5 * b.height).clipped(
            self.width, self.height)

    @cached_property
    def head_ring(self) -> np.ndarray:
        """Background right around the head, bool (H, W); empty without a face."""
        ring = np.zeros((self.height, self.width), bool)
        r = self.head_region
        if r is not None:
            ring[int(r.y0):int(np.ceil(r.y1)), int(r.x0):int(np.ceil(r.x1))] = True
            ring &= self.background_mask
        return _frozen(ring)

    # -- learned features --------------------------------------------------------
    @cached_property
    def embedding(self) -> FeatureMaps:
        """EfficientNet-Lite0 feature maps of the photo (long side 320 px): the one forward
        pass every learned head reads (``measures/_learned.py`` pools it over the background)."""
        return feature_maps(self.rgb)

    # -- colour ----------------------------------------------------------------
    @cached_property
    def lab(self) -> np.ndarray:
        """CIELAB of the image, float32 (H, W, 3), L* in [0, 100]."""
        return _frozen(color.rgb_to_lab(self.rgb))

    @cached_property
    def luminance(self) -> np.ndarray:
        """WCAG relative luminance Y, float32 (H, W) in [0, 1]."""
        return _frozen(color.relative_luminance(self.rgb))

    @cached_property
    def gray(self) -> np.ndarray:
        """8-bit grey image (OpenCV's luma), uint8 (H, W), for edge and texture measures."""
        return _frozen(cv2.cvtColor(self.rgb, cv2.COLOR_RGB2GRAY))

    @cached_property
    def gradient(self) -> np.ndarray:
        """Sobel derivatives (d/dx, d/dy) of :attr:`gray` after a 1 px Gaussian, int16
        (2, H, W), grey levels x 8 per px; ``cv2.Canny(g[0], g[1], lo, hi)`` gives the
        edges, shared by the edge and blur measures."""
        g = cv2.GaussianBlur(self.gray, (0, 0), 1.0)
        return _frozen(np.stack([cv2.Sobel(g, cv2.CV_16S, 1, 0), cv2.Sobel(g, cv2.CV_16S, 0, 1)]))


def bounding_box(mask: np.ndarray) -> tuple[slice, slice]:
    """The slices of the smallest box holding every true pixel of bool ``mask`` (H, W) (empty
    for an empty mask): indexing ``a[box][mask[box]]`` gives ``a[mask]``, the same elements in
    the same order, without a pass over the whole frame."""
    x, y, w, h = cv2.boundingRect(mask.view(np.uint8))
    return slice(y, y + h), slice(x, x + w)


def dilate_disc(mask: np.ndarray, k: int) -> np.ndarray:
    """``cv2.dilate(mask, getStructuringElement(MORPH_ELLIPSE, (k, k)))``, bit for bit, uint8.

    The ellipse is a union of centred rectangles (one per distinct row width), and a dilation
    by a union is the maximum of the dilations: rectangles dilate separably, so at k = 21 on a
    640 x 480 mask this costs 1.0 ms against 2.6 ms for the ellipse itself.
    """
    out = None
    for w, h in _disc_rects(k):
        d = cv2.dilate(mask, cv2.getStructuringElement(cv2.MORPH_RECT, (w, h)))
        out = d if out is None else cv2.max(out, d, dst=out)
    return out


@functools.lru_cache(maxsize=16)
def _disc_rects(k: int) -> tuple[tuple[int, int], ...]:
    """(width, height) of the centred rectangles whose union is OpenCV's k x k ellipse."""
    se = cv2.getStructuringElement(cv2.MORPH_ELLIPSE, (k, k)).astype(bool)
    r = k // 2
    reach = {i - r: int(np.flatnonzero(row)[-1]) - r for i, row in enumerate(se) if row.any()}
    rects = []
    for a in sorted(set(reach.values())):
        rows = [dy for dy, x in reach.items() if x >= a]  # a convex shape: one symmetric run
        rects.append((2 * a + 1, 2 * max(rows) + 1))
    return tuple(rects)


def _coverage(matte: np.ndarray, box: Box) -> float:
    """Mean person alpha inside ``box``, [0, 1] (0 for an empty box)."""
    h, w = matte.shape
    b = box.clipped(w, h)
    patch = matte[int(b.y0):int(np.ceil(b.y1)), int(b.x0):int(np.ceil(b.x1))]
    return float(patch.mean()) if patch.size else 0.0


def _poly(points: np.ndarray, index: tuple[int, ...]) -> np.ndarray:
    return np.round(points[list(index)]).astype(np.int32)


def _frozen(array: np.ndarray) -> np.ndarray:
    array.flags.writeable = False
    return array
