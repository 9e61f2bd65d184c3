"""Measures: pure functions ``Scene -> Measurement``, registered by name.

A rule file names the measure it reads (``measure = "small_size_contrast"``) and one of
its values; the engine looks the measure up here. Adding a measure is adding a module
to this package that decorates its function with :func:`measure`, declaring the values
it reports (with their units) and its detail keys: that declaration is the contract
``rules.load_pack`` checks every rule file against, and the one place a unit is written.
"""

from __future__ import annotations

import dataclasses
import importlib
import pkgutil
from dataclasses import dataclass
from typing import TYPE_CHECKING, Callable, Dict, Iterable, Mapping

if TYPE_CHECKING:
    from ..model import Measurement
    from ..scene import Scene

MeasureFn = Callable[["Scene"], "Measurement"]


@dataclass(frozen=True)
class MeasureSpec:
    """What a measure promises: the values it reports (key -> unit) and its detail keys."""

    name: str  #: measure name, e.g. "small_size_contrast"
    fn: MeasureFn  #: the function, returning a Measurement whose units come from ``units``
    units: Mapping[str, str]  #: value key -> unit, e.g. {"contrast_near": "ratio"}
    details: frozenset[str]  #: keys of the non-numeric facts it may report
    data: tuple[str, ...] = ()  #: fitted data files it reads (weights, heads), relative to the rules folder


_SPECS: Dict[str, MeasureSpec] = {}


def measure(name: str, *, units: Mapping[str, str], details: Iterable[str] = (),
            data: Iterable[str] = ()) -> Callable[[MeasureFn], MeasureFn]:
    """Register ``fn`` as the measure ``name``, reporting the values ``units`` declares.

    ``data`` names the fitted files (learned heads, weights; paths relative to the rules
    folder) the measure reads: a rule judging it must name the same files in its ``data``
    field, so the rule file says where its judgement's weights come from.

    The registered callable fills the Measurement's units from ``units`` and raises
    ``ValueError`` for an undeclared value or detail key (a programming error, caught by
    the suite's contract test), so a rule can never read a value no measure promised.
    """
    spec_units = dict(units)
    spec_details = frozenset(details)
    spec_data = tuple(data)

    def register(fn: MeasureFn) -> MeasureFn:
        if name in _SPECS and _SPECS[name].fn is not fn:
            raise ValueError(f"measure {name!r} is registered twice")
        _SPECS[name] = MeasureSpec(name, fn, spec_units, spec_details, spec_data)
        return fn

    return register


def call(spec: MeasureSpec, scene: "Scene") -> "Measurement":
    """Run a measure and hold its result to the declared contract (units filled in)."""
    m = spec.fn(scene)
    undeclared = (set(m.values) - set(spec.units)) | (set(m.details) - spec.details)
    if undeclared:
        raise ValueError(f"measure {spec.name!r} reported undeclared keys {sorted(undeclared)}")
    return dataclasses.replace(m, units={k: spec.units[k] for k in m.values})


def specs() -> Dict[str, MeasureSpec]:
    """Every measure's contract by name (imports the measure modules on first use)."""
    if not _LOADED:
        for info in pkgutil.iter_modules(__path__):
            if not info.name.startswith("_"):
                importlib.import_module(f"{__name__}.{info.name}")
        _LOADED.append(True)
    return dict(_SPECS)


def registry() -> Dict[str, MeasureFn]:
    """Every measure function by name."""
    return {name: spec.fn for name, spec in specs().items()}


_LOADED: list = []
