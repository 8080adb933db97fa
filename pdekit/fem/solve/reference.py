"""Exact and published reference eigenvalues of −Δ.

- Rectangle (0,w)×(0,h), any Dirichlet/Neumann combination per side: separation of
  variables, λ = k_x² + k_y² with k = mπ/L (same condition at both ends: m ≥ 1 for
  Dirichlet, m ≥ 0 for Neumann) or k = (m + 1/2)π/L (mixed ends, m ≥ 0).
- Disk of radius R: Dirichlet λ = j_{m,k}²/R², Neumann λ = j'_{m,k}²/R² (and 0), double
  for m ≥ 1 (zeros of Bessel J_m and J_m' from :mod:`scipy.special`).
- Box with sides (a, b, c), any Dirichlet/Neumann combination per face: λ = k_x² + k_y²
  + k_z², the wavenumbers as for the rectangle.
- Ball of radius R: Dirichlet λ = z²/R² for the zeros z of the spherical Bessel functions
  j_l (Neumann: of j_l', and 0), multiplicity 2l + 1 (first: π², then 4.4934094579² ×3).
- L-shape (−1,1)² ∖ [0,1)×(−1,0], Dirichlet: λ1 = 9.6397238440219410527 from Trefethen &
  Betcke, "Computed eigenmodes of planar regions", Contemp. Math. 412 (2006); λ3 = 2π²
  exactly (sin(πx)sin(πy) vanishes on the re-entrant edges). λ2 is not known in closed
  form and is left ``None``.
"""

from __future__ import annotations

import math
from typing import Sequence

LSHAPE_DIRICHLET: list[float | None] = [9.6397238440219410527, None, 2 * math.pi ** 2]


def _wavenumbers(length: float, dirichlet_start: bool, dirichlet_end: bool,
                 count: int) -> list[float]:
    """1D Laplacian wavenumbers k on (0, length) for the given end conditions."""
    if dirichlet_start and dirichlet_end:
        return [m * math.pi / length for m in range(1, count + 1)]
    if not dirichlet_start and not dirichlet_end:
        return [m * math.pi / length for m in range(count)]
    return [(m + 0.5) * math.pi / length for m in range(count)]


def rectangle_eigenvalues(width: float, height: float, n: int,
                          dirichlet: dict[str, bool] | None = None) -> list[float]:
    """First ``n`` eigenvalues (with multiplicity) on (0,width)×(0,height).

    Parameters
    ----------
    dirichlet
        Side name (``bottom``, ``right``, ``top``, ``left``) → Dirichlet?; default all.
    """
    sides = {"bottom": True, "right": True, "top": True, "left": True, **(dirichlet or {})}
    kx = _wavenumbers(width, sides["left"], sides["right"], n + 1)
    ky = _wavenumbers(height, sides["bottom"], sides["top"], n + 1)
    return sorted(a * a + b * b for a in kx for b in ky)[:n]


def box_eigenvalues(sizes: Sequence[float], n: int,
                    dirichlet: dict[str, bool] | None = None) -> list[float]:
    """First ``n`` eigenvalues (with multiplicity) of the box with edge lengths ``sizes``;
    ``dirichlet``: face name (``left``/``right``, ``front``/``back``, ``bottom``/``top``)
    → Dirichlet? (default all)."""
    faces = {name: True for name in ("left", "right", "front", "back", "bottom", "top")}
    faces.update(dirichlet or {})
    pairs = (("left", "right"), ("front", "back"), ("bottom", "top"))
    k = [_wavenumbers(length, faces[a], faces[b], n + 1)
         for length, (a, b) in zip(sizes, pairs)]
    return sorted(a * a + b * b + c * c for a in k[0] for b in k[1] for c in k[2])[:n]


