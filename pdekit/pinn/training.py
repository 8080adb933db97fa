"""Training stages: first-order warm-up, then second-order methods on the same weights.

A training run is a list of stages, each a dict from the case file (``method`` plus options,
see :data:`pdekit.pinn.stages.STAGE_KEYS`). Methods:

``adam``, ``adamax``
    Kingma & Ba 2015, "Adam: a method for stochastic optimization" (ICLR), Alg. 1 and its
    infinity-norm variant Adamax (sec. 7.1), with Keras's defaults (beta1 = 0.9,
    beta2 = 0.999, eps = 1e-7). Implemented here as a compiled loop of ``log_every`` steps
    per call (one ``tf.function`` call per chunk instead of per step).
``lbfgs``, ``newton-cg``, ``trust-ncg``
    The shared optimizers of :mod:`pdekit.optim` on the scalar loss; Newton-CG and the
    Steihaug trust region use forward-over-reverse Hessian-vector products of
    :mod:`pdekit.hvp`.
``gauss-newton``, ``levenberg-marquardt`` with ``jacobian = "products"``
    The shared matrix-free solvers of :mod:`pdekit.optim.gauss_newton`: CG on the
    Gauss-Newton system with Jacobian-vector (forward mode) and vector-Jacobian (reverse
    mode) products of the residual vector.
``gauss-newton``, ``levenberg-marquardt`` with ``jacobian = "explicit"``
    The same Gauss-Newton model, but with the Jacobian formed explicitly by per-sample
    gradients (:meth:`pdekit.pinn.network.MLP.affine_residual_jacobian`, about two network
    passes) and factored once per iteration by a thin SVD ``J = U S V^T``, so that the damped
    system ``(J^T J + mu I) p = -J^T r`` is solved exactly for any damping at O(P^2) each,
    without squaring the condition number. For the small networks of these cases
    (P ~ 150-500 weights, ~200-1,000 residuals) this is faster *and* more accurate than CG,
    which stalls on the condition numbers (1e10 and more) met near high-accuracy minimizers.

    ``gauss-newton`` takes ``p = -(J^T J + mu I)^{-1} J^T r`` and a backtracking line search
    on the step length (halving from 1, kept while the loss keeps falling). For the linear
    Poisson operator this is the energy natural gradient step of Müller & Zeinhofer 2023,
    "Achieving high accuracy with PINNs via energy natural gradient descent" (ICML), whose
    Gramian is exactly ``J^T J``. The relative damping ``mu / s_max^2`` starts at
    ``max(damping, 1e-6)``, is divided by 10 after a step with length >= 1/4 (down to
    ``damping``, default 1e-12) and multiplied by 10 after one shorter than 1/10: robust far
    from a minimizer, (nearly) undamped Gauss-Newton close to it. ``levenberg-marquardt``
    takes full steps and updates the damping by the gain ratio (Nielsen 1999, "Damping
    parameter in Marquardt's method", IMM-REP-1999-05).
"""

from __future__ import annotations

import math
import time
from dataclasses import dataclass, field
from typing import Any, Callable

import numpy as np
import tensorflow as tf

from pdekit import hvp as H
from pdekit.errors import NumericalError
from pdekit.pinn.residuals import Evaluator, PoissonLoss

from pdekit.pinn.stages import FIRST_ORDER, LEAST_SQUARES, with_defaults


@dataclass
class StageReport:
    """What one stage did (for ``summary.json``)."""

    method: str
    iterations: int
    wall_time: float
    loss_start: float
    loss_end: float
    message: str
    hvps: int = 0
    gradients: int = 0
    loss_evals: int = 0
    jacobians: int = 0
    options: dict[str, Any] = field(default_factory=dict)

    def as_dict(self) -> dict[str, Any]:
        return dict(self.__dict__)


class _Stop(Exception):
    """Raised from an optimizer callback to end a stage early (time limit, ftol)."""


