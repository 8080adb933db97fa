"""The periodic 5-point Laplacian against its exact Fourier eigenvalues."""

import numpy as np
import pytest

from pdekit.fd.grid import PeriodicGrid
from pdekit.fd.laplacian import laplacian_periodic, laplacian_symbol


@pytest.mark.parametrize("n,length", [(8, 2.0), (9, 1.0), (16, 2 * np.pi)])
def test_fourier_modes_are_eigenvectors(n, length):
    grid = PeriodicGrid(n, length, 0.0)
    laplacian = laplacian_periodic(grid)
    x = grid.coordinates()
    for mx, my in [(0, 0), (1, 0), (2, 3), (n // 2, 1)]:
        kx, ky = 2 * np.pi * mx / length, 2 * np.pi * my / length
        mode = np.cos(kx * x[:, None] + ky * x[None, :])
        h = grid.spacings[0]
        # -(4/h²)(sin²(kx h/2) + sin²(ky h/2)), written out by hand
        expected = -(4 / h**2) * (np.sin(kx * h / 2) ** 2 + np.sin(ky * h / 2) ** 2)
        np.testing.assert_allclose(laplacian @ mode.ravel(), expected * mode.ravel(),
                                   atol=1e-9 * (4 / h**2 * 2))


def test_spectrum_equals_symbol():
    grid = PeriodicGrid(10, 2.0)
    eigenvalues = np.linalg.eigvalsh(laplacian_periodic(grid).toarray())
    np.testing.assert_allclose(np.sort(eigenvalues), np.sort(laplacian_symbol(grid).ravel()),
                               atol=1e-10)
    # spectral radius 8/h² for even n (the RK4 stability check relies on it)
    assert np.isclose(-eigenvalues.min(), 8 / grid.spacings[0]**2)


def test_constant_in_null_space_and_symmetric():
    laplacian = laplacian_periodic(PeriodicGrid(7))
    np.testing.assert_allclose(laplacian @ np.ones(49), 0, atol=1e-10)
    assert abs(laplacian - laplacian.T).max() == 0
