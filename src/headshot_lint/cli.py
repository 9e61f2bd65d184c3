"""The command line: thin typer commands over the public API.

The commands decide exit codes, from :class:`~.exit_codes.ExitCode` (shared with
``fix``, ``serve`` and the stdin spool): results go to stdout or ``--output``; progress,
warnings and errors go to stderr.
"""

from __future__ import annotations

import dataclasses
import enum
import json
import os
import sys
import time
from pathlib import Path
from typing import Callable, Iterable, Iterator, List, Optional, Sequence, Union

import typer
from rich.console import Console
from typing_extensions import Annotated

from . import __version__, baseline, batch
from ._atomic import OutputError, check_writable, write_atomic, writes_through
from ._stdin import DEFAULT_MAX_STDIN_MB, STDIN, spool_stdin
from .batch import DEFAULT_TIMEOUT, Job, Stats
from .cache import DEFAULT_DIR as DEFAULT_CACHE_DIR
from .cache import Cache
from .config import Config, find_config, ignored_codes, load_config, resolve_rules, unmatched_globs
from .discover import common_root, discover, is_excluded, parse_shard, shard
from .errors import HeadshotLintError
from .exit_codes import ExitCode
from .gate import FailUnder, fails_on
from .model import ERROR, Report
from .report import json as json_report
from .report import text as text_report
from .report._stream import TextSink, Writer
from .rules import HIGHER_IS_WORSE, Rule, RulePack, load_pack


class OutputFormat(str, enum.Enum):
    text = "text"
    concise = "concise"
    json = "json"
    sarif = "sarif"
    junit = "junit"
    gitlab = "gitlab"
    github = "github"
    csv = "csv"
    html = "html"

class FailOn(str, enum.Enum):
    error = "error"
    warning = "warning"


app = typer.Typer(
    name="headshot-lint",
    help="Lint the backgrounds of professional headshots: busy scenes, patterns, backlight, "
         "camouflage, text, small-size contrast, tone.",
    no_args_is_help=True,
    add_completion=False,
    context_settings={"help_option_names": ["-h", "--help"]},
)
_err = Console(stderr=True, soft_wrap=True)  # messages never wrapped at 80 columns in a log


def _version(value: bool) -> None:
    if value:
        typer.echo(f"headshot-lint {__version__}")
        raise typer.Exit()


@app.callback()
def _main(
    version: Annotated[bool, typer.Option("--version", callback=_version, is_eager=True,
                                          help="Print the version and exit.")] = False,
) -> None:
    """Lint the backgrounds of professional headshots."""


def _split(values: List[str] | None) -> List[str] | None:
    """--select HL1,HL5 and --select HL1 --select HL5 mean the same."""
    if not values:
        return None
    return [v.strip() for item in values for v in item.split(",") if v.strip()]


def _pack(name: str) -> RulePack:
    try:
        return load_pack(name)
    except HeadshotLintError as exc:
        _err.print(f"[red]error:[/red] {exc}")
        raise typer.Exit(ExitCode.ERROR) from None


