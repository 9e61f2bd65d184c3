"""Project configuration: ``[tool.headshot-lint]`` in ``pyproject.toml``, or ``headshot-lint.toml``.

Found from the checked path upward (the first folder holding a ``headshot-lint.toml``,
or a ``pyproject.toml`` with a ``[tool.headshot-lint]`` table), or named with
``--config``. Command-line options override it. Keys::

    pack = "default"              # built-in pack name or a path (relative to this file)
    select = ["HL1", "HL5"]       # codes, prefixes or names
    ignore = ["HL402"]
    exclude = ["drafts/**"]       # globs, relative to this file's folder
    fail-under = 70
    fail-on = "warning"           # also fail on warnings (default "error", as ruff)
    baseline = "headshot-lint-baseline.json"   # findings to hide (see baseline.py), relative to this file
    [per-file-ignores]            # glob -> codes
    "board/*.jpg" = ["HL301"]
    [thresholds.HL501]            # per-rule overrides
    warning = 25

Globs (``exclude``, ``per-file-ignores``) are matched against paths relative to the
folder of this file; :func:`unmatched_globs` finds those that match no checked photo.

Every error is a :class:`~headshot_lint.errors.ConfigError` naming the file and the key.
"""

from __future__ import annotations

import difflib
import fnmatch
import hashlib
import json
import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Iterable, Mapping, Sequence

from ._toml import read_toml
from .errors import ConfigError, HeadshotLintError
from .discover import is_excluded
from .gate import FAIL_ON
from .rules import Rule, RulePack, Selector, load_pack

CONFIG_NAME = "headshot-lint.toml"
_TABLE = ("tool", "headshot-lint")
_KEYS = {"pack", "select", "ignore", "exclude", "fail-under", "fail-on", "baseline", "per-file-ignores",
         "thresholds"}
_THRESHOLD_KEYS = ("warning", "error", "info")


@dataclass(frozen=True)
class Config:
    """A loaded configuration; every field has the "not set" default."""

    source: str = ""  #: the file it came from ("" when none was found)
    root: str = "."  #: folder globs and pack paths are relative to
    pack: str | None = None  #: pack name or path (already made absolute when a path)
    select: tuple[str, ...] | None = None
    ignore: tuple[str, ...] = ()
    exclude: tuple[str, ...] = ()
    fail_under: float | None = None  #: 0-100
    fail_on: str | None = None  #: "error" or "warning" (see :mod:`.gate`)
    baseline: str | None = None  #: baseline file (absolute), or None
    per_file_ignores: Mapping[str, tuple[str, ...]] = field(default_factory=dict)  #: glob -> codes
    thresholds: Mapping[str, Mapping[str, float]] = field(default_factory=dict)  #: code/name -> level -> value

    def fingerprint(self) -> str:
        """sha256 of everything that changes results (for the cache key)."""
        doc = {"pack": self.pack, "select": self.select, "ignore": self.ignore,
               "pfi": sorted((k, list(v)) for k, v in self.per_file_ignores.items()),
               "thresholds": {k: dict(v) for k, v in sorted(self.thresholds.items())}}
        return hashlib.sha256(json.dumps(doc, sort_keys=True).encode()).hexdigest()


def _did_you_mean(word: str, known: Iterable[str]) -> str:
    """ "did you mean 'x'? " for the known key closest to a misspelt one, or ""."""
    close = difflib.get_close_matches(word, sorted(known), n=1)
    return f"did you mean '{close[0]}'? " if close else ""


def find_config(start: str | os.PathLike[str]) -> Path | None:
    """The nearest config file at or above ``start`` (a file or folder), or None."""
    here = Path(os.path.abspath(start))
    if not here.is_dir():
        here = here.parent
    for folder in (here, *here.parents):
        candidate = folder / CONFIG_NAME
        if candidate.is_file():
            return candidate
        pyproject = folder / "pyproject.toml"
        if pyproject.is_file() and _table(_read(pyproject), pyproject, required=False) is not None:
            return pyproject
    return None


