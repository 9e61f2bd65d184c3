"""``headshot-lint check``: audit photos and report what is wrong with their backgrounds.

It decides the run's exit code, from :class:`~headshot_lint.exit_codes.ExitCode`: results go
to stdout or ``--output``; progress, warnings and errors go to stderr.
"""

from __future__ import annotations

import dataclasses
import enum
import json
import os
import time
from pathlib import Path
from typing import Callable, Iterator, List, Optional, Sequence, Tuple, Union

import typer
from rich.console import Console
from typing_extensions import Annotated

from .. import baseline, batch
from .._atomic import OutputError, check_writable, writes_through
from ..batch import DEFAULT_TIMEOUT, Job, Stats
from ..cache import DEFAULT_DIR as DEFAULT_CACHE_DIR
from ..cache import Cache
from ..cache import unusable as cache_unusable
from ..config import Config, find_config, ignored_codes, load_config, resolve_rules, unmatched_globs
from ..discover import common_root, discover, is_excluded, parse_shard, shard
from ..errors import HeadshotLintError
from ..exit_codes import ExitCode
from ..gate import FailUnder, fails_on
from ..model import ERROR, Report
from ..report import json as json_report
from ..report import text as text_report
from ..report._stream import Writer
from ..rules import Rule
from ._common import OutputFormat, emit, err, esc, safe_stdout, split, write_output
from ._stdin import DEFAULT_MAX_STDIN_MB, STDIN, spool_stdin


class FailOn(str, enum.Enum):
    error = "error"
    warning = "warning"


