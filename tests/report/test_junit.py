"""JUnit XML: a test case per photo x rule, failures and skips counted."""

from __future__ import annotations

import xml.etree.ElementTree as ET

from headshot_lint.report import junit

from ._sample import reports, rules


def test_one_case_per_photo_and_rule():
    """tests = photos x rules; errors+warnings are failures, not-judged rules are skipped."""
    rs = rules()
    root = ET.fromstring(junit.render(reports(), rs).encode("utf-8", "backslashreplace"))
    assert int(root.get("tests")) == 3 * len(rs) == len(root.findall(".//testcase"))
    assert int(root.get("failures")) == 3 == len(root.findall(".//failure"))
    ann = root.find("testsuite[@name='team/ann.jpg']")
    assert ann.get("skipped") == "1" and ann.find(".//skipped") is not None
    bob = root.find("testsuite[@name='team/bob.png']")
    assert bob.get("failures") == "0" and len(bob.findall("testcase")) == len(rs)


def test_undecodable_name_is_valid_xml():
    """A non-UTF-8 file name appears escaped, and the document parses."""
    body = junit.render(reports(), rules())
    root = ET.fromstring(body.encode("utf-8"))
    assert root.find("testsuite[@name='team/caf\\xe9.jpg']") is not None
