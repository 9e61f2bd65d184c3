"""Rule files and packs: validation names the file and field; selection; mapping."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from headshot_lint.errors import RulePackError
from headshot_lint.rules import HIGHER_IS_WORSE, load_pack, load_rule, rules_dir

_DOC = ("what", "why", "known_problems", "example_bad", "example_good", "fix_safety")


def test_every_builtin_rule_is_documented_and_consistent():
    """Each rule has all doc sections, a fix title, and scores that fall as values worsen."""
    pack = load_pack("default")
    assert len(pack.rules) >= 5
    codes = [r.code for r in pack.rules]
    assert len(codes) == len(set(codes))
    for rule in pack.rules:
        assert all(rule.doc[k].strip() for k in _DOC), rule.code
        assert rule.fix_title.strip(), rule.code
        th = next(t for t in (rule.warning, rule.error, rule.info) if t is not None)
        good, bad = (th - 1, th + 1) if rule.direction == HIGHER_IS_WORSE else (th + 1, th - 1)
        assert rule.score(good) >= rule.score(bad), rule.code
        assert rule.severity_of(bad) is not None and rule.severity_of(good) is None, rule.code


def test_rule_file_names_match_their_code_and_name():
    """`rules/HL501-small-size-contrast.toml` holds HL501 small-size-contrast."""
    for path in rules_dir().glob("HL*.toml"):
        rule = load_rule(path)
        assert path.stem == f"{rule.code}-{rule.name}"


def _copy_rule(tmp_path: Path, text_edit) -> Path:
    src = rules_dir() / "HL501-small-size-contrast.toml"
    dst = tmp_path / src.name
    dst.write_text(text_edit(src.read_text(encoding="utf-8")), encoding="utf-8")
    return dst


@pytest.mark.parametrize("edit, field", [
    (lambda s: s.replace('code = "HL501"', 'code = "X1"'), "code"),
    (lambda s: s.replace('name = "small-size-contrast"', 'name = "Small Size"'), "name"),
    (lambda s: s.replace('direction = "lower-is-worse"', 'direction = "down"'), "direction"),
    (lambda s: s.replace('summary = ', 'summary_x = '), "summary"),
    (lambda s: re.sub(r"(?m)^warning = .*$", 'warning = "twenty"', s), "thresholds.warning"),
    (lambda s: re.sub(r"(?m)^(x0 = .*)$", "\\1\nbogus = 1", s), "quality.bogus"),
    (lambda s: s.replace('s = 1\n', 's = -1\n'), "quality"),
    (lambda s: s.replace('safety = "retouch"', 'safety = "maybe"'), "fix.safety"),
    (lambda s: s.replace('why = ', 'why_not = '), "doc.why"),
    (lambda s: re.sub(r"(?m)^(warning = .*)$", "\\1\nerror = 99.0", s), "thresholds.error"),
    (lambda s: 'surprise = 1\n' + s, "surprise"),
    (lambda s: s + '\nsurprise = 1\n', "doc.surprise"),
])
def test_malformed_rule_names_file_and_field(tmp_path, edit, field):
    """A malformed rule file raises RulePackError naming the file and the field."""
    path = _copy_rule(tmp_path, edit)
    with pytest.raises(RulePackError) as err:
        load_rule(path)
    assert str(path) in str(err.value)
    assert field in str(err.value)


def test_invalid_toml_names_file(tmp_path):
    """Broken TOML syntax is reported with the file name."""
    path = _copy_rule(tmp_path, lambda s: s + "\n[[[")
    with pytest.raises(RulePackError, match="not valid TOML"):
        load_rule(path)


def test_strict_pack_tightens_thresholds():
    """The strict pack raises the contrast bar above the default's, and adds the error level
    the default leaves out (official directories fail a face that melts at 32 px)."""
    default, strict = load_pack("default"), load_pack("strict")
    d, s = default.find("HL501"), strict.find("small-size-contrast")
    assert s.warning > d.warning and d.error is None and s.error is not None and s.error < s.warning
    assert set(default.selected) <= set(strict.selected)


def test_strict_pack_stays_on_the_scale_of_the_calibrated_thresholds():
    """Every strict override moves a threshold by less than 2x toward the bad side (a value
    whose unit changed since the override was written would be off by orders of magnitude)."""
    from headshot_lint.rules import HIGHER_IS_WORSE

    default, strict = load_pack("default"), load_pack("strict")
    moved = 0
    for rule in strict.rules:
        base = default.find(rule.code)
        for level in ("warning", "error"):
            old, new = getattr(base, level), getattr(rule, level)
            if old is None or new is None or old == new:
                continue
            moved += 1
            stricter = new < old if rule.direction == HIGHER_IS_WORSE else new > old
            assert stricter, (rule.code, level, old, new)
            assert 0.5 <= abs(new) / abs(old) <= 2.0, (rule.code, level, old, new)
    assert moved >= 2


def test_selection_by_prefix_name_and_ignore():
    """--select takes prefixes and names; --ignore removes; unknown keys are errors."""
    pack = load_pack()
    assert {r.code for r in pack.select(["HL0"])} == {"HL001", "HL002", "HL003", "HL004"}
    assert [r.name for r in pack.select(["small-size-contrast"])] == ["small-size-contrast"]
    assert "HL002" not in {r.code for r in pack.select(["HL0"], ["no-face"])}
    with pytest.raises(RulePackError, match="unknown rule"):
        pack.select(["HL999"])


def test_company_pack_extends_default_with_its_own_rules(tmp_path):
    """A pack file can extend a built-in pack, add a rules folder and override thresholds."""
    extra = tmp_path / "company_rules"
    extra.mkdir()
    src = rules_dir() / "HL501-small-size-contrast.toml"
    text = src.read_text(encoding="utf-8").replace("HL501", "HL901").replace(
        'name = "small-size-contrast"', 'name = "company-contrast"')
    (extra / "HL901-company-contrast.toml").write_text(text, encoding="utf-8")
    pack_file = tmp_path / "company.toml"
    pack_file.write_text('name = "company"\nextends = "default"\nrules_dirs = ["company_rules"]\n'
                         '[thresholds.HL501]\nwarning = 30.0\n', encoding="utf-8")
    pack = load_pack(str(pack_file))
    assert pack.find("HL901") is not None and "HL901" in pack.selected
    assert pack.find("HL501").warning == 30.0


def test_unknown_pack_lists_builtins():
    """Asking for a pack that does not exist says which exist."""
    with pytest.raises(RulePackError, match="default"):
        load_pack("nonexistent")


def test_sigmoid_mapping_matches_ofiq_formula():
    """Q = h (a + s sigmoid(x; x0, w)) clamped to [0, 100], as OFIQ's Measure.h."""
    import math

    rule = load_pack().find("HL501")
    p = rule.quality.params
    for x in (0.0, 10.0, 16.0, 40.0):
        expected = p["h"] * (p["a"] + p["s"] / (1 + math.exp((p["x0"] - x) / p["w"])))
        assert rule.score(x) == pytest.approx(min(100, max(0, expected)))


