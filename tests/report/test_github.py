"""GitHub Actions annotations (``--format github``): one workflow command per finding."""

from __future__ import annotations

import re
import subprocess
from pathlib import Path

import pytest

from headshot_lint.model import Finding, Fix, Report
from headshot_lint.report import github

ROOT = Path(__file__).resolve().parents[2]
#: A workflow command as the runner parses it: level, comma-separated key=value properties, message.
COMMAND = re.compile(r"^::(error|warning|notice) ((?:[a-z]+=[^,:]*)(?:,[a-z]+=[^,:]*)*)::(.*)$")


def _report(path: str, *findings: tuple) -> Report:
    return Report(path=path, score=40.0, scores={}, skipped=(), findings=tuple(
        Finding(code=code, rule=rule, severity=sev, score=20.0, value=1.0, unit="ratio", threshold=1.3,
                message=msg, fix=Fix(title="Use a medium grey backdrop", action="replace-background",
                                     safety="retouch"), values={}, regions=())
        for code, rule, sev, msg in findings))


def test_one_annotation_per_finding_at_the_findings_level():
    text = github.render([
        _report("staff/jane.jpg", ("HL501", "small-size-contrast", "warning", "only 1.19:1"),
                ("HL002", "no-face", "error", "no face")),
        _report("staff/clean.jpg"),
    ])
    lines = text.splitlines()
    assert len(lines) == 2  # the clean photo prints nothing
    levels = [COMMAND.match(line).group(1) for line in lines]
    assert levels == ["warning", "error"]
    props = dict(p.split("=", 1) for p in COMMAND.match(lines[0]).group(2).split(","))
    assert props == {"title": "headshot-lint HL501 small-size-contrast", "file": "staff/jane.jpg", "line": "1"}
    assert COMMAND.match(lines[0]).group(3) == ("staff/jane.jpg: HL501 small-size-contrast: only 1.19:1"
                                                "%0Afix: Use a medium grey backdrop [retouch]")


def test_names_and_messages_cannot_break_or_forge_a_command():
    """Commas, colons, newlines and percent signs are encoded, so every finding stays one line
    whose properties parse and whose message cannot start a second command."""
    evil = "a,b:c%\n::error file=x::forged.jpg"
    text = github.render([_report(evil, ("HL101", "busy-background", "warning", "50%\n::error::x"))])
    (line,) = text.splitlines()
    m = COMMAND.match(line)
    assert m, line
    props = dict(p.split("=", 1) for p in m.group(2).split(","))
    assert props["file"] == "a%2Cb%3Ac%25%0A%3A%3Aerror file=x%3A%3Aforged.jpg"
    assert "\n" not in m.group(3) and m.group(3).startswith("a,b:c%25%0A")


def test_check_writes_annotations(tmp_path):
    """End to end through the CLI: a photo without a face gives one error annotation."""
    from PIL import Image
    from typer.testing import CliRunner

    from headshot_lint.cli import app

    import numpy as np

    Image.fromarray(np.full((300, 240, 3), 128, np.uint8)).save(tmp_path / "grey.png")
    r = CliRunner().invoke(app, ["check", str(tmp_path / "grey.png"), "--format", "github", "--select", "HL0",
                                 "--no-cache"])
    assert r.exit_code == 1, r.output
    (line,) = r.stdout.splitlines()
    assert line.startswith("::error title=headshot-lint HL002 no-face,file=") and line.endswith(
        "%0Afix: " + line.split("%0Afix: ")[1])


def test_the_action_runs_valid_bash_and_uses_only_its_inputs():
    """action.yml: every `inputs.X` it reads is declared, and each bash step parses."""
    yaml = pytest.importorskip("yaml")
    action = yaml.safe_load((ROOT / "action.yml").read_text(encoding="utf-8"))
    text = (ROOT / "action.yml").read_text(encoding="utf-8")
    assert set(re.findall(r"inputs\.([a-z-]+)", text)) <= set(action["inputs"])
    for step in action["runs"]["steps"]:
        if step.get("shell") == "bash":
            script = re.sub(r"\$\{\{[^}]*\}\}", "x", step["run"])
            subprocess.run(["bash", "-n"], input=script, text=True, check=True)
    check = next(s for s in action["runs"]["steps"] if s.get("id") == "check")
    assert "--format github" in check["run"] and "--format sarif" in check["run"]