def _spherical_zeros(l: int, count: int, derivative: bool) -> list[float]:
    """The first ``count`` positive zeros of j_l (or j_l'), bracketed on a fine grid."""
    import numpy as np
    from scipy.optimize import brentq
    from scipy.special import spherical_jn

    def f(x: float) -> float:
        return float(spherical_jn(l, x, derivative=derivative))

    zeros: list[float] = []
    grid = np.arange(0.05, (count + l + 2) * math.pi + 1, 0.05)
    values = [f(x) for x in grid]
    for x0, x1, f0, f1 in zip(grid, grid[1:], values, values[1:]):
        if f0 * f1 < 0:
            zeros.append(brentq(f, x0, x1, xtol=1e-15, rtol=1e-15))
            if len(zeros) == count:
                break
    return zeros


def ball_eigenvalues(radius: float, n: int, dirichlet: bool = True) -> list[float]:
    """First ``n`` eigenvalues (with multiplicity) of the ball of ``radius``."""
    values: list[float] = [] if dirichlet else [0.0]
    for l in range(n + 1):
        for zero in _spherical_zeros(l, n + 1, derivative=not dirichlet):
            values.extend([zero ** 2 / radius ** 2] * (2 * l + 1))
    return sorted(values)[:n]


def disk_eigenvalues(radius: float, n: int, dirichlet: bool = True) -> list[float]:
    """First ``n`` eigenvalues (with multiplicity) on a disk of ``radius``."""
    from scipy.special import jn_zeros, jnp_zeros

    values: list[float] = [] if dirichlet else [0.0]
    for m in range(n + 1):
        if dirichlet:
            zeros = jn_zeros(m, n + 1)
        else:
            zeros = jnp_zeros(m, n + 1)  # excludes the trivial zero of J_0'
        for zero in zeros:
            values.extend([zero ** 2 / radius ** 2] * (1 if m == 0 else 2))
    return sorted(values)[:n]


def lshape_eigenvalues(n: int) -> list[float | None]:
    """Published/exact Dirichlet eigenvalues of the L-shape (``None`` where unknown)."""
    return [LSHAPE_DIRICHLET[i] if i < len(LSHAPE_DIRICHLET) else None for i in range(n)]


def reference_eigenvalues(shape: str, n: int, *, width: float = 1.0, height: float = 1.0,
                          radius: float = 1.0, dirichlet_sides: dict[str, bool] | None = None,
                          all_dirichlet: bool = True, all_neumann: bool = False,
                          sizes: Sequence[float] = (1.0, 1.0, 1.0),
                          dirichlet_faces: dict[str, bool] | None = None,
                          ) -> list[float | None] | None:
    """Built-in reference for a geometry, or ``None`` when there is none.

    Parameters
    ----------
    shape
        ``square``, ``rectangle``, ``disk``, ``lshape``, ``box``, ``ball`` or another (no
        reference).
    dirichlet_sides
        For rectangles: side → Dirichlet?
    all_dirichlet, all_neumann
        Boundary conditions for disk and L-shape (mixed: no reference).
    """
    if shape in ("square", "rectangle"):
        return list(rectangle_eigenvalues(width, height, n, dirichlet_sides))
    if shape == "disk" and (all_dirichlet or all_neumann):
        return list(disk_eigenvalues(radius, n, all_dirichlet))
    if shape == "box":
        return list(box_eigenvalues(sizes, n, dirichlet_faces))
    if shape == "ball" and (all_dirichlet or all_neumann):
        return list(ball_eigenvalues(radius, n, all_dirichlet))
    if shape == "lshape" and all_dirichlet:
        return lshape_eigenvalues(n)
    return None


def relative_errors(computed: Sequence[float], reference: Sequence[float | None]
                    ) -> list[float | None]:
    """|λ_h − λ| / max(|λ|, 1) per index (``None`` where no reference)."""
    return [None if ref is None or i >= len(computed) else
            abs(computed[i] - ref) / max(abs(ref), 1.0)
            for i, ref in enumerate(reference)]
