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

:func:`correct` is what ``fix`` runs: :func:`apply`, then a check that the copy still
shows the subject's face in the same box (:func:`~headshot_lint.fix_check.face_check`,
re-exported here), retried with more cautious settings (:data:`FALLBACKS`) and refused
when none keeps the face. An action may refuse the whole copy (:class:`Refused`), or
be left out while the others still run (:class:`Skipped`: a crop that cannot leave the
other faces out does not stop the background from being fixed).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cached_property
from typing import Any, Callable, Dict, Iterable, List, Mapping, Optional, Sequence, Tuple

import numpy as np

from .fix_check import (FACE_BOX_TOLERANCE, FACE_LOST_IOU, Crop, FaceCheck, face_check, face_kept, face_lost,
                        other_faces, subject_box)
from .model import Finding
from .rules import Selector
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


@dataclass(frozen=True)
class Fallback:
    """How cautiously the actions run: the plan as asked, or a retry that keeps the face."""

    name: str  #: "" for the plan as asked
    lift_scale: float = 1.0  #: fraction of the planned exposure lift
    protect_head: bool = False  #: keep around the face what the segmenter calls person
    blur_for_replace: bool = False  #: blur the background instead of replacing it
    summary: str = ""  #: for people


#: Retries, in order, when a corrected copy does not keep the subject's face (see
#: :func:`correct`); the copy is refused when the last one does not keep it either.
FALLBACKS: Tuple[Fallback, ...] = (
    Fallback("conservative", lift_scale=0.5, protect_head=True,
             summary="half the exposure lift, the head kept whole from the person matte"),
    Fallback("no-lift", lift_scale=0.0, protect_head=True,
             summary="the background fix only: the exposure lift moved the face box"),
    Fallback("blur-instead", lift_scale=0.0, protect_head=True, blur_for_replace=True,
             summary="the background blurred instead of replaced, no exposure lift"),
)
AS_PLANNED = Fallback("")
#: Without a face to check, a background is retouched only if the person matte covers at
#: least this fraction of the photo (below it the segmenter has likely missed the
#: people -- a group photo, a crowd -- and a replaced background would erase them).
MIN_PERSON_WITHOUT_FACE = 0.10


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
    refined: Optional[np.ndarray] = None  #: the refined alpha, if already computed
    crop: Optional[Crop] = None  #: set by crop-to-subject: the part of the original kept
    turns: int = 0  #: set by rotate-upright: counter-clockwise quarter turns applied last

    def __post_init__(self) -> None:
        self._original = self.rgb

    @cached_property
    def alpha(self) -> np.ndarray:
        """Person alpha at full resolution, float32 (H, W) in [0, 1]."""
        from .retouch.matte import protect_region, refine_matte

        if self.refined is None:
            self.refined = refine_matte(self._original, self.scene.matte)
        box = subject_box(self.scene) if self.fallback.protect_head else None
        if box is None:
            return self.refined
        return protect_region(self.refined, self.scene.matte, (box.x0, box.y0, box.x1, box.y1))

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


Runner = Callable[[Canvas, Mapping[str, Any]], np.ndarray]


class Refused(Exception):
    """An action cannot make this copy (the message says why, for people): no copy is written."""


