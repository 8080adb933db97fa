"""PETSc/SLEPc options of an eigen case checked on a tiny probe problem before anything
runs: unknown or misspelled options, refused values, and options given without the value
they need (:func:`check_options`, the only public function here; it imports PETSc/SLEPc).

The run picks its method and inner solver by the problem (``auto``), so the probe sets up
every configuration the run may use (:func:`probe_plans`) and refuses an option only when
none of them reads it, or none accepts its value: it never refuses a combination that
the real problem accepts. A refusal quotes PETSc's own reason.
"""

from __future__ import annotations

from typing import Any

from pdekit.petsc_options import PROBE_PREFIX, OptionPairs, OptionProblem, unused_options


def probe_plans(options: OptionPairs, solver: Any) -> list[tuple[str, str]]:
    """``(method, factorization)`` of every set-up the run may take: the case's method or,
    for ``"auto"``, each of them (an interval: slicing only; ``-eps_type lobpcg``: LOBPCG);
    for shift-and-invert the case's factorization or every one ``"auto"`` may choose; for
    LOBPCG ``(method, preconditioner)``, the case's or both ``"auto"`` may choose."""
    from pdekit.fem.solve.factorization import AUTO_PICKS
    from pdekit.fem.solve.method import AUTO_METHODS, EIGENSOLVERS, method_from_options

    named = method_from_options(options)
    if named:
        methods = [named]
    elif solver.interval is not None:
        methods = ["slicing"]
    elif solver.method == "auto":
        methods = list(AUTO_METHODS)
    else:
        methods = [solver.method]
    factorizations = list(AUTO_PICKS) if solver.factorization == "auto" \
        else [solver.factorization]
    preconditioners = ["multigrid", "gamg"] if solver.preconditioner == "auto" \
        else [solver.preconditioner]
    plans = []
    for method in methods:
        if EIGENSOLVERS.capabilities(method).spectrum == "nearest":
            plans += [(method, factorization) for factorization in factorizations]
        elif method == "lobpcg":
            plans += [(method, preconditioner) for preconditioner in preconditioners]
        else:
            plans.append((method, "mumps"))
    return plans


def probe_matrices() -> list[Any]:
    """A and M of the probe problem: 2×2 diagonal, diag(1, 2) and the identity."""
    from petsc4py import PETSc

    matrices = []
    for diagonal in ((1.0, 2.0), (1.0, 1.0)):
        matrix = PETSc.Mat().createAIJ([2, 2], nnz=1, comm=PETSc.COMM_SELF)
        for i, entry in enumerate(diagonal):
            matrix.setValue(i, i, entry)
        matrix.assemble()
        matrices.append(matrix)
    return matrices


def configure_plan(matrices: list[Any], options: OptionPairs, solver: Any,
                   plan: tuple[str, str], prefix: str = "") -> None:
    """Make the solver objects of ``plan`` on the probe ``matrices`` as the run would,
    under options ``prefix``, and let them read their options: pdekit's LOBPCG its AMG
    (:func:`pdekit.fem.solve.lobpcg.lobpcg_preconditioner`), every other method (and
    SLEPc's LOBPCG, named by ``-eps_type lobpcg``) its EPS and inner solver. PETSc errors
    pass on."""
    import numpy as np

    from pdekit.fem.solve.lobpcg import PRECONDITIONERS, lobpcg_preconditioner
    from pdekit.fem.solve.method import method_from_options
    from pdekit.fem.solve.slepc_solver import MethodSettings, configured_eps

    import scipy.sparse as sp

    method, second = plan
    preconditioner = second if method == "lobpcg" else "gamg"
    geometric = PRECONDITIONERS.capabilities(preconditioner).geometric
    # a two-level hierarchy on the 2×2 probe: both unknowns interpolate the one coarse one
    interpolations = [sp.csr_matrix(np.ones((2, 1)))] if geometric else None
    if method == "lobpcg" and method_from_options(options) is None:
        pc = lobpcg_preconditioner(matrices[0], preconditioner, prefix, interpolations)
        try:
            pc.setUp()
        finally:
            pc.destroy()
        return
    settings = MethodSettings(preconditioner=preconditioner,
                              block_size=solver.block_size, restart=solver.restart)
    eps = configured_eps(*matrices, nev=1, target=-1.0, ncv=None, tol=solver.tol,
                         max_it=solver.max_it, problem_type=solver.problem_type,
                         method=method, factorization=second, spd=True,
                         settings=settings, prefix=prefix, interpolations=interpolations)
    eps.setFromOptions()
    ksp = eps.getST().getKSP()
    ksp.setOperators(matrices[0])
    ksp.setUp()  # the factorization reads the MUMPS options (-st_mat_mumps_...)


