"""Declarative case schemas: each plugin lists its sections, keys, types and defaults.

A schema is a mapping ``section -> key -> Key``. :func:`resolve` checks a parsed TOML
document against it and fills in defaults; every failure is a :class:`CaseError` naming
the file and the dotted key, with a did-you-mean for misspelled names.
"""

from __future__ import annotations

import difflib
from dataclasses import dataclass
from typing import Any, Callable, Mapping, Sequence

from pdekit.errors import CaseError
from pdekit.tomlfmt import format_value

REQUIRED = object()
"""Marker default: the key must be given in the case file."""

Check = Callable[[Any], str | None]
"""A value check: returns what was expected (a phrase) when the value is bad, else None."""


@dataclass(frozen=True)
class Key:
    """One case-file key.

    Parameters
    ----------
    type
        ``int``, ``float``, ``str``, ``bool``, ``list`` or ``dict`` (a free sub-table).
    default
        Value used when the key is absent; :data:`REQUIRED` if it must be given;
        ``None`` for optional keys with no default.
    help
        One line for ``pdekit list`` and the README.
    choices
        Allowed values, if the key is an enumeration.
    check
        Extra validation (see :data:`Check`).
    item
        Element type of a ``list`` key.
    """

    type: type | tuple[type, ...]
    default: Any = REQUIRED
    help: str = ""
    choices: Sequence[Any] | None = None
    check: Check | None = None
    item: type | None = None


Schema = Mapping[str, Mapping[str, Key]]


def positive(value: float) -> str | None:
    """Check: strictly positive number."""
    return None if value > 0 else "a positive number"


def non_negative(value: float) -> str | None:
    """Check: number >= 0."""
    return None if value >= 0 else "a number >= 0"


def at_least(bound: int) -> Check:
    """Check factory: integer/number >= ``bound``."""
    return lambda value: None if value >= bound else f"a number >= {bound}"


_TYPE_NAMES = {int: "an integer", float: "a number", str: "a string", bool: "true or false",
               list: "a list", dict: "a table"}


def coerce(value: Any, spec: Key, source: str, key: str) -> Any:
    """Check ``value`` against ``spec`` and return it in the key's type.

    Integers are accepted where numbers are expected; ``bool`` is never taken as ``int``.
    """
    types = spec.type if isinstance(spec.type, tuple) else (spec.type,)
    expected = " or ".join(_TYPE_NAMES.get(t, t.__name__) for t in types)
    if spec.type is float and isinstance(value, int) and not isinstance(value, bool):
        value = float(value)
    if spec.type is int and isinstance(value, float) and value.is_integer():
        value = int(value)
    if not isinstance(value, spec.type) or (bool not in types and isinstance(value, bool)):
        raise CaseError(source, key, expected, value)
    if spec.type is list and spec.item is not None:
        item_spec = Key(spec.item)
        value = [coerce(v, item_spec, source, f"{key}[{i}]") for i, v in enumerate(value)]
    if spec.choices is not None and value not in spec.choices:
        names = ", ".join(repr(c) for c in spec.choices)
        raise CaseError(source, key, f"one of {names}", value)
    if spec.check is not None:
        problem = spec.check(value)
        if problem:
            raise CaseError(source, key, problem, value)
    return value


def did_you_mean(name: str, options: Sequence[str]) -> str:
    """A ``did you mean 'x'?`` hint (or the list of options) for an unknown name."""
    close = difflib.get_close_matches(name, options, n=1)
    if close:
        return f"(did you mean {close[0]!r}?)"
    return "(available: " + ", ".join(sorted(options)) + ")"


def resolve(document: Mapping[str, Any], schema: Schema, source: str,
            skip: Sequence[str] = ("case",)) -> dict[str, dict[str, Any]]:
    """Validate a parsed case document and return it with all defaults filled in.

    Parameters
    ----------
    document
        Parsed TOML, ``section -> key -> value``.
    schema
        The plugin's schema.
    source
        File name used in error messages.
    skip
        Sections handled by the core (``[case]``), not by the schema.

    Returns
    -------
    dict
        ``section -> key -> value`` for every section and key of the schema; optional
        keys without a default are ``None``.
    """
    for section, table in document.items():
        if section in skip:
            continue
        if section not in schema:
            raise CaseError(source, section,
                            f"a known section {did_you_mean(section, [*schema, *skip])}",
                            None)
        if not isinstance(table, Mapping):
            raise CaseError(source, section, "a table ([section])", table)
        for key in table:
            if key not in schema[section]:
                raise CaseError(source, f"{section}.{key}",
                                f"a known key {did_you_mean(key, list(schema[section]))}", None)
    resolved: dict[str, dict[str, Any]] = {}
    for section, keys in schema.items():
        table = document.get(section, {})
        resolved[section] = {}
        for key, spec in keys.items():
            dotted = f"{section}.{key}"
            if key in table:
                resolved[section][key] = coerce(table[key], spec, source, dotted)
            elif spec.default is REQUIRED:
                raise CaseError(source, dotted, f"a value ({spec.help or spec.type.__name__})",
                                None)
            else:
                resolved[section][key] = spec.default
    return resolved


_SHORT_NAMES = {int: "integer", float: "number", str: "string", bool: "boolean", list: "list",
                dict: "table"}


def describe(schema: Schema) -> list[str]:
    """Lines documenting a schema, for ``pdekit list`` and the README."""
    lines = []
    for section, keys in schema.items():
        lines.append(f"  [{section}]")
        for key, spec in keys.items():
            types = spec.type if isinstance(spec.type, tuple) else (spec.type,)
            kind = " or ".join(_SHORT_NAMES.get(t, t.__name__) for t in types)
            if spec.default is REQUIRED:
                default = "required"
            elif spec.default is None:
                default = "optional"
            else:
                default = f"= {format_value(spec.default)}"
            choices = f" (one of {', '.join(map(str, spec.choices))})" if spec.choices else ""
            lines.append(f"    {key:<14} {kind} {default}{choices}: {spec.help}")
    return lines
