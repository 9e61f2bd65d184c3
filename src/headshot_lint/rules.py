"""Rule packs: rules as documented data in ``rules/*.toml``.

A rule file names the measure it reads, how the native value maps to a 0-100
quality, its warning/error thresholds, its message, fix and documentation. A pack
(``rules/packs/<name>.toml``) selects rules and may override thresholds. Every
default of the schema lives here, in one place.

Quality mapping (OFIQ, ISO/IEC 29794-5 ``Measure.h``)::

    sigmoid(x; x0, w) = 1 / (1 + exp((x0 - x) / w))
    Q = h * (a + s * sigmoid(x; x0, w)), clamped to [0, 100]

with ``s = -1, a = 1`` for a value where higher is worse. ``mapping = "step"``
gives ``pass``/``warning``/``error`` qualities for counts (faces).
"""

from __future__ import annotations

import difflib
import math
import re
import string
from collections import Counter
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any, Iterable, Mapping, Sequence

from ._toml import read_toml
from .errors import RulePackError

HIGHER_IS_WORSE = "higher-is-worse"
LOWER_IS_WORSE = "lower-is-worse"
_CODE = re.compile(r"^HL\d{3}$")
#: Code group of the input checks (see :attr:`Rule.input_check`).
INPUT_GROUP = "HL0"
_CODE_PREFIX = re.compile(r"^HL\d{0,3}$")
_NAME = re.compile(r"^[a-z][a-z0-9]*(-[a-z0-9]+)*$")
_DOC_KEYS = ("what", "why", "known_problems", "example_bad", "example_good", "fix_safety")
_SIGMOID_DEFAULTS = {"h": 100.0, "a": 0.0, "s": 1.0, "x0": 0.0, "w": 1.0}
_STEP_DEFAULTS = {"pass": 100.0, "info": 90.0, "warning": 60.0, "error": 20.0}
_FIX_SAFETY = ("safe", "retouch", "none")
#: Placeholders any template may use; the measure's declared value and detail keys are added.
_MESSAGE_FIELDS = frozenset({"value", "threshold", "to_pass", "unit", "severity"})
_TOP_KEYS = {"code", "name", "summary", "measure", "value", "direction", "aliases", "message", "detail", "data",
             "fix_title", "thresholds", "quality", "fix", "doc", "calibration", "default"}
#: The measure name of rules the engine emits itself when a file cannot be read, with the
#: value and the fields its templates may use.
LOAD_MEASURE = "load"
_LOAD_CONTRACT = ({"unreadable": ""}, frozenset({"reason", "kind", "problem", "advice"}))


@dataclass(frozen=True)
class Quality:
    """Mapping from a native value to a 0-100 quality."""

    mapping: str  #: "sigmoid" or "step"
    params: Mapping[str, float]  #: sigmoid h, a, s, x0, w; or step pass, warning, error


@dataclass(frozen=True)
class FixSpec:
    """The fix a rule proposes: an action kind and the measure details it reads."""

    action: str  #: e.g. "replace-background"; "" for advice only
    safety: str  #: "safe" (adjusts), "retouch" (changes what the photo shows), "none" (advice)
    params: tuple[str, ...] = ()  #: measurement value/detail keys passed to the action


