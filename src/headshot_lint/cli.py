"""The command line: thin typer commands over the public API.

Only this module decides exit codes (:class:`ExitCode`): results go to stdout or
``--output``; progress, warnings and errors go to stderr.
"""

from __future__ import annotations

import enum
import json
import os
import sys
import tempfile
from pathlib import Path
from typing import List, Optional

import typer
from rich.console import Console
from typing_extensions import Annotated

from . import __version__
from .discover import discover
from .engine import audit
from .errors import HeadshotLintError
from .model import ERROR
from .report import json as json_report
from .report import text as text_report
from .rules import Rule, RulePack, load_pack


class ExitCode(enum.IntEnum):
    """Process exit status, as ruff's."""

    CLEAN = 0  #: no finding at error severity, score not under --fail-under
    FINDINGS = 1  #: an error-severity finding, or a score under --fail-under
    ERROR = 2  #: the run itself failed: usage, bad rule pack, internal error


class OutputFormat(str, enum.Enum):
    text = "text"
    json = "json"


app = typer.Typer(
    name="headshot-lint",
    help="Lint the backgrounds of professional headshots: busy scenes, patterns, backlight, "
         "camouflage, text, small-size contrast, tone.",
    no_args_is_help=True,
    add_completion=False,
    context_settings={"help_option_names": ["-h", "--help"]},
)
_err = Console(stderr=True)


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


def _split(values: Optional[List[str]]) -> Optional[List[str]]:
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
    paths: Annotated[List[Path], typer.Argument(help="Photos or folders (searched recursively).",
                                                 show_default=False)],
    output_format: Annotated[OutputFormat, typer.Option("--format", "-f", help="Report format.")] = OutputFormat.text,
    output: Annotated[Optional[Path], typer.Option("--output", "-o", help="Write the report to this file "
                                                   "(atomically) instead of stdout.")] = None,
    select: Annotated[Optional[List[str]], typer.Option(help="Only these rules: codes, code prefixes (HL5) or "
                                                        "names; comma-separated or repeated.")] = None,
    ignore: Annotated[Optional[List[str]], typer.Option(help="Skip these rules: codes, prefixes or names.")] = None,
    pack: Annotated[str, typer.Option(help="Rule pack: 'default', 'strict' or a path to a pack TOML.")] = "default",
    fail_under: Annotated[Optional[float], typer.Option(help="Also exit 1 when a photo's overall score is under "
                                                        "this (0-100).", min=0, max=100)] = None,
    exit_zero: Annotated[bool, typer.Option("--exit-zero", help="Exit 0 even when findings fail the run "
                                            "(still 2 when the run itself fails).")] = False,
    verbose: Annotated[bool, typer.Option("--verbose", "-v", help="Text format: also list passing and "
                                          "skipped rules with their measured values.")] = False,
) -> None:
    """Check photos and report what is wrong with their backgrounds.

    Example: headshot-lint check staff/ --format json --fail-under 70
    """
    rule_pack = _pack(pack)
    try:
        rules = rule_pack.select(_split(select), _split(ignore))
    except HeadshotLintError as exc:
        _err.print(f"[red]error:[/red] {exc}")
        raise typer.Exit(ExitCode.ERROR) from None
    files = list(discover(paths))
    if not files:
        _err.print("[yellow]warning:[/yellow] no photos found under " + ", ".join(map(str, paths)))
    reports = []
    failed = False

    def run():
        nonlocal failed
        for path in files:
            r = audit(path, rules=rules)
            reports.append(r)
            if any(f.severity == ERROR for f in r.findings) or (
                    fail_under is not None and r.score is not None and r.score < fail_under):
                failed = True
            yield r

    if output_format is OutputFormat.text and output is None:
        console = Console(highlight=False)
        counts = text_report.render(console, run(), rules, verbose)
        console.print(text_report.summary_line(counts))
    else:
        if output_format is OutputFormat.json:
            body = json_report.render(list(run()))
        else:
            console = Console(record=True, width=120, file=open(os.devnull, "w"), highlight=False)
            counts = text_report.render(console, run(), rules, verbose)
            console.print(text_report.summary_line(counts))
            body = console.export_text()
        if output is None:
            sys.stdout.write(body)
        else:
            _write_atomic(output, body)
    raise typer.Exit(ExitCode.CLEAN if exit_zero or not failed else ExitCode.FINDINGS)


def _write_atomic(path: Path, body: str) -> None:
    """Write ``body`` to ``path`` via a temp file and rename: never a half-written report."""
    path = path.resolve()
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            fh.write(body)
        os.replace(tmp, path)
    except BaseException:
        if os.path.exists(tmp):
            os.unlink(tmp)
        raise


@app.command()
def explain(
    rule: Annotated[str, typer.Argument(help="Rule code (HL501) or name (small-size-contrast).")],
    output_format: Annotated[OutputFormat, typer.Option("--format", "-f", help="Output format.")] = OutputFormat.text,
    pack: Annotated[str, typer.Option(help="Rule pack to read the rule from.")] = "default",
) -> None:
    """Explain a rule: what it checks, why, examples, thresholds and fix.

    Example: headshot-lint explain HL501
    """
    found = _pack(pack).find(rule)
    if found is None:
        _err.print(f"[red]error:[/red] no rule {rule!r} (see `headshot-lint rules`)")
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
    for col in ("code", "name", "summary", "warning", "error", "fix", "on"):
        table.add_column(col)
    for r in rp.rules:
        table.add_row(r.code, r.name, r.summary, _num(r.warning), _num(r.error), r.fix.safety,
                      "✓" if r.code in rp.selected else "")
    Console().print(table)


def _num(v: Optional[float]) -> str:
    return "" if v is None else f"{v:g}"


@app.command()
def example(
    out: Annotated[Path, typer.Argument(help="Where to write the sample photo (JPEG).")] = Path("astronaut.jpg"),
) -> None:
    """Write a sample headshot that ships with scikit-image (NASA's public-domain
    portrait of Eileen Collins), to try the linter on.

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
