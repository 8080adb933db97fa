"""Spectrum slicing: every eigenvalue of ``A x = λ M x`` in an interval ``[a, b]``.

SLEPc's Krylov–Schur with an interval (Campos & Roman, "Strategies for spectrum slicing
based on restarted Lanczos methods", Numer. Algorithms 60 (2012)) runs shift-and-invert
Lanczos from a sequence of shifts across ``[a, b]``; the inertia of the ``LDLᵀ``
factorization of ``A − σM`` (Sylvester's law: the number of negative pivots is the
number of eigenvalues below σ) tells how many eigenvalues each sub-interval holds, so none
is missed and every multiplicity is kept. Under MPI the interval is split among
``solver.partitions`` sub-communicators, each with its own copy of the matrices.

For the lowest ``nev`` eigenvalues without an interval, :func:`upper_bound_for` finds a
``b`` with at least ``nev`` eigenvalues below it: a first guess from Weyl's law
(:mod:`pdekit.fem.solve.weyl`), checked and widened by inertia counts.

Importing this module imports no PETSc.
"""

from __future__ import annotations

from typing import Any, Callable

MUMPS_INERTIA = (("st_mat_mumps_icntl_13", "1"), ("st_mat_mumps_icntl_24", "1"))
"""MUMPS settings an inertia count needs (ScaLAPACK off the root node keeps the inertia
global; null pivot detection); the user's options come after and win."""

BOUND_MARGIN = 1.05
"""Head room on an estimated upper bound (fewer re-counts when the estimate is low)."""

TOO_MANY = 1.5
"""An end holding more than this many times ``nev`` eigenvalues is pulled back (each one
too many costs slicing work)."""

MAX_COUNTS = 12
"""Inertia counts :func:`upper_bound_for` makes before giving up."""


def configure_slicing(eps: Any, *, interval: tuple[float, float] | None,
                      partitions: int) -> None:
    """Make ``eps`` (operators and problem type set, Hermitian) a Krylov–Schur solver for
    all eigenvalues in ``interval`` with inertia from MUMPS's ``LDLᵀ`` factorization
    (serial and parallel; PETSc's own Cholesky is no option in 3D, see
    :mod:`pdekit.fem.solve.factorization`), split over ``partitions`` sub-communicators.

    ``interval=None`` sets up everything but the interval, for the option probe: SLEPc
    3.18 crashes (segmentation fault) destroying an EPS whose interval was set but never
    set up.
    """
    from petsc4py import PETSc
    from slepc4py import SLEPc

    eps.setType(SLEPc.EPS.Type.KRYLOVSCHUR)
    if interval is not None:
        eps.setWhichEigenpairs(SLEPc.EPS.Which.ALL)
        eps.setInterval(*interval)
    if partitions > 1:
        eps.setKrylovSchurPartitions(partitions)
    st = eps.getST()
    st.setType(SLEPc.ST.Type.SINVERT)
    ksp = st.getKSP()
    ksp.setType(PETSc.KSP.Type.PREONLY)
    pc = ksp.getPC()
    pc.setType(PETSc.PC.Type.CHOLESKY)
    pc.setFactorSolverType("mumps")


def count_below(A: Any, M: Any, sigma: float) -> int:
    """The number of eigenvalues of ``A x = λ M x`` below ``sigma`` (A, M symmetric, M
    positive definite): the negative inertia of ``A − σM`` (collective; one MUMPS
    ``LDLᵀ`` factorization)."""
    from pdekit.fem.solve.factorization import ldlt_with_inertia, shifted_matrix

    shifted = shifted_matrix(A, M, sigma, False)
    try:
        ksp = ldlt_with_inertia(shifted)
        negative, _, _ = ksp.getPC().getFactorMatrix().getInertia()
        ksp.destroy()
        return int(negative)
    finally:
        if shifted is not A:
            shifted.destroy()


def upper_bound_for(nev: int, lower: float, guess: float,
                    count: Callable[[float], int]) -> tuple[float, int]:
    """An upper end ``b > lower`` with at least ``nev`` eigenvalues in ``[lower, b)``.

    Parameters
    ----------
    nev
        Eigenvalues wanted above ``lower`` (``count(lower)`` is taken as the offset).
    lower
        Lower end of the interval (below the spectrum, or the case's shift).
    guess
        First try for ``b`` (the ``nev``-th eigenvalue by Weyl's law); widened by
        :data:`BOUND_MARGIN`, then, while too few lie below, ``b − lower`` grows by
        ``nev / found`` (at least 1.25): N(λ) grows at least linearly in λ in 2D and 3D,
        so this overshoots at most mildly; while more than :data:`TOO_MANY` times
        ``nev`` lie below, it shrinks (at most by half per count).
    count
        ``σ -> number of eigenvalues below σ`` (:func:`count_below`).

    Returns
    -------
    b, found
        The end and the number of eigenvalues in ``[lower, b)``.

    Raises
    ------
    RuntimeError
        When :data:`MAX_COUNTS` counts do not reach ``nev`` (fewer eigenvalues exist).
    """
    offset = count(lower)
    span = max(guess - lower, 1e-12 * max(abs(lower), 1.0)) * BOUND_MARGIN
    best: tuple[float, int] | None = None
    for _ in range(MAX_COUNTS):
        upper = lower + span
        found = count(upper) - offset
        if found >= nev:
            best = (upper, found) if best is None or upper < best[0] else best
            if found <= TOO_MANY * nev:
                return best
            span *= max(0.5, BOUND_MARGIN * nev / found)  # a guess far too high: back off
        elif best is not None:
            return best  # backed off too far: the last end that held enough
        else:
            span *= max(1.25, nev / max(found, 1))
    if best is not None:
        return best
    raise RuntimeError(f"fewer than {nev} eigenvalues above {lower:g} found up to "
                       f"{lower + span:g}")


def lowest_interval(A: Any, M: Any, nev: int, target: float,
                    weyl_guess: Callable[[float], float] | None) -> tuple[float, float]:
    """``[σ, b]`` holding at least the lowest ``nev`` eigenvalues (σ below the spectrum;
    ``weyl_guess``: n -> the n-th eigenvalue by Weyl's law, or ``None``: σ + 1 first;
    see :func:`upper_bound_for`, whose ``RuntimeError`` it passes on)."""
    guess = weyl_guess(nev) if weyl_guess is not None else target + 1.0
    upper, _ = upper_bound_for(nev, target, guess, lambda s: count_below(A, M, s))
    return target, upper