@dataclass(frozen=True)
class Rule:
    """One rule, as loaded and validated from its TOML file."""

    code: str  #: stable code, e.g. "HL501"; never reused
    name: str  #: kebab-case name of the problem, e.g. "small-size-contrast"
    summary: str  #: one line, for lists
    measure: str  #: measure name it reads ("" for rules the engine emits itself)
    value: str  #: key of the measurement value it judges
    direction: str  #: HIGHER_IS_WORSE or LOWER_IS_WORSE
    warning: float | None  #: threshold for a warning (inclusive on the bad side)
    error: float | None  #: threshold for an error (inclusive on the bad side)
    info: float | None  #: threshold for a note-level finding that never fails a run
    quality: Quality
    message: str  #: template, person first: {value}, {threshold}, {to_pass}, {unit}, {severity} and measurement keys
    fix_title: str  #: template for the fix sentence
    fix: FixSpec
    doc: Mapping[str, str]  #: what, why, known_problems, example_bad, example_good, fix_safety
    aliases: tuple[str, ...] = ()  #: former codes or names
    enabled_by_default: bool = True  #: selected when a pack says nothing
    calibration: str = ""  #: where the thresholds came from (figures of the calibration run)
    source: str = ""  #: the file it was loaded from
    detail: str = ""  #: template of the quieter second part: the measured value against the threshold
    unit: str = ""  #: unit of the judged value, from the measure's declaration (set by ``load_pack``)
    data: tuple[str, ...] = ()  #: fitted files its judgement reads (heads, weights), relative to the rules folder

    @property
    def group(self) -> str:
        """Code prefix of the rule's group, e.g. "HL5" for "HL501"."""
        return self.code[:3]

    @property
    def input_check(self) -> bool:
        """Whether the rule checks the input (readable, one upright face: the ``HL0xx``
        group) rather than judging the background; the overall score counts an input
        check only when it fails."""
        return self.group == INPUT_GROUP

    def severity_of(self, value: float) -> str | None:
        """'error', 'warning' or None for a native value."""
        for level, threshold in (("error", self.error), ("warning", self.warning), ("info", self.info)):
            if threshold is not None and _crosses(value, threshold, self.direction):
                return level
        return None

    def score(self, value: float) -> float:
        """Quality in [0, 100] of a native value (see module docstring)."""
        p = self.quality.params
        if self.quality.mapping == "step":
            sev = self.severity_of(value)
            return float(p[sev] if sev else p["pass"])
        z = (p["x0"] - value) / p["w"]
        sig = 0.0 if z > 700 else 1.0 / (1.0 + math.exp(z))
        return float(min(100.0, max(0.0, p["h"] * (p["a"] + p["s"] * sig))))

    def with_thresholds(self, warning: float | None = None, error: float | None = None,
                        info: float | None = None, *, where: str = "") -> "Rule":
        """A copy with overridden thresholds (from a pack or a configuration), validated
        like the rule file's own: an error threshold on the good side of the warning
        threshold would make the warning band unreachable. ``where`` names the overriding
        file in the error."""
        rule = replace(self, warning=self.warning if warning is None else float(warning),
                       error=self.error if error is None else float(error),
                       info=self.info if info is None else float(info))
        _check_order(rule.warning, rule.error, rule.direction, where or self.source,
                     f" (overriding {self.code})" if where else "")
        return rule


def _crosses(value: float, threshold: float, direction: str) -> bool:
    return value >= threshold if direction == HIGHER_IS_WORSE else value <= threshold


def rules_dir() -> Path:
    """The built-in rules folder: shipped in the wheel, or the checkout's ``rules/``."""
    packaged = Path(__file__).resolve().parent / "rules"
    if packaged.is_dir():
        return packaged
    checkout = Path(__file__).resolve().parents[2] / "rules"
    if checkout.is_dir():
        return checkout
    raise RulePackError(f"built-in rules not found in {packaged} or {checkout}")


