"""The FedNL training stage: :func:`pdekit.optim.fednl.fednl` on a network's weights, each
MPI rank holding the loss of its own collocation points."""

from __future__ import annotations

from typing import Any

import numpy as np
import tensorflow as tf

from pdekit import hvp as H
from pdekit.optim.fednl import FedNLOptions, fednl
from pdekit.pinn.schema import FedNLStage
from pdekit.pinn.training import CountedLoss, StageMonitor, StageReport, Trainer

HESSIAN_CHUNK = 64
"""Identity columns per batched Hessian-vector call when forming a local Hessian."""


class LocalHessian:
    """This rank's loss, gradient and dense Hessian at given weights (compiled once): the
    :class:`pdekit.optim.fednl.LocalOracle` of a trainer."""

    def __init__(self, trainer: Trainer):
        self.trainer = trainer
        variables = trainer.variables
        self.n = H.num_params(variables)
        self._value_and_grad = H.make_value_and_grad(trainer.problem.loss, variables)
        self._batch = H.make_batch_hvp(trainer.problem.loss, variables)
        self._eye = tf.eye(self.n, dtype=trainer.dtype)
        self.loss_at = CountedLoss(trainer)
        self.hessians = 0

    def local(self, x: np.ndarray) -> tuple[float, np.ndarray]:
        H.assign_flat(self.trainer.variables, tf.constant(x, self.trainer.dtype))
        f, g = self._value_and_grad()
        return float(f), g.numpy()

    def local_hessian(self) -> np.ndarray:
        """The dense local Hessian (``n`` Hessian-vector products), symmetrized."""
        self.hessians += 1
        rows = [self._batch(self._eye[i:i + HESSIAN_CHUNK])
                for i in range(0, self.n, HESSIAN_CHUNK)]
        Hm = tf.concat(rows, axis=0).numpy()
        return 0.5 * (Hm + Hm.T)

    def sum_all(self, *parts: Any) -> tuple:
        return self.trainer.reducer.sum_all(*parts)


def run_fednl(trainer: Trainer, stage: FedNLStage, monitor: StageMonitor) -> StageReport:
    """FedNL iterations from the current weights."""
    variables, dtype = trainer.variables, trainer.dtype
    oracle = LocalHessian(trainer)
    last = {"x": H.get_flat(variables).numpy()}

    def accepted(x: np.ndarray, record: dict) -> str | None:
        last["x"] = x
        return monitor.step_to(x)

    options = FedNLOptions(stage.compression, stage.k, stage.alpha, stage.regularization,
                           stage.mu, stage.line_search)
    try:
        out = fednl(oracle, last["x"], options, maxiter=stage.iterations,
                    converged=lambda it: monitor.converged(it.f, it.gnorm), callback=accepted)
    finally:  # also on Ctrl-C / SIGTERM: leave the weights at the last accepted iterate
        H.assign_flat(variables, tf.constant(last["x"], dtype))
    communication = out.communication(oracle.n, trainer.reducer.size, stage.compression)
    message = (f"{out.run.message}; {out.bytes_per_iteration:.0f} bytes sent per rank and "
               f"iteration (plain allreduce of the dense Hessian: "
               f"{communication['plain_allreduce_bytes']})")
    return StageReport(stage.method, out.run.nit, message, loss_evals=oracle.loss_at.evals,
                       gradients=len(out.sent), hvps=oracle.n * oracle.hessians,
                       communication=communication)
