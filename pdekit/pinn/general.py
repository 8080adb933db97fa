"""The Poisson residuals on a general domain, with Dirichlet, Neumann and Robin parts.

Penalty form: ``u = N``; each boundary point of a part gives one weighted residual,

    Dirichlet  u - g,          Neumann  du/dn - h,          Robin  du/dn + a u - h,

with ``n`` the outward normal of the part (:meth:`~pdekit.pinn.domains.Domain.outward_normals`).

Hard form (Sukumar & Srivastava, CMAME 389 (2022) 114333): ``u = G + phi N`` with ``phi``
vanishing on the Dirichlet parts only -- the product bubble on a box whose every face is
Dirichlet, else the approximate distance function of those parts
(:func:`~pdekit.pinn.domains.adf_derivatives`) -- and ``G`` the Dirichlet data as one
global expression (``problem.boundary`` or ``problem.exact``) evaluated on the whole domain.
Then ``Lap u = Lap G + (Lap phi) N + 2 grad phi . grad N + phi Lap N`` and, on a Neumann or
Robin part, ``du/dn = dG/dn + (dphi/dn) N + phi dN/dn``: every residual stays affine in the
network's Taylor stack ``T = [N, grad N, Lap N]`` (``coefficients . T + offset``).
"""

from __future__ import annotations

from typing import Sequence

import numpy as np

from pdekit.pinn.domains import Box, Interval, Rectangle, adf_derivatives
from pdekit.pinn.expressions import derivatives
from pdekit.pinn.problem import PoissonProblem


def bubble(bounds: Sequence[tuple[float, float]], points: np.ndarray
           ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """``B = prod_j (x_j - a_j)(b_j - x_j) / ((b_j - a_j)/2)^2``, its gradient and Laplacian."""
    phis, d1s, d2s = [], [], []
    for j, (a, b) in enumerate(bounds):
        s = ((b - a) / 2.0) ** 2
        x = points[:, j]
        phis.append((x - a) * (b - x) / s)
        d1s.append((a + b - 2.0 * x) / s)
        d2s.append(np.full_like(x, -2.0 / s))
    B = np.prod(phis, axis=0)
    grad = np.empty_like(points)
    lap = np.zeros(len(points))
    for j in range(len(bounds)):
        others = np.prod([phis[k] for k in range(len(bounds)) if k != j], axis=0) \
            if len(bounds) > 1 else np.ones(len(points))
        grad[:, j] = d1s[j] * others
        lap += d2s[j] * others
    return B, grad, lap


def dirichlet_parts(problem: PoissonProblem) -> list[str]:
    """Names of the Dirichlet parts of the boundary."""
    return [name for name, c in problem.conditions.items() if c.kind == "dirichlet"]


def distance(problem: PoissonProblem, points: np.ndarray
             ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """``phi``, ``grad phi``, ``Lap phi`` of the hard ansatz at ``points``: zero on the
    Dirichlet parts (the product bubble for an all-Dirichlet box, else the ADF)."""
    domain, parts = problem.domain, dirichlet_parts(problem)
    if isinstance(domain, (Interval, Rectangle, Box)) and \
            len(parts) == len(domain.boundary_parts):
        return bubble(domain.bounding_box(), points)
    return adf_derivatives(domain, points, parts)


def boundary_rows(problem: PoissonProblem, points: np.ndarray, names: np.ndarray,
                  hard: bool) -> tuple[list[np.ndarray], np.ndarray, np.ndarray, np.ndarray]:
    """Unweighted boundary residuals ``coefficients . T + offset``, one per boundary point
    that has a residual (with ``hard``, the Dirichlet points have none).

    Returns
    -------
    selected, value_rows, flux_rows
        ``selected``: the indices of the Dirichlet points used and of the Neumann/Robin
        points; ``value_rows = (coeff [k, 1], offset)`` for the Dirichlet points (value
        stack) and ``flux_rows = (coeff [m, dim + 2], offset)`` for the others.
    """
    dim = points.shape[1]
    kinds = np.array([problem.conditions[str(name)].kind for name in names])
    dirichlet = np.flatnonzero(kinds == "dirichlet") if not hard else np.zeros(0, int)
    flux = np.flatnonzero(kinds != "dirichlet")
    value_offset = np.zeros(len(dirichlet))
    for part in set(names[dirichlet]):
        rows = names[dirichlet] == part
        value_offset[rows] = -problem.data(part, points[dirichlet[rows]])
    flux_coeff = np.zeros((len(flux), dim + 2))
    flux_offset = np.zeros(len(flux))
    if len(flux):
        fp = points[flux]
        normal = np.empty_like(fp)
        a = np.empty(len(flux))
        h = np.empty(len(flux))
        for part in set(names[flux]):
            rows = names[flux] == part
            normal[rows] = problem.domain.outward_normals(fp[rows], part)
            a[rows] = problem.conditions[part].coefficient
            h[rows] = problem.data(part, fp[rows], normal[rows])
        if hard:
            phi, grad_phi, _ = distance(problem, fp)
            G, grad_G, _ = derivatives(problem.dirichlet_field, fp)
            flux_coeff[:, 0] = np.sum(grad_phi * normal, axis=1) + a * phi
            flux_coeff[:, 1:dim + 1] = phi[:, None] * normal
            flux_offset = np.sum(grad_G * normal, axis=1) + a * G - h
        else:
            flux_coeff[:, 0] = a
            flux_coeff[:, 1:dim + 1] = normal
            flux_offset = -h
        # a point where a flux part meets a Dirichlet part has no ADF gradient: drop it
        finite = np.all(np.isfinite(flux_coeff), axis=1) & np.isfinite(flux_offset)
        flux, flux_coeff, flux_offset = flux[finite], flux_coeff[finite], flux_offset[finite]
    return ([dirichlet, flux], (np.ones((len(dirichlet), 1)), value_offset),
            (flux_coeff, flux_offset))
