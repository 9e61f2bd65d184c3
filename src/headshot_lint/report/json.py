"""JSON output: the contract CI systems and the evaluation build on.

Schema version ``SCHEMA_VERSION`` (see ``docs/schema.json``). Keys are stable;
new keys may be added beside them, in a minor version.
"""

from __future__ import annotations

import json
from dataclasses import asdict
from typing import Any, Iterable

from .. import __version__
from ..model import Finding, Report

SCHEMA_VERSION = "1.0"


def finding_to_dict(f: Finding) -> dict[str, Any]:
    """One finding as plain JSON types."""
    return {
        "code": f.code,
        "rule": f.rule,
        "severity": f.severity,
        "score": f.score,
        "value": f.value,
        "unit": f.unit,
        "threshold": f.threshold,
        "message": f.message,
        "fix": None if f.fix is None else {"title": f.fix.title, "action": f.fix.action or None,
                                           "params": dict(f.fix.params), "safety": f.fix.safety},
        "values": dict(f.values),
        "regions": [asdict(r) for r in f.regions],
    }


def report_to_dict(r: Report) -> dict[str, Any]:
    """One photo's report as plain JSON types."""
    return {
        "path": r.path,
        "score": r.score,
        "scores": dict(r.scores),
        "findings": [finding_to_dict(f) for f in r.findings],
        "skipped": [asdict(s) for s in r.skipped],
        "size": list(r.size) if r.size else None,
        "analysis_size": list(r.analysis_size) if r.analysis_size else None,
    }


def render(reports: Iterable[Report]) -> str:
    """The whole run as one JSON document (deterministic: no timestamps, sorted as given)."""
    photos = [report_to_dict(r) for r in reports]
    doc = {
        "schema_version": SCHEMA_VERSION,
        "tool": {"name": "headshot-lint", "version": __version__},
        "summary": _summary(photos),
        "photos": photos,
    }
    return json.dumps(doc, indent=2, ensure_ascii=False) + "\n"


def _summary(photos: list[dict[str, Any]]) -> dict[str, Any]:
    counts: dict[str, int] = {}
    for p in photos:
        for f in p["findings"]:
            counts[f["rule"]] = counts.get(f["rule"], 0) + 1
    return {
        "photos": len(photos),
        "errors": sum(1 for p in photos for f in p["findings"] if f["severity"] == "error"),
        "warnings": sum(1 for p in photos for f in p["findings"] if f["severity"] == "warning"),
        "findings_by_rule": dict(sorted(counts.items())),
    }