def load_rule(path: Path) -> Rule:
    """Load and validate one rule file; errors name the file and the field."""
    data = _read_toml(path)
    where = str(path)

    def req(table: Mapping[str, Any], key: str, kind: type, prefix: str = "") -> Any:
        if key not in table:
            raise RulePackError(f"{where}: missing field '{prefix}{key}'")
        v = table[key]
        if kind is float and isinstance(v, int) and not isinstance(v, bool):
            v = float(v)
        if not isinstance(v, kind):
            raise RulePackError(f"{where}: field '{prefix}{key}' must be {kind.__name__}, got {type(v).__name__}")
        return v

    unknown = set(data) - _TOP_KEYS
    if "unit" in unknown:
        raise RulePackError(f"{where}: field 'unit' is not read: the unit comes from the measure's "
                            f"declaration (remove the line)")
    if unknown:
        raise RulePackError(f"{where}: unknown field '{sorted(unknown)[0]}'")
    code, name = req(data, "code", str), req(data, "name", str)
    if not _CODE.match(code):
        raise RulePackError(f"{where}: field 'code' must look like HL101, got {code!r}")
    if not _NAME.match(name):
        raise RulePackError(f"{where}: field 'name' must be kebab-case, got {name!r}")
    direction = req(data, "direction", str)
    if direction not in (HIGHER_IS_WORSE, LOWER_IS_WORSE):
        raise RulePackError(f"{where}: field 'direction' must be {HIGHER_IS_WORSE!r} or {LOWER_IS_WORSE!r}")
    th = req(data, "thresholds", dict)
    unknown_th = set(th) - {"warning", "error", "info"}
    if unknown_th:
        raise RulePackError(f"{where}: unknown field 'thresholds.{sorted(unknown_th)[0]}'")
    warning = _opt_float(th, "warning", where, "thresholds.")
    error = _opt_float(th, "error", where, "thresholds.")
    info = _opt_float(th, "info", where, "thresholds.")
    if warning is None and error is None and info is None:
        raise RulePackError(f"{where}: field 'thresholds' needs 'warning', 'error' or 'info'")
    _check_order(warning, error, direction, where)
    quality = _quality(req(data, "quality", dict), where)
    doc = req(data, "doc", dict)
    for key in _DOC_KEYS:
        req(doc, key, str, "doc.")
    if set(doc) - set(_DOC_KEYS):
        raise RulePackError(f"{where}: unknown field 'doc.{sorted(set(doc) - set(_DOC_KEYS))[0]}'")
    fix_table = req(data, "fix", dict)
    safety = req(fix_table, "safety", str, "fix.")
    if safety not in _FIX_SAFETY:
        raise RulePackError(f"{where}: field 'fix.safety' must be one of {_FIX_SAFETY}, got {safety!r}")
    params = fix_table.get("params", [])
    if not isinstance(params, list) or not all(isinstance(p, str) for p in params):
        raise RulePackError(f"{where}: field 'fix.params' must be a list of strings")
    message, fix_title = req(data, "message", str), req(data, "fix_title", str)
    detail = req(data, "detail", str) if "detail" in data else ""
    for key, template in (("message", message), ("detail", detail), ("fix_title", fix_title)):
        _check_template(template, where, key)
    files = data.get("data", [])
    if not isinstance(files, list) or not all(isinstance(f, str) for f in files):
        raise RulePackError(f"{where}: field 'data' must be a list of file names")
    aliases = data.get("aliases", [])
    if not isinstance(aliases, list):
        raise RulePackError(f"{where}: field 'aliases' must be a list")
    rule = Rule(
        code=code, name=name, summary=req(data, "summary", str), measure=req(data, "measure", str),
        value=req(data, "value", str), direction=direction, detail=detail,
        warning=warning, error=error, info=info, quality=quality, message=message, fix_title=fix_title,
        fix=FixSpec(action=str(fix_table.get("action", "")), safety=safety, params=tuple(params)),
        doc={k: str(doc[k]) for k in doc}, aliases=tuple(str(a) for a in aliases),
        enabled_by_default=bool(data.get("default", True)), calibration=str(data.get("calibration", "")),
        source=where, data=tuple(files),
    )
    if quality.mapping == "sigmoid":
        _check_monotonic(rule, where)
    return rule


def _check_order(warning: float | None, error: float | None, direction: str, where: str, what: str = "") -> None:
    if warning is not None and error is not None and _crosses(warning, error, direction) and warning != error:
        raise RulePackError(f"{where}: field 'thresholds.error' must be beyond 'thresholds.warning' "
                            f"({direction}){what}")


