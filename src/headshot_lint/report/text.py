"""Terminal report (rich): per photo the score, then each rule's verdict and fix."""

from __future__ import annotations

import os
from typing import Iterable, Iterator, Mapping

from rich.console import Console
from rich.table import Table
from rich.text import Text

from ..model import ERROR, INFO, WARNING, Report, score_text, verdict_of
from ..rules import Rule
from ..gate import FailUnder
from . import _common, _paths, _stream

_STYLE = {ERROR: "bold red", WARNING: "yellow", INFO: "cyan"}


def score_style(score: float | None) -> str:
    """Colour of a 0-100 score by its verdict band: green good, yellow fair, red poor."""
    return {"good": "green", "fair": "yellow", "poor": "red"}[verdict_of(score)]


def render_photo(console: Console, report: Report, rules: Mapping[str, Rule], verbose: bool = False,
                 quiet: bool = False) -> None:
    """Print one photo: header with score, then a row per rule that failed (all rules with
    ``verbose``; a clean photo prints nothing when ``quiet``).

    On a terminal the rows are a table wrapped to its width; anywhere else (a pipe, a file)
    each row is one unwrapped line without trailing spaces, for grep and diff.
    """
    if quiet and not report.findings:
        return
    console.print(_header(report), soft_wrap=True)
    if not report.findings and report.baselined and not verbose:
        console.print(f"  [green]✓ nothing new[/green] [dim](in the baseline: {', '.join(report.baselined_codes)})[/dim]",
                      soft_wrap=True)
    elif not report.findings and not verbose:
        console.print("  [green]✓ no findings[/green]", soft_wrap=True)
    rows = list(_rows(report, rules, verbose))
    if not rows:
        return
    if console.is_terminal:
        table = Table(box=None, show_header=False, padding=(0, 1), pad_edge=False)
        table.add_column(width=2)
        table.add_column(no_wrap=True)
        table.add_column(justify="right", no_wrap=True)
        table.add_column()
        for name, score, text in rows:
            table.add_row("", name, score, text)
        console.print(table)
        return
    for name, score, text in rows:
        line = Text("    ") + (Text.assemble(name, "  ", score, "  ") if name.plain else Text("        ")) + text
        console.print(line, soft_wrap=True)


def _header(report: Report) -> Text:
    head = Text()
    head.append(_paths.for_terminal(report.path), style="bold")
    head.append("  score ")
    head.append(score_text(report.score), style=score_style(report.score))
    if report.size:
        head.append(f"  {report.size[0]}x{report.size[1]} px", style="dim")
    return head


def _rows(report: Report, rules: Mapping[str, Rule], verbose: bool) -> Iterator[tuple[Text, Text, Text]]:
    """(rule, score, text) per line: each finding's message, its detail and fix beneath it
    (dim); with ``verbose`` the passing and skipped rules too."""
    blank = Text("")
    for f in report.findings:
        yield (Text(f"{f.code} {f.rule}", style=_STYLE[f.severity]), Text(f"{f.score:.0f}", style=score_style(f.score)),
               Text(f"{f.severity}: {f.message}"))
        if f.detail:
            yield blank, blank, Text(f.detail, style="dim")
        if f.fix is not None and f.fix.title:
            tag = " [retouch]" if f.fix.safety == "retouch" else ""
            yield blank, blank, Text(f"fix: {f.fix.title}{tag}", style="dim")
    if not verbose:
        return
    failed = {f.rule for f in report.findings}
    for name, q in report.scores.items():
        if name in failed:
            continue
        rule = rules.get(name)
        code = rule.code if rule else ""
        m = report.measurements.get(rule.measure) if rule else None
        value = "" if m is None or rule is None else f"{m.values.get(rule.value, float('nan')):.2f} {rule.unit}"
        yield (Text(f"{code} {name}", style="green"), Text(f"{q:.0f}", style=score_style(q)),
               Text(f"ok {value}".rstrip(), style="dim"))
    for s in report.skipped:
        yield Text(f"{s.code} {s.rule}", style="dim"), Text("–"), Text(f"skipped: {s.reason}", style="dim")


