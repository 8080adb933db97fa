"""ETDRK4 and the ARS IMEX Runge–Kutta pairs: measured orders, coefficients, structure.

Orders are measured on two problems with exact solutions: the linear, non-commuting
diffusion + species-coupling system of ``test_convergence`` (exact: a matrix
exponential), and a stiff diagonal Bernoulli equation du/dt = λ u + u² with λ down to
-2000, whose exact solution is u(t) = λ u₀ e^{λt} / (λ + u₀ (1 − e^{λt})).
"""

import math
from decimal import Decimal, localcontext

import numpy as np
import pytest

from pdekit.time import METHODS, SemilinearProblem, ZeroLinear, integrate, make_stepper
from pdekit.time.etd_coefficients import etdrk4_coefficients
from pdekit.time.imex_rk import TABLEAUX
from pdekit.time.linear import TransformDiagonalLinear


class _Diagonal(TransformDiagonalLinear):
    """L = diag(λ) in the identity transform."""

    def __init__(self, eigenvalues):
        self.eigenvalues = np.asarray(eigenvalues, float)
        self.shape = self.eigenvalues.shape

    def forward(self, u, out=None):
        return u.copy() if out is None else np.copyto(out, u) or out

    def inverse(self, coefficients, out=None):
        return coefficients if out is None else np.copyto(out, coefficients) or out


LAMBDAS = -np.array([1.0, 10.0, 100.0, 2000.0])
U0 = np.array([0.5, 0.8, 0.3, 0.9])


def _bernoulli_exact(t):
    e = np.exp(LAMBDAS * t)
    return LAMBDAS * U0 * e / (LAMBDAS + U0 * (1 - e))


@pytest.mark.parametrize("method", ["etdrk4", "ars443", "ars222"])
def test_order_on_stiff_bernoulli(method):
    order = METHODS.capabilities(method).order
    problem = SemilinearProblem(_Diagonal(LAMBDAS), lambda u: u * u)
    t_end, errors, steps = 1.0, [], [20, 40, 80, 160]
    for n in steps:
        u, _ = integrate(make_stepper(method, problem, t_end / n), U0, 0.0, t_end, t_end / n)
        errors.append(np.max(np.abs(u - _bernoulli_exact(t_end))))
    rates = np.log2(np.array(errors[:-1]) / np.array(errors[1:]))
    # stiff components (|λ dt| up to 100) must not spoil the order
    assert rates[-1] == pytest.approx(order, abs=0.25), (rates, errors)
    assert errors[-1] < 1e-6


def test_etdrk4_is_exact_for_linear_problems():
    lam = np.array([0.0, -1e-9, -0.3, -50.0, -4000.0])
    problem = SemilinearProblem(_Diagonal(lam))
    u0 = np.ones_like(lam)
    u, _ = integrate(make_stepper("etdrk4", problem, 0.7), u0, 0.0, 2.1, 0.7)
    np.testing.assert_allclose(u, np.exp(2.1 * lam), rtol=1e-14, atol=1e-300)


def _closed_forms(z: float) -> list[float]:
    """Q, f1, f2, f3, φ1, φ2 (h = 1) from closed forms in 60-digit decimal arithmetic."""
    with localcontext() as ctx:
        ctx.prec = 60
        z = Decimal(z)
        ez, ez2 = z.exp(), (z / 2).exp()
        return [float((ez2 - 1) / z),
                float((-4 - z + ez * (4 - 3 * z + z * z)) / z**3),
                float((2 + z + ez * (z - 2)) / z**3),
                float((-4 - 3 * z - z * z + ez * (4 - z)) / z**3),
                float((ez - 1) / z),
                float((ez - 1 - z) / z**2)]


@pytest.mark.parametrize("z", [1e-12, -1e-6, -0.01, -0.9, -1.0, -1.999, -2.0, -5.0, -60.0, -1e3,
                               1.0, 1.5, 2.0])
def test_contour_coefficients_match_closed_forms(z):
    c = etdrk4_coefficients(np.array([z]), 1.0)
    np.testing.assert_allclose([c.Q[0], c.f1[0], c.f2[0], c.f3[0], c.p1[0], c.p2[0]],
                               _closed_forms(z), rtol=1e-13, atol=1e-16)


def test_contour_coefficients_are_accurate_across_the_contour_region():
    # 201 points of [-2, 2] at once; a radius-1 circle (Kassam–Trefethen's) with 32
    # points loses up to 2e-12 here, next to z = -1 and z = 1
    zs = np.linspace(-2.0, 2.0, 201)
    zs = zs[zs != 0.0]
    c = etdrk4_coefficients(zs, 1.0)
    got = np.array([c.Q, c.f1, c.f2, c.f3, c.p1, c.p2]).T
    want = np.array([_closed_forms(z) for z in zs])
    assert np.max(np.abs(got - want) / np.abs(want)) < 5e-14


def test_contour_coefficients_at_zero_are_the_limits():
    c = etdrk4_coefficients(np.array([0.0]), 0.5)
    np.testing.assert_allclose([c.E[0], c.E2[0], c.Q[0], c.f1[0], c.f2[0], c.f3[0]],
                               [1, 1, 0.25, 0.5 / 6, 0.5 / 6, 0.5 / 6], rtol=1e-14)


