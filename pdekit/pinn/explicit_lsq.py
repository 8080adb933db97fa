"""Gauss-Newton and Levenberg-Marquardt training stages.

With ``jacobian = "products"`` the stage runs the matrix-free solvers of
:mod:`pdekit.optim.gauss_newton` (:func:`pdekit.pinn.training.run_shared`). With
``jacobian = "explicit"`` (the default) it runs
:func:`pdekit.optim.explicit_least_squares.explicit_least_squares` on the network's
Jacobian, formed by per-sample gradients
(:meth:`pdekit.pinn.network.MLP.affine_residual_jacobian`, about two network passes) and
factored by a thin SVD, or, under MPI, where each rank holds the rows of its points, by the
summed normal matrix.
"""

from __future__ import annotations

import numpy as np
import tensorflow as tf

from pdekit import hvp as H
from pdekit.optim.explicit_least_squares import (
    Model,
    explicit_least_squares,
    normal_model,
    svd_model,
)
from pdekit.pinn.schema import LeastSquaresStage
from pdekit.pinn.training import CountedLoss, StageMonitor, StageReport, Trainer, run_shared


def run_least_squares(trainer: Trainer, stage: LeastSquaresStage,
                      monitor: StageMonitor) -> StageReport:
    """Gauss-Newton or Levenberg-Marquardt, with the explicit or the matrix-free Jacobian."""
    if stage.jacobian == "products":
        return run_shared(trainer, stage, monitor)
    return _explicit(trainer, stage, monitor)


def _explicit(trainer: Trainer, stage: LeastSquaresStage, monitor: StageMonitor) -> StageReport:
    variables, dtype = trainer.variables, trainer.dtype
    jacobians = 0
    last = {"x": H.get_flat(variables).numpy()}

    def model_at(x: np.ndarray) -> Model:
        nonlocal jacobians
        H.assign_flat(variables, tf.constant(x, dtype))
        r_t, J_t = trainer.residual_and_jacobian()
        jacobians += 1
        r, J = r_t.numpy().astype(float), J_t.numpy().astype(float)
        return (normal_model(r, J, trainer.reducer.sum_all) if trainer.normal_equations
                else svd_model(r, J))

    def accepted(x: np.ndarray, record: dict) -> str | None:
        last["x"] = x
        return monitor.step_to(x)

    loss_at = CountedLoss(trainer)
    try:
        run = explicit_least_squares(
            stage.method, last["x"], model_at, loss_at, maxiter=stage.iterations,
            converged=lambda it: monitor.converged(it.f, it.gnorm), damping=stage.damping,
            callback=accepted)
    finally:  # also on Ctrl-C / SIGTERM: leave the weights at the last accepted iterate
        H.assign_flat(variables, tf.constant(last["x"], dtype))
    return StageReport(stage.method, run.nit, run.message, loss_evals=loss_at.evals,
                       jacobians=jacobians)
