"""What fails a run: the findings' severity (``--fail-on``) and the scores (``--fail-under``).

As ruff's: findings at error severity fail a run by default; ``--fail-on warning`` makes
warnings fail it too (info findings never do). ``--fail-under N`` also fails it when a
photo scores under N, and the photos that did are named in every report format.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

from .model import ERROR, WARNING, Finding

#: ``--fail-on`` values: the mildest severity that fails a run.
FAIL_ON = (ERROR, WARNING)


def fails_on(finding: Finding, fail_on: str = ERROR) -> bool:
    """Whether ``finding`` fails the run under ``--fail-on fail_on``."""
    return finding.severity == ERROR or (fail_on == WARNING and finding.severity == WARNING)


@dataclass
class FailUnder:
    """``--fail-under``'s threshold and the photos found under it so far (path -> score),
    in the order they were judged; filled in by the command as each report arrives, read by
    the report writers (a photo's entry exists before its report is written)."""

    threshold: float
    below: dict[str, float] = field(default_factory=dict)

    def names(self, limit: int = 10) -> str:
        """``"a.jpg (35), b.jpg (12)"``, the first ``limit`` of them and how many more (scores
        rounded down, as everywhere: 39.6 under 40 must not print as 40)."""
        shown = [f"{path} ({math.floor(score)})" for path, score in list(self.below.items())[:limit]]
        more = len(self.below) - len(shown)
        return ", ".join(shown) + (f" and {more} more" if more > 0 else "")

    def sentence(self, limit: int = 10) -> str:
        """``"2 photos under --fail-under 40: a.jpg (35), b.jpg (12)"``."""
        n = len(self.below)
        return f"{n} photo{'s' * (n != 1)} under --fail-under {self.threshold:g}: {self.names(limit)}"
