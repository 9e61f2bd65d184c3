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

from .fix_check import (FACE_BOX_TOLERANCE, FACE_LOST_IOU, Crop, FaceCheck, RemnantCheck, face_check,
                        face_kept, face_lost, other_faces, other_people, remnant_check, subject_box,
                        subject_part)
from .model import SEVERITIES, Finding, Report
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
    refined: Optional[np.ndarray] = None  #: the refined alpha, if already computed
    crop: Optional[Crop] = None  #: set by crop-to-subject: the part of the original kept
    turns: int = 0  #: set by rotate-upright: counter-clockwise quarter turns applied last
    background: Optional[np.ndarray] = None  #: the pixels right after a background action (uncropped)
    cut: Optional[np.ndarray] = None  #: remnants an earlier attempt left (analysis px, bool), cut by a tight retry
    kinds: frozenset = frozenset()  #: the actions of the plan being run

    def __post_init__(self) -> None:
        self._original = self.rgb

    @cached_property
    def alpha(self) -> np.ndarray:
        """Person alpha at full resolution, float32 (H, W) in [0, 1]."""
        from .retouch.matte import protect_region, refine_matte

        if self.refined is None:
            self.refined = refine_matte(self._original, self.scene.matte)
        alpha = self.refined
        box = subject_box(self.scene)
        if self.fallback.protect_head and box is not None:
            alpha = protect_region(alpha, self.scene.matte, (box.x0, box.y0, box.x1, box.y1))
        if self.fallback.tight:
            alpha = _tightened(alpha, self.scene.matte, box, self.cut)
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


def _tightened(alpha: np.ndarray, matte: np.ndarray, face: Any, cut: Optional[np.ndarray] = None) -> np.ndarray:
    """``alpha`` limited to the subject's connected part of the matte and to where the
    segmenter is fairly sure of the person (:data:`TIGHT_MATTE`): floating pieces and the
    soft rim, where patches of the old background were kept, go to the new background,
    and so do the remnants an earlier attempt left (``cut``, analysis px)."""
    import cv2

    m = np.asarray(matte, np.float32)
    part = subject_part(m >= 0.5, face)
    part = cv2.dilate(part.astype(np.uint8), np.ones((5, 5), np.uint8)).astype(np.float32)
    lo, ramp = TIGHT_MATTE
    limit = np.clip((m - lo) / ramp, 0.0, 1.0) * part
    if cut is not None and cut.any():
        limit *= 1.0 - cv2.GaussianBlur(cv2.dilate(cut.astype(np.uint8), np.ones((5, 5), np.uint8))
                                        .astype(np.float32), (0, 0), 1.0)
    h, w = alpha.shape
    return np.minimum(alpha, cv2.resize(limit, (w, h), interpolation=cv2.INTER_LINEAR))


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
    fixes = list(fixes)
    canvas.kinds = frozenset(p.action for p in fixes if p.applies)
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
            if p.action in BACKGROUND_ACTIONS:
                canvas.background = out
    return canvas.rgb, tuple(done)


@dataclass(frozen=True)
class Attempt:
    """One try at a copy and what the checks found (for people and benchmarks)."""

    name: str  #: "as planned" or the fallback's name
    face: FaceCheck  #: the subject's face in the copy
    remnants: Optional[RemnantCheck] = None  #: leftovers of the old background (background actions only)
    new_findings: Tuple[str, ...] = ()  #: codes the copy is flagged for that the original was not
    after: Optional[Report] = None  #: the re-audit of the copy (when rules were given)

    @property
    def ok(self) -> bool:
        """Face kept, no remnant, no new finding."""
        return self.face.kept and (self.remnants is None or self.remnants.clean) and not self.new_findings

    def describe(self) -> str:
        """For people: what is wrong with this copy ("" when nothing)."""
        parts = [] if self.face.kept else [self.face.describe()]
        if self.remnants is not None and not self.remnants.clean:
            parts.append(self.remnants.describe())
        if self.new_findings:
            parts.append("the copy raises a new finding: " + ", ".join(self.new_findings))
        return "; ".join(parts)

    def short(self) -> str:
        """A few words: the face, remnants and new findings."""
        parts = [self.face.short()]
        if self.remnants is not None:
            parts.append(self.remnants.short())
        if self.new_findings:
            parts.append("new " + ",".join(self.new_findings))
        return ", ".join(parts)


