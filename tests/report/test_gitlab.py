"""GitLab Code Quality: one issue per finding, unique fingerprints."""

from __future__ import annotations

import json

from headshot_lint.report import gitlab

from ._sample import reports, rules


def test_issue_shape_and_unique_fingerprints():
    """Every finding becomes an issue with the required keys; no two share a fingerprint."""
    rs = reports()
    issues = json.loads(gitlab.render(rs + rs[:1], rules(), {"team/ann.jpg": "b" * 64}))
    assert len(issues) == 3 + 1 + 3
    for i in issues:
        assert {"description", "check_name", "fingerprint", "severity", "location"} <= set(i)
        assert i["severity"] in ("info", "minor", "major", "critical", "blocker")
        assert i["location"]["lines"]["begin"] == 1
    assert len({i["fingerprint"] for i in issues}) == len(issues)
