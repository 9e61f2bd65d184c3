"""GitLab Code Quality report (``artifacts:reports:codequality``): a JSON array.

Each finding has a fingerprint unique in the report (sha256 of the image bytes'
digest, the rule code and the path), since GitLab shows only the first of
findings that share one. A path given that does not exist is a ``missing-path`` issue
(severity ``blocker``: nothing there was checked).
"""

from __future__ import annotations

import hashlib
import json
from typing import Iterable, Mapping, Sequence

from ..model import ERROR, INFO, WARNING, Report
from ..rules import Rule
from . import _common, _paths, _stream

#: headshot-lint severity -> Code Quality severity (info|minor|major|critical|blocker).
SEVERITY = {ERROR: "major", WARNING: "minor", INFO: "info"}


class Writer(_stream.Writer):
    """The Code Quality array, one photo's issues at a time (see :mod:`._stream`).

    To keep fingerprints unique it remembers 128 bits of each one written (16 bytes a
    finding, not the finding)."""

    def __init__(self, rules: Sequence[Rule] = (), digests: Mapping[str, str] | None = None,
                 spool_dir: str | None = None, missing: Sequence[str] = ()) -> None:
        super().__init__(spool_dir, missing)
        self._digests = digests
        self._seen: set[int] = set()
        self._issues = 0
        self._list = _stream.JsonList(_stream.JsonList.placeholder())

    def _unique(self, base: str, path: str) -> str:
        fp = hashlib.sha256(f"{base}:{path}".encode("utf-8", "surrogateescape"))
        n = 1
        while int.from_bytes(fp.digest()[:16], "big") in self._seen:  # the same bytes listed twice under one path
            fp = hashlib.sha256(f"{base}:{path}:{n}".encode("utf-8", "surrogateescape"))
            n += 1
        self._seen.add(int.from_bytes(fp.digest()[:16], "big"))
        return fp.hexdigest()

    def fragment(self, report: Report) -> str:
        path = _paths.posix(_common.relative(report.path))
        out = []
        for f in report.findings:
            issue = {
                "type": "issue",
                "description": f"{f.code} {f.rule}: {f.message}",
                "check_name": f.code,
                "categories": ["Style"],
                "fingerprint": self._unique(_common.fingerprint(report, f, self._digests), path),
                "severity": SEVERITY.get(f.severity, "info"),
                "location": {"path": path, "lines": {"begin": 1}},
            }
            out.append(self._list.item(issue, first=self._issues == 0))
            self._issues += 1
        return "".join(out)

    def head(self) -> str:
        return self._list.head(empty=self._issues == 0 and not self._missing)

    def tail(self) -> str:
        out = []
        for i, p in enumerate(self._missing):
            path = _paths.posix(_common.relative(p))
            out.append(self._list.item({
                "type": "issue", "description": _common.missing_path(p), "check_name": "missing-path",
                "categories": ["Bug Risk"], "fingerprint": self._unique("missing-path", path),
                "severity": "blocker", "location": {"path": path, "lines": {"begin": 1}},
            }, first=self._issues == 0 and i == 0))
        return "".join(out) + self._list.tail(empty=self._issues == 0 and not self._missing) + "\n"


def render(reports: Iterable[Report], rules: Sequence[Rule] = (), digests: Mapping[str, str] | None = None) -> str:
    """Every finding of the run as a Code Quality issue."""
    with Writer(rules, digests) as w:
        for r in reports:
            w.add(r)
        return w.render()