def render_concise(console: Console, report: Report) -> None:
    """One line per finding, ``path: CODE rule: message`` (as ruff's concise output); a
    clean photo prints nothing."""
    for f in report.findings:
        line = Text(f"{_paths.for_terminal(report.path)}: ")
        line.append(f"{f.code} {f.rule}", style=_STYLE[f.severity])
        line.append(f": {f.message}")
        console.print(line, soft_wrap=True)


def render(console: Console, reports: Iterable[Report], rules: Iterable[Rule], verbose: bool = False, *,
           concise: bool = False, quiet: bool = False) -> dict[str, int]:
    """Print every photo (one line per finding when ``concise``; clean photos left out when
    ``quiet``); returns the counts for :func:`summary`."""
    by_name = {r.name: r for r in rules}
    counts = _counts()
    for report in reports:
        if concise:
            render_concise(console, report)
        else:
            render_photo(console, report, by_name, verbose, quiet)
        _count(counts, report)
    return counts


def _counts() -> dict[str, int]:
    return {"photos": 0, "clean": 0, "baselined": 0, "errors": 0, "warnings": 0}


def _count(counts: dict[str, int], report: Report) -> None:
    counts["photos"] += 1
    counts["clean"] += not report.findings
    counts["baselined"] += not report.findings and bool(report.baselined)
    counts["errors"] += sum(f.severity == ERROR for f in report.findings)
    counts["warnings"] += sum(f.severity == WARNING for f in report.findings)


class Writer(_stream.Writer):
    """The plain text of the terminal report (no colours) at ``width`` columns, one photo
    at a time (see :mod:`._stream`), then the summary line: what ``--output`` gets."""

    def __init__(self, rules: Iterable[Rule], verbose: bool = False, width: int = 120,
                 spool_dir: str | None = None, *, concise: bool = False, quiet: bool = False,
                 fail_under: FailUnder | None = None) -> None:
        super().__init__(spool_dir)
        self._by_name = {r.name: r for r in rules}
        self._verbose, self._concise, self._quiet, self._fail_under = verbose, concise, quiet, fail_under
        self._devnull = open(os.devnull, "w", encoding="utf-8", errors="backslashreplace")  # non-UTF-8 names
        self._console = Console(record=True, width=width, file=self._devnull, highlight=False)
        self.counts = _counts()

    def fragment(self, report: Report) -> str:
        if self._concise:
            render_concise(self._console, report)
        else:
            render_photo(self._console, report, self._by_name, self._verbose, self._quiet)
        _count(self.counts, report)
        return self._console.export_text()  # and clears the record buffer

    def tail(self) -> str:
        if not self._quiet:
            summary(self._console, self.counts, self._fail_under)
        return self._console.export_text()

    def close(self) -> None:
        super().close()
        self._devnull.close()


def summary(console: Console, counts: Mapping[str, int], fail_under: FailUnder | None = None) -> None:
    """The summary line, and the photos under ``--fail-under`` when some are."""
    console.print(summary_line(counts), soft_wrap=True)
    if fail_under is not None and fail_under.below:
        console.print(Text(fail_under.sentence(), style="red"), soft_wrap=True)


def summary_line(counts: Mapping[str, int]) -> Text:
    """``3 photos: 1 clean, 2 errors, 1 warning``, coloured; with a baseline, how many of the
    clean ones are clean only because it hid their findings."""
    t = Text()
    n = counts["photos"]
    t.append(f"{_common.counted(n, 'photo')}: ", style="bold")
    t.append(f"{counts['clean']} clean", style="green")
    if counts.get("baselined"):
        t.append(f" ({counts['baselined']} only through the baseline)", style="dim")
    t.append(", ")
    t.append(_common.counted(counts["errors"], "error"), style="red" if counts["errors"] else "")
    t.append(", ")
    t.append(_common.counted(counts["warnings"], "warning"),
             style="yellow" if counts["warnings"] else "")
    return t
