"""PETSc/SLEPc options database entries, from a case table (``[solver.petsc]`` of eigen
cases, ``[time.petsc]`` of turing cases) or from the command line after ``--``, as
``(name, value)`` pairs (no PETSc import), and which of them PETSc never read.

Precedence when both are given: the table first, the command line after it, so the
command line wins (the solvers set them in order: :func:`pdekit.fem.slepc_solver.solve_eigen`,
:func:`pdekit.fd.run_petsc.run`).
"""

from __future__ import annotations

import math
import re
from typing import Annotated, Any, Mapping, Sequence

from pydantic import AfterValidator

from pdekit.errors import CaseError

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


PetscValue = Annotated[Any, AfterValidator(option_value)]
"""The type of one value of a case's PETSc options table (checked by :func:`option_value`)."""


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


def case_options(case: Any, key: str, table: Mapping[str, Any]) -> OptionPairs:
    """A case's options: its table at ``key`` first, then those after ``--``.

    Raises
    ------
    pdekit.errors.CaseError
        Naming ``key`` for a bad table, the command line for bad tokens.
    """
    try:
        pairs = table_options(table)
    except ValueError as error:
        raise case.error(key, str(error)) from None
    try:
        return pairs + parse_option_tokens(case.solver_args)
    except ValueError as error:
        raise CaseError("command line", "--", str(error)) from None


STARTUP_OPTIONS: set[str] = set()
"""Names of the options PETSc was started with (:func:`initialize_petsc`); they stay in
the database for ``PetscFinalize`` (which prints ``-log_view``)."""

READ_AT_START = ("log_", "info", "malloc", "options_left", "memory_view", "fp_trap",
                 "on_error_")
"""Prefixes of options that ``PetscInitialize`` reads and nothing later does."""


def initialize_petsc(options: OptionPairs) -> bool:
    """Start PETSc with those of ``options`` that only ``PetscInitialize`` reads.

    ``-log_view``, ``-info``, ``-malloc_debug``, ``-options_left`` and the like put into the
    database later would do nothing; they are given to ``PetscInitialize`` as its command
    line and stay in the database (``PetscFinalize`` prints the log). The other options
    are set, and removed again, by the solvers. When PETSc has already started (tests
    running several cases in one process) nothing happens.

    Returns
    -------
    bool
        Whether this call started PETSc.
    """
    import sys

    at_start = [(name, value) for name, value in options if name.startswith(READ_AT_START)]
    if "petsc4py.PETSc" in sys.modules or not at_start:
        return False
    # MPI first: atexit runs last-registered first, so PETSc finalizes (and prints its
    # -log_view) before mpi4py finalizes MPI.
    from mpi4py import MPI  # noqa: F401
    import petsc4py

    argv = [sys.argv[0] if sys.argv and sys.argv[0] else "pdekit"]
    for name, value in at_start:
        argv += ["-" + name] + ([] if value is None else [value])
    petsc4py.init(argv)
    STARTUP_OPTIONS.update(name for name, _ in at_start)
    return True


def remove_options(database: Any, names: Sequence[str]) -> None:
    """Take the run's options out of PETSc's database again, except those PETSc was
    started with (see :data:`STARTUP_OPTIONS`)."""
    for name in names:
        if name not in STARTUP_OPTIONS:
            database.delValue(name)


def _libpetsc_path() -> str | None:
    """Path of the PETSc shared library this process loaded (via petsc4py)."""
    try:
        with open("/proc/self/maps") as maps:
            for line in maps:
                path = line.split()[-1]
                if "/libpetsc" in path and ".so" in path:
                    return path
    except OSError:
        return None
    return None


def unused_options(names: Sequence[str]) -> list[str] | None:
    """Which of ``names`` no PETSc/SLEPc object has read so far (``None``: cannot tell).

    petsc4py 3.18 does not wrap ``PetscOptionsUsed``; it is called through ctypes on the
    already loaded library (Linux only; elsewhere the check is skipped).
    """
    import ctypes

    path = _libpetsc_path()
    if path is None:
        return None
    try:
        used_fn = ctypes.CDLL(path).PetscOptionsUsed
    except (OSError, AttributeError):
        return None
    unused = []
    for name in names:
        flag = ctypes.c_int(0)
        if used_fn(None, name.encode(), ctypes.byref(flag)) != 0:
            return None
        if not flag.value:
            unused.append(name)
    return unused
