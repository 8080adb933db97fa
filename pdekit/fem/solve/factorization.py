"""How shift-and-invert solves with ``A − σM``: the factorization (or inner iteration),
chosen by the problem and the rank count.

Every Krylov–Schur step applies ``(A − σM)⁻¹``: one solve with the factors of ``A − σM``
(or, on the iterative path, one preconditioned CG solve). Which package does it decides the
solve stage's speed (measured on this machine, unit square P1, 106k free dofs, one factor
and one single-right-hand-side solve; ``benchmarks/RESULTS.md``, "Eigen solver stage"):

=================  ======  ========  ===================================================
path               factor  solve     why
=================  ======  ========  ===================================================
``cholmod``        ~1.0 s  ~13-35 ms supernodal Cholesky (SuiteSparse), serial
``petsc-cholesky`` ~1.1 s  ~16 ms    PETSc's own Cholesky, nested dissection, serial
``mumps``          ~1.2 s  ~60 ms    MUMPS LU with pivoting: any shift, any rank count
``mumps-cholesky`` ~1.0 s  ~45 ms    MUMPS LLᵀ (the SPD flag set: no pivoting)
``iterative``      --      CG iters  CG + PETSc's GAMG to a tight tolerance
``iterative-hypre`` --     CG iters  CG + hypre BoomerAMG (HMIS, ext+i, 1 aggressive
                                     level; MFEM ex11p's preconditioner)
=================  ======  ========  ===================================================

In 3D PETSc's own Cholesky is no option (not supernodal: 392 s to factor a 62k-dof P1
cube that CHOLMOD factors in 18 s), and direct factors lose to CG + AMG beyond about
:data:`DIRECT_3D_MAX_DOFS` (factor time grows like N², an AMG-preconditioned solve like
N; at 62k dofs the two are on a par). GAMG beat BoomerAMG on the P1 cube (CG to 1e-12:
23 iterations of 19 ms against 9 of 300 ms with BoomerAMG's defaults, 21 of 33 ms with
HMIS coarsening).

MUMPS's solve phase is slow on these matrices because its assembly tree is barely
amalgamated (42k tree nodes for 106k dofs, 2.5 pivots per node): a solve makes ~85k tiny
BLAS calls plus per-node bookkeeping, about 1.3 µs per node, whatever the BLAS.

The rule (:func:`choose`), for ``solver.factorization = "auto"``:

1. ``A − σM`` symmetric positive definite (a Hermitian problem type and σ ≤ 0 with
   Dirichlet boundaries, σ < 0 without: A is s.p.(semi)definite, M s.p.d.) and the
   estimated Cholesky factor larger than ``solver.factor_memory``, or a 3D mesh with more
   than :data:`DIRECT_3D_MAX_DOFS` dofs and at most :data:`AMG_MAX_ROW_NNZ` nonzeros per
   row (P1/P2; on the dense rows of higher orders AMG coarsens badly — CG + GAMG took
   over 7 minutes where CHOLMOD took 29 s, P6 Fichera corner, 105k dofs) → ``iterative``;
2. SPD on one rank → ``cholmod`` (fastest over a whole eigensolve: on a par with
   ``petsc-cholesky`` at P1, 3–5× faster at high order where rows are dense and its
   supernodes pay; ``petsc-cholesky`` when PETSc has no SuiteSparse); SPD on several
   ranks → ``mumps-cholesky``;
3. otherwise (indefinite shift, non-Hermitian problem type) → ``mumps`` (LU with
   pivoting, serial or distributed).

Importing this module imports no PETSc (:func:`shifted_matrix` does, when called).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

from pdekit.memory import physical_memory_bytes
from pdekit.core.registry import Registry


@dataclass(frozen=True)
class InnerSolve:
    """How the spectral transformation's KSP solves with ``A − σM``.

    Attributes
    ----------
    pc
        PETSc PC type (``"cholesky"``, ``"lu"``, ``"hypre"``).
    package
        Factorization package (``MatSolverType``), or ``None`` for a preconditioner.
    ordering
        Fill-reducing ordering PETSc computes and hands to the factorization (PETSc's own
        uses it; CHOLMOD tries it beside its AMD and keeps the better), or ``None``.
    ksp
        ``"preonly"`` (one exact solve with the factors) or a Krylov method.
    """

    pc: str
    package: str | None = None
    ordering: str | None = None
    ksp: str = "preonly"


@dataclass(frozen=True)
class FactorizationTraits:
    """What an inner solve entry can do (see :data:`FACTORIZATIONS`)."""

    spd_only: bool
    parallel: bool
    direct: bool
    factor_copies: int


FACTORIZATIONS: Registry[InnerSolve, FactorizationTraits] = Registry("factorization",
                                                                     FactorizationTraits)
"""``solver.factorization`` name -> :class:`InnerSolve`. Capabilities: ``spd_only`` (the
shifted matrix must be symmetric positive definite), ``parallel`` (runs on several ranks),
``direct`` (a factorization; otherwise an iterative inner solve), ``factor_copies`` (factor
size in Cholesky factors: 2 for LU)."""
# CHOLMOD keeps the better of the ordering it is given and its own AMD (fewer factor
# entries): PETSc's nested dissection wins on 2D meshes (solve stage 1.37 s against
# 1.50 s, unit square P1, 106k dofs, 10 pairs), AMD/METIS stays where it is better (3D).
FACTORIZATIONS.add("cholmod", InnerSolve("cholesky", "cholmod", ordering="nd"),
                   spd_only=True, parallel=False, direct=True, factor_copies=1)
FACTORIZATIONS.add("petsc-cholesky", InnerSolve("cholesky", "petsc", ordering="nd"),
                   spd_only=True, parallel=False, direct=True, factor_copies=1)
FACTORIZATIONS.add("mumps", InnerSolve("lu", "mumps"),
                   spd_only=False, parallel=True, direct=True, factor_copies=2)
FACTORIZATIONS.add("mumps-cholesky", InnerSolve("cholesky", "mumps"),
                   spd_only=True, parallel=True, direct=True, factor_copies=1)
FACTORIZATIONS.add("iterative", InnerSolve("gamg", ksp="cg"),
                   spd_only=True, parallel=True, direct=False, factor_copies=0)
FACTORIZATIONS.add("iterative-hypre", InnerSolve("hypre", ksp="cg"),
                   spd_only=True, parallel=True, direct=False, factor_copies=0)

CHOICES = ("auto", *FACTORIZATIONS.names())
"""What ``solver.factorization`` accepts."""

AUTO_PICKS = ("cholmod", "petsc-cholesky", "mumps", "mumps-cholesky", "iterative")
"""The factorizations :func:`choose` may resolve ``"auto"`` to."""

DIRECT_3D_MAX_DOFS = 1e5
"""Above this many dofs in 3D, ``"auto"`` takes CG + AMG over a direct factor."""

AMG_MAX_ROW_NNZ = 60.0
"""Average nonzeros per row of A up to which CG + AMG is taken in 3D (P1 tetrahedra ≈ 15,
P2 ≈ 40, P3 ≈ 90)."""

FACTOR_ENTRIES_2D = 3.0
"""Cholesky factor entries per ``N log2 N`` in 2D, nested dissection (measured 2.3–2.7
with MUMPS/PORD on unit-square meshes of order 1–4, 6k–106k dofs)."""

FACTOR_ENTRIES_3D = 12.0
"""Cholesky factor entries per ``N^(4/3)`` in 3D (measured 8.7–9.9 on unit-cube meshes of
order 1–3 at 2.5k–7k dofs, still rising toward the asymptote)."""

BYTES_PER_FACTOR_ENTRY = 12.0
"""A value (8 bytes) plus index and workspace overhead per factor entry."""

FACTOR_MEMORY_SHARE = 0.5
"""Default budget of a direct factor: this share of the physical memory (all ranks of
this machine together)."""

INNER_RTOL_FACTOR = 1e-2
"""Iterative path: inner CG relative tolerance = this × ``solver.tol`` (at most 1e-8), so
the inexact shift-and-invert stays below the eigensolver's tolerance."""


