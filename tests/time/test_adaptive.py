"""Adaptive ETDRK4: the embedded estimate's order, the controller, output landing."""

import math

import numpy as np
import pytest

from pdekit.errors import NumericalError
from pdekit.time import SemilinearProblem, etdrk4_embedded, integrate_adaptive
from pdekit.time.adaptive import _on_ladder
from tests.time.test_convergence import _exact, _initial, _problem
from tests.time.test_fast_integrators import LAMBDAS, U0, _bernoulli_exact, _Diagonal


@pytest.mark.parametrize("tolerance", [1e-4, 1e-6, 1e-8])
def test_global_error_follows_the_tolerance_on_a_stiff_problem(tolerance):
    problem = SemilinearProblem(_Diagonal(LAMBDAS), lambda u: u * u)
    u, stats = integrate_adaptive(etdrk4_embedded(problem), U0, 0.0, 1.0, 1e-3, tolerance, 0.5)
    error = np.max(np.abs(u - _bernoulli_exact(1.0)))
    assert error < 10 * tolerance
    assert stats.accepted < 1000 and stats.dt_max > 20 * stats.dt_min


def test_looser_tolerance_takes_fewer_steps_and_lands_on_outputs():
    problem = _problem("fft")
    seen = []
    counts = []
    for tolerance in (1e-4, 1e-7):
        seen.clear()
        u, stats = integrate_adaptive(etdrk4_embedded(problem), _initial(), 0.0, 1.0, 0.01,
                                      tolerance, 0.5, output_times=[0.0, 0.3, 0.7, 1.0],
                                      on_output=lambda t, u: seen.append(t))
        counts.append(stats.accepted)
        assert seen == pytest.approx([0.0, 0.3, 0.7, 1.0], abs=1e-14)
        assert np.max(np.abs(u - _exact())) < 100 * tolerance
    assert counts[0] < counts[1]


def test_ladder_rounds_down_to_quarter_powers_of_two():
    assert _on_ladder(1.0, 1.0) == 1.0
    assert _on_ladder(5.0, 1.0) == 1.0
    assert _on_ladder(0.5, 1.0) == pytest.approx(0.5)
    got = _on_ladder(0.3, 1.0)
    assert got <= 0.3 and got > 0.3 / 2 ** 0.25
    assert math.log2(1.0 / got) * 4 == pytest.approx(round(math.log2(1.0 / got) * 4))


def test_blow_up_collapses_the_step_and_raises():
    problem = SemilinearProblem(_Diagonal(np.array([0.0])), lambda u: u ** 3)
    with pytest.raises(NumericalError, match="collapsed"):
        integrate_adaptive(etdrk4_embedded(problem), np.array([2.0]), 0.0, 1.0, 0.01, 1e-6, 0.1)


def _scripted_attempt(reject_calls):
    """A trial step whose error estimate is zero except on the calls numbered in
    ``reject_calls`` (from 0), where it is twice the tolerance."""
    calls = []

    def attempt(u, dt):
        error = 2.0 if len(calls) in reject_calls else 0.0
        calls.append(dt)
        return u, np.array([error])

    return attempt, calls


def test_step_grows_at_most_by_the_limit_and_not_after_a_rejection():
    # Hairer, Norsett & Wanner, Solving ODEs I, II.4: facmax in 1.5..5, and facmax = 1
    # right after a rejected step.
    attempt, calls = _scripted_attempt({3})
    u, stats = integrate_adaptive(attempt, np.array([0.5]), 0.0, 100.0, 1e-3, 1.0, 10.0,
                                  keep_history=True, growth_limit=5.0)
    steps = [dt for _, dt in stats.history]
    # accepted: 1e-3 rung, then x5 rounded down to the ladder (2^(9/4) = 4.76) twice
    assert steps[1] / steps[0] == pytest.approx(2 ** 2.25)
    assert steps[2] / steps[1] == pytest.approx(2 ** 2.25)
    # call 3 (a step of 4.76 x steps[2]) was rejected: retried shorter, and the step
    # after the retry is no longer than the retry
    assert calls[3] == pytest.approx(steps[2] * 2 ** 2.25) and stats.rejected == 1
    assert calls[4] < calls[3] and steps[3] == calls[4] and steps[4] == pytest.approx(steps[3])
    # then growth resumes up to dt_max
    assert steps[5] / steps[4] == pytest.approx(2 ** 2.25) and max(steps) == 10.0
    assert all(b / a <= 5.0 for a, b in zip(steps[:-1], steps[1:]))


def test_default_growth_is_twofold_and_a_limit_of_one_is_refused():
    attempt, _ = _scripted_attempt(set())
    _, stats = integrate_adaptive(attempt, np.array([0.5]), 0.0, 1.0, 1e-3, 1.0, 1.0,
                                  keep_history=True)
    steps = [dt for _, dt in stats.history]
    assert steps[1] / steps[0] == pytest.approx(2.0) and steps[2] / steps[1] == pytest.approx(2.0)
    with pytest.raises(ValueError, match="growth_limit"):
        integrate_adaptive(attempt, np.array([0.5]), 0.0, 1.0, 1e-3, 1.0, 1.0, growth_limit=1.0)
