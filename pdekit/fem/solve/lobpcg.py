"""LOBPCG for the lowest eigenpairs of ``A x = λ M x``, preconditioned by algebraic multigrid.

Knyazev's locally optimal block preconditioned conjugate gradient (Knyazev, "Toward the
optimal preconditioned eigensolver: LOBPCG", SIAM J. Sci. Comput. 23 (2001)) minimizes the
Rayleigh quotient over the span of the current block, its preconditioned residuals and the
previous directions: no solve with ``A − σM`` at all, one AMG V-cycle per vector and
iteration. SLEPc's implementation (``EPSLOBPCG``) runs the preconditioner through the
spectral transformation of type ``precond``. It runs on the shifted pencil
``(A − σM) x = (λ − σ) M x`` for the case's shift σ ≤ 0 (``A`` with Dirichlet boundaries,
``A + M`` without), positive definite either way: AMG applies to it, and a zero
eigenvalue of a pure Neumann problem does not break the Rayleigh–Ritz step (on ``A``
itself LAPACK's ``sygvd`` failed, info = 21, unit square P2). MFEM's ex11p runs the same
method with hypre's BoomerAMG.

It finds the *smallest* eigenvalues (SLEPc refuses a target: ``This solver supports only
smallest real or largest real eigenvalues``); with a Hermitian problem and σ below the
spectrum those are the ones nearest σ, what every other method of pdekit returns.

Measured (``shared/stack.md``): P1 unit cube, 136k free dofs, 4 pairs, tol 1e-10: 13.1 s
with GAMG, 15.6 s with BoomerAMG, against 45.8 s for Krylov–Schur + shift-and-invert with
CG + GAMG inner solves to 1e-12.

Importing this module imports no PETSc.
"""

from __future__ import annotations

from typing import Any

from pdekit.core.registry import NoTraits, Registry

PRECONDITIONERS: Registry[str, NoTraits] = Registry("LOBPCG preconditioner")
"""``solver.preconditioner`` name -> PETSc PC type of the spectral transformation."""
PRECONDITIONERS.add("gamg", "gamg")    # PETSc's smoothed aggregation
PRECONDITIONERS.add("hypre", "hypre")  # hypre BoomerAMG (classical AMG)


def configure_lobpcg(eps: Any, shifted: Any, M: Any, *, preconditioner: str,
                     block_size: int | None, restart: float | None) -> None:
    """Make ``eps`` (problem type, dimensions and tolerances set) an LOBPCG solver for
    the smallest eigenvalues of ``shifted x = μ M x`` (``shifted = A − σM``, positive
    definite: λ = μ + σ), preconditioned by ``preconditioner`` (a name in
    :data:`PRECONDITIONERS`) built on ``shifted``.

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
    pc = ksp.getPC()
    pc.setType(PRECONDITIONERS.get(preconditioner))
    if pc.getType() == "hypre":
        pc.setHYPREType("boomeramg")
