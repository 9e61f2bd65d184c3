"""The command line: exit codes for each path, outputs, help; one real subprocess."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import numpy as np
import pytest
from PIL import Image
from typer.testing import CliRunner

from headshot_lint.cli import app

from tests.conftest import astronaut

runner = CliRunner()


@pytest.fixture(scope="module")
def photos(tmp_path_factory):
    d = tmp_path_factory.mktemp("photos")
    Image.fromarray(astronaut()).save(d / "astronaut.jpg", quality=92)
    Image.fromarray(np.full((300, 240, 3), 128, np.uint8)).save(d / "grey.png")
    (d / "notes.jpg").write_text("this is not a photo", encoding="utf-8")
    return d


def invoke(*args: str):
    return runner.invoke(app, list(args))


def test_clean_run_exits_0(photos):
    """A readable photo checked only for readability is clean: exit 0."""
    r = invoke("check", str(photos / "astronaut.jpg"), "--select", "HL001")
    assert r.exit_code == 0, r.output
    assert "1 photo: 1 clean" in r.output


def test_error_finding_exits_1(photos):
    """A photo without a face fails no-face at error severity: exit 1."""
    r = invoke("check", str(photos / "grey.png"), "--select", "no-face")
    assert r.exit_code == 1, r.output
    assert "HL002" in r.output


def test_exit_zero_overrides_findings(photos):
    """--exit-zero turns exit 1 into 0, as ruff's."""
    r = invoke("check", str(photos / "grey.png"), "--select", "HL002", "--exit-zero")
    assert r.exit_code == 0, r.output


def test_unreadable_file_is_a_finding_and_the_batch_goes_on(photos):
    """A text file named .jpg is reported as unreadable-image; the next photo is still checked."""
    r = invoke("check", str(photos / "notes.jpg"), str(photos / "astronaut.jpg"), "--format", "json",
               "--select", "HL0")
    assert r.exit_code == 1, r.output
    doc = json.loads(r.stdout)
    first, second = doc["photos"]
    assert first["findings"][0]["rule"] == "unreadable-image"
    assert "not an image" in first["findings"][0]["message"]
    assert second["path"].endswith("astronaut.jpg") and second["score"] is not None


def test_fail_under(photos):
    """--fail-under fails a photo whose overall score is lower, and passes one that is not."""
    assert invoke("check", str(photos / "astronaut.jpg"), "--select", "HL001", "--fail-under", "100").exit_code == 0
    r = invoke("check", str(photos / "grey.png"), "--select", "HL002", "--fail-under", "50", "--exit-zero")
    assert r.exit_code == 0


@pytest.mark.parametrize("args", [
    ("check", "{p}", "--select", "HL999"),
    ("check", "{p}", "--pack", "nonexistent"),
    ("check", "{p}", "--format", "bogus"),
    ("explain", "no-such-rule"),
    ("check",),
])
def test_usage_errors_exit_2(photos, args):
    """Unknown rules, packs, formats and missing arguments are usage errors: exit 2."""
    r = invoke(*(a.format(p=photos / "astronaut.jpg") for a in args))
    assert r.exit_code == 2, r.output


def test_json_contract_keys(photos):
    """JSON output has the documented per-photo and per-finding keys."""
    r = invoke("check", str(photos / "grey.png"), "--format", "json", "--select", "HL002")
    doc = json.loads(r.stdout)
    assert doc["schema_version"]
    photo = doc["photos"][0]
    assert {"path", "score", "scores", "findings"} <= set(photo)
    finding = photo["findings"][0]
    assert {"code", "rule", "severity", "score", "value", "threshold", "message", "fix"} <= set(finding)
    assert finding["severity"] in ("warning", "error")


def test_explain_prints_rule_doc_by_code_or_name():
    """explain HL501 and explain small-size-contrast print the same documentation."""
    a, b = invoke("explain", "HL501"), invoke("explain", "small-size-contrast")
    assert a.exit_code == 0 and a.output == b.output
    assert a.output.startswith("# small-size-contrast (HL501)")
    assert "## Why is this bad?" in a.output
    j = json.loads(invoke("explain", "HL501", "--format", "json").output)
    assert j["code"] == "HL501" and j["doc"]["why"]


def test_rules_lists_every_rule():
    """`rules` lists every rule of the pack by code."""
    r = invoke("rules", "--format", "json")
    assert r.exit_code == 0
    codes = {x["code"] for x in json.loads(r.output)}
    assert {"HL001", "HL002", "HL003", "HL301", "HL501"} <= codes


