"""Training stages: short runs cut the error, every method runs on the shared modules, one
stop path for all, and the fused Adam/Adamax loop equals Keras's optimizers."""

import numpy as np
import pytest

tf = pytest.importorskip("tensorflow")

from pdekit.errors import NumericalError  # noqa: E402
from pdekit.optimizers import OPTIMIZERS  # noqa: E402
from pdekit.pinn.methods import STAGES  # noqa: E402
from tests.pinn.conftest import small_trainer, stage, stages  # noqa: E402


@pytest.mark.parametrize("dim", [1, 2])
def test_short_training_cuts_the_error_tenfold(dim):
    trainer = small_trainer(dim)
    before = trainer.evaluator.errors()["rel_l2"]
    reports = trainer.run(stages({"method": "adam", "iterations": 300, "lr": 1e-2,
                                  "log_every": 100},
                                 {"method": "gauss-newton", "iterations": 25}))
    after = trainer.evaluator.errors()["rel_l2"]
    assert after <= before / 10, (before, after)
    assert after < 5e-2
    assert [r.iterations for r in reports] == [300, 25]
    # one Jacobian per iterate, the last one included (its gradient is the final stop test)
    assert reports[1].jacobians == 26 and reports[1].loss_end < reports[1].loss_start
    assert trainer.history[-1]["rel_l2"] == pytest.approx(after)
    assert [h["iteration"] for h in trainer.history] == sorted(h["iteration"]
                                                                for h in trainer.history)
    assert reports[0].options["lr"] == 1e-2 and reports[1].options["jacobian"] == "explicit"


def test_loss_is_mean_squared_pde_residual_plus_penalty():
    """The trainer's loss against nested autodiff of the network (independent of the
    forward Laplacian and of the affine residual coefficients)."""
    trainer = small_trainer(1, width=8, n_int=30)
    model, loss = trainer.problem.model, trainer.problem
    from pdekit.pinn import points as pts

    x = pts.interior_points([(-1.0, 1.0)], 30, "uniform", 0)
    lap = model.laplacian_autodiff(x).numpy()
    f = -np.pi**2 * np.sin(np.pi * x[:, 0])
    u_edge = model(np.array([[-1.0], [1.0]])).numpy()  # g = sin(+-pi) = 0 up to 1e-16
    expected = np.mean((lap - f) ** 2) + 1.0 * np.mean(u_edge**2)
    assert loss.n_residuals == 32
    assert trainer.loss() == pytest.approx(expected, rel=1e-10)


MONOTONE = [
    ({"method": "newton-cg", "iterations": 3, "cg_maxiter": 30}, "hvps"),
    ({"method": "trust-ncg", "iterations": 3, "cg_maxiter": 30}, "hvps"),
    ({"method": "lbfgs", "iterations": 10}, "gradients"),
    ({"method": "gauss-newton", "jacobian": "products", "iterations": 3, "cg_maxiter": 30},
     "hvps"),
    ({"method": "levenberg-marquardt", "jacobian": "products", "iterations": 12,
      "cg_maxiter": 30}, "hvps"),
    ({"method": "levenberg-marquardt", "iterations": 5}, "jacobians"),
    ({"method": "gauss-newton", "iterations": 5}, "jacobians"),
]


@pytest.mark.parametrize("table, counter", MONOTONE + [
    ({"method": "adamax", "iterations": 50, "log_every": 25}, "gradients")])
def test_each_method_decreases_the_loss(table, counter):
    trainer = small_trainer(1, hard=True, width=8, n_int=60)
    trainer.run(stages({"method": "adam", "iterations": 100, "lr": 1e-2, "log_every": 100}))
    report = trainer.run([stage(**table)])[0]
    own = [h for h in trainer.history if h["stage"] == 1 and h["method"] == table["method"]]
    assert report.iterations >= 1 and len(own) == report.iterations // table.get("log_every", 1)
    assert report.loss_end < report.loss_start
    assert getattr(report, counter) > 0
    # the history is recorded from the optimizers' own loss values (the least-squares
    # solvers minimize |r|^2 / 2): the last entry is where the weights were left
    assert own[-1]["loss"] == pytest.approx(report.loss_end, rel=1e-10)
    if (table, counter) in MONOTONE:  # accepted steps only: the loss never rises
        losses = [report.loss_start] + [h["loss"] for h in own]
        assert all(b <= a * (1 + 1e-12) for a, b in zip(losses, losses[1:])), losses


def test_every_registered_method_is_a_stage_model_tag():
    from typing import get_args

    from pdekit.pinn.schema import STAGE_MODELS

    tags = [t for model in STAGE_MODELS for t in get_args(model.model_fields["method"].annotation)]
    assert sorted(tags) == sorted(STAGES)
    assert STAGES.names(uses_hvp=True, least_squares=False) == ["newton-cg", "trust-ncg",
                                                                "fednl"]
    assert STAGES.names(first_order=True) == ["adam", "adamax"]
    for name in STAGES:
        assert callable(STAGES.get(name))
        # the stage table reads the optimizers' capabilities, it does not repeat them
        assert STAGES.capabilities(name) == OPTIMIZERS.capabilities(name)