@dataclass(frozen=True)
class Correction:
    """The outcome of :func:`correct`: a copy to write, or why there is none."""

    rgb: Optional[np.ndarray]  #: corrected pixels; None when refused
    done: Tuple[str, ...]  #: actions that changed the pixels
    check: FaceCheck  #: the subject's face in the copy (the last attempt's when refused)
    fallback: str = ""  #: the retry that made the copy ("" = as planned)
    refused: str = ""  #: why no copy may be written ("" = write it)
    data: Optional[bytes] = None  #: the encoded copy, when an encoder was given
    attempts: Tuple[Attempt, ...] = ()  #: every attempt and its checks
    crop: Optional[Crop] = None  #: the part of the original the copy shows (crop-to-subject)
    skipped: Tuple[str, ...] = ()  #: actions that could not be done on this photo, and why
    notes: Tuple[str, ...] = ()  #: what each action did, for people
    after: Optional[Report] = None  #: the re-audit of the written copy (when rules were given)
    outcomes: Tuple["RuleOutcome", ...] = ()  #: each fixed finding in the re-audit

    @property
    def ok(self) -> bool:
        """A copy may be written."""
        return not self.refused

    @property
    def remnants(self) -> Optional[RemnantCheck]:
        """The remnant check of the copy (of the last attempt when refused); None without
        a background action."""
        return self.attempts[-1].remnants if self.attempts else None

    def how(self) -> str:
        """For people: which retry made the copy, and why it was needed ("" as planned)."""
        if not self.fallback or not self.attempts:
            return ""
        summary = next((f.summary for f in FALLBACKS if f.name == self.fallback), "")
        return f"{self.attempts[0].describe()} as planned, so {self.fallback}: {summary}"


def correct(fixes: Sequence[PlannedFix], rgb: np.ndarray, scene: Scene, *, backdrop: str = "flat",
            encode: Optional[Callable[[np.ndarray], bytes]] = None, before: Optional[Report] = None,
            rules: Optional[Sequence[Any]] = None) -> Correction:
    """Apply a plan and make sure the copy is one a photographer would accept.

    Each attempt is checked on the copy (on the encoded bytes when ``encode`` is given:
    exactly what will be written):

    - the subject's face is detected again and must be where it was
      (:func:`face_check`, within :data:`FACE_BOX_TOLERANCE`);
    - after a background action, nothing of the old background may be left: no pieces
      floating in the new background, no patches beside the subject, no halo
      (:func:`remnant_check`);
    - with ``rules`` (and the original's report ``before``), the copy is audited again
      and must not be flagged for a rule the original passed (a still-sharp pillar
      after a blur, a backdrop that clashes with the clothes).

    An attempt that fails is retried with each of :data:`FALLBACKS` in turn; when none
    passes, the copy is refused with the reason in :attr:`Correction.refused`. Without a
    face on the person nothing is written (nothing to check a copy against: a cup on a
    table would be cut into fragments). After crop-to-subject the face is compared in the
    cropped frame; an action that cannot make the copy (:class:`Refused`) refuses it;
    actions that cannot be done on this photo (:class:`Skipped`) are listed in
    :attr:`Correction.skipped`, and when every action was skipped nothing is written.
    """
    todo = [p for p in fixes if p.applies]
    kinds = {p.action for p in todo}
    no_check = FaceCheck(1.0, 0.0)
    if subject_box(scene) is None and kinds - {"rotate-upright"}:
        why = ("not written: no face found on a person, so there is nothing to check a corrected copy "
               "against (a retouched background could cut up or erase what the photo shows)")
        return Correction(None, (), no_check, "", why)
    refined: Optional[np.ndarray] = None
    if kinds & (BACKGROUND_ACTIONS | {"lift-face-exposure"}):
        from .retouch.matte import refine_matte

        refined = refine_matte(rgb, scene.matte)
    tried: List[Attempt] = []
    seen = set()
    last_notes: Tuple[str, ...] = ()
    cut: Optional[np.ndarray] = None  # remnants found so far, for the tight retries to cut away
    for fb in (AS_PLANNED,) + FALLBACKS:
        # What this attempt does differently for this plan; the same as an earlier one: skip.
        effect = (fb.lift_scale if "lift-face-exposure" in kinds else None,
                  (fb.protect_head, fb.tight) if kinds & BACKGROUND_ACTIONS else None,
                  fb.blur_for_replace if "replace-background" in kinds else None,
                  fb.blur_scale if "blur-background" in kinds or (fb.blur_for_replace and "replace-background" in kinds)
                  else None)
        if effect in seen or (fb.lift_scale == 0 and kinds <= {"lift-face-exposure"}):
            continue
        seen.add(effect)
        canvas = Canvas(rgb=rgb, scene=scene, backdrop=backdrop, fallback=fb, refined=refined, cut=cut)
        try:
            out, done = _run(todo, canvas)
        except Refused as exc:
            return Correction(None, (), no_check, "", f"not written: {exc}", None, tuple(tried))
        skipped = tuple(canvas.skipped)
        if not done:  # every action was skipped: nothing to write
            return Correction(None, (), no_check, "", "not written: " + "; ".join(skipped), None, tuple(tried),
                              skipped=skipped)
        data = encode(out) if encode is not None else None
        attempt, left = _check(fb.name or "as planned", scene, out, data, canvas, before, rules)
        if left is not None:
            cut = left if cut is None else cut | left
        tried.append(attempt)
        last_notes = tuple(canvas.notes)
        if attempt.ok:
            outcomes = rule_outcomes(before, attempt.after, fixed_codes(fixes, done)) if attempt.after else ()
            if outcomes and not any(o.improved for o in outcomes):
                why = ("not written: the copy would not clear or reduce the findings it was for ("
                       + "; ".join(o.describe() for o in outcomes) + ")")
                return Correction(None, done, attempt.face, fb.name, why, None, tuple(tried), canvas.crop,
                                  skipped, last_notes, attempt.after, outcomes)
            return Correction(out, done, attempt.face, fb.name, "", data, tuple(tried), canvas.crop, skipped,
                              last_notes, attempt.after, outcomes)
    first = tried[0]
    retries = "; ".join(f"{t.name}: {t.short()}" for t in tried[1:])
    why = f"not written: {first.describe()}" + (f", and with the fallbacks too ({retries})" if retries else "")
    return Correction(None, (), tried[-1].face, "", why, None, tuple(tried), notes=last_notes)


