"""The integrator registry: each method's registered capabilities against what it does.

Orders are checked against measured convergence in ``test_convergence``; here: the
stability interval of explicit methods, unconditional stability of the others, the
diagonal linear part ETDRK4 needs, the embedded error estimates, and lookups by name.
"""

import subprocess
import sys

import numpy as np
import pytest
from scipy import sparse

from pdekit.core.registry import UnknownName
from pdekit.time import (METHODS, SemilinearProblem, SparseLinear, integrate, make_attempt,
                         make_stepper, max_stable_dt)
from tests.conftest import ROOT
from tests.time.test_convergence import _initial, _problem
from tests.time.test_fast_integrators import _Diagonal

RHO = 400.0  # a stiff decaying mode du/dt = -ρ u


def _growth(method: str, dt: float, steps: int = 400) -> float:
    problem = SemilinearProblem(_Diagonal([-RHO]))
    u, _ = integrate(make_stepper(method, problem, dt), np.array([1.0]), 0.0, steps * dt, dt)
    return float(abs(u[0]))


@pytest.mark.parametrize("method", METHODS.names(explicit_linear=True))
def test_explicit_methods_are_stable_exactly_inside_their_interval(method):
    interval = METHODS.capabilities(method).stability_interval
    limit = max_stable_dt(method, SemilinearProblem(_Diagonal([-RHO, -1.0])))
    assert limit == pytest.approx(interval / RHO, rel=1e-15)
    assert _growth(method, 0.99 * limit) < 1.0
    assert _growth(method, 1.01 * limit) > 1.0


@pytest.mark.parametrize("method", METHODS.names(explicit_linear=False))
def test_other_methods_decay_at_any_step(method):
    assert max_stable_dt(method, _problem("fft")) == np.inf
    assert _growth(method, 100.0 / RHO, steps=50) < 1e-3


@pytest.mark.parametrize("method", METHODS.names(needs_diagonal=True))
def test_methods_needing_a_diagonal_linear_part_refuse_sparse_ones(method):
    with pytest.raises(ValueError, match="diagonal in a fast transform"):
        make_stepper(method, SemilinearProblem(SparseLinear(sparse.eye(3))), 0.1)


@pytest.mark.parametrize("method", METHODS.names(needs_diagonal=False))
def test_other_methods_take_sparse_linear_parts(method):
    u0 = _initial()
    fft, sparse_ = (make_stepper(method, _problem(kind), 0.05)(u0) for kind in ("fft", "sparse"))
    # the same method on the same operator; strang's exact half-steps of diffusion (FFT)
    # become SDIRK2 half-steps on a sparse matrix: a local difference O(dt³)
    np.testing.assert_allclose(sparse_, fft, atol=1e-10 if method != "strang" else 1e-5)


@pytest.mark.parametrize("method", METHODS.names(error_estimate=True))
def test_embedded_estimate_has_the_registered_order(method):
    capabilities = METHODS.capabilities(method)
    attempt = make_attempt(method, _problem("fft"))
    u0 = _initial()
    # the attempt's value is the method's own step
    np.testing.assert_allclose(attempt(u0, 0.1)[0], make_stepper(method, _problem("fft"), 0.1)(u0),
                               rtol=0, atol=1e-15)
    # the estimate is the local error of the lower-order member: O(h^(q+1))
    sizes = [np.max(np.abs(attempt(u0, h)[1])) for h in (0.2, 0.1, 0.05)]
    rates = np.log2(np.array(sizes[:-1]) / np.array(sizes[1:]))
    np.testing.assert_allclose(rates, capabilities.embedded_order + 1, atol=0.15)


@pytest.mark.parametrize("method", METHODS.names(error_estimate=False))
def test_methods_without_an_estimate_have_no_attempt(method):
    with pytest.raises(ValueError, match="no embedded error estimate; methods with one: etdrk4"):
        make_attempt(method, _problem("fft"))


def test_unknown_method_names_the_close_one():
    with pytest.raises(UnknownName, match="a known time integrator \\(did you mean 'rk4'\\?\\)"):
        make_stepper("rk5", _problem("fft"), 0.1)


def test_reading_the_registry_imports_no_numerics():
    code = ("import sys; from pdekit.time import METHODS; METHODS.names(error_estimate=True); "
            "print(sorted(m for m in ('numba', 'scipy', 'ducc0', 'pyfftw') if m in sys.modules))")
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                            env={"PYTHONPATH": str(ROOT)})
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "[]"
