"""GitLab Code Quality report (``artifacts:reports:codequality``): a JSON array.

Each finding has a fingerprint unique in the report (sha256 of the image bytes'
digest, the rule code and the path), since GitLab shows only the first of
findings that share one.
"""

from __future__ import annotations

import hashlib
import json
from typing import Iterable, Mapping, Optional, Sequence

from ..model import ERROR, INFO, WARNING, Report
from ..rules import Rule
from . import _common, _paths

#: headshot-lint severity -> Code Quality severity (info|minor|major|critical|blocker).
SEVERITY = {ERROR: "major", WARNING: "minor", INFO: "info"}


def render(reports: Iterable[Report], rules: Sequence[Rule] = (), digests: Optional[Mapping[str, str]] = None) -> str:
    """Every finding of the run as a Code Quality issue."""
    issues = []
    seen: set[str] = set()
    for report in reports:
        path = _paths.posix(_common.relative(report.path))
        for f in report.findings:
            base = _common.fingerprint(report, f, digests)
            fp = hashlib.sha256(f"{base}:{path}".encode("utf-8", "surrogateescape")).hexdigest()
            n = 1
            while fp in seen:  # the same bytes listed twice under one path: still unique
                fp = hashlib.sha256(f"{base}:{path}:{n}".encode("utf-8", "surrogateescape")).hexdigest()
                n += 1
            seen.add(fp)
            issues.append({
                "type": "issue",
                "description": f"{f.code} {f.rule}: {f.message}",
                "check_name": f.code,
                "categories": ["Style"],
                "fingerprint": fp,
                "severity": SEVERITY.get(f.severity, "info"),
                "location": {"path": path, "lines": {"begin": 1}},
            })
    return json.dumps(issues, indent=2, ensure_ascii=False) + "\n"
