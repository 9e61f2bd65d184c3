"""JSON output: the contract CI systems and the evaluation build on.

Schema version ``SCHEMA_VERSION`` (see ``docs/schema.json``). Keys are stable;
new keys may be added beside them, in a minor version.
"""

from __future__ import annotations

import json
from dataclasses import asdict
from typing import Any, Iterable, Sequence

from .. import __version__
from ..gate import FailUnder
from ..model import Finding, Report
from . import _stream

SCHEMA_VERSION = "1.2"  # 1.1: findings[].detail, summary.fail_under; 1.2: summary.missing_paths


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
        "detail": f.detail,
        "fix": None if f.fix is None else {"title": f.fix.title, "action": f.fix.action or None,
                                           "params": dict(f.fix.params), "safety": f.fix.safety},
        "values": dict(f.values),
        "regions": [asdict(r) for r in f.regions],
    }


def report_to_dict(r: Report) -> dict[str, Any]:
    """One photo's report as plain JSON types (``baselined`` only when a baseline hid a finding)."""
    doc = {
        "path": r.path,
        "score": r.score,
        "scores": dict(r.scores),
        "findings": [finding_to_dict(f) for f in r.findings],
        "skipped": [asdict(s) for s in r.skipped],
        "size": list(r.size) if r.size else None,
        "analysis_size": list(r.analysis_size) if r.analysis_size else None,
    }
    if r.baselined:
        doc["baselined"] = list(r.baselined_codes)
    return doc


class Writer(_stream.Writer):
    """The run's JSON document, one photo at a time (see :mod:`._stream`); only the summary's
    counters stay in memory."""

    def __init__(self, spool_dir: str | None = None, fail_under: FailUnder | None = None,
                 missing: Sequence[str] = ()) -> None:
        super().__init__(spool_dir, missing)
        self._fail_under = fail_under
        self._errors = 0
        self._warnings = 0
        self._by_rule: dict[str, int] = {}
        self._list = self._frame()

    def fragment(self, report: Report) -> str:
        photo = report_to_dict(report)
        for f in photo["findings"]:
            self._by_rule[f["rule"]] = self._by_rule.get(f["rule"], 0) + 1
            self._errors += f["severity"] == "error"
            self._warnings += f["severity"] == "warning"
        return self._list.item(photo, first=self.photos == 0)

    def summary(self) -> dict[str, Any]:
        """The document's ``summary`` for the photos added so far; with ``--fail-under``, its
        threshold and the photos under it (``fail_under``: ``threshold``, ``photos`` [{path, score}]);
        the paths given that did not exist, when some did not (``missing_paths``: not checked)."""
        doc = {"photos": self.photos, "errors": self._errors, "warnings": self._warnings,
               "findings_by_rule": dict(sorted(self._by_rule.items()))}
        if self._fail_under is not None:
            doc["fail_under"] = {"threshold": self._fail_under.threshold,
                                 "photos": [{"path": p, "score": s} for p, s in self._fail_under.below.items()]}
        if self._missing:
            doc["missing_paths"] = list(self._missing)
        return doc

    def _frame(self, summary: dict[str, Any] | None = None) -> _stream.JsonList:
        return _stream.JsonList({
            "schema_version": SCHEMA_VERSION,
            "tool": {"name": "headshot-lint", "version": __version__},
            "summary": summary or {},
            "photos": _stream.JsonList.placeholder(),
        })

    def head(self) -> str:
        return self._frame(self.summary()).head(empty=self.photos == 0)

    def tail(self) -> str:
        return self._list.tail(empty=self.photos == 0) + "\n"


def render(reports: Iterable[Report]) -> str:
    """The whole run as one JSON document (deterministic: no timestamps, sorted as given)."""
    with Writer() as w:
        for r in reports:
            w.add(r)
        return w.render()