def load_config(path: str | os.PathLike[str]) -> Config:
    """Read and validate one config file (``pyproject.toml`` or ``headshot-lint.toml``)."""
    path = Path(path)
    data = _read(path)
    table = _table(data, path, required=path.name == "pyproject.toml")
    if table is None:  # headshot-lint.toml: keys at the top level
        table = data
    where = str(path)
    unknown = set(table) - _KEYS
    if unknown:
        key = sorted(unknown)[0]
        raise ConfigError(f"{where}: unknown key '{key}' ({_did_you_mean(key, _KEYS)}"
                          f"known: {', '.join(sorted(_KEYS))})")
    root = path.parent.resolve()
    pack = table.get("pack")
    if pack is not None:
        pack = _str(pack, where, "pack")
        if pack.endswith(".toml"):
            pack = str((root / pack).resolve())
    fail_under = table.get("fail-under")
    if fail_under is not None:
        if isinstance(fail_under, bool) or not isinstance(fail_under, (int, float)) or not 0 <= fail_under <= 100:
            raise ConfigError(f"{where}: key 'fail-under' must be a number in [0, 100], got {fail_under!r}")
        fail_under = float(fail_under)
    fail_on = table.get("fail-on")
    if fail_on is not None and fail_on not in FAIL_ON:
        raise ConfigError(f"{where}: key 'fail-on' must be one of {', '.join(map(repr, FAIL_ON))}, got {fail_on!r}")
    baseline = table.get("baseline")
    if baseline is not None:
        baseline = str((root / _str(baseline, where, "baseline")).resolve())
    pfi_raw = table.get("per-file-ignores", {})
    if not isinstance(pfi_raw, dict):
        raise ConfigError(f"{where}: key 'per-file-ignores' must be a table of glob = [codes]")
    pfi = {glob: _strs(codes, where, f"per-file-ignores.{glob}") for glob, codes in pfi_raw.items()}
    th_raw = table.get("thresholds", {})
    if not isinstance(th_raw, dict):
        raise ConfigError(f"{where}: key 'thresholds' must be a table of [thresholds.CODE]")
    thresholds: dict[str, dict[str, float]] = {}
    for code, levels in th_raw.items():
        key = f"thresholds.{code}"
        if not isinstance(levels, dict):
            raise ConfigError(f"{where}: key '{key}' must be a table with warning/error/info")
        bad = set(levels) - set(_THRESHOLD_KEYS)
        if bad:
            level = sorted(bad)[0]
            raise ConfigError(f"{where}: unknown key '{key}.{level}' ({_did_you_mean(level, _THRESHOLD_KEYS)}"
                              "known: warning, error, info)")
        for level, v in levels.items():
            if isinstance(v, bool) or not isinstance(v, (int, float)):
                raise ConfigError(f"{where}: key '{key}.{level}' must be a number, got {v!r}")
        thresholds[code] = {k: float(v) for k, v in levels.items()}
    select = table.get("select")
    return Config(source=where, root=str(root), pack=pack,
                  select=None if select is None else _strs(select, where, "select"),
                  ignore=_strs(table.get("ignore", []), where, "ignore"),
                  exclude=_strs(table.get("exclude", []), where, "exclude"),
                  fail_under=fail_under, fail_on=fail_on, baseline=baseline, per_file_ignores=pfi, thresholds=thresholds)


def _read(path: Path) -> dict:
    return read_toml(path, ConfigError)


def _table(data: dict, path: Path, required: bool) -> dict | None:
    t: Any = data
    for part in _TABLE:
        if not isinstance(t, dict) or part not in t:
            if required:
                raise ConfigError(f"{path}: no [tool.headshot-lint] table")
            return None
        t = t[part]
    if not isinstance(t, dict):
        raise ConfigError(f"{path}: key 'tool.headshot-lint' must be a table")
    return t


