"""SLEPc eigensolver: Krylov–Schur with shift-and-invert, LOBPCG + AMG, spectrum slicing.

For ``A x = λ M x`` with target σ, shift-and-invert runs Krylov–Schur on
``(A − σM)⁻¹ M``, whose largest eigenvalues ``θ = 1/(λ − σ)`` belong to the λ nearest σ;
each step is one solve with ``A − σM``: with its Cholesky or LU factors, or by CG + AMG
(GAMG or BoomerAMG) to a tight tolerance (chosen by the problem and the rank count,
:mod:`pdekit.fem.solve.factorization`). See Hernandez, Roman & Vidal, "SLEPc: A
scalable and flexible toolkit for the solution of eigenvalue problems", ACM TOMS 31 (2005),
and Stewart, "A Krylov–Schur algorithm for large eigenproblems", SIMAX 23 (2001).
LOBPCG (:mod:`pdekit.fem.solve.lobpcg`) and spectrum slicing (:mod:`pdekit.fem.solve.slicing`) are
set up by their modules; which one runs is :mod:`pdekit.fem.solve.method`'s choice.

Options precedence: built-in defaults < case settings < ``[solver.petsc]`` table <
command-line options after ``--`` (both go through the PETSc options database, read by
``setFromOptions``; see :mod:`pdekit.petsc_options`).

Importing this module imports no PETSc/SLEPc: the registries below are what the case
model offers as choices (``pdekit list``/``check`` stay light).
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from typing import Any, Sequence

from pdekit.fem.solve.factorization import (AMG_MAX_ROW_NNZ, FACTORIZATIONS, INNER_RTOL_FACTOR,
                                      Choice, choose, shifted_is_spd, shifted_matrix)
from pdekit.fem.solve.method import (EIGENSOLVERS, MethodChoice, choose_method,
                                     foreign_eps_type, method_from_options)
from pdekit.fem.solve.lobpcg import Hierarchy, PreconditionerChoice, choose_preconditioner
from pdekit.fem.solve.petsc_reason import petsc_reason
from pdekit.petsc_options import remove_options, unused_options
from pdekit.core.registry import Registry

@dataclass(frozen=True)
class ProblemTypeTraits:
    """Whether a SLEPc problem type is Hermitian (see :data:`PROBLEM_TYPES`)."""

    hermitian: bool


PROBLEM_TYPES: Registry[str, ProblemTypeTraits] = Registry("SLEPc problem type",
                                                           ProblemTypeTraits)
"""Case name -> ``SLEPc.EPS.ProblemType`` attribute. Capability ``hermitian``: A and M are
symmetric (the matrices are flagged so, and the eigenvectors come out M-orthonormal)."""
PROBLEM_TYPES.add("ghep", "GHEP", hermitian=True)    # generalized Hermitian, M s.p.d.
PROBLEM_TYPES.add("gnhep", "GNHEP", hermitian=False)  # generalized non-Hermitian
PROBLEM_TYPES.add("pgnhep", "PGNHEP", hermitian=False)  # non-Hermitian A, M s.p.d.

class SolverSetupError(ValueError):
    """The eigensolver could not be set up (bad options, singular shifted matrix)."""


class SolverFailure(RuntimeError):
    """The eigensolver failed while iterating."""


@dataclass
class EigenResult:
    """Converged eigenpairs, sorted by eigenvalue.

    Attributes
    ----------
    eigenvalues
        λ_i (real parts), ascending.
    vectors
        PETSc vectors (free dofs), same order.
    residuals
        Relative residual ``‖Ax − λMx‖ / ‖λx‖`` (SLEPc ``computeError(RELATIVE)``);
        for |λ| tiny (Neumann λ = 0) SLEPc's relative error is relative to 1.
    estimates
        SLEPc's own error estimates from the Krylov–Schur iteration.
    iterations, converged, requested
        Outer iterations, pairs converged, pairs asked for.
    settings
        The solver configuration actually used (after options).
    """

    eigenvalues: list[float]
    vectors: list[Any]
    residuals: list[float]
    estimates: list[float]
    iterations: int
    converged: int
    requested: int
    settings: dict[str, Any] = field(default_factory=dict)


class UnusedOptionsError(ValueError):
    """Options were put into the PETSc database that no solver object ever read."""

    def __init__(self, names: list[str]):
        super().__init__("options that PETSc/SLEPc read; never read (misspelled or not "
                         f"applicable): {', '.join('-' + n for n in names)}")
        self.names = names


@dataclass(frozen=True)
class MethodSettings:
    """How LOBPCG and spectrum slicing run (``[solver]`` keys; ignored by the others).

    Attributes
    ----------
    preconditioner
        LOBPCG's preconditioner: ``"auto"`` or a name in
        :data:`pdekit.fem.solve.lobpcg.PRECONDITIONERS`.
    hierarchy
        The interpolations of the mesh's refinement hierarchy, made when geometric
        multigrid runs (``None``: there is none to use).
    block_size, restart
        LOBPCG block size and restart threshold (``None``: SLEPc's).
    interval
        ``(a, b)`` of spectrum slicing (every eigenvalue in it), or ``None``.
    partitions
        Sub-communicators of spectrum slicing under MPI.
    """

    preconditioner: str = "auto"
    hierarchy: Hierarchy | None = None
    block_size: int | None = None
    restart: float | None = None
    interval: tuple[float, float] | None = None
    partitions: int = 1


def configured_eps(A: Any, M: Any, *, nev: int, target: float, ncv: int | None,
                   tol: float, max_it: int, problem_type: str, method: str,
                   factorization: str = "mumps", spd: bool = False,
                   settings: MethodSettings = MethodSettings(), prefix: str = "",
                   interpolations: list[Any] | None = None) -> Any:
    """A SLEPc EPS for ``A x = λ M x`` set up as pdekit runs it, before
    ``setFromOptions``: shift-and-invert about ``target`` with the inner solve of
    ``factorization`` (a name in :data:`~pdekit.fem.solve.factorization.FACTORIZATIONS`) for
    ``krylovschur``/``arnoldi``; LOBPCG preconditioned on ``A − σM`` for ``lobpcg``;
    Krylov–Schur over ``settings.interval`` for ``slicing``.

    For a Hermitian problem type the matrices are flagged symmetric and ``A − σM`` is
    built here (:func:`shifted_matrix`, positive definite when ``spd``) and handed to the
    spectral transformation as the matrix its solver factorizes or preconditions.
    ``prefix`` is the options prefix of the EPS (and so of its ST, KSP and PC): the
    option probe of :mod:`pdekit.fem.solve.option_probe` runs under a private one.
    ``settings.preconditioner`` is a name in :data:`~pdekit.fem.solve.lobpcg.PRECONDITIONERS`
    here (not ``"auto"``), with ``interpolations`` when geometric.
    """
    from petsc4py import PETSc
    from slepc4py import SLEPc

    from pdekit.fem.solve.lobpcg import configure_lobpcg
    from pdekit.fem.solve.slicing import configure_slicing

    eps = SLEPc.EPS().create(comm=A.getComm())
    if prefix:
        eps.setOptionsPrefix(prefix)
    eps.setOperators(A, M)
    eps.setProblemType(getattr(SLEPc.EPS.ProblemType, PROBLEM_TYPES.get(problem_type)))
    hermitian = PROBLEM_TYPES.capabilities(problem_type).hermitian
    if hermitian:
        for matrix in (A, M):
            matrix.setOption(PETSc.Mat.Option.SYMMETRIC, True)
    eps.setTolerances(tol=tol, max_it=max_it)
    if method == "lobpcg":
        eps.setDimensions(nev=nev, ncv=ncv if ncv else PETSc.DECIDE)
        configure_lobpcg(eps, shifted_matrix(A, M, target, True), M,
                         preconditioner=settings.preconditioner,
                         block_size=settings.block_size, restart=settings.restart,
                         interpolations=interpolations)
        return eps
    if method == "slicing":
        configure_slicing(eps, interval=settings.interval, partitions=settings.partitions)
        return eps
    eps.setType(EIGENSOLVERS.get(method))
    eps.setDimensions(nev=nev, ncv=ncv if ncv else PETSc.DECIDE)
    eps.setTarget(target)
    eps.setWhichEigenpairs(SLEPc.EPS.Which.TARGET_MAGNITUDE)
    # Purification (x <- (A − σM)⁻¹ M x, one more solve per converged vector) removes
    # components in the null space of M. A FEM mass matrix has none: it would only cost
    # solves (13 of 69 for 10 pairs on the unit square); the eigenvalues do not change.
    eps.setPurify(False)
    st = eps.getST()
    st.setType(SLEPc.ST.Type.SINVERT)
    st.setShift(target)
    if hermitian:
        st.setPreconditionerMat(shifted_matrix(A, M, target, spd))
    inner = FACTORIZATIONS.get(factorization)
    ksp = st.getKSP()
    # CG needs a definite operator; GMRES takes a forced iterative path on any shift.
    ksp.setType(inner.ksp if spd or inner.ksp == "preonly" else "gmres")
    pc = ksp.getPC()
    pc.setType(inner.pc)
    if inner.package:
        pc.setFactorSolverType(inner.package)
    if inner.ordering:
        pc.setFactorOrdering(inner.ordering)
    if inner.pc == "hypre":
        pc.setHYPREType("boomeramg")
    if inner.ksp != "preonly":
        ksp.setTolerances(rtol=min(1e-8, INNER_RTOL_FACTOR * tol), max_it=10000)
    return eps


HYPRE = (("st_pc_hypre_boomeramg_coarsen_type", "HMIS"),
         ("st_pc_hypre_boomeramg_interp_type", "ext+i"),
         ("st_pc_hypre_boomeramg_P_max", "4"), ("st_pc_hypre_boomeramg_agg_nl", "1"))
"""BoomerAMG defaults (CG to 1e-12 on a 62k-dof P1 cube: about 4x faster than with its
own defaults); in 3D also strong threshold 0.5 (hypre's advice)."""


def inner_defaults(inner_pc: str, dim: int) -> list[tuple[str, str]]:
    """Options database defaults of the preconditioner ``inner_pc`` (user options win)."""
    if inner_pc != "hypre":
        return []
    return [*HYPRE, *([("st_pc_hypre_boomeramg_strong_threshold", "0.5")] if dim >= 3
                      else [])]


def resolve_factorization(requested: str, A: Any, *, dim: int, spd: bool,
                          options: Sequence[tuple[str, str | None]],
                          budget_bytes: float | None) -> Choice:
    """:func:`~pdekit.fem.solve.factorization.choose` for these matrices; with ``"auto"``, MUMPS
    options among ``options`` keep MUMPS (LU, the factorization they were written for)."""
    from petsc4py import PETSc

    names = [name for name, _ in options]
    if requested == "auto" and any("mumps" in name for name in names):
        requested = "mumps"
    ndof = A.getSize()[0]
    nonzeros = A.getInfo(PETSc.Mat.InfoType.GLOBAL_SUM)["nz_used"]
    choice = choose(requested, ndof=ndof, dim=dim, ranks=A.getComm().getSize(),
                    spd=spd, budget_bytes=budget_bytes,
                    cholmod=PETSc.Sys.hasExternalPackage("suitesparse"),
                    row_nnz=nonzeros / max(ndof, 1))
    overriding = [name for name in names
                  if name in ("st_pc_type", "st_ksp_type", "st_pc_factor_mat_solver_type")]
    if overriding:
        choice = Choice(choice.name, choice.reason + " (options change it: "
                        + ", ".join("-" + name for name in overriding) + ")",
                        choice.estimate_bytes)
    return choice


def solve_eigen(A: Any, M: Any, *, nev: int, target: float, ncv: int | None = None,
                tol: float = 1e-10, max_it: int = 500, problem_type: str = "ghep",
                method: str = "auto", factorization: str = "auto", dim: int = 2,
                stiffness_definite: bool = False, factor_budget_bytes: float | None = None,
                settings: MethodSettings = MethodSettings(), weyl_guess: Any = None,
                options: Sequence[tuple[str, str | None]] = ()) -> EigenResult:
    """Solve ``A x = λ M x`` for the ``nev`` eigenvalues nearest ``target`` (all of
    ``settings.interval`` when given).

    Parameters
    ----------
    A, M
        PETSc matrices (same communicator).
    nev, target, ncv, tol, max_it
        Number of pairs, shift σ, subspace size (``None``: SLEPc's default), relative
        tolerance, maximum outer iterations.
    problem_type
        A name in :data:`PROBLEM_TYPES` (``"ghep"``: symmetric, M-orthonormal vectors).
    method
        ``"auto"`` or a name in :data:`~pdekit.fem.solve.method.EIGENSOLVERS`
        (:func:`pdekit.fem.solve.method.choose_method`).
    factorization, dim, stiffness_definite, factor_budget_bytes
        ``"auto"`` or a name in :data:`~pdekit.fem.solve.factorization.FACTORIZATIONS`; the
        mesh's dimension; whether A is positive definite (a Dirichlet boundary: σ = 0
        keeps ``A − σM`` definite); the largest direct factor ``"auto"`` attempts
        (``None``: half the physical memory). See :mod:`pdekit.fem.solve.factorization`.
    settings
        LOBPCG and spectrum slicing settings (:class:`MethodSettings`).
    weyl_guess
        ``n -> λ`` estimate of the n-th eigenvalue (:func:`pdekit.fem.solve.weyl.weyl_eigenvalue`),
        where spectrum slicing looks first for an interval holding ``nev`` eigenvalues
        (``None``: from 1 upward).
    options
        ``(name, value)`` pairs put into the PETSc options database (override the rest).

    Returns
    -------
    EigenResult
        All converged pairs (at least ``nev`` unless the solver failed; for an interval
        every eigenvalue in it, possibly none), ascending.

    Raises
    ------
    SolverSetupError
        Options or matrices SLEPc refuses, quoting PETSc's reason.
    """
    from petsc4py import PETSc

    from pdekit.fem.solve.slicing import lowest_interval

    hermitian = PROBLEM_TYPES.capabilities(problem_type).hermitian
    spd = shifted_is_spd(hermitian, target, stiffness_definite)
    choice = resolve_factorization(factorization, A, dim=dim, spd=spd, options=options,
                                   budget_bytes=factor_budget_bytes)
    row_nnz = A.getInfo(PETSc.Mat.InfoType.GLOBAL_SUM)["nz_used"] / max(A.getSize()[0], 1)
    chosen = choose_method(method, interval=settings.interval is not None, nev=nev,
                           spd=spd, direct=FACTORIZATIONS.capabilities(choice.name).direct,
                           dim=dim, amg_rows=row_nnz <= AMG_MAX_ROW_NNZ,
                           factorization_given=factorization != "auto",
                           geometric=settings.hierarchy is not None
                           and settings.preconditioner in ("auto", "multigrid"),
                           options=options)
    if chosen.name in ("lobpcg", "slicing") and not hermitian:
        raise SolverSetupError(f"method {chosen.name} needs a Hermitian problem type "
                               f"(problem_type ghep), not {problem_type}")
    if chosen.name == "lobpcg" and not spd or \
            chosen.name == "slicing" and settings.interval is None and not spd:
        raise SolverSetupError(f"method {chosen.name} finds the smallest eigenvalues: the "
                               f"shift σ = {target:g} must lie below the spectrum")
    if chosen.name == "slicing" and foreign_eps_type(options):
        raise SolverSetupError(f"spectrum slicing runs Krylov–Schur: no -eps_type "
                               f"{foreign_eps_type(options)} with an interval")
    if chosen.name == "slicing" and settings.interval is None:
        try:
            interval = lowest_interval(A, M, nev, target, weyl_guess)
        except RuntimeError as error:
            raise SolverSetupError(str(error)) from None
        settings = replace(settings, interval=interval)
    preconditioner = None
    if chosen.name == "lobpcg":
        try:
            preconditioner = choose_preconditioner(settings.preconditioner, settings.hierarchy)
        except ValueError as error:
            raise SolverSetupError(str(error)) from None
        settings = replace(settings, preconditioner=preconditioner.name)
    defaults = method_defaults(chosen.name, choice, settings, dim)
    database = PETSc.Options()
    for name, value in [*defaults, *options]:
        database.setValue(name, value if value is not None else "")
    try:
        if preconditioner and method_from_options(options) is None:
            return _run_block_lobpcg(A, M, nev=nev, target=target, tol=tol, max_it=max_it,
                                     settings=settings, chosen=chosen, options=options,
                                     preconditioner=preconditioner)
        eps = configured_eps(A, M, nev=nev, target=target, ncv=ncv, tol=tol, max_it=max_it,
                             problem_type=problem_type, method=chosen.name,
                             factorization=choice.name, spd=spd, settings=settings,
                             interpolations=preconditioner.interpolations if preconditioner
                             else None)
        result = _run(eps, A, nev, options, choice, chosen, problem_type,
                      offset=target if chosen.name == "lobpcg" else 0.0)
        if preconditioner:
            result.settings["preconditioner_reason"] = preconditioner.reason
        return result
    finally:
        remove_options(database, [name for name, _ in [*defaults, *options]])


def method_defaults(method: str, choice: Choice, settings: MethodSettings,
                    dim: int) -> list[tuple[str, str]]:
    """Options database defaults of the method's inner solver (user options win)."""
    from pdekit.fem.solve.slicing import MUMPS_INERTIA

    if method == "lobpcg":
        return inner_defaults(settings.preconditioner, dim)
    if method == "slicing":
        return list(MUMPS_INERTIA)
    return inner_defaults(choice.inner.pc, dim)


def _run_block_lobpcg(A: Any, M: Any, *, nev: int, target: float, tol: float, max_it: int,
                      settings: MethodSettings, chosen: MethodChoice,
                      options: Sequence[tuple[str, str | None]],
                      preconditioner: PreconditionerChoice) -> EigenResult:
    """pdekit's block LOBPCG (:func:`pdekit.fem.solve.lobpcg.solve_lobpcg`) on
    ``A − σM``, σ = ``target``, with the options database set and the preconditioner of
    :func:`~pdekit.fem.solve.lobpcg.choose_preconditioner`; its result and record."""
    from petsc4py import PETSc

    from pdekit.fem.solve.lobpcg import solve_lobpcg

    if settings.restart is not None:
        raise SolverSetupError("a restart threshold is SLEPc's LOBPCG's (-eps_type lobpcg); "
                               "pdekit's own LOBPCG does not restart")
    for matrix in (A, M):
        matrix.setOption(PETSc.Mat.Option.SYMMETRIC, True)
    names = [name for name, _ in options]
    try:
        pairs = solve_lobpcg(A, M, shifted_matrix(A, M, target, True), nev=nev, shift=target,
                             tol=tol, max_it=max_it, preconditioner=preconditioner.name,
                             block_size=settings.block_size,
                             interpolations=preconditioner.interpolations)
    except PETSc.Error as error:
        raise SolverSetupError(f"LOBPCG failed ({petsc_reason(error)}) with options "
                               f"{dict(options) or 'none'}") from None
    unused = unused_options(names)
    if unused:
        raise UnusedOptionsError(unused)
    record = {
        "method": "lobpcg", "implementation": "pdekit", "method_choice": chosen.name,
        "method_reason": chosen.reason, "problem_type": "ghep", "st": None, "ksp": None,
        "pc": pairs.preconditioner, "preconditioner": preconditioner.name,
        "preconditioner_reason": preconditioner.reason,
        "block_size": pairs.block_size, "restart": None, "factor_solver": None,
        "factorization": None, "factorization_reason": None, "factor_estimate_gib": None,
        "inner_rtol": None, "target": target, "nev": nev, "ncv": None, "tol": tol,
        "max_it": max_it, "options": {name: value for name, value in options},
    }
    return EigenResult(pairs.eigenvalues, pairs.vectors, pairs.residuals, pairs.residuals,
                       pairs.iterations, len(pairs.eigenvalues), nev, record)


def _run(eps: Any, A: Any, nev: int, options: Sequence[tuple[str, str | None]],
         choice: Choice, chosen: MethodChoice, problem_type: str,
         offset: float) -> EigenResult:
    """Set up, check the options were read, solve and collect the pairs (eigenvalues of
    the pencil ``eps`` solves plus ``offset``: LOBPCG solves the shifted one)."""
    from petsc4py import PETSc
    from slepc4py import SLEPc

    st = eps.getST()
    ksp = st.getKSP()
    pc = ksp.getPC()
    names = [name for name, _ in options]
    try:
        eps.setFromOptions()
        eps.setUp()  # also factorizes A − σM
    except PETSc.Error as error:
        raise SolverSetupError(f"SLEPc set-up failed ({petsc_reason(error)}) with options "
                               f"{dict(options) or 'none'}") from None
    # Viewer options (-eps_view, ...) are read at the end of the solve; all others have
    # been read by now, so a misspelled one fails before the expensive part.
    unused = unused_options([n for n in names if "view" not in n])
    if unused:
        raise UnusedOptionsError(unused)
    try:
        eps.solve()
    except PETSc.Error as error:
        raise SolverFailure(f"SLEPc solve failed ({petsc_reason(error)})") from None
    unused = unused_options(names)
    if unused:
        raise UnusedOptionsError(unused)
    converged = eps.getConverged()
    pairs = []
    for i in range(converged):
        vector = A.createVecs()[0]
        value = eps.getEigenpair(i, vector)
        pairs.append((value.real + offset, vector,
                      eps.computeError(i, SLEPc.EPS.ErrorType.RELATIVE),
                      eps.getErrorEstimate(i)))
    pairs.sort(key=lambda pair: pair[0])
    lobpcg = eps.getType() == "lobpcg"
    slicing = chosen.name == "slicing"
    shift_invert = st.getType() == "sinvert"
    record = {
        "method": eps.getType(), "method_choice": chosen.name,
        "method_reason": chosen.reason, "problem_type": problem_type,
        "st": st.getType(), "ksp": ksp.getType(), "pc": pc.getType(),
        "factor_solver": pc.getFactorSolverType() if pc.getType() in ("lu", "cholesky")
        else None,
        "factorization": choice.name if shift_invert and not slicing else None,
        "factorization_reason": choice.reason if shift_invert and not slicing else None,
        "factor_estimate_gib": choice.estimate_bytes / 2**30,
        "inner_rtol": ksp.getTolerances()[0] if ksp.getType() != "preonly" else None,
        "target": eps.getTarget() if shift_invert and not slicing else None,
        "nev": eps.getDimensions()[0], "ncv": eps.getDimensions()[1],
        "tol": eps.getTolerances()[0], "max_it": eps.getTolerances()[1],
        "options": {name: value for name, value in options},
    }
    if lobpcg:
        record.update(implementation="slepc", preconditioner=st.getKSP().getPC().getType(),
                      block_size=eps.getLOBPCGBlockSize(),
                      restart=eps.getLOBPCGRestart())
    if slicing:
        shifts, inertias = eps.getKrylovSchurInertias()
        record.update(interval=list(eps.getInterval()),
                      partitions=eps.getKrylovSchurPartitions(),
                      below_interval=int(inertias[0]) if len(inertias) else 0,
                      shifts=[float(x) for x in shifts])
    return EigenResult([p[0] for p in pairs], [p[1] for p in pairs],
                       [float(p[2]) for p in pairs], [float(p[3]) for p in pairs],
                       eps.getIterationNumber(), converged, nev, record)


def clusters(values: Sequence[float], rtol: float = 1e-4) -> list[list[int]]:
    """Group sorted eigenvalues into multiplicity clusters.

    Consecutive values join a cluster when ``|λ_{i+1} − λ_i| ≤ rtol · max(|λ_i|, s)``,
    ``s`` being the largest |λ| given times ``rtol`` (so zero eigenvalues cluster too).

    Returns
    -------
    list of list of int
        Indices into ``values``, one list per cluster.
    """
    if not values:
        return []
    scale = max(abs(v) for v in values) * rtol
    groups = [[0]]
    for i in range(1, len(values)):
        if abs(values[i] - values[i - 1]) <= rtol * max(abs(values[i - 1]), scale, 1e-300):
            groups[-1].append(i)
        else:
            groups.append([i])
    return groups
