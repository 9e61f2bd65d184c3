"""What a new user and a CI engineer hit (issue 23): missing paths, --fail-under naming
the photos, --fail-on, concise and quiet output, piped text, config globs, stale baseline
entries, one wording of the verdict, did-you-mean for explain."""

from __future__ import annotations

import csv
import io
import json
import math
import os
import re
import xml.etree.ElementTree as ET

import numpy as np
import pytest
from PIL import Image
from typer.testing import CliRunner

from headshot_lint.cli import app
from headshot_lint.model import GOOD_FROM, score_text

runner = CliRunner()


@pytest.fixture(scope="module")
def grey(tmp_path_factory):
    """A faceless grey photo: no-face (HL002) fails at error severity, score 0."""
    d = tmp_path_factory.mktemp("ux")
    Image.fromarray(np.full((300, 240, 3), 128, np.uint8)).save(d / "grey.png")
    return d / "grey.png"


def invoke(*args: str):
    return runner.invoke(app, [str(a) for a in args])


def test_a_missing_path_is_an_error_of_the_run_not_a_photo(grey, tmp_path):
    """The missing paths are named on stderr (before and again after the report), every other
    photo is still checked and reported, and the run exits 2, --exit-zero or not."""
    for extra in ((), ("--exit-zero",)):
        r = invoke("check", tmp_path / "nosuch.jpg", tmp_path / "nosuchdir", grey, "--select", "HL002",
                   "--format", "json", "--no-cache", *extra)
        assert r.exit_code == 2, r.output
        first, last = r.stderr.strip().splitlines()[0], r.stderr.strip().splitlines()[-1]
        assert "no such file" in first and "the other paths are checked" in first
        assert "nosuch.jpg" in last and "nosuchdir" in last and "not checked" in last
        doc = json.loads(r.stdout)
        assert [p["path"] for p in doc["photos"]] == [str(grey)]
        assert [f["code"] for f in doc["photos"][0]["findings"]] == ["HL002"]
        assert doc["summary"]["missing_paths"] == [str(tmp_path / "nosuch.jpg"), str(tmp_path / "nosuchdir")]


@pytest.mark.parametrize("fmt", ["json", "sarif", "junit", "github", "gitlab", "csv", "html"])
def test_reports_name_the_missing_paths_and_only_then(grey, tmp_path, fmt):
    """The documents CI and auditors read say which paths were not checked (JSON
    summary.missing_paths, a SARIF invocation that did not succeed, a JUnit error, a GitHub
    error annotation, a GitLab blocker, a CSV row with the verdict "missing", a banner in the
    HTML page), and say nothing when all exist."""
    gone = tmp_path / "gone.jpg"
    for paths, code in (((grey, gone), 2), ((grey,), 1)):
        r = invoke("check", *paths, "--select", "HL002", "--format", fmt, "--no-cache")
        assert r.exit_code == code, r.output
        if fmt == "json":
            named = json.loads(r.stdout)["summary"].get("missing_paths", [])
        elif fmt == "sarif":
            runs = json.loads(r.stdout)["runs"][0]
            named = [n["message"]["text"] for i in runs.get("invocations", []) for n in i["toolExecutionNotifications"]
                     if not i["executionSuccessful"] and n["level"] == "error"]
        elif fmt == "junit":
            root = ET.fromstring(r.stdout)
            named = [c.get("name") for c in root.iter("testcase") if c.find("error") is not None]
            assert root.get("errors") == str(len(named))
        elif fmt == "github":
            named = [line for line in r.stdout.splitlines() if line.startswith("::error title=headshot-lint missing")]
        elif fmt == "gitlab":
            issues = json.loads(r.stdout)
            named = [i["location"]["path"] for i in issues if i["check_name"] == "missing-path"]
            assert all(i["severity"] == "blocker" for i in issues if i["check_name"] == "missing-path")
            assert len({i["fingerprint"] for i in issues}) == len(issues)
        elif fmt == "csv":
            rows = list(csv.reader(io.StringIO(r.stdout)))
            named = [row[0] for row in rows[1:] if row[2] == "missing"]
            assert all(len(row) == len(rows[0]) for row in rows) and len(rows) == 2 + len(named)
        else:
            named = re.findall(r"<li>([^<]*)</li>", r.stdout.split("not checked, no such file", 1)[-1].split("</div>")[0]) \
                if "not checked, no such file" in r.stdout else []
            assert r.stdout.rstrip().endswith("</html>")
        assert len(named) == (code == 2) and all("gone.jpg" in n for n in named)