def test_rules_table_gives_each_threshold_its_unit_and_bad_side():
    """The text table says what a threshold is measured in and which side fails (-0.275 alone means nothing)."""
    r = runner.invoke(app, ["rules"], env={"COLUMNS": "200"})
    rows = {line.split("│")[1].strip(): line for line in r.output.splitlines() if line.startswith("│ HL")}
    assert "≥ log-odds" in rows["HL103"] and "≤ probability" in rows["HL501"] and "≥ ΔE2000" in rows["HL301"]


def test_example_writes_a_photo_and_refuses_to_overwrite(tmp_path):
    """`example` writes the sample photo once and never overwrites a file."""
    out = tmp_path / "a.jpg"
    assert invoke("example", str(out)).exit_code == 0
    assert Image.open(out).size == (512, 512)
    assert invoke("example", str(out)).exit_code == 2


def test_example_into_a_folder_and_refuses_names_it_cannot_write(tmp_path):
    """`example DIR` puts astronaut.jpg in the folder; a name with no image suffix or in a missing
    folder is a clear error (exit 2), not a traceback, and leaves nothing behind."""
    r = invoke("example", str(tmp_path))
    assert r.exit_code == 0 and Image.open(tmp_path / "astronaut.jpg").format == "JPEG"
    assert invoke("example", str(tmp_path / "a.png")).exit_code == 0
    assert Image.open(tmp_path / "a.png").format == "PNG"
    for bad, says in ((tmp_path / "sample", "which image format"), (tmp_path / "x.tiff", "which image format"),
                      (tmp_path / "missing" / "a.jpg", "does not exist")):
        r = invoke("example", str(bad))
        assert r.exit_code == 2 and says in r.output and "Traceback" not in r.output
    assert sorted(p.name for p in tmp_path.iterdir()) == ["a.png", "astronaut.jpg"]


def test_output_file_is_written(photos, tmp_path):
    """--output writes the report to the file, not stdout."""
    out = tmp_path / "report.json"
    r = invoke("check", str(photos / "grey.png"), "--format", "json", "--select", "HL002", "-o", str(out))
    assert r.exit_code == 1
    assert json.loads(out.read_text(encoding="utf-8"))["photos"][0]["findings"]
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".")]


def test_python_dash_m_help_in_a_subprocess():
    """`python -m headshot_lint --help` works in a fresh interpreter and lists the commands."""
    r = subprocess.run([sys.executable, "-m", "headshot_lint", "--help"], capture_output=True, text=True,
                       timeout=120)
    assert r.returncode == 0, r.stderr
    for command in ("check", "explain", "rules"):
        assert command in r.stdout


