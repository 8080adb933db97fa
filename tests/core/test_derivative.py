"""Exact derivatives of parsed expressions against complex-step derivatives (Squire & Trapp,
SIAM Rev. 40 (1998) 110): exact to round-off for analytic functions, independent of the
differentiation rules under test."""

import numpy as np
import pytest

from pdekit.derivative import differentiate
from pdekit.expr import ExpressionError, parse_expression

ANALYTIC = [
    "a - b*u + u**2/v",                       # Gierer–Meinhardt activator
    "u*v**2 - (F + k)*v", "-u*v**2 + F*(1 - u)",  # Gray–Scott
    "sin(u)*cos(v) + tan(u/3)", "exp(-u*v) + log(2 + u**2) + sqrt(1 + v**2)",
    "arcsin(u/4) + arccos(v/4) + arctan(u*v)", "sinh(u) - cosh(v)*tanh(u - v)",
    "u**v", "(1 + u**2)**(v/2)", "-(u - v)/(1 + u*v)**3", "2**u", "u", "3.5",
    "where(u > 0.1, u**3, -v)",
]


@pytest.mark.parametrize("text", ANALYTIC)
@pytest.mark.parametrize("name", ["u", "v"])
def test_matches_complex_step(text, name):
    rng = np.random.default_rng(1)
    u, v = rng.uniform(0.2, 1.5, 50), rng.uniform(0.2, 1.5, 50)
    parameters = {"a": 0.3, "b": 1.2, "F": 0.04, "k": 0.06}
    expression = parse_expression(text, ["u", "v"], parameters)
    derivative = differentiate(expression, name)
    h = 1e-30
    point = {"u": u + 0j, "v": v + 0j}
    point[name] = point[name] + 1j * h
    reference = np.imag(expression(**point)) / h
    np.testing.assert_allclose(np.broadcast_to(derivative(u=u, v=v), u.shape), reference,
                               rtol=1e-13, atol=1e-13)


@pytest.mark.parametrize("text, du", [
    ("abs(u - 1)", lambda u, v: np.where(u >= 1, 1.0, -1.0)),
    ("minimum(u, v)", lambda u, v: np.where(u <= v, 1.0, 0.0)),
    ("maximum(u**2, v)", lambda u, v: np.where(u**2 >= v, 2 * u, 0.0)),
])
def test_kinks_follow_the_branch_taken(text, du):
    u, v = np.linspace(0.1, 2.0, 40), np.linspace(2.0, 0.1, 40)
    derivative = differentiate(parse_expression(text, ["u", "v"]), "u")
    np.testing.assert_array_equal(derivative(u=u, v=v), du(u, v))


def test_derivative_is_an_expression_with_a_readable_text():
    derivative = differentiate(parse_expression("u**2*v", ["u", "v"]), "u")
    assert derivative.text == "2.0 * u * v"
    assert derivative.names == frozenset({"u", "v"})
    with pytest.raises(ExpressionError):
        differentiate(parse_expression("u", ["u"]), "w")
