"""Short value names in ``--help``: ``--output PATH``, ``--jobs N``, a flag with none.

Typer 0.27 and 0.28 (what a fresh install gets; ``pyproject.toml`` allows 0.24-0.28) print
each option's parameter type in angle brackets (``<str>``, ``<float range>``,
``<text|concise|json|sarif|junit|gitlab|github|csv|html>``), 0.24-0.26 click's type names
(``TEXT``, ``FLOAT RANGE``, every choice), and 0.29 the Python type in a column of its own
(``<bool>``, ``<list[str]>``), which on an 80-column terminal squeezes the help text into a
column 20 characters wide. The command classes here give every option
without an explicit ``metavar`` the short name a man page would use, so the help text keeps
the width: from the Python annotation where typer keeps it (0.29's ``type_descriptor``),
else from the parameter's type.
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
        return _choices(opts, annotation)
    if annotation is Path:
        return "PATH"
    if annotation is int:
        return "N"
    if annotation is float:
        return "NUMBER"
    return "TEXT"


def type_metavar(opts: typing.Sequence[str], param_type: object, is_flag: bool) -> str:
    """The same value names as :func:`metavar`, from an option's click parameter type
    (typer before 0.29 keeps no annotation): "" for a flag, the choices or the option's
    name for a choice, then PATH, N, NUMBER or TEXT."""
    if is_flag:
        return ""
    choices = getattr(param_type, "choices", None)
    if choices is not None:
        return _choices(opts, choices)
    name = str(getattr(param_type, "name", "")).lower()
    if "path" in name or "file" in name:
        return "PATH"
    if name.startswith("int"):
        return "N"
    if name.startswith("float"):
        return "NUMBER"
    return "TEXT"


def _choices(opts: typing.Sequence[str], values: typing.Iterable[object]) -> str:
    """A choice's value name: its values joined by "|" when short, else the option's name."""
    shown = "|".join(str(getattr(v, "value", v)) for v in values)
    return shown if len(shown) <= _CHOICES_SHOWN_UP_TO else max(opts, key=len).lstrip("-").upper()


def _no_type(ctx: object = None) -> None:
    """An argument's type column: none (typer would print ``<list[Path]>``)."""
    return None


def _name_values(params: list) -> None:
    """Give each parameter the code left without a ``metavar`` a short value name (options) or
    its name in capitals and no type (arguments)."""
    for p in params:
        if p.metavar is not None:
            continue
        descriptor = getattr(p, "type_descriptor", None)
        if p.param_type_name == "option":
            flag = bool(getattr(p, "is_flag", False))
            p.metavar = (metavar(p.opts, descriptor.annotation, flag) if descriptor is not None
                         else type_metavar(p.opts, p.type, flag))
        elif p.param_type_name == "argument":  # "PATHS..." as click names them, the help says what they are
            many = descriptor is None and p.nargs != 1  # typer 0.29 adds the dots to a metavar itself
            p.metavar = p.name.upper() + ("..." if many else "")
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