def check(
    ctx: typer.Context,
    paths: Annotated[List[Path], typer.Argument(help="Photos or folders (searched recursively).",
                                                 show_default=False)],
    output_format: Annotated[OutputFormat, typer.Option("--format", "-f", help="Report format: text, concise (one "
                                                        "line per finding: 'path: CODE rule: message'), json, sarif "
                                                        "(GitHub code scanning), junit, gitlab (Code Quality), "
                                                        "github (Actions annotations), csv (a row per "
                                                        "photo, a column per rule) or html (one "
                                                        "self-contained page).")] = OutputFormat.text,
    output: Annotated[Optional[Path], typer.Option("--output", "-o", help="Write the report to this file "
                                                   "(atomically) instead of stdout.")] = None,
    select: Annotated[Optional[List[str]], typer.Option(help="Only these rules: codes, code prefixes (HL5) or "
                                                        "names; comma-separated or repeated. Overrides the "
                                                        "config's 'select'.")] = None,
    ignore: Annotated[Optional[List[str]], typer.Option(help="Skip these rules: codes, prefixes or names. "
                                                        "Overrides the config's 'ignore'.")] = None,
    pack: Annotated[Optional[str], typer.Option(help="Rule pack: 'default', 'strict' or a path to a pack TOML "
                                                "(default: the config's 'pack', else 'default').",
                                                show_default=False)] = None,
    fail_under: Annotated[Optional[float], typer.Option(help="Also exit 1 when a photo's overall score is under "
                                                        "this (0-100).", min=0, max=100)] = None,
    fail_on: Annotated[Optional[FailOn], typer.Option("--fail-on", help="The mildest severity that fails the run: "
                                                      "'error' (default, as ruff) or 'warning' (warnings fail "
                                                      "too). Overrides the config's 'fail-on'.",
                                                      show_default=False)] = None,
    quiet: Annotated[bool, typer.Option("--quiet", "-q", help="Print only the findings: no clean photos, no "
                                        "summary, no notes on stderr (errors still).")] = False,
    exit_zero: Annotated[bool, typer.Option("--exit-zero", help="Exit 0 even when findings fail the run "
                                            "(still 2 when the run itself fails).")] = False,
    verbose: Annotated[bool, typer.Option("--verbose", "-v", help="Text format: also list passing and "
                                          "skipped rules with their measured values.")] = False,
    jobs: Annotated[Optional[int], typer.Option("--jobs", "-j", min=1, help="Worker processes (default: the "
                                                "CPU count); 1 is one worker process. A single photo, or "
                                                "--jobs 1 --timeout 0, is audited in this process.",
                                                show_default=False)] = None,
    timeout: Annotated[float, typer.Option(min=0, help="Seconds one photo may take before it is "
                                           "stopped and reported as timed out (0: no limit); enforced with any "
                                           "--jobs, and for a single photo checked in this process.")] = DEFAULT_TIMEOUT,
    cache_dir: Annotated[Path, typer.Option(help="Where cached results live.")] = Path(DEFAULT_CACHE_DIR),
    no_cache: Annotated[bool, typer.Option("--no-cache", help="Neither read nor write cached results.")] = False,
    exclude: Annotated[Optional[List[str]], typer.Option(help="Skip paths matching this glob (relative to the "
                                                         "current folder, or a file name); repeatable, adds "
                                                         "to the config's 'exclude'.")] = None,
    hidden: Annotated[bool, typer.Option("--hidden", help="Also check hidden files and folders (names "
                                         "starting with '.').")] = False,
    shard_spec: Annotated[Optional[str], typer.Option("--shard", metavar="I/N", help="Check only shard I of N "
                                                      "(1-based), split by a hash of each path: run N jobs "
                                                      "with 1/N..N/N to cover everything.")] = None,
    config_file: Annotated[Optional[Path], typer.Option("--config", help="Configuration file (default: the "
                                                        "nearest headshot-lint.toml or pyproject.toml with "
                                                        "[tool.headshot-lint] at or above the first path).",
                                                        show_default=False)] = None,
    statistics: Annotated[bool, typer.Option("--statistics", help="Print the number of findings per rule "
                                             "instead of the report.")] = False,
    progress: Annotated[Optional[bool], typer.Option("--progress/--no-progress", help="Progress bar on stderr "
                                                     "(default: when stderr is a terminal and CI is unset).",
                                                     show_default=False)] = None,
    baseline_file: Annotated[Optional[Path], typer.Option("--baseline", help="Hide the findings this baseline "
                                                          "file records for the same photo bytes (default: the "
                                                          "configuration's baseline).")] = None,
    write_baseline: Annotated[Optional[Path], typer.Option(help="Record every finding of this run in a baseline "
                                                           "file for later --baseline runs, and exit 0.")] = None,
    max_stdin_mb: Annotated[float, typer.Option("--max-stdin-mb", min=0.001, help="With the path '-': the "
                                                "largest photo accepted on standard input, MB.")] = DEFAULT_MAX_STDIN_MB,
    stdin_filename: Annotated[Optional[str], typer.Option(help="With the path '-' (the photo's bytes on "
                                                          "standard input): the name to report it under and to "
                                                          "match per-file-ignores against.")] = None,
) -> None:
    """Check photos and report what is wrong with their backgrounds.

    Examples (the path '-' reads one photo from standard input):

    \b
      headshot-lint check me.jpg
      headshot-lint check staff/ --format sarif -o headshots.sarif --jobs 4
      cat me.jpg | headshot-lint check -
    """
    opts = _Options(**{name: value for name, value in locals().items() if name != "ctx"})  # every option above
    safe_stdout()
    from_stdin, missing = _check_paths(opts)
    opts = dataclasses.replace(opts, paths=[p for p in opts.paths if p not in missing])
    spooled = spool_stdin(ctx, opts.stdin_filename, opts.max_stdin_mb) if from_stdin else None
    config, rules, shard_of, base = _settings(opts, spooled)
    if opts.stats_beside and opts.output is None:
        err.print(f"[red]error:[/red] --statistics with --format {opts.output_format.value} needs --output FILE "
                  "(the report goes there, the counts per rule to stdout)")
        raise typer.Exit(ExitCode.ERROR)
    files, batch_jobs = _photos(opts, config, rules, spooled, shard_of)
    if not opts.no_cache and not opts.quiet and files:
        problem = cache_unusable(opts.cache_dir)
        if problem is not None:  # the run goes on; a CI job should not lose its cache in silence
            err.print(f"[yellow]warning:[/yellow] results are not cached: {esc(problem)} (--cache-dir)")
    stats = Stats()
    fail_at = opts.fail_under if opts.fail_under is not None else config.fail_under
    gate = FailUnder(fail_at) if fail_at is not None else None
    outcome = _Outcome(stats, gate, opts.fail_on.value if opts.fail_on else config.fail_on or ERROR, base,
                       recording=opts.write_baseline is not None, label=spooled[1] if spooled else None)
    audits = _auditor(opts, batch_jobs, rules, config, stats, outcome, base)
    on_stdout = _report(opts, rules, stats, gate, len(files), audits, [str(p) for p in missing])
    _notes(opts, stats, gate, on_stdout, base, outcome)
    if opts.write_baseline is not None:
        recorded = outcome.recorded
        write_output(opts.write_baseline, baseline.render(recorded, root=str(opts.write_baseline.resolve().parent)))
        err.print(f"wrote {esc(opts.write_baseline)}: {sum(len(r.codes) for r in recorded)} finding(s) on "
                  f"{len(recorded)} photo(s); runs with --baseline {esc(opts.write_baseline)} report only new ones")
    if missing:  # said again after the report, where a long run's first lines have scrolled away
        err.print("[red]error:[/red] not checked, no such file or folder: " + ", ".join(esc(p) for p in missing))
        raise typer.Exit(ExitCode.ERROR)
    if opts.write_baseline is not None:
        raise typer.Exit(ExitCode.CLEAN)
    raise typer.Exit(ExitCode.CLEAN if opts.exit_zero or not outcome.failed else ExitCode.FINDINGS)