@app.command()
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

    Example: headshot-lint check staff/ --format sarif -o headshots.sarif --jobs 4

    The path '-' reads one photo from standard input: cat me.jpg | headshot-lint check -
    """
    _safe_stdout()
    from_stdin = any(str(p) == STDIN for p in paths)
    if from_stdin and len(paths) > 1:
        _err.print(f"[red]error:[/red] '{STDIN}' (a photo on standard input) cannot be combined with other paths")
        raise typer.Exit(ExitCode.ERROR)
    if stdin_filename is not None and not from_stdin:
        _err.print(f"[red]error:[/red] --stdin-filename needs the path '{STDIN}'")
        raise typer.Exit(ExitCode.ERROR)
    missing = [p for p in paths if str(p) != STDIN and not os.path.lexists(p)]  # a broken link is a file
    if missing:  # a typo is the run's error, not a photo scoring 0; nothing is checked
        _err.print("[red]error:[/red] no such file or folder: " + ", ".join(_esc(p) for p in missing))
        raise typer.Exit(ExitCode.ERROR)
    _check_outputs((output, write_baseline), [p for p in paths if str(p) != STDIN])
    spooled = spool_stdin(ctx, stdin_filename, max_stdin_mb) if from_stdin else None
    try:
        config = _config(config_file, [Path(spooled[1])] if spooled else paths)
        _, rules = resolve_rules(config, pack=pack, select=_split(select), ignore=_split(ignore))
        shard_of = parse_shard(shard_spec) if shard_spec else None
        base_path = baseline_file or (Path(config.baseline) if config.baseline else None)
        base = baseline.load(base_path) if base_path is not None else None
    except (HeadshotLintError, ValueError) as exc:
        _err.print(f"[red]error:[/red] {_esc(exc)}")
        raise typer.Exit(ExitCode.ERROR) from None
    # --statistics replaces a text or JSON report; beside a document format (SARIF for code
    # scanning, say) the document goes to --output and the counts to stdout.
    stats_beside = statistics and output_format not in (OutputFormat.text, OutputFormat.concise, OutputFormat.json)
    if stats_beside and output is None:
        _err.print(f"[red]error:[/red] --statistics with --format {output_format.value} needs --output FILE "
                   "(the report goes there, the counts per rule to stdout)")
        raise typer.Exit(ExitCode.ERROR)
    if spooled is not None:  # one photo from standard input, spooled to a private file
        files = [str(spooled[0])]
        batch_jobs = [Job(files[0], ignored_codes(config, spooled[1], rules))]
    else:
        found = list(discover(paths, exclude=_split(exclude) or (), hidden=hidden))
        # only when the whole tree the configuration governs was walked: checking one photo
        # (pre-commit) or one sub-folder says nothing about a glob for another part of it
        for key, glob in (unmatched_globs(config, found) if _walks_root(paths, config) else ()):
            _err.print(f"[yellow]warning:[/yellow] {_esc(config.source)}: {key} glob {_esc(repr(glob))} matches no "
                       f"photo checked (globs are relative to the configuration's folder, {_esc(config.root)})")
        files = [p for p in found if not (config.exclude and is_excluded(p, config.exclude, config.root))]
        if shard_of:
            files = list(shard(files, *shard_of))
        if not files:
            _err.print("[yellow]warning:[/yellow] no photos found under " + ", ".join(_esc(p) for p in paths))
        batch_jobs = [Job(p, ignored_codes(config, p, rules)) for p in files]
        _check_outputs((output, write_baseline), files)
    on_stdout = False  # whether the fail-under sentence already went to the terminal
    stats = Stats()
    fail_at = fail_under if fail_under is not None else config.fail_under
    gate = FailUnder(fail_at) if fail_at is not None else None
    outcome = _Outcome(stats, gate, fail_on.value if fail_on else config.fail_on or ERROR, base,
                       recording=write_baseline is not None, label=spooled[1] if spooled else None)
    show = progress if progress is not None else (_err.is_terminal and not os.environ.get("CI"))
    bar = _progress(len(files)) if show and files else None

    def run() -> Iterator[Report]:
        results = batch.run(batch_jobs, rules, jobs=jobs or batch.default_jobs(), timeout=timeout or None,
                            cache=None if no_cache else Cache(cache_dir), fingerprint=config.fingerprint(),
                            stats=stats, hash_files=output_format in (OutputFormat.sarif, OutputFormat.gitlab)
                            or base is not None or write_baseline is not None,
                            on_done=(lambda r: bar[1]()) if bar else None)
        return (outcome.judge(r) for r in results)

    try:
        if bar:
            bar[0].start()
        counter = _Statistics(rules)
        if statistics and not stats_beside:
            for r in run():
                counter.add(r)
            _emit(counter.render(output_format), output)
        elif output_format in (OutputFormat.text, OutputFormat.concise) and output is None:
            console = Console(highlight=False)  # each photo printed as it is done
            counts = text_report.render(console, run(), rules, verbose, concise=output_format is OutputFormat.concise,
                                        quiet=quiet)
            if not quiet:
                text_report.summary(console, counts, gate)
                on_stdout = console.is_terminal
        else:  # each report's piece written to a spool as it arrives; the document assembled at the end
            with _writer(output_format, rules, stats.digests, verbose, gate=gate, quiet=quiet,
                         spool_dir=str(output.resolve().parent) if output is not None and not writes_through(output)
                         else None) as writer:
                for r in run():
                    writer.add(r)
                    if stats_beside:
                        counter.add(r)
                _emit(writer.write_to, output)
            if stats_beside:
                _emit(counter.render(OutputFormat.text), None)
    except HeadshotLintError as exc:
        _err.print(f"[red]error:[/red] {_esc(exc)}")
        raise typer.Exit(ExitCode.ERROR) from None
    finally:
        if bar:
            bar[0].stop()
    if stats.timeouts or stats.crashes:
        _err.print(f"[yellow]warning:[/yellow] {stats.timeouts} photo(s) timed out, {stats.crashes} crashed a "
                   "worker; reported as unreadable-image")
    if gate is not None and gate.below and not on_stdout:
        _err.print(f"[red]{_esc(gate.sentence())}[/red]")
    if base is not None and not quiet:
        t = outcome.tally
        _err.print(f"{t.hidden} finding(s) on {t.photos} photo(s) hidden by the baseline {_esc(base.source)}"
                   + (f"; {t.gone} recorded finding(s) no longer occur (write the baseline again to drop them)"
                      if t.gone else ""))
        old = baseline.stale(base, t)
        if old:
            named = ", ".join(f"{_esc(e.path)} ({e.why})" for e in old[:10]) + (
                f" and {len(old) - 10} more" if len(old) > 10 else "")
            _err.print(f"{len(old)} stale baseline entr{'y' if len(old) == 1 else 'ies'}, photos replaced or "
                       f"deleted since it was written: {named}; write the baseline again to drop them")
    if write_baseline is not None:
        recorded = outcome.recorded
        _write_atomic(write_baseline, baseline.render(recorded))
        _err.print(f"wrote {_esc(write_baseline)}: {sum(len(r.codes) for r in recorded)} finding(s) on {len(recorded)} "
                   f"photo(s); runs with --baseline {_esc(write_baseline)} report only new ones")
        raise typer.Exit(ExitCode.CLEAN)
    raise typer.Exit(ExitCode.CLEAN if exit_zero or not outcome.failed else ExitCode.FINDINGS)


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
            _err.print(f"[red]error:[/red] {_esc(exc)}")
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
            gate: FailUnder | None = None, quiet: bool = False, spool_dir: str | None = None) -> Writer:
    """The incremental writer of ``fmt`` (``digests`` and ``gate`` are read as each report
    is added: the photos under --fail-under are named in every format that can say so)."""
    if fmt is OutputFormat.json:
        return json_report.Writer(spool_dir=spool_dir, fail_under=gate)
    if fmt is OutputFormat.sarif:
        from .report import sarif
        return sarif.Writer(rules, digests, spool_dir=spool_dir)
    if fmt is OutputFormat.junit:
        from .report import junit
        return junit.Writer(rules, spool_dir=spool_dir, fail_under=gate)
    if fmt is OutputFormat.gitlab:
        from .report import gitlab
        return gitlab.Writer(rules, digests, spool_dir=spool_dir)
    if fmt is OutputFormat.csv:
        from .report import csv
        return csv.Writer(rules, spool_dir=spool_dir)
    if fmt is OutputFormat.github:
        from .report import github
        return github.Writer(rules, spool_dir=spool_dir, fail_under=gate)
    if fmt is OutputFormat.html:
        from .report import html
        return html.Writer(rules, spool_dir=spool_dir, fail_under=gate,
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
                   TimeRemainingColumn(), console=_err, transient=_err.is_terminal)
    task = bar.add_task("check", total=total, rate="")
    t0 = time.monotonic()

    def advance() -> None:
        done = bar.tasks[0].completed + 1
        rate = done / max(1e-6, time.monotonic() - t0)
        bar.update(task, advance=1, rate=f"{rate:.1f} photos/s")

    return bar, advance


def _esc(obj: object) -> str:
    """Text for the terminal: undecodable file-name bytes shown as \\xNN, rich markup escaped."""
    from rich.markup import escape

    return escape(os.fsencode(str(obj)).decode("utf-8", "backslashreplace") if isinstance(obj, (str, Path))
                  else str(obj).encode("utf-8", "surrogateescape").decode("utf-8", "backslashreplace"))


def _safe_stdout() -> None:
    """Never crash printing a file name that is not valid UTF-8."""
    for stream in (sys.stdout, sys.stderr):
        try:
            stream.reconfigure(errors="backslashreplace")  # type: ignore[union-attr]
        except (AttributeError, ValueError):
            pass


def _emit(body: Union[str, Callable[[TextSink], None]], output: Path | None) -> None:
    """Write ``body`` (a string, or a function writing pieces to a sink) to stdout, or
    atomically to ``output``; file-name bytes that are not UTF-8 appear as \\udcNN."""
    if output is not None:
        _write_atomic(output, body)
        return
    buffer = getattr(sys.stdout, "buffer", None)
    if buffer is not None:
        sys.stdout.flush()
        sink = _Encoded(buffer.write)
    else:
        sink = _Encoded(lambda data: sys.stdout.write(data.decode("utf-8")))
    if isinstance(body, str):
        sink.write(body)
    else:
        body(sink)
    if buffer is not None:
        buffer.flush()


class _Encoded:
    """A text sink over a bytes writer: UTF-8, undecodable file-name bytes as \\udcNN."""

    def __init__(self, write: Callable[[bytes], object]) -> None:
        self._write = write

    def write(self, text: str) -> None:
        self._write(text.encode("utf-8", "backslashreplace"))


@app.command()
def clean(
    cache_dir: Annotated[Path, typer.Option(help="The cache folder to delete.")] = Path(DEFAULT_CACHE_DIR),
) -> None:
    """Delete the result cache (.headshot-lint-cache/ in the current folder).

    Example: headshot-lint clean
    """
    n = Cache(cache_dir).clear()
    _err.print(f"removed {n} cached result{'s' * (n != 1)} from {_esc(cache_dir)}")


def _write_atomic(path: Path, body: Union[str, Callable[[TextSink], None]]) -> None:
    """Write ``body`` (a string, or a function writing pieces to a file) to ``path``
    whole or not at all (through a device such as /dev/null, never replacing it); a
    failure (a full disk) exits 2 saying so, the previous file left as it was."""
    try:
        write_atomic(path, body)
    except OSError as exc:
        _err.print(f"[red]error:[/red] cannot write {_esc(path)}: {_esc(exc.strerror or exc)}")
        raise typer.Exit(ExitCode.ERROR) from None


@app.command()
def explain(
    rule: Annotated[str, typer.Argument(help="Rule code (HL501) or name (small-size-contrast).")],
    output_format: Annotated[OutputFormat, typer.Option("--format", "-f", help="Output format.")] = OutputFormat.text,
    pack: Annotated[str, typer.Option(help="Rule pack to read the rule from.")] = "default",
) -> None:
    """Explain a rule: what it checks, why, examples, thresholds and fix.

    Example: headshot-lint explain HL501
    """
    rp = _pack(pack)
    found = rp.find(rule)
    if found is None:
        close = rp.closest(rule)
        hint = f"did you mean {' or '.join(close)}? " if close else ""
        _err.print(f"[red]error:[/red] no rule {_esc(repr(rule))} ({hint}see `headshot-lint rules`)")
        raise typer.Exit(ExitCode.ERROR)
    if output_format is OutputFormat.json:
        typer.echo(json.dumps(_rule_dict(found), indent=2, ensure_ascii=False))
        return
    typer.echo(explain_text(found))


def explain_text(rule: Rule) -> str:
    """The rule's documentation as Markdown (the same text the docs pages show)."""
    d = rule.doc
    th = ", ".join(f"{k} at {v:g}" for k, v in (("warning", rule.warning), ("error", rule.error)) if v is not None)
    fix = {"safe": "Fix available (safe: adjusts the photo).",
           "retouch": "Fix available (retouching: changes what the photo shows; run only when asked for).",
           "none": "No automatic fix."}[rule.fix.safety]
    lines = [
        f"# {rule.name} ({rule.code})", "", rule.summary, "", fix, "",
        "## What it does", "", d["what"], "", "## Why is this bad?", "", d["why"], "",
        "## Thresholds", "", f"Judges `{rule.value}` of measure `{rule.measure}` in {rule.unit or 'units'} "
        f"({rule.direction}): {th}.", "",
        "## Known problems", "", d["known_problems"], "",
        "## Example", "", d["example_bad"], "", "Use instead:", "", d["example_good"], "",
        "## Fix safety", "", d["fix_safety"],
    ]
    if rule.calibration:
        lines += ["", "## Calibration", "", rule.calibration]
    return "\n".join(lines)


