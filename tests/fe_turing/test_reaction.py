"""Reaction alone: the finite-element path equals the grid path's kernels node by node,
and a restart or a renumbered mesh sees the same position-seeded noise."""

import numpy as np
import pytest

import pdekit
from pdekit.fd.build import build_problem, reaction_rhs
from pdekit.fd.grid import make_grid
from pdekit.fd.models import Schnakenberg
from pdekit.fe.initial import position_noise
from pdekit.fe.operator import FEOperator
from pdekit.fe.steppers import make_fe_stepper
from pdekit.fem.geometry.shapes2d import disk
from pdekit.time import integrate, make_stepper
from tests.fe_turing.helpers import discretize

MODEL = Schnakenberg(a=0.1, b=0.9, Du=0.01, Dv=0.1)


@pytest.mark.parametrize("method", ["ars222", "ars443", "strang"])
@pytest.mark.parametrize("lumped", [False, True])
def test_reaction_only_equals_the_grid_kernels_pointwise(method, lumped):
    disc = discretize(disk(1.0, [0.0, 0.0]), 1, 0.25, lumped=lumped)
    n = disc.M.shape[0]
    rng = np.random.default_rng(3)
    w0 = np.concatenate([1.0 + 0.3 * rng.standard_normal(n), 0.9 + 0.3 * rng.standard_normal(n)])
    # the grid path on a line of n points, reaction only: the same pointwise kernels
    grid = build_problem(MODEL, make_grid("neumann", (n,), (1.0,)), terms="reaction")
    expected = integrate(make_stepper(method, grid, 0.05), w0, 0.0, 2.0, 0.05)[0]
    op = FEOperator(disc.M, disc.K, (0.0, 0.0))
    got = integrate(make_fe_stepper(method, op, reaction_rhs(MODEL, n), 0.05), w0, 0.0,
                    2.0, 0.05)[0]
    assert np.abs(expected - w0).max() > 0.1  # the reaction really moved the state
    np.testing.assert_allclose(got, expected, rtol=0, atol=1e-11)


def test_noise_follows_the_node_positions_not_their_numbering():
    rng = np.random.default_rng(0)
    nodes = rng.uniform(-1, 1, (500, 3))
    order = rng.permutation(500)
    first = position_noise(7, 0, nodes, 0.5)
    np.testing.assert_array_equal(position_noise(7, 0, nodes[order], 0.5), first[order])
    assert not np.allclose(position_noise(7, 1, nodes, 0.5), first)  # v has its own
    assert abs(first.std() - 0.5) < 0.05 and abs(first.mean()) < 0.06


def test_reaction_only_run_keeps_each_node_on_its_own(tmp_path):
    """Through the API: with terms = "reaction" every node follows the ODE from its own
    start; nodes that start equal stay equal, and u, v come back with the vertices."""
    case = {"case": {"kind": "turing", "name": "r"},
            "model": {"name": "schnakenberg", "terms": "reaction"},
            "domain": {"shape": "square", "maxh": 0.25},
            "initial": {"noise": "white", "std_u": 0.0, "std_v": 0.0, "mean_u": 1.2,
                        "mean_v": 0.5},
            "time": {"method": "strang", "dt": 0.05, "T": 1.0},
            "output": {"every": 1.0, "png": False}}
    result = pdekit.solve(case, out=False)
    ode = integrate(make_stepper("strang", build_problem(
        Schnakenberg(**Schnakenberg.presets["spots"]), make_grid("neumann", (1,), (1.0,)),
        terms="reaction"), 0.05), np.array([1.2, 0.5]), 0.0, 1.0, 0.05)[0]
    assert result.points.shape == (len(result.u), 2) and result.triangles.shape[1] == 3
    np.testing.assert_allclose(result.u, ode[0], atol=1e-12)
    np.testing.assert_allclose(result.v, ode[1], atol=1e-12)
    assert result.t == pytest.approx(1.0)
