"""Linear stability on a bounded domain or closed surface: the Laplacian's own modes.

On a bounded domain (or a closed surface) the perturbations of the homogeneous state are
expanded in the eigenfunctions of −Δ with the case's boundary conditions, K φ = λ M φ;
mode λ grows at the rate σ(√λ) of the dispersion relation (:func:`pdekit.fd.stability.
growth_rate`, with k² = λ), so only the discrete λ in the Turing band can grow and the
predicted pattern is the computed mode of largest σ (Murray, *Mathematical Biology II*,
3rd ed., §2.5; on the sphere λ_l = l(l + 1)/R², each with 2l + 1 spherical harmonics,
§2.7 there and Chaplain, Ganesh & Graham, J. Math. Biol. 42, 2001). A final pattern's
dominant mode is measured by its M-projection on the same eigenfunctions, summed over each
cluster of (numerically split) multiple eigenvalues.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np
import scipy.sparse as sp
from scipy.sparse.linalg import eigsh

from pdekit.fd.stability import growth_rate, turing_analysis

MAX_MODES = 400
"""Most eigenpairs computed (the band of a large domain holds more: then only the lowest
are tested, and the report says so)."""

MODE_VALUES = 1 << 25
"""Numbers the Lanczos basis may hold (256 MiB): about 2 × modes × dofs, which caps the
modes of large meshes below :data:`MAX_MODES`."""

CLUSTER_RTOL = 5e-3
"""Relative gap below which eigenvalues form one multiplet (discretization splits the
2l + 1 spherical harmonics of degree l by about the FEM error)."""


def weyl_count(measure: float, dimension: int, lam: float) -> float:
    """Weyl's estimate of the eigenvalues below ``lam`` on a domain of area (2D, surfaces)
    or volume (3D) ``measure``: A λ/(4π), or V λ^{3/2}/(6π²)."""
    if dimension == 3:
        return measure * lam ** 1.5 / (6 * math.pi ** 2)
    return measure * lam / (4 * math.pi)


def laplacian_modes(M: sp.csr_matrix, K: sp.csr_matrix, count: int, neumann: bool
                    ) -> tuple[np.ndarray, np.ndarray]:
    """The ``count`` smallest eigenpairs of K φ = λ M φ (φ M-orthonormal), by
    shift-and-invert Lanczos about a shift below the spectrum (−1 scaled to K/M when the
    constant is in the kernel, 0 with Dirichlet dofs)."""
    n = M.shape[0]
    count = max(1, min(count, n - 2))
    scale = abs(K.diagonal()).max() / abs(M.diagonal()).max()
    shift = -1e-3 * scale if neumann else -1e-8 * scale
    values, vectors = eigsh(K.tocsc(), k=count, M=M.tocsc(), sigma=shift, which="LM")
    order = np.argsort(values)
    return values[order], vectors[:, order]


def clusters(values: np.ndarray, rtol: float = CLUSTER_RTOL) -> list[list[int]]:
    """Indices of sorted eigenvalues grouped into multiplets (relative gaps < ``rtol``;
    values near 0 relative to the largest group together)."""
    groups: list[list[int]] = []
    top = max(abs(values[-1]), 1e-300)
    for i, value in enumerate(values):
        if groups:
            last = values[groups[-1][-1]]
            if abs(value - last) <= rtol * max(abs(value), abs(last), 1e-12 * top):
                groups[-1].append(i)
                continue
        groups.append([i])
    return groups


def sphere_degree(lam: float, radius: float) -> int:
    """The degree l with l(l + 1)/R² nearest to λ."""
    return int(round((-1 + math.sqrt(1 + 4 * max(lam, 0.0) * radius ** 2)) / 2))


def degree_groups(values: np.ndarray, radius: float) -> list[list[int]]:
    """Indices of sorted eigenvalues grouped by their sphere degree l (coarse flat
    meshes split a multiplet by more than :data:`CLUSTER_RTOL`, never by a degree)."""
    groups: dict[int, list[int]] = {}
    for i, value in enumerate(values):
        groups.setdefault(sphere_degree(float(value), radius), []).append(i)
    return list(groups.values())


def mode_table(values: np.ndarray, groups: list[list[int]], jacobian: np.ndarray | None,
               diffusion: tuple[float, float], sphere_radius: float | None
               ) -> list[dict[str, Any]]:
    """One entry per multiplet: mean λ, k = √λ, multiplicity, σ (None without a steady
    state), the sphere's degree l."""
    table = []
    for group in groups:
        lam = float(np.mean(values[group]))
        k = math.sqrt(max(lam, 0.0))
        entry: dict[str, Any] = {"lambda": lam, "k": k, "multiplicity": len(group)}
        if jacobian is not None:
            entry["sigma"] = float(growth_rate(jacobian, diffusion, k))
        if sphere_radius is not None:
            entry["degree"] = sphere_degree(lam, sphere_radius)
        table.append(entry)
    return table