def _company_pack(tmp_path: Path, text_edit, overrides: str = "") -> Path:
    """A pack extending the default with one edited copy of HL501 as HL901."""
    extra = tmp_path / "company_rules"
    extra.mkdir()
    src = rules_dir() / "HL501-small-size-contrast.toml"
    text = src.read_text(encoding="utf-8").replace("HL501", "HL901").replace(
        'name = "small-size-contrast"', 'name = "company-contrast"')
    (extra / "HL901-company-contrast.toml").write_text(text_edit(text), encoding="utf-8")
    pack_file = tmp_path / "company.toml"
    pack_file.write_text('name = "company"\nextends = "default"\nrules_dirs = ["company_rules"]\n' + overrides,
                         encoding="utf-8")
    return pack_file


@pytest.mark.parametrize("edit, field, hint", [
    (lambda s: s.replace('value = "stands_out"', 'value = "stand_out"'), "'value'", "stands_out"),
    (lambda s: s.replace('measure = "small_size_contrast"', 'measure = "small_size_contrst"'), "'measure'",
     "small_size_contrast"),
    (lambda s: s.replace("{recommended_name}", "{recomended_name}", 1), "'fix_title'", "recommended_name"),
    (lambda s: re.sub(r'(?m)^message = "', 'message = "{delta_l_64} ', s), "'message'", None),
    (lambda s: s.replace('params = ["recommended_hex"', 'params = ["recommended_hx"'), "'fix.params'",
     "recommended_hex"),
])
def test_rule_that_breaks_its_measures_contract_fails_at_load(tmp_path, edit, field, hint):
    """A typo in measure, value, a fix parameter or a template field stops the pack from loading,
    naming the file and field (it used to load and then skip the rule, or fail, on every photo)."""
    pack_file = _company_pack(tmp_path, edit)
    with pytest.raises(RulePackError) as err:
        load_pack(str(pack_file))
    text = str(err.value)
    assert "HL901-company-contrast.toml" in text and field in text, text
    if hint:
        assert f"did you mean {hint!r}" in text, text


def test_unit_comes_from_the_measure_declaration(tmp_path):
    """The unit is written once, in the measure's declaration; a rule file restating it is refused."""
    from headshot_lint.measures import specs

    for rule in load_pack("default").rules:
        if rule.measure != "load":
            assert rule.unit == specs()[rule.measure].units[rule.value], rule.code
    pack_file = _company_pack(tmp_path, lambda s: 'unit = "ratio"\n' + s)
    with pytest.raises(RulePackError, match="'unit' is not read"):
        load_pack(str(pack_file))