@dataclasses.dataclass(frozen=True)
class _Options:
    """``check``'s options as given (``None``: not given, the configuration or a default decides)."""

    paths: List[Path]
    output_format: OutputFormat
    output: Path | None
    select: List[str] | None
    ignore: List[str] | None
    pack: str | None
    fail_under: float | None
    fail_on: FailOn | None
    quiet: bool
    exit_zero: bool
    verbose: bool
    jobs: int | None
    timeout: float
    cache_dir: Path
    no_cache: bool
    exclude: List[str] | None
    hidden: bool
    shard_spec: str | None
    config_file: Path | None
    statistics: bool
    progress: bool | None
    baseline_file: Path | None
    write_baseline: Path | None
    max_stdin_mb: float
    stdin_filename: str | None

    @property
    def stats_beside(self) -> bool:
        """--statistics replaces a text or JSON report; beside a document format (SARIF for code
        scanning, say) the document goes to --output and the counts to stdout."""
        return self.statistics and self.output_format not in (OutputFormat.text, OutputFormat.concise,
                                                              OutputFormat.json)


def _check_paths(opts: _Options) -> Tuple[bool, List[Path]]:
    """(whether the photo comes from standard input, the paths that do not exist). A missing
    path is the run's error, not a photo scoring 0: it is named on stderr, the other paths are
    still checked and the run exits 2 at the end (a typo in a CI script fails loudly without
    hiding the rest). Exit 2 before any work when nothing given exists, or when an output
    cannot be written."""
    paths = opts.paths
    from_stdin = any(str(p) == STDIN for p in paths)
    if from_stdin and len(paths) > 1:
        err.print(f"[red]error:[/red] '{STDIN}' (a photo on standard input) cannot be combined with other paths")
        raise typer.Exit(ExitCode.ERROR)
    if opts.stdin_filename is not None and not from_stdin:
        err.print(f"[red]error:[/red] --stdin-filename needs the path '{STDIN}'")
        raise typer.Exit(ExitCode.ERROR)
    missing = [p for p in paths if str(p) != STDIN and not os.path.lexists(p)]  # a broken link is a file
    if missing:
        rest = "; the other paths are checked, then the run exits 2" if len(missing) < len(paths) else ""
        err.print("[red]error:[/red] no such file or folder: " + ", ".join(esc(p) for p in missing) + rest)
        if len(missing) == len(paths):
            raise typer.Exit(ExitCode.ERROR)
    _check_outputs((opts.output, opts.write_baseline), [p for p in paths if str(p) != STDIN and p not in missing])
    return from_stdin, missing


def _settings(opts: _Options, spooled: Tuple[Path, str] | None
              ) -> Tuple[Config, Sequence[Rule], Tuple[int, int] | None, baseline.Baseline | None]:
    """(configuration, rules to run, shard or None, baseline or None); a bad one exits 2."""
    try:
        config = _config(opts.config_file, [Path(spooled[1])] if spooled else opts.paths)
        _, rules = resolve_rules(config, pack=opts.pack, select=split(opts.select), ignore=split(opts.ignore))
        shard_of = parse_shard(opts.shard_spec) if opts.shard_spec else None
        base_path = opts.baseline_file or (Path(config.baseline) if config.baseline else None)
        base = baseline.load(base_path) if base_path is not None else None
    except (HeadshotLintError, ValueError) as exc:
        err.print(f"[red]error:[/red] {esc(exc)}")
        raise typer.Exit(ExitCode.ERROR) from None
    return config, rules, shard_of, base


