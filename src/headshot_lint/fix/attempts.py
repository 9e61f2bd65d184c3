"""A plan applied to pixels (:func:`apply`), and the copy checked, retried and refused
(:func:`correct`): the face in place, no remnant of the old background, no new finding,
every finding a fix was for cleared (a fix that leaves its finding is left out)."""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Any, Callable, Dict, Iterable, List, Sequence, Tuple

import numpy as np

from ..fix_check import Crop, FaceCheck, RemnantCheck, face_check, original_detections, remnant_check, subject_box
from ..model import Report
from ..scene import Scene
from .canvas import (AS_PLANNED, BACKGROUND_ACTIONS, FALLBACKS, Canvas, Fallback, Refused, Skipped,
                     fallback_summary, person_alpha)
from .outcome import RuleOutcome, fixed_codes, rule_outcomes
from .plan import ACTIONS, BACKDROPS, PlannedFix

#: What to do when no automatic copy is clean enough, said after the faults: a person reading
#: "patches of the old background stay beside the subject" needs the way forward too.
WHAT_INSTEAD = ("A copy with these faults would look edited, so none is written: cut the background out by hand "
                "in a photo editor, or reshoot against a plain backdrop")


def apply(fixes: Iterable[PlannedFix], rgb: np.ndarray, scene: Scene, *,
          backdrop: str = "flat", fallback: Fallback = AS_PLANNED,
          refined: np.ndarray | None = None) -> Tuple[np.ndarray, Tuple[str, ...]]:
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
    remnants: RemnantCheck | None = None  #: leftovers of the old background (background actions only)
    new_findings: Tuple[str, ...] = ()  #: codes the copy is flagged for that the original was not
    after: Report | None = None  #: the re-audit of the copy (when rules were given)
    outcomes: Tuple[RuleOutcome, ...] = ()  #: each finding the copy was for, in that re-audit (when ok)

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
        if not parts and self.outcomes and not self.clears_all:
            parts.append("the copy left " + "; ".join(o.describe() for o in self.outcomes if o.status != "cleared"))
        return "; ".join(parts)

    @property
    def clears_all(self) -> bool:
        """Every finding the copy was for is cleared in its re-audit (True without a re-audit)."""
        return all(o.status == "cleared" for o in self.outcomes)

    @property
    def rank(self) -> Tuple[int, int]:
        """How much the copy fixed: (findings cleared, findings cleared or reduced)."""
        return (sum(o.status == "cleared" for o in self.outcomes), sum(o.improved for o in self.outcomes))

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

    rgb: np.ndarray | None  #: corrected pixels; None when refused
    done: Tuple[str, ...]  #: actions that changed the pixels
    check: FaceCheck  #: the subject's face in the copy (the last attempt's when refused)
    fallback: str = ""  #: the retry that made the copy ("" = as planned)
    refused: str = ""  #: why no copy may be written ("" = write it)
    data: bytes | None = None  #: the encoded copy, when an encoder was given
    attempts: Tuple[Attempt, ...] = ()  #: every attempt and its checks (with a fix left out: every round's)
    crop: Crop | None = None  #: the part of the original the copy shows (crop-to-subject)
    skipped: Tuple[str, ...] = ()  #: actions that could not be done on this photo, and why
    notes: Tuple[str, ...] = ()  #: what each action did, for people
    after: Report | None = None  #: the re-audit of the written copy (when rules were given)
    outcomes: Tuple[RuleOutcome, ...] = ()  #: each fixed finding in the re-audit

    @property
    def ok(self) -> bool:
        """A copy may be written."""
        return not self.refused

    @property
    def attempt(self) -> Attempt | None:
        """The attempt that made the copy written (the last one when refused)."""
        if not self.attempts:
            return None
        if self.ok:
            made = self.fallback or "as planned"
            return next((a for a in reversed(self.attempts) if a.name == made), self.attempts[-1])
        return self.attempts[-1]

    @property
    def remnants(self) -> RemnantCheck | None:
        """The remnant check of the copy written (of the last attempt when refused); None
        without a background action."""
        return self.attempt.remnants if self.attempt is not None else None

    def how(self) -> str:
        """For people: which retry made the copy, and why it was needed ("" as planned)."""
        if not self.fallback or not self.attempts:
            return ""
        summary = fallback_summary(self.fallback)
        planned = next((a for a in reversed(self.attempts) if a.name == "as planned"), self.attempts[0])
        return f"{planned.describe()} as planned, so {self.fallback}: {summary}"


