"""The 5-point Laplacian on a periodic grid, as a sparse matrix and by its Fourier symbol."""

from __future__ import annotations

import numpy as np
import scipy.sparse as sp

from pdekit.fd.grid import PeriodicGrid


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
