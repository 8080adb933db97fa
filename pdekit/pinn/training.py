"""Training stages: first-order warm-up, then second-order methods on the same weights.

A training run is a list of typed stages (:mod:`pdekit.pinn.schema`); each stage's method
is looked up in :data:`pdekit.pinn.methods.STAGES` and run by its runner:

``adam``, ``adamax``
    :mod:`pdekit.pinn.first_order` (the compiled loop of :mod:`pdekit.optim.first_order`).
``lbfgs``, ``newton-cg``, ``trust-ncg``; least squares with ``jacobian = "products"``
    :func:`run_shared`: the shared optimizers of :mod:`pdekit.optim` (Hessian-vector
    products of :mod:`pdekit.hvp`, or Jacobian products of the residual).
``gauss-newton``, ``levenberg-marquardt`` with ``jacobian = "explicit"``
    :mod:`pdekit.pinn.explicit_lsq` (SVD of the explicit Jacobian).

Every runner reports each iteration (or compiled chunk) to one :class:`StageMonitor`, which
records the history and applies the stop tests (``ftol``, ``gtol``, ``time_limit``) the same
way for all methods.
"""

from __future__ import annotations

import dataclasses
import math
import time
from dataclasses import dataclass, field
from typing import Any, Callable

import numpy as np
import tensorflow as tf

from pdekit import hvp as H
from pdekit.errors import NumericalError
from pdekit.pinn.methods import STAGES
from pdekit.pinn.parallel import Reducer
from pdekit.pinn.residuals import Evaluator, PoissonLoss


@dataclass
class StageReport:
    """What one stage did (for ``summary.json``); the trainer fills in time and losses."""

    method: str
    iterations: int
    message: str
    wall_time: float = 0.0
    loss_start: float = 0.0
    loss_end: float = 0.0
    hvps: int = 0
    gradients: int = 0
    loss_evals: int = 0
    jacobians: int = 0
    options: dict[str, Any] = field(default_factory=dict)
    communication: dict[str, Any] | None = None
    """Bytes sent per rank (FedNL stages)."""

    def as_dict(self) -> dict[str, Any]:
        return dataclasses.asdict(self)


HISTORY_COLUMNS = ("iteration", "stage", "method", "stage_iteration", "time", "loss",
                   "loss_pde", "loss_boundary", "rel_l2", "max_abs")
"""Columns of the training history (``history.csv``): the run's iteration count, the stage
(0: the initial weights), its method and iterations done in it, seconds since training
began, the loss ``loss_pde + loss_boundary`` and the errors on the evaluation grid."""


class StageMonitor:
    """The one stop-and-record path of every stage.

    Parameters
    ----------
    trainer
        Owner of the history.
    index
        Position of the stage in the run (0-based).
    stage
        The typed stage (its ``ftol``, ``gtol``, ``time_limit``).
    bar
        tqdm-like progress bar, or None.
    """

    def __init__(self, trainer: "Trainer", index: int, stage: Any, bar: Any = None):
        self.trainer, self.index, self.stage, self.bar = trainer, index, stage, bar
        self.done = 0
        self.deadline = (time.perf_counter() + stage.time_limit if stage.time_limit
                         else math.inf)

    def converged(self, loss: float, grad_norm: float | None = None) -> str | None:
        """Why the stage is done at ``loss`` (and gradient norm), or None."""
        if loss <= self.stage.ftol:
            return f"loss {loss:.3e} <= ftol {self.stage.ftol:g}"
        if grad_norm is not None and grad_norm <= self.stage.gtol:
            return f"gradient norm {grad_norm:.3e} <= gtol {self.stage.gtol:g}"
        return None

    def after(self, iterations: int, loss: float) -> str | None:
        """Record ``iterations`` more done, ending at ``loss``; why to stop now, or None."""
        self.trainer.iteration += iterations
        self.done += iterations
        entry = self.trainer.record(self.index + 1, self.stage.method, loss, self.done)
        if self.bar is not None:
            self.bar.update(iterations)
            text = f"loss={entry['loss']:.3e}"
            if entry.get("rel_l2") is not None:
                text += f" relL2={entry['rel_l2']:.3e}"
            self.bar.set_postfix_str(text)
        reason = self.converged(loss)
        if reason is None and time.perf_counter() > self.deadline:
            reason = f"time limit {self.stage.time_limit:g} s reached"
        return reason

    def step_to(self, x: np.ndarray) -> str | None:
        """Move the weights to the accepted iterate ``x`` (flat, NumPy) and record one
        iteration there; why to stop now, or None."""
        trainer = self.trainer
        H.assign_flat(trainer.variables, tf.constant(x, trainer.dtype))
        return self.after(1, trainer.loss())


