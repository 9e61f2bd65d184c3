"""Every labelled fixture class triggers the rules its labels name, and the clean studio
classes trigger none of the background rules (for the rules that exist: this grows as
rules land). Generated photos only; ids like ``HL501-skin-tone-bg-seed5``."""

from __future__ import annotations

import pytest

from benchmarks._evaluation import LABEL_RULES, derived_labels
from fixtures.generate import CLASSES, generate
from headshot_lint import audit
from headshot_lint.rules import load_pack

SEED = 5
_PACK = load_pack("default")
_RULES = _PACK.select(["ALL"])
_EXISTING = {r.name for r in _RULES}
#: Input rules are not about the background; a clean fixture may not fail anything else.
_INPUT = {r.name for r in load_pack("default").rules if r.input_check}


@pytest.fixture(scope="module")
def reports(tmp_path_factory):
    out = tmp_path_factory.mktemp("fixtures")
    cases = generate(out, seed=SEED)
    return {c.name.rsplit(f"-s{SEED}", 1)[0]: (c, audit(c.path, rules=_RULES)) for c in cases}


def _expected(labels: dict) -> set:
    labels = {**labels, **derived_labels({k: str(v) for k, v in labels.items()})}
    return {rule for label, rules in LABEL_RULES.items() if str(labels.get(label)) == "1"
            for rule in rules if rule in _EXISTING}


@pytest.mark.parametrize("cls", sorted(CLASSES))
def test_fixture_triggers_the_rules_its_labels_name(reports, cls):
    """A fixture labelled e.g. low_contrast = 1 gets a small-size-contrast finding."""
    case, report = reports[cls]
    flagged = {f.rule for f in report.findings}
    missing = _expected(case.labels) - flagged
    details = {f.rule: f.value for f in report.findings}
    assert not missing, f"{case.path.name}: expected {sorted(missing)}, got {details}"


@pytest.mark.parametrize("cls", ["studio-clean", "studio-offwhite"])
def test_clean_studio_triggers_no_background_rule(reports, cls):
    """A plain studio backdrop (verdict good) has no warning or error."""
    case, report = reports[cls]
    bad = {f.rule: (f.value, f.threshold) for f in report.findings
           if f.severity in ("warning", "error") and f.rule not in _INPUT}
    assert not bad, f"{case.path.name}: {bad}"