@pytest.mark.parametrize("fmt", ["text", "json"])
def test_output_closed_by_its_reader_exits_141_not_1(photos, fmt):
    """`check staff/ | head`: the reader goes before the report is written. The run ends as a
    process SIGPIPE ended does (141), not with 1, which says "findings", and without a
    traceback; the grey photo alone is clean, so 1 could only come from the closed pipe."""
    proc = subprocess.Popen([sys.executable, "-m", "headshot_lint", "check", "--no-cache", "--format", fmt,
                             str(photos / "grey.png")], stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    proc.stdout.close()  # the reader is gone before the first byte
    err = proc.stderr.read().decode()
    assert proc.wait(timeout=120) == 141, err
    assert "Traceback" not in err and "Exception ignored" not in err


@pytest.mark.skipif(not os.path.exists("/dev/full"), reason="needs /dev/full (Linux)")
@pytest.mark.parametrize("fmt", ["text", "json"])
def test_a_report_that_cannot_be_written_to_stdout_says_so_in_words(photos, fmt):
    """`check staff/ > report.txt` on a full disk: exit 2 and a sentence naming standard output
    and the reason, not "internal error: OSError: [Errno 28]" or a traceback."""
    with open("/dev/full", "wb") as full:
        r = subprocess.run([sys.executable, "-m", "headshot_lint", "check", "--no-cache", "--format", fmt,
                            str(photos / "grey.png")], stdout=full, stderr=subprocess.PIPE, text=True, timeout=120)
    assert r.returncode == 2, r.stderr
    assert "cannot write to standard output: No space left on device" in r.stderr
    assert "internal error" not in r.stderr and "Traceback" not in r.stderr


def test_an_empty_jpg_in_a_folder_is_reported_not_skipped(tmp_path):
    """A 0-byte jane.jpg in a checked folder (a failed upload) is an unreadable-image error, exit 1."""
    Image.fromarray(np.full((64, 64, 3), 128, np.uint8)).save(tmp_path / "ok.png")
    (tmp_path / "jane.jpg").write_bytes(b"")
    res = runner.invoke(app, ["check", str(tmp_path), "--jobs", "1", "--timeout", "0", "--no-cache",
                              "--select", "HL001", "--format", "json"])
    assert res.exit_code == 1, res.output
    by_name = {os.path.basename(r["path"]): r for r in json.loads(res.stdout)["photos"]}
    assert set(by_name) == {"ok.png", "jane.jpg"}
    assert [f["code"] for f in by_name["jane.jpg"]["findings"]] == ["HL001"]


def test_stdin_photo_is_checked_under_its_given_name(photos, tmp_path):
    """`check -` reads the photo's bytes from standard input and reports it under
    --stdin-filename (or '-'), with the same findings as the file itself."""
    data = (photos / "grey.png").read_bytes()
    cache = str(tmp_path / "cache")
    r = runner.invoke(app, ["check", "-", "--stdin-filename", "staff/grey.png", "--format", "json",
                            "--select", "HL0", "--cache-dir", cache], input=data)
    assert r.exit_code == 1, r.output
    (doc,) = json.loads(r.stdout)["photos"]
    assert doc["path"] == "staff/grey.png"
    assert [f["code"] for f in doc["findings"]] == ["HL002"]
    on_disk = json.loads(invoke("check", str(photos / "grey.png"), "--format", "json", "--select", "HL0",
                                "--no-cache").stdout)["photos"][0]
    assert doc["findings"] == on_disk["findings"]
    r = runner.invoke(app, ["check", "-", "--select", "HL0", "--no-cache"], input=data)
    assert r.exit_code == 1 and r.output.startswith("-"), r.output


def test_stdin_filename_matches_per_file_ignores(photos, tmp_path, monkeypatch):
    """A configured per-file ignore applies to a piped photo by the name it is given."""
    (tmp_path / "headshot-lint.toml").write_text('[per-file-ignores]\n"board/*.png" = ["HL002"]\n',
                                                 encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    data = (photos / "grey.png").read_bytes()
    ignored = runner.invoke(app, ["check", "-", "--stdin-filename", "board/grey.png", "--select", "HL0",
                                  "--no-cache"], input=data)
    assert ignored.exit_code == 0, ignored.output
    judged = runner.invoke(app, ["check", "-", "--stdin-filename", "staff/grey.png", "--select", "HL0",
                                 "--no-cache"], input=data)
    assert judged.exit_code == 1, judged.output


def test_stdin_bad_input_and_misuse(photos):
    """Empty or non-image bytes on stdin are an unreadable-image finding (exit 1); '-' beside
    other paths, or --stdin-filename without '-', is a usage error (exit 2)."""
    r = runner.invoke(app, ["check", "-", "--no-cache", "--format", "json"], input=b"")
    assert r.exit_code == 1, r.output
    assert json.loads(r.stdout)["photos"][0]["findings"][0]["code"] == "HL001"
    r = runner.invoke(app, ["check", "-", "--no-cache"], input=b"hello, not a photo")
    assert r.exit_code == 1 and "HL001" in r.output, r.output
    r = runner.invoke(app, ["check", "-", str(photos / "grey.png")], input=b"")
    assert r.exit_code == 2 and "cannot be combined" in r.output, r.output
    r = invoke("check", str(photos / "grey.png"), "--stdin-filename", "x.png")
    assert r.exit_code == 2 and "needs the path '-'" in r.output, r.output


def test_stdin_from_a_terminal_is_a_usage_error_naming_the_command(monkeypatch):
    """'-' with a terminal on stdin would wait forever: exit 2 with a hint for the command run."""
    import types

    from headshot_lint.cli import _stdin
    from headshot_lint.cli import ExitCode

    class Tty:
        def isatty(self):
            return True

    monkeypatch.setattr(_stdin, "sys", types.SimpleNamespace(stdin=Tty()))  # CliRunner swaps sys.stdin itself
    for command, extra in (("check", []), ("fix", ["--out", "x.jpg"])):
        r = runner.invoke(app, [command, "-", *extra])
        text = " ".join(r.output.split())
        assert r.exit_code == 2 and f"headshot-lint {command} -" in text, r.output


def test_missing_output_folder_is_a_usage_error_before_any_photo_is_audited(photos, tmp_path):
    """--output or --write-baseline into a folder that does not exist: exit 2 at once, naming
    the folder (it used to be an internal error after the whole run)."""
    for option in ("--output", "--write-baseline"):
        r = invoke("check", str(photos / "astronaut.jpg"), option, str(tmp_path / "nowhere" / "out.json"))
        assert r.exit_code == 2, r.output
        text = " ".join(r.output.split())  # rich wraps long paths
        assert "does not exist" in text and "internal error" not in text
        assert "score" not in r.output  # nothing was audited
