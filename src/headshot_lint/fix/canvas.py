"""The photo being corrected (:class:`Canvas`), how cautiously the actions run
(:class:`Fallback`, :data:`FALLBACKS`), and how an action says it cannot run
(:class:`Refused`, :class:`Skipped`)."""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cached_property
from typing import Any, List, Tuple

import numpy as np

from ..fix_check import Crop, subject_box, subject_part
from ..scene import PERSON_FIRM, Scene

@dataclass(frozen=True)
class Fallback:
    """How cautiously the actions run: the plan as asked, or a retry that keeps the face
    or leaves no remnant of the old background."""

    name: str  #: "" for the plan as asked
    lift_scale: float = 1.0  #: fraction of the planned exposure lift
    protect_head: bool = False  #: keep around the face what the segmenter calls person
    blur_for_replace: bool = False  #: blur the background instead of replacing it
    tight: bool = False  #: keep only the subject's part of the matte, its soft rim cut away
    blur_scale: float = 1.0  #: times the planned blur radius
    summary: str = ""  #: for people


#: Retries, in order, when a corrected copy does not keep the subject's face, keeps
#: remnants of the old background or raises a new finding (see :func:`correct`); the
#: copy is refused when the last one fails too.
FALLBACKS: Tuple[Fallback, ...] = (
    Fallback("conservative", lift_scale=0.5, protect_head=True,
             summary="half the exposure lift, the head kept whole from the person matte"),
    Fallback("no-lift", lift_scale=0.0, protect_head=True,
             summary="the background fix only: the exposure lift moved the face box"),
    Fallback("tight-matte", lift_scale=0.5, tight=True, blur_scale=1.5,
             summary="a tighter matte: only the subject kept, its uncertain rim given to the background"),
    Fallback("blur-instead", lift_scale=0.0, protect_head=True, blur_for_replace=True, tight=True, blur_scale=2.0,
             summary="the background blurred (twice the planned strength) instead of replaced, no exposure lift"),
)
AS_PLANNED = Fallback("")


def fallback_summary(name: str) -> str:
    """What the retry called ``name`` does, for people ("" for an unknown name or the plan)."""
    return next((f.summary for f in FALLBACKS if f.name == name), "")


#: A matte value under which the tight retry gives a pixel to the background, and the
#: width of the ramp above it (the segmenter's soft rim is where old background is kept).
TIGHT_MATTE = (0.35, 0.4)
#: Background actions: their copies are checked for remnants of the old background.
BACKGROUND_ACTIONS = frozenset({"replace-background", "blur-background"})


@dataclass
class Canvas:
    """The photo being corrected: full-resolution pixels plus what perception knows.

    ``rgb`` is replaced by each action in turn; ``alpha`` (the person matte refined at
    full resolution) is computed once, from the original pixels, when first needed
    (or given, to share it between attempts).
    """

    rgb: np.ndarray  #: uint8 (H, W, 3), full resolution, upright sRGB
    scene: Scene  #: perception at analysis size (matte, face, skin)
    backdrop: str = "flat"  #: "flat" or "gradient"
    notes: List[str] = field(default_factory=list)  #: what the actions said, for people
    skipped: List[str] = field(default_factory=list)  #: actions that could not be done here, and why
    fallback: Fallback = AS_PLANNED  #: how cautiously to act
    refined: np.ndarray | None = None  #: the refined alpha, holes in the person filled, if already computed
    crop: Crop | None = None  #: set by crop-to-subject: the part of the original kept
    turns: int = 0  #: set by rotate-upright: counter-clockwise quarter turns applied last
    background: np.ndarray | None = None  #: the pixels right after a background action (uncropped)
    cut: np.ndarray | None = None  #: remnants an earlier attempt left (analysis px, bool), cut by a tight retry
    kinds: frozenset = frozenset()  #: the actions of the plan being run

    def __post_init__(self) -> None:
        self._original = self.rgb

    @cached_property
    def alpha(self) -> np.ndarray:
        """Person alpha at full resolution, float32 (H, W) in [0, 1]."""
        from ..retouch.matte import hold_face, protect_region

        if self.refined is None:
            self.refined = person_alpha(self._original, self.scene)
        alpha = self.refined
        box = subject_box(self.scene)
        if self.fallback.protect_head and box is not None:
            alpha = protect_region(alpha, self.scene.matte, (box.x0, box.y0, box.x1, box.y1))
        if self.fallback.tight:
            alpha = _tightened(alpha, self.scene.matte, box, self.cut)
        if box is not None:  # the face itself is never seen through, whatever the colour model read
            alpha = hold_face(alpha, self.scene.matte, (box.x0, box.y0, box.x1, box.y1), PERSON_FIRM)
        return alpha

    @property
    def scale(self) -> float:
        """Full-resolution px per analysis px."""
        return self._original.shape[1] / self.scene.width

    def head_center(self) -> Tuple[float, float] | None:
        """Centre of the face box, fractions of width and height; None without a face."""
        face = self.scene.face
        if face is None:
            return None
        cx, cy = face.box.center
        return cx / self.scene.width, cy / self.scene.height


def person_alpha(rgb: np.ndarray, scene: Scene, chin: float | None = None) -> np.ndarray:
    """The person alpha every attempt starts from, float32 (H, W) at the size of ``rgb``: the
    matte refined at full resolution (its soft edge held below ``chin``, a fraction of the
    height) with the holes its colour model punched inside the person filled (a badge)."""
    from ..retouch.matte import fill_holes, refine_matte

    return fill_holes(refine_matte(rgb, scene.matte, chin=chin), scene.matte, scene.rgb)


def _tightened(alpha: np.ndarray, matte: np.ndarray, face: Any, cut: np.ndarray | None = None) -> np.ndarray:
    """``alpha`` limited to the subject's connected part of the matte and to where the
    segmenter is fairly sure of the person (:data:`TIGHT_MATTE`): floating pieces and the
    soft rim, where patches of the old background were kept, go to the new background,
    and so do the remnants an earlier attempt left (``cut``, analysis px)."""
    import cv2

    m = np.asarray(matte, np.float32)
    part = subject_part(m >= PERSON_FIRM, face)
    part = cv2.dilate(part.astype(np.uint8), np.ones((5, 5), np.uint8)).astype(np.float32)
    lo, ramp = TIGHT_MATTE
    limit = np.clip((m - lo) / ramp, 0.0, 1.0) * part
    if cut is not None and cut.any():
        limit *= 1.0 - cv2.GaussianBlur(cv2.dilate(cut.astype(np.uint8), np.ones((5, 5), np.uint8))
                                        .astype(np.float32), (0, 0), 1.0)
    h, w = alpha.shape
    return np.minimum(alpha, cv2.resize(limit, (w, h), interpolation=cv2.INTER_LINEAR))


class Refused(Exception):
    """An action cannot make this copy (the message says why, for people): no copy is written."""


class Skipped(Exception):
    """An action cannot be done on this photo (the message says why, for people); the
    plan's other actions still run (a crop that cannot leave the other faces out must
    not stop the background from being fixed)."""
