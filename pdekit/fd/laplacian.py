"""The 5-point Laplacian as a sparse matrix and by its eigenvalues in a fast transform.

Periodic grids: diagonal in the discrete Fourier basis. Cell-centred grids with
no-flux walls: diagonal in the type-II discrete cosine basis.
"""

from __future__ import annotations

import numpy as np
import scipy.sparse as sp

from pdekit.fd.grid import Grid, NeumannGrid, PeriodicGrid


def periodic_second_difference(n: int, h: float) -> sp.csr_matrix:
    """1D periodic second difference (u[i-1] - 2u[i] + u[i+1]) / h² as an n × n matrix."""
    if n < 3:
        raise ValueError("a periodic second difference needs n >= 3 points")
    ones = np.ones(n)
    matrix = sp.diags([ones[:-1], -2.0 * ones, ones[:-1]], [-1, 0, 1], format="lil")
    matrix[0, n - 1] = 1.0
    matrix[n - 1, 0] = 1.0
    return sp.csr_matrix(matrix) / h**2


def laplacian_periodic(grid: PeriodicGrid) -> sp.csr_matrix:
    """5-point Laplacian on ``grid`` acting on fields flattened in C order (``[i, j]``)."""
    d2 = periodic_second_difference(grid.n, grid.h)
    eye = sp.identity(grid.n, format="csr")
    return sp.csr_matrix(sp.kron(d2, eye) + sp.kron(eye, d2))


def laplacian_symbol(grid: PeriodicGrid) -> np.ndarray:
    """Eigenvalues of :func:`laplacian_periodic` on the Fourier modes exp(i(kx x + ky y)).

    -(4/h²)(sin²(kx h/2) + sin²(ky h/2)), as an n × n array in FFT order.
    """
    k = grid.wavenumbers()
    s = np.sin(0.5 * k * grid.h) ** 2
    return -(4.0 / grid.h**2) * (s[:, None] + s[None, :])


def neumann_second_difference(n: int, h: float) -> sp.csr_matrix:
    """1D second difference with reflecting ends on a cell-centred grid, as n × n matrix.

    Interior rows are (u[i-1] - 2u[i] + u[i+1]) / h²; the ghost values u[-1] = u[0] and
    u[n] = u[n-1] (zero flux through the walls) make the end rows (u[1] - u[0]) / h² and
    (u[n-2] - u[n-1]) / h². The matrix is symmetric and its rows sum to zero (mass is
    conserved).
    """
    if n < 2:
        raise ValueError("a Neumann second difference needs n >= 2 points")
    ones = np.ones(n)
    diagonal = -2.0 * ones
    diagonal[0] = diagonal[-1] = -1.0
    return sp.diags([ones[:-1], diagonal, ones[:-1]], [-1, 0, 1], format="csr") / h**2


def laplacian_neumann(grid: NeumannGrid) -> sp.csr_matrix:
    """5-point Laplacian with no-flux walls on ``grid`` (fields flattened in C order)."""
    d2 = neumann_second_difference(grid.n, grid.h)
    eye = sp.identity(grid.n, format="csr")
    return sp.csr_matrix(sp.kron(d2, eye) + sp.kron(eye, d2))


def laplacian_neumann_symbol(grid: NeumannGrid) -> np.ndarray:
    """Eigenvalues of :func:`laplacian_neumann` on the DCT-II modes cos(π m (i + ½)/n).

    -(4/h²)(sin²(π m / 2n) + sin²(π l / 2n)), as an n × n array indexed by (m, l).
    """
    s = np.sin(0.5 * np.pi * np.arange(grid.n) / grid.n) ** 2
    return -(4.0 / grid.h**2) * (s[:, None] + s[None, :])


def laplacian(grid: Grid) -> sp.csr_matrix:
    """The sparse 5-point Laplacian for either kind of grid."""
    return laplacian_neumann(grid) if isinstance(grid, NeumannGrid) else laplacian_periodic(grid)
