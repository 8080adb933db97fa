"""Federated Newton Learn (FedNL) as a training stage, over the MPI ranks' shares of the loss.

Safaryan, Islamov, Qian & Richtárik 2022, "FedNL: Making Newton-type methods applicable to
federated learning" (ICML), Algorithm 1. The loss is ``f = sum_i f_i`` over the ranks
``i``. Each rank keeps an estimate ``H_i`` of its local Hessian ``∇²f_i`` and, at each
iterate, sends only a compressed difference ``S_i = C(∇²f_i(x) − H_i)`` (plus its gradient
and the error ``l_i = |H_i − ∇²f_i(x)|_F``); every rank then updates ``H_i += alpha S_i``
and ``H = sum_i H_i`` the same way, and steps with ``H``:

- option 1 (``projection``): ``x -= [H]_mu^{-1} g``, the eigenvalues of ``H`` raised to at
  least ``mu * max|eigenvalue|`` (a PINN's Hessian is indefinite away from a minimizer);
- option 2 (``shift``): ``x -= (H + l I)^{-1} g`` with ``l = sum_i l_i``.

Two departures from the paper, both stated in the report: the step uses the estimate just
updated from the current Hessians (the paper's Algorithm 1 steps with the previous one), so
with no compression (and ``alpha = 1``) the method *is* Newton's method with the dense
Hessian; and the step is backtracked on the loss (``line_search``), as a PINN is started far
from its minimizer. The estimates start at the local Hessians of the first iterate (one
uncompressed message, counted apart).

Compressors (the paper's section 3): ``none``; ``topk``, the ``k`` largest entries of the
upper triangle (sent as values and indices); ``rank1``, the leading eigenpair
``lambda v v^T`` (the paper's Rank-R with R = 1). The bytes each rank sends per iteration
are reported against those of a plain allreduce of the dense Hessian.
"""

from __future__ import annotations

from typing import Callable

import numpy as np
import tensorflow as tf

from pdekit import hvp as H
from pdekit.optim.linesearch import backtracking_best
from pdekit.pinn.parallel import Reducer
from pdekit.pinn.schema import FedNLStage
from pdekit.pinn.training import CountedLoss, StageMonitor, StageReport, Trainer

FLOAT, INDEX = 8, 4
"""Bytes of a float64 entry and of an int32 index in a message."""
HESSIAN_CHUNK = 64
"""Identity columns per batched Hessian-vector call when forming a local Hessian."""


def compress(D: np.ndarray, compression: str, k: int) -> tuple[np.ndarray, int]:
    """``C(D)`` for a symmetric ``D`` and the bytes of its message.

    ``none``: ``D`` itself (its upper triangle is sent); ``topk``: the ``k`` entries of the
    upper triangle largest in magnitude, mirrored; ``rank1``: ``lambda v v^T`` for the
    eigenvalue of largest magnitude.
    """
    n = len(D)
    if compression == "none":
        return D, FLOAT * n * (n + 1) // 2
    if compression == "topk":
        rows, cols = np.triu_indices(n)
        values = D[rows, cols]
        keep = np.argsort(-np.abs(values), kind="stable")[:k]
        C = np.zeros_like(D)
        C[rows[keep], cols[keep]] = values[keep]
        C[cols[keep], rows[keep]] = values[keep]
        return C, (FLOAT + INDEX) * len(keep)
    if compression == "rank1":
        w, V = np.linalg.eigh(D)
        j = int(np.argmax(np.abs(w)))
        return w[j] * np.outer(V[:, j], V[:, j]), FLOAT * (n + 1)
    raise ValueError(f"unknown compression {compression!r}")


def newton_direction(Hm: np.ndarray, g: np.ndarray, regularization: str, mu: float,
                     shift: float) -> np.ndarray:
    """``-[H]_mu^{-1} g`` (eigenvalues raised to ``mu max|lambda|``) or ``-(H + shift I)^{-1} g``."""
    w, V = np.linalg.eigh(Hm)
    if regularization == "projection":
        w = np.maximum(w, mu * max(float(np.max(np.abs(w))), 1e-300))
    else:
        w = w + shift
    return -(V @ ((V.T @ g) / w))


