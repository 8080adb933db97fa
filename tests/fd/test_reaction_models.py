"""Reaction terms of every model against hand-written formulas; steady states; Jacobians."""

import numpy as np
import pytest

from pdekit.expr import ExpressionError
from pdekit.fd.models import (BVAM, MODELS, Brusselator, ExpressionModel, FitzHughNagumo,
                              GrayScott, Schnakenberg, SteadyStateError, bvam_preset,
                              find_steady_state, preset_parameters)

U = np.array([0.7, -0.2, 1.3])
V = np.array([0.4, 0.9, -0.6])

# (model, f(u, v, p), g(u, v, p)) written out from the papers' equations
HAND = [
    (GrayScott(F=0.037, k=0.06, Du=2e-5, Dv=1e-5),
     lambda u, v, p: -u * v**2 + p.F * (1 - u),
     lambda u, v, p: u * v**2 - (p.F + p.k) * v),
    (Schnakenberg(a=0.1, b=0.9, Du=1.0, Dv=10.0),
     lambda u, v, p: p.a - u + u**2 * v,
     lambda u, v, p: p.b - u**2 * v),
    (Brusselator(a=3.0, b=7.0, Du=1.0, Dv=8.0),
     lambda u, v, p: p.a - (p.b + 1) * u + u**2 * v,
     lambda u, v, p: p.b * u - u**2 * v),
    (FitzHughNagumo(kappa=-0.005, tau=0.1, Du=1.0, Dv=20.0),
     lambda u, v, p: u - u**3 - v + p.kappa,
     lambda u, v, p: (u - v) / p.tau),
]


@pytest.mark.parametrize("model,f,g", HAND, ids=[m.name for m, _, _ in HAND])
def test_reaction_matches_hand_formula(model, f, g):
    got_f, got_g = model.reaction(U, V)
    np.testing.assert_allclose(got_f, f(U, V, model), rtol=1e-14)
    np.testing.assert_allclose(got_g, g(U, V, model), rtol=1e-14)


ALL_PRESETS = [(name, preset) for name in MODELS.names(presets=True)
               for preset in MODELS.get(name).presets]


@pytest.mark.parametrize("name,preset", ALL_PRESETS)
def test_jacobian_matches_complex_step(name, preset):
    model = MODELS.get(name)(**preset_parameters(name, preset))
    u, v, h = 0.37, -0.81, 1e-30
    fu, gu = model.reaction(np.array(u + 1j * h), np.array(v + 0j))
    fv, gv = model.reaction(np.array(u + 0j), np.array(v + 1j * h))
    numeric = np.array([[fu.imag, fv.imag], [gu.imag, gv.imag]]) / h
    np.testing.assert_allclose(model.jacobian(u, v), numeric, rtol=1e-13, atol=1e-14)


@pytest.mark.parametrize("name,preset", ALL_PRESETS)
def test_closed_form_steady_state_is_a_root_and_found_numerically(name, preset):
    model = MODELS.get(name)(**preset_parameters(name, preset))
    steady = model.steady_state()
    f, g = model.reaction(np.array(steady[0]), np.array(steady[1]))
    assert abs(f) < 1e-14 and abs(g) < 1e-14
    numeric = find_steady_state(model, model.steady_guess())
    np.testing.assert_allclose(numeric, steady, atol=1e-10)


def test_closed_forms_by_hand():
    assert Schnakenberg(0.2, 1.3, 1, 1).steady_state() == pytest.approx((1.5, 1.3 / 1.5**2))
    assert Brusselator(2.0, 3.0, 1, 1).steady_state() == pytest.approx((2.0, 1.5))
    assert FitzHughNagumo(-0.008, 0.1, 1, 1).steady_state() == pytest.approx((-0.2, -0.2))
    assert GrayScott(0.04, 0.06).steady_state() == (1.0, 0.0)


def test_default_presets_show_turing_bands_where_expected():
    from pdekit.fd.stability import turing_analysis

    for name, expected in [("schnakenberg", True), ("brusselator", True),
                           ("fitzhugh-nagumo", True), ("gray-scott", False)]:
        model = MODELS.get(name)(**preset_parameters(name, None))
        report = turing_analysis(model.jacobian(*model.steady_state()), model.diffusion, 200.0)
        assert report["turing_unstable"] is expected, name


def test_pearson_theta_preset_and_unknown_preset():
    assert preset_parameters("gray-scott", "theta") == {"F": 0.04, "k": 0.06}
    with pytest.raises(KeyError):
        preset_parameters("gray-scott", "omega")


BVAM_F = "alpha*u*(1 - tau1*v**2) + v*(1 - tau2*u)"
BVAM_G = "beta*v*(1 + alpha*tau1/beta*u*v) + u*(gamma + tau2*v)"


