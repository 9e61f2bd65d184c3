"""Fixes: from a report's findings to a plan of actions, and the plan applied to pixels.

Every finding carries a :class:`~headshot_lint.model.Fix` built from its rule's
``[fix]`` table: a sentence, an action kind, parameters and a safety class. The
planner is generic over action kinds: findings that ask for the same action are
merged (the worst finding's parameters win), and a new rule needs only a ``[fix]``
table naming a kind registered here with :func:`action`.

Safety follows ruff's safe/unsafe split:

- ``"safe"`` adjusts the photo (exposure): applied by default;
- ``"retouch"`` changes what the photo shows (replaced or blurred background, a
  crop): applied only when asked for (``unsafe=True``, ``--unsafe-fixes``);
- ``"none"`` is advice for people; nothing to apply.

Statuses of a planned fix: :data:`APPLY`, :data:`NEEDS_UNSAFE`, :data:`ADVICE`,
:data:`SUPERSEDED` (another planned action covers it), :data:`NOT_SELECTED`
(``--only``) and :data:`UNSUPPORTED` (no implementation of that kind yet).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cached_property
from typing import Any, Callable, Dict, Iterable, List, Mapping, Optional, Sequence, Tuple

import numpy as np

from .model import Finding
from .scene import Scene

APPLY = "apply"
NEEDS_UNSAFE = "needs-unsafe"
ADVICE = "advice"
SUPERSEDED = "superseded"
NOT_SELECTED = "not-selected"
UNSUPPORTED = "unsupported"

#: Safety classes (as in the rule files).
SAFE = "safe"
RETOUCH = "retouch"
NONE = "none"
_SAFETY_RANK = {NONE: 0, SAFE: 1, RETOUCH: 2}

#: Backdrop styles of replace-background.
BACKDROPS = ("flat", "gradient")
#: A corrected copy keeps the face when each edge of its face box moved by at most this
#: fraction of the image width (x) or height (y).
FACE_BOX_TOLERANCE = 0.02
#: A corrected copy has lost the face when no face box overlaps the original's by this IoU.
#: (The detector's box itself moves by a few % when a distracting background goes away.)
FACE_LOST_IOU = 0.5


@dataclass
class Canvas:
    """The photo being corrected: full-resolution pixels plus what perception knows.

    ``rgb`` is replaced by each action in turn; ``alpha`` (the person matte refined at
    full resolution) is computed once, from the original pixels, when first needed.
    """

    rgb: np.ndarray  #: uint8 (H, W, 3), full resolution, upright sRGB
    scene: Scene  #: perception at analysis size (matte, face, skin)
    backdrop: str = "flat"  #: "flat" or "gradient"
    notes: List[str] = field(default_factory=list)  #: what the actions said, for people

    def __post_init__(self) -> None:
        self._original = self.rgb

    @cached_property
    def alpha(self) -> np.ndarray:
        """Person alpha at full resolution, float32 (H, W) in [0, 1]."""
        from .retouch.matte import refine_matte

        return refine_matte(self._original, self.scene.matte)

    @property
    def scale(self) -> float:
        """Full-resolution px per analysis px."""
        return self.rgb.shape[1] / self.scene.width

    def head_center(self) -> Tuple[float, float] | None:
        """Centre of the face box, fractions of width and height; None without a face."""
        face = self.scene.face
        if face is None:
            return None
        cx, cy = face.box.center
        return cx / self.scene.width, cy / self.scene.height


Runner = Callable[[Canvas, Mapping[str, Any]], np.ndarray]


@dataclass(frozen=True)
class ActionKind:
    """An action a rule's ``[fix]`` may name."""

    name: str  #: e.g. "replace-background"
    order: int  #: actions run in increasing order
    run: Runner  #: (canvas, params) -> new full-resolution pixels
    supersedes: Tuple[str, ...] = ()  #: kinds this one makes pointless when both apply
    summary: str = ""  #: one line for people


ACTIONS: Dict[str, ActionKind] = {}


def action(name: str, *, order: int, supersedes: Sequence[str] = (),
           summary: str = "") -> Callable[[Runner], Runner]:
    """Register the implementation of an action kind."""
    def register(fn: Runner) -> Runner:
        ACTIONS[name] = ActionKind(name, order, fn, tuple(supersedes), summary)
        return fn
    return register


@dataclass(frozen=True)
class PlannedFix:
    """One action of a plan, with the findings that asked for it."""

    action: str  #: action kind ("" for advice)
    title: str  #: the worst finding's fix sentence
    params: Mapping[str, Any]  #: merged parameters (worst finding first)
    safety: str  #: "safe", "retouch" or "none" (the strictest of its findings)
    codes: Tuple[str, ...]  #: rule codes that asked for it, worst first
    rules: Tuple[str, ...]  #: rule names, same order
    status: str  #: APPLY, NEEDS_UNSAFE, ADVICE, SUPERSEDED, NOT_SELECTED, UNSUPPORTED
    note: str = ""  #: why it is not applied, for people

    @property
    def applies(self) -> bool:
        """Whether the action runs."""
        return self.status == APPLY