def bind(rule: Rule) -> Rule:
    """``rule`` checked against its measure's declared contract, with the unit filled in.

    Fails naming the rule file and field when the measure does not exist, the value is
    not one it reports, or a fix parameter or template placeholder names a key it never
    gives: a typo must stop the run at load, not skip the rule on every photo.
    """
    if rule.measure == LOAD_MEASURE:
        units, details = _LOAD_CONTRACT
        files: tuple[str, ...] = ()
    else:
        from .measures import specs  # the measure modules import OpenCV: only when a pack loads

        known = specs()
        spec = known.get(rule.measure)
        if spec is None:
            raise RulePackError(f"{rule.source}: field 'measure' names no measure: {rule.measure!r}"
                                f"{_suggest(rule.measure, known)}")
        units, details, files = spec.units, spec.details, spec.data
    if set(rule.data) != set(files):
        raise RulePackError(f"{rule.source}: field 'data' must name the fitted files measure {rule.measure!r} "
                            f"reads: {list(files)} (it names {list(rule.data)})")
    if rule.value not in units:
        raise RulePackError(f"{rule.source}: field 'value' is not a value of measure {rule.measure!r}: "
                            f"{rule.value!r}{_suggest(rule.value, units)}")
    fields = set(units) | set(details)
    for p in rule.fix.params:
        if p not in fields:
            raise RulePackError(f"{rule.source}: field 'fix.params' names {p!r}, which measure "
                                f"{rule.measure!r} does not report{_suggest(p, fields)}")
    for key, template in (("message", rule.message), ("detail", rule.detail), ("fix_title", rule.fix_title)):
        for _, name, _, _ in string.Formatter().parse(template):
            if name is not None and name not in fields and name not in _MESSAGE_FIELDS:
                raise RulePackError(f"{rule.source}: field '{key}' uses {{{name}}}, which measure "
                                    f"{rule.measure!r} does not report{_suggest(name, fields | _MESSAGE_FIELDS)}")
    return replace(rule, unit=units[rule.value])


def _suggest(word: str, choices: Iterable[str]) -> str:
    """" (did you mean 'x'?)" for the closest of ``choices``, or ""."""
    close = difflib.get_close_matches(word, list(choices), n=1)
    return f" (did you mean {close[0]!r}?)" if close else ""


def _opt_float(table: Mapping[str, Any], key: str, where: str, prefix: str) -> float | None:
    v = table.get(key)
    if v is None:
        return None
    if isinstance(v, bool) or not isinstance(v, (int, float)):
        raise RulePackError(f"{where}: field '{prefix}{key}' must be a number, got {v!r}")
    return float(v)


def _quality(table: Mapping[str, Any], where: str) -> Quality:
    mapping = table.get("mapping", "sigmoid")
    defaults = {"sigmoid": _SIGMOID_DEFAULTS, "step": _STEP_DEFAULTS}.get(mapping)
    if defaults is None:
        raise RulePackError(f"{where}: field 'quality.mapping' must be 'sigmoid' or 'step', got {mapping!r}")
    params = dict(defaults)
    for key, v in table.items():
        if key == "mapping":
            continue
        if key not in defaults:
            raise RulePackError(f"{where}: unknown field 'quality.{key}' for mapping {mapping!r}")
        params[key] = _opt_float(table, key, where, "quality.")
    if mapping == "sigmoid" and params["w"] == 0:
        raise RulePackError(f"{where}: field 'quality.w' must not be 0")
    return Quality(mapping, params)


def _check_template(template: str, where: str, key: str) -> None:
    try:
        for _, field_name, _, _ in string.Formatter().parse(template):
            if field_name is not None and not re.match(r"^[a-z_][a-z0-9_]*$", field_name):
                raise RulePackError(f"{where}: field '{key}' has a bad placeholder {{{field_name}}}")
    except ValueError as exc:
        raise RulePackError(f"{where}: field '{key}' is not a valid template: {exc}") from None


def _check_monotonic(rule: Rule, where: str) -> None:
    """The quality must fall as the value gets worse; else scores contradict severities."""
    t = next(v for v in (rule.warning, rule.error, rule.info) if v is not None)
    step = max(1e-6, abs(t) * 0.5 + 1.0)
    good, bad = (t - step, t + step) if rule.direction == HIGHER_IS_WORSE else (t + step, t - step)
    if rule.score(good) <= rule.score(bad):
        raise RulePackError(f"{where}: field 'quality' maps worse values to higher quality "
                            f"(check the sign of 'quality.s' against 'direction')")


