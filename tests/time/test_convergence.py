"""Measured orders of the integrators on a linear system with an exact solution.

du/dt = L u + N(u) with L = diag(d1, d2) ⊗ Δ_h (periodic 5-point) and N(u) = M u a
species-coupling matrix. L and N do not commute (d1 ≠ d2), so splitting errors are
present; the exact solution is exp(T (L + M ⊗ I)) u0.
"""

import numpy as np
import pytest
import scipy.sparse as sp
from scipy.linalg import expm

from pdekit.fd.grid import PeriodicGrid
from pdekit.fd.laplacian import laplacian_periodic, laplacian_symbol
from pdekit.time import (METHODS, BlockDiagonalLinear, FourierDiagonalLinear,
                         SemilinearProblem, SparseLinear, integrate, make_stepper)

GRID = PeriodicGrid(8, 2 * np.pi, 0.0)
D1, D2 = 0.3, 0.05
COUPLING = np.array([[0.4, 1.0], [-1.2, -0.5]])
T = 1.0


def _linear(kind):
    if kind == "fft":
        symbol = laplacian_symbol(GRID)
        return FourierDiagonalLinear([D1 * symbol, D2 * symbol], GRID.shape)
    lap = laplacian_periodic(GRID)
    return BlockDiagonalLinear([SparseLinear(D1 * lap), SparseLinear(D2 * lap)])


def _problem(kind):
    size = GRID.size
    coupling = sp.kron(COUPLING, sp.identity(size), format="csr")
    return SemilinearProblem(_linear(kind), lambda u: coupling @ u)


def _initial():
    x = GRID.coordinates()
    u = np.sin(x[:, None]) * np.cos(2 * x[None, :]) + 0.3 * np.cos(3 * x[:, None])
    v = np.cos(x[:, None] + x[None, :])
    return np.concatenate([u.ravel(), v.ravel()])


def _exact():
    lap = laplacian_periodic(GRID).toarray()
    size = GRID.size
    full = np.kron(np.diag([D1, D2]), lap) + np.kron(COUPLING, np.eye(size))
    return expm(T * full) @ _initial()


def _observed_order(method, kind, steps):
    exact = _exact()
    errors = []
    for n in steps:
        u, _ = integrate(make_stepper(method, _problem(kind), T / n), _initial(), 0.0, T, T / n)
        errors.append(np.max(np.abs(u - exact)))
    errors = np.array(errors)
    return np.log2(errors[:-1] / errors[1:]), errors


STEPS = {  # step counts in the asymptotic range, and the largest error allowed at the last
    "rk4": ([20, 40, 80], 0.05),
    "imex-euler": ([20, 40, 80], 0.05),
    "strang": ([10, 20, 40], 0.05),
    "etdrk4": ([5, 10, 20, 40], 1e-3),
    "ars222": ([10, 20, 40], 1e-3),
    "ars443": ([10, 20, 40, 80], 1e-3),
}


def test_every_registered_method_is_measured():
    assert sorted(STEPS) == sorted(METHODS.names())


@pytest.mark.parametrize("kind", ["fft", "sparse"])
@pytest.mark.parametrize("method", list(STEPS))
def test_observed_order_is_the_registered_order(method, kind):
    if kind == "sparse" and METHODS.capabilities(method).needs_diagonal:
        pytest.skip(f"{method} needs a diagonal linear part")
    steps, largest_error = STEPS[method]
    rates, errors = _observed_order(method, kind, steps)
    assert errors[-1] < largest_error
    np.testing.assert_allclose(rates, METHODS.capabilities(method).order, atol=0.1)


def test_fft_and_sparse_diffusion_agree():
    u0 = _initial()
    fft, sparse = _linear("fft"), _linear("sparse")
    np.testing.assert_allclose(fft.matvec(u0), sparse.matvec(u0), atol=1e-11)
    np.testing.assert_allclose(fft.resolvent(0.3)(u0), sparse.resolvent(0.3)(u0), atol=1e-12)
    lap = laplacian_periodic(GRID).toarray()
    exact = np.concatenate([expm(0.3 * D1 * lap) @ u0[:64], expm(0.3 * D2 * lap) @ u0[64:]])
    np.testing.assert_allclose(fft.exponential(0.3)(u0), exact, atol=1e-12)
