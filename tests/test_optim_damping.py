"""The damping rules and the best-of-halvings line search shared by the Gauss-Newton /
Levenberg-Marquardt solvers (matrix-free in pdekit.optim, explicit in pdekit.pinn)."""

import math

import pytest

pytest.importorskip("tensorflow")

from pdekit.optim.damping import StepLengthDamping, nielsen_update  # noqa: E402
from pdekit.optim.linesearch import backtracking_best  # noqa: E402


def test_backtracking_best_keeps_halving_while_the_loss_falls():
    trials = []

    def phi(alpha):
        trials.append(alpha)
        return (alpha - 0.2) ** 2

    # 1 and 1/2 increase the loss above phi(0) = 0.04; 1/4 decreases it (0.0025), 1/8 is
    # worse again (0.005625): the search stops there and keeps 1/4
    result = backtracking_best(phi, 0.04)
    assert trials == [1.0, 0.5, 0.25, 0.125]
    assert result.success and result.alpha == 0.25 and result.nevals == 4
    assert result.fun == pytest.approx(0.0025, rel=1e-15)
    # a step that is best at a tiny length: the search walks down to it
    result = backtracking_best(lambda a: (a - 1e-3) ** 2, 1e-6)
    assert result.alpha == 2.0**-10 and result.fun < 1e-6


def test_backtracking_best_reports_no_decrease():
    result = backtracking_best(lambda a: 1.0 + a, 1.0, maxiter=30)
    assert not result.success and result.alpha == 0.0 and result.nevals == 30
    result = backtracking_best(lambda a: math.inf, 1.0, maxiter=5)  # non-finite trials
    assert not result.success and result.fun == 1.0


@pytest.mark.parametrize("rho, factor", [(1.0, 1 / 3), (0.5, 1.0), (0.75, 1 - 0.5**3),
                                         (0.01, 1 + 0.98**3)])
def test_nielsen_update_after_an_accepted_step(rho, factor):
    damping, nu = nielsen_update(2.0, 16.0, rho)
    assert damping == pytest.approx(2.0 * factor, rel=1e-15) and nu == 2.0


def test_nielsen_update_after_rejections_grows_geometrically():
    damping, nu = 1.0, 2.0
    for _ in range(4):
        damping, nu = nielsen_update(damping, nu, -1.0)
    assert (damping, nu) == (2.0 * 4.0 * 8.0 * 16.0, 32.0)


def test_step_length_damping_schedule():
    schedule = StepLengthDamping(1e-12)
    assert schedule.value == 1e-6  # START: the first steps from a random network are damped
    for _ in range(8):
        schedule.accept(1.0)  # full steps: toward undamped Gauss-Newton, down to the floor
    assert schedule.value == 1e-12
    schedule.accept(0.2)  # between SHORT_STEP and LONG_STEP: unchanged
    assert schedule.value == 1e-12
    schedule.accept(0.05)
    assert schedule.value == pytest.approx(1e-11)
    for _ in range(20):
        schedule.accept(0.01)
    assert schedule.value == StepLengthDamping.CEILING
    for _ in range(5):
        schedule.reject()
    assert schedule.value == StepLengthDamping.REJECT_CEILING
    assert StepLengthDamping(1e-3).value == 1e-3  # a floor above START is the start
