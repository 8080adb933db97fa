"""Guaranteed lower eigenvalue bounds of the Dirichlet Laplacian from Crouzeix–Raviart.

On a triangulation of a polygon, with ``λ_{k,h}`` the k-th eigenvalue of the
Crouzeix–Raviart (P1 nonconforming) discretization,

    λ_k ≥ λ_{k,h} / (1 + C_h² λ_{k,h}),    C_h = 0.1893 h_max,

``h_max`` the longest edge of the triangles (Liu & Oishi, SIAM J. Numer. Anal. 51 (2013)
1634–1654; Liu, Appl. Math. Comput. 267 (2015) 341–355; Carstensen & Gedicke, Math.
Comp. 83 (2014) 2605–2629). The bound needs only a *lower* bound of ``λ_{k,h}`` (the map
x ↦ x / (1 + C² x) increases), and that comes with its index from an inertia count
(Sylvester's law): if ``A − sM`` has at most k − 1 negative eigenvalues, ``λ_{k,h} ≥ s``.

The count is MUMPS's ``LDLᵀ`` inertia of ``A − sM``. A factorization is exact for a
nearby matrix ``A − sM + E``; with ``‖E‖₂ ≤ η`` and ``M ≥ m_min I``, ``A − (s + η/m_min)M
≤ A − sM + E``, so at most k − 1 negative pivots prove ``λ_{k,h} ≥ s − η/m_min``.
``η`` is an *estimate*: 100 times the normwise backward error of a solve with the same
factors (Higham 2002, §7.1) times ``‖A − sM‖_∞``. The CR mass matrix is diagonal
(the edge-midpoint basis is L²-orthogonal on each triangle), so ``m_min`` is exact.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Sequence

import numpy as np

from pdekit.fem.solve.assembly import laplace_free_matrices
from pdekit.fem.solve.factorization import ldlt_with_inertia

CR_CONSTANT = "0.1893"
"""Upper bound of the CR interpolation constant on any triangle, per unit of its
longest edge (Liu & Oishi 2013; Carstensen & Gedicke 2014)."""

BACKWARD_ERROR_SAFETY = 100.0
"""Factor between the measured backward error of a solve and the ``‖E‖`` assumed."""


@dataclass
class CrBound:
    """The CR lower bound of one eigenvalue.

    Attributes
    ----------
    index
        k (1-based).
    lower
        Guaranteed lower bound of λ_k (up to the estimated items named in the module doc).
    discrete_lower
        Lower bound of the discrete eigenvalue λ_{k,h} (inertia-certified).
    discrete
        The floating-point λ_{k,h} (for the report).
    below
        Negative inertia of ``A − sM`` at the certifying shift (≤ k − 1).
    margin
        η / m_min: the shift's allowance for the factorization's backward error.
    """

    index: int
    lower: float
    discrete_lower: float
    discrete: float
    below: int
    margin: float


@dataclass
class CrMesh:
    """A straight triangulation used for CR bounds: its size and the discrete problem."""

    h_max: float
    triangles: int
    ndof: int
    A: Any
    M: Any


def longest_edge(mesh: Any) -> float:
    """The longest triangle edge of an NGSolve 2D mesh (straight elements), rounded up.

    Raises
    ------
    ValueError
        For elements other than triangles.
    """
    points = np.array([vertex.point for vertex in mesh.vertices])
    corners = []
    for element in mesh.Elements():
        vertices = [v.nr for v in element.vertices]
        if len(vertices) != 3:
            raise ValueError("a triangle mesh (CR bounds)")
        corners.append(vertices)
    tri = points[np.array(corners)]
    edges = np.concatenate([tri[:, 1] - tri[:, 0], tri[:, 2] - tri[:, 1],
                            tri[:, 0] - tri[:, 2]])
    return float(np.sqrt(np.max(np.sum(edges ** 2, axis=1)))) * (1.0 + 1e-14)


def cr_mesh(mesh: Any, dirichlet_pattern: str) -> CrMesh:
    """Assemble the CR stiffness and mass on free dofs (Dirichlet on the whole boundary
    matched by ``dirichlet_pattern``) as scipy CSR matrices."""
    import ngsolve

    space = ngsolve.FESpace("nonconforming", mesh, dirichlet=dirichlet_pattern)
    free, A, M = laplace_free_matrices(space)
    return CrMesh(longest_edge(mesh), mesh.ne, len(free), A, M)


def mass_floor(M: Any) -> float:
    """A lower bound of the smallest eigenvalue of the symmetric ``M`` (Gershgorin;
    exact for a diagonal M), slightly rounded down."""
    diagonal = M.diagonal()
    off = np.asarray(abs(M).sum(axis=1)).ravel() - np.abs(diagonal)
    floor = float(np.min(diagonal - off))
    if floor <= 0:
        raise ArithmeticError("the CR mass matrix is not proven positive definite")
    return floor * (1.0 - 1e-12)


def inertia(K: Any, seed: int = 0) -> tuple[int, float]:
    """Negative inertia of the symmetric sparse ``K`` (MUMPS ``LDLᵀ``) and an estimate of
    the backward error ``‖E‖₂`` of that factorization (see the module doc).

    Returns
    -------
    negative, eta
    """
    from petsc4py import PETSc

    K = K.tocsr()
    K.sort_indices()
    matrix = PETSc.Mat().createAIJ(size=K.shape, comm=PETSc.COMM_SELF, csr=(
        K.indptr.astype(PETSc.IntType), K.indices.astype(PETSc.IntType), K.data))
    matrix.setOption(PETSc.Mat.Option.SYMMETRIC, True)
    try:
        ksp = ldlt_with_inertia(matrix)
        negative = int(ksp.getPC().getFactorMatrix().getInertia()[0])
        rhs = np.random.default_rng(seed).standard_normal(K.shape[0])
        b, x = matrix.createVecs()
        b.setArray(rhs)
        ksp.solve(b, x)
        solution = x.getArray().copy()
        ksp.destroy()
    finally:
        matrix.destroy()
    norm = float(np.max(np.asarray(abs(K).sum(axis=1))))
    residual = rhs - K @ solution
    omega = float(np.max(np.abs(residual))) / (norm * float(np.max(np.abs(solution)))
                                                + float(np.max(np.abs(rhs))))
    return negative, BACKWARD_ERROR_SAFETY * max(omega, 2.0 ** -53) * norm


def liu_oishi(discrete_lower: float, h_max: float, constant: str = CR_CONSTANT) -> float:
    """``x / (1 + (C h)² x)`` at ``x = discrete_lower``, ``C = constant`` (a decimal
    string, enclosed exactly), rounded down (interval arithmetic)."""
    from mpmath import iv

    x = iv.mpf(discrete_lower)
    c = iv.mpf(constant) * iv.mpf(h_max)
    return float((x / (1 + c * c * x)).a)


def approximate_eigenvalues(A: Any, M: Any, count: int) -> np.ndarray:
    """The lowest ``count`` eigenvalues of ``A x = λ M x`` (floating point, for shifts)."""
    import scipy.linalg
    import scipy.sparse.linalg as sla

    if A.shape[0] <= max(400, count + 2):
        return scipy.linalg.eigh(A.toarray(), M.toarray(), eigvals_only=True)[:count]
    values = sla.eigsh(A.tocsc(), k=count, M=M.tocsc(), sigma=0.0, which="LM",
                       return_eigenvectors=False)
    return np.sort(values)


def cr_lower_bounds(problem: CrMesh, indices: Sequence[int],
                    constant: str = CR_CONSTANT) -> list[CrBound]:
    """Guaranteed lower bounds of λ_k for each k in ``indices`` (1-based); ``constant``
    is the interpolation constant per unit h_max (:data:`CR_CONSTANT`; other values only
    to show that a wrong constant is caught).

    For each k a shift ``s`` a little below the computed ``λ_{k,h}`` (and below
    ``λ_{k−1,h}`` when they tie) is lowered until the inertia shows at most k − 1
    eigenvalues below it.

    Raises
    ------
    ArithmeticError
        When no shift is certified (k beyond the discrete spectrum, or a failing
        factorization).
    """
    if max(indices) > problem.ndof:
        raise ArithmeticError(f"only {problem.ndof} CR eigenvalues on this mesh")
    values = approximate_eigenvalues(problem.A, problem.M, max(indices))
    floor = mass_floor(problem.M)
    bounds = []
    for k in indices:
        value = float(values[k - 1])
        gap = 1e-9 * abs(value)
        for _ in range(40):
            shift = value - gap
            below, eta = inertia(problem.A - shift * problem.M)
            margin = eta / floor
            if below <= k - 1 and margin < 0.5 * gap:
                break
            gap *= 4.0 if below <= k - 1 else 10.0
        else:
            raise ArithmeticError(f"CR eigenvalue {k}: no certified shift below "
                                  f"{value:.12g}")
        discrete_lower = float(np.nextafter(shift - margin, -np.inf))
        bounds.append(CrBound(k, liu_oishi(discrete_lower, problem.h_max, constant),
                              discrete_lower,
                              value, below, margin))
    return bounds
