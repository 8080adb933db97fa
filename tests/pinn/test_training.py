"""Training stages: short runs cut the error, every method runs on the shared modules."""

import numpy as np
import pytest

tf = pytest.importorskip("tensorflow")

from pdekit.errors import NumericalError  # noqa: E402
from pdekit.pinn import points as pts  # noqa: E402
from pdekit.pinn.network import MLP  # noqa: E402
from pdekit.pinn.residuals import Evaluator, PoissonLoss, PoissonProblem  # noqa: E402
from pdekit.pinn.training import Trainer, _compiled_first_order  # noqa: E402


def _setup(dim, hard=False, width=20, depth=1, n_int=200, per_side=10, seed=0):
    if dim == 1:
        problem = PoissonProblem([(-1.0, 1.0)], exact="sin(pi*x)")
    else:
        problem = PoissonProblem([(0.0, 1.0), (0.0, 1.0)], exact="sin(pi*x)*sin(pi*y)")
    model = MLP(dim, width, depth, "tanh", "float64", seed)
    interior = pts.interior_points(problem.bounds, n_int, "uniform", seed)
    boundary = pts.boundary_points(problem.bounds, per_side, "uniform", seed)
    loss = PoissonLoss(model, problem, interior, boundary, 1.0, hard)
    _, grid = pts.evaluation_grid(problem.bounds, 101 if dim == 1 else 41)
    return Trainer(loss, Evaluator(model, problem, grid, hard))


@pytest.mark.parametrize("dim", [1, 2])
def test_short_training_cuts_the_error_tenfold(dim):
    trainer = _setup(dim)
    before = trainer.evaluator.errors()["rel_l2"]
    reports = trainer.run([{"method": "adam", "iterations": 300, "lr": 1e-2, "log_every": 100},
                           {"method": "gauss-newton", "iterations": 25}])
    after = trainer.evaluator.errors()["rel_l2"]
    assert after <= before / 10, (before, after)
    assert after < 5e-2
    assert [r.iterations for r in reports] == [300, 25]
    assert reports[1].jacobians == 25 and reports[1].loss_end < reports[1].loss_start
    assert trainer.history[-1]["rel_l2"] == pytest.approx(after)
    assert [h["iteration"] for h in trainer.history] == sorted(h["iteration"]
                                                                for h in trainer.history)


@pytest.mark.parametrize("stage, counter", [
    ({"method": "newton-cg", "iterations": 3, "cg_maxiter": 30}, "hvps"),
    ({"method": "trust-ncg", "iterations": 3, "cg_maxiter": 30}, "hvps"),
    ({"method": "lbfgs", "iterations": 10}, "gradients"),
    ({"method": "gauss-newton", "jacobian": "products", "iterations": 3, "cg_maxiter": 30},
     "hvps"),
    ({"method": "levenberg-marquardt", "jacobian": "products", "iterations": 12,
      "cg_maxiter": 30}, "hvps"),
    ({"method": "levenberg-marquardt", "iterations": 5}, "jacobians"),
    ({"method": "adamax", "iterations": 50, "log_every": 25}, "gradients"),
])
def test_each_method_decreases_the_loss(stage, counter):
    trainer = _setup(1, hard=True, width=8, n_int=60)
    trainer.run([{"method": "adam", "iterations": 100, "lr": 1e-2, "log_every": 100}])
    report = trainer.run([stage])[0]
    assert report.loss_end < report.loss_start
    assert getattr(report, counter) > 0
    assert report.loss_end == pytest.approx(trainer.loss())
    assert report.iterations >= 1


def test_time_limit_and_ftol_stop_a_stage():
    trainer = _setup(1, hard=True, width=8, n_int=60)
    report = trainer.run([{"method": "gauss-newton", "iterations": 500, "ftol": 1e-3}])[0]
    assert "ftol" in report.message and report.iterations < 500 and report.loss_end <= 1e-3
    report = trainer.run([{"method": "newton-cg", "iterations": 500, "time_limit": 1e-6}])[0]
    assert "time limit" in report.message and report.iterations == 1


def test_adam_and_adamax_match_a_reference_implementation():
    rng = np.random.default_rng(0)
    start, target = rng.normal(size=5), rng.normal(size=5)
    for method in ("adam", "adamax"):
        var = tf.Variable(start.copy())
        steps = _compiled_first_order(lambda: tf.reduce_sum((var - target) ** 4), [var],
                                      method, lr=0.05)
        steps(tf.constant(7))
        x, m, s = start.copy(), np.zeros(5), np.zeros(5)
        for t in range(1, 8):
            g = 4 * (x - target) ** 3
            m = 0.9 * m + 0.1 * g
            if method == "adam":
                s = 0.999 * s + 0.001 * g * g
                x = x - 0.05 * np.sqrt(1 - 0.999**t) / (1 - 0.9**t) * m / (np.sqrt(s) + 1e-7)
            else:
                s = np.maximum(0.999 * s, np.abs(g))
                x = x - 0.05 / (1 - 0.9**t) * m / (s + 1e-7)
        np.testing.assert_allclose(var.numpy(), x, rtol=1e-12)


@pytest.mark.parametrize("method", ["adam", "gauss-newton", "newton-cg"])
def test_nan_loss_is_a_numerical_error(method):
    trainer = _setup(1, width=8, n_int=40)
    trainer.run([{"method": "adam", "iterations": 10, "log_every": 10}])
    weight = trainer.problem.model.variables[0]
    weight.assign(weight * np.nan)
    with pytest.raises(NumericalError, match="diverged: loss = nan"):
        trainer.run([{"method": method, "iterations": 5}])
