"""Spatial convergence on an exact solution, and the temporal order of every integrator.

u = cos(πx) cos(πy) e^{−(2π²D + a) t} solves u_t = D Δu − a u on the unit square with
no-flux walls: its error at the nodes in the M-norm falls like h² for P1 and at least h³
for P2 (the nodal P2 values converge faster still on these meshes)."""

import math

import numpy as np
import pytest

from pdekit.fe.operator import FEOperator
from pdekit.fe.steppers import make_fe_attempt, make_fe_stepper
from pdekit.fem.geometry.shapes2d import rectangle
from pdekit.time import integrate, integrate_adaptive
from tests.fe_turing.helpers import SPHERE, diffuse, discretize

D, A, T = 0.1, 1.0, 0.5


def exact_solution_error(order: int, h: float) -> float:
    disc = discretize(rectangle(1.0, 1.0), order, h)
    x, y = disc.nodes[:, 0], disc.nodes[:, 1]
    u0 = np.cos(np.pi * x) * np.cos(np.pi * y)
    u = diffuse(disc, u0, T, 0.005, D, reaction=lambda w: -A * w)
    error = u - u0 * math.exp(-(2 * math.pi ** 2 * D + A) * T)
    return float(np.sqrt(error @ (disc.M @ error)))


@pytest.mark.parametrize("order, least_order", [(1, 1.8), (2, 2.8)])
def test_spatial_order_on_an_exact_solution(order, least_order):
    coarse, fine = exact_solution_error(order, 0.1), exact_solution_error(order, 0.05)
    assert math.log2(coarse / fine) > least_order, (coarse, fine)


def brusselator_like(w: np.ndarray) -> np.ndarray:
    """A smooth nonlinear reaction coupling the species (u² v terms)."""
    n = len(w) // 2
    u, v = w[:n], w[n:]
    return np.concatenate([0.5 - 2.0 * u + u * u * v, 1.5 * u - u * u * v])


@pytest.fixture(scope="module")
def sphere_problem():
    disc = discretize(SPHERE, 1, 0.5, surface=True)
    op = FEOperator(disc.M, disc.K, (0.05, 0.2))
    z = disc.nodes[:, 2]
    return op, np.concatenate([1.0 + 0.3 * z, 1.0 - 0.2 * z ** 2])


@pytest.mark.parametrize("method, order", [("ars222", 2), ("ars443", 3), ("sbdf2", 2),
                                           ("strang", 2)])
def test_temporal_order_of_each_integrator(sphere_problem, method, order):
    op, w0 = sphere_problem
    reference = integrate(make_fe_stepper("ars443", op, brusselator_like, 1 / 1280), w0,
                          0.0, 1.0, 1 / 1280)[0]
    errors = [np.abs(integrate(make_fe_stepper(method, op, brusselator_like, dt), w0, 0.0,
                               1.0, dt)[0] - reference).max() for dt in (1 / 20, 1 / 40)]
    assert math.log2(errors[0] / errors[1]) == pytest.approx(order, abs=0.35), errors


def test_adaptive_ars222_meets_its_tolerance(sphere_problem):
    op, w0 = sphere_problem
    reference = integrate(make_fe_stepper("ars443", op, brusselator_like, 1 / 1280), w0,
                          0.0, 1.0, 1 / 1280)[0]
    errors = []
    for tolerance in (1e-3, 1e-5):
        w, stats = integrate_adaptive(make_fe_attempt("ars222", op, brusselator_like), w0,
                                      0.0, 1.0, 0.1, tolerance, 0.5, low_order=1)
        errors.append(np.abs(w - reference).max())
        assert stats.accepted > 2
    assert errors[1] < errors[0] / 10 and errors[1] < 1e-4, errors
