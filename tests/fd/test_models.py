"""BVAM reaction terms, presets and reaction-only integration."""

import numpy as np
import pytest
from scipy.integrate import solve_ivp

from pdekit.fd.models import BVAM, BVAM_PRESETS, bvam_preset
from pdekit.time import SemilinearProblem, ZeroLinear, integrate, make_stepper

SPOTS = BVAM(**bvam_preset("spots"))


def test_reaction_matches_hand_formula():
    u, v = 0.7, -1.3
    p = bvam_preset(0)
    f_hand = p["alpha"] * u * (1 - p["tau1"] * v**2) + v * (1 - p["tau2"] * u)
    g_hand = p["beta"] * v * (1 + p["alpha"] * p["tau1"] / p["beta"] * u * v) + u * (
        p["gamma"] + p["tau2"] * v)
    f, g = SPOTS.reaction(np.array(u), np.array(v))
    assert f == pytest.approx(f_hand, rel=1e-14)
    assert g == pytest.approx(g_hand, rel=1e-14)


@pytest.mark.parametrize("preset", list(BVAM_PRESETS))
def test_jacobian_matches_complex_step(preset):
    model = BVAM(**bvam_preset(preset))
    u, v, h = 0.37, -0.81, 1e-30
    fu, gu = model.reaction(np.array(u + 1j * h), np.array(v + 0j))
    fv, gv = model.reaction(np.array(u + 0j), np.array(v + 1j * h))
    numeric = np.array([[fu.imag, fv.imag], [gu.imag, gv.imag]]) / h
    np.testing.assert_allclose(model.jacobian(u, v), numeric, rtol=1e-13, atol=1e-14)


def test_presets_by_index_and_name():
    assert bvam_preset(3) == BVAM_PRESETS["stripes"]
    assert bvam_preset("6")["delta2"] == 0.0005
    with pytest.raises(KeyError):
        bvam_preset("7")


def test_reaction_only_rk4_matches_solve_ivp():
    rng = np.random.default_rng(1)
    u0, v0 = rng.normal(0, 0.5, 5), rng.normal(0, 0.5, 5)

    def reaction(w):
        return np.concatenate(SPOTS.reaction(w[:5], w[5:]))

    problem = SemilinearProblem(ZeroLinear(), reaction)
    w, _ = integrate(make_stepper("rk4", problem, 0.01), np.concatenate([u0, v0]), 0, 10, 0.01)
    reference = solve_ivp(lambda t, w: reaction(w), (0, 10), np.concatenate([u0, v0]),
                          method="DOP853", rtol=1e-13, atol=1e-13).y[:, -1]
    np.testing.assert_allclose(w, reference, rtol=1e-8, atol=1e-9)