def correct(fixes: Sequence[PlannedFix], rgb: np.ndarray, scene: Scene, *, backdrop: str = "flat",
            encode: Callable[[np.ndarray], bytes] | None = None, before: Report | None = None,
            rules: Sequence[Any] | None = None) -> Correction:
    """Apply a plan and make sure the copy is one a photographer would accept: every check
    of :func:`_correct_once`, and a copy is written only with fixes that clear what they
    were for.

    A fix whose finding is still there in the re-audit of the best copy (a face lift that
    leaves the subject backlit, a new backdrop the clothes still melt into) is left out,
    with the reason in :attr:`Correction.skipped`, and the copy is made again with the
    other fixes; when none is left, nothing is written. So a written copy clears every
    finding it claims to fix (a finding only "reduced" counts as not cleared). Likewise a
    new or blurred background that leaves remnants with every retry is left out when other
    fixes (a crop to the subject, a lift) remain to make the copy.
    """
    plan = list(fixes)
    left_out: List[str] = []
    tried: Tuple[Attempt, ...] = ()
    while True:
        made = _correct_once(plan, rgb, scene, backdrop=backdrop, encode=encode, before=before, rules=rules)
        tried += made.attempts
        if not made.ok and _left_remnants(made) and any(p.applies and p.action not in BACKGROUND_ACTIONS
                                                        for p in plan):
            # No attempt at a new or blurred background came out clean: the other fixes (a
            # crop to the subject, a lift) may still make a copy worth having, without it.
            dropped = sorted({p.action for p in plan if p.applies and p.action in BACKGROUND_ACTIONS})
            left_out += [_not_applied(a, f"{made.attempts[0].remnants.describe()}, with every retry")
                         for a in dropped]
            plan = [p for p in plan if p.action not in dropped]
            continue
        if not made.ok or made.attempt is None or made.attempt.clears_all:
            break
        failing = _failing_actions(plan, made)
        if not failing:  # every finding left is one no action that ran was for
            break
        kept = [p for p in plan if p.action not in failing]
        left_out += [_not_applied(a, f"it did not clear what it was for ({why})") for a, why in failing.items()]
        if not any(p.applies for p in kept):
            why = ("not written: " + "; ".join(f"{a} did not clear what it was for ({w})" for a, w in failing.items())
                   + " (a copy is written only when its fixes clear the findings they are for)")
            return replace(made, rgb=None, data=None, refused=why, attempts=tried,
                           skipped=tuple(left_out) + made.skipped)
        plan = kept
    return replace(made, attempts=tried, skipped=tuple(left_out) + made.skipped)


def _not_applied(action: str, why: str) -> str:
    """The note for a fix left out of a copy the other fixes still make."""
    return f"{action} not applied: {why}; the copy has the other fixes only"


def _left_remnants(made: Correction) -> bool:
    """Every attempt of a refused copy kept the face but left remnants of the old background."""
    return bool(made.attempts) and all(a.face.kept and a.remnants is not None and not a.remnants.clean
                                       for a in made.attempts)


def _failing_actions(plan: Sequence[PlannedFix], made: Correction) -> Dict[str, str]:
    """The actions of ``plan`` that ran in ``made`` but left a finding they were for
    uncleared, each with what the re-audit said of those findings (for people)."""
    status = {o.code: o for o in made.outcomes}
    failing: Dict[str, str] = {}
    for a in made.done:
        codes = fixed_codes(plan, (a,))
        left = [status[c] for c in codes if c in status and status[c].status != "cleared"]
        if left:
            failing[a] = "; ".join(o.describe() for o in left)
    return failing


