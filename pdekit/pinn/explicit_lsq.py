"""Gauss-Newton and Levenberg-Marquardt stages with the explicit Jacobian.

With ``jacobian = "products"`` the stage runs the matrix-free solvers of
:mod:`pdekit.optim.gauss_newton` (:func:`pdekit.pinn.training.run_shared`). With
``jacobian = "explicit"`` (the default) the Jacobian is formed by per-sample gradients
(:meth:`pdekit.pinn.network.MLP.affine_residual_jacobian`, about two network passes) and
factored once per iteration by a thin SVD ``J = U S V^T``, so the damped system
``(J^T J + mu I) p = -J^T r`` is solved exactly for any damping at O(P^2) each, without
squaring the condition number. Under MPI each rank holds the rows of its points, and the
step comes from the summed ``P x P`` normal matrix ``J^T J`` instead (:func:`normal_model`,
the same step in exact arithmetic). For the small networks of these cases (P ~ 150-500 weights,
~200-1,000 residuals) this is faster *and* more accurate than CG, which stalls on the
condition numbers (1e10 and more) met near high-accuracy minimizers.

``gauss-newton`` takes ``p = -(J^T J + mu I)^{-1} J^T r`` with the line search
:func:`pdekit.optim.linesearch.backtracking_best` and the relative damping
``mu / s_max^2`` of :class:`pdekit.optim.gauss_newton.StepLengthDamping`. For the linear
Poisson operator this is the energy natural gradient step of Müller & Zeinhofer 2023,
"Achieving high accuracy with PINNs via energy natural gradient descent" (ICML), whose
Gramian is exactly ``J^T J``. ``levenberg-marquardt`` takes full steps and updates the
damping by the gain ratio (:func:`pdekit.optim.gauss_newton.nielsen_update`).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Callable

import numpy as np
import tensorflow as tf

from pdekit import hvp as H
from pdekit.optim.gauss_newton import StepLengthDamping, nielsen_update
from pdekit.optim.linesearch import backtracking_best
from pdekit.pinn.parallel import Reducer
from pdekit.pinn.schema import LeastSquaresStage
from pdekit.pinn.training import CountedLoss, StageMonitor, StageReport, Trainer, run_shared

DEFAULT_DAMPING = {"gauss-newton": 1e-12, "levenberg-marquardt": 1e-3}
"""Relative damping ``mu / s_max^2`` without ``damping``: GN's floor (see
:class:`StepLengthDamping`), LM's start (Marquardt's customary ``tau = 1e-3``)."""
LM_MAX_TRIALS = 60
"""Damping increases per LM iteration before giving up (``nu`` doubles each time, so the
damping grows by 2^(60*61/2): any finite scale is covered)."""
SMALLEST_SCALE = 1e-300
"""Stands in for ``s_max^2`` when ``J = 0`` (the relative damping needs a scale)."""

Step = Callable[[float], np.ndarray]


def run_least_squares(trainer: Trainer, stage: LeastSquaresStage,
                      monitor: StageMonitor) -> StageReport:
    """Gauss-Newton or Levenberg-Marquardt, with the explicit or the matrix-free Jacobian."""
    if stage.jacobian == "products":
        return run_shared(trainer, stage, monitor)
    return _explicit(trainer, stage, monitor)


class _LevenbergMarquardt:
    """Damping state of the explicit LM stage across iterations."""

    def __init__(self, relative: float):
        self.relative, self.damping, self.nu = relative, None, 2.0

    def step(self, x: np.ndarray, f: float, model: "_Model",
             loss_at: Callable[[np.ndarray], float]) -> np.ndarray | None:
        """The first full step with a positive gain ratio, raising the damping until one."""
        if self.damping is None:
            self.damping = self.relative * model.scale
        for _ in range(LM_MAX_TRIALS):
            p = model.step(self.damping)
            # decrease of |r + J p|^2 predicted by the model
            predicted = -(2.0 * float(model.g @ p) + model.curvature(p))
            rho = (f - loss_at(x + p)) / predicted if predicted > 0 else -1.0
            self.damping, self.nu = nielsen_update(self.damping, self.nu, rho)
            if rho > 0:
                return x + p
        return None


def _gauss_newton_step(damping: StepLengthDamping, x: np.ndarray, f: float, model: "_Model",
                       loss_at: Callable[[np.ndarray], float]) -> np.ndarray | None:
    """A line-searched Gauss-Newton step, raising the damping while no length decreases."""
    for _ in range(StepLengthDamping.MAX_REJECTIONS):
        p = model.step(damping.value * model.scale)
        search = backtracking_best(lambda alpha: loss_at(x + alpha * p), f)
        if search.success:
            damping.accept(search.alpha)
            return x + search.alpha * p
        damping.reject()
    return None


@dataclass
class _Model:
    """The Gauss-Newton model at one iterate: loss ``f = |r|^2``, ``g = J^T r``, the damped
    step ``mu -> p``, the scale ``s_max^2`` and ``p -> |J p|^2``."""

    f: float
    g: np.ndarray
    step: Step
    scale: float
    curvature: Callable[[np.ndarray], float]


def svd_model(r: np.ndarray, J: np.ndarray) -> _Model:
    """The model from the thin SVD ``J = U diag(s) V^T`` (all residuals on this process).

    The damped normal equations are solved in the SVD basis,
    ``p = -V (s * U^T r / (s^2 + mu))``; ``J^T J`` is never formed, which keeps singular
    values down to ~1e-16 s_max (not 1e-8) usable.
    """
    U, sv, Vt = np.linalg.svd(J, full_matrices=False)
    w = sv * sv
    qg = sv * (U.T @ r)

    def step(mu: float) -> np.ndarray:
        return -(Vt.T @ (qg / (w + mu)))

    def curvature(p: np.ndarray) -> float:
        Jp = J @ p
        return float(Jp @ Jp)

    scale = max(float(w[0]), SMALLEST_SCALE) if w.size else SMALLEST_SCALE
    return _Model(float(r @ r), J.T @ r, step, scale, curvature)


def normal_model(r: np.ndarray, J: np.ndarray, reducer: Reducer) -> _Model:
    """The model from the ``P x P`` normal matrix ``J^T J`` summed over the ranks' rows.

    With ``J^T J = V diag(w) V^T`` (``w = s^2``) and ``J^T r = V (s * U^T r)`` this is the
    SVD step in exact arithmetic: ``p = -V (V^T J^T r / (w + mu))``. Eigenvalues below
    ~1e-16 w_max are round-off here (the SVD resolves them down to 1e-32 w_max), so it is
    used where ``J`` is split over ranks; the relative damping (>= 1e-12) covers them.
    """
    f, g, normal = reducer.sum_all(r @ r, J.T @ r, J.T @ J)
    w, V = np.linalg.eigh(normal)
    w = np.maximum(w, 0.0)  # J^T J is positive semidefinite; rounding may dip below 0
    qg = V.T @ g

    def step(mu: float) -> np.ndarray:
        return -(V @ (qg / (w + mu)))

    def curvature(p: np.ndarray) -> float:
        return float(p @ (normal @ p))

    scale = max(float(w[-1]), SMALLEST_SCALE) if w.size else SMALLEST_SCALE
    return _Model(float(f), g, step, scale, curvature)


def _explicit(trainer: Trainer, stage: LeastSquaresStage, monitor: StageMonitor) -> StageReport:
    relative = DEFAULT_DAMPING[stage.method] if stage.damping is None else stage.damping
    gn_damping = StepLengthDamping(relative)
    lm = _LevenbergMarquardt(relative)
    variables, dtype = trainer.variables, trainer.dtype
    x = H.get_flat(variables).numpy()
    jacobians = nit = 0
    message = "iterations done"

    loss_at = CountedLoss(trainer)

    try:
        for nit in range(1, stage.iterations + 1):
            H.assign_flat(variables, tf.constant(x, dtype))
            r_t, J_t = trainer.residual_and_jacobian()
            jacobians += 1
            r, J = r_t.numpy().astype(float), J_t.numpy().astype(float)
            model = (normal_model(r, J, trainer.reducer) if trainer.normal_equations
                     else svd_model(r, J))
            f = model.f
            # grad = 2 J^T r
            reason = monitor.converged(f, float(np.linalg.norm(2.0 * model.g)))
            if reason:
                message, nit = reason, nit - 1
                break
            if stage.method == "gauss-newton":
                x_new = _gauss_newton_step(gn_damping, x, f, model, loss_at)
            else:
                x_new = lm.step(x, f, model, loss_at)
            if x_new is None:
                message, nit = f"no decrease possible at iteration {nit} (loss {f:.3e})", nit - 1
                break
            x = x_new
            reason = monitor.step_to(x)
            if reason:
                message = reason
                break
    finally:  # also on Ctrl-C / SIGTERM: leave the weights at the last accepted iterate
        H.assign_flat(variables, tf.constant(x, dtype))
    return StageReport(stage.method, nit, message, loss_evals=loss_at.evals,
                       jacobians=jacobians)
