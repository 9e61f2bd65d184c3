"""JUnit XML: a test suite per photo, a test case per photo x rule.

A rule that judged and passed is a passing test case; a finding at error or warning
severity is a ``<failure>`` (its type the severity); an info finding passes with the
message in ``<system-out>``; a rule that could not judge is ``<skipped>``.
"""

from __future__ import annotations

import xml.etree.ElementTree as ET
from typing import Iterable, Sequence

from ..gate import FailUnder
from ..model import ERROR, WARNING, Report, score_text
from ..rules import Rule
from . import _common, _paths, _stream


_TOTALS = ("tests", "failures", "skipped")


def _suite(report: Report, rules: Sequence[Rule],
           fail_under: FailUnder | None = None) -> tuple[ET.Element, dict[str, int]]:
    """One photo's ``<testsuite>`` and its counts; with ``--fail-under``, a ``fail-under``
    test case too, failed when the photo scored under it."""
    path = _paths.posix(_common.relative(report.path))
    suite = ET.Element("testsuite", name=path, package="headshot-lint")
    findings = {f.code: f for f in report.findings}
    skipped = {s.code: s for s in report.skipped}
    counts = {"tests": 0, "failures": 0, "skipped": 0}
    for rule in rules:
        case = ET.SubElement(suite, "testcase", name=f"{rule.code} {rule.name}", classname=path,
                             file=path, line="1")
        counts["tests"] += 1
        f = findings.get(rule.code)
        if f is not None and f.severity in (ERROR, WARNING):
            failure = ET.SubElement(case, "failure", message=f.message, type=f.severity)
            failure.text = "\n".join(x for x in (f.message, f.detail, f"fix: {f.fix.title}" if f.fix else "",
                                                 f"score: {f.score:g}/100") if x)
            counts["failures"] += 1
        elif f is not None:
            ET.SubElement(case, "system-out").text = f"{f.severity}: {f.message}"
        elif rule.code in skipped:
            ET.SubElement(case, "skipped", message=skipped[rule.code].reason)
            counts["skipped"] += 1
        elif rule.name not in report.scores:
            ET.SubElement(case, "skipped", message="not run on this photo (per-file ignore)")
            counts["skipped"] += 1
    if fail_under is not None and report.score is not None:
        case = ET.SubElement(suite, "testcase", name=f"fail-under {fail_under.threshold:g}", classname=path,
                             file=path, line="1")
        counts["tests"] += 1
        if report.path in fail_under.below:
            text = f"score {score_text(report.score)} is under --fail-under {fail_under.threshold:g}"
            ET.SubElement(case, "failure", message=text, type="fail-under").text = text
            counts["failures"] += 1
    suite.set("tests", str(counts["tests"]))
    suite.set("failures", str(counts["failures"]))
    suite.set("errors", "0")
    suite.set("skipped", str(counts["skipped"]))
    return suite, counts


def _root(totals: dict[str, int]) -> ET.Element:
    root = ET.Element("testsuites", name="headshot-lint")
    root.set("tests", str(totals["tests"]))
    root.set("failures", str(totals["failures"]))
    root.set("errors", "0")
    root.set("skipped", str(totals["skipped"]))
    return root


class Writer(_stream.Writer):
    """The ``<testsuites>`` document, one photo's suite at a time (see :mod:`._stream`);
    the totals go into the root element once every suite is written."""

    def __init__(self, rules: Sequence[Rule], spool_dir: str | None = None,
                 fail_under: FailUnder | None = None, missing: Sequence[str] = ()) -> None:
        super().__init__(spool_dir, missing)
        self._rules = tuple(rules)
        self._fail_under = fail_under
        self._totals = dict.fromkeys(_TOTALS, 0)

    def fragment(self, report: Report) -> str:
        suite, counts = _suite(report, self._rules, self._fail_under)
        for k in _TOTALS:
            self._totals[k] += counts[k]
        ET.indent(suite, level=1)  # as ET.indent(root) indents it
        return "\n  " + ET.tostring(suite, encoding="unicode")

    def head(self) -> str:
        root = _root(self._totals)
        if self._missing:
            root.set("tests", str(self._totals["tests"] + len(self._missing)))
            root.set("errors", str(len(self._missing)))
        text = ET.tostring(root, encoding="unicode")  # <testsuites ... />
        return _DECLARATION + (text if self._empty else text[:-len(" />")] + ">")

    def tail(self) -> str:
        if self._empty:
            return "\n"
        missing = ""
        if self._missing:  # a suite of its own: each path given that does not exist is an error of the run
            suite = ET.Element("testsuite", name="missing paths", tests=str(len(self._missing)),
                               failures="0", errors=str(len(self._missing)), skipped="0")
            for p in self._missing:
                case = ET.SubElement(suite, "testcase", name=p, classname="headshot-lint")
                ET.SubElement(case, "error", type="missing-path",
                              message=_common.missing_path(p))
            ET.indent(suite, level=1)
            missing = "\n  " + ET.tostring(suite, encoding="unicode")
        return missing + "\n</testsuites>\n"

    @property
    def _empty(self) -> bool:
        return self.photos == 0 and not self._missing


_DECLARATION = '<?xml version="1.0" encoding="UTF-8"?>\n'


def render(reports: Iterable[Report], rules: Sequence[Rule]) -> str:
    """The run as ``<testsuites>``; counts per suite and in total."""
    with Writer(rules) as w:
        for r in reports:
            w.add(r)
        return w.render()
