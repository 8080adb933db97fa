"""Measured orders of every integrator in 1D and 3D against an exact solution per mode.

u_t = D_u Δ_h u + A_11 u + A_12 v, v_t = D_v Δ_h v + A_21 u + A_22 v on a periodic box
with unequal sides and points per axis (h differs per axis). Δ_h is the (2d+1)-point
Laplacian, diagonal in the diffusion operator of :mod:`pdekit.fd.build`; the coupling A
is the "reaction" N(w) = (A ⊗ I) w. Initial data: a few plane waves cos(k·x). Each
wave's amplitudes (a, b) evolve exactly by exp(T (diag(D_u, D_v) λ(k) + A)) with the
symbol λ(k) = −Σ_a (4/h_a²) sin²(k_a h_a / 2) written out here, independently of the
package. D_u ≠ D_v, so L and N do not commute and splitting errors are present.
"""

import numpy as np
import pytest
import scipy.sparse as sp
from scipy.linalg import expm

from pdekit.fd.build import diffusion_operator
from pdekit.fd.grid import PeriodicGrid
from pdekit.time import METHODS, SemilinearProblem, integrate, integrate_adaptive, \
    make_attempt, make_stepper

D = (0.02, 0.005)
A = np.array([[0.4, 1.0], [-1.2, -0.5]])
T = 1.0

GRIDS = {
    "1d": PeriodicGrid([24], 3.0),
    "3d": PeriodicGrid([10, 8, 12], [2.0, 1.5, 2.5]),
}
WAVES = {  # mode numbers m (k_a = 2π m_a / L_a) and amplitudes (a, b)
    "1d": [((1,), (1.0, 0.5)), ((3,), (0.4, -0.2)), ((7,), (0.1, 0.3))],
    "3d": [((1, 0, 2), (1.0, 0.5)), ((0, 2, -1), (0.4, -0.2)), ((3, 1, 4), (0.1, 0.3))],
}

STEPS = {  # step counts in the asymptotic range
    "rk4": [10, 20, 40],
    "imex-euler": [20, 40, 80],
    "strang": [10, 20, 40],
    "etdrk4": [4, 8, 16],
    "ars222": [10, 20, 40],
    "ars443": [10, 20, 40],
}


def _waves(grid, waves, time):
    """u, v on the grid: Σ exp(time M_k) (a, b) cos(k·x), M_k = diag(D) λ(k) + A."""
    x = np.meshgrid(*grid.axes_coordinates(), indexing="ij")
    u, v = np.zeros(grid.shape), np.zeros(grid.shape)
    for m, amplitudes in waves:
        k = [2 * np.pi * mi / length for mi, length in zip(m, grid.lengths)]
        symbol = -sum(4 / h**2 * np.sin(ka * h / 2) ** 2 for ka, h in zip(k, grid.spacings))
        a, b = expm(time * (np.diag(D) * symbol + A)) @ np.array(amplitudes)
        phase = np.cos(sum(ka * (xa - x0) for ka, xa, x0 in zip(k, x, grid.origin)))
        u += a * phase
        v += b * phase
    return np.concatenate([u.ravel(), v.ravel()])


def _problem(grid, diffusion):
    coupling = sp.kron(A, sp.identity(grid.size), format="csr")
    return SemilinearProblem(diffusion_operator(grid, D, diffusion), lambda w: coupling @ w)


@pytest.mark.parametrize("dim", ["1d", "3d"])
@pytest.mark.parametrize("diffusion", ["transform", "sparse"])
@pytest.mark.parametrize("method", list(STEPS))
def test_observed_order_in_1d_and_3d(method, diffusion, dim):
    if diffusion == "sparse" and METHODS.capabilities(method).needs_diagonal:
        pytest.skip(f"{method} needs a diagonal linear part")
    grid, waves = GRIDS[dim], WAVES[dim]
    w0, exact = _waves(grid, waves, 0.0), _waves(grid, waves, T)
    problem = _problem(grid, diffusion)
    errors = np.array([np.max(np.abs(integrate(make_stepper(method, problem, T / n), w0, 0.0,
                                               T, T / n)[0] - exact))
                       for n in STEPS[method]])
    rates = np.log2(errors[:-1] / errors[1:])
    np.testing.assert_allclose(rates, METHODS.capabilities(method).order, atol=0.15)


def test_etdrk4_3d_errors_and_adaptive_tolerance():
    """ETDRK4 on a 24 × 20 × 16 box with a wave near the grid scale (D_u λ ≈ −30, stiff for
    explicit methods): fourth order, error below 1e-5 at 16 steps, and the adaptive
    controller meets its tolerance."""
    grid = PeriodicGrid([24, 20, 16], [2.0, 1.5, 2.5])
    waves = [*WAVES["3d"], ((11, -9, 7), (0.2, 0.1))]
    w0, exact = _waves(grid, waves, 0.0), _waves(grid, waves, T)
    problem = _problem(grid, "transform")
    errors = [np.max(np.abs(integrate(make_stepper("etdrk4", problem, T / n), w0, 0.0, T,
                                      T / n)[0] - exact)) for n in (4, 8, 16, 32)]
    assert errors[2] < 1e-5
    assert np.log2(errors[-2] / errors[-1]) == pytest.approx(4.0, abs=0.15)
    w, stats = integrate_adaptive(make_attempt("etdrk4", problem), w0, 0.0, T, 0.1, 1e-6, 0.5,
                                  low_order=METHODS.capabilities("etdrk4").embedded_order)
    assert np.max(np.abs(w - exact)) < 1e-5 and stats.accepted >= 2
