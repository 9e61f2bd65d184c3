"""Filling a rule's message, detail and fix templates.

A template quotes the measured ``{value}`` beside a threshold (``{threshold}``, the one
crossed, or ``{to_pass}``, what it takes to pass: the warning threshold). Rounded on its
own, each could print the same as the other ("1.15:1 ... needs more than 1.15:1" for 1.148
against 1.15) or flip sides. So these fields are formatted together: the precision of
their format spec (``.2f``, ``.0%``, ``.1g``) is widened, for all of them at once, until the
value prints differently from every threshold shown::

    >>> fill("{value:.2f}:1, needs {to_pass:.2f}:1", {"value": 1.148, "to_pass": 1.15})
    '1.148:1, needs 1.150:1'
    >>> fill("{value:.0%} against {threshold:.0%}", {"value": 0.114, "threshold": 0.108})
    '11.4% against 10.8%'
    >>> fill("{value:.1f} beside {nope}", {"value": 3.0})
    '3.0 beside {nope}'

An unknown placeholder stays visible instead of failing (``bind`` in :mod:`.rules`
already refuses one at load).
"""

from __future__ import annotations

import re
import string
from typing import Any, Mapping

#: The fields rounded together (the measured value and the thresholds it is compared with).
PAIRED = ("value", "threshold", "to_pass")
_SPEC = re.compile(r"^(?P<head>.*?)\.(?P<precision>\d+)(?P<kind>[fge%])$")
_MAX_EXTRA_DIGITS = 6


def fill(template: str, fields: Mapping[str, Any]) -> str:
    """``template`` with ``fields`` filled in; value and thresholds never rounded into each other."""
    extra = _extra_digits(template, fields)
    out = []
    for literal, name, spec, conversion in string.Formatter().parse(template):
        out.append(literal)
        if name is None:
            continue
        if name not in fields:
            out.append("{" + name + (f"!{conversion}" if conversion else "") + (f":{spec}" if spec else "") + "}")
            continue
        obj = fields[name]
        if conversion:
            obj = {"r": repr, "s": str, "a": ascii}[conversion](obj)
        if name in PAIRED:
            spec = _widened(spec or "", extra)
        try:
            out.append(format(obj, spec or ""))
        except (ValueError, TypeError):
            out.append(str(obj))
    return "".join(out)


def _extra_digits(template: str, fields: Mapping[str, Any]) -> int:
    """How many digits to add to the paired fields' precision so the value differs from each threshold."""
    specs = {name: spec for _, name, spec, _ in string.Formatter().parse(template)
             if name in PAIRED and spec and _SPEC.match(spec)}
    value = fields.get("value")
    if "value" not in specs or not isinstance(value, (int, float)):
        return 0
    others = [n for n in specs if n != "value" and isinstance(fields.get(n), (int, float))]
    for extra in range(_MAX_EXTRA_DIGITS + 1):
        shown = format(value, _widened(specs["value"], extra))
        if all(_apart(value, fields[n], shown, format(fields[n], _widened(specs[n], extra))) for n in others):
            return extra
    return _MAX_EXTRA_DIGITS


def _apart(value: float, other: float, value_text: str, other_text: str) -> bool:
    """Printed differently, and on the same side of each other as the numbers are."""
    if value == other:
        return True  # truly equal: nothing to separate
    if value_text == other_text:
        return False
    try:
        a, b = (float(t.rstrip("%")) for t in (value_text, other_text))
    except ValueError:
        return True
    return (a < b) == (value < other)


def _widened(spec: str, extra: int) -> str:
    m = _SPEC.match(spec)
    if m is None or not extra:
        return spec
    return f"{m['head']}.{int(m['precision']) + extra}{m['kind']}"
