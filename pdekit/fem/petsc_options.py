"""PETSc/SLEPc options database entries, from a ``[solver.petsc]`` table or from the
command line after ``--``, as ``(name, value)`` pairs (no PETSc import).

Precedence when both are given: the table first, the command line after it, so the
command line wins (:func:`pdekit.fem.slepc_solver.solve_eigen` sets them in order).
"""

from __future__ import annotations

import math
import re
from typing import Any, Mapping, Sequence

OptionPairs = list[tuple[str, str | None]]
"""Option name (without the leading dash) and its value (``None``: a bare flag)."""

_NAME = re.compile(r"^-?[A-Za-z][A-Za-z0-9_]*$")


def parse_option_tokens(tokens: Sequence[str]) -> OptionPairs:
    """Split command-line PETSc options (``-name [value] ...``) into pairs.

    Raises
    ------
    ValueError
        When a token is not an option name where one is expected.
    """
    pairs: OptionPairs = []
    i = 0
    while i < len(tokens):
        name = tokens[i]
        if not name.startswith("-") or not _NAME.match(name):
            raise ValueError(f"PETSc/SLEPc options like -eps_nev 10 (bad token {name!r})")
        value = None
        following = tokens[i + 1] if i + 1 < len(tokens) else None
        if following is not None and not (following.startswith("-") and _NAME.match(following)):
            value = following  # a value (negative numbers such as -1 are values too)
            i += 1
        pairs.append((name.lstrip("-"), value))
        i += 1
    return pairs


def option_value(value: Any) -> bool | int | float | str:
    """Check one ``[solver.petsc]`` value: a string, integer, finite number or boolean.

    Raises
    ------
    ValueError
        With what was expected, for tables, lists and non-finite numbers.
    """
    if not isinstance(value, (bool, int, float, str)):
        raise ValueError("a number, string or boolean (one PETSc option value)")
    if isinstance(value, float) and not math.isfinite(value):
        raise ValueError("a finite number")
    return value


def table_options(table: Mapping[str, Any]) -> OptionPairs:
    """Turn a ``[solver.petsc]`` table into option pairs (booleans become ``"1"``/``"0"``).

    Raises
    ------
    ValueError
        For names that are not PETSc option names or non-scalar values.
    """
    pairs: OptionPairs = []
    for name, value in table.items():
        if not _NAME.match(name):
            raise ValueError(f"PETSc option names such as eps_tol (got {name!r})")
        if isinstance(value, bool):
            pairs.append((name.lstrip("-"), "1" if value else "0"))
        elif isinstance(value, (int, float, str)):
            pairs.append((name.lstrip("-"), str(value)))
        else:
            raise ValueError(f"a number, string or boolean for option {name!r}")
    return pairs


