"""Short value names in ``--help``: ``--output PATH``, ``--jobs N``, a flag with none.

Typer 0.29 (what a fresh install gets) prints each option's Python type in a column of
its own (``<bool>``, ``<list[str]>``, ``<text|concise|json|sarif|junit|gitlab|github|csv|html>``),
which on an 80-column terminal squeezes the help text into a column 20 characters wide.
The command classes here give every option without an explicit ``metavar`` the short name
a man page would use, so the help text keeps the width.
"""

from __future__ import annotations

import enum
import types
import typing
from pathlib import Path

from typer.core import TyperCommand, TyperGroup

#: A choice whose values joined by "|" are longer than this is shown by the option's name.
_CHOICES_SHOWN_UP_TO = 20
#: What ``Optional[X]``, ``X | None`` and ``List[X]`` have as their origin.
_WRAPPERS = (list, typing.Union, getattr(types, "UnionType", typing.Union))


def metavar(opts: typing.Sequence[str], annotation: object, is_flag: bool) -> str:
    """The value name of an option in the help, from its Python annotation: "" for a flag,
    the choices ("error|warning") or the option's name ("FORMAT") for an enum, then PATH,
    N, NUMBER or TEXT (a list: its element's name; the help says it repeats)."""
    if is_flag:
        return ""
    args = [a for a in typing.get_args(annotation) if a is not type(None)]
    if args and typing.get_origin(annotation) in _WRAPPERS:
        return metavar(opts, args[0], False)  # Optional[X] and List[X] name an X
    if isinstance(annotation, type) and issubclass(annotation, enum.Enum):
        shown = "|".join(str(m.value) for m in annotation)
        return shown if len(shown) <= _CHOICES_SHOWN_UP_TO else max(opts, key=len).lstrip("-").upper()
    if annotation is Path:
        return "PATH"
    if annotation is int:
        return "N"
    if annotation is float:
        return "NUMBER"
    return "TEXT"


def _no_type(ctx: object = None) -> None:
    """An argument's type column: none (typer would print ``<list[Path]>``)."""
    return None


def _name_values(params: list) -> None:
    """Give each parameter the code left without a ``metavar`` a short value name (options) or
    its name in capitals and no type (arguments). An older typer, without ``type_descriptor``,
    prints click's short names itself, so there nothing changes."""
    for p in params:
        descriptor = getattr(p, "type_descriptor", None)
        if p.metavar is not None or descriptor is None:
            continue
        if p.param_type_name == "option":
            p.metavar = metavar(p.opts, descriptor.annotation, bool(getattr(p, "is_flag", False)))
        elif p.param_type_name == "argument":  # "PATHS..." as click names them, the help says what they are
            p.metavar = p.name.upper()
            p.display_type_rich = _no_type


class Command(TyperCommand):
    """A command whose options show short value names in ``--help`` (see the module)."""

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        _name_values(self.params)


class Group(TyperGroup):
    """The top-level group, with the same value names for its own options (``--version``)."""

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        _name_values(self.params)