class Trainer:
    """Runs training stages on one :class:`PoissonLoss`, recording a loss/error history.

    Parameters
    ----------
    problem
        The least-squares problem (network, points, residual).
    evaluator
        Error monitor on the evaluation grid (its errors are None without an exact solution).
    progress
        ``(total, desc) -> bar`` factory (tqdm-like: ``update``, ``set_postfix_str``, ``close``).
    """

    def __init__(self, problem: PoissonLoss, evaluator: Evaluator,
                 progress: Callable[[float, str], Any] | None = None):
        self.problem, self.evaluator = problem, evaluator
        self.variables = H.as_variables(problem.model.variables)
        self.n = H.num_params(self.variables)
        self.dtype = self.variables[0].dtype
        self.progress = progress
        self.history: list[dict[str, Any]] = []
        self.iteration = 0
        self.started = time.perf_counter()
        self._loss = tf.function(problem.loss)
        self._rj = tf.function(problem.residual_and_jacobian)
        spec = tf.TensorSpec([self.n], self.dtype)
        variables = self.variables

        @tf.function(input_signature=[spec], autograph=False)
        def loss_at(x: tf.Tensor) -> tf.Tensor:
            H.assign_flat(variables, x)
            return problem.loss()

        self._loss_at = loss_at

    # ---------------------------------------------------------------- bookkeeping
    def loss(self) -> float:
        """Loss at the current weights."""
        return float(self._loss())

    def record(self, stage: int, method: str, loss: float) -> dict[str, Any]:
        """Append a history entry (loss, errors on the evaluation grid); NaN is fatal."""
        if not math.isfinite(loss):
            raise NumericalError(
                f"training diverged: loss = {loss} at iteration {self.iteration} "
                f"(stage {stage + 1}, {method}); try a smaller learning rate or more warm-up",
                {"iteration": self.iteration, "stage": stage + 1, "method": method,
                 "loss": None})
        errors = self.evaluator.errors() or {}
        entry = {"iteration": self.iteration, "stage": stage + 1, "method": method,
                 "time": time.perf_counter() - self.started, "loss": loss,
                 "rel_l2": errors.get("rel_l2"), "max_abs": errors.get("max_abs")}
        self.history.append(entry)
        return entry

    @staticmethod
    def _postfix(entry: dict[str, Any]) -> str:
        text = f"loss={entry['loss']:.3e}"
        if entry.get("rel_l2") is not None:
            text += f" relL2={entry['rel_l2']:.3e}"
        return text

    # ---------------------------------------------------------------- stages
    def run(self, stages: list[dict[str, Any]]) -> list[StageReport]:
        """Run all stages in order; returns one report per stage."""
        if not self.history:
            loss = self.loss()
            if not math.isfinite(loss):
                raise NumericalError(f"the loss is {loss} at the initial weights: the "
                                     f"forcing or boundary data are not finite at some "
                                     f"collocation point", {"loss": None})
            self.record(0, "init", loss)
        reports = []
        for index, raw in enumerate(stages):
            stage = with_defaults(raw)
            method = stage["method"]
            total = stage["iterations"]
            bar = (self.progress(total, f"stage {index + 1}/{len(stages)} {method}")
                   if self.progress else None)
            start = time.perf_counter()
            loss0 = self.loss()
            if not math.isfinite(loss0):
                self.record(index, method, loss0)  # raises NumericalError
            try:
                if method in FIRST_ORDER:
                    report = self._first_order(index, stage, bar)
                elif method in LEAST_SQUARES and stage["jacobian"] == "explicit":
                    report = self._explicit(index, stage, bar)
                else:
                    report = self._shared(index, stage, bar)
            finally:
                if bar is not None:
                    bar.close()
            report.wall_time = time.perf_counter() - start
            report.loss_start, report.loss_end = loss0, self.loss()
            report.options = stage
            if not math.isfinite(report.loss_end):
                self.record(index, method, report.loss_end)  # raises NumericalError
            reports.append(report)
        return reports

    def _deadline(self, stage: dict[str, Any]) -> float:
        limit = stage.get("time_limit")
        return time.perf_counter() + limit if limit else math.inf

    def _first_order(self, index: int, stage: dict[str, Any], bar: Any) -> StageReport:
        method, total, chunk = stage["method"], stage["iterations"], stage["log_every"]
        step = _compiled_first_order(self.problem.loss, self.variables, method, stage["lr"])
        deadline, done, message = self._deadline(stage), 0, "iterations done"
        while done < total:
            k = min(chunk, total - done)
            step(tf.constant(k))
            done += k
            self.iteration += k
            entry = self.record(index, method, self.loss())
            if bar is not None:
                bar.update(k)
                bar.set_postfix_str(self._postfix(entry))
            if entry["loss"] <= stage["ftol"]:
                message = f"loss {entry['loss']:.3e} <= ftol {stage['ftol']:g}"
                break
            if time.perf_counter() > deadline:
                message = f"time limit {stage['time_limit']:g} s reached"
                break
        return StageReport(method, done, 0.0, 0.0, 0.0, message, gradients=done)

    def _shared(self, index: int, stage: dict[str, Any], bar: Any) -> StageReport:
        """A stage solved by :mod:`pdekit.optim` (HVP / JVP-VJP / gradient based)."""
        from pdekit import optim

        method = stage["method"]
        deadline = self._deadline(stage)
        last = {"x": H.get_flat(self.variables)}
        least_squares = method in LEAST_SQUARES
        # the shared least-squares solvers minimize |r|^2 / 2; report our |r|^2
        scale = 2.0 if least_squares else 1.0

        def callback(x: tf.Tensor, rec: dict[str, Any]) -> None:
            last["x"] = x
            self.iteration += 1
            H.assign_flat(self.variables, x)
            entry = self.record(index, method, scale * float(rec["fun"]))
            if bar is not None:
                bar.update(1)
                bar.set_postfix_str(self._postfix(entry))
            if entry["loss"] <= stage["ftol"]:
                raise _Stop(f"loss {entry['loss']:.3e} <= ftol {stage['ftol']:g}")
            if time.perf_counter() > deadline:
                raise _Stop(f"time limit {stage['time_limit']:g} s reached")

        options: dict[str, Any] = {"maxiter": stage["iterations"], "callback": callback,
                                   "gtol": stage["gtol"] / scale}
        if stage.get("cg_maxiter"):
            options["cg_maxiter"] = stage["cg_maxiter"]
        if method == "lbfgs":
            options["memory"] = stage["memory"]
        if method == "levenberg-marquardt" and stage.get("damping") is not None:
            options["damping0"] = stage["damping"]
        if least_squares:
            objective: Any = optim.ResidualObjective(self.problem.residual, self.variables)
        else:
            objective = optim.Objective(self.problem.loss, self.variables)
        solver = optim.METHODS[method][0]
        nit0 = self.iteration
        try:
            result = solver(objective, objective.x0(), **options)
            message = result.message
        except _Stop as stop:
            H.assign_flat(self.variables, last["x"])
            message = str(stop)
        except ValueError as error:  # e.g. a line search meeting a non-finite loss
            H.assign_flat(self.variables, last["x"])
            raise NumericalError(f"{method} failed at iteration {self.iteration} ({error}); "
                                 f"loss there = {self.loss():.6e}",
                                 {"iteration": self.iteration, "method": method}) from None
        return StageReport(method, self.iteration - nit0, 0.0, 0.0, 0.0, message,
                           hvps=objective.nhvp, gradients=objective.ngrad,
                           loss_evals=objective.nfev)

    def _explicit(self, index: int, stage: dict[str, Any], bar: Any) -> StageReport:
        """Gauss-Newton (line search) or Levenberg-Marquardt with the explicit Jacobian."""
        method = stage["method"]
        gauss_newton = method == "gauss-newton"
        damping = stage.get("damping")
        rel = (1e-12 if gauss_newton else 1e-3) if damping is None else damping
        deadline = self._deadline(stage)
        x = H.get_flat(self.variables).numpy()
        lam: float | None = None
        mu_rel: float | None = None
        start_rel = max(rel, 1e-6)
        nu = 2.0
        evals = jacobians = 0
        message = "iterations done"
        nit = 0
        for nit in range(1, stage["iterations"] + 1):
            H.assign_flat(self.variables, tf.constant(x, self.dtype))
            r_t, J_t = self._rj()
            jacobians += 1
            r, J = r_t.numpy().astype(float), J_t.numpy().astype(float)
            f = float(r @ r)
            g = J.T @ r
            if f <= stage["ftol"]:
                message, nit = f"loss {f:.3e} <= ftol {stage['ftol']:g}", nit - 1
                break
            if float(np.linalg.norm(2.0 * g)) <= stage["gtol"]:
                message, nit = f"gradient norm <= gtol {stage['gtol']:g}", nit - 1
                break
            # J = U diag(s) V^T: the damped normal equations (J^T J + mu I) p = -J^T r are
            # solved in the SVD basis, p = -V (s * U^T r / (s^2 + mu)); J^T J is never formed,
            # which keeps singular values down to ~1e-16 s_max (not 1e-8) usable.
            U, sv, Vt = np.linalg.svd(J, full_matrices=False)
            w = sv * sv
            qg = sv * (U.T @ r)
            top = max(float(w[0]), 1e-300)

            def step(mu: float) -> np.ndarray:
                return -(Vt.T @ (qg / (w + mu)))

            def loss_at(y: np.ndarray) -> float:
                nonlocal evals
                evals += 1
                value = float(self._loss_at(tf.constant(y, self.dtype)))
                return value if math.isfinite(value) else math.inf

            accepted = False
            if gauss_newton:
                # adaptive relative damping: shrink it after full steps, grow it when the line
                # search has to cut the step hard (robust far away, exact Gauss-Newton near)
                mu_rel = start_rel if mu_rel is None else mu_rel
                for _ in range(12):  # raise the damping if no step length decreases the loss
                    p = step(mu_rel * top)
                    best_f, best_eta, eta = f, 0.0, 1.0
                    for _ in range(30):
                        f_try = loss_at(x + eta * p)
                        if f_try < best_f:
                            best_f, best_eta = f_try, eta
                        elif best_eta > 0:
                            break
                        eta *= 0.5
                    if best_eta > 0:
                        x, accepted = x + best_eta * p, True
                        if best_eta >= 0.25:
                            mu_rel = max(mu_rel / 10.0, rel)
                        elif best_eta < 0.1:
                            mu_rel = min(mu_rel * 10.0, 1.0)
                        break
                    mu_rel = min(mu_rel * 100.0, 1e6)
            else:
                lam = rel * top if lam is None else lam
                for _ in range(60):
                    p = step(lam)
                    Jp = J @ p
                    predicted = -(2.0 * float(g @ p) + float(Jp @ Jp))
                    f_try = loss_at(x + p)
                    rho = (f - f_try) / predicted if predicted > 0 else -1.0
                    if rho > 0:
                        x, accepted = x + p, True
                        lam *= max(1.0 / 3.0, 1.0 - (2.0 * rho - 1.0) ** 3)
                        nu = 2.0
                        break
                    lam *= nu
                    nu *= 2.0
            if not accepted:
                message, nit = f"no decrease possible at iteration {nit} (loss {f:.3e})", nit - 1
                break
            self.iteration += 1
            H.assign_flat(self.variables, tf.constant(x, self.dtype))
            entry = self.record(index, method, self.loss())
            if bar is not None:
                bar.update(1)
                bar.set_postfix_str(self._postfix(entry))
            if time.perf_counter() > deadline:
                message = f"time limit {stage['time_limit']:g} s reached"
                break
        H.assign_flat(self.variables, tf.constant(x, self.dtype))
        return StageReport(method, nit, 0.0, 0.0, 0.0, message, loss_evals=evals,
                           jacobians=jacobians)


