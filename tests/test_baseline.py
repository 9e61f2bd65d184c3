"""A baseline hides the findings a collection already had, matched by photo bytes."""

from __future__ import annotations

import json
import re
import shutil

import numpy as np
import pytest
from PIL import Image
from typer.testing import CliRunner

from headshot_lint import baseline
from headshot_lint.cli import app
from headshot_lint.errors import ConfigError
from headshot_lint.model import Finding, Fix, Report

runner = CliRunner()
SHA_A, SHA_B = "a" * 64, "b" * 64


def _report(path: str, *codes: str, score: float = 40.0) -> Report:
    return Report(path=path, score=score, scores={}, findings=tuple(
        Finding(code=c, rule=c.lower(), severity="warning", score=20.0, value=1.0, unit="", threshold=0.5,
                message="m", fix=Fix(title="t", action="", safety="none"), values={}, regions=())
        for c in codes))


def _load(tmp_path, *records) -> baseline.Baseline:
    f = tmp_path / "b.json"
    f.write_text(baseline.render(records), encoding="utf-8")
    return baseline.load(f)


def test_render_and_load_round_trip_keeps_only_photos_with_findings(tmp_path):
    b = _load(tmp_path, baseline.record(_report("x.jpg", "HL501", "HL101"), SHA_A),
              baseline.record(_report("clean.jpg"), SHA_B), baseline.record(_report("gone.jpg", "HL001"), None))
    assert set(b.entries) == {SHA_A}
    assert b.entries[SHA_A].codes == {"HL101", "HL501"} and b.entries[SHA_A].score == 40.0


def test_apply_hides_recorded_codes_for_the_same_bytes_only(tmp_path):
    b = _load(tmp_path, baseline.record(_report("x.jpg", "HL501"), SHA_A))
    tally = baseline.Tally()
    same = baseline.apply(b, _report("moved/y.jpg", "HL501", "HL401"), SHA_A, tally)
    assert [f.code for f in same.findings] == ["HL401"]  # a new problem in an old photo still counts
    assert [f.code for f in same.baselined] == ["HL501"] and same.baselined_codes == ("HL501",)
    assert (tally.hidden, tally.photos) == (1, 1)
    other = _report("x.jpg", "HL501")
    assert baseline.apply(b, other, SHA_B) is other  # replaced photo: new bytes, no entry
    fixed = baseline.apply(b, _report("x.jpg"), SHA_A, tally)
    assert fixed.findings == () and tally.gone == 1


def test_fail_under_is_spared_only_while_the_score_does_not_drop(tmp_path):
    b = _load(tmp_path, baseline.record(_report("x.jpg", "HL501", score=40.0), SHA_A))
    assert baseline.spares_score(b, _report("x.jpg", score=40.0), SHA_A)
    assert not baseline.spares_score(b, _report("x.jpg", score=30.0), SHA_A)
    assert not baseline.spares_score(b, _report("x.jpg", score=40.0), SHA_B)


@pytest.mark.parametrize("text, needle", [
    ("{not json", "not a readable baseline"),
    ('{"schema": "other", "photos": []}', "not a headshot-lint baseline"),
    ('{"schema": "headshot-lint-baseline/1", "photos": [{"sha256": "zz", "codes": []}]}', "photos[0]"),
])
def test_a_malformed_baseline_is_an_error_naming_the_file(tmp_path, text, needle):
    f = tmp_path / "bad.json"
    f.write_text(text, encoding="utf-8")
    with pytest.raises(ConfigError, match=re.escape(needle)) as err:
        baseline.load(f)
    assert str(f) in str(err.value)
    with pytest.raises(ConfigError, match="not found"):
        baseline.load(tmp_path / "missing.json")


def _grey(path, level: int) -> None:
    Image.fromarray(np.full((300, 240, 3), level, np.uint8)).save(path)


def _check(*args: str):
    return runner.invoke(app, ["check", *args, "--select", "HL0", "--no-cache", "--jobs", "1", "--timeout", "0"])


def test_cli_adopts_a_collection_then_fails_only_on_new_photos(tmp_path, monkeypatch):
    """--write-baseline exits 0; with --baseline (or the config key) old photos pass, renamed
    ones too, and a new photo with the same problem fails."""
    monkeypatch.chdir(tmp_path)
    (tmp_path / "staff").mkdir()
    _grey(tmp_path / "staff" / "old.png", 128)  # no face: HL002 at error severity
    r = _check("staff", "--write-baseline", "bl.json")
    assert r.exit_code == 0, r.output
    assert "1 finding(s) on 1 photo(s)" in " ".join(r.output.split())
    assert _check("staff").exit_code == 1  # without the baseline it still fails
    r = _check("staff", "--baseline", "bl.json", "--fail-under", "50")
    assert r.exit_code == 0, r.output
    assert "1 clean (1 only through the baseline)" in " ".join(r.output.split())
    shutil.move(tmp_path / "staff" / "old.png", tmp_path / "staff" / "renamed.png")
    r = _check("staff", "--baseline", "bl.json", "--format", "json")
    assert r.exit_code == 0, r.output
    (doc,) = json.loads(r.stdout)["photos"]
    assert doc["findings"] == [] and doc["baselined"] == ["HL002"]
    r = _check("staff", "--baseline", "bl.json", "--format", "sarif")
    (result,) = json.loads(r.stdout)["runs"][0]["results"]  # kept, marked suppressed: not "fixed"
    assert r.exit_code == 0 and result["ruleId"] == "HL002"
    assert [(s["kind"], s["status"]) for s in result["suppressions"]] == [("external", "accepted")]
    _grey(tmp_path / "staff" / "new.png", 127)  # the same problem, new bytes
    (tmp_path / "headshot-lint.toml").write_text('baseline = "bl.json"\n', encoding="utf-8")
    r = _check("staff", "--format", "json")
    assert r.exit_code == 1, r.output
    docs = {d["path"].split("/")[-1]: d for d in json.loads(r.stdout)["photos"]}
    assert [f["code"] for f in docs["new.png"]["findings"]] == ["HL002"]
    assert docs["renamed.png"]["findings"] == []


def test_cli_bad_baseline_exits_2(tmp_path):
    (tmp_path / "b.json").write_text("[]", encoding="utf-8")
    _grey(tmp_path / "a.png", 128)
    r = _check(str(tmp_path / "a.png"), "--baseline", str(tmp_path / "b.json"))
    assert r.exit_code == 2 and "not a headshot-lint baseline" in " ".join(r.output.split()), r.output
