"""Diffusion alone on a disk and on the sphere: a Laplace eigenfunction decays at its
eigenvalue's rate, to the order of the discretization (P1: h², P2 curved: h³ or better)."""

import math

import numpy as np
import pytest
from scipy.special import jv

from pdekit.fem.geometry.shapes2d import disk
from tests.fe_turing.helpers import SPHERE, diffuse, discretize

T, DT = 0.05, 0.0005  # ARS(4,4,3): time error far below the spatial one


def rate_error(disc, mode: np.ndarray, exact: float) -> float:
    """Relative error of the decay rate of ``mode``'s M-projection over [0, T]."""
    u = diffuse(disc, mode, T, DT)
    amplitude = (mode @ (disc.M @ u)) / (mode @ (disc.M @ mode))
    return abs(-math.log(amplitude) / T / exact - 1.0)


def sphere_y20(nodes: np.ndarray) -> np.ndarray:
    """Y_2^0 ∝ 3z² − 1 on the unit sphere: λ = l(l + 1) = 6."""
    return 3.0 * nodes[:, 2] ** 2 - 1.0


J11 = 3.831705970207512  # first positive zero of J_0' = −J_1: the Neumann disk's radial mode


def disk_radial(nodes: np.ndarray) -> np.ndarray:
    return jv(0, J11 * np.hypot(nodes[:, 0], nodes[:, 1]))


@pytest.mark.parametrize("order, least_order, finest_error", [(1, 1.8, 2e-2), (2, 3.0, 1e-4)])
def test_sphere_harmonic_decays_like_exp_minus_6t(order, least_order, finest_error):
    errors = []
    for h in (0.2, 0.1):
        disc = discretize(SPHERE, order, h, surface=True)
        errors.append(rate_error(disc, sphere_y20(disc.nodes), 6.0))
    observed = math.log2(errors[0] / errors[1])
    assert observed > least_order, errors
    assert errors[1] < finest_error, errors


@pytest.mark.parametrize("order, least_order, finest_error", [(1, 1.8, 2e-2), (2, 3.5, 3e-5)])
def test_disk_bessel_mode_decays_at_its_eigenvalue(order, least_order, finest_error):
    shape = disk(1.0, [0.0, 0.0])
    errors = []
    for h in (0.2, 0.1):
        disc = discretize(shape, order, h)
        errors.append(rate_error(disc, disk_radial(disc.nodes), J11 ** 2))
    observed = math.log2(errors[0] / errors[1])
    assert observed > least_order, errors
    assert errors[1] < finest_error, errors


def test_p2_mass_integrates_the_area_of_the_curved_sphere():
    # the nodal P2 transform keeps constants: 1ᵀ M 1 is the area of the curved mesh
    disc = discretize(SPHERE, 2, 0.3, surface=True)
    assert disc.measure == pytest.approx(4 * math.pi, rel=2e-4)
    ones = np.ones(disc.M.shape[0])
    assert np.max(np.abs(disc.K @ ones)) < 1e-10  # constants do not diffuse


def test_dirichlet_wall_held_at_a_value_lets_the_bessel_mode_decay():
    """u = c + J_0(j_01 r) with u = c on the circle: the perturbation decays at j_01²
    (the Dirichlet dofs pull on the free ones through K_free,Dirichlet · c)."""
    from types import SimpleNamespace

    from pdekit.fe.assembly import assemble
    from pdekit.fe.meshing import make_mesh
    from pdekit.fe.operator import FEOperator
    from pdekit.fe.steppers import make_fe_stepper
    from pdekit.time import integrate

    j01, c = 2.404825557695773, 1.7
    mesh, _ = make_mesh(disk(1.0, [0.0, 0.0]), SimpleNamespace(maxh=0.15, refine=0, order=2,
                                                                 curve=0), ("circle",))
    disc = assemble(mesh, 2, False, ("circle",))
    nodes = disc.nodes[disc.free]
    mode = jv(0, j01 * np.hypot(nodes[:, 0], nodes[:, 1]))
    op = FEOperator(disc.M, disc.K, (1.0, 1.0), (c, c), disc.dirichlet_coupling)
    assert np.abs(disc.dirichlet_coupling).max() > 0.1
    w, _ = integrate(make_fe_stepper("ars443", op, lambda w: np.zeros_like(w), DT),
                     np.concatenate([c + mode, c + mode]), 0.0, T, DT)
    n = len(mode)
    amplitude = (mode @ (disc.M @ (w[:n] - c))) / (mode @ (disc.M @ mode))
    assert -math.log(amplitude) / T == pytest.approx(j01 ** 2, rel=2e-4)
