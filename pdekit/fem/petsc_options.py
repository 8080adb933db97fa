"""PETSc/SLEPc options database entries, from a ``[solver.petsc]`` table or from the
command line after ``--``, as ``(name, value)`` pairs, and their check on a tiny probe
problem (:func:`check_options`: the only function here that imports PETSc).

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




PROBE_PREFIX = "pdekitprobe_"
"""Private options prefix of the probe, so that its entries never reach the real solve."""


class OptionProblem(ValueError):
    """One option the probe refused: its name and what was expected of it."""

    def __init__(self, name: str, expected: str):
        super().__init__(expected)
        self.name, self.expected = name, expected


def _probe(options: OptionPairs, solver: Any) -> tuple[bool, list[str]]:
    """Set ``options`` under :data:`PROBE_PREFIX`, configure a solver on a 2×2 problem as
    the run will and let it read them.

    Returns
    -------
    accepted, unused
        Whether PETSc/SLEPc accepted the values (``setFromOptions`` and the factorization
        raised no error) and which names no object read.
    """
    from petsc4py import PETSc

    from pdekit.fem.slepc_solver import configured_eps, unused_options

    database = PETSc.Options()
    for name, value in options:
        database.setValue(PROBE_PREFIX + name, "" if value is None else value)
    matrices = []
    try:
        for diagonal in ((1.0, 2.0), (1.0, 1.0)):
            matrix = PETSc.Mat().createAIJ([2, 2], nnz=1, comm=PETSc.COMM_SELF)
            for i, entry in enumerate(diagonal):
                matrix.setValue(i, i, entry)
            matrix.assemble()
            matrices.append(matrix)
        try:
            eps = configured_eps(*matrices, nev=solver.nev, target=-1.0, ncv=solver.ncv,
                                 tol=solver.tol, max_it=solver.max_it,
                                 problem_type=solver.problem_type, method=solver.method,
                                 prefix=PROBE_PREFIX)
            eps.setFromOptions()
            ksp = eps.getST().getKSP()
            ksp.setOperators(matrices[0])
            ksp.setUp()  # the factorization reads the MUMPS options (-st_mat_mumps_...)
            accepted = True
        except PETSc.Error:
            accepted = False
        unused = unused_options([PROBE_PREFIX + name for name, _ in options]) or []
        return accepted, [name[len(PROBE_PREFIX):] for name in unused]
    finally:
        for matrix in matrices:
            matrix.destroy()
        for name, _ in options:
            database.delValue(PROBE_PREFIX + name)


def check_options(options: OptionPairs, solver: Any) -> None:
    """Try the options on a tiny problem before anything runs (imports PETSc/SLEPc).

    Viewer options (``*view*``) are read only at the end of a solve and are not checked
    for use here; every other option must be read by the solver objects pdekit makes,
    accept its value, and an option given without a value must be a flag (one that
    refuses the value ``2``: booleans, viewers, monitors).

    Parameters
    ----------
    options
        ``(name, value)`` pairs, in order.
    solver
        The ``[solver]`` section (nev, ncv, tolerances, method, problem type).

    Raises
    ------
    OptionProblem
        Naming the first option at fault.
    """
    accepted, unused = _probe(options, solver)
    unknown = [name for name in unused if "view" not in name]
    if unknown:
        raise OptionProblem(unknown[0], "an option PETSc/SLEPc reads (misspelled, or not "
                            "applicable to this solver)")
    if not accepted:
        for name, value in options:  # which one: probe each alone
            if not _probe([(name, value)], solver)[0]:
                raise OptionProblem(name, f"a value PETSc/SLEPc accepts for -{name}")
        raise OptionProblem(options[-1][0], "options PETSc/SLEPc accept together")
    for name, value in options:
        if value is None and "view" not in name:
            takes_value, unused = _probe([(name, "2")], solver)
            if takes_value and name not in unused:
                raise OptionProblem(name, f"a value after -{name} (without one PETSc "
                                    "ignores it)")
