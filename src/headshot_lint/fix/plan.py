"""From a report's findings to a plan of actions: statuses, safety classes, the registry
of action kinds, and the planner (generic over kinds: a new rule needs only a ``[fix]``
table naming a kind registered with :func:`action`)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Callable, Dict, Iterable, List, Mapping, Sequence, Tuple

import numpy as np

from ..model import Finding
from ..rules import Selector

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

#: (canvas, params) -> new full-resolution pixels (see :class:`.canvas.Canvas`).
Runner = Callable[[Any, Mapping[str, Any]], np.ndarray]


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


def _selected(finding: Finding, only: Sequence[str] | None) -> bool:
    if not only:
        return True
    return any(Selector(item).selects(finding.code, finding.rule) for item in only)


def plan(findings: Iterable[Finding], *, unsafe: bool = False,
         only: Sequence[str] | None = None) -> Tuple[PlannedFix, ...]:
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



def describe(p: PlannedFix) -> str:
    """One line for people: what the fix does and whether it runs."""
    tag = {SAFE: "safe", RETOUCH: "retouch", NONE: "advice"}.get(p.safety, p.safety)
    head = f"{','.join(p.codes)} {p.action or 'advice'} [{tag}]"
    tail = f" ({p.note})" if p.note else ""
    return f"{head}: {p.title}{tail}"