class CountedLoss:
    """``y -> loss`` at flat NumPy weights (``inf`` where not finite), counting the calls
    in :attr:`evals`; the weights are left at ``y``."""

    def __init__(self, trainer: "Trainer"):
        self.trainer, self.evals = trainer, 0

    def __call__(self, y: np.ndarray) -> float:
        self.evals += 1
        value = float(self.trainer.loss_at(tf.constant(y, self.trainer.dtype)))
        return value if math.isfinite(value) else math.inf


class Trainer:
    """Runs training stages on one :class:`PoissonLoss`, recording a loss/error history.

    The history has one entry per iteration of a second-order stage and per compiled chunk
    of a first-order one, with the columns :data:`HISTORY_COLUMNS`.

    Parameters
    ----------
    problem
        The least-squares problem (network, points, residual).
    evaluator
        Error monitor on the evaluation grid (its errors are None without an exact solution).
    progress
        ``(total, desc, time_limit=seconds or None) -> bar`` factory (tqdm-like:
        ``update``, ``set_postfix_str``, ``close``; the ETA at most the time limit).
    reducer
        Under MPI, sums the ranks' shares of the loss (:mod:`pdekit.pinn.parallel`;
        ``problem`` holds this rank's points); the errors are then measured on rank 0 only.
        Default: serial.
    normal_equations
        Explicit Gauss-Newton / LM solve the damped normal equations with the
        eigendecomposition of the (summed) ``J^T J`` instead of the SVD of ``J``
        (:mod:`pdekit.pinn.explicit_lsq`); always under MPI, where ``J`` is split.
    """

    def __init__(self, problem: PoissonLoss, evaluator: Evaluator,
                 progress: Callable[[float, str], Any] | None = None,
                 reducer: Reducer | None = None, normal_equations: bool | None = None):
        self.problem, self.evaluator = problem, evaluator
        self.reducer = reducer or Reducer()
        self.normal_equations = bool(normal_equations) or self.reducer.size > 1
        self.variables = H.as_variables(problem.model.variables)
        self.dtype = self.variables[0].dtype
        self.progress = progress
        self.history: list[dict[str, Any]] = []
        self.iteration = 0
        self.started = time.perf_counter()
        self._loss = self.reducer.reduced(tf.function(problem.loss))
        self._loss_terms = self.reducer.reduced(tf.function(problem.loss_terms))
        self.residual_and_jacobian = tf.function(problem.residual_and_jacobian)
        variables = self.variables

        @tf.function(input_signature=[tf.TensorSpec([H.num_params(variables)], self.dtype)],
                     autograph=False)
        def loss_at(x: tf.Tensor) -> tf.Tensor:
            H.assign_flat(variables, x)
            return problem.loss()

        self.loss_at = self.reducer.reduced(loss_at)
        """Compiled ``flat weights -> loss`` (the weights are left at ``x``)."""

    def loss(self) -> float:
        """Loss at the current weights."""
        return float(self._loss())

    def record(self, stage: int, method: str, loss: float, stage_iteration: int = 0
               ) -> dict[str, Any]:
        """Append a history entry at the current weights: ``loss`` (as the stage's method
        computed it), its PDE and boundary terms, the errors on the evaluation grid.

        ``stage`` is the stage's number (1-based; 0 for the initial weights) and
        ``stage_iteration`` the iterations done in it. A non-finite loss is fatal.
        """
        if not math.isfinite(loss):
            raise NumericalError(
                f"training diverged: loss = {loss} at iteration {self.iteration} "
                f"(stage {stage}, {method}); try a smaller learning rate or more warm-up",
                {"iteration": self.iteration, "stage": stage, "method": method,
                 "loss": None}, collective=self.reducer.size > 1)
        pde, boundary = (float(term) for term in self._loss_terms())
        errors = (self.evaluator.errors() if self.reducer.is_root else None) or {}
        entry = {"iteration": self.iteration, "stage": stage, "method": method,
                 "stage_iteration": stage_iteration,
                 "time": time.perf_counter() - self.started, "loss": loss,
                 "loss_pde": pde, "loss_boundary": boundary,
                 "rel_l2": errors.get("rel_l2"), "max_abs": errors.get("max_abs")}
        self.history.append(entry)
        return entry

    def run(self, stages: list[Any]) -> list[StageReport]:
        """Run typed stages in order; returns one report per stage."""
        if not self.history:
            loss = self.loss()
            if not math.isfinite(loss):
                raise NumericalError(f"the loss is {loss} at the initial weights: the "
                                     f"forcing or boundary data are not finite at some "
                                     f"collocation point", {"loss": None},
                                     collective=self.reducer.size > 1)
            self.record(0, "init", loss)
        reports = []
        for index, stage in enumerate(stages):
            method = stage.method
            bar = (self.progress(stage.iterations, f"stage {index + 1}/{len(stages)} {method}",
                                 time_limit=stage.time_limit) if self.progress else None)
            start = time.perf_counter()
            loss_start = self.loss()
            if not math.isfinite(loss_start):
                self.record(index + 1, method, loss_start)  # raises NumericalError
            try:
                report = STAGES.get(method)(self, stage, StageMonitor(self, index, stage, bar))
            finally:
                if bar is not None:
                    bar.close()
            loss_end = self.loss()
            if not math.isfinite(loss_end):
                self.record(index + 1, method, loss_end)  # raises NumericalError
            reports.append(dataclasses.replace(
                report, wall_time=time.perf_counter() - start, loss_start=loss_start,
                loss_end=loss_end, options=stage.model_dump()))
        return reports