def _selected(finding: Finding, only: Optional[Sequence[str]]) -> bool:
    if not only:
        return True
    keys = {finding.code.upper(), finding.rule.lower()}
    for item in only:
        it = item.strip()
        if it.upper() in keys or it.lower() in keys or (it.upper().startswith("HL")
                                                         and finding.code.upper().startswith(it.upper())):
            return True
    return False


def plan(findings: Iterable[Finding], *, unsafe: bool = False,
         only: Optional[Sequence[str]] = None) -> Tuple[PlannedFix, ...]:
    """The fixes for a photo's findings, in the order they would run.

    Parameters
    ----------
    findings : iterable of Finding
        A report's findings, worst first (as :func:`~headshot_lint.engine.audit` sorts them).
    unsafe : bool
        Allow retouching actions (``--unsafe-fixes``).
    only : sequence of str, optional
        Rule codes, code prefixes or names whose fixes may apply (``--only``).

    Returns
    -------
    tuple of PlannedFix
        Applicable and superseded actions first, in run order; then the ones that need
        ``--unsafe-fixes``, are unsupported or not selected; advice last.
    """
    groups: Dict[str, List[Finding]] = {}
    advice: List[PlannedFix] = []
    for f in findings:
        if f.fix is None:
            continue
        if not f.fix.action:
            advice.append(PlannedFix("", f.fix.title, {}, NONE, (f.code,), (f.rule,),
                                     ADVICE if _selected(f, only) else NOT_SELECTED))
            continue
        groups.setdefault(f.fix.action, []).append(f)
    planned: List[PlannedFix] = []
    for kind, group in groups.items():
        chosen = [f for f in group if _selected(f, only)]
        members = chosen or group
        params: Dict[str, Any] = {}
        for f in reversed(members):  # the worst finding's values win
            params.update(f.fix.params)
        safety = max((f.fix.safety for f in members), key=lambda s: _SAFETY_RANK.get(s, 2))
        if not chosen:
            status, note = NOT_SELECTED, "not selected by --only"
        elif kind not in ACTIONS:
            status, note = UNSUPPORTED, f"no automatic {kind} yet; do it by hand"
        elif safety == RETOUCH and not unsafe:
            status, note = NEEDS_UNSAFE, "retouching: changes what the photo shows; use --unsafe-fixes"
        else:
            status, note = APPLY, ""
        planned.append(PlannedFix(kind, members[0].fix.title, params, safety,
                                  tuple(f.code for f in members), tuple(f.rule for f in members),
                                  status, note))
    applying = {p.action for p in planned if p.applies}
    for i, p in enumerate(planned):
        if not p.applies:
            continue
        by = [k for k in applying if p.action in ACTIONS[k].supersedes]
        if by:
            planned[i] = PlannedFix(p.action, p.title, p.params, p.safety, p.codes, p.rules,
                                    SUPERSEDED, f"covered by {by[0]}")
    rank = {APPLY: 0, SUPERSEDED: 0, NEEDS_UNSAFE: 1, UNSUPPORTED: 2, NOT_SELECTED: 3}
    planned.sort(key=lambda p: (rank[p.status], ACTIONS[p.action].order if p.action in ACTIONS else 99,
                                p.action))
    return tuple(planned) + tuple(advice)


def apply(fixes: Iterable[PlannedFix], rgb: np.ndarray, scene: Scene, *,
          backdrop: str = "flat") -> Tuple[np.ndarray, Tuple[str, ...]]:
    """Run the applicable fixes of a plan on full-resolution pixels.

    Parameters
    ----------
    fixes : iterable of PlannedFix
        A plan from :func:`plan`; only ``APPLY`` entries run, in plan order.
    rgb : ndarray, uint8 (H, W, 3)
        Full-resolution upright sRGB (:func:`~headshot_lint.load.load_full`).
    scene : Scene
        The same photo's scene at analysis size.
    backdrop : str
        "flat" or "gradient", for replace-background.

    Returns
    -------
    (ndarray, tuple of str)
        The corrected pixels (uint8, same size) and the actions that changed them.
    """
    if backdrop not in BACKDROPS:
        raise ValueError(f"backdrop must be one of {BACKDROPS}, got {backdrop!r}")
    canvas = Canvas(rgb=rgb, scene=scene, backdrop=backdrop)
    done: List[str] = []
    for p in fixes:
        if not p.applies:
            continue
        out = ACTIONS[p.action].run(canvas, p.params)
        if out is not canvas.rgb:
            canvas.rgb = out
            done.append(p.action)
    return canvas.rgb, tuple(done)


