"""The whole-list renderers as they were before the incremental writers (headshot-lint
0.x, issue #9), kept as the reference the writers must reproduce byte for byte.

Only the assembly of the document is frozen here; the per-photo pieces (a photo's
dict, a SARIF rule, an HTML card, ...) come from the current modules, so a change to
a piece changes both sides alike.
"""

from __future__ import annotations

import hashlib
import json
import os
import xml.etree.ElementTree as ET
from typing import Any, Callable, Iterable, Mapping, Optional, Sequence

from rich.console import Console

from headshot_lint import __version__
from headshot_lint.model import ERROR, WARNING, Report
from headshot_lint.report import _common, _paths
from headshot_lint.report import gitlab as _gitlab
from headshot_lint.report import html as _html
from headshot_lint.report import json as _json
from headshot_lint.report import sarif as _sarif
from headshot_lint.report import text as _text
from headshot_lint.report._thumbs import data_uri
from headshot_lint.rules import Rule


def json_render(reports: Iterable[Report]) -> str:
    photos = [_json.report_to_dict(r) for r in reports]
    counts: dict[str, int] = {}
    for p in photos:
        for f in p["findings"]:
            counts[f["rule"]] = counts.get(f["rule"], 0) + 1
    summary = {
        "photos": len(photos),
        "errors": sum(1 for p in photos for f in p["findings"] if f["severity"] == "error"),
        "warnings": sum(1 for p in photos for f in p["findings"] if f["severity"] == "warning"),
        "findings_by_rule": dict(sorted(counts.items())),
    }
    doc = {"schema_version": _json.SCHEMA_VERSION, "tool": {"name": "headshot-lint", "version": __version__},
           "summary": summary, "photos": photos}
    return json.dumps(doc, indent=2, ensure_ascii=False) + "\n"


def sarif_render(reports: Iterable[Report], rules: Sequence[Rule],
                 digests: Optional[Mapping[str, str]] = None) -> str:
    reports = list(reports)
    used = _common.rules_used(rules)
    index = {r.code: n for n, r in enumerate(used)}
    results = []
    for report in reports:
        uri = _paths.uri(_common.relative(report.path))
        for f in report.findings:
            result: dict[str, Any] = {
                "ruleId": f.code,
                "level": _sarif._LEVEL.get(f.severity, "note"),
                "message": {"text": f.message + (f" ({f.detail})" if f.detail else "")
                            + (f" Fix: {f.fix.title}" if f.fix and f.fix.title else "")},
                "locations": [{"physicalLocation": {"artifactLocation": {"uri": uri, "uriBaseId": "%SRCROOT%"},
                                                    "region": {"startLine": 1}}}],
                "partialFingerprints": {_sarif.FINGERPRINT_KEY: _common.fingerprint(report, f, digests)},
                "properties": {"score": f.score, "value": f.value, "unit": f.unit, "threshold": f.threshold,
                               "photoScore": report.score,
                               "regions": [{"x0": g.x0, "y0": g.y0, "x1": g.x1, "y1": g.y1, "label": g.label}
                                           for g in f.regions]},
            }
            if f.code in index:
                result["ruleIndex"] = index[f.code]
            results.append(result)
    doc = {
        "$schema": _sarif.SCHEMA_URI,
        "version": "2.1.0",
        "runs": [{
            "tool": {"driver": {"name": "headshot-lint", "version": __version__, "semanticVersion": __version__,
                                "informationUri": _common.TOOL_URI, "rules": [_sarif._rule(r) for r in used]}},
            "originalUriBaseIds": {"%SRCROOT%": {"description": {"text": "The folder headshot-lint ran in."}}},
            "results": results,
            "columnKind": "unicodeCodePoints",
        }],
    }
    return json.dumps(doc, indent=2, ensure_ascii=False) + "\n"


def junit_render(reports: Iterable[Report], rules: Sequence[Rule]) -> str:
    root = ET.Element("testsuites", name="headshot-lint")
    totals = {"tests": 0, "failures": 0, "skipped": 0}
    for report in reports:
        path = _paths.posix(_common.relative(report.path))
        suite = ET.SubElement(root, "testsuite", name=path, package="headshot-lint")
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
        suite.set("tests", str(counts["tests"]))
        suite.set("failures", str(counts["failures"]))
        suite.set("errors", "0")
        suite.set("skipped", str(counts["skipped"]))
        for k in totals:
            totals[k] += counts[k]
    root.set("tests", str(totals["tests"]))
    root.set("failures", str(totals["failures"]))
    root.set("errors", "0")
    root.set("skipped", str(totals["skipped"]))
    ET.indent(root)
    return '<?xml version="1.0" encoding="UTF-8"?>\n' + ET.tostring(root, encoding="unicode") + "\n"


