"""Small facts several report formats share (no analysis: they read Reports and Rules)."""

from __future__ import annotations

import hashlib
import os
from typing import Iterable, Mapping

from ..model import ERROR, INFO, WARNING, Finding, Report
from ..rules import Rule

TOOL_URI = "https://pypi.org/project/headshot-lint/"


def relative(path: str) -> str:
    """The path relative to the current folder when it lies under it (repository paths)."""
    if os.path.isabs(path):
        try:
            rel = os.path.relpath(path)
        except ValueError:
            return path
        if not rel.startswith(".."):
            return rel
    return path


def missing_path(path: str) -> str:
    """What the CI formats say of a path given that does not exist."""
    return f"No such file or folder: {path}; it was not checked."


def counted(n: int, noun: str) -> str:
    """``n`` and the noun, plural unless one: "1 photo", "3 errors", "0 warnings"."""
    return f"{n} {noun}{'s' * (n != 1)}"


def default_level(rule: Rule) -> str:
    """The rule's highest severity: "error", "warning" or "info"."""
    return ERROR if rule.error is not None else WARNING if rule.warning is not None else INFO


def fingerprint(report: Report, finding: Finding, digests: Mapping[str, str] | None) -> str:
    """sha256 of the image bytes' digest (or the path when unknown) and the rule code."""
    ident = (digests or {}).get(report.path) or "path:" + report.path
    return hashlib.sha256(f"{ident}:{finding.code}".encode("utf-8", "surrogateescape")).hexdigest()


def rules_used(rules: Iterable[Rule]) -> list[Rule]:
    """The selected rules, once each, by code (the incremental writers need them before the
    first report arrives, so they never depend on the reports)."""
    return sorted({r.code: r for r in rules}.values(), key=lambda r: r.code)