def _str(v: Any, where: str, key: str) -> str:
    if not isinstance(v, str) or not v:
        raise ConfigError(f"{where}: key '{key}' must be a non-empty string, got {v!r}")
    return v


def _strs(v: Any, where: str, key: str) -> tuple[str, ...]:
    if isinstance(v, str):
        v = [v]
    if not isinstance(v, list) or not all(isinstance(s, str) for s in v):
        raise ConfigError(f"{where}: key '{key}' must be a list of strings, got {v!r}")
    return tuple(v)


def resolve_rules(config: Config, *, pack: str | None = None, select: Sequence[str] | None = None,
                  ignore: Sequence[str] | None = None) -> tuple[RulePack, tuple[Rule, ...]]:
    """The pack and the selected rules, thresholds overridden: command line over config.

    Raises ConfigError naming the config file for a bad key value in it.
    """
    rule_pack = load_pack(pack or config.pack or "default")
    use_select = list(select) if select else (list(config.select) if config.select is not None else None)
    use_ignore = list(ignore) if ignore else list(config.ignore)
    try:
        rules = rule_pack.select(use_select, use_ignore)
    except HeadshotLintError as exc:
        if config.source and not (select or ignore):
            raise ConfigError(f"{config.source}: key 'select'/'ignore': {exc}") from None
        raise
    overridden = []
    for rule in rules:
        levels = _thresholds_for(rule, config.thresholds)
        try:
            overridden.append(rule.with_thresholds(**levels, where=config.source) if levels else rule)
        except HeadshotLintError as exc:
            raise ConfigError(str(exc)) from None
    for key in config.thresholds:
        if rule_pack.find(key) is None:
            raise ConfigError(f"{config.source}: key 'thresholds.{key}' names no rule")
    for glob, codes in config.per_file_ignores.items():
        try:
            rule_pack.select(None, list(codes))
        except HeadshotLintError as exc:
            raise ConfigError(f"{config.source}: key 'per-file-ignores.{glob}': {exc}") from None
    return rule_pack, tuple(overridden)


def _thresholds_for(rule: Rule, thresholds: Mapping[str, Mapping[str, float]]) -> dict[str, float]:
    for key, levels in thresholds.items():
        if Selector(key).names(rule.code, rule.name, rule.aliases):
            return dict(levels)
    return {}


def ignored_codes(config: Config, path: str, rules: Sequence[Rule]) -> frozenset[str]:
    """Codes the per-file-ignores switch off for ``path`` (matched relative to the config's folder)."""
    if not config.per_file_ignores:
        return frozenset()
    rel = _relative(path, config.root)
    out: set[str] = set()
    for glob, codes in config.per_file_ignores.items():
        if _pfi_match(glob, rel):
            out.update(r.code for r in rules if any(Selector(c).selects(r.code, r.name, r.aliases) for c in codes))
    return frozenset(out)


def _relative(path: str, root: str) -> str:
    absolute = os.path.abspath(path)
    try:
        rel = os.path.relpath(absolute, root)
    except ValueError:  # another drive on Windows
        rel = absolute
    return rel.replace(os.sep, "/")


def unmatched_globs(config: Config, paths: Sequence[str]) -> list[tuple[str, str]]:
    """``(key, glob)`` of each ``exclude`` and ``per-file-ignores`` glob that matches none of
    ``paths`` (the photos found before excluding): a glob written relative to the wrong
    folder, or a typo, silently does nothing otherwise."""
    out = [("exclude", g) for g in config.exclude if not any(is_excluded(p, [g], config.root) for p in paths)]
    for glob in config.per_file_ignores:
        if not any(_pfi_match(glob, _relative(p, config.root)) for p in paths):
            out.append(("per-file-ignores", glob))
    return out


def _pfi_match(glob: str, rel: str) -> bool:
    return fnmatch.fnmatchcase(rel, glob) or ("/" not in glob and fnmatch.fnmatchcase(rel.rsplit("/", 1)[-1], glob))