class LocalHessian:
    """This rank's loss, gradient and dense Hessian at the current weights (compiled once)."""

    def __init__(self, trainer: Trainer):
        variables = trainer.variables
        self.n = H.num_params(variables)
        self.value_and_grad = H.make_value_and_grad(trainer.problem.loss, variables)
        self._batch = H.make_batch_hvp(trainer.problem.loss, variables)
        self._eye = tf.eye(self.n, dtype=trainer.dtype)

    def hessian(self) -> np.ndarray:
        """The dense local Hessian (``n`` Hessian-vector products), symmetrized."""
        rows = [self._batch(self._eye[i:i + HESSIAN_CHUNK])
                for i in range(0, self.n, HESSIAN_CHUNK)]
        Hm = tf.concat(rows, axis=0).numpy()
        return 0.5 * (Hm + Hm.T)


def run_fednl(trainer: Trainer, stage: FedNLStage, monitor: StageMonitor) -> StageReport:
    """FedNL iterations from the current weights (see the module docstring)."""
    reducer: Reducer = trainer.reducer
    variables, dtype = trainer.variables, trainer.dtype
    local = LocalHessian(trainer)
    n = local.n
    k = stage.k or n
    x = H.get_flat(variables).numpy()

    loss_at = CountedLoss(trainer)

    H_local = local.hessian()  # H_i^0 = the local Hessian at x^0, sent once in full
    H_sum = reducer.sum(H_local)
    initial_bytes = FLOAT * n * (n + 1) // 2
    sent = []
    message, nit = "iterations done", 0
    try:
        for nit in range(1, stage.iterations + 1):
            H.assign_flat(variables, tf.constant(x, dtype))
            f_loc, g_loc = local.value_and_grad()
            exact = local.hessian() if nit > 1 else H_local
            S, size = compress(exact - H_local, stage.compression, k)
            error = float(np.linalg.norm(H_local - exact))
            H_local = H_local + stage.alpha * S
            # one message: loss, gradient, l_i and the compressed difference (sent as its
            # compressed form; summing the decompressed matrices gives the same H)
            f, g, l_sum, S_sum = reducer.sum_all(float(f_loc), g_loc.numpy(), error, S)
            sent.append(size + FLOAT * (n + 2))
            H_sum = H_sum + stage.alpha * S_sum
            f = float(f)
            reason = monitor.converged(f, float(np.linalg.norm(g)))
            if reason:
                message, nit = reason, nit - 1
                break
            p = newton_direction(H_sum, g, stage.regularization, stage.mu, float(l_sum))
            if not float(g @ p) < 0:
                p = -g
            x_new = _step(x, f, p, stage.line_search, loss_at)
            if x_new is None:
                message, nit = f"no decrease along the step at iteration {nit} (loss {f:.3e})", \
                    nit - 1
                break
            x = x_new
            if reason := monitor.step_to(x):
                message = reason
                break
    finally:
        H.assign_flat(variables, tf.constant(x, dtype))
    plain = FLOAT * (n * n + n + 1)
    per_iteration = float(np.mean(sent)) if sent else 0.0
    message += (f"; {per_iteration:.0f} bytes sent per rank and iteration (plain allreduce of "
                f"the dense Hessian: {plain})")
    return StageReport(stage.method, nit, message, loss_evals=loss_at.evals,
                       gradients=len(sent), hvps=n * max(len(sent), 1), communication={
                           "bytes_per_iteration_per_rank": per_iteration,
                           "plain_allreduce_bytes": plain, "initial_bytes": initial_bytes,
                           "compression": stage.compression, "ranks": reducer.size})


def _step(x: np.ndarray, f: float, p: np.ndarray, line_search: bool,
          loss_at: Callable[[np.ndarray], float]) -> np.ndarray | None:
    """``x + p``, or the best backtracked ``x + alpha p`` (None: no length decreases f)."""
    if not line_search:
        return x + p
    search = backtracking_best(lambda alpha: loss_at(x + alpha * p), f)
    return x + search.alpha * p if search.success else None