def test_custom_model_equal_to_bvam():
    p = bvam_preset("spots")
    bvam = BVAM(**p)
    custom = ExpressionModel(BVAM_F, BVAM_G, {**p, "Du": p["delta1"], "Dv": p["delta2"]})
    for a, b in zip(custom.reaction(U, V), bvam.reaction(U, V)):
        np.testing.assert_allclose(a, b, rtol=1e-14, atol=1e-15)
    np.testing.assert_allclose(custom.jacobian(0.3, -0.2), bvam.jacobian(0.3, -0.2), rtol=1e-13)
    assert custom.steady_state() == pytest.approx((0.0, 0.0), abs=1e-12)
    assert custom.diffusion == bvam.diffusion


def test_custom_model_numerical_steady_state_and_nonanalytic_jacobian():
    # Schnakenberg written by hand, searched from (1, 1): the root is (a + b, b/(a+b)²)
    model = ExpressionModel("a - u + u**2*v", "b - u**2*v",
                            {"a": 0.1, "b": 0.9, "Du": 1, "Dv": 10}, (1.0, 1.0))
    assert model.steady_state() == pytest.approx((1.0, 0.9), rel=1e-10)
    # abs() is not analytic: central differences are used instead of a complex step
    kinked = ExpressionModel("abs(u) - v", "u - 2*v", {"Du": 1, "Dv": 1})
    np.testing.assert_allclose(kinked.jacobian(-0.5, 0.1), [[-1, -1], [1, -2]], atol=1e-8)


def test_custom_model_without_steady_state_raises():
    model = ExpressionModel("1 + u**2", "v", {"Du": 1, "Dv": 1})
    with pytest.raises(SteadyStateError, match="no homogeneous steady state"):
        model.steady_state()


@pytest.mark.parametrize("text", [
    "__import__('os').system('true')", "u.__class__", "open('x')", "(lambda: 1)()",
    "[u, v]", "u if v else 1", "exec('1')", "np.sin(u)", "u; v", "w + 1",
])
def test_unsafe_or_unknown_expressions_are_refused(text):
    with pytest.raises(ExpressionError):
        ExpressionModel(text, "v", {"Du": 1, "Dv": 1})


BVAM_SPOTS = BVAM(**bvam_preset("spots"))
HAND_ALL = HAND + [
    (BVAM_SPOTS,
     lambda u, v, p: p.alpha * u * (1 - p.tau1 * v**2) + v * (1 - p.tau2 * u),
     lambda u, v, p: p.beta * v * (1 + p.alpha * p.tau1 / p.beta * u * v)
     + u * (p.gamma + p.tau2 * v)),
]
BUILT_IN = [model for model, _, _ in HAND_ALL]


@pytest.mark.parametrize("model,f,g", HAND_ALL, ids=[m.name for m, _, _ in HAND_ALL])
def test_reaction_into_stacked_state_matches_hand_formula(model, f, g):
    # the time steppers' path: flat views of one stacked state, read-only input
    rng = np.random.default_rng(1)
    w = rng.normal(size=2 * 50)
    w.flags.writeable = False
    out = np.full_like(w, np.nan)
    model.reaction_into(w[:50], w[50:], out[:50], out[50:])
    u, v = w[:50], w[50:]
    np.testing.assert_allclose(out[:50], f(u, v, model), rtol=1e-13, atol=1e-15)
    np.testing.assert_allclose(out[50:], g(u, v, model), rtol=1e-13, atol=1e-15)


def test_model_registry_names_and_capabilities():
    assert MODELS.names() == ["bvam", "gray-scott", "schnakenberg", "brusselator",
                              "fitzhugh-nagumo", "custom"]
    assert MODELS.names(expressions=True) == ["custom"]
    assert MODELS.get("custom") is ExpressionModel
    for name in MODELS.names(presets=True):
        cls = MODELS.get(name)
        assert cls.name == name and cls.default_preset in cls.presets
    with pytest.raises(LookupError, match="did you mean 'gray-scott'"):
        MODELS.get("grey-scott")


@pytest.mark.parametrize("model", BUILT_IN, ids=[m.name for m in BUILT_IN])
def test_reaction_keeps_shapes_and_broadcasts(model):
    u = np.linspace(-1, 1, 12).reshape(3, 4)
    f, g = model.reaction(u, 0.3)
    assert f.shape == g.shape == (3, 4)
    f_scalar, g_scalar = model.reaction(u[1, 2], 0.3)
    assert f_scalar.shape == () and f_scalar == f[1, 2] and g_scalar == g[1, 2]
