"""LOBPCG for the lowest eigenpairs of ``A x = λ M x``, preconditioned by algebraic multigrid.

Knyazev's locally optimal block preconditioned conjugate gradient (Knyazev, "Toward the
optimal preconditioned eigensolver: LOBPCG", SIAM J. Sci. Comput. 23 (2001)) minimizes the
Rayleigh quotient over the span of the current block, its preconditioned residuals and the
previous directions: no solve with ``A − σM`` at all, one AMG V-cycle per vector and
iteration. It runs on the shifted pencil ``(A − σM) x = (λ − σ) M x`` for the case's
shift σ ≤ 0 (``A`` with Dirichlet boundaries, ``A + M`` without), positive definite either
way: AMG applies to it, and a zero eigenvalue of a pure Neumann problem does not break the
Rayleigh–Ritz step. MFEM's ex11p runs the same method with hypre's BoomerAMG.

Two implementations:

- ``solver.method = "lobpcg"`` (and ``auto``) runs pdekit's own block LOBPCG
  (:mod:`pdekit.fem.solve.block_lobpcg`) with the AMG as a PETSc PC of options prefix
  ``st_`` (``-st_pc_type hypre``, ``-st_pc_gamg_threshold 0.05``… apply to it):
  :func:`solve_lobpcg`. On a 1.2e6-dof P1 cube, 4 pairs, it took a third of SLEPc's time
  (``benchmarks/RESULTS.md``).
- ``-eps_type lobpcg`` among the PETSc options runs SLEPc's ``EPSLOBPCG``, its
  preconditioner on the spectral transformation of type ``precond``
  (:func:`configure_lobpcg`), with SLEPc's options (``-eps_lobpcg_restart``…).

It finds the *smallest* eigenvalues (SLEPc refuses a target: ``This solver supports only
smallest real or largest real eigenvalues``); with a Hermitian problem and σ below the
spectrum those are the ones nearest σ, what every other method of pdekit returns.

Measured (``shared/stack.md``): P1 unit cube, 136k free dofs, 4 pairs, tol 1e-10: 13.1 s
with GAMG, 15.6 s with BoomerAMG, against 45.8 s for Krylov–Schur + shift-and-invert with
CG + GAMG inner solves to 1e-12.

Importing this module imports no PETSc.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Callable

from pdekit.core.registry import Registry


@dataclass(frozen=True)
class PreconditionerTraits:
    """What a preconditioner of :data:`PRECONDITIONERS` needs.

    Attributes
    ----------
    geometric
        The interpolations of the mesh's refinement hierarchy (one rank only,
        :mod:`pdekit.fem.solve.geometric_mg`).
    """

    geometric: bool


PRECONDITIONERS: Registry[str, PreconditionerTraits] = Registry("LOBPCG preconditioner",
                                                                PreconditionerTraits)
"""``solver.preconditioner`` name -> PETSc PC type."""
PRECONDITIONERS.add("multigrid", "mg", geometric=True)  # Netgen's refinement hierarchy
PRECONDITIONERS.add("gamg", "gamg", geometric=False)    # PETSc's smoothed aggregation
PRECONDITIONERS.add("hypre", "hypre", geometric=False)  # hypre BoomerAMG (classical AMG)

PRECONDITIONER_CHOICES = ("auto", *PRECONDITIONERS.names())
"""What ``solver.preconditioner`` accepts."""

Hierarchy = Callable[[], list[Any]]
"""``() -> interpolations`` (scipy CSR, coarsest first) of the refinement hierarchy of the
mesh the matrices come from (:func:`pdekit.fem.solve.geometric_mg.prolongations`)."""


@dataclass(frozen=True)
class PreconditionerChoice:
    """The preconditioner that runs (a name in :data:`PRECONDITIONERS`), why, and the
    interpolations of the refinement hierarchy when it is geometric."""

    name: str
    reason: str
    interpolations: list[Any] | None = None


def choose_preconditioner(requested: str, hierarchy: Hierarchy | None
                          ) -> PreconditionerChoice:
    """The preconditioner that runs, why, and the interpolations it needs.

    ``"auto"``: geometric multigrid where the mesh has a refinement hierarchy (on a P1
    cube of 148k dofs, 4 pairs, 1.7× faster than GAMG: fewer iterations, a cheaper
    V-cycle, almost no set-up; ``benchmarks/RESULTS.md``), else GAMG.

    Raises
    ------
    ValueError
        ``"multigrid"`` asked for where there is no hierarchy.
    """
    if requested != "auto" and not PRECONDITIONERS.capabilities(requested).geometric:
        return PreconditionerChoice(requested, "solver.preconditioner")
    interpolations, why_not = None, "the mesh has no refinement hierarchy (mesh.refine = 0 " \
                                    "or more than one rank)"
    if hierarchy is not None:
        try:
            interpolations = hierarchy()
        except ValueError as error:
            why_not = str(error)
    if interpolations:
        return PreconditionerChoice("multigrid", f"geometric multigrid on the "
                                    f"{len(interpolations) + 1} levels of the mesh's "
                                    "refinement hierarchy", interpolations)
    if requested == "multigrid":
        raise ValueError(f"no geometric multigrid: {why_not}")
    return PreconditionerChoice("gamg", f"GAMG: {why_not}")


def configure_lobpcg(eps: Any, shifted: Any, M: Any, *, preconditioner: str,
                     block_size: int | None, restart: float | None,
                     interpolations: list[Any] | None = None) -> None:
    """Make ``eps`` (problem type, dimensions and tolerances set) SLEPc's LOBPCG solver
    for the smallest eigenvalues of ``shifted x = μ M x`` (``shifted = A − σM``, positive
    definite: λ = μ + σ), preconditioned by ``preconditioner`` (a name in
    :data:`PRECONDITIONERS`, with ``interpolations`` if geometric) built on ``shifted``.

    ``block_size`` and ``restart`` (SLEPc's restart threshold in [0.1, 1]: the share of
    the block kept when vectors converge) are SLEPc's defaults when ``None``.
    """
    from petsc4py import PETSc
    from slepc4py import SLEPc

    eps.setOperators(shifted, M)
    eps.setType(SLEPc.EPS.Type.LOBPCG)
    eps.setWhichEigenpairs(SLEPc.EPS.Which.SMALLEST_REAL)
    if block_size:
        eps.setLOBPCGBlockSize(block_size)
    if restart:
        eps.setLOBPCGRestart(restart)
    st = eps.getST()
    st.setType(SLEPc.ST.Type.PRECOND)
    st.setPreconditionerMat(shifted)
    ksp = st.getKSP()
    ksp.setType(PETSc.KSP.Type.PREONLY)
    if interpolations:
        ksp.setPC(lobpcg_preconditioner(shifted, preconditioner, eps.getOptionsPrefix() or "",
                                        interpolations))
        return
    pc = ksp.getPC()
    pc.setType(PRECONDITIONERS.get(preconditioner))
    if pc.getType() == "hypre":
        pc.setHYPREType("boomeramg")


@dataclass
class LobpcgPairs:
    """What :func:`solve_lobpcg` found (eigenvalues of ``A x = λ M x``).

    Attributes
    ----------
    eigenvalues
        The converged λ, ascending.
    vectors
        PETSc vectors of the same layout as ``A``'s, M-orthonormal.
    residuals
        ‖Ax − λMx‖ / ‖λx‖ (relative to ‖x‖ where λ = 0).
    iterations, block_size, preconditioner
        Iterations taken, columns iterated, the PC type that ran.
    """

    eigenvalues: list[float]
    vectors: list[Any]
    residuals: list[float]
    iterations: int
    block_size: int
    preconditioner: str


def lobpcg_preconditioner(shifted: Any, preconditioner: str, prefix: str = "",
                          interpolations: list[Any] | None = None) -> Any:
    """The PETSc PC ``preconditioner`` (a name in :data:`PRECONDITIONERS`) on ``shifted``,
    options prefix ``prefix + "st_"``, options read, not set up; ``interpolations`` for
    geometric multigrid."""
    from petsc4py import PETSc

    from pdekit.fem.solve.geometric_mg import multigrid_preconditioner

    if PRECONDITIONERS.capabilities(preconditioner).geometric:
        return multigrid_preconditioner(shifted, interpolations or [], prefix + "st_")
    pc = PETSc.PC().create(comm=shifted.getComm())
    pc.setOptionsPrefix(prefix + "st_")
    pc.setOperators(shifted)
    pc.setType(PRECONDITIONERS.get(preconditioner))
    if pc.getType() == "hypre":
        pc.setHYPREType("boomeramg")
    pc.setFromOptions()
    return pc


def solve_lobpcg(A: Any, M: Any, shifted: Any, *, nev: int, shift: float, tol: float,
                 max_it: int, preconditioner: str, block_size: int | None,
                 interpolations: list[Any] | None = None) -> LobpcgPairs:
    """The ``nev`` smallest eigenpairs of ``A x = λ M x`` by pdekit's block LOBPCG on
    ``shifted = A − shift·M`` (positive definite), preconditioned by ``preconditioner`` (a
    name in :data:`PRECONDITIONERS`, with ``interpolations`` if geometric; the PETSc
    options database, prefix ``st_``, may change it). Options must be in the database
    already; PETSc errors pass on."""
    import numpy as np

    from pdekit.fem.solve.block_lobpcg import block_lobpcg

    pc = lobpcg_preconditioner(shifted, preconditioner, interpolations=interpolations)
    try:
        pc.setUp()
        outcome = block_lobpcg(shifted, M, pc, nev, block_size=block_size, tol=tol,
                               max_it=max_it)
        used = pc.getType()
    finally:
        pc.destroy()
    vectors, residuals = [], []
    for j in range(outcome.converged):
        vector = A.createVecs()[0]
        vector.setArray(outcome.vectors[:, j])
        vectors.append(vector)
        value = float(outcome.values[j]) + shift
        scale = abs(value) if abs(value) > 1e-12 else 1.0
        length = vector.norm()
        residuals.append(float(outcome.residual_norms[j]) / (scale * max(length, 1e-300)))
    values = [float(v) + shift for v in np.asarray(outcome.values)[:outcome.converged]]
    return LobpcgPairs(values, vectors, residuals, outcome.iterations,
                       outcome.vectors.shape[1], used)