def factor_bytes(ndof: float, dim: int) -> float:
    """Estimated memory of the Cholesky factor of an ``ndof``-dof FEM matrix in ``dim``
    dimensions (LU: twice that; see :data:`FACTOR_ENTRIES_2D`, :data:`FACTOR_ENTRIES_3D`)."""
    n = max(float(ndof), 2.0)
    entries = FACTOR_ENTRIES_3D * n ** (4.0 / 3.0) if dim >= 3 \
        else FACTOR_ENTRIES_2D * n * math.log2(n)
    return BYTES_PER_FACTOR_ENTRY * entries


def shifted_is_spd(hermitian: bool, target: float, dirichlet: bool) -> bool:
    """Whether ``A − σM`` is symmetric positive definite for sure: A, M symmetric, A
    positive semi-definite (definite with a Dirichlet boundary), M positive definite, so
    ``σ ≤ 0`` with Dirichlet boundaries and ``σ < 0`` without suffice."""
    return hermitian and (target < 0 or (target == 0 and dirichlet))


@dataclass(frozen=True)
class Choice:
    """A resolved factorization and why it was taken (reported in ``summary.json``)."""

    name: str
    reason: str
    estimate_bytes: float

    @property
    def inner(self) -> InnerSolve:
        return FACTORIZATIONS.get(self.name)


