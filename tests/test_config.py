"""Configuration: found upward, validated with the file and key named, CLI over config."""

from __future__ import annotations

import pytest

from headshot_lint.config import Config, find_config, ignored_codes, load_config, resolve_rules
from headshot_lint.errors import ConfigError


def _write(path, text):
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


def test_found_from_the_checked_path_upward(tmp_path):
    """pyproject.toml with [tool.headshot-lint] two folders up is found; one without the table is not."""
    _write(tmp_path / "pyproject.toml", "[tool.headshot-lint]\nfail-under = 70\n")
    _write(tmp_path / "a" / "pyproject.toml", "[project]\nname = 'x'\n")
    (tmp_path / "a" / "b").mkdir()
    assert find_config(tmp_path / "a" / "b") == tmp_path / "pyproject.toml"
    _write(tmp_path / "a" / "headshot-lint.toml", "fail-under = 50\n")
    found = find_config(tmp_path / "a" / "b" / "x.jpg")
    assert found == tmp_path / "a" / "headshot-lint.toml" and load_config(found).fail_under == 50


def test_thresholds_select_and_cli_override(tmp_path):
    """Threshold overrides reach the rules; CLI --select replaces the config's select."""
    cfg = load_config(_write(tmp_path / "headshot-lint.toml",
                             'select = ["HL5"]\n[thresholds.HL501]\nwarning = 25\nerror = 14\n'))
    _, rules = resolve_rules(cfg)
    assert [r.code for r in rules] == ["HL501"] and rules[0].warning == 25 and rules[0].error == 14
    _, rules = resolve_rules(cfg, select=["HL001"])
    assert [r.code for r in rules] == ["HL001"]


def test_per_file_ignores(tmp_path):
    """A glob switches rules off for matching files only (relative to the config's folder)."""
    cfg = load_config(_write(tmp_path / "headshot-lint.toml", '[per-file-ignores]\n"board/*.jpg" = ["HL5"]\n'))
    _, rules = resolve_rules(cfg)
    assert ignored_codes(cfg, str(tmp_path / "board" / "a.jpg"), rules) == {"HL501"}
    assert ignored_codes(cfg, str(tmp_path / "staff" / "a.jpg"), rules) == frozenset()


@pytest.mark.parametrize("text, key", [
    ("colour = 1\n", "colour"),
    ("fail-under = 120\n", "fail-under"),
    ("select = 5\n", "select"),
    ("[thresholds.HL501]\nwarnin = 3\n", "thresholds.HL501.warnin"),
    ("[thresholds.HL501]\nwarning = 'high'\n", "thresholds.HL501.warning"),
    ("fail-under = \n", "not valid TOML"),
])
def test_bad_values_name_file_and_key(tmp_path, text, key):
    """Unknown keys and bad values raise ConfigError naming the file and the key."""
    path = _write(tmp_path / "headshot-lint.toml", text)
    with pytest.raises(ConfigError) as info:
        load_config(path)
    assert str(path) in str(info.value) and key in str(info.value)


@pytest.mark.parametrize("text, hint", [
    ("selct = ['HL1']\n", "did you mean 'select'?"),
    ("[thresholds.HL501]\nwarnin = 3\n", "did you mean 'warning'?"),
    ("colour = 1\n", "(known: "),
])
def test_a_misspelt_key_is_answered_with_the_closest_one(tmp_path, text, hint):
    """A typo in the configuration names the key it probably meant; a key like none says what is known."""
    with pytest.raises(ConfigError) as info:
        load_config(_write(tmp_path / "headshot-lint.toml", text))
    assert hint in str(info.value)
    assert "did you mean" not in str(info.value) or "colour" not in text


def test_unknown_rule_in_config(tmp_path):
    """A threshold for a rule that does not exist names the file and key."""
    cfg = load_config(_write(tmp_path / "headshot-lint.toml", "[thresholds.HL999]\nwarning = 1\n"))
    with pytest.raises(ConfigError, match="thresholds.HL999"):
        resolve_rules(cfg)


def test_fingerprint_changes_with_thresholds():
    """The config fingerprint (part of the cache key) changes when a threshold does."""
    a = Config(thresholds={"HL501": {"warning": 25.0}})
    b = Config(thresholds={"HL501": {"warning": 26.0}})
    assert a.fingerprint() != b.fingerprint() and a.fingerprint() == Config(thresholds={"HL501": {"warning": 25.0}}).fingerprint()


def test_pack_path_is_relative_to_the_config_and_can_extend(tmp_path):
    """pack = "packs/team.toml" resolves next to the config; the pack extends a built-in one."""
    _write(tmp_path / "packs" / "team.toml", 'name = "team"\nextends = "strict"\n[thresholds.HL501]\nwarning = 30\n')
    cfg = load_config(_write(tmp_path / "pyproject.toml", '[tool.headshot-lint]\npack = "packs/team.toml"\n'))
    pack, rules = resolve_rules(cfg)
    assert pack.name == "team" and next(r for r in rules if r.code == "HL501").warning == 30
