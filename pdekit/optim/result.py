"""The result record every optimizer in :mod:`pdekit.optim` returns."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import tensorflow as tf


@dataclass
class OptimizeResult:
    """Outcome of a minimization (in the spirit of ``scipy.optimize.OptimizeResult``).

    Attributes
    ----------
    x
        Final point as a flat tensor (the variables are also left at this point).
    fun
        Loss at ``x``.
    grad_norm
        Euclidean norm of the gradient at ``x``.
    nit
        Number of (outer) iterations.
    nfev, ngrad, nhvp
        Counts of loss-only evaluations, loss+gradient evaluations and
        Hessian-vector (or Gauss-Newton / Jacobian-vector) products.
    success
        Whether the stopping test (``grad_norm <= gtol``, or the method's own
        convergence test) was met.
    message
        Human-readable reason for stopping.
    method
        Name of the method.
    history
        One dict per iteration (at least ``nit``, ``fun``, ``grad_norm``).
    """

    x: tf.Tensor
    fun: float
    grad_norm: float
    nit: int
    nfev: int
    ngrad: int
    nhvp: int
    success: bool
    message: str
    method: str
    history: list[dict[str, Any]] = field(default_factory=list, repr=False)

    def __str__(self) -> str:
        status = "converged" if self.success else "not converged"
        return (
            f"{self.method}: {status} after {self.nit} iterations ({self.message}); "
            f"loss={self.fun:.6e} |grad|={self.grad_norm:.3e} "
            f"[grad evals {self.ngrad}, loss evals {self.nfev}, HVPs {self.nhvp}]"
        )
