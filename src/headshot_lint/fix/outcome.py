"""What became of each finding a copy was for, in the re-audit of the copy."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Iterable, List, Sequence, Tuple

from ..model import SEVERITIES, Finding, Report
from .plan import ACTIONS, SUPERSEDED, PlannedFix

#: A finding counts as clearly reduced when its rule's score rises by this much (0-100
#: scale) though it is still flagged at the same severity.
REDUCED_SCORE_GAIN = 15.0


@dataclass(frozen=True)
class RuleOutcome:
    """What became of one finding a fix was for, in the re-audit of the copy."""

    code: str
    before: Finding
    after: Finding | None  #: None: cleared

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
            how = f"{b.severity} -> {a.severity}" if a.severity != b.severity else f"still {a.severity}"
            return f"{self.code} reduced ({how}, score {b.score:.0f} -> {a.score:.0f})"
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


def rule_outcomes(before: Report | None, after: Report, codes: Sequence[str]) -> Tuple[RuleOutcome, ...]:
    """Each of ``codes`` found in ``before``, and what the re-audit ``after`` says of it."""
    if before is None:
        return ()
    now = {f.code: f for f in after.findings}
    return tuple(RuleOutcome(f.code, f, now.get(f.code)) for f in before.findings if f.code in codes)
