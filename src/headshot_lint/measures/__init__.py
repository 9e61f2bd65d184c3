"""Measures: pure functions ``Scene -> Measurement``, registered by name.

A rule file names the measure it reads (``measure = "small_size_contrast"``); the
engine looks it up here. Adding a measure is adding a module to this package that
decorates its function with :func:`measure`; nothing else needs to change.
"""

from __future__ import annotations

import importlib
import pkgutil
from typing import TYPE_CHECKING, Callable, Dict

if TYPE_CHECKING:
    from ..model import Measurement
    from ..scene import Scene

MeasureFn = Callable[["Scene"], "Measurement"]

_REGISTRY: Dict[str, MeasureFn] = {}
#: Measures that are slow enough to skip when a cheap one says they cannot fire.
_COST_MS: Dict[str, float] = {}


def measure(name: str, *, cost_ms: float = 1.0) -> Callable[[MeasureFn], MeasureFn]:
    """Register ``fn`` as the measure ``name`` (typical cost at analysis size, ms)."""

    def register(fn: MeasureFn) -> MeasureFn:
        if name in _REGISTRY and _REGISTRY[name] is not fn:
            raise ValueError(f"measure {name!r} is registered twice")
        _REGISTRY[name] = fn
        _COST_MS[name] = cost_ms
        return fn

    return register


def registry() -> Dict[str, MeasureFn]:
    """Every measure by name (imports the measure modules on first use)."""
    if not _LOADED:
        for info in pkgutil.iter_modules(__path__):
            if not info.name.startswith("_"):
                importlib.import_module(f"{__name__}.{info.name}")
        _LOADED.append(True)
    return dict(_REGISTRY)


_LOADED: list = []