def _rule_dict(rule: Rule) -> dict:
    return {"code": rule.code, "name": rule.name, "summary": rule.summary, "measure": rule.measure,
            "value": rule.value, "unit": rule.unit, "direction": rule.direction,
            "thresholds": {"warning": rule.warning, "error": rule.error},
            "quality": {"mapping": rule.quality.mapping, **rule.quality.params},
            "fix": {"action": rule.fix.action or None, "safety": rule.fix.safety},
            "aliases": list(rule.aliases), "doc": dict(rule.doc), "calibration": rule.calibration}


@app.command("rules")
def list_rules(
    pack: Annotated[str, typer.Option(help="Rule pack to list.")] = "default",
    output_format: Annotated[OutputFormat, typer.Option("--format", "-f", help="Output format.")] = OutputFormat.text,
) -> None:
    """List the rules of a pack: code, name, thresholds, whether selected.

    Example: headshot-lint rules --pack strict
    """
    rp = _pack(pack)
    if output_format is OutputFormat.json:
        typer.echo(json.dumps([{**_rule_dict(r), "selected": r.code in rp.selected} for r in rp.rules],
                              indent=2, ensure_ascii=False))
        return
    from rich.table import Table

    table = Table(title=f"rule pack: {rp.name}")
    for col in ("code", "name", "summary", "warning", "error", "unit", "fix", "on"):
        table.add_column(col)
    for r in rp.rules:
        table.add_row(r.code, r.name, r.summary, _num(r.warning), _num(r.error), _unit(r), r.fix.safety,
                      "✓" if r.code in rp.selected else "")
    Console().print(table)