def domain_stability(jacobian: np.ndarray | None, diffusion: tuple[float, float],
                     M: sp.csr_matrix, K: sp.csr_matrix, measure: float, dimension: int,
                     neumann: bool, k_max: float, sphere_radius: float | None = None
                     ) -> tuple[dict[str, Any], np.ndarray, np.ndarray, list[list[int]]]:
    """The dispersion relation, the domain's modes that fall in the unstable band, and
    the predicted fastest mode.

    Parameters
    ----------
    jacobian
        Reaction Jacobian at the steady state (None: no steady state, modes only).
    diffusion
        (D_u, D_v).
    M, K, measure, dimension
        The free-dof matrices, area or volume, 2 (planar, surfaces) or 3.
    neumann
        No Dirichlet dofs (λ = 0 is an eigenvalue).
    k_max
        Largest wavenumber of the dispersion-relation search (the mesh's).
    sphere_radius
        On a sphere: report degrees l.

    Returns
    -------
    report, values, vectors, groups
        ``report`` for ``summary.json``; the eigenpairs and their multiplets.
    """
    report: dict[str, Any] = {}
    top = 0.0
    if jacobian is not None:
        analysis = turing_analysis(jacobian, diffusion, k_max)
        report["dispersion"] = analysis
        bands = analysis["unstable_bands"]
        top = max((hi for _, hi in bands), default=0.0)
    wanted = weyl_count(measure, dimension, (1.3 * top) ** 2) * 1.3 + 12
    count = min(MAX_MODES, M.shape[0] - 2, int(math.ceil(wanted)),
                max(12, MODE_VALUES // (2 * M.shape[0])))
    values, vectors = laplacian_modes(M, K, count, neumann)
    groups = clusters(values) if sphere_radius is None else degree_groups(values, sphere_radius)
    table = mode_table(values, groups, jacobian, diffusion, sphere_radius)
    report["modes_computed"] = len(values)
    report["largest_lambda"] = float(values[-1])
    report["band_covered"] = bool(values[-1] >= top ** 2)
    if jacobian is None:
        report["modes"] = table
        return report, values, vectors, groups
    unstable = [dict(entry, index=i) for i, entry in enumerate(table)
                if entry["sigma"] > 0 and entry["lambda"] > 1e-8 * max(values[-1], 1.0)]
    report["unstable_modes"] = unstable
    candidates = [i for i, entry in enumerate(table)
                  if entry["lambda"] > 1e-8 * max(values[-1], 1.0)] or list(range(len(table)))
    fastest = max(candidates, key=lambda i: table[i]["sigma"])
    report["predicted"] = dict(table[fastest], index=fastest)
    return report, values, vectors, groups


def dominant_mode(field: np.ndarray, reference: float, M: sp.csr_matrix, vectors: np.ndarray,
                  values: np.ndarray, groups: list[list[int]],
                  sphere_radius: float | None = None) -> dict[str, Any]:
    """The multiplet holding most of ``field − reference`` in the M-inner product.

    Returns
    -------
    dict
        ``lambda``, ``k``, ``multiplicity``, ``index`` (of the multiplet), ``power_share``
        (its share of the projected power), ``captured`` (projected power over
        ‖field − reference‖²_M: how much the computed modes explain), and ``degree`` on
        the sphere.
    """
    deviation = field - reference
    coefficients = vectors.T @ (M @ deviation)
    total = float(deviation @ (M @ deviation))
    constant = [i for i, group in enumerate(groups)
                if abs(np.mean(values[group])) <= 1e-8 * max(values[-1], 1.0)]
    power = np.array([float(np.sum(coefficients[group] ** 2)) for group in groups])
    power[constant] = 0.0
    best = int(np.argmax(power))
    lam = float(np.mean(values[groups[best]]))
    result: dict[str, Any] = {
        "lambda": lam, "k": math.sqrt(max(lam, 0.0)), "multiplicity": len(groups[best]),
        "index": best, "power_share": float(power[best] / power.sum()) if power.sum() else 0.0,
        "captured": float(power.sum() / total) if total > 0 else 0.0}
    if sphere_radius is not None:
        result["degree"] = sphere_degree(lam, sphere_radius)
    return result