class Skipped(Exception):
    """An action cannot be done on this photo (the message says why, for people); the
    plan's other actions still run (a crop that cannot leave the other faces out must
    not stop the background from being fixed)."""


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
    return any(Selector(item).selects(finding.code, finding.rule) for item in only)


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
          backdrop: str = "flat", fallback: Fallback = AS_PLANNED,
          refined: Optional[np.ndarray] = None) -> Tuple[np.ndarray, Tuple[str, ...]]:
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
    fallback : Fallback
        How cautiously to act (:data:`FALLBACKS`); the plan as asked by default.
    refined : ndarray, optional
        The refined person alpha, if already computed for this photo.

    Returns
    -------
    (ndarray, tuple of str)
        The corrected pixels (uint8; the same size unless crop-to-subject ran) and the
        actions that changed them. No check of the face: :func:`correct` does that.

    Raises
    ------
    Refused
        An action cannot make this copy (see :func:`correct`, which reports it).
    """
    return _run(fixes, Canvas(rgb=rgb, scene=scene, backdrop=backdrop, fallback=fallback,
                              refined=refined))


def _run(fixes: Iterable[PlannedFix], canvas: Canvas) -> Tuple[np.ndarray, Tuple[str, ...]]:
    if canvas.backdrop not in BACKDROPS:
        raise ValueError(f"backdrop must be one of {BACKDROPS}, got {canvas.backdrop!r}")
    done: List[str] = []
    for p in fixes:
        if not p.applies:
            continue
        try:
            out = ACTIONS[p.action].run(canvas, p.params)
        except Skipped as exc:
            canvas.skipped.append(f"{p.action} skipped: {exc}")
            continue
        if out is not canvas.rgb:
            canvas.rgb = out
            done.append(p.action)
    return canvas.rgb, tuple(done)


@dataclass(frozen=True)
class Correction:
    """The outcome of :func:`correct`: a copy to write, or why there is none."""

    rgb: Optional[np.ndarray]  #: corrected pixels; None when refused
    done: Tuple[str, ...]  #: actions that changed the pixels
    check: FaceCheck  #: the subject's face in the copy (the last attempt's when refused)
    fallback: str = ""  #: the retry that kept the face ("" = as planned)
    refused: str = ""  #: why no copy may be written ("" = write it)
    data: Optional[bytes] = None  #: the encoded copy, when an encoder was given
    attempts: Tuple[Tuple[str, FaceCheck], ...] = ()  #: every attempt and its check
    crop: Optional[Crop] = None  #: the part of the original the copy shows (crop-to-subject)
    skipped: Tuple[str, ...] = ()  #: actions that could not be done on this photo, and why

    @property
    def ok(self) -> bool:
        """A copy may be written."""
        return not self.refused

    def how(self) -> str:
        """For people: which retry made the copy, and why it was needed ("" as planned)."""
        if not self.fallback or not self.attempts:
            return ""
        summary = next((f.summary for f in FALLBACKS if f.name == self.fallback), "")
        return f"{self.attempts[0][1].describe()} as planned, so {self.fallback}: {summary}"


def correct(fixes: Sequence[PlannedFix], rgb: np.ndarray, scene: Scene, *, backdrop: str = "flat",
            encode: Optional[Callable[[np.ndarray], bytes]] = None) -> Correction:
    """Apply a plan and make sure the copy still shows the subject's face in place.

    After the actions run, the face is detected again on the copy at analysis size (on
    the encoded bytes when ``encode`` is given: exactly what will be written) and
    compared with the original (:func:`face_check`). If the face is lost or its box
    moved by more than :data:`FACE_BOX_TOLERANCE`, the plan is retried with each of
    :data:`FALLBACKS` in turn; if none keeps the face the copy is refused, with the
    reason in :attr:`Correction.refused`. Without a face on the person there is nothing
    to check: a background is then retouched only if the person covers at least
    :data:`MIN_PERSON_WITHOUT_FACE` of the photo. After crop-to-subject the face is
    compared in the cropped frame (:attr:`Correction.crop`); an action that cannot make
    the copy (:class:`Refused`) refuses it with its reason; actions that cannot be done
    on this photo (:class:`Skipped`) are listed in :attr:`Correction.skipped`, and when
    every action was skipped there is nothing to write (refused, with their reasons).
    """
    todo = [p for p in fixes if p.applies]
    kinds = {p.action for p in todo}
    if kinds & {"replace-background", "blur-background"} and subject_box(scene) is None:
        person = float((np.asarray(scene.matte) >= 0.5).mean())
        if person < MIN_PERSON_WITHOUT_FACE:
            why = (f"not written: no face found on the person, and the person matte covers only "
                   f"{100 * person:.1f} % of the photo: retouching the background could erase the subject")
            return Correction(None, (), FaceCheck(1.0, 0.0), "", why, None, ())
    refined: Optional[np.ndarray] = None
    if any(p.action in ("replace-background", "blur-background", "lift-face-exposure") for p in todo):
        from .retouch.matte import refine_matte

        refined = refine_matte(rgb, scene.matte)
    tried: List[Tuple[str, FaceCheck]] = []
    check = FaceCheck(1.0, 0.0)
    seen = set()
    for fb in (AS_PLANNED,) + FALLBACKS:
        # What this attempt does differently for this plan; the same as an earlier one: skip.
        effect = (fb.lift_scale if "lift-face-exposure" in kinds else None,
                  fb.protect_head if kinds & {"replace-background", "blur-background"} else None,
                  fb.blur_for_replace if "replace-background" in kinds else None)
        if effect in seen or (fb.lift_scale == 0 and kinds <= {"lift-face-exposure"}):
            continue
        seen.add(effect)
        canvas = Canvas(rgb=rgb, scene=scene, backdrop=backdrop, fallback=fb, refined=refined)
        try:
            out, done = _run(todo, canvas)
        except Refused as exc:
            return Correction(None, (), check, "", f"not written: {exc}", None, tuple(tried))
        skipped = tuple(canvas.skipped)
        if not done:  # every action was skipped: nothing to write
            return Correction(None, (), check, "", "not written: " + "; ".join(skipped), None, tuple(tried),
                              skipped=skipped)
        data = encode(out) if encode is not None else None
        if canvas.turns:  # turned back (lossless) so the face is compared in the frame it was found in
            check = face_check(scene, np.ascontiguousarray(np.rot90(out, -canvas.turns)), canvas.crop)
        else:
            check = face_check(scene, data if data is not None else out, canvas.crop)
        tried.append((fb.name or "as planned", check))
        if check.kept:
            return Correction(out, done, check, fb.name, "", data, tuple(tried), canvas.crop, skipped)
    first = tried[0][1]
    retries = "; ".join(f"{n}: {c.short()}" for n, c in tried[1:])
    why = f"not written: {first.describe()}" + (f", and with the fallbacks too ({retries})" if retries else "")
    return Correction(None, (), check, "", why, None, tuple(tried))


# -- action kinds --------------------------------------------------------------------------

@action("replace-background", order=20, supersedes=("blur-background",),
        summary="replace the background with a flat or vignetted studio tone")
def _replace_background(canvas: Canvas, params: Mapping[str, Any]) -> np.ndarray:
    from .retouch.background import replace_background

    if canvas.fallback.blur_for_replace:
        return _blur_background(canvas, {})
    hex_colour = str(params.get("recommended_hex") or _tone_for(canvas.scene))
    return replace_background(canvas.rgb, canvas.alpha, hex_colour, style=canvas.backdrop,
                              center=canvas.head_center())


def _tone_for(scene: Scene) -> str:
    """The guide's tone for this face and clothes when the finding did not carry one
    (medium grey without a measurable face)."""
    from .measures.tone import MEDIUM_GREY, tone_for

    tone = tone_for(scene)
    return (tone or MEDIUM_GREY).hex


@action("blur-background", order=30, summary="lens-blur the background behind the person")
def _blur_background(canvas: Canvas, params: Mapping[str, Any]) -> np.ndarray:
    from .measures.blur import MIN_BLUR_SIGMA_FRACTION
    from .retouch.blur import DEFAULT_RADIUS_FRACTION, blur_background

    long_side = max(canvas.rgb.shape[:2])
    if params.get("blur_radius_px"):
        radius = float(params["blur_radius_px"])
    elif params.get("blur_sigma_px"):
        radius = 2.0 * float(params["blur_sigma_px"])  # a disc of radius r has sigma r / 2
    else:
        radius = DEFAULT_RADIUS_FRACTION * long_side
    radius = float(np.clip(radius, 2.0 * MIN_BLUR_SIGMA_FRACTION * long_side, 0.05 * long_side))
    return blur_background(canvas.rgb, canvas.alpha, radius)


#: Skin L* a lift aims for when the rule gives no target (a well exposed medium complexion).
DEFAULT_TARGET_SKIN_L = 58.0


@action("lift-face-exposure", order=10, summary="brighten the person, background untouched")
def _lift_face(canvas: Canvas, params: Mapping[str, Any]) -> np.ndarray:
    from .retouch.exposure import MAX_EV, ev_for, lift_subject

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
    ev = min(ev, MAX_EV) * canvas.fallback.lift_scale
    if ev <= 0.05:
        return canvas.rgb
    return lift_subject(canvas.rgb, canvas.alpha, ev)


@action("crop-to-subject", order=90,
        summary="crop to a 4:5 headshot of the subject without the other faces")
def _crop_to_subject(canvas: Canvas, params: Mapping[str, Any]) -> np.ndarray:
    """Runs last: the other actions work on the whole frame, then it is cut."""
    from .retouch.crop import NoCrop, crop, crop_box

    box = subject_box(canvas.scene)
    if box is None:
        raise Skipped("no face on the person to crop to")
    k = canvas.scale
    h, w = canvas.rgb.shape[:2]
    try:
        rect = crop_box((w, h), _px(box, k), [_px(b, k) for b in other_faces(canvas.scene, box)])
    except NoCrop as exc:
        raise Skipped(f"cannot crop to the subject: {exc}") from None
    canvas.crop = Crop(*rect, w, h)
    canvas.notes.append(f"crop-to-subject: {rect[2] - rect[0]}x{rect[3] - rect[1]} px of {w}x{h}")
    return crop(canvas.rgb, rect)


@action("rotate-upright", order=100, summary="turn the photo so the face is upright (lossless)")
def _rotate_upright(canvas: Canvas, params: Mapping[str, Any]) -> np.ndarray:
    """Runs after every other action, which all work in the photo's stored frame."""
    k = int(round(float(params.get("turn_degrees", 0)) / 90.0)) % 4
    if k == 0:
        raise Skipped("the photo is already upright")
    canvas.turns = k
    canvas.notes.append(f"rotate-upright: {90 * k} degrees counter-clockwise")
    return np.ascontiguousarray(np.rot90(canvas.rgb, k))


def _px(box: Any, k: float) -> Tuple[float, float, float, float]:
    return box.x0 * k, box.y0 * k, box.x1 * k, box.y1 * k


def describe(p: PlannedFix) -> str:
    """One line for people: what the fix does and whether it runs."""
    tag = {SAFE: "safe", RETOUCH: "retouch", NONE: "advice"}.get(p.safety, p.safety)
    head = f"{','.join(p.codes)} {p.action or 'advice'} [{tag}]"
    tail = f" ({p.note})" if p.note else ""
    return f"{head}: {p.title}{tail}"


__all__ = ["ACTIONS", "ADVICE", "APPLY", "AS_PLANNED", "ActionKind", "BACKDROPS", "Canvas",
           "Correction", "Crop", "FACE_BOX_TOLERANCE", "FACE_LOST_IOU", "FALLBACKS", "FaceCheck",
           "Fallback", "NEEDS_UNSAFE", "NOT_SELECTED", "PlannedFix", "Refused", "SUPERSEDED", "Skipped",
           "UNSUPPORTED", "action", "apply", "correct", "describe", "face_check", "face_kept",
           "face_lost", "plan", "subject_box"]
