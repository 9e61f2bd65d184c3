"""headshot-lint: a linter for the backgrounds of professional headshots.

>>> from headshot_lint import audit
>>> report = audit("me.jpg")                      # doctest: +SKIP
>>> report.score, [f.rule for f in report.findings]  # doctest: +SKIP
(62.5, ['small-size-contrast'])
"""


__version__ = "0.1.0"

from .engine import audit, audit_many
from .errors import (
    ConfigError,
    HeadshotLintError,
    LoadError,
    PerceptionError,
    RulePackError,
)
from .model import Finding, Fix, Measurement, Region, Report

__all__ = [
    "ConfigError",
    "Finding",
    "Fix",
    "HeadshotLintError",
    "LoadError",
    "Measurement",
    "PerceptionError",
    "Region",
    "Report",
    "RulePackError",
    "__version__",
    "audit",
    "audit_many",
]