def _check(name: str, scene: Scene, out: np.ndarray, data: Optional[bytes], canvas: Canvas,
           before: Optional[Report], rules: Optional[Sequence[Any]]) -> Tuple[Attempt, Optional[np.ndarray]]:
    """The checks of one attempt's copy (see :func:`correct`), and where it left remnants."""
    if canvas.turns:  # turned back (lossless) so the face is compared in the frame it was found in
        face = face_check(scene, np.ascontiguousarray(np.rot90(out, -canvas.turns)), canvas.crop)
    else:
        face = face_check(scene, data if data is not None else out, canvas.crop)
    remnants, left = None, None
    if canvas.background is not None:
        remnants, left = _remnants(scene, canvas)
    after = None
    new: Tuple[str, ...] = ()
    if rules is not None and face.kept and (remnants is None or remnants.clean):
        from .engine import audit

        after = audit(data if data is not None else np.ascontiguousarray(out), rules=rules)
        was = {f.code for f in before.findings} if before is not None else set()
        new = tuple(sorted({f.code for f in after.findings if f.code not in was and f.severity != "info"}))
    return Attempt(name, face, remnants, new, after), left


def _remnants(scene: Scene, canvas: Canvas) -> Tuple[RemnantCheck, np.ndarray]:
    """:func:`remnant_check` of the pixels right after the background action, at analysis size."""
    import cv2

    size = (scene.width, scene.height)
    copy = cv2.resize(canvas.background, size, interpolation=cv2.INTER_AREA)
    alpha = cv2.resize(np.asarray(canvas.alpha, np.float32), size, interpolation=cv2.INTER_AREA)
    return remnant_check(np.asarray(scene.rgb), copy, alpha, subject_box(scene), np.asarray(scene.matte))


#: A finding counts as clearly reduced when its rule's score rises by this much (0-100
#: scale) though it is still flagged at the same severity.
REDUCED_SCORE_GAIN = 15.0