def _photos(opts: _Options, config: Config, rules: Sequence[Rule], spooled: Tuple[Path, str] | None,
            shard_of: Tuple[int, int] | None) -> Tuple[List[str], List[Job]]:
    """(the photos to check, their batch jobs with the codes the configuration ignores for each)."""
    if spooled is not None:  # one photo from standard input, spooled to a private file
        files = [str(spooled[0])]
        return files, [Job(files[0], ignored_codes(config, spooled[1], rules))]
    paths = opts.paths
    found = list(discover(paths, exclude=split(opts.exclude) or (), hidden=opts.hidden))
    # only when the whole tree the configuration governs was walked: checking one photo
    # (pre-commit) or one sub-folder says nothing about a glob for another part of it
    for key, glob in (unmatched_globs(config, found) if _walks_root(paths, config) else ()):
        err.print(f"[yellow]warning:[/yellow] {esc(config.source)}: {key} glob {esc(repr(glob))} matches no "
                  f"photo checked (globs are relative to the configuration's folder, {esc(config.root)})")
    files = [p for p in found if not (config.exclude and is_excluded(p, config.exclude, config.root))]
    if shard_of:
        files = list(shard(files, *shard_of))
    if not files:
        err.print("[yellow]warning:[/yellow] no photos found under " + ", ".join(esc(p) for p in paths))
    batch_jobs = [Job(p, ignored_codes(config, p, rules)) for p in files]
    _check_outputs((opts.output, opts.write_baseline), files)
    return files, batch_jobs


def _auditor(opts: _Options, batch_jobs: List[Job], rules: Sequence[Rule], config: Config, stats: Stats,
             outcome: "_Outcome", base: baseline.Baseline | None) -> Callable[..., Iterator[Report]]:
    """A function starting the batch (``on_done`` called as each photo is done) and
    yielding each report as ``outcome`` judged it."""

    def audits(on_done: Callable[[Report], None] | None) -> Iterator[Report]:
        results = batch.run(batch_jobs, rules, jobs=opts.jobs or batch.default_jobs(), timeout=opts.timeout or None,
                            cache=None if opts.no_cache else Cache(opts.cache_dir), fingerprint=config.fingerprint(),
                            stats=stats, hash_files=opts.output_format in (OutputFormat.sarif, OutputFormat.gitlab)
                            or base is not None or opts.write_baseline is not None,
                            on_done=on_done)
        return (outcome.judge(r) for r in results)

    return audits


def _report(opts: _Options, rules: Sequence[Rule], stats: Stats, gate: FailUnder | None, n_files: int,
            audits: Callable[..., Iterator[Report]], missing: Sequence[str] = ()) -> bool:
    """Run the batch and write the report (or the counts per rule) as photos are done;
    whether the fail-under sentence already went to the terminal. A failure exits 2.
    ``missing``: paths given that do not exist, named in the formats that can say so."""
    on_stdout = False
    fmt, output = opts.output_format, opts.output
    show = opts.progress if opts.progress is not None else (err.is_terminal and not os.environ.get("CI"))
    bar = _progress(n_files) if show and n_files else None

    def run() -> Iterator[Report]:
        return audits((lambda r: bar[1]()) if bar else None)

    try:
        if bar:
            bar[0].start()
        counter = _Statistics(rules)
        if opts.statistics and not opts.stats_beside:
            for r in run():
                counter.add(r)
            emit(counter.render(fmt), output)
        elif fmt in (OutputFormat.text, OutputFormat.concise) and output is None:
            console = Console(highlight=False)  # each photo printed as it is done
            counts = text_report.render(console, run(), rules, opts.verbose, concise=fmt is OutputFormat.concise,
                                        quiet=opts.quiet)
            if not opts.quiet:
                text_report.summary(console, counts, gate)
                on_stdout = console.is_terminal
        else:  # each report's piece written to a spool as it arrives; the document assembled at the end
            with _writer(fmt, rules, stats.digests, opts.verbose, gate=gate, quiet=opts.quiet, missing=missing,
                         spool_dir=str(output.resolve().parent) if output is not None and not writes_through(output)
                         else None) as writer:
                for r in run():
                    writer.add(r)
                    if opts.stats_beside:
                        counter.add(r)
                emit(writer.write_to, output)
            if opts.stats_beside:
                emit(counter.render(OutputFormat.text), None)
    except HeadshotLintError as exc:
        err.print(f"[red]error:[/red] {esc(exc)}")
        raise typer.Exit(ExitCode.ERROR) from None
    finally:
        if bar:
            bar[0].stop()
    return on_stdout


