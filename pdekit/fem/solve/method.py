"""Which eigensolver runs: the methods pdekit offers and the ``auto`` rule, with its reason
(reported in ``summary.json`` as ``solver.method_choice``/``method_reason``, like the
factorization of :mod:`pdekit.fem.solve.factorization`).

=============== ===================================================================
``krylovschur`` Krylov–Schur on ``(A − σM)⁻¹M``: the eigenvalues nearest σ; one solve
                with ``A − σM`` per step (its factors, or CG + AMG)
``arnoldi``     the same with explicit restarts
``lobpcg``      LOBPCG preconditioned by multigrid (:mod:`pdekit.fem.solve.lobpcg`): the
                smallest eigenvalues, no solve with ``A − σM``
``slicing``     Krylov–Schur spectrum slicing (:mod:`pdekit.fem.solve.slicing`): every
                eigenvalue in ``solver.interval``, or the lowest ``nev``
=============== ===================================================================

The rule (:func:`choose_method`, ``solver.method = "auto"``), measured on this machine
(``benchmarks/bench_eigen_method_rule.py``, ``benchmarks/RESULTS.md``, "Eigen method
rule"):

1. ``solver.interval`` given → ``slicing``;
2. ``solver.factorization`` named (not ``auto``) → ``krylovschur`` with it;
3. σ not below the spectrum, or a non-Hermitian problem type → ``krylovschur`` (only
   shift-and-invert finds the eigenvalues nearest an interior σ);
4. ``nev ≥`` :data:`SLICING_MIN_NEV` and a direct factor within the budget →
   ``slicing`` (unit square P2, 29k dofs, Krylov–Schur ÷ slicing: 1.24 at nev = 50, 0.89
   at 100, 1.30 at 200, 2.57 at 500; one run's subspace of ~2 nev vectors grows with nev,
   each slice's stays small);
5. a refinement hierarchy on one rank (geometric multigrid can precondition LOBPCG) and
   ``nev ≤`` :data:`LOBPCG_GEOMETRIC_MAX_NEV` (4 in 2D, 10 in 3D) → ``lobpcg``;
6. ``nev ≤`` :data:`LOBPCG_MAX_NEV` and the shift-and-invert solves would be CG + AMG
   (3D beyond :data:`~pdekit.fem.solve.factorization.DIRECT_3D_MAX_DOFS` dofs, or a factor over
   budget), or ``nev = 1`` on a 3D mesh with rows sparse enough for AMG → ``lobpcg``
   (one AMG V-cycle per vector and iteration instead of a solve with ``A − σM`` per
   Krylov step). Measured with SLEPc's LOBPCG + GAMG (pdekit's own LOBPCG and geometric
   multigrid are faster still, so the rule errs toward Krylov–Schur), one BLAS thread,
   tol 1e-10: P1 cube 136k dofs, 4 pairs,
   13.1 s against 45.8 s (CG + GAMG inner solves); nev = 1 at 46k dofs 0.41 s against
   1.79 s (CHOLMOD) for P1, 3.7 s against 5.1 s for P2. LOBPCG's cost grows fast with
   nev: at nev = 10 it lost to CHOLMOD (P1 cube 4.7 s against 2.3 s, P2 14.0 s
   against 10.1 s, unit square P1 46k dofs 1.9 s against 0.6 s), at nev = 50 by 8-10x;
7. otherwise ``krylovschur``.

``-eps_type lobpcg`` among the PETSc options sets LOBPCG up as ``solver.method = "lobpcg"``
does (the other options then configure what they were written for); with another
``-eps_type``, ``auto`` keeps the shift-and-invert set-up that the type runs on.

Importing this module imports no PETSc.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Sequence

from pdekit.core.registry import Registry

@dataclass(frozen=True)
class EigensolverTraits:
    """What an eigensolver entry can do (see :data:`EIGENSOLVERS`)."""

    shift_invert: bool
    restart: str
    spectrum: str


EIGENSOLVERS: Registry[str, EigensolverTraits] = Registry("SLEPc eigensolver",
                                                        EigensolverTraits)
"""Case name -> SLEPc EPS type. Capability ``shift_invert``: runs on the shift-and-invert
spectral transform; ``restart``: how the basis is restarted; ``spectrum``: which
eigenvalues it returns (``nearest`` σ, ``smallest``, all in an ``interval``). Others can
still be chosen with ``[solver.petsc] eps_type``."""
EIGENSOLVERS.add("krylovschur", "krylovschur", shift_invert=True, restart="thick",
                 spectrum="nearest")
EIGENSOLVERS.add("arnoldi", "arnoldi", shift_invert=True, restart="explicit",
                 spectrum="nearest")
EIGENSOLVERS.add("lobpcg", "lobpcg", shift_invert=False, restart="block",
                 spectrum="smallest")
EIGENSOLVERS.add("slicing", "krylovschur", shift_invert=True, restart="thick",
                 spectrum="interval")

METHOD_CHOICES = ("auto", *EIGENSOLVERS.names())
"""What ``solver.method`` accepts."""

AUTO_METHODS = ("krylovschur", "lobpcg", "slicing")
"""The methods :func:`choose_method` may resolve ``"auto"`` to."""

SLICING_MIN_NEV = 150
"""From this many pairs ``auto`` slices the spectrum instead of one Krylov–Schur run."""

LOBPCG_MAX_NEV = 4
"""Up to this many pairs ``auto`` takes LOBPCG where shift-and-invert would iterate (the
measured case; at 10 pairs LOBPCG already lost to a direct factor)."""


LOBPCG_GEOMETRIC_MAX_NEV = {2: 4, 3: 10}
"""Up to this many pairs (by dimension) ``auto`` takes LOBPCG where geometric multigrid can
precondition it. Measured (``bench_eigen_method_rule.py --quick``, 45k dofs, one BLAS
thread, quiet machine): Krylov–Schur with CHOLMOD ÷ LOBPCG + geometric multigrid, nev 1, 4,
10: 2D P1 1.73, 1.11, 0.66; 3D P1 10.1, 3.85, 1.21; 3D P2 9.03, 3.49, 1.29."""


@dataclass(frozen=True)
class MethodChoice:
    """The method that runs and why."""

    name: str
    reason: str


def method_from_options(options: Sequence[tuple[str, str | None]]) -> str | None:
    """``"lobpcg"`` when the last ``-eps_type`` option names it (LOBPCG needs its own
    set-up: the smallest eigenvalues, a preconditioner instead of shift-and-invert);
    other EPS types keep the shift-and-invert set-up and replace the solver."""
    named = [value for name, value in options if name == "eps_type"]
    return "lobpcg" if named and named[-1] == "lobpcg" else None


def foreign_eps_type(options: Sequence[tuple[str, str | None]]) -> str | None:
    """The last ``-eps_type`` value when it is not Krylov–Schur (``None`` otherwise):
    spectrum slicing cannot run on it (SLEPc 3.18 crashes with a segmentation fault when
    an EPS with an interval changes its type)."""
    named = [value for name, value in options if name == "eps_type"]
    return named[-1] if named and named[-1] != "krylovschur" else None


def choose_method(requested: str, *, interval: bool, nev: int, spd: bool,
                  direct: bool, dim: int = 2, amg_rows: bool = True,
                  factorization_given: bool = False, geometric: bool = False,
                  options: Sequence[tuple[str, str | None]] = ()) -> MethodChoice:
    """Resolve ``solver.method`` (the rule in the module doc).

    Parameters
    ----------
    requested
        ``"auto"`` or a name in :data:`EIGENSOLVERS` (taken as given).
    interval
        Whether ``solver.interval`` is given.
    nev
        Pairs asked for.
    spd
        Whether ``A − σM`` is symmetric positive definite (σ below the spectrum of a
        Hermitian problem: the eigenvalues nearest σ are the smallest).
    direct
        Whether shift-and-invert would factorize ``A − σM`` (``False``: CG + AMG, see
        :func:`pdekit.fem.solve.factorization.choose`).
    dim, amg_rows
        The mesh's dimension; whether A's rows are sparse enough for AMG (at most
        :data:`~pdekit.fem.solve.factorization.AMG_MAX_ROW_NNZ` nonzeros on average).
    factorization_given
        Whether ``solver.factorization`` names one (then shift-and-invert runs with it).
    geometric
        Whether LOBPCG could run on geometric multigrid (the mesh's refinement hierarchy,
        one rank; :mod:`pdekit.fem.solve.geometric_mg`).
    options
        The PETSc options (``-eps_type`` names the method).
    """
    named = method_from_options(options)
    if named is not None:
        return MethodChoice(named, f"options: -eps_type {named}")
    if interval:
        return MethodChoice("slicing", "solver.interval: every eigenvalue in it by "
                            "spectrum slicing")
    if requested != "auto":
        return MethodChoice(requested, "solver.method")
    if factorization_given:
        return MethodChoice("krylovschur", "solver.factorization given: shift-and-invert")
    types = [value for name, value in options if name == "eps_type"]
    if types:  # another EPS type replaces Krylov–Schur on the shift-and-invert set-up
        return MethodChoice("krylovschur", f"options: -eps_type {types[-1]} on the "
                            "shift-and-invert set-up")
    if not spd:
        return MethodChoice("krylovschur", "σ not below the spectrum of a Hermitian "
                            "problem: shift-and-invert finds the eigenvalues nearest σ")
    if nev >= SLICING_MIN_NEV and direct:
        return MethodChoice("slicing", f"nev = {nev} ≥ {SLICING_MIN_NEV}: spectrum "
                            "slicing beats one Krylov–Schur run over many pairs")
    if geometric and nev <= LOBPCG_GEOMETRIC_MAX_NEV[min(dim, 3)]:
        return MethodChoice("lobpcg", f"a refinement hierarchy, {dim}D, nev = {nev} ≤ "
                            f"{LOBPCG_GEOMETRIC_MAX_NEV[min(dim, 3)]}: LOBPCG + geometric "
                            "multigrid beats shift-and-invert")
    if not direct and nev <= LOBPCG_MAX_NEV:
        return MethodChoice("lobpcg", f"shift-and-invert would need CG + AMG solves, "
                            f"nev = {nev} ≤ {LOBPCG_MAX_NEV}: LOBPCG + AMG needs one "
                            "V-cycle per vector and iteration")
    if nev == 1 and dim >= 3 and amg_rows:
        return MethodChoice("lobpcg", "one pair on a 3D mesh: LOBPCG + AMG beats a "
                            "factorization of A − σM")
    return MethodChoice("krylovschur", "shift-and-invert with "
                        + ("a direct factor" if direct else "CG + AMG inner solves"))
