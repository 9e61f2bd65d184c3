"""``headshot-lint explain`` (one rule's documentation) and ``headshot-lint rules`` (a pack's rules)."""

from __future__ import annotations

import enum
import json

import typer
from rich.console import Console
from typing_extensions import Annotated

from ..exit_codes import ExitCode
from ..rules import HIGHER_IS_WORSE, Rule
from ._common import err, esc, load_pack_or_exit


class DocFormat(str, enum.Enum):
    """What ``explain`` and ``rules`` print: text for a person, JSON for tools (the report
    formats of ``check`` do not apply to documentation)."""
    text = "text"
    json = "json"


def explain(
    rule: Annotated[str, typer.Argument(help="Rule code (HL501) or name (small-size-contrast).")],
    output_format: Annotated[DocFormat, typer.Option("--format", "-f", help="text, or json for tools.")] = DocFormat.text,
    pack: Annotated[str, typer.Option(help="Rule pack to read the rule from.")] = "default",
) -> None:
    """Explain a rule: what it checks, why, examples, thresholds and fix.

    Example: headshot-lint explain HL501
    """
    rp = load_pack_or_exit(pack)
    found = rp.find(rule)
    if found is None:
        close = rp.closest(rule)
        hint = f"did you mean {' or '.join(close)}? " if close else ""
        err.print(f"[red]error:[/red] no rule {esc(repr(rule))} ({hint}see `headshot-lint rules`)")
        raise typer.Exit(ExitCode.ERROR)
    if output_format is DocFormat.json:
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


def list_rules(
    pack: Annotated[str, typer.Option(help="Rule pack to list.")] = "default",
    output_format: Annotated[DocFormat, typer.Option("--format", "-f", help="text, or json for tools.")] = DocFormat.text,
) -> None:
    """List the rules of a pack: code, name, thresholds, whether selected.

    Example: headshot-lint rules --pack strict
    """
    rp = load_pack_or_exit(pack)
    if output_format is DocFormat.json:
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