def _compiled_first_order(loss_fn: Callable[[], tf.Tensor], variables: list[tf.Variable],
                          method: str, lr: float, beta1: float = 0.9, beta2: float = 0.999,
                          eps: float = 1e-7) -> Callable[[tf.Tensor], tf.Tensor]:
    """A compiled ``k -> loss`` running ``k`` Adam or Adamax steps on ``variables``.

    Adam: ``m = b1 m + (1-b1) g``, ``v = b2 v + (1-b2) g^2``,
    ``theta -= lr sqrt(1-b2^t)/(1-b1^t) m / (sqrt(v) + eps)``; Adamax replaces ``v`` by
    ``u = max(b2 u, |g|)`` and the step by ``lr/(1-b1^t) m / (u + eps)`` (Kingma & Ba 2015).
    """
    dtype = variables[0].dtype
    first = [tf.Variable(tf.zeros_like(v), trainable=False) for v in variables]
    second = [tf.Variable(tf.zeros_like(v), trainable=False) for v in variables]
    t = tf.Variable(tf.zeros([], dtype), trainable=False)
    b1, b2 = tf.constant(beta1, dtype), tf.constant(beta2, dtype)
    rate, tiny = tf.constant(lr, dtype), tf.constant(eps, dtype)

    # XLA fuses the many small ops of the forward Laplacian: 2.5x faster steps on CPU
    @tf.function(input_signature=[tf.TensorSpec([], tf.int32)], jit_compile=True)
    def steps(k: tf.Tensor) -> tf.Tensor:
        loss = tf.constant(0.0, dtype)
        for _ in tf.range(k):
            with tf.GradientTape() as tape:
                loss = loss_fn()
            grads = tape.gradient(loss, variables)
            t.assign_add(1.0)
            for v, g, m, s in zip(variables, grads, first, second):
                m.assign(b1 * m + (1.0 - b1) * g)
                if method == "adam":
                    s.assign(b2 * s + (1.0 - b2) * g * g)
                    scale = rate * tf.sqrt(1.0 - b2**t) / (1.0 - b1**t)
                    v.assign_sub(scale * m / (tf.sqrt(s) + tiny))
                else:
                    s.assign(tf.maximum(b2 * s, tf.abs(g)))
                    v.assign_sub(rate / (1.0 - b1**t) * m / (s + tiny))
        return loss

    return steps