def _read_toml(path: Path) -> dict:
    return read_toml(path, RulePackError)


@dataclass(frozen=True)
class Selector:
    """How a person names rules, the one reading of it for every place that takes one
    (``--select``/``--ignore``, packs, configuration thresholds and per-file-ignores,
    ``fix --only``, ``explain``): ``ALL``; a code (``HL501``) or code prefix (``HL5``,
    ``HL``); a rule name or alias (``small-size-contrast``). Case never matters."""

    key: str  #: as the person wrote it

    @property
    def _folded(self) -> str:
        return self.key.strip().upper()

    def names(self, code: str, name: str, aliases: Iterable[str] = ()) -> bool:
        """Whether the key names exactly this rule: its code, name or an alias."""
        k = self._folded
        return k == code.upper() or k == name.upper() or k in {a.upper() for a in aliases}

    def selects(self, code: str, name: str, aliases: Iterable[str] = ()) -> bool:
        """Whether the key selects this rule: ``ALL``, a code prefix, or :meth:`names`."""
        k = self._folded
        return k == "ALL" or (bool(_CODE_PREFIX.match(k)) and code.upper().startswith(k)) or \
            self.names(code, name, aliases)


@dataclass(frozen=True)
class RulePack:
    """An ordered set of rules with resolved thresholds."""

    name: str  #: pack name, e.g. "default"
    rules: tuple[Rule, ...]  #: every rule the pack knows, selected or not
    selected: tuple[str, ...] = field(default=())  #: codes the pack selects

    def find(self, key: str) -> Rule | None:
        """A rule by code, name or alias (see :class:`Selector`)."""
        sel = Selector(key)
        return next((rule for rule in self.rules if sel.names(rule.code, rule.name, rule.aliases)), None)

    def closest(self, key: str, n: int = 3) -> list[str]:
        """The rules a mistyped ``key`` most likely meant, best first (:func:`_near_rules`), for
        "did you mean"."""
        return _near_rules(key, self.rules, n)

    def select(self, select: Sequence[str] | None = None, ignore: Sequence[str] | None = None) -> tuple[Rule, ...]:
        """Rules chosen by code prefixes or names: ``select`` (or the pack's own), minus ``ignore``."""
        chosen = [r for r in self.rules if r.code in self.selected] if not select else [
            r for r in self.rules if _matches(r, select)]
        if select:
            _check_known(select, self.rules)
        if ignore:
            _check_known(ignore, self.rules)
            chosen = [r for r in chosen if not _matches(r, ignore)]
        return tuple(chosen)


def _matches(rule: Rule, keys: Iterable[str]) -> bool:
    return any(Selector(key).selects(rule.code, rule.name, rule.aliases) for key in keys)


def _near_rules(key: str, rules: Sequence[Rule], n: int = 1) -> list[str]:
    """Codes or names of the rules a mistyped ``key`` most likely meant, best first, at most
    ``n``: a code typed with the letters l/I/o/O for the digits 1 and 0 (``HL10l`` -> ``HL101``),
    then the rules whose name or alias contains it (``busy`` -> ``busy-background``), then the
    closest codes, names, aliases and words of one rule's name (``bussy`` -> ``busy-background``;
    an alias or word answered with its rule's name). The one place
    ``explain``, ``--select``/``--ignore`` and the configuration's ``select`` suggest from."""
    found: list[str] = []
    is_code = key[:2].upper() == "HL"
    if is_code:
        code = "HL" + key[2:].translate(str.maketrans("lIioO", "11100"))
        if any(_matches(r, [code]) for r in rules):
            found.append(code)
    folded = key.lower()
    if folded:
        found += [r.name for r in rules if folded in r.name or any(folded in a for a in r.aliases)]
    owner = {w: (r.code if w == r.code else r.name) for r in rules for w in (r.code, r.name, *r.aliases)}
    parts = Counter(p for r in rules for p in set(r.name.split("-")))
    owner.update({p: r.name for r in rules for p in r.name.split("-") if parts[p] == 1 and p not in owner})
    found += [owner[w] for w in difflib.get_close_matches(key.upper() if is_code else folded, owner, n=n, cutoff=0.5)]
    return list(dict.fromkeys(found))[:n]


