"""The README stays true: every rule, command and option of the CLI is documented."""

from __future__ import annotations

from pathlib import Path

import typer.main

from headshot_lint.cli import app
from headshot_lint.rules import load_pack

README = (Path(__file__).resolve().parents[1] / "README.md").read_text(encoding="utf-8")


def test_every_rule_is_in_the_readme():
    """Each rule of every built-in pack appears with its code and name."""
    for rule in load_pack("strict").rules:
        assert f"| {rule.code} | {rule.name} |" in README, f"{rule.code} {rule.name} missing from README"


def test_rule_table_units_match_the_rule_files():
    """The README's unit column says what each rule file's value is measured in."""
    rows = {line.split("|")[1].strip(): line.split("|") for line in README.splitlines() if line.startswith("| HL")}
    for rule in load_pack("strict").rules:
        assert rows[rule.code][4].strip() == (rule.unit or "–"), f"{rule.code}: README unit vs {rule.unit!r}"


def test_every_command_and_option_is_in_the_readme():
    """Each CLI command has a section and each of its options is mentioned."""
    group = typer.main.get_command(app)
    for name, command in group.commands.items():
        assert f"`headshot-lint {name}" in README, f"command {name} missing from README"
        for param in command.params:
            for opt in getattr(param, "opts", []):
                if opt.startswith("--") and opt not in ("--help",):
                    assert opt in README, f"option {opt} of {name} missing from README"


def test_readme_names_the_test_command_ci_runs():
    """.ci/run runs exactly the README's test command."""
    ci = (Path(__file__).resolve().parents[1] / ".ci" / "run").read_text(encoding="utf-8")
    assert "python -m pytest" in README and "python -m pytest" in ci


def test_the_readme_sample_output_is_what_check_prints(tmp_path):
    """The console sample at the top (`check astronaut.jpg` on the photo `example` writes) shows
    the score, rules and severities the tool gives today: a refit that moves them fails here."""
    import json
    import re

    from typer.testing import CliRunner

    sample = README[README.index("$ headshot-lint check astronaut.jpg"):]
    sample = sample[:sample.index("```")]
    header = re.search(r"astronaut\.jpg  score (\d+)/100 (\w+)", sample)
    shown = re.findall(r"^    (HL\d{3}) [\w-]+ +(\d+)  (\w+):", sample, flags=re.M)
    runner = CliRunner()
    photo = tmp_path / "astronaut.jpg"
    assert runner.invoke(app, ["example", str(photo)]).exit_code == 0
    text = runner.invoke(app, ["check", str(photo), "--no-cache"], env={"COLUMNS": "200"}).output
    assert re.search(r"astronaut\.jpg  score (\d+)/100 (\w+)", text).groups() == header.groups()
    report = json.loads(runner.invoke(app, ["check", str(photo), "--no-cache", "--format", "json"]).output)
    got = [(f["code"], f"{f['score']:.0f}", f["severity"]) for f in report["photos"][0]["findings"]]
    assert got == shown
