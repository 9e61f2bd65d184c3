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

:class:`Job` is what ``fix`` and the page run for one photo: audit, plan and
:func:`correct`: :func:`apply`, then checks of the copy (the subject's face in the same
box, no remnant of the old background, no new finding in a re-audit, the findings fixed
cleared or reduced), retried with more cautious settings (:data:`FALLBACKS`) and refused
with the reason when none passes. An action may refuse the whole copy (:class:`Refused`),
or be left out while the others still run (:class:`Skipped`: a crop that cannot leave the
other faces out does not stop the exposure from being fixed).

The package: :mod:`.plan` (statuses, the registry of action kinds, the planner),
:mod:`.canvas` (the photo being corrected and the cautious retries), :mod:`.actions`
(the registered kinds), :mod:`.attempts` (apply, check, retry, refuse), :mod:`.outcome`
(each fixed finding in the re-audit) and :mod:`.job` (one photo through ``fix``, shared
by the command and the page); the checks of a copy are :mod:`headshot_lint.fix_check`.
"""

from __future__ import annotations

from ..fix_check import (FACE_BOX_TOLERANCE, FACE_LOST_IOU, Crop, FaceCheck, RemnantCheck, face_check,
                         face_kept, face_lost, subject_box)
from . import actions as _actions  # noqa: F401 - registers the action kinds
from .actions import DEFAULT_TARGET_SKIN_L, MAX_BLUR_FRACTION, MIN_CROP_SIDE_PX
from .canvas import (AS_PLANNED, BACKGROUND_ACTIONS, FALLBACKS, TIGHT_MATTE, Canvas, Fallback, Refused,
                     Skipped)
from .attempts import Attempt, Correction, apply, correct
from .job import Job
from .outcome import REDUCED_SCORE_GAIN, RuleOutcome, fixed_codes, rule_outcomes
from .plan import (ACTIONS, ADVICE, APPLY, BACKDROPS, NEEDS_UNSAFE, NONE, NOT_SELECTED, RETOUCH, SAFE,
                   SUPERSEDED, UNSUPPORTED, ActionKind, PlannedFix, Runner, action, describe, plan)

__all__ = ["ACTIONS", "ADVICE", "APPLY", "AS_PLANNED", "ActionKind", "Attempt", "BACKDROPS",
           "BACKGROUND_ACTIONS", "Canvas", "Correction", "Crop", "DEFAULT_TARGET_SKIN_L", "FACE_BOX_TOLERANCE",
           "FACE_LOST_IOU", "FALLBACKS", "FaceCheck", "Fallback", "Job", "MAX_BLUR_FRACTION", "MIN_CROP_SIDE_PX",
           "NEEDS_UNSAFE", "NONE", "NOT_SELECTED", "PlannedFix", "REDUCED_SCORE_GAIN", "RETOUCH", "Refused",
           "RemnantCheck", "RuleOutcome", "Runner", "SAFE", "SUPERSEDED", "Skipped", "TIGHT_MATTE", "UNSUPPORTED",
           "action", "apply", "correct", "describe", "face_check", "face_kept", "face_lost", "fixed_codes",
           "plan", "rule_outcomes", "subject_box"]