def _num(v: float | None) -> str:
    return "" if v is None else f"{v:g}"


def _unit(rule: Rule) -> str:
    """The unit of the thresholds and which side is bad (``≥`` fails at or above them)."""
    side = "≥" if rule.direction == HIGHER_IS_WORSE else "≤"
    return f"{side} {rule.unit}".rstrip() if rule.unit else side


@app.command()
def example(
    out: Annotated[Path, typer.Argument(help="Where to write the sample photo (JPEG).")] = Path("astronaut.jpg"),
) -> None:
    """Write a sample headshot to try the linter on (NASA's portrait of Eileen Collins, from scikit-image).

    The photo is public domain and ships inside scikit-image, so this works offline.

    Example: headshot-lint example astronaut.jpg && headshot-lint check astronaut.jpg
    """
    from PIL import Image
    from skimage import data

    if out.exists():
        _err.print(f"[red]error:[/red] {out} exists; not overwriting it")
        raise typer.Exit(ExitCode.ERROR)
    Image.fromarray(data.astronaut()).save(out, quality=92)
    _err.print(f"wrote {out}")


def main() -> None:
    """Console-script entry point: unexpected exceptions exit 2, not 1."""
    try:
        app()
    except SystemExit:
        raise
    except Exception as exc:  # pragma: no cover - last resort
        _err.print(f"[red]internal error:[/red] {type(exc).__name__}: {exc}")
        sys.exit(ExitCode.ERROR)
from .cli_fix import fix_command  # noqa: E402  (registered here so `headshot-lint fix` exists)
app.command("fix")(fix_command)
from .cli_serve import serve_command  # noqa: E402  (registered here so `headshot-lint serve` exists)
app.command("serve")(serve_command)