def _notes(opts: _Options, stats: Stats, gate: FailUnder | None, on_stdout: bool,
           base: baseline.Baseline | None, outcome: "_Outcome") -> None:
    """What the run says on stderr after the report: timeouts and crashes, the photos under
    --fail-under (unless the text summary said it), what the baseline hid and its stale entries."""
    if stats.timeouts or stats.crashes:
        err.print(f"[yellow]warning:[/yellow] {stats.timeouts} photo(s) timed out, {stats.crashes} crashed a "
                  "worker; reported as unreadable-image")
    if gate is not None and gate.below and not on_stdout:
        err.print(f"[red]{esc(gate.sentence())}[/red]")
    if base is not None and not opts.quiet:
        t = outcome.tally
        err.print(f"{t.hidden} finding(s) on {t.photos} photo(s) hidden by the baseline {esc(base.source)}"
                  + (f"; {t.gone} recorded finding(s) no longer occur (write the baseline again to drop them)"
                     if t.gone else ""))
        old = baseline.stale(base, t)
        if old:
            named = ", ".join(f"{esc(e.path)} ({e.why})" for e in old[:10]) + (
                f" and {len(old) - 10} more" if len(old) > 10 else "")
            err.print(f"{len(old)} stale baseline entr{'y' if len(old) == 1 else 'ies'}, photos replaced or "
                      f"deleted since it was written: {named}; write the baseline again to drop them")


class _Outcome:
    """What ``check`` does with each report as it arrives: the name it is reported under
    (``label``, for a photo read from standard input), the baseline (recorded, and applied),
    and whether it fails the run (a finding at ``fail_on`` severity or worse, or a score
    under ``gate``'s threshold: such photos are added to ``gate``)."""

    def __init__(self, stats: Stats, gate: FailUnder | None, fail_on: str, base: baseline.Baseline | None,
                 recording: bool, label: str | None) -> None:
        self._stats, self._gate, self._fail_on, self._base = stats, gate, fail_on, base
        self._recording, self._label = recording, label
        self.failed = False
        self.tally = baseline.Tally()
        self.recorded: list = []  #: baseline records of the photos with findings

    def judge(self, r: Report) -> Report:
        digests = self._stats.digests
        if self._label is not None:  # reported under the name the user gave, not the spool file's
            if r.path in digests:
                digests[self._label] = digests.pop(r.path)
            r = dataclasses.replace(r, path=self._label)
        digest = digests.get(r.path)
        entry = baseline.record(r, digest) if self._recording else None
        if entry is not None:
            self.recorded.append(entry)
        spared = False
        if self._base is not None:
            r = baseline.apply(self._base, r, digest, self.tally)
            spared = baseline.spares_score(self._base, r, digest)
        if any(fails_on(f, self._fail_on) for f in r.findings):
            self.failed = True
        if self._gate is not None and r.score is not None and r.score < self._gate.threshold and not spared:
            self._gate.below[r.path] = r.score
            self.failed = True
        return r


def _check_outputs(targets: Sequence[Path | None], inputs: Sequence[Union[str, Path]]) -> None:
    """Exit 2 now, not after auditing a thousand photos, when an output cannot be written
    or would replace one of the photos read."""
    for target in targets:
        if target is None:
            continue
        try:
            check_writable(target, inputs)
        except OutputError as exc:
            err.print(f"[red]error:[/red] {esc(exc)}")
            raise typer.Exit(ExitCode.ERROR) from None


