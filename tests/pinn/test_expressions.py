"""Case-file expressions in TensorFlow: forcing derived from the exact solution, boundary data."""

import numpy as np
import pytest

tf = pytest.importorskip("tensorflow")

from pdekit.pinn.expressions import evaluate, laplacian_of  # noqa: E402
from pdekit.pinn.general import bubble  # noqa: E402
from pdekit.pinn.problem import PoissonProblem  # noqa: E402

RNG = np.random.default_rng(7)
P2 = RNG.uniform(-1, 1, (40, 2))
P1 = RNG.uniform(-1, 1, (40, 1))


@pytest.mark.parametrize("text, laplacian", [
    ("sin(pi*x)*sin(pi*y)", lambda x, y: -2 * np.pi**2 * np.sin(np.pi * x) * np.sin(np.pi * y)),
    ("x**2*y**3", lambda x, y: 2 * y**3 + 6 * x**2 * y),
    ("exp(x)*cos(y)", lambda x, y: 0 * x),
    ("log(3 + x) + sqrt(2 + y)", lambda x, y: -1 / (3 + x) ** 2 - 0.25 * (2 + y) ** -1.5),
    ("a*tanh(k*x)", lambda x, y: 2.0 * -2 * 9 * np.tanh(3 * x) / np.cosh(3 * x) ** 2),
])
def test_forcing_is_the_laplacian_of_the_exact_solution(text, laplacian):
    got = laplacian_of(text, P2, {"a": 2.0, "k": 3.0})
    np.testing.assert_allclose(got, laplacian(P2[:, 0], P2[:, 1]), rtol=1e-12, atol=1e-11)


def test_forcing_1d_and_problem_defaults():
    np.testing.assert_allclose(laplacian_of("x**4 - x", P1), 12 * P1[:, 0] ** 2, rtol=1e-13)
    problem = PoissonProblem([(-1.0, 1.0)], exact="sin(pi*x)")
    np.testing.assert_allclose(problem.f(P1), -np.pi**2 * np.sin(np.pi * P1[:, 0]), rtol=1e-13)
    explicit = PoissonProblem([(-1.0, 1.0)], exact="sin(pi*x)", forcing="-pi**2*sin(pi*x)")
    np.testing.assert_allclose(explicit.f(P1), problem.f(P1), rtol=1e-14)
    np.testing.assert_allclose(evaluate("2 + 0*x", P1), 2.0)  # constants broadcast
    np.testing.assert_allclose(evaluate("3", P2), 3.0)


def test_boundary_extension_matches_data_on_the_boundary_only():
    problem = PoissonProblem([(0.0, 2.0), (-1.0, 1.0)], exact="exp(x)*sin(3*y) + x*y")
    t = np.linspace(0, 1, 9)
    sides = np.concatenate([np.c_[2 * t, -np.ones(9)], np.c_[2 * t, np.ones(9)],
                            np.c_[np.zeros(9), 2 * t - 1], np.c_[2 * np.ones(9), 2 * t - 1]])
    G, grad, lap = problem.extension(sides)
    np.testing.assert_allclose(G, problem.g(sides), atol=1e-13)
    inside = np.array([[1.0, 0.0], [0.5, 0.3]])
    # the Coons patch reproduces bilinear data exactly, but not this non-polynomial exact u
    assert np.abs(problem.extension(inside)[0] - problem.u_exact(inside)).max() > 0.1
    bilinear = PoissonProblem([(0.0, 2.0), (-1.0, 1.0)], exact="1 + 2*x - y + 3*x*y")
    G, grad, lap = bilinear.extension(inside)
    np.testing.assert_allclose(G, bilinear.u_exact(inside), atol=1e-13)
    np.testing.assert_allclose(lap, 0.0, atol=1e-12)
    np.testing.assert_allclose(grad[:, 0], 2 + 3 * inside[:, 1], atol=1e-13)


def test_bubble_vanishes_on_the_boundary_and_has_the_right_derivatives():
    bounds = [(0.0, 1.0), (-2.0, 1.0)]
    edge = np.array([[0.0, 0.5], [1.0, -1.0], [0.3, -2.0], [0.7, 1.0]])
    assert np.abs(bubble(bounds, edge)[0]).max() == 0.0
    x = np.array([[0.3, -0.1], [0.8, 0.6]])
    B, grad, lap = bubble(bounds, x)
    field = lambda p: ((p[:, 0] * (1 - p[:, 0]) / 0.25) * ((p[:, 1] + 2) * (1 - p[:, 1]) / 2.25))  # noqa: E731
    h = 1e-4
    for j in range(2):
        e = np.zeros(2)
        e[j] = h
        np.testing.assert_allclose(grad[:, j], (field(x + e) - field(x - e)) / (2 * h), rtol=1e-7)
    np.testing.assert_allclose(lap, -2 / 0.25 * (x[:, 1] + 2) * (1 - x[:, 1]) / 2.25
                               - 2 / 2.25 * x[:, 0] * (1 - x[:, 0]) / 0.25, rtol=1e-12)
    np.testing.assert_allclose(B, field(x), rtol=1e-14)
