"""Tight two-sided eigenvalue bounds of the Dirichlet Laplacian: Rayleigh–Ritz above,
Lehmann–Goerisch below, from high-order H1 and H(div) elements.

Upper bounds (min-max): for any n functions ``ũ_i ∈ H¹₀``, the k-th eigenvalue ``Λ_k`` of
``A0 x = Λ A1 x``, ``A0 = ((∇ũ_i, ∇ũ_j))``, ``A1 = ((ũ_i, ũ_j))``, is ≥ λ_k. The ``ũ_i`` are
the computed eigenvectors of the conforming hp discretization; only the n × n pencil
matters, enclosed by :func:`pdekit.fem.solve.interval_pencil.gram` and bounded above by verified
inertia counts — no trust in the eigensolver is needed.

Lower bounds: Lehmann–Goerisch with the shift γ (Goerisch's XbT formulation: Behnke &
Goerisch, "Inclusions for eigenvalues of selfadjoint problems", in *Topics in Validated
Computations*, 1994; Plum, Z. Angew. Math. Phys. 41 (1990); in this finite-element form
Liu & Plum, arXiv 2512.23182). With ``X = L²(Ω)² × L²(Ω)``, ``b((p, q), (p', q')) = (p, p')
+ γ (q, q')`` and ``T u = (∇u, u)``, the problem reads ``b(Tu, Tv) = (λ + γ)(u, v)``. For
each ``ũ_i`` take any ``σ_i ∈ H(div)`` and ``w_i = (σ_i, (ũ_i + div σ_i)/γ)``: then
``b(w_i, Tf) = (ũ_i, f)`` for all ``f ∈ H¹₀`` (integration by parts), exactly. With

    A2 = (b(w_i, w_j)) = ((σ_i, σ_j) + γ⁻¹ (ũ_i + div σ_i, ũ_j + div σ_j)),
    ρ̂ = ρ + γ,  ρ ≤ λ_{n+1} (a guaranteed lower bound, here from Crouzeix–Raviart),

if ``B = A0 + γA1 − 2ρ̂A1 + ρ̂²A2`` is positive definite and ``ν_1 ≤ … ≤ ν_n`` are the
eigenvalues of ``(A0 + γA1 − ρ̂A1) x = ν B x``, then for every ``ν_i < 0``:

    λ_{n+1−i} ≥ ρ̂ − ρ̂ / (1 − ν_i) − γ.

``σ_i`` (Raviart–Thomas of the H1 order on the same mesh) minimizes ``b(w_i, w_i)``: the
H(div)-elliptic problem ``(σ, τ) + γ⁻¹(div σ, div τ) = −γ⁻¹(ũ_i, div τ)``; its solution
is ``∇φ`` for ``−Δφ + γφ = ũ_i`` (the exact w for an exact eigenfunction), so the bound
is sharp to second order. Since ``ρ̂ − ρ̂/(1 − ν)`` falls as ν grows, verified *upper*
bounds of the ``ν_i`` give valid lower bounds of the λ's.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

import numpy as np

from pdekit.fem.solve.assembly import laplace_free_matrices
from pdekit.fem.solve.sparse import scipy_csr
from pdekit.fem.solve.interval_pencil import (IntervalMatrix, combine, gram,
                                        is_positive_definite, upper_eigenvalue_bounds)


ASSEMBLY_ROUNDING = 256.0
"""Allowance for rounding in the assembled matrices, in units of u · (|x|ᵀ|A||y|) per
quadratic form (an *estimate*, not a proof: NGSolve's element integration in floating
point is not enclosed). Measured: on the unit square at p = 10 the assembled ``xᵀAx`` of
the first eigenvector and a separate high-order ``Integrate`` of ``|∇u_h|²`` differ by
4.7e-14 relative, about 50 u · |x|ᵀ|A||x|; without an allowance the Rayleigh–Ritz "upper
bound" there fell 2.8e-14 relative below 2π²."""


@dataclass
class H1Problem:
    """The conforming hp discretization: space, free dofs, stiffness and mass (scipy)."""

    mesh: Any
    order: int
    space: Any
    free: np.ndarray
    A: Any
    M: Any


def h1_problem(mesh: Any, order: int, dirichlet_pattern: str) -> H1Problem:
    """Assemble ``(∇u, ∇v)`` and ``(u, v)`` on H1 of ``order`` with u = 0 on the
    boundaries matched by ``dirichlet_pattern``, restricted to free dofs."""
    import ngsolve

    space = ngsolve.H1(mesh, order=order, dirichlet=dirichlet_pattern)
    free, A, M = laplace_free_matrices(space)
    return H1Problem(mesh, order, space, free, A, M)


DENSE_LIMIT = 400
"""Largest problem solved densely (LAPACK) instead of by Lanczos."""


