"""PETSc/SLEPc options of an eigen case checked on a tiny probe problem before anything
runs: unknown or misspelled options, refused values, and options given without the value
they need (:func:`check_options`, the only function here; it imports PETSc/SLEPc).
"""

from __future__ import annotations

from typing import Any

from pdekit.petsc_options import OptionPairs, unused_options

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

    from pdekit.fem.slepc_solver import configured_eps

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
                                 factorization=probe_factorization(solver),
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


def probe_factorization(solver: Any) -> str:
    """The factorization the probe configures: the case's, or MUMPS LU for ``"auto"``
    (MUMPS options make ``"auto"`` keep MUMPS at run time)."""
    return "mumps" if solver.factorization == "auto" else solver.factorization


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