def choose(requested: str, *, ndof: float, dim: int, ranks: int, spd: bool,
           budget_bytes: float | None = None, cholmod: bool = True,
           row_nnz: float | None = None) -> Choice:
    """Resolve ``solver.factorization`` for this problem (the rule in the module doc).

    Parameters
    ----------
    requested
        ``"auto"`` or a name in :data:`FACTORIZATIONS` (taken as given).
    ndof, dim
        Free dofs (all ranks) and the mesh's dimension, for the factor estimate.
    ranks
        MPI ranks the solve runs on.
    spd
        Whether ``A − σM`` is symmetric positive definite (:func:`shifted_is_spd`).
    budget_bytes
        Largest direct factor to attempt (``None``: :data:`FACTOR_MEMORY_SHARE` of the
        physical memory).
    cholmod
        Whether PETSc was built with CHOLMOD (SuiteSparse); without it one rank uses
        PETSc's own Cholesky.
    row_nnz
        Average nonzeros per row of A (``None``: not known; taken as sparse).
    """
    estimate = factor_bytes(ndof, dim)
    if requested != "auto":
        return Choice(requested, "solver.factorization", estimate)
    budget = FACTOR_MEMORY_SHARE * physical_memory_bytes() if budget_bytes is None \
        else budget_bytes
    gib = 2.0 ** 30
    if not spd:
        return Choice("mumps", "A − σM not known to be positive definite: LU with pivoting",
                      2 * estimate)
    if estimate > budget:
        return Choice("iterative", f"Cholesky factor about {estimate / gib:.3g} GiB > "
                      f"budget {budget / gib:.3g} GiB", estimate)
    sparse_rows = row_nnz is None or row_nnz <= AMG_MAX_ROW_NNZ
    if dim >= 3 and ndof > DIRECT_3D_MAX_DOFS and sparse_rows:
        return Choice("iterative", f"3D, {ndof:.3g} dofs > {DIRECT_3D_MAX_DOFS:.3g}: a "
                      "factorization's time grows like N², CG + AMG's like N", estimate)
    if ranks > 1:
        return Choice("mumps-cholesky", f"A − σM s.p.d., {ranks} ranks", estimate)
    if cholmod:
        return Choice("cholmod", "A − σM s.p.d., one rank", estimate)
    if dim >= 3:
        return Choice("mumps-cholesky", "A − σM s.p.d., 3D, no CHOLMOD in this PETSc",
                      estimate)
    return Choice("petsc-cholesky", "A − σM s.p.d., one rank, no CHOLMOD in this PETSc",
                  estimate)


def shifted_matrix(A: Any, M: Any, target: float, spd: bool) -> Any:
    """``A − σM`` (``A`` itself for σ = 0), flagged symmetric, and positive definite
    exactly when ``spd`` (MUMPS then factors it as LLᵀ without pivoting; CHOLMOD needs the
    flags; an inertia count needs ``LDLᵀ``: a copy of A must not keep A's flag)."""
    from petsc4py import PETSc

    if target == 0:
        shifted = A
    else:
        shifted = A.copy()
        shifted.axpy(-target, M, structure=PETSc.Mat.Structure.DIFFERENT_NONZERO_PATTERN)
    shifted.setOption(PETSc.Mat.Option.SYMMETRIC, True)
    shifted.setOption(PETSc.Mat.Option.SPD, spd)
    return shifted


def ldlt_with_inertia(matrix: Any) -> Any:
    """A set-up ``KSP`` (preonly) holding MUMPS' ``LDLᵀ`` factorization of the symmetric
    ``matrix``, with the inertia of the whole matrix available from its factor
    (``ksp.getPC().getFactorMatrix().getInertia()``: ICNTL 13 = 1, no ScaLAPACK root whose
    inertia MUMPS would not count; ICNTL 24 = 1, null pivots detected). The caller
    destroys the ``KSP``. Collective on the matrix's communicator; imports PETSc."""
    from petsc4py import PETSc

    ksp = PETSc.KSP().create(comm=matrix.getComm())
    ksp.setOperators(matrix)
    ksp.setType(PETSc.KSP.Type.PREONLY)
    pc = ksp.getPC()
    pc.setType(PETSc.PC.Type.CHOLESKY)
    pc.setFactorSolverType("mumps")
    pc.setFactorSetUpSolverType()
    factor = pc.getFactorMatrix()
    factor.setMumpsIcntl(13, 1)
    factor.setMumpsIcntl(24, 1)
    ksp.setUp()
    return ksp
