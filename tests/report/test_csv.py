"""The CSV table (``--format csv``): a row per photo, a column per rule, safe in a spreadsheet."""

from __future__ import annotations

import csv
import io

from headshot_lint.model import Finding, Fix, Report
from headshot_lint.report import csv as csv_report
from headshot_lint.rules import load_pack


def _finding(code: str, rule: str, severity: str) -> Finding:
    return Finding(code=code, rule=rule, severity=severity, score=10.0, value=1.0, unit="", threshold=0.5,
                   message="m", fix=Fix(title="t", action="", safety="none"), values={}, regions=())


def test_rows_and_rule_columns():
    rules = load_pack("default").select(["HL002", "HL501"])
    reports = [
        Report("staff/jane, smith.jpg", 22.04, {"no-face": 100.0, "small-size-contrast": 20.0},
               (_finding("HL501", "small-size-contrast", "warning"),)),
        Report("staff/grey.png", 0.0, {"no-face": 0.0}, (_finding("HL002", "no-face", "error"),)),
        Report("staff/broken.jpg", 0.0, {"unreadable-image": 0.0},
               (_finding("HL001", "unreadable-image", "error"),)),
    ]
    rows = list(csv.reader(io.StringIO(csv_report.render(reports, rules))))
    assert rows[0] == ["path", "score", "verdict", "errors", "warnings", "findings",
                       "HL002 no-face", "HL501 small-size-contrast"]
    assert rows[1] == ["staff/jane, smith.jpg", "22.0", "poor", "0", "1", "HL501", "100.0", "20.0"]
    assert rows[2] == ["staff/grey.png", "0.0", "poor", "1", "0", "HL002", "0.0", ""]  # HL501 could not judge
    assert rows[3][2] == "unreadable"


def test_a_file_name_cannot_become_a_spreadsheet_formula():
    text = csv_report.render([Report("=HYPERLINK(\"http://x\").jpg", 90.0, {}, ()),
                              Report("-2+3.jpg", 90.0, {}, ())])
    rows = list(csv.reader(io.StringIO(text)))
    assert rows[1][0] == "'=HYPERLINK(\"http://x\").jpg" and rows[2][0] == "'-2+3.jpg"