def face_check(before: Scene, after_rgb: np.ndarray) -> Tuple[float, float]:
    """Where the subject's face is in the corrected pixels, against the original.

    Faces are detected again at analysis size and the one that overlaps the subject's
    original box most is compared (in a group photo the *largest* face may change after
    a fix while the subject's is still there). Returns ``(iou, shift)``: the
    intersection over union of the two boxes, and the largest move of a box edge as a
    fraction of the image width (x) or height (y). ``(0.0, 1.0)`` when no face overlaps;
    ``(1.0, 0.0)`` when the original had none.
    """
    from .load import load

    if before.face is None:
        return 1.0, 0.0
    after = Scene(load(np.ascontiguousarray(after_rgb), long_side=max(before.width, before.height)))
    b = before.face.box
    sx, sy = after.width / before.width, after.height / before.height
    scaled = type(b)(b.x0 * sx, b.y0 * sy, b.x1 * sx, b.y1 * sy)
    overlapping = [f.box for f in after.faces if f.box.iou(scaled) > 0]
    if not overlapping:
        return 0.0, 1.0
    a = max(overlapping, key=scaled.iou)
    dx = max(abs(a.x0 - scaled.x0), abs(a.x1 - scaled.x1)) / after.width
    dy = max(abs(a.y0 - scaled.y0), abs(a.y1 - scaled.y1)) / after.height
    return float(a.iou(scaled)), float(max(dx, dy))


def face_kept(before: Scene, after_rgb: np.ndarray, tolerance: float = FACE_BOX_TOLERANCE) -> bool:
    """Whether the corrected pixels show the face in the same box: each edge within
    ``tolerance`` of the image width/height (see :func:`face_check`)."""
    return face_check(before, after_rgb)[1] <= tolerance


def face_lost(before: Scene, after_rgb: np.ndarray) -> bool:
    """Whether the corrected pixels lost the subject's face: none found where it was
    (box overlap under :data:`FACE_LOST_IOU`). Used to refuse writing such a copy."""
    return face_check(before, after_rgb)[0] < FACE_LOST_IOU


# -- action kinds --------------------------------------------------------------------------

@action("replace-background", order=20, supersedes=("blur-background",),
        summary="replace the background with a flat or vignetted studio tone")
def _replace_background(canvas: Canvas, params: Mapping[str, Any]) -> np.ndarray:
    from .retouch.background import replace_background

    hex_colour = str(params.get("recommended_hex") or _tone_for(canvas.scene))
    return replace_background(canvas.rgb, canvas.alpha, hex_colour, style=canvas.backdrop,
                              center=canvas.head_center())


def _tone_for(scene: Scene) -> str:
    """The guide's tone for this face when the finding did not carry one (medium grey
    without a measurable face)."""
    from .measures.tone import MEDIUM_GREY, recommend_tone

    skin = scene.skin_mask
    if scene.face is None or skin.sum() < 20:
        return MEDIUM_GREY.hex
    return recommend_tone(float(np.median(scene.lab[..., 0][skin]))).hex


@action("blur-background", order=30, summary="lens-blur the background behind the person")
def _blur_background(canvas: Canvas, params: Mapping[str, Any]) -> np.ndarray:
    from .retouch.blur import DEFAULT_RADIUS_FRACTION, blur_background

    long_side = max(canvas.rgb.shape[:2])
    if params.get("blur_radius_px"):
        radius = float(params["blur_radius_px"])
    elif params.get("blur_sigma_px"):
        radius = 2.0 * float(params["blur_sigma_px"])  # a disc of radius r has sigma r / 2
    else:
        radius = DEFAULT_RADIUS_FRACTION * long_side
    radius = float(np.clip(radius, 0.01 * long_side, 0.05 * long_side))
    return blur_background(canvas.rgb, canvas.alpha, radius)


#: Skin L* a lift aims for when the rule gives no target (a well exposed medium complexion).
DEFAULT_TARGET_SKIN_L = 58.0


@action("lift-face-exposure", order=10, summary="brighten the person, background untouched")
def _lift_face(canvas: Canvas, params: Mapping[str, Any]) -> np.ndarray:
    from .retouch.exposure import ev_for, lift_subject

    given = next((params[k] for k in ("lift_ev", "stops_to_lift") if params.get(k) is not None), None)
    if given is not None:
        ev = float(given)
    else:
        skin = canvas.scene.skin_mask
        if skin.sum() < 20:
            canvas.notes.append("lift-face-exposure: no facial skin found; skipped")
            return canvas.rgb
        current = float(np.median(canvas.scene.lab[..., 0][skin]))
        ev = ev_for(current, float(params.get("target_skin_l", DEFAULT_TARGET_SKIN_L)))
    if ev <= 0.05:
        return canvas.rgb
    return lift_subject(canvas.rgb, canvas.alpha, ev)


def describe(p: PlannedFix) -> str:
    """One line for people: what the fix does and whether it runs."""
    tag = {SAFE: "safe", RETOUCH: "retouch", NONE: "advice"}.get(p.safety, p.safety)
    head = f"{','.join(p.codes)} {p.action or 'advice'} [{tag}]"
    tail = f" ({p.note})" if p.note else ""
    return f"{head}: {p.title}{tail}"


__all__ = ["ACTIONS", "ADVICE", "APPLY", "ActionKind", "BACKDROPS", "Canvas", "NEEDS_UNSAFE",
           "NOT_SELECTED", "PlannedFix", "SUPERSEDED", "UNSUPPORTED", "action", "apply", "describe",
           "face_check", "face_kept", "face_lost", "plan"]