def _probe(options: OptionPairs, solver: Any, plan: tuple[str, str]
           ) -> tuple[str | None, list[str]]:
    """Set ``options`` under :data:`PROBE_PREFIX`, configure a solver of ``plan`` on a
    2×2 problem as the run will and let it read them.

    Returns
    -------
    refusal, unused
        PETSc's reason when ``setFromOptions`` or the inner solver's set-up raised an
        error (``None``: accepted), and which names no object read.
    """
    from petsc4py import PETSc

    from pdekit.fem.solve.method import foreign_eps_type
    from pdekit.fem.solve.petsc_reason import petsc_reason

    method, factorization = plan
    if method == "slicing" and foreign_eps_type(options):
        # Not tried: SLEPc 3.18 crashes when an EPS with an interval changes its type.
        return (f"spectrum slicing runs Krylov–Schur, not -eps_type "
                f"{foreign_eps_type(options)}", [])
    database = PETSc.Options()
    for name, value in options:
        database.setValue(PROBE_PREFIX + name, "" if value is None else value)
    matrices = []
    try:
        matrices = probe_matrices()
        refusal = None
        try:
            configure_plan(matrices, options, solver, plan, PROBE_PREFIX)
        except PETSc.Error as error:
            refusal = petsc_reason(error).replace(PROBE_PREFIX, "")
        unused = unused_options([PROBE_PREFIX + name for name, _ in options]) or []
        return refusal, [name[len(PROBE_PREFIX):] for name in unused]
    finally:
        for matrix in matrices:
            matrix.destroy()
        for name, _ in options:
            database.delValue(PROBE_PREFIX + name)


def _accepted_by_some(options: OptionPairs, solver: Any, plans: list[tuple[str, str]]
                      ) -> tuple[bool, str | None, set[str]]:
    """Whether some plan accepts ``options`` (reads every one that is not a viewer and
    refuses none), the first refusal, and the names some plan read."""
    read: set[str] = set()
    first = None
    accepted = False
    for plan in plans:
        refusal, unused = _probe(options, solver, plan)
        read |= {name for name, _ in options} - set(unused)
        accepted = accepted or refusal is None and all("view" in name for name in unused)
        first = first or refusal
    return accepted, first, read


def check_options(options: OptionPairs, solver: Any) -> None:
    """Try the options on a tiny problem before anything runs (imports PETSc/SLEPc).

    Viewer options (``*view*``) are read only at the end of a solve and are not checked
    for use here; every other option must be read by a solver object pdekit may make,
    be accepted with its value by one of them, and an option given without a value must
    be a flag (one that refuses the value ``2``: booleans, viewers, monitors).

    Parameters
    ----------
    options
        ``(name, value)`` pairs, in order.
    solver
        The ``[solver]`` section (nev, tolerances, method, factorization, problem type).

    Raises
    ------
    OptionProblem
        Naming the first option at fault, with PETSc's reason where PETSc gave one.
    """
    plans = probe_plans(options, solver)
    accepted, refusal, read = _accepted_by_some(options, solver, plans)
    unknown = [(name, value) for name, value in options
               if name not in read and "view" not in name]
    if unknown:
        name, value = unknown[0]
        raise OptionProblem(name, "an option PETSc/SLEPc reads (misspelled, or not "
                            "applicable to this solver" + _reader_hint(name, value, solver,
                                                                      plans) + ")")
    if not accepted:
        for name, value in options:  # which one: probe each alone
            alone, reason, _ = _accepted_by_some([(name, value)], solver, plans)
            if not alone:
                raise OptionProblem(name, f"a value PETSc/SLEPc accepts for -{name} "
                                    f"({reason})")
        raise OptionProblem(options[-1][0], f"options PETSc/SLEPc accept together "
                            f"({refusal})" if refusal else "options one solver set-up reads "
                            "together (each is read by a different one)")
    for name, value in options:
        if value is None and "view" not in name:
            takes_value, _, read_alone = _accepted_by_some([(name, "2")], solver, plans)
            if takes_value and name in read_alone:
                raise OptionProblem(name, f"a value after -{name} (without one PETSc "
                                    "ignores it)")