@dataclass(frozen=True)
class RuleOutcome:
    """What became of one finding a fix was for, in the re-audit of the copy."""

    code: str
    before: Finding
    after: Optional[Finding]  #: None: cleared

    @property
    def status(self) -> str:
        """"cleared", "reduced" (a milder severity, or the rule's score up by
        :data:`REDUCED_SCORE_GAIN`) or "not cleared"."""
        if self.after is None:
            return "cleared"
        if (SEVERITIES.index(self.after.severity) > SEVERITIES.index(self.before.severity)  # worst first
                or self.after.score >= self.before.score + REDUCED_SCORE_GAIN):
            return "reduced"
        return "not cleared"

    @property
    def improved(self) -> bool:
        """Cleared or clearly reduced."""
        return self.status != "not cleared"

    def describe(self) -> str:
        """For people, e.g. "HL201 still error (score 33 -> 34)"."""
        b = self.before
        if self.after is None:
            return f"{self.code} cleared (score {b.score:.0f} -> passes)"
        a = self.after
        if self.status == "reduced":
            return f"{self.code} reduced ({b.severity} -> {a.severity}, score {b.score:.0f} -> {a.score:.0f})"
        return f"{self.code} still {a.severity} (score {b.score:.0f} -> {a.score:.0f})"


def fixed_codes(fixes: Iterable[PlannedFix], done: Iterable[str]) -> Tuple[str, ...]:
    """The codes of the findings a copy claims to fix: those of the actions that ran, and
    of the ones they covered (superseded)."""
    ran = set(done)
    codes: List[str] = []
    for p in fixes:
        if p.action in ran or (p.status == SUPERSEDED and any(p.action in ACTIONS[k].supersedes for k in ran)):
            codes += [c for c in p.codes if c not in codes]
    return tuple(codes)


def rule_outcomes(before: Optional[Report], after: Report, codes: Sequence[str]) -> Tuple[RuleOutcome, ...]:
    """Each of ``codes`` found in ``before``, and what the re-audit ``after`` says of it."""
    if before is None:
        return ()
    now = {f.code: f for f in after.findings}
    return tuple(RuleOutcome(f.code, f, now.get(f.code)) for f in before.findings if f.code in codes)


class Job:
    """One photo through ``fix``, as the command and the page run it: the file read once,
    decoded once at analysis size for the audit (whose Scene, faces and matte, the
    correction reuses) and once at full resolution for the pixels; planned, corrected,
    checked and re-audited (:func:`correct`).

    ``report`` is the audit of the original (an ``unreadable-image`` report when it cannot
    be read: then ``size`` is None and nothing else is available).
    """

    def __init__(self, source: Any, rules: Sequence[Any], *, unsafe: bool = False,
                 only: Optional[Sequence[str]] = None, label: Optional[str] = None) -> None:
        from .engine import analyse, unreadable_report
        from .errors import LoadError, PerceptionError
        from .load import load

        self.rules = tuple(rules)
        self.source = _read_once(source)
        name = label or (source if isinstance(source, str) else
                         "<bytes>" if isinstance(source, (bytes, bytearray, memoryview)) else str(source))
        self.scene: Optional[Scene] = None
        try:
            photo = load(self.source)
            self.report, scene = analyse(photo, self.rules, name)
            # The audit looks at a sideways photo upright; the fix works in the stored frame.
            self.scene = scene if not scene.turned else Scene(photo)
        except LoadError as exc:
            self.report = unreadable_report(name, self.rules, f"{exc}", exc.kind)
        except PerceptionError as exc:
            self.report = unreadable_report(name, self.rules, f"analysis failed: {exc}", "perception-failed")
        self.planned = plan(self.report.findings, unsafe=unsafe, only=only)
        self._full: Optional[Tuple[np.ndarray, Any]] = None

    @property
    def readable(self) -> bool:
        """The photo could be read and analysed."""
        return self.scene is not None

    @property
    def todo(self) -> Tuple[PlannedFix, ...]:
        """The actions that will run."""
        return tuple(p for p in self.planned if p.applies)

    @property
    def meta(self) -> Any:
        """What the writer needs (:class:`~headshot_lint.load.ImageMeta`); decodes the full
        resolution pixels on first use. Raises :class:`~headshot_lint.errors.LoadError`."""
        return self._pixels()[1]

    def _pixels(self) -> Tuple[np.ndarray, Any]:
        if self._full is None:
            from .load import load_full

            self._full = load_full(self.source)
        return self._full

    def correct(self, fmt: str, *, backdrop: str = "flat") -> Correction:
        """The corrected copy encoded as ``fmt`` (a Pillow format name), checked and
        re-audited; see :func:`correct`. Raises :class:`~headshot_lint.errors.LoadError`."""
        from .retouch.write import encode

        rgb, meta = self._pixels()
        assert self.scene is not None, "correct() of an unreadable photo"
        return correct(self.todo, rgb, self.scene, backdrop=backdrop, encode=lambda px: encode(px, meta, fmt),
                       before=self.report, rules=self.rules)

    def original(self) -> np.ndarray:
        """The full-resolution pixels of the original (for a before/after image)."""
        return self._pixels()[0]