def lowest_pairs(problem: H1Problem, count: int, polish: int = 2
                 ) -> tuple[np.ndarray, np.ndarray]:
    """The lowest ``count`` eigenpairs (floating point): shift-and-invert Lanczos at 0,
    then ``polish`` steps of subspace inverse iteration with Rayleigh–Ritz.

    Lanczos on ``A⁻¹M`` leaves the vectors' components along high discrete modes (large
    μ) barely damped in the A-norm; the Ritz *values* hardly notice (errors square), but
    the Lehmann–Goerisch lower bound sees them, weighted by μ. Each inverse iteration
    multiplies them by λ/μ.
    """
    import scipy.linalg
    import scipy.sparse.linalg as sla

    A, M = problem.A.tocsc(), problem.M.tocsc()
    if A.shape[0] <= max(DENSE_LIMIT, count + 2):
        values, vectors = scipy.linalg.eigh(A.toarray(), M.toarray())
        return values[:count], vectors[:, :count]
    start = np.random.default_rng(0).standard_normal(A.shape[0])  # reproducible runs
    values, vectors = sla.eigsh(A, k=count, M=M, sigma=0.0, which="LM", v0=start)
    solve = sla.splu(A).solve
    for _ in range(polish):
        vectors = solve(np.asarray(M @ vectors))
        values, coefficients = scipy.linalg.eigh(vectors.T @ (A @ vectors),
                                                 vectors.T @ (M @ vectors))
        vectors = vectors @ coefficients
    order = np.argsort(values)
    return values[order], vectors[:, order]


@dataclass
class RitzBounds:
    """Verified Rayleigh–Ritz upper bounds and the enclosed n × n matrices."""

    upper: list[float]
    A0: IntervalMatrix
    A1: IntervalMatrix


def ritz_upper_bounds(problem: H1Problem, X: np.ndarray) -> RitzBounds:
    """Upper bounds of λ_1 … λ_n from the span of the columns of ``X`` (free-dof
    coefficient vectors; min-max principle)."""
    A0 = gram(X, problem.A, assembly=ASSEMBLY_ROUNDING)
    A1 = gram(X, problem.M, assembly=ASSEMBLY_ROUNDING)
    upper = upper_eigenvalue_bounds(A0.entries(), A1.entries(), X.shape[1])
    return RitzBounds(upper, A0, A1)


def shift_for(value: float) -> float:
    """The Goerisch shift γ: the power of two nearest ``value`` (exact reciprocal)."""
    return 2.0 ** round(math.log2(max(value, 1e-300)))


def residual_coefficients(D: Any, S: np.ndarray, P: Any, X: np.ndarray
                          ) -> tuple[np.ndarray, np.ndarray]:
    """``R = D S + P X`` (the DG coefficients of ``div σ_i + ũ_i``) in twice the working
    precision, and a bound of each entry's error: rounding (rigorous) plus the
    :data:`ASSEMBLY_ROUNDING` allowance for the entries of D and P (estimated)."""
    from pdekit.fem.solve.interval_pencil import UNIT_ROUNDOFF, accurate_product

    R = np.empty((D.shape[0], S.shape[1]))
    error = np.empty_like(R)
    for i in range(S.shape[1]):
        div_value, div_bound = accurate_product(D, np.ascontiguousarray(S[:, i]))
        u_value, u_bound = accurate_product(P, np.ascontiguousarray(X[:, i]))
        R[:, i] = div_value + u_value
        spread = np.asarray(abs(D) @ np.abs(S[:, i])) + np.asarray(abs(P) @ np.abs(X[:, i]))
        error[:, i] = div_bound + u_bound + 2 * UNIT_ROUNDOFF * np.abs(R[:, i]) \
            + ASSEMBLY_ROUNDING * UNIT_ROUNDOFF * spread
    return R, error