def test_coefficients_of_a_large_symbol_come_from_unique_values():
    # 1024² periodic 5-point symbol: many modes, few distinct eigenvalues; shape is kept.
    k = np.sin(np.pi * np.arange(513) / 1024) ** 2
    symbol = -(k[:, None] + k[None, :]) * 4e4
    c = etdrk4_coefficients(symbol, 0.1)
    assert c.f1.shape == symbol.shape
    i, j = 17, 300
    single = etdrk4_coefficients(symbol[i:i + 1, j], 0.1)
    assert c.f3[i, j] == single.f3[0] and c.Q[i, j] == single.Q[0]


@pytest.mark.parametrize("name", list(TABLEAUX))
def test_tableau_structure(name):
    TABLEAUX[name].check()


def test_etdrk4_with_zero_linear_part_is_fourth_order():
    # L = 0: ETDRK4 reduces to an explicit 4th-order RK method for du/dt = u².
    problem = SemilinearProblem(ZeroLinear(), lambda u: u * u)
    errors = []
    for n in (10, 20, 40):
        u, _ = integrate(make_stepper("etdrk4", problem, 1.0 / n), np.array([0.5]), 0, 1, 1 / n)
        errors.append(abs(u[0] - 1.0))  # u = 1/(2 - t)
    assert math.log2(errors[-2] / errors[-1]) == pytest.approx(4, abs=0.2)


def test_remembered_spectrum_cannot_go_stale():
    from tests.time.test_convergence import _initial, _problem

    step = make_stepper("etdrk4", _problem("fft"), 0.1)
    u1 = step(_initial())
    with pytest.raises(ValueError):
        u1 += 1.0  # read-only: the step remembers its transform
    changed = u1 + 1.0
    np.testing.assert_allclose(step(changed), make_stepper("etdrk4", _problem("fft"), 0.1)(changed),
                               rtol=0, atol=1e-14)


def test_states_handed_out_do_not_share_the_workspace():
    # the stepper reuses its stage buffers: earlier results must stay as they were
    from tests.time.test_convergence import _initial, _problem

    from pdekit.time import etdrk4_embedded

    attempt = etdrk4_embedded(_problem("fft"))
    u1, error1 = attempt(_initial(), 0.1)
    kept, kept_error = u1.copy(), error1.copy()
    u2, _ = attempt(u1, 0.05)
    u3, _ = attempt(u2, 0.2)
    np.testing.assert_array_equal(u1, kept)
    assert not np.shares_memory(u1, u2) and not np.shares_memory(u2, u3)
    # the estimate is the documented exception: valid until the next attempt
    assert np.max(np.abs(kept_error)) > 0


@pytest.mark.parametrize("shape", [(12, 10), (9, 7)])
def test_fourier_and_cosine_transforms_match_numpy_and_scipy(shape):
    from scipy import fft

    from pdekit.time import CosineDiagonalLinear, FourierDiagonalLinear

    rng = np.random.default_rng(3)
    u = rng.normal(size=2 * shape[0] * shape[1])
    blocks = u.reshape(2, *shape)
    symbols = [np.zeros(shape), np.zeros(shape)]
    fourier = FourierDiagonalLinear(symbols, shape)
    spectrum = fourier.forward(u)
    np.testing.assert_allclose(spectrum, np.fft.rfftn(blocks, axes=(1, 2)), atol=1e-12)
    out = np.empty_like(u)
    assert fourier.inverse(spectrum.copy(), out=out) is not None
    np.testing.assert_allclose(out, u, atol=1e-14)
    cosine = CosineDiagonalLinear(symbols, shape)
    coefficients = np.empty((2, *shape))
    cosine.forward(u, out=coefficients)
    np.testing.assert_allclose(coefficients, fft.dctn(blocks, type=2, axes=(1, 2), norm="ortho"),
                               atol=1e-12)
    np.testing.assert_allclose(cosine.inverse(coefficients), u, atol=1e-14)


@pytest.mark.parametrize("threads", [2, 3])
def test_stage_loops_split_across_threads_give_the_one_thread_result(threads, monkeypatch):
    """grid.threads splits ETDRK4's stage loops into contiguous pieces run at once; the
    pieces (uneven for 3 threads) must cover every mode exactly once."""
    from pdekit.fd.build import build_problem
    from pdekit.fd.grid import PeriodicGrid
    from pdekit.fd.models import BVAM, bvam_preset
    from pdekit.time import etd, etdrk4_embedded

    monkeypatch.setattr(etd._ChunkedLoops, "MIN_CHUNK", 64)  # split even this small grid
    grid = PeriodicGrid((10, 12, 9), 2.0)
    model = BVAM(**bvam_preset(0))
    rng = np.random.default_rng(5)
    u0 = 0.1 * rng.standard_normal(2 * grid.size)
    results = []
    for count in (1, threads):
        attempt = etdrk4_embedded(build_problem(model, grid, threads=count))
        u, error = attempt(u0, 0.05)
        u, error = attempt(u, 0.1)
        results.append((u, error.copy()))
    (u1, e1), (un, en) = results
    scale = np.abs(u1).max()
    np.testing.assert_allclose(un, u1, rtol=0, atol=1e-13 * scale)
    np.testing.assert_allclose(en, e1, rtol=0, atol=1e-13 * scale)
    assert np.abs(e1).max() > 1e-10 * scale  # a real error estimate, not zeros