def _read_once(source: Any) -> Any:
    """A path's bytes (read once, decoded twice); other sources as given. A path that
    cannot be read is passed on as is, so the loader names the problem."""
    import os

    if isinstance(source, (str, os.PathLike)):
        try:
            with open(source, "rb") as fh:
                return fh.read()
        except OSError:
            return source
    return source


# -- action kinds --------------------------------------------------------------------------

@action("replace-background", order=20, supersedes=("blur-background",),
        summary="replace the background with a flat or vignetted studio tone")
def _replace_background(canvas: Canvas, params: Mapping[str, Any]) -> np.ndarray:
    from .retouch.background import replace_background

    if canvas.fallback.blur_for_replace:
        return _blur_background(canvas, {})
    _alone_or_cropped(canvas)
    hex_colour = str(params.get("recommended_hex") or _tone_for(canvas.scene))
    style = "a studio vignette around" if canvas.backdrop == "gradient" else "a flat"
    canvas.notes.append(f"replaced the background with {style} {hex_colour.upper()}")
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

    _alone_or_cropped(canvas)
    long_side = max(canvas.rgb.shape[:2])
    if params.get("blur_radius_px"):
        radius = float(params["blur_radius_px"])
    elif params.get("blur_sigma_px"):
        radius = 2.0 * float(params["blur_sigma_px"])  # a disc of radius r has sigma r / 2
    else:
        radius = DEFAULT_RADIUS_FRACTION * long_side
    radius = float(np.clip(radius, 2.0 * MIN_BLUR_SIGMA_FRACTION * long_side, 0.05 * long_side))
    radius = min(radius * canvas.fallback.blur_scale, MAX_BLUR_FRACTION * long_side)
    canvas.notes.append(f"blurred the background like a lens (a disc of {radius:.0f} px radius, "
                        f"{100 * radius / long_side:.1f} % of the long side)")
    return blur_background(canvas.rgb, canvas.alpha, radius)


def _alone_or_cropped(canvas: Canvas) -> None:
    """Raise :class:`Skipped` when other people share the photo and no crop will leave
    them out: a new or blurred background would cut them up or blur them away."""
    box = subject_box(canvas.scene)
    if box is None or not other_people(canvas.scene, box):
        return
    if "crop-to-subject" in canvas.kinds:
        try:
            _crop_rect(canvas, box)
            return
        except Skipped:
            pass
    raise Skipped("other people share the photo, and a new background would cut them up or blur them "
                  "away (a crop to the subject of at least "
                  f"{MIN_CROP_SIDE_PX} px that leaves them out would allow it)")


#: Largest blur disc radius of a retry, fraction of the long side (beyond it the
#: background is a smear, not a lens blur).
MAX_BLUR_FRACTION = 0.08


#: Skin L* a lift aims for when the rule gives no target (a well exposed medium complexion).
DEFAULT_TARGET_SKIN_L = 58.0


@action("lift-face-exposure", order=10, summary="brighten the person, background untouched")
def _lift_face(canvas: Canvas, params: Mapping[str, Any]) -> np.ndarray:
    from .retouch.exposure import MAX_EV, ev_for, lift_subject

    given = next((params[k] for k in ("lift_ev", "stops_to_lift") if params.get(k) is not None), None)
    if given is not None:
        suggested = float(given)
    else:
        skin = canvas.scene.skin_mask
        if skin.sum() < 20:
            raise Skipped("no facial skin found to judge the exposure by")
        current = float(np.median(canvas.scene.lab[..., 0][skin]))
        suggested = ev_for(current, float(params.get("target_skin_l", DEFAULT_TARGET_SKIN_L)))
    ev = min(suggested, MAX_EV) * canvas.fallback.lift_scale
    if ev <= 0.05:
        return canvas.rgb
    why = ""
    if ev < suggested - 0.05:
        why = (f" (at most {MAX_EV:g} stops: more makes noise and looks like another photo)"
               if canvas.fallback.lift_scale == 1.0 else " (a cautious retry)")
    canvas.notes.append(f"lifted the subject by {ev:.1f} stops of the {suggested:.1f} suggested{why}")
    return lift_subject(canvas.rgb, canvas.alpha, ev)