def run_shared(trainer: Trainer, stage: Any, monitor: StageMonitor) -> StageReport:
    """A stage solved by a :mod:`pdekit.optim` method (HVP / Jacobian-product / gradient)."""
    from pdekit import optim

    method = stage.method
    least_squares = optim.OPTIMIZERS.capabilities(method).least_squares
    # the shared least-squares solvers minimize |r|^2 / 2; our loss is |r|^2
    scale = 2.0 if least_squares else 1.0
    last = {"x": H.get_flat(trainer.variables)}

    def callback(x: tf.Tensor, record: dict[str, Any]) -> str | None:
        last["x"] = x
        H.assign_flat(trainer.variables, x)
        return monitor.after(1, scale * float(record["fun"]))

    options: dict[str, Any] = {"maxiter": stage.iterations, "callback": callback,
                               "gtol": stage.gtol / scale}
    if getattr(stage, "cg_maxiter", None):
        options["cg_maxiter"] = stage.cg_maxiter
    if method == "lbfgs":
        options["memory"] = stage.memory
    if method == "levenberg-marquardt" and stage.damping is not None:
        options["damping0"] = stage.damping
    fun = trainer.problem.residual if least_squares else trainer.problem.loss
    objective = trainer.reducer.distribute(optim.objective_for(method, fun, trainer.variables))
    iteration0 = trainer.iteration
    try:
        message = optim.OPTIMIZERS.get(method)(objective, objective.x0(), **options).message
    except KeyboardInterrupt:  # keep the last accepted iterate, not a line-search trial
        H.assign_flat(trainer.variables, last["x"])
        raise
    except ValueError as error:  # e.g. a line search meeting a non-finite loss
        H.assign_flat(trainer.variables, last["x"])
        raise NumericalError(f"{method} failed at iteration {trainer.iteration} ({error}); "
                             f"loss there = {trainer.loss():.6e}",
                             {"iteration": trainer.iteration, "method": method},
                             collective=trainer.reducer.size > 1) from None
    return StageReport(method, trainer.iteration - iteration0, message,
                       hvps=objective.nhvp, gradients=objective.ngrad,
                       loss_evals=objective.nfev)
