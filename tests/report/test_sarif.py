"""SARIF output validates against the official 2.1.0 schema and carries what code scanning needs."""

from __future__ import annotations

import json
from pathlib import Path

import jsonschema

from headshot_lint.report import sarif

from ._sample import reports, rules

# sarif-2.1.0-rtm.5.json (the final 2.1.0 schema), vendored from the npm package
# @microsoft/jest-sarif 1.0.0-beta.0 (MIT licence, microsoft/sarif-js-sdk).
SCHEMA = json.loads((Path(__file__).parent / "data" / "sarif-schema-2.1.0.json").read_text(encoding="utf-8"))


def _doc(digests=None):
    return json.loads(sarif.render(reports(), rules(), digests))


def test_validates_against_the_official_schema():
    """The log is valid SARIF 2.1.0 (draft-04 schema from the SARIF TC)."""
    jsonschema.Draft4Validator(SCHEMA).validate(_doc())


def test_rules_carry_metadata_for_code_scanning():
    """Each rule has short/full description, help text and a default level."""
    driver = _doc()["runs"][0]["tool"]["driver"]
    assert [r["id"] for r in driver["rules"]] == sorted(r.code for r in rules())
    for r in driver["rules"]:
        assert r["shortDescription"]["text"] and r["fullDescription"]["text"] and r["help"]["text"]
        assert r["defaultConfiguration"]["level"] in ("error", "warning", "note")


def test_every_result_has_a_location_and_fingerprint():
    """Results: one location with startLine 1, a fingerprint from the image digest and rule."""
    doc = _doc({"team/ann.jpg": "a" * 64})
    results = doc["runs"][0]["results"]
    assert len(results) == 4
    for res in results:
        loc = res["locations"][0]["physicalLocation"]
        assert loc["region"] == {"startLine": 1}
        assert res["partialFingerprints"][sarif.FINGERPRINT_KEY]
    assert results[-1]["locations"][0]["physicalLocation"]["artifactLocation"]["uri"] == "team/caf%E9.jpg"
    fps = [r["partialFingerprints"][sarif.FINGERPRINT_KEY] for r in results]
    assert len(set(fps)) == len(fps)


def test_levels_map_severities():
    """error -> error, warning -> warning, info -> note."""
    levels = [r["level"] for r in _doc()["runs"][0]["results"][:3]]
    assert levels == ["error", "warning", "note"]


def test_baselined_findings_stay_as_suppressed_results():
    """A finding a baseline hid is kept as a result with an accepted external suppression
    (valid SARIF), so code scanning shows it as suppressed instead of closing it as fixed."""
    from dataclasses import replace
    first, *rest = reports()
    hidden = replace(first, findings=first.findings[1:], baselined=first.findings[:1])
    doc = json.loads(sarif.render([hidden, *rest], rules()))
    jsonschema.Draft4Validator(SCHEMA).validate(doc)
    results = doc["runs"][0]["results"]
    suppressed = [r for r in results if "suppressions" in r]
    assert len(results) == 4 and [r["ruleId"] for r in suppressed] == [first.findings[0].code]
    assert suppressed[0]["suppressions"] == [sarif.BASELINE_SUPPRESSION]


def test_missing_paths_make_a_valid_unsuccessful_invocation():
    """Paths given that do not exist: the run's invocation did not succeed, one error
    notification names each (valid SARIF); without them the log has no invocation."""
    with sarif.Writer(rules(), missing=["team/gone.jpg", "old staff/"]) as w:
        for r in reports():
            w.add(r)
        doc = json.loads(w.render())
    jsonschema.Draft4Validator(SCHEMA).validate(doc)
    (inv,) = doc["runs"][0]["invocations"]
    assert inv["executionSuccessful"] is False
    notes = inv["toolExecutionNotifications"]
    assert [n["level"] for n in notes] == ["error", "error"]
    assert [n["locations"][0]["physicalLocation"]["artifactLocation"]["uri"] for n in notes] == [
        "team/gone.jpg", "old%20staff/"]
    assert "invocations" not in _doc()["runs"][0]