def test_only_missing_paths_stop_the_run_before_any_work(tmp_path):
    """Nothing to check: exit 2 with the paths named, no report on stdout."""
    r = invoke("check", tmp_path / "nosuch.jpg", "--format", "json", "--no-cache")
    assert r.exit_code == 2, r.output
    assert "nosuch.jpg" in r.stderr and "other paths" not in r.stderr
    assert r.stdout == ""


@pytest.mark.parametrize("fmt", ["text", "json", "junit", "github"])
def test_fail_under_names_the_photos_under_it(grey, fmt):
    r = invoke("check", grey, "--select", "HL002", "--fail-under", "40", "--format", fmt, "--no-cache")
    assert r.exit_code == 1
    assert "grey.png (0)" in r.stderr and "under --fail-under 40" in r.stderr
    if fmt == "text":
        assert "1 photo under --fail-under 40: " in r.stdout
    elif fmt == "json":
        assert json.loads(r.stdout)["summary"]["fail_under"] == {
            "threshold": 40.0, "photos": [{"path": str(grey), "score": 0.0}]}
    elif fmt == "junit":
        root = ET.fromstring(r.stdout)
        failures = [f for f in root.iter("failure") if f.get("type") == "fail-under"]
        assert len(failures) == 1 and "under --fail-under 40" in failures[0].get("message")
    else:
        assert any(line.startswith("::error title=headshot-lint fail-under") for line in r.stdout.splitlines())


def test_fail_on_warning_fails_a_run_with_only_warnings(grey, tmp_path):
    """HL003 raises a warning only: exit 0 by default, 1 with --fail-on warning or the config key."""
    photo = tmp_path / "two.jpg"
    from tests.conftest import astronaut

    a = astronaut()
    Image.fromarray(np.concatenate([a, a], axis=1)).save(photo, quality=92)
    base = ("check", photo, "--select", "HL003", "--no-cache")
    first = invoke(*base, "--format", "json")
    assert [f["severity"] for f in json.loads(first.stdout)["photos"][0]["findings"]] == ["warning"]
    assert first.exit_code == 0
    assert invoke(*base, "--fail-on", "warning").exit_code == 1
    (tmp_path / "headshot-lint.toml").write_text('fail-on = "warning"\n', encoding="utf-8")
    assert invoke(*base).exit_code == 1
    assert invoke(*base, "--fail-on", "error").exit_code == 0


def test_concise_prints_one_line_per_finding(grey, tmp_path):
    r = invoke("check", grey, "--select", "HL002", "--format", "concise", "--no-cache")
    first = r.stdout.splitlines()[0]
    assert first.startswith(f"{grey}: HL002 no-face: No face could be found"), r.stdout


def test_quiet_prints_only_findings(grey, tmp_path):
    clean = tmp_path / "clean.png"
    Image.fromarray(np.full((300, 240, 3), 128, np.uint8)).save(clean)
    r = invoke("check", grey, clean, "--select", "HL001", "--quiet", "--no-cache")
    assert r.exit_code == 0 and r.stdout == "", r.stdout
    r = invoke("check", grey, "--select", "HL002", "-q", "--no-cache")
    assert "HL002" in r.stdout and "photo:" not in r.stdout and "photos:" not in r.stdout


def test_piped_text_is_neither_padded_nor_wrapped(tmp_path):
    """Not on a terminal: each finding on one line, whatever its length, no trailing spaces."""
    deep = tmp_path / ("a-rather-long-folder-name-" * 4)
    deep.mkdir()
    photo = deep / "grey.png"
    Image.fromarray(np.full((300, 240, 3), 128, np.uint8)).save(photo)
    r = invoke("check", photo, "--select", "HL002", "--no-cache")
    lines = r.stdout.splitlines()
    assert lines[0].startswith(str(photo)) and len(lines[0]) > 80
    assert any(line.lstrip().startswith("HL002 no-face") and "No face could be found, so" in line
               and line.rstrip().endswith("were skipped") for line in lines), r.stdout
    assert all(line == line.rstrip() for line in lines), [line for line in lines if line != line.rstrip()]