def gitlab_render(reports: Iterable[Report], rules: Sequence[Rule] = (),
                  digests: Optional[Mapping[str, str]] = None) -> str:
    issues = []
    seen: set[str] = set()
    for report in reports:
        path = _paths.posix(_common.relative(report.path))
        for f in report.findings:
            base = _common.fingerprint(report, f, digests)
            fp = hashlib.sha256(f"{base}:{path}".encode("utf-8", "surrogateescape")).hexdigest()
            n = 1
            while fp in seen:
                fp = hashlib.sha256(f"{base}:{path}:{n}".encode("utf-8", "surrogateescape")).hexdigest()
                n += 1
            seen.add(fp)
            issues.append({
                "type": "issue",
                "description": f"{f.code} {f.rule}: {f.message}",
                "check_name": f.code,
                "categories": ["Style"],
                "fingerprint": fp,
                "severity": _gitlab.SEVERITY.get(f.severity, "info"),
                "location": {"path": path, "lines": {"begin": 1}},
            })
    return json.dumps(issues, indent=2, ensure_ascii=False) + "\n"


def _overview(reports: list, rules: Sequence[Rule]) -> str:
    """The overview the page gained after this renderer was replaced, from the writer's own
    tally (its counts are tested in test_html; here only where it goes on the page)."""
    tally = _html.Writer(rules, thumbnail=lambda path: None)
    for r in reports:
        tally.fragment(r)
    tally.photos = len(reports)
    return tally._overview()


def html_render(reports: Iterable[Report], rules: Sequence[Rule],
                thumbnail: Callable[[str], Optional[str]] = data_uri) -> str:
    _e = _html._e
    reports = list(reports)
    by_name = {r.name: r for r in rules}
    cards = [_html._card(r, by_name, thumbnail(r.path)) for r in reports]
    n_err = sum(f.severity == ERROR for r in reports for f in r.findings)
    n_warn = sum(f.severity == WARNING for r in reports for f in r.findings)
    clean = sum(not r.findings for r in reports)
    options = "".join(f'<option value="{_e(r.code)}">{_e(r.code)} {_e(r.name)}</option>'
                      for r in _common.rules_used(rules))
    sev_boxes = "".join(f'<label><input type="checkbox" class="f-sev" value="{s}" checked> {s}</label>'
                        for s in _html.SEVERITIES)
    meta = json.dumps({"photos": len(reports), "errors": n_err, "warnings": n_warn})
    return (
        "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">"
        "<meta name=\"viewport\" content=\"width=device-width,initial-scale=1\">"
        "<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; img-src data: 'self' file:; "
        "style-src 'unsafe-inline'; script-src 'unsafe-inline'\">"
        f"<title>headshot-lint report</title><style>{_html._CSS}</style></head><body>"
        f"<header><h1>headshot-lint report</h1><div class=\"sum\" data-summary='{_e(meta)}'>"
        f"<span>{len(reports)} photo{'s' * (len(reports) != 1)}</span><span>{clean} clean</span>"
        f"<span>{n_err} error{'s' * (n_err != 1)}</span><span>{n_warn} warning{'s' * (n_warn != 1)}</span></div></header>"
        f"{_overview(reports, rules)}<div class=\"bar-wrap\"><input type=\"search\" id=\"f-q\" placeholder=\"file name\" "
        f"aria-label=\"search by file name\"><label>rule <select id=\"f-rule\"><option value=\"\">all rules</option>"
        f"{options}</select></label>{sev_boxes}<label><input type=\"checkbox\" id=\"f-clean\" checked> clean photos"
        f"</label><label>sort <select id=\"f-sort\"><option value=\"\">as checked</option>"
        f"<option value=\"score\">score, worst first</option><option value=\"-score\">score, best first</option>"
        f"<option value=\"name\">file name</option></select></label>"
        f"<span>showing <b id=\"shown\">{len(reports)}</b> of {len(reports)}</span></div>"
        f"<main>{''.join(cards)}</main><div id=\"lb\" role=\"dialog\" aria-label=\"photo\"><div class=\"frame\">"
        f"</div><div class=\"cap\"></div></div><footer>headshot-lint {_e(__version__)}</footer>"
        f"<script>{_html._JS}</script></body></html>\n"
    )


def text_render(reports: Iterable[Report], rules: Sequence[Rule], verbose: bool = False) -> str:
    """What ``check --format text --output F`` wrote: the console's plain text at 120 columns.

    (The old code opened os.devnull strictly and crashed on a non-UTF-8 file name; here it
    does not, so the same reports can be compared.)"""
    with open(os.devnull, "w", encoding="utf-8", errors="backslashreplace") as devnull:
        console = Console(record=True, width=120, file=devnull, highlight=False)
        counts = _text.render(console, reports, rules, verbose)
        console.print(_text.summary_line(counts))
        return console.export_text()