def _check_known(keys: Iterable[str], rules: Sequence[Rule]) -> None:
    for key in keys:
        if not any(_matches(r, [key]) for r in rules):
            hint = _near_rules(key, rules)
            hint = f"did you mean {hint[0]!r}? " if hint else ""
            raise RulePackError(f"unknown rule or prefix {key!r} ({hint}see `headshot-lint rules`)")


def load_pack(name_or_path: str = "default", *, directory: Path | None = None) -> RulePack:
    """Load a pack: a built-in name ("default", "strict") or a path to a pack TOML.

    A pack has ``name``, optional ``extends`` (another pack), ``rules_dirs`` (extra
    folders of rule files, relative to the pack), ``select`` (codes/prefixes, default
    every rule enabled by default) and ``[thresholds.<CODE>]`` overrides.
    """
    base = directory or rules_dir()
    path = Path(name_or_path)
    if path.suffix != ".toml":
        path = base / "packs" / f"{name_or_path}.toml"
    if not path.is_file():
        known = sorted(p.stem for p in (base / "packs").glob("*.toml"))
        raise RulePackError(f"rule pack {name_or_path!r} not found (built-in packs: {', '.join(known)})")
    data = _read_toml(path)
    unknown = set(data) - {"name", "extends", "rules_dirs", "select", "thresholds", "description"}
    if unknown:
        raise RulePackError(f"{path}: unknown field '{sorted(unknown)[0]}'")
    if "extends" in data:
        parent = load_pack(str(data["extends"]), directory=base)
        rules = {r.code: r for r in parent.rules}
        selected = list(parent.selected)
    else:
        rules = {r.code: r for r in _load_dir(base)}
        selected = [c for c, r in rules.items() if r.enabled_by_default]
    for extra in data.get("rules_dirs", []):
        for rule in _load_dir((path.parent / extra).resolve()):
            if rule.code in rules:
                raise RulePackError(f"{rule.source}: code {rule.code} is already used by {rules[rule.code].source}")
            rules[rule.code] = rule
            selected.append(rule.code)
    if "select" in data:
        sel = data["select"]
        if not isinstance(sel, list):
            raise RulePackError(f"{path}: field 'select' must be a list of codes or prefixes")
        _check_known(sel, list(rules.values()))
        selected = [c for c, r in rules.items() if _matches(r, sel)]
    for key, table in data.get("thresholds", {}).items():
        sel = Selector(key)
        rule = next((r for r in rules.values() if sel.names(r.code, r.name, r.aliases)), None)
        if rule is None:
            raise RulePackError(f"{path}: field 'thresholds.{key}' names no rule")
        if not isinstance(table, dict) or set(table) - {"warning", "error"}:
            raise RulePackError(f"{path}: field 'thresholds.{key}' takes only 'warning' and 'error'")
        rules[rule.code] = rule.with_thresholds(_opt_float(table, "warning", str(path), f"thresholds.{key}."),
                                                _opt_float(table, "error", str(path), f"thresholds.{key}."),
                                                where=str(path))
    ordered = tuple(sorted((bind(r) for r in rules.values()), key=lambda r: r.code))
    return RulePack(str(data.get("name", path.stem)), ordered, tuple(c for c in sorted(set(selected))))


def _load_dir(directory: Path) -> list[Rule]:
    if not directory.is_dir():
        raise RulePackError(f"rules folder not found: {directory}")
    rules = [load_rule(p) for p in sorted(directory.glob("*.toml"))]
    seen: dict[str, str] = {}
    for rule in rules:
        for key in (rule.code, rule.name):
            if key in seen:
                raise RulePackError(f"{rule.source}: '{key}' is already used by {seen[key]}")
            seen[key] = rule.source
    return rules