def test_text_shows_the_detail_and_the_verdict_in_the_words_csv_uses(grey, tmp_path):
    r = invoke("check", grey, "--select", "HL002", "--no-cache")
    assert "score 0/100 poor" in r.stdout and "faces detected: 0" in r.stdout
    csv = invoke("check", grey, "--select", "HL002", "--no-cache", "--format", "csv").stdout
    assert ",poor," in csv
    below = GOOD_FROM - 0.01
    assert score_text(below) == f"{math.floor(below)}/100 fair"  # rounded down, never a band it missed
    assert score_text(float(math.ceil(GOOD_FROM))) == f"{math.ceil(GOOD_FROM)}/100 good"


def test_a_config_glob_that_matches_nothing_is_warned_about(tmp_path):
    """Checking the configuration's whole folder: each dead glob is named. Checking one photo
    (as pre-commit does) says nothing about the others, so no warning then."""
    (tmp_path / "staff").mkdir()
    Image.fromarray(np.full((300, 240, 3), 128, np.uint8)).save(tmp_path / "staff" / "grey.png")
    (tmp_path / "headshot-lint.toml").write_text(
        'exclude = ["drafts/**"]\n[per-file-ignores]\n"staff/*.png" = ["HL301"]\n"board/*.jpg" = ["HL301"]\n',
        encoding="utf-8")
    r = invoke("check", tmp_path, "--select", "HL001", "--no-cache")
    assert "exclude glob 'drafts/**' matches no photo" in r.stderr
    assert "per-file-ignores glob 'board/*.jpg' matches no photo" in r.stderr
    assert "'staff/*.png'" not in r.stderr
    assert "relative to the configuration's folder" in r.stderr
    one = invoke("check", tmp_path / "staff" / "grey.png", "--select", "HL001", "--no-cache")
    assert one.exit_code == 0 and "matches no photo" not in one.stderr


def test_a_cache_folder_that_cannot_be_used_is_warned_about_and_the_run_goes_on(grey, tmp_path):
    """--cache-dir naming a file (or a folder below one): the run is checked as without a cache
    and stderr says results are not cached and why, once; a usable folder, --no-cache and
    --quiet say nothing. The file is left alone."""
    from headshot_lint.cache import unusable

    taken = tmp_path / "cache-file"
    taken.write_bytes(b"not a folder")
    for where in (taken, taken / "below"):
        r = invoke("check", grey, "--select", "HL001", "--cache-dir", where)
        assert r.exit_code == 0, r.output
        assert r.stderr.count("results are not cached") == 1 and f"{taken} is a file, not a folder" in r.stderr
    assert taken.read_bytes() == b"not a folder"
    for extra in (("--no-cache",), ("--quiet",)):
        assert "not cached" not in invoke("check", grey, "--select", "HL001", "--cache-dir", taken, *extra).stderr
    ok = invoke("check", grey, "--select", "HL001", "--cache-dir", tmp_path / "new" / "cache")
    assert "not cached" not in ok.stderr and (tmp_path / "new" / "cache").is_dir()
    assert unusable(tmp_path / "new" / "cache") is None and unusable(tmp_path / "elsewhere") is None
    (tmp_path / "dangling").symlink_to(tmp_path / "gone")
    assert "broken link" in unusable(tmp_path / "dangling" / "cache")
    if getattr(os, "geteuid", lambda: 0)() != 0:  # root writes anywhere
        locked = tmp_path / "locked"
        locked.mkdir(mode=0o500)
        assert "not writable" in unusable(locked / "cache")