def _correct_once(fixes: Sequence[PlannedFix], rgb: np.ndarray, scene: Scene, *, backdrop: str = "flat",
                  encode: Callable[[np.ndarray], bytes] | None = None, before: Report | None = None,
                  rules: Sequence[Any] | None = None) -> Correction:
    """Apply a plan once, with its cautious retries, and check the copy.

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
    passes, the copy is refused with the reason in :attr:`Correction.refused`. A copy that
    passes but leaves a finding it was for uncleared (a blur too weak for the learned
    unblurred-environment judgement) is retried the same way, and the passing attempt
    that clears most is written (the least changed of equals); when no passing attempt
    clears or reduces anything, nothing is written. Without a
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
    refined: np.ndarray | None = None
    if kinds & (BACKGROUND_ACTIONS | {"lift-face-exposure"}):
        face = subject_box(scene)
        # Below the chin the outline is clothing: its soft edge is held tight there (in the
        # stored frame, which is upright unless the plan turns the photo).
        chin = face.y1 / scene.height if face is not None and "rotate-upright" not in kinds else None
        refined = person_alpha(rgb, scene, chin)
    tried: List[Attempt] = []
    seen = set()
    last_notes: Tuple[str, ...] = ()
    cut: np.ndarray | None = None  # remnants found so far, for the tight retries to cut away
    original: List[Any] | None = None  # the original's face detections, for every attempt's face check
    best: Tuple[Attempt, Correction] | None = None  # the passing attempt that fixes most, and its copy
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
        if original is None and subject_box(scene) is not None:
            original = original_detections(scene)  # once for every attempt
        attempt, left = _check(fb.name or "as planned", scene, out, data, canvas, before, rules, original)
        if left is not None:
            cut = left if cut is None else cut | left
        if attempt.ok and attempt.after is not None:
            attempt = replace(attempt, outcomes=rule_outcomes(before, attempt.after, fixed_codes(fixes, done)))
        tried.append(attempt)
        last_notes = tuple(canvas.notes)
        if attempt.ok:
            if best is None or attempt.rank > best[0].rank:
                best = (attempt, Correction(out, done, attempt.face, fb.name, "", data, (), canvas.crop, skipped,
                                            last_notes, attempt.after, attempt.outcomes))
            if attempt.clears_all:
                break
    if best is not None:
        attempt, made = best
        made = replace(made, attempts=tuple(tried))
        if attempt.outcomes and not any(o.improved for o in attempt.outcomes):
            left = "; ".join(o.describe() for o in attempt.outcomes)
            if tried[0].ok:
                why = f"not written: the copy would not clear or reduce the findings it was for ({left})"
            else:  # the plan itself failed its checks: say so, not only what the clean retry left
                summary = fallback_summary(made.fallback) or made.fallback
                why = (f"not written: {tried[0].describe()} as planned; the retry that came out clean ({summary}) "
                       f"would not clear or reduce the findings it was for ({left}). {WHAT_INSTEAD}")
            return replace(made, rgb=None, data=None, refused=why)
        return made
    first = tried[0]
    retries = "; ".join(f"{t.name}: {t.short()}" for t in tried[1:])
    why = (f"not written: {first.describe()}" + (f", and with the fallbacks too ({retries})" if retries else "")
           + f". {WHAT_INSTEAD}")
    return Correction(None, (), tried[-1].face, "", why, None, tuple(tried), notes=last_notes)


def _check(name: str, scene: Scene, out: np.ndarray, data: bytes | None, canvas: Canvas,
           before: Report | None, rules: Sequence[Any] | None,
           original: List[Any] | None = None) -> Tuple[Attempt, np.ndarray | None]:
    """The checks of one attempt's copy (see :func:`correct`), and where it left remnants."""
    if canvas.turns:  # turned back (lossless) so the face is compared in the frame it was found in
        face = face_check(scene, np.ascontiguousarray(np.rot90(out, -canvas.turns)), canvas.crop, original)
    else:
        face = face_check(scene, data if data is not None else out, canvas.crop, original)
    remnants, left = None, None
    if canvas.background is not None:
        remnants, left = _remnants(scene, canvas)
    after = None
    new: Tuple[str, ...] = ()
    if rules is not None and face.kept and (remnants is None or remnants.clean):
        from ..engine import audit

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