INNER_PREFIX = "st_"
"""The prefix of the inner solver's options (shift-and-invert's KSP, PC and factor)."""


def _reader_hint(name: str, value: str | None, solver: Any,
                 plans: list[tuple[str, str]]) -> str:
    """Which case setting would make a solver read option ``name`` that none of ``plans``
    reads: another ``solver.method`` / ``solver.factorization`` / ``solver.preconditioner``
    (``"; read with solver.factorization = 'mumps'"``), or the inner solver's prefix
    (``"; did you mean -st_ksp_type?"``); ``""`` when nothing reads it."""
    from pdekit.fem.solve.factorization import FACTORIZATIONS
    from pdekit.fem.solve.lobpcg import PRECONDITIONERS
    from pdekit.fem.solve.method import EIGENSOLVERS

    if not name.startswith(("eps_", INNER_PREFIX)):
        prefixed = INNER_PREFIX + name
        if any(prefixed not in _probe([(prefixed, value)], solver, plan)[1] for plan in plans):
            return (f"; did you mean -{prefixed}? the inner solver's options take the "
                    f"prefix {INNER_PREFIX}")
    chosen = {method for method, _ in plans}  # another setting of the chosen method first
    for method in sorted(EIGENSOLVERS.names(), key=lambda m: m not in chosen):
        nearest = EIGENSOLVERS.capabilities(method).spectrum == "nearest"
        seconds = FACTORIZATIONS.names() if nearest else \
            PRECONDITIONERS.names() if method == "lobpcg" else ["mumps"]
        for second in seconds:
            if (method, second) in plans:
                continue
            if name in _probe([(name, value)], solver, (method, second))[1]:
                continue
            keys = [f"solver.method = {method!r}"]
            if nearest:
                keys.append(f"solver.factorization = {second!r}")
            elif method == "lobpcg" and second != solver.preconditioner:
                keys.append(f"solver.preconditioner = {second!r}")
            return f"; read with {', '.join(keys)}"
    return ""


def show_help(options: OptionPairs, solver: Any) -> None:
    """Print PETSc/SLEPc's ``-help`` for each set-up the run may pick (the options as the
    run sets them, without the probe's prefix, so the names printed are the ones to use),
    on a 2×2 problem; on MPI rank 0 only. Nothing is solved."""
    from petsc4py import PETSc

    if PETSc.COMM_WORLD.getRank() != 0:
        return
    database = PETSc.Options()
    chosen = [(name, value) for name, value in options if name != "help"] + [("help", None)]
    print("# each set-up `auto` may pick; PETSc shows an object's options once, so later "
          "set-ups list only what is new", flush=True)
    for method, second in dict.fromkeys(probe_plans(chosen, solver)):
        detail = {"krylovschur": "factorization", "arnoldi": "factorization",
                  "lobpcg": "preconditioner"}.get(method)
        print(f"# PETSc/SLEPc options of solver.method = {method!r}"
              + (f", {detail} = {second!r}" if detail else ""), flush=True)
        for name, value in chosen:
            database.setValue(name, "" if value is None else value)
        matrices = []
        try:
            matrices = probe_matrices()
            try:
                configure_plan(matrices, chosen, solver, (method, second))
            except PETSc.Error:  # the help was printed as the objects read their options
                pass
        finally:
            for matrix in matrices:
                matrix.destroy()
            for name, _ in chosen:
                database.delValue(name)

