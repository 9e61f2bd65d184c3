"""GitHub Actions workflow commands: one annotation per finding (``--format github``).

Printed in a workflow step, each line becomes an annotation on the run's summary page
(and on the file in a pull request's "Files changed"), as ruff's ``--output-format
github`` does. Unlike a SARIF upload to code scanning it needs no ``security-events``
permission and no GitHub Advanced Security licence, which private repositories need for
code scanning. A photo has no lines, so each annotation points at line 1 of the file.

Format: ``::error title=TITLE,file=PATH,line=1::MESSAGE``; in properties ``%``, CR, LF,
``:`` and ``,`` are percent-encoded, in the message ``%``, CR and LF (GitHub's rules
for workflow commands), so a file name or a message cannot end or forge a command.
"""

from __future__ import annotations

from typing import Iterable, Sequence

from ..gate import FailUnder
from ..model import ERROR, INFO, WARNING, Report, score_text
from ..rules import Rule
from . import _common, _paths, _stream

#: headshot-lint severity -> workflow command.
LEVEL = {ERROR: "error", WARNING: "warning", INFO: "notice"}


def escape_data(text: str) -> str:
    """A workflow command's message, percent-encoded as the runner expects."""
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def escape_property(text: str) -> str:
    """A workflow command's property value (``title``, ``file``), percent-encoded."""
    return escape_data(text).replace(":", "%3A").replace(",", "%2C")


class Writer(_stream.Writer):
    """The annotations, one photo's findings at a time (see :mod:`._stream`); a clean photo writes nothing."""

    def __init__(self, rules: Sequence[Rule] = (), spool_dir: str | None = None,
                 fail_under: FailUnder | None = None, missing: Sequence[str] = ()) -> None:
        super().__init__(spool_dir, missing)
        self._fail_under = fail_under

    def tail(self) -> str:
        """One error per path given that does not exist (no ``file``: there is none to point at)."""
        return "".join(f"::error title={escape_property('headshot-lint missing path')}::"
                       f"{escape_data(_common.missing_path(p))}\n" for p in self._missing)

    def fragment(self, report: Report) -> str:
        path = _paths.posix(_common.relative(report.path))
        lines = []
        for f in report.findings:
            message = f"{path}: {f.code} {f.rule}: {f.message}" + (f"\n{f.detail}" if f.detail else "")
            if f.fix is not None and f.fix.title:
                message += f"\nfix: {f.fix.title}" + (" [retouch]" if f.fix.safety == "retouch" else "")
            lines.append(f"::{LEVEL.get(f.severity, 'notice')} "
                         f"title={escape_property(f'headshot-lint {f.code} {f.rule}')},"
                         f"file={escape_property(path)},line=1::{escape_data(message)}\n")
        if self._fail_under is not None and report.path in self._fail_under.below and report.score is not None:
            message = f"{path}: score {score_text(report.score)} is under --fail-under {self._fail_under.threshold:g}"
            lines.append(f"::error title={escape_property('headshot-lint fail-under')},"
                         f"file={escape_property(path)},line=1::{escape_data(message)}\n")
        return "".join(lines)


def render(reports: Iterable[Report], rules: Sequence[Rule] = ()) -> str:
    """Every finding of the run as a workflow-command line."""
    with Writer(rules) as w:
        for r in reports:
            w.add(r)
        return w.render()
