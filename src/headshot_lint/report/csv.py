"""A spreadsheet of the run (``--format csv``): one row per photo, one column per rule.

For auditing a collection in a spreadsheet: sort by the overall score, filter by a
rule's column, count verdicts. Columns: ``path``, ``score`` (0-100, empty when
unreadable), ``verdict`` (good / fair / poor / unreadable), ``errors``, ``warnings``,
``findings`` (the failed rules' codes; verdict ``unreadable`` when the file could not be read), then each selected rule's quality score 0-100
under ``CODE name`` (empty when the rule could not judge the photo). A path given that does
not exist gets a last row of its own with the verdict ``missing`` and no score. RFC 4180 quoting,
UTF-8; a cell that a spreadsheet would run as a formula (a file name starting with
``=``, ``+``, ``-``, ``@``, tab or CR) gets a leading apostrophe (OWASP's advice
against CSV injection).
"""

from __future__ import annotations

import csv
import io
from typing import Iterable, Sequence

from ..model import ERROR, WARNING, Report, verdict_of
from ..rules import Rule
from . import _paths, _stream

_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
#: The rule whose finding means the file could not be analysed (its score 0 is not a judgement).
_UNREADABLE = "unreadable-image"


def _cell(text: str) -> str:
    return "'" + text if text.startswith(_FORMULA_START) else text


class Writer(_stream.Writer):
    """The table, one photo's row at a time (see :mod:`._stream`)."""

    def __init__(self, rules: Sequence[Rule] = (), spool_dir: str | None = None,
                 missing: Sequence[str] = ()) -> None:
        super().__init__(spool_dir, missing)
        self._rules = list(rules)

    def _row(self, cells: list) -> str:
        buf = io.StringIO()
        csv.writer(buf, lineterminator="\r\n").writerow(cells)
        return buf.getvalue()

    def head(self) -> str:
        return self._row(["path", "score", "verdict", "errors", "warnings", "findings"]
                         + [f"{r.code} {r.name}" for r in self._rules])

    def fragment(self, report: Report) -> str:
        sev = [f.severity for f in report.findings]
        unreadable = report.score is None or any(f.rule == _UNREADABLE for f in report.findings)
        verdict = "unreadable" if unreadable else verdict_of(report.score)
        cells = [_cell(_paths.display(report.path)),
                 "" if report.score is None else f"{report.score:.1f}", verdict,
                 sev.count(ERROR), sev.count(WARNING), " ".join(f.code for f in report.findings)]
        cells += ["" if r.name not in report.scores else f"{report.scores[r.name]:.1f}" for r in self._rules]
        return self._row(cells)

    def tail(self) -> str:
        """A row per path given that does not exist (nothing was checked there)."""
        blank = [""] * len(self._rules)
        return "".join(self._row([_cell(p), "", "missing", "", "", ""] + blank) for p in self._missing)


def render(reports: Iterable[Report], rules: Sequence[Rule] = ()) -> str:
    """The whole table as one string."""
    with Writer(rules) as w:
        for r in reports:
            w.add(r)
        return w.render()