@pytest.mark.parametrize("levels", ["warning = 1.0\nerror = 2.0\n", "error = 5.0\n"])
def test_inverted_threshold_override_is_refused(tmp_path, levels):
    """HL501 (lower is worse) with its error threshold above the warning one would make the
    warning band unreachable: a pack override that does so is refused, naming the pack."""
    pack_file = _company_pack(tmp_path, lambda s: s, "[thresholds.HL501]\n" + levels)
    with pytest.raises(RulePackError) as err:
        load_pack(str(pack_file))
    assert str(pack_file) in str(err.value) and "thresholds.error" in str(err.value)


def test_inverted_threshold_override_in_configuration_is_refused(tmp_path):
    """The same check holds for `[tool.headshot-lint.thresholds]` in a configuration file."""
    from headshot_lint.config import load_config, resolve_rules
    from headshot_lint.errors import ConfigError

    cfg = tmp_path / "headshot-lint.toml"
    cfg.write_text("[thresholds.HL501]\nwarning = 1.0\nerror = 2.0\n", encoding="utf-8")
    with pytest.raises(ConfigError) as err:
        resolve_rules(load_config(cfg))
    assert str(cfg) in str(err.value)


def test_every_measure_reports_only_what_it_declares():
    """Audited with every rule, each measure's values carry the declared units and no
    undeclared key slips through (``measures.call`` raises on one)."""
    from skimage import data

    from headshot_lint import audit
    from headshot_lint.measures import specs

    report = audit(data.astronaut(), pack="strict", select=["ALL"])
    assert report.measurements
    for name, m in report.measurements.items():
        assert set(m.units) == set(m.values), name
        assert set(m.values) <= set(specs()[name].units), name
        assert set(m.details) <= specs()[name].details, name


@pytest.mark.parametrize("key, selects, names", [
    ("HL501", True, True), ("hl501", True, True), ("HL5", True, False), ("hl", True, False),
    ("ALL", True, False), ("all", True, False), ("small-size-contrast", True, True),
    ("Small-Size-Contrast", True, True), ("HL50", True, False), ("HL4", False, False), ("small", False, False),
    ("H", False, False), ("5", False, False),
])
def test_selector_reads_a_key_the_same_everywhere(key, selects, names):
    """One reading of a rule key: codes, prefixes, names and aliases, whatever the case."""
    from headshot_lint.rules import Selector

    assert Selector(key).selects("HL501", "small-size-contrast", ("low-contrast",)) is selects
    assert Selector(key).names("HL501", "small-size-contrast", ("low-contrast",)) is names


def test_selector_is_shared_by_selection_fix_only_and_per_file_ignores(tmp_path):
    """--select, fix --only and per-file-ignores agree on the same keys (they used to differ in
    case and prefix handling)."""
    from headshot_lint.config import Config, ignored_codes
    from headshot_lint.fix.plan import _selected
    from headshot_lint.model import Finding

    pack = load_pack("default")
    for key in ("hl5", "Small-Size-Contrast", "HL501"):
        chosen = {r.code for r in pack.select([key])}
        assert chosen == {"HL501"}, key
        finding = Finding(code="HL501", rule="small-size-contrast", severity="warning", score=50.0, value=1.0,
                          unit="ratio", threshold=1.2, message="m", fix=None)
        assert _selected(finding, [key]), key
        cfg = Config(source=str(tmp_path / "h.toml"), root=str(tmp_path), per_file_ignores={"*.jpg": (key,)})
        assert ignored_codes(cfg, str(tmp_path / "a.jpg"), pack.rules) == frozenset({"HL501"}), key


@pytest.mark.parametrize("key, meant", [
    ("HL10l", "HL101"),  # a letter l for the digit 1
    ("HL5O1", "HL501"),  # a letter O for the digit 0
    ("bussy-background", "busy-background"),
    ("camuflage", "clothing-camouflage"),
    ("zzz", None),
])
def test_a_mistyped_selector_is_answered_with_the_rule_it_probably_meant(key, meant):
    pack = load_pack("default")
    with pytest.raises(RulePackError) as err:
        pack.select([key])
    assert (f"did you mean {meant!r}?" in str(err.value)) if meant else ("did you mean" not in str(err.value))
    with pytest.raises(RulePackError):
        pack.select(None, [key])  # --ignore too


@pytest.mark.parametrize("key, meant", [("HL10l", "HL101"), ("busy", "busy-background"), ("bussy", "busy-background"),
                                        ("camuflage", "clothing-camouflage"), ("backlt", "backlit-subject")])
def test_explain_and_select_suggest_the_same_rule(key, meant):
    """One suggestion for a mistyped rule, whichever command was given it: explain's first
    suggestion is what --select answers."""
    pack = load_pack("default")
    assert pack.closest(key)[0] == meant
    with pytest.raises(RulePackError, match=f"did you mean {meant!r}"):
        pack.select([key])
