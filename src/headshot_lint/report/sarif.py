"""SARIF 2.1.0 output, for GitHub code scanning and other SARIF viewers.

One run; ``tool.driver.rules`` carries each selected rule's summary, description,
help (the rule's own doc text) and default level, so code scanning can show them.
Every result has one location (the photo, ``region.startLine = 1``, since GitHub
rejects results without one and the schema's minimum line is 1) and
``partialFingerprints`` from the sha256 of the image bytes and the rule code, so an
alert follows a photo across renames and closes when its bytes change.

A finding a baseline hid (``--baseline``) is still a result, with an ``external``
suppression whose status is ``accepted`` (SARIF 2.1.0 §3.34): code scanning shows it as
suppressed rather than as fixed, so recorded problems stay visible and an alert is not
closed just because the baseline was adopted.
"""

from __future__ import annotations

import json
from typing import Any, Iterable, Mapping, Sequence

from .. import __version__
from ..model import ERROR, WARNING, Finding, Report
from ..rules import Rule
from . import _common, _paths, _stream

SCHEMA_URI = "https://json.schemastore.org/sarif-2.1.0.json"
_LEVEL = {ERROR: "error", WARNING: "warning"}  # info -> "note"
FINGERPRINT_KEY = "headshotLintImage/v1"
#: What a baselined result says about its suppression (SARIF ``suppression`` object).
BASELINE_SUPPRESSION = {"kind": "external", "status": "accepted",
                        "justification": "Recorded in the headshot-lint baseline (--baseline) when the "
                                         "linter was adopted; only new findings fail the run."}


def _rule(rule: Rule) -> dict[str, Any]:
    d = rule.doc
    help_md = "\n\n".join([f"**{rule.summary}**", d["what"], "### Why is this bad?", d["why"],
                           "### Example", d["example_bad"], "Use instead:", d["example_good"],
                           "### Known problems", d["known_problems"], "### Fix safety", d["fix_safety"]])
    help_text = "\n\n".join([d["what"], d["why"], "Example: " + d["example_bad"], "Use instead: " + d["example_good"]])
    return {
        "id": rule.code,
        "name": rule.name,
        "shortDescription": {"text": rule.summary},
        "fullDescription": {"text": d["what"]},
        "help": {"text": help_text, "markdown": help_md},
        "defaultConfiguration": {"level": _LEVEL.get(_common.default_level(rule), "note")},
        "properties": {"tags": ["headshot", "background", rule.group], "fixSafety": rule.fix.safety,
                       "thresholds": {"warning": rule.warning, "error": rule.error, "info": rule.info},
                       "unit": rule.unit},
    }


def _result(report: Report, f: Finding, uri: str, index: Mapping[str, int],
            digests: Mapping[str, str] | None, baselined: bool = False) -> dict[str, Any]:
    result: dict[str, Any] = {
        "ruleId": f.code,
        "level": _LEVEL.get(f.severity, "note"),
        "message": {"text": f.message + (f" ({f.detail})" if f.detail else "")
                    + (f" Fix: {f.fix.title}" if f.fix and f.fix.title else "")},
        "locations": [{"physicalLocation": {"artifactLocation": {"uri": uri, "uriBaseId": "%SRCROOT%"},
                                            "region": {"startLine": 1}}}],
        "partialFingerprints": {FINGERPRINT_KEY: _common.fingerprint(report, f, digests)},
        "properties": {"score": f.score, "value": f.value, "unit": f.unit, "threshold": f.threshold,
                       "photoScore": report.score,
                       "regions": [{"x0": g.x0, "y0": g.y0, "x1": g.x1, "y1": g.y1, "label": g.label}
                                   for g in f.regions]},
    }
    if f.code in index:
        result["ruleIndex"] = index[f.code]
    if baselined:
        result["suppressions"] = [dict(BASELINE_SUPPRESSION)]
    return result


def _invocation(missing: Sequence[str]) -> dict:
    """The run did not succeed: paths given that do not exist, one error notification each."""
    return {"executionSuccessful": False, "toolExecutionNotifications": [
        {"level": "error", "descriptor": {"id": "missing-path"},
         "message": {"text": _common.missing_path(p)},
         "locations": [{"physicalLocation": {"artifactLocation": {"uri": _paths.uri(_common.relative(str(p))),
                                                                  "uriBaseId": "%SRCROOT%"}}}]}
        for p in missing]}


class Writer(_stream.Writer):
    """The SARIF log, one photo's results at a time (see :mod:`._stream`).

    ``digests`` (path -> sha256 hex) is read when each report is added."""

    def __init__(self, rules: Sequence[Rule], digests: Mapping[str, str] | None = None,
                 spool_dir: str | None = None, missing: Sequence[str] = ()) -> None:
        super().__init__(spool_dir, missing)
        self._used = _common.rules_used(rules)
        self._index = {r.code: n for n, r in enumerate(self._used)}
        self._digests = digests
        self._results = 0
        self._list = _stream.JsonList({
            "$schema": SCHEMA_URI,
            "version": "2.1.0",
            "runs": [{
                "tool": {"driver": {"name": "headshot-lint", "version": __version__,
                                    "semanticVersion": __version__, "informationUri": _common.TOOL_URI,
                                    "rules": [_rule(r) for r in self._used]}},
                "originalUriBaseIds": {"%SRCROOT%": {"description": {"text": "The folder headshot-lint ran in."}}},
                "results": _stream.JsonList.placeholder(),
                "columnKind": "unicodeCodePoints",
                **({"invocations": [_invocation(self._missing)]} if self._missing else {}),
            }],
        })

    def fragment(self, report: Report) -> str:
        uri = _paths.uri(_common.relative(report.path))
        out = []
        found = [(f, False) for f in report.findings] + [(f, True) for f in report.baselined]
        for f, baselined in found:
            out.append(self._list.item(_result(report, f, uri, self._index, self._digests, baselined),
                                       first=self._results == 0))
            self._results += 1
        return "".join(out)

    def head(self) -> str:
        return self._list.head(empty=self._results == 0)

    def tail(self) -> str:
        return self._list.tail(empty=self._results == 0) + "\n"


def render(reports: Iterable[Report], rules: Sequence[Rule], digests: Mapping[str, str] | None = None) -> str:
    """The whole run as one SARIF 2.1.0 log (deterministic: no timestamps)."""
    with Writer(rules, digests) as w:
        for r in reports:
            w.add(r)
        return w.render()