def _walks_root(paths: Sequence[Path], config: Config) -> bool:
    """Whether one of ``paths`` is a folder holding the configuration's whole folder."""
    if not config.source:
        return False
    root = Path(config.root).resolve()
    return any(p.is_dir() and (p.resolve() == root or p.resolve() in root.parents) for p in paths)


def _config(config_file: Path | None, paths: List[Path]) -> Config:
    if config_file is not None:
        return load_config(config_file)
    found = find_config(common_root(paths))
    return load_config(found) if found else Config()


def _writer(fmt: OutputFormat, rules: Sequence[Rule], digests: dict, verbose: bool,
            gate: FailUnder | None = None, quiet: bool = False, spool_dir: str | None = None,
            missing: Sequence[str] = ()) -> Writer:
    """The incremental writer of ``fmt`` (``digests`` and ``gate`` are read as each report
    is added: the photos under --fail-under are named in every format that can say so; so are
    the ``missing`` paths in every format but the text ones, which say so on stderr)."""
    if fmt is OutputFormat.json:
        return json_report.Writer(spool_dir=spool_dir, fail_under=gate, missing=missing)
    if fmt is OutputFormat.sarif:
        from ..report import sarif
        return sarif.Writer(rules, digests, spool_dir=spool_dir, missing=missing)
    if fmt is OutputFormat.junit:
        from ..report import junit
        return junit.Writer(rules, spool_dir=spool_dir, fail_under=gate, missing=missing)
    if fmt is OutputFormat.gitlab:
        from ..report import gitlab
        return gitlab.Writer(rules, digests, spool_dir=spool_dir, missing=missing)
    if fmt is OutputFormat.csv:
        from ..report import csv
        return csv.Writer(rules, spool_dir=spool_dir, missing=missing)
    if fmt is OutputFormat.github:
        from ..report import github
        return github.Writer(rules, spool_dir=spool_dir, fail_under=gate, missing=missing)
    if fmt is OutputFormat.html:
        from ..report import html
        return html.Writer(rules, spool_dir=spool_dir, fail_under=gate, missing=missing,
                           link_base=spool_dir or os.getcwd())  # photos linked relative to the report
    return text_report.Writer(rules, verbose, width=120, spool_dir=spool_dir, concise=fmt is OutputFormat.concise,
                              quiet=quiet, fail_under=gate)


class _Statistics:
    """Findings per rule, most frequent first (like ruff --statistics); counted as reports arrive."""

    def __init__(self, rules: Sequence[Rule]) -> None:
        self._names = {r.code: r.name for r in rules}
        self._counts: dict = {}

    def add(self, report: Report) -> None:
        for f in report.findings:
            c = self._counts.setdefault(f.code, {"code": f.code, "name": self._names.get(f.code, f.rule),
                                                 "count": 0, "error": 0, "warning": 0, "info": 0})
            c["count"] += 1
            c[f.severity] = c.get(f.severity, 0) + 1

    def render(self, fmt: OutputFormat) -> str:
        rows = sorted(self._counts.values(), key=lambda c: (-c["count"], c["code"]))
        if fmt is OutputFormat.json:
            return json.dumps(rows, indent=2) + "\n"
        if not rows:
            return ""
        width = max(len(str(c["count"])) for c in rows)
        return "".join(f"{c['count']:>{width}}\t{c['code']}\t{c['name']}\t"
                       f"({c['error']} error, {c['warning']} warning, {c['info']} info)\n" for c in rows)


def _progress(total: int):
    from rich.progress import (BarColumn, MofNCompleteColumn, Progress, TaskProgressColumn, TextColumn,
                               TimeElapsedColumn, TimeRemainingColumn)

    bar = Progress(TextColumn("checking"), BarColumn(), MofNCompleteColumn(), TaskProgressColumn(),
                   TextColumn("{task.fields[rate]}"), TimeElapsedColumn(), TextColumn("ETA"),
                   TimeRemainingColumn(), console=err, transient=err.is_terminal)
    task = bar.add_task("check", total=total, rate="")
    t0 = time.monotonic()

    def advance() -> None:
        done = bar.tasks[0].completed + 1
        rate = done / max(1e-6, time.monotonic() - t0)
        bar.update(task, advance=1, rate=f"{rate:.1f} photos/s")

    return bar, advance

