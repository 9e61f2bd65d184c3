"""The JSON report validates against docs/schema.json."""

from __future__ import annotations

import json
from pathlib import Path

import jsonschema

from headshot_lint.report import json as json_report

from ._sample import reports

SCHEMA = json.loads((Path(__file__).resolve().parents[2] / "docs" / "schema.json").read_text(encoding="utf-8"))


def test_schema_is_valid_and_output_conforms():
    """docs/schema.json is a valid 2020-12 schema and the rendered document matches it."""
    jsonschema.Draft202012Validator.check_schema(SCHEMA)
    body = json_report.render(reports()).encode("utf-8", "backslashreplace")  # as the CLI writes it
    doc = json.loads(body)
    jsonschema.Draft202012Validator(SCHEMA).validate(doc)
    assert doc["photos"][2]["path"] == b"team/caf\xe9.jpg".decode("utf-8", "surrogateescape")


def test_schema_rejects_a_bad_severity():
    """The schema is not vacuous: an unknown severity fails validation."""
    doc = json.loads(json_report.render(reports()[:1]))
    doc["photos"][0]["findings"][0]["severity"] = "fatal"
    assert not jsonschema.Draft202012Validator(SCHEMA).is_valid(doc)


def test_fail_under_summary_conforms():
    """With --fail-under the summary names the photos under it, in the schema's shape."""
    from headshot_lint.gate import FailUnder

    gate = FailUnder(40.0, {"team/ann.jpg": 30.0})
    with json_report.Writer(fail_under=gate) as w:
        for r in reports():
            w.add(r)
        doc = json.loads(w.render())
    jsonschema.Draft202012Validator(SCHEMA).validate(doc)
    assert doc["summary"]["fail_under"] == {"threshold": 40.0, "photos": [{"path": "team/ann.jpg", "score": 30.0}]}
    doc["summary"]["fail_under"]["photos"][0].pop("score")
    assert not jsonschema.Draft202012Validator(SCHEMA).is_valid(doc)


def test_missing_paths_summary_conforms():
    """Paths given that do not exist are listed in the summary, in the schema's shape; an
    empty list is not written (the schema asks for at least one)."""
    with json_report.Writer(missing=["team/gone.jpg"]) as w:
        for r in reports():
            w.add(r)
        doc = json.loads(w.render())
    jsonschema.Draft202012Validator(SCHEMA).validate(doc)
    assert doc["summary"]["missing_paths"] == ["team/gone.jpg"]
    assert "missing_paths" not in json.loads(json_report.render(reports()))["summary"]