@action("crop-to-subject", order=90,
        summary="crop to a 4:5 headshot of the subject without the other faces")
def _crop_to_subject(canvas: Canvas, params: Mapping[str, Any]) -> np.ndarray:
    """Runs last: the other actions work on the whole frame, then it is cut."""
    from .retouch.crop import crop

    box = subject_box(canvas.scene)
    if box is None:
        raise Skipped("no face on the person to crop to")
    rect = _crop_rect(canvas, box)
    h, w = canvas.rgb.shape[:2]
    cw, ch = rect[2] - rect[0], rect[3] - rect[1]
    canvas.crop = Crop(*rect, w, h)
    canvas.notes.append(f"cropped to the subject: {cw}x{ch} px of {w}x{h}")
    return crop(canvas.rgb, rect)


def _crop_rect(canvas: Canvas, box: Any) -> Tuple[int, int, int, int]:
    """The crop to the subject (full-resolution px), or :class:`Skipped` with the reason:
    no crop leaves the other faces out, or it would be under :data:`MIN_CROP_SIDE_PX`."""
    from .retouch.crop import NoCrop, crop_box

    k = canvas.scale
    h, w = canvas.rgb.shape[:2]
    try:
        rect = crop_box((w, h), _px(box, k), [_px(b, k) for b in other_faces(canvas.scene, box)])
    except NoCrop as exc:
        raise Skipped(f"cannot crop to the subject: {exc}") from None
    cw, ch = rect[2] - rect[0], rect[3] - rect[1]
    if min(cw, ch) < MIN_CROP_SIDE_PX:
        raise Skipped(f"the crop to the subject would be {cw}x{ch} px, under the {MIN_CROP_SIDE_PX} px "
                      "a usable headshot needs on its short side")
    return rect


#: The short side a crop to the subject must keep, px: profile pictures are shown up to
#: 400 px (and sharper on high-density screens); a smaller crop is a thumbnail, not a photo.
MIN_CROP_SIDE_PX = 400


@action("rotate-upright", order=100, summary="turn the photo so the face is upright (lossless)")
def _rotate_upright(canvas: Canvas, params: Mapping[str, Any]) -> np.ndarray:
    """Runs after every other action, which all work in the photo's stored frame."""
    k = int(round(float(params.get("turn_degrees", 0)) / 90.0)) % 4
    if k == 0:
        raise Skipped("the photo is already upright")
    canvas.turns = k
    canvas.notes.append(f"turned the photo {90 * k} degrees counter-clockwise")
    return np.ascontiguousarray(np.rot90(canvas.rgb, k))


def _px(box: Any, k: float) -> Tuple[float, float, float, float]:
    return box.x0 * k, box.y0 * k, box.x1 * k, box.y1 * k


def describe(p: PlannedFix) -> str:
    """One line for people: what the fix does and whether it runs."""
    tag = {SAFE: "safe", RETOUCH: "retouch", NONE: "advice"}.get(p.safety, p.safety)
    head = f"{','.join(p.codes)} {p.action or 'advice'} [{tag}]"
    tail = f" ({p.note})" if p.note else ""
    return f"{head}: {p.title}{tail}"


__all__ = ["ACTIONS", "ADVICE", "APPLY", "AS_PLANNED", "ActionKind", "Attempt", "BACKDROPS", "Canvas",
           "Correction", "Job", "MIN_CROP_SIDE_PX", "RemnantCheck", "RuleOutcome", "fixed_codes", "rule_outcomes", "Crop", "FACE_BOX_TOLERANCE", "FACE_LOST_IOU", "FALLBACKS", "FaceCheck",
           "Fallback", "NEEDS_UNSAFE", "NOT_SELECTED", "PlannedFix", "Refused", "SUPERSEDED", "Skipped",
           "UNSUPPORTED", "action", "apply", "correct", "describe", "face_check", "face_kept",
           "face_lost", "plan", "subject_box"]
