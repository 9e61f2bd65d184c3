"""check writes every format as the whole-list renderers did (byte for byte, to --output and
to stdout), while holding no Report: each is written to a spool as it arrives."""

from __future__ import annotations

import gc
import json
import weakref

import pytest
from typer.testing import CliRunner

from headshot_lint import batch, cli
from headshot_lint.cli import app

from tests.report import _legacy
from tests.report._sample import reports as sample_reports

runner = CliRunner()


@pytest.fixture
def stub(tmp_path, monkeypatch):
    """batch.run replaced by one yielding the sample reports (and their digests); records the rules
    and how many earlier reports were still alive when the CLI asked for the next one."""
    (tmp_path / "in").mkdir()
    for name in ("a.jpg", "b.jpg", "c.jpg"):
        (tmp_path / "in" / name).write_bytes(b"x")
    seen = {"rules": None, "alive_at_end": None}

    def run(jobs_in, rules, *, stats=None, **kwargs):
        seen["rules"] = rules
        rs = sample_reports()
        for k, r in enumerate(rs):
            stats.digests[r.path] = f"{k + 7:064x}"
        refs = [weakref.ref(r) for r in rs]
        alive = 0
        for k in range(len(refs)):
            yield rs.pop(0)
            gc.collect()  # back here: the CLI asks for the next one, so report k may still be its loop variable
            alive = max(alive, sum(ref() is not None for ref in refs[:k]))
        seen["alive_at_end"] = alive

    monkeypatch.setattr(batch, "run", run)
    monkeypatch.chdir(tmp_path)
    return seen


def _expected(fmt: str, rules) -> str:
    rs = sample_reports()
    digests = {r.path: f"{k + 7:064x}" for k, r in enumerate(rs)}
    return {"json": lambda: _legacy.json_render(rs),
            "sarif": lambda: _legacy.sarif_render(rs, rules, digests),
            "junit": lambda: _legacy.junit_render(rs, rules),
            "gitlab": lambda: _legacy.gitlab_render(rs, rules, digests),
            "html": lambda: _legacy.html_render(rs, rules, thumbnail=lambda p: None),
            "text": lambda: _legacy.text_render(rs, rules)}[fmt]()


@pytest.mark.parametrize("fmt", ["json", "sarif", "junit", "gitlab", "html", "text"])
def test_output_file_and_stdout_match_the_whole_list_renderer(stub, tmp_path, fmt):
    """--output F and stdout both get the old renderer's bytes; no Report outlives its turn; no spool file is left."""
    out = tmp_path / f"report.{fmt}"
    res = runner.invoke(app, ["check", "in", "--no-cache", "-f", fmt, "-o", str(out)], catch_exceptions=False)
    assert res.exit_code == 1, res.output  # the samples have error findings
    assert stub["alive_at_end"] == 0, "the CLI kept Reports until the end"
    want = _expected(fmt, stub["rules"]).encode("utf-8", "backslashreplace")
    assert out.read_bytes() == want
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted(["in", out.name])
    if fmt != "text":  # text on stdout is the live terminal report (colours, terminal width)
        res = runner.invoke(app, ["check", "in", "--no-cache", "-f", fmt], catch_exceptions=False)
        assert res.stdout_bytes == want


def test_statistics_counts_as_reports_arrive(stub):
    """--statistics counts findings per rule and severity without keeping the reports."""
    res = runner.invoke(app, ["check", "in", "--no-cache", "--statistics", "-f", "json"], catch_exceptions=False)
    rows = json.loads(res.stdout)
    want: dict = {}
    for r in sample_reports():
        for f in r.findings:
            want.setdefault(f.code, {"error": 0, "warning": 0, "info": 0})[f.severity] += 1
    assert {row["code"]: {k: row[k] for k in ("error", "warning", "info")} for row in rows} == want
    assert [row["count"] for row in rows] == sorted((sum(v.values()) for v in want.values()), reverse=True)
    assert stub["alive_at_end"] == 0


@pytest.mark.parametrize("fmt", ["sarif", "junit", "gitlab", "html"])
def test_statistics_beside_a_document_format(stub, tmp_path, fmt):
    """--statistics with a document format: the report goes whole to --output, the counts to stdout;
    without --output it is a usage error (the counts must never land in a .sarif file)."""
    out = tmp_path / f"report.{fmt}"
    res = runner.invoke(app, ["check", "in", "--no-cache", "--statistics", "-f", fmt, "-o", str(out)],
                        catch_exceptions=False)
    assert res.exit_code == 1
    assert out.read_bytes() == _expected(fmt, stub["rules"]).encode("utf-8", "backslashreplace")
    codes = {f.code for r in sample_reports() for f in r.findings}
    assert {line.split("\t")[1] for line in res.stdout.splitlines()} == codes
    res = runner.invoke(app, ["check", "in", "--no-cache", "--statistics", "-f", fmt], catch_exceptions=False)
    assert res.exit_code == 2 and "needs --output" in res.stderr


def test_timeout_help_matches_batch_behaviour():
    """--timeout's help no longer says it needs --jobs 2; --jobs 1 is one worker process."""
    res = runner.invoke(app, ["check", "--help"], env={"COLUMNS": "200"})
    flat = " ".join(res.output.replace("│", " ").split())
    assert "needs --jobs 2" not in flat and "enforced with any --jobs" in flat
    assert "1 audits in this process" not in flat