def goerisch_matrix(problem: H1Problem, X: np.ndarray, gamma: float) -> IntervalMatrix:
    """``A2 = (b(w_i, w_j)) = SᵀM_RT S + γ⁻¹ RᵀM_DG R`` with the optimal Raviart–Thomas
    ``σ_i`` (module doc), enclosed up to assembly rounding; ``gamma`` a power of two.

    ``r_i = ũ_i + div σ_i`` lies in the discontinuous P_p space (RT_p on straight
    triangles has div in P_p), so its coefficients R there are formed first and squared
    in the (block-diagonal) DG mass: near a singular corner ``div σ`` is a sum of huge
    flux terms that nearly cancel, and a quadratic form ``SᵀKS`` with the H(div) matrix
    would carry their rounding squared-free (10⁷ times the value on hp meshes).
    """
    import ngsolve
    import scipy.sparse as sp
    from ngsolve import div, dx

    mesh, order = problem.mesh, problem.order
    rt = ngsolve.HDiv(mesh, order=order, RT=True)
    dg = ngsolve.L2(mesh, order=order)
    sigma, tau = rt.TnT()
    w = dg.TestFunction()
    u = problem.space.TrialFunction()
    inverse_gamma = 1.0 / gamma
    forms = {}
    for name, form in (("energy", sigma * tau + inverse_gamma * div(sigma) * div(tau)),
                       ("rt_mass", sigma * tau)):
        forms[name] = ngsolve.BilinearForm(rt, symmetric=False)
        forms[name] += form * dx
    forms["dg_mass"] = ngsolve.BilinearForm(dg, symmetric=False)
    forms["dg_mass"] += dg.TrialFunction() * w * dx
    forms["divergence"] = ngsolve.BilinearForm(trialspace=rt, testspace=dg)
    forms["divergence"] += div(sigma) * w * dx
    forms["embedding"] = ngsolve.BilinearForm(trialspace=problem.space, testspace=dg)
    forms["embedding"] += u * w * dx
    for form in forms.values():
        form.Assemble()
    energy = forms["energy"].mat
    C = -inverse_gamma * scipy_csr(forms["divergence"].mat).T.tocsr()  # DG coefficients → RT
    # optimal σ_i: (σ, τ) + γ⁻¹(div σ, div τ) = −γ⁻¹(ũ_i, div τ); any σ gives a valid
    # bound, so a plain solve will do (free dofs: none unused on triangles, but say so)
    inverse = energy.Inverse(freedofs=rt.FreeDofs(), inverse="sparsecholesky")
    rhs, solution = energy.CreateColVector(), energy.CreateColVector()
    embedding = scipy_csr(forms["embedding"].mat)[:, problem.free].tocsr()
    mass_dg = scipy_csr(forms["dg_mass"].mat)
    # the DG basis is L²-orthogonal on straight triangles: the mass is diagonal
    inverse_mass = sp.diags(1.0 / mass_dg.diagonal())
    D = (inverse_mass @ scipy_csr(forms["divergence"].mat)).tocsr()  # RT → DG coefficients
    P = (inverse_mass @ embedding).tocsr()  # H1 → DG coefficients (exact embedding)
    S = np.empty((rt.ndof, X.shape[1]))
    for i in range(X.shape[1]):
        rhs.FV().NumPy()[:] = C @ (P @ X[:, i])  # −γ⁻¹ ∫ ũ_i div τ
        solution.data = inverse * rhs
        S[:, i] = solution.FV().NumPy()
    R, error = residual_coefficients(D, S, P, X)
    dg_part = gram(R, mass_dg, assembly=ASSEMBLY_ROUNDING)
    # the coefficients' own error δ: |(R+δ)ᵀM(R+δ) − RᵀMR| ≤ |δ|ᵀ|M||R| + |R|ᵀ|M||δ| + |δ|ᵀ|M||δ|
    absolute_m = abs(mass_dg)
    spill = np.abs(R).T @ np.asarray(absolute_m @ error)
    spill = (spill + spill.T + error.T @ np.asarray(absolute_m @ error)) * (1 + 1e-12)
    dg_part = IntervalMatrix(dg_part.mid, dg_part.rad + spill)
    return combine([(1.0, gram(S, scipy_csr(forms["rt_mass"].mat), assembly=ASSEMBLY_ROUNDING)),
                    (inverse_gamma, dg_part)])


def lehmann_goerisch_lower_bounds(ritz: RitzBounds, A2: IntervalMatrix, rho: float,
                                  gamma: float) -> list[float | None]:
    """Lower bounds of λ_1 … λ_n (``None`` where the method gives none), given
    ``rho ≤ λ_{n+1}`` guaranteed; everything in interval arithmetic.

    Raises
    ------
    ArithmeticError
        When the Lehmann matrix B is not proven positive definite (ρ too close to the
        Ritz values) or an eigenvalue bound cannot be proven.
    """
    from mpmath import iv

    n = A2.mid.shape[0]
    a0, a1, a2 = ritz.A0.entries(), ritz.A1.entries(), A2.entries()
    g = iv.mpf(gamma)
    rho_hat = iv.mpf(rho) + g
    left = [[a0[i][j] + (g - rho_hat) * a1[i][j] for j in range(n)] for i in range(n)]
    right = [[a0[i][j] + (g - 2 * rho_hat) * a1[i][j] + rho_hat * rho_hat * a2[i][j]
              for j in range(n)] for i in range(n)]
    for i in range(n):  # enforce symmetry of the interval matrices (hull of both halves)
        for j in range(i):
            for matrix in (left, right):
                low = min(matrix[i][j].a, matrix[j][i].a)
                high = max(matrix[i][j].b, matrix[j][i].b)
                matrix[i][j] = matrix[j][i] = iv.mpf([low, high])
    if not is_positive_definite(right):
        raise ArithmeticError("the Lehmann–Goerisch matrix is not proven positive definite "
                              f"(shift ρ = {rho:.10g} too close to the Ritz values)")
    nu_upper = upper_eigenvalue_bounds(left, right, n)
    lower: list[float | None] = [None] * n
    for i, t in enumerate(nu_upper):  # i = 0 … n−1 bounds λ_{n−i}
        if t < 0:
            bound = rho_hat - rho_hat / (1 - iv.mpf(t)) - g
            lower[n - 1 - i] = float(bound.a)
    return lower