@pytest.mark.skipif(os.name == "nt", reason="control characters are not allowed in Windows file names")
def test_control_characters_in_file_names_are_shown_not_obeyed(grey, tmp_path):
    """A file name carrying an ESC sequence, a tab or a newline is printed with escapes (as ls
    quotes it) by the text and concise reports and in messages: a name cannot colour, move or
    clear the user's terminal, nor split a one-line finding in two."""
    name = "x\x1b[2Jred\tnew\nline.png"
    (tmp_path / name).write_bytes(grey.read_bytes())
    shown = "x\\x1b[2Jred\\tnew\\nline.png"
    for fmt in ("concise", "text"):
        r = invoke("check", tmp_path, "--select", "HL002", "--no-cache", "--format", fmt)
        assert "\x1b" not in r.stdout and shown in r.stdout, r.stdout
    concise = invoke("check", tmp_path, "--select", "HL002", "--no-cache", "--format", "concise").stdout
    assert len([line for line in concise.splitlines() if "HL002" in line]) == 1
    missing = invoke("check", tmp_path / "gone\x1b[31m.png", "--no-cache")
    assert missing.exit_code == 2 and "\x1b" not in missing.stderr and "gone\\x1b[31m.png" in missing.stderr


def test_baseline_names_stale_entries(tmp_path, monkeypatch):
    """A recorded photo replaced (new bytes) or deleted is counted and named."""
    monkeypatch.chdir(tmp_path)
    for name in ("keep.png", "replace.png", "delete.png"):
        Image.fromarray(np.full((300, 240, 3), 100 + len(name), np.uint8)).save(name)
    assert invoke("check", ".", "--select", "HL002", "--write-baseline", "base.json", "--no-cache").exit_code == 0
    Image.fromarray(np.full((300, 240, 3), 30, np.uint8)).save("replace.png")
    os.unlink("delete.png")
    r = invoke("check", ".", "--select", "HL002", "--baseline", "base.json", "--no-cache")
    assert "2 stale baseline entries" in r.stderr, r.stderr
    assert "delete.png (deleted)" in r.stderr and "replace.png (replaced)" in r.stderr
    assert "keep.png" not in r.stderr.split("stale")[1]


def test_baseline_paths_are_relative_to_the_baseline_file(tmp_path, monkeypatch):
    """Written from one folder and read from another, the baseline still knows its photos:
    only the one really deleted is called stale."""
    (tmp_path / "photos").mkdir()
    (tmp_path / "ci").mkdir()
    for name in ("a.png", "b.png"):
        Image.fromarray(np.full((300, 240, 3), 100 + ord(name[0]), np.uint8)).save(tmp_path / "photos" / name)
    monkeypatch.chdir(tmp_path)
    assert invoke("check", "photos", "--select", "HL002", "--write-baseline", "ci/base.json",
                  "--no-cache").exit_code == 0
    doc = json.loads((tmp_path / "ci" / "base.json").read_text(encoding="utf-8"))
    assert sorted(p["path"] for p in doc["photos"]) == ["../photos/a.png", "../photos/b.png"]
    monkeypatch.chdir(tmp_path / "ci")
    r = invoke("check", "../photos", "--select", "HL002", "--baseline", "base.json", "--no-cache")
    assert r.exit_code == 0 and "stale" not in r.stderr, r.stderr
    os.unlink(tmp_path / "photos" / "b.png")
    monkeypatch.chdir(tmp_path / "photos")
    r = invoke("check", ".", "--select", "HL002", "--baseline", "../ci/base.json", "--no-cache")
    assert "1 stale baseline entry" in r.stderr and "b.png (deleted)" in r.stderr, r.stderr


def test_explain_suggests_the_closest_rule_names():
    r = invoke("explain", "busy")
    assert r.exit_code == 2
    assert "did you mean" in r.stderr and "busy-background" in r.stderr


def test_every_command_takes_its_exit_status_from_one_module():
    """No bare 'typer.Exit(2)': cli, fix, serve and the stdin spool share ExitCode."""
    import re
    from pathlib import Path

    import headshot_lint

    src = Path(headshot_lint.__file__).parent
    bare = [f"{p.relative_to(src)}: {m.group(0)}" for p in src.rglob("*.py")
            for m in re.finditer(r"(typer\.Exit|sys\.exit)\(\s*\d", p.read_text(encoding="utf-8"))]
    assert bare == []