@pytest.mark.parametrize("table", [
    {"method": "gauss-newton", "iterations": 500, "ftol": 1e-3},
    {"method": "levenberg-marquardt", "jacobian": "products", "iterations": 500, "ftol": 1e-3},
    {"method": "adam", "iterations": 5000, "lr": 1e-2, "log_every": 50, "ftol": 1e-1},
])
def test_ftol_stops_every_kind_of_stage_at_the_first_loss_below_it(table):
    trainer = small_trainer(1, hard=True, width=8, n_int=60)
    report = trainer.run([stage(**table)])[0]
    own = [h["loss"] for h in trainer.history if h["method"] == table["method"]]
    assert "ftol" in report.message and report.iterations < table["iterations"]
    assert own[-1] <= table["ftol"] < min(own[:-1], default=np.inf)
    assert report.loss_end == pytest.approx(own[-1], rel=1e-10)


@pytest.mark.parametrize("table", [
    {"method": "newton-cg", "iterations": 500, "time_limit": 1e-6},
    {"method": "gauss-newton", "iterations": 500, "time_limit": 1e-6},
    {"method": "adam", "iterations": 500, "log_every": 10, "time_limit": 1e-6},
])
def test_time_limit_stops_every_kind_of_stage_after_one_report(table):
    trainer = small_trainer(1, hard=True, width=8, n_int=60)
    report = trainer.run([stage(**table)])[0]
    assert "time limit" in report.message
    assert report.iterations == table.get("log_every", 1)


def test_gtol_stops_the_explicit_stage_before_a_step():
    trainer = small_trainer(1, hard=True, width=8, n_int=60)
    report = trainer.run(stages({"method": "gauss-newton", "iterations": 50, "gtol": 1e3}))[0]
    assert report.iterations == 0 and "gtol" in report.message and report.jacobians == 1
    assert report.loss_end == report.loss_start


def _keras_run(method, steps, **constants):
    keras = pytest.importorskip("keras")
    trainer = small_trainer(1, width=6, n_int=20)
    kind = {"adam": keras.optimizers.Adam, "adamax": keras.optimizers.Adamax}[method]
    optimizer = kind(**constants)
    variables = trainer.variables
    for _ in range(steps):
        with tf.GradientTape() as tape:
            value = trainer.problem.loss()
        optimizer.apply_gradients(zip(tape.gradient(value, variables), variables))
    return [v.numpy() for v in variables]


def _fused_run(method, chunks, **constants):
    from pdekit.optim.first_order import first_order_steps

    trainer = small_trainer(1, width=6, n_int=20)
    steps = first_order_steps(trainer.problem.loss, trainer.variables, method, **constants)
    for k in chunks:  # successive calls continue one run
        steps(tf.constant(k))
    return [v.numpy() for v in trainer.variables]


@pytest.mark.parametrize("method", ["adam", "adamax"])
def test_fused_first_order_loop_equals_keras(method):
    """50 steps of the compiled loop against keras.optimizers.Adam/Adamax on a small PINN.

    Keras casts its learning rate and, in the bias corrections, beta1 and beta2 through
    float32 (0.999 becomes 0.99900001287...). With constants that float32 holds exactly the
    two agree to round-off; with the usual constants (0.9, 0.999, 1e-7; what the bundled
    cases use, in exact float64 here) Keras's float32 rounding moves the iterates by ~1e-5
    relative, which is that rounding, not a different method.
    """
    exact_in_float32 = {"beta1": 0.875, "beta2": 1 - 2.0**-9, "epsilon": 2.0**-23,
                        "lr": 2.0**-6}
    keras_names = {"beta1": "beta_1", "beta2": "beta_2", "epsilon": "epsilon",
                   "lr": "learning_rate"}
    theirs = _keras_run(method, 50, **{keras_names[k]: v for k, v in exact_in_float32.items()})
    ours = _fused_run(method, (30, 20), **exact_in_float32)
    start = [v.numpy() for v in small_trainer(1, width=6, n_int=20).variables]
    usual_keras = _keras_run(method, 50, learning_rate=0.02)
    usual_ours = _fused_run(method, (50,), lr=0.02)
    for a, b, first, c, d in zip(ours, theirs, start, usual_ours, usual_keras):
        moved = np.abs(b - first).max()
        assert moved > 1e-2  # not a comparison of two untouched starts
        np.testing.assert_allclose(a, b, rtol=1e-11, atol=1e-13)
        assert np.abs(c - d).max() <= 1e-4 * moved


@pytest.mark.parametrize("method", ["adam", "gauss-newton", "newton-cg"])
def test_nan_loss_is_a_numerical_error(method):
    trainer = small_trainer(1, width=8, n_int=40)
    trainer.run(stages({"method": "adam", "iterations": 10, "log_every": 10}))
    weight = trainer.problem.model.variables[0]
    weight.assign(weight * np.nan)
    with pytest.raises(NumericalError, match="diverged: loss = nan"):
        trainer.run(stages({"method": method, "iterations": 5}))
