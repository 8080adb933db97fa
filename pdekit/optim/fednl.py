"""Federated Newton Learn (FedNL) over the MPI ranks' shares of a loss.

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

NumPy only: the caller supplies the local oracle (:class:`LocalOracle`).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Protocol

import numpy as np

from pdekit.optim.driver import Callback, Iterate, NoStep, Run, Step, StopTest, iterate
from pdekit.optim.linesearch import backtracking_best

FLOAT, INDEX = 8, 4
"""Bytes of a float64 entry and of an int32 index in a message."""


class LocalOracle(Protocol):
    """This rank's share of the loss at a flat point, and the sum over the ranks."""

    n: int
    """Number of unknowns."""

    def local(self, x: np.ndarray) -> tuple[float, np.ndarray]:
        """Move to ``x``; this rank's loss and gradient there."""

    def local_hessian(self) -> np.ndarray:
        """This rank's dense, symmetric Hessian at the point of the last :meth:`local`."""

    def sum_all(self, *parts: Any) -> tuple:
        """Each part summed over the ranks (one reduction)."""

    def loss_at(self, x: np.ndarray) -> float:
        """The total loss at ``x`` (``inf`` where not finite)."""


@dataclass(frozen=True)
class FedNLOptions:
    """The method's parameters (see the module docstring)."""

    compression: str = "none"
    k: int | None = None
    alpha: float = 1.0
    regularization: str = "projection"
    mu: float = 1e-8
    line_search: bool = True


@dataclass
class FedNLRun:
    """The driver's run plus the bytes each rank sent per iteration."""

    run: Run
    sent: list[int] = field(default_factory=list)
    initial_bytes: int = 0

    def communication(self, n: int, ranks: int, compression: str) -> dict[str, Any]:
        """The summary's communication record against a plain dense allreduce."""
        plain = FLOAT * (n * n + n + 1)
        return {"bytes_per_iteration_per_rank": self.bytes_per_iteration,
                "plain_allreduce_bytes": plain, "initial_bytes": self.initial_bytes,
                "compression": compression, "ranks": ranks}

    @property
    def bytes_per_iteration(self) -> float:
        return float(np.mean(self.sent)) if self.sent else 0.0


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


def fednl(oracle: LocalOracle, x0: np.ndarray, options: FedNLOptions, *, maxiter: int,
          converged: StopTest, callback: Callback | None = None) -> FedNLRun:
    """FedNL iterations from ``x0`` on the driver's loop (see the module docstring).

    Every rank calls it with the same ``x0`` and options; the iterates stay equal on all
    ranks (the step is computed from summed quantities only).
    """
    n = oracle.n
    k = options.k or n
    sent: list[int] = []
    estimate: dict[str, np.ndarray] = {}

    def learn(x: np.ndarray) -> Iterate:
        """Evaluate at ``x`` and update the Hessian estimates (one message per rank)."""
        f_loc, g_loc = oracle.local(x)
        exact = oracle.local_hessian()
        if not estimate:  # H_i^0 = the local Hessian at x^0, sent once in full
            estimate["local"], estimate["sum"] = exact, oracle.sum_all(exact)[0]
        S, size = compress(exact - estimate["local"], options.compression, k)
        error = float(np.linalg.norm(estimate["local"] - exact))
        estimate["local"] = estimate["local"] + options.alpha * S
        # one message: loss, gradient, l_i and the compressed difference (sent as its
        # compressed form; summing the decompressed matrices gives the same H)
        f, g, l_sum, S_sum = oracle.sum_all(float(f_loc), g_loc, error, S)
        sent.append(size + FLOAT * (n + 2))
        estimate["sum"] = estimate["sum"] + options.alpha * S_sum
        return Iterate(x, float(f), g, float(np.linalg.norm(g)), float(l_sum))

    def step(it: Iterate, nit: int) -> Step:
        p = newton_direction(estimate["sum"], it.g, options.regularization, options.mu,
                             it.state)
        if not float(it.g @ p) < 0:
            p = -it.g
        if options.line_search:
            search = backtracking_best(lambda alpha: oracle.loss_at(it.x + alpha * p), it.f)
            if not search.success:
                raise NoStep(f"no decrease along the step at iteration {nit} "
                             f"(loss {it.f:.3e})")
            p = search.alpha * p
        return Step(learn(it.x + p))

    run = iterate(learn(np.asarray(x0, dtype=float)), step, maxiter=maxiter,
                  converged=converged, callback=callback)
    return FedNLRun(run, sent, initial_bytes=FLOAT * n * (n + 1) // 2)

